"""The App Home view."""

from __future__ import annotations

from typing import Any

from bot.commands import Subcommand
from bot.i18n import t
from bot.ids import SLASH_COMMAND, Action
from bot.ui.common import button, context, divider, escape_mrkdwn, header, section
from bot.ui.onboarding import charter_status_blocks
from bot.ui.toolbox import open_button
from storage.models import CharterVersion, ToolboxItem


def build_home_view(
    subcommands: list[Subcommand],
    language: str,
    *,
    user_id: str,
    charter: CharterVersion | None = None,
    accepted_version: int | None = None,
    covered: bool = True,
    featured: ToolboxItem | None = None,
) -> dict[str, Any]:
    """Return the Home tab: the member's charter status, this week's tool, what to type."""
    lines = "\n".join(
        f"• `{SLASH_COMMAND} {sub.name}` — {t(sub.help_key, language)}" for sub in subcommands
    )
    blocks: list[dict[str, Any]] = [
        header(t("home.title", language)),
        section(t("home.intro", language)),
    ]
    if charter is not None:
        blocks += [
            divider(),
            *charter_status_blocks(
                charter,
                user_id=user_id,
                accepted_version=accepted_version,
                covered=covered,
                language=language,
            ),
        ]
    blocks.append(divider())
    if featured is not None:
        blocks.append(
            section(
                f"*{t('weekly.header', language)}* : {escape_mrkdwn(featured.title)}"
                if language == "fr"
                else f"*{t('weekly.header', language)}*: {escape_mrkdwn(featured.title)}"
            )
        )
    blocks.append(
        {
            "type": "actions",
            "elements": [
                *([open_button(featured, language)] if featured is not None else []),
                button(t("weekly.see_all", language), Action.TOOLBOX_BROWSE, "all"),
            ],
        }
    )
    blocks += [divider(), section(lines), context(t("help.footer", language))]
    return {"type": "home", "blocks": blocks}
