"""Benchmarks for thermo-book; run with ``make bench``."""
