"""Benchmarks: `python -m bench` (or `make bench`) times the portal's pages on a large dataset."""
