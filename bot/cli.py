"""The `cercle` command: run the bot, migrate the database, show status, play the demo."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import Settings, SettingsError, load_settings, require_slack_credentials
from bot.logs import configure_logging
from bot.privacy_cli import add_privacy_parser
from bot.report_cli import add_report_parser
from bot.survey_cli import add_survey_parser
from bot.toolbox_cli import add_toolbox_parser

if TYPE_CHECKING:
    from storage.operations import OperationsReport

EXIT_USAGE = 2
EXIT_FAILURE = 1


class StartupError(Exception):
    """A start-up failure already phrased for the person at the terminal."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _safe_url(database_url: str) -> str:
    """Return the database URL with any password hidden."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only used in a message
        return "<DATABASE_URL>"


def _settings() -> Settings:
    settings = load_settings()
    configure_logging(
        settings.log_level,
        secrets=(
            settings.slack_bot_token,
            settings.slack_signing_secret,
            settings.slack_app_token,
            settings.anonymity_secret,
        ),
        log_format=settings.log_format,
    )
    return settings


def _upgrade(settings: Settings) -> None:
    from storage.db import upgrade_database

    try:
        upgrade_database(settings.database_url)
    except SQLAlchemyError as error:
        raise StartupError(
            f"cannot reach the database at {_safe_url(settings.database_url)}: "
            f"{type(error.orig or error).__name__}. Check DATABASE_URL."
        ) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Run the bot until interrupted: Socket Mode if SLACK_APP_TOKEN is set, else HTTP."""
    settings = _settings()
    if args.port is not None:
        settings = dataclasses.replace(settings, port=args.port)
    require_slack_credentials(settings)

    from slack_bolt.error import BoltError

    from bot.runtime import build_runtime

    if not args.no_migrate:
        _upgrade(settings)
    try:
        runtime = build_runtime(settings, migrate=False)
    except BoltError:
        raise StartupError(
            "Slack rejected SLACK_BOT_TOKEN (auth.test failed): check the token, or try "
            "Cercle without Slack: make demo",
            EXIT_USAGE,
        ) from None
    except OSError as error:
        raise StartupError(
            f"cannot reach Slack at {settings.slack_api_url} ({type(error).__name__}); "
            "check SLACK_API_URL and the network"
        ) from None
    try:
        runtime.dispatcher.start()
        runtime.mark_dispatcher_started()
    except SQLAlchemyError as error:
        runtime.stop()
        raise StartupError(
            f"cannot reach the database at {_safe_url(settings.database_url)}: "
            f"{type(error.orig or error).__name__}. Check DATABASE_URL "
            "(and run 'cercle db upgrade' if you use --no-migrate)."
        ) from None

    def _stop(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    import logging

    log = logging.getLogger("cercle")
    # Everything built at start-up lives as long as the process: out of the garbage
    # collector's view, a full collection costs a few ms instead of ~100, a pause any
    # request could otherwise take. (Only here, in the process's one start: frozen
    # objects are never freed.)
    gc.collect()
    gc.freeze()
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            runtime.start(serve_in_thread=True)
            log.info("Cercle is running in Socket Mode; health check on port %s", settings.port)
            SocketModeHandler(runtime.app, settings.slack_app_token).start()
        else:
            runtime.start(serve_in_thread=False)
            assert runtime.server is not None
            log.info("Cercle is listening on port %s (POST /slack/events)", runtime.server.port)
            runtime.server.serve_forever()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        runtime.stop()
    return 0


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply every database migration."""
    settings = _settings()
    _upgrade(settings)
    print(f"database at {_safe_url(settings.database_url)} is up to date")
    return 0


def _print_operations(report: OperationsReport) -> None:
    """Print the scheduler's leader, each job's last run and the latest failed rows."""
    leader = report.leader
    if leader is None:
        print("scheduler leader:   none (is the bot running?)")
    else:
        print(
            f"scheduler leader:   {leader.hostname} (pid {leader.pid}, process "
            f"{leader.process_id}) since {leader.since:%Y-%m-%d %H:%M:%S} UTC, "
            f"last heartbeat {leader.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC"
        )
    print("scheduled jobs (last run):" if report.jobs else "scheduled jobs:     none has run yet")
    width = max((len(run.job_id) for run in report.jobs), default=0)
    for run in report.jobs:
        took = run.duration_seconds
        duration = "still running" if took is None else f"{took:.1f} s"
        print(
            f"  {run.job_id:<{width}}  {run.outcome:<7}  {run.started_at:%Y-%m-%d %H:%M:%S} UTC"
            f"  ({duration}, process {run.process_id or '?'})"
        )
        if run.error:
            print(f"  {'':<{width}}  error: {run.error}")
    if not report.failed:
        print("failed deliveries:  none")
        return
    print(f"failed deliveries (latest {len(report.failed)}):")
    for row in report.failed:
        print(f"  #{row.id} {row.method} to {row.address}, {row.attempts} attempt(s): {row.error}")


def cmd_status(args: argparse.Namespace) -> int:
    """Print the queue figures, the scheduler's leader, job runs and failed deliveries."""
    from storage.db import make_engine, make_session_factory, transaction
    from storage.operations import operations_report
    from storage.outbox import outbox_report

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            report = outbox_report(db)
            operations = operations_report(db)
    except SQLAlchemyError as error:
        raise StartupError(
            f"cannot read the outbox at {_safe_url(settings.database_url)} "
            f"({type(error.orig or error).__name__}); did you run 'cercle db upgrade'?"
        ) from None
    finally:
        engine.dispose()
    age = report.oldest_pending_age_seconds
    print(f"queue depth:        {report.queue_depth}")
    for status in ("pending", "sending", "sent", "failed", "superseded"):
        print(f"{status + ':':<20}{report.by_status.get(status, 0)}")
    print(f"retried:            {report.retried}")
    print(f"in doubt:           {report.in_doubt}")
    print(f"oldest pending:     {'-' if age is None else f'{age:.1f} s'}")
    _print_operations(operations)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Play the scripted demo against the local Slack stand-in."""
    from bot.demo import run_demo

    return run_demo(keep=args.keep)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the `cercle` command."""
    parser = argparse.ArgumentParser(
        prog="cercle", description="Cercle, the community's Slack bot."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (Socket Mode or HTTP)")
    run.add_argument("--no-migrate", action="store_true", help="do not apply migrations at start")
    run.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    run.set_defaults(func=cmd_run)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations").set_defaults(func=cmd_db_upgrade)

    commands.add_parser(
        "status", help="show the delivery queue, the scheduler and failed deliveries"
    ).set_defaults(func=cmd_status)
    add_toolbox_parser(commands)
    add_survey_parser(commands)
    add_report_parser(commands)
    add_privacy_parser(commands)

    demo = commands.add_parser("demo", help="play the demo against the local Slack stand-in")
    demo.add_argument("--keep", action="store_true", help="keep the demo's temporary folder")
    demo.set_defaults(func=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the `cercle` command; problems end with one readable line, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except SettingsError as error:
        print(f"cercle: {error}", file=sys.stderr)
        return EXIT_USAGE
    except StartupError as error:
        print(f"cercle: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    sys.exit(main())
