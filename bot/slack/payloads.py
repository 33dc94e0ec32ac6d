"""Whether a signed body is a well-formed Slack payload, before Bolt parses it.

Bolt answers 500, and logs a traceback, for a signed body it can't parse (`payload={not json`, a JSON body `[]`,
invalid UTF-8) or whose parts aren't the types Slack sends (`actions: []`, a view's values that are not
objects). Slack's own payloads always have these shapes, so anything else is refused here with a 400. Pure; it
reads only the fields Kept's listeners read, in about 20 microseconds for a typical payload.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

Check = dict[str, type | tuple[type, ...]]

INTERACTIVE = {"block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"}
EVENTS = {"url_verification", "event_callback", "app_rate_limited"}
SUBSCRIBED = {"app_home_opened", "app_uninstalled", "tokens_revoked"}  # the manifest's bot events
VIEWS = {"modal", "home"}
# Far more arrays and objects than anything Kept's messages and forms come back with (a few hundred). Counted
# before parsing: 600 KB of `[` cost Python's form parsing 185 ms on the event loop.
MAX_NESTING_MARKS = 10_000


class Malformed(ValueError):
    """The body is signed but is not something Slack sends; the text says what is wrong (logged, not shown)."""


def problem(raw: bytes, content_type: str) -> str:
    """Why `raw` is not a well-formed Slack payload ('' when it is)."""
    try:
        _check(raw, content_type)
    except Malformed as exc:
        return str(exc)
    return ""


def _check(raw: bytes, content_type: str) -> None:
    marks = raw.count(b"%5B") + raw.count(b"%7B") + raw.count(b"[") + raw.count(b"{")
    if marks > MAX_NESTING_MARKS:
        raise Malformed(f"{marks} brackets: more than any Slack payload for Kept")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("body is not UTF-8") from None
    if content_type == "application/json":
        _event(_json(text))
        return
    if content_type != "application/x-www-form-urlencoded":
        raise Malformed(f"unexpected content type {content_type!r}")
    form = _form(text)
    if "payload" in form:
        _interactive(_json(form["payload"]))
    elif "command" in form:
        _slash(form)
    elif form.get("ssl_check") != "1":
        raise Malformed("form body is neither a command nor an interactive payload")


def _form(text: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise Malformed("form body is not URL-encoded UTF-8") from None
    return dict(pairs)


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Malformed("not JSON") from None
    if not isinstance(value, dict):
        raise Malformed("JSON is not an object")
    if ("\\ud" in text or "\\uD" in text) and not _encodable(value):
        raise Malformed("JSON escapes a lone surrogate")  # Slack's JSON is always valid Unicode
    return value


def _encodable(value: dict[str, Any]) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _slash(form: dict[str, str]) -> None:
    if not form["command"].startswith("/") or not form.get("user_id") or not form.get("team_id"):
        raise Malformed("slash command without a command, user or team")


def _event(body: dict[str, Any]) -> None:
    _fields(body, {"type": str})
    if body["type"] not in EVENTS:
        raise Malformed(f"unknown event body type {body['type']!r}")
    if body["type"] == "event_callback":
        _fields(body, {"event": dict, "team_id": str, "event_id": str})
        if not (body["event_id"].isascii() and body["event_id"].isprintable() and len(body["event_id"]) <= 100):
            raise Malformed("event_id is not one of Slack's")
        _fields(body["event"], {"type": str}, optional={"user": (str, dict), "tab": str, "view": dict})
        if body["event"]["type"] not in SUBSCRIBED:
            raise Malformed(f"an event Kept does not subscribe to: {body['event']['type']!r}")


def _interactive(payload: dict[str, Any]) -> None:
    _fields(payload, {"type": str, "user": dict}, optional={"team": (dict, type(None)), "trigger_id": str})
    if payload["type"] not in INTERACTIVE:
        raise Malformed(f"unknown interactive payload type {payload['type']!r}")
    _fields(payload["user"], {"id": str}, optional={"team_id": str})
    _fields(payload, {}, optional={"container": dict, "channel": dict, "view": dict, "message": dict})
    if payload["type"] == "block_actions":
        _actions(payload)
    if payload["type"] in ("view_submission", "view_closed"):
        _view(payload)
    if payload["type"] in ("shortcut", "message_action"):
        _fields(payload, {"callback_id": str}, optional={"response_url": str})
        _fields(payload.get("message") or {}, {}, optional={"text": str})


def _actions(payload: dict[str, Any]) -> None:
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
        raise Malformed("block_actions without a list of actions")
    for action in actions:
        _fields(action, {"action_id": str}, optional={"value": str, "block_id": str, "type": str})
    _fields(payload, {}, optional={"response_url": str})
    _fields(payload.get("container") or {}, {}, optional={"type": str})
    _fields(payload.get("view") or {}, {}, optional={"type": str, "id": str})


def _view(payload: dict[str, Any]) -> None:
    _fields(payload, {"view": dict})
    view = payload["view"]
    _fields(view, {"type": str}, optional={"callback_id": str, "private_metadata": str, "blocks": list, "state": dict})
    if view["type"] not in VIEWS:
        raise Malformed(f"not one of Kept's views: {view['type']!r}")
    if not all(isinstance(block, dict) for block in view.get("blocks", [])):
        raise Malformed("view blocks are not objects")
    values = (view.get("state") or {}).get("values", {})
    if not isinstance(values, dict) or not all(
        isinstance(elements, dict) and all(isinstance(e, dict) for e in elements.values())
        for elements in values.values()
    ):
        raise Malformed("view state values are not objects of objects")
    for elements in values.values():
        for element in elements.values():
            _fields(
                element,
                {},
                optional={"type": str, "value": (str, type(None)), "selected_date": (str, type(None))},
            )
            _fields(element.get("selected_option") or {}, {}, optional={"value": str})


def _fields(node: Any, required: Check, optional: Check | None = None) -> None:
    """`node` is an object with each required field of its type, and each optional one, if there, of its type."""
    if not isinstance(node, dict):
        raise Malformed("expected an object")
    for name, kind in required.items():
        if not isinstance(node.get(name), kind):
            raise Malformed(f"{name!r} missing or not {_name(kind)}")
    for name, kind in (optional or {}).items():
        if name in node and not isinstance(node[name], kind):
            raise Malformed(f"{name!r} is not {_name(kind)}")


def _name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)
