"""Audit events (审计留痕): every change appends one in the same transaction, hash-chained per
province so that editing or deleting a recorded event is detectable (docs/architecture.md §1.4,
R-15)."""
