"""Rendered sites in a real headless Chromium: no console errors, no horizontal overflow, no foreign requests."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from deznity_assets.brief import REFERENCE_CLIENTS, slugify
from tests.plugins.browser import write_site
from tests.plugins.site_fixtures import SiteInputs

WIDTHS = (375, 1280)
SLUGS = [slugify(c["business_name"]) for c in REFERENCE_CLIENTS]


@pytest.fixture(scope="module")
def served(static_server: tuple[str, Path], reference_sites: dict[str, SiteInputs]) -> dict[str, list[str]]:
    """Each reference site written under /<slug>/ of the local server; slug -> its HTML paths."""
    _url, root = static_server
    pages: dict[str, list[str]] = {}
    for slug, inputs in reference_sites.items():
        site = dataclasses.replace(inputs, base_url=f"https://sites.deznity.example/{slug}").render()
        write_site(site, root / slug)
        pages[slug] = sorted(p for p in site.files if p.endswith(".html"))
    return pages


class Visitor:
    """One Chromium tab at a fixed width that records console errors and every request per visit."""

    def __init__(self, browser: Any, width: int):
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        # A favicon fetch cut short by the next navigation is ERR_ABORTED, not a fault of the page.
        self.page.on(
            "requestfailed",
            lambda r: (
                self.errors.append(f"failed: {r.url} {r.failure}") if "ERR_ABORTED" not in (r.failure or "") else None
            ),
        )
        self.page.on("response", lambda r: self.errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
        self.page.on("request", lambda r: self.requests.append(r.url))

    def visit(self, url: str) -> dict[str, Any]:
        """Load `url`; return its status, console errors, requests and layout facts."""
        self.errors, self.requests = [], []
        response = self.page.goto(url, wait_until="load")
        facts = self.page.evaluate(LAYOUT_JS)
        return {
            "status": response.status if response else 0,
            "errors": list(self.errors),
            "requests": list(self.requests),
            **facts,
        }

    def close(self) -> None:
        self.page.close()


LAYOUT_JS = """() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    h1: document.querySelectorAll('h1').length,
    cssLoaded: getComputedStyle(document.documentElement).getPropertyValue('--color-accent').trim(),
    widest: [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >
             window.innerWidth + 1).slice(0, 3).map(e => e.tagName + '.' + e.className),
})"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("slug", SLUGS)
def test_pages_render_cleanly_in_chromium(
    chromium_browser: Any, static_server: tuple[str, Path], served: dict[str, list[str]], slug: str, width: int
) -> None:
    base, _root = static_server
    visitor = Visitor(chromium_browser, width)
    for path in served[slug]:
        url = f"{base}/{slug}/{path}"
        facts = visitor.visit(url)
        assert facts["status"] == 200, url
        assert facts["errors"] == [], (url, facts["errors"])
        assert facts["scrollWidth"] <= facts["innerWidth"], (url, width, facts["widest"])
        assert facts["h1"] == 1
        assert facts["cssLoaded"], f"{url}: the stylesheet did not load"
        foreign = [r for r in facts["requests"] if not r.startswith(base) and not r.startswith("data:")]
        assert foreign == [], (url, foreign)
    visitor.close()


def test_narrowest_phone_has_no_overflow(
    chromium_browser: Any, static_server: tuple[str, Path], served: dict[str, list[str]]
) -> None:
    base, _root = static_server
    visitor = Visitor(chromium_browser, 320)
    for slug in ("greenglow", "tacoloco"):
        for path in served[slug]:
            facts = visitor.visit(f"{base}/{slug}/{path}")
            assert facts["scrollWidth"] <= facts["innerWidth"], (slug, path, facts["widest"])
    visitor.close()


def test_404_page_finds_its_stylesheet_from_a_deep_path(
    chromium_browser: Any, static_server: tuple[str, Path], served: dict[str, list[str]]
) -> None:
    base, _root = static_server
    visitor = Visitor(chromium_browser, 375)
    facts = visitor.visit(f"{base}/techstart/404.html")
    visitor.close()
    assert facts["errors"] == [] and facts["cssLoaded"]


def test_overflow_and_console_errors_are_detected(
    chromium_browser: Any, static_server: tuple[str, Path], served: dict[str, list[str]]
) -> None:
    base, root = static_server
    (root / "broken.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><title>Broken page here</title></head><body><h1>x</h1>'
        '<div style="width:1500px">wide</div><img src="missing.png" alt="gone"></body></html>',
        encoding="utf-8",
    )
    visitor = Visitor(chromium_browser, 375)
    facts = visitor.visit(f"{base}/broken.html")
    visitor.close()
    assert facts["scrollWidth"] > facts["innerWidth"]
    assert any("missing.png" in e for e in facts["errors"])
