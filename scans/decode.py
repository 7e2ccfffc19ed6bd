"""Find the Code128 barcode of a scanned page.

``decode(image)`` is the one call around a decoder library, so a second backend is one more
small function (``decode_zxing``). ``read_page`` is the strategy, ordered by what the
figures in bench/results/scans.md support: the barcode sits at the top right of the first
page, so that corner is tried first (a few ms against 50-220 ms for the whole page), then
the opposite corner for a portrait page turned 180 (or the two corners of a sideways
page), then the whole page, then a 3x3 median of the corners for speckled scans,
optionally zxing-cpp on the whole page (``DANGAN_SCAN_ZXING``; it added no page on the
benchmark), and last the median of the whole page. Before the whole-page passes, a page
without any barcode-like pattern on a downscaled copy stops (``gate``): a form page
without barcode costs the corners and that check, not the whole cascade. Downscaling and
Otsu binarisation are left out of the decoding: both lowered the decode rate.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PIL import Image, ImageFilter

logger = logging.getLogger(__name__)

# Corner crops: along the page's long side 22 %, along its short side 55 % (the barcode is
# ~55 mm wide and ~25 mm tall with its text, within ~15 mm of the edges).
CROP_LONG = 0.22
CROP_SHORT = 0.55


@dataclass(frozen=True)
class Barcode:
    page: int
    value: str
    symbology: str
    decoder: str


@dataclass(frozen=True)
class PageRead:
    """What one page gave: every code read (``found``), the accepted ones, and the pass
    that read them (``decoder``, None when nothing was accepted)."""

    found: tuple[Barcode, ...]
    accepted: tuple[Barcode, ...]
    decoder: str | None


def decode(
    image: Image.Image, *, page: int = 1, code128_only: bool = True, decoder: str = "pyzbar"
) -> list[Barcode]:
    """Code128 barcodes in ``image`` read by libzbar (all symbologies if not ``code128_only``)."""
    from pyzbar.pyzbar import ZBarSymbol
    from pyzbar.pyzbar import decode as zbar_decode

    symbols = [ZBarSymbol.CODE128] if code128_only else None
    results = zbar_decode(image, symbols=symbols)
    return [
        Barcode(page, result.data.decode("utf-8", errors="replace"), result.type, decoder)
        for result in results
    ]


def decode_zxing(image: Image.Image, *, page: int = 1, decoder: str = "zxing") -> list[Barcode]:
    """Code128 barcodes in ``image`` read by zxing-cpp (any orientation)."""
    import zxingcpp

    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.Code128)
    return [Barcode(page, result.text, "CODE128", decoder) for result in results if result.valid]


def corner_boxes(width: int, height: int) -> list[tuple[str, tuple[int, int, int, int]]]:
    """Corner crops where the top-right barcode lands, most likely first.

    Portrait pages: upright (top right), then turned 180 (bottom left); landscape pages
    (fed sideways): turned 90 counter-clockwise puts it top left, 270 bottom right.
    """
    portrait = height >= width
    cw = round(width * (CROP_SHORT if portrait else CROP_LONG))
    ch = round(height * (CROP_LONG if portrait else CROP_SHORT))
    top_right = (width - cw, 0, width, ch)
    bottom_left = (0, height - ch, cw, height)
    top_left = (0, 0, cw, ch)
    bottom_right = (width - cw, height - ch, width, height)
    if portrait:
        return [("", top_right), ("+rot180", bottom_left)]
    return [("+rot90", top_left), ("+rot270", bottom_right)]


def _median(image: Image.Image) -> Image.Image:
    return image.filter(ImageFilter.MedianFilter(3))


def _unique(barcodes: Iterable[Barcode]) -> list[Barcode]:
    seen: set[str] = set()
    out = []
    for barcode in barcodes:
        if barcode.value not in seen:
            seen.add(barcode.value)
            out.append(barcode)
    return out


def read_page(
    image: Image.Image,
    accept: re.Pattern[str] | None,
    *,
    page: int = 1,
    crops: bool = True,
    full_page: bool = True,
    median: bool = True,
    zxing: bool = False,
    gate: Callable[[Image.Image], bool] | None = None,
) -> PageRead:
    """Read the page's barcodes pass by pass until one is accepted.

    Without a filter (``accept`` None, the default) every code read is accepted: which
    code is a document's is decided by joining on the archive's barcodes in dbt, so any
    format links. With a filter, a code that does not match it (a meter's serial, a parcel
    label) is kept in ``found`` but never accepted; passes go on after it, since the
    document's own code may be elsewhere.

    ``gate``, when given, is asked once the plain corner passes found nothing: a page it
    says holds no barcode-like pattern (``scans.quality.may_hold_barcode``) skips the
    whole-page and median passes, the costly ones, and reads as without barcode; a page
    it lets through tries the corners' median before the whole page.
    """
    gray = image if image.mode == "L" else image.convert("L")
    corners = corner_boxes(*gray.size) if crops else []
    passes: list[tuple[str, Callable[[], list[Barcode]]]] = []
    for suffix, box in corners:
        passes.append((f"pyzbar{suffix}", lambda box=box: decode(gray.crop(box), page=page)))
    if full_page or not corners:
        passes.append(("pyzbar", lambda: decode(gray, page=page)))
    if median:
        # Speckle (salt and pepper) hides the bars from libzbar; a 3x3 median on the
        # corner crops is cheap, on the whole page it is the most expensive pass: last.
        for suffix, box in corners:
            passes.append(
                (f"pyzbar+median{suffix}", lambda box=box: decode(_median(gray.crop(box)), page=page))
            )
    if zxing:
        passes.append(("zxing", lambda: decode_zxing(gray, page=page)))
    if median and (full_page or not corners):
        passes.append(("pyzbar+median", lambda: decode(_median(gray), page=page)))
    plain_corners = {f"pyzbar{suffix}" for suffix, _ in corners}
    if gate is not None:
        # A page that passed the gate holds bars the plain corners could not read: most
        # often speckle over a corner label, which the corners' median reads at a tenth
        # of the cost of the whole-page pass it would otherwise wait for.
        median_corners = [item for item in passes if item[0].startswith("pyzbar+median+")]
        rest = [item for item in passes if item not in median_corners]
        split = len(plain_corners)
        passes = rest[:split] + median_corners + rest[split:]
    found: list[Barcode] = []
    gated = gate is None
    for name, run in passes:
        if not gated and name not in plain_corners:
            gated = True
            if not gate(gray):
                logger.debug("page %d: no barcode-like pattern; whole-page passes skipped", page)
                break
        barcodes = run()
        found.extend(barcodes)
        accepted = _unique(b for b in barcodes if accept is None or accept.fullmatch(b.value))
        if accepted:
            logger.debug("page %d: %s read %s", page, name, [b.value for b in accepted])
            return PageRead(tuple(_unique(found)), tuple(accepted), name)
    return PageRead(tuple(_unique(found)), (), None)
