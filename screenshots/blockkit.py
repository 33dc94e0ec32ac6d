"""An approximation of how Slack draws Kept's Block Kit, for screenshots only.

Slack publishes no offline renderer (Block Kit Builder is an online tool that needs a signed-in workspace), so
this draws the few block types Kept uses (section with text and fields, actions with buttons and an overflow
menu, context, divider, and a modal's inputs) in HTML close to Slack's light theme: Lato-like type at 15 px,
bold mrkdwn, grey context, buttons with a thin border, green primary, red danger. It shows layout and wording
(how many buttons, what wraps); it is not Slack's pixels. The Block Kit itself is checked by tests on its JSON.
"""

from __future__ import annotations

import html
import re
from typing import Any

from handlers.messages import BOLD, CODE

Block = dict[str, Any]

_STYLE = """
body { margin: 0; background: #f8f8f8; }
#frame { display: inline-block; padding: 12px; background: #f8f8f8; }
.message { background: #fff; border: 1px solid #e2e2e2; border-radius: 8px; padding: 12px 16px 14px 64px;
           position: relative; font: 15px/1.46 Lato, 'DejaVu Sans', sans-serif; color: #1d1c1d; }
.avatar { position: absolute; left: 16px; top: 14px; width: 36px; height: 36px; border-radius: 6px;
          background: #4a154b; color: #fff; font-weight: 700; text-align: center; line-height: 36px; }
.who { font-weight: 900; } .who small { font-weight: 400; color: #616061; font-size: 12px; margin-left: 6px; }
.app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700; padding: 1px 3px;
       border-radius: 2px; margin-left: 4px; vertical-align: 2px; }
.section { margin: 4px 0; white-space: pre-wrap; word-wrap: break-word; }
.fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin: 6px 0; }
.fields div { white-space: pre-wrap; }
.context { color: #616061; font-size: 12px; margin: 6px 0; white-space: pre-wrap; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0 2px; }
.button { border: 1px solid #bbbabb; border-radius: 4px; padding: 0 12px; height: 28px; line-height: 28px;
          font-weight: 700; font-size: 13px; background: #fff; white-space: nowrap; }
.button.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
.button.danger { color: #e01e5a; }
.overflow { width: 28px; padding: 0; text-align: center; font-size: 16px; letter-spacing: -1px; }
hr { border: 0; border-top: 1px solid #e2e2e2; margin: 10px 0; }
code { font: 12px monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #e2e2e2;
       border-radius: 3px; padding: 0 3px; }
.modal { background: #fff; border-radius: 8px; width: 100%; box-shadow: 0 0 0 1px #ddd;
         font: 15px/1.46 Lato, 'DejaVu Sans', sans-serif; color: #1d1c1d; }
.modal h1 { font-size: 22px; margin: 0; padding: 18px 24px; border-bottom: 1px solid #e2e2e2; }
.modal .body { padding: 12px 24px; }
.modal label { display: block; font-weight: 700; margin: 12px 0 6px; }
.modal .optional { font-weight: 400; color: #616061; }
.modal .box { border: 1px solid #bbbabb; border-radius: 4px; padding: 8px 12px; color: #868686; min-height: 22px; }
.modal .multiline { min-height: 66px; }
.modal .foot { display: flex; justify-content: flex-end; gap: 8px; padding: 16px 24px;
               border-top: 1px solid #e2e2e2; }
"""


def _mrkdwn(text: str) -> str:
    """Slack's mrkdwn as HTML. Kept has already escaped &, < and > in the text, as Slack requires."""
    text = BOLD.sub(r"<b>\1</b>", CODE.sub(r"<code>\1</code>", text))
    text = re.sub(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])", r"<i>\1</i>", text)
    return re.sub(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])", r"<s>\1</s>", text)


def _text(node: dict[str, Any]) -> str:
    value = str(node.get("text", ""))
    return _mrkdwn(value) if node.get("type") == "mrkdwn" else html.escape(value)


def _element(element: dict[str, Any]) -> str:
    if element.get("type") == "overflow":
        return '<span class="button overflow" title="More">&#8942;</span>'
    style = element.get("style", "")
    return f'<span class="button {style}">{_text(element["text"])}</span>'


def _block(block: Block) -> str:
    kind = block.get("type")
    if kind == "section":
        parts = [f'<div class="section">{_text(block["text"])}</div>'] if "text" in block else []
        if block.get("fields"):
            cells = "".join(f"<div>{_text(f)}</div>" for f in block["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        return "".join(parts)
    if kind == "actions":
        return '<div class="actions">' + "".join(_element(e) for e in block["elements"]) + "</div>"
    if kind == "context":
        return '<div class="context">' + " ".join(_text(e) for e in block["elements"]) + "</div>"
    if kind == "divider":
        return "<hr>"
    return f'<div class="context">({html.escape(str(kind))} block)</div>'


def message_html(blocks: list[Block], width: int, when: str = "10:02") -> str:
    """A message from Kept, as it would sit in a Slack channel or DM `width` pixels wide."""
    body = "".join(_block(b) for b in blocks)
    head = f'<div class="who">Kept<span class="app">APP</span><small>{html.escape(when)}</small></div>'
    return _page(f'<div class="message"><div class="avatar">K</div>{head}{body}</div>', width)


def _input(block: Block) -> str:
    element = block["element"]
    optional = ' <span class="optional">(optional)</span>' if block.get("optional") else ""
    placeholder = element.get("placeholder", {}).get("text", "")
    kind = element.get("type")
    if kind == "static_select":
        shown = element.get("initial_option", {}).get("text", {}).get("text") or placeholder or "Select an item"
        box = f'<div class="box">{html.escape(shown)} &#9662;</div>'
    elif kind == "datepicker":
        box = f'<div class="box">{html.escape(element.get("initial_date", "Select a date"))}</div>'
    else:
        multiline = " multiline" if element.get("multiline") else ""
        box = f'<div class="box{multiline}">{html.escape(element.get("initial_value", "") or placeholder)}</div>'
    return f"<label>{html.escape(block['label']['text'])}{optional}</label>{box}"


def modal_html(view: dict[str, Any], width: int) -> str:
    """A modal (a form) as Slack shows it over the conversation."""
    inputs = "".join(_input(b) for b in view.get("blocks", []) if b.get("type") == "input")
    foot = (
        f'<span class="button">{html.escape(view["close"]["text"])}</span>'
        f'<span class="button primary">{html.escape(view["submit"]["text"])}</span>'
    )
    title = html.escape(view["title"]["text"])
    body = f'<h1>{title}</h1><div class="body">{inputs}</div><div class="foot">{foot}</div>'
    return _page(f'<div class="modal">{body}</div>', width)


def _page(content: str, width: int) -> str:
    head = f'<meta charset="utf-8"><style>{_STYLE}</style><style>#frame > div {{ width: {width}px; }}</style>'
    return f'<!doctype html><html><head>{head}</head><body><div id="frame">{content}</div></body></html>'
