"""The site API's settings: where it listens, what the public may send, and where leads are announced."""

from __future__ import annotations

from collections.abc import Mapping

from limits import parse_many
from pydantic import BaseModel

from ..config import ConfigError, from_env, load_dotenv_file, setting


class SiteApiSettings(BaseModel):
    """Settings of `deznity api` and of the lead e-mails (every limit an operator can change)."""

    host: str = setting("DEZNITY_API_HOST", "127.0.0.1", "where `deznity api` listens")
    port: int = setting("DEZNITY_API_PORT", 8000, "the site API's port", minimum=1)
    max_body_bytes: int = setting(
        "DEZNITY_API_MAX_BODY_BYTES", 16384, "largest form submission accepted; larger ones are answered 413", minimum=1
    )
    min_fill_seconds: float = setting(
        "DEZNITY_API_MIN_FILL_SECONDS",
        3.0,
        "a form sent sooner after the visitor started filling it is kept apart as spam; 0 turns the check off",
        minimum=0,
    )
    rate_limit_ip: str = setting(
        "DEZNITY_API_RATE_LIMIT_IP", "20/minute", "submissions one address may make (a `limits` string)"
    )
    rate_limit_site: str = setting(
        "DEZNITY_API_RATE_LIMIT_SITE", "600/minute", "submissions one client's site may take (a `limits` string)"
    )
    forwarded_hops: int = setting(
        "DEZNITY_API_FORWARDED_HOPS",
        1,
        "proxies in front of the site API whose X-Forwarded-For is trusted to name the visitor (1: the site's host; "
        "2: the host and a load balancer; 0: the connection's own address)",
        minimum=0,
    )
    redis_url: str = setting(
        "DEZNITY_REDIS_URL",
        "",
        "Redis for rate limits shared by every replica of the site API (redis://host:6379/0); unset: per process",
        secret="credentials",
    )
    visitor_key: str = setting(
        "DEZNITY_API_VISITOR_KEY",
        "",
        "key of the daily-rotating hash that stands for a visitor's address (never stored in clear); unset: a key "
        "made at random per process, so replicas cannot tell the same visitor apart",
        secret="always",
    )
    experiments_key: str = setting(
        "DEZNITY_EXPERIMENTS_KEY",
        "",
        "secret shared with the site API: each site's edge split reports views with a token made from it, and the "
        "API stores visitors only as hashes keyed by it; unset: the split counts nothing",
        secret="always",
    )
    smtp_url: str = setting(
        "DEZNITY_SMTP_URL",
        "",
        "SMTP server for lead e-mails to clients with a contact_email (smtp://user:password@host:587, smtps://…); "
        "unset: no e-mails",
        secret="credentials",
    )
    smtp_from: str = setting("DEZNITY_SMTP_FROM", "leads@deznity.local", "the From address of lead e-mails")


def site_api_settings(env: Mapping[str, str] | None = None) -> SiteApiSettings:
    """The site API's settings from the environment; ConfigError names a bad limit and its fix."""
    if env is None:
        load_dotenv_file()
    settings = from_env(SiteApiSettings, env)
    for name, value in (
        ("DEZNITY_API_RATE_LIMIT_IP", settings.rate_limit_ip),
        ("DEZNITY_API_RATE_LIMIT_SITE", settings.rate_limit_site),
    ):
        try:
            parse_many(value)
        except ValueError:
            raise ConfigError(f"{name}={value!r} is not a rate limit; set it to e.g. 20/minute or 100/hour") from None
    return settings
