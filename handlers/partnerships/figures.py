"""What a partnership delivered between two moments: one definition, shared by the digest and the termly report."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import col

from storage.models import Commitment


def delivered_within(ids: Collection[int], since: datetime, until: datetime) -> tuple[ColumnElement[bool], ...]:
    """Conditions for commitments delivered between two of `ids` (either way) from `since` until `until`."""
    return (
        col(Commitment.from_school_id).in_(ids),
        col(Commitment.to_school_id).in_(ids),
        col(Commitment.status) == "done",
        col(Commitment.done_at) >= since,
        col(Commitment.done_at) < until,
    )
