"""The few statements every command runs, compiled once and run straight on the database connection.

An ORM object costs about 0.3 ms of Python to build and flush (attribute events, the identity map, the unit of
work sorting one row), and even a Core statement pays SQLAlchemy's execution machinery each time (a cache key,
an execution context, a result object): under load that was a quarter of a command's CPU. A `Prepared`
statement is compiled once per dialect, into the SQL text and the list of bind processors SQLAlchemy itself
would apply (so stored bytes are the same: dates, JSON, booleans), and runs on the DBAPI cursor of the
session's connection, in the session's transaction (or, for `found_each`, on a connection of the caller's
own). Driver errors come out as SQLAlchemy's (IntegrityError for a race, `connection_invalidated` for a
connection the server dropped), so callers handle them as any other.

Use it only where a command's cost matters and the statement is fixed: rows added (the log, receipts, a new
listing), the caller's identity, and a delivery's outcome (storage/outbox.py). A row added this way is not in
the session: read it back with a query if ever needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Table, Update, insert
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import Session, SQLModel

Processor = Callable[[Any], Any] | None
_EVERY: list[Prepared] = []


@dataclass(frozen=True)
class Plan:
    """One statement for one dialect: its SQL, its parameters' names in the driver's order, their processors,
    and the values of those the statement fixes itself (a column's scalar default, a literal in a WHERE)."""

    sql: str
    names: tuple[str, ...]
    positional: bool
    processors: tuple[Processor, ...]
    fixed: dict[str, Any]

    def parameters(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        given = [values[n] if n in values else self.fixed[n] for n in self.names]
        processed = [p(v) if p is not None else v for p, v in zip(self.processors, given, strict=True)]
        return processed if self.positional else dict(zip(self.names, processed, strict=True))


class Prepared:
    """A statement compiled once per dialect (and, for an INSERT or UPDATE, per set of columns given)."""

    def __init__(self, statement: ClauseElement, only: str | None = None) -> None:
        """`only`: the one dialect the statement is written for, if it is written for one."""
        self.statement = statement
        self.only = only
        self._compiled: dict[tuple[str, tuple[str, ...]], Plan] = {}
        _EVERY.append(self)

    @staticmethod
    def compile_all(dialect: Dialect) -> None:
        """Compile every statement whose columns are known in advance (all but the INSERTs), as a server starts:
        the first compile also warms SQLAlchemy's compiler, 18 ms the first command would otherwise wait."""
        for prepared in _EVERY:
            if not isinstance(prepared.statement, Insert | Update) and prepared.only in (None, dialect.name):
                prepared._plan(dialect, {})

    def first(self, session: Session, **values: Any) -> tuple[Any, ...] | None:
        """Run it and return its first row (None if there is none)."""
        row: tuple[Any, ...] | None = self._run(session.connection(), values, fetch=True)
        return row

    def run(self, session: Session, **values: Any) -> int:
        """Run it; how many rows it changed."""
        changed: int = self._run(session.connection(), values, fetch=False)
        return changed

    def found_each(self, connection: Connection, rows: Sequence[dict[str, Any]]) -> list[bool]:
        """Run it once for each of `rows` (each giving the same columns) and say whether each found a row (a
        statement with RETURNING). On PostgreSQL in one round trip (psycopg's pipeline), elsewhere in turn."""
        if connection.dialect.name != "postgresql" or len(rows) < 2:
            return [self._run(connection, values, fetch=True) is not None for values in rows]
        plan = self._plan(connection.dialect, rows[0])
        parameters = [plan.parameters(values) for values in rows]
        with self._cursor(connection, plan.sql, parameters) as cursor:
            cursor.executemany(plan.sql, parameters, returning=True)
            found = [cursor.fetchone() is not None]
            while cursor.nextset():
                found.append(cursor.fetchone() is not None)
            return found

    def _run(self, connection: Connection, values: dict[str, Any], *, fetch: bool) -> Any:
        plan = self._plan(connection.dialect, values)
        parameters = plan.parameters(values)
        with self._cursor(connection, plan.sql, parameters) as cursor:
            cursor.execute(plan.sql, parameters)
            return cursor.fetchone() if fetch else cursor.rowcount

    def _plan(self, dialect: Dialect, values: dict[str, Any]) -> Plan:
        key = (dialect.name, tuple(sorted(values)) if isinstance(self.statement, Insert | Update) else ())
        return self._compiled.get(key) or self._compiled.setdefault(key, self._compile(dialect, key[1]))

    @contextmanager
    def _cursor(self, connection: Connection, sql: str, parameters: Any) -> Iterator[Any]:
        """A DBAPI cursor on the connection; the driver's errors raised as SQLAlchemy's."""
        dbapi_connection = connection.connection.dbapi_connection
        assert dbapi_connection is not None  # a connection in a transaction always has one
        cursor = dbapi_connection.cursor()
        try:
            yield cursor
        except connection.dialect.loaded_dbapi.Error as exc:
            raise _as_sqlalchemy(exc, connection, sql, parameters) from exc
        finally:
            cursor.close()

    def _compile(self, dialect: Dialect, columns: tuple[str, ...]) -> Plan:
        """For an INSERT or UPDATE, only the columns given are set (and any column's scalar default added)."""
        compiled = cast(SQLCompiler, self.statement.compile(dialect=dialect, column_keys=list(columns) or None))
        binds = {name: bind for bind, name in compiled.bind_names.items()}  # by the names the SQL uses
        fixed = {name: bind.effective_value for name, bind in binds.items() if name not in columns}
        for column in [*compiled.insert_prefetch, *compiled.update_prefetch]:
            if not isinstance(column.default, ScalarElementColumnDefault):
                raise TypeError(f"{column} has a default SQLAlchemy computes per row: give it a value")
            fixed[column.key] = column.default.arg
        names = tuple(compiled.positiontup or ()) if dialect.positional else tuple(binds)
        return Plan(
            sql=compiled.string,
            names=names,
            positional=dialect.positional,
            processors=tuple(binds[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names),
            fixed=fixed,
        )


def _as_sqlalchemy(exc: Any, connection: Connection, sql: str, parameters: Any) -> StatementError:
    """The driver's error as SQLAlchemy would raise it. A connection the server dropped is invalidated, and so
    is the rest of the pool (as SQLAlchemy does), so that trying again gets a fresh connection."""
    dialect = connection.dialect
    dropped = dialect.is_disconnect(exc, connection.connection.dbapi_connection, None)
    if dropped:
        connection.invalidate(exc)
        connection.engine.dispose(close=False)
    error: StatementError = DBAPIError.instance(
        sql, parameters, exc, dialect.loaded_dbapi.Error, connection_invalidated=dropped, dialect=dialect
    )
    return error


@cache
def _insert(table: Table, returning: bool) -> Prepared:
    statement = insert(table)
    return Prepared(statement.returning(table.c.id) if returning else statement)


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def add_row(session: Session, model: type[SQLModel], **values: Any) -> None:
    """INSERT one row of `model` in the session's transaction."""
    _insert(_table(model), False).run(session, **values)


def add_row_returning_id(session: Session, model: type[SQLModel], **values: Any) -> int:
    """INSERT one row of `model` in the session's transaction; its new id."""
    row = _insert(_table(model), True).first(session, **values)
    assert row is not None  # RETURNING always gives the new row
    new_id: int = row[0]
    return new_id
