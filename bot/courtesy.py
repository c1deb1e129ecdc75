"""The one courtesy policy every nudge goes through, decided when it is about to be sent.

A nudge is an outbox row of kind "nudge" naming its member and category. Transactional
messages (answers to what a member just did) never pass through here. For a nudge the
dispatcher asks `CourtesyPolicy.decide` in the transaction that claims it:

- turned off by the member (that category or all): dropped;
- member snoozed (vacation): suggestions are dropped, so no pile greets them on return;
  reminders of something asked of them wait until the snooze ends;
- outside working hours in the member's **own** time zone: deferred to the next start;
- weekly cap reached: deferred until the oldest nudge of the week is seven days old.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from bot.config import Settings
from storage.members import get_member
from storage.preferences import get_preferences, nudges_sent_since

WORKDAY_START = time(9, 0)
WORKDAY_END = time(18, 0)
CAP_WINDOW = timedelta(days=7)

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def parse_working_hours(raw: str) -> tuple[time, time] | None:
    """Parse "09:00-18:00" (None for "off"); raise ValueError for anything else."""
    if raw.strip().lower() == "off":
        return None
    match = _HOURS.match(raw.strip())
    if not match:
        raise ValueError(raw)
    start = time(int(match.group(1)), int(match.group(2)))
    end = time(int(match.group(3)), int(match.group(4)))
    if start >= end:
        raise ValueError(raw)
    return start, end


def next_working_moment(
    now: datetime,
    timezone: str | None,
    *,
    fallback: str,
    start: time = WORKDAY_START,
    end: time = WORKDAY_END,
) -> datetime:
    """Return `now` if it falls on a weekday between `start` and `end` in `timezone`, else
    the next weekday's `start` there."""
    zone = _zone(timezone, fallback)
    local = now.astimezone(zone)
    if local.weekday() < 5 and start <= local.time() < end:
        return now
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Decision:
    """What to do with a nudge now: send it, defer it until `until`, or drop it."""

    action: str  # "send", "defer" or "drop"
    until: datetime | None = None
    reason: str = ""


SEND = Decision("send")


@dataclass(frozen=True)
class CourtesyPolicy:
    """Quiet hours, weekly cap, snooze and opt-out, with the community's settings."""

    community_timezone: str = "Europe/Paris"
    working_hours: tuple[time, time] | None = (WORKDAY_START, WORKDAY_END)
    weekly_cap: int = 2

    def decide(self, db: Session, *, user_id: str, category: str, now: datetime) -> Decision:
        """Decide whether a nudge of `category` may reach `user_id` at `now`."""
        preferences = get_preferences(db, user_id)
        if preferences is not None:
            off = set(preferences.nudges_off or [])
            if "all" in off or category in off:
                return Decision("drop", reason=f"nudges off: {category}")
            if preferences.snoozed_until is not None and now < preferences.snoozed_until:
                if category == "reminders":
                    # Something is asked of the member (accept the new rules, answer a
                    # survey): it waits for their return instead of being lost.
                    return Decision("defer", until=preferences.snoozed_until, reason="snoozed")
                return Decision("drop", reason="snoozed")
        if self.working_hours is not None:
            member = get_member(db, user_id)
            start, end = self.working_hours
            moment = next_working_moment(
                now,
                member.timezone if member else None,
                fallback=self.community_timezone,
                start=start,
                end=end,
            )
            if moment > now:
                return Decision("defer", until=moment, reason="outside working hours")
        if self.weekly_cap <= 0:
            return Decision("drop", reason="weekly cap is 0")
        sent = nudges_sent_since(db, user_id, now - CAP_WINDOW)
        if len(sent) >= self.weekly_cap:
            # Free again when enough of this week's nudges are seven days old.
            frees_at = sent[len(sent) - self.weekly_cap] + CAP_WINDOW
            return Decision("defer", until=max(frees_at, now), reason="weekly cap")
        return SEND


def policy_from_settings(settings: Settings) -> CourtesyPolicy:
    """Build the courtesy policy the community's settings describe."""
    return CourtesyPolicy(
        community_timezone=settings.timezone,
        working_hours=parse_working_hours(settings.working_hours),
        weekly_cap=settings.weekly_nudge_cap,
    )
