"""Webhooks: client status changes posted, signed, to the endpoints agencies configure (docs/WEBHOOKS.md)."""

from .delivery import DeliveryReport, deliver_due, delivery_pass, send_test
from .endpoints import Endpoint, parse_endpoints
from .signing import SIGNATURE_HEADER, sign, verify_signature

__all__ = [
    "SIGNATURE_HEADER",
    "DeliveryReport",
    "Endpoint",
    "deliver_due",
    "delivery_pass",
    "parse_endpoints",
    "send_test",
    "sign",
    "verify_signature",
]
