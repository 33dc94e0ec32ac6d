"""Slack on Kept's aiohttp server: POST /slack/events, and the OAuth install routes when Kept has a client id.

Bolt runs inline (`process_before_response=True`): its ack is the HTTP response, sent once the command's write
has committed. The route checks the signing headers' shape first, because Bolt answers 500 to a non-numeric
timestamp; Bolt then checks the signature itself (401 when it is wrong).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.slack import listeners
from bot.slack.bridge import Bridge
from bot.slack.installation_store import KeptInstallationStore, KeptOAuthStateStore
from bot.slack.logs import web_logger
from bot.slack.notifier import SlackNotifier
from bot.slack.scopes import bot_scopes

log = logging.getLogger("kept.slack")

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
MAX_SKEW_SECONDS = 300  # Slack's own rule: refuse requests signed more than five minutes from now
CALL_SECONDS = 3  # no Web API call made while answering may outlast Slack's 3-second wait
BOLT = web.AppKey("slack_bolt", AsyncApp)
BRIDGE = web.AppKey("slack_bridge", Bridge)


def refusal(headers: Mapping[str, str], now: float) -> str:
    """Why a request's signing headers can't be right ('' when their shape is fine)."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return "missing or malformed X-Slack-Request-Timestamp"
    if abs(now - int(stamp)) > MAX_SKEW_SECONDS:
        return "stale X-Slack-Request-Timestamp"
    if not headers.get("X-Slack-Signature", "").startswith("v0="):
        return "missing X-Slack-Signature"
    return ""


def build_bolt(services: Services, *, socket_mode: bool = False) -> AsyncApp:
    """The Bolt app: a single workspace (SLACK_BOT_TOKEN) or many (SLACK_CLIENT_ID/SECRET, installs in Kept's
    database); its Web API calls go to SLACK_API_URL."""
    settings = services.settings
    oauth = bool(settings.slack_client_id)
    client = AsyncWebClient(
        token=None if oauth else settings.slack_bot_token or None,
        base_url=settings.slack_api_url,
        timeout=CALL_SECONDS,
        logger=web_logger(),
    )
    store = KeptInstallationStore(services.db, services.clock) if oauth else None
    app = AsyncApp(
        name="kept",
        logger=log,
        signing_secret=settings.slack_signing_secret,
        client=client,
        process_before_response=True,
        request_verification_enabled=not socket_mode,
        installation_store=store,
        installation_store_bot_only=True if oauth else None,
        authorize=_authorize(store, client) if store else None,  # type: ignore[arg-type]  # an AsyncAuthorize is allowed
        oauth_settings=_oauth_settings(services, store) if store else None,
    )
    if oauth:
        app.enable_token_revocation_listeners()
    return app


def _authorize(store: KeptInstallationStore, client: AsyncWebClient) -> AsyncInstallationStoreAuthorize:
    """Each workspace's bot token from Kept's table; Bolt's `auth.test` answer cached per token, so a
    command costs one indexed read, not a round trip to Slack before the ack."""
    return AsyncInstallationStoreAuthorize(
        logger=log, installation_store=store, bot_only=True, cache_enabled=True, client=client
    )


def _oauth_settings(services: Services, store: KeptInstallationStore) -> AsyncOAuthSettings:
    settings = services.settings
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=bot_scopes(),
        user_scopes=[],
        installation_store=store,
        installation_store_bot_only=True,
        state_store=KeptOAuthStateStore(services.db, services.clock),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


def notifier_for(services: Services) -> SlackNotifier:
    """The Slack notifier for the scheduler: the single workspace's token, or each workspace's installation."""
    settings = services.settings
    store = KeptInstallationStore(services.db, services.clock)

    async def token_for(team_id: str) -> str | None:
        if not settings.slack_client_id:
            return settings.slack_bot_token or None
        bot = await store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot else None

    return SlackNotifier(token_for, settings.slack_api_url)


def mount(app: web.Application, services: Services) -> None:
    """Add Slack's routes to Kept's web app, and the Slack notifier to the services if none is there yet."""
    bolt = build_bolt(services)
    bridge = Bridge(services)
    listeners.register(bolt, bridge)
    app[BOLT], app[BRIDGE] = bolt, bridge
    app.on_cleanup.append(lambda _: bridge.close())
    app.router.add_post(EVENTS_PATH, events)
    if bolt.oauth_flow is not None:
        app.router.add_get(INSTALL_PATH, install)
        app.router.add_get(REDIRECT_PATH, oauth_redirect)
    services.notifiers.setdefault("slack", notifier_for(services))


async def events(request: web.Request) -> web.Response:
    """Commands, interactivity and events, all signed by Slack."""
    reason = refusal(request.headers, time.time())
    if reason:
        return web.Response(status=401, text=reason)
    bolt = request.app[BOLT]
    response = await bolt.async_dispatch(await to_bolt_request(request))
    return await to_aiohttp_response(response)


async def install(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None  # the route exists only with a flow
    return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))


async def oauth_redirect(request: web.Request) -> web.Response:
    flow = request.app[BOLT].oauth_flow
    assert flow is not None
    return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))
