from __future__ import annotations

import importlib.util
from pathlib import Path

import duckdb
import pytest

from ingest.contract import TABLES
from tests.conftest import TINY_SEED

SEED = TINY_SEED
END = "2026-11-27 17:30:00"


def scans_available() -> bool:
    return importlib.util.find_spec("scans.synthetic") is not None


@pytest.fixture(scope="package")
def tiny(tiny_source: Path) -> Path:
    """The tiny data set with its scans: the session's (``tests/conftest.py``, the same
    ``generate_data_set`` call with this seed), which these tests only read."""
    return tiny_source


def typed_views(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Views over the CSV tables typed strictly as the contract says (bad values raise)."""
    for table in TABLES:
        path = folder / table.system / f"{table.name}.csv"
        types = {
            c.name: {
                "text": "VARCHAR",
                "int": "BIGINT",
                "bool": "BOOLEAN",
                "date": "DATE",
                "timestamp": "TIMESTAMP",
            }[c.type]
            for c in table.columns
        }
        con.execute(
            f"create or replace view {table.name} as select * from read_csv('{path}', header = true, "
            f"columns = {types!r}, timestampformat = '%Y-%m-%d %H:%M:%S', dateformat = '%Y-%m-%d')"
        )


@pytest.fixture(scope="package")
def con(tiny: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    typed_views(connection, tiny)
    yield connection
    connection.close()
