"""Deadlines typed by members: every accepted form, time zones, and every error."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.deadlines import DEADLINE_EXAMPLES, parse_deadline, slack_date
from bot.errors import UsageError

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 March 2026: 15:00 in Paris (CET), 10:00 in New York (EDT since 8 March).
NOW = datetime(2026, 3, 25, 14, 0, tzinfo=UTC)


def parse(text: str, timezone: str | None = "Europe/Paris", now: datetime = NOW) -> datetime:
    return parse_deadline(text, now=now, timezone=timezone)


def error_of(text: str, timezone: str | None = "Europe/Paris", now: datetime = NOW) -> UsageError:
    with pytest.raises(UsageError) as caught:
        parse(text, timezone, now)
    return caught.value


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


# --- durations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("30m", timedelta(minutes=30)),
        ("90min", timedelta(minutes=90)),
        ("45 minutes", timedelta(minutes=45)),
        ("2h", timedelta(hours=2)),
        ("2 h", timedelta(hours=2)),
        ("2H", timedelta(hours=2)),
        ("3 heures", timedelta(hours=3)),
        ("2 hours", timedelta(hours=2)),
        ("1h30", timedelta(hours=1, minutes=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1 h 30", timedelta(hours=1, minutes=30)),
        ("3d", timedelta(days=3)),
        ("2j", timedelta(days=2)),
        ("2 jours", timedelta(days=2)),
        ("2d4h", timedelta(days=2, hours=4)),
        ("1j 2h 15min", timedelta(days=1, hours=2, minutes=15)),
        ("1w", timedelta(weeks=1)),
        ("1sem", timedelta(weeks=1)),
        ("2 semaines", timedelta(weeks=2)),
        ("  3 Days  ", timedelta(days=3)),
    ],
)
def test_durations_count_from_now(text: str, delta: timedelta) -> None:
    """A duration in English or French is counted from now."""
    assert parse(text, "UTC") == NOW + delta


def test_result_is_aware_utc() -> None:
    """The deadline comes back in UTC whatever the member's zone."""
    assert parse("2h").tzinfo is UTC
    assert parse("vendredi 12h", "America/New_York").tzinfo is UTC


def test_single_digit_hours_are_a_duration_two_digits_a_time() -> None:
    """`9h` is nine hours from now; `09h` and `17h` are clock times."""
    assert parse("9h") == NOW + timedelta(hours=9)
    assert parse("09h") == paris(2026, 3, 26, 9, 0)
    assert parse("17h") == paris(2026, 3, 25, 17, 0)
    assert parse("24h") == NOW + timedelta(hours=24)
    assert parse("48h") == NOW + timedelta(hours=48)


def test_in_and_at_force_the_reading() -> None:
    """`dans 17h` / `in 17h` is a duration; `à 9h` / `at 9h` is a time."""
    assert parse("dans 17h") == NOW + timedelta(hours=17)
    assert parse("in 17h") == NOW + timedelta(hours=17)
    assert parse("dans 2 jours") == NOW + timedelta(days=2)
    assert parse("à 9h") == paris(2026, 3, 26, 9, 0)
    assert parse("at 9h") == paris(2026, 3, 26, 9, 0)


def test_days_follow_the_wall_clock_across_dst() -> None:
    """`1d` is the same local time tomorrow even when the clocks change; `24h` is 24 hours."""
    saturday = paris(2026, 3, 28, 10, 0).astimezone(UTC)  # Paris springs forward that night
    assert parse("1d", now=saturday) == paris(2026, 3, 29, 10, 0)
    assert parse("24h", now=saturday) == paris(2026, 3, 29, 11, 0)


# --- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", paris(2026, 12, 1, 23, 59)),
        ("2026-12-01 17:00", paris(2026, 12, 1, 17, 0)),
        ("2026-12-01T17:00", paris(2026, 12, 1, 17, 0)),
        ("2026-12-01 17h", paris(2026, 12, 1, 17, 0)),
        ("2026-4-1", paris(2026, 4, 1, 23, 59)),
        ("01/12/2026", paris(2026, 12, 1, 23, 59)),
        ("1/12", paris(2026, 12, 1, 23, 59)),
        ("1/12 17:00", paris(2026, 12, 1, 17, 0)),
        ("1/12/26 17h30", paris(2026, 12, 1, 17, 30)),
        ("1/12 à 17h", paris(2026, 12, 1, 17, 0)),
        ("1/12 5pm", paris(2026, 12, 1, 17, 0)),
        ("1.12.2026", paris(2026, 12, 1, 23, 59)),
        ("12/1", paris(2027, 1, 12, 23, 59)),
    ],
)
def test_dates_are_day_first_and_local(text: str, expected: datetime) -> None:
    """ISO and day/month dates are read in the member's zone; no time means 23:59."""
    assert parse(text) == expected


def test_date_without_year_is_the_next_one() -> None:
    """A day/month already past this year means next year's."""
    assert parse("1/3") == paris(2027, 3, 1, 23, 59)
    assert parse("25/3") == paris(2026, 3, 25, 23, 59)  # today still counts


def test_date_without_year_today_with_past_time_is_past() -> None:
    """`25/3 9h` typed at 15:00 on 25 March is an error, not next year."""
    assert error_of("25/3 9h").message_key == "error.deadline_past"


def test_29_february_waits_for_a_leap_year() -> None:
    """`29/02` is the next leap day, and too far when none is within a year."""
    assert error_of("29/02").message_key == "error.deadline_too_far"
    march_2027 = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
    assert parse("29/02", "UTC", now=march_2027) == datetime(2028, 2, 29, 23, 59, tzinfo=UTC)


# --- times alone --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("17:00", paris(2026, 3, 25, 17, 0)),
        ("17h", paris(2026, 3, 25, 17, 0)),
        ("17h30", paris(2026, 3, 25, 17, 30)),
        ("17 h 30", paris(2026, 3, 25, 17, 30)),
        ("17\u202fh", paris(2026, 3, 25, 17, 0)),  # French typography's narrow no-break space
        ("5pm", paris(2026, 3, 25, 17, 0)),
        ("5 PM", paris(2026, 3, 25, 17, 0)),
        ("5:30pm", paris(2026, 3, 25, 17, 30)),
        ("5:30 p.m.", paris(2026, 3, 25, 17, 30)),
        ("9:00", paris(2026, 3, 26, 9, 0)),
        ("9am", paris(2026, 3, 26, 9, 0)),
        ("12am", paris(2026, 3, 26, 0, 0)),
        ("12pm", paris(2026, 3, 26, 12, 0)),
        ("midi", paris(2026, 3, 26, 12, 0)),
        ("noon", paris(2026, 3, 26, 12, 0)),
        ("15:00", paris(2026, 3, 26, 15, 0)),  # exactly now: tomorrow
    ],
)
def test_time_alone_is_the_next_occurrence(text: str, expected: datetime) -> None:
    """A time alone is today if still ahead, else tomorrow."""
    assert parse(text) == expected


def test_time_less_than_a_minute_ahead_is_tomorrow() -> None:
    """`17:00` typed at 16:59:30 means tomorrow, not an error."""
    almost = paris(2026, 3, 25, 16, 59, 30).astimezone(UTC)
    assert parse("17:00", now=almost) == paris(2026, 3, 26, 17, 0)


# --- day words ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("today", paris(2026, 3, 25, 23, 59)),
        ("aujourd'hui", paris(2026, 3, 25, 23, 59)),
        ("Aujourd\u2019hui 18h", paris(2026, 3, 25, 18, 0)),
        ("aujourdhui", paris(2026, 3, 25, 23, 59)),
        ("tomorrow", paris(2026, 3, 26, 23, 59)),
        ("demain", paris(2026, 3, 26, 23, 59)),
        ("DEMAIN 17h", paris(2026, 3, 26, 17, 0)),
        ("demain à 9h", paris(2026, 3, 26, 9, 0)),
        ("demain a 9h", paris(2026, 3, 26, 9, 0)),
        ("tomorrow 9:00", paris(2026, 3, 26, 9, 0)),
        ("tomorrow at 5pm", paris(2026, 3, 26, 17, 0)),
        ("friday", paris(2026, 3, 27, 23, 59)),
        ("fri", paris(2026, 3, 27, 23, 59)),
        ("vendredi", paris(2026, 3, 27, 23, 59)),
        ("vendredi 12h", paris(2026, 3, 27, 12, 0)),
        ("ven. 12h", paris(2026, 3, 27, 12, 0)),
        ("Monday 9am", paris(2026, 3, 30, 9, 0)),
        ("lun", paris(2026, 3, 30, 23, 59)),
        ("mardi", paris(2026, 3, 31, 23, 59)),
        ("jeudi", paris(2026, 3, 26, 23, 59)),
        ("samedi", paris(2026, 3, 28, 23, 59)),
        ("sunday", paris(2026, 3, 29, 23, 59)),
        ("dim 18:00", paris(2026, 3, 29, 18, 0)),
    ],
)
def test_day_words_in_both_languages(text: str, expected: datetime) -> None:
    """Today, tomorrow and weekday names, with an optional time."""
    assert parse(text) == expected


@pytest.mark.parametrize("text", ["wednesday", "mercredi", "wed", "mer"])
def test_weekday_is_never_today(text: str) -> None:
    """A weekday named on that very day means next week's."""
    assert parse(text) == paris(2026, 4, 1, 23, 59)


def test_today_with_a_past_time_is_past() -> None:
    """`aujourd'hui 9h` at 15:00 is an error rather than tomorrow."""
    assert error_of("aujourd'hui 9h").message_key == "error.deadline_past"


# --- time zones ---------------------------------------------------------------------------


def test_same_words_in_three_zones() -> None:
    """`demain 17h` is 17:00 on each member's own clock."""
    assert parse("demain 17h", "Europe/Paris") == datetime(2026, 3, 26, 16, 0, tzinfo=UTC)
    assert parse("demain 17h", "UTC") == datetime(2026, 3, 26, 17, 0, tzinfo=UTC)
    assert parse("demain 17h", "America/New_York") == datetime(2026, 3, 26, 21, 0, tzinfo=UTC)


def test_today_depends_on_the_members_date() -> None:
    """At 02:00 UTC it is still yesterday evening in New York."""
    early = datetime(2026, 3, 26, 2, 0, tzinfo=UTC)
    assert parse("today", "America/New_York", now=early) == datetime(
        2026, 3, 25, 23, 59, tzinfo=NEW_YORK
    )
    assert parse("today", "Europe/Paris", now=early) == paris(2026, 3, 26, 23, 59)


@pytest.mark.parametrize("timezone", [None, "", "Mars/Olympus_Mons", "../etc/passwd", "x" * 300])
def test_missing_or_unknown_zone_means_utc(timezone: str | None) -> None:
    """No usable zone on the profile: read the deadline in UTC."""
    assert parse("demain 17h", timezone) == datetime(2026, 3, 26, 17, 0, tzinfo=UTC)


def test_nonexistent_local_time_at_dst_does_not_crash() -> None:
    """02:30 on the night Paris springs forward is read with the winter offset."""
    saturday = paris(2026, 3, 28, 12, 0).astimezone(UTC)
    assert parse("demain 2h30", now=saturday) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_ambiguous_local_time_at_dst_is_its_first_pass() -> None:
    """02:30 on the night Paris falls back is the first (summer time) 02:30."""
    saturday = paris(2026, 10, 24, 12, 0).astimezone(UTC)
    assert parse("demain 2h30", now=saturday) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_hours_during_the_repeated_hour_are_elapsed_time() -> None:
    """`2h` typed during the second 02:30 of an autumn night is two real hours later."""
    second_pass = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, after 02:30 CEST
    assert parse("2h", now=second_pass) == datetime(2026, 10, 25, 3, 30, tzinfo=UTC)
    assert parse("1d", now=second_pass) == paris(2026, 10, 26, 2, 30)


def test_end_of_day_on_a_dst_day() -> None:
    """23:59 on the day clocks change is still that day's 23:59."""
    saturday = paris(2026, 3, 28, 12, 0).astimezone(UTC)
    assert parse("demain", now=saturday) == datetime(2026, 3, 29, 21, 59, tzinfo=UTC)


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "soon",
        "next week",
        "31/02",
        "31/02/2026",
        "2026-02-30",
        "2026-13-01",
        "13/13",
        "25:00",
        "demain 25h",
        "17:60",
        "1h60",
        "13pm",
        "0am",
        "2h3h",
        "2d30",
        "demain 9",
        "vendredi prochain",
        "1/12/202",
        "٣h",  # Arabic-Indic digit
        "²h",
        "x" * 200,
    ],
)
def test_unparseable(text: str) -> None:
    """Anything not understood is reported with the text as typed."""
    error = error_of(text)
    assert error.message_key == "error.deadline_unparseable"
    assert error.values == {"value": text.strip()[:50]}


def test_unparseable_value_is_truncated_to_50_characters() -> None:
    """A long answer is cut to 50 characters for the message."""
    error = error_of("  " + "n'importe quoi " * 10)
    assert error.values["value"] == ("n'importe quoi " * 10)[:50]
    assert len(error.values["value"]) == 50


@pytest.mark.parametrize("text", ["0m", "0h", "2026-03-20", "2026-03-25 14:00", "20/03/2026"])
def test_past(text: str) -> None:
    """A moment not at least a minute ahead is refused as past."""
    error = error_of(text)
    assert error.message_key == "error.deadline_past"
    assert error.values == {"value": text}


@pytest.mark.parametrize("text", ["367d", "53w", "2027-12-01", "1/12/2027", "9999-12-31"])
def test_too_far(text: str) -> None:
    """More than 366 days ahead is refused."""
    error = error_of(text)
    assert error.message_key == "error.deadline_too_far"
    assert error.values == {"value": text}


def test_huge_durations_are_too_far_not_a_crash() -> None:
    """A number too big for a datetime is still just too far."""
    assert error_of("99999999999999999999w").message_key == "error.deadline_too_far"


def test_bounds_are_inclusive() -> None:
    """One minute and exactly 366 days are both allowed."""
    assert parse("1m", "UTC") == NOW + timedelta(minutes=1)
    assert parse("366d", "UTC") == NOW + timedelta(days=366)


def test_naive_now_is_a_programming_error() -> None:
    """A naive `now` is refused loudly instead of guessed."""
    with pytest.raises(ValueError):
        parse_deadline("2h", now=datetime(2026, 3, 25, 14, 0), timezone=None)


def test_help_examples_all_parse() -> None:
    """Every example shown in help texts is accepted."""
    for example in DEADLINE_EXAMPLES.split(", "):
        parse(example)


# --- slack_date ---------------------------------------------------------------------------


def test_slack_date_in_utc_by_default() -> None:
    """The token carries the Unix time and a UTC fallback."""
    assert slack_date(NOW) == "<!date^1774447200^{date_short_pretty} {time}|2026-03-25 14:00 UTC>"


def test_slack_date_fallback_in_the_given_zone() -> None:
    """The fallback shows local time with the zone's abbreviation."""
    assert slack_date(NOW, fallback_timezone="Europe/Paris").endswith("|2026-03-25 15:00 CET>")
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert slack_date(summer, fallback_timezone="Europe/Paris").endswith("|2026-07-01 14:00 CEST>")
    assert slack_date(NOW, fallback_timezone="America/New_York").endswith("|2026-03-25 10:00 EDT>")
    assert slack_date(NOW, fallback_timezone="Nowhere/Special").endswith("|2026-03-25 14:00 UTC>")


def test_slack_date_same_instant_same_timestamp() -> None:
    """A moment given in another zone yields the same Unix time."""
    assert slack_date(NOW.astimezone(NEW_YORK)) == slack_date(NOW)


# --- properties ---------------------------------------------------------------------------

ZONES = st.sampled_from([None, "UTC", "Europe/Paris", "America/New_York", "Pacific/Kiritimati"])
NOWS = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
# Text made of the pieces deadlines are built from reaches deeper than random unicode.
DEADLINE_ISH = st.lists(
    st.sampled_from(
        ["1", "2", "12", "17", "25", "2026", ":", "/", ".", "-", " ", "h", "m", "d", "j", "w"]
        + ["t", "pm", "am", "min", "sem", "demain", "today", "ven", "à", "dans", "in", "30"]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=100, deadline=None)
@given(text=st.one_of(st.text(max_size=60), DEADLINE_ISH), now=NOWS, timezone=ZONES)
def test_any_text_gives_a_valid_deadline_or_a_usage_error(
    text: str, now: datetime, timezone: str | None
) -> None:
    """Whatever is typed, the result is in range or a UsageError with a known key."""
    try:
        moment = parse_deadline(text, now=now, timezone=timezone)
    except UsageError as error:
        assert error.message_key in {
            "error.deadline_unparseable",
            "error.deadline_past",
            "error.deadline_too_far",
        }
        assert error.values == {"value": text.strip()[:50]}
    else:
        assert moment.tzinfo is UTC
        assert now + timedelta(minutes=1) <= moment <= now + timedelta(days=366)
