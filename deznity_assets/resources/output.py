"""The output resource: where packages and the portfolio are written, and how generated sites are addressed."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from ..config import PROJECT_ROOT, setting


class OutputResource(dg.ConfigurableResource):
    """Where packages are written and how the generated sites are addressed."""

    output_dir: str = setting(
        "DEZNITY_OUTPUT_DIR", str(PROJECT_ROOT / "output"), "where packages are written", shown_default="./output"
    )
    site_base_url: str = setting(
        "DEZNITY_SITE_BASE_URL",
        "https://{slug}.deznity.com",
        "public URL of generated sites (canonical, Open Graph, sitemap)",
    )
    form_action: str = setting("DEZNITY_FORM_ACTION", "/api/forms/{form}", "where generated forms post")
    api_public_url: str = setting(
        "DEZNITY_API_PUBLIC_URL",
        "",
        "where the site API is reached from the internet (https://api.example.com): each site's host configuration "
        "routes its /api/ there; unset: the deploy bundle and summary say forms are not connected",
    )
    experiments: bool = setting(
        "DEZNITY_EXPERIMENTS",
        False,
        "1: ship the A/B split of sites with a B variant at the host's edge (Vercel middleware.js, Netlify edge "
        "function; a first-party cookie, docs/EXPERIMENTS.md); 0: no split is shipped, every visitor sees A; "
        "a client's brief field `experiments` overrides it",
    )
    experiments_key: str | None = setting(
        "DEZNITY_EXPERIMENTS_KEY",
        None,
        "secret shared with the site API: each site's edge split reports views with a token made from it, and the "
        "API stores visitors only as hashes keyed by it; unset: the split counts nothing",
        secret="always",
    )

    def experiments_for(self, brief_value: bool | None) -> bool:
        """Whether a client's bundle carries the split: its brief field when set, else DEZNITY_EXPERIMENTS."""
        return self.experiments if brief_value is None else brief_value

    @property
    def path(self) -> Path:
        """The output folder, absolute."""
        return Path(self.output_dir).expanduser().resolve()

    def site_url(self, slug: str) -> str:
        """Public base URL of a client's site."""
        return self.site_base_url.format(slug=slug).rstrip("/")
