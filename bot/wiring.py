"""The composition root: every part of a running Kept, built once from Settings and handed down as plain values.

`bot/cli.py` reads Settings and calls `assemble`; the web app, the platform route modules, Socket Mode and the
scheduler only receive what was built here. Nothing registers itself by being imported, and a platform that
is not configured is not imported at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import time, timedelta
from functools import partial
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.links import Links, fallback_secret
from bot.metrics import MeasuredKept, Metrics
from bot.pages import PageError, Pages, pages
from handlers.calendar import WorkingHours
from handlers.clock import Clock
from handlers.dispatch import Kept
from handlers.policy import ReminderPolicy, parse_offsets
from scheduler.calendars import fetch_url
from scheduler.delivery import DeliveryLoop
from scheduler.notifier import Notifier
from storage import outbox
from storage.db import Database

if TYPE_CHECKING:
    from botbuilder.integration.aiohttp import CloudAdapter
    from slack_bolt.async_app import AsyncApp

    from bot.slack.bridge import Bridge
    from bot.slack.identity import BotIdentity
    from bot.teams.activities import KeptTeamsBot
    from bot.teams.service_urls import ServiceUrls
    from bot.teams.tokens import TokenChecker

log = logging.getLogger("kept")
links_log = logging.getLogger("kept.links")
teams_log = logging.getLogger("kept.teams")


class StartupError(RuntimeError):
    """A setting that stops Kept from starting safely; its text says what to change."""


@dataclass
class SlackParts:
    """Slack over HTTP or Socket Mode: the Bolt app and what its listeners share."""

    bolt: AsyncApp
    bridge: Bridge
    identity: BotIdentity
    socket_token: str = ""
    signing_secret: str = ""


@dataclass
class TeamsParts:
    """Teams over /api/messages: Bot Framework's adapter and Kept's bot."""

    adapter: CloudAdapter
    bot: KeptTeamsBot
    tokens: TokenChecker | None  # None: unauthenticated, for local development (KEPT_ALLOW_INSECURE_TEAMS=1)
    service_urls: ServiceUrls


@dataclass
class Parts:
    """A running Kept, whichever command runs it."""

    db: Database
    clock: Clock
    kept: Kept
    links: Links
    delivery: DeliveryLoop
    tick_seconds: float
    timezone: str
    pages: Pages
    notifiers: dict[str, Notifier] = field(default_factory=dict)
    metrics: Metrics | None = None  # the /metrics figures, unless KEPT_METRICS is off
    metrics_token: str = ""
    slack: SlackParts | None = None
    teams: TeamsParts | None = None


def reminder_policy(settings: Settings) -> ReminderPolicy:
    """The reminder offsets and working hours from settings, as plain values for the handlers."""
    opens, closes = (time.fromisoformat(part) for part in settings.work_hours.split("-"))
    [lead_after] = parse_offsets(settings.lead_after)
    [impact_after] = parse_offsets(settings.impact_after)
    return ReminderPolicy(
        before_due=parse_offsets(settings.nudge_offsets),
        overdue=parse_offsets(settings.overdue_offsets),
        tell_lead_after=lead_after,
        before_session=parse_offsets(settings.session_offsets),
        impact_after=impact_after,
        hours=WorkingHours(start=opens, end=closes),
    )


def links_for(settings: Settings) -> Links:
    """Signed download links under KEPT_PUBLIC_URL; without KEPT_LINK_SECRET, a key drawn from other settings."""
    secret = settings.link_secret.encode() or fallback_secret(
        settings.slack_signing_secret + settings.microsoft_app_password, settings.database_url
    )
    return Links(settings.base_url, secret)


def assemble(settings: Settings, clock: Clock, db: Database, *, web: bool = True, socket: bool = False) -> Parts:
    """Build Kept from settings. `web` builds the Slack and Teams front doors too (not for `kept worker`);
    `socket` runs Slack over Socket Mode. Raises StartupError for settings that can't be served safely."""
    policy = reminder_policy(settings)
    notifiers: dict[str, Notifier] = {}
    metrics = _metrics(settings, web=web)
    delivery = DeliveryLoop(
        db,
        notifiers,
        clock=clock,
        policy=policy,
        lease=timedelta(seconds=settings.lease_seconds),
        batch=settings.delivery_batch,
        concurrency=settings.delivery_concurrency,
        retry=outbox.Retry(max_attempts=settings.max_attempts),
        fetch=fetch_url,
        watch=metrics,
    )
    parts = Parts(
        db=db,
        clock=clock,
        kept=_core(settings, db, clock, policy, metrics),
        links=links_for(settings),
        delivery=delivery,
        tick_seconds=settings.tick_seconds,
        timezone=settings.timezone,
        pages=_pages(settings),
        notifiers=notifiers,
        metrics=metrics,
        metrics_token=settings.metrics_token,
    )
    if web and not settings.link_secret:
        links_log.warning(
            "KEPT_LINK_SECRET is not set: calendar links are signed with a key derived from other settings. "
            "Set KEPT_LINK_SECRET in production (the same on every replica)."
        )
    if settings.slack_configured or settings.slack_app_token:
        _add_slack(parts, settings, web=web, socket=socket)
    if _teams_allowed(settings):
        _add_teams(parts, settings, web=web)
    return parts


def _core(settings: Settings, db: Database, clock: Clock, policy: ReminderPolicy, metrics: Metrics | None) -> Kept:
    """Kept itself; counted for /metrics when there are figures to keep."""
    kept = Kept if metrics is None else partial(MeasuredKept, metrics)
    return kept(
        db, clock, settings.timezone, policy, review_days=settings.review_link_days, public_url=settings.base_url
    )


def _metrics(settings: Settings, *, web: bool) -> Metrics | None:
    """The figures, unless KEPT_METRICS is off; said aloud when /metrics would be open beyond this machine."""
    if not settings.metrics:
        return None
    if web and not settings.metrics_token and settings.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning(
            "/metrics is open to anyone who reaches %s: counts only, no names, but set KEPT_METRICS_TOKEN "
            "to keep them private (or KEPT_METRICS=off).",
            settings.host,
        )
    return Metrics(settings.prometheus_multiproc_dir)


def _pages(settings: Settings) -> Pages:
    try:
        return pages(settings.privacy_page, settings.terms_page)
    except PageError as exc:
        raise StartupError(f"KEPT_PRIVACY_PAGE or KEPT_TERMS_PAGE: {exc}") from exc


def _add_slack(parts: Parts, settings: Settings, *, web: bool, socket: bool) -> None:
    from bot.slack.app import SlackConfig, build_bolt, slack_notifier
    from bot.slack.bridge import Bridge

    config = SlackConfig(
        signing_secret=settings.slack_signing_secret,
        bot_token=settings.slack_bot_token,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        api_url=settings.slack_api_url,
    )
    parts.notifiers["slack"] = slack_notifier(config, parts.db, parts.clock)
    # `kept` alone runs serve without the subcommand's flags; an app-level token alone means Socket Mode
    socket = socket or not settings.slack_configured
    if socket and web and not settings.slack_app_token.startswith("xapp-"):
        raise StartupError("Socket Mode needs SLACK_APP_TOKEN, an app-level token starting xapp-.")
    if socket and web and not (settings.slack_bot_token or settings.slack_client_id):
        raise StartupError("Socket Mode needs SLACK_BOT_TOKEN too, the bot token starting xoxb-, to answer with.")
    if web and (settings.slack_configured or socket):
        bolt, identity = build_bolt(config, parts.db, parts.clock)
        bridge = Bridge(parts.kept, parts.db, parts.clock, parts.links)
        parts.slack = SlackParts(
            bolt, bridge, identity, settings.slack_app_token if socket else "", settings.slack_signing_secret
        )


def _add_teams(parts: Parts, settings: Settings, *, web: bool) -> None:
    from bot.teams.activities import KeptTeamsBot
    from bot.teams.adapter import BotFrameworkConfig, TeamsSettingsError, make_adapter
    from bot.teams.inbound import PLATFORM
    from bot.teams.notifier import TeamsNotifier
    from bot.teams.service_urls import ServiceUrls
    from bot.teams.tokens import OPENID_METADATA_URL, SigningKeys, TokenChecker

    config = BotFrameworkConfig(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=settings.microsoft_app_type or "MultiTenant",
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )
    try:
        adapter = make_adapter(config)
    except TeamsSettingsError as exc:
        raise StartupError(str(exc)) from exc
    service_urls = ServiceUrls.parse(settings.teams_service_urls)
    parts.notifiers[PLATFORM] = TeamsNotifier(adapter, parts.db, parts.clock, settings.microsoft_app_id, service_urls)
    if web:
        bot = KeptTeamsBot(parts.kept, parts.db, parts.clock, parts.links)
        keys = SigningKeys(settings.teams_openid_url or OPENID_METADATA_URL)
        tokens = TokenChecker(settings.microsoft_app_id, keys) if settings.microsoft_app_id else None
        parts.teams = TeamsParts(adapter, bot, tokens, service_urls)


def _teams_allowed(settings: Settings) -> bool:
    """Whether to serve Teams: with MicrosoftAppId set, authenticated. Without it /api/messages would let anyone
    act as any Teams user, so it is mounted only with KEPT_ALLOW_INSECURE_TEAMS=1, for local development, and
    said loudly; otherwise Teams is simply off (a Slack-only deployment never exposes it)."""
    if settings.microsoft_app_id:
        return True
    if settings.allow_insecure_teams:
        teams_log.warning(
            "Teams: KEPT_ALLOW_INSECURE_TEAMS=1 and MicrosoftAppId is not set, so /api/messages is "
            "UNAUTHENTICATED: anyone who reaches %s can act as any Teams user. For local development only.",
            settings.host,
        )
        return True
    teams_log.info("Teams is off: set MicrosoftAppId (or KEPT_ALLOW_INSECURE_TEAMS=1 for local development)")
    return False
