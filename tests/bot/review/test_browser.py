"""The review page in a real browser: Debian's headless Chromium, driven by Playwright, checked by axe-core.

One Kept web app (the real routes, on a SQLite file) and one browser serve the whole module. Outside CI these
tests skip, saying why, only when Chromium, Playwright or axe-core is truly missing; in CI they must run
(`.ci/run` installs all three). With KEPT_SCREENSHOTS_DIR set, the page's screenshots at desktop and phone
widths are written there (`make screenshots-review`).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web
from sqlmodel import select

from bot.config import Settings
from bot.links import with_links
from bot.web import build_app
from bot.wiring import assemble, links_for
from handlers.clock import MovableClock
from storage.db import Database, make_engine
from storage.models import ReviewLink
from tests.harness.term import term_of_work
from tests.harness.world import World, build_world

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path(os.environ.get("KEPT_CHROMIUM", "/usr/bin/chromium"))
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SECRET = "thames-valley-link-secret"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = os.environ.get("KEPT_SCREENSHOTS_DIR", "")  # read on import: the suite clears KEPT_* per test
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests: .ci/run installs it)")
    pytest.skip(reason)


@dataclass
class Site:
    base: str
    lead: str
    quiet: str
    expired: str
    revoked: str

    @property
    def forged(self) -> str:
        link_id = urlsplit(self.lead).path.split("/")[-1].split("-")[0]
        return f"{self.base}/review/{link_id}-{'0' * 64}"


class Served:
    """Kept's web app on an ephemeral loopback port, in a thread with its own event loop."""

    def __init__(self, app: web.Application) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.runner = web.AppRunner(app)
        self.port = 0

    def _call(self, work: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout=30)

    def __enter__(self) -> Served:
        self.thread.start()
        self._call(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self._call(site.start())
        self.port = self.runner.addresses[0][1]
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self.runner.cleanup())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


def _link(world: World, who: str, text: str, base: str) -> str:
    settings = Settings(_env_file=None, link_secret=SECRET, public_url=base)  # type: ignore[call-arg]
    reply = with_links(world.say(who, text), links_for(settings))
    assert reply.ok, reply.title
    return reply.attachments[0].url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    db = Database(make_engine(f"sqlite:///{tmp_path_factory.mktemp('review')}/kept.db"))
    db.create_all()
    clock = MovableClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    world = build_world(db, clock)
    term_of_work(world)
    for n in range(4):
        world.commitment("mary", "Hopper Academy", f"Physics lesson {n}")  # the work rests on Mary: Ada's view shows it
    world.partnership("Chess Club", "St Ada's School", "Lovelace Primary")
    settings = Settings(_env_file=None, link_secret=SECRET)  # type: ignore[call-arg]
    with Served(build_app(assemble(settings, clock, db))) as served:
        base = f"http://127.0.0.1:{served.port}"
        found = Site(
            base=base,
            lead=_link(world, "ada", "review Physics Link", base),
            quiet=_link(world, "ada", "review Chess Club", base),
            expired=_link(world, "ada", "review Physics Link spring-2027", base),
            revoked=_link(world, "grace", "review", base),
        )
        assert world.say("grace", "review revoke").ok
        with db.transaction() as session:
            for link in session.exec(select(ReviewLink).where(ReviewLink.term == "spring-2027")).all():
                link.expires_at = clock.now() - timedelta(hours=1)
                session.add(link)
        yield found
    db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium chromium-driver)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@dataclass
class Visit:
    page: Any
    status: int
    errors: list[str]


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    """`visit(url, viewport)`: a fresh page at that size, with its status and any console errors."""
    contexts: list[Any] = []

    def go(url: str, viewport: dict[str, int] = DESKTOP) -> Visit:
        context = browser.new_context(viewport=viewport, bypass_csp=True)  # lets the test inject axe-core
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        response = page.goto(url)
        return Visit(page, response.status if response else 0, errors)

    yield go
    for context in contexts:
        context.close()


def _serious_violations(page: Any) -> list[str]:
    if not AXE.exists():
        _missing(f"axe-core is not installed at {AXE} (npm install, in the project folder)")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations", WCAG
    )
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in found if v["impact"] in ("serious", "critical")]


def test_a_leads_link_renders_the_review_without_errors(site: Site, visit: Any) -> None:
    seen = visit(site.lead)
    page = seen.page
    assert seen.status == 200 and seen.errors == []
    assert page.title() == "Physics Link: Autumn term 2026 · Kept review"
    assert page.locator("h1").inner_text() == "Physics Link\nAutumn term 2026"
    figures = page.locator(".figures li").all_inner_texts()
    assert figures[:3] == ["3\npromises kept", "1\njoint session held", "28\npupils reached"]
    assert page.get_by_role("heading", name="For St Ada's School only: who the work rests on").is_visible()
    assert page.get_by_role("link", name="Download the governors' PDF").is_visible()


def test_every_chart_is_visible_with_its_text_alternative(site: Site, visit: Any) -> None:
    page = visit(site.lead).page
    charts = page.get_by_role("img")
    assert charts.count() == 4
    names = []
    for n in range(4):
        chart = charts.nth(n)
        assert chart.is_visible() and chart.bounding_box()["width"] > 300
        names.append(
            page.evaluate(
                "(svg) => svg.getAttribute('aria-labelledby').split(' ').map(id => "
                "document.getElementById(id).textContent).join(': ')",
                chart.element_handle(),
            )
        )
    assert names[0].startswith("Promises made and kept, week by week: Over 13 weeks")
    assert (
        names[2]
        == "Pupils reached, session by session: 28 pupils reached across 1 joint sessions with numbers recorded."
    )
    for summary in page.locator("summary").all():
        summary.click()
    tables = page.locator("figure.chart-box table")
    assert tables.count() == 4 and all(tables.nth(n).is_visible() for n in range(4))
    assert page.locator("#chart-pupils table tbody tr").all_inner_texts() == ["16 Nov\tYear 6 science day\t28"]


def test_axe_finds_nothing_serious_on_desktop_or_phone(site: Site, visit: Any) -> None:
    for url, viewport in ((site.lead, DESKTOP), (site.lead, PHONE), (site.quiet, DESKTOP)):
        assert _serious_violations(visit(url, viewport).page) == [], (url, viewport)


def test_the_page_fits_a_phone_and_works_by_keyboard(site: Site, visit: Any) -> None:
    page = visit(site.lead, PHONE).page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Download the governors' PDF"
    page.keyboard.press("Tab")  # the first chart, which scrolls sideways on a phone
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # its figures open from the keyboard
    assert page.locator("#chart-weekly table").is_visible()


def test_the_pdf_downloads_from_the_page_and_print_hides_the_button(site: Site, visit: Any) -> None:
    page = visit(site.lead).page
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the governors' PDF").click()
    assert download.value.suggested_filename == "physics-link-autumn-term-2026-review.pdf"
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Download the governors' PDF").is_visible()


def test_a_quiet_partnership_gets_an_encouraging_page(site: Site, visit: Any) -> None:
    seen = visit(site.quiet)
    assert seen.status == 200 and seen.errors == []
    assert seen.page.get_by_role("heading", name="A fresh start").is_visible()


@pytest.mark.parametrize(
    ("which", "status", "heading"),
    [
        ("forged", 403, "This link doesn't open a review"),
        ("expired", 410, "This review link has expired"),
        ("revoked", 410, "This review link has been switched off"),
    ],
)
def test_closed_links_get_a_kind_page(site: Site, visit: Any, which: str, status: int, heading: str) -> None:
    seen = visit(getattr(site, which))
    page = seen.page
    assert seen.status == status
    assert page.get_by_role("heading", level=1).inner_text() == heading
    assert "Physics Link" not in page.content()
    assert [e for e in seen.errors if not e.startswith("Failed to load resource")] == []
    if which == "forged":  # the three share one template
        assert _serious_violations(page) == []


def test_screenshots_at_desktop_and_phone_widths(site: Site, visit: Any, tmp_path: Path) -> None:
    folder = Path(SCREENSHOTS or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        path = folder / f"review-{name}.png"
        visit(site.lead, viewport).page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 20_000
