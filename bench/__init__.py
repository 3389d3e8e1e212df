"""Benchmarks (``make bench``). Each prints what it measured and the command to repeat it."""
