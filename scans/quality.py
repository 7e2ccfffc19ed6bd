"""Page quality figures: is the page blank, how sharp is it, could it hold a barcode.

All are computed on a downsampled copy (about 100 dpi): enough to tell ink from paper,
focus from blur and bars from text, at a fraction of the cost of the full page.
"""

from __future__ import annotations

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
    factor = max(1, round(max(image.size) / TARGET_LONG_SIDE))
    small = image.reduce(factor) if factor > 1 else image
    return np.asarray(small, dtype=np.float32)


def ink_share(pixels: np.ndarray) -> float:
    """Share of pixels clearly darker than the paper: relative to the page's own background,
    so a faded (low-contrast) page still shows its ink and a grey sheet is not all ink."""
    if not pixels.size:
        return 0.0
    paper = float(np.median(pixels[::4, ::4]))
    return float((pixels < paper - INK_DEPTH).mean())


def sharpness(pixels: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian: high for crisp strokes, low for blurred pages."""
    if pixels.shape[0] < 3 or pixels.shape[1] < 3:
        return 0.0
    laplacian = (
        4 * pixels[1:-1, 1:-1] - pixels[:-2, 1:-1] - pixels[2:, 1:-1] - pixels[1:-1, :-2] - pixels[1:-1, 2:]
    )
    return float(laplacian.var())


def page_quality(image: Image.Image) -> tuple[bool, float]:
    """(is_blank, sharpness) of a grayscale page."""
    pixels = downsample(image)
    return ink_share(pixels) < BLANK_INK_SHARE, round(sharpness(pixels), 2)


def _densest_window(blocks: np.ndarray, rows: int, cols: int) -> float:
    """The largest sum of ``blocks`` over any window of rows x cols blocks."""
    if blocks.shape[0] < rows or blocks.shape[1] < cols:
        return 0.0
    total = np.zeros((blocks.shape[0] + 1, blocks.shape[1] + 1), dtype=np.float32)
    total[1:, 1:] = blocks.cumsum(0).cumsum(1)
    sums = total[rows:, cols:] - total[:-rows, cols:] - total[rows:, :-cols] + total[:-rows, :-cols]
    return float(sums.max())


def bar_pattern_share(image: Image.Image) -> float:
    """How much the page's most barcode-like spot looks like one: in a window of a label's
    size, the share of pixels with a strong edge across the bars minus those with one
    along them (either orientation, so pages turned sideways count too).

    Text and ruled lines have edges both ways and cancel out; bars have them one way
    only. About 20 ms at 200-300 dpi against 250 ms for the full-page decode passes that a
    page without barcode otherwise goes through.
    """
    scale = min(1.0, BAR_DPI / (min(image.size) / A4_SHORT_SIDE_IN))
    small = image
    if scale < 1:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = image.resize(size, Image.Resampling.BOX)
    pixels = np.asarray(small, dtype=np.int16)
    if pixels.shape[0] < 2 or pixels.shape[1] < 2:
        return 0.0
    sample = pixels[::4, ::4]
    threshold = max(10.0, BAR_EDGE_CONTRAST * float(np.median(sample) - np.percentile(sample, 1)))
    across = np.abs(np.diff(pixels, axis=1))[:-1, :] > threshold
    along = np.abs(np.diff(pixels, axis=0))[:, :-1] > threshold
    difference = across.astype(np.int8) - along.astype(np.int8)
    rows, cols = difference.shape[0] // BAR_BLOCK, difference.shape[1] // BAR_BLOCK
    blocks = (
        difference[: rows * BAR_BLOCK, : cols * BAR_BLOCK]
        .reshape(rows, BAR_BLOCK, cols, BAR_BLOCK)
        .sum(axis=(1, 3), dtype=np.int32)
        .astype(np.float32)
    )
    blocks_per_mm = BAR_DPI / 25.4 / BAR_BLOCK
    length, height = (max(1, round(mm * blocks_per_mm)) for mm in BAR_WINDOW_MM)
    best = max(_densest_window(blocks, height, length), _densest_window(-blocks, length, height))
    return best / (length * height * BAR_BLOCK * BAR_BLOCK)


def may_hold_barcode(image: Image.Image) -> bool:
    """Whether a page is worth the full-page decode passes."""
    return bar_pattern_share(image) >= BAR_PATTERN_SHARE
