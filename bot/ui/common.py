"""Small Block Kit pieces shared by every feature."""

from __future__ import annotations

import re
from typing import Any

from bot.i18n import t

SECTION_TEXT_LIMIT = 3000
# `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`: mentions that notify many at once.
_BROADCAST = re.compile(r"<(?=!(?:channel|here|everyone|subteam)\b)", re.IGNORECASE)


def escape_mrkdwn(text: str) -> str:
    """Escape &, < and > so member text can't ping @channel or forge links when echoed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def without_broadcasts(text: str) -> str:
    """Keep a coordinator's formatting and links, but make @channel-like mentions inert.

    For the texts coordinators write in mrkdwn on purpose (the charter, the purpose):
    shown to every member, they must not notify a whole channel each time.
    """
    return _BROADCAST.sub("&lt;", text)


def plain(text: str, *, limit: int = 3000) -> dict[str, Any]:
    """Return a plain_text object, cut to `limit` characters."""
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def mrkdwn(text: str, *, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    """Return a mrkdwn text object, cut to `limit` characters."""
    return {"type": "mrkdwn", "text": _clip(text, limit)}


def header(text: str) -> dict[str, Any]:
    """Return a header block (Slack allows 150 characters of plain text)."""
    return {"type": "header", "text": plain(text, limit=150)}


def section(text: str, **extra: Any) -> dict[str, Any]:
    """Return a section block of mrkdwn text."""
    return {"type": "section", "text": mrkdwn(text), **extra}


def context(*texts: str) -> dict[str, Any]:
    """Return a context block (at most ten elements)."""
    return {"type": "context", "elements": [mrkdwn(x, limit=2000) for x in texts[:10]]}


def divider() -> dict[str, Any]:
    """Return a divider block."""
    return {"type": "divider"}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def button(
    text: str, action_id: str, value: str, *, style: str | None = None, url: str | None = None
) -> dict[str, Any]:
    """Return a button (text cut to Slack's 75 characters), optionally styled or a link."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, limit=75),
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    if url:
        # A link button still sends the click to Cercle (to record a visit, say).
        element["url"] = url
    return element


def text_input(
    block_id: str,
    label: str,
    value: str | None,
    *,
    optional: bool = False,
    max_length: int = 3000,
    multiline: bool = False,
) -> dict[str, Any]:
    """Return a plain-text input block (action id "text"), pre-filled with `value` if any."""
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "text",
        "multiline": multiline,
        "max_length": max_length,
    }
    if value:
        element["initial_value"] = value[:max_length]
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, limit=2000),
        "element": element,
    }


def checkboxes_input(
    block_id: str, label: str, options: list[tuple[str, str]], *, action_id: str = "flags"
) -> dict[str, Any]:
    """Return an optional input block of checkboxes, from (value, mrkdwn label) pairs."""
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": plain(label, limit=2000),
        "element": {
            "type": "checkboxes",
            "action_id": action_id,
            "options": [
                {"text": mrkdwn(text, limit=75), "value": value} for value, text in options
            ],
        },
    }


def build_error_modal(message: str, language: str) -> dict[str, Any]:
    """Return a small modal that shows `message` on top of the form it interrupts."""
    return {
        "type": "modal",
        "title": plain(t("error.modal_title", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "blocks": [section(f":warning: {message}")],
    }
