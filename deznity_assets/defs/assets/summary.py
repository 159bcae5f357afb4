"""The bootstrap_summary asset: the executive summary, and the whole package assembled around it."""

from typing import Any

import dagster as dg

from ... import progress
from ...assembly import SUMMARY_FILE, SUMMARY_HTML_FILE, package_files, qa_score
from ...brief import ClientBrief
from ...deliverables import BootstrapSummary, LiveDeployment
from ...flow import PACKAGE_INPUTS, STEPS
from ...resources import AgentProviderResource, ClientStoreResource, OutputResource, control_plane
from ...summary import phase_rows, provider_label, summary_html, summary_markdown, usage_totals
from ..partitions import clients_partitions

STEP = STEPS["bootstrap_summary"]


@dg.asset(
    name=STEP.name,
    partitions_def=clients_partitions,
    group_name=STEP.group,
    kinds={"markdown"},
    description=STEP.description,
    ins={key: dg.AssetIn() for key in PACKAGE_INPUTS},
)
def bootstrap_summary(
    context: dg.AssetExecutionContext,
    store: ClientStoreResource,
    output: OutputResource,
    agents: AgentProviderResource,
    **deliverables: Any,
) -> dg.Output[BootstrapSummary]:
    """The executive summary (status, QA, time per phase, tokens, cost) in Markdown and HTML, and the whole package."""
    slug = context.partition_key
    brief: ClientBrief = deliverables["client_brief"]
    website, reports = deliverables["website"], [deliverables["functional_qa"], deliverables["seo_performance_qa"]]
    score = qa_score(reports)
    usage = usage_totals(context.instance, slug)
    provider = provider_label(usage, agents.provider_name())
    plane = control_plane(store, output)
    # A retry resuming here starts the run: tie it to its client.
    plane.join_run(slug, run_id=context.run.run_id, instance=context.instance)
    live: LiveDeployment | None = deliverables.get("live_site")
    files = package_files(
        slug, brief, deliverables, reviews=plane.store.reviews_for(slug) if brief.needs_human_review else []
    )
    values = dict(
        slug=slug,
        brief=brief,
        run_id=context.run.run_id,
        website=website,
        reports=reports,
        qa_score=score,
        market=deliverables["market_analysis"],
        seo=deliverables["seo_copy"],
        plan=deliverables["project_plan"],
        deploy_config=deliverables["deploy_config"],
        usage=usage,
        provider=provider,
        phases=phase_rows(context.instance, slug, until=STEP.name),
        files=sorted([*files, SUMMARY_FILE, SUMMARY_HTML_FILE]),
        approval=deliverables["review_approval"],
        live=live,
    )
    markdown = summary_markdown(**values)
    files[SUMMARY_FILE] = markdown
    files[SUMMARY_HTML_FILE] = summary_html(**values)
    plane.project_log(run_id=context.run.run_id, slug=slug).update(
        phase="deployment", qa_score=score, tokens=usage["tokens"], cost_usd=usage["cost"]
    )
    progress.report(slug, "summary", f"summary assembled: {len(files)} files, QA {score}")
    summary = BootstrapSummary(
        slug=slug,
        business_name=brief.business_name,
        status="completed",
        qa_score=score,
        pages=len(website.pages),
        words=website.total_words,
        provider=provider,
        markdown=markdown,
        files=files,
    )
    return dg.Output(
        summary,
        metadata={
            "qa_score": score,
            "pages": len(website.pages),
            "words": website.total_words,
            "files": len(files),
            "tokens": usage["tokens"],
            "cost_usd": round(usage["cost"], 6),
            "provider": provider,
            **({"live_url": dg.MetadataValue.url(live.url)} if live and live.url else {}),
            "summary": dg.MetadataValue.md(markdown),
        },
    )
