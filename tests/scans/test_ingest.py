"""scans.ingest over the committed sample corpus, into a real DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from scans.ingest import ScanRun, ingest_scans
from tests.scans.conftest import PATTERN, SAMPLES

# GIVEN for every test: the barcodes tests/samples/make_scan_samples.py printed on each page.
EXPECTED_CODES = {
    "code128-upright.png": "DG202401000001",
    "code128-upright-200dpi.jpg": "DG202401000002",
    "code128-rotated-90.png": "DG202401000003",
    "code128-rotated-180.png": "DG202401000004",
    "code128-rotated-270.png": "DG202401000005",
    "code128-skewed.png": "DG202401000006",
    "code128-low-contrast.jpg": "DG202401000007",
    "dossier-cover-jz.png": "JZ2024000001",
    "nested/deeper/code128-in-subfolder.JPG": "DG202401000012",
    "stray-and-document-barcode.png": "DG202401000013",
}
HOSTILE = (
    "zero-bytes.png",
    "truncated.png",
    "truncated.jpg",
    "not-an-image.jpg",
    "fake.pdf",
    "decompression-bomb.png",
    "bad.tiff",
    "notes.txt",
)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, ScanRun]:
    """The whole corpus read once with two worker processes: (scans dir, database, run)."""
    root = tmp_path_factory.mktemp("scan_ingest")
    scans_dir = root / "scans"
    shutil.copytree(SAMPLES, scans_dir)
    db = root / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        run = ingest_scans(con, scans_dir, barcode_pattern=PATTERN, workers=2)
    return scans_dir, db, run


def _rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _pages(db: Path, file_path: str) -> list[tuple]:
    return _rows(
        db,
        "select page_no, barcodes, raw_barcodes, decoder, decode_status, is_blank, error "
        "from raw.scan_pages where file_path = ? order by page_no",
        [file_path],
    )


def test_every_file_of_the_folder_is_recorded_once(ingested):
    """GIVEN the corpus, sub-folders included, WHEN ingested, THEN each file has one scan_files row."""
    scans_dir, db, run = ingested
    on_disk = sorted(p.relative_to(scans_dir).as_posix() for p in scans_dir.rglob("*") if p.is_file())
    recorded = [row[0] for row in _rows(db, "select file_path from raw.scan_files order by file_path")]
    assert recorded == on_disk
    assert run.files_seen == run.files_new == len(on_disk)
    assert run.files_failed == len(HOSTILE)


@pytest.mark.parametrize("name", sorted(EXPECTED_CODES))
def test_document_barcode_is_read_and_accepted(ingested, name):
    """GIVEN a page carrying a document or dossier code (upright, turned, skewed, faded, nested)
    WHEN ingested THEN page 1 is decoded with exactly that code accepted."""
    _, db, _ = ingested
    page_no, barcodes, raw, decoder, status, is_blank, error = _pages(db, name)[0]
    assert (page_no, barcodes, status, is_blank, error) == (1, EXPECTED_CODES[name], "decoded", False, None)
    assert EXPECTED_CODES[name] in raw.split(";")
    assert decoder


@pytest.mark.parametrize(
    ("name", "decoder"),
    [
        ("code128-rotated-180.png", "pyzbar+rot180"),
        ("code128-rotated-90.png", "pyzbar+rot90"),
        ("code128-rotated-270.png", "pyzbar+rot270"),
        ("code128-upright.png", "pyzbar"),
    ],
)
def test_turned_pages_are_found_in_the_matching_corner(ingested, name, decoder):
    """GIVEN a page fed upside down or sideways WHEN ingested THEN the corner pass for that
    orientation reads it (no full-page or fallback pass needed)."""
    _, db, _ = ingested
    assert _pages(db, name)[0][3] == decoder


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_recorded_with_its_error_and_the_run_goes_on(ingested, name):
    """GIVEN a hostile file among good ones WHEN ingested THEN its file row is 'error' with a
    message naming it, it has one page row 0 'error', and the good files were still read."""
    _, db, _ = ingested
    status, error, page_count = _rows(
        db, "select status, error, page_count from raw.scan_files where file_path = ?", [name]
    )[0]
    assert status == "error"
    assert name in error
    assert page_count == 0
    assert [(row[0], row[4]) for row in _pages(db, name)] == [(0, "error")]
    decoded = _rows(db, "select count(*) from raw.scan_pages where decode_status = 'decoded'")[0][0]
    assert decoded >= len(EXPECTED_CODES)


def test_decompression_bomb_is_refused_before_decoding(ingested):
    """GIVEN a 274-byte PNG claiming 50000x50000 pixels WHEN ingested THEN the error says so."""
    _, db, _ = ingested
    error = _rows(db, "select error from raw.scan_files where file_path = 'decompression-bomb.png'")[0][0]
    assert "decompression bomb" in error


def test_unsupported_file_type_is_an_error_not_a_skip(ingested):
    """GIVEN a .txt file in the scans folder WHEN ingested THEN it is recorded as unsupported."""
    _, db, _ = ingested
    assert (
        "unsupported file type"
        in _rows(db, "select error from raw.scan_files where file_path = 'notes.txt'")[0][0]
    )


@pytest.mark.parametrize(("name", "pages"), [("two-page.tiff", 2), ("three-page.pdf", 3)])
def test_multi_page_file_has_one_row_per_page_barcode_on_the_first(ingested, name, pages):
    """GIVEN a multi-page TIFF or PDF whose first page carries the code WHEN ingested THEN
    there is one page row per page, page 1 decoded, the others without barcode."""
    _, db, _ = ingested
    rows = _pages(db, name)
    assert [row[0] for row in rows] == list(range(1, pages + 1))
    assert rows[0][4] == "decoded" and rows[0][1].startswith("DG")
    assert all(row[4] == "no_barcode" and row[1] == "" for row in rows[1:])
    assert _rows(db, "select page_count from raw.scan_files where file_path = ?", [name])[0][0] == pages


def test_pdf_page_dpi_comes_from_the_embedded_scan(ingested):
    """GIVEN a PDF of 150 dpi page images WHEN ingested THEN its pages' dpi is 150 and width ~A4."""
    _, db, _ = ingested
    dpi, width = _rows(
        db, "select dpi, width_px from raw.scan_pages where file_path = 'three-page.pdf' and page_no = 1"
    )[0]
    assert dpi == 150.0
    assert abs(width - 1240) <= 2


def test_stray_code_alone_is_kept_raw_but_not_accepted(ingested):
    """GIVEN a page whose only code does not match the pattern WHEN ingested THEN barcodes is
    empty, raw_barcodes keeps the code and the page counts as no_barcode."""
    _, db, _ = ingested
    _, barcodes, raw, decoder, status, _, _ = _pages(db, "stray-barcode.png")[0]
    assert (barcodes, raw, decoder, status) == ("", "METER-0042-ZJ", None, "no_barcode")


def test_stray_code_beside_the_document_code_is_not_linked(ingested):
    """GIVEN a page with a document code and a meter label WHEN ingested THEN only the
    document code is accepted."""
    _, db, _ = ingested
    _, barcodes, raw, _, _, _, _ = _pages(db, "stray-and-document-barcode.png")[0]
    assert barcodes == "DG202401000013"
    assert "METER-7731-ZJ" not in barcodes.split(";")


def test_blank_page_is_flagged(ingested):
    """GIVEN a blank separator sheet and a filled form WHEN ingested THEN only the sheet is blank."""
    _, db, _ = ingested
    assert _pages(db, "blank-page.png")[0][4:6] == ("blank", True)
    assert _pages(db, "code128-upright.png")[0][5] is False


def test_sharpness_is_lower_for_a_blurred_page(tmp_path):
    """GIVEN the same page crisp and blurred WHEN ingested THEN the blurred one is less sharp."""
    from scans.synthetic import write_document_scan

    for degradation in (None, "blurred"):
        write_document_scan(
            tmp_path / f"{degradation}.png", "DG202401009999", fmt="png", dpi=150, degradation=degradation
        )
    with duckdb.connect() as con:
        ingest_scans(con, tmp_path, barcode_pattern=PATTERN, workers=1)
        sharp = dict(con.execute("select file_path, sharpness from raw.scan_pages").fetchall())
    assert sharp["blurred.png"] < sharp["None.png"] * 0.8


def test_rerun_reads_nothing_known(corpus, tmp_path):
    """GIVEN a folder already ingested WHEN ingested again THEN no file is read and no row added."""
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        first = ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1)
        counts = con.execute(
            "select (select count(*) from raw.scan_files), (select count(*) from raw.scan_pages)"
        ).fetchone()
        second = ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1)
        again = con.execute(
            "select (select count(*) from raw.scan_files), (select count(*) from raw.scan_pages)"
        ).fetchone()
    assert first.files_new == first.files_seen > 0
    assert (second.files_seen, second.files_new, second.pages) == (first.files_seen, 0, 0)
    assert again == counts


def test_same_content_under_another_name_is_not_read_twice(corpus, tmp_path):
    """GIVEN an ingested folder WHEN a copy of a known file appears under a new name, and two
    new identical files arrive together THEN neither the copy nor the second twin is read."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1)
        shutil.copy(corpus / "code128-upright.png", corpus / "copy-of-upright.png")
        from scans.synthetic import write_document_scan

        write_document_scan(corpus / "twin-a.png", "DG202401000099", fmt="png", dpi=150)
        shutil.copy(corpus / "twin-a.png", corpus / "twin-b.png")
        run = ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1)
        paths = [row[0] for row in con.execute("select file_path from raw.scan_files").fetchall()]
    assert run.files_new == 1
    assert "twin-a.png" in paths
    assert "copy-of-upright.png" not in paths and "twin-b.png" not in paths


def test_moved_file_is_not_reread_and_its_path_follows(corpus, tmp_path):
    """GIVEN an ingested folder WHEN a file is moved to a sub-folder THEN the next run reads
    nothing and the file's rows point at its new place."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1)
        (corpus / "filed").mkdir()
        shutil.move(corpus / "three-page.pdf", corpus / "filed" / "three-page.pdf")
        run = ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1)
        files = con.execute(
            "select file_path from raw.scan_files where file_path like '%three-page.pdf'"
        ).fetchall()
        pages = con.execute(
            "select distinct file_path from raw.scan_pages where file_path like '%three-page.pdf'"
        ).fetchall()
    assert run.files_new == 0
    assert files == pages == [("filed/three-page.pdf",)]


def test_page_limit_reads_the_first_pages_and_flags_the_file(corpus, tmp_path):
    """GIVEN a limit of 2 pages per file WHEN a 3-page PDF is ingested THEN 2 page rows are
    written and the file is flagged with the limit."""
    with duckdb.connect() as con:
        ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1, max_pages=2)
        status, error = con.execute(
            "select status, error from raw.scan_files where file_path = 'three-page.pdf'"
        ).fetchone()
        pages = con.execute(
            "select page_no from raw.scan_pages where file_path = 'three-page.pdf' order by 1"
        ).fetchall()
    assert status == "error" and "limit of 2" in error
    assert pages == [(1,), (2,)]


def test_pixel_limit_refuses_large_pages(corpus, tmp_path):
    """GIVEN a pixel limit below a 200 dpi A4 page (3.9 Mpx) but above 150 dpi (2.2 Mpx) WHEN
    ingested THEN the 200 dpi JPEG is refused and the 150 dpi PNG is read."""
    with duckdb.connect() as con:
        ingest_scans(con, corpus, barcode_pattern=PATTERN, workers=1, max_pixels=3_000_000)
        rows = dict(con.execute("select file_path, status from raw.scan_files").fetchall())
    assert rows["code128-upright-200dpi.jpg"] == "error"
    assert rows["code128-upright.png"] == "ok"


def test_missing_folder_is_a_clear_error(tmp_path):
    """GIVEN a scans folder that does not exist WHEN ingested THEN the error names it."""
    with duckdb.connect() as con, pytest.raises(FileNotFoundError, match="nowhere"):
        ingest_scans(con, tmp_path / "nowhere", barcode_pattern=PATTERN)


def test_batch_scan_of_two_documents_reads_each_first_page(tmp_path):
    """GIVEN one TIFF holding two documents (2 + 1 pages) WHEN ingested THEN page 1 and page 3
    carry their own code and the continuation page none: later pages are still read."""
    from scans.synthetic import render_pages

    first, dpi = render_pages("DG202411300010", pages=2, dpi=150, seed=1)
    second, _ = render_pages("DG202411300011", pages=1, dpi=150, seed=2)
    pages = first + second
    pages[0].save(tmp_path / "batch.tif", dpi=(dpi, dpi), save_all=True, append_images=pages[1:])
    with duckdb.connect() as con:
        ingest_scans(con, tmp_path, barcode_pattern=PATTERN, workers=1)
        rows = con.execute("select page_no, barcodes from raw.scan_pages order by page_no").fetchall()
    assert rows == [(1, "DG202411300010"), (2, ""), (3, "DG202411300011")]


def test_bilevel_group4_tiff_from_a_document_scanner_is_read(tmp_path):
    """GIVEN a 1-bit CCITT Group 4 TIFF (what office document scanners write) WHEN ingested
    THEN its page is read as grayscale and its code decoded."""
    from scans.synthetic import render_pages

    images, dpi = render_pages("DG202411300020", dpi=200, seed=4)
    images[0].point(lambda v: 255 if v > 160 else 0).convert("1").save(
        tmp_path / "fax.tif", dpi=(dpi, dpi), compression="group4"
    )
    with duckdb.connect() as con:
        ingest_scans(con, tmp_path, barcode_pattern=PATTERN, workers=1)
        row = con.execute("select file_format, status from raw.scan_files").fetchone()
        page = con.execute("select barcodes, dpi from raw.scan_pages").fetchone()
    assert row == ("tiff", "ok")
    assert page == ("DG202411300020", 200.0)
