"""Benchmarks: `python -m bench.NAME [--quick]`; the last stdout line is one JSON object."""
