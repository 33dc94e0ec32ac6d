"""A partnership's memorandum of understanding: shown to its schools, edited by their leads, reviewed on time.

`mou` shows it. A lead's `mou <partnership>` returns a form (a Slack modal, a Teams card) with the current
text; `mou <partnership> set <field> <text>` edits one field by text. Setting a review date queues a private
reminder to every lead in the partnership two weeks before it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from handlers.context import Actor, Context
from handlers.dates import DATE_HINT, describe_date, read_day
from handlers.errors import CommandError, FormErrors, NotAllowed
from handlers.lookups import leads_of, school_ids
from handlers.messages import Action, Field, Form, Input, Message
from handlers.outbound import kinds, notices
from handlers.partnerships.access import partnership_for, require_partnership_lead
from handlers.terms import term_of
from storage.models import Mou, Partnership

FIELDS: dict[str, str] = {
    "purpose": "Purpose",
    "goals": "Goals",
    "success_criteria": "Success criteria",
    "expenditure": "Expenditure",
    "staffing": "Staffing",
    "transport": "Transport",
    "venue": "Venue",
    "accountability": "Accountability (named leads per school)",
    "evaluation": "Evaluation",
    "review_on": "Review date",
}
ALIASES = {
    "criteria": "success_criteria",
    "success": "success_criteria",
    "review": "review_on",
    "review_date": "review_on",
    "costs": "expenditure",
    "budget": "expenditure",
    "leads": "accountability",
}
MAX_FIELD = 3000
REVIEW_NOTICE = timedelta(days=14)
LONDON = ZoneInfo("Europe/London")


def mou(ctx: Context, args: str) -> Message:
    """`mou [partnership]` shows the MoU; a lead naming a partnership gets the edit form; `... set <f> <text>`."""
    name, sep, change = args.partition(" set ")
    if sep:
        actor, partnership = require_partnership_lead(ctx, name, "edit a partnership's MoU")
        return _set(ctx, actor, partnership, change)
    actor, partnership = partnership_for(ctx, args)
    agreement = _load(ctx.session, partnership, ctx.now)
    shown = _show(partnership, agreement)
    if not actor.is_lead:
        return shown
    if not args.strip():
        edit = Action("edit-mou", "Edit", f"mou {partnership.name}")
        return Message(title=shown.title, fields=shown.fields, footer=shown.footer, actions=(edit,))
    return Message(title=shown.title, fields=shown.fields, form=mou_form(partnership, agreement))


def _load(session: Session, partnership: Partnership, now: datetime) -> Mou:
    return session.get(Mou, partnership.id) or Mou(partnership_id=partnership.id or 0, updated_at=now)


def _value(agreement: Mou, field: str) -> str:
    value = getattr(agreement, field)
    if isinstance(value, date):
        return value.isoformat()
    return str(value or "")


def _show(partnership: Partnership, agreement: Mou) -> Message:
    fields = tuple(Field(label, _value(agreement, f) or "not agreed yet") for f, label in FIELDS.items())
    return Message(
        title=f"MoU: {partnership.name}", fields=fields, footer="Leads can edit it with `mou <partnership>`."
    )


def mou_form(partnership: Partnership, agreement: Mou) -> Form:
    inputs = tuple(
        Input(
            f,
            label,
            "text" if f == "review_on" else "multiline",
            optional=True,
            initial=_value(agreement, f),
            placeholder=DATE_HINT if f == "review_on" else "",
            max_length=MAX_FIELD,
        )
        for f, label in FIELDS.items()
    )
    return Form(
        form_id="mou",
        title=f"MoU: {partnership.name}"[:24],
        inputs=inputs,
        submit_label="Save",
        context=str(partnership.id),
    )


def _field_and_text(change: str) -> tuple[str, str]:
    """`success criteria 30 pupils ...` -> (`success_criteria`, `30 pupils ...`): the longest field name wins."""
    words = change.split()
    for size in (2, 1):
        key = "_".join(words[:size]).lower().replace("-", "_")
        found = ALIASES.get(key, key)
        if found in FIELDS:
            return found, " ".join(words[size:])
    shown = words[0][:30] if words else ""
    raise CommandError(f"I don't know the MoU field `{shown}`. Fields: {', '.join(FIELDS)}.")


def _set(ctx: Context, actor: Actor, partnership: Partnership, change: str) -> Message:
    field, text = _field_and_text(change)
    if field == "review_on":
        value: object = read_day(ctx, text)
    else:
        value = " ".join(text.split())
        if not value or len(text) > MAX_FIELD:
            raise CommandError(f"Please give the {FIELDS[field].lower()} in under {MAX_FIELD:,} characters.")
    return _save(ctx, actor, partnership, {field: value})


def submit_mou(ctx: Context, context: str, values: dict[str, str]) -> Message:
    """The MoU form: only a lead of one of the partnership's schools; each field checked, nothing half-saved."""
    actor = ctx.require_lead("edit a partnership's MoU")
    partnership = ctx.session.get(Partnership, int(context)) if context.isdigit() else None
    if partnership is None or actor.school_id not in school_ids(ctx.session, partnership.id or 0):
        raise NotAllowed("Only the leads of a partnership's schools can edit its MoU.")
    errors: dict[str, str] = {}
    changes: dict[str, object] = {}
    for field, label in FIELDS.items():
        raw = values.get(field, "").strip()
        if field == "review_on":
            changes[field] = _review_day(raw, ctx, errors)
        elif len(raw) > MAX_FIELD:
            errors[field] = f"Please keep the {label.lower()} under {MAX_FIELD:,} characters."
        else:
            changes[field] = raw
    if errors:
        raise FormErrors(errors)
    return _save(ctx, actor, partnership, changes)


def _review_day(raw: str, ctx: Context, errors: dict[str, str]) -> date | None:
    if not raw:
        return None
    try:
        day = read_day(ctx, raw)
    except CommandError as exc:
        errors["review_on"] = exc.reason
        return None
    if day <= ctx.now.astimezone(ctx.timezone).date():
        errors["review_on"] = "The review date should be in the future."
    return day


def _save(ctx: Context, actor: Actor, partnership: Partnership, changes: dict[str, object]) -> Message:
    agreement = _load(ctx.session, partnership, ctx.now)
    for field, value in changes.items():
        setattr(agreement, field, value)
    agreement.updated_at, agreement.updated_by = ctx.now, actor.member_id
    ctx.session.add(agreement)
    ctx.log("mou", partnership.name, fields=sorted(changes))
    if agreement.review_on is not None and "review_on" in changes:
        plan_review(ctx.session, partnership, agreement.review_on, ctx.now)
    shown = _show(partnership, agreement)
    return Message(title=f"Saved the MoU for {partnership.name}.", fields=shown.fields)


def plan_review(session: Session, partnership: Partnership, review_on: date, now: datetime) -> None:
    """A private reminder to each lead in the partnership, two weeks before the review date (09:00 London)."""
    due = max(now, datetime.combine(review_on - REVIEW_NOTICE, time(9, 0), LONDON))
    message = Message(
        title=f"{partnership.name}'s MoU is due for review on {describe_date(review_on, with_year=True)}.",
        text="A good moment to set the success criteria beside what was delivered: the term's review gathers "
        "the evidence on one page, ready to share with your head and governors.",
        actions=(
            Action("review", "Get the review link", f"review {partnership.name} {term_of(review_on).name}"),
            Action("show-mou", "Open the MoU", f"mou {partnership.name}"),
        ),
    )
    for lead in leads_of(session, school_ids(session, partnership.id or 0)):
        notices.tell(
            session,
            lead.id or 0,
            f"mou-review:{partnership.id}:{review_on}:{lead.id}",
            message,
            now,
            kind=kinds.MOU_REVIEW,
            facts={"review_on": review_on.isoformat()},
            due_at=due,
            partnership_id=partnership.id,
        )
