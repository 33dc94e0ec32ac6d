"""A burst of malformed and forged requests at /slack/events, fired beside the ack bench's load.

The cases are the hostile suite's (tests/bot/slack/test_hostile_requests.py), made here without pytest: unsigned
and badly signed requests (wanted: 401), signed bodies that are not Slack payloads (wanted: 400), a body over a
megabyte (413), and a captured signed command replayed (Kept answers its first answer's no-op). No answer may be
a 5xx. Signed cases carry a fresh timestamp: build them again for every burst (Slack's window is five minutes).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import urlencode

import aiohttp

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
Request = tuple[str, bytes, dict[str, str]]  # a name, the raw body, the headers


def signed_headers(raw: bytes, secret: str, *, stamp: int | None = None) -> dict[str, str]:
    """Slack's v0 signature over raw bytes (which need not be UTF-8)."""
    when = str(int(time.time()) if stamp is None else stamp)
    digest = hmac.new(secret.encode(), b"v0:" + when.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": when, "X-Slack-Signature": f"v0={digest}"}


def slash(team: str, user: str, text: str) -> bytes:
    fields = {"command": "/partner", "text": text, "team_id": team, "user_id": user, "trigger_id": "t1"}
    return urlencode({**fields, "channel_id": "C0STAFF", "response_url": "http://127.0.0.1:9/respond"}).encode()


def interactive(payload: Any) -> bytes:
    return urlencode({"payload": payload if isinstance(payload, str) else json.dumps(payload)}).encode()


def forged(body: bytes, secret: str) -> list[Request]:
    """Unsigned or badly signed: each wants a 401."""
    now = int(time.time())
    zeros = "v0=" + "0" * 64
    headers: dict[str, dict[str, str]] = {
        "no headers": {},
        "timestamp not a number": {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": zeros},
        "timestamp in other digits": {"X-Slack-Request-Timestamp": "١٧٠٠٠٠٠٠٠٠", "X-Slack-Signature": zeros},
        "signature not ASCII": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "é" * 64},
        "signature not hex": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "z" * 64},
        "another signature version": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v1=" + "0" * 64},
        "wrong signature": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": zeros},
        "stale": signed_headers(body, secret, stamp=now - 361),
        "from the future": signed_headers(body, secret, stamp=now + 3600),
        "timestamp too long": {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": zeros},
        "signed with another secret": signed_headers(body, "another-workspace-secret"),
    }
    return [(name, body, {"Content-Type": FORM, **h}) for name, h in headers.items()]


def malformed(team: str, user: str) -> dict[str, tuple[bytes, str]]:
    """Signed, but not Slack payloads: each wants a 400 (the last, over a megabyte, a 413)."""
    who = {"id": user, "team_id": team}
    return {
        "payload is a list": (interactive("[]"), FORM),
        "payload is not JSON": (interactive("{not json"), FORM),
        "no actions": (interactive({"type": "block_actions", "user": who, "actions": []}), FORM),
        "actions not objects": (interactive({"type": "block_actions", "user": who, "actions": ["done C1"]}), FORM),
        "action id not text": (
            interactive({"type": "block_actions", "user": who, "actions": [{"action_id": 7, "value": "done C1"}]}),
            FORM,
        ),
        "JSON body is a list": (b"[]", JSON),
        "JSON body is a number": (b"7", JSON),
        "JSON body not JSON": (b"{", JSON),
        "invalid UTF-8": (f"command=/partner&text=\xff\xfe&team_id={team}&user_id={user}".encode("latin-1"), FORM),
        "percent-encoded invalid UTF-8": (f"command=%2Fpartner&text=%ff&team_id={team}&user_id={user}".encode(), FORM),
        "view values not objects": (
            interactive(
                {
                    "type": "view_submission",
                    "user": who,
                    "view": {"callback_id": "kept:offer", "state": {"values": {"what": "Two teachers"}}},
                }
            ),
            FORM,
        ),
        "view missing": (interactive({"type": "view_submission", "user": who}), FORM),
        "user not an object": (interactive({"type": "block_actions", "user": user, "actions": [{}]}), FORM),
        "unknown payload type": (interactive({"type": "dialog_submission", "user": who}), FORM),
        "event not an object": (
            json.dumps({"type": "event_callback", "team_id": team, "event_id": "Ev1", "event": "x"}).encode(),
            JSON,
        ),
        "unknown body type": (json.dumps({"type": "launch"}).encode(), JSON),
        "neither command nor payload": (f"text=offer+a+minibus&user_id={user}".encode(), FORM),
        "command without a user": (f"command=%2Fpartner&text=offer+a+minibus&team_id={team}".encode(), FORM),
        "empty body": (b"", FORM),
        "text/plain": (slash(team, user, "offer Two physics teachers"), "text/plain"),
        "form not URL-encoded": (b"payload", FORM),
        "deeply nested JSON": (interactive("[" * 100_000 + "]" * 100_000), FORM),
        "user id with a lone surrogate": (
            interactive('{"type": "block_actions", "user": {"id": "U\\ud800"}, "actions": [{"action_id": "kept:x"}]}'),
            FORM,
        ),
        "a NUL in the form": (f"command=/partner&text=offer\x00&team_id={team}&user_id={user}\x00&&=".encode(), FORM),
        "over a megabyte": (slash(team, user, "offer " + "x" * 1_100_000), FORM),
    }


def hostile_requests(secret: str, team: str, user: str) -> list[Request]:
    """Every case once, with fresh timestamps, then a signed command that, sent again in each round of the burst,
    is a replay (its first send is an ordinary offer)."""
    body = slash(team, user, f"offer a replayed minibus, {time.time_ns()}")
    cases = forged(body, secret)
    cases += [
        (name, raw, {"Content-Type": kind, **signed_headers(raw, secret)})
        for name, (raw, kind) in malformed(team, user).items()
    ]
    return [*cases, ("replayed signed command", body, {"Content-Type": FORM, **signed_headers(body, secret)})]


async def burst(url: str, requests: list[Request], rate: float, until: float) -> Counter[str]:
    """Send the requests in turn at `rate` a second until `until` (time.perf_counter()); count the answers by
    class (2xx, 4xx, 5xx, or no answer), and each 5xx by its case's name."""
    answers: Counter[str] = Counter()

    async def one(session: aiohttp.ClientSession, name: str, raw: bytes, headers: dict[str, str]) -> None:
        try:
            async with session.post(url, data=raw, headers=headers) as response:
                await response.read()
            answers[f"{response.status // 100}xx"] += 1
            if response.status >= 500:
                answers[f"5xx: {name}"] += 1
        except (TimeoutError, aiohttp.ClientError):
            answers["no answer"] += 1
            answers[f"no answer: {name}"] += 1

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50)) as session:
        tasks: list[asyncio.Task[None]] = []
        began = time.perf_counter()
        while time.perf_counter() < until:
            name, raw, headers = requests[len(tasks) % len(requests)]
            tasks.append(asyncio.create_task(one(session, name, raw, headers)))
            await asyncio.sleep(max(0.0, began + len(tasks) / rate - time.perf_counter()))
        await asyncio.gather(*tasks)
    answers["sent"] = len(tasks)
    return answers
