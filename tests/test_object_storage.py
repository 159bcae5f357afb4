"""Object storage through the real clients (s3fs, boto3) against a local S3 server (moto's server mode)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto.server import ThreadedMotoServer

from deznity_assets.brief import REFERENCE_CLIENTS
from deznity_assets.llm.cache import ResponseCache, cache_key
from deznity_assets.package import mirror_package
from deznity_assets.platform import Platform
from deznity_assets.resources import AgentProviderResource, MemoryResource, OpenAIResource, StorageResource
from deznity_assets.runner import run_client
from tests.plugins.platform import env_for

BUCKET = "deznity-test"
KEYS = {"AWS_ACCESS_KEY_ID": "testing-key", "AWS_SECRET_ACCESS_KEY": "testing-secret", "AWS_REGION": "us-east-1"}


@pytest.fixture(scope="module")
def s3_endpoint():
    """An S3-compatible server on 127.0.0.1 with an empty bucket."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    _client(endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


def _client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        region_name=KEYS["AWS_REGION"],
    )


def _keys(endpoint: str, prefix: str) -> set[str]:
    pages = _client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def _storage(endpoint: str, **fields: str) -> StorageResource:
    return StorageResource(
        endpoint_url=endpoint,
        access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
        secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        region=KEYS["AWS_REGION"],
        **fields,
    )


def test_a_client_run_keeps_step_outputs_and_package_in_the_bucket(s3_endpoint, tmp_path, instance):
    env = env_for(
        tmp_path,
        DEZNITY_EMBEDDINGS="hashing",
        DEZNITY_STORAGE_URL=f"s3://{BUCKET}/steps",
        DEZNITY_PACKAGES_URL=f"s3://{BUCKET}/packages",
        DEZNITY_S3_ENDPOINT_URL=s3_endpoint,
        **KEYS,
    )
    platform = Platform.from_env(env)
    store = platform.store
    row = store.claim_client(str(store.add_client(REFERENCE_CLIENTS[4]).slug))
    outcome = run_client(row, platform, instance)
    assert outcome.status == "completed", outcome.error

    # Step outputs: each deliverable as typed JSON, where the next step's pod reads it.
    steps = _keys(s3_endpoint, "steps/deliverables/")
    assert "steps/deliverables/client_brief/tacoloco.json" in steps
    assert "steps/deliverables/bootstrap_summary/tacoloco.json" in steps
    body = _client(s3_endpoint).get_object(Bucket=BUCKET, Key="steps/deliverables/client_brief/tacoloco.json")
    assert json.loads(body["Body"].read())["model"] == "ClientBrief"
    assert not (platform.settings.dagster_home_path / "storage" / "deliverables").exists()

    # The published package: the same files as output/tacoloco/, the summary among them.
    local = platform.output_dir / "tacoloco"
    expected = {f"packages/tacoloco/{p.relative_to(local).as_posix()}" for p in local.rglob("*") if p.is_file()}
    assert _keys(s3_endpoint, "packages/tacoloco/") == expected
    summary = _client(s3_endpoint).get_object(Bucket=BUCKET, Key="packages/tacoloco/BOOTSTRAP_SUMMARY.md")
    assert summary["Body"].read() == (local / "BOOTSTRAP_SUMMARY.md").read_bytes()

    # Vector memory is no bucket's business: SQLite's locks need a local disk (Pinecone is the shared one).
    remote = MemoryResource(openai=OpenAIResource(), embeddings="hashing", memory_dir=f"s3://{BUCKET}/memory")
    with pytest.raises(ValueError, match="DEZNITY_MEMORY_DIR: s3:// is not supported"):
        remote.open_memory()


def test_a_republished_package_drops_the_files_it_no_longer_has(s3_endpoint):
    root = _storage(s3_endpoint).path(f"s3://{BUCKET}/mirror")
    mirror_package(root, "acme", {"BOOTSTRAP_SUMMARY.md": "v1", "site/index.html": "<p>1</p>", "site/old.html": "x"})
    mirror_package(root, "acme", {"BOOTSTRAP_SUMMARY.md": "v2", "site/index.html": "<p>2</p>"})
    assert _keys(s3_endpoint, "mirror/acme/") == {"mirror/acme/BOOTSTRAP_SUMMARY.md", "mirror/acme/site/index.html"}
    assert (root / "acme" / "BOOTSTRAP_SUMMARY.md").read_text() == "v2"


def test_the_llm_cache_is_shared_through_the_bucket(s3_endpoint, tmp_path):
    storage = _storage(s3_endpoint)
    agents = AgentProviderResource(
        provider="compatible",
        base_url="http://127.0.0.1:9/v1",
        model="m",
        cache_dir=f"s3://{BUCKET}/llm-cache",
        openai=OpenAIResource(),
        storage=storage,
    )
    config = agents.llm_config()
    writer, reader = ResponseCache(config.cache_dir), ResponseCache(config.cache_dir)
    key = cache_key(model="m", prompt="hello")
    assert reader.get(key) is None
    writer.put(key, {"content": '{"ok": true}', "usage": {"prompt_tokens": 3}})
    # Another process (a run pod) with the same setting finds the answer.
    assert reader.get(key) == {"content": '{"ok": true}', "usage": {"prompt_tokens": 3}}
    assert f"llm-cache/{key[:2]}/{key}.json" in _keys(s3_endpoint, "llm-cache/")
