"""Complaints and reports (投诉举报, R-7): public filing and tracking, the flow from intake to the
answer under both legal regimes, and the notices sent as documents. ``docs/complaints.md``."""
