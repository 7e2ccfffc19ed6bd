"""What ``dangan build`` prints without ``--verbose``: progress bars instead of lines, and
a summary at the end that names the demo's deliberately broken scans as such."""

from __future__ import annotations

import json
from pathlib import Path

from dagster_project.build import HARMLESS, QuietProgress, broken_demo_files, build_summary
from ingest import warehouse as wh


def _last_run(warehouse: Path) -> str:
    con = wh.connect_published(warehouse)
    try:
        return con.execute("select run_id from raw.ingest_runs order by started_at desc limit 1").fetchone()[
            0
        ]
    finally:
        con.close()


def test_the_summary_names_the_demos_broken_scans_from_its_manifest(
    tiny_source: Path, tiny_warehouse: Path
) -> None:
    """GIVEN the tiny set (40 documents scanned, so max(3, 40 // 30) = 3 broken files, one of
    each kind) built into the session warehouse WHEN the build's summary is made THEN it
    says the three unreadable files are deliberately broken demo files, each with its kind,
    and lists no other failure."""
    lines = build_summary(tiny_warehouse, _last_run(tiny_warehouse), tiny_source / "scans")
    text = "\n".join(lines)
    assert "3 unreadable" in text
    assert (
        "3 of them deliberately broken demo files: unsorted/broken-001.png (zero_bytes),"
        " unsorted/broken-002.png (truncated_png), unsorted/broken-003.jpg (truncated_jpeg)"
    ) in text
    assert "0 rejected (14 tables" in text
    assert f"--warehouse {tiny_warehouse}" in text
    assert not any("unreadable:" in line or "empty file" in line for line in lines)


def test_the_summary_lists_a_failed_scan_outside_a_demo_set_with_its_error(
    tiny_source: Path, tiny_warehouse: Path, tmp_path: Path
) -> None:
    """GIVEN the same warehouse but a scans folder whose parent has no generator manifest
    WHEN the summary is made THEN no file is called deliberately broken and each failed
    file's error is listed."""
    lines = build_summary(tiny_warehouse, _last_run(tiny_warehouse), tmp_path / "scans")
    text = "\n".join(lines)
    assert "deliberately broken" not in text
    assert "unsorted/broken-001.png: empty file (0 bytes)" in text


def test_broken_demo_files_come_from_the_index_the_manifest_names(tmp_path: Path) -> None:
    """GIVEN a manifest naming an index with one broken and one good file WHEN read THEN only
    the broken one is returned, with its kind."""
    (tmp_path / "manifest.json").write_text(json.dumps({"scans_index": "index.csv"}), encoding="utf-8")
    (tmp_path / "index.csv").write_text(
        "file_path,barcode,format,pages,degradation,kind\n"
        "a/DG1.png,DG1,png,1,,document\n"
        "unsorted/broken-001.png,,,0,,broken:zero_bytes\n",
        encoding="utf-8",
    )
    assert broken_demo_files(tmp_path / "scans") == {"unsorted/broken-001.png": "zero_bytes"}
    assert broken_demo_files(None) == {}


def test_quiet_progress_counts_dbt_nodes_that_did_not_pass_and_ignores_progress_lines() -> None:
    """GIVEN the lines a build logs WHEN the quiet output observes them (no terminal, so no
    bar) THEN only the node that did not pass is kept for the summary (not the note that
    dbt runs with --full-refresh), and the dbt step's count of tests by outcome."""
    quiet = QuietProgress()
    for text in (
        "scans: 49 files to read",
        "scans: 49 files read, 3 failed, 52 pages, 0 moved, 0 removed",
        "dbt --full-refresh: every incremental model is computed whole",
        "dbt: 54/392 done (stg_archive__audit_findings)",
        "dbt assert_totals: warn",
        "dbt: 392 models, seeds and tests in 116.7s (ok)",
        "dbt tests: 340 passed, 1 warned, 0 failed",
    ):
        quiet.observe(text)
    quiet.stop()
    assert quiet.not_passed == ["dbt assert_totals: warn"]
    assert quiet.tests == "340 passed, 1 warned, 0 failed"


def test_the_dbt_steps_test_count_names_each_outcome_and_skips_only_when_some_were() -> None:
    """GIVEN the result events of four data tests (pass, warn, fail, error) and a model
    WHEN they are counted THEN the model is no test, the error counts as failed, and the
    line has no skipped part until a test was skipped."""
    from collections import Counter

    from dagster_project.defs.dbt.assets import test_outcome, tests_line

    def event(unique_id: str, status: str) -> dict:
        return {"data": {"node_info": {"unique_id": unique_id, "node_status": status}}}

    events = [
        event("test.dangan.a", "pass"),
        event("test.dangan.b", "warn"),
        event("test.dangan.c", "fail"),
        event("test.dangan.d", "error"),
        event("model.dangan.m", "success"),
    ]
    outcomes = Counter(outcome for e in events if (outcome := test_outcome(e)) is not None)
    assert tests_line(outcomes) == "dbt tests: 1 passed, 1 warned, 2 failed"
    outcomes[test_outcome(event("test.dangan.e", "skipped"))] += 1
    assert tests_line(outcomes) == "dbt tests: 1 passed, 1 warned, 2 failed, 1 skipped"


def test_dagster_dbts_notes_on_selection_and_singular_tests_are_silenced() -> None:
    """GIVEN the two dagster-dbt notes every build used to print WHEN matched THEN both are
    harmless, and a real warning is not."""
    notes = (
        "A dbt subsetted execution is not being performed. Using the default dbt selection arguments",
        "Logging an `AssetObservation` instead of an `AssetCheckResult` for dbt test `x`.",
    )
    assert all(any(p.search(note) for p in HARMLESS) for note in notes)
    assert not any(p.search("dbt relationships_x: warn") for p in HARMLESS)
