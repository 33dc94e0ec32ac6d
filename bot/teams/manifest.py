"""`kept manifest --teams`: the installable Teams app package (manifest.json v1.29 and its two icons)."""

from __future__ import annotations

import json
import math
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from handlers.grammar import VERBS

MANIFEST_VERSION = "1.29"
SCHEMA_URL = "https://developer.microsoft.com/en-us/json-schemas/teams/v1.29/MicrosoftTeams.schema.json"
APP_VERSION = "1.0.0"
ACCENT = (0x2E, 0x6B, 0x5E)  # a calm green
MAX_COMMANDS = 10  # Teams shows at most ten commands per scope
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


class ManifestError(ValueError):
    """The package can't be built from these settings; the message says what to set."""


def build_manifest(app_id: str, website: str = "https://kept.example.org") -> dict[str, Any]:
    """manifest.json for Teams schema v1.29: Kept's bot (MicrosoftAppId) in personal, team and group chats."""
    if not _GUID.match(app_id or ""):
        raise ManifestError("The Teams package needs MicrosoftAppId set to your Azure bot's app id (a GUID).")
    website = website.rstrip("/")
    scopes = ["personal", "team", "groupChat"]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": APP_VERSION,
        "id": app_id,
        "developer": {
            "name": "Kept",
            "websiteUrl": website,
            "privacyUrl": f"{website}/privacy",
            "termsOfUseUrl": f"{website}/terms",
        },
        "name": {"short": "Kept", "full": "Kept: keeping promises between partner schools"},
        "description": {
            "short": "Offers, requests and promises between partner schools, kept.",
            "full": "Kept helps schools in a partnership log what they can offer and what they need, turn it "
            "into promises with dates, and gently reminds people so promises are kept. One shared log "
            "spans Microsoft Teams and Slack.",
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [
            {
                "botId": app_id,
                "scopes": scopes,
                "isNotificationOnly": False,
                "supportsFiles": False,
                "commandLists": [{"scopes": scopes, "commands": commands()}],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [],
    }


def commands() -> list[dict[str, str]]:
    """The command menu, drawn from the grammar's verbs (the first ten, in the grammar's order)."""
    return [
        {"title": verb.name, "description": f"{verb.summary[:1].upper()}{verb.summary[1:]}: {verb.usage}"[:128]}
        for verb in VERBS[:MAX_COMMANDS]
    ]


def write_package(app_id: str, out: Path, website: str = "https://kept.example.org") -> Path:
    """Write the zip Teams installs (Apps > Manage your apps > Upload an app)."""
    manifest = build_manifest(app_id, website)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2))
        package.writestr("color.png", colour_icon())
        package.writestr("outline.png", outline_icon())
    return out


def colour_icon(size: int = 192) -> bytes:
    """The 192x192 colour icon: a white tick on Kept's green."""
    return _png(size, lambda x, y: (255, 255, 255, 255) if _on_tick(x / size, y / size) else (*ACCENT, 255))


def outline_icon(size: int = 32) -> bytes:
    """The 32x32 outline icon: a white tick on transparency, as Teams requires."""
    return _png(size, lambda x, y: (255, 255, 255, 255) if _on_tick(x / size, y / size) else (0, 0, 0, 0))


_TICK = ((0.22, 0.52), (0.42, 0.72), (0.80, 0.30))


def _on_tick(x: float, y: float, half_width: float = 0.07) -> bool:
    (ax, ay), (bx, by), (cx, cy) = _TICK
    return min(_distance(x, y, ax, ay, bx, by), _distance(x, y, bx, by, cx, cy)) <= half_width


def _distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _png(size: int, pixel: Callable[[int, int], tuple[int, int, int, int]]) -> bytes:
    """An RGBA PNG, written with zlib and struct (no imaging library needed)."""
    rows = b"".join(b"\x00" + bytes(v for x in range(size) for v in pixel(x, y)) for y in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA, no interlace
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows, 9)) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
