"""Participation reports: the funnel's arithmetic, channels, `/cercle stats` and `/cercle me`."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import UsageError
from bot.levels import ACTIVE, CORE, INACTIVE, PERIPHERAL, level_policy
from bot.reports import (
    community_stats,
    member_record,
    onboarding_funnel,
    parse_period,
    period_start,
)
from bot.ui.reports import build_me_message, build_stats_message, delay_text
from sandbox.blockkit_limits import validate_blocks, validate_message_text
from storage.charter import record_acceptance
from storage.db import make_engine, make_session_factory, transaction
from storage.models import (
    CharterAcceptance,
    CommunityChannel,
    Member,
    ParticipationDaily,
    ParticipationEvent,
)
from storage.participation import add_channel, record
from storage.roster import mark_joined

REPO = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """Yield a session in a transaction on a fresh database (both kinds)."""
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        yield session
    engine.dispose()


def _settings(**overrides) -> Settings:
    return Settings(community_channel="C0COMMUNITY", coordinators_channel="C0COORD", **overrides)


def _at(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _member(db, user_id, *, joined, name=None, bot=False, accepted=(), message=None, answer=None):
    db.add(
        Member(
            user_id=user_id,
            display_name=name or user_id.title(),
            is_bot=bot,
            joined_at=joined,
            in_community=True,
            first_message_at=message,
            first_answer_at=answer,
        )
    )
    for version, moment in enumerate(accepted, start=1):
        db.add(CharterAcceptance(user_id=user_id, version=version, accepted_at=moment))
    db.flush()


def seed_community(db: Session, count: int, *, now: datetime, channels: int = 30) -> None:
    """Bulk-insert `count` members with long names, daily counts and channel events.

    A third were active three weeks ago and silent since (they "went quiet"), a third
    did nothing (below the minimum), a third reacted this week.
    """
    today = now.astimezone(UTC).date()
    ids = [f"U{i:07d}" for i in range(count)]
    name = "Dominique-Marie de la Fontaine-Saint-Exupéry <&> " * 2
    if ids:
        db.execute(
            insert(Member),
            [
                {
                    "user_id": user_id,
                    "display_name": f"{name}{user_id}",
                    "locale": "fr-FR",
                    "timezone": "Europe/Paris",
                    "is_bot": False,
                    "is_guest": False,
                    "is_deleted": False,
                    "refreshed_at": now,
                    "joined_at": now - timedelta(days=1 + i % 60),
                    "left_at": None,
                    "in_community": True,
                    "first_message_at": now - timedelta(days=i % 30) if i % 2 else None,
                    "first_answer_at": now - timedelta(days=i % 20) if i % 5 == 0 else None,
                }
                for i, user_id in enumerate(ids)
            ],
        )
        db.execute(
            insert(CharterAcceptance),
            [
                {
                    "user_id": user_id,
                    "version": 1,
                    "accepted_at": now - timedelta(days=i % 50),
                    "interests": [],
                    "may_introduce": False,
                }
                for i, user_id in enumerate(ids)
                if i % 4
            ],
        )
        daily = []
        for i, user_id in enumerate(ids):
            if i % 3 == 0:
                daily.append((today - timedelta(days=20), user_id, "message", 3))
            elif i % 3 == 2:
                daily.append((today - timedelta(days=1), user_id, "reaction", 1 + i % 40))
        db.execute(
            insert(ParticipationDaily),
            [{"day": d, "user_id": u, "kind": k, "count": c} for d, u, k, c in daily],
        )
    channel_ids = [f"C{i:07d}X" for i in range(channels)]
    if channel_ids:
        db.execute(
            insert(CommunityChannel),
            [{"channel_id": c, "added_by": "U0ALICE", "added_at": now} for c in channel_ids],
        )
    events = [
        {
            "source_key": f"seed:{n}",
            "user_id": ids[n % len(ids)] if ids else "U0NOBODY",
            "kind": ("message", "reply", "reaction")[n % 3],
            "channel_id": channel_ids[n % len(channel_ids)] if channel_ids else "C0COMMUNITY",
            "occurred_at": now - timedelta(hours=n % 500),
        }
        for n in range(3000)
    ]
    db.execute(insert(ParticipationEvent), events)
    db.flush()


# ---------------------------------------------------------------- pure parts


@pytest.mark.parametrize(
    ("words", "days"),
    [([], 30), (["30d"], 30), (["90d"], 90), (["45j"], 45), (["7"], 7), (["all"], None)],
)
def test_periods_are_read_in_days(words, days):
    """`/cercle stats` reads 30d, 90d, all (and French `j`, `tout`)."""
    assert parse_period(words) == days
    assert parse_period(["tout"]) is None


@pytest.mark.parametrize("words", [["0d"], ["two"], ["90d", "extra"], ["99999d"]])
def test_bad_periods_are_usage_errors(words):
    """Anything else is answered with the usage."""
    with pytest.raises(UsageError):
        parse_period(words)


def test_delays_read_naturally():
    """Under an hour, hours under two days, days beyond."""
    assert delay_text(timedelta(minutes=5), "en") == "under an hour"
    assert delay_text(timedelta(hours=15), "fr") == "15 h"
    assert delay_text(timedelta(days=3, hours=2), "fr") == "3 j"
    assert delay_text(None, "en") == "—"


# ---------------------------------------------------------------- the funnel


def test_funnel_counts_shares_and_median_delays_of_the_period_cohort(db):
    """Hand-built cohort: exact counts, shares of those who joined and median delays."""
    _member(
        db,
        "U0A",
        joined=_at(10, 9),
        accepted=(_at(10, 10), _at(20)),  # the first acceptance counts: 1 h
        message=_at(11, 9),  # 24 h
        answer=_at(14, 9),  # 96 h
    )
    _member(db, "U0B", joined=_at(12), accepted=(_at(13),), message=_at(12, 6))  # 24 h, 6 h
    _member(db, "U0C", joined=_at(20), accepted=(_at(20, 3),))  # 3 h
    _member(db, "U0D", joined=_at(25))
    _member(db, "U0F", joined=_at(28), accepted=(_at(27),))  # before joining (a rejoin): 0
    _member(db, "U0G", joined=_at(29), message=NOW + timedelta(days=1))  # after now: not yet
    _member(db, "U0OLD", joined=datetime(2026, 10, 20, tzinfo=UTC), accepted=(_at(1),))
    _member(db, "U0BOT", joined=_at(15), bot=True, accepted=(_at(15),))
    joined, accepted, message, answer = onboarding_funnel(db, since=period_start(30, NOW), now=NOW)
    assert (joined.step, joined.count, joined.share, joined.median_delay) == (
        "joined",
        6,
        1.0,
        None,
    )
    assert (accepted.count, accepted.share) == (4, 4 / 6)
    assert accepted.median_delay == timedelta(hours=2)  # median of 0, 1, 3, 24 h
    assert (message.count, message.share, message.median_delay) == (2, 2 / 6, timedelta(hours=15))
    assert (answer.count, answer.share, answer.median_delay) == (1, 1 / 6, timedelta(hours=96))
    everyone = onboarding_funnel(db, since=None, now=NOW)
    assert (everyone[0].count, everyone[1].count) == (7, 5)


def test_funnel_of_nobody_is_zero_without_dividing_by_zero(db):
    """No member joined: every step is 0 and no median."""
    funnel = onboarding_funnel(db, since=period_start(30, NOW), now=NOW)
    assert [(s.count, s.share, s.median_delay) for s in funnel] == [(0, 0.0, None)] * 4


# ---------------------------------------------------------------- community figures


def test_stats_count_levels_top_members_channels_and_who_went_quiet(db):
    """Levels over the window, top 5 by period points, counted channels only, quiet members."""
    for user_id in ("U0CORE", "U0ACT", "U0PERI", "U0IDLE", "U0QUIET", "U0LEFT"):
        _member(db, user_id, joined=datetime(2026, 1, 1, tzinfo=UTC))
    db.get(Member, "U0LEFT").in_community = False
    add_channel(db, "C0EXTRA", added_by="U0ALICE")
    n = 0

    def act(user, kind, channel, when):
        nonlocal n
        n += 1
        record(
            db, source_key=f"t:{n}", user_id=user, kind=kind, channel_id=channel, occurred_at=when
        )

    for _ in range(7):
        act("U0CORE", "message", "C0COMMUNITY", NOW - timedelta(days=1))  # 21 points
    act("U0ACT", "message", "C0EXTRA", NOW - timedelta(days=2))
    act("U0ACT", "reply", "C0EXTRA", NOW - timedelta(days=2))
    act("U0ACT", "reaction", "C0COMMUNITY", NOW - timedelta(days=2))  # 6 points
    act("U0PERI", "reaction", "C0OTHER", NOW - timedelta(days=3))  # not a counted channel
    act("U0PERI", "poll_vote", "C0COMMUNITY", NOW - timedelta(days=3))  # not channel activity
    for _ in range(3):
        act("U0QUIET", "message", "C0COMMUNITY", NOW - timedelta(days=20))  # 9 points, then 0
    act("U0LEFT", "message", "C0COMMUNITY", NOW - timedelta(days=1))  # left: only the channel
    act("U0CORE", "message", "C0COMMUNITY", NOW - timedelta(days=40))  # outside 30 days
    db.flush()

    stats = community_stats(db, _settings(), days=30, now=NOW)
    assert stats.members == 5
    assert stats.levels == {CORE: 1, ACTIVE: 2, PERIPHERAL: 1, INACTIVE: 1}
    assert [(p.user_id, p.points, p.level) for p in stats.top_members] == [
        ("U0CORE", 21, CORE),
        ("U0QUIET", 9, ACTIVE),
        ("U0ACT", 6, ACTIVE),
        ("U0PERI", 3, PERIPHERAL),
    ]
    channels = {c.channel_id: (c.messages, c.replies, c.reactions) for c in stats.channels}
    assert channels == {"C0COMMUNITY": (11, 0, 1), "C0EXTRA": (1, 1, 0)}
    assert [(p.user_id, p.points) for p in stats.went_quiet] == [("U0QUIET", 9)]
    everything = community_stats(db, _settings(), days=None, now=NOW)
    assert everything.top_members[0].points == 24
    assert {c.channel_id: c.messages for c in everything.channels}["C0COMMUNITY"] == 12


def test_a_members_record_counts_acts_by_kind_with_level_and_first_steps(db):
    """`member_record` reads the member's own counts over the window and their first steps."""
    _member(db, "U0ME", joined=_at(2), accepted=(_at(2, 5),))
    for n, (kind, ago) in enumerate(
        [("message", 1), ("message", 2), ("reaction", 3), ("poll_vote", 27), ("message", 28)]
    ):
        record(
            db,
            source_key=f"me:{n}",
            user_id="U0ME",
            kind=kind,
            channel_id="C0COMMUNITY",
            occurred_at=NOW - timedelta(days=ago),
        )
    mine = member_record(db, _settings(), "U0ME", now=NOW)
    assert mine.counts == {"message": 2, "reaction": 1, "poll_vote": 1}
    assert (mine.points, mine.level, mine.next_level, mine.points_to_next) == (
        9,
        ACTIVE,
        CORE,
        11,
    )
    assert mine.joined_at == _at(2) and mine.accepted_at == _at(2, 5)
    assert mine.first_message_at == NOW - timedelta(days=28)
    assert mine.first_answer_at == NOW - timedelta(days=27)
    stranger = member_record(db, _settings(), "U0NOBODY", now=NOW)
    assert (stranger.level, stranger.counts, stranger.joined_at) == (INACTIVE, {}, None)


@pytest.mark.parametrize("count", [0, 10_000])
def test_stats_fit_block_kit_limits_with_no_one_and_ten_thousand_members(db, count):
    """Both languages, every period, stay within Slack's limits however big the community."""
    seed_community(db, count, now=NOW)
    started = time.perf_counter()
    stats = community_stats(db, _settings(), days=30, now=NOW)
    elapsed = time.perf_counter() - started
    print(f"\nstats for {count} members: {elapsed * 1000:.0f} ms")
    assert stats.members == count
    if count:
        assert len(stats.went_quiet) == 3334 and len(stats.channels) == 31
    for days in (30, None):
        figures = stats if days == 30 else community_stats(db, _settings(), days=days, now=NOW)
        for language in ("fr", "en"):
            message = build_stats_message(figures, language)
            assert validate_blocks(message["blocks"]) == []
            assert validate_message_text(message["text"]) == []
            assert len(message["blocks"]) <= 50
    record_ = member_record(db, _settings(), "U0000002", now=NOW)
    me = build_me_message(record_, level_policy(_settings()), "fr")
    assert validate_blocks(me["blocks"]) == []


# ---------------------------------------------------------------- through Slack


def _community(bot, *users):
    with bot.db() as db:
        for user_id in users:
            # The profile (and so the language) comes from Slack at the first command.
            mark_joined(db, user_id, at=NOW - timedelta(days=60))


def test_coordinator_gets_stats_through_the_slash_command(bot):
    """`/cercle stats 90d` answers the coordinator with the figures, within Block Kit limits."""
    _community(bot, "U0ALICE", "U0BOB", "U0CAMILLE")
    with bot.db() as db:
        now = datetime.now(UTC)
        for n in range(7):
            record(
                db,
                source_key=f"s:{n}",
                user_id="U0CAMILLE",
                kind="message",
                channel_id="C0COMMUNITY",
                occurred_at=now - timedelta(hours=n + 1),
            )
    reply = bot.player.slash_command("U0ALICE", "stats 90d").json
    assert reply["response_type"] == "ephemeral"
    assert validate_blocks(reply["blocks"]) == []
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert reply["text"] == "Participation : 90 derniers jours"
    assert "3 membres" in shown and "cœur *1*" in shown
    assert "1. <@U0CAMILLE> · 21 points (cœur)" in shown
    assert "<#C0COMMUNITY> : *7*" in shown


def test_a_member_is_refused_stats(bot):
    """Only coordinators see the community's figures."""
    reply = bot.player.slash_command("U0BOB", "stats").json
    assert reply["text"] == "Only the community's coordinators can do that."


def test_a_bad_period_is_answered_with_the_usage(bot):
    """`/cercle stats fortnight` explains the periods."""
    reply = bot.player.slash_command("U0ALICE", "stats fortnight").json
    assert "`/cercle stats 90d`" in reply["text"]


def test_a_member_sees_their_own_record_in_their_language(bot):
    """`/cercle me` tells Bob (English) his acts, level and first steps."""
    _community(bot, "U0BOB")
    with bot.db() as db:
        now = datetime.now(UTC)
        record_acceptance(db, user_id="U0BOB", version=1, now=now - timedelta(days=5))
        for n, kind in enumerate(("message", "message", "reply", "reaction")):
            record(
                db,
                source_key=f"b:{n}",
                user_id="U0BOB",
                kind=kind,
                channel_id="C0COMMUNITY",
                occurred_at=now - timedelta(hours=n + 1),
            )
    started = time.perf_counter()
    reply = bot.player.slash_command("U0BOB", "me").json
    print(f"\n/cercle me answered in {(time.perf_counter() - started) * 1000:.0f} ms")
    assert validate_blocks(reply["blocks"]) == []
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert reply["text"] == "Your participation"
    assert "Here is what you brought to the community over the last 28 days" in shown
    for line in ("• 2 messages", "• 1 thread reply", "• 1 reaction", "• 1 charter acceptance"):
        assert line in shown
    # 2 messages x 3 + a reply 2 + a reaction 1 + the charter 1 = 10 points.
    assert "Level: *active*, with 10 points" in shown and "10 more points to reach *core*" in shown
    assert ":white_check_mark: Joined the community" in shown
    assert ":white_circle: First vote or survey answer: not yet" in shown


def test_a_member_with_nothing_yet_is_encouraged_in_french(bot):
    """Camille (French), with no acts, gets an encouraging word, not a blank report."""
    shown = json.dumps(bot.player.slash_command("U0CAMILLE", "me").json, ensure_ascii=False)
    assert "Rien de noté ces 28 derniers jours, et ce n'est pas grave" in shown
    assert "Premier message : pas encore" in shown


# ---------------------------------------------------------------- the CLI


def _report(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CERCLE_"))}
    env = {
        **clean,
        "DATABASE_URL": database_url,
        "CERCLE_COMMUNITY_CHANNEL": "C0COMMUNITY",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "report", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_prints_the_same_figures_as_table_csv_and_json(database_url):
    """`cercle report` in its three formats, and a bad --days refused."""
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as db:
        recent = datetime.now(UTC) - timedelta(days=2)
        _member(db, "U0ANA", joined=recent, name='Ana, "la" =chef', accepted=(recent,))
        for n in range(7):
            record(
                db,
                source_key=f"c:{n}",
                user_id="U0ANA",
                kind="message",
                channel_id="C0COMMUNITY",
                occurred_at=recent + timedelta(minutes=n),
            )
    engine.dispose()

    as_json = _report(database_url, "--days", "30", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["levels"]["core"] == 1 and data["members"] == 1
    assert data["funnel"][1] == {
        "step": "accepted",
        "count": 1,
        "share": 1.0,
        "median_delay_hours": 0.0,
    }
    assert data["top_members"][0]["points"] == 21
    assert data["channels"] == [
        {"channel_id": "C0COMMUNITY", "messages": 7, "replies": 0, "reactions": 0, "total": 7}
    ]

    as_csv = _report(database_url, "--format", "csv", "--days", "all")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    top = [row for row in rows if row["section"] == "top_members"]
    assert top[0]["name"] == 'Ana, "la" =chef' and top[0]["points"] == "21"
    assert {row["key"]: row["count"] for row in rows if row["section"] == "levels"}["core"] == "1"

    as_table = _report(database_url)
    assert as_table.returncode == 0, as_table.stderr
    assert "Participation, last 30 days" in as_table.stdout
    assert "U0ANA (Ana" in as_table.stdout and "21 points  core" in as_table.stdout

    refused = _report(database_url, "--days", "0")
    assert refused.returncode == 2 and "expected 1 to 3650 days" in refused.stderr


def test_report_days_are_periods_of_whole_days():
    """A 30-day period starts at midnight UTC 29 days before today."""
    assert period_start(30, NOW) == datetime(2026, 11, 1, tzinfo=UTC)
    assert period_start(None, NOW) is None
    assert date(2026, 11, 1) == TODAY - timedelta(days=29)
