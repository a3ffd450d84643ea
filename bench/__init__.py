"""Benchmarks, run on demand (`make bench` or `python -m bench <name>`); each prints its figures
beside a baseline measured in the same run, as a ratio (these machines are noisy)."""
