"""Dagster definitions of the scans domain."""
