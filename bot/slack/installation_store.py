"""Bolt's installation and OAuth state stores over Kept's own tables, shared by every replica.

An installation row holds a workspace's bot token: it is stored, read and deleted here and never logged.
"""

from __future__ import annotations

import json
import logging
import secrets
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import delete
from sqlmodel import col, select

from handlers.clock import Clock
from storage.db import Database, rows_changed
from storage.models import SlackInstallation, SlackOAuthState

log = logging.getLogger("kept.slack")


def _storable(installation: Installation) -> dict[str, Any]:
    """The installation as JSON-safe data (times as epoch seconds, as slack_sdk reads them back)."""
    data = installation.to_dict_for_copying()
    return json.loads(json.dumps(data, default=lambda value: value.timestamp()))


class KeptInstallationStore(AsyncInstallationStore):
    """One row per workspace (or Enterprise Grid org): its latest installation."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await self.db.run(self._save, installation)

    def _save(self, installation: Installation) -> None:
        enterprise_id, team_id = self._key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        with self.db.transaction() as session:
            row = session.exec(
                select(SlackInstallation).where(
                    SlackInstallation.enterprise_id == enterprise_id, SlackInstallation.team_id == team_id
                )
            ).first()
            row = row or SlackInstallation(enterprise_id=enterprise_id, team_id=team_id, installed_at=self.clock.now())
            row.data = _storable(installation)
            row.installed_at = self.clock.now()
            session.add(row)
        log.info("Slack installation saved for team %s", team_id or enterprise_id)

    async def async_save_bot(self, bot: Bot) -> None:
        raise NotImplementedError("Kept saves whole installations")  # Bolt calls async_save; never this

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        data = await self.db.run(self._find, *self._key(enterprise_id, team_id, is_enterprise_install))
        if data is None or (user_id and data.get("user_id") != user_id):
            return None
        return Installation(**data)

    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
    ) -> Bot | None:
        data = await self.db.run(self._find, *self._key(enterprise_id, team_id, is_enterprise_install))
        if data is None or not data.get("bot_token"):
            return None
        return Installation(**data).to_bot()

    def _find(self, enterprise_id: str, team_id: str) -> dict[str, Any] | None:
        with self.db.transaction() as session:
            row = session.exec(
                select(SlackInstallation).where(
                    SlackInstallation.enterprise_id == enterprise_id, SlackInstallation.team_id == team_id
                )
            ).first()
            return dict(row.data) if row else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:  # Kept keeps bot installations only; a user's own token revocation changes nothing
            await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.db.run(self._delete, enterprise_id or "", team_id or "")

    def _delete(self, enterprise_id: str, team_id: str) -> None:
        with self.db.transaction() as session:
            session.execute(
                delete(SlackInstallation).where(
                    col(SlackInstallation.enterprise_id) == enterprise_id, col(SlackInstallation.team_id) == team_id
                )
            )
        log.info("Slack installation removed for team %s", team_id or enterprise_id)

    @staticmethod
    def _key(enterprise_id: str | None, team_id: str | None, org_wide: bool | None) -> tuple[str, str]:
        """An org-wide install is one row for the whole Grid org; any other is one row per workspace."""
        return (enterprise_id or "", "" if org_wide else team_id or "")


class KeptOAuthStateStore(AsyncOAuthStateStore):
    """One-use OAuth `state` values in the database, so the redirect may land on any replica."""

    def __init__(self, db: Database, clock: Clock, expiration_seconds: int = 600) -> None:
        self.db = db
        self.clock = clock
        self.expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        await self.db.run(self._issue, state, self.clock.now() + self.expiration)
        return state

    def _issue(self, state: str, expires_at: datetime) -> None:
        with self.db.transaction() as session:
            session.add(SlackOAuthState(state=state, expires_at=expires_at))

    async def async_consume(self, state: str) -> bool:
        return await self.db.run(self._consume, state[:100], self.clock.now())

    def _consume(self, state: str, now: datetime) -> bool:
        with self.db.transaction() as session:
            result = session.execute(
                delete(SlackOAuthState).where(
                    col(SlackOAuthState.state) == state, col(SlackOAuthState.expires_at) > now
                )
            )
            return rows_changed(result) > 0
