"""Polls: `/cercle poll`, its modal, the vote buttons and the poll's "…" menu."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot import polls
from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.config import Settings
from bot.deadlines import parse_deadline
from bot.errors import CercleError, UsageError
from bot.forms import (
    confirm_privately,
    input_text,
    open_modal,
    parse_id,
    selected_values,
    view_values,
)
from bot.i18n import t
from bot.ids import Action, Block, View
from bot.roles import Role
from bot.ui import polls as ui
from bot.ui.common import escape_mrkdwn
from storage import polls as store
from storage.members import get_member
from storage.models import utcnow
from storage.outbox import enqueue_file
from storage.polls import PollDraft

logger = logging.getLogger(__name__)


def ensure_bot_can_post(client: WebClient, channel_id: str) -> None:
    """Make sure Cercle can post in `channel_id`: join it if public, else say how to invite it."""
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError as error:
        if error.response.get("error") in ("channel_not_found", "not_in_channel"):
            raise CercleError("poll.error.invite_me") from None
        raise
    if channel.get("is_member") or channel.get("is_im"):
        return
    if channel.get("is_private") or channel.get("is_mpim"):
        raise CercleError("poll.error.invite_me")
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        logger.warning("could not join %s: %s", channel_id, error.response.get("error"))
        raise CercleError("poll.error.invite_me") from None


def _timezone(db: Session, user_id: str) -> str | None:
    member = get_member(db, user_id)
    return member.timezone if member else None


def _publish(call_db: Session, client: WebClient, draft: PollDraft, **where: str) -> None:
    ensure_bot_can_post(client, where["channel_id"])
    polls.publish_poll(call_db, draft, **where)


def create_poll_command(call: SubcommandCall) -> dict[str, Any] | None:
    """`/cercle poll "Question?" "A" "B" [--multi N] [--anonymous] ...`, or the modal."""
    if not call.args:
        open_modal(
            call.client, call.trigger_id, ui.build_poll_modal(call.channel_id, call.language)
        )
        return None
    draft = polls.parse_poll_words(
        call.args, now=utcnow(), timezone=_timezone(call.db, call.user_id)
    )
    _publish(
        call.db,
        call.client,
        draft,
        channel_id=call.channel_id,
        creator_id=call.user_id,
        language=call.language,
    )
    return {"text": t("poll.posted", call.language, channel=f"<#{call.channel_id}>")}


def _draft_from_form(values: dict[str, Any], *, db: Session, user_id: str) -> PollDraft:
    """Read the poll modal into a checked draft; errors point at the input to fix."""
    question = input_text(values, Block.POLL_QUESTION)
    options = [line for line in input_text(values, Block.POLL_OPTIONS).splitlines() if line.strip()]
    chosen = selected_values(values, Block.POLL_MAX_CHOICES)
    max_choices = (parse_id(chosen[0]) if chosen else None) or 1
    flags = set(selected_values(values, Block.POLL_FLAGS))
    closes = input_text(values, Block.POLL_CLOSES)
    try:
        closes_at = (
            parse_deadline(closes, now=utcnow(), timezone=_timezone(db, user_id))
            if closes
            else None
        )
    except UsageError as error:
        raise UsageError(error.message_key, block_id=Block.POLL_CLOSES, **error.values) from None
    try:
        return polls.check_draft(
            question=question,
            options=options,
            max_choices=max_choices,
            closes_at=closes_at,
            anonymous="anonymous" in flags,
            hide_results="hide_results" in flags,
            allow_new_options="allow_new_options" in flags,
            remind="remind" in flags,
        )
    except UsageError as error:
        key = error.message_key
        block = Block.POLL_QUESTION if "question" in key else Block.POLL_OPTIONS
        if key == "poll.error.remind_needs_deadline":
            block = Block.POLL_CLOSES
        elif key == "poll.error.multi_above_options":
            block = Block.POLL_MAX_CHOICES
        raise UsageError(key, block_id=block, **error.values) from None


def _poll_and_option(value: str) -> tuple[int, int]:
    poll_id, _, option_id = value.partition(":")
    poll, option = parse_id(poll_id), parse_id(option_id)
    if poll is None or option is None:
        raise CercleError("poll.error.gone")
    return poll, option


def _vote_confirmation(outcome: polls.VoteOutcome, language: str) -> str:
    option = escape_mrkdwn(outcome.option)
    if outcome.change == "removed":
        text = t("poll.vote_removed", language, option=option)
    else:
        text = t("poll.vote_recorded", language, option=option)
    if outcome.choices:
        choices = ", ".join(f"*{escape_mrkdwn(label)}*" for label in outcome.choices)
        text += " " + t("poll.your_choices", language, choices=choices)
    return text


def register(app: CercleApp) -> None:
    """Listen to poll commands, buttons and modals."""

    def handle_poll_modal(
        ack: Ack,
        view: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: Any,
        db: Session,
    ) -> None:
        user_id = body["user"]["id"]
        draft = _draft_from_form(view_values(view), db=db, user_id=user_id)
        _publish(
            db,
            client,
            draft,
            channel_id=str(view.get("private_metadata") or ""),
            creator_id=user_id,
            language=context["language"],
        )
        ack()

    def handle_poll_vote(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        poll_id, option_id = _poll_and_option(str(action.get("value") or ""))
        outcome = polls.vote(
            db,
            context["settings"],
            poll_id=poll_id,
            option_id=option_id,
            user_id=body["user"]["id"],
        )
        confirm_privately(context, respond, _vote_confirmation(outcome, context["language"]))

    def handle_poll_manage(
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
        language: str = context["language"]
        user_id = body["user"]["id"]
        verb, _, poll_id = str((action.get("selected_option") or {}).get("value") or "").partition(
            ":"
        )
        if parse_id(poll_id) is None:
            raise CercleError("poll.error.gone")
        if verb == "close":
            polls.close_poll(db, settings, poll_id=int(poll_id), user_id=user_id)
            confirm_privately(context, respond, t("poll.closed_now", language))
        elif verb == "export":
            poll = polls.managed_poll(db, settings, int(poll_id), user_id)
            enqueue_file(
                db,
                key=f"poll:{poll.id}:export:{user_id}:{utcnow():%Y%m%dT%H%M%S%f}",
                address=user_id,
                filename=f"poll-{poll.id}-results.csv",
                content=polls.export_rows(db, poll, language).encode("utf-8"),
                title=t("poll.export_title", language, question=poll.question[:100]),
            )
            confirm_privately(context, respond, t("poll.export_sent", language))
        elif verb == "delete":
            poll = polls.managed_poll(db, settings, int(poll_id), user_id)
            open_modal(
                client,
                body.get("trigger_id"),
                ui.build_delete_poll_modal(poll.id, poll.question, language),
            )
        else:
            raise CercleError("poll.error.gone")

    def handle_delete_poll(
        ack: Ack, view: dict[str, Any], body: dict[str, Any], context: Any, db: Session
    ) -> None:
        poll_id = str(view.get("private_metadata") or "")
        if parse_id(poll_id) is None:
            raise CercleError("poll.error.gone")
        polls.delete_poll(db, context["settings"], poll_id=int(poll_id), user_id=body["user"]["id"])
        ack()

    def handle_add_option_button(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        poll_id = str(action.get("value") or "")
        poll = store.get_poll(db, int(poll_id)) if parse_id(poll_id) else None
        if poll is None:
            raise CercleError("poll.error.gone")
        if poll.closed_at is not None:
            raise CercleError("poll.error.closed")
        open_modal(
            client,
            body.get("trigger_id"),
            ui.build_add_option_modal(poll.id, poll.question, context["language"]),
        )

    def handle_add_option(ack: Ack, view: dict[str, Any], context: Any, db: Session) -> None:
        poll_id = str(view.get("private_metadata") or "")
        if parse_id(poll_id) is None:
            raise CercleError("poll.error.gone")
        label = input_text(view_values(view), Block.POLL_NEW_OPTION)
        try:
            polls.add_poll_option(db, poll_id=int(poll_id), label=label)
        except UsageError as error:
            raise UsageError(
                error.message_key, block_id=Block.POLL_NEW_OPTION, **error.values
            ) from None
        ack()

    app.action(Action.POLL_VOTE.value)(handle_poll_vote)
    app.action(Action.POLL_MANAGE.value)(handle_poll_manage)
    app.action(Action.POLL_ADD_OPTION.value)(handle_add_option_button)
    # Creating a poll is for facilitators, checked again when the form is submitted;
    # closing, exporting and deleting one stay with its creator or a coordinator
    # (bot.polls.managed_poll), so those listeners are open and check the poll itself.
    app.view(View.POLL_CREATE.value, role=Role.FACILITATOR)(handle_poll_modal)
    app.view(View.POLL_ADD_OPTION.value)(handle_add_option)
    app.view(View.POLL_DELETE.value)(handle_delete_poll)
    app.subcommands.add(
        Subcommand(
            name="poll",
            help_key="help.cmd.poll",
            handler=create_poll_command,
            role=Role.FACILITATOR,
            usage=(
                '["Question?" "Option A" "Option B" … [--multi N] [--anonymous] '
                "[--closes 2h] [--hide-results] [--allow-new-options] [--remind]]"
            ),
        )
    )
