"""Dagster definitions of the delivery domain."""
