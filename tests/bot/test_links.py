"""Signed download links: a joint session's .ics, fetched from Kept's own web app by whoever holds the link."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient
from icalendar import Calendar

from bot.config import Settings
from bot.links import with_links
from bot.web import build_app
from bot.wiring import assemble, links_for
from handlers.clock import MovableClock
from handlers.messages import Attachment, Message
from storage.db import Database
from storage.models import JointSession
from tests.harness.world import World, build_world

SECRET = "thames-valley-link-secret"
SCIENCE_DAY = "session Year 6 science day on 8/7/2027 10am at St Ada's School with Hopper Academy"


def _settings(**values: Any) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def world(sqlite_db: Database, clock: MovableClock) -> World:
    return build_world(sqlite_db, clock)


@pytest.fixture
async def web_app(world: World, aiohttp_client: Any) -> TestClient:
    parts = assemble(_settings(link_secret=SECRET), world.clock, world.db)
    client: TestClient = await aiohttp_client(build_app(parts))
    return client


def _planned(world: World) -> int:
    reply = world.say("mary", SCIENCE_DAY)
    assert reply.ok, reply.title
    return int(reply.title.rsplit("(S", 1)[1].rstrip(")"))


def _link(world: World, joint_id: int) -> str:
    """The link Slack and Teams would show beside Mary's `ics` reply."""
    reply = with_links(world.say("mary", f"ics S{joint_id}"), links_for(_settings(link_secret=SECRET)))
    (attachment,) = reply.attachments
    return attachment.url


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_a_signed_link_downloads_the_invitation_in_london_time(world: World, web_app: TestClient) -> None:
    sid = _planned(world)
    url = _link(world, sid)
    assert url.startswith(f"http://127.0.0.1:3978/ics/S{sid}.ics?sig=")

    response = await web_app.get(_local(url))

    assert response.status == 200
    assert response.content_type == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="kept-session-{sid}.ics"'
    calendar = Calendar.from_ical(await response.text())
    (event,) = calendar.walk("VEVENT")
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].to_ical() == b"20270708T100000"  # 10am BST, as Mary planned it
    assert str(event["SUMMARY"]) == "Year 6 science day"
    assert str(event["DESCRIPTION"]) == "Joint session with Hopper Academy, St Ada's School"


async def test_the_download_is_read_fresh_so_a_moved_venue_shows(world: World, web_app: TestClient) -> None:
    sid = _planned(world)
    url = _link(world, sid)
    with world.db.transaction() as session:
        joint = session.get(JointSession, sid)
        assert joint is not None
        joint.venue = "Hopper Academy"
        session.add(joint)

    event = Calendar.from_ical(await (await web_app.get(_local(url))).text()).walk("VEVENT")[0]

    assert str(event["LOCATION"]) == "Hopper Academy"


@pytest.mark.parametrize(
    "query",
    ["", "?sig=", "?sig=0000", "?sig=not-hex-at-all-é", "?other=1"],
    ids=["missing", "empty", "wrong", "garbage", "no-sig-param"],
)
async def test_a_link_without_the_right_signature_is_not_found(world: World, web_app: TestClient, query: str) -> None:
    sid = _planned(world)

    response = await web_app.get(f"/ics/S{sid}.ics{query}")

    assert response.status == 404
    assert "Year 6" not in await response.text()


async def test_one_sessions_signature_does_not_open_another(world: World, web_app: TestClient) -> None:
    first, second = _planned(world), _planned(world)
    signature = urlsplit(_link(world, first)).query

    assert (await web_app.get(f"/ics/S{second}.ics?{signature}")).status == 404
    assert (await web_app.get(f"/ics/S{first}.ics?{signature}")).status == 200


async def test_a_correctly_signed_link_to_a_session_that_does_not_exist_is_not_found(web_app: TestClient) -> None:
    links = links_for(_settings(link_secret=SECRET))

    response = await web_app.get(_local(links.ics_url(404)))

    assert response.status == 404
    assert await response.text() == "404: Not Found"


def test_links_use_the_public_address_when_one_is_set() -> None:
    links = links_for(_settings(link_secret=SECRET, public_url="https://kept.thames.example/"))
    assert links.ics_url(12).startswith("https://kept.thames.example/ics/S12.ics?sig=")
    assert links_for(_settings(port=8080)).base_url == "http://127.0.0.1:8080"


def test_without_a_secret_replicas_sharing_a_database_agree_and_others_do_not() -> None:
    shared = "postgresql+psycopg://kept@db.thames.example/kept"
    one, two = (links_for(_settings(database_url=shared)) for _ in range(2))
    other = links_for(_settings(database_url="sqlite:///./data/other.db"))

    assert one.sign("S12") == two.sign("S12") != other.sign("S12")
    assert one.sign("S12") != links_for(_settings(database_url=shared, link_secret=SECRET)).sign("S12")


def test_without_a_secret_the_app_warns_once_at_start(
    sqlite_db: Database, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kept.links"):
        build_app(assemble(_settings(), clock, sqlite_db))
        build_app(assemble(_settings(link_secret=SECRET), clock, sqlite_db))
    ours = [r.getMessage() for r in caplog.records if r.name == "kept.links"]
    assert len(ours) == 1 and ours[0].startswith("KEPT_LINK_SECRET is not set")


def test_only_files_kept_can_serve_get_a_link() -> None:
    links = links_for(_settings(link_secret=SECRET))
    message = Message(
        title="Files",
        attachments=(
            Attachment("kept-session-7.ics", "text/calendar", "BEGIN:VCALENDAR"),
            Attachment("minutes.txt", "text/plain", "Agreed: minibus on Fridays"),
        ),
    )

    invitation, minutes = with_links(message, links).attachments

    assert invitation.url == links.ics_url(7)
    assert minutes.url == ""
    assert with_links(Message(title="No files"), links) == Message(title="No files")
