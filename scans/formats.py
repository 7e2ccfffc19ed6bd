"""The scan file types the reader accepts: the one list of suffixes.

The reader opens exactly these, the scans sensor watches exactly these, and the synthetic
scans are written under them; a file with any other suffix is still recorded, as an
unsupported file, when the folder is read.
"""

from __future__ import annotations

# Suffix (lower case) -> the format it holds. For each format the first suffix listed is
# the one a writer gives its files.
SUFFIXES: dict[str, str] = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".tif": "tiff",
    ".tiff": "tiff",
    ".pdf": "pdf",
}

FORMATS: tuple[str, ...] = tuple(dict.fromkeys(SUFFIXES.values()))


def suffix_for(file_format: str) -> str:
    """The suffix a file of ``file_format`` is written under (``jpeg`` -> ``.jpg``)."""
    for suffix, listed_format in SUFFIXES.items():
        if listed_format == file_format:
            return suffix
    raise ValueError(f"unknown scan format {file_format!r}; expected one of {FORMATS}")
