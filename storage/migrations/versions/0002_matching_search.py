"""Matching on the databases' own full-text search: the index over listings, whether a category was given,
whether a match's leads were told, a network's own words; the hand-written word index goes.

Revision ID: 0002
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As storage/models/search.py creates them with the listing table (a migration keeps its own copy).
SQLITE = (
    "CREATE VIRTUAL TABLE listing_fts USING fts5(text, content='listing', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER listing_fts_insert AFTER INSERT ON listing BEGIN "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER listing_fts_delete AFTER DELETE ON listing BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER listing_fts_update AFTER UPDATE OF text ON listing BEGIN "
    "INSERT INTO listing_fts(listing_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO listing_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO listing_fts(listing_fts) VALUES ('rebuild')",  # the listings already logged
)
POSTGRES = (
    "ALTER TABLE listing ADD COLUMN search tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', translate(text, '/-', '  '))) STORED",
    "CREATE INDEX ix_listing_search ON listing USING gin (search)",
)


def upgrade() -> None:
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.add_column(sa.Column("category_given", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "networkword",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("idea", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("word", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["member.id"]),
        sa.ForeignKeyConstraint(["network_id"], ["network.id"]),
        sa.PrimaryKeyConstraint("network_id", "idea", "word"),
    )
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.add_column(sa.Column("told", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f("ix_match_told"), ["told"], unique=False)
    op.execute("UPDATE match SET told = true")  # matches found before this were told, or were too weak to tell
    with op.batch_alter_table("listingword", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listingword_listing_id"))
    op.drop_table("listingword")
    for statement in POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_listing_search")
        op.execute("ALTER TABLE listing DROP COLUMN search")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER listing_fts_{trigger}")
        op.execute("DROP TABLE listing_fts")
    op.create_table(
        "listingword",
        sa.Column("stem", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["listing_id"], ["listing.id"]),
        sa.PrimaryKeyConstraint("stem", "listing_id"),
    )
    with op.batch_alter_table("listingword", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_listingword_listing_id"), ["listing_id"], unique=False)
    op.drop_table("networkword")
    with op.batch_alter_table("match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_match_told"))
        batch_op.drop_column("told")
    with op.batch_alter_table("listing", schema=None) as batch_op:
        batch_op.drop_column("category_given")
