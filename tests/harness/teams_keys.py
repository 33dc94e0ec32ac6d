"""The Bot Framework's signing-key service (OpenID metadata and its JWKS) on an ephemeral loopback port.

It publishes one RSA key that tests sign tokens with, counts every fetch, and can be made slow, as the real
login.botframework.com might be, to show that a slow key service never stalls Kept's event loop.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"
KEY_ID = "kept-test-key"
BOT_FRAMEWORK_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ANOTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class KeyService:
    delay: float = 0.0
    fetches: int = 0  # metadata documents served (each refresh reads one, then the keys)
    url: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def openid_url(self) -> str:
        return self.url + "openid"

    async def _metadata(self, request: web.Request) -> web.Response:
        self.fetches += 1
        await asyncio.sleep(self.delay)
        return web.json_response({"issuer": "https://api.botframework.com", "jwks_uri": self.url + "keys"})

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": self.keys})

    def app(self) -> web.Application:
        public: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(BOT_FRAMEWORK_KEY.public_key()))
        self.keys = [{**public, "kid": KEY_ID, "endorsements": ["msteams"]}]
        app = web.Application()
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._keys)
        return app


async def start_key_service() -> tuple[KeyService, TestServer]:
    service = KeyService()
    server = TestServer(service.app(), host="127.0.0.1")
    await server.start_server()
    service.url = str(server.make_url("/"))
    return service, server


def token(service_url: str, *, key: Any = BOT_FRAMEWORK_KEY, kid: str = KEY_ID, **claims: Any) -> str:
    """`Bearer <jwt>` as the Bot Framework signs it for this bot (override any claim to forge a near miss)."""
    now = int(time.time())  # tokens carry real time
    body = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 60,
        "exp": now + 3600,
        **claims,
    }
    return "Bearer " + jwt.encode(body, key, algorithm="RS256", headers={"kid": kid})
