"""The scanned pages of a generated data set, and the whole set in one call.

``ingest.synthetic.generate.generate_tables`` writes the two source systems and chooses the
documents and dossier covers to scan; this module renders them with ``scans.synthetic``
(barcode on the first page, title, optional degradation), decides each file's format and
degradation, adds a few blank and broken files as real scanning produces, and notes the
files in the manifest. The split keeps ``ingest`` free of any import of ``scans``.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np

from ingest.synthetic.generate import GeneratedTables, generate_tables
from ingest.synthetic.manifest import record_scans
from ingest.synthetic.scan_plan import ScanDocument, ScanDossier
from scans import synthetic
from scans.formats import suffix_for

logger = logging.getLogger(__name__)

INDEX_NAME = "scans_index.csv"
# Share of the scanned documents written in each format (suffixes from scans.formats).
FORMAT_SHARES = (("png", 0.35), ("jpeg", 0.30), ("tiff", 0.20), ("pdf", 0.15))
DEGRADED_SHARE = 0.25

IndexRow = tuple[str, str, str, int, str, str]


def generate_data_set(
    scale: str,
    seed: int,
    out: Path,
    scans: str | int = "auto",
    end: str | None = None,
    *,
    table_format: str | None = None,
) -> Path:
    """Write a whole synthetic data set (both source systems, scans, manifest) into ``out``.

    What ``dangan generate`` does, for tests and benchmarks that need the scans too.
    """
    tables = generate_tables(scale, seed, out, scans, end, table_format=table_format)
    write_generated_scans(tables)
    return tables.out


def write_generated_scans(tables: GeneratedTables) -> int:
    """Render the scans the table generator chose into ``<out>/scans``; returns files written.

    Nothing is written when no scans were asked for. The index (``scans_index.csv``, beside
    the scans folder so scan ingestion never reads it) lists every file with what it should
    yield, and the manifest records the count.
    """
    if tables.scan_count == 0:
        return 0
    written = write_scans(
        tables.out / "scans",
        tables.scan_documents,
        tables.scan_dossiers,
        tables.seed,
        tables.out / INDEX_NAME,
    )
    record_scans(tables.out, written, INDEX_NAME)
    return written


def write_scans(
    folder: Path,
    documents: tuple[ScanDocument, ...],
    dossiers: tuple[ScanDossier, ...],
    seed: int,
    index: Path,
) -> int:
    """Render the documents and dossier covers into ``folder`` and list them in ``index``.

    Returns the number of files written: the chosen documents and covers, blank separator
    sheets and broken files.
    """
    folder.mkdir(parents=True, exist_ok=True)
    rows = _document_scans(folder, documents, seed)
    rows += _dossier_covers(folder, dossiers, seed)
    rows += _blank_sheets(folder, len(documents), seed)
    rows += _broken_files(folder, len(documents))
    with index.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_path", "barcode", "format", "pages", "degradation", "kind"])
        writer.writerows(rows)
    logger.info("wrote %d scan files into %s", len(rows), folder)
    return len(rows)


def _document_scans(folder: Path, documents: tuple[ScanDocument, ...], seed: int) -> list[IndexRow]:
    """One file per document, in a drawn format; a share of them degraded."""
    rng = np.random.default_rng([seed, 9])
    degradations = [d for d in synthetic.DEGRADATIONS if d != "blank"]
    fmt_names = [fmt for fmt, _ in FORMAT_SHARES]
    fmt_suffix = {fmt: suffix_for(fmt).lstrip(".") for fmt in fmt_names}
    fmt_share = np.array([share for _, share in FORMAT_SHARES])
    rows: list[IndexRow] = []
    for i, doc in enumerate(documents):
        fmt = fmt_names[int(rng.choice(len(fmt_names), p=fmt_share))]
        pages = doc.pages if fmt in ("tiff", "pdf") else 1
        degradation = None
        if degradations and rng.random() < DEGRADED_SHARE:
            degradation = degradations[int(rng.integers(0, len(degradations)))]
        path = folder / doc.unit / doc.month / f"{doc.barcode}.{fmt_suffix[fmt]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(
            path,
            doc.barcode,
            fmt=fmt,
            pages=pages,
            dpi=200 if rng.random() < 0.8 else 300,
            degradation=degradation,
            title=doc.title,
            seed=seed * 100_003 + i,
        )
        rows.append((str(path.relative_to(folder)), doc.barcode, fmt, pages, degradation or "", "document"))
    return rows


def _dossier_covers(folder: Path, dossiers: tuple[ScanDossier, ...], seed: int) -> list[IndexRow]:
    rows: list[IndexRow] = []
    for i, dossier in enumerate(dossiers):
        path = folder / dossier.unit / "dossiers" / f"{dossier.barcode}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(
            path, dossier.barcode, fmt="png", pages=1, title="档案卷宗封面", seed=seed * 7 + i
        )
        rows.append((str(path.relative_to(folder)), dossier.barcode, "png", 1, "", "dossier_cover"))
    return rows


def _blank_sheets(folder: Path, documents: int, seed: int) -> list[IndexRow]:
    """Blank separator sheets: pages without any barcode."""
    rows: list[IndexRow] = []
    for i in range(max(2, documents // 40)):
        path = folder / "unsorted" / f"blank-{i + 1:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(path, "", fmt="png", degradation="blank", seed=seed + i)
        rows.append((str(path.relative_to(folder)), "", "png", 1, "blank", "blank"))
    return rows


def _broken_files(folder: Path, documents: int) -> list[IndexRow]:
    """Files a scanner or a careless copy leaves behind, named as the images they pretend to be."""
    rows: list[IndexRow] = []
    kinds = list(synthetic.BROKEN_KINDS)
    for i in range(max(3, documents // 30)):
        kind = kinds[i % len(kinds)]
        path = folder / "unsorted" / f"broken-{i + 1:03d}.{synthetic.BROKEN_SUFFIXES[kind]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_broken_file(path, kind)
        rows.append((str(path.relative_to(folder)), "", "", 0, "", f"broken:{kind}"))
    return rows
