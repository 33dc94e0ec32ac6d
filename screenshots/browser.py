"""Adaptive Cards as Teams draws them: the official JavaScript renderer, Teams' host config and container CSS,
in headless Chromium, with what a teacher would notice measured (height, cut-off button labels, text colours,
literal markup) and the library's own validation.

The renderer comes from npm (`screenshots/cards/package.json`, installed by `ensure_renderer`); Chromium is
Debian's (`/usr/bin/chromium`), driven by Playwright for Python. Fonts: Teams asks for Segoe UI, which Linux
lacks, so Chromium falls back to DejaVu Sans, which is wider: a label that fits here fits in Teams.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

HERE = Path(__file__).resolve().parent
CARDS = HERE / "cards"
MODULES = CARDS / "node_modules"
RENDERER = MODULES / "adaptivecards" / "dist" / "adaptivecards.min.js"
MARKDOWN = MODULES / "markdown-it" / "dist" / "markdown-it.min.js"
DESIGNER = MODULES / "adaptivecards-designer"
HOST_CONFIG = DESIGNER / "lib" / "hostConfigs" / "microsoft-teams-light.json"
TEAMS_CSS = DESIGNER / "dist" / "containers" / "teams-container-light.css"
CHROMIUM = Path(os.environ.get("KEPT_CHROMIUM", "/usr/bin/chromium"))
PHONE, DESKTOP = 480, 900  # Teams' chat column on a phone or a narrow window, and on a desktop
CHAT_GREY = "#f5f5f5"  # Teams' light chat background, around the card


class MissingTool(RuntimeError):
    """Chromium or npm is not installed; the message says what to install."""


def ensure_renderer() -> None:
    """Install the Adaptive Cards renderer from npm (the versions in package-lock.json) unless it is there."""
    if RENDERER.exists() and HOST_CONFIG.exists() and MARKDOWN.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise MissingTool("npm is needed to install the Adaptive Cards renderer (apt-get install npm)")
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=CARDS, check=True)


def ensure_chromium() -> None:
    if not CHROMIUM.exists():
        raise MissingTool(f"Chromium is not at {CHROMIUM} (apt-get install chromium chromium-driver)")


@dataclass(frozen=True)
class Button:
    label: str
    fits: bool  # its whole label shows: no ellipsis


@dataclass(frozen=True)
class Text:
    text: str
    colour: tuple[float, float, float, float]  # r, g, b, alpha as the browser computed them
    background: tuple[float, float, float]
    top: float

    @property
    def contrast(self) -> float:
        """WCAG 2 contrast ratio of the text against what is behind it (alpha blended onto it first)."""
        r, g, b, alpha = self.colour
        fore = tuple(alpha * c + (1 - alpha) * under for c, under in zip((r, g, b), self.background, strict=True))
        lighter, darker = sorted((_luminance(fore), _luminance(self.background)), reverse=True)
        return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Rendered:
    """A card as Teams would show it, measured."""

    height: float
    buttons: tuple[Button, ...]
    texts: tuple[Text, ...]  # every element with text of its own, in reading order
    blocks: tuple[Text, ...]  # the TextBlocks alone
    visible: str  # all the text a person can see
    problems: tuple[str, ...]  # what the Adaptive Cards library reported parsing and validating the card


def _luminance(rgb: tuple[float, ...]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


_PAGE = """<!doctype html><html><head><meta charset="utf-8"><style>{css}</style><style>
body {{ margin: 0; background: {grey}; }}
#frame {{ padding: 12px; display: inline-block; background: {grey}; }}
#host {{ background: #fff; }}
#caption {{ font: 13px 'Segoe UI', 'DejaVu Sans', sans-serif; color: #424242; margin: 0 0 6px 2px; }}
</style></head><body><div id="frame"><div id="caption"></div><div id="host" class="teams-card"></div></div>
</body></html>"""

_RENDER = """([card, hostConfig, width, caption]) => {
  const host = document.getElementById('host');
  document.querySelectorAll('.ac-ctrl-overlay').forEach(menu => menu.remove());  // a menu left open
  host.style.width = width + 'px';
  host.innerHTML = '';
  document.getElementById('caption').textContent = caption;
  document.getElementById('caption').style.display = caption ? 'block' : 'none';
  const adaptive = new AdaptiveCards.AdaptiveCard();
  adaptive.hostConfig = new AdaptiveCards.HostConfig(hostConfig);
  const context = new AdaptiveCards.SerializationContext();
  adaptive.parse(card, context);
  const problems = [];
  for (let i = 0; i < context.eventCount; i++) problems.push('parse: ' + context.getEventAt(i).message);
  for (const event of adaptive.validateProperties().validationEvents) problems.push(event.message);
  host.appendChild(adaptive.render());
  return problems;
}"""

_MEASURE = """() => {
  const host = document.getElementById('host');
  const shown = el => el.offsetParent !== null && el.getClientRects().length > 0;
  const background = el => {
    for (let node = el; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (colour && colour !== 'transparent' && !colour.endsWith(', 0)')) return colour;
    }
    return 'rgb(255, 255, 255)';
  };
  const ownText = el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  const text = el => ({text: el.innerText.trim() || ownText(el), colour: getComputedStyle(el).color,
                       background: background(el), top: el.getBoundingClientRect().top});
  const all = [...host.querySelectorAll('*')].filter(shown);
  return {
    height: host.getBoundingClientRect().height,
    buttons: [...host.querySelectorAll('button')].filter(shown).map(b => {
      const label = b.querySelector('div') || b;
      return {label: b.innerText.trim(), fits: label.scrollWidth <= label.clientWidth + 0.5};
    }),
    texts: all.filter(el => ownText(el)).map(text),
    blocks: all.filter(el => el.classList.contains('ac-textBlock')).map(text),
    visible: host.innerText,
  };
}"""


def _rgba(css: str) -> tuple[float, float, float, float]:
    values = [float(v) for v in css[css.index("(") + 1 : css.index(")")].split(",")]
    return (values[0], values[1], values[2], values[3] if len(values) == 4 else 1.0)


def _text(raw: dict[str, Any]) -> Text:
    r, g, b, _ = _rgba(raw["background"])
    return Text(raw["text"], _rgba(raw["colour"]), (r, g, b), raw["top"])


class CardBrowser:
    """One Chromium page with the renderer loaded: `render` a card, measure it, `screenshot` it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.host_config: dict[str, Any] = json.loads(HOST_CONFIG.read_text())
        page.set_content(_PAGE.format(css=TEAMS_CSS.read_text(), grey=CHAT_GREY))
        page.add_script_tag(path=str(MARKDOWN))  # the renderer uses markdown-it when the page has it, as Teams
        page.add_script_tag(path=str(RENDERER))  # renders markdown in cards

    def render(self, card: dict[str, Any], width: int = PHONE, caption: str = "") -> Rendered:
        problems = self.page.evaluate(_RENDER, [card, self.host_config, width, caption])
        raw = self.page.evaluate(_MEASURE)
        return Rendered(
            height=raw["height"],
            buttons=tuple(Button(b["label"], b["fits"]) for b in raw["buttons"]),
            texts=tuple(_text(t) for t in raw["texts"]),
            blocks=tuple(_text(t) for t in raw["blocks"]),
            visible=raw["visible"],
            problems=tuple(problems),
        )

    def open_overflow(self) -> None:
        """Press the card's "..." button, so its menu of secondary actions shows."""
        self.page.locator("#host button[aria-label='More options']").last.click()

    def screenshot(self, path: Path) -> None:
        snap(self.page, path)


def snap(page: Page, path: Path) -> None:
    """What is in the page's `#frame` (and an open menu hanging below it), as a PNG."""
    box = page.locator("#frame").bounding_box()
    assert box is not None
    bottom = box["y"] + box["height"]
    for menu in page.locator(".ac-ctrl-popup-container").all():
        shown = menu.bounding_box()
        bottom = max(bottom, shown["y"] + shown["height"] + 12) if shown else bottom
    height = bottom - box["y"]
    page.screenshot(
        path=str(path), clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": height}, full_page=True
    )


@contextmanager
def chromium() -> Iterator[Browser]:
    """One headless Chromium (Debian's), closed on leaving.

    Its date inputs read mm/dd/yyyy whatever the page's locale: Debian's chromium carries only the en-US locale
    (chromium-l10n, 120 MB, has the rest). Teams shows the reader's own format.
    """
    ensure_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser) -> Page:
    return browser.new_page(viewport={"width": 1200, "height": 800}, locale="en-GB")


@contextmanager
def card_browser() -> Iterator[CardBrowser]:
    """A Chromium page ready to render cards as Teams does (installing the renderer first if need be)."""
    ensure_renderer()
    with chromium() as browser:
        yield CardBrowser(new_page(browser))
