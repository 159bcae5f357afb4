"""Phase 4, testing_validation: the QA agent's checks on the rendered site, one asset check per rule."""

from collections.abc import Iterator

import dagster as dg

from ... import progress
from ...assembly import qa_score
from ...brief import ClientBrief
from ...corrections import escaped_values
from ...deliverables import DesignSystem, QAReport, QAScope, RenderedSite
from ...flow import STEPS
from ...qa.checks import CHECKS, build_qa_report, run_checks
from ...resources import ClientStoreResource, OutputResource, control_plane
from ...store import utcnow
from ..partitions import clients_partitions

STEP = STEPS["testing_validation"]
QA_AGENT = STEP.deliverables[0].agent_id or "qa"
# The QA scope each asset reports (qa/checks.py scopes its checks).
QA_ASSETS: dict[QAScope, str] = {"functional": "functional_qa", "seo_performance": "seo_performance_qa"}


def correction_rounds(instance: dg.DagsterInstance, slug: str) -> int | None:
    """The QA correction rounds content creation ran for the client's latest content (None: no self-check ran)."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey("marketing_content"), asset_partitions=[slug]), limit=1
    ).records
    materialization = records[0].asset_materialization if records else None
    if materialization is None or "qa_rounds" not in materialization.metadata:
        return None
    return int(materialization.metadata["qa_rounds"].value)  # type: ignore[arg-type]


def _check_specs() -> list[dg.AssetCheckSpec]:
    # One check per QA rule, shown on the QA assets in the UI; errors block what follows.
    specs = []
    for check_id, (scope, severity, fn) in CHECKS.items():
        specs.append(
            dg.AssetCheckSpec(
                name=check_id,
                asset=QA_ASSETS[scope],
                blocking=severity == "error",
                description=f"{severity}: {(fn.__doc__ or check_id).strip().splitlines()[0]}",
            )
        )
    return specs


@dg.multi_asset(
    name=STEP.name,
    description=STEP.description,
    partitions_def=clients_partitions,
    group_name=STEP.group,
    outs={d.asset: dg.AssetOut(description=d.description) for d in STEP.deliverables},
    check_specs=_check_specs(),
)
def testing_validation(
    context: dg.AssetExecutionContext,
    client_brief: ClientBrief,
    website: RenderedSite,
    design_system: DesignSystem,
    store: ClientStoreResource,
    output: OutputResource,
) -> Iterator[dg.Output | dg.AssetCheckResult]:
    """Phase 4: the QA agent runs every check on the rendered site; failing errors stop the client."""
    slug = context.partition_key
    started = utcnow()
    progress.report(slug, STEP.name, f"started: {STEP.agent_names}")
    results = run_checks(
        website,
        design_system,
        escaped_values=escaped_values(client_brief),
        brief=client_brief,
        api_public_url=output.api_public_url,
    )
    by_id = {r.id: r for r in results}
    reports: dict[QAScope, QAReport] = {}
    for scope in QA_ASSETS:
        reports[scope] = build_qa_report([r for r in results if CHECKS[r.id][0] == scope], scope)
    for check_id, (scope, severity, _fn) in CHECKS.items():
        result = by_id.get(check_id)
        if result is None:
            continue
        yield dg.AssetCheckResult(
            check_name=check_id,
            asset_key=QA_ASSETS[scope],
            passed=result.passed,
            severity=dg.AssetCheckSeverity.ERROR if severity == "error" else dg.AssetCheckSeverity.WARN,
            metadata={"message": result.message, "locations": "\n".join(result.locations[:20])},
        )
    for scope, report in reports.items():
        yield dg.Output(
            report,
            QA_ASSETS[scope],
            metadata={
                "qa_score": report.score,
                "checks": len(report.checks),
                "failed": len([c for c in report.checks if not c.passed]),
            },
        )
    blockers = [c for r in reports.values() for c in r.failing_blockers]
    score = qa_score(list(reports.values()))
    log = control_plane(store, output).project_log(run_id=context.run.run_id, slug=slug)
    log.update(qa_score=score, phase=STEP.name)
    for scope, report in reports.items():
        failed = [c.id for c in report.failing_blockers]
        log.task(
            phase=STEP.name,
            agent=QA_AGENT,
            task=f"{scope.replace('_', ' ')} validation of the site",
            status="failed" if failed else "completed",
            started_at=started,
            output_path=f"qa/report.json#{scope}",
        )
        log.activity(
            agent=QA_AGENT, action=f"{scope} checks", phase=STEP.name, details={"score": report.score, "failed": failed}
        )
    if blockers:
        progress.report(slug, STEP.name, f"failed: {', '.join(c.id for c in blockers)}")
        rounds = correction_rounds(context.instance, slug)
        tried = f" after {rounds} correction round(s) of content creation" if rounds is not None else ""
        raise dg.Failure(
            description=f"QA blocking checks failed{tried}: " + "; ".join(f"{c.id}: {c.message}" for c in blockers),
            metadata={"qa_score": score},
        )
    progress.report(slug, STEP.name, f"done: QA score {score}")
