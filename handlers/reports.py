"""`/cercle stats` (coordinators) and `/cercle me` (everyone): participation at a glance."""

from __future__ import annotations

from typing import Any

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.levels import level_policy
from bot.reports import community_stats, member_record, parse_period
from bot.ui.reports import build_me_message, build_stats_message


def register(app: CercleApp) -> None:
    """Add the `stats` and `me` subcommands."""

    def show_stats(call: SubcommandCall) -> dict[str, Any]:
        days = parse_period(call.args)
        stats = community_stats(call.db, call.settings, days=days)
        return build_stats_message(stats, call.language)

    def show_me(call: SubcommandCall) -> dict[str, Any]:
        record = member_record(call.db, call.settings, call.user_id)
        return build_me_message(record, level_policy(call.settings), call.language)

    app.subcommands.add(
        Subcommand(
            name="stats",
            help_key="help.cmd.stats",
            handler=show_stats,
            coordinators_only=True,
            usage="[30d|90d|all]",
        )
    )
    app.subcommands.add(Subcommand(name="me", help_key="help.cmd.me", handler=show_me))
