"""Shared column helpers for the table modules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field

from storage.types import UTCDateTime


def when(*, index: bool = False, nullable: bool = False) -> Any:
    """An aware-UTC timestamp column."""
    default = None if nullable else ...
    return Field(default=default, sa_type=UTCDateTime, index=index, nullable=nullable)


def json_column() -> Any:
    return Field(default_factory=dict, sa_type=JSON)
