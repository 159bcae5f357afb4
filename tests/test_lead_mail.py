"""Lead e-mails over SMTP: to a real aiosmtpd server on 127.0.0.1, refused (5xx, 4xx), down, with a login."""

from __future__ import annotations

import logging
from datetime import timedelta
from email import message_from_bytes, policy

import dagster as dg
import pytest

from deznity_assets.brief import REFERENCE_CLIENTS, BriefError, validate_brief
from deznity_assets.config import ConfigError
from deznity_assets.site_api.mail import MAX_ATTEMPTS, compose, send_lead_mail, smtp_target
from deznity_assets.site_api.settings import SiteApiSettings
from deznity_assets.store.rows import utcnow
from tests.plugins.lead_rows import add_lead, published_client
from tests.servers.smtp import SmtpServer, free_port, tls_certificates

TACOLOCO = REFERENCE_CLIENTS[4]  # CDMX: a Spanish site
TECHSTART = REFERENCE_CLIENTS[2]  # Europe: an English site


def _settings(url: str) -> SiteApiSettings:
    return SiteApiSettings(smtp_url=url, smtp_from="leads@agency.example")


def _mail_states(store, slug):
    return {
        lead["id"]: (lead["mail_state"], lead["mail_attempts"], lead["mail_error"]) for lead in store.leads(slug=slug)
    }


# ----- the brief field ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("ana@tacoloco", "'ana@tacoloco' is not an e-mail address; give one address such as name@example.com"),
        ("ana@@tacoloco.mx", "is not an e-mail address"),
        ("Ana <ana@tacoloco.mx>", "is not an e-mail address"),
        ("ana@tacoloco.mx, boss@tacoloco.mx", "is not an e-mail address"),
        ("ana@tacoloco.mx\r\nBcc: all@example.com", "contains a control character (U+000D)"),
        ("a" * 65 + "@tacoloco.mx", "longer than 64 characters"),
        ("a" * 250 + "@x.mx", "the limit is 254"),
    ],
)
def test_contact_email_is_checked_and_the_error_names_the_field(value, problem):
    with pytest.raises(BriefError) as caught:
        validate_brief({**TACOLOCO, "contact_email": value})
    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith("contact_email: ")
    assert problem in caught.value.problems[0]


def test_contact_email_is_optional_and_kept(client_store):
    assert validate_brief(TACOLOCO).contact_email is None
    assert validate_brief({**TACOLOCO, "contact_email": ""}).contact_email is None
    assert (
        validate_brief({**TACOLOCO, "contact_email": " reservas@tacoloco.mx "}).contact_email == "reservas@tacoloco.mx"
    )
    row = client_store.add_client({**TACOLOCO, "contact_email": "reservas@tacoloco.mx"})
    assert client_store.get(row.id).fields["contact_email"] == "reservas@tacoloco.mx"
    assert client_store.get(row.id).brief().contact_email == "reservas@tacoloco.mx"


def test_contact_email_stays_out_of_prompts_and_of_the_brief_digest():
    from deznity_assets.control.resume import brief_digest

    plain = validate_brief(TACOLOCO)
    with_email = validate_brief({**TACOLOCO, "contact_email": "reservas@tacoloco.mx"})
    # Giving or changing the address changes no deliverable: a retry still resumes.
    assert brief_digest(plain) == brief_digest(with_email)
    assert brief_digest(plain) != brief_digest(validate_brief({**TACOLOCO, "goal": "more bookings"}))


# ----- the e-mail -----------------------------------------------------------------------------


def test_the_email_is_in_the_sites_language_with_every_field_and_safe_headers(store):
    client = published_client(store, contact_email="reservas@tacoloco.mx")
    lead = add_lead(
        store,
        client,
        "reservation",
        {
            "name": "Ana\r\nBcc: everyone@example.com",
            "email": "ana@example.com",
            "date": "2026-12-24",
            "party_size": 6,
            "notes": "Mesa junto a la ventana.\nUna silla alta, por favor.\u202e",
        },
        variant="b",
    )
    message = compose(lead, client, sender="leads@agency.example", site_url="https://tacoloco.deznity.com")
    raw = message.as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == "TacoLoco: nueva solicitud de reservación de Ana Bcc: everyone@example.com"
    assert parsed["Bcc"] is None and parsed["To"] == "reservas@tacoloco.mx"
    assert parsed["Reply-To"].addresses[0].addr_spec == "ana@example.com"
    assert parsed["Content-Language"] == "es"
    assert parsed["Message-ID"] == f"<lead-{lead['id']}@deznity.leads>"
    body = parsed.get_content().replace("\r\n", "\n")
    assert "TacoLoco recibió una solicitud de reservación a través de https://tacoloco.deznity.com." in body
    assert "Correo electrónico: ana@example.com" in body
    assert "Número de personas: 6" in body
    assert "Fecha: 2026-12-24" in body
    assert "Notas:\n  Mesa junto a la ventana.\n  Una silla alta, por favor." in body  # the bidi override gone
    assert "\u202e" not in body
    assert "Versión de la página: b" in body
    assert "Responde a este correo" in body


def test_an_invalid_visitor_address_is_no_reply_to_and_english_sites_get_english(store):
    client = published_client(store, TECHSTART, contact_email="hello@techstart.example")
    lead = add_lead(store, client, "contact", {"name": "Bob", "email": "bob@x.com>\r\nBcc: z@z.com", "message": "Hi"})
    parsed = message_from_bytes(compose(lead, client, sender="leads@agency.example").as_bytes(), policy=policy.default)
    assert parsed["Reply-To"] is None and parsed["Bcc"] is None
    assert parsed["Subject"] == "TechStart: new message from your website from Bob"
    body = parsed.get_content().replace("\r\n", "\n")
    assert body.startswith("TechStart received a message through its website.")
    assert "Message: Hi" in body and "Email:\n  bob@x.com>\n  Bcc: z@z.com\n" in body


# ----- the mail pass on every store ---------------------------------------------------------------


def test_each_lead_is_mailed_once_and_clients_without_an_address_are_skipped(client_store):
    taco = published_client(client_store, contact_email="reservas@tacoloco.mx")
    tech = published_client(client_store, TECHSTART)  # no contact_email
    first = add_lead(client_store, taco, "reservation")
    second = add_lead(client_store, taco, "newsletter", {"email": "fan@example.com"})
    add_lead(client_store, taco, "contact", {"name": "spam", "email": "x@example.com"}, spam=True)
    silent = add_lead(client_store, tech, "contact", {"name": "Bob", "email": "bob@example.com", "message": "Hi"})
    with SmtpServer() as server:
        report = send_lead_mail(client_store, _settings(server.url))
        assert (report.sent, report.no_address, report.retrying, report.failed) == (2, 1, 0, 0)
        assert [e["rcpt_tos"] for e in server.envelopes] == [["reservas@tacoloco.mx"]] * 2
        assert [e["mail_from"] for e in server.envelopes] == ["leads@agency.example"] * 2
        assert {m["Message-ID"] for m in server.messages} == {
            f"<lead-{first['id']}@deznity.leads>",
            f"<lead-{second['id']}@deznity.leads>",
        }
        assert "nueva suscripción al boletín" in server.messages[1]["Subject"]
        # Nothing is sent twice; spam never.
        again = send_lead_mail(client_store, _settings(server.url))
        assert (again.sent, again.no_address) == (0, 0) and len(server.messages) == 2
    assert _mail_states(client_store, "tacoloco") == {
        first["id"]: ("sent", 1, None),
        second["id"]: ("sent", 1, None),
    }
    assert _mail_states(client_store, "techstart") == {silent["id"]: ("none", 1, "the client has no contact_email")}
    assert client_store.leads(spam=True)[0]["mail_state"] is None


def test_a_permanent_refusal_fails_at_once_and_a_temporary_one_is_retried_after_a_wait(client_store):
    taco = published_client(client_store, contact_email="reservas@tacoloco.mx")
    refused = add_lead(client_store, taco, "contact", {"name": "A", "email": "a@example.com", "message": "1"})
    later = add_lead(client_store, taco, "contact", {"name": "B", "email": "b@example.com", "message": "2"})
    content = add_lead(client_store, taco, "contact", {"name": "C", "email": "c@example.com", "message": "3"})
    with SmtpServer() as server:
        server.plan = ["550", "451", "554-data"]
        report = send_lead_mail(client_store, _settings(server.url))
        assert (report.sent, report.retrying, report.failed) == (0, 1, 2)
        states = _mail_states(client_store, "tacoloco")
        assert states[refused["id"]][:2] == ("failed", 1)
        assert "550 5.1.1 mailbox unavailable" in states[refused["id"]][2]
        assert states[content["id"]][:2] == ("failed", 1) and "554" in states[content["id"]][2]
        assert states[later["id"]][:2] == (None, 1) and "451" in states[later["id"]][2]
        # The retry waits: not in the next pass at once, but 30 s after the lead.
        assert send_lead_mail(client_store, _settings(server.url)).sent == 0
        report = send_lead_mail(client_store, _settings(server.url), now=utcnow() + timedelta(seconds=31))
        assert report.sent == 1 and len(server.messages) == 1
        assert server.messages[0]["Reply-To"].addresses[0].addr_spec == "b@example.com"
    assert _mail_states(client_store, "tacoloco")[later["id"]] == ("sent", 2, None)


def test_a_server_that_is_down_keeps_the_leads_until_it_is_back_then_gives_up(store):
    taco = published_client(store, contact_email="reservas@tacoloco.mx")
    lead = add_lead(store, taco)
    port = free_port()  # nothing listens there
    url = f"smtp://mailer:s3cret-pw@127.0.0.1:{port}"
    report = send_lead_mail(store, _settings(url))
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    state, attempts, error = _mail_states(store, "tacoloco")[lead["id"]]
    assert (state, attempts) == (None, 1)
    assert f"cannot reach smtp://127.0.0.1:{port}" in error and "s3cret-pw" not in error
    assert any("lead e-mails wait" in w for w in report.warnings)
    # Back up within the retries: sent.
    with SmtpServer() as server:
        server.port = port
        server.stop()
        server.start()
        report = send_lead_mail(store, _settings(f"smtp://127.0.0.1:{port}"), now=utcnow() + timedelta(minutes=2))
        assert report.sent == 1 and len(server.messages) == 1
    # Down for good: given up after MAX_ATTEMPTS, with the error.
    other = add_lead(store, taco)
    later = utcnow()
    for _ in range(MAX_ATTEMPTS):
        later += timedelta(hours=2)
        send_lead_mail(store, _settings(url), now=later)
    state, attempts, error = _mail_states(store, "tacoloco")[other["id"]]
    assert (state, attempts) == ("failed", MAX_ATTEMPTS) and "cannot reach" in error and "s3cret-pw" not in error


# aiosmtpd warns about AUTH without TLS: the test server is on loopback, where the platform allows it.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_login_from_the_url_and_a_wrong_password_is_never_shown(store, caplog):
    taco = published_client(store, contact_email="reservas@tacoloco.mx")
    add_lead(store, taco)
    with SmtpServer(credentials=("mailer", "p@ss:word/1")) as server:
        wrong = f"smtp://mailer:not-the-pw%2F@127.0.0.1:{server.port}"
        report = send_lead_mail(store, _settings(wrong), log=logging.getLogger("test"))
        assert report.retrying == 1 and server.messages == []
        (lead,) = store.leads(slug="tacoloco")
        assert "refused the login: 535" in lead["mail_error"] and "not-the-pw" not in lead["mail_error"]
        assert "not-the-pw" not in caplog.text
        good = f"smtp://mailer:p%40ss%3Aword%2F1@127.0.0.1:{server.port}"
        report = send_lead_mail(store, _settings(good), now=utcnow() + timedelta(minutes=1))
        assert report.sent == 1 and server.logins == ["mailer"]


def test_starttls_when_offered_verifies_the_certificate_and_only_then_logs_in(store, tmp_path, monkeypatch):
    taco = published_client(store, contact_email="reservas@tacoloco.mx")
    add_lead(store, taco)
    ca_file, context = tls_certificates(tmp_path)
    with SmtpServer(credentials=("mailer", "tls-only-pw"), tls=context) as server:
        # A certificate the machine does not trust: nothing is sent, and the password never leaves.
        report = send_lead_mail(store, _settings(server.url))
        assert report.retrying == 1 and server.messages == [] and server.logins == []
        (lead,) = store.leads(slug="tacoloco")
        assert "CERTIFICATE_VERIFY_FAILED" in lead["mail_error"] and "tls-only-pw" not in lead["mail_error"]
        # Trusted (the test CA as the machine's): upgraded with STARTTLS, logged in, sent.
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        report = send_lead_mail(store, _settings(server.url), now=utcnow() + timedelta(minutes=1))
        assert report.sent == 1 and server.logins == ["mailer"] and server.tls_sessions == 1
    assert smtp_target("smtp://u:p@mail.example.com:587").loopback is False
    assert smtp_target("smtp://u:p@localhost:25").loopback and smtp_target("smtp://u:p@[::1]:25").loopback


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_smtps_is_tls_from_the_first_byte(store, tmp_path, monkeypatch):
    taco = published_client(store, contact_email="reservas@tacoloco.mx")
    add_lead(store, taco)
    ca_file, context = tls_certificates(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    with SmtpServer(credentials=("mailer", "pw"), tls=context, implicit_tls=True) as server:
        assert server.url.startswith("smtps://")
        report = send_lead_mail(store, _settings(server.url))
        assert report.sent == 1 and server.logins == ["mailer"] and len(server.messages) == 1
        # The same server asked in plain SMTP answers nothing readable: retried, not lost.
        add_lead(store, taco)
        plain = send_lead_mail(store, _settings(server.url.replace("smtps://", "smtp://")))
        assert plain.retrying == 1 and len(server.messages) == 1


def test_bad_settings_name_the_variable_and_the_fix():
    for url in ("http://mail.example.com", "smtp://", "mail.example.com:587", "smtp://host:notaport"):
        with pytest.raises(ConfigError, match="DEZNITY_SMTP_URL"):
            smtp_target(url)
    target = smtp_target("smtps://user:pa%24%24@mail.example.com")
    assert (target.host, target.port, target.implicit_tls, target.password) == ("mail.example.com", 465, True, "pa$$")
    assert "pa$$" not in repr(target) and target.label == "smtps://mail.example.com:465"
    assert smtp_target("smtp://mail.example.com").port == 25


def test_no_smtp_server_marks_leads_none_and_a_bad_sender_is_a_config_error(store):
    taco = published_client(store, contact_email="reservas@tacoloco.mx")
    lead = add_lead(store, taco)
    with pytest.raises(ConfigError, match="DEZNITY_SMTP_FROM"):
        send_lead_mail(store, SiteApiSettings(smtp_url="smtp://127.0.0.1:1", smtp_from="not an address"))
    report = send_lead_mail(store, SiteApiSettings(smtp_url=""))
    assert report.no_address == 1
    assert _mail_states(store, "tacoloco")[lead["id"]] == ("none", 1, "DEZNITY_SMTP_URL is not set")


# ----- where the pass runs: the sensor and each CLI pass ---------------------------------------------


def test_the_sensor_and_a_cli_pass_send_the_due_leads(platform, store, instance, monkeypatch):
    from deznity_assets.runner import flush_lead_mail

    taco = published_client(store, contact_email="reservas@tacoloco.mx")
    add_lead(store, taco)
    with SmtpServer() as server:
        monkeypatch.setenv("DEZNITY_SMTP_URL", server.url)
        monkeypatch.setenv("DEZNITY_SMTP_FROM", "leads@agency.example")
        sensor = platform.definitions.resolve_sensor_def("lead_mail_sensor")
        with dg.build_sensor_context(
            instance_ref=instance.get_ref(), definitions=platform.definitions, resources=platform.resources
        ) as context:
            result = sensor.evaluate_tick(context)
        assert "lead e-mails: 1 sent" in result.skip_message
        assert len(server.messages) == 1
        assert "https://tacoloco.deznity.com" in server.messages[0].get_content()
        add_lead(store, taco, "contact", {"name": "Luz", "email": "luz@example.com", "message": "¿Abren el lunes?"})
        assert flush_lead_mail(platform).startswith("lead e-mails: 1 sent")
        assert "¿Abren el lunes?" in server.messages[1].get_content()
    monkeypatch.setenv("DEZNITY_SMTP_URL", "ftp://nowhere")
    add_lead(store, taco)
    assert "DEZNITY_SMTP_URL must be smtp://" in flush_lead_mail(platform)  # logged, never raised
