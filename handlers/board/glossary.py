"""A network's own words for matching: `words` lists them; a lead says `words DT = design technology, D&T` to
have Kept read them as one idea across the network, and `words forget DT` to take them back."""

from __future__ import annotations

import re

from sqlmodel import Session, col, delete, func, select

from handlers.context import Context
from handlers.errors import CommandError, NotFound
from handlers.messages import Message
from handlers.vocabulary import Vocabulary, school_words, with_own_words
from storage.models import NetworkWord

MAX_WORD = 60
MAX_WORDS = 20
_TELLING = re.compile(r"[a-z0-9]", re.IGNORECASE)
HOW = "Say `words <idea> = <word>, <word>`, e.g. `words DT = design technology, D&T`."


def vocabulary(session: Session, network_id: int) -> Vocabulary:
    """Kept's vocabulary with the network's own words."""
    own = session.exec(
        select(NetworkWord.idea, NetworkWord.word)
        .where(NetworkWord.network_id == network_id)
        .order_by(col(NetworkWord.idea), col(NetworkWord.word))
    ).all()
    return with_own_words(tuple((idea, word) for idea, word in own))


def words(ctx: Context, args: str) -> Message:
    """`words`: the network's own words; `words <idea> = <word>, ...` and `words forget <idea>`: leads only."""
    actor = ctx.require_member()
    said = " ".join(args.split())
    if not said:
        return _listed(ctx.session, actor.network_id)
    if said.lower().startswith("forget "):
        return _forget(ctx, said[len("forget ") :].strip())
    name, sep, rest = (part.strip() for part in said.partition("="))
    if not sep:
        raise CommandError(f"I need an `=` between the idea and its words. {HOW}")
    ctx.require_lead("add words for matching")
    added = _words(rest, name)
    known = school_words().knows(name) or next((k for w in added if (k := school_words().knows(w))), None)
    existing = set(
        ctx.session.exec(
            select(NetworkWord.word).where(NetworkWord.network_id == actor.network_id, NetworkWord.idea == name)
        ).all()
    )
    for word in added:
        if word not in existing:
            ctx.session.add(
                NetworkWord(
                    network_id=actor.network_id, idea=name, word=word, created_by=actor.member_id, created_at=ctx.now
                )
            )
    ctx.log("words", name, words=added)
    joined = f" (Kept already knew it as {known})" if known and known.lower() != name.lower() else ""
    return Message(
        title=f"Noted: {name} = {', '.join(added)}{joined}.",
        text="From now on matching reads them as one idea, for every school in your network.",
        footer="`words` lists your network's own words; `words forget <idea>` takes them back.",
    )


def _words(rest: str, name: str) -> list[str]:
    """The words after `=`, checked: each says something, none too long, not too many."""
    found = list(dict.fromkeys(w.strip() for w in rest.split(",") if w.strip()))
    if not _TELLING.search(name) or len(name) > MAX_WORD:
        raise CommandError(f"Please give the idea a name of up to {MAX_WORD} letters. {HOW}")
    if not found:
        raise CommandError(f"Please list the words that mean {name}, separated by commas. {HOW}")
    if len(found) > MAX_WORDS:
        raise CommandError(f"That's a lot of words at once: please give at most {MAX_WORDS}.")
    for word in found:
        if not _TELLING.search(word) or len(word) > MAX_WORD:
            raise CommandError(f"`{word[:MAX_WORD]}` can't be a word for matching: up to {MAX_WORD} letters, please.")
    return found


def _forget(ctx: Context, name: str) -> Message:
    actor = ctx.require_lead("take back words for matching")
    found = ctx.session.exec(
        select(NetworkWord.idea).where(
            NetworkWord.network_id == actor.network_id, func.lower(NetworkWord.idea) == name.lower()
        )
    ).first()
    if found is None:
        raise NotFound(f"Your network has no words of its own for `{name[:MAX_WORD]}`. Say `words` to see them.")
    ctx.session.execute(
        delete(NetworkWord).where(col(NetworkWord.network_id) == actor.network_id, col(NetworkWord.idea) == found)
    )
    ctx.log("words forget", found)
    return Message(title=f"Done: matching no longer reads your network's words for {found} as one idea.")


def _listed(session: Session, network_id: int) -> Message:
    rows = session.exec(
        select(NetworkWord.idea, NetworkWord.word)
        .where(NetworkWord.network_id == network_id)
        .order_by(col(NetworkWord.idea), col(NetworkWord.created_at), col(NetworkWord.word))
    ).all()
    if not rows:
        return Message(
            title="Your network has no words of its own yet.",
            text=f"Kept already knows many school words (INSET is a staff training day). A lead can add more: {HOW}",
        )
    ideas: dict[str, list[str]] = {}
    for idea, word in rows:
        ideas.setdefault(idea, []).append(word)
    return Message(
        title="Your network's own words",
        text="\n".join(f"{idea} = {', '.join(words)}" for idea, words in ideas.items()),
        footer="Leads can add more with `words <idea> = <word>, <word>`, or `words forget <idea>`.",
    )
