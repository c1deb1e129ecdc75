"""The App Home view."""

from __future__ import annotations

from typing import Any

from bot.commands import Subcommand
from bot.deadlines import slack_date
from bot.home import Dashboard, WaitingPoll, WaitingSurvey
from bot.i18n import t
from bot.ids import SLASH_COMMAND, Action
from bot.ui.common import button, context, divider, escape_mrkdwn, header, section
from bot.ui.onboarding import charter_status_blocks
from bot.ui.reports import level_name
from bot.ui.surveys import answer_button, percent
from bot.ui.toolbox import open_button
from storage.models import CharterVersion, ToolboxItem


def waiting_blocks(
    polls: list[WaitingPoll], surveys: list[WaitingSurvey], language: str
) -> list[dict[str, Any]]:
    """Return the "waiting for your view" part: open polls and surveys to answer."""
    if not polls and not surveys:
        return []
    blocks: list[dict[str, Any]] = [divider(), section(f"*{t('home.waiting', language)}*")]
    for survey in surveys:
        line = f":memo: *{escape_mrkdwn(survey.title)}*"
        if survey.closes_at is not None:
            line += " · " + t("survey.until", language, when=slack_date(survey.closes_at))
        blocks.append(section(line, accessory=answer_button(survey.survey_id, language)))
    for poll in polls:
        line = f":bar_chart: *{escape_mrkdwn(poll.question)}* — " + t(
            "home.poll_in", language, channel=f"<#{poll.channel_id}>"
        )
        if poll.closes_at is not None:
            line += " · " + t("poll.closes", language, when=slack_date(poll.closes_at))
        blocks.append(section(line))
    return blocks


def dashboard_blocks(board: Dashboard, language: str) -> list[dict[str, Any]]:
    """Return the coordinators' part: the numbers that matter and their actions."""
    lines = [t("home.open_polls", language, count=board.open_polls)]
    for survey in board.open_surveys:
        lines.append(
            t(
                "home.open_survey",
                language,
                title=escape_mrkdwn(survey.title),
                responded=survey.responded,
                invited=survey.invited,
                percent=percent(survey.responded, survey.invited),
            )
        )
    if board.members_by_level:
        lines.append(
            ":busts_in_silhouette: "
            + " · ".join(
                f"{level_name(level, language)} : *{count}*"
                if language == "fr"
                else f"{level_name(level, language)}: *{count}*"
                for level, count in board.members_by_level.items()
            )
        )
    if board.failed_messages:
        lines.append(f":warning: {t('home.failed', language, count=board.failed_messages)}")
    return [
        divider(),
        header(t("home.coordination", language)),
        section("\n".join(lines)),
        {
            "type": "actions",
            "elements": [
                button(t("home.new_survey", language), Action.HOME_NEW_SURVEY, "needs"),
                button(t("rules.export", language), Action.CHARTER_EXPORT, "home"),
            ],
        },
    ]


def build_home_view(
    subcommands: list[Subcommand],
    language: str,
    *,
    user_id: str,
    charter: CharterVersion | None = None,
    accepted_version: int | None = None,
    covered: bool = True,
    featured: ToolboxItem | None = None,
    polls: list[WaitingPoll] | None = None,
    surveys: list[WaitingSurvey] | None = None,
    participation: list[dict[str, Any]] | None = None,
    board: Dashboard | None = None,
    can_create_surveys: bool = False,
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
    blocks += waiting_blocks(polls or [], surveys or [], language)
    blocks += participation or []
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
    if board is not None:
        blocks += dashboard_blocks(board, language)
    elif can_create_surveys:
        # Facilitators: the coordinators' button to start a survey, without their numbers.
        new_survey = button(t("home.new_survey", language), Action.HOME_NEW_SURVEY, "needs")
        blocks += [divider(), {"type": "actions", "elements": [new_survey]}]
    blocks += [divider(), section(lines), context(t("help.footer", language))]
    return {"type": "home", "blocks": blocks}
