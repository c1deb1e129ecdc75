"""`cercle forget USER_ID` and `cercle my-data USER_ID`: the data protection officer's tools.

Requests under the GDPR do not always come through Slack: these act on any member's
data from the server. Like the toolbox commands, they report their own errors and
return the exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

EXIT_OK = 0
EXIT_FAILURE = 1  # the database could not be reached, or the erasure was not confirmed
EXIT_USAGE = 2


def add_privacy_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `forget` and `my-data` commands to `commands`."""
    forget = commands.add_parser(
        "forget",
        help="erase everything Cercle stores about a member (right to erasure)",
        description="Erase a member as `/cercle forget-me` does, in one transaction, and "
        "print what changed in each table. Their activity from now on is counted "
        "anonymously unless --keep-tracking. Asks for confirmation unless --yes.",
    )
    forget.add_argument("user_id", metavar="USER_ID", help="the member's Slack id (U0123ABCD)")
    forget.add_argument("--yes", action="store_true", help="erase without asking")
    forget.add_argument(
        "--keep-tracking",
        action="store_true",
        help="count their future activity by name again (default: anonymously only)",
    )
    forget.set_defaults(func=cmd_forget)

    export = commands.add_parser(
        "my-data",
        help="print everything Cercle stores about a member, as JSON (right of access)",
        description="Print the JSON document `/cercle my-data` sends a member by DM.",
    )
    export.add_argument("user_id", metavar="USER_ID", help="the member's Slack id (U0123ABCD)")
    export.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    export.set_defaults(func=cmd_my_data)


def _checked_user_id(user_id: str) -> str | None:
    from storage.privacy import USER_ID

    user_id = user_id.strip().upper()
    if USER_ID.match(user_id):
        return user_id
    print(f"cercle: {user_id!r} is not a Slack user id like U0123ABCD", file=sys.stderr)
    return None


def _confirmed(user_id: str) -> bool:
    """Ask on the terminal (or read a line from stdin) whether to go ahead."""
    try:
        answer = input(
            f"Erase everything Cercle stores about {user_id}? This cannot be undone. [y/N] "
        )
    except EOFError:
        answer = ""
    return answer.strip().lower() in ("y", "yes", "o", "oui")


def cmd_forget(args: argparse.Namespace) -> int:
    """Erase the member and print what changed, table by table."""
    from bot.cli import _safe_url, _settings
    from bot.privacy import forget_member
    from storage.db import make_engine, make_session_factory, transaction
    from storage.privacy import documented_remnants, find_remnants

    user_id = _checked_user_id(args.user_id)
    if user_id is None:
        return EXIT_USAGE
    if not args.yes and not _confirmed(user_id):
        print("nothing was erased")
        return EXIT_FAILURE
    settings = _settings()
    stop_tracking = not args.keep_tracking
    engine = make_engine(settings.database_url)
    try:
        factory = make_session_factory(engine)
        with transaction(factory) as db:
            erasure = forget_member(db, settings, user_id, stop_tracking=stop_tracking)
        with transaction(factory) as db:
            remnants = find_remnants(db, user_id)
    except SQLAlchemyError as error:
        print(
            f"cercle: cannot erase the member in the database at "
            f"{_safe_url(settings.database_url)} "
            f"({type(getattr(error, 'orig', None) or error).__name__}); nothing was erased. "
            "Check DATABASE_URL and run 'cercle db upgrade'",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        engine.dispose()
    if not erasure.changes:
        print(f"Cercle stored nothing about {user_id}")
    else:
        print(f"erased {user_id}:")
        print("\n".join(erasure.summary_lines()))
    if erasure.polls_to_refresh:
        print(f"poll messages re-rendered without them: {len(erasure.polls_to_refresh)}")
    allowed = documented_remnants(user_id, tracking_off=stop_tracking)
    kept = sorted(f"{r.table}.{r.column}" for r in remnants if (r.table, r.column) in allowed)
    if kept:
        print(f"kept under their id on purpose: {', '.join(kept)}")
    others = [r for r in remnants if (r.table, r.column) not in allowed]
    if others:
        # Text someone else wrote that mentions them (a poll question, an answer): not
        # Cercle's to rewrite; the officer decides.
        print("still mentioned in text written by others (review by hand):")
        for remnant in others:
            print(f"  {remnant.table}.{remnant.column}: {remnant.rows} row(s)")
    return EXIT_OK


def cmd_my_data(args: argparse.Namespace) -> int:
    """Print (or write) the member's data as JSON."""
    from bot.cli import _settings
    from bot.privacy import member_data_document
    from bot.toolbox_cli import _with_database

    user_id = _checked_user_id(args.user_id)
    if user_id is None:
        return EXIT_USAGE
    settings = _settings()

    def work(db: Session) -> str:
        document = member_data_document(db, settings, user_id, language=settings.language)
        text = json.dumps(document, ensure_ascii=False, indent=2)
        if args.out is None:
            return text
        args.out.write_text(text + "\n", encoding="utf-8")
        return f"wrote the data of {user_id} to {args.out}"

    return _with_database(work, doing="read members' data from", what="the database")
