"""Reading what members submit in modals, and opening modals, the same way everywhere."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

logger = logging.getLogger(__name__)


def open_modal(client: WebClient, trigger_id: str | None, view: dict[str, Any]) -> None:
    """Open a modal; a stale trigger (the member waited too long) is only logged."""
    if not trigger_id:
        return
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))


# Ids are PostgreSQL INTEGERs: a larger number names nothing stored (and would make the
# database refuse the query rather than find no row).
ID_MAX = 2**31 - 1


def parse_id(text: Any) -> int | None:
    """Return the id that `text` spells in ASCII digits ("42"), or None for anything else.

    `str.isdigit()` alone lets through "²" (which int() refuses) and numbers of thousands
    of digits (which int() refuses too, and the database could not hold).
    """
    if not isinstance(text, str) or not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """Return a submitted view's `state.values` (empty if absent or malformed)."""
    values = (view.get("state") or {}).get("values") or {}
    return values if isinstance(values, dict) else {}


def block_element(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    """Return the state of the one input in block `block_id` ({} if absent or malformed)."""
    block = values.get(block_id)
    element = next(iter(block.values()), None) if isinstance(block, dict) else None
    return element if isinstance(element, dict) else {}


def input_text(values: dict[str, Any], block_id: str, *, strip: bool = True) -> str:
    """Return the text typed in the input block `block_id` ("" if none), stripped by default."""
    element = block_element(values, block_id)
    text = str(element.get("value") or "")
    return text.strip() if strip else text


def selected_values(values: dict[str, Any], block_id: str) -> list[str]:
    """Return the option values chosen in the select, radio or checkbox block `block_id`."""
    element = block_element(values, block_id)
    options = element.get("selected_options") or []
    if element.get("selected_option"):
        options = [element["selected_option"]]
    if not isinstance(options, list):
        return []
    return [str(o.get("value")) for o in options if isinstance(o, dict) and o.get("value")]


def reply_privately(respond: Any, text: str) -> None:
    """Answer the member who clicked with an ephemeral message, leaving the message as is.

    A click in a modal or the App Home has no response_url: there is nowhere to answer.
    """
    if getattr(respond, "response_url", None) is None:
        return
    respond(text=text, response_type="ephemeral", replace_original=False)


def confirm_privately(context: Any, respond: Any, text: str) -> None:
    """Tell the member who clicked that their action took effect, once it is committed."""
    from bot.app import after_commit

    after_commit(context, lambda: reply_privately(respond, text))
