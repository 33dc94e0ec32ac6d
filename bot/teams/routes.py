"""POST /api/messages: Bot Framework's CloudAdapter behind a guard that turns bad requests into 4xx, never 500.

CloudAdapter 4.17.1 answers 500 to invalid JSON and to a malformed bearer token; this route reads and checks
the request itself, then hands a well-formed activity to the adapter.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import jwt
import requests
from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult

from bot.teams.activities import KeptTeamsBot, card_activity, close_connector
from bot.teams.cards import to_card
from handlers.errors import new_reference
from handlers.messages import Message

log = logging.getLogger("kept.teams")

ROUTE = "/api/messages"
MAX_BODY = 256 * 1024  # Teams' own activities are far smaller (a card is at most about 28 KB)
ADAPTER = web.AppKey("teams_adapter", CloudAdapter)


def mount(app: web.Application, adapter: CloudAdapter, bot: KeptTeamsBot, *, requires_auth: bool) -> None:
    """Add POST /api/messages to Kept's web app (the composition root built the adapter and the bot)."""
    adapter.on_turn_error = _on_turn_error
    app[ADAPTER] = adapter

    async def messages(request: web.Request) -> web.Response:
        return await _handle(request, adapter, bot, requires_auth)

    app.router.add_post(ROUTE, messages)


async def _handle(request: web.Request, adapter: CloudAdapter, bot: KeptTeamsBot, requires_auth: bool) -> web.Response:
    # With no app id the header is ignored: botbuilder would otherwise try to validate any token it is sent.
    auth_header = request.headers.get("Authorization", "") if requires_auth else ""
    if requires_auth and not _bearer_shaped(auth_header):
        return _refuse(401, "missing or malformed Authorization header")
    body = await _read_activity(request)
    if isinstance(body, web.Response):
        return body
    activity = _activity(body)
    if activity is None:
        return _refuse(400, "not a Bot Framework activity")
    authenticated = await _authenticate(adapter, activity, auth_header)
    if isinstance(authenticated, web.Response):
        return authenticated
    try:
        invoke = await adapter.process_activity(authenticated, activity, bot.on_turn)
    except Exception:  # noqa: BLE001  (logged with a ref; the caller gets no traceback)
        ref = new_reference()
        log.exception("Teams activity failed (ref %s)", ref)
        return _refuse(500, f"internal error (ref {ref})")
    if invoke is not None:
        return web.json_response(serializer_helper(invoke.body), status=invoke.status)
    return web.Response(status=201)


async def _authenticate(
    adapter: CloudAdapter, activity: Activity, auth_header: str
) -> AuthenticateRequestResult | web.Response:
    """Bot Framework's own token check, with every way it can fail answered as a refusal, not a 500.

    botbuilder raises PermissionError for most bad tokens, but jwt errors for a forged signature and an
    IndexError for an unknown key id; a failure to fetch Microsoft's signing keys is ours, so 503.
    """
    try:
        result: AuthenticateRequestResult = await adapter.bot_framework_authentication.authenticate_request(
            activity, auth_header
        )
        return result
    except requests.RequestException:
        log.warning("could not fetch the Bot Framework signing keys", exc_info=True)
        return _refuse(503, "cannot check the token just now")
    except Exception:  # noqa: BLE001  (any token botbuilder cannot validate is refused)
        log.info("Teams request refused: token not valid for this bot", exc_info=True)
        return _refuse(401, "not authorised")


async def _read_activity(request: web.Request) -> dict[str, Any] | web.Response:
    if request.content_type != "application/json":
        return _refuse(415, "expected application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _refuse(413, "request too large")
    raw = await request.content.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        return _refuse(413, "request too large")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "malformed JSON")
    if not isinstance(body, dict):
        return _refuse(400, "not a Bot Framework activity")
    return body


def _activity(body: dict[str, Any]) -> Activity | None:
    """A deserialised activity with what every turn needs (type, serviceUrl, conversation), or None."""
    try:
        activity = Activity().deserialize(body)
    except (ValueError, TypeError, AttributeError):  # msrest DeserializationError is a ValueError
        return None
    if not isinstance(activity.type, str) or not activity.type:
        return None
    if not isinstance(activity.service_url, str) or not activity.service_url.startswith(("https://", "http://")):
        return None
    if activity.conversation is None or not isinstance(activity.conversation.id, str):
        return None
    return activity


def _bearer_shaped(header: str) -> bool:
    """`Bearer <a JWT>`: three base64url parts whose header decodes. Anything else never reaches the adapter."""
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer" or token.count(".") != 2:
        return False
    try:
        jwt.get_unverified_header(token)
        jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return True


def _refuse(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def _on_turn_error(turn_context: Any, error: Exception) -> None:
    """A fault in the Teams layer (rendering, or the connector refusing the reply): logged with a reference.

    Kept's handlers have already committed by then, so the apology doesn't say nothing changed.
    """
    ref = new_reference()
    log.error("Teams turn failed (ref %s)", ref, exc_info=error)
    apology = Message(
        title=f"Sorry, something went wrong on our side (ref {ref}).",
        text="What you asked may already be done: say `mine` or `board` to check before trying again.",
        ok=False,
    )
    try:
        await turn_context.send_activity(card_activity(to_card(apology), apology.title))
    except Exception:  # noqa: BLE001  (the connector itself may be what failed; the log has the ref)
        log.warning("could not send the apology to Teams (ref %s)", ref, exc_info=True)
    finally:
        await close_connector(turn_context)
