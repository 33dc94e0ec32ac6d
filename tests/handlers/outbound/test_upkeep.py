"""The daily upkeep the scheduler runs: expiry reminders, closing stale listings, private health notices."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from handlers.outbound import upkeep
from storage.models import Listing, Notification
from tests.harness.world import World


def test_daily_upkeep_reminds_closes_and_checks_each_partnership_once(world: World) -> None:
    world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    for n in range(4):
        world.commitment("mary", "Hopper Academy", f"Physics practical {n}", status="done", done_days_ago=n + 1)
    closing = world.listing("alan", "offer", "Our minibus on Fridays", "shared-services", expires_on=date(2026, 11, 26))
    stale = world.listing("grace", "request", "Choir accompanist", "enrichment", expires_on=date(2026, 11, 20))
    with world.db.transaction() as session:
        assert upkeep.daily(session, world.now) == upkeep.Upkeep(
            reminded=1, expired=1, partnerships_checked=1, receipts_pruned=0
        )
    with world.db.transaction() as session:
        assert upkeep.daily(session, world.now) == upkeep.Upkeep(
            reminded=0, expired=0, partnerships_checked=1, receipts_pruned=0
        )
        assert session.get(Listing, stale).status == "expired"
        assert session.get(Listing, closing).status == "open"
        keys = sorted(n.dedupe_key.split(":")[0] for n in session.exec(select(Notification)).all())
    assert keys == ["expiry", "lopsided", "lopsided"]


def test_every_kind_kept_plans_has_its_rule() -> None:
    """A kind planned anywhere in the core without a row in outbound/kinds.py would be sent without its check."""
    import ast
    from pathlib import Path

    from handlers.outbound import kinds

    planned = set()
    for path in Path("handlers").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.keyword) and node.arg == "kind" and isinstance(node.value, ast.Attribute):
                if isinstance(node.value.value, ast.Name) and node.value.value.id == "kinds":
                    planned.add(getattr(kinds, node.value.attr))
    assert planned and planned <= set(kinds.KINDS), planned - set(kinds.KINDS)
