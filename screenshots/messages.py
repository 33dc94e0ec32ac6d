"""`make screenshots-messages`: every kind of message Kept sends, drawn as each platform would show it.

A scripted partnership runs through the real core (tests/harness/gallery.py: Kept's handlers, a movable clock,
the delivery loop with a recording notifier). Each message it produced is then drawn:
- Teams: the Adaptive Card from `to_card`, by the official Adaptive Cards renderer under Teams' host config in
  headless Chromium, at 480 px (a phone, or Teams' chat column) and at desktop width; the nudge also with its
  "..." menu open;
- Slack: the Block Kit from `to_blocks` (or the modal from `to_modal`), drawn by screenshots/blockkit.py, an
  approximation (Slack has no offline renderer);
- the terminal: `kept chat`'s text, in one transcript.
It writes PNGs, the JSON each platform was given, the transcript, a contact sheet (PNG and HTML), and copies
the four shown in README into docs/messages/.

    .venv/bin/python screenshots/messages.py [--out screenshots/out/messages]
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import Page  # noqa: E402

from bot.slack.blocks import to_blocks, to_modal  # noqa: E402
from bot.teams.cards import to_card  # noqa: E402
from screenshots.blockkit import message_html, modal_html  # noqa: E402
from screenshots.browser import DESKTOP, PHONE, CardBrowser, chromium, ensure_renderer, new_page, snap  # noqa: E402
from tests.harness.gallery import Gallery, Shot, build, console  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
README_SHOTS = {"nudge": "nudge", "promise": "promise-logged", "digest": "digest", "promise-form": "form"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots" / "out" / "messages")
    parser.add_argument("--readme", type=Path, default=ROOT / "docs" / "messages")
    args = parser.parse_args(argv)
    started = time.monotonic()
    gallery = build()
    out: Path = args.out
    for folder in ("teams-480", "teams-desktop", "slack", "json"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    ensure_renderer()
    with chromium() as browser:
        cards, slack = CardBrowser(new_page(browser)), new_page(browser)
        for shot in gallery.shots:
            _teams(cards, shot, out)
            _slack(slack, shot, out)
        _sheet(new_page(browser), gallery, out)
    (out / "transcript.txt").write_text("\n".join(gallery.transcript) + "\n")
    args.readme.mkdir(parents=True, exist_ok=True)
    for name, target in README_SHOTS.items():
        shutil.copyfile(out / "teams-480" / f"{name}.png", args.readme / f"{target}.png")
    seconds = time.monotonic() - started
    print(f"{len(gallery.shots)} messages drawn for Teams, Slack and the terminal in {seconds:.0f} s: {out}")
    return 0


def _teams(cards: CardBrowser, shot: Shot, out: Path) -> None:
    card = to_card(shot.message)
    (out / "json" / f"{shot.name}.teams.json").write_text(json.dumps(card, indent=2, ensure_ascii=False))
    for width, folder in ((PHONE, "teams-480"), (DESKTOP, "teams-desktop")):
        cards.render(card, width)
        cards.screenshot(out / folder / f"{shot.name}.png")
    if any(a.get("mode") == "secondary" for a in card.get("actions", [])):
        cards.render(card, PHONE)
        cards.open_overflow()
        cards.screenshot(out / "teams-480" / f"{shot.name}-menu.png")


def _slack(page: Page, shot: Shot, out: Path) -> None:
    form = shot.message.form
    if form is not None:
        view = to_modal(form)
        page.set_content(modal_html(view, PHONE))
        payload: object = view
    else:
        blocks = to_blocks(shot.message)
        page.set_content(message_html(blocks, PHONE))
        payload = blocks
    (out / "json" / f"{shot.name}.slack.json").write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    snap(page, out / "slack" / f"{shot.name}.png")


def _sheet(page: Page, gallery: Gallery, out: Path) -> None:
    """One page with every message: Teams at 480 px, Slack beside it, and the terminal's text below."""
    cells = "".join(
        f"<figure><figcaption><b>{html.escape(shot.caption)}</b> <small>{html.escape(shot.name)}</small>"
        f'</figcaption><div class="pair"><img src="teams-480/{shot.name}.png"><img src="slack/{shot.name}.png">'
        f"</div><pre>{html.escape(console(shot.message))}</pre></figure>"
        for shot in gallery.shots
    )
    page_html = (
        '<!doctype html><html><head><meta charset="utf-8"><style>'
        "body{margin:0;background:#fff;font:13px 'DejaVu Sans',sans-serif;color:#222}"
        "#frame{padding:16px;columns:3 560px;column-gap:24px;width:1760px}"
        "figure{break-inside:avoid;margin:0 0 24px;border-top:1px solid #ddd;padding-top:8px}"
        ".pair{display:flex;gap:6px;align-items:flex-start}.pair img{width:50%;height:auto}"
        "pre{font-size:10px;white-space:pre-wrap;background:#f4f4f4;padding:6px;margin:6px 0 0}"
        "small{color:#666}</style></head>"
        f'<body><div id="frame"><h2>Kept: every message, Teams (480 px) | Slack (approximation) | terminal</h2>'
        f"{cells}</div></body></html>"
    )
    sheet = out / "contact-sheet.html"
    sheet.write_text(page_html)
    page.goto(sheet.as_uri())
    snap(page, out / "contact-sheet.png")


if __name__ == "__main__":
    raise SystemExit(main())
