"""Poll messages and modals (pure builders: a `PollView` in, Block Kit out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.deadlines import DEADLINE_EXAMPLES, slack_date
from bot.i18n import t, tn
from bot.ids import Action, Block, View
from bot.ui.common import (
    button,
    checkboxes_input,
    context,
    escape_mrkdwn,
    plain,
    section,
    text_input,
)
from storage.polls import MAX_OPTIONS, OPTION_MAX_LENGTH, QUESTION_MAX_LENGTH

BAR_WIDTH = 10
# Room left in an option's section for voters' names once label, bar and counts are in.
_VOTERS_TEXT_BUDGET = 2400


@dataclass(frozen=True)
class OptionTally:
    """One option with its votes (and, on a named poll, who cast them)."""

    option_id: int
    label: str
    votes: int
    voters: tuple[str, ...] = ()


@dataclass(frozen=True)
class PollView:
    """Everything a poll message shows."""

    poll_id: int
    question: str
    language: str
    creator_id: str
    options: tuple[OptionTally, ...]
    voter_count: int
    max_choices: int = 1
    anonymous: bool = False
    hide_results: bool = False
    allow_new_options: bool = False
    closes_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None

    @property
    def is_open(self) -> bool:
        """Tell whether members can still vote."""
        return self.closed_at is None

    @property
    def shows_results(self) -> bool:
        """Tell whether tallies are visible (always once closed)."""
        return not self.hide_results or not self.is_open


def vote_value(poll_id: int, option_id: int) -> str:
    """Return the value a vote button carries."""
    return f"{poll_id}:{option_id}"


def bar(share: float) -> str:
    """Return a ten-character bar for a share between 0 and 1."""
    filled = round(max(0.0, min(1.0, share)) * BAR_WIDTH)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def _voter_names(voters: tuple[str, ...], language: str) -> str:
    """Return mentions of the voters, cut with "and N more" to fit a section."""
    shown: list[str] = []
    length = 0
    for index, user_id in enumerate(voters):
        mention = f"<@{user_id}>"
        if length + len(mention) + 1 > _VOTERS_TEXT_BUDGET:
            shown.append(t("poll.more_voters", language, count=len(voters) - index))
            break
        shown.append(mention)
        length += len(mention) + 1
    return " ".join(shown)


def _option_text(view: PollView, option: OptionTally) -> str:
    label = f"*{escape_mrkdwn(option.label)}*"
    if not view.shows_results:
        return label
    share = option.votes / view.voter_count if view.voter_count else 0.0
    votes = tn("poll.votes", option.votes, view.language)
    lines = [label, f"`{bar(share)}` {round(share * 100)}% · {votes}"]
    if option.voters and not view.anonymous:
        lines.append(_voter_names(option.voters, view.language))
    return "\n".join(lines)


def _person(user_id: str, language: str) -> str:
    """Return a member's mention; "" is a member who asked to be forgotten."""
    return f"<@{user_id}>" if user_id else t("privacy.former_member", language)


def _rules_line(view: PollView) -> str:
    """Return the context line: who asked, how many choices, until when."""
    language = view.language
    parts = [t("poll.by", language, creator=_person(view.creator_id, language))]
    if view.max_choices > 1:
        parts.append(t("poll.choose_up_to", language, count=view.max_choices))
    else:
        parts.append(t("poll.choose_one", language))
    if view.is_open and view.closes_at is not None:
        parts.append(t("poll.closes", language, when=slack_date(view.closes_at)))
    return " · ".join(parts)


def _status_line(view: PollView) -> str:
    language = view.language
    if view.closed_at is not None:
        when = slack_date(view.closed_at)
        if view.closed_by is not None:
            closer = _person(view.closed_by, language)
            closed = t("poll.closed_by", language, closer=closer, when=when)
        else:
            closed = t("poll.closed_at_deadline", language, when=when)
        return f":lock: {closed} · {tn('poll.voters', view.voter_count, language)}"
    voters = tn("poll.voters", view.voter_count, language)
    if view.hide_results:
        return f"{voters} · {t('poll.results_hidden', language)}"
    return voters


def build_poll_message(view: PollView) -> dict[str, Any]:
    """Return the poll message: question, options with live tallies, and its buttons."""
    language = view.language
    question = escape_mrkdwn(view.question)
    blocks: list[dict[str, Any]] = [
        section(f":bar_chart: *{question}*"),
        context(_rules_line(view)),
    ]
    for option in view.options:
        block = section(_option_text(view, option))
        if view.is_open:
            block["accessory"] = button(
                t("poll.vote", language),
                Action.POLL_VOTE,
                vote_value(view.poll_id, option.option_id),
            )
        blocks.append(block)
    notes = [_status_line(view)]
    if view.anonymous:
        notes.append(f":shushing_face: {t('poll.anonymous_note', language)}")
    blocks.append(context(*notes))
    actions: list[dict[str, Any]] = []
    if view.is_open and view.allow_new_options and len(view.options) < MAX_OPTIONS:
        actions.append(
            button(t("poll.add_option", language), Action.POLL_ADD_OPTION, str(view.poll_id))
        )
    actions.append(_manage_menu(view))
    blocks.append(
        {"type": "actions", "block_id": f"poll_actions_{view.poll_id}", "elements": actions}
    )
    text = t("poll.fallback", language, question=question)
    return {"text": text, "blocks": blocks}


def _manage_menu(view: PollView) -> dict[str, Any]:
    """Return the "…" menu for the creator and coordinators (checked when clicked)."""
    language = view.language
    choices = []
    if view.is_open:
        choices.append(("close", t("poll.manage.close", language)))
    choices.append(("export", t("poll.manage.export", language)))
    choices.append(("delete", t("poll.manage.delete", language)))
    return {
        "type": "overflow",
        "action_id": Action.POLL_MANAGE,
        "options": [
            {"text": plain(label, limit=75), "value": f"{verb}:{view.poll_id}"}
            for verb, label in choices
        ],
    }


def build_deleted_poll_message(deleted_by: str, language: str) -> dict[str, Any]:
    """Return what replaces a deleted poll's message."""
    text = t("poll.deleted", language, user=f"<@{deleted_by}>")
    return {"text": text, "blocks": [context(f":wastebasket: {text}")]}


def build_poll_reminder(view: PollView, channel_id: str, language: str) -> dict[str, Any]:
    """Return the DM reminding a member who hasn't voted, with buttons to vote from it."""
    question = escape_mrkdwn(view.question)
    when = slack_date(view.closes_at) if view.closes_at else ""
    text = t("poll.reminder", language, channel=f"<#{channel_id}>", when=when, question=question)
    buttons = [
        button(option.label, Action.POLL_VOTE, vote_value(view.poll_id, option.option_id))
        for option in view.options
    ]
    blocks = [
        section(f":ballot_box_with_ballot: {text}"),
        {"type": "actions", "block_id": f"poll_reminder_{view.poll_id}", "elements": buttons},
        context(t("poll.reminder_once", language)),
    ]
    return {"text": text, "blocks": blocks}


def build_poll_modal(channel_id: str, language: str) -> dict[str, Any]:
    """Return the modal that creates a poll in `channel_id`."""
    choices = [
        {"text": plain(str(count)), "value": str(count)} for count in range(1, MAX_OPTIONS + 1)
    ]
    flags = [
        ("anonymous", t("poll.form.anonymous", language)),
        ("hide_results", t("poll.form.hide_results", language)),
        ("allow_new_options", t("poll.form.allow_new_options", language)),
        ("remind", t("poll.form.remind", language)),
    ]
    blocks = [
        text_input(
            Block.POLL_QUESTION,
            t("poll.form.question", language),
            None,
            max_length=QUESTION_MAX_LENGTH,
        ),
        text_input(
            Block.POLL_OPTIONS,
            t("poll.form.options", language),
            None,
            multiline=True,
            max_length=(OPTION_MAX_LENGTH + 1) * MAX_OPTIONS,
        ),
        context(t("poll.form.options_hint", language, maximum=MAX_OPTIONS)),
        {
            "type": "input",
            "block_id": Block.POLL_MAX_CHOICES,
            "label": plain(t("poll.form.max_choices", language)),
            "element": {
                "type": "static_select",
                "action_id": "choice",
                "options": choices,
                "initial_option": choices[0],
            },
        },
        *deadline_blocks(Block.POLL_CLOSES, t("poll.form.closes", language), language),
        checkboxes_input(Block.POLL_FLAGS, t("poll.form.options_label", language), flags),
    ]
    return {
        "type": "modal",
        "callback_id": View.POLL_CREATE,
        "private_metadata": channel_id,
        "title": plain(t("poll.form.title", language), limit=24),
        "submit": plain(t("poll.form.submit", language), limit=24),
        "close": plain(t("common.cancel", language), limit=24),
        "blocks": blocks,
    }


def deadline_blocks(block_id: str, label: str, language: str) -> list[dict[str, Any]]:
    """Return an optional deadline input and the examples of what it accepts."""
    return [
        text_input(block_id, label, None, optional=True, max_length=50),
        context(t("poll.form.closes_hint", language, examples=DEADLINE_EXAMPLES)),
    ]


def build_add_option_modal(poll_id: int, question: str, language: str) -> dict[str, Any]:
    """Return the modal in which a member adds an option to a poll."""
    return {
        "type": "modal",
        "callback_id": View.POLL_ADD_OPTION,
        "private_metadata": str(poll_id),
        "title": plain(t("poll.add_option_title", language), limit=24),
        "submit": plain(t("poll.add_option_submit", language), limit=24),
        "close": plain(t("common.cancel", language), limit=24),
        "blocks": [
            section(f"*{escape_mrkdwn(question)}*"),
            text_input(
                Block.POLL_NEW_OPTION,
                t("poll.add_option_label", language),
                None,
                max_length=OPTION_MAX_LENGTH,
            ),
        ],
    }


def build_delete_poll_modal(poll_id: int, question: str, language: str) -> dict[str, Any]:
    """Return the modal that asks for confirmation before deleting a poll."""
    return {
        "type": "modal",
        "callback_id": View.POLL_DELETE,
        "private_metadata": str(poll_id),
        "title": plain(t("poll.delete_title", language), limit=24),
        "submit": plain(t("poll.delete_submit", language), limit=24),
        "close": plain(t("common.cancel", language), limit=24),
        "blocks": [
            section(t("poll.delete_confirm", language, question=escape_mrkdwn(question))),
        ],
    }
