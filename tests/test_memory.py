"""Vector memory on SQLite and on Pinecone (local data-plane server via the real SDK), embedders, doctor."""

from __future__ import annotations

import pytest

from deznity_assets.memory import client_namespace
from deznity_assets.memory.doctor import check_memory
from deznity_assets.memory.embeddings import HashingEmbedder
from deznity_assets.memory.pinecone_store import PineconeMemory
from deznity_assets.memory.sqlite import SqliteMemory
from deznity_assets.resources import resources_from_env

DOCS = [
    (
        "pricing",
        "Plans and pricing: starter, growth and enterprise monthly fees with a setup fee",
        {"title": "Pricing", "source": "plans.md"},
    ),
    (
        "review",
        "Human review for health, legal and finance content before publishing",
        {"title": "Review", "source": "review.md", "tags": ["regulated"]},
    ),
    (
        "hero",
        "The hero section: headline, sub-headline and one call to action",
        {"title": "Hero", "source": "templates.md", "extra": {"nested": 1}},
    ),
]


def test_upsert_query_ranks_by_meaning(vector_memory):
    assert vector_memory.upsert("deznity-core", DOCS) == 3
    hits = vector_memory.query("deznity-core", "pricing of the growth plan: monthly fees", top_k=2)
    assert hits[0].title == "Pricing" and len(hits) == 2
    assert hits[0].source == "plans.md" and hits[0].text.startswith("Plans and pricing")
    assert 0 < hits[0].score <= 1.0 and hits[0].score > hits[1].score
    assert vector_memory.query("deznity-core", "legal review before publishing", 1)[0].title == "Review"
    assert vector_memory.query("client-nobody", "anything", 3) == []


def test_upsert_replaces_by_id_and_namespaces_are_separate(vector_memory):
    vector_memory.upsert("deznity-core", DOCS)
    vector_memory.upsert("deznity-core", [("pricing", "Pricing changed: ask sales", {"title": "Pricing v2"})])
    vector_memory.upsert(client_namespace("tacoloco"), [("pm:plan:0", "TacoLoco plan", {"title": "plan"})])
    assert vector_memory.stats("deznity-core").count == 3
    assert vector_memory.query("deznity-core", "pricing changed ask sales", 1)[0].title == "Pricing v2"
    assert vector_memory.list_ids("client-tacoloco") == {"pm:plan:0"}
    assert vector_memory.list_ids("deznity-core", prefix="pr") == {"pricing"}
    vector_memory.delete("deznity-core", ["hero"])
    assert vector_memory.list_ids("deznity-core") == {"pricing", "review"}
    vector_memory.delete_namespace("deznity-core")
    assert vector_memory.stats("deznity-core").count == 0
    assert vector_memory.stats("client-tacoloco").count == 1 and vector_memory.stats("client-tacoloco").bytes > 0


def test_bad_namespace_is_named(vector_memory):
    with pytest.raises(ValueError, match="namespace='Client Taco'"):
        vector_memory.upsert("Client Taco", DOCS)


def test_hashing_embedder_is_deterministic_and_normalised():
    one, two = HashingEmbedder(), HashingEmbedder()
    a = one.embed(["Increase reservations for TacoLoco"])[0]
    assert a == two.embed(["Increase reservations for TacoLoco"])[0]
    assert len(a) == 1536 and sum(v * v for v in a) == pytest.approx(1.0)
    assert one.embed([""])[0] == [0.0] * 1536


def test_hashing_embedder_matches_scikit_learns_vectors():
    # Figures from scikit-learn's murmurhash3_32 and HashingVectorizer, which this embedder replaced:
    # memories stored before the change must still be found by the same queries.
    from deznity_assets.memory.embeddings import murmurhash3_32

    assert [murmurhash3_32(s.encode()) for s in ("foo", "deznity", "café ñandú", "abc")] == [
        -156908512,
        -822565001,
        1308696785,
        -1277324294,
    ]
    vector = HashingEmbedder().embed(["Café TacoLoco: tacos, tacos!"])[0]
    nonzero = {i: round(v, 6) for i, v in enumerate(vector) if v}
    assert nonzero == {49: 0.333333, 619: 0.333333, 730: 0.666667, 1215: 0.333333, 1420: 0.333333, 1526: 0.333333}


def memory_resource(env: dict[str, str]):
    return resources_from_env(env)["memory"]


def memory_from_env(env: dict[str, str]):
    return memory_resource(env).open_memory()


def embedder_from_env(env: dict[str, str]):
    return memory_resource(env).embedder()


def test_embedder_choice_from_env():
    assert embedder_from_env({}).name == "hashing-1536"
    assert embedder_from_env({"OPENAI_API_KEY": "sk-test", "DEZNITY_EMBEDDINGS": "hashing"}).name == "hashing-1536"
    assert embedder_from_env({"OPENAI_API_KEY": "sk-test"}).name == "openai-text-embedding-3-small"
    with pytest.raises(ValueError, match="DEZNITY_EMBEDDINGS"):
        embedder_from_env({"DEZNITY_EMBEDDINGS": "word2vec"})


def test_openai_embeddings_over_the_wire(tmp_path):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen = []

    class Embeddings(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.path, body["model"], body["dimensions"], self.headers["Authorization"]))
            data = [
                {"object": "embedding", "index": i, "embedding": [float(len(t) % 7 + 1)] + [0.0] * 1535}
                for i, t in enumerate(body["input"])
            ]
            out = json.dumps(
                {
                    "object": "list",
                    "data": data,
                    "model": body["model"],
                    "usage": {"prompt_tokens": 1, "total_tokens": 1},
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Embeddings)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        env = {
            "OPENAI_API_KEY": "sk-test",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{server.server_port}/v1",
            "DEZNITY_STATE_DIR": str(tmp_path),
        }
        memory = memory_from_env(env)
        assert isinstance(memory, SqliteMemory) and memory.embedder.name == "openai-text-embedding-3-small"
        memory.upsert("deznity-core", DOCS[:2])
        assert seen[0][:3] == ("/v1/embeddings", "text-embedding-3-small", 1536)
        assert seen[0][3] == "Bearer sk-test"
    finally:
        server.shutdown()
        server.server_close()


def test_memory_from_env_picks_backend(tmp_path, pinecone_plane):
    local = memory_from_env({"DEZNITY_STATE_DIR": str(tmp_path)})
    assert isinstance(local, SqliteMemory) and local.path.is_relative_to(tmp_path / "memory")
    remote = memory_from_env(
        {
            "DEZNITY_STATE_DIR": str(tmp_path),
            "PINECONE_API_KEY": pinecone_plane.api_key,
            "PINECONE_HOST": pinecone_plane.host,
        }
    )
    assert isinstance(remote, PineconeMemory)
    remote.upsert("deznity-core", DOCS)
    assert pinecone_plane.namespaces["deznity-core"]["pricing"][1]["text"].startswith("Plans and pricing")
    assert ("POST", "/vectors/upsert") in pinecone_plane.requests


def test_pinecone_wrong_key_is_refused(pinecone_plane):
    memory = PineconeMemory("wrong-key", HashingEmbedder(), host=pinecone_plane.host)
    with pytest.raises(Exception, match="(?i)api key|401|unauthori"):
        memory.upsert("deznity-core", DOCS)


def test_check_memory_reports_index_shape(tmp_path, pinecone_plane):
    env = {
        "DEZNITY_STATE_DIR": str(tmp_path),
        "PINECONE_API_KEY": pinecone_plane.api_key,
        "PINECONE_HOST": pinecone_plane.host,
    }
    assert all(ok for _, ok, _ in check_memory(memory_resource(env)))
    pinecone_plane.dimension, pinecone_plane.metric = 768, "dotproduct"
    failed = {name: msg for name, ok, msg in check_memory(memory_resource(env)) if not ok}
    assert "dimension 1536" in failed["pinecone dimension"] and "cosine" in failed["pinecone metric"]
    bad = check_memory(memory_resource({**env, "PINECONE_API_KEY": "nope"}))
    assert not bad[-1][1] and "PINECONE_API_KEY" in bad[-1][2]
    assert "nope" not in bad[-1][2]
    local = check_memory(memory_resource({"DEZNITY_STATE_DIR": str(tmp_path)}))
    assert local[-1][1] and "SQLite memory" in local[-1][2]
