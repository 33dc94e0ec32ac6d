"""The published schemas in ../shared/schemas/ (beside the project, or at the machine's shared folder)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

PLACES = (Path(__file__).resolve().parents[2].parent / "shared" / "schemas", Path("/work/shared/schemas"))


def published(name: str) -> dict[str, Any]:
    """A schema by file name; the test skips, naming where it looked, when it is in neither place."""
    for place in PLACES:
        if (place / name).exists():
            schema: dict[str, Any] = json.loads((place / name).read_text())
            return schema
    pytest.skip(f"{name} is not in {' or '.join(str(p) for p in PLACES)}")
