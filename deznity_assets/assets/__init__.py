"""The client package asset graph: one partition per client slug."""

from .intake import client_brief
from .phases import client_analysis, content_creation, web_development
from .summary import bootstrap_summary
from .launch import deployment, testing_validation, website

ALL_ASSETS = [
    client_brief, client_analysis, web_development, content_creation, website, testing_validation,
    deployment, bootstrap_summary,
]

__all__ = ["ALL_ASSETS"]
