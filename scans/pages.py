"""Open a scan file and yield its pages one at a time, within limits.

PNG/JPEG/TIFF go through Pillow (TIFF frame by frame), PDFs are rendered page by page with
pdfium. Each page is handed out as a grayscale image and released before the next is made,
so a 200-page file costs the memory of one page. Anything a hostile file can raise is turned
into ``ScanReadError`` naming the file and page.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ingest import settings
from scans import config
from scans.formats import SUFFIXES

logger = logging.getLogger(__name__)


class ScanReadError(Exception):
    """A scan file, or one of its pages, cannot be read."""


@dataclass
class Page:
    page_no: int
    image: Image.Image
    dpi: float | None


@dataclass
class ScanDocument:
    """An opened scan file: its detected format, page count and a page iterator."""

    file_format: str
    page_count: int
    pages: Iterator[Page]


def set_pixel_limit(max_pixels: int) -> None:
    """Make Pillow refuse images beyond ``max_pixels`` (the warning band raises too)."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)


def _image_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    if not dpi:
        return None
    try:
        value = float(dpi[0])
    except (TypeError, ValueError, IndexError):
        return None
    # PNG stores pixels per metre: 200 dpi comes back as 199.9996.
    return round(value, 1) if value > 1 else None


def _image_pages(path: str, image: Image.Image, max_pages: int, max_pixels: int) -> Iterator[Page]:
    n_frames = getattr(image, "n_frames", 1)
    try:
        for index in range(min(n_frames, max_pages)):
            try:
                if index:
                    image.seek(index)
                if image.width * image.height > max_pixels:
                    raise ScanReadError(
                        f"{path}: page {index + 1} of {image.width}x{image.height} pixels is beyond "
                        f"the limit {max_pixels:,}"
                    )
                gray = image.convert("L")
            except (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombWarning) as exc:
                raise ScanReadError(
                    f"{path}: page {index + 1} unreadable: {type(exc).__name__}: {exc}"
                ) from exc
            yield Page(index + 1, gray, _image_dpi(image))
            del gray
    finally:
        image.close()


def _pdf_dpi(page) -> float | None:
    """The resolution of the largest image on a PDF page (the scan itself), if any."""
    import pypdfium2.raw as pdfium_c

    best = None
    best_px = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
        width, height = obj.get_px_size()
        if width * height > best_px:
            best_px = width * height
            metadata = obj.get_metadata()
            best = round(float(metadata.horizontal_dpi), 1) if metadata.horizontal_dpi > 1 else None
    return best


def _pdf_pages(path: str, document, max_pages: int, max_pixels: int) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        for index in range(min(len(document), max_pages)):
            try:
                page = document[index]
                try:
                    dpi = _pdf_dpi(page)
                    render_dpi = min(
                        max(dpi or settings.SCAN_PDF_DPI, config.PDF_DPI_RANGE[0]), config.PDF_DPI_RANGE[1]
                    )
                    width_pt, height_pt = page.get_size()
                    pixels = (width_pt / 72 * render_dpi) * (height_pt / 72 * render_dpi)
                    if pixels > max_pixels:
                        raise ScanReadError(
                            f"{path}: page {index + 1} of {width_pt:.0f}x{height_pt:.0f} pt would render to "
                            f"{pixels:,.0f} pixels, beyond the limit {max_pixels:,}"
                        )
                    bitmap = page.render(scale=render_dpi / 72, grayscale=True)
                    gray = bitmap.to_pil().convert("L")
                    bitmap.close()
                finally:
                    page.close()
            except pdfium.PdfiumError as exc:
                raise ScanReadError(f"{path}: PDF page {index + 1} unreadable: {exc}") from exc
            yield Page(index + 1, gray, dpi)
            del gray
    finally:
        document.close()


def open_scan(
    path: Path,
    *,
    max_pages: int = settings.SCAN_MAX_PAGES,
    max_pixels: int = settings.SCAN_MAX_PIXELS,
    name: str | None = None,
    data: bytes | None = None,
) -> ScanDocument:
    """Open ``path`` (or, given ``data``, those bytes as a file named ``path``); raises
    ScanReadError when it is not a readable scan at all.

    The reader passes the bytes it hashed, so the pages decoded are exactly the content
    recorded, whatever happens to the file meanwhile. The returned iterator may still
    raise ScanReadError for a page that turns out broken (a truncated TIFF frame, a
    truncated image's data).
    """
    label = name or str(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ScanReadError(f"{label}: unsupported file type {suffix or '(no suffix)'!r}")
    if (len(data) if data is not None else path.stat().st_size) == 0:
        raise ScanReadError(f"{label}: empty file (0 bytes)")
    if suffix == ".pdf":
        import pypdfium2 as pdfium

        try:
            document = pdfium.PdfDocument(data if data is not None else str(path))
            page_count = len(document)
        except pdfium.PdfiumError as exc:
            raise ScanReadError(f"{label}: not a readable PDF: {exc}") from exc
        if page_count == 0:
            document.close()
            raise ScanReadError(f"{label}: PDF without pages")
        return ScanDocument("pdf", page_count, _pdf_pages(label, document, max_pages, max_pixels))
    set_pixel_limit(max_pixels)
    try:
        with warnings.catch_warnings():
            # A broken TIFF directory warns before it fails; the failure is what gets recorded.
            warnings.filterwarnings("ignore", "Corrupt EXIF", UserWarning)
            image = Image.open(io.BytesIO(data) if data is not None else path)
            page_count = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError as exc:
        raise ScanReadError(f"{label}: decompression bomb refused: {exc}") from exc
    except Image.DecompressionBombWarning as exc:
        raise ScanReadError(f"{label}: image beyond the pixel limit {max_pixels:,}: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ScanReadError(f"{label}: not an image Pillow can identify") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ScanReadError(f"{label}: unreadable image: {type(exc).__name__}: {exc}") from exc
    file_format = (image.format or SUFFIXES[suffix]).lower()
    return ScanDocument(file_format, page_count, _image_pages(label, image, max_pages, max_pixels))
