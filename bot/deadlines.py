"""Read the deadline a member types for a poll or survey, in their own time zone.

Members type deadlines in French or English, the way they would say them to a colleague:
a duration (`2h`, `3j`, `1h30`), a date (`2026-12-01`, `1/12 17h`), a time (`17h`, `5pm`)
or a day (`demain 17h`, `vendredi`). Everything is read in the member's Slack time zone
and returned in UTC; dates are always day first, as in France and the UK.

One ambiguity is settled by a rule: `Nh` is both a French clock time and a duration. A
two-digit hour that fits a clock (`09h`, `17h`, `17h30`) is a time of day; anything else
(`2h`, `1h30`, `48h`) is a duration. `à 9h` / `at 9h` forces a time, `dans 17h` /
`in 17h` forces a duration.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UsageError

DEADLINE_EXAMPLES = "2h, 3d, demain 17h, vendredi, 2026-12-01 17:00"

MIN_LEAD = timedelta(minutes=1)
MAX_LEAD = timedelta(days=366)
END_OF_DAY = time(23, 59)
# Longer input is never a deadline; refusing it early keeps the regexes cheap.
_MAX_INPUT = 80
_SHOWN_CHARS = 50

_MINUTE, _HOUR, _DAY, _WEEK = 1, 60, 24 * 60, 7 * 24 * 60
_MINUTES_PER_UNIT = {
    **dict.fromkeys(("m", "mn", "min", "mins", "minute", "minutes"), _MINUTE),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours", "heure", "heures"), _HOUR),
    **dict.fromkeys(("d", "day", "days", "j", "jour", "jours"), _DAY),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks", "sem", "semaine", "semaines"), _WEEK),
}

_TODAY = ("today", "aujourd'hui", "aujourdhui")
_TOMORROW = ("tomorrow", "demain")
_WEEKDAYS = {  # date.weekday() numbers
    **dict.fromkeys(("monday", "mon", "lundi", "lun"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues", "mardi", "mar"), 1),
    **dict.fromkeys(("wednesday", "wed", "mercredi", "mer"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs", "jeudi", "jeu"), 3),
    **dict.fromkeys(("friday", "fri", "vendredi", "ven"), 4),
    **dict.fromkeys(("saturday", "sat", "samedi", "sam"), 5),
    **dict.fromkeys(("sunday", "sun", "dimanche", "dim"), 6),
}

# re.ASCII everywhere: \d must not accept other scripts' digits, which int() would read.
_DURATION_PART = re.compile(r"(\d+) ?([a-z]+) ?", re.ASCII)
_TRAILING_MINUTES = re.compile(r"(\d{2})", re.ASCII)  # the "30" of "1h30"
_CLOCK_COLON = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
_CLOCK_H = re.compile(r"(\d{1,2}) ?h ?(\d{2})?", re.ASCII)
_CLOCK_AMPM = re.compile(r"(\d{1,2})(?::(\d{2}))? ?([ap])\.?m\.?", re.ASCII)
_CLOCK_WORDS = {"noon": time(12, 0), "midi": time(12, 0)}
# "at 17h" / "à 17h" (the accent is gone by the time these run).
_AT = r"(?:(?:at|a) )?"
_IN = re.compile(r"(?:in|dans) (?P<rest>.+)", re.ASCII)
_BARE_CLOCK = re.compile(r"(?P<hour>\d{2}) ?h ?(?:\d{2})?", re.ASCII)
_DAY_WORD = re.compile(rf"(?P<day>[a-z']+)\.?(?: {_AT}(?P<clock>.+))?", re.ASCII)
_ISO = re.compile(
    rf"(?P<y>\d{{4}})-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})(?:(?:t| {_AT})(?P<clock>.+))?", re.ASCII
)
_DAY_FIRST = re.compile(
    rf"(?P<d>\d{{1,2}})[/.](?P<m>\d{{1,2}})(?:[/.](?P<y>\d{{4}}|\d{{2}}))?(?: {_AT}(?P<clock>.+))?",
    re.ASCII,
)
_AT_CLOCK = re.compile(rf"{_AT}(?P<clock>.+)", re.ASCII)


class _Unparseable(Exception):
    """Internal: the text is not a deadline; turned into a UsageError with the text."""


def parse_deadline(text: str, *, now: datetime, timezone: str | None) -> datetime:
    """Return the UTC moment `text` names, read in `timezone` (UTC if None or unknown)."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    shown = text.strip()[:_SHOWN_CHARS]
    zone = _zone(timezone)
    phrase = _normalize(text)
    try:
        if not phrase or len(phrase) > _MAX_INPUT:
            raise _Unparseable
        moment = _resolve(phrase, now.astimezone(UTC), zone)
    except _Unparseable:
        raise UsageError("error.deadline_unparseable", value=shown) from None
    if moment < now + MIN_LEAD:
        raise UsageError("error.deadline_past", value=shown)
    if moment > now + MAX_LEAD:
        raise UsageError("error.deadline_too_far", value=shown)
    return moment


def slack_date(moment: datetime, *, fallback_timezone: str | None = None) -> str:
    """Return Slack's date token for `moment`, which each reader sees in their own zone."""
    if moment.tzinfo is None:
        raise ValueError("moment must be an aware datetime")
    local = moment.astimezone(_zone(fallback_timezone))
    # The fallback only shows in clients that can't render the token (notifications, old apps).
    fallback = f"{local:%Y-%m-%d %H:%M} {local.tzname() or 'UTC'}"
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _zone(name: str | None) -> ZoneInfo:
    # A profile's zone can be stale or odd; a deadline in UTC beats refusing the command.
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    return ZoneInfo("UTC")


def _normalize(text: str) -> str:
    """Lower-case, drop accents, straighten apostrophes and collapse all kinds of spaces."""
    # NFD (not NFKD) only splits accents off letters: "²" or "１" stay unreadable on purpose.
    decomposed = unicodedata.normalize("NFD", text.lower())
    bare = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    # Slack and phones turn ' into typographic quotes; French also puts NBSP before "h".
    bare = bare.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    return " ".join(bare.split())


def _resolve(phrase: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Return the moment `phrase` names, or raise _Unparseable; range checks come after."""
    if match := _IN.fullmatch(phrase):
        return _after(now, zone, *_duration(match["rest"]))
    # "17h" is a clock time, "2h" a duration: see the module docstring.
    bare_clock = _BARE_CLOCK.fullmatch(phrase)
    if not (bare_clock and int(bare_clock["hour"]) <= 23):
        try:
            return _after(now, zone, *_duration(phrase))
        except _Unparseable:
            pass
    today = now.astimezone(zone).date()
    if match := _DAY_WORD.fullmatch(phrase):
        day = _day_word(match["day"], today)
        if day is not None:
            return _at(day, _clock_or_none(match["clock"]), zone)
    if match := _ISO.fullmatch(phrase):
        day = _date_or_raise(int(match["y"]), int(match["m"]), int(match["d"]))
        return _at(day, _clock_or_none(match["clock"]), zone)
    if match := _DAY_FIRST.fullmatch(phrase):
        day = _day_first(match["d"], match["m"], match["y"], today)
        return _at(day, _clock_or_none(match["clock"]), zone)
    if match := _AT_CLOCK.fullmatch(phrase):
        return _next_occurrence(_clock(match["clock"]), now, zone)
    raise _Unparseable


def _duration(phrase: str) -> tuple[int, int]:
    """Read "2h", "1h30", "2d4h", "3 semaines" as (calendar days, minutes)."""
    days = minutes = 0
    position, last_size, seen = 0, 0, set()
    while position < len(phrase):
        part = _DURATION_PART.match(phrase, position)
        if part is None:
            # "1h30": minutes may follow hours without their unit, as the last part only.
            tail = _TRAILING_MINUTES.fullmatch(phrase, position)
            if tail is None or last_size != _HOUR or _MINUTE in seen or int(tail[1]) > 59:
                raise _Unparseable
            return days, minutes + int(tail[1])
        size = _MINUTES_PER_UNIT.get(part[2])
        if size is None or size in seen:  # "2h3h" is more likely a typo than a sum
            raise _Unparseable
        seen.add(size)
        last_size = size
        if size >= _DAY:
            days += int(part[1]) * size // _DAY
        else:
            minutes += int(part[1]) * size
        position = part.end()
    if not seen:
        raise _Unparseable
    return days, minutes


def _after(now: datetime, zone: ZoneInfo, days: int, minutes: int) -> datetime:
    """Return `days` later on the member's calendar, then `minutes` later on the clock."""
    # Days follow the wall clock, so "1d" is the same local time tomorrow even across a DST
    # change; hours are elapsed time. Both are capped first: "9999999w" would overflow.
    minutes = min(minutes, int(MAX_LEAD / timedelta(minutes=1)) + 1)
    if days == 0:
        # Not through the wall clock: during the hour repeated in autumn it would lose an hour.
        return now + timedelta(minutes=minutes)
    wall = now.astimezone(zone).replace(tzinfo=None) + timedelta(days=min(days, MAX_LEAD.days + 1))
    return wall.replace(tzinfo=zone).astimezone(UTC) + timedelta(minutes=minutes)


def _clock(phrase: str) -> time:
    """Read "17:00", "17h", "17h30", "5pm", "5:30 p.m.", "midi" as a time of day."""
    if phrase in _CLOCK_WORDS:
        return _CLOCK_WORDS[phrase]
    if match := _CLOCK_AMPM.fullmatch(phrase):
        hour, minute = int(match[1]), int(match[2] or 0)
        if not 1 <= hour <= 12:
            raise _Unparseable
        # 12am is midnight and 12pm noon.
        hour = hour % 12 + (12 if match[3] == "p" else 0)
    elif match := (_CLOCK_COLON.fullmatch(phrase) or _CLOCK_H.fullmatch(phrase)):
        hour, minute = int(match[1]), int(match[2] or 0)
    else:
        raise _Unparseable
    if hour > 23 or minute > 59:
        raise _Unparseable
    return time(hour, minute)


def _clock_or_none(phrase: str | None) -> time | None:
    return None if phrase is None else _clock(phrase)


def _day_word(word: str, today: date) -> date | None:
    """Return the day "demain", "today", "vendredi"... names, or None for another word."""
    if word in _TODAY:
        return today
    if word in _TOMORROW:
        return today + timedelta(days=1)
    if word in _WEEKDAYS:
        # A weekday always means the coming one: "friday" typed on a Friday is next week.
        return today + timedelta(days=(_WEEKDAYS[word] - today.weekday() - 1) % 7 + 1)
    return None


def _date_or_raise(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:  # 31/02, month 13, year 0
        raise _Unparseable from None


def _day_first(day: str, month: str, year: str | None, today: date) -> date:
    """Read "1/12", "1/12/26" or "01/12/2026"; without a year, the next such date."""
    if year is not None:
        full_year = int(year) + (2000 if len(year) == 2 else 0)
        return _date_or_raise(full_year, int(month), int(day))
    # Today still counts, so "1/12 17h" typed on 1 December at 18:00 is "past", not a year on.
    for candidate_year in (today.year, today.year + 1):
        try:
            candidate = date(candidate_year, int(month), int(day))
        except ValueError:
            continue  # 29/02 outside leap years
        if candidate >= today:
            return candidate
    # A real date (29/02) with no occurrence within a year is too far, not nonsense.
    _date_or_raise(2000, int(month), int(day))
    return date(today.year + 2, 1, 1)


def _at(day: date, clock: time | None, zone: ZoneInfo) -> datetime:
    """Return `day` at `clock` (end of day if None) in `zone`, as UTC."""
    # fold=0: a time skipped by DST reads with the old offset, a repeated one as its first pass.
    local = datetime.combine(day, END_OF_DAY if clock is None else clock, tzinfo=zone)
    try:
        return local.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 pushed out of range by the offset
        return (
            datetime.max.replace(tzinfo=UTC) if day.year > 1 else datetime.min.replace(tzinfo=UTC)
        )


def _next_occurrence(clock: time, now: datetime, zone: ZoneInfo) -> datetime:
    """Return the next time the clock shows `clock`: today if still ahead, else tomorrow."""
    today = now.astimezone(zone).date()
    moment = _at(today, clock, zone)
    # "17:00" typed at 16:59:30 means tomorrow rather than an error about 30 seconds.
    if moment < now + MIN_LEAD:
        moment = _at(today + timedelta(days=1), clock, zone)
    return moment
