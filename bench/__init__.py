"""Benchmarks (``make bench``). Each prints what it measured against a baseline from the same
run, and the command to repeat it."""
