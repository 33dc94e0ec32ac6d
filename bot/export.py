"""`kept export`: the shared log as CSV or JSON lines, streamed so a large log never sits in memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from typing import TextIO

from storage import ledger
from storage.db import Database

COLUMNS = ("id", "at", "network_id", "member_id", "platform", "action", "subject", "detail")


def export(db: Database, out: TextIO, *, as_json: bool, progress: Callable[[int], None]) -> int:
    """Write every log entry to `out`; returns how many."""
    writer = csv.writer(out)
    if not as_json:
        writer.writerow(COLUMNS)
    count = 0
    with db.transaction() as session:
        for entry in ledger.entries(session):
            row = {
                "id": entry.id,
                "at": entry.at.isoformat(),
                "network_id": entry.network_id,
                "member_id": entry.member_id,
                "platform": entry.platform,
                "action": entry.action,
                "subject": entry.subject,
                "detail": entry.detail,
            }
            if as_json:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
            else:
                writer.writerow([*list(row.values())[:-1], json.dumps(entry.detail, ensure_ascii=False)])
            count += 1
            if count % 1000 == 0:
                progress(count)
    return count
