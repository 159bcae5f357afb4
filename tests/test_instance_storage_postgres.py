"""The production instance's storage: dagster-postgres's with its connections kept open, still correct."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from deznity_assets.config import DAGSTER_PG_SCHEME, DAGSTER_POSTGRES_YAML
from deznity_assets.instance_storage_postgres import (
    PG_ENGINES,
    PooledPostgresEventLogStorage,
    PooledPostgresRunStorage,
    PooledPostgresScheduleStorage,
)
from tests.plugins.postgres import libpq_url
from tests.test_instance_storage import _materialize


@pytest.fixture
def pg_home(tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DAGSTER_HOME with deploy/dagster.yaml, its instance in a new PostgreSQL database."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(DAGSTER_POSTGRES_YAML, home / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.setenv("DEZNITY_DAGSTER_PG_URL", postgres_url.replace("postgresql+psycopg://", DAGSTER_PG_SCHEME, 1))
    return home


@pytest.fixture
def connections_opened() -> list[int]:
    """Counts every SQLAlchemy connection opened (to any database) while the test runs."""
    opened: list[int] = []

    def count(*_: object) -> None:
        opened.append(1)

    event.listen(Pool, "connect", count)
    yield opened
    event.remove(Pool, "connect", count)


def test_the_production_instance_uses_the_pooled_storage(pg_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        storage = instance.get_ref().storage_data
        assert storage is not None and storage.class_name == "DeznityPostgresStorage"
        assert isinstance(instance.event_log_storage, PooledPostgresEventLogStorage)
        assert isinstance(instance.run_storage, PooledPostgresRunStorage)
        assert isinstance(instance.schedule_storage, PooledPostgresScheduleStorage)
        assert instance.get_runs() == []  # the tables were made


def test_a_run_opens_a_few_server_connections_not_one_per_event(pg_home: Path, connections_opened: list[int]) -> None:
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        _materialize(instance, "warm-up")
        connections_opened.clear()
        result = _materialize(instance, "acme")
        assert result.success
        assert len(instance.all_logs(result.run_id)) > 20
    # dagster-postgres alone opens one server connection per event written and per query.
    assert len(connections_opened) <= 4, len(connections_opened)


def test_another_instance_in_the_process_neither_reconnects_nor_lists_the_tables(
    pg_home: Path, connections_opened: list[int]
) -> None:
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        instance.get_runs()
    connections_opened.clear()
    # As the code server opens one for every sensor tick and execution plan.
    for _ in range(5):
        with dg.DagsterInstance.from_config(str(pg_home)) as instance:
            assert instance.get_runs() == []
            assert instance.event_log_storage.supports_asset_checks
    assert len(connections_opened) <= 1, len(connections_opened)


def test_what_a_run_wrote_is_read_by_another_process(pg_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        result = _materialize(instance, "acme")
        written = len(instance.all_logs(result.run_id))
    reader = (
        "import dagster as dg\n"
        "with dg.DagsterInstance.get() as inst:\n"
        f"    logs = inst.all_logs({result.run_id!r})\n"
        "    record = inst.get_latest_materialization_event(dg.AssetKey('second'))\n"
        f"    run = inst.get_run_by_id({result.run_id!r})\n"
        "    print(len(logs), record.dagster_event.partition, run.status.value)\n"
    )
    out = subprocess.run([sys.executable, "-c", reader], env=os.environ.copy(), capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == [str(written), "acme", "SUCCESS"]


def _child_materializes(home: str, queue: multiprocessing.Queue) -> None:
    with dg.DagsterInstance.from_config(home) as instance:
        queue.put(_materialize(instance, "child").success)


def test_a_forked_child_uses_connections_of_its_own(pg_home: Path) -> None:
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        _materialize(instance, "parent")  # the parent's pool holds open connections now
        queue: multiprocessing.Queue = multiprocessing.get_context("fork").Queue()
        child = multiprocessing.get_context("fork").Process(target=_child_materializes, args=(str(pg_home), queue))
        child.start()
        child.join(120)
        assert child.exitcode == 0 and queue.get(timeout=5) is True
        # The parent's connections were not used (nor closed) by the child: they still work.
        assert _materialize(instance, "parent-again").success
        records = instance.fetch_materializations(dg.AssetKey("second"), limit=10).records
        partitions = {record.partition_key for record in records}
        assert partitions == {"parent", "child", "parent-again"}


def test_a_connection_the_server_closed_is_replaced(pg_home: Path, postgres_url: str) -> None:
    with dg.DagsterInstance.from_config(str(pg_home)) as instance:
        _materialize(instance, "before")
        engine = PG_ENGINES.get(os.environ["DEZNITY_DAGSTER_PG_URL"])
        assert engine.pool.checkedin() >= 1  # idle connections kept open
        # An idle connection dropped by the server (a restart, a proxy's idle timeout).
        dbname = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(libpq_url(postgres_url).rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            )
        assert _materialize(instance, "after").success
        assert len(instance.get_runs()) == 2
