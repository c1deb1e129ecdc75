"""`cercle toolbox import FILE` and `cercle toolbox export FILE`: the toolbox in bulk.

These functions report their own errors and return the exit code instead of raising
`bot.cli.StartupError`: run as `python -m bot.cli`, that module is `__main__`, and an
exception class imported from `bot.cli` here would not be the one `main` catches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

EXIT_OK = 0
EXIT_FAILURE = 1  # the database could not be reached or written
EXIT_USAGE = 2  # the person's mistake: a bad file, an unwritable path


def add_toolbox_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `toolbox` command and its `import` and `export` actions to `commands`."""
    toolbox = commands.add_parser("toolbox", help="import or export the shared toolbox")
    actions = toolbox.add_subparsers(dest="toolbox_command", required=True, metavar="ACTION")

    load = actions.add_parser(
        "import",
        help="add or update toolbox items from a .yaml, .yml or .csv file",
        description="Add or update toolbox items, matched by key. The whole file is checked "
        "first: if anything is wrong, nothing is imported.",
    )
    load.add_argument("file", type=Path, metavar="FILE", help="a .yaml, .yml or .csv file")
    load.set_defaults(func=cmd_toolbox_import)

    save = actions.add_parser(
        "export",
        help="write every toolbox item to a .yaml, .yml or .csv file",
        description="Write every toolbox item, retired ones included, to FILE (replaced if "
        "it exists), in a form `cercle toolbox import` reads back.",
    )
    save.add_argument("file", type=Path, metavar="FILE", help="a .yaml, .yml or .csv file")
    save.set_defaults(func=cmd_toolbox_export)


def cmd_toolbox_import(args: argparse.Namespace) -> int:
    """Import FILE into the toolbox and print how many items were created, updated, skipped."""
    from storage.toolbox_io import ToolboxFileError, import_items, parse_file

    # The file is checked before the database is touched: its mistakes are reported
    # even when the database is down.
    try:
        items = parse_file(args.file)
    except ToolboxFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(
            f"cercle: {count} problem{'s' if count > 1 else ''} in {args.file}; "
            "nothing was imported",
            file=sys.stderr,
        )
        return EXIT_USAGE

    def work(db: Session) -> str:
        return str(import_items(db, items))

    return _with_database(work, doing="import into")


def cmd_toolbox_export(args: argparse.Namespace) -> int:
    """Write every toolbox item to FILE, in the format its extension names."""
    from storage.toolbox_io import ToolboxFileError, export_items, file_format

    try:
        file_format(args.file)
    except ToolboxFileError as error:
        print(f"cercle: {error.problems[0]}", file=sys.stderr)
        return EXIT_USAGE

    def work(db: Session) -> str:
        count = export_items(db, args.file)
        return f"exported {count} item{'s' if count != 1 else ''} to {args.file}"

    return _with_database(work, doing="export from")


def _with_database(work: Callable[[Session], str], *, doing: str, what: str = "the toolbox") -> int:
    """Run `work(session)` in one transaction, print its line; say what failed otherwise."""
    # Imported here so that bot.cli can import this module at its top without a cycle.
    from bot.cli import _safe_url, _settings
    from storage.db import make_engine, make_session_factory, transaction

    settings = _settings()
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            line = work(db)
    except IntegrityError:
        # Another import or a coordinator created one of the same keys meanwhile.
        print(
            "cercle: the toolbox changed during the import; nothing was imported, try again",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except SQLAlchemyError as error:
        print(
            f"cercle: cannot {doing} {what} at {_safe_url(settings.database_url)} "
            f"({type(getattr(error, 'orig', None) or error).__name__}); check DATABASE_URL "
            "and run 'cercle db upgrade'",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    except OSError as error:
        # Only the export writes a file; the transaction was read-only, nothing is lost.
        print(f"cercle: cannot write {error.filename}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        engine.dispose()
    print(line)
    return EXIT_OK
