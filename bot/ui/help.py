"""The help message: the subcommands available to one member, in their language."""

from __future__ import annotations

from typing import Any

from bot.commands import Subcommand
from bot.i18n import t
from bot.ids import SLASH_COMMAND, Block
from bot.ui.common import context, divider, header, section


def build_help_message(
    subcommands: list[Subcommand],
    language: str,
    *,
    notice: str | None = None,
    role: str | None = None,
) -> dict[str, Any]:
    """Return the help as an ephemeral message payload, with an optional notice on top.

    `subcommands` are those the member's role allows, as that role sees them; `role`
    (its name in `language`) is said at the bottom.
    """
    lines = []
    for sub in subcommands:
        usage = f" {sub.usage}" if sub.usage else ""
        lines.append(f"• `{SLASH_COMMAND} {sub.name}{usage}` — {t(sub.help_key, language)}")
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks += [section(f":grey_question: {notice}"), divider()]
    blocks += [
        header(t("help.title", language)),
        section(t("help.intro", language)),
        section("\n".join(lines), block_id=Block.HELP_COMMANDS),
        context(
            *([t("help.your_role", language, role=role)] if role else []),
            t("help.footer", language),
        ),
    ]
    names = " · ".join(sub.name for sub in subcommands)
    fallback = t("help.fallback", language, commands=names)
    return {"text": f"{notice}\n{fallback}" if notice else fallback, "blocks": blocks}
