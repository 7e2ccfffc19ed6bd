"""Open a scan file and yield its pages one at a time, within limits.

PNG/JPEG/TIFF go through Pillow (TIFF frame by frame), PDFs page by page with pdfium. Each
page is handed out as a grayscale image and released before the next is made, so a 200-page
file costs the memory of one page. Anything a hostile file can raise is turned into
``ScanReadError`` naming the file and page.

A scanner's PDF page is one image filling the page. When its resolution is one the reader
would render at anyway (``config.PDF_DPI_RANGE``), the image is decoded as it is stored
(~10 ms at 200 dpi) instead of the page being rendered (~90 ms): the pixels are the scan's
own, and so are its dimensions (rendering the page box at the image's dpi rounds an A4
page of 1654 px to 1655). Any other page (several objects, a turned page, a transparent,
placed or unusual image, a resolution outside the range) is rendered as before.
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
                # A grayscale page is handed out as decoded: converting it would only copy it.
                if image.mode == "L":
                    image.load()
                    gray = image
                else:
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


# Colour spaces and depths whose stored pixels pdfium hands out as they are (gray or RGB).
_PLAIN_COLORSPACES = (1, 2)  # FPDF_COLORSPACE_DEVICEGRAY, FPDF_COLORSPACE_DEVICERGB
_PLAIN_BITS = (1, 8, 24)
# How far (in points) the image may miss the page's edges, and its two resolutions each
# other, for the image to be the page.
_EDGE_TOLERANCE_PT = 1.0
_DPI_TOLERANCE = 0.01


def _page_scan_image(path: str, index: int, page, max_pixels: int) -> tuple[Image.Image, float] | None:
    """The page's one image as stored, and its dpi, when it is the whole page at a resolution
    rendering would keep; None when the page has to be rendered."""
    import pypdfium2.raw as pdfium_c

    if page.get_rotation() % 360:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    if pdfium_c.FPDFPageObj_HasTransparency(image):
        return None
    a, b, c, d, e, f = image.get_matrix().get()
    left, bottom, right, top = page.get_cropbox()
    edges = (e - left, f - bottom, e + a - right, f + d - top)
    if b or c or a <= 0 or d <= 0 or max(abs(edge) for edge in edges) > _EDGE_TOLERANCE_PT:
        return None
    metadata = image.get_metadata()
    dpi = float(metadata.horizontal_dpi)
    if (
        metadata.colorspace not in _PLAIN_COLORSPACES
        or metadata.bits_per_pixel not in _PLAIN_BITS
        or not config.PDF_DPI_RANGE[0] <= dpi <= config.PDF_DPI_RANGE[1]
        or abs(float(metadata.vertical_dpi) - dpi) > _DPI_TOLERANCE * dpi
    ):
        return None
    width, height = image.get_px_size()
    if width * height > max_pixels:
        raise ScanReadError(
            f"{path}: page {index + 1} holds an image of {width}x{height} pixels, beyond the limit "
            f"{max_pixels:,}"
        )
    # A copy (convert), since the bitmap's memory goes with it; pdfium owns the bitmap and
    # frees it with its Python object.
    gray = image.get_bitmap(render=False).to_pil().convert("L")
    return gray, round(dpi, 1)


def _render_page(path: str, index: int, page, max_pixels: int) -> tuple[Image.Image, float | None]:
    """The page rendered in gray at its scan's dpi clamped to ``config.PDF_DPI_RANGE``."""
    dpi = _pdf_dpi(page)
    render_dpi = min(max(dpi or settings.SCAN_PDF_DPI, config.PDF_DPI_RANGE[0]), config.PDF_DPI_RANGE[1])
    width_pt, height_pt = page.get_size()
    pixels = (width_pt / 72 * render_dpi) * (height_pt / 72 * render_dpi)
    if pixels > max_pixels:
        raise ScanReadError(
            f"{path}: page {index + 1} of {width_pt:.0f}x{height_pt:.0f} pt would render to "
            f"{pixels:,.0f} pixels, beyond the limit {max_pixels:,}"
        )
    bitmap = page.render(scale=render_dpi / 72, grayscale=True)
    try:
        gray = bitmap.to_pil().convert("L")
    finally:
        bitmap.close()
    return gray, dpi


def _pdf_pages(path: str, document, max_pages: int, max_pixels: int) -> Iterator[Page]:
    import pypdfium2 as pdfium

    try:
        for index in range(min(len(document), max_pages)):
            try:
                page = document[index]
                try:
                    stored = _page_scan_image(path, index, page, max_pixels)
                    gray, dpi = stored if stored is not None else _render_page(path, index, page, max_pixels)
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
