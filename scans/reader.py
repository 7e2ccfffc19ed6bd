"""One scan file read in a worker process: its pages, their quality and their barcodes.

Kept apart from ``scans.ingest`` so that a spawned worker imports only Pillow, numpy and
the decoders, never DuckDB or Arrow: a pool starts in well under a second.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.settings import SCAN_ZXING_PASS
from scans.decode import read_page
from scans.formats import SUFFIXES
from scans.pages import Page, ScanReadError, open_scan, set_pixel_limit
from scans.quality import page_quality
from scans.rows import FileRow, PageRow

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
    """One file's outcome, filled in while its pages are read; the parent stamps the moment
    of the run on it (``file_row``) when it writes the file."""

    file_sha256: str
    file_path: str
    file_size: int
    file_format: str
    page_count: int
    status: str
    error: str | None
    pages: list[PageRow] = field(default_factory=list)

    @classmethod
    def failed(cls, task: FileTask, file_format: str, error: str) -> FileResult:
        """A file none of whose pages could be read: status error, one page row 0."""
        result = cls(task.sha256, task.rel_path, task.size, file_format, 0, "error", error)
        result.pages.append(PageRow.unreadable(task.sha256, task.rel_path, 0, error))
        return result

    def file_row(self, read_at: datetime) -> FileRow:
        return FileRow(
            file_sha256=self.file_sha256,
            file_path=self.file_path,
            file_size=self.file_size,
            file_format=self.file_format,
            page_count=self.page_count,
            status=self.status,
            error=self.error,
            read_at=read_at,
        )


def read_scan_file(task: FileTask) -> FileResult:
    """Read one file's pages and their barcodes; every failure ends up in the result."""
    accept = re.compile(task.barcode_pattern) if task.barcode_pattern else None
    path = Path(task.path)
    fallback_format = SUFFIXES.get(path.suffix.lower(), path.suffix.lower().lstrip(".") or "unknown")
    try:
        document = open_scan(path, max_pages=task.max_pages, max_pixels=task.max_pixels, name=task.rel_path)
    except (ScanReadError, OSError, MemoryError) as exc:
        logger.info("scan %s unreadable: %s", task.rel_path, exc)
        return FileResult.failed(task, fallback_format, str(exc))
    result = FileResult(task.sha256, task.rel_path, task.size, fallback_format, 0, "ok", None)
    # page_count is the pages read: a truncated file's header may promise more than it holds.
    result.file_format = document.file_format
    any_accepted = False
    page_no = 0
    try:
        for page in document.pages:
            page_no = page.page_no
            result.pages.append(_read_one_page(task, page, accept, thorough=not any_accepted))
            any_accepted = any_accepted or bool(result.pages[-1].barcodes)
            result.page_count += 1
            del page
    except (ScanReadError, OSError, MemoryError) as exc:
        # Nothing read at all: the file is unreadable (page 0); else the page that broke.
        result.status, result.error = "error", str(exc)
        failed_page = page_no + 1 if result.pages else 0
        result.pages.append(PageRow.unreadable(task.sha256, task.rel_path, failed_page, str(exc)))
        logger.info("scan %s: page %d unreadable: %s", task.rel_path, page_no + 1, exc)
        return result
    if document.page_count > task.max_pages:
        result.status = "error"
        result.error = (
            f"{task.rel_path}: {document.page_count} pages, beyond the limit of {task.max_pages}; "
            f"the first {task.max_pages} were read"
        )
    return result


def _read_one_page(task: FileTask, page: Page, accept: re.Pattern[str] | None, *, thorough: bool) -> PageRow:
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
            zxing=thorough and SCAN_ZXING_PASS,
        )
        found, accepted, decoder = read.found, read.accepted, read.decoder
        status = "decoded" if accepted else "no_barcode"
    return PageRow(
        file_sha256=task.sha256,
        file_path=task.rel_path,
        page_no=page.page_no,
        width_px=image.width,
        height_px=image.height,
        dpi=page.dpi,
        barcodes=";".join(b.value for b in accepted),
        raw_barcodes=";".join(b.value for b in found),
        decoder=decoder,
        decode_status=status,
        is_blank=is_blank,
        sharpness=sharp,
        error=None,
    )


def worker_init(max_pixels: int) -> None:
    set_pixel_limit(max_pixels)


def safe_read(task: FileTask) -> FileResult:
    """The worker's entry: a file must never take the run down, whatever it raises."""
    try:
        return read_scan_file(task)
    except Exception as exc:  # the boundary of one file's work: record, never propagate
        logger.exception("scan %s: unexpected failure", task.rel_path)
        return FileResult.failed(task, "unknown", f"{task.rel_path}: {type(exc).__name__}: {exc}")


def crashed(task: FileTask, exc: BaseException) -> FileResult:
    return FileResult.failed(task, "unknown", f"{task.rel_path}: reader process died ({type(exc).__name__})")
