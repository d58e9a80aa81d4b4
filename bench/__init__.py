"""Benchmarks: each `*_bench.py` module measures against a baseline run in the same script."""
