"""What Kept reads from Slack's payloads: who is asking, the command they mean, a form's values. Pure.

Every value here came over the internet: it is only ever passed on as text to be parsed and checked by the
handlers, never trusted as a ref, a school or a permission.
"""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import ACTION_PREFIX, FORM_PREFIX
from handlers.context import Caller

PLATFORM = "slack"
Body = dict[str, Any]


def team_of(body: Body) -> str:
    """The workspace a payload comes from (slash commands and events say `team_id`, the rest `team.id`)."""
    team = body.get("team") or {}
    user = body.get("user") or {}
    return str(
        body.get("team_id")
        or (team.get("id") if isinstance(team, dict) else "")
        or (user.get("team_id") if isinstance(user, dict) else "")
        or body.get("enterprise_id")
        or ""
    )


def user_of(body: Body) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    event = body.get("event") or {}
    return str(body.get("user_id") or event.get("user") or "")


def channel_of(body: Body) -> str:
    channel = body.get("channel")
    if isinstance(channel, dict):
        return str(channel.get("id", ""))
    return str(body.get("channel_id") or "")


def caller_from_body(body: Body, display_name: str = "", timezone: str | None = None) -> Caller:
    """The person behind a payload, with the name and time zone from their Slack profile where known.

    Never the payload's `user_name`: that is a legacy handle (often the user id in lower case), not a name.
    """
    return Caller(
        platform=PLATFORM,
        tenant_id=team_of(body),
        user_id=user_of(body),
        display_name=display_name,
        timezone=timezone,
        channel_id=channel_of(body),
    )


def command_from_slash(body: Body) -> str:
    """`/partner offer maths tutoring` -> `offer maths tutoring`."""
    return str(body.get("text") or "").strip()


def command_from_action(body: Body) -> str:
    """A Kept button carries the command it stands for as its value; anything else gives ''."""
    actions = body.get("actions") or [{}]
    action = actions[0] if isinstance(actions[0], dict) else {}
    if not str(action.get("action_id", "")).startswith(ACTION_PREFIX):
        return ""
    chosen = action.get("selected_option")  # an overflow menu sends the option chosen, not a value
    if isinstance(chosen, dict):
        return str(chosen.get("value") or "").strip()
    return str(action.get("value") or "").strip()


def form_of(view: Body) -> tuple[str, str]:
    """A submitted modal's form id (from its callback id) and context (its private metadata)."""
    callback = str(view.get("callback_id") or "")
    form_id = callback.removeprefix(FORM_PREFIX) if callback.startswith(FORM_PREFIX) else ""
    return form_id, str(view.get("private_metadata") or "")


def values_from_view(view: Body) -> dict[str, str]:
    """A modal's answers by input id: text as typed, dates as YYYY-MM-DD, selects as the chosen value."""
    values: dict[str, str] = {}
    for block_id, elements in ((view.get("state") or {}).get("values") or {}).items():
        for element in (elements or {}).values():
            values[str(block_id)] = _value(element or {})
    return values


def _value(element: Body) -> str:
    kind = element.get("type")
    if kind == "datepicker":
        return str(element.get("selected_date") or "")
    if kind in ("static_select", "external_select", "radio_buttons"):
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")


def is_home(body: Body) -> bool:
    """True when a button was pressed on the Home tab (there is no message to update, only the view)."""
    container = body.get("container") or {}
    view = body.get("view") or {}
    return container.get("type") == "view" and view.get("type") == "home"


def shortcut_text(body: Body) -> str:
    """The text of the message a message shortcut was used on."""
    return str((body.get("message") or {}).get("text") or "")
