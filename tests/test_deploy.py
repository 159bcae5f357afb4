"""The deploy bundle: Vercel and Netlify configs with security headers, steps, and the file manifest."""

from __future__ import annotations

import hashlib
import json

import pytest
import tomllib

from deznity_assets.deliverables import RenderedSite
from deznity_assets.deploy import build_deploy_config, content_security_policy, manifest_json

BASE = "https://tacoloco.deznity.site"
SECURITY = {
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Permissions-Policy",
    "Strict-Transport-Security",
}


def test_vercel_json(tacoloco_site: RenderedSite) -> None:
    config = build_deploy_config(slug="tacoloco", site=tacoloco_site, base_url=BASE + "/", hero_variants=["a", "b"])
    assert config.domain == "tacoloco.deznity.site" and config.base_url == BASE
    vercel = json.loads(config.files["vercel.json"])
    assert vercel["cleanUrls"] is True and vercel["trailingSlash"] is False
    by_source = {h["source"]: {x["key"]: x["value"] for x in h["headers"]} for h in vercel["headers"]}
    assert set(by_source["/(.*)"]) >= SECURITY
    assert by_source["/(.*)"]["X-Content-Type-Options"] == "nosniff"
    assert by_source["/(.*)"]["Cache-Control"].startswith("public, max-age=0")
    assert "max-age=31536000" in by_source["/assets/(.*)"]["Cache-Control"]
    csp = by_source["/(.*)"]["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "img-src 'self' data:" in csp and "frame-ancestors 'none'" in csp
    assert any("index-b.html" in step for step in config.steps)
    assert any("tacoloco.deznity.site" in step for step in config.steps)


def test_netlify_toml_parses_with_the_same_headers(tacoloco_site: RenderedSite) -> None:
    config = build_deploy_config(slug="tacoloco", site=tacoloco_site, base_url=BASE, hero_variants=["a"])
    netlify = tomllib.loads(config.files["netlify.toml"])
    assert netlify["build"]["processing"]["html"]["pretty_urls"] is True
    pages = next(h for h in netlify["headers"] if h["for"] == "/*")["values"]
    assert set(pages) >= SECURITY
    assert pages["Content-Security-Policy"] == content_security_policy(tacoloco_site)
    assert netlify["redirects"] == [{"from": "/*", "to": "/404.html", "status": 404}]
    assert not any("A/B" in step for step in config.steps)


def test_external_form_endpoint_is_allowed_by_csp(tacoloco_site: RenderedSite) -> None:
    files = {**tacoloco_site.files}
    files["book.html"] = files["book.html"].replace(
        'action="/api/forms/reservation"', 'action="https://forms.deznity.site/f/reservation"'
    )
    csp = content_security_policy(tacoloco_site.model_copy(update={"files": files}))
    assert "form-action 'self' https://forms.deznity.site" in csp


def test_csp_reads_form_actions_as_a_browser_tokenizes_them(tacoloco_site: RenderedSite) -> None:
    files = {**tacoloco_site.files}
    files["extra.html"] = (
        '<!doctype html><FORM ACTION="https://crm.example:8443/in?a=1&amp;b=2" method=post></FORM>'
        "<form action='/api/forms/contact'></form><div action=\"https://not-a-form.example\"></div>"
    )
    csp = content_security_policy(tacoloco_site.model_copy(update={"files": files}))
    assert "form-action 'self' https://crm.example:8443;" in csp
    assert "not-a-form" not in csp


def test_bad_base_url_names_the_field(tacoloco_site: RenderedSite) -> None:
    with pytest.raises(ValueError, match="base_url 'tacoloco' must be an absolute http"):
        build_deploy_config(slug="tacoloco", site=tacoloco_site, base_url="tacoloco", hero_variants=["a"])


def test_manifest_lists_every_file_with_size_and_hash() -> None:
    files = {"index.html": b"<!DOCTYPE html>", "assets/site.css": b"body{}", "empty.txt": b""}
    manifest = json.loads(manifest_json(files))
    assert [e["path"] for e in manifest["files"]] == ["assets/site.css", "empty.txt", "index.html"]
    entry = manifest["files"][2]
    assert entry["bytes"] == 15 and entry["sha256"] == hashlib.sha256(b"<!DOCTYPE html>").hexdigest()
    assert manifest["count"] == 3 and manifest["total_bytes"] == 21
