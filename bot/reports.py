"""Participation reports: the community's figures for coordinators, a member's own record.

Everything is read with a handful of aggregate queries, never one query per member:
levels and the most active members from the daily counts (`participation_daily`, by
its primary key on day), the onboarding funnel from the member directory, channels'
activity from the events (`participation_events`, by its index on time). Periods are
whole UTC days ending today.
"""

from __future__ import annotations

import statistics
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, type_coerce
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import UsageError
from bot.forms import parse_id
from bot.levels import (
    LEVELS,
    LevelPolicy,
    below_minimum,
    count_levels,
    level_for,
    level_policy,
    next_level,
    recent_points,
    weighted_points,
    went_quiet,
    window,
)
from storage.models import (
    CharterAcceptance,
    Member,
    ParticipationDaily,
    ParticipationEvent,
    UTCDateTime,
    utcnow,
)
from storage.participation import (
    ANONYMOUS,
    JOIN,
    KINDS,
    LEAVE,
    MESSAGE,
    REACTION,
    REPLY,
    tracked_channels,
    untracked_members,
)
from storage.roster import community_member_ids

# `/cercle stats` periods, in days (None: since the beginning).
DEFAULT_PERIOD_DAYS = 30
_PERIOD_WORDS = {"all": None, "tout": None, "tous": None}
MAX_PERIOD_DAYS = 3650
# A member active or core a while ago who did nothing for this many days "just went quiet".
QUIET_DAYS = 14
TOP_MEMBERS = 5
# The onboarding funnel's steps, in order; each member's date of reaching it.
FUNNEL_STEPS = ("joined", "accepted", "first_message", "first_answer")
# What counts as a channel's activity.
CHANNEL_KINDS = (MESSAGE, REPLY, REACTION)
# The acts a member's own record lists (joining and leaving are not participation).
RECORD_KINDS = tuple(kind for kind in KINDS if kind not in (JOIN, LEAVE))
# Read this many of the best totals, then keep those still in the community.
_TOP_CANDIDATES = 100


def parse_period(words: list[str]) -> int | None:
    """Read `30d`, `90d`, `all` (or `tout`, `45j`) into days; no word means 30 days."""
    if not words:
        return DEFAULT_PERIOD_DAYS
    word = words[0].strip().lower()
    if len(words) > 1:
        raise UsageError("stats.usage")
    if word in _PERIOD_WORDS:
        return None
    number = word[:-1] if word[-1:] in ("d", "j") else word
    days = parse_id(number)
    if days is None or not 1 <= days <= MAX_PERIOD_DAYS:
        raise UsageError("stats.usage")
    return days


def period_start(days: int | None, now: datetime) -> datetime | None:
    """Return midnight UTC of the first day of a `days`-day period ending today."""
    if days is None:
        return None
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(0), UTC)


@dataclass(frozen=True)
class Person:
    """A member named in a report, with the points that put them there."""

    user_id: str
    name: str | None = None
    points: int = 0
    level: str | None = None


@dataclass(frozen=True)
class FunnelStep:
    """How many members who joined in the period reached one step, and how fast."""

    step: str
    count: int
    share: float  # of the members who joined in the period (0 when nobody joined)
    median_delay: timedelta | None  # from joining; None for "joined" or when nobody got there


@dataclass(frozen=True)
class ChannelActivity:
    """A tracked channel's messages, thread replies and reactions over the period."""

    channel_id: str
    messages: int = 0
    replies: int = 0
    reactions: int = 0

    @property
    def total(self) -> int:
        """Return every act counted in the channel."""
        return self.messages + self.replies + self.reactions


@dataclass(frozen=True)
class CommunityStats:
    """What `/cercle stats` and `cercle report` show."""

    days: int | None  # the period; None: since the beginning
    now: datetime
    policy: LevelPolicy
    members: int
    levels: dict[str, int]
    funnel: tuple[FunnelStep, ...]
    top_members: tuple[Person, ...]
    channels: tuple[ChannelActivity, ...]
    went_quiet: tuple[Person, ...]
    below_minimum: tuple[Person, ...] = ()
    # Acts counted without a member in the period (anonymous votes and answers).
    anonymous_acts: int = 0


@dataclass(frozen=True)
class Directory:
    """What reports need of every known member, read in one pass over the members."""

    names: dict[str, str | None] = field(default_factory=dict)
    joined: dict[str, datetime | None] = field(default_factory=dict)
    community: set[str] = field(default_factory=set)

    def person(self, user_id: str, points: int = 0, level: str | None = None) -> Person:
        """Return `user_id` as a report names them."""
        return Person(user_id, self.names.get(user_id), points, level)


def read_directory(db: Session) -> Directory:
    """Return every member's display name and join date, and who is in the community now."""
    names: dict[str, str | None] = {}
    joined: dict[str, datetime | None] = {}
    for user_id, name, joined_at in db.execute(
        select(Member.user_id, Member.display_name, Member.joined_at)
    ):
        names[user_id] = name
        joined[user_id] = joined_at
    return Directory(names, joined, community_member_ids(db))


def _first_acceptance() -> Any:
    """Return a subquery of each member's first charter acceptance."""
    return (
        select(
            CharterAcceptance.user_id.label("user_id"),
            type_coerce(func.min(CharterAcceptance.accepted_at), UTCDateTime()).label("at"),
        )
        .group_by(CharterAcceptance.user_id)
        .subquery()
    )


def onboarding_funnel(
    db: Session, *, since: datetime | None, now: datetime
) -> tuple[FunnelStep, ...]:
    """Return the funnel of members who joined from `since` (None: ever) to `now`.

    Every step counts members of that cohort who reached it by `now`, whatever the
    order (someone may write before accepting the charter); shares are of the cohort,
    delays are medians from joining.
    """
    accepted = _first_acceptance()
    statement = (
        select(
            Member.joined_at,
            accepted.c.at,
            Member.first_message_at,
            Member.first_answer_at,
        )
        .outerjoin(accepted, accepted.c.user_id == Member.user_id)
        .where(Member.joined_at.is_not(None), Member.joined_at <= now, Member.is_bot.is_(False))
    )
    if since is not None:
        statement = statement.where(Member.joined_at >= since)
    delays: list[list[timedelta]] = [[], [], []]
    joined = 0
    for joined_at, *steps in db.execute(statement):
        joined += 1
        for collected, reached in zip(delays, steps, strict=True):
            if reached is not None and reached <= now:
                # Reached before joining (a member who left and came back): no delay.
                collected.append(max(reached - joined_at, timedelta(0)))
    funnel = [FunnelStep(FUNNEL_STEPS[0], joined, 1.0 if joined else 0.0, None)]
    for step, collected in zip(FUNNEL_STEPS[1:], delays, strict=True):
        funnel.append(
            FunnelStep(
                step,
                len(collected),
                len(collected) / joined if joined else 0.0,
                statistics.median(collected) if collected else None,
            )
        )
    return tuple(funnel)


def channel_activity(
    db: Session, channels: Iterable[str], *, since: datetime | None, now: datetime
) -> tuple[ChannelActivity, ...]:
    """Return each channel's messages, replies and reactions, the busiest first."""
    wanted = sorted(set(channels))
    if not wanted:
        return ()
    statement = (
        select(ParticipationEvent.channel_id, ParticipationEvent.kind, func.count())
        .where(
            ParticipationEvent.kind.in_(CHANNEL_KINDS),
            ParticipationEvent.channel_id.in_(wanted),
        )
        .group_by(ParticipationEvent.channel_id, ParticipationEvent.kind)
    )
    if since is not None:
        statement = statement.where(
            ParticipationEvent.occurred_at >= since, ParticipationEvent.occurred_at <= now
        )
    # Since the beginning: no time condition at all. Over most of the table, reading it
    # straight through beats following the time index row by row (3x on SQLite).
    counts: dict[str, dict[str, int]] = {channel: {} for channel in wanted}
    for channel_id, kind, count in db.execute(statement):
        counts[channel_id][kind] = int(count)
    activity = [
        ChannelActivity(
            channel,
            messages=by_kind.get(MESSAGE, 0),
            replies=by_kind.get(REPLY, 0),
            reactions=by_kind.get(REACTION, 0),
        )
        for channel, by_kind in counts.items()
    ]
    return tuple(sorted(activity, key=lambda a: (-a.total, a.channel_id)))


def top_points(
    db: Session,
    policy: LevelPolicy,
    *,
    first: date | None,
    last: date,
    population: Collection[str],
    limit: int = TOP_MEMBERS,
) -> list[tuple[str, int]]:
    """Return the `limit` members of `population` with the most points from `first` to `last`."""
    total = func.sum(weighted_points(policy))
    statement = (
        select(ParticipationDaily.user_id, total)
        .where(
            ParticipationDaily.day <= last,
            ParticipationDaily.user_id != ANONYMOUS,
            ParticipationDaily.kind.in_(policy.counted_kinds),
        )
        .group_by(ParticipationDaily.user_id)
        .order_by(total.desc(), ParticipationDaily.user_id)
        .limit(_TOP_CANDIDATES)
    )
    if first is not None:
        statement = statement.where(ParticipationDaily.day >= first)
    ranked = [
        (user_id, int(points))
        for user_id, points in db.execute(statement)
        if user_id in population and points
    ]
    return ranked[:limit]


def anonymous_acts(db: Session, *, first: date | None, last: date) -> int:
    """Return how many acts were counted without a member from `first` to `last`."""
    statement = select(func.coalesce(func.sum(ParticipationDaily.count), 0)).where(
        ParticipationDaily.user_id == ANONYMOUS, ParticipationDaily.day <= last
    )
    if first is not None:
        statement = statement.where(ParticipationDaily.day >= first)
    return int(db.scalar(statement) or 0)


def community_stats(
    db: Session,
    settings: Settings,
    *,
    days: int | None = DEFAULT_PERIOD_DAYS,
    now: datetime | None = None,
) -> CommunityStats:
    """Compute the community's participation figures over the last `days` days."""
    now = now or utcnow()
    policy = level_policy(settings)
    directory = read_directory(db)
    population = directory.community
    points = recent_points(db, policy, now=now, quiet_days=QUIET_DAYS)
    since = period_start(days, now)
    first = since.date() if since is not None else None
    _, today = window(policy, now=now)

    def level_of(user_id: str) -> str:
        return level_for(points.current.get(user_id, 0), policy)

    top = top_points(db, policy, first=first, last=today, population=population)
    # Members counted anonymously (`/cercle tracking off`) have no record to judge.
    judged = population - untracked_members(db)
    quiet = went_quiet(points, judged, policy)
    below = below_minimum(points, judged, policy, joined=directory.joined, now=now)
    return CommunityStats(
        days=days,
        now=now,
        policy=policy,
        members=len(population),
        levels=count_levels(population, points.current, policy),
        funnel=onboarding_funnel(db, since=since, now=now),
        top_members=tuple(directory.person(u, p, level_of(u)) for u, p in top),
        channels=channel_activity(
            db, tracked_channels(db, settings.community_channel), since=since, now=now
        ),
        went_quiet=tuple(directory.person(u, p, level_for(p, policy)) for u, p in quiet),
        below_minimum=tuple(
            directory.person(u, points.minimum.get(u, 0), level_of(u)) for u in below
        ),
        anonymous_acts=anonymous_acts(db, first=first, last=today),
    )


@dataclass(frozen=True)
class MemberRecord:
    """A member's own participation: what `/cercle me` shows them."""

    user_id: str
    name: str | None
    level: str
    points: int
    window_days: int
    counts: dict[str, int]  # acts by kind over the window, kinds with none left out
    next_level: str | None
    points_to_next: int  # 0 at the core
    joined_at: datetime | None
    accepted_at: datetime | None
    first_message_at: datetime | None
    first_answer_at: datetime | None


def member_record(
    db: Session, settings: Settings, user_id: str, *, now: datetime | None = None
) -> MemberRecord:
    """Return `user_id`'s acts, points and level over the level window, and first steps."""
    now = now or utcnow()
    policy = level_policy(settings)
    first, last = window(policy, now=now)
    rows = db.execute(
        select(ParticipationDaily.kind, func.sum(ParticipationDaily.count))
        .where(
            ParticipationDaily.user_id == user_id,
            ParticipationDaily.day >= first,
            ParticipationDaily.day <= last,
        )
        .group_by(ParticipationDaily.kind)
    ).all()
    by_kind = {kind: int(count or 0) for kind, count in rows}
    counts = {kind: by_kind[kind] for kind in RECORD_KINDS if by_kind.get(kind, 0) > 0}
    points = sum(policy.weight(kind) * count for kind, count in by_kind.items() if count > 0)
    level = level_for(points, policy)
    upper = next_level(level)
    member = db.get(Member, user_id)
    accepted_at = db.scalar(
        select(type_coerce(func.min(CharterAcceptance.accepted_at), UTCDateTime())).where(
            CharterAcceptance.user_id == user_id
        )
    )
    return MemberRecord(
        user_id=user_id,
        name=member.display_name if member else None,
        level=level,
        points=points,
        window_days=policy.window_days,
        counts=counts,
        next_level=upper,
        points_to_next=max(policy.threshold(upper) - points, 0) if upper else 0,
        joined_at=member.joined_at if member else None,
        accepted_at=accepted_at,
        first_message_at=member.first_message_at if member else None,
        first_answer_at=member.first_answer_at if member else None,
    )


def stats_as_dict(stats: CommunityStats) -> dict[str, Any]:
    """Return the figures as plain JSON-ready data (for `cercle report --format json`)."""

    def person(p: Person) -> dict[str, Any]:
        return {"user_id": p.user_id, "name": p.name, "points": p.points, "level": p.level}

    return {
        "period_days": stats.days,
        "generated_at": stats.now.isoformat(),
        "level_window_days": stats.policy.window_days,
        "members": stats.members,
        "levels": {level: stats.levels.get(level, 0) for level in LEVELS},
        "funnel": [
            {
                "step": step.step,
                "count": step.count,
                "share": round(step.share, 4),
                "median_delay_hours": (
                    None
                    if step.median_delay is None
                    else round(step.median_delay.total_seconds() / 3600, 1)
                ),
            }
            for step in stats.funnel
        ],
        "top_members": [person(p) for p in stats.top_members],
        "channels": [
            {
                "channel_id": c.channel_id,
                "messages": c.messages,
                "replies": c.replies,
                "reactions": c.reactions,
                "total": c.total,
            }
            for c in stats.channels
        ],
        "went_quiet": [person(p) for p in stats.went_quiet],
        "below_minimum": [person(p) for p in stats.below_minimum],
        "anonymous_acts": stats.anonymous_acts,
    }
