"""Purpose and interest messages and modals (pure builders)."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.ids import Block, View
from bot.ui.common import escape_mrkdwn, header, plain, section, text_input
from storage.models import InterestTopic

PURPOSE_MAX_LENGTH = 1000


def build_purpose_message(purpose: str, language: str) -> dict[str, Any]:
    """Return the community's purpose as an ephemeral message."""
    title = t("purpose.title", language)
    return {"text": title, "blocks": [header(title), section(purpose)]}


def build_purpose_modal(text_fr: str, text_en: str, language: str) -> dict[str, Any]:
    """Return the coordinators' modal to rewrite the purpose in both languages."""

    def field(block_id: str, label_key: str, value: str) -> dict[str, Any]:
        return text_input(
            block_id, t(label_key, language), value, max_length=PURPOSE_MAX_LENGTH, multiline=True
        )

    return {
        "type": "modal",
        "callback_id": View.PURPOSE_EDIT,
        "title": plain(t("purpose.edit_title", language), limit=24),
        "submit": plain(t("purpose.save", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "blocks": [
            field(Block.PURPOSE_FR, "purpose.label_fr", text_fr),
            field(Block.PURPOSE_EN, "purpose.label_en", text_en),
        ],
    }


def build_interests_message(topics: list[InterestTopic], language: str) -> dict[str, Any]:
    """Return the list of interest topics with their keys."""
    title = t("interests.title", language)
    lines = [
        t(
            "interests.line",
            language,
            label=escape_mrkdwn(topic.label_fr if language == "fr" else topic.label_en),
            key=topic.key,
        )
        for topic in topics[:100]
    ]
    body = "\n".join(lines) if lines else t("interests.none", language)
    return {"text": title, "blocks": [header(title), section(body)]}
