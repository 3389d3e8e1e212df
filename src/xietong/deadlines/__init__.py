"""Statutory clocks (法定时限): the official working-day calendar, deadline arithmetic, the one
declarative table of rules that say which clock runs for what, and the clock the code reads.

Everything here is pure — no database, no GraphQL — so every rule has a fast test. The step that
adds obligations (rows), the sweeping worker and notifications builds on these modules; see
``docs/deadlines.md``.
"""
