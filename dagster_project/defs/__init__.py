"""Dagster definitions, one folder per domain, loaded by ``dagster_project.definitions``."""
