"""Casework across units (R-8, R-9, R-10): leads, case transfers with receipts, assistance
letters."""
