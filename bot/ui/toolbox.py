"""Toolbox messages and modals (pure builders)."""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import t
from bot.ids import Action, Block, View
from bot.ui.common import (
    button,
    context,
    divider,
    escape_mrkdwn,
    header,
    plain,
    section,
    text_input,
)
from storage.models import ToolboxItem

DESCRIPTION_PREVIEW = 280
TITLE_MAX = 150
DESCRIPTION_MAX = 2000


def open_button(item: ToolboxItem, language: str) -> dict[str, Any]:
    """Return the button that opens an item and records the visit."""
    if item.url:
        return button(t("toolbox.open", language), Action.TOOLBOX_OPEN, str(item.id), url=item.url)
    return button(t("toolbox.details", language), Action.TOOLBOX_OPEN, str(item.id))


def item_blocks(item: ToolboxItem, language: str, *, can_edit: bool) -> list[dict[str, Any]]:
    """Return the blocks that present one item: title, description, tags, buttons."""
    description = item.description or ""
    if len(description) > DESCRIPTION_PREVIEW:
        description = description[: DESCRIPTION_PREVIEW - 1].rstrip() + "…"
    details = [
        t("toolbox.language", language, language=t(f"toolbox.language.{item.language}", language))
    ]
    if item.tags:
        details.append(t("toolbox.tags", language, tags=", ".join(item.tags)))
    buttons = [open_button(item, language)]
    if can_edit:
        buttons.append(button(t("toolbox.edit", language), Action.TOOLBOX_EDIT, str(item.id)))
    return [
        section(f"*{escape_mrkdwn(item.title)}*\n{escape_mrkdwn(description)}"),
        context(" · ".join(details)),
        {"type": "actions", "block_id": f"toolbox_item_{item.id}", "elements": buttons},
    ]


def build_toolbox_page(
    items: list[ToolboxItem],
    *,
    total: int,
    offset: int,
    query: str,
    page_size: int,
    language: str,
    can_edit: bool,
) -> dict[str, Any]:
    """Return one page of the toolbox (ephemeral), with previous/next buttons."""
    title = (
        t("toolbox.title_search", language, query=query[:60])
        if query
        else t("toolbox.title", language)
    )
    blocks: list[dict[str, Any]] = [header(title)]
    # The header is plain text; the notification text is mrkdwn, where the query could ping.
    fallback = escape_mrkdwn(title)
    if not items:
        blocks.append(section(t("toolbox.empty", language)))
        return {"text": fallback, "blocks": blocks}
    blocks.append(
        context(
            t("toolbox.count", language, first=offset + 1, last=offset + len(items), total=total)
        )
    )
    for item in items:
        blocks.append(divider())
        blocks += item_blocks(item, language, can_edit=can_edit)
    navigation = []
    if offset > 0:
        value = json.dumps({"q": query, "o": max(0, offset - page_size)})
        navigation.append(
            button(t("toolbox.previous", language), Action.TOOLBOX_PAGE_PREVIOUS, value)
        )
    if offset + len(items) < total:
        value = json.dumps({"q": query, "o": offset + page_size})
        navigation.append(button(t("toolbox.next", language), Action.TOOLBOX_PAGE_NEXT, value))
    if navigation:
        blocks += [divider(), {"type": "actions", "elements": navigation}]
    return {"text": fallback, "blocks": blocks}


def build_toolbox_modal(page: dict[str, Any], language: str) -> dict[str, Any]:
    """Return a toolbox page as a modal: from the App Home there is no message to answer."""
    return {
        "type": "modal",
        "title": plain(t("toolbox.title", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "blocks": page["blocks"],
    }


def build_item_modal(item: ToolboxItem | None, language: str) -> dict[str, Any]:
    """Return the modal to add an item, or to edit (and retire) an existing one."""

    languages = [
        {"text": plain(t(f"toolbox.language.{code}", language), limit=75), "value": code}
        for code in ("fr", "en")
    ]
    current_language = item.language if item else language
    language_element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": Action.TOOLBOX_LANGUAGE,
        "options": languages,
        "initial_option": next(o for o in languages if o["value"] == current_language),
    }
    blocks: list[dict[str, Any]] = [
        text_input(
            Block.TOOLBOX_TITLE,
            t("toolbox.field_title", language),
            item.title if item else None,
            optional=False,
            max_length=TITLE_MAX,
        ),
        text_input(
            Block.TOOLBOX_URL,
            t("toolbox.field_url", language),
            item.url if item else None,
            optional=True,
            max_length=3000,
        ),
        text_input(
            Block.TOOLBOX_DESCRIPTION,
            t("toolbox.field_description", language),
            item.description if item else None,
            optional=True,
            max_length=DESCRIPTION_MAX,
            multiline=True,
        ),
        text_input(
            Block.TOOLBOX_TAGS,
            t("toolbox.field_tags", language),
            ", ".join(item.tags) if item else None,
            optional=True,
            max_length=400,
        ),
        {
            "type": "input",
            "block_id": Block.TOOLBOX_LANGUAGE,
            "label": plain(t("toolbox.field_language", language), limit=2000),
            "element": language_element,
        },
    ]
    if item is not None:
        retire_option = {
            "text": plain(t("toolbox.field_retire", language), limit=75),
            "value": "yes",
        }
        checkbox: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": Action.TOOLBOX_RETIRE,
            "options": [retire_option],
        }
        if item.retired_at is not None:
            checkbox["initial_options"] = [retire_option]
        blocks.append(
            {
                "type": "input",
                "block_id": Block.TOOLBOX_RETIRE,
                "optional": True,
                "label": plain(t("toolbox.field_retire", language), limit=2000),
                "element": checkbox,
            }
        )
    return {
        "type": "modal",
        "callback_id": View.TOOLBOX_ITEM,
        "title": plain(
            t("toolbox.modal_edit" if item else "toolbox.modal_add", language), limit=24
        ),
        "submit": plain(t("toolbox.save", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "private_metadata": json.dumps({"item": item.id if item else None}),
        "blocks": blocks,
    }


def _why_it_matters(item: ToolboxItem) -> str:
    """Return the first sentence of the description: the one line on why it matters."""
    description = (item.description or "").strip()
    for end in (". ", ".\n", "! ", "? "):
        cut = description.find(end)
        if 0 < cut < 300:
            return description[: cut + 1]
    return description[:300]


def build_weekly_tool_post(item: ToolboxItem, language: str) -> dict[str, Any]:
    """Return "this week's tool" for the community channel."""
    title = t("weekly.header", language)
    lines = [f"*{escape_mrkdwn(item.title)}*"]
    why = _why_it_matters(item)
    if why:
        lines.append(escape_mrkdwn(why))
    return {
        "text": f"{title} : {item.title}" if language == "fr" else f"{title}: {item.title}",
        "blocks": [
            header(title),
            section("\n".join(lines)),
            {
                "type": "actions",
                "elements": [
                    open_button(item, language),
                    button(t("weekly.see_all", language), Action.TOOLBOX_BROWSE, "all"),
                ],
            },
            context(t("weekly.context", language)),
        ],
    }


def build_toolbox_nudge(item: ToolboxItem, *, name: str, language: str) -> dict[str, Any]:
    """Return the personal suggestion of a tool the member has never opened."""
    text = t("nudge.toolbox", language, name=name, title=item.title)
    lines = [t("nudge.toolbox", language, name=name, title=f"*{escape_mrkdwn(item.title)}*")]
    why = _why_it_matters(item)
    if why:
        lines.append(escape_mrkdwn(why))
    return {
        "text": text,
        "blocks": [
            section("\n".join(lines)),
            {
                "type": "actions",
                "elements": [
                    open_button(item, language),
                    button(t("weekly.see_all", language), Action.TOOLBOX_BROWSE, "all"),
                ],
            },
            context(t("nudge.toolbox_why", language)),
        ],
    }
