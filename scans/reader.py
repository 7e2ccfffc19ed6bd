"""One scan file read in a worker process: its pages, their quality and their barcodes.

Kept apart from ``scans.ingest`` so that a spawned worker imports only Pillow, numpy and
the decoders, never DuckDB or Arrow: a pool starts in well under a second.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from scans.config import ZXING_PASS
from scans.decode import read_page
from scans.formats import SUFFIXES
from scans.pages import ScanReadError, open_scan, set_pixel_limit
from scans.quality import page_quality

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileTask:
    path: str
    rel_path: str
    sha256: str
    size: int
    barcode_pattern: str
    max_pages: int
    max_pixels: int


@dataclass
class FileResult:
    sha256: str
    rel_path: str
    size: int
    file_format: str
    page_count: int
    status: str
    error: str | None
    pages: list[tuple] = field(default_factory=list)


def error_page(task: FileTask, page_no: int, error: str) -> tuple:
    return (task.sha256, task.rel_path, page_no, None, None, None, "", "", None, "error", None, None, error)


def read_scan_file(task: FileTask) -> FileResult:
    """Read one file's pages and their barcodes; every failure ends up in the result."""
    accept = re.compile(task.barcode_pattern)
    path = Path(task.path)
    fallback_format = SUFFIXES.get(path.suffix.lower(), path.suffix.lower().lstrip(".") or "unknown")
    result = FileResult(task.sha256, task.rel_path, task.size, fallback_format, 0, "ok", None)
    try:
        document = open_scan(path, max_pages=task.max_pages, max_pixels=task.max_pixels, name=task.rel_path)
    except (ScanReadError, OSError, MemoryError) as exc:
        result.status, result.error = "error", str(exc)
        result.pages.append(error_page(task, 0, str(exc)))
        logger.info("scan %s unreadable: %s", task.rel_path, exc)
        return result
    # page_count is the pages read: a truncated file's header may promise more than it holds.
    result.file_format = document.file_format
    any_accepted = False
    page_no = 0
    try:
        for page in document.pages:
            page_no = page.page_no
            result.pages.append(_read_one_page(task, page, accept, thorough=not any_accepted))
            any_accepted = any_accepted or bool(result.pages[-1][6])
            result.page_count += 1
            del page
    except (ScanReadError, OSError, MemoryError) as exc:
        # Nothing read at all: the file is unreadable (page 0); else the page that broke.
        result.status, result.error = "error", str(exc)
        result.pages.append(error_page(task, page_no + 1 if result.pages else 0, str(exc)))
        logger.info("scan %s: page %d unreadable: %s", task.rel_path, page_no + 1, exc)
        return result
    if document.page_count > task.max_pages:
        result.status = "error"
        result.error = (
            f"{task.rel_path}: {document.page_count} pages, beyond the limit of {task.max_pages}; "
            f"the first {task.max_pages} were read"
        )
    return result


def _read_one_page(task: FileTask, page, accept: re.Pattern[str], *, thorough: bool) -> tuple:
    image = page.image
    is_blank, sharp = page_quality(image)
    if is_blank:
        found, accepted, decoder, status = (), (), None, "blank"
    else:
        # Once a file's first barcode is found, later pages (the document's continuation
        # sheets) only get the corner passes (~5 ms instead of ~100 ms): a further
        # document's barcode in its usual place is still read.
        read = read_page(
            image,
            accept,
            page=page.page_no,
            full_page=thorough,
            median=thorough,
            zxing=thorough and ZXING_PASS,
        )
        found, accepted, decoder = read.found, read.accepted, read.decoder
        status = "decoded" if accepted else "no_barcode"
    return (
        task.sha256,
        task.rel_path,
        page.page_no,
        image.width,
        image.height,
        page.dpi,
        ";".join(b.value for b in accepted),
        ";".join(b.value for b in found),
        decoder,
        status,
        is_blank,
        sharp,
        None,
    )


def worker_init(max_pixels: int) -> None:
    set_pixel_limit(max_pixels)


def safe_read(task: FileTask) -> FileResult:
    """The worker's entry: a file must never take the run down, whatever it raises."""
    try:
        return read_scan_file(task)
    except Exception as exc:  # the boundary of one file's work: record, never propagate
        logger.exception("scan %s: unexpected failure", task.rel_path)
        message = f"{task.rel_path}: {type(exc).__name__}: {exc}"
        result = FileResult(task.sha256, task.rel_path, task.size, "unknown", 0, "error", message)
        result.pages.append(error_page(task, 0, message))
        return result


def crashed(task: FileTask, exc: BaseException) -> FileResult:
    message = f"{task.rel_path}: reader process died ({type(exc).__name__})"
    result = FileResult(task.sha256, task.rel_path, task.size, "unknown", 0, "error", message)
    result.pages.append(error_page(task, 0, message))
    return result
