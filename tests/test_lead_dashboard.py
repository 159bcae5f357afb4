"""The dashboard's leads: per client over the last 7 days and the daily series, drawn as escaped inline SVG."""

from __future__ import annotations

import re
from datetime import timedelta

from bs4 import BeautifulSoup

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.dashboard import LEAD_DAYS, lead_series
from deznity_assets.portfolio import client_overview, rebuild_portfolio
from deznity_assets.store.rows import utcnow
from tests.plugins.lead_rows import add_lead, published_client


def test_lead_series_counts_seven_utc_days_per_client_without_spam(client_store):
    now = utcnow().replace(hour=12, minute=0, second=0, microsecond=0)
    taco = published_client(client_store)
    tech = published_client(client_store, REFERENCE_CLIENTS[2])
    for days_ago in (0, 0, 1, 6):
        add_lead(client_store, taco, created_at=now - timedelta(days=days_ago, hours=1))
    add_lead(client_store, taco, created_at=now - timedelta(days=7))  # the eighth day back: out of the window
    add_lead(client_store, taco, created_at=now, spam=True)
    add_lead(client_store, tech, "contact", created_at=now - timedelta(days=3))
    entries = [{"slug": "tacoloco", "business_name": "TacoLoco"}, {"slug": "techstart", "business_name": "TechStart"}]
    series = lead_series(client_store, entries, now=now)
    assert series["total"] == 5
    assert [c["leads"] for c in series["columns"]] == [1, 0, 0, 1, 0, 1, 2]
    assert series["last_day"] == now.date().isoformat() and len(series["columns"]) == LEAD_DAYS
    assert [(c["slug"], c["business_name"], c["total"], c["series"]) for c in series["clients"]] == [
        ("tacoloco", "TacoLoco", 4, [1, 0, 0, 0, 0, 1, 2]),
        ("techstart", "TechStart", 1, [0, 0, 0, 1, 0, 0, 0]),
    ]
    # The tallest day fills the plot; an empty day draws no bar.
    tallest = max(series["columns"], key=lambda c: c["height"])
    assert tallest["leads"] == 2 and tallest["height"] > 0
    assert all(c["height"] == 0 for c in series["columns"] if c["leads"] == 0)


def test_the_dashboard_draws_the_leads_escaped_and_without_script(store, tmp_path):
    # A row typed into the table by hand may hold markup in its name; the dashboard shows it as typed.
    raw = store.insert_raw(
        {**REFERENCE_CLIENTS[4], "business_name": "Taco <b>&</b> Co", "slug": "tacoloco"}, status="completed"
    )
    add_lead(store, store.get(raw.id))
    add_lead(store, store.get(raw.id), "contact", {"name": "<script>alert(1)</script>"})
    output = tmp_path / "output"
    page = rebuild_portfolio(output, store).read_text("utf-8")
    soup = BeautifulSoup(page, "html.parser")
    section = soup.find("section", class_="leads")
    assert section is not None and section.h2.text == "Leads, last 7 days"
    assert "2 leads from the sites' forms" in section.text
    row = section.find("tr", attrs={"data-slug": "tacoloco"})
    assert row.strong.text == "Taco <b>&</b> Co" and "<b>" not in str(row.strong)
    assert row.find("td", class_="num").text == "2"
    spark = row.find("svg")
    assert spark["role"] == "img" and spark["aria-label"].endswith(": 2") and len(spark.find_all("rect")) == LEAD_DAYS
    chart = section.find("svg", class_="daily")
    assert "Leads per day:" in chart.title.text and chart.find_all("rect")  # today's bar is drawn
    assert soup.find("script") is None and "alert(1)" not in page  # visitor text never reaches the page
    assert not re.search(r"<svg[^>]*\son\w+=", page)


def test_no_leads_says_so(store, tmp_path):
    published_client(store)
    page = rebuild_portfolio(tmp_path / "output", store).read_text("utf-8")
    assert "No leads in the last 7 days." in page
    assert client_overview(tmp_path / "output", store)[0]["slug"] == "tacoloco"
