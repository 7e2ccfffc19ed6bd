"""Scanned pages for a sample of the generated documents and dossiers.

The pages themselves are rendered by ``scans.synthetic`` (barcode on the first page, title,
optional degradation); this module only decides which documents get scanned, in which
file format, how degraded, and adds a few blank and broken files as real scanning produces.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

FORMATS = (("png", "png", 0.35), ("jpeg", "jpg", 0.30), ("tiff", "tif", 0.20), ("pdf", "pdf", 0.15))
DEGRADED_SHARE = 0.25


def write_scans(folder: Path, docs: list[dict[str, Any]], dossiers: list[dict[str, Any]], seed: int) -> int:
    """Render the chosen documents and dossier covers into ``folder``; returns files written."""
    from scans import synthetic

    rng = np.random.default_rng([seed, 9])
    folder.mkdir(parents=True, exist_ok=True)
    degradations = [d for d in synthetic.DEGRADATIONS if d != "blank"]
    fmt_names = [f[0] for f in FORMATS]
    fmt_ext = dict((f[0], f[1]) for f in FORMATS)
    fmt_p = np.array([f[2] for f in FORMATS])
    written = 0
    for i, doc in enumerate(docs):
        fmt = fmt_names[int(rng.choice(len(fmt_names), p=fmt_p))]
        pages = doc["pages"] if fmt in ("tiff", "pdf") else 1
        degradation = None
        if degradations and rng.random() < DEGRADED_SHARE:
            degradation = degradations[int(rng.integers(0, len(degradations)))]
        path = folder / doc["unit"] / doc["month"] / f"{doc['barcode']}.{fmt_ext[fmt]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(
            path,
            doc["barcode"],
            fmt=fmt,
            pages=pages,
            dpi=200 if rng.random() < 0.8 else 300,
            degradation=degradation,
            title=doc["title"],
            seed=seed * 100_003 + i,
        )
        written += 1
    for i, dossier in enumerate(dossiers):
        path = folder / dossier["unit"] / "dossiers" / f"{dossier['barcode']}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_document_scan(
            path, dossier["barcode"], fmt="png", pages=1, title="档案卷宗封面", seed=seed * 7 + i
        )
        written += 1
    # A few pages without any barcode: blank separator sheets and unlabelled pages.
    n_extra = max(1, len(docs) // 40)
    for i in range(n_extra):
        path = folder / "unsorted" / f"blank-{i + 1:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if "blank" in synthetic.DEGRADATIONS:
            synthetic.write_document_scan(path, "", fmt="png", degradation="blank", seed=seed + i)
        else:
            synthetic.write_document_scan(path, "", fmt="png", title="", seed=seed + i)
        written += 1
    kinds = list(synthetic.BROKEN_KINDS)
    for i in range(max(1, len(docs) // 30)):
        kind = kinds[i % len(kinds)]
        suffix = {"truncated_png": "png", "truncated_jpeg": "jpg", "truncated_tiff": "tif"}.get(kind, "")
        name = f"broken-{i + 1:03d}-{kind}" + (f".{suffix}" if suffix and not kind.endswith(suffix) else "")
        path = folder / "unsorted" / name
        synthetic.write_broken_file(path, kind)
        written += 1
    logger.info("wrote %d scan files into %s", written, folder)
    return written
