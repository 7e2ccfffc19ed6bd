"""Determinism, the SQLite copies, the Parquet option and the manifest command."""

from __future__ import annotations

import csv
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.contract import TABLES
from ingest.synthetic.generate import generate_tables

from .conftest import END, SEED


def _table_bytes(folder: Path) -> dict[str, bytes]:
    return {
        f"{table.system}/{table.name}": (folder / table.system / f"{table.name}.csv").read_bytes()
        for table in TABLES
    }


@pytest.fixture(scope="module")
def same_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_tables("tiny", SEED, tmp_path_factory.mktemp("again") / "set", scans="none").out


def test_same_seed_gives_byte_identical_tables(tiny: Path, same_seed: Path) -> None:
    first, second = _table_bytes(tiny), _table_bytes(same_seed)
    assert first.keys() == second.keys()
    for name in first:
        assert first[name] == second[name], f"{name} differs between two runs with seed {SEED}"


def test_same_seed_gives_identical_sqlite_rows(tiny: Path, same_seed: Path) -> None:
    for table in TABLES:
        assert _sqlite_rows(tiny, table.system, table.name) == _sqlite_rows(
            same_seed, table.system, table.name
        )


def test_a_different_seed_gives_different_data(tiny: Path, tmp_path: Path) -> None:
    other = generate_tables("tiny", SEED + 1, tmp_path / "other", scans="none").out
    differing = [name for name, data in _table_bytes(other).items() if data != _table_bytes(tiny)[name]]
    assert "marketing/processes" in differing
    assert "archive/documents" in differing


def _sqlite_rows(folder: Path, system: str, name: str) -> list[tuple]:
    with sqlite3.connect(folder / f"{system}.sqlite") as connection:
        return sorted(connection.execute(f"select * from {name}").fetchall(), key=repr)


def _as_text(value: object, column_type: str) -> str | None:
    if value is None:
        return None
    if column_type == "bool":
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_sqlite_database_holds_the_same_rows_as_the_folder_table(tiny: Path, table) -> None:
    with (tiny / table.system / f"{table.name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        folder_rows = sorted((tuple(v if v != "" else None for v in row) for row in reader), key=repr)
    with sqlite3.connect(tiny / f"{table.system}.sqlite") as connection:
        columns = [row[1] for row in connection.execute(f"pragma table_info({table.name})")]
        assert columns == table.column_names
        db_rows = connection.execute(f"select * from {table.name}").fetchall()
    types = [column.type for column in table.columns]
    db_text = sorted(
        (tuple(_as_text(v, t) for v, t in zip(row, types, strict=True)) for row in db_rows), key=repr
    )
    assert len(folder_rows) == len(db_text) > 0
    assert folder_rows == db_text


def test_sqlite_timestamps_are_iso_text(tiny: Path) -> None:
    with sqlite3.connect(tiny / "marketing.sqlite") as connection:
        accepted, opened = connection.execute(
            "select p.accepted_at, c.opened_on from processes as p join customers as c using (cust_no) limit 1"
        ).fetchone()
    assert len(accepted) == 19 and accepted[10] == " "
    assert len(opened) == 10 and opened[4] == "-"


def test_parquet_option_writes_the_same_rows_typed(tiny: Path, tmp_path: Path) -> None:
    out = generate_tables("tiny", SEED, tmp_path / "pq", scans="none", table_format="parquet").out
    con = duckdb.connect()
    for name in ("processes", "documents"):
        system = "marketing" if name == "processes" else "archive"
        csv_rows = con.execute(
            f"select * from read_csv('{tiny / system / name}.csv', all_varchar = true) order by 1"
        ).fetchall()
        pq_rows = con.execute(
            f"select columns(*)::varchar from '{out / system / name}.parquet' order by 1"
        ).fetchall()
        assert csv_rows == pq_rows
    kinds = {
        row[0]: row[1]
        for row in con.execute(
            f"describe select * from '{out / 'marketing' / 'processes'}.parquet'"
        ).fetchall()
    }
    assert kinds["accepted_at"].startswith("TIMESTAMP")


def test_manifest_states_scale_span_counts_and_suggested_as_of(tiny: Path) -> None:
    manifest = json.loads((tiny / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scale"] == "tiny" and manifest["seed"] == SEED
    assert manifest["end"] == manifest["as_of"] == END
    assert manifest["start"] == "2026-07-01 00:00:00"
    con = duckdb.connect()
    for table in TABLES:
        rows = con.execute(
            f"select count(*) from read_csv('{tiny / table.system / table.name}.csv', all_varchar = true)"
        ).fetchone()[0]
        assert manifest["counts"][table.name] == rows


def test_manifest_command_prints_the_suggested_as_of(tiny: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ingest.synthetic.manifest", str(tiny), "as_of"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == END
    missing = subprocess.run(
        [sys.executable, "-m", "ingest.synthetic.manifest", str(tiny), "no_such_key"],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 1 and "no_such_key" in missing.stderr


def test_end_moves_the_whole_data_set(tmp_path: Path) -> None:
    out = generate_tables("tiny", SEED, tmp_path / "early", scans="none", end="2026-06-30 12:00:00").out
    con = duckdb.connect()
    latest = con.execute(
        f"select max(accepted_at)::varchar from read_csv('{out}/marketing/processes.csv', all_varchar = true)"
    ).fetchone()[0]
    assert latest <= "2026-06-30 12:00:00"
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["as_of"] == "2026-06-30 12:00:00"


def test_unknown_scale_and_bad_scans_option_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate_tables("huge", SEED, tmp_path / "x")
    with pytest.raises(ValueError, match="scans"):
        generate_tables("tiny", SEED, tmp_path / "y", scans="many")


def test_province_scale_streams_the_eleven_prefectures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Zhejiang organisation and id ranges, on a reduced volume (the full scale is benchmark-only)."""
    from ingest.synthetic import generate as module

    monkeypatch.setattr(module, "PROC_CHUNK", 1_000)
    monkeypatch.setitem(module.SCALES, "zhejiang", module.Scale(3_000, 20_000, 12, "csv", 0, 0.05))
    out = generate_tables("zhejiang", SEED, tmp_path / "zj", scans="none").out
    con = duckdb.connect()
    units = con.execute(
        f"select count(*), count(distinct left(unit_code, 4)) from read_csv('{out}/marketing/supply_units.csv', "
        "all_varchar = true)"
    ).fetchone()
    assert units[0] > 80 and units[1] == 11
    procs = con.execute(
        f"select count(*), count(distinct proc_id) from read_csv('{out}/marketing/processes.csv', all_varchar = true)"
    ).fetchone()
    assert procs == (3_000, 3_000)
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["start"] == "2025-12-01 00:00:00"
