"""Jurisdictions (行政区划) and their departments: the tree every tenant-owned row hangs from."""
