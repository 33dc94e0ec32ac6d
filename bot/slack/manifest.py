"""`kept manifest --slack --url ...`: manifest.yml with this server's request URLs filled in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
PLACEHOLDER = "https://kept.example.org"
URL_KEYS = frozenset({"url", "request_url", "redirect_urls"})


def load() -> dict[str, Any]:
    """manifest.yml as data."""
    data: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return data


def with_url(manifest: Any, base_url: str) -> Any:
    """The manifest with every request and redirect URL moved from the placeholder host to `base_url`."""
    if isinstance(manifest, dict):
        return {
            key: _moved(value, base_url) if key in URL_KEYS else with_url(value, base_url)
            for key, value in manifest.items()
        }
    if isinstance(manifest, list):
        return [with_url(item, base_url) for item in manifest]
    return manifest


def _moved(value: Any, base_url: str) -> Any:
    if isinstance(value, list):
        return [_moved(item, base_url) for item in value]
    return base_url.rstrip("/") + str(value).removeprefix(PLACEHOLDER)


def render(base_url: str) -> str:
    """The manifest as YAML for `base_url` (https://host[/prefix]). Raises ValueError for anything else."""
    parts = urlsplit(base_url)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"--url must be an https:// address such as https://kept.example.org, not {base_url!r}")
    return yaml.safe_dump(with_url(load(), base_url), sort_keys=False, allow_unicode=True)


def print_manifest(base_url: str) -> int:
    """The CLI's `kept manifest --slack --url URL`: prints the manifest; 2 with a reason for a bad URL."""
    try:
        print(render(base_url), end="")
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0
