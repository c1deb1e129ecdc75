"""`/cercle help`: what this member can do, in their language."""

from __future__ import annotations

from typing import Any

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.roles import role_of
from bot.ui.help import build_help_message
from bot.ui.roles import role_name


def register(app: CercleApp) -> None:
    """Add the `help` subcommand."""

    def show_help(call: SubcommandCall) -> dict[str, Any]:
        from handlers.commands import visible_subcommands

        available = visible_subcommands(app, call.db, call.settings, call.user_id)
        role = role_of(call.db, call.settings, call.user_id)
        return build_help_message(available, call.language, role=role_name(role, call.language))

    app.subcommands.add(Subcommand(name="help", help_key="help.cmd.help", handler=show_help))
