"""Hypothesis strategies for what strangers and slips of the keyboard send Kept: command text, form values, and
whole platform payloads (Slack form and JSON bodies, Teams activities).

They mix Kept's own words (verbs, refs, dates, school names) with hostile fragments (lone surrogates, NUL and
control characters, huge numbers, far-off dates, wrong JSON types), so generated inputs reach deep into the
handlers instead of stopping at "I don't know that word". Used by the fuzz tests in `make test` (a few thousand
examples) and by `make fuzz` (a million commands and 100,000 HTTP bodies).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from handlers import grammar

VERBS = [v.name for v in grammar.VERBS if v.name != "forget"] + [a for v in grammar.VERBS for a in v.aliases]
SCHOOLS = ["St Ada's School", "Hopper Academy", "Turing College", "Hoper Academy"]
REFS = ["C1", "C2", "O1", "R1", "S1", "M1", "#C1", "c1", "C0", "C999999999", "C99999999999", "X1", "C-1", "C١"]
DATES = [
    "Friday",
    "next Friday",
    "tomorrow 3pm",
    "12/03",
    "31/12/9999",
    "9999-12-31",
    "1 January 2040",
    "0/0/0",
    "yesterday",
    "in 999 weeks",
    "in 99999999 days",
    "1 day",
    "2 weeks",
    "25:99",
    "Feb 30",
]
WORDS = [
    "to",
    "by",
    "with",
    "on",
    "at",
    "until",
    "me",
    "transport",
    "[maths]",
    "[specialist staff]",
    "28 pupils, 3 staff:",
    ",",
    "a physics teacher",
    "<!channel>",
    "<at>Kept</at>",
    "*bold*",
    "`code`",
    "&amp;",
]
HOSTILE = ["\ud800", "\udfff", "\x00", "\x1b[31m", "\u202e", "\r\n", "\t", "\ufeff", "\x85", "🏫", "ß", "İ", "\u0301"]

any_character = st.characters(codec=None, exclude_categories=())  # every code point, lone surrogates included
any_text = st.text(any_character, max_size=40)
fragment = st.one_of(
    st.sampled_from(SCHOOLS),
    st.sampled_from(REFS),
    st.sampled_from(DATES),
    st.sampled_from(WORDS),
    st.sampled_from(HOSTILE),
    st.integers(-(10**20), 10**20).map(str),
    any_text,
)


@st.composite
def command_text(draw: st.DrawFn) -> str:
    """A command as someone might type it (or a stranger forge it): usually a known verb and mixed arguments."""
    verb = draw(st.one_of(st.sampled_from(VERBS), st.sampled_from(VERBS).map(str.upper), any_text))
    args = draw(st.lists(fragment, max_size=8))
    prefix = draw(st.sampled_from(["", "", "", "/partner ", "partner: ", " "]))
    return prefix + " ".join([verb, *args])


FORM_FIELDS = ["what", "school", "due", "category", "expires_on", "reason", "text", "review_on", "aims", "x"]
form_value = st.one_of(st.sampled_from(DATES), fragment, st.sampled_from(["", "1", "2", "2026-12-04", "9999-12-31"]))


@st.composite
def form_submission(draw: st.DrawFn) -> tuple[str, str, dict[str, str]]:
    """(form id, context, values) as a form's submission might arrive: known forms, stale or forged contexts."""
    form_id = draw(st.one_of(st.sampled_from(sorted(grammar.FORMS)), any_text))
    context = draw(st.one_of(st.sampled_from(["", "1", "C1", "C2", "99999999999999999999", "²"]), any_text))
    values = draw(st.dictionaries(st.one_of(st.sampled_from(FORM_FIELDS), any_text), form_value, max_size=6))
    return form_id, context, values


# JSON values of any shape, for the fields platforms send (where a type other than Slack's or Teams' own must be
# refused or ignored, never crash).
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False), any_text)
json_value = st.recursive(
    json_scalar,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(any_text, children, max_size=3),
    max_leaves=8,
)


def _maybe(draw: st.DrawFn, good: Any) -> Any:
    """Usually the well-formed value; sometimes anything at all."""
    return draw(st.one_of(st.just(good), st.just(good), st.just(good), json_value))


TEAM = "T0ADA"
USERS = ["U0SAM", "U0ALAN", "U0MAY"]


@st.composite
def slack_body(draw: st.DrawFn) -> tuple[bytes, str]:
    """A body Slack (or someone with its signing secret) might post: (raw bytes, content type)."""
    kind = draw(st.sampled_from(["slash", "slash", "button", "view", "shortcut", "event", "raw"]))
    user = draw(st.sampled_from(USERS))
    if kind == "slash":
        form = {"command": "/partner", "text": draw(command_text()), "team_id": TEAM, "user_id": user}
        form |= {"channel_id": "C0STAFF", "trigger_id": "t", "response_url": "http://127.0.0.1:9/respond"}
        return urlencode(form, encoding="utf-8", errors="surrogatepass").encode(), "application/x-www-form-urlencoded"
    if kind == "event":
        event = {"type": _maybe(draw, "app_home_opened"), "user": _maybe(draw, user), "tab": _maybe(draw, "home")}
        body = {"type": "event_callback", "team_id": TEAM, "event_id": draw(any_text), "event": _maybe(draw, event)}
        return _json(body), "application/json"
    if kind == "raw":
        raw = draw(st.one_of(st.binary(max_size=200), json_value.map(_json)))
        return raw, draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded"]))
    payload = _interactive(draw, kind, user)
    return urlencode({"payload": _json(payload).decode("utf-8", "surrogatepass")}, errors="surrogatepass").encode(), (
        "application/x-www-form-urlencoded"
    )


def _interactive(draw: st.DrawFn, kind: str, user: str) -> Any:
    payload: dict[str, Any] = {"team": {"id": TEAM}, "user": _maybe(draw, {"id": user, "team_id": TEAM})}
    if kind == "button":
        action = {"action_id": _maybe(draw, "kept:do:0"), "value": _maybe(draw, draw(command_text()))}
        payload |= {"type": "block_actions", "trigger_id": "t", "actions": _maybe(draw, [action])}
        payload |= {"container": _maybe(draw, {"type": "message"}), "response_url": "http://127.0.0.1:9/r"}
    elif kind == "view":
        form_id, context, values = draw(form_submission())
        state = {key: {key: {"type": "plain_text_input", "value": _maybe(draw, v)}} for key, v in values.items()}
        view = {"type": "modal", "callback_id": f"kept:{form_id}", "private_metadata": context}
        view["state"] = {"values": state}
        payload |= {"type": "view_submission", "view": _maybe(draw, view)}
    else:
        message = {"text": _maybe(draw, draw(any_text))}
        payload |= {"type": "message_action", "callback_id": "make_commitment", "message": message, "trigger_id": "t"}
    return _maybe(draw, payload)


def _json(value: Any) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


@st.composite
def teams_activity(draw: st.DrawFn) -> dict[str, Any]:
    """A Teams activity: typed commands, card presses (buttons and forms) and odd field types, for Hopper.
    Its serviceUrl is a placeholder: the test puts its Bot Connector stand-in's address there."""
    user = draw(st.sampled_from(["29:1GrAcE", "29:1AlAn", "29:1MaY"]))
    tenant = "5b7e4a2c-1f3d-4c8e-9a6b-2d0f8e7c1a90"
    activity: dict[str, Any] = {
        "type": _maybe(draw, "message"),
        "id": draw(st.text(min_size=1, max_size=20)),
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "channelId": "msteams",
        "from": _maybe(draw, {"id": user, "name": draw(any_text), "aadObjectId": user}),
        "conversation": {"conversationType": "personal", "tenantId": tenant, "id": f"a:1{user}"},
        "recipient": {"id": "28:kept", "name": "Kept"},
        "channelData": _maybe(draw, {"tenant": {"id": tenant}}),
        "localTimezone": _maybe(draw, "Europe/London"),
    }
    if draw(st.booleans()):
        activity["text"] = _maybe(draw, draw(command_text()))
    else:
        form_id, context, values = draw(form_submission())
        command = draw(command_text())
        press = {"kept": "command", "command": command}
        if draw(st.booleans()):
            press = {"kept": "form", "form": form_id, "context": context, **values}
        activity["value"] = _maybe(draw, press)
    return activity
