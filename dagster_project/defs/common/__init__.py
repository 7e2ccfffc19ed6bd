"""What every domain shares: the warehouse being built, the run's parameters, the DuckDB
pool, the asset keys and group names that cross domain lines, the schedules' run config."""
