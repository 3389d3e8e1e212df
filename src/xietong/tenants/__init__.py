"""Tenant files (``tenants/*.yaml``): declaring provinces, their units, departments and people."""
