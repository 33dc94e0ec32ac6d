"""The fair peer: what a competent developer writes in about 60 lines for `/partner offer <text>`.

A Bolt AsyncApp in process_before_response mode on aiohttp; an offer inserts an offer row and an audit row through
the SQLModel ORM in one transaction (in `asyncio.to_thread`), then acks with Block Kit naming the offer (O12).
SQLite gets the same pragmas Kept uses (WAL, synchronous=NORMAL), so both pay for the same durability. With
`--processes N` it forks into N processes serving one port (SO_REUSEPORT), as `kept serve --processes N` does.

    .venv/bin/python bench/fair_peer.py --port 8101 --database-url sqlite:///peer.db --api-url http://.../api/
                                        [--processes N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Engine, event
from sqlmodel import Field, Session, SQLModel, create_engine

SECRET = "bench-signing-secret"  # the bench signs with this


class PeerOffer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    team_id: str
    user_id: str
    text: str
    created_at: datetime


class PeerAudit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="peeroffer.id")
    actor: str
    action: str
    at: datetime


def engine_for(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=10, max_overflow=20)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def pragmas(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")

    return engine


def record_offer(engine: Engine, team: str, user: str, text: str) -> int:
    now = datetime.now(UTC)
    with Session(engine) as session:
        offer = PeerOffer(team_id=team, user_id=user, text=text, created_at=now)
        session.add(offer)
        session.flush()
        offer_id = offer.id or 0
        session.add(PeerAudit(offer_id=offer_id, actor=user, action="offer", at=now))
        session.commit()
    return offer_id


def build(engine: Engine, api_url: str) -> web.Application:
    client = AsyncWebClient(token="xoxb-bench", base_url=api_url)
    app = AsyncApp(signing_secret=SECRET, client=client, process_before_response=True)

    @app.command("/partner")
    async def partner(ack: AsyncAck, body: dict[str, Any]) -> None:
        verb, _, text = body.get("text", "").partition(" ")
        if verb != "offer" or not text.strip():
            await ack(text="Say `/partner offer <what you can offer>`.")
            return
        offer_id = await asyncio.to_thread(record_offer, engine, body["team_id"], body["user_id"], text.strip())
        title = f"{text.strip()[:80]}: on the board (O{offer_id})"
        blocks: list[dict[str, Any]] = [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"*{title}*"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "Thank you for offering!"}]},
        ]
        await ack(text=title, blocks=blocks)

    return on_aiohttp(app)


def on_aiohttp(app: AsyncApp) -> web.Application:
    """A Bolt app at /slack/events, and /healthz for the bench to wait on."""

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/healthz", healthz)
    return web_app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8101)
    parser.add_argument("--database-url", default="sqlite:///fair_peer.db")
    parser.add_argument("--api-url", default="https://slack.com/api/")
    parser.add_argument("--processes", type=int, default=1)
    args = parser.parse_args()
    engine = engine_for(args.database_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()  # each process makes its own connections
    for _ in range(args.processes - 1):
        if os.fork() == 0:
            break
    app = build(engine_for(args.database_url), args.api_url)
    reuse = args.processes > 1 or None
    web.run_app(app, host="127.0.0.1", port=args.port, reuse_port=reuse, print=None, access_log=None)


if __name__ == "__main__":
    main()
