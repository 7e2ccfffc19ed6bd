"""``marts.build_info`` says what a ``dangan build`` computed: its as_of, when, which
published version and which package versions — read from the warehouse, never inferred."""

from __future__ import annotations

from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

import pytest

from ingest import warehouse as wh
from ingest.clock import local_now, parse_as_of

pytestmark = pytest.mark.slow


def test_build_info_names_the_published_version_the_as_of_and_a_local_build_time(
    tiny_warehouse: Path, tiny_as_of: str
) -> None:
    """GIVEN the tiny data set built by ``dangan build`` as of its manifest
    WHEN marts.build_info is read from the published warehouse
    THEN its one row carries that as_of, the published version's name, the installed
    dangan version, and a build time in local (Asia/Shanghai) time just before now."""
    con = wh.connect_published(tiny_warehouse)
    try:
        rows = con.execute(
            "select as_of, built_at, version, dangan_version, dbt_version from marts.build_info"
        ).fetchall()
    finally:
        con.close()

    assert len(rows) == 1
    as_of, built_at, build_version, dangan_version, dbt_version = rows[0]
    assert as_of == parse_as_of(tiny_as_of)
    assert build_version == wh.published_version(tiny_warehouse)
    assert dangan_version == version("dangan")
    assert dbt_version
    assert timedelta(0) <= local_now() - built_at < timedelta(hours=2)
