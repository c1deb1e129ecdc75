"""Reports benchmark: `/cercle stats`, `/cercle me`, the weekly digest and the App Home over a year.

    python -m bench.reports [--db sqlite|postgresql|both] [--runs 5] [--now ISO] [--queries]
        [--index "CREATE INDEX ..."]

For each database: migrate a fresh one and fill it with a seeded community (the same rows
on both databases, for the same `--now`): 10,000 members in the community channel (levels
come out near 5 % core, 15 % active, 40 % peripheral, 40 % inactive; joined over two years,
some in the last weeks; most accepted the charter) and 300 who left, 1,000,000
`participation_events` over the last 365 days (messages, thread replies and reactions in
four counted channels, named poll votes, survey answers, charter acceptances, toolbox
visits, joins and leaves) with the `participation_daily` counts made from them, a poll a
week (the last five still open, one in five anonymous) and four surveys (the last one
launched five days ago and open). Generation and load are timed, not bounded. Then ANALYZE
(VACUUM ANALYZE on PostgreSQL: the state autovacuum keeps a live database in), drop the
generated rows from memory, and after one warm-up round time `--runs` rounds of each
operation, each in its own transaction as a request is:

- `/cercle stats` for 30 days, 90 days and all: `community_stats` and its Block Kit;
- `/cercle me` for a core, a peripheral and an inactive member: `member_record` and its
  Block Kit;
- the weekly digest: `weekly_digest`, `build_digest` and the 12-week chart PNG;
- the App Home of a member and of a coordinator: the `app_home_opened` listener of
  `handlers/home.py` itself (whatever it computes), with a client whose `views_publish`
  only keeps the view. The listener reads the clock itself.

Bounds (on the median of the runs): stats and digest < 1 s, me and App Home < 200 ms.
Every run's result (the figures and the Block Kit, the chart's bytes) must be the same as
the warm-up's; its fingerprint is printed, and the summary says whether both databases
gave the same. `--index SQL` (any number) runs the statements after a first series,
ANALYZE again, times a second series and checks its results are the same as the first's.
`--queries` prints, per operation, each statement's time (re-run alone, rows fetched) and
the plans of the slowest two. Exits 1 if a bound is missed or a result changed.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, event, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from bench.common import on_each_database
from bot.anonymity import voter_id
from bot.app import create_app
from bot.config import Settings
from bot.digest import activity_chart, weekly_activity, weekly_digest
from bot.levels import level_policy
from bot.polls import ballot_box as poll_box
from bot.reports import community_stats, member_record, stats_as_dict
from bot.surveys import ballot_box as survey_box
from bot.ui.digest import build_digest
from bot.ui.reports import build_me_message, build_stats_message
from handlers import home as home_handlers
from sandbox.slack import SlackStandIn, StandInConfig
from storage.db import make_engine, make_session_factory, transaction, upgrade_database
from storage.models import (
    CharterAcceptance,
    CommunityChannel,
    Member,
    Newcomer,
    ParticipationDaily,
    ParticipationEvent,
    Poll,
    PollOption,
    PollVote,
    SurveyInvitation,
    SurveyRespondent,
    SurveySegmentCount,
    ToolboxItem,
    ToolboxVisit,
)
from storage.participation import (
    CHARTER_ACCEPTANCE,
    JOIN,
    LEAVE,
    MESSAGE,
    POLL_VOTE,
    REACTION,
    REPLY,
    SURVEY_RESPONSE,
    TOOLBOX_VISIT,
)
from storage.survey_io import load_template
from storage.surveys import create_survey, segment_for

SEED = 2026
MEMBERS = 10_000
DEPARTED = 300
EVENTS = 1_000_000
HISTORY_DAYS = 365
RUNS = 5
SLOW_BOUND = 1.0  # /cercle stats and the digest
FAST_BOUND = 0.2  # /cercle me and the App Home
LANGUAGE = "fr"
COMMUNITY_CHANNEL = "C0COMMUNITY"
COORDINATORS_CHANNEL = "C0COORD"
EXTRA_CHANNELS = ("C0PRATIQUES", "C0OUTILS", "C0RENCONTRES")
CHANNELS = (COMMUNITY_CHANNEL, *EXTRA_CHANNELS)
CHANNEL_WEIGHTS = (50, 25, 15, 10)
COORDINATOR_COUNT = 3
SIGNING_SECRET = "bench-signing-secret"
ANONYMITY_SECRET = "bench-anonymity-secret-0123456789"
# Cercle came two years and a month ago; participation has been recorded for HISTORY_DAYS.
INSTALLED_DAYS_AGO = 760

# How members take part. Chance moves some across levels (a peripheral member with a busy
# month is active, a quiet one inactive), so these shares are set for the levels the
# reports then compute to come out near 5 % core, 15 % active, 40 % peripheral, 40 %
# inactive.
TIER_SHARES = (("core", 0.05), ("active", 0.12), ("peripheral", 0.45), ("inactive", 0.38))
DEPARTED_SHARES = (("core", 0.0), ("active", 0.10), ("peripheral", 0.50), ("inactive", 0.40))
# Messages, thread replies and reactions a day while active (core: whatever is left of the
# event budget, spread in proportion); the level thresholds are 20 / 6 / 1 points in 28
# days, and an act is worth 2 points on average.
CHAT_RATES = {"active": 0.15, "peripheral": 0.07, "lapsed": 0.08}
# How much members of a tier differ from one another (sigma of a log-normal factor).
SPREAD = {"core": 0.6, "active": 0.45, "peripheral": 0.3, "lapsed": 0.5}
# Of an inactive member's: some did something long ago (lapsed), the rest never did.
LAPSED_SHARE = 0.5
# Active and core members whose activity stopped 15-45 days ago ("just went quiet").
QUIET_SHARE = 0.03
CHAT_MIX = {  # message, reply, reaction
    "core": (0.30, 0.35, 0.35),
    "active": (0.30, 0.25, 0.45),
    "peripheral": (0.05, 0.05, 0.90),
    "lapsed": (0.25, 0.25, 0.50),
}
VOTE_CHANCE = {"core": 0.5, "active": 0.25, "peripheral": 0.06, "lapsed": 0.06}
ANSWER_CHANCE = {"core": 0.6, "active": 0.35, "peripheral": 0.10, "lapsed": 0.10}
VISIT_SHARE = 0.03
POLL_WEEKS = 52
OPEN_POLLS = 5
REACTIONS = ("+1", "tada", "heart", "eyes", "pray", "raised_hands", "bulb")
LOCALES = ("fr-FR", "fr-FR", "fr-FR", "fr-CA", "fr-BE", "en-US", "en-GB", "en-US")
ZONES = ("Europe/Paris", "Europe/Paris", "Europe/Brussels", "America/Montreal", "Europe/London")
INTERESTS = ("events", "mentoring", "writing", "data", "wellbeing", "facilitation", "remote")
# Hours (UTC) acts happen at, by weight: office hours in Europe, a few evenings.
HOUR_WEIGHTS = {
    6: 1, 7: 3, 8: 8, 9: 10, 10: 10, 11: 8, 12: 6, 13: 9, 14: 10, 15: 9, 16: 7, 17: 4,
    18: 2, 19: 2, 20: 1,
}  # fmt: skip
WEEKEND_KEEP = 0.25  # a weekend moment is kept with this chance: weekends are quiet
DAY = 86_400


# --------------------------------------------------------------------------- the data


@dataclass
class Profile:
    """One generated member and how they take part."""

    user_id: str
    tier: str  # core, active, peripheral, inactive
    joined_at: datetime | None
    left_at: datetime | None
    start: datetime  # their acts fall in [start, end)
    end: datetime
    rate: float = 0.0  # chat acts a day while active (0: none)
    behaviour: str = ""  # core, active, peripheral, lapsed, or "" (never takes part)
    accepted_at: datetime | None = None
    first_message_at: datetime | None = None
    first_answer_at: datetime | None = None

    @property
    def in_community(self) -> bool:
        """Tell whether the member is in the community channel now."""
        return self.left_at is None

    def active_at(self, moment: datetime) -> bool:
        """Tell whether the member takes part at `moment`."""
        return bool(self.behaviour) and self.start <= moment < self.end

    def present_at(self, moment: datetime) -> bool:
        """Tell whether the member was in the community at `moment`."""
        joined = self.joined_at is None or self.joined_at <= moment
        return joined and (self.left_at is None or self.left_at > moment)


@dataclass(frozen=True)
class PollSpec:
    """A poll stored before the votes are generated."""

    poll_id: int
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    anonymous: bool
    channel_id: str
    option_ids: tuple[int, ...]


@dataclass(frozen=True)
class SurveySpec:
    """A survey stored before the answers are generated."""

    survey_id: int
    launched_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    anonymous: bool


@dataclass
class Catalogue:
    """What `_setup` stored through the product's own functions."""

    polls: list[PollSpec]
    surveys: list[SurveySpec]
    items: list[int]


Event = tuple[str, str, str, str | None, datetime]  # source_key, user_id, kind, channel, at


@dataclass
class Dataset:
    """Every bulk row of the community, generated in Python."""

    profiles: list[Profile]
    members: list[dict[str, Any]] = field(default_factory=list)
    acceptances: list[dict[str, Any]] = field(default_factory=list)
    newcomers: list[dict[str, Any]] = field(default_factory=list)
    poll_votes: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    respondents: list[dict[str, Any]] = field(default_factory=list)
    segment_counts: list[dict[str, Any]] = field(default_factory=list)
    visits: list[dict[str, Any]] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    anonymous: Counter[tuple[date, str]] = field(default_factory=Counter)
    daily: list[tuple[date, str, str, int]] = field(default_factory=list)

    def sample(self, tier: str, *, behaviour: str | None = None) -> str:
        """Return a member of the community in `tier`: the middle one by user id."""
        ids = sorted(
            p.user_id
            for p in self.profiles
            if p.tier == tier
            and p.in_community
            and (behaviour is None or p.behaviour == behaviour)
            and p.user_id not in coordinator_ids()
        )
        return ids[len(ids) // 2]


def bench_settings(database_url: str, coordinators: tuple[str, ...]) -> Settings:
    """Return the settings the bench computes with (the community's defaults otherwise)."""
    return Settings(
        database_url=database_url,
        slack_signing_secret=SIGNING_SECRET,
        anonymity_secret=ANONYMITY_SECRET,
        community_channel=COMMUNITY_CHANNEL,
        coordinators_channel=COORDINATORS_CHANNEL,
        admins=coordinators,
        language=LANGUAGE,
        log_level="WARNING",
    )


def coordinator_ids() -> tuple[str, ...]:
    """Return the coordinators: the first members, made core by `_profiles`."""
    return tuple(_user_id(index) for index in range(1, COORDINATOR_COUNT + 1))


def _user_id(index: int) -> str:
    return f"UR{index:05d}"


def _pick(rng: random.Random, shares: tuple[tuple[str, float], ...]) -> str:
    roll = rng.random()
    for name, share in shares:
        if roll < share:
            return name
        roll -= share
    return shares[-1][0]


def _ago(now: datetime, days: float) -> datetime:
    """Return `now` minus `days`, to the second."""
    return now - timedelta(seconds=int(days * DAY))


def _profiles(rng: random.Random, now: datetime, members: int) -> list[Profile]:
    """Generate the members, who joined when, and how much they take part."""
    window_start = _ago(now, HISTORY_DAYS)
    installed = _ago(now, INSTALLED_DAYS_AGO)
    profiles = []
    for index in range(1, members + DEPARTED + 1):
        departed = index > members
        tier = _pick(rng, DEPARTED_SHARES if departed else TIER_SHARES)
        if index <= COORDINATOR_COUNT:
            tier = "core"
        left_at = _ago(now, rng.uniform(7, 330)) if departed else None
        roll = rng.random()
        if roll < 0.10:
            joined_at = None  # in the channel before Cercle came
        elif departed:
            joined_at = max(installed, left_at - timedelta(days=rng.uniform(30, 600)))  # type: ignore[operator]
        elif roll < 0.11:
            joined_at = _ago(now, rng.uniform(0, 7))
        elif roll < 0.14:
            joined_at = _ago(now, rng.uniform(7, 30))
        else:
            joined_at = _ago(now, rng.uniform(30, 730))
        start = max(window_start, joined_at or window_start)
        end = left_at or now
        profile = Profile(_user_id(index), tier, joined_at, left_at, start, end)
        if tier == "inactive":
            if rng.random() < LAPSED_SHARE:
                profile.behaviour = "lapsed"
                profile.end = min(end, _ago(now, rng.uniform(35, 330)))
                profile.rate = CHAT_RATES["lapsed"] * rng.lognormvariate(0, SPREAD["lapsed"])
        else:
            profile.behaviour = tier
            if tier in ("core", "active") and not departed and rng.random() < QUIET_SHARE:
                profile.end = _ago(now, rng.uniform(15, 45))
            # Core rates are scaled to the event budget later; this is their spread.
            base = 1.0 if tier == "core" else CHAT_RATES[tier]
            profile.rate = base * rng.lognormvariate(0, SPREAD[tier])
        if index <= COORDINATOR_COUNT:
            profile.end = now
        if profile.end <= profile.start:
            profile.behaviour, profile.rate = "", 0.0
        profiles.append(profile)
    return profiles


class Moments:
    """Draws moments of acts: weekdays, office hours, unique microseconds."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.hours = list(HOUR_WEIGHTS)
        self.cumulative = []
        total = 0
        for weight in HOUR_WEIGHTS.values():
            total += weight
            self.cumulative.append(total)
        self.count = 0

    def between(self, start: datetime, end: datetime) -> datetime:
        """Return a moment in [start, end); each one has its own microsecond (to 10^6)."""
        rng = self.rng
        first, last = int(start.timestamp()), int(end.timestamp())
        span = last - first
        for _ in range(50):
            moment = first + int(rng.random() * span)
            day = moment // DAY
            if (day + 3) % 7 >= 5 and rng.random() > WEEKEND_KEEP:  # 1970-01-01 was a Thursday
                continue
            hour = rng.choices(self.hours, cum_weights=self.cumulative)[0]
            moment = day * DAY + hour * 3600 + int(rng.random() * 3600)
            if first <= moment < last:
                break
        else:
            moment = first + int(rng.random() * span)
        self.count += 1
        return datetime.fromtimestamp(moment, UTC).replace(microsecond=self.count % 1_000_000)


def _setup(db: Session, rng: random.Random, now: datetime) -> Catalogue:
    """Store the counted channels, the polls, the surveys and this week's tool."""
    for channel in EXTRA_CHANNELS:
        db.add(CommunityChannel(channel_id=channel, added_by=_user_id(1), added_at=_ago(now, 400)))
    items = list(
        db.scalars(select(ToolboxItem.id).where(ToolboxItem.retired_at.is_(None)).order_by("id"))
    )
    last_monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=30, second=0)
    db.execute(
        update(ToolboxItem).where(ToolboxItem.id == items[0]).values(last_featured_at=last_monday)
    )
    polls = []
    for week in range(POLL_WEEKS):
        opened = week >= POLL_WEEKS - OPEN_POLLS
        created_at = _ago(now, (POLL_WEEKS - week) * 7 - rng.uniform(0, 3) - (3 if opened else 0))
        closes_at = None if opened and week % 2 else created_at + timedelta(days=7)
        if opened and closes_at is not None:
            closes_at = now + timedelta(days=rng.uniform(3, 10))
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        poll = Poll(
            channel_id=channel,
            creator_id=_user_id(rng.randint(1, COORDINATOR_COUNT)),
            question=f"Sondage de la semaine {week + 1} : quel sujet pour la prochaine rencontre ?",
            language="fr",
            anonymous=week % 5 == 2,
            closes_at=closes_at,
            closed_at=None if opened else closes_at,
            created_at=created_at,
        )
        db.add(poll)
        db.flush()
        poll.post_key = f"poll:{poll.id}:post"
        options = [
            PollOption(poll_id=poll.id, position=position, label=label)
            for position, label in enumerate(("Atelier", "Retour d'expérience", "Lecture", "Café"))
        ][: rng.randint(2, 4)]
        db.add_all(options)
        db.flush()
        polls.append(
            PollSpec(
                poll.id,
                created_at,
                closes_at,
                poll.closed_at,
                poll.anonymous,
                channel,
                tuple(option.id for option in options),
            )
        )
    surveys = []
    for number, days_ago in enumerate((300, 200, 100, 5)):
        launched_at = _ago(now, days_ago)
        closes_at = launched_at + timedelta(days=14)
        survey = create_survey(
            db,
            load_template("needs-fr"),
            created_by=_user_id(1),
            closes_at=closes_at,
            remind=True,
            now=launched_at - timedelta(hours=2),
        )
        survey.anonymous = number == 1
        survey.launched_at = launched_at
        survey.remind_at = closes_at - timedelta(days=2)
        if closes_at < now:
            survey.closed_at = closes_at
            survey.reminded_at = survey.remind_at
        surveys.append(
            SurveySpec(survey.id, launched_at, closes_at, survey.closed_at, survey.anonymous)
        )
    return Catalogue(polls, surveys, items)


def _acceptance(rng: random.Random, profile: Profile, now: datetime) -> datetime | None:
    """Return when the member accepted the charter (None: not yet)."""
    if profile.joined_at is None:
        if rng.random() < 0.85:
            return _ago(now, INSTALLED_DAYS_AGO - rng.uniform(0, 90))
        return None
    recent = now - profile.joined_at < timedelta(days=30)
    chance = 0.65 if recent else (0.93 if profile.behaviour else 0.75)
    if rng.random() >= chance:
        return None
    delay = timedelta(seconds=int(3600 * 4 * rng.lognormvariate(0, 1.5)) + 60)
    accepted_at = profile.joined_at + delay
    limit = profile.left_at or now
    return accepted_at if accepted_at < limit else None


def _first_steps_before(rng: random.Random, profile: Profile, now: datetime) -> None:
    """Give a member who joined before recording began first steps before it too (maybe)."""
    window_start = _ago(now, HISTORY_DAYS)
    base = profile.joined_at or _ago(now, INSTALLED_DAYS_AGO)
    if base >= window_start or not profile.behaviour:
        return
    eager = profile.behaviour in ("core", "active")
    if rng.random() < (0.9 if eager else 0.6):
        first = base + timedelta(seconds=int(DAY * 7 * rng.lognormvariate(0, 1)))
        if first < window_start:
            profile.first_message_at = first
    if rng.random() < (0.8 if eager else 0.4):
        first = base + timedelta(seconds=int(DAY * 30 * rng.lognormvariate(0, 1)))
        if first < window_start:
            profile.first_answer_at = first


def generate(
    catalogue: Catalogue, now: datetime, settings: Settings, *, members: int, events: int
) -> Dataset:
    """Generate the community's rows: members, acceptances, votes, answers, events, counts."""
    rng = random.Random(SEED)
    profiles = _profiles(rng, now, members)
    data = Dataset(profiles)
    moments = Moments(rng)
    window_start = _ago(now, HISTORY_DAYS)
    add = data.events.append

    for profile in profiles:
        user = profile.user_id
        index = int(user[2:])
        data.members.append(
            {
                "user_id": user,
                "display_name": f"Membre {index:05d}",
                "locale": LOCALES[index % len(LOCALES)],
                "timezone": ZONES[index % len(ZONES)],
                "is_bot": False,
                "is_guest": False,
                "is_deleted": False,
                "refreshed_at": now - timedelta(days=index % 6),
                "joined_at": profile.joined_at,
                "left_at": profile.left_at,
                "in_community": profile.in_community,
            }
        )
        profile.accepted_at = _acceptance(rng, profile, now)
        if profile.accepted_at is not None:
            data.acceptances.append(
                {
                    "user_id": user,
                    "version": 1,
                    "accepted_at": profile.accepted_at,
                    "hopes": None,
                    "interests": rng.sample(INTERESTS, rng.choice((0, 1, 2, 3))),
                    "may_introduce": rng.random() < 0.5,
                }
            )
            if profile.accepted_at >= window_start:
                add((f"charter:{user}:v1", user, CHARTER_ACCEPTANCE, None, profile.accepted_at))
        if profile.joined_at is not None:
            late = profile.accepted_at is None
            days_in = (now - profile.joined_at).days
            data.newcomers.append(
                {
                    "user_id": user,
                    "joined_at": profile.joined_at,
                    "left_at": profile.left_at,
                    "welcomed_at": profile.joined_at + timedelta(seconds=20),
                    "welcomed_version": 1,
                    "welcome_key": f"welcome:{user}",
                    "not_now_at": (
                        profile.joined_at + timedelta(hours=1)
                        if late and rng.random() < 0.3
                        else None
                    ),
                    "reminders_sent": min(2, days_in // 3) if late else 0,
                    "greeter_id": _user_id(rng.randint(1, COORDINATOR_COUNT))
                    if rng.random() < 0.7
                    else None,
                }
            )
            if profile.joined_at >= window_start:
                at = profile.joined_at
                add((f"join:{user}:{at.isoformat()}", user, JOIN, COMMUNITY_CHANNEL, at))
        if profile.left_at is not None and profile.left_at >= window_start:
            at = profile.left_at
            add((f"leave:{user}:{at.isoformat()}", user, LEAVE, COMMUNITY_CHANNEL, at))
        _first_steps_before(rng, profile, now)

    for poll in catalogue.polls:
        last = min(poll.closes_at or now, now)
        for profile in profiles:
            if not profile.active_at(poll.created_at):
                continue
            if rng.random() >= VOTE_CHANCE[profile.behaviour]:
                continue
            voted_at = poll.created_at + timedelta(seconds=int(rng.expovariate(1 / DAY)) + 30)
            if voted_at >= last:
                continue
            voted_at = voted_at.replace(microsecond=rng.randrange(1_000_000))
            user = profile.user_id
            option = rng.choice(poll.option_ids)
            if poll.anonymous:
                marker = voter_id(settings, poll_box(poll.poll_id), user, anonymous=True)
                data.poll_votes.append(
                    {"poll_id": poll.poll_id, "option_id": option, "voter": marker}
                )
                data.anonymous[(voted_at.date(), POLL_VOTE)] += 1
                continue
            data.poll_votes.append(
                {"poll_id": poll.poll_id, "option_id": option, "voter": user, "voted_at": voted_at}
            )
            key = f"vote:poll:{poll.poll_id}:{user}"
            add((key, user, POLL_VOTE, poll.channel_id, voted_at))

    for survey in catalogue.surveys:
        last = min(survey.closes_at, now)
        segments: dict[str, str] = {}
        for profile in profiles:
            if not profile.present_at(survey.launched_at):
                continue
            segment = segment_for(profile.joined_at, survey.launched_at)
            segments[profile.user_id] = segment
            data.invitations.append(
                {
                    "survey_id": survey.survey_id,
                    "user_id": profile.user_id,
                    "segment": segment,
                    "invited_at": survey.launched_at,
                }
            )
        answered: Counter[str] = Counter()
        for profile in profiles:
            user = profile.user_id
            if user not in segments or not profile.active_at(survey.launched_at):
                continue
            if rng.random() >= ANSWER_CHANCE[profile.behaviour]:
                continue
            done = survey.launched_at + timedelta(seconds=int(rng.expovariate(1 / (2 * DAY))))
            if done >= last:
                continue
            done = done.replace(microsecond=rng.randrange(1_000_000))
            answered[segments[user]] += 1
            box = survey_box(survey.survey_id)
            data.respondents.append(
                {
                    "survey_id": survey.survey_id,
                    "respondent": voter_id(settings, box, user, anonymous=survey.anonymous),
                    "completed_at": None if survey.anonymous else done,
                }
            )
            if survey.anonymous:
                data.anonymous[(done.date(), SURVEY_RESPONSE)] += 1
            else:
                key = f"answer:survey:{survey.survey_id}:{user}"
                add((key, user, SURVEY_RESPONSE, None, done))
        data.segment_counts += [
            {"survey_id": survey.survey_id, "segment": segment, "respondents": count}
            for segment, count in sorted(answered.items())
        ]

    # Chat acts and tool visits share what is left of the budget, member by member in
    # proportion to their rate and active days (core rates scaled to fill it).
    taking_part = [p for p in profiles if p.behaviour]
    days = {p.user_id: (p.end - p.start).total_seconds() / DAY for p in taking_part}
    visits = round(events * VISIT_SHARE)
    budget = max(events - len(data.events) - visits, 0)
    others = sum(p.rate * days[p.user_id] for p in taking_part if p.behaviour != "core")
    core = sum(p.rate * days[p.user_id] for p in taking_part if p.behaviour == "core")
    scale = (budget - others) / core if core and budget > others else 1.0
    expected = [
        p.rate * days[p.user_id] * (scale if p.behaviour == "core" else 1.0) for p in taking_part
    ]
    factor = budget / sum(expected) if sum(expected) else 0.0
    shares = [e * factor for e in expected]
    counts = [math.floor(s) for s in shares]
    leftover = budget - sum(counts)
    for position in sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])[:leftover]:
        counts[position] += 1

    visitors = rng.choices(taking_part, weights=expected, k=visits) if taking_part else []
    for number, profile in enumerate(visitors):
        at = moments.between(profile.start, profile.end)
        data.visits.append(
            {
                "id": number + 1,
                "item_id": rng.choice(catalogue.items),
                "user_id": profile.user_id,
                "visited_at": at,
            }
        )
        add((f"visit:{number + 1}", profile.user_id, TOOLBOX_VISIT, None, at))

    for profile, count in zip(taking_part, counts, strict=True):
        user = profile.user_id
        message_share, reply_share, _ = CHAT_MIX[profile.behaviour]
        for _ in range(count):
            at = moments.between(profile.start, profile.end)
            channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
            ts = f"{int(at.timestamp())}.{at.microsecond:06d}"
            roll = rng.random()
            if roll < message_share:
                add((f"message:{channel}:{ts}", user, MESSAGE, channel, at))
            elif roll < message_share + reply_share:
                add((f"message:{channel}:{ts}", user, REPLY, channel, at))
            else:
                target = f"{int(at.timestamp()) - rng.randrange(1, 2 * DAY)}.{at.microsecond:06d}"
                emoji = rng.choice(REACTIONS)
                add((f"reaction:{channel}:{target}:{user}:{emoji}", user, REACTION, channel, at))

    # The first steps the recording left on each member, and the daily counts.
    by_user = {p.user_id: p for p in profiles}
    daily: Counter[tuple[date, str, str]] = Counter()
    for _key, user, kind, _channel, at in data.events:
        daily[(at.date(), user, kind)] += 1
        profile = by_user[user]
        if kind in (MESSAGE, REPLY):
            if profile.first_message_at is None or at < profile.first_message_at:
                profile.first_message_at = at
        elif kind in (POLL_VOTE, SURVEY_RESPONSE) and (
            profile.first_answer_at is None or at < profile.first_answer_at
        ):
            profile.first_answer_at = at
    for (day, kind), count in data.anonymous.items():
        daily[(day, "", kind)] += count
    data.daily = sorted((day, user, kind, count) for (day, user, kind), count in daily.items())
    for row in data.members:
        profile = by_user[row["user_id"]]
        row["first_message_at"] = profile.first_message_at
        row["first_answer_at"] = profile.first_answer_at
    data.events.sort(key=lambda e: e[4])  # ids grow with time, as in production
    return data


# ------------------------------------------------------------------------------ loading


def _bulk(engine: Engine, table: Table, rows: list[tuple[Any, ...]]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, one executemany in one transaction on SQLite.

    `rows` hold every column of `table` but a generated id, in the table's order.
    """
    columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
    names = ", ".join(c.name for c in columns)
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if engine.dialect.name == "postgresql":
            with (
                driver.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            driver.commit()
            return
        # The values as SQLAlchemy binds them (UTCDateTime and Date as text).
        processors = [c.type._cached_bind_processor(engine.dialect) for c in columns]
        converted = (
            tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True))
            for row in rows
        )
        marks = ", ".join("?" * len(columns))
        driver.execute("BEGIN")
        driver.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", converted)
        driver.execute("COMMIT")
    finally:
        raw.close()


def load(engine: Engine, factory: sessionmaker[Session], data: Dataset) -> None:
    """Insert the generated rows."""
    with transaction(factory) as db:
        for model, rows in (
            (Member, data.members),
            (CharterAcceptance, data.acceptances),
            (Newcomer, data.newcomers),
            (PollVote, data.poll_votes),
            (SurveyInvitation, data.invitations),
            (SurveyRespondent, data.respondents),
            (SurveySegmentCount, data.segment_counts),
            (ToolboxVisit, data.visits),
        ):
            if rows:
                db.execute(insert(model), rows)
    _bulk(engine, ParticipationEvent.__table__, data.events)  # type: ignore[arg-type]
    _bulk(engine, ParticipationDaily.__table__, data.daily)  # type: ignore[arg-type]
    if engine.dialect.name == "postgresql":
        with transaction(factory) as db:
            db.connection().exec_driver_sql(
                "SELECT setval(pg_get_serial_sequence('toolbox_visits', 'id'), "
                "(SELECT max(id) FROM toolbox_visits))"
            )


def analyze(engine: Engine) -> None:
    """Give the planner statistics (and PostgreSQL its visibility map, as autovacuum would)."""
    raw = engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if engine.dialect.name == "postgresql":
            driver.autocommit = True
            try:
                driver.execute("VACUUM ANALYZE")
            finally:
                driver.autocommit = False
        else:
            driver.execute("ANALYZE")
    finally:
        raw.close()


def execute_sql(engine: Engine, statements: list[str]) -> None:
    """Run DDL the user asked to try (`--index`)."""
    with engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


# --------------------------------------------------------------------------- operations


class _Publisher:
    """Stands for the Web API client: `views_publish` keeps the view, calls nothing."""

    def __init__(self) -> None:
        self.view: dict[str, Any] | None = None

    def views_publish(self, *, user_id: str, view: dict[str, Any]) -> None:
        self.view = view


class _Capture:
    """What `handlers.home.register` needs of the app: its subcommands and `event`."""

    def __init__(self, subcommands: Any) -> None:
        self.subcommands = subcommands
        self.listeners: dict[str, Callable[..., None]] = {}

    def event(self, name: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
        def keep(listener: Callable[..., None]) -> Callable[..., None]:
            self.listeners[name] = listener
            return listener

        return keep


def home_listener(settings: Settings, factory: sessionmaker[Session]) -> Callable[..., None]:
    """Return the App Home listener of `handlers/home.py`, bound to a real app's subcommands.

    Bolt's App calls auth.test when built, so the app is built against the Slack stand-in,
    which is stopped right after: the listener itself calls nothing but `views_publish`.
    """
    standin = SlackStandIn(StandInConfig())
    standin.start()
    try:
        app_settings = replace(
            settings, slack_bot_token=standin.config.bot_token, slack_api_url=standin.api_url
        )
        app = create_app(app_settings, session_factory=factory)
    finally:
        standin.stop()
    capture = _Capture(app.subcommands)
    home_handlers.register(capture)  # type: ignore[arg-type]
    return capture.listeners["app_home_opened"]


def _digest(json_ready: Any) -> str:
    text = json.dumps(json_ready, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class Operation:
    """One timed request: returns what it computed (to compare) and its parts' seconds."""

    name: str
    bound: float
    run: Callable[[Session], tuple[Any, dict[str, float]]]


def operations(
    settings: Settings, samples: dict[str, str], now: datetime, listener: Callable[..., None]
) -> list[Operation]:
    """Return the operations to time, as the handlers run them."""
    policy = level_policy(settings)

    def stats(days: int | None) -> Callable[[Session], tuple[Any, dict[str, float]]]:
        def run(db: Session) -> tuple[Any, dict[str, float]]:
            started = time.perf_counter()
            figures = community_stats(db, settings, days=days, now=now)
            computed = time.perf_counter()
            message = build_stats_message(figures, LANGUAGE)
            done = time.perf_counter()
            parts = {"data": computed - started, "message": done - computed}
            return (stats_as_dict(figures), message), parts

        return run

    def me(user_id: str) -> Callable[[Session], tuple[Any, dict[str, float]]]:
        def run(db: Session) -> tuple[Any, dict[str, float]]:
            started = time.perf_counter()
            record = member_record(db, settings, user_id, now=now)
            computed = time.perf_counter()
            message = build_me_message(record, policy, LANGUAGE)
            done = time.perf_counter()
            parts = {"data": computed - started, "message": done - computed}
            return (asdict(record), message), parts

        return run

    def digest(db: Session) -> tuple[Any, dict[str, float]]:
        started = time.perf_counter()
        figures = weekly_digest(db, settings, now=now)
        computed = time.perf_counter()
        message = build_digest(figures, LANGUAGE)
        built = time.perf_counter()
        png = activity_chart(db, now=now, language=LANGUAGE)
        done = time.perf_counter()
        parts = {"data": computed - started, "message": built - computed, "chart": done - built}
        return (message, hashlib.sha256(png).hexdigest()), parts

    def home(user_id: str) -> Callable[[Session], tuple[Any, dict[str, float]]]:
        def run(db: Session) -> tuple[Any, dict[str, float]]:
            client = _Publisher()
            event_body = {"type": "app_home_opened", "user": user_id, "tab": "home"}
            context = {"settings": settings, "language": LANGUAGE}
            listener(event=event_body, client=client, context=context, db=db)
            return client.view, {}

        return run

    core, peripheral = samples["core"], samples["peripheral"]
    inactive, member = samples["inactive"], samples["active"]
    coordinator = settings.admins[0]
    return [
        Operation("/cercle stats 30d", SLOW_BOUND, stats(30)),
        Operation("/cercle stats 90d", SLOW_BOUND, stats(90)),
        Operation("/cercle stats all", SLOW_BOUND, stats(None)),
        Operation(f"/cercle me (core, {core})", FAST_BOUND, me(core)),
        Operation(f"/cercle me (peripheral, {peripheral})", FAST_BOUND, me(peripheral)),
        Operation(f"/cercle me (inactive, {inactive})", FAST_BOUND, me(inactive)),
        Operation("weekly digest", SLOW_BOUND, digest),
        Operation(f"App Home (member, {member})", FAST_BOUND, home(member)),
        Operation(f"App Home (coordinator, {coordinator})", FAST_BOUND, home(coordinator)),
    ]


@dataclass
class Timing:
    """One operation's runs."""

    name: str
    bound: float
    seconds: list[float] = field(default_factory=list)
    parts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    fingerprint: str = ""
    changed: bool = False

    @property
    def median(self) -> float:
        """Return the median run."""
        return statistics.median(self.seconds)

    @property
    def worst(self) -> float:
        """Return the slowest run."""
        return max(self.seconds)

    @property
    def ok(self) -> bool:
        """Tell whether the median is within the bound and every run computed the same."""
        return self.median < self.bound and not self.changed


def time_operations(
    factory: sessionmaker[Session], ops: list[Operation], runs: int, loads: list[float]
) -> list[Timing]:
    """Warm up once, then time `runs` rounds of every operation, one transaction each.

    The machine's 1-minute load average after each round goes to `loads`.
    """
    timings = [Timing(op.name, op.bound) for op in ops]
    for round_number in range(runs + 1):
        if round_number:
            loads.append(os.getloadavg()[0])
        for op, timing in zip(ops, timings, strict=True):
            started = time.perf_counter()
            with transaction(factory) as db:
                result, parts = op.run(db)
            seconds = time.perf_counter() - started
            fingerprint = _digest(result)
            if round_number == 0:
                timing.fingerprint = fingerprint
                continue
            timing.changed |= fingerprint != timing.fingerprint
            timing.seconds.append(seconds)
            for part, value in parts.items():
                timing.parts[part].append(value)
    return timings


# ---------------------------------------------------------------- per-query diagnosis


@contextmanager
def _statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Collect the statements run on `engine` with their parameters."""
    seen: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _alone(engine: Engine, statement: str, parameters: Any) -> tuple[float, int]:
    """Run one statement alone, fetching every row; return seconds and rows."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        cursor.execute(statement, parameters)
        rows = len(cursor.fetchall()) if cursor.description else 0
        seconds = time.perf_counter() - started
        cursor.close()
        raw.rollback()
        return seconds, rows
    finally:
        raw.close()


def _plan(engine: Engine, statement: str, parameters: Any) -> list[str]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        lines = [" | ".join(str(v) for v in row) for row in cursor.fetchall()]
        cursor.close()
        raw.rollback()
        return lines
    finally:
        raw.close()


def print_queries(engine: Engine, factory: sessionmaker[Session], ops: list[Operation]) -> None:
    """Print each operation's statements, timed alone, and the plans of the slowest two."""
    for op in ops:
        with _statements(engine) as seen, transaction(factory) as db:
            op.run(db)
        timed = []
        for statement, parameters in seen:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            seconds, rows = _alone(engine, statement, parameters)
            timed.append((seconds, rows, statement, parameters))
        total = sum(t[0] for t in timed)
        print(f"\n### {op.name}: {len(timed)} SELECTs, {total * 1000:.0f} ms alone")
        for seconds, rows, statement, _ in sorted(timed, key=lambda t: t[0], reverse=True)[:6]:
            short = " ".join(statement.split())[:150]
            print(f"  {seconds * 1000:7.1f} ms {rows:6d} rows  {short}")
        for _, _, statement, parameters in sorted(timed, key=lambda t: t[0], reverse=True)[:2]:
            print("  plan of: " + " ".join(statement.split())[:150])
            for line in _plan(engine, statement, parameters):
                print("    " + line)


# ---------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """What one database's run measured."""

    database: str
    generation: float = 0.0
    load: float = 0.0
    analyze: float = 0.0
    sizes: dict[str, int] = field(default_factory=dict)
    timings: list[Timing] = field(default_factory=list)
    after: list[Timing] = field(default_factory=list)
    headline: dict[str, Any] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Tell whether every bound was met and every result stayed the same."""
        series = self.timings + self.after
        same = not self.after or all(
            a.fingerprint == b.fingerprint for a, b in zip(self.timings, self.after, strict=True)
        )
        return bool(series) and all(t.ok for t in series) and same


def _headline(factory: sessionmaker[Session], settings: Settings, now: datetime) -> dict[str, Any]:
    """Return what the data looks like: levels, funnel, quiet members, pending charters."""
    with transaction(factory) as db:
        figures = stats_as_dict(community_stats(db, settings, days=30, now=now))
        everything = stats_as_dict(community_stats(db, settings, days=None, now=now))
        digest = weekly_digest(db, settings, now=now)
        _, series = weekly_activity(db, now=now)
    return {
        "members": figures["members"],
        "levels": figures["levels"],
        "funnel 30d": [(s["step"], s["count"], s["median_delay_hours"]) for s in figures["funnel"]],
        "funnel all": [(s["step"], s["count"]) for s in everything["funnel"]],
        "went quiet": len(figures["went_quiet"]),
        "below minimum": len(figures["below_minimum"]),
        "pending charter": len(digest.pending_charter),
        "new this week": len(digest.new_members),
        "open polls": [(p.voters, p.audience) for p in digest.open_polls],
        "open surveys": [(s.responded, s.invited) for s in digest.open_surveys],
        "top": [(p["user_id"], p["points"]) for p in figures["top_members"]],
        "channels 30d": [(c["channel_id"], c["total"]) for c in figures["channels"]],
        "anonymous acts 30d": figures["anonymous_acts"],
        "chart weeks": {kind: sum(values) for kind, values in series.items()},
    }


def run(
    database: str,
    database_url: str,
    now: datetime,
    args: argparse.Namespace,
) -> Outcome:
    """Fill one database, then time every operation on it."""
    outcome = Outcome(database)
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        settings = bench_settings(database_url, coordinator_ids())
        started = time.perf_counter()
        with transaction(factory) as db:
            catalogue = _setup(db, random.Random(SEED + 1), now)
        data = generate(catalogue, now, settings, members=args.members, events=args.events)
        outcome.generation = time.perf_counter() - started
        started = time.perf_counter()
        load(engine, factory, data)
        outcome.load = time.perf_counter() - started
        started = time.perf_counter()
        analyze(engine)
        outcome.analyze = time.perf_counter() - started
        outcome.sizes = {
            "members": len(data.members),
            "events": len(data.events),
            "daily rows": len(data.daily),
            "acceptances": len(data.acceptances),
            "poll votes": len(data.poll_votes),
            "invitations": len(data.invitations),
            "visits": len(data.visits),
        }
        print(
            f"--- {database}: {outcome.sizes['members']} members, {len(data.events)} events, "
            f"{len(data.daily)} daily rows; generated in {outcome.generation:.1f} s, "
            f"loaded in {outcome.load:.1f} s, "
            f"{'VACUUM ANALYZE' if database == 'postgresql' else 'ANALYZE'} "
            f"{outcome.analyze:.1f} s",
            flush=True,
        )
        print("    rows: " + ", ".join(f"{name} {count}" for name, count in outcome.sizes.items()))
        outcome.headline = _headline(factory, settings, now)
        samples = {
            "core": data.sample("core"),
            "peripheral": data.sample("peripheral"),
            "inactive": data.sample("inactive", behaviour="lapsed"),
            "active": data.sample("active"),
        }
        # A bot process does not hold a million generated rows: without them the
        # collector's full passes cost what they would in the bot, not 0.2-2 s more.
        del data
        listener = home_listener(settings, factory)
        ops = operations(settings, samples, now, listener)
        # As the bot does once started (bot/runtime.py): what exists now lives on, and
        # leaves the collector's view.
        gc.collect()
        gc.freeze()
        outcome.timings = time_operations(factory, ops, args.runs, outcome.loads)
        _report(outcome.timings, "as migrated", outcome.loads)
        if args.queries:
            print_queries(engine, factory, ops)
        if args.index:
            execute_sql(engine, args.index)
            analyze(engine)
            after_loads: list[float] = []
            outcome.after = time_operations(factory, ops, args.runs, after_loads)
            for before, after in zip(outcome.timings, outcome.after, strict=True):
                after.changed |= after.fingerprint != before.fingerprint
            _report(outcome.after, "with " + "; ".join(args.index), after_loads)
            if args.queries:
                print_queries(engine, factory, ops)
    finally:
        engine.dispose()
    return outcome


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _report(timings: list[Timing], label: str, loads: list[float]) -> None:
    """Print one series of timings."""
    print(f"{label} (1-minute load average {min(loads):.1f}-{max(loads):.1f}):")
    print(f"  {'operation':44} {'median':>8} {'max':>8} {'bound':>8}  {'result':16} fingerprint")
    for timing in timings:
        verdict = "OK" if timing.ok else "BOUND MISSED"
        if timing.changed:
            verdict = "RESULT CHANGED"
        print(
            f"  {timing.name:44} {_ms(timing.median):>8} {_ms(timing.worst):>8} "
            f"{_ms(timing.bound):>8}  {verdict:16} {timing.fingerprint}"
        )
        if timing.parts:
            parts = ", ".join(
                f"{part} {_ms(statistics.median(values))}" for part, values in timing.parts.items()
            )
            print(f"  {'':44} ({parts}; medians)")
    sys.stdout.flush()


def _summary(outcomes: list[Outcome]) -> None:
    """Print the databases side by side, and whether they computed the same."""
    print("\n=== summary (median / max of the runs)")
    header = f"  {'operation':44}" + "".join(f" {o.database:>22}" for o in outcomes) + "   bound"
    print(header)
    for row, first in enumerate(outcomes[0].timings):
        cells = "".join(
            f" {_ms(o.timings[row].median) + ' / ' + _ms(o.timings[row].worst):>22}"
            for o in outcomes
        )
        print(f"  {first.name:44}{cells}   {_ms(first.bound)}")
        if "chart" in first.parts:
            cells = "".join(
                f" {_ms(statistics.median(o.timings[row].parts['chart'])):>22}" for o in outcomes
            )
            print(f"  {'  of which the chart PNG':44}{cells}")
    if len(outcomes) == 2:
        differing = [
            a.name
            for a, b in zip(outcomes[0].timings, outcomes[1].timings, strict=True)
            if a.fingerprint != b.fingerprint
        ]
        print(
            "  same results on both databases: "
            + ("yes" if not differing else "NO: " + ", ".join(differing))
        )
    for outcome in outcomes:
        print(f"  {outcome.database}: " + json.dumps(outcome.headline, default=str))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen databases; 0 only if every bound was met."""
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"timed rounds (default {RUNS})")
    parser.add_argument("--members", type=int, default=MEMBERS)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--queries", action="store_true", help="time each statement, show plans")
    parser.add_argument(
        "--index", action="append", default=[], help="SQL to run before a second series"
    )
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="the moment the data ends at (ISO 8601; default: now), to compare two runs",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.members < 100:
        parser.error("--runs must be at least 1 and --members at least 100")

    # One moment for both databases, to the second: the same rows, the same figures.
    now = (args.now or datetime.now(UTC)).replace(microsecond=0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    print(f"data up to {now.isoformat()}, seed {SEED}", flush=True)
    outcomes = on_each_database(args.db, lambda database, url, _work: run(database, url, now, args))
    if outcomes is None:
        return 1
    _summary(outcomes)
    ok = bool(outcomes) and all(o.ok for o in outcomes)
    print(f"result: {'OK' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
