"""`kept manifest --teams`: an installable package whose manifest.json passes the published v1.29 schema."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.teams.manifest import ManifestError, build_manifest, write_package
from handlers.grammar import VERBS

APP_ID = "0c3f7a51-5b52-4c8e-a3f1-8b6a3c2e9d10"
SCHEMA = Path(__file__).resolve().parents[3].parent / "shared" / "schemas" / "teams-manifest-v1.29.schema.json"


@pytest.fixture
def package(tmp_path: Path) -> zipfile.ZipFile:
    return zipfile.ZipFile(write_package(APP_ID, tmp_path / "kept-teams-app.zip"))


def png_size_and_pixels(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert (depth, colour) == (8, 6), "8-bit RGBA"
    idat = data.index(b"IDAT")
    length = struct.unpack(">I", data[idat - 4 : idat])[0]
    return width, height, zlib.decompress(data[idat + 4 : idat + 4 + length])


def test_the_manifest_passes_the_published_teams_schema(package: zipfile.ZipFile) -> None:
    if not SCHEMA.exists():
        pytest.skip(f"the Teams manifest schema is not at {SCHEMA} (../shared beside the repository)")
    schema: dict[str, Any] = json.loads(SCHEMA.read_text())
    manifest = json.loads(package.read("manifest.json"))

    validator = jsonschema.validators.validator_for(schema)(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(manifest), key=str)

    assert errors == [], "\n".join(e.message for e in errors)


def test_the_bot_is_kept_in_every_scope_with_commands_from_the_grammar(package: zipfile.ZipFile) -> None:
    manifest = json.loads(package.read("manifest.json"))

    assert manifest["manifestVersion"] == "1.29"  # the schema says `const`, which its draft-04 validator ignores
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID == manifest["id"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    titles = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert titles == [v.name for v in VERBS][: len(titles)]
    assert {"join", "offer", "promise", "done"} <= set(titles)


def test_the_icons_are_the_sizes_teams_requires(package: zipfile.ZipFile) -> None:
    width, height, _ = png_size_and_pixels(package.read("color.png"))
    assert (width, height) == (192, 192)

    width, height, rows = png_size_and_pixels(package.read("outline.png"))
    assert (width, height) == (32, 32)
    alphas = {rows[r * (1 + 32 * 4) + 1 + x * 4 + 3] for r in range(32) for x in range(32)}
    assert alphas == {0, 255}, "the outline icon is white on transparency"


def test_without_an_app_id_the_package_is_refused_with_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="MicrosoftAppId"):
        build_manifest("")
