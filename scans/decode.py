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
# Scan density of the plain corner passes (every n-th line); the later passes scan every line.
# Lines across the bars of a label lying as expected in that corner every CORNER_DENSITY-th
# row (or column), lines along them every CORNER_CROSS_DENSITY-th: a label stuck on sideways
# is still crossed some 15 times, at 3 ms a corner instead of 5 (200 dpi).
CORNER_DENSITY = 3
CORNER_CROSS_DENSITY = 6

# A crop of a page: left, top, right, bottom in pixels.
Box = tuple[int, int, int, int]


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
    image: Image.Image,
    *,
    page: int = 1,
    code128_only: bool = True,
    decoder: str = "pyzbar",
    density: int | tuple[int, int] = 1,
) -> list[Barcode]:
    """Code128 barcodes in ``image`` read by libzbar (all symbologies if not ``code128_only``).

    ``density`` n scans every n-th row and column instead of all of them (libzbar's
    x/y density): a label's bars are ~90 px tall at 200 dpi, so every third line still
    crosses them some 30 times, at about half the cost of scanning every line. A pair is
    (columns, rows): every n-th column (lines down the image, across horizontal bars),
    every m-th row (lines along it, across upright bars).
    """
    from pyzbar.pyzbar import ZBarSymbol
    from pyzbar.pyzbar import decode as zbar_decode

    symbols = [ZBarSymbol.CODE128] if code128_only else None
    columns, rows = (density, density) if isinstance(density, int) else density
    results = (
        zbar_decode(image, symbols=symbols)
        if (columns, rows) == (1, 1)
        else _zbar_sparse(image, symbols, columns, rows)
    )
    return [
        Barcode(page, result.data.decode("utf-8", errors="replace"), result.type, decoder)
        for result in results
    ]


def _zbar_sparse(image: Image.Image, symbols: list | None, columns: int, rows: int) -> list:
    """``pyzbar.decode`` with libzbar's scan density set (pyzbar 0.1.9 has no option for it)."""
    from ctypes import c_void_p, cast

    from pyzbar import pyzbar
    from pyzbar.wrapper import (
        ZBarConfig,
        zbar_image_scanner_set_config,
        zbar_image_set_data,
        zbar_image_set_format,
        zbar_image_set_size,
        zbar_scan_image,
    )

    gray = image if image.mode == "L" else image.convert("L")
    pixels = gray.tobytes()
    width, height = gray.size
    with pyzbar._image_scanner() as scanner:
        if symbols:
            # Symbol 0 addresses every symbology at once.
            zbar_image_scanner_set_config(scanner, 0, ZBarConfig.CFG_ENABLE, 0)
            for symbol in symbols:
                zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        zbar_image_scanner_set_config(scanner, 0, ZBarConfig.CFG_X_DENSITY, columns)
        zbar_image_scanner_set_config(scanner, 0, ZBarConfig.CFG_Y_DENSITY, rows)
        with pyzbar._image() as zbar_image:
            zbar_image_set_format(zbar_image, pyzbar._FOURCC["L800"])
            zbar_image_set_size(zbar_image, width, height)
            zbar_image_set_data(zbar_image, cast(pixels, c_void_p), len(pixels), None)
            if zbar_scan_image(scanner, zbar_image) < 0:
                raise pyzbar.PyZbarError("Unsupported image format")
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(zbar_image)))


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
    gate: Callable[[Image.Image], bool | Box | None] | None = None,
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
    it lets through tries the corners' median before the whole page. A gate that says
    where the pattern is (``scans.quality.barcode_spot``: a crop of the page) gets that
    crop tried first, plain and then with the median: a speckled label anywhere on the
    page costs a few ms there instead of the corners' median and the whole page.
    """
    gray = image if image.mode == "L" else image.convert("L")
    corners = corner_boxes(*gray.size) if crops else []
    # A portrait page's corner label (upright or turned 180) has upright bars: rows cross
    # them; a landscape page's (fed sideways) has horizontal bars: columns do.
    sparse = (
        (CORNER_CROSS_DENSITY, CORNER_DENSITY)
        if gray.height >= gray.width
        else (CORNER_DENSITY, CORNER_CROSS_DENSITY)
    )
    plain_corners: list[tuple[str, Callable[[], list[Barcode]]]] = [
        (f"pyzbar{suffix}", lambda box=box: decode(gray.crop(box), page=page, density=sparse))
        for suffix, box in corners
    ]
    # Speckle (salt and pepper) hides the bars from libzbar; a 3x3 median on the corner
    # crops is cheap, on the whole page it is the most expensive pass: last.
    median_corners: list[tuple[str, Callable[[], list[Barcode]]]] = (
        [
            (f"pyzbar+median{suffix}", lambda box=box: decode(_median(gray.crop(box)), page=page))
            for suffix, box in corners
        ]
        if median
        else []
    )
    whole_page: list[tuple[str, Callable[[], list[Barcode]]]] = []
    if full_page or not corners:
        whole_page.append(("pyzbar", lambda: decode(gray, page=page)))
    later: list[tuple[str, Callable[[], list[Barcode]]]] = []
    if zxing:
        later.append(("zxing", lambda: decode_zxing(gray, page=page)))
    if median and (full_page or not corners):
        later.append(("pyzbar+median", lambda: decode(_median(gray), page=page)))
    if gate is None:
        passes = plain_corners + whole_page + median_corners + later
    else:
        # A page that passed the gate holds bars the plain corners could not read: most
        # often speckle over a corner label, which the corners' median reads at a tenth
        # of the cost of the whole-page pass it would otherwise wait for.
        passes = plain_corners + median_corners + whole_page + later
    plain_names = {name for name, _ in plain_corners}
    found: list[Barcode] = []
    gated = gate is None
    queue = list(reversed(passes))
    while queue:
        name, run = queue.pop()
        if not gated and name not in plain_names:
            gated = True
            assert gate is not None
            spot = gate(gray)
            if not spot:
                logger.debug("page %d: no barcode-like pattern; whole-page passes skipped", page)
                break
            if isinstance(spot, tuple):
                queue.append((name, run))
                queue.extend(reversed(_spot_passes(gray, spot, page, median=median)))
                continue
        barcodes = run()
        found.extend(barcodes)
        accepted = _unique(b for b in barcodes if accept is None or accept.fullmatch(b.value))
        if accepted:
            logger.debug("page %d: %s read %s", page, name, [b.value for b in accepted])
            return PageRead(tuple(_unique(found)), tuple(accepted), name)
    return PageRead(tuple(_unique(found)), (), None)


def _spot_passes(
    gray: Image.Image, box: Box, page: int, *, median: bool
) -> list[tuple[str, Callable[[], list[Barcode]]]]:
    """The passes on the crop where the gate found a barcode-like pattern."""
    passes: list[tuple[str, Callable[[], list[Barcode]]]] = [
        ("pyzbar+spot", lambda: decode(gray.crop(box), page=page))
    ]
    if median:
        passes.append(("pyzbar+median+spot", lambda: decode(_median(gray.crop(box)), page=page)))
    return passes
