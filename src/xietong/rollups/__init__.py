"""Rollups for superiors and periodic reports upward (issue 12, docs/rollups.md)."""
