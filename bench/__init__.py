"""Benchmarks: scripts that print timings and peak memory (run as `python -m bench.<name>`)."""
