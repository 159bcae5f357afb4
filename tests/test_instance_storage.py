"""The embedded instance's storage: Dagster's SQLite storage with its connections kept open, still correct."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import pytest
from sqlalchemy import event
from sqlalchemy.pool import Pool

from deznity_assets.instance_storage import (
    OPEN_RUN_DATABASES,
    PooledSqliteEventLogStorage,
    PooledSqliteRunStorage,
    PooledSqliteScheduleStorage,
    SqliteEngines,
)
from deznity_assets.platform import Platform

ITEMS = dg.DynamicPartitionsDefinition(name="items")


@dg.asset(partitions_def=ITEMS)
def first() -> int:
    """An upstream value."""
    return 1


@dg.asset(partitions_def=ITEMS)
def second(first: int) -> int:
    """A downstream value, loaded through the IO manager."""
    return first + 1


@dg.asset_check(asset=second)
def second_is_checked() -> dg.AssetCheckResult:
    """A check, so the run writes check events to the index too."""
    return dg.AssetCheckResult(passed=True)


JOB = dg.Definitions(assets=[first, second], asset_checks=[second_is_checked]).resolve_implicit_global_asset_job_def()


def _materialize(instance: dg.DagsterInstance, key: str) -> dg.ExecuteInProcessResult:
    instance.add_dynamic_partitions("items", [key])
    return JOB.execute_in_process(partition_key=key, instance=instance)


@pytest.fixture
def connections_opened() -> list[int]:
    """Counts every SQLAlchemy connection opened (to any database) while the test runs."""
    opened: list[int] = []

    def count(*_: object) -> None:
        opened.append(1)

    event.listen(Pool, "connect", count)
    yield opened
    event.remove(Pool, "connect", count)


def test_the_embedded_instance_uses_the_pooled_storage(platform: Platform) -> None:
    with platform.instance() as instance:
        storage = instance.get_ref().storage_data
        assert storage is not None and storage.class_name == "DeznitySqliteStorage"
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        assert isinstance(instance.run_storage, PooledSqliteRunStorage)
        assert isinstance(instance.schedule_storage, PooledSqliteScheduleStorage)


def test_a_run_opens_a_few_connections_not_one_per_event(platform: Platform, connections_opened: list[int]) -> None:
    with platform.instance() as instance:
        _materialize(instance, "warm-up")  # the databases exist before counting
        connections_opened.clear()
        result = _materialize(instance, "acme")
        assert result.success
        events = instance.all_logs(result.run_id)
        assert len(events) > 20
        # Dagster's own SQLite storage opens one connection per event written and per query.
        assert len(connections_opened) <= 6, len(connections_opened)


def test_commits_to_the_wal_databases_do_not_wait_for_the_disk(platform: Platform, tmp_path: Path) -> None:
    import sqlite3

    with platform.instance() as instance:
        result = _materialize(instance, "acme")
        storage = instance.event_log_storage
        assert isinstance(storage, PooledSqliteEventLogStorage)
        for shard in (result.run_id, "index"):
            with storage.run_connection(shard) as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1, shard  # NORMAL
    # A database in another journal mode keeps SQLite's default (FULL), which it needs.
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).close()
    engines = SqliteEngines(1, {})
    with engines.get(f"sqlite:///{plain}").connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    engines.close_all()


def test_what_a_run_wrote_is_read_by_another_process(platform: Platform) -> None:
    with platform.instance() as instance:
        result = _materialize(instance, "acme")
        written = len(instance.all_logs(result.run_id))
        reader = (
            "import dagster as dg, sys\n"
            "from dagster import AssetKey\n"
            "with dg.DagsterInstance.get() as inst:\n"
            f"    logs = inst.all_logs({result.run_id!r})\n"
            "    record = inst.get_latest_materialization_event(AssetKey('second'))\n"
            "    run = inst.get_run_by_id(" + repr(result.run_id) + ")\n"
            "    print(len(logs), record.dagster_event.partition, run.status.value)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", reader], env=os.environ.copy(), capture_output=True, text=True, check=True
        )
        assert out.stdout.split() == [str(written), "acme", "SUCCESS"]


def test_a_wipe_closes_the_connections_and_the_next_run_is_stored(platform: Platform) -> None:
    with platform.instance() as instance:
        _materialize(instance, "before")
        instance.wipe()
        assert instance.get_runs() == []
        result = _materialize(instance, "after")
        assert result.success
        assert [r.run_id for r in instance.get_runs()] == [result.run_id]
        assert instance.get_latest_materialization_event(dg.AssetKey("second")).dagster_event.partition == "after"


def _report_in_child(home: str) -> None:
    os.environ["DAGSTER_HOME"] = home
    instance = dg.DagsterInstance.get()
    instance.report_runless_asset_event(dg.AssetMaterialization("from_child"))
    assert instance.get_latest_materialization_event(dg.AssetKey("from_child")) is not None


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_uses_connections_of_its_own(platform: Platform) -> None:
    with platform.instance() as instance:
        instance.report_runless_asset_event(dg.AssetMaterialization("from_parent"))
        child = multiprocessing.get_context("fork").Process(target=_report_in_child, args=(os.environ["DAGSTER_HOME"],))
        child.start()
        child.join(60)
        assert child.exitcode == 0
        instance.report_runless_asset_event(dg.AssetMaterialization("from_parent_again"))
        for key in ("from_parent", "from_child", "from_parent_again"):
            assert instance.get_latest_materialization_event(dg.AssetKey(key)) is not None, key


def _open_run_databases(home: str) -> set[str]:
    # Only this instance's: an earlier test of the same process may keep its own instance's files open.
    names = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if (
            target.startswith(home)
            and target.endswith(".db")
            and "/history/runs/" in target
            and not target.endswith("/index.db")
        ):
            names.add(target)
    return names


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="reads the open files from /proc")
def test_only_the_latest_run_databases_stay_open(platform: Platform) -> None:
    with platform.instance() as instance:
        for i in range(OPEN_RUN_DATABASES + 6):
            _materialize(instance, f"client-{i}")
        assert len(instance.get_runs()) == OPEN_RUN_DATABASES + 6
        home = str(Path(os.environ["DAGSTER_HOME"]).resolve())
        assert 0 < len(_open_run_databases(home)) <= OPEN_RUN_DATABASES
    assert not _open_run_databases(home)


def test_threads_share_the_storage(platform: Platform) -> None:
    with platform.instance() as instance:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(15):
                    instance.report_runless_asset_event(dg.AssetMaterialization(f"thread_{n}", partition=str(i)))
                    instance.get_runs(limit=5)
                    instance.get_latest_materialization_event(dg.AssetKey(f"thread_{n}"))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        for n in range(6):
            record = instance.get_latest_materialization_event(dg.AssetKey(f"thread_{n}"))
            assert record is not None and record.dagster_event.partition == "14"


def test_a_dagster_yaml_naming_its_storage_keeps_it(tmp_path: Path) -> None:
    (tmp_path / "dagster.yaml").write_text(
        "instance_class:\n  module: deznity_assets.instance\n  class: DeznityInstance\n"
        f"storage:\n  sqlite:\n    base_dir: {tmp_path / 'elsewhere'}\n"
    )
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        storage = instance.get_ref().storage_data
        assert storage is not None and storage.class_name == "DagsterSqliteStorage"
        assert not isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        assert not isinstance(instance.run_storage, PooledSqliteRunStorage)
