"""Synthetic scanned pages: realistic enough to exercise the reader, fast enough for thousands.

A page is an A4 grayscale form as a counter clerk would scan it: a Code128 barcode with its
human-readable text at the top right (first page only), a Chinese form title, boxed fields
and text-like lines. Degradations reproduce what real scanning does to a page (turned
sheets, skew, blur, speckle, faded toner, low resolution, blank separator sheets), and
``write_broken_file`` produces the hostile files a shared scan folder collects. Text is
drawn with a CJK font when the machine has one, else as glyph-like blocks: the reader only
cares about the barcode and the page's texture.
"""

from __future__ import annotations

import io
import logging
import random
import struct
import zlib
from functools import cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from scans.formats import FORMATS, suffix_for

logger = logging.getLogger(__name__)

A4_MM = (210.0, 297.0)
MODULE_MM = 0.33
BAR_HEIGHT_MM = 12.0
LOW_DPI = 100

DEGRADATIONS = (
    "rotated_90",
    "rotated_180",
    "rotated_270",
    "skewed",
    "blurred",
    "noisy",
    "low_contrast",
    "low_dpi",
    "blank",
)
BROKEN_KINDS = (
    "zero_bytes",
    "truncated_png",
    "truncated_jpeg",
    "not_an_image",
    "fake_pdf",
    "decompression_bomb",
    "bad_tiff",
)

# The format each hostile kind pretends to be; it is written under that format's suffix
# (without the dot), so the reader takes it for a scan.
_BROKEN_FORMATS = {
    "zero_bytes": "png",
    "truncated_png": "png",
    "truncated_jpeg": "jpeg",
    "not_an_image": "jpeg",
    "fake_pdf": "pdf",
    "decompression_bomb": "png",
    "bad_tiff": "tiff",
}
BROKEN_SUFFIXES = {kind: suffix_for(fmt).lstrip(".") for kind, fmt in _BROKEN_FORMATS.items()}

_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
_LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

_FIELDS = (
    "户号",
    "户名",
    "用电地址",
    "联系人",
    "联系电话",
    "业务类型",
    "申请容量",
    "受理日期",
    "经办人",
    "备注",
)
_TITLES = (
    "低压居民用电申请书",
    "现场勘查单",
    "供电方案答复单",
    "竣工检验报告",
    "装表接电工作单",
    "供用电合同",
)


def _px(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


@cache
def _font(size: int, latin: bool = False) -> ImageFont.FreeTypeFont | None:
    """A font of ``size`` px, CJK unless ``latin``; None when the machine has none."""
    candidates = (_LATIN_FONT, *_FONT_CANDIDATES) if latin else _FONT_CANDIDATES
    for path in candidates:
        if path.exists():
            try:
                return ImageFont.truetype(str(path), size)
            except OSError:
                logger.debug("font %s unusable", path)
    return None


def code128_modules(value: str) -> str:
    """The bar/space modules ('1' bar, '0' space) of ``value`` in Code128, without quiet zones."""
    import barcode

    return "".join(barcode.get_barcode_class("code128")(value, writer=None).build())


def _draw_text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[int, int],
    text: str,
    size: int,
    rng: random.Random,
    *,
    latin: bool = False,
) -> int:
    """Draw ``text`` (or glyph-like blocks without a font); returns the width used in px."""
    font = _font(size, latin)
    if font is not None:
        draw.text(xy, text, fill=rng.randint(0, 40), font=font)
        return int(draw.textlength(text, font=font))
    x, y = xy
    for _ in text:
        w = int(size * (0.55 if latin else 0.9))
        draw.rectangle((x, y + size // 6, x + w, y + size), fill=rng.randint(20, 70))
        x += w + max(1, size // 8)
    return x - xy[0]


def draw_code128(
    draw: ImageDraw.ImageDraw, value: str, x0: int, y0: int, dpi: int, rng: random.Random | None = None
) -> int:
    """Draw a Code128 label of ``value`` (bars and text) with its top left at (x0, y0); returns its width."""
    rng = rng or random.Random(0)
    module = max(2, _px(MODULE_MM, dpi))
    modules = code128_modules(value)
    height = _px(BAR_HEIGHT_MM, dpi)
    width = len(modules) * module
    run_start = None
    for i, bit in enumerate(modules + "0"):
        if bit == "1" and run_start is None:
            run_start = i
        elif bit == "0" and run_start is not None:
            draw.rectangle((x0 + run_start * module, y0, x0 + i * module - 1, y0 + height), fill=0)
            run_start = None
    x = x0 + width // 2
    size = _px(3.2, dpi)
    font = _font(size, latin=True)
    text_w = int(draw.textlength(value, font=font)) if font is not None else len(value) * int(size * 0.6)
    _draw_text(draw, (x - text_w // 2, y0 + height + _px(1.2, dpi)), value, size, rng, latin=True)
    return width


def _draw_barcode(draw: ImageDraw.ImageDraw, page_w: int, dpi: int, value: str, rng: random.Random) -> None:
    width = len(code128_modules(value)) * max(2, _px(MODULE_MM, dpi))
    right_margin = _px(15 + rng.uniform(-3, 3), dpi)
    draw_code128(draw, value, page_w - right_margin - width, _px(12 + rng.uniform(-2, 2), dpi), dpi, rng)


def _draw_lines(
    draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], dpi: int, rng: random.Random
) -> None:
    """Text-like lines: words as short dark strokes at x-height, ragged right edge."""
    x0, y0, x1, y1 = box
    line_h = _px(6.5, dpi)
    glyph_h = _px(2.4, dpi)
    y = y0
    while y + glyph_h < y1:
        x = x0 + (_px(7, dpi) if rng.random() < 0.2 else 0)
        end = x1 - (rng.randint(0, (x1 - x0) // 2) if rng.random() < 0.3 else 0)
        while x < end:
            w = rng.randint(_px(3, dpi), _px(14, dpi))
            draw.rectangle((x, y, min(x + w, end), y + glyph_h), fill=rng.randint(30, 90))
            x += w + _px(2.0, dpi)
        y += line_h


def _render_page(barcode: str, title: str, page_no: int, dpi: int, rng: random.Random) -> Image.Image:
    width, height = _px(A4_MM[0], dpi), _px(A4_MM[1], dpi)
    image = Image.new("L", (width, height), 255 - rng.randint(0, 8))
    draw = ImageDraw.Draw(image)
    margin = _px(18, dpi)
    if page_no == 1 and barcode:
        _draw_barcode(draw, width, dpi, barcode, rng)
    title_size = _px(7, dpi)
    title_text = title or rng.choice(_TITLES)
    if page_no > 1:
        title_text = f"{title_text}（续{page_no - 1}）"
    title_font = _font(title_size)
    title_w = (
        int(draw.textlength(title_text, font=title_font)) if title_font else len(title_text) * title_size
    )
    _draw_text(draw, ((width - title_w) // 2, _px(40, dpi)), title_text, title_size, rng)
    y = _px(58, dpi)
    if page_no == 1:
        # A boxed form: label cell on the left, filled-in value as text-like strokes.
        row_h = _px(11, dpi)
        label_w = _px(32, dpi)
        rows = rng.randint(6, len(_FIELDS))
        draw.rectangle((margin, y, width - margin, y + rows * row_h), outline=0, width=max(1, _px(0.3, dpi)))
        for r in range(rows):
            top = y + r * row_h
            if r:
                draw.line((margin, top, width - margin, top), fill=0, width=max(1, _px(0.2, dpi)))
            _draw_text(draw, (margin + _px(2, dpi), top + _px(3, dpi)), _FIELDS[r], _px(4, dpi), rng)
            value_end = (
                margin + label_w + rng.randint(_px(20, dpi), width - 2 * margin - label_w - _px(5, dpi))
            )
            _draw_lines(
                draw,
                (margin + label_w + _px(3, dpi), top + _px(4, dpi), value_end, top + _px(7, dpi)),
                dpi,
                rng,
            )
        draw.line(
            (margin + label_w, y, margin + label_w, y + rows * row_h), fill=0, width=max(1, _px(0.2, dpi))
        )
        y += rows * row_h + _px(10, dpi)
    _draw_lines(draw, (margin, y, width - margin, height - _px(45, dpi)), dpi, rng)
    # Signature and date at the bottom right.
    sx, sy = width - margin - _px(60, dpi), height - _px(35, dpi)
    _draw_text(draw, (sx, sy), "签字：", _px(4, dpi), rng)
    points = [(sx + _px(15 + i * 3, dpi), sy + _px(rng.uniform(0, 5), dpi)) for i in range(12)]
    draw.line(points, fill=20, width=max(1, _px(0.4, dpi)))
    return image


def _salt_and_pepper(image: Image.Image, rng: np.random.Generator, share: float) -> Image.Image:
    pixels = np.array(image)
    mask = rng.random(pixels.shape, dtype=np.float32)
    pixels[mask < share / 2] = 0
    pixels[mask > 1 - share / 2] = 255
    return Image.fromarray(pixels, "L")


def _degrade(
    image: Image.Image, degradation: str, dpi: int, rng: random.Random, seed: int
) -> tuple[Image.Image, int]:
    """Apply one degradation; returns the image and its (possibly lowered) dpi."""
    if degradation == "rotated_90":
        return image.transpose(Image.Transpose.ROTATE_90), dpi
    if degradation == "rotated_180":
        return image.transpose(Image.Transpose.ROTATE_180), dpi
    if degradation == "rotated_270":
        return image.transpose(Image.Transpose.ROTATE_270), dpi
    if degradation == "skewed":
        angle = rng.choice((-1, 1)) * rng.uniform(1.5, 4.0)
        return image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=250), dpi
    if degradation == "blurred":
        return image.filter(ImageFilter.GaussianBlur(radius=0.9 * dpi / 200)), dpi
    if degradation == "noisy":
        return _salt_and_pepper(image, np.random.default_rng(seed), 0.04), dpi
    if degradation == "low_contrast":
        return image.point(lambda v: 120 + v * 80 // 255), dpi
    if degradation == "low_dpi":
        if dpi <= LOW_DPI:
            return image, dpi
        size = (round(image.width * LOW_DPI / dpi), round(image.height * LOW_DPI / dpi))
        return image.resize(size, Image.Resampling.BILINEAR), LOW_DPI
    raise ValueError(f"unknown degradation {degradation!r}; expected one of {DEGRADATIONS}")


def _blank_page(dpi: int, seed: int) -> Image.Image:
    """A blank separator sheet: paper tone with faint scanner noise and a few specks."""
    width, height = _px(A4_MM[0], dpi), _px(A4_MM[1], dpi)
    gen = np.random.default_rng(seed)
    pixels = np.full((height, width), 248 - int(gen.integers(0, 6)), dtype=np.uint8)
    # The scanner lid's shadow along one edge and a few dust specks.
    pixels[:, : _px(2, dpi)] -= 25
    specks = gen.integers(0, [height, width], size=(30, 2))
    pixels[specks[:, 0], specks[:, 1]] = 70
    return Image.fromarray(pixels, "L")


def render_pages(
    barcode: str,
    *,
    pages: int = 1,
    dpi: int = 200,
    degradation: str | None = None,
    title: str = "",
    seed: int = 0,
) -> tuple[list[Image.Image], int]:
    """The pages of one scanned document and their dpi (lowered by ``low_dpi``)."""
    if degradation is not None and degradation not in DEGRADATIONS:
        raise ValueError(f"unknown degradation {degradation!r}; expected one of {DEGRADATIONS}")
    if pages < 1:
        raise ValueError(f"a scanned document has at least one page, got pages={pages}")
    rng = random.Random(seed)
    images: list[Image.Image] = []
    out_dpi = dpi
    for page_no in range(1, pages + 1):
        if degradation == "blank":
            images.append(_blank_page(dpi, seed + page_no))
            continue
        image = _render_page(barcode, title, page_no, dpi, rng)
        if degradation is not None:
            image, out_dpi = _degrade(image, degradation, dpi, rng, seed + page_no)
        images.append(image)
    return images, out_dpi


def write_document_scan(
    path: Path,
    barcode: str,
    *,
    fmt: str,
    pages: int = 1,
    dpi: int = 200,
    degradation: str | None = None,
    title: str = "",
    seed: int = 0,
) -> None:
    """Write one scanned document to ``path`` as png/jpeg (first page only) or tiff/pdf (all pages).

    The barcode (Code128 of ``barcode``, module ~0.33 mm) is on the first page only, as on
    real documents; an empty ``barcode`` draws none. Missing parent folders are created.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown scan format {fmt!r} for {path}; expected one of {FORMATS}")
    if fmt in ("png", "jpeg"):
        pages = 1
    images, out_dpi = render_pages(
        barcode, pages=pages, dpi=dpi, degradation=degradation, title=title, seed=seed
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    first, rest = images[0], images[1:]
    if fmt == "png":
        first.save(path, format="PNG", dpi=(out_dpi, out_dpi), compress_level=3)
    elif fmt == "jpeg":
        first.save(path, format="JPEG", dpi=(out_dpi, out_dpi), quality=80)
    elif fmt == "tiff":
        first.save(
            path,
            format="TIFF",
            dpi=(out_dpi, out_dpi),
            compression="tiff_deflate",
            save_all=True,
            append_images=rest,
        )
    else:
        first.save(path, format="PDF", resolution=float(out_dpi), save_all=True, append_images=rest)
    logger.debug("wrote %s (%s, %d pages, %d dpi, %s)", path, fmt, len(images), out_dpi, degradation)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _small_png(fmt: str) -> bytes:
    images, _ = render_pages("DG000000000000", dpi=150, seed=1)
    buffer = io.BytesIO()
    images[0].save(buffer, format=fmt)
    return buffer.getvalue()


def write_broken_file(path: Path, kind: str) -> None:
    """Write a hostile file of ``kind`` (one of BROKEN_KINDS) to ``path``, whatever its suffix."""
    path = Path(path)
    if kind == "zero_bytes":
        data = b""
    elif kind == "truncated_png":
        full = _small_png("PNG")
        data = full[: len(full) * 6 // 10]
    elif kind == "truncated_jpeg":
        full = _small_png("JPEG")
        data = full[: len(full) // 2]
    elif kind == "not_an_image":
        data = "客户档案清单\n户号,户名\n3300001234,张三\n".encode()
    elif kind == "fake_pdf":
        data = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + b"\x00garbage" * 64
    elif kind == "decompression_bomb":
        # A tiny PNG whose header claims 50000 x 50000 pixels (2.5 gigapixels).
        ihdr = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
        idat = zlib.compress(b"\x00" * 50_001 * 4, 9)
        data = (
            b"\x89PNG\r\n\x1a\n"
            + _png_chunk(b"IHDR", ihdr)
            + _png_chunk(b"IDAT", idat)
            + _png_chunk(b"IEND", b"")
        )
    elif kind == "bad_tiff":
        # Little-endian TIFF header whose first directory lies far beyond the file's end.
        data = b"II*\x00" + struct.pack("<I", 0x7FFF_FFF0) + b"\x00" * 56
    else:
        raise ValueError(f"unknown broken-file kind {kind!r} for {path}; expected one of {BROKEN_KINDS}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
