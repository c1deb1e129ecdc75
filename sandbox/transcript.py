"""Render what Slack would show (messages, modals, Home) as readable terminal text."""

from __future__ import annotations

import re
import textwrap
from typing import Any

WIDTH = 76


def _text(obj: Any) -> str:
    text = str(obj.get("text", "")) if isinstance(obj, dict) else str(obj or "")
    # Slack shows a date token in each reader's time zone; a transcript shows its fallback.
    return re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", text)


def render_blocks(blocks: list[dict[str, Any]] | None, fallback: str = "") -> list[str]:
    """Return the lines a person would read for `blocks` (or the fallback text)."""
    if not blocks:
        return _wrap(fallback)
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_text(block.get('text'))} ==")
        elif kind == "section":
            if block.get("text"):
                lines += _wrap(_text(block["text"]))
            for field_ in block.get("fields", []):
                lines += _wrap(_text(field_), indent="  ")
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                lines.append(f"  [{_text(accessory.get('text'))}]")
        elif kind == "context":
            lines += _wrap(" · ".join(_text(e) for e in block.get("elements", [])), indent="  ")
        elif kind == "divider":
            lines.append("-" * 20)
        elif kind == "actions":
            buttons = [
                "[⋯]"
                if e.get("type") == "overflow"
                else f"[{_text(e.get('text')) or e.get('action_id')}]"
                for e in block.get("elements", [])
            ]
            lines.append("  " + " ".join(buttons))
        elif kind == "input":
            lines.append(f"  {_text(block.get('label'))}: ______")
        elif kind == "image":
            lines.append(f"  (image: {block.get('alt_text', '')})")
        else:
            lines.append(f"  ({kind})")
    return lines


def _wrap(text: str, indent: str = "") -> list[str]:
    out: list[str] = []
    for paragraph in text.splitlines() or [""]:
        out += textwrap.wrap(
            paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent + "  "
        ) or [""]
    return out


def show_mentions(line: str, names: dict[str, str]) -> str:
    """Replace `<@U…>` and `<#C…>` mentions with names, as Slack displays them."""
    line = re.sub(r"<@([UW][A-Z0-9]+)>", lambda m: "@" + names.get(m.group(1), m.group(1)), line)
    return re.sub(
        r"<#([CG][A-Z0-9]+)(?:\|([^>]*))?>",
        lambda m: names.get(m.group(1)) or "#" + (m.group(2) or m.group(1)),
        line,
    )


def render_message(
    who: str,
    where: str,
    payload: dict[str, Any],
    *,
    ephemeral: bool = False,
    names: dict[str, str] | None = None,
) -> str:
    """Return a framed transcript entry for one message."""
    visibility = " (only visible to you)" if ephemeral else ""
    head = f"┌─ {who} in {where}{visibility}"
    body = [
        show_mentions(line, names or {})
        for line in render_blocks(payload.get("blocks"), payload.get("text", ""))
    ]
    return "\n".join([head] + [f"│ {line}" for line in body] + ["└" + "─" * 40])
