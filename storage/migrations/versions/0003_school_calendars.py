"""School calendars as data, session lengths and invitation sequence numbers

Revision ID: 0003
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "schoolcalendar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("loaded_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("loaded_by", sa.Integer(), nullable=True),
        sa.Column("refresh_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(["loaded_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"]),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("schoolcalendar", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_schoolcalendar_network_id"), ["network_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schoolcalendar_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_schoolcalendar_refresh_at"), ["refresh_at"], unique=False)

    op.create_table(
        "calendarspan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("calendar_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["calendar_id"], ["schoolcalendar.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("calendarspan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_calendarspan_calendar_id"), ["calendar_id"], unique=False)

    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nation", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("session_minutes", sa.Integer(), nullable=True))

    with op.batch_alter_table("jointsession", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ends_at", storage.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))

    # A school's own holidays now live in its calendar; the old hand-entered table had no way in but SQL.
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_holiday_school_id"))
    op.drop_table("holiday")


def downgrade() -> None:
    op.create_table(
        "holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["school_id"], ["school.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("holiday", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holiday_school_id"), ["school_id"], unique=False)
    with op.batch_alter_table("jointsession", schema=None) as batch_op:
        batch_op.drop_column("sequence")
        batch_op.drop_column("ends_at")
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.drop_column("session_minutes")
        batch_op.drop_column("nation")
    with op.batch_alter_table("calendarspan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendarspan_calendar_id"))
    op.drop_table("calendarspan")
    with op.batch_alter_table("schoolcalendar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schoolcalendar_refresh_at"))
        batch_op.drop_index(batch_op.f("ix_schoolcalendar_school_id"))
        batch_op.drop_index(batch_op.f("ix_schoolcalendar_network_id"))
    op.drop_table("schoolcalendar")
