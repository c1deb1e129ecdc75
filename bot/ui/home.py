"""The App Home view."""

from __future__ import annotations

from typing import Any

from bot.commands import Subcommand
from bot.i18n import t
from bot.ids import SLASH_COMMAND
from bot.ui.common import context, divider, header, section


def build_home_view(subcommands: list[Subcommand], language: str) -> dict[str, Any]:
    """Return the Home tab for a member who may use `subcommands`."""
    lines = "\n".join(
        f"• `{SLASH_COMMAND} {sub.name}` — {t(sub.help_key, language)}" for sub in subcommands
    )
    return {
        "type": "home",
        "blocks": [
            header(t("home.title", language)),
            section(t("home.intro", language)),
            divider(),
            section(lines),
            context(t("help.footer", language)),
        ],
    }
