"""Duplicate keys and unique values are settled by one rule in full and incremental loads:
raw after incremental loads equals raw after one full load of the final source, and every
row not kept, whether read now or loaded earlier, is listed in ``raw.ingest_rejects``."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest

from ingest.contract import SYSTEMS
from ingest.limits import IngestLimits, read_limits
from ingest.load import TableLoad, load_system
from ingest.sources import FolderSource
from tests.ingest.conftest import Rows, _rows, good_rows, raw_snapshot, write_csv

STEPS = "archive.archive_steps"
# What a unique-value reject or displacement ends with (the claimant created first holds it).
ARCH_RULE = "; the row with the earliest created_at, then the smallest arch_step_id, holds a unique value"
DOC_RULE = "; the row with the earliest added_at, then the smallest doc_id, holds a unique value"


def source(folder: Path, rows: Rows) -> FolderSource:
    return FolderSource(write_csv(folder, rows))


# No overlap window: these cases are worked out row by row for an incremental load that
# reads exactly from the watermark (the window only adds rows read again).
EXACT = IngestLimits(shrink_max_share=read_limits().shrink_max_share, overlap=timedelta(0))


def load(con: duckdb.DuckDBPyConnection, src: FolderSource, run_id: str, **kwargs) -> dict[str, TableLoad]:
    loads = {}
    for system in SYSTEMS:
        for item in load_system(con, system, src, run_id=run_id, limits=EXACT, **kwargs):
            assert item.status == "ok", item.error
            loads[item.table] = item
    return loads


def rejects(con: duckdb.DuckDBPyConnection, run_id: str, table: str) -> list[tuple]:
    """(row_key, row_number, column_name, reason) of one run and table; displaced rows last."""
    return con.execute(
        "select row_key, row_number, column_name, reason from raw.ingest_rejects "
        "where run_id = ? and table_name = ? order by row_number nulls last, row_key, column_name",
        [run_id, table],
    ).fetchall()


def displaced_raw_row(con: duckdb.DuckDBPyConnection, run_id: str, key: str) -> dict:
    text = con.execute(
        "select raw_row from raw.ingest_rejects where run_id = ? and row_key = ? and row_number is null",
        [run_id, key],
    ).fetchone()[0]
    return json.loads(text)


def archive_steps(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        "select arch_step_id, step_id, review_result from raw.archive_steps order by arch_step_id"
    ).fetchall()


def counts(con: duckdb.DuckDBPyConnection, run_id: str, table: str) -> tuple[int, int, int]:
    return con.execute(
        "select source_rows, loaded_rows, rejected_rows from raw.ingest_runs where run_id = ? and table_name = ?",
        [run_id, table],
    ).fetchone()


def a1_reviewed(result: str) -> dict[str, str | None]:
    """A1 as the archive has it after a second review on 10 February."""
    row = dict(good_rows()["archive_steps"][0])
    row.update(reviewed_at="2026-02-10 10:00:00", review_result=result, updated_at="2026-02-10 10:00:00")
    return row


def test_second_archive_step_for_one_marketing_step_is_settled_alike_in_incremental_and_full_loads(
    tmp_path: Path,
) -> None:
    """Day 2 brings A3, a second archive step for ST1; day 3 a new review of A1.

    The holder of ST1 is the step created first: A1 (7 January), on day 2 and still on day 3
    after its review moved its updated_at past A3's (1 February).
    """
    day1 = good_rows()
    day2 = copy.deepcopy(day1)
    day2["archive_steps"] += _rows(
        "archive_steps",
        ("A3", "ST1", "P1", "2026-02-01 09:00:00", None, None, "S2", None, None, "2026-02-01 09:00:00"),
    )
    day3 = copy.deepcopy(day2)
    day3["archive_steps"][0] = a1_reviewed("returned")
    sources = [source(tmp_path / f"day{n}", rows) for n, rows in enumerate((day1, day2, day3), start=1)]

    incremental = duckdb.connect()
    fulls = []
    day_loads = []
    for n, src in enumerate(sources, start=1):
        day_loads.append(load(incremental, src, f"day-{n}"))
        full = duckdb.connect()
        load(full, src, "full", full_refresh=True)
        assert raw_snapshot(incremental) == raw_snapshot(full), f"day {n}"
        fulls.append(full)
        if n == 2:
            assert archive_steps(incremental) == [("A1", "ST1", "accepted"), ("A2", "ST3", None)]

    # Day 2, incremental: read from the watermark (A1's 7 January 10:00): A1 is row 1, A3 row 2.
    assert rejects(incremental, "day-2", "archive_steps") == [
        (
            "A3",
            2,
            "step_id",
            f'{STEPS} row 2 (arch_step_id=A3): column step_id: unique value "ST1" is held by '
            f'arch_step_id "A1" (row 1 of this load){ARCH_RULE}',
        )
    ]
    # The same source in one full load: A3 is the third row.
    assert rejects(fulls[1], "full", "archive_steps") == [
        (
            "A3",
            3,
            "step_id",
            f'{STEPS} row 3 (arch_step_id=A3): column step_id: unique value "ST1" is held by '
            f'arch_step_id "A1" (row 1 of this load){ARCH_RULE}',
        )
    ]

    # Day 3: the watermark is still A1's (A3 never reached raw), so A1 (row 1) and A3 (row 2)
    # are read; A1, created first, keeps ST1 with its new review, and A3 is rejected again.
    assert archive_steps(incremental) == [("A1", "ST1", "returned"), ("A2", "ST3", None)]
    assert rejects(incremental, "day-3", "archive_steps") == [
        (
            "A3",
            2,
            "step_id",
            f'{STEPS} row 2 (arch_step_id=A3): column step_id: unique value "ST1" is held by '
            f'arch_step_id "A1" (row 1 of this load){ARCH_RULE}',
        )
    ]
    assert rejects(fulls[2], "full", "archive_steps") == [
        (
            "A3",
            3,
            "step_id",
            f'{STEPS} row 3 (arch_step_id=A3): column step_id: unique value "ST1" is held by '
            f'arch_step_id "A1" (row 1 of this load){ARCH_RULE}',
        )
    ]
    steps_day3 = day_loads[2]["archive_steps"]
    assert (steps_day3.source_rows, steps_day3.loaded_rows, steps_day3.rejected_rows) == (2, 1, 1)
    assert steps_day3.displaced_rows == 0
    assert counts(incremental, "day-3", "archive_steps") == (2, 1, 1)


def test_raw_row_gone_from_the_source_is_displaced_by_a_newcomer_holding_its_barcode(
    tmp_path: Path,
) -> None:
    """D2 is deleted at the source (raw keeps it: there is no deletion feed) and D0 is
    registered with D2's barcode in the very second of the watermark. D0 and D2 tie on
    added_at; D0 is the smaller doc_id, so D0 holds the barcode and D2 leaves raw."""
    day1 = good_rows()
    day2 = copy.deepcopy(day1)
    day2["documents"] = [
        day2["documents"][0],
        *_rows(
            "documents",
            (
                "D0",
                "DG000000000002",
                "C2",
                None,
                None,
                "身份证明",
                "other",
                "1",
                "2026-01-06 10:40:00",
                "S3",
                "2026-01-06 10:40:00",
            ),
        ),
    ]
    incremental = duckdb.connect()
    load(incremental, source(tmp_path / "day1", day1), "day-1")
    final = source(tmp_path / "day2", day2)
    lines: list[str] = []
    loads = load(incremental, final, "day-2", progress=lines.append)
    full = duckdb.connect()
    load(full, final, "full", full_refresh=True)

    assert raw_snapshot(incremental) == raw_snapshot(full)
    assert incremental.execute("select doc_id, barcode from raw.documents order by doc_id").fetchall() == [
        ("D0", "DG000000000002"),
        ("D1", "DG000000000001"),
    ]
    assert rejects(incremental, "day-2", "documents") == [
        (
            "D2",
            None,
            "barcode",
            'archive.documents raw row (doc_id=D2): column barcode: displaced: unique value "DG000000000002" '
            f'is held by doc_id "D0" (row 1 of this load){DOC_RULE}',
        )
    ]
    removed = displaced_raw_row(incremental, "day-2", "D2")
    assert (removed["doc_id"], removed["barcode"], removed["pages"]) == ("D2", "DG000000000002", 1)
    assert rejects(full, "full", "documents") == []
    # Only D0 was read (D1 is older than the watermark), loaded and counted.
    documents = loads["documents"]
    assert (documents.source_rows, documents.loaded_rows, documents.rejected_rows) == (1, 1, 0)
    assert documents.displaced_rows == 1
    assert counts(incremental, "day-2", "documents") == (1, 1, 0)
    assert "archive.documents: 1 rows loaded, 0 rejected, 1 earlier raw rows displaced (incremental)" in lines


def test_unique_value_kept_in_raw_stays_with_its_holder_against_a_later_newcomer(tmp_path: Path) -> None:
    """D3 (1 March) takes D1's barcode; D1 (5 January), loaded earlier and not read again,
    keeps it in an incremental load exactly as in a full load of the same source."""
    day2 = good_rows()
    day2["documents"] += _rows(
        "documents",
        (
            "D3",
            "DG000000000001",
            "C2",
            None,
            None,
            "复印件",
            "other",
            "1",
            "2026-03-01 10:00:00",
            "S3",
            "2026-03-01 10:00:00",
        ),
    )
    incremental = duckdb.connect()
    load(incremental, source(tmp_path / "day1", good_rows()), "day-1")
    final = source(tmp_path / "day2", day2)
    load(incremental, final, "day-2")
    full = duckdb.connect()
    load(full, final, "full", full_refresh=True)

    assert raw_snapshot(incremental) == raw_snapshot(full)
    # Incremental: D2 (the watermark's second) is row 1, D3 row 2; D1 is in raw only.
    assert rejects(incremental, "day-2", "documents") == [
        (
            "D3",
            2,
            "barcode",
            'archive.documents row 2 (doc_id=D3): column barcode: unique value "DG000000000001" is already '
            f'held in raw.documents by doc_id "D1"{DOC_RULE}',
        )
    ]
    assert rejects(full, "full", "documents") == [
        (
            "D3",
            3,
            "barcode",
            'archive.documents row 3 (doc_id=D3): column barcode: unique value "DG000000000001" is held by '
            f'doc_id "D1" (row 1 of this load){DOC_RULE}',
        )
    ]


def both_ways(
    tmp_path: Path, final: Rows, **kwargs
) -> tuple[duckdb.DuckDBPyConnection, duckdb.DuckDBPyConnection]:
    """``final`` loaded incrementally after the good rows (run ``day-2``, with ``kwargs``),
    and in one full load of its own (run ``full``)."""
    incremental = duckdb.connect()
    load(incremental, source(tmp_path / "day1", good_rows()), "day-1")
    final_source = source(tmp_path / "day2", final)
    load(incremental, final_source, "day-2", **kwargs)
    full = duckdb.connect()
    load(full, final_source, "full", full_refresh=True)
    return incremental, full


def with_a1_copies(*copies: dict[str, str | None]) -> Rows:
    """The good rows with A1 replaced by the first copy and the others appended.

    The archive watermark after the good rows is A1's 7 January 10:00, so an incremental
    load reads exactly the A1 copies: the first is row 1, the second row 2. A full load
    reads the first copy as row 1, A2 as row 2, the second copy as row 3.
    """
    rows = good_rows()
    rows["archive_steps"][0] = copies[0]
    rows["archive_steps"] += list(copies[1:])
    return rows


A1 = good_rows()["archive_steps"][0]
A1_APPEARS = 'column arch_step_id: primary key value "A1" appears 2 times in this load; '


@pytest.mark.parametrize(
    ("copies", "kept", "column", "incremental_reason", "full_reason"),
    [
        pytest.param(
            (A1, A1),
            ("A1", "ST1", "accepted"),
            "arch_step_id",
            f"{STEPS} row 2 (arch_step_id=A1): {A1_APPEARS}identical to row 1, which is kept",
            f"{STEPS} row 3 (arch_step_id=A1): {A1_APPEARS}identical to row 1, which is kept",
            id="identical-copies-keep-one",
        ),
        pytest.param(
            (a1_reviewed("returned"), A1),
            ("A1", "ST1", "returned"),
            "arch_step_id",
            f"{STEPS} row 2 (arch_step_id=A1): {A1_APPEARS}its updated_at 2026-01-07 10:00:00 is older "
            "than row 1's 2026-02-10 10:00:00, which is kept",
            f"{STEPS} row 3 (arch_step_id=A1): {A1_APPEARS}its updated_at 2026-01-07 10:00:00 is older "
            "than row 1's 2026-02-10 10:00:00, which is kept",
            id="newer-copy-wins",
        ),
        pytest.param(
            (A1, a1_reviewed("lost")),
            ("A1", "ST1", "accepted"),
            "review_result",
            f'{STEPS} row 2 (arch_step_id=A1): column review_result: value "lost" is not one of '
            "accepted/returned",
            f'{STEPS} row 3 (arch_step_id=A1): column review_result: value "lost" is not one of '
            "accepted/returned",
            id="broken-newer-copy-takes-no-part",
        ),
    ],
)
def test_copies_of_one_primary_key_keep_one_row_alike_in_both_modes(
    tmp_path: Path, copies: tuple, kept: tuple, column: str, incremental_reason: str, full_reason: str
) -> None:
    incremental, full = both_ways(tmp_path, with_a1_copies(*copies))

    assert raw_snapshot(incremental) == raw_snapshot(full)
    assert archive_steps(incremental) == [kept, ("A2", "ST3", None)]
    assert rejects(incremental, "day-2", "archive_steps") == [("A1", 2, column, incremental_reason)]
    assert rejects(full, "full", "archive_steps") == [("A1", 3, column, full_reason)]
    assert counts(incremental, "day-2", "archive_steps") == (2, 1, 1)
    assert counts(full, "full", "archive_steps") == (3, 2, 1)


def test_copies_of_one_key_tied_at_the_latest_updated_at_reject_the_key_and_its_earlier_raw_row(
    tmp_path: Path,
) -> None:
    incremental, full = both_ways(tmp_path, with_a1_copies(a1_reviewed("returned"), a1_reviewed("accepted")))

    assert raw_snapshot(incremental) == raw_snapshot(full)
    assert archive_steps(incremental) == [("A2", "ST3", None)]
    tie = "differ and share the latest updated_at 2026-02-10 10:00:00"
    assert rejects(incremental, "day-2", "archive_steps") == [
        (
            "A1",
            1,
            "arch_step_id",
            f"{STEPS} row 1 (arch_step_id=A1): {A1_APPEARS}rows 1, 2 {tie}, so every copy is rejected",
        ),
        (
            "A1",
            2,
            "arch_step_id",
            f"{STEPS} row 2 (arch_step_id=A1): {A1_APPEARS}rows 1, 2 {tie}, so every copy is rejected",
        ),
        (
            "A1",
            None,
            "arch_step_id",
            f"{STEPS} raw row (arch_step_id=A1): column arch_step_id: displaced: this load holds 2 copies "
            f"of the key and rows 1, 2 {tie}, so the key keeps no row",
        ),
    ]
    removed = displaced_raw_row(incremental, "day-2", "A1")
    assert (removed["reviewed_at"], removed["review_result"]) == ("2026-01-07 10:00:00", "accepted")
    assert rejects(full, "full", "archive_steps") == [
        (
            "A1",
            1,
            "arch_step_id",
            f"{STEPS} row 1 (arch_step_id=A1): {A1_APPEARS}rows 1, 3 {tie}, so every copy is rejected",
        ),
        (
            "A1",
            3,
            "arch_step_id",
            f"{STEPS} row 3 (arch_step_id=A1): {A1_APPEARS}rows 1, 3 {tie}, so every copy is rejected",
        ),
    ]
    assert counts(incremental, "day-2", "archive_steps") == (2, 0, 2)
    assert counts(full, "full", "archive_steps") == (3, 1, 2)


def test_differing_copies_of_a_key_in_a_table_without_updated_at_are_all_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows["dossiers"] += _rows(
        "dossiers", ("J1", "JZ0000000001", "C1", "P1", "S2", "2026-01-09 09:00:00", None, "柜1-1")
    )
    # J1 keeps no row: half the dossiers go, beyond the shrink limit, so the load is told.
    incremental, full = both_ways(tmp_path, rows, allow_shrink={"dossiers"})

    assert raw_snapshot(incremental) == raw_snapshot(full)
    assert incremental.execute("select dossier_id from raw.dossiers").fetchall() == [("J2",)]
    expected = [
        (
            "J1",
            row,
            "dossier_id",
            f'archive.dossiers row {row} (dossier_id=J1): column dossier_id: primary key value "J1" '
            "appears 2 times in this load; rows 1, 3 differ, so every copy is rejected",
        )
        for row in (1, 3)
    ]
    assert rejects(incremental, "day-2", "dossiers") == expected
    assert rejects(full, "full", "dossiers") == expected
