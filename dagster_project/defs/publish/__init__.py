"""Dagster definitions of the publish domain."""
