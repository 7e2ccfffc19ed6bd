"""The scan marts built by the real ``dbt build`` from a scans folder read by ``ingest_scans``.

One small warehouse for the module: a scans folder made of committed samples goes through
the reader (real files, real pyzbar) in the runs each test's GIVEN names, a handful of
archive rows are inserted by hand, and dbt builds the scan marts and their parents once.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from ingest.contract import create_raw_tables
from scans.ingest import ingest_scans
from tests.dbt.conftest import run_dbt
from tests.scans.conftest import SAMPLES

AS_OF = "2026-11-27 17:30:00"
ADDED_AT = "2026-10-01 09:00:00"
DOCUMENT_COLUMNS = (
    "doc_id, barcode, cust_no, proc_id, step_id, doc_type, category, pages, added_at, added_by, updated_at"
)
# GIVEN: the archive's documents, one with a barcode of another format than the generator's
# (JX + 8 digits, as a real archive's may be), and one per sample file the runs below use.
DOCUMENTS = {
    "DJX": "JX00000171",  # code128-foreign-format-jx.png
    "DUP": "DG202401000001",  # code128-upright.png and its copy
    "DDEL": "DG202401000002",  # code128-upright-200dpi.jpg, deleted after the first run
    "DOLD": "DG202401000003",  # code128-rotated-90.png, the first content of rewritten.png
    "DRETRY": "DG202401000004",  # code128-rotated-180.png, gone during the first run's read
    "DNEW": "DG202401000006",  # code128-skewed.png, rewritten.png's content after the rewrite
}


@dataclass(frozen=True)
class ScanWarehouse:
    scans_dir: Path
    path: Path
    first_run_paths: dict[str, tuple[str, str | None]]

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def _during_the_read(scans_dir: Path) -> Callable[[str], None]:
    """A progress callback that, once the files are hashed and before any is read, deletes
    one file and rewrites another: what an operator or a scanner may do mid-run."""

    def act(message: str) -> None:
        if "to read" in message:
            (scans_dir / "code128-rotated-180.png").unlink()
            shutil.copy(SAMPLES / "code128-skewed.png", scans_dir / "rewritten.png")

    return act


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ScanWarehouse:
    """Two runs with the default settings (no barcode pattern), then dbt. First run: six
    samples, a copy of one, a file deleted and one rewritten while it is read. Second run:
    the deleted file is back, another file is gone."""
    root = tmp_path_factory.mktemp("scan_marts")
    scans_dir = root / "scans"
    (scans_dir / "copies").mkdir(parents=True)
    for name in (
        "code128-foreign-format-jx.png",
        "stray-barcode.png",
        "code128-upright.png",
        "code128-upright-200dpi.jpg",
        "code128-rotated-180.png",
    ):
        shutil.copy(SAMPLES / name, scans_dir / name)
    shutil.copy(SAMPLES / "code128-upright.png", scans_dir / "copies" / "upright-copy.png")
    shutil.copy(SAMPLES / "code128-rotated-90.png", scans_dir / "rewritten.png")
    database = root / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        create_raw_tables(con)
        con.executemany(
            f"insert into raw.documents ({DOCUMENT_COLUMNS}) "
            "values (?, ?, 'C1', null, null, 'CONTRACT', 'expansion', 1, ?, 'A1', ?)",
            [(doc_id, barcode, ADDED_AT, ADDED_AT) for doc_id, barcode in DOCUMENTS.items()],
        )
        ingest_scans(con, scans_dir, workers=1, progress=_during_the_read(scans_dir))
        first_run_paths = {
            path: (status, error)
            for path, status, error in con.execute(
                "select file_path, status, error from raw.scan_paths"
            ).fetchall()
        }
        shutil.copy(SAMPLES / "code128-rotated-180.png", scans_dir / "code128-rotated-180.png")
        (scans_dir / "code128-upright-200dpi.jpg").unlink()
        ingest_scans(con, scans_dir, workers=1)
    run_dbt(
        database,
        "build",
        "--select",
        "+scan_pages +unmatched_barcodes +customer_documents +scan_files +build_info",
        # The archive here is a few hand rows: the other models' data tests are not its point.
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
        "--vars",
        json.dumps({"as_of": AS_OF}),
    )
    return ScanWarehouse(scans_dir, database, first_run_paths)


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


def test_copies_of_one_content_are_both_listed_the_copy_naming_the_path_read(built: ScanWarehouse) -> None:
    """GIVEN two files with identical content WHEN read and built THEN scan_files lists both
    paths with the same hash: the smallest path read, the other a duplicate naming it; the
    content is read once."""
    rows = built.rows(
        "select file_path, file_sha256, duplicate_of, status from marts.scan_files "
        "where file_path in ('code128-upright.png', 'copies/upright-copy.png') order by file_path"
    )
    assert [(path, duplicate_of, status) for path, _, duplicate_of, status in rows] == [
        ("code128-upright.png", None, "read"),
        ("copies/upright-copy.png", "code128-upright.png", "duplicate"),
    ]
    assert (
        rows[0][1] == rows[1][1] == hashlib.sha256((SAMPLES / "code128-upright.png").read_bytes()).hexdigest()
    )
    assert built.rows("select count(*) from raw.scan_files where file_sha256 = ?", [rows[0][1]]) == [(1,)]


def test_file_gone_during_the_read_is_read_on_the_next_run(built: ScanWarehouse) -> None:
    """GIVEN a file deleted after it was hashed and before it was read WHEN the run ends THEN
    its path is an error to retry and no content row holds that error; WHEN the file is back
    for the next run THEN it is read and its document is scanned."""
    status, error = built.first_run_paths["code128-rotated-180.png"]
    assert status == "error"
    assert "code128-rotated-180.png: gone while it was read" in error
    assert built.rows(
        "select status, error from marts.scan_files where file_path = 'code128-rotated-180.png'"
    ) == [("read", None)]
    assert built.rows("select scanned from marts.customer_documents where doc_id = 'DRETRY'") == [(True,)]


def test_deleted_scan_is_removed_and_its_document_no_longer_scanned(built: ScanWarehouse) -> None:
    """GIVEN a scan read in the first run and deleted before the second WHEN built THEN its
    path is listed as removed, its pages are gone from scan_pages and its document is not
    scanned."""
    assert built.rows(
        "select status, removed_at is not null from marts.scan_files where file_path = 'code128-upright-200dpi.jpg'"
    ) == [("removed", True)]
    assert built.rows(
        "select count(*) from marts.scan_pages where file_path = 'code128-upright-200dpi.jpg'"
    ) == [(0,)]
    assert built.rows("select scanned, scan_file from marts.customer_documents where doc_id = 'DDEL'") == [
        (False, None)
    ]


def test_file_rewritten_during_the_read_is_read_once_after_it_settled(built: ScanWarehouse) -> None:
    """GIVEN a file rewritten with another page after it was hashed WHEN the first run ends
    THEN nothing is recorded for it but an error to retry; WHEN read again THEN its path has
    exactly one content row, the new page's, linking only the new document."""
    status, error = built.first_run_paths["rewritten.png"]
    assert (status, error) == (
        "error",
        "rewritten.png: changed while it was read; read again on the next run",
    )
    new_sha = hashlib.sha256((SAMPLES / "code128-skewed.png").read_bytes()).hexdigest()
    assert built.rows("select file_sha256 from raw.scan_files where file_path = 'rewritten.png'") == [
        (new_sha,)
    ]
    assert built.rows(
        "select doc_id, scanned from marts.customer_documents where doc_id in ('DOLD', 'DNEW') order by 1"
    ) == [("DNEW", True), ("DOLD", False)]


def test_every_path_ever_found_has_one_scan_files_row(built: ScanWarehouse) -> None:
    """GIVEN the folder's history over two runs WHEN built THEN scan_files has exactly one
    row per path ever found: the six there now and the one removed."""
    assert built.rows("select file_path, status from marts.scan_files order by file_path") == [
        ("code128-foreign-format-jx.png", "read"),
        ("code128-rotated-180.png", "read"),
        ("code128-upright-200dpi.jpg", "removed"),
        ("code128-upright.png", "read"),
        ("copies/upright-copy.png", "duplicate"),
        ("rewritten.png", "read"),
        ("stray-barcode.png", "read"),
    ]


def test_build_info_names_the_scans_folder_read(built: ScanWarehouse) -> None:
    """GIVEN the scans read from a folder WHEN built THEN build_info names that folder
    (absolute), where the dashboard's preview finds the pages."""
    assert built.rows("select scans_dir from marts.build_info") == [(str(built.scans_dir.absolute()),)]
