"""When Cercle may nudge a member: during their own working hours.

This is the first piece of the single courtesy policy every nudge goes through;
quiet hours are read in the member's own Slack time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def next_working_moment(now: datetime, timezone: str | None, *, fallback: str) -> datetime:
    """Return `now` if it falls on a weekday 09:00–18:00 in `timezone`, else the next 09:00."""
    zone = _zone(timezone, fallback)
    local = now.astimezone(zone)
    if local.weekday() < 5 and WORKDAY_START <= local.time() < WORKDAY_END:
        return now
    day = local.date() if local.time() < WORKDAY_START else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, WORKDAY_START, tzinfo=zone).astimezone(UTC)
