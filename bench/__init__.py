"""Benchmarks and the synthetic wiki generator."""
