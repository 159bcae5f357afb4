"""Live deployment: a client's site published through Vercel's or Netlify's REST API (docs/DEPLOY_LIVE.md).

Production gets the site as rendered with the host's configuration file (vercel.json or
netlify.toml); when the site has hero variant B (site/index-b.html), a preview deployment beside
production serves it as its home page. Files are addressed by SHA-1, so content the provider
already holds is never sent again.
"""

from __future__ import annotations

from collections.abc import Callable

from ..deliverables import DeployConfig, LiveDeployment, RenderedSite
from ..experiments.edge import VERCEL_FILE
from . import netlify, vercel
from .api import DeployError, ProviderApi
from .settings import HostingSettings

NO_TOKEN = "not deployed: set VERCEL_TOKEN or NETLIFY_AUTH_TOKEN to publish approved sites live"
VARIANT_B = "index-b.html"


def site_files(site: RenderedSite, config: DeployConfig, provider: str) -> dict[str, bytes]:
    """The files of a production deployment: the rendered site and the host's configuration at its root."""
    files = {path: text.encode("utf-8") for path, text in site.files.items()}
    config_file = "vercel.json" if provider == "vercel" else "netlify.toml"
    files[config_file] = config.files[config_file].encode("utf-8")
    # The edge split travels as a plain file only to Vercel, which builds middleware.js itself.
    # Netlify's deploys carry edge functions only as bundles made by its own (Deno) bundler, never
    # as a source file among the site's files, so a Netlify site stays on A (docs/DEPLOY_LIVE.md).
    if provider == "vercel" and VERCEL_FILE in config.files:
        files[VERCEL_FILE] = config.files[VERCEL_FILE].encode("utf-8")
    return files


def preview_files(files: dict[str, bytes]) -> dict[str, bytes] | None:
    """The preview of hero variant B: the same files with index-b.html as the home page; None without one."""
    if VARIANT_B not in files:
        return None
    return {**files, "index.html": files[VARIANT_B]}


def publish(
    settings: HostingSettings,
    *,
    slug: str,
    site: RenderedSite,
    config: DeployConfig,
    report: Callable[[str], None] = lambda _: None,
) -> LiveDeployment:
    """Deploy the site to production (and hero B as a preview) and wait until both are live; DeployError if not."""
    files = site_files(site, config, settings.provider)
    preview = preview_files(files)
    label = settings.provider.capitalize()
    token_variable = "VERCEL_TOKEN" if settings.provider == "vercel" else "NETLIFY_AUTH_TOKEN"
    with ProviderApi(label, token_variable, settings.api_url, settings.token, settings.max_retries) as api:
        deploy: Callable[[dict[str, bytes], bool], vercel.Deployed]
        if settings.provider == "vercel":
            name = vercel.project_name(settings.vercel_project, slug)

            def deploy(payload: dict[str, bytes], production: bool) -> vercel.Deployed:
                return vercel.deploy(
                    api,
                    name=name,
                    files=payload,
                    production=production,
                    team_id=settings.vercel_team_id,
                    poll_seconds=settings.poll_seconds,
                    timeout_seconds=settings.timeout_seconds,
                )
        else:
            target = netlify.site_for(api, site_setting=settings.netlify_site, slug=slug)

            def deploy(payload: dict[str, bytes], production: bool) -> vercel.Deployed:
                return netlify.deploy(
                    api,
                    site=target,
                    files=payload,
                    draft=not production,
                    poll_seconds=settings.poll_seconds,
                    timeout_seconds=settings.timeout_seconds,
                )

        report(f"{label}: deploying {len(files)} files to production")
        live = deploy(files, True)
        report(f"{label}: live at {live.url} ({live.uploaded} of {len(files)} files sent)")
        previewed = None
        if preview is not None:
            previewed = deploy(preview, False)
            report(f"{label}: hero B preview at {previewed.url}")
    return LiveDeployment(
        provider="vercel" if settings.provider == "vercel" else "netlify",
        url=live.url,
        preview_url=previewed.url if previewed else None,
        deployment_id=live.id,
        preview_id=previewed.id if previewed else None,
        files=len(files),
        uploaded=live.uploaded + (previewed.uploaded if previewed else 0),
    )


__all__ = ["NO_TOKEN", "DeployError", "HostingSettings", "preview_files", "publish", "site_files"]
