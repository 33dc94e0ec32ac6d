"""Messages true when they land: a reminder's daily slot, and items offered across schools awaiting consent

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("slot", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint("uq_notification_slot", ["slot"])
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposed_to", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("proposed_due", storage.types.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key("fk_checklistitem_proposed_to", "member", ["proposed_to"], ["id"])
        batch_op.create_foreign_key("fk_checklistitem_proposed_by", "member", ["proposed_by"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("checklistitem", schema=None) as batch_op:
        batch_op.drop_constraint("fk_checklistitem_proposed_by", type_="foreignkey")
        batch_op.drop_constraint("fk_checklistitem_proposed_to", type_="foreignkey")
        batch_op.drop_column("proposed_due")
        batch_op.drop_column("proposed_by")
        batch_op.drop_column("proposed_to")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notification_slot", type_="unique")
        batch_op.drop_column("slot")
