"""Onboarding and charter messages and modals (pure builders)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.forms import parse_id
from bot.i18n import t
from bot.ids import Action, Block, View
from bot.ui.common import (
    SECTION_TEXT_LIMIT,
    button,
    context,
    divider,
    escape_mrkdwn,
    header,
    plain,
    section,
    text_input,
    without_broadcasts,
)
from storage.charter import HOPES_MAX_LENGTH
from storage.models import CharterVersion, InterestTopic
from storage.onboarding import MemberCharterStatus

MODAL_BLOCK_LIMIT = 100
# Room kept in a modal for the notice, version line and truncation note.
_MODAL_SPARE_BLOCKS = 4


def charter_text(charter: CharterVersion, language: str) -> str:
    """Return the charter's full text in `language`."""
    return charter.text_fr if language == "fr" else charter.text_en


def charter_summary(charter: CharterVersion, language: str) -> str:
    """Return the charter's summary in `language`, as shown (no @channel-like mentions)."""
    return without_broadcasts(charter.summary_fr if language == "fr" else charter.summary_en)


def button_value(version: int, user_id: str) -> str:
    """Encode the charter version a message shows and the member it is meant for."""
    return f"{version}:{user_id}"


def parse_button_value(value: str | None) -> tuple[int, str] | None:
    """Decode `button_value`; None for anything malformed."""
    version, _, user_id = (value or "").partition(":")
    number = parse_id(version)
    if number is None or not user_id:
        return None
    return number, user_id


def split_keeping_separators(
    text: str, limit: int = SECTION_TEXT_LIMIT
) -> tuple[list[str], list[str]]:
    """Cut `text` into chunks of at most `limit` characters, and keep what was cut away.

    Cuts fall at a paragraph break, else a line break, else a space. Joining
    `chunks[0] + separators[0] + chunks[1] + ...` gives back `text` exactly, so a long
    text can round-trip through several input boxes unchanged.
    """
    chunks: list[str] = []
    separators: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = -1
        for mark in ("\n\n", "\n", " "):
            cut = rest.rfind(mark, 1, limit + 1)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        after = rest[cut:]
        separator = after[: len(after) - len(after.lstrip())]
        chunks.append(rest[:cut])
        separators.append(separator)
        rest = after[len(separator) :]
    chunks.append(rest)
    return chunks, separators


def split_for_sections(text: str, limit: int = SECTION_TEXT_LIMIT) -> list[str]:
    """Cut `text` into chunks that fit a section, at paragraph or line breaks when possible."""
    chunks, _ = split_keeping_separators(text.strip(), limit)
    return [chunk for chunk in chunks if chunk.strip()]


def join_parts(parts: list[str], separators: list[str]) -> str:
    """Rebuild a text split by `split_keeping_separators` (new parts joined by a blank line)."""
    text = ""
    for index, part in enumerate(parts):
        if not part:
            continue
        if text:
            text += separators[index - 1] if index - 1 < len(separators) else "\n\n"
        text += part
    return text


def build_welcome_message(
    *, name: str, purpose: str, charter: CharterVersion, user_id: str, language: str
) -> dict[str, Any]:
    """Return the welcome DM: greeting, purpose, charter summary and the three buttons."""
    value = button_value(charter.version, user_id)
    return {
        "text": t("welcome.fallback", language),
        "blocks": [
            header(t("welcome.header", language, name=name)),
            section(purpose),
            section(
                f"{t('welcome.charter_title', language)}\n{charter_summary(charter, language)}"
            ),
            context(t("welcome.context", language, version=charter.version)),
            {
                "type": "actions",
                "block_id": Block.WELCOME_ACTIONS,
                "elements": [
                    button(t("welcome.read", language), Action.CHARTER_READ, value),
                    button(
                        t("welcome.accept", language), Action.CHARTER_ACCEPT, value, style="primary"
                    ),
                    button(t("welcome.not_now", language), Action.CHARTER_NOT_NOW, value),
                ],
            },
        ],
    }


def build_reacceptance_message(
    *, name: str, charter: CharterVersion, user_id: str, language: str
) -> dict[str, Any]:
    """Return the DM asking a member to accept a new charter version."""
    text = t("reaccept.text", language, name=name, version=charter.version)
    return {
        "text": text,
        "blocks": [
            header(t("reaccept.header", language)),
            section(text),
            *_summary_and_buttons(charter, user_id, language),
        ],
    }


def _summary_and_buttons(
    charter: CharterVersion, user_id: str, language: str
) -> list[dict[str, Any]]:
    """Return the charter's summary and the Read / I accept buttons meant for `user_id`."""
    value = button_value(charter.version, user_id)
    return [
        section(f"{t('welcome.charter_title', language)}\n{charter_summary(charter, language)}"),
        {
            "type": "actions",
            "block_id": Block.WELCOME_ACTIONS,
            "elements": [
                button(t("welcome.read", language), Action.CHARTER_READ, value),
                button(
                    t("welcome.accept", language), Action.CHARTER_ACCEPT, value, style="primary"
                ),
            ],
        },
    ]


def build_accepted_message(
    *, name: str, version: int, language: str, reacceptance: bool = False
) -> dict[str, Any]:
    """Return what the welcome (or re-acceptance) DM becomes once accepted: no more buttons."""
    text = t("welcome.accepted", language, version=version)
    title = (
        t("reaccept.header", language) if reacceptance else t("welcome.header", language, name=name)
    )
    return {"text": text, "blocks": [header(title), section(text)]}


def build_charter_modal(
    charter: CharterVersion, language: str, *, can_accept: bool, notice: str | None = None
) -> dict[str, Any]:
    """Return the modal showing the whole charter; its submit button accepts it."""
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice))
    date = charter.created_at.strftime("%d/%m/%Y" if language == "fr" else "%Y-%m-%d")
    blocks.append(context(t("charter.version_line", language, version=charter.version, date=date)))
    room = MODAL_BLOCK_LIMIT - len(blocks) - _MODAL_SPARE_BLOCKS
    chunks = split_for_sections(without_broadcasts(charter_text(charter, language)))
    blocks += [section(chunk) for chunk in chunks[:room]]
    if len(chunks) > room:
        blocks.append(context(t("charter.truncated", language)))
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": View.CHARTER,
        "title": plain(t("charter.modal_title", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "private_metadata": json.dumps({"v": charter.version}),
        "blocks": blocks,
    }
    if can_accept:
        view["submit"] = plain(t("welcome.accept", language), limit=24)
    return view


def build_join_questions_modal(
    *, version: int, interests: list[InterestTopic], language: str, required: bool
) -> dict[str, Any]:
    """Return the "why are you joining?" modal shown before an acceptance is recorded."""
    blocks: list[dict[str, Any]] = [
        section(t("join.intro", language)),
        {
            "type": "input",
            "block_id": Block.JOIN_HOPES,
            "optional": not required,
            "label": plain(t("join.hopes_label", language), limit=2000),
            "hint": plain(t("join.hopes_hint", language, max=HOPES_MAX_LENGTH), limit=2000),
            "element": {
                "type": "plain_text_input",
                "action_id": Action.JOIN_HOPES,
                "multiline": True,
                "max_length": HOPES_MAX_LENGTH,
            },
        },
    ]
    if interests:
        blocks.append(
            {
                "type": "input",
                "block_id": Block.JOIN_INTERESTS,
                "optional": True,
                "label": plain(t("join.interests_label", language), limit=2000),
                "element": {
                    "type": "multi_static_select",
                    "action_id": Action.JOIN_INTERESTS,
                    "placeholder": plain(t("join.interests_placeholder", language), limit=150),
                    "options": [
                        {
                            "text": plain(topic_label(topic, language), limit=75),
                            "value": topic.key,
                        }
                        for topic in interests[:100]
                    ],
                },
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.JOIN_INTRODUCE,
            "optional": not required,
            "label": plain(t("join.introduce_label", language), limit=2000),
            "element": {
                "type": "radio_buttons",
                "action_id": Action.JOIN_INTRODUCE,
                "options": [
                    {"text": plain(t("join.yes", language), limit=75), "value": "yes"},
                    {"text": plain(t("join.no", language), limit=75), "value": "no"},
                ],
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": View.JOIN_QUESTIONS,
        "title": plain(t("join.title", language), limit=24),
        "submit": plain(t("join.submit", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "private_metadata": json.dumps({"v": version}),
        "blocks": blocks,
    }


def topic_label(topic: InterestTopic, language: str) -> str:
    """Return an interest topic's label in `language`."""
    return topic.label_fr if language == "fr" else topic.label_en


def build_thanks_message(*, name: str, community_channel: str, language: str) -> dict[str, Any]:
    """Return the thank-you DM with next steps."""
    text = t("thanks.text", language, name=name)
    steps = (
        t("thanks.next_steps", language, channel=community_channel)
        if community_channel
        else t("thanks.next_steps_no_channel", language)
    )
    return {"text": text, "blocks": [section(f":tada: {text}"), divider(), section(steps)]}


def build_intro_post(
    *, user_id: str, hopes: str | None, interest_labels: list[str], language: str
) -> dict[str, Any]:
    """Return the introduction posted in the community channel (member text escaped)."""
    text = t("intro.text", language, user=user_id)
    lines = [text]
    if interest_labels:
        labels = ", ".join(escape_mrkdwn(label) for label in interest_labels)
        lines.append(t("intro.interests", language, interests=labels))
    if hopes:
        lines.append(t("intro.hopes", language, hopes=f"« {escape_mrkdwn(hopes)} »"))
    return {"text": text, "blocks": [section("\n".join(lines))]}


def build_accepted_line(*, user_id: str, version: int, language: str) -> dict[str, Any]:
    """Return the coordinators' one-line notice of an acceptance."""
    text = t("coord.accepted", language, user=user_id, version=version)
    return {"text": text, "blocks": [section(text)]}


def build_newcomer_announcement(
    *, user_id: str, greeter_id: str | None, language: str
) -> dict[str, Any]:
    """Return the greeters' announcement: a claim button, or who claimed the newcomer."""
    text = t("coord.newcomer", language, user=user_id)
    blocks: list[dict[str, Any]] = [section(text)]
    if greeter_id:
        blocks.append(context(t("coord.claimed", language, greeter=greeter_id)))
    else:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    button(
                        t("coord.claim", language), Action.CLAIM_NEWCOMER, user_id, style="primary"
                    )
                ],
            }
        )
    return {"text": text, "blocks": blocks}


def build_history_message(versions: list[CharterVersion], language: str) -> dict[str, Any]:
    """Return the list of charter versions, newest first."""
    lines = []
    for charter in versions[:40]:
        date = charter.created_at.strftime(
            "%d/%m/%Y %H:%M" if language == "fr" else "%Y-%m-%d %H:%M"
        )
        author = f"<@{charter.author_id}>" if charter.author_id else t("rules.shipped", language)
        reaccept = t(
            "rules.reaccept_yes" if charter.requires_reacceptance else "rules.reaccept_no",
            language,
        )
        lines.append(
            t(
                "rules.history_line",
                language,
                version=charter.version,
                date=date,
                author=author,
                reaccept=reaccept,
            )
        )
    title = t("rules.history_title", language)
    return {"text": title, "blocks": [header(title), section("\n".join(lines))]}


def build_rules_message(
    *,
    charter: CharterVersion,
    user_id: str,
    accepted_version: int | None,
    accepted_date: str | None,
    covered: bool,
    language: str,
) -> dict[str, Any]:
    """Return `/cercle rules`: the charter summary, the member's status and buttons."""
    if covered and accepted_version is not None:
        status = t("rules.status_accepted", language, version=accepted_version, date=accepted_date)
    else:
        status = t("rules.status_pending", language)
    value = button_value(charter.version, user_id)
    buttons = [button(t("welcome.read", language), Action.CHARTER_READ, value)]
    if not covered:
        buttons.append(
            button(t("welcome.accept", language), Action.CHARTER_ACCEPT, value, style="primary")
        )
    title = t("charter.modal_title", language)
    return {
        "text": title,
        "blocks": [
            header(title),
            section(charter_summary(charter, language)),
            context(status),
            {"type": "actions", "block_id": Block.WELCOME_ACTIONS, "elements": buttons},
        ],
    }


# plain_text_input holds 3000 characters: a long charter spans several boxes, plus one
# empty box to grow into; 2 languages x 45 boxes + summaries stay under 100 blocks.
MAX_EDIT_PARTS = 45


def edit_block_id(language: str, part: int) -> str:
    """Return the block id of part `part` (1-based) of the charter text in `language`."""
    return f"{Block.CHARTER_TEXT_FR if language == 'fr' else Block.CHARTER_TEXT_EN}_{part}"


def edit_layout(charter: CharterVersion) -> dict[str, Any]:
    """Return how the edit modal cuts each language's text: parts count and separators."""
    layout: dict[str, Any] = {"v": charter.version}
    for language in ("fr", "en"):
        chunks, separators = split_keeping_separators(charter_text(charter, language))
        layout[language] = {"parts": min(len(chunks) + 1, MAX_EDIT_PARTS), "seps": separators}
    return layout


def build_charter_edit_modal(charter: CharterVersion, language: str) -> dict[str, Any]:
    """Return the coordinators' modal to publish a new charter version."""

    layout = edit_layout(charter)
    blocks: list[dict[str, Any]] = []
    for text_language, label_key in (("fr", "edit.text_fr"), ("en", "edit.text_en")):
        parts, _ = split_keeping_separators(charter_text(charter, text_language))
        count = layout[text_language]["parts"]
        for part in range(1, count + 1):
            label = t(label_key, language) + (f" ({part}/{count})" if count > 1 else "")
            value = parts[part - 1] if part <= len(parts) else ""
            blocks.append(
                text_input(
                    edit_block_id(text_language, part),
                    label,
                    value,
                    optional=part > 1,
                    max_length=SECTION_TEXT_LIMIT,
                    multiline=True,
                )
            )
    for block_id, label_key, value in (
        (Block.CHARTER_SUMMARY_FR, "edit.summary_fr", charter.summary_fr),
        (Block.CHARTER_SUMMARY_EN, "edit.summary_en", charter.summary_en),
    ):
        blocks.append(
            text_input(block_id, t(label_key, language), value, max_length=1000, multiline=True)
        )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.CHARTER_REACCEPT,
            "optional": True,
            "label": plain(t("edit.reaccept", language), limit=2000),
            "hint": plain(t("edit.reaccept_hint", language), limit=2000),
            "element": {
                "type": "checkboxes",
                "action_id": Action.CHARTER_REACCEPT,
                "options": [
                    {"text": plain(t("welcome.accept", language), limit=75), "value": "yes"}
                ],
            },
        }
    )
    # The layout lets the submission rebuild each text exactly; a layout too large for
    # private_metadata (thousands of cuts) falls back to blank-line joins.
    metadata = json.dumps(layout)
    if len(metadata) > 3000:
        metadata = json.dumps({"v": charter.version})
    return {
        "type": "modal",
        "callback_id": View.CHARTER_EDIT,
        "title": plain(t("edit.title", language), limit=24),
        "submit": plain(t("edit.submit", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def build_reminder_message(
    *, name: str, charter: CharterVersion, user_id: str, language: str
) -> dict[str, Any]:
    """Return the gentle reminder to read and accept the charter."""
    text = t("reminder.text", language, name=name)
    return {
        "text": text,
        "blocks": [
            section(f":wave: {text}"),
            *_summary_and_buttons(charter, user_id, language),
        ],
    }


def _failure_reason(error: str, language: str) -> str:
    """Say in words why a DM could not be delivered."""
    if error in ("cannot_dm_bot", "messages_tab_disabled"):
        return t("followup.reason.dms_closed", language)
    if error in ("account_inactive", "user_disabled", "user_not_found"):
        return t("followup.reason.inactive", language)
    return t("followup.reason.other", language, error=escape_mrkdwn(error[:80]))


def build_follow_up_report(
    *,
    escalated: list[str],
    unreachable: list[tuple[str, str]],
    reminder_count: int,
    language: str,
) -> dict[str, Any]:
    """Return the coordinators' list of newcomers who need a human touch."""
    blocks: list[dict[str, Any]] = [header(t("followup.title", language))]
    if escalated:
        mentions = ", ".join(f"<@{user}>" for user in escalated[:200])
        blocks.append(
            section(t("followup.escalated", language, count=reminder_count, members=mentions))
        )
    if unreachable:
        lines = "\n".join(
            f"• <@{user}> ({_failure_reason(error, language)})" for user, error in unreachable[:100]
        )
        blocks.append(section(f"{t('followup.unreachable', language)}\n{lines}"))
    return {"text": t("followup.title", language), "blocks": blocks}


def build_charter_status_message(
    overview: list[MemberCharterStatus], *, version: int, now: datetime, language: str
) -> dict[str, Any]:
    """Return the coordinators' view: counts, pending members, and the export button."""
    counts = {status: 0 for status in ("accepted", "pending", "not_now")}
    for entry in overview:
        counts[entry.status] += 1
    lines = []
    for entry in overview:
        if entry.status == "accepted":
            continue
        days = (now - entry.welcomed_at).days if entry.welcomed_at else None
        lines.append(
            t(
                "rules.status_line",
                language,
                user=entry.user_id,
                days="?" if days is None else days,
                reminders=entry.reminders_sent,
                state=t(f"rules.state_{entry.status}", language),
            )
        )
    shown = lines[:40]
    if len(lines) > len(shown):
        shown.append(t("rules.status_more", language, count=len(lines) - len(shown)))
    title = t("rules.status_title", language, version=version)
    blocks: list[dict[str, Any]] = [
        header(title),
        section(
            t(
                "rules.status_counts",
                language,
                accepted=counts["accepted"],
                pending=counts["pending"],
                not_now=counts["not_now"],
            )
        ),
    ]
    if shown:
        blocks.append(section("\n".join(shown)))
    blocks.append(
        {
            "type": "actions",
            "elements": [button(t("rules.export", language), Action.CHARTER_EXPORT, str(version))],
        }
    )
    return {"text": title, "blocks": blocks}


def charter_status_blocks(
    charter: CharterVersion,
    *,
    user_id: str,
    accepted_version: int | None,
    covered: bool,
    language: str,
) -> list[dict[str, Any]]:
    """Return the member's standing with the charter, with the buttons still useful to them."""
    if covered and accepted_version is not None:
        return [
            section(t("home.charter_ok", language, version=accepted_version)),
            {
                "type": "actions",
                "elements": [
                    button(
                        t("welcome.read", language),
                        Action.CHARTER_READ,
                        button_value(charter.version, user_id),
                    )
                ],
            },
        ]
    return [
        section(t("home.charter_pending", language)),
        *_summary_and_buttons(charter, user_id, language),
    ]
