"""Participation levels: settings, thresholds, the rolling window's edges, quiet members."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.config import Settings, SettingsError, load_settings
from bot.levels import (
    ACTIVE,
    CORE,
    INACTIVE,
    PERIPHERAL,
    LevelPolicy,
    below_minimum,
    count_levels,
    level_for,
    level_policy,
    points_by_member,
    recent_points,
    went_quiet,
    window,
)
from storage.db import make_engine, make_session_factory, transaction
from storage.models import ParticipationDaily

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday
TODAY = date(2026, 11, 30)


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """Yield a session in a transaction on a fresh database (both kinds)."""
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        yield session
    engine.dispose()


def _daily(db: Session, rows: list[tuple[int, str, str, int]]) -> None:
    """Insert daily counts as (days before today, user, kind, count)."""
    db.execute(
        insert(ParticipationDaily),
        [
            {"day": TODAY - timedelta(days=ago), "user_id": user, "kind": kind, "count": count}
            for ago, user, kind, count in rows
        ],
    )


# ---------------------------------------------------------------- settings


def test_defaults_match_the_documented_policy():
    """With nothing set: 28 days, messages 3 points, core 20, active 6, peripheral 1."""
    policy = level_policy(load_settings({}))
    assert policy.window_days == 28
    assert (policy.weight("message"), policy.weight("reaction"), policy.weight("join")) == (3, 1, 0)
    assert (policy.core, policy.active, policy.peripheral) == (20, 6, 1)
    assert (policy.minimum_per_week, policy.quiet_weeks) == (1, 4)


def test_settings_are_read_and_kinds_left_out_count_for_nothing():
    """Custom weights replace the defaults entirely; thresholds and window are read."""
    settings = load_settings(
        {
            "CERCLE_LEVEL_WINDOW_DAYS": "14",
            "CERCLE_LEVEL_WEIGHTS": "message=5, reaction=0",
            "CERCLE_LEVEL_THRESHOLDS": "core=50,active=10,peripheral=2",
            "CERCLE_MINIMUM_PARTICIPATION": "0",
            "CERCLE_QUIET_WEEKS": "6",
        }
    )
    policy = level_policy(settings)
    assert policy.window_days == 14
    assert (policy.weight("message"), policy.weight("reply"), policy.counted_kinds) == (
        5,
        0,
        ("message",),
    )
    assert (policy.core, policy.active, policy.peripheral) == (50, 10, 2)
    assert (policy.minimum_per_week, policy.quiet_weeks) == (0, 6)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("CERCLE_LEVEL_WINDOW_DAYS", "3", "CERCLE_LEVEL_WINDOW_DAYS must be between 7 and 365"),
        ("CERCLE_LEVEL_WEIGHTS", "messages=3", "CERCLE_LEVEL_WEIGHTS must look like"),
        ("CERCLE_LEVEL_WEIGHTS", "message=-1", "CERCLE_LEVEL_WEIGHTS must look like"),
        ("CERCLE_LEVEL_WEIGHTS", "message=0", "at least one kind a weight above 0"),
        ("CERCLE_LEVEL_WEIGHTS", "message=1,message=2", "CERCLE_LEVEL_WEIGHTS names 'message'"),
        ("CERCLE_LEVEL_THRESHOLDS", "core=5,active=6,peripheral=1", "core > active > peripheral"),
        ("CERCLE_LEVEL_THRESHOLDS", "core=5,active=2", "core > active > peripheral"),
        ("CERCLE_MINIMUM_PARTICIPATION", "lots", "CERCLE_MINIMUM_PARTICIPATION must be a whole"),
        ("CERCLE_QUIET_WEEKS", "0", "CERCLE_QUIET_WEEKS must be between 1 and 52"),
    ],
)
def test_malformed_level_settings_fail_with_one_line(name, value, expected):
    """Each malformed setting names itself and what is expected, on one line."""
    with pytest.raises(SettingsError, match=re.escape(expected)) as raised:
        load_settings({name: value})
    assert "\n" not in str(raised.value)


# ---------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (0, INACTIVE),
        (1, PERIPHERAL),
        (5, PERIPHERAL),
        (6, ACTIVE),
        (19, ACTIVE),
        (20, CORE),
        (500, CORE),
    ],
)
def test_levels_start_exactly_at_their_thresholds(points, level):
    """A level is reached at its threshold, not one point later."""
    assert level_for(points, LevelPolicy()) == level


def test_count_levels_places_everyone_including_the_silent():
    """Members with no points are counted as inactive."""
    counts = count_levels(["A", "B", "C", "D"], {"A": 25, "B": 6, "C": 1}, LevelPolicy())
    assert counts == {CORE: 1, ACTIVE: 1, PERIPHERAL: 1, INACTIVE: 1}


# ---------------------------------------------------------------- the window


def test_window_is_today_and_the_days_before_it():
    """A 28-day window ending on a Monday starts 27 days earlier."""
    assert window(LevelPolicy(), now=NOW) == (TODAY - timedelta(days=27), TODAY)


def test_points_count_weighted_acts_inside_the_window_only(db):
    """Day 27 back is in, day 28 back is out; anonymous and join rows earn nothing."""
    _daily(
        db,
        [
            (0, "U1", "message", 2),  # 6
            (27, "U1", "reaction", 4),  # 4: the window's first day
            (28, "U1", "message", 10),  # the day before the window
            (-1, "U1", "message", 10),  # tomorrow (a clock skew): not yet
            (3, "U1", "join", 1),  # weight 0
            (3, "", "poll_vote", 50),  # anonymous
            (5, "U2", "survey_response", 1),  # 3
        ],
    )
    policy = LevelPolicy()
    assert points_by_member(db, policy, now=NOW) == {"U1": 10, "U2": 3}
    assert points_by_member(db, policy, now=NOW, user_ids=["U2", "U3"]) == {"U2": 3, "U3": 0}
    # A day later the reactions have slid out and tomorrow's messages are in.
    later = points_by_member(db, policy, now=NOW + timedelta(days=1), user_ids=["U1"])
    assert later == {"U1": 6 + 30}


def test_many_user_ids_are_filtered_without_a_huge_in_list(db):
    """Asking for thousands of members still returns exactly those members."""
    _daily(db, [(1, "U1", "message", 1), (1, "U9", "message", 1)])
    wanted = [f"U{i}" for i in range(1, 2000)]
    points = points_by_member(db, LevelPolicy(), now=NOW, user_ids=wanted)
    assert len(points) == 1999 and points["U1"] == 3 and points["U2"] == 0


# ---------------------------------------------------------------- quiet members


def test_just_went_quiet_means_active_before_and_nothing_for_14_days(db):
    """Active 20 days ago and silent since: quiet. Recent, weak or old activity: not."""
    _daily(
        db,
        [
            (20, "QUIET", "message", 3),  # 9 points, before the last 14 days
            (20, "BUSY", "message", 3),
            (2, "BUSY", "reaction", 1),  # still around
            (20, "WEAK", "reaction", 3),  # peripheral then: not "active or core"
            (14, "EDGE", "message", 2),  # 14 days ago is outside the quiet stretch
            (20, "BACK", "message", 3),
            (13, "BACK", "reaction", 1),  # 13 days ago is inside: not quiet
            (60, "LONG", "message", 9),  # active long ago, not "just"
        ],
    )
    points = recent_points(db, LevelPolicy(), now=NOW, quiet_days=14)
    population = ["QUIET", "BUSY", "WEAK", "EDGE", "BACK", "LONG", "NEVER"]
    assert went_quiet(points, population, LevelPolicy()) == [("QUIET", 9), ("EDGE", 6)]


def test_below_the_minimum_averages_over_the_quiet_weeks_and_spares_newcomers(db):
    """Fewer than minimum x weeks points over 4 weeks is below; newcomers get time."""
    _daily(
        db,
        [
            (1, "ENOUGH", "reaction", 4),  # 4 points = 1 a week on average
            (1, "SHORT", "reaction", 3),
            (30, "GONE", "message", 10),  # before the 4 weeks
        ],
    )
    policy = LevelPolicy(minimum_per_week=1, quiet_weeks=4)
    points = recent_points(db, policy, now=NOW)
    joined = {
        "NEW": NOW - timedelta(days=10),
        "SETTLED": NOW - timedelta(weeks=5),
        "SHORT": None,  # there before Cercle
    }
    population = ["ENOUGH", "SHORT", "GONE", "NEW", "SETTLED"]
    below = below_minimum(points, population, policy, joined=joined, now=NOW)
    assert below == ["GONE", "SETTLED", "SHORT"]
    off = LevelPolicy(minimum_per_week=0)
    assert below_minimum(points, population, off, joined=joined, now=NOW) == []


def test_level_policy_comes_from_frozen_settings():
    """The policy is built from Settings fields, which stay frozen."""
    settings = Settings(level_thresholds=(("core", 9), ("active", 4), ("peripheral", 2)))
    assert level_for(3, level_policy(settings)) == PERIPHERAL
    with pytest.raises(AttributeError):
        settings.level_window_days = 3  # type: ignore[misc]
