"""Text as Kept stores it: what people type, and what platforms say about them, made safe before any handler runs.

Removed: lone surrogates (they can't be encoded, so storing or sending them fails), NUL (PostgreSQL refuses it in
text), other control characters (a terminal would obey them), and the invisible bidirectional overrides that
make text read differently from what it says. Line breaks become `\\n` and tabs spaces. Everything else,
emoji and every script, is kept as typed. About 1 microsecond for a typical command.
"""

from __future__ import annotations

import dataclasses
import re

from handlers.context import Caller

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_BREAKS = re.compile("\r\n?|[\u2028\u2029\x85]")


def clean(text: str) -> str:
    """`text` with unsafe characters removed (see the module's docstring)."""
    if text.isprintable():  # the common case: nothing to do
        return text
    return _UNSAFE.sub("", _BREAKS.sub("\n", text).replace("\t", " "))


def clean_caller(caller: Caller) -> Caller:
    """The caller with every text a platform told Kept about them cleaned the same way."""
    fields = (caller.tenant_id, caller.user_id, caller.display_name, caller.timezone or "", caller.channel_id)
    if all(value.isprintable() for value in fields):
        return caller
    return dataclasses.replace(
        caller,
        tenant_id=clean(caller.tenant_id),
        user_id=clean(caller.user_id),
        display_name=clean(caller.display_name),
        timezone=clean(caller.timezone) if caller.timezone else caller.timezone,
        channel_id=clean(caller.channel_id),
    )
