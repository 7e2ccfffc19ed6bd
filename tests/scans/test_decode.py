"""scans.decode: the decoder backends and the order of the passes."""

from __future__ import annotations

import re

from scans.decode import decode, decode_zxing, read_page
from scans.synthetic import render_pages
from tests.scans.conftest import PATTERN

ACCEPT = re.compile(PATTERN)


def test_both_backends_read_the_same_code():
    """GIVEN an upright 200 dpi page WHEN decoded by pyzbar and by zxing-cpp THEN both read
    the one Code128 on it (the second backend is a drop-in)."""
    page = render_pages("DG202411300030", dpi=200, seed=8)[0][0]
    assert [b.value for b in decode(page)] == [b.value for b in decode_zxing(page)] == ["DG202411300030"]


def test_speckled_page_is_rescued_by_the_median_pass():
    """GIVEN a salt-and-pepper page libzbar cannot read as is WHEN read THEN a median pass reads it."""
    page = render_pages("DG202411300031", dpi=200, degradation="noisy", seed=9)[0][0]
    assert decode(page) == []
    read = read_page(page, ACCEPT)
    assert read.decoder is not None and read.decoder.startswith("pyzbar+median")
    assert [b.value for b in read.accepted] == ["DG202411300031"]


def test_non_matching_code_is_found_but_not_accepted():
    """GIVEN a page whose code does not match the pattern WHEN read THEN it is in found only."""
    page = render_pages("PARCEL-99", dpi=150, seed=10)[0][0]
    read = read_page(page, ACCEPT)
    assert [b.value for b in read.found] == ["PARCEL-99"]
    assert read.accepted == () and read.decoder is None


def test_continuation_passes_skip_the_whole_page():
    """GIVEN a code printed mid-page (not in a corner) WHEN read with corner passes only THEN it
    is not seen; with the whole-page pass it is."""
    from PIL import ImageDraw

    from scans.synthetic import draw_code128

    page = render_pages("", pages=2, dpi=200, seed=11)[0][1]
    draw_code128(ImageDraw.Draw(page), "DG202411300032", page.width // 3, page.height // 2, 200)
    assert read_page(page, ACCEPT, full_page=False, median=False).accepted == ()
    assert read_page(page, ACCEPT).decoder == "pyzbar"


def test_without_a_filter_every_code_is_accepted():
    """GIVEN a page whose only code has no document-like format WHEN read without a pattern
    (the default) THEN that code is accepted: which code is a document's is dbt's join."""
    page = render_pages("PARCEL-99", dpi=150, seed=10)[0][0]
    read = read_page(page, None)
    assert [b.value for b in read.accepted] == [b.value for b in read.found] == ["PARCEL-99"]
    assert read.decoder == "pyzbar"


def test_page_without_bar_pattern_skips_the_whole_page_passes(caplog):
    """GIVEN a form page without barcode WHEN read with the bar-pattern gate THEN the corner
    passes run, the whole-page passes do not, and nothing is found; GIVEN a code printed
    mid-page THEN the gate lets the whole-page pass read it."""
    import logging

    from PIL import ImageDraw

    from scans.quality import may_hold_barcode
    from scans.synthetic import draw_code128

    page = render_pages("", pages=2, dpi=200, seed=11)[0][1]
    with caplog.at_level(logging.DEBUG, logger="scans.decode"):
        read = read_page(page, None, gate=may_hold_barcode)
    assert (read.found, read.decoder) == ((), None)
    assert "no barcode-like pattern; whole-page passes skipped" in caplog.text
    draw_code128(ImageDraw.Draw(page), "DG202411300032", page.width // 3, page.height // 2, 200)
    assert read_page(page, None, gate=may_hold_barcode).decoder == "pyzbar"


def test_speckled_corner_label_is_read_by_the_corner_median_before_the_whole_page():
    """GIVEN a speckled page whose own label (top right) libzbar cannot read as is, and a
    clean stray code printed mid-page WHEN read with the bar-pattern gate THEN the top-right
    corner's median reads the page's own label before the whole-page pass could take the
    stray code."""
    from PIL import ImageDraw

    from scans.quality import may_hold_barcode
    from scans.synthetic import draw_code128

    page = render_pages("DG202411300031", dpi=200, degradation="noisy", seed=9)[0][0]
    draw_code128(ImageDraw.Draw(page), "PARCEL-77", page.width // 3, page.height // 2, 200)
    read = read_page(page, None, gate=may_hold_barcode)
    assert [b.value for b in read.accepted] == ["DG202411300031"]
    assert read.decoder == "pyzbar+median"


def test_speckled_label_is_read_where_the_gate_found_it():
    """GIVEN a speckled page WHEN read with a gate that says where the bar pattern is THEN
    that crop (as is or after its median) reads the code, before any corner's median or
    the whole page."""
    from scans.quality import barcode_spot

    page = render_pages("DG202411300031", dpi=200, degradation="noisy", seed=9)[0][0]
    read = read_page(page, None, gate=barcode_spot)
    assert [b.value for b in read.accepted] == ["DG202411300031"]
    assert read.decoder in ("pyzbar+spot", "pyzbar+median+spot")


def test_sparse_scan_reads_a_clean_corner_label():
    """GIVEN an upright clean page's top-right corner WHEN scanned every third line THEN its
    code is read, as with every line."""
    from scans.decode import corner_boxes

    page = render_pages("DG202411300033", dpi=200, seed=12)[0][0]
    corner = page.crop(corner_boxes(*page.size)[0][1])
    assert [b.value for b in decode(corner, density=3)] == ["DG202411300033"]
    assert [b.value for b in decode(corner)] == ["DG202411300033"]


def test_sparse_corner_scan_still_reads_a_label_stuck_on_sideways():
    """GIVEN a portrait page's top-right corner whose label is turned a quarter (bars lying
    horizontally, as a label stuck on sideways) WHEN scanned as a portrait corner is (rows
    every third line, columns only every sixth) THEN its code is read all the same, and the
    upright corner too."""
    from scans.decode import CORNER_CROSS_DENSITY, CORNER_DENSITY, corner_boxes

    page = render_pages("DG202411300034", dpi=200, seed=13)[0][0]
    corner = page.crop(corner_boxes(*page.size)[0][1])
    portrait = (CORNER_CROSS_DENSITY, CORNER_DENSITY)
    sideways = corner.rotate(90, expand=True)
    assert [b.value for b in decode(corner, density=portrait)] == ["DG202411300034"]
    assert [b.value for b in decode(sideways, density=portrait)] == ["DG202411300034"]
