"""Benchmarks and synthetic data for dq (not part of the installed package)."""
