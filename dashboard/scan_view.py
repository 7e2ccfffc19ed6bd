"""Render a page of a scanned file as an image for the customer-archive page.

Scans are read straight from the file the warehouse names, so the dashboard shows what
was scanned, not a stored copy; a missing or unreadable file is reported, never raised.
The files live under the scans folder: the one given to ``dangan dashboard --scans``
(``DANGAN_SCANS_DIR``), else the one the newest scan run read (``marts.build_info``), else
the default. A path that leads out of that folder (``..``, an absolute path, a link) is
refused: the preview never serves any other file of the machine.
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
ENV_SCANS_DIR = "DANGAN_SCANS_DIR"


class ScanUnavailableError(OSError):
    """The scan file named in the warehouse cannot be found or read."""


def choose_root(explicit: str | None, recorded: str | None, default: Path) -> Path:
    """The scans folder: given explicitly, else recorded by the build, else the default."""
    if explicit:
        return Path(explicit)
    if recorded:
        return Path(recorded)
    return default


def _recorded_root() -> str | None:
    """The folder ``marts.build_info`` names; None when the warehouse says nothing."""
    from dashboard import data

    try:
        info = data.build_info()
    except Exception as error:  # noqa: BLE001 - no warehouse or an older one: fall back to the default
        logger.info("scans folder not read from build_info: %s", error)
        return None
    value = info.get("scans_dir")
    return str(value) if isinstance(value, str) and value else None


def scans_root() -> Path:
    from ingest import settings

    return choose_root(os.environ.get(ENV_SCANS_DIR), _recorded_root(), settings.SCANS_DIR)


def resolve(scan_file: str, root: Path | None = None) -> Path:
    """The scan's file under the scans folder; ScanUnavailableError when it leads out of it."""
    base = (root or scans_root()).resolve()
    path = (base / scan_file).resolve()
    if not path.is_relative_to(base):
        raise ScanUnavailableError(f"{scan_file}: outside the scans folder {base}; not shown")
    return path


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
def render_page(resolved_file: str, page_no: int, max_px: int, mtime: float) -> bytes:
    """PNG bytes of one page of a file already resolved inside the scans folder, scaled to
    fit ``max_px``; ``mtime`` keys the cache on the file."""
    path = Path(resolved_file)
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
    if not path.is_file():
        raise ScanUnavailableError(f"scan file {path} does not exist")
    return render_page(str(path), page_no, max_px, path.stat().st_mtime)
