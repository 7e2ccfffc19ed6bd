"""Which month the monthly report is about: the newest month the warehouse has frozen.

Freezing itself belongs to every ``dbt build`` (models in schema ``frozen``, DOMAIN.md §13):
a build freezes each month final as of its ``as_of`` and not frozen yet, oldest or not, so a
missed close is caught up by the next build. The close lag lives in the seed
``thresholds.close_lag_days`` and is read there alone; this module only reads the result,
``marts.kpi_months``.
"""

from __future__ import annotations

from datetime import date

import duckdb

KPI_MONTHS = "marts.kpi_months"


class MonthsMissingError(LookupError):
    """The warehouse has no marts.kpi_months: the marts were not built."""


def latest_frozen_month(con: duckdb.DuckDBPyConnection) -> date | None:
    """The newest month final as of the build and frozen, or None while no month is."""
    try:
        row = con.execute(
            f"select max(month) from {KPI_MONTHS} where is_final and frozen_at is not null"
        ).fetchone()
    except duckdb.CatalogException as error:
        raise MonthsMissingError(
            f"{KPI_MONTHS} does not exist; build the marts before the monthly report"
        ) from error
    return row[0]
