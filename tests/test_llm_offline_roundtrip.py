"""All seven agent tasks through the LLM provider, the server answering with the offline generator's content."""

from __future__ import annotations

import pytest

from deznity_assets.agents.roster import TASKS
from tests.plugins.llm import context_for
from tests.servers import openai_compatible as srv

offline = pytest.importorskip("deznity_assets.agents.offline", reason="the offline generator is not in the tree yet")


@pytest.mark.parametrize("client_index", [0, 4])  # FitTrack (English), TacoLoco (Spanish)
def test_every_task_returns_its_typed_deliverable(make_provider, llm_server, client_index):
    generator = offline.OfflineGenerator()
    provider = make_provider()
    ctx = context_for(client_index)
    for task in TASKS.values():
        expected = generator.run(task, ctx).output
        llm_server.script(srv.content(expected.model_dump_json()))
        result = provider.run(task, ctx)
        assert type(result.output) is task.output_model and result.output == expected
        assert result.usage.repaired is False and result.usage.tokens_out > 0
        body = llm_server.completions[-1]
        assert body["response_format"]["json_schema"]["name"] == task.output_model.__name__
        for upstream in task.inputs:  # earlier deliverables reach the prompt
            assert f'"{upstream}"' in body["messages"][1]["content"]
        ctx.upstream[task.key] = result.output
    stats = provider.stats()
    assert (stats["runs"], stats["requests"], stats["repairs"], stats["errors"]) == (7, 7, 0, 0)
