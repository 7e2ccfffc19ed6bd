"""Page quality figures: is the page blank, how sharp is it.

Both are computed on a downsampled copy (about 100 dpi): enough to tell ink from paper and
focus from blur, at a fraction of the cost of the full page.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

# Share of dark pixels below which a page counts as blank; a sparse form still has ~2 %.
BLANK_INK_SHARE = 0.0005
INK_DEPTH = 45
TARGET_LONG_SIDE = 1200


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
