"""Which partnership a command is about, and whether the caller may see or change it."""

from __future__ import annotations

from handlers.context import Actor, Context
from handlers.errors import CommandError, NotAllowed
from handlers.lookups import find_partnership, partnerships_of
from storage.models import Partnership


def partnership_for(ctx: Context, name: str) -> tuple[Actor, Partnership]:
    """The named partnership, or the caller's only one; refused unless the caller's school is in it."""
    actor = ctx.require_member()
    mine = partnerships_of(ctx.session, actor.school_id)
    if not name.strip():
        if len(mine) == 1:
            return actor, mine[0]
        if not mine:
            raise CommandError(
                f"{actor.school_name} isn't in a partnership yet. A lead can start one with "
                "`partnership <name> with <school>`."
            )
        raise CommandError("Which partnership? Yours: " + ", ".join(p.name for p in mine) + ".")
    partnership = find_partnership(ctx.session, actor.network_id, name)
    if partnership.id not in {p.id for p in mine}:
        raise NotAllowed(f"{actor.school_name} isn't part of {partnership.name}.")
    return actor, partnership


def require_partnership_lead(ctx: Context, name: str, doing: str) -> tuple[Actor, Partnership]:
    """A lead of one of the partnership's schools, or NotAllowed (checked before the partnership is read)."""
    ctx.require_lead(doing)
    return partnership_for(ctx, name)
