"""Fresh stores for the benchmarks: a SQLite file in a temp folder, or a PostgreSQL schema of their own, each
gone afterwards; and the two options every benchmark takes to choose them."""

from __future__ import annotations

import argparse
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import create_engine, text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("KEPT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
    )


@contextmanager
def fresh_database(backend: str, postgres_url: str) -> Iterator[Any]:
    """A Database with Kept's tables. Kept is imported here, not above, so that a benchmark can measure another
    checkout by putting it first on sys.path."""
    from storage.db import Database, make_engine

    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            db = Database(make_engine(f"sqlite:///{folder}/bench.db"))
            db.create_all()
            yield db
            db.engine.dispose()
        return
    schema = f"kept_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url else "?"
    db = Database(make_engine(f"{postgres_url}{separator}options=-csearch_path%3D{schema}"))
    try:
        db.create_all()
        yield db
    finally:
        db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
