"""The coordinators' weekly digest and the gentle nudge to quiet members (pure builders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from bot.i18n import t, tn
from bot.ids import Action
from bot.ui.common import button, context, divider, escape_mrkdwn, header, section
from bot.ui.polls import vote_value
from bot.ui.reports import funnel_lines, levels_line, names_line, percent_text
from bot.ui.toolbox import open_button
from storage.models import ToolboxItem

if TYPE_CHECKING:
    from bot.digest import DigestData

# Names listed per section before "and N more": the digest must read at a glance.
DIGEST_NAMES_SHOWN = 8


@dataclass(frozen=True)
class PollSuggestion:
    """An open poll a quiet member has not voted in, with its options to vote from the DM."""

    poll_id: int
    question: str
    channel_id: str
    options: list[tuple[int, str]]


def _short_date(day: date, language: str) -> str:
    return f"{day:%d/%m}" if language == "fr" else f"{day:%b} {day.day}"


def _open_lines(data: DigestData, language: str) -> list[str]:
    lines = [
        tn(
            "digest.open.poll",
            poll.voters,
            language,
            question=escape_mrkdwn(poll.question[:150]),
            channel=f"<#{poll.channel_id}>",
            percent=percent_text(poll.voters / poll.audience if poll.audience else 0.0, language),
        )
        for poll in data.open_polls
    ]
    lines += [
        t(
            "digest.open.survey",
            language,
            title=escape_mrkdwn(survey.title),
            responded=survey.responded,
            invited=survey.invited,
            percent=percent_text(
                survey.responded / survey.invited if survey.invited else 0.0, language
            ),
        )
        for survey in data.open_surveys
    ]
    return lines or [t("digest.open.none", language)]


def _people_section(title: str, people: tuple[Any, ...], empty: str, language: str) -> str:
    body = (
        names_line(people, language, mention=False, shown=DIGEST_NAMES_SHOWN) if people else empty
    )
    return f"*{title}*\n{body}"


def build_digest(data: DigestData, language: str) -> dict[str, Any]:
    """Return the weekly digest: header, a few sections, context lines."""
    week_number = data.week.rsplit("W", 1)[-1].lstrip("0")
    title = t("digest.title", language, week=week_number)
    span = t(
        "digest.span",
        language,
        first=_short_date(data.first_day, language),
        last=_short_date(data.last_day, language),
    )
    quiet = _people_section(
        t("digest.quiet.title", language, count=len(data.went_quiet)),
        data.went_quiet,
        t("digest.quiet.none", language),
        language,
    )
    below = _people_section(
        t(
            "digest.below.title",
            language,
            count=len(data.below_minimum),
            minimum=data.policy.minimum_per_week,
            weeks=data.policy.quiet_weeks,
        ),
        data.below_minimum,
        t("digest.below.none", language),
        language,
    )
    if data.nudged:
        below += "\n" + tn("digest.nudged", data.nudged, language)
    blocks: list[dict[str, Any]] = [
        header(title),
        context(span, levels_line(data.levels, data.members, language)),
        section(
            _people_section(
                t("digest.new.title", language, count=len(data.new_members)),
                data.new_members,
                t("digest.new.none", language),
                language,
            )
        ),
        section(
            f"*{t('digest.funnel.title', language, days=data.funnel_days)}*\n"
            + "\n".join(funnel_lines(data.funnel, language))
        ),
        section(
            _people_section(
                t("digest.pending.title", language, count=len(data.pending_charter)),
                data.pending_charter,
                t("digest.pending.none", language),
                language,
            )
        ),
        divider(),
        section(f"*{t('digest.open.title', language)}*\n" + "\n".join(_open_lines(data, language))),
        section(quiet),
    ]
    if data.policy.minimum_per_week > 0:
        blocks.append(section(below))
    blocks.append(context(t("digest.footer", language)))
    return {"text": f"{title} · {span}", "blocks": blocks}


def build_participation_nudge(
    *,
    name: str,
    poll: PollSuggestion | None,
    item: ToolboxItem | None,
    channel_id: str | None,
    language: str,
) -> dict[str, Any]:
    """Return the one gentle nudge to a quiet member: a few easy ways back in."""
    intro = t("nudge.participation.intro", language, name=name)
    blocks: list[dict[str, Any]] = [section(intro)]
    if poll is not None:
        blocks.append(
            section(
                t(
                    "nudge.participation.poll",
                    language,
                    question=escape_mrkdwn(poll.question[:300]),
                    channel=f"<#{poll.channel_id}>",
                )
            )
        )
        blocks.append(
            {
                "type": "actions",
                "block_id": f"participation_poll_{poll.poll_id}",
                "elements": [
                    button(label, Action.POLL_VOTE, vote_value(poll.poll_id, option_id))
                    for option_id, label in poll.options[:25]
                ],
            }
        )
    if item is not None:
        blocks.append(
            section(
                t("nudge.participation.tool", language, title=escape_mrkdwn(item.title)),
                accessory=open_button(item, language),
            )
        )
    if channel_id:
        blocks.append(
            section(t("nudge.participation.question", language, channel=f"<#{channel_id}>"))
        )
    blocks.append(context(t("nudge.participation.why", language)))
    return {"text": intro, "blocks": blocks}
