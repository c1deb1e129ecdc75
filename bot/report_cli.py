"""`cercle report`: the participation figures of `/cercle stats`, as a table, CSV or JSON.

Like the toolbox commands, this reports its own errors and returns the exit code.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sqlalchemy.orm import Session

EXIT_OK = 0
EXIT_USAGE = 2
FORMATS = ("table", "csv", "json")
CSV_HEADER = (
    "section",
    "key",
    "name",
    "count",
    "share",
    "median_delay_hours",
    "points",
    "level",
    "messages",
    "replies",
    "reactions",
)


def _days(raw: str) -> int | None:
    """Read `--days`: a whole number of days from 1 to 3650, or `all`."""
    from bot.reports import MAX_PERIOD_DAYS

    if raw.strip().lower() == "all":
        return None
    if not raw.strip().isdigit() or not 1 <= int(raw) <= MAX_PERIOD_DAYS:
        raise argparse.ArgumentTypeError(f"expected 1 to {MAX_PERIOD_DAYS} days or 'all'")
    return int(raw)


def add_report_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `report` command to `commands`."""
    report = commands.add_parser(
        "report",
        help="print participation figures (levels, funnel, channels, who went quiet)",
        description="Print what `/cercle stats` shows: members by level, the onboarding "
        "funnel, the most active members, channels' activity and members who just went quiet.",
    )
    report.add_argument(
        "--days",
        type=_days,
        default=30,
        metavar="N",
        help="the period in days, or 'all' (default 30)",
    )
    report.add_argument("--format", choices=FORMATS, default="table", help="default: table")
    report.set_defaults(func=cmd_report)


def _hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.1f}"


def csv_rows(data: dict[str, Any]) -> list[list[Any]]:
    """Return the figures as rows under `CSV_HEADER` (one section per row group)."""
    blank = [""] * len(CSV_HEADER)

    def row(**cells: Any) -> list[Any]:
        values = list(blank)
        for name, value in cells.items():
            values[CSV_HEADER.index(name)] = "" if value is None else value
        return values

    rows = [row(section="members", key="total", count=data["members"])]
    rows += [
        row(section="levels", key=level, count=count) for level, count in data["levels"].items()
    ]
    rows += [
        row(
            section="funnel",
            key=step["step"],
            count=step["count"],
            share=step["share"],
            median_delay_hours=step["median_delay_hours"],
        )
        for step in data["funnel"]
    ]
    for section in ("top_members", "went_quiet", "below_minimum"):
        rows += [
            row(
                section=section,
                key=person["user_id"],
                name=person["name"],
                points=person["points"],
                level=person["level"],
            )
            for person in data[section]
        ]
    rows += [
        row(
            section="channels",
            key=channel["channel_id"],
            count=channel["total"],
            messages=channel["messages"],
            replies=channel["replies"],
            reactions=channel["reactions"],
        )
        for channel in data["channels"]
    ]
    rows.append(row(section="anonymous_acts", key="total", count=data["anonymous_acts"]))
    return rows


def table_text(data: dict[str, Any]) -> str:
    """Return the figures as aligned plain text for a terminal."""
    period = (
        "since the beginning"
        if data["period_days"] is None
        else (f"last {data['period_days']} days")
    )
    lines = [f"Participation, {period} (levels over {data['level_window_days']} days)", ""]
    lines.append(f"members:            {data['members']}")
    for level, count in data["levels"].items():
        lines.append(f"  {level + ':':<18}{count}")
    lines += ["", "onboarding funnel   count   share   median delay"]
    for step in data["funnel"]:
        delay = step["median_delay_hours"]
        lines.append(
            f"  {step['step']:<18}{step['count']:>5}  {step['share'] * 100:>5.1f}%   "
            f"{'-' if delay is None else f'{delay:.1f} h'}"
        )
    lines += ["", "most active members"]
    for person in data["top_members"]:
        label = f"{person['user_id']} ({person['name']})" if person["name"] else person["user_id"]
        lines.append(f"  {label:<40}{person['points']:>6} points  {person['level']}")
    lines += ["", "channels            total  messages  replies  reactions"]
    for channel in data["channels"]:
        lines.append(
            f"  {channel['channel_id']:<16}{channel['total']:>7}{channel['messages']:>10}"
            f"{channel['replies']:>9}{channel['reactions']:>11}"
        )
    for section, title in (
        ("went_quiet", "just went quiet"),
        ("below_minimum", "below the minimum"),
    ):
        people = data[section]
        lines += ["", f"{title}: {len(people)}"]
        lines += [
            f"  {p['user_id']} ({p['name']})" if p["name"] else f"  {p['user_id']}" for p in people
        ]
    lines += ["", f"anonymous acts:     {data['anonymous_acts']}"]
    return "\n".join(lines)


def cmd_report(args: argparse.Namespace) -> int:
    """Print the participation figures in the chosen format."""
    from bot.cli import _settings
    from bot.reports import community_stats, stats_as_dict
    from bot.toolbox_cli import _with_database
    from storage.csv_export import to_csv

    settings = _settings()

    def work(db: Session) -> str:
        data = stats_as_dict(community_stats(db, settings, days=args.days))
        if args.format == "json":
            return json.dumps(data, ensure_ascii=False, indent=2)
        if args.format == "csv":
            return to_csv(CSV_HEADER, csv_rows(data)).rstrip("\r\n")
        return table_text(data)

    code = _with_database(work, doing="read participation from", what="the database")
    sys.stdout.flush()
    return code
