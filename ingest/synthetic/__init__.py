"""Synthetic source systems (marketing, archive) and scanned pages for demos, tests and benchmarks."""
