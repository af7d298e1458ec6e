"""Benchmarks: one module per question (``bench_*.py``), each comparing against a baseline."""
