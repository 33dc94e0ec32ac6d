"""The review page and the governors' PDF over HTTP: what a signed link opens, and the kind refusals of the rest."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient

from bot import cli
from bot.config import Settings
from bot.console.repl import Chat
from bot.links import with_links
from bot.review.routes import redact
from bot.web import build_app
from bot.wiring import assemble, links_for
from handlers.clock import MovableClock
from storage.db import Database
from tests.harness.term import term_of_work
from tests.harness.world import World, build_world

SECRET = "thames-valley-link-secret"


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, link_secret=SECRET, **values)  # type: ignore[call-arg]


@pytest.fixture
async def web_app(world: World, aiohttp_client: Any) -> TestClient:
    client: TestClient = await aiohttp_client(build_app(assemble(_settings(), world.clock, world.db)))
    return client


def review_path(world: World, who: str = "ada", text: str = "review") -> str:
    """The path of the link Slack, Teams or `kept chat` would show beside the lead's `review` reply."""
    reply = with_links(world.say(who, text), links_for(_settings()))
    assert reply.ok, reply.title
    (attachment,) = reply.attachments
    assert attachment.url.startswith("http://127.0.0.1:3978/review/")
    return urlsplit(attachment.url).path


async def test_a_leads_link_opens_the_review_page_for_heads_and_governors(world: World, web_app: TestClient) -> None:
    term_of_work(world)
    world.partnership("Chess Club", "St Ada's School", "Lovelace Primary")
    world.commitment("ada", "Lovelace Primary", "Chess coaching", status="done", done_days_ago=2)
    response = await web_app.get(review_path(world, text="review Physics Link"))
    html = await response.text()
    assert response.status == 200 and response.content_type == "text/html"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert '<h1>Physics Link <span class="term">Autumn term 2026</span></h1>' in html
    figures = re.findall(r'<span class="number">([\d,]+)</span> <span class="label">([^<]+)</span>', html)
    assert figures == [
        ("3", "promises kept"),
        ("1", "joint session held"),
        ("28", "pupils reached"),
        ("3", "staff involved"),
        ("1", "thank-you received"),
    ]
    assert html.count('role="img"') == 4 and html.count("<figcaption>") >= 4
    assert "Every pupil built a circuit" in html and "The Year 12s loved them" in html
    assert "Next review: <strong>Mon 1 Mar 2027</strong>" in html
    assert "Chess" not in html and "Lovelace" not in html  # nothing of any other partnership
    assert "<script" not in html


async def test_the_governors_pdf_has_the_same_figures_with_vector_charts(world: World, web_app: TestClient) -> None:
    term_of_work(world)
    response = await web_app.get(review_path(world) + "/governors.pdf")
    body = await response.read()
    assert response.status == 200 and response.content_type == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="physics-link-autumn-term-2026-review.pdf"'
    assert body.startswith(b"%PDF") and b"/Subtype /Image" not in body  # charts are paths and text, not pictures
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"


async def test_forged_truncated_and_garbled_links_get_a_kind_403_that_gives_nothing_away(
    world: World, web_app: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    term_of_work(world)
    path = review_path(world)
    link_id, sig = path.rsplit("/", 1)[1].split("-")
    forged = f"/review/{link_id}-{'0' * 64}"
    caplog.set_level(logging.INFO)
    for bad in (path[:-6], path + "0", forged, f"/review/{int(link_id) + 1}-{sig}", "/review/12", "/review/x/y/z"):
        response = await web_app.get(bad)
        html = await response.text()
        assert response.status == 403, bad
        assert "This link doesn&#39;t open a review" in html
        assert "Physics Link" not in html and "St Ada" not in html and sig not in html
        response = await web_app.get(bad + "/governors.pdf")
        assert response.status == 403 and response.content_type == "text/html"
    assert sig not in caplog.text and sig[:12] not in caplog.text


async def test_expired_and_revoked_links_get_a_kind_410(world: World, web_app: TestClient) -> None:
    term_of_work(world)
    expiring, revoked = review_path(world, who="grace"), review_path(world)
    assert world.say("ada", "review revoke").ok
    response = await web_app.get(revoked)
    assert response.status == 410 and "This review link has been switched off" in await response.text()
    world.clock.advance(timedelta(days=15))
    response = await web_app.get(expiring)
    html = await response.text()
    assert response.status == 410 and "This review link has expired" in html and "Physics Link" not in html


async def test_a_partnership_with_no_activity_gets_an_encouraging_page(world: World, web_app: TestClient) -> None:
    world.partnership("Chess Club", "St Ada's School", "Lovelace Primary")
    response = await web_app.get(review_path(world, text="review Chess Club"))
    html = await response.text()
    assert response.status == 200
    assert "A fresh start" in html and "fills in by itself" in html
    assert "No joint sessions this term yet." in html
    pdf = await web_app.get(review_path(world, text="review Chess Club") + "/governors.pdf")
    assert pdf.status == 200 and (await pdf.read()).startswith(b"%PDF")


def test_the_access_log_never_records_a_links_signature() -> None:
    line = '127.0.0.1 "GET /review/12-ab12cd34ef/governors.pdf HTTP/1.1" 200 and "GET /ics/S3.ics?sig=9f8e HTTP/1.1"'
    assert (
        redact(line) == '127.0.0.1 "GET /review/12-…/governors.pdf HTTP/1.1" 200 and "GET /ics/S3.ics?sig=… HTTP/1.1"'
    )


def test_kept_chat_shows_a_lead_the_review_link(world: World) -> None:
    term_of_work(world)
    chat = Chat(world.kept, world.clock, links=links_for(_settings()))
    chat.caller = world.callers["ada"]
    reply = chat.say("review")
    assert "  Open the review: http://127.0.0.1:3978/review/" in reply


def test_kept_report_writes_the_governors_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_DATABASE_URL", f"sqlite:///{tmp_path}/kept.db")
    assert cli.main(["migrate"]) == 0
    term_of_work(
        build_world(
            Database.from_url(f"sqlite:///{tmp_path}/kept.db"), MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        )
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--partnership", "Physics Link", "--term", "autumn-2026", "--pdf"]) == 0
    written = tmp_path / "physics-link-autumn-term-2026-review.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert "Wrote physics-link-autumn-term-2026-review.pdf" in capsys.readouterr().out
    assert cli.main(["report", "--partnership", "Chess Club", "--term", "autumn-2026", "--pdf"]) == 1
    assert "I can't find a partnership called `Chess Club`." in capsys.readouterr().err
