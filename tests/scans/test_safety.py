"""The scans folder walked and read safely: links, non-regular files, time and size budgets."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from scans.ingest import ingest_scans
from scans.pool import bare_main
from scans.synthetic import render_pages
from scans.walk import walk_scans
from tests.scans.conftest import SAMPLES


def _paths(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str | None]]:
    return {
        path: (status, error)
        for path, status, error in con.execute(
            "select file_path, status, error from raw.scan_paths"
        ).fetchall()
    }


@pytest.fixture
def linked_folder(tmp_path: Path) -> Path:
    """GIVEN a scans folder holding one scan, a link to an image outside the folder, a link
    to a device, a named pipe, a link to the scan inside the folder and a link to a
    sub-folder of it."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(SAMPLES / "code128-upright-200dpi.jpg", outside / "private.jpg")
    scans_dir = tmp_path / "scans"
    (scans_dir / "filed").mkdir(parents=True)
    shutil.copy(SAMPLES / "code128-upright.png", scans_dir / "filed" / "scan.png")
    (scans_dir / "outside.jpg").symlink_to(outside / "private.jpg")
    (scans_dir / "device.png").symlink_to("/dev/zero")
    os.mkfifo(scans_dir / "pipe.png")
    (scans_dir / "inside.png").symlink_to(scans_dir / "filed" / "scan.png")
    (scans_dir / "filed-again").symlink_to(scans_dir / "filed")
    return scans_dir


def test_links_out_of_the_folder_and_special_files_are_listed_not_read(linked_folder: Path) -> None:
    """WHEN the folder is read THEN the links out of it and the pipe are path errors naming
    why, nothing outside the folder is read, the link inside reads as a second path to the
    scan, and the linked sub-folder adds no path."""
    with duckdb.connect() as con:
        run = ingest_scans(con, linked_folder, workers=1)
        paths = _paths(con)
        files = con.execute("select file_path from raw.scan_files").fetchall()
        holders = con.execute(
            "select file_path from raw.scan_paths where file_sha256 = "
            "(select file_sha256 from raw.scan_files) order by 1"
        ).fetchall()
    elsewhere = (linked_folder.parent / "elsewhere" / "private.jpg").resolve()
    assert sorted(paths) == ["device.png", "filed/scan.png", "inside.png", "outside.jpg", "pipe.png"]
    assert paths["outside.jpg"] == (
        "error",
        f"outside.jpg: symbolic link to {elsewhere}, outside the scans folder: not followed",
    )
    assert paths["device.png"] == (
        "error",
        "device.png: symbolic link to /dev/zero, outside the scans folder: not followed",
    )
    assert paths["pipe.png"] == ("error", "pipe.png: a named pipe, not a regular file: not read")
    assert files == [("filed/scan.png",)]
    assert holders == [("filed/scan.png",), ("inside.png",)]
    assert (run.files_seen, run.files_new, run.files_failed) == (5, 1, 3)


def test_walk_never_descends_into_a_linked_folder(linked_folder: Path) -> None:
    """WHEN the folder is walked THEN the files of a linked sub-folder appear once, under
    their own path."""
    assert [found.rel_path for found in walk_scans(linked_folder)] == [
        "device.png",
        "filed/scan.png",
        "inside.png",
        "outside.jpg",
        "pipe.png",
    ]


def test_file_beyond_its_time_budget_is_stopped_and_read_on_the_next_run(tmp_path: Path) -> None:
    """GIVEN a 30-page 300 dpi TIFF (seconds of decoding) beside a small scan and a
    budget of 0.5 s a file WHEN read THEN its worker is stopped, the path is an error to
    retry, the small scan is still read; WHEN read again with the default budget THEN the
    TIFF is read, every page."""
    images, dpi = render_pages("DG202411300040", pages=30, dpi=300, seed=12)
    images[0].save(
        tmp_path / "long.tif",
        dpi=(dpi, dpi),
        save_all=True,
        append_images=images[1:],
        compression="tiff_deflate",
    )
    shutil.copy(SAMPLES / "code128-upright.png", tmp_path / "small.png")
    with duckdb.connect() as con:
        first = ingest_scans(con, tmp_path, workers=1, file_timeout=0.5)
        after_first = _paths(con)
        read_first = con.execute("select file_path from raw.scan_files").fetchall()
        second = ingest_scans(con, tmp_path, workers=1)
        pages = con.execute("select count(*) from raw.scan_pages where file_path = 'long.tif'").fetchone()
    assert after_first["long.tif"] == (
        "error",
        "long.tif: reading took longer than 0.5 s; stopped; tried again on the next run",
    )
    assert read_first == [("small.png",)]
    assert (first.files_failed, second.files_new, second.files_failed) == (1, 1, 0)
    assert pages == (30,)


def test_file_beyond_the_size_limit_is_not_read(tmp_path: Path) -> None:
    """GIVEN a limit of 1000 bytes a file WHEN a larger scan is read THEN its path is an
    error naming its size and the limit, and nothing of it is recorded."""
    shutil.copy(SAMPLES / "code128-upright.png", tmp_path / "big.png")
    size = (tmp_path / "big.png").stat().st_size
    with duckdb.connect() as con:
        ingest_scans(con, tmp_path, workers=1, max_file_bytes=1000)
        assert _paths(con)["big.png"] == (
            "error",
            f"big.png: {size:,} bytes, beyond the limit of 1,000: not read",
        )
        assert con.execute("select count(*) from raw.scan_files").fetchone() == (0,)


def _read_in_a_daemon(scans_dir: str, results) -> None:
    import resource

    with duckdb.connect() as con:
        run = ingest_scans(con, Path(scans_dir), workers=2, max_memory_bytes=1 << 40)
        results.put((run.files_new, run.files_failed, resource.getrlimit(resource.RLIMIT_AS)))


def test_inside_a_daemonic_process_files_are_read_in_it_without_capping_it(tmp_path: Path) -> None:
    """GIVEN a daemonic process (which may not start workers), as some executors run steps
    WHEN it reads a scans folder THEN the files are read in that process, and the workers'
    memory cap is not applied to it."""
    import multiprocessing
    import resource

    shutil.copy(SAMPLES / "code128-upright.png", tmp_path / "a.png")
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_read_in_a_daemon, args=(str(tmp_path), results), daemon=True)
    # Not the test runner's __main__ (after a page test it is a dashboard script).
    with bare_main():
        process.start()
    files_new, files_failed, limit = results.get(timeout=120)
    process.join(timeout=30)
    assert (files_new, files_failed) == (1, 0)
    assert limit == resource.getrlimit(resource.RLIMIT_AS)


def test_workers_run_numpy_single_threaded_and_leave_the_host_environment_alone(monkeypatch) -> None:
    """GIVEN a host without OPENBLAS_NUM_THREADS WHEN a worker process is started THEN the
    worker sees it set to 1 (no BLAS thread pool to start per worker) and the host still
    does not have it."""
    from scans.pool import TaskPool

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with TaskPool(workers=1, timeout=60) as pool:
        seen = [result for _task, result in pool.run(os.getenv, ["OPENBLAS_NUM_THREADS"])]
    assert seen == ["1"]
    assert "OPENBLAS_NUM_THREADS" not in os.environ
