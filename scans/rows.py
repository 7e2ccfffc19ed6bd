"""The rows the scan reader writes: one ``FileRow`` per file read, one ``PageRow`` per page,
one ``PathRow`` per path of the scans folder.

Their fields are the columns of ``raw.scan_files``, ``raw.scan_pages`` and
``raw.scan_paths`` as declared in ``ingest.contract.SCAN_TABLES``, by name, so the writer
takes each column from the field of the same name instead of a position in a tuple. This module imports neither DuckDB nor
Arrow: the reader's worker processes build these rows and stay light.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class PageRow:
    """One page of a scan file as read; page 0 with ``decode_status='error'`` stands for a
    file, or the page of it, that could not be read."""

    file_sha256: str
    file_path: str
    page_no: int
    width_px: int | None
    height_px: int | None
    dpi: float | None
    barcodes: str
    raw_barcodes: str
    decoder: str | None
    decode_status: str
    is_blank: bool | None
    sharpness: float | None
    error: str | None

    @classmethod
    def unreadable(cls, file_sha256: str, file_path: str, page_no: int, error: str) -> PageRow:
        """The row recording that page ``page_no`` (0: the whole file) could not be read."""
        return cls(
            file_sha256=file_sha256,
            file_path=file_path,
            page_no=page_no,
            width_px=None,
            height_px=None,
            dpi=None,
            barcodes="",
            raw_barcodes="",
            decoder=None,
            decode_status="error",
            is_blank=None,
            sharpness=None,
            error=error,
        )

    @property
    def is_read(self) -> bool:
        """A real page that was read, as opposed to the row recording an error."""
        return self.page_no > 0 and self.decode_status != "error"


@dataclass(frozen=True)
class FileRow:
    """One scan file's content as read (or not: ``status='error'`` with the error)."""

    file_sha256: str
    file_path: str
    file_size: int
    file_format: str
    page_count: int
    status: str
    error: str | None
    read_at: datetime


@dataclass(frozen=True)
class PathRow:
    """One path of the scans folder as last looked at: the content it holds, or why it
    could not be read this time (``status='error'``, tried again on the next run), or
    that it is gone (``status='removed'``)."""

    file_path: str
    file_sha256: str | None
    file_size: int | None
    modified_ns: int | None
    status: str
    error: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    removed_at: datetime | None
