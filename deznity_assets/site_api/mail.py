"""Lead e-mails: each lead of a client with a contact_email, sent over SMTP after it is committed.

The site API never sends from a request: a lead is a row first (mail_state NULL), and this pass,
run where the webhook delivery pass runs (a sensor tick, the end of each `autonomous --once` or
`demo` pass), reads the leads not yet finished with, sends one plain-text e-mail per lead in the
site's language, and records the outcome on the lead: `sent`, `none` (the client gave no address),
`failed` (the server refused it for good, or every attempt failed), or NULL again to retry a
transient failure (a server down, a 4xx answer) after a growing wait.

Visitor text is data here too: it reaches headers only flattened to one line (no CR/LF, no control
characters), the visitor's address becomes Reply-To only when it is a valid address, and the body
is plain text. The SMTP password (in DEZNITY_SMTP_URL) is never logged nor stored in an error.
"""

from __future__ import annotations

import ipaddress
import json
import smtplib
import ssl
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, formataddr
from typing import Any
from urllib.parse import unquote, urlsplit

from ..brief import BriefError, is_email
from ..config import ConfigError
from ..site.i18n import UI_STRINGS
from ..store.base import ClientStore
from ..store.doctor import redact
from ..store.rows import ClientRow, aware, short_error, utcnow
from .settings import SiteApiSettings

# One pass is one sensor tick: bounded in leads read, e-mails sent and time spent.
READ_PER_PASS = 600  # leads waiting on their retry's wait are read and skipped
SEND_PER_PASS = 500  # about 25 a second here (benchmarks/lead_figures.py): PASS_SECONDS is the bound that bites
PASS_SECONDS = 20.0
SMTP_TIMEOUT_SECONDS = 10.0
# Attempts of one lead before it is given up: waits of 30 s, 1, 2, 4 ... min, at most an hour each,
# so an SMTP server down for about three hours loses no e-mail.
MAX_ATTEMPTS = 10
BACKOFF_SECONDS = 30.0
MAX_BACKOFF_SECONDS = 3600.0
DEFAULT_PORTS = {"smtp": 25, "smtps": 465}
USER_AGENT = "Deznity-Leads/1"

FORM_SUBJECTS = {
    "en": {
        "reservation": "new reservation request",
        "contact": "new message from your website",
        "cart": "new order from your website",
        "newsletter": "new newsletter sign-up",
    },
    "es": {
        "reservation": "nueva solicitud de reservación",
        "contact": "nuevo mensaje desde tu sitio web",
        "cart": "nuevo pedido desde tu sitio web",
        "newsletter": "nueva suscripción al boletín",
    },
}
# What the intro says was received, with its article.
FORM_NAMES = {
    "en": {
        "reservation": "a reservation request",
        "contact": "a message",
        "cart": "an order",
        "newsletter": "a newsletter sign-up",
    },
    "es": {
        "reservation": "una solicitud de reservación",
        "contact": "un mensaje",
        "cart": "un pedido",
        "newsletter": "una suscripción al boletín",
    },
}
TEXTS = {
    "en": {
        "other_form": "new submission of the form {form}",
        "other_name": "a submission of the form {form}",
        "from": "from",
        "intro": "{business} received {what} through {site}.",
        "intro_no_site": "{business} received {what} through its website.",
        "sent_at": "Sent at",
        "variant": "Page version",
        "reply": "Reply to this e-mail to answer {who}.",
        "footer": "Sent by Deznity, which runs this website. Lead {lead}.",
        "empty": "(empty)",
    },
    "es": {
        "other_form": "nuevo envío del formulario {form}",
        "other_name": "un envío del formulario {form}",
        "from": "de",
        "intro": "{business} recibió {what} a través de {site}.",
        "intro_no_site": "{business} recibió {what} a través de su sitio web.",
        "sent_at": "Enviado el",
        "variant": "Versión de la página",
        "reply": "Responde a este correo para contestar a {who}.",
        "footer": "Enviado por Deznity, que gestiona este sitio web. Solicitud {lead}.",
        "empty": "(vacío)",
    },
}
SUBJECT_MAX = 150
NAME_MAX = 60


@dataclass
class SmtpTarget:
    """Where lead e-mails go: DEZNITY_SMTP_URL parsed; the password is kept out of repr and errors."""

    host: str
    port: int
    implicit_tls: bool
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def label(self) -> str:
        """The server without credentials, for logs: smtp://host:port."""
        return f"{'smtps' if self.implicit_tls else 'smtp'}://{self.host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """True for a server on this machine (where a password may travel without TLS)."""
        if self.host == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def smtp_target(url: str) -> SmtpTarget:
    """DEZNITY_SMTP_URL parsed; ConfigError naming the variable and the fix when it is not an SMTP URL."""
    hint = "set it to smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ConfigError(f"DEZNITY_SMTP_URL is not a URL; {hint}") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ConfigError(f"DEZNITY_SMTP_URL must be smtp:// or smtps:// with a host; {hint}")
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
    )


@dataclass
class MailReport:
    """What one mail pass did."""

    sent: int = 0
    no_address: int = 0
    retrying: int = 0
    failed: int = 0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for a sensor tick or the CLI."""
        return (
            f"lead e-mails: {self.sent} sent, {self.no_address} without an address, "
            f"{self.retrying} to retry, {self.failed} given up"
        )


class _Transient(Exception):
    """A failure worth another attempt later (no server, a 4xx answer, a dropped connection)."""


class _Permanent(Exception):
    """The server refused this e-mail for good (a 5xx answer to its sender, recipient or content)."""


def plain_line(value: Any, limit: int | None = None) -> str:
    """`value` as one line of plain text: line breaks and control or invisible characters become spaces."""
    text = "".join(" " if unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp", "Cs"} else ch for ch in str(value))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def plain_block(value: Any) -> str:
    """`value` as plain text that may span lines (a visitor's message): only ordinary line breaks kept."""
    if isinstance(value, (list, tuple)):
        return "\n".join(plain_block(v) for v in value)
    if isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False)
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(plain_line(line) for line in lines).strip("\n")


def backoff_due(lead: dict[str, Any], now: datetime) -> bool:
    """True when a lead's next attempt is due: each failed attempt doubles the wait, at most an hour each."""
    attempts = int(lead.get("mail_attempts") or 0)
    if attempts == 0:
        return True
    waited = sum(min(MAX_BACKOFF_SECONDS, BACKOFF_SECONDS * 2**n) for n in range(attempts))
    created = aware(_as_datetime(lead["created_at"])) or now
    return now >= created + timedelta(seconds=waited)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime) or value is None:
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _language(row: ClientRow) -> str:
    """The site's language: the brief's (given, or taken from the market); English for a brief no longer valid."""
    try:
        language = row.brief().language
    except BriefError:
        language = row.fields.get("language")
    return language if language in TEXTS else "en"


def _label(name: str, language: str) -> str:
    """A field's label as the site shows it (Name, Nombre...), else its name made readable."""
    return UI_STRINGS[language].get(name) or plain_line(name.replace("_", " ").capitalize(), 60)


def compose(lead: dict[str, Any], client: ClientRow, *, sender: str, site_url: str | None = None) -> EmailMessage:
    """The e-mail announcing one lead to its client: subject and every field as plain text, in the site's language."""
    language = _language(client)
    texts = TEXTS[language]
    fields = lead["fields"]
    if isinstance(fields, str):
        fields = json.loads(fields)
    business = plain_line(client.business_name or client.slug or "", 80)
    form = str(lead["form"])
    what = FORM_SUBJECTS[language].get(form) or texts["other_form"].format(form=plain_line(form, 40))
    received = FORM_NAMES[language].get(form) or texts["other_name"].format(form=plain_line(form, 40))
    visitor_name = plain_line(fields.get("name") or "", NAME_MAX) if isinstance(fields, dict) else ""
    subject = f"{business}: {what}" + (f" {texts['from']} {visitor_name}" if visitor_name else "")

    message = EmailMessage(policy=SMTP_POLICY)
    message["Subject"] = plain_line(subject, SUBJECT_MAX)
    message["From"] = formataddr((plain_line(f"{business} · Deznity", 100), sender))
    message["To"] = str(client.fields.get("contact_email"))
    reply_to = fields.get("email") if isinstance(fields, dict) else None
    if is_email(reply_to):
        message["Reply-To"] = formataddr((visitor_name, str(reply_to)))
    created = aware(_as_datetime(lead["created_at"])) or utcnow()
    message["Date"] = format_datetime(created.astimezone(timezone.utc))
    # The same id on every attempt: a mail client shows an e-mail sent twice (a pass killed between
    # sending and recording it) once.
    message["Message-ID"] = f"<lead-{lead['id']}@deznity.leads>"
    message["X-Mailer"] = USER_AGENT

    body = [
        (texts["intro"] if site_url else texts["intro_no_site"]).format(
            business=business, what=received, site=site_url
        ),
        "",
    ]
    for name, value in fields.items() if isinstance(fields, dict) else []:
        text = plain_block(value) if value not in (None, "") else texts["empty"]
        label = _label(str(name), language)
        if "\n" in text:
            body += [f"{label}:", *(f"  {line}" for line in text.split("\n"))]
        else:
            body.append(f"{label}: {text}")
    body += ["", f"{texts['sent_at']}: {created.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC"]
    if lead.get("variant"):
        body.append(f"{texts['variant']}: {plain_line(lead['variant'], 16)}")
    if "Reply-To" in message:
        body += ["", texts["reply"].format(who=visitor_name or str(reply_to))]
    body += ["", "-- ", texts["footer"].format(lead=lead["id"])]
    message.set_content("\n".join(body) + "\n", charset="utf-8")
    message["Content-Language"] = language  # after set_content, which replaces every Content- header
    return message


class _Connection:
    """One SMTP session for a pass, opened on first use, STARTTLS when offered, logged in when the URL says so."""

    def __init__(self, target: SmtpTarget):
        self.target = target
        self.smtp: smtplib.SMTP | None = None

    def open(self) -> smtplib.SMTP:
        if self.smtp is not None:
            return self.smtp
        t = self.target
        context = ssl.create_default_context()
        try:
            if t.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(t.host, t.port, timeout=SMTP_TIMEOUT_SECONDS, context=context)
            else:
                smtp = smtplib.SMTP(t.host, t.port, timeout=SMTP_TIMEOUT_SECONDS)
            try:
                smtp.ehlo()
                tls = t.implicit_tls
                if not tls and smtp.has_extn("starttls"):
                    smtp.starttls(context=context)
                    smtp.ehlo()
                    tls = True
                if t.username:
                    if not tls and not t.loopback:
                        raise _Transient(
                            f"{t.label} offers no STARTTLS: the password is not sent in clear; use smtps:// "
                            "or a server with STARTTLS"
                        )
                    smtp.login(t.username, t.password)
            except BaseException:
                smtp.close()
                raise
        except smtplib.SMTPAuthenticationError as exc:
            raise _Transient(f"{t.label} refused the login: {_answer(exc)}; check DEZNITY_SMTP_URL") from None
        except smtplib.SMTPResponseException as exc:
            raise _Transient(f"{t.label} answered {_answer(exc)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise _Transient(f"cannot reach {t.label}: {type(exc).__name__}: {exc}") from None
        self.smtp = smtp
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Send one e-mail; _Permanent for a 5xx refusal, _Transient for anything worth retrying."""
        smtp = self.open()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            self._reset_after_refusal()
            kind = _Permanent if code >= 500 else _Transient
            raise kind(f"{self.target.label} refused the recipient: {code} {_decode(text)}") from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            self._reset_after_refusal()
            kind = _Permanent if exc.smtp_code >= 500 else _Transient
            raise kind(f"{self.target.label} refused the e-mail: {_answer(exc)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise _Transient(f"{self.target.label}: {type(exc).__name__}: {exc}") from None
        if refused:  # only with several recipients; there is one
            code, text = next(iter(refused.values()))
            raise _Permanent(f"{self.target.label} refused the recipient: {code} {_decode(text)}")

    def _reset_after_refusal(self) -> None:
        # A refused transaction leaves the session usable after RSET; a server that hung up is reopened.
        if self.smtp is None:
            return
        try:
            self.smtp.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (OSError, smtplib.SMTPException):
            self.smtp.close()
        self.smtp = None


def _decode(text: Any) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _answer(exc: smtplib.SMTPResponseException) -> str:
    return f"{exc.smtp_code} {_decode(exc.smtp_error)}"


def _scrub(text: str, target: SmtpTarget | None, url: str = "") -> str:
    """An error with the SMTP password blanked out (as typed in the URL and decoded), on one line, short."""
    secrets = (target.password,) if target is not None else ()
    return short_error(redact(text, url, secrets=secrets))[:500]


def send_lead_mail(
    store: ClientStore,
    settings: SiteApiSettings,
    *,
    site_url: Callable[[str], str] | None = None,
    now: datetime | None = None,
    log: Any = None,
) -> MailReport:
    """One mail pass over store.leads_to_mail(): send what is due, record each outcome on its lead."""
    report = MailReport()
    leads = store.leads_to_mail(READ_PER_PASS)
    if not leads:
        return report
    target = smtp_target(settings.smtp_url) if settings.smtp_url else None
    if target is not None and not is_email(settings.smtp_from):
        raise ConfigError(
            f"DEZNITY_SMTP_FROM={plain_line(settings.smtp_from, 60)!r} is not an e-mail address; "
            "set it to e.g. leads@your-agency.com"
        )
    now = now or utcnow()
    started = time.monotonic()
    clients: dict[str, ClientRow | None] = {}
    connection = _Connection(target) if target is not None else None
    down: str | None = None  # the server's failure of this pass: every later lead waits for the next one
    attempted = 0
    try:
        for lead in leads:
            if attempted >= SEND_PER_PASS or time.monotonic() - started > PASS_SECONDS:
                break
            client_id = str(lead["client_id"])
            if client_id not in clients:
                clients[client_id] = store.get(client_id)
            client = clients[client_id]
            address = (client.fields.get("contact_email") if client else None) or ""
            if target is None or not is_email(address):
                reason = (
                    "DEZNITY_SMTP_URL is not set"
                    if target is None
                    else "the client has no contact_email"
                    if not address
                    else "the client's contact_email is not an e-mail address"
                )
                store.mark_lead_mail(str(lead["id"]), state="none", error=reason)
                report.no_address += 1
                continue
            if not backoff_due(lead, now):
                continue
            attempted += 1
            error: str | None = down
            permanent = False
            if error is None:
                try:
                    assert connection is not None and client is not None
                    site = site_url(str(lead["slug"])) if site_url else None
                    connection.send(compose(lead, client, sender=settings.smtp_from, site_url=site))
                except _Permanent as exc:
                    error, permanent = _scrub(str(exc), target, settings.smtp_url), True
                except _Transient as exc:
                    error = _scrub(str(exc), target, settings.smtp_url)
                    if connection is not None and connection.smtp is None:
                        down = error  # no session: the server is down or refuses us, not this e-mail
                except OSError as exc:
                    error = down = _scrub(f"{target.label}: {type(exc).__name__}: {exc}", target, settings.smtp_url)
            if error is None:
                store.mark_lead_mail(str(lead["id"]), state="sent")
                report.sent += 1
                continue
            last = permanent or int(lead.get("mail_attempts") or 0) + 1 >= MAX_ATTEMPTS
            store.mark_lead_mail(str(lead["id"]), state="failed" if last else None, error=error)
            if last:
                report.failed += 1
                report.warnings.append(f"lead {lead['id']} of {lead['slug']}: e-mail given up: {error}")
            else:
                report.retrying += 1
        if down is not None:
            report.warnings.append(f"lead e-mails wait: {down}")
    finally:
        if connection is not None:
            connection.close()
    if log is not None:
        for warning in report.warnings:
            log.warning(warning)
    return report


def lead_mail_pass(
    open_store: Callable[[], ClientStore],
    *,
    site_url: Callable[[str], str] | None,
    log: Any,
    urls: tuple[str, ...] = (),
    secrets: tuple[str, ...] = (),
) -> str:
    """One mail pass with the settings from the environment (a sensor tick, the end of a CLI pass); never raises.

    `urls` and `secrets` (the store's) are blanked out of any error, with the SMTP password."""
    from .settings import site_api_settings

    smtp_url = ""
    try:
        settings = site_api_settings()
        smtp_url = settings.smtp_url
        report = send_lead_mail(open_store(), settings, site_url=site_url, log=log)
    except Exception as exc:  # noqa: BLE001 - an e-mail problem must never break a tick or a CLI pass
        text = redact(str(exc), smtp_url, *urls, secrets=secrets)
        message = f"lead e-mails failed: {type(exc).__name__}: {short_error(text)[:300]}"
        log.warning(message)
        return message
    return report.summary()


__all__ = ["MailReport", "SmtpTarget", "compose", "lead_mail_pass", "send_lead_mail", "smtp_target"]
