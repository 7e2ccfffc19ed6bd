"""One scan file hashed or read in a worker process: its pages, their quality and barcodes.

Kept apart from ``scans.ingest`` so that a spawned worker imports only Pillow, numpy and
the decoders, never DuckDB or Arrow: a pool starts in well under a second.

A file is opened without following a link (the walk has already resolved the links it
accepts), only when it is a regular file, and read into memory within a size limit; the
bytes hashed are the bytes decoded, and a file whose size or modification time moved
while it was read, or whose content is no longer the one hashed, is reported
``Unsettled`` (read again on the next run) instead of being recorded under the wrong hash.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ingest.settings import SCAN_ZXING_PASS
from scans.decode import read_page
from scans.formats import SUFFIXES
from scans.pages import Page, ScanReadError, open_scan, set_pixel_limit
from scans.quality import barcode_spot, page_quality
from scans.rows import FileRow, PageRow

logger = logging.getLogger(__name__)

CHUNK = 1 << 20


@dataclass(frozen=True)
class HashTask:
    path: str
    rel_path: str
    max_bytes: int


@dataclass(frozen=True)
class Hashed:
    """A file's content hash, with the size and modification time it had throughout."""

    rel_path: str
    sha256: str
    size: int
    modified_ns: int


@dataclass(frozen=True)
class Unsettled:
    """A file that could not be hashed or read this time (gone, changed, not a regular
    file, too large): nothing is recorded of its content; it is tried again next run."""

    rel_path: str
    error: str


@dataclass(frozen=True)
class FileTask:
    path: str
    rel_path: str
    sha256: str
    size: int
    barcode_pattern: str
    max_pages: int
    max_pixels: int
    max_bytes: int = 1 << 62


class _NotSettled(Exception):
    """The file changed, vanished or is not a regular file: no content to record."""


def _open_regular(path: str, rel_path: str, max_bytes: int) -> tuple[int, os.stat_result]:
    """A descriptor of ``path`` when it is a regular file within ``max_bytes``.

    ``O_NOFOLLOW``: a path swapped for a link since the walk is refused, not followed;
    ``O_NONBLOCK``: a path swapped for a named pipe does not block the open.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise _NotSettled(f"{rel_path}: gone while it was read ({exc}); read again on the next run") from exc
    except OSError as exc:
        raise _NotSettled(f"{rel_path}: cannot be opened: {exc}") from exc
    before = os.fstat(fd)
    if not stat.S_ISREG(before.st_mode):
        os.close(fd)
        raise _NotSettled(f"{rel_path}: not a regular file: not read")
    if before.st_size > max_bytes:
        os.close(fd)
        raise _NotSettled(
            f"{rel_path}: {before.st_size:,} bytes, beyond the limit of {max_bytes:,}: not read"
        )
    return fd, before


def _check_settled(fd: int, before: os.stat_result, rel_path: str) -> None:
    after = os.fstat(fd)
    if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns):
        raise _NotSettled(f"{rel_path}: changed while it was read; read again on the next run")


def hash_file(task: HashTask) -> Hashed | Unsettled:
    """The worker's hashing entry: the SHA-256 of a file that stayed the same meanwhile."""
    try:
        fd, before = _open_regular(task.path, task.rel_path, task.max_bytes)
        try:
            digest = hashlib.sha256()
            while chunk := os.read(fd, CHUNK):
                digest.update(chunk)
            _check_settled(fd, before, task.rel_path)
        finally:
            os.close(fd)
    except _NotSettled as exc:
        return Unsettled(task.rel_path, str(exc))
    except OSError as exc:
        return Unsettled(task.rel_path, f"{task.rel_path}: cannot be read: {exc}")
    return Hashed(task.rel_path, digest.hexdigest(), before.st_size, before.st_mtime_ns)


def _settled_bytes(task: FileTask) -> bytes:
    """The file's bytes, when they are still the content hashed by the walk."""
    fd, before = _open_regular(task.path, task.rel_path, task.max_bytes)
    try:
        chunks = []
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
        _check_settled(fd, before, task.rel_path)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if hashlib.sha256(data).hexdigest() != task.sha256:
        raise _NotSettled(f"{task.rel_path}: changed while it was read; read again on the next run")
    return data


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


def read_scan_file(task: FileTask) -> FileResult | Unsettled:
    """Read one file's pages and their barcodes; every failure ends up in the result."""
    accept = re.compile(task.barcode_pattern) if task.barcode_pattern else None
    # The suffix is the path's, not a link target's: that is the name the file was given.
    path = Path(task.rel_path)
    fallback_format = SUFFIXES.get(path.suffix.lower(), path.suffix.lower().lstrip(".") or "unknown")
    try:
        data = _settled_bytes(task)
    except _NotSettled as exc:
        return Unsettled(task.rel_path, str(exc))
    except OSError as exc:
        return Unsettled(task.rel_path, f"{task.rel_path}: cannot be read: {exc}")
    try:
        document = open_scan(
            path, max_pages=task.max_pages, max_pixels=task.max_pixels, name=task.rel_path, data=data
        )
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
            gate=barcode_spot,
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


# glibc's malloc (mallopt parameters): blocks up to M_MMAP_THRESHOLD come from the heap
# instead of a mapping of their own, and up to M_TRIM_THRESHOLD of freed heap is kept for
# the next page instead of going back to the system.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
KEEP_MMAP_THRESHOLD = 32 << 20
KEEP_TRIM_THRESHOLD = 128 << 20


def keep_freed_memory() -> bool:
    """Make the process keep the memory of one page for the next; False where the C library
    has no ``mallopt`` (not glibc), which changes nothing else.

    Every page allocates the same few arrays of 1-10 MB (the decoded page, its reduced
    copy, the Laplacian). By default glibc maps each of them afresh and unmaps it when
    freed, so every page touches its memory anew: ~3,200 page faults per 200 dpi page,
    a third of a worker's CPU (48 against 32 ms per page on the benchmark's mixed folder).
    Kept on the heap, the same memory serves the next page (~20 faults per page). The
    thresholds are fixed, so glibc's own adjustment of them no longer applies; the worker's
    address-space cap still bounds what it may take.
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, KEEP_MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, KEEP_TRIM_THRESHOLD)
    )


def worker_init(max_pixels: int, max_memory_bytes: int = 0, keep_memory: bool = False) -> None:
    """Pillow's pixel limit, and the worker's address space capped at ``max_memory_bytes``
    (0: none): a file that would take more ends as a MemoryError on its own row.

    ``keep_memory``: the allocator keeps freed memory for the next page
    (``keep_freed_memory``); for a worker process only, never a host reading in-process.
    """
    set_pixel_limit(max_pixels)
    if keep_memory:
        keep_freed_memory()
    if max_memory_bytes > 0:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (max_memory_bytes, max_memory_bytes))


def safe_read(task: FileTask) -> FileResult | Unsettled:
    """The worker's entry: a file must never take the run down, whatever it raises."""
    try:
        return read_scan_file(task)
    except Exception as exc:  # the boundary of one file's work: record, never propagate
        logger.exception("scan %s: unexpected failure", task.rel_path)
        return FileResult.failed(task, "unknown", f"{task.rel_path}: {type(exc).__name__}: {exc}")
