"""`cercle survey create FILE`: a survey from a YAML file, checked line by line.

Like the toolbox commands, these report their own errors and return the exit code.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.orm import Session

EXIT_OK = 0
EXIT_USAGE = 2


def add_survey_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `survey` command and its `create` action to `commands`."""
    survey = commands.add_parser("survey", help="create a needs survey from a YAML file")
    actions = survey.add_subparsers(dest="survey_command", required=True, metavar="ACTION")
    create = actions.add_parser(
        "create",
        help="check a survey file and store it, ready to launch from Slack",
        description="Check FILE as a whole (every problem is reported with its line) and "
        "store the survey, not yet sent. Launch it in Slack with `/cercle survey launch N`.",
    )
    create.add_argument("file", type=Path, metavar="FILE", help="a .yaml or .yml file")
    create.add_argument(
        "--closes",
        metavar="WHEN",
        help="when answers close, e.g. 7d or 2026-12-15 18:00 (CERCLE_TIMEZONE)",
    )
    create.add_argument(
        "--remind", action="store_true", help="remind members who haven't answered (needs --closes)"
    )
    create.add_argument(
        "--by", metavar="USER_ID", default="cli", help="the coordinator it is created for"
    )
    create.set_defaults(func=cmd_survey_create)


def cmd_survey_create(args: argparse.Namespace) -> int:
    """Store the survey FILE describes and print its number."""
    from bot.cli import _settings
    from bot.deadlines import parse_deadline
    from bot.errors import UsageError
    from bot.i18n import t
    from bot.toolbox_cli import _with_database
    from storage.models import utcnow
    from storage.survey_io import SurveyFileError, load_survey_file
    from storage.surveys import create_survey

    settings = _settings()
    try:
        spec = load_survey_file(args.file)
    except SurveyFileError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(
            f"cercle: {count} problem{'s' if count > 1 else ''} in {args.file}; "
            "no survey was created",
            file=sys.stderr,
        )
        return EXIT_USAGE
    closes_at = None
    if args.closes:
        try:
            closes_at = parse_deadline(args.closes, now=utcnow(), timezone=settings.timezone)
        except UsageError as error:
            message = t(error.message_key, "en", **error.values)
            print(f"cercle: --closes: {message}", file=sys.stderr)
            return EXIT_USAGE
    if args.remind and closes_at is None:
        print("cercle: --remind needs --closes (the reminder goes before it)", file=sys.stderr)
        return EXIT_USAGE

    def work(db: Session) -> str:
        survey = create_survey(
            db, spec, created_by=args.by, closes_at=closes_at, remind=args.remind
        )
        return (
            f"created survey #{survey.id} ({len(spec.questions)} questions); "
            f"launch it in Slack with: /cercle survey launch {survey.id}"
        )

    return _with_database(work, doing="create a survey in", what="the database")
