"""Checking the Bot Framework's bearer tokens on /api/messages without ever blocking the event loop.

botbuilder's JwtTokenExtractor fetches Microsoft's signing keys with blocking `requests`, with no timeout, on
the event loop, and retries the fetch for every token naming a key it has not seen: a few forged requests froze
the whole server. Here a token is checked for shape, issuer, audience, expiry and serviceUrl first (pure work,
about 30 microseconds), and only then is its key looked up. Keys are fetched with aiohttp under a timeout,
cached, and refreshed at most once per interval however many requests ask at once.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger("kept.teams")

OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
ISSUER = "https://api.botframework.com"  # every token the Bot Framework channel service sends a bot
ALGORITHMS = ("RS256", "RS384", "RS512")
LEEWAY_SECONDS = 300  # the Bot Framework's own clock tolerance
MAX_TOKEN = 8192
MAX_KEY_ID = 128


class Refused(Exception):
    """The token is not one the Bot Framework issued for this bot (401)."""


class KeysUnavailable(Exception):
    """Microsoft's signing keys could not be fetched, so no token can be checked just now (503)."""


@dataclass
class SigningKeys:
    """The Bot Framework's published keys: fetched asynchronously, cached, refreshed at most once per interval.

    `refresh_after` is how old the cache may grow before it is refreshed; `retry_after` is the least time between
    two fetches of any kind (an unknown key id, or a failed fetch, waits this long before the next try).
    """

    metadata_url: str = OPENID_METADATA_URL
    timeout: float = 5.0
    refresh_after: float = 24 * 3600.0
    retry_after: float = 300.0
    clock: Callable[[], float] = time.monotonic
    fetches: int = 0
    _keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    _fetched_at: float | None = None
    _attempted_at: float | None = None
    _pending: asyncio.Task[None] | None = None

    async def key(self, key_id: str) -> dict[str, Any] | None:
        """The published key (a JWK) with this id, or None. Raises KeysUnavailable when none could be fetched."""
        if self._due(key_id):
            await self._refresh()
        if self._fetched_at is None:
            raise KeysUnavailable("the Bot Framework's signing keys could not be fetched")
        return self._keys.get(key_id)

    def _due(self, key_id: str) -> bool:
        now = self.clock()
        if self._pending is not None:
            return True
        if self._attempted_at is not None and now - self._attempted_at < self.retry_after:
            return False
        stale = self._fetched_at is None or now - self._fetched_at >= self.refresh_after
        return stale or key_id not in self._keys

    async def _refresh(self) -> None:
        """One fetch at a time: every request that needs keys meanwhile waits for the same one."""
        if self._pending is None:
            self._attempted_at = self.clock()
            self._pending = asyncio.get_running_loop().create_task(self._fetch())
            self._pending.add_done_callback(self._settled)
        await asyncio.shield(self._pending)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._pending = None

    async def _fetch(self) -> None:
        self.fetches += 1
        try:
            await self._download()
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            log.warning("could not fetch the Bot Framework's signing keys: %s", type(exc).__name__)

    async def _download(self) -> None:
        limit = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=limit) as session:
            async with session.get(self.metadata_url) as response:
                response.raise_for_status()
                jwks_uri = (await response.json(content_type=None))["jwks_uri"]
            async with session.get(str(jwks_uri)) as response:
                response.raise_for_status()
                published = (await response.json(content_type=None))["keys"]
        self._keys = {str(k["kid"]): k for k in published if isinstance(k, dict) and "kid" in k}
        self._fetched_at = self.clock()


@dataclass
class TokenChecker:
    """Checks `Authorization: Bearer <jwt>` on an activity for this bot (`app_id`), from the Teams channel."""

    app_id: str
    keys: SigningKeys

    async def claims(self, authorization: str, service_url: str, channel_id: str) -> dict[str, Any]:
        """The token's verified claims. Raises Refused, or KeysUnavailable when the keys can't be fetched."""
        token, header = _shape(authorization)
        unverified = _unverified_claims(token)
        self._expect(unverified, service_url)
        jwk = await self.keys.key(str(header["kid"]))
        if jwk is None:
            raise Refused("signed with a key the Bot Framework has not published")
        endorsements = jwk.get("endorsements")
        if isinstance(endorsements, list) and endorsements and channel_id not in endorsements:
            raise Refused(f"the key is not endorsed for the {channel_id!r} channel")
        try:
            verified: dict[str, Any] = jwt.decode(
                token,
                RSAAlgorithm.from_jwk(json.dumps(jwk)),  # type: ignore[arg-type]  # an RSA public key
                algorithms=[str(header["alg"])],
                audience=self.app_id,
                issuer=ISSUER,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Refused(f"signature or claims not valid ({type(exc).__name__})") from None
        return verified

    def _expect(self, claims: dict[str, Any], service_url: str) -> None:
        """Everything that can be refused before a key is needed (so a forged token never causes a fetch)."""
        if claims.get("iss") != ISSUER:
            raise Refused("not issued by the Bot Framework")
        if claims.get("aud") != self.app_id:
            raise Refused("meant for another bot")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires + LEEWAY_SECONDS < time.time():
            raise Refused("expired")
        if claims.get("serviceurl") != service_url:
            raise Refused("issued for another serviceUrl")


def _shape(authorization: str) -> tuple[str, dict[str, Any]]:
    """`Bearer <header.claims.signature>` with a header naming an allowed algorithm and a key id."""
    scheme, _, token = authorization.partition(" ")
    if scheme != "Bearer" or not token.isascii() or len(token) > MAX_TOKEN or token.count(".") != 2:
        raise Refused("not a bearer token")
    header = _segment(token.split(".")[0])
    kid = header.get("kid")
    if header.get("alg") not in ALGORITHMS or not isinstance(kid, str) or not 0 < len(kid) <= MAX_KEY_ID:
        raise Refused("token header is not the Bot Framework's")
    return token, header


def shape_refusal(authorization: str) -> str:
    """Why this Authorization header can't carry a Bot Framework token ('' when its shape is fine)."""
    try:
        _shape(authorization)
        _unverified_claims(authorization.partition(" ")[2])
    except Refused as exc:
        return str(exc)
    return ""


def _unverified_claims(token: str) -> dict[str, Any]:
    return _segment(token.split(".")[1])


def _segment(part: str) -> dict[str, Any]:
    """One base64url JSON object of a JWT, read without trusting it."""
    try:
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Refused("token is not a JWT") from None
    if not isinstance(value, dict):
        raise Refused("token is not a JWT")
    return value
