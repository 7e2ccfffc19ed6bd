"""Render a page of a scanned file as an image for the customer-archive page.

Scans are read straight from the file the warehouse names, so the dashboard shows what
was scanned, not a stored copy; a missing or unreadable file is reported, never raised.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import streamlit as st
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

THUMBNAIL_PX = 360
FULL_PX = 1600
PDF_SCALE = 1.5


class ScanUnavailableError(OSError):
    """The scan file named in the warehouse cannot be found or read."""


def resolve(scan_file: str) -> Path:
    """The scan's path: absolute as recorded, else relative to the scans folder."""
    path = Path(scan_file)
    if path.is_absolute():
        return path
    from ingest import settings

    candidates = [Path(os.environ.get("DANGAN_SCANS_DIR", settings.SCANS_DIR)) / path, Path.cwd() / path]
    return next((candidate for candidate in candidates if candidate.exists()), candidates[0])


def _open_page(path: Path, page_no: int) -> Image.Image:
    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(str(path))
        try:
            index = max(page_no, 1) - 1
            if index >= len(document):
                raise ScanUnavailableError(f"{path}: page {page_no} beyond {len(document)} pages")
            return document[index].render(scale=PDF_SCALE).to_pil()
        finally:
            document.close()
    image = Image.open(path)
    if page_no > 1:
        image.seek(page_no - 1)
    return image.copy()


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def render_page(scan_file: str, page_no: int, max_px: int, mtime: float) -> bytes:
    """PNG bytes of one page scaled to fit ``max_px``; ``mtime`` keys the cache on the file."""
    path = resolve(scan_file)
    try:
        image = _open_page(path, page_no)
    except (OSError, UnidentifiedImageError, EOFError, ValueError) as error:
        raise ScanUnavailableError(f"{path}: cannot render page {page_no}: {error}") from error
    image = image.convert("L") if image.mode not in ("L", "RGB") else image
    image.thumbnail((max_px, max_px))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def page_image(scan_file: str, page_no: int = 1, max_px: int = THUMBNAIL_PX) -> bytes:
    path = resolve(scan_file)
    if not path.exists():
        raise ScanUnavailableError(f"scan file {path} does not exist")
    return render_page(scan_file, page_no, max_px, path.stat().st_mtime)
