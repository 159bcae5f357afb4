"""The storage resource: where runs keep what must outlive their own disk (step outputs, packages), local or S3."""

from __future__ import annotations

from typing import Any

import dagster as dg
from upath import UPath

from ..config import secret_value, setting

REMOTE_SCHEMES = ("s3://", "s3a://")


def is_remote(url: str | None) -> bool:
    """True for an object-storage URL (s3://bucket/prefix), False for a local folder."""
    return bool(url) and str(url).startswith(REMOTE_SCHEMES)


class StorageResource(dg.ConfigurableResource):
    """Shared storage: local folders by default, an S3-compatible bucket when a URL says s3://."""

    url: str = setting(
        "DEZNITY_STORAGE_URL",
        "",
        "where runs keep step outputs (each deliverable as JSON): a folder, or s3://bucket/prefix that every run "
        "(a Kubernetes pod) and the webserver reach",
        shown_default="<DAGSTER_HOME>/storage",
    )
    packages_url: str = setting(
        "DEZNITY_PACKAGES_URL",
        "",
        "also publish each package to <this>/<slug>/: a folder or s3://bucket/prefix (the output folder of a run "
        "pod disappears with it)",
    )
    endpoint_url: str | None = setting(
        "DEZNITY_S3_ENDPOINT_URL",
        None,
        "endpoint of an S3-compatible store for s3:// URLs (MinIO, Supabase Storage, R2); unset: AWS",
        secret="credentials",
    )
    access_key_id: str | None = setting(
        "AWS_ACCESS_KEY_ID", None, "access key for s3:// URLs (unset: the machine's role)", secret="always"
    )
    secret_access_key: str | None = setting("AWS_SECRET_ACCESS_KEY", None, "secret key for s3:// URLs", secret="always")
    region: str = setting("AWS_REGION", "us-east-1", "region of the bucket of s3:// URLs")

    def fsspec_options(self) -> dict[str, Any]:
        """Options of s3fs (fsspec) for this store; without keys s3fs uses the machine's credentials chain."""
        options: dict[str, Any] = {"client_kwargs": {"region_name": self.region}}
        endpoint = secret_value(self.endpoint_url)
        if endpoint:
            options["endpoint_url"] = endpoint
        key, secret = secret_value(self.access_key_id), secret_value(self.secret_access_key)
        if key and secret:
            options.update(key=key, secret=secret)
        return options

    def path(self, url: str) -> UPath:
        """`url` as a path: a local folder, or an object-storage prefix with this store's options."""
        return UPath(url, **self.fsspec_options()) if is_remote(url) else UPath(url)
