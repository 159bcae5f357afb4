"""The rendered site: structure, SEO tags, structured data, forms per industry, escaping of client text."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from deznity_assets.agents.offline import offline_page_seo
from deznity_assets.brief import ClientBrief
from deznity_assets.deliverables import ContentItem, PageSection, RenderedSite
from deznity_assets.qa.checks import run_checks
from deznity_assets.site.render import json_for_script, page_file, page_url, render_site
from tests.plugins.site_fixtures import FORM_ACTION, SiteInputs, build_inputs, reference_brief

API_URL = "https://api.example.com"  # forms routed to a site API: forms_connected passes

BASE = "https://example-client.deznity.site"


def soup(site: RenderedSite, path: str) -> BeautifulSoup:
    return BeautifulSoup(site.files[path], "html5lib")


def html_pages(site: RenderedSite) -> list[str]:
    return [p for p in site.files if p.endswith(".html")]


def jsonld_types(page: BeautifulSoup) -> list[str]:
    return [json.loads(s.string)["@type"] for s in page.find_all("script", type="application/ld+json")]


@pytest.mark.parametrize("slug", ["tacoloco", "greenglow", "fittrack", "beautylux", "techstart"])
def test_every_page_has_the_structural_facts(slug: str, reference_sites: dict[str, SiteInputs]) -> None:
    inputs = reference_sites[slug]
    site = inputs.render()
    brief = inputs.brief
    expected_files = {page_file(p) for p in brief.pages}
    assert expected_files <= set(site.files)
    assert {
        "index-b.html",
        "404.html",
        "assets/site.css",
        "assets/tokens.json",
        "favicon.svg",
        "sitemap.xml",
        "robots.txt",
    } <= set(site.files)
    titles, descriptions = set(), set()
    for path in html_pages(site):
        page = soup(site, path)
        assert page.html["lang"] == brief.language
        assert page.find("meta", attrs={"name": "viewport"})["content"].startswith("width=device-width")
        assert len(page.find_all("h1")) == 1, path
        assert page.find("a", class_="skip-link")["href"] == "#main" and page.find("main", id="main")
        assert page.find("header") and page.find("footer") and page.find("nav")
        nav_links = page.find("header").find("nav").find_all("a")
        assert len(nav_links) == len(brief.pages)
        assert page.find("link", rel="icon")["href"].endswith("favicon.svg")
        assert site.files["favicon.svg"].count(brief.color) == 1
        assert page.find("link", rel="stylesheet")["href"].split("?")[0].endswith("assets/site.css")
        if path == "404.html":
            assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
            continue
        canonical = page.find("link", rel="canonical")["href"]
        assert canonical.startswith(BASE)
        for prop in ("og:title", "og:description", "og:url", "og:type", "og:site_name", "og:locale"):
            assert page.find("meta", property=prop)["content"], (path, prop)
        assert page.find("meta", property="og:url")["content"] == canonical
        assert page.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"
        assert inputs.seo.schema_type in jsonld_types(page)
        if path not in ("index-b.html",):
            titles.add(page.title.string)
            descriptions.add(page.find("meta", attrs={"name": "description"})["content"])
    indexable = [p for p in html_pages(site) if p not in ("index-b.html", "404.html")]
    assert len(titles) == len(indexable) and len(descriptions) == len(indexable)
    # The current page is marked in the nav.
    for name in brief.pages:
        current = soup(site, page_file(name)).find("header").find("a", attrs={"aria-current": "page"})
        assert (
            current is not None
            and current.get_text(strip=True) == inputs.structure.pages[brief.pages.index(name)].nav_label
        )


def test_sitemap_and_robots(tacoloco_site: RenderedSite) -> None:
    root = ET.fromstring(tacoloco_site.files["sitemap.xml"])
    locs = [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert f"{BASE}/" in locs and f"{BASE}/menu" in locs and f"{BASE}/blog/abrimos-nuestra-segunda-cocina" in locs
    assert not any("index-b" in u or "404" in u for u in locs) and f"{BASE}/thanks" in locs
    assert len(locs) == len(html_pages(tacoloco_site)) - 2
    assert f"Sitemap: {BASE}/sitemap.xml" in tacoloco_site.files["robots.txt"].splitlines()
    assert page_url(BASE, "index.html") == BASE + "/" and page_url(BASE + "/", "blog/x.html") == BASE + "/blog/x"


def test_hero_variants_are_separate_files(tacoloco_inputs: SiteInputs, tacoloco_site: RenderedSite) -> None:
    a, b = soup(tacoloco_site, "index.html"), soup(tacoloco_site, "index-b.html")
    assert a.body["data-variant"] == "a" and b.body["data-variant"] == "b"
    assert a.h1.get_text() == tacoloco_inputs.seo.hero_a.headline
    assert b.h1.get_text() == tacoloco_inputs.seo.hero_b.headline
    # B points search engines at A.
    assert b.find("link", rel="canonical")["href"] == f"{BASE}/"
    # The hero button serves the goal (reservations -> the booking page).
    assert a.find("a", string=tacoloco_inputs.seo.hero_a.cta_label)["href"] == "book.html"


def test_restaurant_menu_reservation_form_and_faq(tacoloco_site: RenderedSite) -> None:
    book = soup(tacoloco_site, "book.html")
    form = book.find("form", action="/api/forms/reservation")
    assert form["method"] == "post"
    names = {c["name"] for c in form.find_all(["input", "textarea"])}
    assert {"name", "email", "phone", "date", "time", "party_size", "notes"} <= names
    for control in form.find_all(["input", "textarea"]):
        assert book.find("label", attrs={"for": control["id"]}).get_text(strip=True)
    assert form.find("button", type="submit")
    assert book.find("label", attrs={"for": "reservation-form-name"}).get_text() == "Nombre"  # es UI strings
    menu = soup(tacoloco_site, "menu.html")
    assert len(menu.select(".menu-item")) == 4 and menu.select_one(".menu-item .price").get_text() == "$1.50"
    home = soup(tacoloco_site, "index.html")
    assert "FAQPage" in jsonld_types(home) and len(home.find_all("details")) == 2
    assert "FAQPage" not in jsonld_types(menu)
    assert home.find("footer").find("form", action="/api/forms/newsletter")
    tiers = home.select(".tier")
    assert [li.get_text() for li in tiers[0].select(".checklist li")] == [
        "Una página",
        "Alojamiento",
        "Soporte por correo",
    ]


def test_ecommerce_product_grid_and_cart(reference_sites: dict[str, SiteInputs]) -> None:
    site = reference_sites["greenglow"].render()
    products = soup(site, "products.html")
    cards = products.select(".product")
    assert len(cards) == 4
    for card in cards:
        img = card.find("img")
        assert img["alt"].endswith(card.h3.get_text()) and img["width"] and img["height"]
        assert img["src"].startswith("data:image/svg+xml;base64,")
        assert card.find("form", action="/api/forms/cart").find("button", type="submit")
    cart = soup(site, "cart.html")
    assert len(cart.select(".cart-table tbody tr")) == 2
    checkout = cart.find("form", action="/api/forms/cart")
    assert {"name", "email", "address"} <= {c["name"] for c in checkout.find_all(["input", "textarea"])}
    assert "Store" in jsonld_types(cart)
    assert soup(site, "index.html").find("a", class_="button-lg")["href"] == "products.html"


def test_saas_plans_dashboard_and_blog(reference_sites: dict[str, SiteInputs]) -> None:
    site = reference_sites["fittrack"].render()
    assert len(soup(site, "pricing.html").select(".tier")) == 2
    assert [m.get_text() for m in soup(site, "dashboard.html").select(".metric-value")] == ["18", "6 days"]
    blog = soup(site, "blog.html")
    links = [a["href"] for a in blog.select(".post-card h3 a")]
    assert links == ["blog/opening-our-second-kitchen.html", "blog/five-tips-for-a-better-week.html"]
    post = soup(site, "blog/opening-our-second-kitchen.html")
    assert post.h1.get_text() == "Opening our second kitchen"
    assert len(post.select(".prose p")) == 2 and "BlogPosting" in jsonld_types(post)
    assert post.find("link", rel="stylesheet")["href"].startswith("../assets/site.css")
    assert post.find("header").find("a", attrs={"aria-current": "page"})["href"] == "../blog.html"
    assert "SoftwareApplication" in jsonld_types(soup(site, "index.html"))


def test_beauty_gallery_and_contact_forms(reference_sites: dict[str, SiteInputs]) -> None:
    gallery = soup(reference_sites["beautylux"].render(), "gallery.html")
    figures = gallery.select("figure.shot")
    assert len(figures) == 4 and all(f.img["alt"] and f.figcaption for f in figures)
    contact = soup(reference_sites["techstart"].render(), "contact.html")
    form = contact.find("form", action="/api/forms/contact")
    assert {"name", "email", "company", "message"} <= {c["name"] for c in form.find_all(["input", "textarea"])}
    assert contact.find("label", attrs={"for": "contact-form-email"}).get_text() == "Email"


def test_page_facts_and_budgets(tacoloco_site: RenderedSite) -> None:
    by_path = {p.path: p for p in tacoloco_site.pages}
    assert set(by_path) == set(html_pages(tacoloco_site))
    home = by_path["index.html"]
    assert home.bytes == len(tacoloco_site.files["index.html"].encode()) and home.words > 100
    assert all(p.bytes < 60 * 1024 for p in tacoloco_site.pages)
    assert len(tacoloco_site.files["assets/site.css"].encode()) < 30 * 1024
    css = tacoloco_site.files["assets/site.css"]
    assert "--color-primary-500: #FF6A00;" in css and "@import" not in css and "http" not in css
    assert not any("<script src" in t for t in tacoloco_site.files.values())


def test_unknown_and_empty_sections_are_skipped_and_missing_pages_still_render() -> None:
    inputs = build_inputs(reference_brief("techstart"))
    services = next(p for p in inputs.content.pages if p.page == "services")
    services.sections.append(PageSection(kind="features", heading="Empty", items=[]))
    services.sections.append(PageSection(kind="text", heading="Blank", intro="  "))
    inputs.content.pages = [p for p in inputs.content.pages if p.page != "about"]
    inputs.seo.pages = [p for p in inputs.seo.pages if p.page != "about"]
    site = inputs.render()
    assert "Empty" not in site.files["services.html"] and "Blank" not in site.files["services.html"]
    about = soup(site, "about.html")
    # The page without SEO copy takes the offline generator's, and the site says so.
    house = offline_page_seo(reference_brief("techstart"), ["home", "services", "about", "contact"])["about"]
    assert about.h1.get_text() == house.h1 and about.title.get_text().startswith("About | TechStart")
    assert site.defaults == ["about: title, meta description and h1"]


def test_bad_inputs_name_the_field() -> None:
    inputs = build_inputs(reference_brief("techstart"))
    kwargs = dict(
        slug="techstart", structure=inputs.structure, design=inputs.design, seo=inputs.seo, content=inputs.content
    )
    with pytest.raises(ValueError, match="form_action .* has no '\\{form\\}' placeholder"):
        render_site(inputs.brief, **kwargs, base_url=BASE, form_action="/api/forms")
    with pytest.raises(ValueError, match="base_url 'example.com' must be an absolute http"):
        render_site(inputs.brief, **kwargs, base_url="example.com", form_action=FORM_ACTION)


def test_subpath_base_url_404_uses_root_relative_links() -> None:
    inputs = build_inputs(reference_brief("techstart"))
    inputs.base_url = "https://sites.deznity.com/techstart"
    site = inputs.render()
    page = soup(site, "404.html")
    assert page.find("link", rel="stylesheet")["href"].startswith("/techstart/assets/site.css")
    assert page.find("a", class_="brand")["href"] == "/techstart/"
    assert soup(site, "index.html").find("link", rel="canonical")["href"] == "https://sites.deznity.com/techstart/"


XSS = "</script><script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'


def hostile_inputs() -> SiteInputs:
    """Every free-text field holds markup; the brief is built unvalidated as a hostile row would be."""
    inputs = build_inputs(reference_brief("tacoloco"))
    brief = inputs.brief.model_copy(
        update=dict(business_name=XSS, goal=ATTR + " &amp; more", target_geo="<b>CDMX</b> & co", copy_tone=[XSS])
    )
    inputs.brief = ClientBrief.model_construct(**brief.model_dump())
    for page in inputs.content.pages:
        for section in page.sections:
            section.heading = XSS + section.heading
            section.intro = ATTR
            section.items = [
                ContentItem(title=XSS + i.title, text=ATTR + "\n\n" + XSS, meta=ATTR) for i in section.items
            ]
    for p in inputs.seo.pages:
        p.title, p.meta_description, p.h1 = XSS, ATTR + " &amp;", XSS
    inputs.seo.hero_a.headline = XSS
    inputs.seo.hero_b.cta_label = ATTR
    inputs.structure.pages[1].nav_label = XSS
    inputs.content.pages[1].sections[0].heading = "Bell\x07 and form feed\x0c and NUL\x00"
    return inputs


def test_hostile_text_is_escaped_everywhere() -> None:
    site = hostile_inputs().render()
    for path, text in site.files.items():
        assert "<script>alert" not in text, path
        assert "<img src=x" not in text, path
        assert "<b>CDMX" not in text, path
    home = soup(site, "index.html")
    # Exactly the two JSON-LD scripts survive; the business name is data inside them.
    scripts = home.find_all("script")
    assert all(s["type"] == "application/ld+json" for s in scripts)
    data = json.loads(scripts[0].string)
    assert data["name"] == XSS
    assert "\\u003c/script\\u003e" in scripts[0].string
    assert home.h1.get_text() == XSS
    assert home.find("a", class_="brand").get_text() == XSS
    assert "&amp;amp;" in site.files["index.html"]  # a literal '&amp;' is shown, not decoded
    assert not home.find("img", src="x")
    assert "Bell and form feed and NUL" in site.files["menu.html"]
    inputs = hostile_inputs()
    values = [XSS, ATTR + " &amp; more", "<b>CDMX</b> & co"]
    failed = [
        r.id for r in run_checks(site, inputs.design, escaped_values=values, api_public_url=API_URL) if not r.passed
    ]
    assert not {"html_parses", "no_unescaped_client_text", "links_resolve", "single_h1"} & set(failed), failed


def test_json_for_script_escapes_script_breakers() -> None:
    out = str(json_for_script({"name": "</script><!-- & \u2028"}))
    assert not re.search(r"[<>&\u2028]", out)
    assert json.loads(out) == {"name": "</script><!-- & \u2028"}
