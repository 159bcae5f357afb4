"""The lead.received event: its payload as is in the signed JSON, one escaped line in Slack, on every store."""

from __future__ import annotations

import json

from deznity_assets.resources import WebhookResource
from deznity_assets.webhooks import deliver_due
from deznity_assets.webhooks.formats import SLACK_LEAD_CHARS, slack_text
from tests.plugins.lead_rows import add_lead, published_client
from tests.servers.webhook_receiver import WebhookReceiver

SECRET = "whsec-lead-canary-51c0ffee"


def test_the_slack_line_of_a_lead_is_one_escaped_line():
    data = {
        "slug": "tacoloco",
        "business_name": "TacoLoco",
        "form": "reservation",
        "fields": {"name": "Ana Ruiz", "email": "ana@example.com", "party_size": 4, "notes": ""},
    }
    assert (
        slack_text("lead.received", data) == "TacoLoco (tacoloco): new reservation lead — Ana Ruiz, ana@example.com, 4"
    )
    hostile = {
        **data,
        "fields": {
            "name": "<!channel> & <https://evil.example|click here>",
            "message": "line one\r\nline two\u2028three\u202efour\u200b",
        },
    }
    text = slack_text("lead.received", hostile)
    assert text == (
        "TacoLoco (tacoloco): new reservation lead — &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;, "
        "line one line two three four"
    )
    long = slack_text("lead.received", {**data, "fields": {"message": "x" * 5000}})
    assert len(long) < SLACK_LEAD_CHARS + 60 and long.endswith("…")
    assert slack_text("lead.received", {**data, "fields": {}}) == "TacoLoco (tacoloco): new reservation lead"


def test_a_lead_reaches_a_signed_endpoint_as_is_and_slack_as_one_line(client_store, tmp_path):
    client = published_client(client_store)
    fields = {"name": "Ana <b>", "email": "ana@example.com", "party_size": 4, "notes": "Ventana\npor favor"}
    lead = add_lead(client_store, client, "reservation", fields, variant="b")
    add_lead(client_store, client, "contact", {"name": "bot"}, spam=True)  # never announced
    with WebhookReceiver(SECRET) as receiver, WebhookReceiver(slack=True) as slack:
        settings = WebhookResource(
            urls=f"{receiver.url},slack+{slack.url}", secret=SECRET, timeout_seconds=2.0, backoff_seconds=0
        )
        report = deliver_due(client_store, settings, tmp_path / "output")
    assert report.delivered == 2 and receiver.rejected == []
    (event,) = receiver.accepted
    assert event["type"] == "lead.received"
    assert event["data"] == {
        "client_id": client.id,
        "slug": "tacoloco",
        "business_name": "TacoLoco",
        "lead_id": lead["id"],
        "form": "reservation",
        "fields": fields,
        "variant": "b",
        "created_at": json.loads(json.dumps(lead["created_at"], default=str)),
    }
    assert [m["text"] for m in slack.accepted] == [
        "TacoLoco (tacoloco): new reservation lead — Ana &lt;b&gt;, ana@example.com, 4, Ventana por favor"
    ]
