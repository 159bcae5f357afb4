"""The website asset: the static multi-page site rendered from the typed content."""

import json

import dagster as dg

from ... import progress
from ...brief import ClientBrief
from ...deliverables import DesignSystem, MarketingContent, RenderedSite, SeoCopy, SiteStructure
from ...flow import STEPS
from ...herocopy import apply_to_seo, load_state, state_json
from ...resources import ClientStoreResource, OutputResource, control_plane
from ...site.render import render_site
from ..partitions import clients_partitions


@dg.asset(
    partitions_def=clients_partitions,
    group_name=STEPS["website"].group,
    kinds={"html"},
    description=STEPS["website"].deliverables[0].description,
)
def website(
    context: dg.AssetExecutionContext,
    client_brief: ClientBrief,
    site_structure: SiteStructure,
    design_system: DesignSystem,
    seo_copy: SeoCopy,
    marketing_content: MarketingContent,
    output: OutputResource,
    store: ClientStoreResource,
) -> dg.Output[RenderedSite]:
    """The static multi-page site rendered from the typed content through autoescaping templates."""
    slug = context.partition_key
    # A retry resuming here starts the run: tie it to its client.
    control_plane(store, output).join_run(slug, run_id=context.run.run_id, instance=context.instance)
    # The hero copy decided by the client's experiments, when there were any: it, not the content
    # step's first pair, is what the site shows (docs/EXPERIMENTS.md, "Acting on a decision").
    state = load_state(output.path, slug)
    seo, show_b = apply_to_seo(seo_copy, state)
    site = render_site(
        client_brief,
        slug=slug,
        structure=site_structure,
        design=design_system,
        seo=seo,
        content=marketing_content,
        base_url=output.site_url(slug),
        form_action=output.form_action,
        show_b=show_b,
    )
    if state is not None:
        site.experiment = json.loads(state_json(state))
    progress.report(slug, "website", f"rendered {len(site.pages)} pages, {site.total_words} words")
    return dg.Output(
        site,
        metadata={
            "pages": len(site.pages),
            "words": site.total_words,
            "files": len(site.files),
            "bytes": sum(len(text.encode("utf-8")) for text in site.files.values()),
            "base_url": dg.MetadataValue.url(site.base_url),
            "hero_b_shown": show_b,
            "experiments_decided": len(state.decisions) if state is not None else 0,
        },
    )
