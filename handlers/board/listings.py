"""Supply and demand: offers of help and requests for it, and the network's board of both."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, func, select

from handlers import categories
from handlers.board import expiry
from handlers.context import Context
from handlers.dates import DATE_HINT, read_day
from handlers.errors import CommandError, FormErrors
from handlers.messages import Choice, Field, Form, Input, Message, Section
from handlers.phrases import gist, sentence
from handlers.refs import ref_of
from storage.models import Listing, School

BOARD_LIMIT = 15
MIN_TEXT = 3
NOUN = {"offer": ("offer", "O", "give"), "request": ("request", "R", "need")}


def offer(ctx: Context, args: str) -> Message:
    """Log something the caller's school can give. With no text, returns the offer form."""
    return _from_text(ctx, "offer", args)


def request(ctx: Context, args: str) -> Message:
    """Log something the caller's school needs. With no text, returns the request form."""
    return _from_text(ctx, "request", args)


def _from_text(ctx: Context, kind: str, args: str) -> Message:
    ctx.require_member()
    if not args.strip():
        return Message(title=f"New {kind}", form=listing_form(kind))
    explicit, text = categories.split_explicit(args)
    if explicit is None:
        return _create(ctx, kind, text, categories.guess(text), None)
    found = categories.find(explicit)
    if found is None:
        raise CommandError(f"I don't know the category `{explicit}`. Try one of: {_category_names()}.")
    return _create(ctx, kind, text, found, None, given=True)


def submit_offer(ctx: Context, context: str, values: dict[str, str]) -> Message:
    return _from_form(ctx, "offer", values)


def submit_request(ctx: Context, context: str, values: dict[str, str]) -> Message:
    return _from_form(ctx, "request", values)


def _from_form(ctx: Context, kind: str, values: dict[str, str]) -> Message:
    ctx.require_member()
    errors: dict[str, str] = {}
    text = values.get("text", "").strip()
    if len(text) < MIN_TEXT:
        errors["text"] = f"Please say what you {NOUN[kind][2]}, in a few words."
    category = values.get("category") or categories.guess(text)
    if category not in categories.CATEGORIES:
        errors["category"] = "Please pick one of the categories."
    expires: date | None = None
    if values.get("expires_on"):
        try:
            expires = read_day(ctx, values["expires_on"])
        except CommandError as exc:
            errors["expires_on"] = exc.reason
    if errors:
        raise FormErrors(errors)
    return _create(ctx, kind, text, category, expires, given=bool(values.get("category")))


def _create(
    ctx: Context, kind: str, text: str, category: str, expires_on: date | None, *, given: bool = False
) -> Message:
    actor = ctx.require_member()
    text = " ".join(text.split())
    if len(text) < MIN_TEXT:
        raise CommandError(f"Please say what you {NOUN[kind][2]}, e.g. `{kind} two physics practicals for Year 9`.")
    listing = {
        "kind": kind,
        "network_id": actor.network_id,
        "school_id": actor.school_id,
        "member_id": actor.member_id,
        "text": text,
        "category": category,
        "category_given": given,
        "expires_on": expires_on or expiry.default_expiry(ctx.now.astimezone(ctx.timezone).date()),
        "created_at": ctx.now,
    }  # the database indexes its text; the scheduler's scan finds its matches
    prefix = NOUN[kind][1]
    reference = ref_of(prefix, ctx.add_and_log(Listing, prefix, kind, listing, category=category, text=text))
    thanks = "Thank you for offering!" if kind == "offer" else "Asking is a strength: thank you!"
    return Message(
        title=f"{sentence(gist(text))}: on the board ({reference})",
        text=text if len(text) > len(gist(text)) else "",
        fields=(Field("Category", categories.label(category)), Field("School", actor.school_name)),
        footer=f"{thanks} Say `match` to see what could meet it.",
    )


def listing_form(kind: str, text: str = "") -> Form:
    noun, _, verb = NOUN[kind]
    choices = tuple(Choice(label, slug) for slug, (label, _) in categories.CATEGORIES.items())
    return Form(
        form_id=kind,
        title=f"New {noun}",
        submit_label=f"Log {noun}",
        inputs=(
            Input(
                "text",
                f"What do you {verb}?",
                "multiline",
                initial=text,
                placeholder="e.g. Two physics practicals for Year 9 in March",
                max_length=3000,
            ),
            Input("category", "Category", "select", choices=choices, optional=True),
            Input("expires_on", "Open until", optional=True, placeholder=DATE_HINT),
        ),
    )


def show_board(ctx: Context, args: str) -> Message:
    """Open offers and requests across the caller's network, newest first."""
    actor = ctx.require_member()
    sections: list[Section] = []
    counts: dict[str, int] = {}
    for kind in ("request", "offer"):
        base = (
            select(Listing, School.name)
            .join(School, col(School.id) == Listing.school_id)
            .where(Listing.network_id == actor.network_id, Listing.kind == kind, Listing.status == "open")
        )
        rows = ctx.session.exec(base.order_by(col(Listing.created_at).desc()).limit(BOARD_LIMIT)).all()
        counts[kind] = ctx.session.exec(
            select(func.count())
            .select_from(Listing)
            .where(Listing.network_id == actor.network_id, Listing.kind == kind, Listing.status == "open")
        ).one()
        for listing, school in rows:
            prefix = NOUN[kind][1]
            sections.append(
                Section(
                    text=f"{prefix}{listing.id} · {kind.capitalize()} from {school}: {listing.text}",
                    fields=(Field("Category", categories.label(listing.category)),),
                )
            )
    if not sections:
        return Message(
            title="The board is empty for now.",
            text="Be the first: `offer <something you can give>` or `request <something you need>`.",
        )
    more = sum(counts.values()) - len(sections)
    return Message(
        title=f"The board: {_count(counts['offer'], 'open offer')}, {_count(counts['request'], 'open request')}",
        sections=tuple(sections),
        footer=f"…and {more} more." if more > 0 else "",
    )


def _category_names() -> str:
    return ", ".join(slug for slug in categories.CATEGORIES)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
