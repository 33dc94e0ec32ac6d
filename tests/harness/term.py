"""A term of work in Physics Link (St Ada's School and Hopper Academy): deliveries both ways, a thank-you, a
joint session with its impact, and an MoU with success criteria and a review date. The report and the review
both read it."""

from __future__ import annotations

from datetime import date, timedelta

from storage.models import JointSession, Mou
from tests.harness.world import World


def term_of_work(world: World) -> int:
    """Physics Link's autumn term so far; returns its id."""
    pid = world.partnership("Physics Link", "St Ada's School", "Hopper Academy")
    world.commitment(
        "mary",
        "Hopper Academy",
        "Two A-level physics practicals",
        status="done",
        done_days_ago=3,
        category="specialist-staff",
        confirmed=True,
        thanks="The Year 12s loved them",
    )
    world.commitment(
        "mary", "Hopper Academy", "Chemistry practical", status="done", done_days_ago=10, category="specialist-staff"
    )
    world.commitment(
        "alan", "St Ada's School", "=Minibus for the trip", status="done", done_days_ago=5, category="shared-services"
    )
    world.commitment("alan", "St Ada's School", "Last year's visit", status="done", done_days_ago=400)
    with world.db.transaction() as session:
        session.add(
            JointSession(
                network_id=world.network_id,
                partnership_id=pid,
                title="Year 6 science day",
                starts_at=world.now - timedelta(days=7),
                venue="St Ada's School",
                organiser_id=world.members["mary"],
                created_at=world.now,
                status="held",
                pupils_reached=28,
                staff_involved=3,
                impact="Every pupil built a circuit",
            )
        )
        session.add(
            Mou(
                partnership_id=pid,
                success_criteria="Every Year 12 completes the required practicals",
                updated_at=world.now,
                review_on=date(2027, 3, 1),
            )
        )
    return pid
