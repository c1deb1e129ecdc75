"""Participation levels after Wenger: core, active, peripheral and inactive members.

A member's level comes from the points they earned over a rolling window of UTC days
(today and the `window_days - 1` days before it): each act counts its kind's weight.
Points are read from the daily counts (`participation_daily`), never from the events,
so a level costs one grouped range scan however many events there are. Anonymous acts
(user id "") count for nobody.

The same points tell who is below the charter's "minimum of participation": a member
who averaged fewer than `minimum_per_week` points a week over the last `quiet_weeks`
weeks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from bot.config import DEFAULT_LEVEL_THRESHOLDS, DEFAULT_LEVEL_WEIGHTS, Settings
from storage.models import ParticipationDaily
from storage.participation import ANONYMOUS

CORE = "core"
ACTIVE = "active"
PERIPHERAL = "peripheral"
INACTIVE = "inactive"
# From the heart of the community to its edge.
LEVELS = (CORE, ACTIVE, PERIPHERAL, INACTIVE)

# Beyond this many ids an IN list costs more than reading every row of the range and
# filtering in Python (and some databases cap the number of parameters).
_IN_LIST_MAX = 500


@dataclass(frozen=True)
class LevelPolicy:
    """How acts turn into points, and how many points each level needs."""

    window_days: int = 28
    weights: tuple[tuple[str, int], ...] = DEFAULT_LEVEL_WEIGHTS
    core: int = dict(DEFAULT_LEVEL_THRESHOLDS)["core"]
    active: int = dict(DEFAULT_LEVEL_THRESHOLDS)["active"]
    peripheral: int = dict(DEFAULT_LEVEL_THRESHOLDS)["peripheral"]
    minimum_per_week: int = 1
    quiet_weeks: int = 4

    def weight(self, kind: str) -> int:
        """Return the points one act of `kind` earns."""
        return dict(self.weights).get(kind, 0)

    @property
    def counted_kinds(self) -> tuple[str, ...]:
        """Return the kinds that earn points."""
        return tuple(kind for kind, weight in self.weights if weight > 0)

    def threshold(self, level: str) -> int:
        """Return the points `level` needs (0 for inactive)."""
        return {CORE: self.core, ACTIVE: self.active, PERIPHERAL: self.peripheral}.get(level, 0)


def level_policy(settings: Settings) -> LevelPolicy:
    """Build the level policy the community's settings describe."""
    thresholds = dict(settings.level_thresholds)
    return LevelPolicy(
        window_days=settings.level_window_days,
        weights=tuple(settings.level_weights),
        core=thresholds[CORE],
        active=thresholds[ACTIVE],
        peripheral=thresholds[PERIPHERAL],
        minimum_per_week=settings.minimum_participation,
        quiet_weeks=settings.quiet_weeks,
    )


def level_for(points: int, policy: LevelPolicy) -> str:
    """Return the level `points` over the window earn."""
    if points >= policy.core:
        return CORE
    if points >= policy.active:
        return ACTIVE
    if points >= policy.peripheral:
        return PERIPHERAL
    return INACTIVE


def next_level(level: str) -> str | None:
    """Return the level one step closer to the core, if any."""
    index = LEVELS.index(level)
    return LEVELS[index - 1] if index > 0 else None


def window(policy: LevelPolicy, *, now: datetime, days: int | None = None) -> tuple[date, date]:
    """Return the first and last UTC day of the window ending today (`days` long)."""
    last = now.date() if now.tzinfo is None else now.astimezone(UTC).date()
    return last - timedelta(days=(days or policy.window_days) - 1), last


def weighted_points(policy: LevelPolicy) -> ColumnElement[Any]:
    """Return the SQL expression of one daily row's points."""
    weights = {kind: weight for kind, weight in policy.weights if weight > 0}
    if not weights:
        return ParticipationDaily.count * 0
    return ParticipationDaily.count * case(weights, value=ParticipationDaily.kind, else_=0)


def _restrict(statement: Any, user_ids: Collection[str] | None) -> Any:
    if user_ids is not None and len(user_ids) <= _IN_LIST_MAX:
        return statement.where(ParticipationDaily.user_id.in_(list(user_ids)))
    return statement


def points_between(
    db: Session,
    policy: LevelPolicy,
    *,
    first: date | None,
    last: date,
    user_ids: Collection[str] | None = None,
) -> dict[str, int]:
    """Return each member's points from day `first` (None: the beginning) to `last`, inclusive.

    Without `user_ids`, members with no points are left out; with them, every one of
    them is present (0 when they earned nothing).
    """
    statement = select(ParticipationDaily.user_id, func.sum(weighted_points(policy))).where(
        ParticipationDaily.day <= last,
        ParticipationDaily.user_id != ANONYMOUS,
        ParticipationDaily.kind.in_(policy.counted_kinds),
    )
    if first is not None:
        statement = statement.where(ParticipationDaily.day >= first)
    statement = _restrict(statement, user_ids).group_by(ParticipationDaily.user_id)
    points = {user_id: int(total or 0) for user_id, total in db.execute(statement)}
    if user_ids is None:
        return {user_id: total for user_id, total in points.items() if total > 0}
    return {user_id: points.get(user_id, 0) for user_id in user_ids}


def points_by_member(
    db: Session, policy: LevelPolicy, *, now: datetime, user_ids: Collection[str] | None = None
) -> dict[str, int]:
    """Return each member's points over the level window ending on `now`'s UTC day.

    Without `user_ids`, only members who earned points are present; with them, all of
    them are (0 for none).
    """
    first, last = window(policy, now=now)
    return points_between(db, policy, first=first, last=last, user_ids=user_ids)


def count_levels(
    population: Iterable[str], points: Mapping[str, int], policy: LevelPolicy
) -> dict[str, int]:
    """Return how many of `population` stand at each level, every level present."""
    counts = dict.fromkeys(LEVELS, 0)
    for user_id in population:
        counts[level_for(points.get(user_id, 0), policy)] += 1
    return counts


@dataclass(frozen=True)
class RecentPoints:
    """Points over three stretches ending today, read in one pass over the daily counts."""

    current: dict[str, int]  # the level window
    recent: dict[str, int]  # the last `quiet_days` days
    before: dict[str, int]  # the level window that ended `quiet_days` days ago
    minimum: dict[str, int]  # the last `quiet_weeks` weeks


def recent_points(
    db: Session, policy: LevelPolicy, *, now: datetime, quiet_days: int = 14
) -> RecentPoints:
    """Return every member's points over the stretches reports need, in one grouped query.

    Members with no points in a stretch are absent from it.
    """
    current_first, today = window(policy, now=now)
    recent_first = today - timedelta(days=quiet_days - 1)
    before_last = recent_first - timedelta(days=1)
    before_first = before_last - timedelta(days=policy.window_days - 1)
    minimum_first = today - timedelta(days=7 * policy.quiet_weeks - 1)
    earliest = min(current_first, before_first, minimum_first)
    points = weighted_points(policy)
    day = ParticipationDaily.day

    def within(first: date, last: date) -> ColumnElement[Any]:
        return func.sum(case(((day >= first) & (day <= last), points), else_=0))

    rows = db.execute(
        select(
            ParticipationDaily.user_id,
            within(current_first, today),
            within(recent_first, today),
            within(before_first, before_last),
            within(minimum_first, today),
        )
        .where(
            day >= earliest,
            day <= today,
            ParticipationDaily.user_id != ANONYMOUS,
            ParticipationDaily.kind.in_(policy.counted_kinds),
        )
        .group_by(ParticipationDaily.user_id)
    ).all()
    stretches: tuple[dict[str, int], ...] = ({}, {}, {}, {})
    for user_id, *totals in rows:
        for stretch, total in zip(stretches, totals, strict=True):
            if total:
                stretch[user_id] = int(total)
    return RecentPoints(*stretches)


def went_quiet(
    points: RecentPoints, population: Iterable[str], policy: LevelPolicy
) -> list[tuple[str, int]]:
    """Return members who were active or core a while ago and earned nothing since.

    "A while ago" is the level window that ended `quiet_days` days ago; each member
    comes with the points they had then, the most engaged first.
    """
    quiet = [
        (user_id, points.before.get(user_id, 0))
        for user_id in population
        if points.before.get(user_id, 0) >= policy.active and not points.recent.get(user_id)
    ]
    return sorted(quiet, key=lambda pair: (-pair[1], pair[0]))


def below_minimum(
    points: RecentPoints,
    population: Iterable[str],
    policy: LevelPolicy,
    *,
    joined: Mapping[str, datetime | None],
    now: datetime,
) -> list[str]:
    """Return members who averaged less than the minimum a week over the last quiet weeks.

    Members who joined less than `quiet_weeks` weeks ago are given time; a member the
    directory has no join date for is taken as there from the start. The minimum 0
    turns this off.
    """
    if policy.minimum_per_week <= 0:
        return []
    needed = policy.minimum_per_week * policy.quiet_weeks
    settled = now - timedelta(weeks=policy.quiet_weeks)
    below = []
    for user_id in population:
        joined_at = joined.get(user_id)
        if joined_at is not None and joined_at > settled:
            continue
        if points.minimum.get(user_id, 0) < needed:
            below.append(user_id)
    return sorted(below)
