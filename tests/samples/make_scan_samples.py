"""Write the committed scan sample corpus, ``tests/samples/scans/``.

Each file is named by what it proves. Run once after changing ``scans.synthetic``:
``.venv/bin/python tests/samples/make_scan_samples.py``; the files are committed, so tests
read the same bytes on every machine. Pages are 150 dpi where the point allows it to keep
the corpus small.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PIL import Image, ImageDraw

from scans.synthetic import draw_code128, render_pages, write_broken_file, write_document_scan

OUT = Path(__file__).resolve().parent / "scans"

# file name -> (barcode, fmt, pages, dpi, degradation)
DOCUMENTS = {
    "code128-upright.png": ("DG202401000001", "png", 1, 150, None),
    "code128-upright-200dpi.jpg": ("DG202401000002", "jpeg", 1, 200, None),
    "code128-rotated-90.png": ("DG202401000003", "png", 1, 150, "rotated_90"),
    "code128-rotated-180.png": ("DG202401000004", "png", 1, 150, "rotated_180"),
    "code128-rotated-270.png": ("DG202401000005", "png", 1, 150, "rotated_270"),
    "code128-skewed.png": ("DG202401000006", "png", 1, 200, "skewed"),
    "code128-low-contrast.jpg": ("DG202401000007", "jpeg", 1, 200, "low_contrast"),
    "dossier-cover-jz.png": ("JZ2024000001", "png", 1, 150, None),
    "two-page.tiff": ("DG202401000010", "tiff", 2, 150, None),
    "three-page.pdf": ("DG202401000011", "pdf", 3, 150, None),
    "stray-barcode.png": ("METER-0042-ZJ", "png", 1, 150, None),
    "blank-page.png": ("", "png", 1, 150, "blank"),
    "nested/deeper/code128-in-subfolder.JPG": ("DG202401000012", "jpeg", 1, 150, None),
    # An archive whose barcodes are not the generator's: linked by join, no pattern needed.
    "code128-foreign-format-jx.png": ("JX00000171", "png", 1, 150, None),
}
BROKEN = {
    "zero-bytes.png": "zero_bytes",
    "truncated.png": "truncated_png",
    "truncated.jpg": "truncated_jpeg",
    "not-an-image.jpg": "not_an_image",
    "fake.pdf": "fake_pdf",
    "decompression-bomb.png": "decompression_bomb",
    "bad.tiff": "bad_tiff",
}


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    for seed, (name, (barcode, fmt, pages, dpi, degradation)) in enumerate(DOCUMENTS.items(), start=1):
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_document_scan(path, barcode, fmt=fmt, pages=pages, dpi=dpi, degradation=degradation, seed=seed)
    # A document page that also carries a meter's label: only the document's code is a link.
    images, dpi = render_pages("DG202401000013", dpi=150, seed=99)
    page: Image.Image = images[0]
    draw_code128(ImageDraw.Draw(page), "METER-7731-ZJ", 150, page.height - 400, dpi)
    page.save(OUT / "stray-and-document-barcode.png", dpi=(dpi, dpi), compress_level=9)
    for name, kind in BROKEN.items():
        write_broken_file(OUT / name, kind)
    (OUT / "notes.txt").write_text("扫描批次说明：本目录为测试样本。\n", encoding="utf-8")
    total = sum(path.stat().st_size for path in OUT.rglob("*") if path.is_file())
    print(f"wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files, {total / 1e6:.2f} MB into {OUT}")


if __name__ == "__main__":
    main()
