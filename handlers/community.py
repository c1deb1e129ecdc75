"""`/cercle purpose` and `/cercle interests`: what coordinators maintain for newcomers."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from sqlalchemy.orm import Session

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall, readable_text
from bot.errors import UsageError
from bot.forms import input_text, open_modal, view_values
from bot.i18n import t
from bot.ids import Block, View
from bot.onboarding import community_purpose
from bot.roles import Role
from bot.ui import community as ui
from bot.ui.common import escape_mrkdwn, section
from storage.community import PURPOSE, add_interest, get_text, retire_interest, save_text
from storage.onboarding import active_interests

LABEL_MAX_LENGTH = 75


def register(app: CercleApp) -> None:
    """Add the `purpose` and `interests` subcommands and the purpose modal."""

    def show_purpose(call: SubcommandCall) -> dict[str, Any] | None:
        if call.args and call.args[0].lower() == "edit":
            edited = get_text(call.db, PURPOSE)
            open_modal(
                call.client,
                call.trigger_id,
                ui.build_purpose_modal(
                    edited.text_fr if edited else t("purpose.default", "fr"),
                    edited.text_en if edited else t("purpose.default", "en"),
                    call.language,
                ),
            )
            return None
        return ui.build_purpose_message(community_purpose(call.db, call.language), call.language)

    def handle_purpose_edit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any, db: Session
    ) -> None:
        author = body["user"]["id"]
        values = view_values(view)
        text_fr = input_text(values, Block.PURPOSE_FR)[: ui.PURPOSE_MAX_LENGTH]
        text_en = input_text(values, Block.PURPOSE_EN)[: ui.PURPOSE_MAX_LENGTH]
        if not text_fr or not text_en:
            empty = Block.PURPOSE_FR if not text_fr else Block.PURPOSE_EN
            ack(
                response_action="errors",
                errors={empty: t("purpose.required", context["language"])},
            )
            return
        save_text(db, PURPOSE, text_fr=text_fr, text_en=text_en, author_id=author)
        ack()

    def manage_interests(call: SubcommandCall) -> dict[str, Any]:
        action = call.args[0].lower() if call.args else ""
        if not action:
            return ui.build_interests_message(active_interests(call.db), call.language)
        if action == "add" and len(call.args) == 3:
            label_fr, label_en = (readable_text(label).strip() for label in call.args[1:3])
            if 0 < len(label_fr) <= LABEL_MAX_LENGTH and 0 < len(label_en) <= LABEL_MAX_LENGTH:
                topic = add_interest(call.db, label_fr=label_fr, label_en=label_en)
                label = topic.label_fr if call.language == "fr" else topic.label_en
                text = t(
                    "interests.added", call.language, label=escape_mrkdwn(label), key=topic.key
                )
                return {"text": text, "blocks": [section(text)]}
        if action == "remove" and len(call.args) == 2:
            key = call.args[1].strip().lower()
            if not retire_interest(call.db, key):
                raise UsageError("interests.unknown_key", key=escape_mrkdwn(key[:64]))
            text = t("interests.removed", call.language, key=key)
            return {"text": text, "blocks": [section(text)]}
        raise UsageError("interests.usage")

    app.view(View.PURPOSE_EDIT.value, role=Role.COORDINATOR)(handle_purpose_edit)
    app.subcommands.add(
        Subcommand(
            name="purpose",
            help_key="help.cmd.purpose",
            handler=show_purpose,
            part_roles={"edit": Role.COORDINATOR},
            coordinator_usage="[edit]",
            coordinator_help_key="help.cmd.purpose_admin",
        )
    )
    app.subcommands.add(
        Subcommand(
            name="interests",
            help_key="help.cmd.interests",
            handler=manage_interests,
            part_roles={"add": Role.COORDINATOR, "remove": Role.COORDINATOR},
            coordinator_usage="[add|remove]",
            coordinator_help_key="help.cmd.interests_admin",
        )
    )
