"""Page quality figures: is the page blank, how sharp is it, could it hold a barcode.

All are computed on a downsampled copy (about 100 dpi): enough to tell ink from paper,
focus from blur and bars from text, at a fraction of the cost of the full page.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

# Share of dark pixels below which a page counts as blank; a sparse form still has ~2 %.
BLANK_INK_SHARE = 0.0005
INK_DEPTH = 45
TARGET_LONG_SIDE = 1200
# Bar-pattern search: pages scaled to about this resolution (an A4 page's short side is
# 8.27 in), edges counted in blocks of BAR_BLOCK px, over windows of a barcode's size
# (BAR_WINDOW_MM, along and across its bars). Share of edge pixels one way minus the other
# in the densest window: a Code128 label scores 0.46-0.66 on the benchmark's pages (blurred,
# speckled, faded, skewed, 150-300 dpi), a page of text and form lines at most 0.17.
BAR_DPI = 100.0
BAR_BLOCK = 4
BAR_WINDOW_MM = (20.0, 6.0)
BAR_EDGE_CONTRAST = 0.3
BAR_PATTERN_SHARE = 0.3
A4_SHORT_SIDE_IN = 210 / 25.4


def downsample(image: Image.Image) -> np.ndarray:
    """The page reduced to about 100 dpi, as its 8-bit pixels (no copy of the reduced image)."""
    factor = max(1, round(max(image.size) / TARGET_LONG_SIDE))
    small = image.reduce(factor) if factor > 1 else image
    return np.asarray(small)


def ink_share(pixels: np.ndarray) -> float:
    """Share of pixels clearly darker than the paper: relative to the page's own background,
    so a faded (low-contrast) page still shows its ink and a grey sheet is not all ink."""
    if not pixels.size:
        return 0.0
    paper = float(np.median(pixels[::4, ::4]))
    # A count, not the mean of a boolean array (a float64 pass over the page): the same share.
    return int(np.count_nonzero(pixels < paper - INK_DEPTH)) / pixels.size


# Rows of the page per slice of the Laplacian: its arrays stay within ~0.5 MB (the
# processor's cache) instead of 2-8 MB for the whole page.
SHARPNESS_STRIP_ROWS = 128


def sharpness(pixels: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: high for crisp strokes, low for blurred pages.

    Made slice by slice of SHARPNESS_STRIP_ROWS rows, in 16-bit integers (exact: at most
    4 x 255 on 8-bit pixels), squared in 32-bit and summed in 64-bit integers: the variance
    is the exact one, where float32's ``var`` over the whole page carried rounding in its
    sums (the same figure to 2 decimals on the benchmark's 86 pages and the sample
    corpus). No BLAS call (``np.dot``): with its thread pool (a host without
    OPENBLAS_NUM_THREADS=1) a dot product per slice costs ten times the whole figure.
    """
    if pixels.dtype != np.uint8:
        raise TypeError(f"sharpness: expects the 8-bit pixels of a grayscale page, got {pixels.dtype}")
    height, width = pixels.shape[:2]
    if height < 3 or width < 3:
        return 0.0
    total = 0
    squares = 0
    for top in range(0, height - 2, SHARPNESS_STRIP_ROWS):
        rows = pixels[top : min(height, top + SHARPNESS_STRIP_ROWS + 2)]
        values = rows.astype(np.int16)
        laplacian = values[1:-1, 1:-1] * 4
        laplacian -= values[:-2, 1:-1]
        laplacian -= values[2:, 1:-1]
        laplacian -= values[1:-1, :-2]
        laplacian -= values[1:-1, 2:]
        total += int(laplacian.sum(dtype=np.int64))
        wide = laplacian.astype(np.int32)
        squares += int(np.multiply(wide, wide, out=wide).sum(dtype=np.int64))
    count = (height - 2) * (width - 2)
    return (squares - total * total / count) / count


def page_quality(image: Image.Image) -> tuple[bool, float]:
    """(is_blank, sharpness) of a grayscale page."""
    pixels = downsample(image)
    return ink_share(pixels) < BLANK_INK_SHARE, round(sharpness(pixels), 2)


# Around the most barcode-like window, the crop decoded first: along the bars' run (the
# label's length) this far either side of the window's centre, across it this far, in mm.
# A 20 mm window somewhere on a label of up to ~110 mm, bars ~12 mm tall.
SPOT_HALF_LENGTH_MM = 65.0
SPOT_HALF_HEIGHT_MM = 11.0


@dataclass(frozen=True)
class BarPattern:
    """The page's most barcode-like window: its ``share`` (see ``bar_pattern_share``) and a
    crop of the full page around it (left, top, right, bottom in the page's pixels)."""

    share: float
    box: tuple[int, int, int, int] | None


def _densest_window(blocks: np.ndarray, rows: int, cols: int) -> tuple[float, int, int]:
    """The largest sum of ``blocks`` over any window of rows x cols blocks, and the window's
    top-left block (row, column)."""
    if blocks.shape[0] < rows or blocks.shape[1] < cols:
        return 0.0, 0, 0
    total = np.zeros((blocks.shape[0] + 1, blocks.shape[1] + 1), dtype=np.float32)
    total[1:, 1:] = blocks.cumsum(0).cumsum(1)
    sums = total[rows:, cols:] - total[:-rows, cols:] - total[rows:, :-cols] + total[:-rows, :-cols]
    row, col = np.unravel_index(int(sums.argmax()), sums.shape)
    return float(sums[row, col]), int(row), int(col)


def bar_pattern(image: Image.Image) -> BarPattern:
    """How much the page's most barcode-like spot looks like one, and where it is: in a
    window of a label's size, the share of pixels with a strong edge across the bars minus
    those with one along them (either orientation, so pages turned sideways count too).

    Text and ruled lines have edges both ways and cancel out; bars have them one way
    only. About 8 ms at 200-300 dpi against 250 ms for the full-page decode passes that a
    page without barcode otherwise goes through.
    """
    scale = min(1.0, BAR_DPI / (min(image.size) / A4_SHORT_SIDE_IN))
    small = image
    if scale < 1:
        # Box averaging by a whole factor (``reduce``, ~3 ms at 200 dpi), then by what is
        # left (``resize``, ~12 ms on the whole page, nothing when the factor was whole).
        factor = int(1 / scale + 1e-6)
        small = image.reduce(factor) if factor > 1 else image
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        if small.size != size:
            small = small.resize(size, Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.int16)
    if pixels.shape[0] < 2 or pixels.shape[1] < 2:
        return BarPattern(0.0, None)
    sample = pixels[::4, ::4]
    threshold = max(10.0, BAR_EDGE_CONTRAST * float(np.median(sample) - np.percentile(sample, 1)))
    across = np.abs(np.diff(pixels, axis=1))[:-1, :] > threshold
    along = np.abs(np.diff(pixels, axis=0))[:, :-1] > threshold
    difference = across.astype(np.int8) - along.astype(np.int8)
    rows, cols = difference.shape[0] // BAR_BLOCK, difference.shape[1] // BAR_BLOCK
    # Sums over BAR_BLOCK x BAR_BLOCK blocks as strided additions (within int8: at most 16),
    # several times faster than a reduction over the reshaped axes.
    whole = difference[: rows * BAR_BLOCK, : cols * BAR_BLOCK]
    by_columns = sum(whole[:, offset::BAR_BLOCK] for offset in range(1, BAR_BLOCK)) + whole[:, 0::BAR_BLOCK]
    blocks = (
        sum(by_columns[offset::BAR_BLOCK] for offset in range(1, BAR_BLOCK)) + by_columns[0::BAR_BLOCK]
    ).astype(np.float32)
    blocks_per_mm = BAR_DPI / 25.4 / BAR_BLOCK
    length, height = (max(1, round(mm * blocks_per_mm)) for mm in BAR_WINDOW_MM)
    upright = _densest_window(blocks, height, length)
    sideways = _densest_window(-blocks, length, height)
    best, row, col = max(upright, sideways)
    share = best / (length * height * BAR_BLOCK * BAR_BLOCK)
    # The window's centre in the page's pixels; the crop runs along the bars' sequence.
    per_block = BAR_BLOCK * image.width / small.width
    window_rows, window_cols = (height, length) if upright >= sideways else (length, height)
    centre_x = (col + window_cols / 2) * per_block
    centre_y = (row + window_rows / 2) * per_block
    px_per_mm = per_block * blocks_per_mm
    half_length, half_height = SPOT_HALF_LENGTH_MM * px_per_mm, SPOT_HALF_HEIGHT_MM * px_per_mm
    half_x, half_y = (half_length, half_height) if upright >= sideways else (half_height, half_length)
    box = (
        max(0, round(centre_x - half_x)),
        max(0, round(centre_y - half_y)),
        min(image.width, round(centre_x + half_x)),
        min(image.height, round(centre_y + half_y)),
    )
    return BarPattern(share, box)


def bar_pattern_share(image: Image.Image) -> float:
    """The share of ``bar_pattern``: how barcode-like the page's most barcode-like spot is."""
    return bar_pattern(image).share


def may_hold_barcode(image: Image.Image) -> bool:
    """Whether a page is worth the full-page decode passes."""
    return bar_pattern_share(image) >= BAR_PATTERN_SHARE


def barcode_spot(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Where a page's barcode most likely is, as a crop of the page; None when the page
    shows no barcode-like pattern and is not worth the whole-page decode passes."""
    pattern = bar_pattern(image)
    return pattern.box if pattern.share >= BAR_PATTERN_SHARE else None
