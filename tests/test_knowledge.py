"""House knowledge: splitting, idempotent seeding, retrieval for tasks, per-client decisions."""

from __future__ import annotations

import shutil

from deznity_assets.brief import REFERENCE_CLIENTS, validate_brief
from deznity_assets.memory.knowledge import (
    KNOWLEDGE_DIR,
    load_passages,
    remember_decision,
    retrieve_for_task,
    seed_knowledge,
    split_passages,
)


def test_knowledge_base_covers_the_house_topics():
    passages = load_passages()
    titles = " | ".join(p.title for p in passages)
    for topic in (
        "manifesto",
        "Hero",
        "Social proof",
        "Features",
        "How it works",
        "Pricing",
        "FAQ",
        "Footer",
        "Gantt",
        "Bugz",
        "client analysis",
        "web development",
        "content creation",
        "testing and validation",
        "deployment",
        "Human review",
        "Enterprise",
    ):
        assert topic.lower() in titles.lower(), topic
    assert len({p.id for p in passages}) == len(passages)
    growth = next(p for p in passages if p.title.endswith("— Growth"))
    assert "647" in growth.text and "699" in growth.text


def test_seed_is_idempotent_and_replaces_changed_passages(vector_memory, tmp_path):
    folder = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, folder)
    first = seed_knowledge(vector_memory, folder)
    assert first["upserted"] == first["passages"] > 30 and first["deleted"] == 0
    assert seed_knowledge(vector_memory, folder) == {**first, "upserted": 0, "unchanged": first["passages"]}
    pricing = folder / "plans_pricing.md"
    pricing.write_text(pricing.read_text().replace("\n297 USD", "\n319 USD"))
    third = seed_knowledge(vector_memory, folder)
    assert (third["upserted"], third["deleted"]) == (1, 1)
    assert vector_memory.stats("deznity-core").count == first["passages"]
    hit = vector_memory.query("deznity-core", "starter plan monthly USD setup", 1)[0]
    assert "319 USD" in hit.text


def test_retrieve_for_task_uses_the_task_and_the_brief(vector_memory):
    seed_knowledge(vector_memory)
    taco = validate_brief(REFERENCE_CLIENTS[4])
    seo = retrieve_for_task(vector_memory, "SEO agent: keywords, meta titles and descriptions, schema.org", taco)
    assert len(seo) == 4 and any("SEO" in p.title for p in seo[:2])
    assert not any("Human review" in p.title for p in seo)
    clinic = validate_brief({**REFERENCE_CLIENTS[4], "business_name": "Clinica Sol", "industry": "health"})
    plan = retrieve_for_task(vector_memory, "PM agent: plan the project milestones", clinic, k=3)
    assert len(plan) == 3 and plan[0].title.startswith("Human review")


def test_remember_decision_stores_and_replaces_per_task(vector_memory):
    long_text = "Menu page sections and calls to action. " * 250
    assert remember_decision(vector_memory, "tacoloco", "web", "site_structure", long_text) == 3
    remember_decision(vector_memory, "tacoloco", "seo", "seo_copy", "Keywords: tacos CDMX, reservas")
    assert remember_decision(vector_memory, "tacoloco", "web", "site_structure", "Pages: home, menu, book") == 1
    assert vector_memory.list_ids("client-tacoloco") == {"web:site_structure:0", "seo:seo_copy:0"}
    hit = vector_memory.query("client-tacoloco", "keywords tacos CDMX", 1)[0]
    assert hit.title == "seo seo_copy" and hit.source == "client-tacoloco"
    assert vector_memory.stats("deznity-core").count == 0


def test_split_passages_uses_headings(tmp_path):
    doc = tmp_path / "x.md"
    doc.write_text("# Title\nintro ignored\n## One\nfirst\n## Empty\n## Two\nsecond\n")
    assert [(p.title, p.text) for p in split_passages(doc)] == [("Title — One", "first"), ("Title — Two", "second")]
