"""Exposure scoring: pure functions over evidence, weights from data/scoring.toml."""
