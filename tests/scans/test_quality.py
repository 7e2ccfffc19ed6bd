"""scans.quality: blank detection and sharpness on rendered pages."""

from __future__ import annotations

import pytest

from scans.quality import page_quality
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
