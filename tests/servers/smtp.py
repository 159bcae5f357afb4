"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts and refuses on cue.

`plan` holds what to answer to the next e-mails, one entry each: "ok", "550" (a permanent refusal of
the recipient), "451" (try again later, at RCPT), "554-data" (a permanent refusal of the content).
With `credentials` it requires AUTH LOGIN/PLAIN with them (over plain text: it is on loopback), and
refuses other logins with 535. With `tls` (an ssl.SSLContext, e.g. from `tls_certificates`) it offers
STARTTLS and requires it before AUTH.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpServer:
    """An SMTP server on a free port of 127.0.0.1; `messages` holds the e-mails it accepted, parsed."""

    def __init__(
        self,
        *,
        credentials: tuple[str, str] | None = None,
        tls: ssl.SSLContext | None = None,
        implicit_tls: bool = False,
    ) -> None:
        self.credentials = credentials
        self.tls = tls
        self.implicit_tls = implicit_tls  # with `tls`: TLS from the first byte (smtps://) instead of STARTTLS
        self.tls_sessions = 0  # e-mails received over TLS
        self.plan: list[str] = []
        self.messages: list[EmailMessage] = []
        self.envelopes: list[dict[str, Any]] = []  # mail_from, rcpt_tos, raw bytes of each accepted e-mail
        self.logins: list[str] = []  # user names that logged in
        self.refused: list[str] = []  # what was refused, and why
        self._lock = threading.Lock()
        self._current: str = "ok"
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        """smtp://[user:password@]127.0.0.1:<port>."""
        auth = f"{self.credentials[0]}:{self.credentials[1]}@" if self.credentials else ""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{auth}127.0.0.1:{self.port}"

    # aiosmtpd's handler hooks ------------------------------------------------------------------

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list) -> str:
        with self._lock:
            self._current = self.plan.pop(0) if self.plan else "ok"
        if self._current in {"550", "451"}:
            text = "5.1.1 mailbox unavailable" if self._current == "550" else "4.7.1 try again later"
            self.refused.append(f"RCPT {address}: {self._current}")
            return f"{self._current} {text}"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self._current == "554-data":
            self.refused.append("DATA: 554")
            return "554 5.6.0 message content rejected"
        raw = envelope.original_content or envelope.content
        if session.ssl is not None or self.implicit_tls:
            self.tls_sessions += 1
        with self._lock:
            self.envelopes.append({"mail_from": envelope.mail_from, "rcpt_tos": list(envelope.rcpt_tos), "raw": raw})
            self.messages.append(message_from_bytes(raw, policy=policy.default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def _authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and self.credentials is not None:
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if (login, password) == self.credentials:
                self.logins.append(login)
                return AuthResult(success=True)
        self.refused.append("AUTH")
        return AuthResult(success=False, handled=False)

    # lifecycle ----------------------------------------------------------------------------------

    def start(self) -> SmtpServer:
        """Listen in a background thread."""
        kwargs: dict[str, Any] = {}
        if self.credentials is not None:
            kwargs = {
                "authenticator": self._authenticate,
                "auth_required": True,
                # aiosmtpd counts only STARTTLS as TLS: over smtps:// it would hide AUTH if TLS were required.
                "auth_require_tls": self.tls is not None and not self.implicit_tls,
            }
        if self.tls is not None:
            kwargs["ssl_context" if self.implicit_tls else "tls_context"] = self.tls
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **kwargs)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def tls_certificates(folder: Path) -> tuple[Path, ssl.SSLContext]:
    """A throwaway CA (its PEM file, for SSL_CERT_FILE) and a server context with a certificate it signed for
    127.0.0.1 and localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Deznity test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return ca_file, context
