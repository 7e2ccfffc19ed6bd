"""A CSV line too long for the reader is a reject with its line number and key, never a
row that silently disappears; the independent record count backs this up."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from ingest import csv_count
from ingest.contract import TABLES_BY_NAME, create_raw_tables
from ingest.csv_count import count_records
from ingest.load import load_table
from ingest.sources import FolderSource
from tests.ingest.conftest import good_rows, write_csv

# Longer than DuckDB's CSV buffer (about 32 MB): such a line used to vanish without a reject.
HUGE = 40 * 1024 * 1024


def _append_customer(path: Path, address: str) -> None:
    """A customer row C7 whose address is ``address`` (quoted or not, as given)."""
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(
            f"C7,note,客户七,residential,low,single,{address},U1,S1,2020-01-05,,2026-01-01 08:00:00\r\n"
        )
        handle.write("C8,note,客户八,residential,low,single,短地址,U1,S1,2020-01-05,,2026-01-01 08:00:00\r\n")


def _load_customers(con: duckdb.DuckDBPyConnection, folder: Path):
    source = FolderSource(folder)
    for name in ("supply_units", "teams", "staff"):
        assert load_table(con, TABLES_BY_NAME[name], source, run_id="r").status == "ok"
    return load_table(con, TABLES_BY_NAME["customers"], source, run_id="r")


@pytest.mark.parametrize("quoted", [False, True], ids=["unquoted", "quoted"])
def test_line_longer_than_the_reader_buffer_is_rejected_with_its_line_and_key(
    tmp_path: Path, quoted: bool
) -> None:
    folder = write_csv(tmp_path, good_rows())
    path = folder / "marketing" / "customers.csv"
    huge = "x" * HUGE
    _append_customer(path, f'"{huge}"' if quoted else huge)
    con = duckdb.connect()
    create_raw_tables(con)
    load = _load_customers(con, folder)

    # 3 good rows + C7 (too long) + C8: header is line 1, C1..C3 lines 2-4, C7 line 5.
    assert (load.status, load.source_rows, load.loaded_rows, load.rejected_rows) == ("ok", 5, 4, 1)
    assert con.execute("select cust_no from raw.customers order by cust_no").fetchall() == [
        ("C1",),
        ("C2",),
        ("C3",),
        ("C8",),
    ]
    rejects = con.execute(
        "select row_key, row_number, reason from raw.ingest_rejects where table_name = 'customers'"
    ).fetchall()
    assert len(rejects) == 1
    key, row_number, reason = rejects[0]
    assert (key, row_number) == ("C7", 4)
    assert reason.startswith("marketing.customers line 5 of the CSV file: malformed line")
    # "C7,note,客户七,residential,low,single," is 41 bytes, the tail from ",U1" 38.
    assert f"{HUGE + 79 + (2 if quoted else 0):,} bytes" in reason


def test_record_count_follows_quotes_blank_lines_and_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(
        b'\xef\xbb\xbfid,name\r\n1,"two\nlines"\r\n\r\n2,"a ""quoted"" word"\n\n3,' + b"y" * 30 + b"\n4,last"
    )
    counted = count_records(path, max_record_bytes=25)

    # Records: header, 1 (spans two lines), blank, 2, blank, 3 (32 bytes), 4 without a final LF.
    assert counted.data_records == 4
    assert [(r.line, r.length) for r in counted.long_records] == [(6, 32)]
    assert counted.long_records[0].offset == path.read_bytes().index(b"3,y")
    assert counted.mixed_line_ends


@pytest.mark.parametrize("chunk", [1, 2, 3, 7])
def test_counting_and_normalising_do_not_depend_on_where_chunks_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b'id,name\r\n1,"a\r\nb"\r\n2,"x ""y"""\n' + b"3," + b"z" * 30 + b"\r\n4,w\r\n")
    monkeypatch.setattr(csv_count, "CHUNK_BYTES", chunk)
    counted = count_records(path, max_record_bytes=25)
    copy = csv_count.normalised_copy(path, counted.long_records, tmp_path / "copy.csv")

    assert counted.data_records == 4
    assert [(r.line, r.length) for r in counted.long_records] == [(4, 32)]
    assert counted.mixed_line_ends
    # CRLF line ends become LF; the CRLF inside the quoted field stays; record 4 is emptied.
    assert copy.read_bytes() == b'id,name\n1,"a\r\nb"\n2,"x ""y"""\n\n4,w\n'
