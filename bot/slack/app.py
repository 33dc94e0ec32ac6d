"""The Bolt app and the Slack notifier, built from plain Slack settings by the composition root (bot/wiring.py).

A single workspace uses SLACK_BOT_TOKEN; many workspaces use SLACK_CLIENT_ID/SECRET, with installations in
Kept's own tables. Web API calls go to SLACK_API_URL (tests point it at a local stand-in).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.identity import NOT_CONNECTED, BotIdentity
from bot.slack.installation_store import KeptInstallationStore, KeptOAuthStateStore
from bot.slack.logs import web_logger
from bot.slack.notifier import SlackNotifier
from bot.slack.scopes import bot_scopes
from handlers.clock import Clock
from storage.db import Database

log = logging.getLogger("kept.slack")

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
CALL_SECONDS = 3  # no Web API call made while answering may outlast Slack's 3-second wait


@dataclass(frozen=True)
class SlackConfig:
    """Slack's settings as plain values."""

    signing_secret: str = ""
    bot_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    api_url: str = "https://slack.com/api/"

    @property
    def oauth(self) -> bool:
        return bool(self.client_id)


def build_bolt(config: SlackConfig, db: Database, clock: Clock) -> tuple[AsyncApp, BotIdentity]:
    """The Bolt app, in `process_before_response` mode: a listener's ack is the HTTP response. Bolt's own signature
    check is off: `bot/slack/routes.py` checks every request's signature over its raw bytes before Bolt sees it
    (and Socket Mode has none), so a second HMAC per command would only cost time. Beside it, the bot's identity
    (bot/slack/identity.py), whose ids the server learns as it starts."""
    client = AsyncWebClient(base_url=config.api_url, timeout=CALL_SECONDS, logger=web_logger())
    store = KeptInstallationStore(db, clock) if config.oauth else None
    identity = BotIdentity(client, clock.now, token="" if store else config.bot_token, store=store)
    app = AsyncApp(
        name="kept",
        logger=log,
        signing_secret=config.signing_secret,
        client=client,
        process_before_response=True,
        request_verification_enabled=False,
        installation_store=store,
        installation_store_bot_only=True if store else None,
        authorize=identity,  # type: ignore[arg-type]  # an AsyncAuthorize is allowed
        oauth_settings=_oauth_settings(config, db, clock, store) if store else None,
        user_facing_authorize_error_message=NOT_CONNECTED,
    )
    if store:
        app.enable_token_revocation_listeners()
    return app, identity


def _oauth_settings(
    config: SlackConfig, db: Database, clock: Clock, store: KeptInstallationStore
) -> AsyncOAuthSettings:
    return AsyncOAuthSettings(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scopes=bot_scopes(),
        user_scopes=[],
        installation_store=store,
        installation_store_bot_only=True,
        state_store=KeptOAuthStateStore(db, clock),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
    )


def slack_notifier(config: SlackConfig, db: Database, clock: Clock) -> SlackNotifier:
    """The Slack notifier for the scheduler: the single workspace's token, or each workspace's installation."""
    store = KeptInstallationStore(db, clock)

    async def token_for(team_id: str) -> str | None:
        if not config.oauth:
            return config.bot_token or None
        bot = await store.async_find_bot(enterprise_id=None, team_id=team_id)
        return bot.bot_token if bot else None

    return SlackNotifier(token_for, config.api_url)
