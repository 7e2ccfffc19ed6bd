"""The table generator and the scan writer meet only through ``GeneratedTables``.

``ingest`` is the ground floor every other package may import, so it imports none of them:
``dangan generate`` calls the table generator and then the scan writer under ``scans/``.
"""

from __future__ import annotations

import ast
import csv
import json
from pathlib import Path

from ingest.synthetic.generate import SCALES, generate_tables

from .conftest import SEED

INGEST = Path(__file__).resolve().parents[3] / "ingest"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_module_under_ingest_imports_scans() -> None:
    """GIVEN every Python file of the ingest package
    WHEN its imports are read (at the top or inside functions)
    THEN none of them is the scans package or one of its modules."""
    files = sorted(INGEST.rglob("*.py"))
    assert files, f"no Python files under {INGEST}"
    offending = {
        str(path.relative_to(INGEST.parent)): sorted(
            name for name in _imported_modules(path) if name == "scans" or name.startswith("scans.")
        )
        for path in files
    }
    assert not {path: names for path, names in offending.items() if names}


def test_tables_alone_choose_scans_but_write_none(tmp_path: Path) -> None:
    """GIVEN the table generator asked for the scale's default number of scans
    WHEN it runs without the scan writer
    THEN it returns the chosen documents and dossier covers, writes no scans folder or
    index, and its manifest says the set has no scans."""
    tables = generate_tables("tiny", SEED, tmp_path / "set", scans="auto")

    assert tables.out == tmp_path / "set"
    assert tables.scan_count == SCALES["tiny"].auto_scans
    assert 0 < len(tables.scan_documents) <= tables.scan_count
    assert tables.scan_dossiers
    assert all(doc.barcode.startswith("DG33") and 1 <= doc.pages <= 4 for doc in tables.scan_documents)
    assert not (tables.out / "scans").exists()
    assert not (tables.out / "scans_index.csv").exists()
    manifest = json.loads((tables.out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scan_files"] == 0 and manifest["scans_index"] is None


def test_dangan_generate_writes_the_chosen_scans_and_records_them(tmp_path: Path) -> None:
    """GIVEN ``dangan generate`` asked for four scans
    WHEN it has run (table generator, then scan writer)
    THEN the four chosen documents are scanned beside a dossier cover, blanks and broken
    files, every file is in the index, and the manifest counts them."""
    from dagster_project.cli import main

    out = tmp_path / "set"
    assert main(["generate", "--scale", "tiny", "--seed", str(SEED), "--scans", "4", "--out", str(out)]) == 0

    with (out / "scans_index.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kinds = [row["kind"] for row in rows]
    assert kinds.count("document") == 4 and kinds.count("dossier_cover") == 1
    assert "blank" in kinds and any(kind.startswith("broken:") for kind in kinds)
    files = sorted(str(p.relative_to(out / "scans")) for p in (out / "scans").rglob("*") if p.is_file())
    assert files == sorted(row["file_path"] for row in rows)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scan_files"] == len(rows) and manifest["scans_index"] == "scans_index.csv"
