"""After a joint session its organiser records pupils reached, staff involved and a line of impact (counts only:
Kept never stores pupils' names). It feeds the partnership's record and the termly report."""

from __future__ import annotations

import re

from handlers.context import Context
from handlers.errors import CommandError, NotAllowed
from handlers.joint_sessions.access import taking_part
from handlers.messages import Field, Message
from handlers.refs import ref, split_ref
from storage.models import JointSession

_IMPACT = re.compile(
    r"^(?P<more>\+\s*)?(?P<pupils>\d{1,5})\s+(?:more\s+)?pupils?\s*,?\s*\+?\s*(?P<staff>\d{1,4})\s+(?:more\s+)?staff"
    r"\s*:\s*(?P<line>.+)$",
    re.IGNORECASE,
)


def impact(ctx: Context, args: str) -> Message:
    """`impact S12 <pupils> pupils, <staff> staff: <one line>`, by the organiser once the session has begun. Said again,
    it corrects the first (`+5 pupils, 1 staff: …` adds to it instead), and the reply says exactly what changed."""
    head, rest = split_ref(args)
    actor, joint, _ = taking_part(ctx, head)
    if joint.organiser_id != actor.member_id:
        raise NotAllowed(f"Only the organiser of {ref(joint)} records its impact.")
    if joint.starts_at > ctx.now:
        raise CommandError(f"{ref(joint)} hasn't happened yet: record its impact afterwards.")
    found = _IMPACT.match(rest.strip())
    if not found:
        raise CommandError(f"Say `impact {ref(joint)} 28 pupils, 3 staff: <one line of impact>`.")
    before = (joint.pupils_reached, joint.staff_involved, joint.impact)
    pupils, staff, line = int(found.group("pupils")), int(found.group("staff")), " ".join(found.group("line").split())
    adding = bool(found.group("more")) and before[0] is not None
    if adding:
        pupils, staff, line = pupils + (before[0] or 0), staff + (before[1] or 0), f"{before[2]} {line}".strip()
    joint.pupils_reached, joint.staff_involved, joint.impact = pupils, staff, line[:500]
    joint.status = "held"
    ctx.session.add(joint)
    ctx.log("impact", ref(joint), pupils=pupils, staff=staff, added=adding, corrected=before[0] is not None)
    return Message(
        title=_impact_title(joint, before[0] is not None, adding),
        text=_what_changed(before, (pupils, staff, joint.impact)),
        fields=(
            Field("Pupils reached", str(pupils)),
            Field("Staff involved", str(staff)),
            Field("Impact", joint.impact),
        ),
        footer="It goes into the partnership's record and the termly review.",
    )


def _impact_title(joint: JointSession, had_one: bool, adding: bool) -> str:
    if adding:
        return f"{joint.title}: impact added to ({ref(joint)})"
    if had_one:
        return f"{joint.title}: impact corrected ({ref(joint)})"
    return f"{joint.title}: impact recorded ({ref(joint)}). Thank you!"


def _what_changed(before: tuple[int | None, int | None, str], after: tuple[int, int, str]) -> str:
    """For a second `impact`, exactly what changed (nothing is replaced silently)."""
    if before[0] is None:
        return ""
    changes = [
        f"{label} {old} → {new}"
        for label, old, new in (("pupils", before[0], after[0]), ("staff", before[1], after[1]))
        if old != new
    ]
    if before[2] != after[2]:
        changes.append("the impact line was updated")
    said = "; ".join(changes) if changes else "nothing changed"
    return f"Changed: {said}. To add to it rather than correct it, start with +, e.g. `+5 pupils, 1 staff: …`."
