"""The `/cercle` slash command: parse the subcommand, check the role, answer ephemerally."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.app import SUBCOMMAND, CercleApp
from bot.commands import Subcommand, SubcommandCall, split_command_text
from bot.config import Settings
from bot.i18n import t
from bot.ids import SLASH_COMMAND
from bot.roles import require_role, role_of
from bot.ui.common import escape_mrkdwn
from bot.ui.help import build_help_message


def register(app: CercleApp) -> None:
    """Listen to `/cercle`."""

    def handle_cercle_command(
        ack: Ack, command: dict[str, Any], client: WebClient, context: Any, db: Session
    ) -> None:
        settings: Settings = context["settings"]
        language: str = context["language"]
        user_id = command.get("user_id", "")
        typed = (command.get("text") or "").split(maxsplit=1)
        # A usage error shows this subcommand's usage (even one in splitting the words).
        context[SUBCOMMAND] = app.subcommands.get(typed[0].lower()) if typed else None
        words = split_command_text(command.get("text") or "")
        name = words[0].lower() if words else "help"
        subcommand = app.subcommands.get(name)
        if subcommand is None:
            notice = t("error.unknown_command", language, command=escape_mrkdwn(words[0][:50]))
            available = visible_subcommands(app, db, settings, user_id)
            ack(response_type="ephemeral", **build_help_message(available, language, notice=notice))
            return
        context[SUBCOMMAND] = subcommand
        # The one check for every subcommand and part, declared where it was registered.
        require_role(db, settings, user_id, subcommand.role_for(words[1:]))
        reply = subcommand.handler(
            SubcommandCall(
                db=db,
                client=client,
                settings=settings,
                user_id=user_id,
                channel_id=command.get("channel_id", ""),
                language=language,
                args=words[1:],
                trigger_id=command.get("trigger_id"),
                body=command,
            )
        )
        if reply is None:
            ack()
        else:
            ack(response_type="ephemeral", **reply)

    app.command(SLASH_COMMAND)(handle_cercle_command)


def visible_subcommands(
    app: CercleApp, db: Session, settings: Settings, user_id: str
) -> list[Subcommand]:
    """Return the subcommands `user_id` may use, as their role sees them, for the help."""
    role = role_of(db, settings, user_id)
    return [sub.as_seen_by(role) for sub in app.subcommands.all() if role.includes(sub.role)]
