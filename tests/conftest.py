"""Session fixtures shared by every part's tests: one tiny generated data set and the
warehouse built from it through the real ``dangan build`` path, each made once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest import settings

settings.disable_telemetry()

TINY_SEED = 7


@pytest.fixture(scope="session")
def tiny_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated tiny set (seed 7): marketing/, archive/, the SQLite copies, scans/, manifest.json."""
    from scans.generate import generate_data_set

    out = tmp_path_factory.mktemp("tiny_source")
    return generate_data_set(scale="tiny", seed=TINY_SEED, out=out)


@pytest.fixture(scope="session")
def tiny_as_of(tiny_source: Path) -> str:
    """The generated set's own evaluation moment (from its manifest)."""
    return json.loads((tiny_source / "manifest.json").read_text(encoding="utf-8"))["as_of"]


@pytest.fixture(scope="session")
def tiny_warehouse(tiny_source: Path, tiny_as_of: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The published warehouse path built from ``tiny_source`` by ``run_build`` as of its manifest."""
    from dagster_project.build import run_build

    warehouse = tmp_path_factory.mktemp("tiny_warehouse") / "warehouse.duckdb"
    code = run_build(
        source=tiny_source,
        marketing_url=None,
        archive_url=None,
        scans=tiny_source / "scans",
        warehouse=warehouse,
        as_of=tiny_as_of,
        full_refresh=False,
    )
    if code != 0:
        pytest.fail(f"dangan build of the tiny data set failed with exit code {code}")
    return warehouse
