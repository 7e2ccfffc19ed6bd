"""scans.pages: a PDF page that is its scan is read from the stored image, any other is rendered."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from scans.pages import open_scan
from scans.synthetic import render_pages, write_document_scan


def test_pdf_page_of_a_scan_has_the_scan_s_own_pixels(tmp_path: Path) -> None:
    """GIVEN a 200 dpi A4 scan written as a PDF (one image filling each page) WHEN opened
    THEN each page is the stored image: 210 mm x 200/25.4 = 1653.5 -> 1654 px wide and
    297 mm -> 2338.6 -> 2339 px tall, as the same scan written as PNG, at 200 dpi."""
    pdf, png = tmp_path / "doc.pdf", tmp_path / "doc.png"
    write_document_scan(pdf, "DG202411300070", fmt="pdf", pages=2, dpi=200, seed=3)
    write_document_scan(png, "DG202411300070", fmt="png", dpi=200, seed=3)
    pages = [(page.image.size, page.dpi) for page in open_scan(pdf).pages]
    with Image.open(png) as image:
        assert image.size == (1654, 2339)
    assert pages == [((1654, 2339), 200.0), ((1654, 2339), 200.0)]


def _pdf_with_a_note(path: Path, scan: Image.Image) -> None:
    """A one-page PDF whose scan fills the page, with a black box drawn over its top left
    corner (a stamp added after scanning): the page shows more than its image."""
    document = pdfium.PdfDocument.new()
    width_pt, height_pt = scan.width / 200 * 72, scan.height / 200 * 72
    page = document.new_page(width_pt, height_pt)
    image = pdfium.PdfImage.new(document)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(scan))
    image.set_matrix(pdfium.PdfMatrix().scale(width_pt, height_pt))
    page.insert_obj(image)
    box = pdfium.raw.FPDFPageObj_CreateNewRect(0, height_pt - 72, 72, 72)
    pdfium.raw.FPDFPageObj_SetFillColor(box, 0, 0, 0, 255)
    pdfium.raw.FPDFPath_SetDrawMode(box, pdfium.raw.FPDF_FILLMODE_WINDING, False)
    pdfium.raw.FPDFPage_InsertObject(page, box)
    page.gen_content()
    document.save(str(path))


def test_pdf_page_showing_more_than_its_image_is_rendered(tmp_path: Path) -> None:
    """GIVEN a PDF page whose scan (blank paper) is overlaid with a 1-inch black box at its
    top left WHEN opened THEN the page is rendered as it shows: at 200 dpi the box covers
    the top-left 200 x 200 px, which the stored image alone does not have."""
    scan = render_pages("", dpi=200, degradation="blank", seed=4)[0][0]
    path = tmp_path / "stamped.pdf"
    _pdf_with_a_note(path, scan)
    page = next(open_scan(path).pages)
    assert scan.getpixel((100, 100)) > 200
    assert page.image.getpixel((100, 100)) < 50
    assert page.image.getpixel((300, 300)) > 200


def test_grayscale_tiff_pages_are_each_their_own_frame(tmp_path: Path) -> None:
    """GIVEN a 2-page grayscale TIFF (handed out as decoded, without a converted copy) WHEN
    its pages are read one after the other THEN each page holds its own frame's pixels,
    those of the page rendered for it, and the first page is not the second's."""
    path = tmp_path / "doc.tif"
    write_document_scan(path, "DG202411300071", fmt="tiff", pages=2, dpi=150, seed=5)
    rendered, _ = render_pages("DG202411300071", pages=2, dpi=150, seed=5)
    pages = [(page.image.mode, page.image.tobytes()) for page in open_scan(path).pages]
    assert [mode for mode, _ in pages] == ["L", "L"]
    assert [pixels for _, pixels in pages] == [image.tobytes() for image in rendered]
    assert pages[0][1] != pages[1][1]
