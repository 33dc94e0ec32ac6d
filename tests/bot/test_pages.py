"""/privacy and /terms: served by Kept, replaceable by the operator, and where `kept manifest` links."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot.cli import main
from bot.config import Settings
from bot.slack import manifest as slack_manifest
from bot.web import build_app
from bot.wiring import StartupError, assemble
from handlers.clock import MovableClock
from storage.db import Database

# ../shared/schemas beside the project (as CI lays it out), else the workplace's own copy
SCHEMAS = next(
    (
        p
        for p in (Path(__file__).resolve().parents[2].parent / "shared" / "schemas", Path("/work/shared/schemas"))
        if p.exists()
    ),
    Path(__file__).resolve().parents[2].parent / "shared" / "schemas",
)
APP_ID = "0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"


async def _get(
    aiohttp_client: Any, sqlite_db: Database, clock: MovableClock, path: str, **settings: str
) -> tuple[int, str, str]:
    parts = assemble(Settings(_env_file=None, **settings), clock, db=sqlite_db)  # type: ignore[call-arg]
    client = await aiohttp_client(build_app(parts))
    response = await client.get(path)
    return response.status, response.content_type, await response.text()


@pytest.mark.parametrize(("path", "heading"), [("/privacy", "Privacy at Kept"), ("/terms", "Terms of use")])
async def test_the_pages_the_manifests_link_to_are_served(
    aiohttp_client: Any, sqlite_db: Database, clock: MovableClock, path: str, heading: str
) -> None:
    status, kind, body = await _get(aiohttp_client, sqlite_db, clock, path)
    assert (status, kind) == (200, "text/html")
    assert f"<h1>{heading}</h1>" in body and "forget me" in body


async def test_an_operator_replaces_a_page_with_text_or_a_file(
    aiohttp_client: Any, sqlite_db: Database, clock: MovableClock, tmp_path: Path
) -> None:
    page = tmp_path / "privacy.html"
    page.write_text("<html><body>St Ada's Trust privacy notice</body></html>", encoding="utf-8")
    _, _, body = await _get(aiohttp_client, sqlite_db, clock, "/privacy", privacy_page=f"file:{page}")
    assert body == "<html><body>St Ada's Trust privacy notice</body></html>"
    _, _, body = await _get(aiohttp_client, sqlite_db, clock, "/terms", terms_page="Our terms\n\nBe <kind>.")
    assert "<h1>Our terms</h1>" in body and "<p>Be &lt;kind&gt;.</p>" in body


def test_a_page_file_that_cannot_be_read_stops_kept_at_start(sqlite_db: Database, clock: MovableClock) -> None:
    with pytest.raises(StartupError, match="KEPT_PRIVACY_PAGE"):
        assemble(Settings(_env_file=None, privacy_page="file:/nowhere/privacy.html"), clock, db=sqlite_db)  # type: ignore[call-arg]


def test_kept_manifest_links_to_the_pages_at_kept_public_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KEPT_PUBLIC_URL", "https://kept.stadas.sch.uk")
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    out = tmp_path / "kept-teams-app.zip"
    assert main(["manifest", "--teams", "--out", str(out)]) == 0
    developer = json.loads(zipfile.ZipFile(out).read("manifest.json"))["developer"]
    assert developer["privacyUrl"] == "https://kept.stadas.sch.uk/privacy"
    assert developer["termsOfUseUrl"] == "https://kept.stadas.sch.uk/terms"
    capsys.readouterr()
    assert main(["manifest", "--slack"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    assert printed["settings"]["event_subscriptions"]["request_url"] == "https://kept.stadas.sch.uk/slack/events"


def _slack_schema() -> dict[str, Any]:
    path = SCHEMAS / "slack-app-manifest.json"
    if not path.exists():
        pytest.skip(f"the Slack app manifest schema is not at {path} (../shared beside the repository)")
    schema: dict[str, Any] = json.loads(path.read_text())
    return schema


@pytest.mark.parametrize("source", ["manifest.yml", "kept manifest --slack"])
def test_the_slack_manifest_passes_the_published_schema(source: str) -> None:
    schema = _slack_schema()
    data = (
        slack_manifest.load()
        if source == "manifest.yml"
        else yaml.safe_load(slack_manifest.render("https://kept.stadas.sch.uk"))
    )
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(data), key=str)
    assert errors == [], "\n".join(e.message for e in errors)
