"""Onboarding: newcomers, the welcome buttons and modals, greeters, and `/cercle rules`."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import onboarding as flows
from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.config import Settings
from bot.errors import UsageError
from bot.forms import input_text, open_modal, reply_privately, selected_values, view_values
from bot.i18n import t
from bot.ids import Action, Block, View
from bot.roles import Role
from bot.ui import onboarding as ui
from bot.ui.common import escape_mrkdwn
from handlers.participation import is_person, slack_time
from storage.charter import (
    HOPES_MAX_LENGTH,
    binding_version,
    charter_history,
    charter_standing,
    current_charter,
    has_accepted_current,
    latest_acceptance,
)
from storage.csv_export import to_csv
from storage.members import get_member
from storage.models import utcnow
from storage.onboarding import (
    active_interests,
    charter_overview,
    note_channel_join,
    note_leave,
    note_not_now,
)
from storage.outbox import enqueue_file

logger = logging.getLogger(__name__)


def _private_metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}


def _private_version(view: dict[str, Any]) -> int | None:
    version = _private_metadata(view).get("v")
    return version if isinstance(version, int) else None


def _should_skip(db: Session, settings: Settings, user_id: str, bot_user_id: str | None) -> bool:
    """Tell whether `user_id` is not someone to welcome (a bot, a guest, a deactivated account)."""
    if not user_id or user_id in (bot_user_id, "USLACKBOT"):
        return True
    member = get_member(db, user_id)
    if member is None:
        return False
    return member.is_bot or member.is_deleted or (member.is_guest and not settings.greet_guests)


def charter_export_csv(db: Session, overview: list[Any]) -> str:
    """Return the charter standing of every member as CSV."""
    rows = []
    for entry in overview:
        member = get_member(db, entry.user_id)
        rows.append(
            [
                entry.user_id,
                member.display_name if member and member.display_name else "",
                entry.status,
                entry.accepted_version or "",
                entry.accepted_at.isoformat() if entry.accepted_at else "",
                entry.welcomed_at.isoformat() if entry.welcomed_at else "",
                entry.reminders_sent,
                entry.greeter_id or "",
            ]
        )
    header = [
        "user_id",
        "name",
        "status",
        "accepted_version",
        "accepted_at",
        "welcomed_at",
        "reminders_sent",
        "greeter",
    ]
    return to_csv(header, rows)


def _still_acceptable(db: Session, version: int) -> bool:
    """Tell whether accepting `version` still counts (no later version asked again)."""
    return binding_version(db) <= version <= current_charter(db).version


def _current_charter_modal(db: Session, language: str) -> dict[str, Any]:
    """Return the modal of the charter in force, saying it changed since last seen."""
    return ui.build_charter_modal(
        current_charter(db), language, can_accept=True, notice=t("charter.newer_notice", language)
    )


def _asks_join_questions(db: Session, settings: Settings, user_id: str) -> bool:
    """Ask "why are you joining?" on a first acceptance only, unless the setting is off."""
    return settings.join_questions != "off" and latest_acceptance(db, user_id) is None


def register(app: CercleApp) -> None:
    """Listen to joins and leaves, the welcome buttons and modals, and add `/cercle rules`."""

    def handle_member_joined_channel(event: dict[str, Any], context: Any, db: Session) -> None:
        settings: Settings = context["settings"]
        if event.get("channel") != settings.community_channel:
            return
        user_id = str(event.get("user") or "")
        if is_person(db, user_id, context):
            moment = event.get("event_ts")
            note_channel_join(
                db,
                user_id,
                channel_id=settings.community_channel,
                moment=moment,
                now=slack_time(moment),
            )
        if _should_skip(db, settings, user_id, context.get("bot_user_id")):
            return
        flows.welcome_newcomer(db, settings, user_id)

    def handle_team_join(event: dict[str, Any], context: Any, db: Session) -> None:
        settings: Settings = context["settings"]
        if settings.onboarding_scope != "workspace":
            return
        user = event.get("user") or {}
        user_id = str(user.get("id") if isinstance(user, dict) else user)
        if _should_skip(db, settings, user_id, context.get("bot_user_id")):
            return
        flows.welcome_newcomer(db, settings, user_id)

    def handle_member_left_channel(event: dict[str, Any], context: Any, db: Session) -> None:
        channel = context["settings"].community_channel
        user_id = str(event.get("user") or "")
        if event.get("channel") == channel and is_person(db, user_id, context):
            moment = event.get("event_ts")
            note_leave(db, user_id, channel_id=channel, moment=moment, now=slack_time(moment))

    def handle_charter_read(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        language = context["language"]
        clicked = ui.parse_button_value(action.get("value"))
        charter = current_charter(db)
        notice = None
        if clicked is not None and clicked[0] < charter.version:
            notice = t("charter.newer_notice", language)
        covered = has_accepted_current(db, body["user"]["id"])
        view = ui.build_charter_modal(charter, language, can_accept=not covered, notice=notice)
        open_modal(client, body.get("trigger_id"), view)

    def handle_charter_accept(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        settings: Settings = context["settings"]
        language = context["language"]
        clicker = body["user"]["id"]
        clicked = ui.parse_button_value(action.get("value"))
        if clicked is None:
            raise UsageError("accept.not_yours")
        version, meant_for = clicked
        if meant_for != clicker:
            reply_privately(respond, t("accept.not_yours", language))
            return
        if has_accepted_current(db, clicker):
            reply_privately(respond, t("accept.already", language))
            return
        if not _still_acceptable(db, version):
            # The member saw a version that no longer counts: show the one in force.
            open_modal(client, body.get("trigger_id"), _current_charter_modal(db, language))
            return
        if not _asks_join_questions(db, settings, clicker):
            flows.accept_charter(
                db, settings, user_id=clicker, version=version, answers=flows.JoinAnswers()
            )
            return
        view = ui.build_join_questions_modal(
            version=version,
            interests=active_interests(db),
            language=language,
            required=settings.join_questions == "required",
        )
        open_modal(client, body.get("trigger_id"), view)

    def handle_charter_not_now(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        clicked = ui.parse_button_value(action.get("value"))
        if clicked is not None and clicked[1] == body["user"]["id"]:
            note_not_now(db, clicked[1])
        reply_privately(respond, t("accept.not_now", context["language"]))

    def handle_charter_modal(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any, db: Session
    ) -> None:
        settings: Settings = context["settings"]
        user_id = body["user"]["id"]
        version = _private_version(view) or current_charter(db).version
        if has_accepted_current(db, user_id):
            ack()
            return
        if not _still_acceptable(db, version):
            ack(response_action="update", view=_current_charter_modal(db, context["language"]))
            return
        if not _asks_join_questions(db, settings, user_id):
            flows.accept_charter(
                db, settings, user_id=user_id, version=version, answers=flows.JoinAnswers()
            )
            ack()
            return
        ack(
            response_action="update",
            view=ui.build_join_questions_modal(
                version=version,
                interests=active_interests(db),
                language=context["language"],
                required=settings.join_questions == "required",
            ),
        )

    def handle_join_questions(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any, db: Session
    ) -> None:
        settings: Settings = context["settings"]
        language = context["language"]
        values = view_values(view)
        hopes = input_text(values, Block.JOIN_HOPES)
        errors: dict[str, str] = {}
        if len(hopes) > HOPES_MAX_LENGTH:
            errors[Block.JOIN_HOPES] = t("join.hopes_too_long", language, max=HOPES_MAX_LENGTH)
        elif not hopes and settings.join_questions == "required":
            errors[Block.JOIN_HOPES] = t("join.hopes_required", language)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        version = _private_version(view) or current_charter(db).version
        if not _still_acceptable(db, version):
            ack(response_action="update", view=_current_charter_modal(db, language))
            return
        answers = flows.JoinAnswers(
            hopes=hopes or None,
            interests=tuple(selected_values(values, Block.JOIN_INTERESTS)),
            may_introduce=selected_values(values, Block.JOIN_INTRODUCE) == ["yes"],
        )
        flows.accept_charter(
            db, settings, user_id=body["user"]["id"], version=version, answers=answers
        )
        ack()

    def handle_claim_newcomer(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        language = context["language"]
        greeter = body["user"]["id"]
        newcomer_id = str(action.get("value") or "")
        holder = flows.claim_for_greeting(
            db, context["settings"], user_id=newcomer_id, greeter_id=greeter
        )
        if holder is None:
            return
        key = "claim.done" if holder == greeter else "claim.already"
        reply_privately(respond, t(key, language, user=newcomer_id, greeter=holder))

    def handle_charter_edit(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any, db: Session
    ) -> None:
        settings: Settings = context["settings"]
        author = body["user"]["id"]
        values = view_values(view)
        layout = _private_metadata(view)
        current = current_charter(db)
        if layout.get("v") != current.version:
            # Someone published since this form was opened: saving it would silently
            # undo their version.
            ack(
                response_action="errors",
                errors={
                    ui.edit_block_id("fr", 1): t(
                        "edit.stale", context["language"], version=current.version
                    )
                },
            )
            return
        texts = {}
        for language in ("fr", "en"):
            cut = layout.get(language) or {}
            count = int(cut.get("parts") or ui.MAX_EDIT_PARTS)
            parts = [
                input_text(values, ui.edit_block_id(language, n), strip=False)
                for n in range(1, min(count, ui.MAX_EDIT_PARTS) + 1)
            ]
            texts[language] = ui.join_parts(parts, list(cut.get("seps") or []))
        summaries = {
            "fr": input_text(values, Block.CHARTER_SUMMARY_FR),
            "en": input_text(values, Block.CHARTER_SUMMARY_EN),
        }
        blank = [
            block
            for language, summary in (
                ("fr", Block.CHARTER_SUMMARY_FR),
                ("en", Block.CHARTER_SUMMARY_EN),
            )
            for block, text in (
                (ui.edit_block_id(language, 1), texts[language]),
                (summary, summaries[language]),
            )
            if not text.strip()
        ]
        if blank:
            # A charter is shown in both languages: neither may be published empty.
            message = t("edit.blank", context["language"])
            ack(response_action="errors", errors=dict.fromkeys(blank, message))
            return
        if (
            texts["fr"] == current.text_fr
            and texts["en"] == current.text_en
            and summaries["fr"] == current.summary_fr.strip()
            and summaries["en"] == current.summary_en.strip()
        ):
            ack(
                response_action="errors",
                errors={ui.edit_block_id("fr", 1): t("edit.unchanged", context["language"])},
            )
            return
        flows.publish_new_charter(
            db,
            settings,
            author_id=author,
            text_fr=texts["fr"],
            text_en=texts["en"],
            summary_fr=summaries["fr"],
            summary_en=summaries["en"],
            requires_reacceptance=selected_values(values, Block.CHARTER_REACCEPT) == ["yes"],
        )
        ack()

    def show_rules(call: SubcommandCall) -> dict[str, Any] | None:
        sub = call.args[0].lower() if call.args else ""
        if sub == "history":
            return ui.build_history_message(charter_history(call.db), call.language)
        if sub == "edit":
            open_modal(
                call.client,
                call.trigger_id,
                ui.build_charter_edit_modal(current_charter(call.db), call.language),
            )
            return None
        if sub == "status":
            return ui.build_charter_status_message(
                charter_overview(call.db),
                version=binding_version(call.db),
                now=utcnow(),
                language=call.language,
            )
        if sub:
            raise UsageError("rules.unknown", sub=escape_mrkdwn(sub[:30]))
        charter = current_charter(call.db)
        accepted, covered = charter_standing(call.db, call.user_id)
        date_format = "%d/%m/%Y" if call.language == "fr" else "%Y-%m-%d"
        return ui.build_rules_message(
            charter=charter,
            user_id=call.user_id,
            accepted_version=accepted.version if accepted else None,
            accepted_date=accepted.accepted_at.strftime(date_format) if accepted else None,
            covered=covered,
            language=call.language,
        )

    def handle_charter_export(
        ack: Ack,
        body: dict[str, Any],
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        language = context["language"]
        user_id = body["user"]["id"]
        version = binding_version(db)
        content = charter_export_csv(db, charter_overview(db))
        # Through the outbox, as every other file: the upload survives a 429 or a
        # restart, and the click is answered without waiting on three calls to Slack.
        enqueue_file(
            db,
            key=f"charter:export:{user_id}:{utcnow():%Y%m%dT%H%M%S%f}",
            address=user_id,
            filename=f"charter-v{version}-{utcnow():%Y%m%d}.csv",
            content=content.encode("utf-8"),
            title=t("rules.export_comment", language, version=version),
        )
        reply_privately(respond, t("rules.export_sent", language))

    app.event("member_joined_channel")(handle_member_joined_channel)
    # Roles are checked at the click or submission: a button may sit in an old or
    # forwarded message, a form may have been opened before the role was revoked.
    app.action(Action.CHARTER_EXPORT.value, role=Role.COORDINATOR)(handle_charter_export)
    app.event("member_left_channel")(handle_member_left_channel)
    app.event("team_join")(handle_team_join)
    app.action(Action.CHARTER_READ.value)(handle_charter_read)
    app.action(Action.CHARTER_ACCEPT.value)(handle_charter_accept)
    app.action(Action.CHARTER_NOT_NOW.value)(handle_charter_not_now)
    app.action(Action.CLAIM_NEWCOMER.value, role=Role.FACILITATOR)(handle_claim_newcomer)
    app.view(View.CHARTER.value)(handle_charter_modal)
    app.view(View.JOIN_QUESTIONS.value)(handle_join_questions)
    app.view(View.CHARTER_EDIT.value, role=Role.COORDINATOR)(handle_charter_edit)
    app.subcommands.add(
        Subcommand(
            name="rules",
            help_key="help.cmd.rules",
            handler=show_rules,
            part_roles={"edit": Role.COORDINATOR, "status": Role.COORDINATOR},
            usage="[history]",
            coordinator_usage="[history|edit|status]",
            coordinator_help_key="help.cmd.rules_admin",
        )
    )
