"""manifest.yml asks for exactly the scopes the code uses, and `kept manifest --slack` fills in the URLs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.slack import listeners, manifest
from bot.slack.scopes import CALLED_BY_BOLT, FEATURE_SCOPES, METHOD_SCOPES, bot_scopes

SLACK_CODE = Path(listeners.__file__).parent
CALL = re.compile(r"\bclient\.([a-z]+)_(\w+)\(")  # every Web API call goes through a client named `client`


def methods_called_in_code() -> set[str]:
    """Web API methods called by name in bot/slack/ (`client.views_open(` is views.open)."""
    found: set[str] = set()
    for path in SLACK_CODE.glob("*.py"):
        for family, name in CALL.findall(path.read_text(encoding="utf-8")):
            found.add(f"{family}.{name.replace('_', '.')}")
    return found


def test_every_method_the_code_calls_has_its_scope_in_the_table() -> None:
    called = methods_called_in_code()
    assert called, "the scan found no Web API calls at all"
    assert called <= set(METHOD_SCOPES), f"add these to bot/slack/scopes.py: {called - set(METHOD_SCOPES)}"


def test_no_method_in_the_table_is_one_the_code_no_longer_calls() -> None:
    assert set(METHOD_SCOPES) - CALLED_BY_BOLT == methods_called_in_code()


def test_the_manifest_asks_for_exactly_the_scopes_kept_needs() -> None:
    asked = manifest.load()["oauth_config"]["scopes"]
    assert sorted(asked["bot"]) == bot_scopes()
    assert "user" not in asked
    assert set(FEATURE_SCOPES) <= set(asked["bot"])


def test_the_manifest_declares_what_the_listeners_handle() -> None:
    data = manifest.load()
    (command,) = data["features"]["slash_commands"]
    assert command["command"] == "/partner" and command["usage_hint"]
    (shortcut,) = data["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", listeners.SHORTCUT_ID)
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    events = set(data["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "app_uninstalled", "tokens_revoked"}
    assert data["settings"]["interactivity"]["is_enabled"] is True


def test_printing_the_manifest_fills_in_every_url() -> None:
    printed = manifest.render("https://kept.stadas.sch.uk")
    data = yaml.safe_load(printed)
    assert data["features"]["slash_commands"][0]["url"] == "https://kept.stadas.sch.uk/slack/events"
    assert data["settings"]["event_subscriptions"]["request_url"] == "https://kept.stadas.sch.uk/slack/events"
    assert data["settings"]["interactivity"]["request_url"] == "https://kept.stadas.sch.uk/slack/events"
    assert data["oauth_config"]["redirect_urls"] == ["https://kept.stadas.sch.uk/slack/oauth_redirect"]
    assert "example.org" not in printed


@pytest.mark.parametrize("url", ["http://kept.stadas.sch.uk", "kept.stadas.sch.uk", "https://x.org/?a=1"])
def test_a_url_slack_would_not_accept_is_refused(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert manifest.print_manifest(url) == 2
    assert "https://" in capsys.readouterr().err
