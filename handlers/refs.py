"""Short references users type back: C12 (commitment), O3 (offer), R4 (request), S2 (session), M5 (match)."""

from __future__ import annotations

import re

from handlers.errors import NotFound
from storage.models import Commitment, JointSession, Listing, Match

KINDS = {"C": "commitment", "O": "offer", "R": "request", "S": "session", "M": "match"}
_REF = re.compile(r"^#?([A-Za-z])(\d{1,9})$")


def ref(row: Commitment | Listing | JointSession | Match) -> str:
    """The ref people see and type back for a row: `C12`, `O3` or `R4`, `S2`, `M5`."""
    if isinstance(row, Listing):
        return ref_of("O" if row.kind == "offer" else "R", row.id)
    prefix = {Commitment: "C", JointSession: "S", Match: "M"}[type(row)]
    return ref_of(prefix, row.id)


def ref_of(prefix: str, number: int | None) -> str:
    """The ref for a number of a known kind: `ref_of("C", 12)` is `C12`."""
    return f"{prefix}{number}"


def parse_ref(text: str, expected: str) -> int:
    """The id in a ref of the expected kind (`C` for commitments); NotFound with a kind hint otherwise."""
    word = text.strip().split(" ", 1)[0] if text.strip() else ""
    found = _REF.match(word)
    noun = KINDS[expected]
    if not found:
        raise NotFound(f"I need a {noun} ref such as `{expected}12`. Say `mine` to see yours.")
    prefix, number = found.group(1).upper(), int(found.group(2))
    if prefix != expected:
        other = KINDS.get(prefix)
        what = f"is a ref for {_article(other)} {other}" if other else "isn't a ref I know"
        raise NotFound(f"`{word}` {what}: I need a {noun} ref such as `{expected}12`.")
    return number


def split_ref(args: str) -> tuple[str, str]:
    """`C12 the rest` -> (`C12`, `the rest`)."""
    head, _, rest = args.strip().partition(" ")
    return head, rest.strip()


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeiou" else "a"
