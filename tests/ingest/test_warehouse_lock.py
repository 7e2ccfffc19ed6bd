"""One build at a time per warehouse, and no publish over a version the build did not
start from: real processes hold and lose the lock."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest import warehouse as wh

PROJECT_ROOT = Path(__file__).resolve().parents[2]
HOLD = (
    "import sys, time; from pathlib import Path; from ingest import warehouse as wh; "
    "wh.acquire_lock(Path(sys.argv[1]), 'other-run'); print('held', flush=True); time.sleep(120)"
)


def _holding_process(warehouse: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(warehouse)], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "held"
    return process


def _publish_table(warehouse: Path, value: int) -> Path:
    work = wh.prepare_build_copy(warehouse)
    with duckdb.connect(str(work)) as con:
        con.execute("create or replace table t as select ? as v", [value])
    return wh.publish(work, warehouse)


def test_a_second_process_is_refused_while_the_first_holds_the_lock_and_takes_it_once_that_one_dies(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = _holding_process(warehouse)
    try:
        with pytest.raises(
            wh.WarehouseBusyError, match=rf"being built by pid {holder.pid} since .* \(run other-run\)"
        ):
            wh.prepare_build_copy(warehouse)
        assert not list(wh.build_dir(warehouse).glob("*.duckdb"))
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()

    holder_now, taken = wh.acquire_lock(warehouse, "mine")
    assert taken
    assert holder_now.pid == os.getpid()
    assert json.loads(wh.lock_file(warehouse).read_text(encoding="utf-8"))["run_id"] == "mine"
    assert wh.release_lock(warehouse)
    assert not wh.lock_file(warehouse).exists()


def test_a_lock_whose_pid_now_belongs_to_another_process_is_stale(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    # The parent process is alive, but it did not start at this tick: the pid was reused.
    stale = {"pid": os.getppid(), "process_start": "1", "started_at": "2026-01-01 00:00:00", "run_id": "old"}
    wh.lock_file(warehouse).write_text(json.dumps(stale), encoding="utf-8")

    holder, taken = wh.acquire_lock(warehouse, "new")

    assert taken
    assert (holder.pid, holder.run_id) == (os.getpid(), "new")


def test_publish_refuses_a_build_copied_from_a_version_no_longer_published(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    _publish_table(warehouse, 1)
    first = wh.prepare_build_copy(warehouse)
    second = wh.prepare_build_copy(warehouse)
    with duckdb.connect(str(second)) as con:
        con.execute("create or replace table t as select 2 as v")
    published = wh.publish(second, warehouse)

    with pytest.raises(wh.PublishConflictError, match=f"now publishes {published.name}"):
        wh.publish(first, warehouse)

    assert wh.published_version(warehouse) == published.name
    with wh.connect_published(warehouse) as con:
        assert con.execute("select v from t").fetchall() == [(2,)]


def test_publish_refuses_while_another_live_process_holds_the_lock(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    work = wh.build_dir(warehouse) / "20260101T000000-x.duckdb"
    work.parent.mkdir(parents=True)
    duckdb.connect(str(work)).close()
    holder = _holding_process(warehouse)
    try:
        with pytest.raises(
            wh.WarehouseBusyError, match=f"not publishing 20260101T000000-x.duckdb: .* pid {holder.pid}"
        ):
            wh.publish(work, warehouse)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert wh.published_version(warehouse) is None


def test_taking_the_lock_from_a_dead_build_removes_its_leftover_copy(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    holder = _holding_process(warehouse)
    leftover = wh.build_dir(warehouse) / "20260101T000000-dead.duckdb"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half a copy")
    holder.send_signal(signal.SIGKILL)
    holder.wait()

    work = wh.prepare_build_copy(warehouse, "next")

    assert not leftover.exists()
    # Nothing is published yet, so the new copy starts empty: only its base record exists.
    assert [path.name for path in wh.build_dir(warehouse).iterdir()] == [f"{work.name}.base"]


def test_a_build_that_spilled_to_disk_ends_cleanly_and_leaves_no_spill_folder(tmp_path: Path) -> None:
    """GIVEN a build whose DuckDB outgrew its memory_limit and spilled into the folder
    beside its copy (``<copy>.tmp``), still open when the build ends
    WHEN the build's lock is released (its leftovers removed)
    THEN that ends without an error, and no spill folder is left behind."""
    warehouse = tmp_path / "warehouse.duckdb"
    with wh.build_lock(warehouse, "spilling-run"):
        work = wh.prepare_build_copy(warehouse, "spilling-run")
        con = duckdb.connect(str(work))
        con.execute("set memory_limit = '64MB'")
        con.execute("set threads = 1")
        con.execute("set preserve_insertion_order = false")
        con.execute(
            "create table sorted as select i, md5(i::varchar) as h from range(2000000) t(i) order by h"
        )
        spill = work.with_name(work.name + ".tmp")
        assert spill.is_dir(), "DuckDB did not spill: the test needs a smaller memory_limit or more rows"
    con.close()
    assert not spill.exists()
