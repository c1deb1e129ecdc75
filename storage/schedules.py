"""Schedules coordinators set for recurring jobs (the database is the truth)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Schedule, utcnow


@dataclass(frozen=True)
class ScheduleSpec:
    """When a job runs: cron-like days, hour and minute (community time zone), or paused."""

    name: str
    days: str
    hour: int
    minute: int
    paused: bool = False


# Every schedulable job and when it runs until a coordinator says otherwise.
DEFAULT_SCHEDULES: dict[str, ScheduleSpec] = {
    "weekly_tool": ScheduleSpec("weekly_tool", "mon", 9, 30),
    "toolbox_nudges": ScheduleSpec("toolbox_nudges", "mon-fri", 10, 0),
    "weekly_digest": ScheduleSpec("weekly_digest", "mon", 8, 30),
    "participation_nudges": ScheduleSpec("participation_nudges", "tue", 10, 0),
}

_DAYS = {
    "mon": "mon", "lun": "mon", "tue": "tue", "mar": "tue", "wed": "wed", "mer": "wed",
    "thu": "thu", "jeu": "thu", "fri": "fri", "ven": "fri", "sat": "sat", "sam": "sat",
    "sun": "sun", "dim": "sun",
}  # fmt: skip
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")


def parse_schedule(words: list[str]) -> tuple[str, int, int] | None:
    """Parse "weekly mon 09:30", "daily 10:00" or "weekdays 10:00" (French words too).

    Returns (days, hour, minute) or None if the words are not a schedule.
    """
    lowered = [word.lower() for word in words]
    if len(lowered) == 3 and lowered[0] in ("weekly", "hebdo", "hebdomadaire"):
        days = _DAYS.get(lowered[1][:3])
        clock = lowered[2]
    elif len(lowered) == 2 and lowered[0] in ("daily", "quotidien", "chaque-jour"):
        days, clock = "*", lowered[1]
    elif len(lowered) == 2 and lowered[0] in ("weekdays", "semaine", "ouvres", "ouvrés"):
        days, clock = "mon-fri", lowered[1]
    else:
        return None
    match = _TIME.match(clock)
    if days is None or match is None:
        return None
    return days, int(match.group(1)), int(match.group(2))


def current_schedules(db: Session) -> list[ScheduleSpec]:
    """Return every schedulable job's schedule: as set by coordinators, else the default."""
    stored = {row.name: row for row in db.scalars(select(Schedule))}
    result = []
    for name, default in DEFAULT_SCHEDULES.items():
        row = stored.get(name)
        result.append(
            ScheduleSpec(name, row.days, row.hour, row.minute, row.paused) if row else default
        )
    return result


def _editable(db: Session, name: str) -> Schedule:
    row = db.get(Schedule, name, with_for_update=True)
    if row is None:
        default = DEFAULT_SCHEDULES[name]
        row = Schedule(name=name, days=default.days, hour=default.hour, minute=default.minute)
        db.add(row)
    return row


def set_schedule(
    db: Session, name: str, *, days: str, hour: int, minute: int, author_id: str
) -> None:
    """Save when job `name` runs (and resume it)."""
    row = _editable(db, name)
    row.days, row.hour, row.minute, row.paused = days, hour, minute, False
    row.updated_by, row.updated_at = author_id, utcnow()


def set_paused(db: Session, name: str, *, paused: bool, author_id: str) -> None:
    """Pause or resume job `name`."""
    row = _editable(db, name)
    row.paused = paused
    row.updated_by, row.updated_at = author_id, utcnow()
