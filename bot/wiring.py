"""The composition root: every part of a running Kept, built once from Settings and handed down as plain values.

`bot/cli.py` reads Settings and calls `assemble`; the web app, the platform route modules, Socket Mode and the
scheduler only receive what was built here. Nothing registers itself by being imported, and a platform that
is not configured is not imported at all.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.links import Links, fallback_secret
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
    from bot.teams.activities import KeptTeamsBot

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
    socket_token: str = ""


@dataclass
class TeamsParts:
    """Teams over /api/messages: Bot Framework's adapter and Kept's bot."""

    adapter: CloudAdapter
    bot: KeptTeamsBot
    requires_auth: bool


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
    )
    parts = Parts(
        db=db,
        clock=clock,
        kept=Kept(
            db, clock, settings.timezone, policy, review_days=settings.review_link_days, public_url=settings.base_url
        ),
        links=links_for(settings),
        delivery=delivery,
        tick_seconds=settings.tick_seconds,
        timezone=settings.timezone,
        pages=_pages(settings),
        notifiers=notifiers,
    )
    if web and not settings.link_secret:
        links_log.warning(
            "KEPT_LINK_SECRET is not set: calendar links are signed with a key derived from other settings. "
            "Set KEPT_LINK_SECRET in production (the same on every replica)."
        )
    if settings.slack_configured or settings.slack_app_token:
        _add_slack(parts, settings, web=web, socket=socket)
    if _teams_allowed(settings, web=web):
        _add_teams(parts, settings, web=web)
    return parts


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
    if web and (settings.slack_configured or socket):
        bolt = build_bolt(config, parts.db, parts.clock, socket_mode=socket)
        bridge = Bridge(parts.kept, parts.db, parts.clock, parts.links)
        parts.slack = SlackParts(bolt, bridge, settings.slack_app_token if socket else "")


def _add_teams(parts: Parts, settings: Settings, *, web: bool) -> None:
    from bot.teams.activities import KeptTeamsBot
    from bot.teams.adapter import BotFrameworkConfig, TeamsSettingsError, make_adapter
    from bot.teams.inbound import PLATFORM
    from bot.teams.notifier import TeamsNotifier

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
    parts.notifiers[PLATFORM] = TeamsNotifier(adapter, parts.db, parts.clock, settings.microsoft_app_id)
    if web:
        bot = KeptTeamsBot(parts.kept, parts.db, parts.clock, parts.links)
        parts.teams = TeamsParts(adapter, bot, requires_auth=bool(settings.microsoft_app_id))


def _teams_allowed(settings: Settings, *, web: bool = True) -> bool:
    """Whether to serve Teams. With MicrosoftAppId set: yes, authenticated. Without it the endpoint is
    unauthenticated, for local use: served with a warning on loopback (or anywhere with
    KEPT_ALLOW_INSECURE_TEAMS=1). On any other address it is left off when Slack is configured (Kept still
    serves Slack), and otherwise Kept refuses to start."""
    host = settings.host
    if settings.microsoft_app_id:
        return True
    if _is_loopback(host) or settings.allow_insecure_teams:
        if not web:  # nothing is served: the terminal and the worker only deliver
            return True
        teams_log.warning(
            "Teams: MicrosoftAppId is not set, so /api/messages is UNAUTHENTICATED (local use only; bound to %s)", host
        )
        return True
    if settings.slack_configured:
        teams_log.warning("Teams is off: MicrosoftAppId is not set and Kept is bound to %s, not loopback", host)
        return False
    raise StartupError(
        f"MicrosoftAppId is not set, so /api/messages would accept anyone's requests, but Kept is bound to "
        f"{host!r}, not loopback. Set MicrosoftAppId and MicrosoftAppPassword (with MicrosoftAppType and "
        f"MicrosoftAppTenantId for SingleTenant), bind to 127.0.0.1, or set KEPT_ALLOW_INSECURE_TEAMS=1 "
        f"if you really mean it."
    )


def _is_loopback(host: str) -> bool:
    if host in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
