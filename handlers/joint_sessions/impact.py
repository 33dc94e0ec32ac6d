"""After a joint session its organiser records pupils reached, staff involved and a line of impact (counts only:
Kept never stores pupils' names). It feeds the partnership's record and the termly report."""

from __future__ import annotations

import re

from handlers.context import Context
from handlers.errors import CommandError, NotAllowed
from handlers.joint_sessions.access import taking_part
from handlers.messages import Field, Message
from handlers.refs import ref, split_ref

_IMPACT = re.compile(
    r"^(?P<pupils>\d{1,5})\s+pupils?\s*,?\s*(?P<staff>\d{1,4})\s+staff\s*:\s*(?P<line>.+)$", re.IGNORECASE
)


def impact(ctx: Context, args: str) -> Message:
    """`impact S12 <pupils> pupils, <staff> staff: <one line>`, by the organiser once the session has begun."""
    head, rest = split_ref(args)
    actor, joint, _ = taking_part(ctx, head)
    if joint.organiser_id != actor.member_id:
        raise NotAllowed(f"Only the organiser of {ref(joint)} records its impact.")
    if joint.starts_at > ctx.now:
        raise CommandError(f"{ref(joint)} hasn't happened yet: record its impact afterwards.")
    found = _IMPACT.match(rest.strip())
    if not found:
        raise CommandError(f"Say `impact {ref(joint)} 28 pupils, 3 staff: <one line of impact>`.")
    joint.pupils_reached, joint.staff_involved = int(found.group("pupils")), int(found.group("staff"))
    joint.impact = " ".join(found.group("line").split())[:500]
    joint.status = "held"
    ctx.session.add(joint)
    ctx.log("impact", ref(joint), pupils=joint.pupils_reached, staff=joint.staff_involved)
    return Message(
        title=f"Thank you: impact recorded for {ref(joint)}.",
        fields=(
            Field("Pupils reached", str(joint.pupils_reached)),
            Field("Staff involved", str(joint.staff_involved)),
            Field("Impact", joint.impact),
        ),
        footer="It will appear in the termly report.",
    )
