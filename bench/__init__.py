"""Benchmarks that any user can run against Mamori (and, where noted, other servers)."""
