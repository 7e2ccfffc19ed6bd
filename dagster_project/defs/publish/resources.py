"""Resources every domain uses: the warehouse being built and the run's parameters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from dagster_project.env import env_int_or, env_or
from ingest import settings
from ingest import warehouse as wh
from ingest.clock import format_as_of, parse_as_of

# Every asset that writes the build copy runs in this pool; its limit is 1
# (dagster.yaml), so two steps never open the DuckDB file read-write at once.
DUCKDB_POOL = "duckdb_warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The published warehouse path; each run works on its own private build copy."""

    path: str

    @property
    def published(self) -> Path:
        return Path(self.path)

    def build_file(self, run_id: str) -> Path:
        return wh.run_build_copy(self.published, run_id)

    def connect(self, run_id: str) -> duckdb.DuckDBPyConnection:
        """A read-write connection to this run's build copy (never the published file)."""
        return duckdb.connect(str(self.build_file(run_id)))


class RunParams(dg.ConfigurableResource):
    """What a run evaluates: ``as_of`` (empty = now, Asia/Shanghai), reload mode, close lag."""

    as_of: str = ""
    full_refresh: bool = False
    close_lag_days: int = 15
    _moment: datetime | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        # Resolve "now" once per run so every step of the run sees the same moment.
        self._moment = parse_as_of(self.as_of)

    @property
    def moment(self) -> datetime:
        if self._moment is None:
            self._moment = parse_as_of(self.as_of)
        return self._moment

    @property
    def as_of_text(self) -> str:
        return format_as_of(self.moment)


def default_warehouse() -> WarehouseResource:
    return WarehouseResource(path=env_or("DANGAN_WAREHOUSE", str(settings.WAREHOUSE)))


def default_params() -> RunParams:
    return RunParams(
        as_of=env_or("DANGAN_AS_OF", ""),
        close_lag_days=env_int_or("DANGAN_CLOSE_LAG_DAYS", 15),
    )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(resources={"warehouse": default_warehouse(), "params": default_params()})
