"""`/cercle status`: the delivery queue, the scheduler and its jobs, for coordinators."""

from __future__ import annotations

from typing import Any

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.ui.status import build_status_message
from storage.operations import operations_report
from storage.outbox import outbox_report


def register(app: CercleApp) -> None:
    """Add the coordinators' `status` subcommand."""

    def show_status(call: SubcommandCall) -> dict[str, Any]:
        return build_status_message(
            outbox_report(call.db),
            call.language,
            operations_report(call.db),
            timezone=call.settings.timezone,
        )

    app.subcommands.add(
        Subcommand(
            name="status",
            help_key="help.cmd.status",
            handler=show_status,
            coordinators_only=True,
        )
    )
