"""`/cercle my-data`, `/cercle forget-me` and `/cercle tracking`: every member's privacy."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from sqlalchemy.orm import Session

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.errors import UsageError
from bot.forms import open_modal, selected_values, view_values
from bot.ids import Block, View
from bot.privacy import forget_member, send_member_data
from bot.ui import privacy as ui
from storage.privacy import set_tracking, tracking_is_off


def register(app: CercleApp) -> None:
    """Add the privacy subcommands (for every member) and the forget-me modal."""

    def send_my_data(call: SubcommandCall) -> dict[str, Any]:
        send_member_data(call.db, call.settings, call.user_id, language=call.language)
        return ui.build_my_data_answer(call.language)

    def ask_to_forget(call: SubcommandCall) -> None:
        open_modal(call.client, call.trigger_id, ui.build_forget_modal(call.language))

    def handle_forget_me(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any, db: Session
    ) -> None:
        # Whoever submits is whoever is erased: nobody can forget someone else from Slack.
        user_id = body["user"]["id"]
        chosen = selected_values(view_values(view), Block.FORGET_TRACKING)
        stop_tracking = ui.STOP_TRACKING in chosen
        forget_member(db, context["settings"], user_id, stop_tracking=stop_tracking)
        # The answer reaches Slack only once the erasure is committed (see CercleApp).
        ack(
            response_action="update",
            view=ui.build_forgotten_view(context["language"], tracking_off=stop_tracking),
        )

    def manage_tracking(call: SubcommandCall) -> dict[str, Any]:
        if not call.args:
            return ui.build_tracking_message(
                off=tracking_is_off(call.db, call.user_id), language=call.language
            )
        word = call.args[0].lower()
        if len(call.args) != 1 or word not in ("on", "off"):
            raise UsageError("privacy.tracking.usage")
        set_tracking(call.db, call.user_id, off=word == "off")
        return ui.build_tracking_message(off=word == "off", language=call.language, changed=True)

    app.view(View.FORGET_ME.value)(handle_forget_me)
    app.subcommands.add(
        Subcommand(name="my-data", help_key="help.cmd.my_data", handler=send_my_data)
    )
    app.subcommands.add(
        Subcommand(name="forget-me", help_key="help.cmd.forget_me", handler=ask_to_forget)
    )
    app.subcommands.add(
        Subcommand(
            name="tracking",
            help_key="help.cmd.tracking",
            handler=manage_tracking,
            usage="[on|off]",
        )
    )
