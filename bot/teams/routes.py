"""POST /api/messages: Bot Framework's CloudAdapter behind a guard that turns bad requests into 4xx, never 500.

CloudAdapter 4.17.1 answers 500 to invalid JSON and to a malformed bearer token; this route reads and checks
the request itself, then hands a well-formed activity to the adapter. Tokens are checked by bot/teams/tokens.py
(never by botbuilder's JwtTokenExtractor, which fetches keys with blocking `requests` on the event loop), and
the activity's serviceUrl must be on the allow-list (bot/teams/service_urls.py) before anything is sent there.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from aiohttp import web
from botbuilder.core import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import AuthenticateRequestResult, ClaimsIdentity

from bot.teams.activities import ANSWERED, card_activity, close_connector
from bot.teams.cards import to_card
from bot.teams.tokens import KeysUnavailable, Refused, shape_refusal
from bot.wiring import TeamsParts
from handlers.errors import new_reference, reply_for

log = logging.getLogger("kept.teams")

ROUTE = "/api/messages"
MAX_BODY = 256 * 1024  # Teams' own activities are far smaller (a card is at most about 28 KB)
MAX_ID = 1024  # for ids and URLs Kept sends back to the Bot Connector in a request's path
_ID = re.compile(r"(?=[^\n]*[A-Za-z0-9])[A-Za-z0-9:;@=._\-+,]{1,1024}|")  # up to MAX_ID, as Teams' own
_SURROGATE = re.compile("[\ud800-\udfff]")
ADAPTER = web.AppKey("teams_adapter", CloudAdapter)


def mount(app: web.Application, teams: TeamsParts) -> None:
    """Add POST /api/messages to Kept's web app (the composition root built the adapter, the bot and the checks)."""
    teams.adapter.on_turn_error = _on_turn_error
    app[ADAPTER] = teams.adapter

    async def messages(request: web.Request) -> web.Response:
        return await _handle(request, teams)

    app.router.add_post(ROUTE, messages)


async def _handle(request: web.Request, teams: TeamsParts) -> web.Response:
    # Without a token checker (local development) the header is ignored: there is nothing to check it against.
    auth_header = request.headers.get("Authorization", "") if teams.tokens else ""
    if teams.tokens is not None and not _bearer_shaped(auth_header):
        return _refuse(401, "missing or malformed Authorization header")
    body = await _read_activity(request)
    if isinstance(body, web.Response):
        return body
    activity = _activity(body)
    if activity is None:
        return _refuse(400, "not a Bot Framework activity")
    if not teams.service_urls.allows(activity.service_url):
        log.info("Teams request refused: serviceUrl is not in KEPT_TEAMS_SERVICE_URLS")
        return _refuse(403, "serviceUrl not allowed")
    authenticated = await _authenticate(teams, activity, auth_header)
    if isinstance(authenticated, web.Response):
        return authenticated
    try:
        invoke = await teams.adapter.process_activity(authenticated, activity, teams.bot.on_turn)
    except Exception:  # noqa: BLE001  (logged with a ref; the caller gets no traceback)
        ref = new_reference()
        log.exception("Teams activity failed (ref %s)", ref)
        return _refuse(500, f"internal error (ref {ref})")
    if invoke is not None:
        return web.json_response(serializer_helper(invoke.body), status=invoke.status)
    return web.Response(status=201)


async def _authenticate(
    teams: TeamsParts, activity: Activity, auth_header: str
) -> AuthenticateRequestResult | web.Response:
    """Kept's own token check (bot/teams/tokens.py: keys fetched off the event loop, bounded), then the result
    botbuilder's adapter needs to reply. Without a checker, botbuilder's anonymous result (it fetches nothing)."""
    auth = teams.adapter.bot_framework_authentication
    if teams.tokens is None:
        result: AuthenticateRequestResult = await auth.authenticate_request(activity, "")
        return result
    try:
        claims = await teams.tokens.claims(auth_header, activity.service_url, str(activity.channel_id or ""))
    except KeysUnavailable:
        return _refuse(503, "cannot check the token just now")
    except Refused as exc:
        log.info("Teams request refused: %s", exc)
        return _refuse(401, "not authorised")
    identity = ClaimsIdentity(claims, True)
    result = AuthenticateRequestResult()
    result.claims_identity = identity
    result.audience = auth.get_originating_audience()
    result.caller_id = CallerIdConstants.public_azure_channel
    result.connector_factory = auth.create_connector_factory(identity)
    return result


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
    except (ValueError, UnicodeDecodeError, RecursionError):
        return _refuse(400, "malformed JSON")
    if not isinstance(body, dict):
        return _refuse(400, "not a Bot Framework activity")
    if b"\\ud" in raw or b"\\uD" in raw:  # JSON may escape a lone surrogate; no column or request can carry one
        body = _without_surrogates(body)
    return body


def _without_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("", value)
    if isinstance(value, list):
        return [_without_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_without_surrogates(k): _without_surrogates(v) for k, v in value.items()}
    return value


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
    ids = (activity.id or "", activity.conversation.id, activity.reply_to_id or "")
    if not all(isinstance(i, str) and _ID.fullmatch(i) for i in ids) or len(activity.service_url) > MAX_ID:
        return None  # Kept sends these ids back in the Bot Connector's URL paths; Teams' own are plain ASCII
    return activity


def _bearer_shaped(header: str) -> bool:
    """`Bearer <a JWT>` whose header names an allowed algorithm and a key id; anything else is refused at once."""
    return not shape_refusal(header)


def _refuse(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def _on_turn_error(turn_context: Any, error: Exception) -> None:
    """A fault in a Teams turn, logged with a reference (reply_for). The apology says truthfully whether the
    change was saved: Kept's handlers had answered (and committed) when the fault came from rendering or the
    connector; before that, nothing was changed (and while the database is out of reach, the refusal says so)."""
    apology = reply_for(error, saved=bool(turn_context.turn_state.get(ANSWERED)))
    try:
        await turn_context.send_activity(card_activity(to_card(apology), apology.title))
    except Exception:  # noqa: BLE001  (the connector itself may be what failed; the log has the error)
        log.warning("could not send the apology to Teams", exc_info=True)
    finally:
        await close_connector(turn_context)
