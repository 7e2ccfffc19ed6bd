"""Dagster definitions of the close domain: freeze a final month, report it to management."""
