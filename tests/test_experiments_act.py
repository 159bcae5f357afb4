"""Acting on an experiment's decision, end to end: whole client runs (offline agents, SQLite, the project's
Dagster instance), then a decision re-renders and redeploys the site through Dagster with the next challenger."""

from __future__ import annotations

import hashlib
import html
import json
import re

import dagster as dg
import pytest
from click.testing import CliRunner

from deznity_assets.agents.challenger import challenger_writer
from deznity_assets.brief import REFERENCE_CLIENTS, ClientBrief
from deznity_assets.cli import main as cli
from deznity_assets.control.experiment_actions import EXPERIMENT_TAG, apply_experiment_decision, decide_challenger
from deznity_assets.control.resume import RESUME_TAG
from deznity_assets.control.review import decide
from deznity_assets.deliverables import HeroCopy
from deznity_assets.flow import resume_assets
from deznity_assets.herocopy import (
    MODEL,
    ORIGINAL,
    ExperimentError,
    HeroEntry,
    HeroState,
    angle_scores,
    apply_to_seo,
    industry_namespace,
    load_state,
    offline_challenger,
    pending_challengers,
    preferred_angles,
    state_path,
)
from deznity_assets.platform import Platform
from deznity_assets.runner import process_experiment_decision, process_pending, process_reviews, run_planned
from deznity_assets.site.render import render_site
from tests.plugins.platform import REGULATED_BRIEF as DENTAL
from tests.plugins.platform import on_vercel
from tests.plugins.site_fixtures import SiteInputs
from tests.servers.offline_answers import challenger_answer
from tests.servers.openai_compatible import Behaviour, OpenAICompatibleServer, content
from tests.servers.vercel_api import VercelApi

TOKEN = "vrcl-tok-7a1e0c3b5d22"
TACO = REFERENCE_CLIENTS[4]
SLUG = "tacoloco"
DENTAL_SLUG = "sonrisa-clara"
HERO = re.compile(r'<h1 id="hero-title">(.*?)</h1>', re.S)


@pytest.fixture
def instance(platform: Platform) -> dg.DagsterInstance:
    """The project's own Dagster instance: the one `process_pending` runs on."""
    return platform.instance()


@pytest.fixture
def vercel(monkeypatch: pytest.MonkeyPatch):
    """A Vercel API on 127.0.0.1, the token in VERCEL_TOKEN."""
    monkeypatch.setenv("VERCEL_TOKEN", TOKEN)
    with VercelApi(TOKEN, team_id="team_agency", builds=1) as server:
        yield server


def _published(platform: Platform, brief: dict) -> None:
    platform.control.add_client(brief)
    outcomes, rejected = process_pending(platform)
    assert not rejected and [o.status for o in outcomes] == ["completed"], outcomes


def _hero(platform: Platform, page: str = "index.html", slug: str = SLUG) -> str:
    text = (platform.output_dir / slug / "site" / page).read_text("utf-8")
    [found] = HERO.findall(text)
    return html.unescape(found.strip())


def _count(instance: dg.DagsterInstance, asset: str, slug: str = SLUG) -> int:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[slug]), limit=100
    ).records
    return len(records)


def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def test_b_wins_becomes_a_and_the_site_is_rerendered_and_redeployed_through_dagster(
    platform: Platform, instance: dg.DagsterInstance, vercel: VercelApi
) -> None:
    platform = on_vercel(platform, vercel.base_url)
    _published(platform, TACO)
    folder = platform.output_dir / SLUG
    first_a, first_b = _hero(platform), _hero(platform, "index-b.html")
    assert first_a != first_b
    manifest_before = (folder / "deploy" / "manifest.json").read_text("utf-8")
    deployments_before = len(vercel.created())

    figures = {"a_visitors": 4100, "a_conversions": 205, "b_visitors": 4080, "b_conversions": 290}
    action, outcome = process_experiment_decision(platform, SLUG, "exp-1", "b", instance, figures=figures)
    assert outcome is not None and outcome.status == "completed", outcome

    # The live home page now shows B's copy as A; B is a new challenger never tried.
    assert _hero(platform) == first_b
    challenger = _hero(platform, "index-b.html")
    assert challenger not in (first_a, first_b) and challenger == action.challenger.copy_.headline
    state = load_state(platform.output_dir, SLUG)
    assert state is not None and state.a.copy_.headline == first_b and state.decisions == ["exp-1"]
    outcomes = {(t.role, t.headline): t.outcome for t in state.history}
    assert outcomes == {("a", first_a): "replaced", ("b", first_b): "won"}
    assert all(t.figures == figures for t in state.history)
    assert "won" in (folder / "experiments" / "HISTORY.md").read_text("utf-8")

    # Through Dagster: one run, tagged with the experiment, re-materializing from the website step only.
    run = instance.get_run_by_id(outcome.run_id)
    assert run is not None and run.status == dg.DagsterRunStatus.SUCCESS
    assert run.tags[EXPERIMENT_TAG] == "exp-1" and run.tags["dagster/partition"] == SLUG
    assert run.tags[RESUME_TAG] == "website"  # a crash of it resumes from the website step again
    assert {k.to_user_string() for k in run.asset_selection} == set(resume_assets("website"))
    assert _count(instance, "seo_copy") == 1 and _count(instance, "website") == 2
    assert _count(instance, "live_site") == 2 and _count(instance, "client_package") == 2

    # Redeployed: the bundle and the production deployment carry the new home page.
    assert (folder / "deploy" / "manifest.json").read_text("utf-8") != manifest_before
    created = vercel.created()
    assert len(created) > deployments_before
    production = [d for d in created if d["target"] == "production"][-1]
    assert production["files"]["index.html"] == _sha1((folder / "site" / "index.html").read_text("utf-8"))
    assert platform.store.get(SLUG).status == "completed"


def test_b_loses_or_ties_a_stays_and_every_challenger_is_new(platform: Platform, instance: dg.DagsterInstance) -> None:
    _published(platform, TACO)
    first_a = _hero(platform)
    seen = {first_a, _hero(platform, "index-b.html")}
    for number, winner in enumerate(["a", "none", "a"], 1):
        _action, outcome = process_experiment_decision(platform, SLUG, f"exp-{number}", winner, instance)
        assert outcome is not None and outcome.status == "completed", outcome
        assert _hero(platform) == first_a, winner  # A unchanged
        challenger = _hero(platform, "index-b.html")
        assert challenger not in seen, (winner, challenger)
        seen.add(challenger)
    state = load_state(platform.output_dir, SLUG)
    assert [t.outcome for t in state.history if t.role == "b"] == ["lost", "no_difference", "lost"]
    assert _count(instance, "marketing_content") == 1 and _count(instance, "website") == 4
    # Acted on once: the same experiment again is refused, nothing changes.
    with pytest.raises(ExperimentError, match="experiment_id"):
        apply_experiment_decision(platform.control, instance, SLUG, "exp-3", "b")
    assert platform.store.get(SLUG).status == "completed"


def test_bad_decisions_name_the_field(platform: Platform, instance: dg.DagsterInstance) -> None:
    with pytest.raises(ExperimentError, match="winner: 'B'"):
        apply_experiment_decision(platform.control, instance, SLUG, "exp-1", "B")
    with pytest.raises(ExperimentError, match="slug: no client"):
        apply_experiment_decision(platform.control, instance, SLUG, "exp-1", "b")
    platform.control.add_client(TACO)
    with pytest.raises(ExperimentError, match="pending"):
        apply_experiment_decision(platform.control, instance, SLUG, "exp-1", "b")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_regulated_challenger_waits_for_review_and_the_site_serves_a_only(
    platform: Platform,
    instance: dg.DagsterInstance,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    backend: str,
) -> None:
    # The split on: a site with a live B page carries the edge middleware, one without carries none.
    monkeypatch.setenv("DEZNITY_EXPERIMENTS", "1")
    if backend == "postgresql":  # the reviews rows of a migrated PostgreSQL store, for the CLI too
        monkeypatch.setenv("DEZNITY_DATABASE_URL", request.getfixturevalue("migrated_postgres_url"))
    platform = Platform.from_env()
    assert platform.store.backend == backend
    platform.control.add_client(DENTAL)
    outcomes, _ = process_pending(platform)
    assert [o.status for o in outcomes] == ["needs_review"]
    decide(platform.control, DENTAL_SLUG, decision="approved", reviewer="dr-ana", reason="claims checked")
    [outcome] = process_reviews(platform, instance)
    assert outcome.status == "completed", outcome.error
    folder = platform.output_dir / DENTAL_SLUG
    first_b = _hero(platform, "index-b.html", DENTAL_SLUG)
    assert (folder / "deploy" / "middleware.js").exists()

    action, outcome = process_experiment_decision(platform, DENTAL_SLUG, "exp-1", "b", instance)
    # The promoted A was approved copy: the gate lets the run through with the earlier approval.
    assert outcome is not None and outcome.status == "completed", outcome
    assert action.held_for_review and action.challenger is not None
    assert _hero(platform, slug=DENTAL_SLUG) == first_b
    # No visitor sees the waiting challenger: no B page, so no split, no B preview.
    assert not (folder / "site" / "index-b.html").exists()
    assert not (folder / "deploy" / "middleware.js").exists()
    waiting = action.challenger.copy_.headline
    assert waiting not in (folder / "site" / "index.html").read_text("utf-8")
    assert "waiting for review" in (folder / "experiments" / "HISTORY.md").read_text("utf-8")
    assert [slug for slug, _ in pending_challengers(platform.store, platform.output_dir)] == [DENTAL_SLUG]
    # Nothing can be decided on a challenger nobody has seen.
    with pytest.raises(ExperimentError, match="no challenger live"):
        apply_experiment_decision(platform.control, instance, DENTAL_SLUG, "exp-2", "b")

    # A rejection asks for another challenger, which waits in turn; nothing is published.
    with pytest.raises(ExperimentError, match="reason"):
        decide_challenger(platform.control, instance, DENTAL_SLUG, decision="rejected", reviewer="dr-ana")
    rejected = decide_challenger(
        platform.control, instance, DENTAL_SLUG, decision="rejected", reviewer="dr-ana", reason="too casual"
    )
    assert rejected.plan is None and rejected.held_for_review
    second = rejected.challenger.copy_.headline
    assert second != waiting
    assert not (folder / "site" / "index-b.html").exists()

    # `deznity review` lists it, and its approval puts it live: a run re-renders the B page, carrying the
    # approval as a reviews row.
    listed = CliRunner().invoke(cli, ["review"], catch_exceptions=False)
    assert listed.exit_code == 0 and DENTAL_SLUG in listed.output and second in listed.output, listed.output
    runs_before = len(instance.get_runs())
    result = CliRunner().invoke(cli, ["review", DENTAL_SLUG, "--approve", "--reviewer", "dr-ana"])
    assert result.exit_code == 0, result.output
    assert "hero challenger approved by dr-ana" in result.output
    assert len(instance.get_runs()) == runs_before + 1
    assert platform.store.get(DENTAL_SLUG).status == "completed"
    assert _hero(platform, "index-b.html", DENTAL_SLUG) == second
    assert (folder / "deploy" / "middleware.js").exists()
    assert _hero(platform, slug=DENTAL_SLUG) == first_b
    reviews = platform.store.reviews_for(DENTAL_SLUG)
    assert [r["decision"] for r in reviews] == ["approved", "approved"] and reviews[-1]["applied_at"] is not None
    assert pending_challengers(platform.store, platform.output_dir) == []
    state = load_state(platform.output_dir, DENTAL_SLUG)
    assert [t.outcome for t in state.history if t.role == "b"] == ["won", "rejected"]


def test_a_second_client_of_the_industry_learns_the_winning_angle_not_the_words(
    platform: Platform, instance: dg.DagsterInstance
) -> None:
    _published(platform, TACO)
    # The first B (the content step's) loses; the challenger that follows, a house angle, wins.
    _action, outcome = process_experiment_decision(platform, SLUG, "exp-1", "a", instance)
    _action, outcome = process_experiment_decision(platform, SLUG, "exp-2", "b", instance)
    assert outcome is not None and outcome.status == "completed"
    won = load_state(platform.output_dir, SLUG).a.angle
    memory = platform.resources["memory"].get_memory()
    brief = ClientBrief.model_validate(TACO)
    recorded = memory.list_ids(industry_namespace(brief), prefix="angle:")
    assert f"angle:{won}:won:{SLUG}:exp-2" in recorded and len(recorded) == 2

    other = dict(TACO, business_name="Brasa Norte", target_geo="Monterrey")
    _published(platform, other)
    other_slug = "brasa-norte"
    action, outcome = process_experiment_decision(platform, other_slug, "exp-9", "a", instance)
    assert outcome is not None and outcome.status == "completed"
    # The angle that won for the first client (not one of the second's own first pair) is its first choice.
    assert won not in {t.angle for t in action.state.history}
    assert action.challenger.angle == won
    # Only the angle crossed: the words are the second client's own.
    assert "tacoloco" not in action.challenger.copy_.model_dump_json().lower()
    # None of the first client's distinctive words appear on the second's site.
    site = "\n".join(p.read_text("utf-8") for p in (platform.output_dir / other_slug / "site").glob("*.html"))
    first_words = {"TacoLoco", "CDMX"}
    first_state = load_state(platform.output_dir, SLUG)
    for entry in [first_state.a, first_state.b]:
        first_words |= {w for w in re.findall(r"\w{6,}", entry.copy_.headline) if w.lower() not in site.lower()}
    for word in first_words:
        assert word.lower() not in site.lower(), word


def test_winning_angles_exclude_the_client_itself_and_losers() -> None:
    ids = {
        "angle:bold-0:won:a:e1",
        "angle:bold-0:won:b:e2",
        "angle:warm-1:won:c:e3",
        "angle:warm-1:lost:d:e4",
        "angle:local:won:me:e5",
        "not-an-angle",
    }
    assert preferred_angles(angle_scores(ids, exclude_slug="me")) == ["bold-0"]


def test_the_offline_challenger_never_repeats_a_tried_headline_and_runs_out() -> None:
    brief = ClientBrief.model_validate(TACO)
    start = HeroState(a=HeroEntry(copy=HeroCopy(headline="x", subheadline="y", cta_label="z")))
    first = offline_challenger(brief, start)
    assert first is not None
    state = HeroState(a=HeroEntry(copy=first.copy_, angle=first.angle))
    headlines = {first.copy_.headline}
    while (nxt := offline_challenger(brief, state)) is not None:
        assert nxt.copy_.headline not in headlines
        headlines.add(nxt.copy_.headline)
        state = state.model_copy(update={"b": None, "history": [*state.history, *_tried(nxt)]})
    assert len(headlines) >= 8  # the house angles, each once


def _tried(entry: HeroEntry) -> list:
    from deznity_assets.herocopy import TriedCopy, now

    c = entry.copy_
    return [
        TriedCopy(
            experiment_id="e",
            role="b",
            headline=c.headline,
            subheadline=c.subheadline,
            cta_label=c.cta_label,
            angle=entry.angle,
            outcome="lost",
            decided_at=now(),
        )
    ]


def test_decided_copy_is_escaped_on_the_page(tacoloco_inputs: SiteInputs) -> None:
    hostile = HeroCopy(headline='<script>alert("x")</script> & co', subheadline="<b>bold</b>", cta_label="Go")
    state = HeroState(a=HeroEntry(copy=hostile), b=None)
    seo, show_b = apply_to_seo(tacoloco_inputs.seo, state)
    assert not show_b
    site = render_site(
        tacoloco_inputs.brief,
        slug=tacoloco_inputs.slug,
        structure=tacoloco_inputs.structure,
        design=tacoloco_inputs.design,
        seo=seo,
        content=tacoloco_inputs.content,
        base_url=tacoloco_inputs.base_url,
        form_action="/api/forms/{form}",
        show_b=show_b,
    )
    page = site.files["index.html"]
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "index-b.html" not in site.files


# ----- the content agent writes the challenger (the LLM layer, on the OpenAI-compatible test server) ------


def _answer_challengers(server: OpenAICompatibleServer, mistake: str | None = None) -> None:
    def route(body: dict) -> Behaviour | None:
        if body["response_format"]["json_schema"]["name"] != "HeroChallenger":
            return None
        return content(lambda b: challenger_answer(b, mistake=mistake))

    server.route = route


def _decide_with_model(platform, instance, provider, slug, experiment_id, winner):
    action = apply_experiment_decision(
        platform.control,
        instance,
        slug,
        experiment_id,
        winner,
        memory=platform.resources["memory"].get_memory(),
        writer=challenger_writer(provider, slug),
    )
    outcome = run_planned(action.plan, platform, instance)
    assert outcome.status == "completed", outcome.error
    return action


def test_the_content_agent_writes_from_the_industry_winners_without_another_clients_words(
    platform: Platform, instance: dg.DagsterInstance, llm_server: OpenAICompatibleServer, make_provider
) -> None:
    _answer_challengers(llm_server)
    provider = make_provider()
    _published(platform, TACO)
    _decide_with_model(platform, instance, provider, SLUG, "exp-1", "a")
    _decide_with_model(platform, instance, provider, SLUG, "exp-2", "b")
    first = load_state(platform.output_dir, SLUG)
    won = first.a.angle
    assert won not in (ORIGINAL, MODEL)
    first_headlines = [first.a.copy_.headline, first.b.copy_.headline, *(t.headline for t in first.history)]

    other_slug = "brasa-norte"
    _published(platform, dict(TACO, business_name="Brasa Norte", target_geo="Monterrey"))
    before = len(llm_server.completions)
    action = _decide_with_model(platform, instance, provider, other_slug, "exp-9", "a")
    [request] = llm_server.completions[before:]
    prompt = json.dumps(request, ensure_ascii=False)
    # The prompt carries the winning angle (its structure and id), not the first client's words.
    assert f"Hero angle {won} (won for this industry)" in prompt
    assert "tacoloco" not in prompt.lower() and "CDMX" not in prompt
    # The first client's headlines, but for house copy the two share (the sector's offer, the same template).
    own = {t.headline for t in action.state.history} | {action.state.a.copy_.headline}
    distinctive = [h for h in first_headlines if h not in own]
    assert distinctive, "the first client tried copy of its own"
    for headline in distinctive:
        assert json.dumps(headline, ensure_ascii=False)[1:-1] not in prompt, headline
    # Client text is fenced as data: the brief and the history only inside their tags.
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    history = user.split("<upstream_deliverables>", 1)[1].split("</upstream_deliverables>", 1)[0]
    assert "Brasa Norte" not in user.replace(history, "").split("<client_brief>")[0]
    assert action.challenger.angle == won
    site = "\n".join(p.read_text("utf-8") for p in (platform.output_dir / other_slug / "site").glob("*.html"))
    assert _hero(platform, "index-b.html", other_slug) == action.challenger.copy_.headline
    assert "tacoloco" not in site.lower()


@pytest.mark.parametrize("mistake", ["repeat", "rating"])
def test_a_model_challenger_that_repeats_or_invents_is_replaced_by_the_offline_one(
    platform: Platform,
    instance: dg.DagsterInstance,
    llm_server: OpenAICompatibleServer,
    make_provider,
    mistake: str,
) -> None:
    _answer_challengers(llm_server, mistake)
    provider = make_provider()
    _published(platform, TACO)
    first_a = _hero(platform)
    action = _decide_with_model(platform, instance, provider, SLUG, "exp-1", "a")
    asked = [b for b in llm_server.completions if b["response_format"]["json_schema"]["name"] == "HeroChallenger"]
    # The rating broke the rules: one repair request was sent, and the repair broke them again.
    assert len(asked) == (2 if mistake == "rating" else 1)
    challenger = _hero(platform, "index-b.html")
    assert challenger != first_a and challenger == action.challenger.copy_.headline
    page = (platform.output_dir / SLUG / "site" / "index-b.html").read_text("utf-8")
    assert "4.9" not in page


def test_a_damaged_state_file_is_named_with_the_fix(tmp_path) -> None:
    path = state_path(tmp_path, "tacoloco")
    path.parent.mkdir(parents=True)
    path.write_text('{"a": {"copy": {"headline": 3}}}', "utf-8")
    with pytest.raises(ExperimentError, match=r"experiments/hero.json of tacoloco: not a hero state .*delete it"):
        load_state(tmp_path, "tacoloco")
    assert load_state(tmp_path, "other") is None


def test_a_decision_recorded_in_the_store_is_acted_on_once_by_the_next_pass(
    platform: Platform, instance: dg.DagsterInstance
) -> None:
    """The handover: the decision path records it, `deznity autonomous --once`'s pass acts on it, once."""
    from deznity_assets.runner import act_on_experiments

    _published(platform, TACO)
    first_a, first_b = _hero(platform), _hero(platform, "index-b.html")
    store = platform.store
    started = store.start_experiment(SLUG)
    assert started is not None
    figures = {"variants": {"a": {"visitors": 900, "conversions": 40}, "b": {"visitors": 910, "conversions": 80}}}
    assert store.record_experiment_decision(started["id"], decision="b_better", winner="b", figures=figures, event=None)
    # A client in a run keeps its decision for a later pass.
    platform.control.claim_client(SLUG)
    assert act_on_experiments(platform, instance) == []
    assert [d["id"] for d in store.pending_experiment_decisions()] == [started["id"]]
    store.mark_completed(SLUG, run_id=None)

    [outcome] = act_on_experiments(platform, instance)
    assert outcome.status == "completed", outcome
    assert _hero(platform) == first_b and _hero(platform, "index-b.html") not in (first_a, first_b)
    assert store.pending_experiment_decisions() == []
    [recorded] = [e for e in store.experiments_of(SLUG, limit=5) if e["id"] == started["id"]]
    assert recorded["acted_at"] is not None and recorded["outcome"].startswith("B won")
    state = load_state(platform.output_dir, SLUG)
    assert state is not None and state.decisions == [started["id"]]
    assert [t.figures for t in state.history if t.role == "b"] == [
        {"a_visitors": 900, "a_conversions": 40, "b_visitors": 910, "b_conversions": 80}
    ]
    # Nothing left to do: the next pass launches no run.
    assert act_on_experiments(platform, instance) == []
