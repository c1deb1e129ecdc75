"""Participation reports as Block Kit: `/cercle stats` for coordinators, `/cercle me` for all.

Pure builders: figures in, message out. Lists of members are cut to a few names and a
count of the rest, so a community of any size fits Slack's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.i18n import t, tn
from bot.levels import LEVELS, LevelPolicy
from bot.reports import (
    QUIET_DAYS,
    ChannelActivity,
    CommunityStats,
    FunnelStep,
    MemberRecord,
    Person,
)
from bot.ui.common import context, divider, escape_mrkdwn, header, section

# How many names a list shows before "and N more".
NAMES_SHOWN = 10
CHANNELS_SHOWN = 10
# Room for a list of names inside one section (Slack allows 3000 characters).
_NAMES_BUDGET = 1500


def percent_text(share: float, language: str) -> str:
    """Return a share as a whole percentage, French or English style ("42 %", "42%")."""
    return t("report.percent", language, percent=round(100 * share))


def delay_text(delay: timedelta | None, language: str) -> str:
    """Return a delay in hours under two days, in days beyond."""
    if delay is None:
        return "—"
    hours = delay.total_seconds() / 3600
    if hours < 1:
        return t("report.delay.under_an_hour", language)
    if hours < 48:
        return t("report.delay.hours", language, hours=round(hours))
    return t("report.delay.days", language, days=round(hours / 24))


def day_text(moment: datetime) -> str:
    """Return Slack's date token for a day, shown in each reader's own format."""
    return (
        f"<!date^{int(moment.timestamp())}^{{date_short_pretty}}|{moment.astimezone(UTC):%Y-%m-%d}>"
    )


def person_label(person: Person, *, mention: bool) -> str:
    """Return a member as a mention (ephemeral replies) or their name (posts)."""
    if mention or not person.name:
        return f"<@{person.user_id}>"
    return escape_mrkdwn(person.name)


def names_line(
    people: Sequence[Person], language: str, *, mention: bool, shown: int = NAMES_SHOWN
) -> str:
    """Return a few names separated by commas, then "and N more"."""
    labels: list[str] = []
    used = 0
    for person in people[:shown]:
        label = person_label(person, mention=mention)
        if used + len(label) > _NAMES_BUDGET:
            break
        labels.append(label)
        used += len(label) + 2
    line = ", ".join(labels)
    rest = len(people) - len(labels)
    if rest > 0:
        line += " " + tn("report.and_more", rest, language)
    return line


def level_name(level: str, language: str) -> str:
    """Return a level's name in `language`."""
    return t(f"level.{level}", language)


def levels_line(levels: dict[str, int], members: int, language: str) -> str:
    """Return "12 members: core 2 · active 3 · …" with shares."""
    parts = [
        t(
            "report.level_count",
            language,
            level=level_name(level, language),
            count=levels.get(level, 0),
            percent=percent_text(levels.get(level, 0) / members if members else 0.0, language),
        )
        for level in LEVELS
    ]
    return tn("report.members", members, language) + " · " + " · ".join(parts)


def levels_rule(policy: LevelPolicy, language: str) -> str:
    """Return how levels are decided, for a context line."""
    return t(
        "report.levels_rule",
        language,
        days=policy.window_days,
        core=policy.core,
        active=policy.active,
        peripheral=policy.peripheral,
    )


def funnel_lines(funnel: Sequence[FunnelStep], language: str) -> list[str]:
    """Return one line per step of the onboarding funnel."""
    if not funnel or funnel[0].count == 0:
        return [t("report.funnel.nobody", language)]
    lines = [t("report.funnel.joined", language, count=funnel[0].count)]
    for step in funnel[1:]:
        lines.append(
            t(
                "report.funnel.step",
                language,
                step=t(f"report.funnel.{step.step}", language),
                count=step.count,
                percent=percent_text(step.share, language),
                delay=delay_text(step.median_delay, language),
            )
        )
    return lines


def _channel_line(activity: ChannelActivity, language: str) -> str:
    return t(
        "report.channel",
        language,
        channel=f"<#{activity.channel_id}>",
        total=activity.total,
        messages=activity.messages,
        replies=activity.replies,
        reactions=activity.reactions,
    )


def _period_title(days: int | None, language: str) -> str:
    if days is None:
        return t("report.title.all", language)
    return t("report.title.days", language, days=days)


def build_stats_message(stats: CommunityStats, language: str) -> dict[str, Any]:
    """Return `/cercle stats`: levels, the funnel, the most active, channels, who went quiet."""
    title = _period_title(stats.days, language)
    blocks: list[dict[str, Any]] = [
        header(title),
        section(
            f"*{t('report.levels', language)}*\n"
            + levels_line(stats.levels, stats.members, language)
        ),
        context(levels_rule(stats.policy, language)),
        divider(),
        section(
            f"*{t('report.funnel.title', language)}*\n"
            + "\n".join(funnel_lines(stats.funnel, language))
        ),
    ]
    if stats.top_members:
        top = [
            t(
                "report.top.line",
                language,
                rank=rank,
                name=person_label(person, mention=True),
                points=person.points,
                level=level_name(person.level or LEVELS[-1], language),
            )
            for rank, person in enumerate(stats.top_members, start=1)
        ]
        blocks.append(section(f"*{t('report.top.title', language)}*\n" + "\n".join(top)))
    else:
        blocks.append(
            section(f"*{t('report.top.title', language)}*\n{t('report.top.nobody', language)}")
        )
    if stats.channels:
        lines = [_channel_line(a, language) for a in stats.channels[:CHANNELS_SHOWN]]
        hidden = len(stats.channels) - CHANNELS_SHOWN
        if hidden > 0:
            lines.append(tn("report.channels.more", hidden, language))
        blocks.append(section(f"*{t('report.channels.title', language)}*\n" + "\n".join(lines)))
    quiet_title = t("report.quiet.title", language, days=QUIET_DAYS, count=len(stats.went_quiet))
    quiet_body = (
        names_line(stats.went_quiet, language, mention=True)
        if stats.went_quiet
        else t("report.quiet.nobody", language)
    )
    blocks.append(section(f"*{quiet_title}*\n{quiet_body}"))
    notes = [t("report.stats.footer", language)]
    if stats.anonymous_acts:
        notes.append(tn("report.anonymous", stats.anonymous_acts, language))
    blocks.append(context(*notes))
    return {"text": title, "blocks": blocks}


def _count_line(kind: str, count: int, language: str) -> str:
    return "• " + tn(f"me.count.{kind}", count, language)


def _step_line(step: str, moment: datetime | None, language: str) -> str:
    label = t(f"me.step.{step}", language)
    if moment is None:
        return t("me.step.not_yet", language, step=label)
    return t("me.step.done", language, step=label, date=day_text(moment))


def level_text(record: MemberRecord, language: str) -> str:
    """Return the member's level and points, and how far the next level is, kindly."""
    text = t(
        f"me.level.{record.level}",
        language,
        level=level_name(record.level, language),
        points=record.points,
    )
    if record.next_level is not None and record.points_to_next > 0:
        text += " " + tn(
            "me.next",
            record.points_to_next,
            language,
            level=level_name(record.next_level, language),
        )
    return text


def build_home_participation(record: MemberRecord, language: str) -> list[dict[str, Any]]:
    """Return the App Home's part about the member's own participation."""
    return [
        divider(),
        section(f"*{t('me.title', language)}*\n{level_text(record, language)}"),
        context(t("home.me_hint", language, days=record.window_days)),
    ]


def build_me_message(record: MemberRecord, policy: LevelPolicy, language: str) -> dict[str, Any]:
    """Return `/cercle me`: the member's acts, level and first steps, told kindly."""
    title = t("me.title", language)
    name = escape_mrkdwn(record.name) if record.name else f"<@{record.user_id}>"
    if record.counts:
        acts = t("me.acts", language, name=name, days=record.window_days) + "\n"
        acts += "\n".join(_count_line(k, c, language) for k, c in record.counts.items())
    else:
        acts = t("me.no_acts", language, name=name, days=record.window_days)
    level = level_text(record, language)
    steps = [
        _step_line("joined", record.joined_at, language),
        _step_line("accepted", record.accepted_at, language),
        _step_line("first_message", record.first_message_at, language),
        _step_line("first_answer", record.first_answer_at, language),
    ]
    weights = ", ".join(
        t("me.weight", language, kind=t(f"participation.kind.{kind}", language), points=weight)
        for kind, weight in policy.weights
        if weight > 0
    )
    return {
        "text": title,
        "blocks": [
            header(title),
            section(acts),
            section(level),
            section(f"*{t('me.steps', language)}*\n" + "\n".join(steps)),
            context(t("me.footer", language, weights=weights, days=policy.window_days)),
        ],
    }
