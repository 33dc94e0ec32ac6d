"""Every Slack entry point in one table. Each listener translates, runs Kept in a thread, renders, acks.

Write, then acknowledge: the app runs with `process_before_response=True`, so a listener's ack is the HTTP
response and goes only after Kept's transaction has committed. Nothing here decides anything: a button's value
is the command it stands for, run as the presser and checked by the handlers like typed text.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import home, inbound
from bot.slack.blocks import ACTION_PREFIX, FORM_PREFIX, LINK_PREFIX, to_modal, to_reply, to_result_modal
from bot.slack.bridge import ANSWERED, REQUEST_ID, SLACK_TROUBLE, Bridge
from bot.slack.notifier import failure
from handlers.errors import FormErrors, reply_for
from handlers.messages import Form, Message

log = logging.getLogger("kept.slack")

SHORTCUT_ID = "make_commitment"
MAX_RETRY_WAIT = 1.0  # seconds: a trigger_id lasts 3, and the command has already used some of them
NO_FORM = Message(title="Sorry, I couldn't open the form just now. Please try again in a moment.", ok=False)
UNKNOWN_BUTTON = Message(
    title="Sorry, I don't recognise that button. It may be from an older message: try `/partner help`.", ok=False
)


def _bridge(context: dict[str, Any]) -> Bridge:
    bridge: Bridge = context["kept_bridge"]
    return bridge


async def _open(client: AsyncWebClient, trigger_id: str, view: dict[str, Any]) -> bool:
    """Open a modal; a 429 is tried once more if Slack's Retry-After still fits the trigger's 3 seconds."""
    for attempt in (1, 2):
        try:
            await client.views_open(trigger_id=trigger_id, view=view)
            return True
        except SlackApiError as exc:
            wait = failure(exc).retry_after
            log.info("views.open failed: %s", exc.response.get("error") if exc.response is not None else "")
            if attempt == 2 or wait is None or wait > MAX_RETRY_WAIT:
                return False
            await asyncio.sleep(wait)
        except (TimeoutError, OSError) as exc:
            log.info("views.open failed: %s", type(exc).__name__)
            return False
    return False


async def on_partner(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]) -> None:
    """`/partner ...`: the reply is the ack; a form (offer, request or promise with no text) opens as a modal."""
    bridge = _bridge(context)
    caller = await bridge.caller(client, body)
    trigger = str(body.get("trigger_id", ""))
    # Slack never re-sends a slash command; the request's signature makes a replay of it change nothing.
    reply = await bridge.handle(caller, inbound.command_from_slash(body), context.get(REQUEST_ID, ""))
    context[ANSWERED] = reply.ok
    if reply.form is not None and await _open(client, trigger, to_modal(reply.form)):
        await ack()
        return
    await ack(**to_reply(NO_FORM if reply.form is not None else reply))
    home.refresh(bridge, client, caller)


async def on_form(
    ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    """A modal submitted: fields to correct are shown on the fields; otherwise the modal shows the reply."""
    bridge = _bridge(context)
    caller = await bridge.caller(client, body)
    form_id, form_context = inbound.form_of(view)
    try:
        values = inbound.values_from_view(view)
        reply = await bridge.submit(caller, form_id, form_context, values, context.get(REQUEST_ID, ""))
    except FormErrors as exc:
        await ack(response_action="errors", errors=_on_fields(exc.errors, view))
        return
    context[ANSWERED] = reply.ok
    await ack(response_action="update", view=to_result_modal(reply))
    home.refresh(bridge, client, caller)


def _on_fields(errors: dict[str, str], view: dict[str, Any]) -> dict[str, str]:
    """Errors keyed by the modal's own blocks (Slack refuses any other key): strays go on the first field."""
    blocks = [str(b.get("block_id")) for b in view.get("blocks", []) if b.get("type") == "input"]
    placed: dict[str, str] = {}
    for key, reason in errors.items():
        block = key if key in blocks else (blocks[0] if blocks else key)
        placed[block] = " ".join(filter(None, (placed.get(block), reason)))[:2000]
    return placed


async def on_button(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond | None, context: dict[str, Any]
) -> None:
    """A Kept button: its command runs as the presser; the message it sat on is replaced by the outcome,
    so a stale button can't be pressed twice to effect. A command that needs more opens its form."""
    bridge = _bridge(context)
    caller = await bridge.caller(client, body)
    trigger = str(body.get("trigger_id", ""))
    # A double press arrives as two payloads: the handlers' conditional state changes make the second a no-op.
    reply = await bridge.handle(caller, inbound.command_from_action(body), context.get(REQUEST_ID, ""))
    context[ANSWERED] = reply.ok
    await ack()
    if reply.form is None and inbound.is_home(body):  # no message to update: the Home tab shows the new state
        await home.publish(bridge, client, caller)
        if not reply.ok:
            await _open(client, trigger, to_result_modal(reply))
        return
    if reply.form is not None:
        await _open(client, trigger, to_modal(reply.form))
    else:
        await _respond(respond, reply, replace=reply.ok)
    home.refresh(bridge, client, caller)


async def _respond(respond: AsyncRespond | None, reply: Message, *, replace: bool) -> None:
    if respond is None:
        return
    body = to_reply(reply)
    if replace:  # the message keeps its own audience (a DM nudge stays a DM); only its content changes
        del body["response_type"]
    try:
        await respond(**body, replace_original=replace)
    except SLACK_TROUBLE as exc:  # the change is committed; only the message in Slack stays as it was
        log.info("response_url post failed: %s", type(exc).__name__)


async def on_link(ack: AsyncAck) -> None:
    """A link button (Add to calendar): Slack has opened its url already; the press only needs its ack."""
    await ack()


async def on_unknown_button(ack: AsyncAck, respond: AsyncRespond | None) -> None:
    """Any other block action: refused politely, nothing run."""
    await ack()
    await _respond(respond, UNKNOWN_BUTTON, replace=False)


async def on_make_commitment(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    """Message shortcut: the promise form, its first answer prefilled with the message's text."""
    await ack()
    bridge = _bridge(context)
    caller = await bridge.caller(client, body)
    reply = await bridge.handle(caller, "promise")
    view = to_modal(_prefilled(reply.form, inbound.shortcut_text(body))) if reply.form else to_result_modal(reply)
    await _open(client, str(body.get("trigger_id", "")), view)


def _prefilled(form: Form, text: str) -> Form:
    """The form with `text` as the initial value of its first free-text input."""
    inputs = list(form.inputs)
    for i, field in enumerate(inputs):
        if field.kind in ("text", "multiline"):
            inputs[i] = dataclasses.replace(field, initial=text[: field.max_length])
            break
    return dataclasses.replace(form, inputs=tuple(inputs))


async def on_home_opened(
    event: dict[str, Any], body: dict[str, Any], client: AsyncWebClient, context: dict[str, Any]
) -> None:
    """The Home tab opened: publish it, and keep it fresh after this person's later changes."""
    if event.get("tab") != "home":
        return
    bridge = _bridge(context)
    caller = await bridge.caller(client, body)
    bridge.home_viewers.add((caller.tenant_id, caller.user_id))
    await home.publish(bridge, client, caller)


Listener = Callable[..., Awaitable[None]]
LISTENERS: tuple[tuple[str, str | re.Pattern[str], Listener], ...] = (
    ("command", "/partner", on_partner),
    ("view_submission", re.compile(f"^{re.escape(FORM_PREFIX)}"), on_form),
    ("action", re.compile(f"^{re.escape(ACTION_PREFIX)}"), on_button),
    ("action", re.compile(f"^{re.escape(LINK_PREFIX)}"), on_link),
    ("action", re.compile(".*"), on_unknown_button),  # after Kept's own: Bolt runs the first match
    ("shortcut", SHORTCUT_ID, on_make_commitment),
    ("event", "app_home_opened", on_home_opened),
)


def register(app: AsyncApp, bridge: Bridge) -> None:
    """Attach the bridge, the event dedupe and the error path, then every listener in LISTENERS."""

    async def attach(context: dict[str, Any], body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> Any:
        context["kept_bridge"] = bridge
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and event_id and not await bridge.first_delivery(str(event_id)):
            return BoltResponse(status=200, body="")  # Slack re-sent an event already handled (X-Slack-Retry-Num)
        return await next()

    app.use(attach)
    app.error(_on_error)
    for kind, matcher, listener in LISTENERS:
        getattr(app, kind)(matcher)(listener)


async def _on_error(error: Exception, body: dict[str, Any], context: dict[str, Any]) -> BoltResponse:
    """A bug in a listener: logged with a reference (reply_for), and the person gets the apology quoting it,
    not Slack's own "failed" notice; it says the change was saved when Kept had already answered."""
    reply = reply_for(error, saved=bool(context.get(ANSWERED)))
    if body.get("type") == "view_submission":
        answer: dict[str, Any] = {"response_action": "update", "view": to_result_modal(reply)}
    else:
        answer = to_reply(reply)
    return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})
