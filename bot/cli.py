"""The `kept` command: serve, worker, chat, migrate, demo, export, manifest, report, notifications, calendar.

The only place that reads Settings; bot/wiring.py builds the parts from them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from bot.config import Settings
from bot.readiness import Schema
from bot.wiring import Parts, StartupError, assemble
from handlers import bank_holidays
from handlers.clock import MovableClock, SystemClock
from storage import migrate
from storage.db import Database, unreachable
from storage.rows import Prepared

log = logging.getLogger("kept")


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except Exception as exc:  # noqa: BLE001  (pydantic lists every bad setting at once)
        print(f"Kept can't start: a setting is wrong.\n{exc}", file=sys.stderr)
        return 2
    _configure_logging(settings)
    command = args.command or ("serve" if settings.has_platform else "chat")
    try:
        result: int = COMMANDS[command](settings, args)
    except BrokenPipeError:  # the reader went away (`kept notifications | head`): not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001  (one line naming the problem; the traceback only at DEBUG)
        log.debug("kept %s failed", command, exc_info=True)
        print(f"Kept stopped: {problem(exc, settings.database_url)}", file=sys.stderr)
        return 1
    return result


def _configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


def problem(exc: BaseException, database_url: str) -> str:
    """What went wrong, in one line a person can act on."""
    from sqlalchemy.exc import ArgumentError

    if isinstance(exc, ArgumentError):
        return f"KEPT_DATABASE_URL is not a database URL Kept can use ({exc.__class__.__name__})."
    if unreachable(exc):
        return f"can't reach the database ({_first_line(getattr(exc, 'orig', None) or exc)})."
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:300]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kept", description="Kept: promises between schools, kept.")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="the web server for Slack and Teams, with the scheduler")
    serve.add_argument("--socket", action="store_true", help="Slack Socket Mode (needs SLACK_APP_TOKEN)")
    serve.add_argument(
        "--processes", type=_positive, help="serve one port from N processes (default: KEPT_PROCESSES, else 1)"
    )
    sub.add_parser("worker", help="the scheduler alone")
    sub.add_parser("chat", help="talk to Kept in the terminal")
    sub.add_parser("migrate", help="bring the database up to date")
    sub.add_parser("demo", help="seed a small example network")
    export = sub.add_parser("export", help="write the shared log to stdout")
    export.add_argument("--json", action="store_true", help="JSON lines instead of CSV")
    manifest = sub.add_parser("manifest", help="the Slack manifest or the Teams app package")
    manifest.add_argument("--slack", action="store_true")
    manifest.add_argument("--teams", action="store_true")
    manifest.add_argument("--url", default="", help="the public base URL (default: KEPT_PUBLIC_URL)")
    manifest.add_argument("--out", default="kept-teams-app.zip", help="where to write the Teams package")
    report = sub.add_parser("report", help="a termly impact report for governors")
    report.add_argument("--partnership", required=True)
    report.add_argument("--term", required=True, help="e.g. autumn-2026")
    report.add_argument("--csv", action="store_true")
    report.add_argument("--pdf", action="store_true", help="the governors' PDF, written to --out")
    report.add_argument("--out", default="", help="where to write the PDF (default: <partnership>-<term>-review.pdf)")
    calendar = sub.add_parser("calendar", help="load a school's term dates from an .ics or .csv file")
    calendar.add_argument("file", help="an iCalendar (.ics) or CSV file of term dates")
    calendar.add_argument("--school", required=True, help="the school's name, as on Kept")
    calendar.add_argument("--network", action="store_true", help="for every school in its network")
    notifications = sub.add_parser("notifications", help="what the scheduler has sent, or failed to")
    notifications.add_argument("--failed", action="store_true", help="what could not be sent, and why")
    notifications.add_argument("--dropped", action="store_true", help="what was no longer true when due, and why")
    notifications.add_argument("--stats", action="store_true", help="a summary: what waits, and the last day's figures")
    return parser


def read_bank_holidays_ahead() -> None:
    """In the background, the coming years' bank holidays from a short-lived process: neither the first command
    nor the server's memory pays for the library (handlers/bank_holidays.py)."""
    year = datetime.now(UTC).year
    threading.Thread(
        target=bank_holidays.read_ahead, args=(year - 1, year + 6), name="kept-bank-holidays", daemon=True
    ).start()


def _positive(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes from 1 to 64")
    return int(text)


def _database(settings: Settings) -> Database:
    db = Database.from_url(settings.database_url)
    migrate.upgrade(db)
    return db


def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.console.repl import Chat, run

    clock = MovableClock(datetime.now(UTC))
    parts = assemble(settings, clock, _database(settings), web=False)
    run(Chat(parts.kept, clock, tick=console_tick(parts), links=parts.links))
    return 0


def console_tick(parts: Parts) -> Callable[[], list[str]]:
    """What `:advance` runs: one scheduler tick, delivering to the terminal."""
    from bot.console.notifier import ConsoleNotifier
    from bot.worker import console_tick as tick_with

    console = ConsoleNotifier()
    parts.notifiers["console"] = console
    return tick_with(parts.delivery, console.take)


def _worker(settings: Settings, args: argparse.Namespace) -> int:
    from bot.worker import run_worker

    db = _database(settings)
    db.checkpoint_in_background()
    try:
        parts = assemble(settings, SystemClock(), db, web=False)
    except StartupError as exc:
        return _refuse_to_start(exc)
    read_bank_holidays_ahead()
    return run_worker(parts)


def _refuse_to_start(exc: Exception) -> int:
    print(f"Kept can't start: {exc}", file=sys.stderr)
    return 2


def _notifications(settings: Settings, args: argparse.Namespace) -> int:
    from bot.worker import show_notifications, show_stats

    if args.stats:
        return show_stats(_database(settings), datetime.now(UTC), sys.stdout)
    return show_notifications(_database(settings), args.failed, sys.stdout, dropped=args.dropped)


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    db = Database.from_url(settings.database_url)
    migrate.upgrade(db)
    print(f"Database is up to date ({db.engine.url.render_as_string(hide_password=True)}).")
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.demo import seed

    parts = assemble(settings, SystemClock(), _database(settings), web=False)

    def progress(step: int, total: int, line: str) -> None:
        print(f"[{step:>2}/{total}] {line}")

    refused = seed(parts.kept, progress)
    print(
        "Demo network ready. Try `kept chat`, then `:as Sam Patel @ St Ada's School` and `mine`."
        if not refused
        else f"Done, with {refused} steps skipped (the demo may have been loaded before)."
    )
    return 0


def _export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.export import export

    db = _database(settings)
    count = export(db, sys.stdout, as_json=args.json, progress=lambda n: print(f"… {n:,} entries", file=sys.stderr))
    print(f"Exported {count:,} log entries.", file=sys.stderr)
    return 0


def _report(settings: Settings, args: argparse.Namespace) -> int:
    from handlers.errors import CommandError
    from handlers.partnerships.report import termly_report

    db = _database(settings)
    try:
        if args.pdf:
            return _report_pdf(db, args)
        with db.transaction() as session:
            sys.stdout.write(termly_report(session, args.partnership, args.term, now=datetime.now(UTC), csv=args.csv))
    except CommandError as exc:
        print(exc.reason, file=sys.stderr)
        return 1
    return 0


def _report_pdf(db: Database, args: argparse.Namespace) -> int:
    """The governors' PDF, the same as a review link's download (without any one school's view)."""
    from pathlib import Path

    from bot.review.content import content
    from bot.review.pdf import governors_pdf
    from bot.review.routes import pdf_name
    from handlers.partnerships.figures import term_figures
    from handlers.partnerships.report import partnership_named
    from handlers.terms import term_named

    with db.transaction() as session:
        partnership = partnership_named(session, args.partnership)
        review = content(term_figures(session, partnership, term_named(args.term), datetime.now(UTC)))
    path = Path(args.out or pdf_name(review))
    path.write_bytes(governors_pdf(review))
    print(f"Wrote {path}: the review of {review.partnership} for the {review.term}.")
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    socket = getattr(args, "socket", False)
    processes = getattr(args, "processes", None) or settings.processes
    if processes == 1:
        return _serve_here(settings, socket=socket)
    if socket:
        print("Socket Mode runs in one process: leave out --processes (or KEPT_PROCESSES).", file=sys.stderr)
        return 2
    from bot.processes import Supervisor

    db = Database.from_url(settings.database_url)
    Schema(db).try_upgrade()  # once, before the children start (each would otherwise queue for the lock)
    db.engine.dispose()
    if settings.metrics and not settings.prometheus_multiproc_dir:
        return _supervise_with_shared_figures(processes)
    return Supervisor(_serve_child, processes).run()


def _supervise_with_shared_figures(processes: int) -> int:
    """Each child counts into one folder, so a scrape of /metrics, whichever child answers, adds up all."""
    import tempfile

    from bot.processes import Supervisor

    with tempfile.TemporaryDirectory(prefix="kept-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder  # the children read it as they start
        return Supervisor(_serve_child, processes).run()


def _serve_child(index: int) -> None:
    """One of `kept serve --processes N`'s children (a fresh interpreter: it reads the settings again)."""
    settings = Settings()
    _configure_logging(settings)
    raise SystemExit(_serve_here(settings, scheduler=index == 0, reuse_port=True))


def _serve_here(settings: Settings, *, socket: bool = False, scheduler: bool = True, reuse_port: bool = False) -> int:
    from aiohttp import web

    from bot.web import build_app

    db = Database.from_url(settings.database_url)
    db.checkpoint_in_background()  # SQLite: no command's commit pays for copying the log into the database
    schema = Schema(db)
    schema.try_upgrade()  # a database that is away is not fatal: serve, answer 503 on /readyz, and retry
    read_bank_holidays_ahead()
    try:
        parts = assemble(settings, SystemClock(), db, socket=socket)
        app = build_app(parts, scheduler=scheduler, schema=schema)
    except StartupError as exc:
        return _refuse_to_start(exc)
    Prepared.compile_all(db.engine.dialect)  # once the core's statements are all imported
    web.run_app(
        app, host=settings.host, port=settings.port, reuse_port=reuse_port or None, print=lambda text: log.info(text)
    )
    return 0


def _calendar(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from handlers.errors import CommandError
    from handlers.school_year.loading import load_file

    db = _database(settings)
    try:
        content = Path(args.file).read_bytes()
        with db.transaction() as session:
            print(load_file(session, args.school, content, datetime.now(UTC), whole_network=args.network))
    except OSError as exc:
        print(f"Kept can't read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    except CommandError as exc:
        print(exc.reason, file=sys.stderr)
        return 1
    return 0


def _manifest(settings: Settings, args: argparse.Namespace) -> int:
    from bot.slack.manifest import PLACEHOLDER, print_manifest

    url = args.url or settings.public_url or PLACEHOLDER  # the manifests link to /privacy and /terms there
    if args.slack:
        return print_manifest(url)
    if args.teams:
        from pathlib import Path

        from bot.teams.manifest import ManifestError, write_package

        try:
            path = write_package(settings.microsoft_app_id, Path(args.out), url)
        except ManifestError as exc:
            print(f"Kept can't build the Teams package: {exc}", file=sys.stderr)
            return 2
        print(f"Wrote {path}. Upload it in Teams: Apps > Manage your apps > Upload an app.")
        return 0
    print("Say which: `kept manifest --slack --url https://your.server` or `kept manifest --teams`", file=sys.stderr)
    return 2


COMMANDS = {
    "serve": _serve,
    "chat": _chat,
    "migrate": _migrate,
    "demo": _demo,
    "export": _export,
    "manifest": _manifest,
    "worker": _worker,
    "notifications": _notifications,
    "report": _report,
    "calendar": _calendar,
}


if __name__ == "__main__":
    raise SystemExit(main())
