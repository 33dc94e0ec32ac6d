"""Alembic migrations for Kept's tables."""
