"""The manifest of a generated data set, and a tiny command to read it from scripts.

``python -m ingest.synthetic.manifest DIR as_of`` prints the suggested as_of (the systems'
present moment), so a Makefile can build the warehouse exactly at the generated "now".
Any other key prints its value; lists and objects print one entry per line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


class ManifestError(Exception):
    pass


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / "manifest.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"{path}: no manifest; generate the data set first") from exc
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{path}: not valid JSON ({exc})") from exc


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (Path(folder) / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


def record_scans(folder: Path, scan_files: int, index: str) -> None:
    """Note the scans written after the tables, so the manifest describes the whole set.

    The table generator writes the manifest with no scans; the scan writer (``scans/``)
    calls this once its files and index exist. The keys keep their places.
    """
    manifest = read_manifest(folder)
    manifest["scan_files"] = scan_files
    manifest["scans_index"] = index if scan_files else None
    write_manifest(folder, manifest)


def format_value(value: Any) -> str:
    if isinstance(value, dict):
        return "\n".join(f"{key}\t{item}" for key, item in value.items())
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or len(args) > 2:
        print("usage: python -m ingest.synthetic.manifest DIR [key]", file=sys.stderr)
        return 2
    try:
        manifest = read_manifest(Path(args[0]))
    except ManifestError as exc:
        print(exc, file=sys.stderr)
        return 1
    key = args[1] if len(args) == 2 else None
    if key is None:
        print(json.dumps(manifest, ensure_ascii=False, indent=2))
        return 0
    if key not in manifest:
        print(f"{args[0]}/manifest.json has no key {key!r}; keys: {', '.join(manifest)}", file=sys.stderr)
        return 1
    print(format_value(manifest[key]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
