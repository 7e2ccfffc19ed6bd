"""The scan marts built by the real ``dbt build`` from a scans folder read by ``ingest_scans``.

One small warehouse for the module: a scans folder made of committed samples goes through
the reader (real files, real pyzbar) in the runs each test's GIVEN names, a handful of
archive rows are inserted by hand, and dbt builds the scan marts and their parents once.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingest.contract import create_raw_tables
from scans.ingest import ingest_scans
from tests.dbt.conftest import run_dbt
from tests.scans.conftest import SAMPLES

AS_OF = "2026-11-27 17:30:00"
DOCUMENT_COLUMNS = (
    "doc_id, barcode, cust_no, proc_id, step_id, doc_type, category, pages, added_at, added_by, updated_at"
)
# GIVEN: the archive's documents, one of them with a barcode of another format than the
# generator's (JX + 8 digits), as a real archive's may be.
DOCUMENTS = [
    ("DJX", "JX00000171", "C1", None, None, "CONTRACT", "expansion", 1, "2026-10-01 09:00:00"),
    ("DUP", "DG202401000001", "C1", None, None, "APPLICATION", "expansion", 1, "2026-10-01 09:00:00"),
]


@dataclass(frozen=True)
class ScanWarehouse:
    scans_dir: Path
    path: Path

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ScanWarehouse:
    """The scans folder read with the default settings (no barcode pattern), then dbt."""
    root = tmp_path_factory.mktemp("scan_marts")
    scans_dir = root / "scans"
    scans_dir.mkdir()
    for name in ("code128-foreign-format-jx.png", "stray-barcode.png", "code128-upright.png"):
        shutil.copy(SAMPLES / name, scans_dir / name)
    database = root / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        create_raw_tables(con)
        con.executemany(
            f"insert into raw.documents ({DOCUMENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'A1', ?)",
            [(*row, row[-1]) for row in DOCUMENTS],
        )
        ingest_scans(con, scans_dir, workers=1)
    run_dbt(
        database,
        "build",
        "--select",
        "+scan_pages +unmatched_barcodes +customer_documents",
        # The archive here is a few hand rows: the other models' data tests are not its point.
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
        "--vars",
        json.dumps({"as_of": AS_OF}),
    )
    return ScanWarehouse(scans_dir, database)


def test_foreign_barcode_format_links_without_configuration(built: ScanWarehouse) -> None:
    """GIVEN a page printed with JX00000171, a document with that barcode and no pattern set
    WHEN read and built THEN the page is decoded, links to the document, and the document
    counts as scanned by that file."""
    assert built.rows(
        "select barcodes, decode_status, doc_id from marts.scan_pages "
        "where file_path = 'code128-foreign-format-jx.png'"
    ) == [("JX00000171", "decoded", "DJX")]
    assert built.rows("select scanned, scan_file from marts.customer_documents where doc_id = 'DJX'") == [
        (True, "code128-foreign-format-jx.png")
    ]


def test_code_matching_nothing_is_listed_with_its_file_and_page(built: ScanWarehouse) -> None:
    """GIVEN a page whose only code (a meter label) equals no document or dossier barcode
    WHEN built THEN the page keeps the code, is decoded but linked to nothing, and the code
    is listed as unmatched with its file and page."""
    assert built.rows(
        "select barcodes, decode_status, doc_id, dossier_id from marts.scan_pages "
        "where file_path = 'stray-barcode.png'"
    ) == [("METER-0042-ZJ", "decoded", None, None)]
    assert built.rows("select barcode, file_path, page_no from marts.unmatched_barcodes order by 1") == [
        ("METER-0042-ZJ", "stray-barcode.png", 1)
    ]
