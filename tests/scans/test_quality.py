"""scans.quality: blank detection, sharpness and the bar-pattern search on rendered pages."""

from __future__ import annotations

import numpy as np
import pytest

from scans.quality import (
    BAR_PATTERN_SHARE,
    SHARPNESS_STRIP_ROWS,
    bar_pattern_share,
    may_hold_barcode,
    page_quality,
    sharpness,
)
from scans.synthetic import render_pages


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_faded_continuation_page_is_not_blank(dpi):
    """GIVEN a low-contrast form page without barcode (faded toner) WHEN measured THEN it is
    not blank: ink is judged against the page's own paper tone, not a fixed level."""
    images, _ = render_pages("DG202411300004", pages=2, dpi=dpi, degradation="low_contrast")
    assert page_quality(images[1])[0] is False


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_blank_sheet_with_dust_and_lid_shadow_is_blank(dpi):
    """GIVEN a blank separator sheet with specks and an edge shadow WHEN measured THEN blank."""
    images, _ = render_pages("", dpi=dpi, degradation="blank", seed=dpi)
    assert page_quality(images[0])[0] is True


@pytest.mark.parametrize("dpi", [150, 200, 300])
@pytest.mark.parametrize("degradation", [None, "noisy", "low_contrast", "blurred", "skewed", "rotated_90"])
def test_page_with_a_barcode_shows_a_bar_pattern(dpi, degradation):
    """GIVEN a first page carrying its barcode, clean or degraded, upright or sideways WHEN
    its downscaled copy is searched THEN a bar pattern is found: the whole-page passes run."""
    page = render_pages("DG202411300060", dpi=dpi, degradation=degradation, seed=dpi)[0][0]
    assert bar_pattern_share(page) >= BAR_PATTERN_SHARE
    assert may_hold_barcode(page) is True


@pytest.mark.parametrize("dpi", [150, 200, 300])
def test_form_page_without_barcode_shows_no_bar_pattern(dpi):
    """GIVEN a form page of text and ruled lines without barcode WHEN searched THEN no bar
    pattern: its edges run both ways and cancel out."""
    page = render_pages("DG202411300061", pages=2, dpi=dpi, seed=dpi)[0][1]
    assert bar_pattern_share(page) < BAR_PATTERN_SHARE


@pytest.mark.parametrize("degradation", [None, "noisy", "rotated_90", "rotated_180", "skewed"])
def test_barcode_spot_is_a_crop_holding_the_whole_label(degradation):
    """GIVEN a 200 dpi first page, upright, turned or speckled WHEN its barcode is looked for
    THEN the crop returned holds the whole label: decoded alone (after a median for the
    speckled one) it gives the page's code."""
    from PIL import ImageFilter

    from scans.decode import decode
    from scans.quality import barcode_spot

    page = render_pages("DG202411300062", dpi=200, degradation=degradation, seed=5)[0][0]
    box = barcode_spot(page)
    assert box is not None
    crop = page.crop(box)
    if degradation == "noisy":
        crop = crop.filter(ImageFilter.MedianFilter(3))
    assert [b.value for b in decode(crop)] == ["DG202411300062"]


def test_form_page_without_barcode_has_no_barcode_spot():
    """GIVEN a form page of text and ruled lines without barcode WHEN its barcode is looked
    for THEN there is none (the whole-page passes are skipped)."""
    from scans.quality import barcode_spot

    page = render_pages("DG202411300063", pages=2, dpi=200, seed=6)[0][1]
    assert barcode_spot(page) is None


def test_sharpness_is_the_variance_of_the_laplacian_of_one_bright_dot():
    """GIVEN a 5x5 black image with one pixel of 10 in its centre WHEN its sharpness is
    measured THEN the 3x3 interior's Laplacian is 40 at the dot, -10 at its 4 neighbours,
    0 at the 4 diagonal ones: mean 0, variance (40^2 + 4 x 10^2) / 9 = 2000/9."""
    pixels = np.zeros((5, 5), dtype=np.uint8)
    pixels[2, 2] = 10
    assert sharpness(pixels) == pytest.approx(2000 / 9, rel=1e-12)


def test_sharpness_counts_a_line_across_the_boundary_of_two_slices_once():
    """GIVEN a 260x3 black image with one row of 10 at row 129, where the Laplacian's first
    slice (rows 1-128) ends WHEN its sharpness is measured THEN the one interior column's
    Laplacian is 4x10 - 10 - 10 = 20 on that row and -10 on the rows either side (one in
    each slice), 0 on the other 255 of the 258 interior rows: variance 600/258."""
    assert SHARPNESS_STRIP_ROWS == 128
    pixels = np.zeros((260, 3), dtype=np.uint8)
    pixels[129, :] = 10
    assert sharpness(pixels) == pytest.approx(600 / 258, rel=1e-12)
