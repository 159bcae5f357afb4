"""The edge split run under Node with the Web Request/Response the edge hands it, and its Python twin."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from deznity_assets.deliverables import RenderedSite
from deznity_assets.deploy import build_deploy_config
from deznity_assets.experiments import edge
from deznity_assets.hosting import site_files

DRIVER = Path(__file__).with_name("edge_split.mjs")
HUMAN = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
    "curl/8.5.0",
    "",
]
VISITORS = 4000
FIXED_ID = "Zm9vYmFyLWJhei1xdXV4LT"  # 22 base64url characters, given to both rules as the "random" id
OLD_ID = "AAAAAAAAAAAAAAAAAAAAAA"
AGREE = [
    {"path": "/", "agent": HUMAN, "cookie": None, "random": 0.1},
    {"path": "/", "agent": HUMAN, "cookie": None, "random": 0.5},
    {"path": "/", "agent": HUMAN, "cookie": None, "random": 0.9},
    {"path": "/index.html", "agent": HUMAN, "cookie": "dz_ab=a", "random": 0.1},
    {"path": "/", "agent": HUMAN, "cookie": "x=1; dz_ab=b", "random": 0.9},
    {"path": "/", "agent": HUMAN, "cookie": "dz_ab=c", "random": 0.2},
    {"path": "/", "agent": BOTS[0], "cookie": "dz_ab=b", "random": 0.1},
    {"path": "/", "agent": "", "cookie": None, "random": 0.1},
    {"path": "/menu", "agent": HUMAN, "cookie": None, "random": 0.1},
    {"path": "/index", "agent": "Mozilla/5.0 (iPhone) Safari/604.1", "cookie": None, "random": 0.49},
    {"path": "/", "agent": HUMAN, "cookie": "dz_ab=b", "random": 0.1, "headers": {"sec-gpc": "1"}},
    {"path": "/", "agent": HUMAN, "cookie": None, "random": 0.1, "headers": {"dnt": "1"}},
    {"path": "/", "agent": HUMAN, "cookie": None, "random": 0.1, "headers": {"dnt": "0"}},
    {"path": "/", "agent": HUMAN, "cookie": f"dz_ab=b.{OLD_ID}", "random": 0.9},
    {"path": "/", "agent": HUMAN, "cookie": f"dz_ab=a.{OLD_ID}; x=1", "random": 0.1},
    {"path": "/", "agent": HUMAN, "cookie": "dz_ab=b.tooshort", "random": 0.9},
]


@pytest.fixture(scope="module")
def node() -> str:
    found = shutil.which("node")
    if not found:
        pytest.fail("node is not installed: the edge split is tested under Node (.ci/run installs nodejs)")
    return found


@pytest.fixture(scope="module")
def bundle(tacoloco_site: RenderedSite) -> dict[str, str]:
    config = build_deploy_config(
        slug="tacoloco", site=tacoloco_site, base_url="https://t.example", hero_variants=["a", "b"], experiments=True
    )
    return config.files


@pytest.fixture(scope="module")
def ran(node: str, bundle: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("edge")
    # Without a package.json saying "module", Node reads .js as CommonJS: the files are run as .mjs.
    (folder / "middleware.mjs").write_text(bundle[edge.VERCEL_FILE])
    (folder / "ab-split.mjs").write_text(bundle[edge.NETLIFY_FILE])
    cases = {"visitors": VISITORS, "sticky": 100, "human": HUMAN, "bots": BOTS, "agree": AGREE, "fixedId": FIXED_ID}
    (folder / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run(
        [node, str(DRIVER), str(folder / "middleware.mjs"), str(folder / "ab-split.mjs"), str(folder / "cases.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_split_is_fifty_fifty_within_tolerance(ran: dict) -> None:
    for name in ("vercel", "netlify"):
        split = ran["split"][name]
        # Binomial(4000, 0.5): 4 standard deviations is 126 visitors; a broken draw (all A, all B) fails.
        assert abs(split["b"] - VISITORS / 2) < 4 * math.sqrt(VISITORS / 4), (name, split["b"])
        assert split["targets"] == ["https://shop.example/index-b"], name


def test_a_visitor_keeps_their_variant(ran: dict) -> None:
    seen = set()
    for visitor in ran["sticky"]:
        cookie = visitor["setCookie"]
        assert cookie.startswith("dz_ab=") and "HttpOnly" in cookie and "Secure" in cookie and "Path=/" in cookie
        variant, visitor_id = cookie.split(";")[0].split("=")[1].split(".")
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", visitor_id), cookie
        seen.add(variant)
        assert (visitor["first"] is not None) == (variant == "b")
        for later in visitor["later"]:
            assert later["vercelSets"] is None and later["netlifySets"] == 0  # kept, not drawn again
            assert later["vercel"] == visitor["first"]
            assert (later["netlify"] is not None) == (variant == "b")
    assert seen == {"a", "b"}


def test_bots_always_see_a_and_are_never_enrolled(ran: dict) -> None:
    assert len(ran["bots"]) == len(BOTS) * 2 * 20
    for out in ran["bots"]:
        assert out["vercel"] is None and out["netlify"] is None, out
        assert out["vercelSets"] is None and out["netlifySets"] == 0, out


def test_visitors_who_opt_out_see_a_and_get_no_cookie(ran: dict) -> None:
    assert len(ran["optOut"]) == 40
    for out in ran["optOut"]:
        assert out["rewrite"] is None and out["setCookie"] is None, out


def test_pages_without_a_variant_pass_untouched(ran: dict) -> None:
    for out in ran["other"]:
        assert out["vercel"] == {"rewrite": None, "next": "1", "setCookie": None}, out
        assert out["netlify"] == {"rewrite": None, "passed": True, "cookies": 0}, out
    assert sorted(ran["vercelConfig"]["matcher"]) == ["/", "/index", "/index.html"]
    assert sorted(ran["netlifyConfig"]["path"]) == ["/", "/index", "/index.html"]


def test_a_cookie_the_rule_never_sets_is_drawn_again(ran: dict) -> None:
    assert len(ran["junk"]) == 6
    for out in ran["junk"]:
        assert out["setCookie"] and re.fullmatch(r"dz_ab=[ab]\.[A-Za-z0-9_-]{22}", out["setCookie"].split(";")[0]), out


def test_a_cookie_without_a_visitor_id_keeps_its_variant_and_gets_one(ran: dict) -> None:
    assert len(ran["legacy"]) == 20
    ids = set()
    for out in ran["legacy"]:
        variant = out["cookie"].removeprefix("dz_ab=")
        assert (out["rewrite"] is not None) == (variant == "b") and (out["netlify"] is not None) == (variant == "b")
        value = out["setCookie"].split(";")[0]
        assert re.fullmatch(rf"dz_ab={variant}\.[A-Za-z0-9_-]{{22}}", value), out
        [netlify] = out["netlifyCookies"]
        assert netlify["value"].startswith(f"{variant}.") and len(netlify["value"]) == 24, out
        ids.add(value)
    assert len(ids) == 20  # a new random id each time


def test_visitor_ids_are_random_base64url(ran: dict) -> None:
    assert len(set(ran["ids"])) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", i) for i in ran["ids"])


def test_the_python_twin_decides_as_the_middleware(ran: dict, bundle: dict[str, str]) -> None:
    pages = edge.variant_pages(["index.html", "index-b.html", "menu.html"])
    for case, js in zip(AGREE, ran["agree"], strict=True):
        py = edge.choose(
            pages,
            case["path"],
            case["agent"],
            case["cookie"] or "",
            random=lambda c=case: c["random"],
            opt_out=edge.opted_out(case.get("headers", {})),
            new_id=lambda: FIXED_ID,
        )
        if js is None:
            assert py is None, case
        else:
            assert py is not None, case
            assert (py.variant, py.target, py.set_cookie, py.visitor) == (
                js["variant"],
                js["target"],
                js["setCookie"],
                js["visitor"],
            ), case


def test_experiments_off_ship_no_middleware(tacoloco_site: RenderedSite) -> None:
    off = build_deploy_config(slug="t", site=tacoloco_site, base_url="https://t.example", hero_variants=["a", "b"])
    assert edge.VERCEL_FILE not in off.files and edge.NETLIFY_FILE not in off.files
    assert any("DEZNITY_EXPERIMENTS" in step for step in off.steps)
    assert edge.VERCEL_FILE not in site_files(tacoloco_site, off, "vercel")


def test_vercel_publishes_the_middleware_and_netlify_stays_on_a(tacoloco_site: RenderedSite) -> None:
    on = build_deploy_config(
        slug="t", site=tacoloco_site, base_url="https://t.example", hero_variants=["a", "b"], experiments=True
    )
    assert edge.VERCEL_FILE in site_files(tacoloco_site, on, "vercel")
    netlify = site_files(tacoloco_site, on, "netlify")
    assert edge.NETLIFY_FILE not in netlify and edge.VERCEL_FILE not in netlify
    # A site without a B page gets no split even with experiments on.
    only_a = RenderedSite(
        **{**tacoloco_site.model_dump(), "files": {k: v for k, v in tacoloco_site.files.items() if k != "index-b.html"}}
    )
    config = build_deploy_config(
        slug="t", site=only_a, base_url="https://t.example", hero_variants=["a"], experiments=True
    )
    assert edge.VERCEL_FILE not in config.files


def test_pages_stay_without_script(tacoloco_site: RenderedSite) -> None:
    from bs4 import BeautifulSoup

    # The split runs at the edge: both variants carry no executable script (JSON-LD is data).
    for path in ("index.html", "index-b.html"):
        scripts = BeautifulSoup(tacoloco_site.files[path], "html.parser").find_all("script")
        assert all(s.get("type") == "application/ld+json" and not s.get("src") for s in scripts), path


def test_variant_pages_cover_any_page_with_a_b_file() -> None:
    pages = edge.variant_pages(["index.html", "index-b.html", "menu.html", "menu-b.html", "orphan-b.html"])
    assert pages == {
        "/": "/index-b",
        "/index": "/index-b",
        "/index.html": "/index-b",
        "/menu": "/menu-b",
        "/menu.html": "/menu-b",
    }
    assert edge.edge_files(["index.html", "about.html"]) == {}
    with pytest.raises(ValueError, match="share_b"):
        edge.edge_files(["index.html", "index-b.html"], share_b=1.0)


def _bundle_on_disk(folder: Path, site: RenderedSite, files: dict[str, str]) -> Path:
    for path, text in site.files.items():
        (folder / "site" / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / "site" / path).write_text(text)
    for name, text in files.items():
        (folder / "deploy" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "deploy" / name).write_text(text)
    return folder


def test_preview_splits_as_the_edge_does(tmp_path: Path, tacoloco_site: RenderedSite, bundle: dict[str, str]) -> None:
    from starlette.testclient import TestClient

    from deznity_assets.site_api.preview import HostConfig, preview_app

    folder = _bundle_on_disk(tmp_path, tacoloco_site, bundle)
    host = HostConfig.read(folder / "deploy" / "vercel.json", site=folder / "site")
    assert host.split["/"] == "/index-b"
    a_page, b_page = tacoloco_site.files["index.html"], tacoloco_site.files["index-b.html"]
    assert a_page != b_page
    app = preview_app(folder / "site", host, api_destination="http://127.0.0.1:9/sites/t/api/")
    seen = {"a": 0, "b": 0}
    for _ in range(400):
        with TestClient(app, base_url="http://127.0.0.1") as visitor:  # a fresh cookie jar: a new visitor
            visitor.headers["user-agent"] = HUMAN
            first = visitor.get("/")
            variant = first.cookies.get("dz_ab", "").split(".")[0]
            assert variant in ("a", "b") and "secure" not in first.headers["set-cookie"].lower()
            assert first.text == (b_page if variant == "b" else a_page)
            again = visitor.get("/")  # the jar sends the cookie back: the same page, no new cookie
            assert again.text == first.text and "set-cookie" not in again.headers
            seen[variant] += 1
    assert abs(seen["b"] - 200) < 4 * 10, seen  # Binomial(400, 0.5): sd 10
    with TestClient(app, base_url="http://127.0.0.1") as bot:
        bot.headers["user-agent"] = BOTS[0]
        for _ in range(20):
            answer = bot.get("/")
            assert answer.text == a_page and "set-cookie" not in answer.headers
        assert "set-cookie" not in bot.get("/menu").headers
    with TestClient(app, base_url="http://127.0.0.1") as private:
        private.headers.update({"user-agent": HUMAN, "sec-gpc": "1"})
        for _ in range(20):
            answer = private.get("/")
            assert answer.text == a_page and "set-cookie" not in answer.headers


def test_preview_without_the_middleware_never_splits(tmp_path: Path, tacoloco_site: RenderedSite) -> None:
    from starlette.testclient import TestClient

    from deznity_assets.site_api.preview import HostConfig, preview_app

    off = build_deploy_config(slug="t", site=tacoloco_site, base_url="https://t.example", hero_variants=["a", "b"])
    folder = _bundle_on_disk(tmp_path, tacoloco_site, off.files)
    host = HostConfig.read(folder / "deploy" / "vercel.json", site=folder / "site")
    assert host.split == {}
    app = preview_app(folder / "site", host, api_destination="http://127.0.0.1:9/sites/t/api/")
    with TestClient(app, base_url="http://127.0.0.1") as visitor:
        visitor.headers["user-agent"] = HUMAN
        for _ in range(30):
            answer = visitor.get("/")
            assert answer.text == tacoloco_site.files["index.html"] and "set-cookie" not in answer.headers


def test_the_global_switch_is_a_declared_setting_off_by_default() -> None:
    from deznity_assets.config import ConfigError, all_variables, from_env
    from deznity_assets.resources.output import OutputResource

    [variable] = [v for v in all_variables() if v.name == "DEZNITY_EXPERIMENTS"]
    assert variable.owner == "OutputResource" and variable.default == "False"
    assert from_env(OutputResource, {}).experiments is False
    assert from_env(OutputResource, {"DEZNITY_EXPERIMENTS": "1"}).experiments is True
    assert from_env(OutputResource, {"DEZNITY_EXPERIMENTS": "0"}).experiments is False
    with pytest.raises(ConfigError, match="DEZNITY_EXPERIMENTS='maybe' is not 1 or 0"):
        from_env(OutputResource, {"DEZNITY_EXPERIMENTS": "maybe"})


class _Recorder:
    """A stand-in site API on 127.0.0.1 recording the exposures an edge reports (slow when asked to be)."""

    def __init__(self, delay: float = 0.0) -> None:
        import http.server
        import threading

        self.received: list[dict] = []
        recorder = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                if delay:
                    import time

                    time.sleep(delay)
                recorder.received.append(
                    {"path": self.path, "auth": self.headers.get("authorization"), "body": json.loads(body)}
                )
                self.send_response(202)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 256  # the edge's reports arrive in bursts (waitUntil)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _run_exposure(node: str, folder: Path, exposure: edge.Exposure, visitors: int) -> dict:
    files = edge.edge_files(["index.html", "index-b.html"], exposure=exposure)
    (folder / "middleware.mjs").write_text(files[edge.VERCEL_FILE])
    (folder / "ab-split.mjs").write_text(files[edge.NETLIFY_FILE])
    (folder / "cases.json").write_text(json.dumps({"visitors": visitors, "human": HUMAN, "bots": BOTS[:4]}))
    done = subprocess.run(
        [node, str(DRIVER.with_name("edge_exposure.mjs"))]
        + [str(folder / n) for n in ("middleware.mjs", "ab-split.mjs", "cases.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_edge_reports_each_enrolled_view_to_the_site_api(node: str, tmp_path: Path) -> None:
    recorder = _Recorder()
    try:
        exposure = edge.Exposure(f"{recorder.url}/sites/shop/api/experiments/exposure", "t" * 64)
        out = _run_exposure(node, tmp_path, exposure, visitors=40)
    finally:
        recorder.close()
    assert len(out["visitors"]) == 80 and out["bots"] == 4
    # Vercel visitors came twice (a second view with their cookie), Netlify visitors once; bots never.
    expected: list[tuple[str, str]] = []
    for visitor in out["visitors"]:
        variant, visitor_id = visitor["cookie"].removeprefix("dz_ab=").split(".")
        assert (visitor["rewrite"] is not None) == (variant == "b")
        expected += [(variant, visitor_id)] * (1 if visitor.get("netlify") else 2)
    got = [(r["body"]["variant"], r["body"]["visitor"]) for r in recorder.received]
    assert sorted(got) == sorted(expected)
    for r in recorder.received:
        assert r["path"] == "/sites/shop/api/experiments/exposure" and r["auth"] == "Bearer " + "t" * 64
        assert r["body"]["page"] == "index" and set(r["body"]) == {"variant", "visitor", "page"}


def test_a_slow_or_dead_site_api_never_fails_the_page(node: str, tmp_path: Path) -> None:
    slow = _Recorder(delay=4.0)
    try:
        exposure = edge.Exposure(f"{slow.url}/sites/shop/api/experiments/exposure", "t" * 64)
        out = _run_exposure(node, tmp_path, exposure, visitors=2)
    finally:
        slow.close()
    assert len(out["visitors"]) == 4
    # Awaited reports give up after EXPOSURE_TIMEOUT_MS; a page is never held for the API's 4 s.
    assert max(out["timings"]) < edge.EXPOSURE_TIMEOUT_MS + 1500, out["timings"]
    dead = edge.Exposure("http://127.0.0.1:9/sites/shop/api/experiments/exposure", "t" * 64)
    out = _run_exposure(node, tmp_path, dead, visitors=3)
    assert len(out["visitors"]) == 6 and all(v["cookie"].startswith("dz_ab=") for v in out["visitors"])


def test_the_exposure_token_is_read_back_from_the_bundle_only_when_reported() -> None:
    with_exposure = edge.edge_files(["index.html", "index-b.html"], exposure=edge.Exposure("https://api/x", "tok"))
    assert edge.read_exposure(with_exposure[edge.VERCEL_FILE]) == edge.Exposure("https://api/x", "tok")
    without = edge.edge_files(["index.html", "index-b.html"])
    assert edge.read_exposure(without[edge.VERCEL_FILE]) is None


def test_the_bundle_reports_views_only_with_the_api_and_the_key(tacoloco_site: RenderedSite) -> None:
    from deznity_assets.experiments.measure import exposure_token

    def bundle(**kw: str) -> tuple[edge.Exposure | None, list[str]]:
        config = build_deploy_config(
            slug="t", site=tacoloco_site, base_url="https://t.example", hero_variants=["a", "b"], experiments=True, **kw
        )
        return edge.read_exposure(config.files[edge.VERCEL_FILE]), config.steps

    reported, steps = bundle(api_public_url="https://api.example", experiments_key="k" * 40)
    assert reported == edge.Exposure(
        "https://api.example/sites/t/api/experiments/exposure", exposure_token("k" * 40, "t")
    )
    assert not any("measures nothing" in step for step in steps)
    for kw in ({"api_public_url": "https://api.example"}, {"experiments_key": "k" * 40}, {}):
        reported, steps = bundle(**kw)
        assert reported is None and any("DEZNITY_EXPERIMENTS_KEY" in step for step in steps), kw
