"""Nudge fan-out benchmark: plan toolbox suggestions for N members, then deliver them.

    python -m bench.nudge_fanout [--db sqlite|postgresql|both] [-n 10000]

For each database: migrate a fresh one and fill it (not timed) with N charter signatories
in a mix of languages and time zones, 20 tagged toolbox items, and visits that leave about
90 % of the members quiet (nothing opened for 30+ days) and 10 % active. Then time one
`plan_toolbox_nudges` transaction and check a second one queues nothing; then start the
Slack stand-in here (3000 chat.postMessage a minute workspace-wide) and run
`cercle run --no-migrate` as a subprocess, working hours off, until the outbox is empty,
and check every planned member got exactly one DM in a time close to what the rate limit
allows. Exits 1 if any target is missed.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

import bot.toolbox as toolbox_flows
from bench.bulk_delivery import (
    POSTS_PER_MINUTE,
    RESULTS_DIR,
    TARGET_RATIO,
    Bot,
    _count,
)
from bench.common import cercle_missing, on_each_database
from bot.config import Settings
from bot.toolbox import NudgePlan, plan_toolbox_nudges
from sandbox.slack import SlackStandIn, StandInConfig
from storage.charter import signatories_interests
from storage.db import make_engine, make_session_factory, transaction, upgrade_database
from storage.models import (
    CharterAcceptance,
    Member,
    OutboxMessage,
    OutboxStatus,
    ToolboxItem,
    ToolboxVisit,
    utcnow,
)
from storage.outbox import NUDGE_KIND
from storage.toolbox import ItemFields, active_items, add_item, last_visits, opened_items

PLAN_TARGET_SECONDS = 5.0
ACTIVE_SHARE = 0.10
# Of the quiet members, the share who opened something long ago (the rest never did).
LAPSED_SHARE = 0.6
ITEM_COUNT = 20
SEED = 2024
# The outbox is polled in a transaction (BEGIN IMMEDIATE on SQLite): not too often, so
# the poll barely competes with the bot's claims; 0.2 s is nothing next to minutes.
POLL_SECONDS = 0.2
TAGS = (
    "events",
    "mentoring",
    "writing",
    "data",
    "wellbeing",
    "facilitation",
    "remote",
    "career",
    "onboarding",
    "tools",
)
# Weighted by repetition: a mostly French-speaking community with English speakers.
LOCALES = ("fr-FR", "fr-FR", "fr-FR", "fr-CA", "fr-BE", "en-US", "en-GB", "en-US")
ZONES = (
    "Europe/Paris",
    "Europe/Paris",
    "Europe/Brussels",
    "America/Montreal",
    "Africa/Dakar",
    "Indian/Reunion",
    "Pacific/Noumea",
    "America/New_York",
    "Europe/London",
    "Asia/Singapore",
)


@dataclass(frozen=True)
class Person:
    """One generated member, as the database and the stand-in both know them."""

    user_id: str
    display_name: str
    locale: str
    timezone: str


@dataclass
class Population:
    """What the setup created, and what the planner should make of it."""

    people: list[Person]
    quiet: set[str]
    visits: int


@dataclass
class Outcome:
    """What one run measured."""

    database: str
    n: int
    considered: int = 0
    queued: int = 0
    expected: int = 0
    plan_seconds: float = 0.0
    plan_insert_seconds: float = 0.0
    replan_queued: int = -1
    replan_seconds: float = 0.0
    replan_insert_seconds: float = 0.0
    reads: dict[str, float] = field(default_factory=dict)
    visits: int = 0
    sent: int = 0
    duplicates: int = 0
    missing: int = 0
    unplanned: int = 0
    failed_rows: int = 0
    held_by_courtesy: int = 0
    elapsed: float = 0.0
    first_post_after: float | None = None
    rate_limited: int = 0
    faults: int = 0
    pace: list[float] = field(default_factory=list)
    peak_rss_kib: list[int] = field(default_factory=list)
    note: str = ""

    @property
    def bound(self) -> float:
        """Seconds the workspace rate limit needs for the queued posts at the very least."""
        return self.queued / (POSTS_PER_MINUTE / 60)

    @property
    def ratio(self) -> float:
        """Elapsed delivery time over the rate-limit bound."""
        return self.elapsed / self.bound if self.bound else 0.0

    @property
    def ok(self) -> bool:
        """Tell whether the run met every target."""
        return (
            not self.note
            and self.plan_seconds < PLAN_TARGET_SECONDS
            and self.queued == self.expected
            and self.replan_queued == 0
            and self.duplicates == 0
            and self.missing == 0
            and self.unplanned == 0
            and self.ratio <= TARGET_RATIO
        )


def _people(n: int, rng: random.Random) -> list[Person]:
    """Generate N members with a mix of locales and time zones."""
    return [
        Person(
            user_id=f"UN{index:06d}",
            display_name=f"Membre {index:06d}",
            locale=rng.choice(LOCALES),
            timezone=rng.choice(ZONES),
        )
        for index in range(n)
    ]


def _add_items(db: Session, now: datetime, rng: random.Random) -> list[int]:
    """Create the benchmark's tagged items and retire the starter ones; return the ids."""
    ids = []
    for index in range(ITEM_COUNT):
        language = "fr" if index % 2 == 0 else "en"
        item = add_item(
            db,
            ItemFields(
                title=f"Outil {index:02d}" if language == "fr" else f"Tool {index:02d}",
                url=f"https://tools.invalid/{index:02d}",
                description="Un outil du banc d'essai." if language == "fr" else "A bench tool.",
                tags=tuple(rng.sample(TAGS, 2)),
                language=language,
            ),
            author_id="U0ALICE",
        )
        ids.append(item.id)
    # Migration 0008 ships 14 starter items; retiring them leaves exactly our 20 active.
    db.execute(update(ToolboxItem).where(ToolboxItem.id.not_in(ids)).values(retired_at=now))
    return ids


def _populate(factory: sessionmaker[Session], n: int, now: datetime) -> Population:
    """Fill a migrated database with N signatories, 20 items and their visits (bulk inserts)."""
    rng = random.Random(SEED)
    people = _people(n, rng)
    quiet: set[str] = set()
    members: list[dict[str, Any]] = []
    acceptances: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    with transaction(factory) as db:
        item_ids = _add_items(db, now, rng)
        for person in people:
            # The columns save_profile and record_acceptance write, as one INSERT per
            # table: 10,000 upserts one by one would make the setup the slow part.
            members.append(
                {
                    "user_id": person.user_id,
                    "display_name": person.display_name,
                    "locale": person.locale,
                    "timezone": person.timezone,
                    "is_bot": False,
                    "is_guest": False,
                    "is_deleted": False,
                    "refreshed_at": now,
                }
            )
            acceptances.append(
                {
                    "user_id": person.user_id,
                    "version": 1,
                    "accepted_at": now - timedelta(days=rng.uniform(40, 700)),
                    "hopes": None,
                    # Some pick nothing, so the planner's language fallback is exercised.
                    "interests": rng.sample(TAGS, rng.choice((0, 1, 2, 3))),
                    "may_introduce": False,
                }
            )
            roll = rng.random()
            if roll < ACTIVE_SHARE:
                # Active: one visit inside the 21 quiet days (with margin), maybe older ones.
                opened = rng.sample(item_ids, rng.randint(1, 4))
                moments = [now - timedelta(days=rng.uniform(0, 14))]
                moments += [now - timedelta(days=rng.uniform(0, 200)) for _ in opened[1:]]
            else:
                quiet.add(person.user_id)
                lapsed = roll < ACTIVE_SHARE + (1 - ACTIVE_SHARE) * LAPSED_SHARE
                # At most 3 of 20 items: every quiet member has something left to suggest.
                opened = rng.sample(item_ids, rng.randint(1, 3)) if lapsed else []
                moments = [now - timedelta(days=rng.uniform(30, 400)) for _ in opened]
            visits += [
                {"item_id": item_id, "user_id": person.user_id, "visited_at": moment}
                for item_id, moment in zip(opened, moments, strict=True)
            ]
        db.execute(insert(Member), members)
        db.execute(insert(CharterAcceptance), acceptances)
        db.execute(insert(ToolboxVisit), visits)
    return Population(people, quiet, len(visits))


@contextmanager
def _timing_inserts() -> Iterator[list[float]]:
    """Time the planner's calls of enqueue_many_messages (its INSERTs), leaving them as they are."""
    spent: list[float] = []
    original = toolbox_flows.enqueue_many_messages

    def timed(db: Session, messages: list[dict[str, Any]]) -> int:
        started = time.perf_counter()
        try:
            return original(db, messages)
        finally:
            spent.append(time.perf_counter() - started)

    # A wrapper around the real function: it tells the INSERTs' share from the rest.
    toolbox_flows.enqueue_many_messages = timed
    try:
        yield spent
    finally:
        toolbox_flows.enqueue_many_messages = original


def _timed_plan(
    factory: sessionmaker[Session], settings: Settings
) -> tuple[NudgePlan, float, float]:
    """Plan in one transaction as the job does; return plan, seconds, seconds in INSERTs."""
    with _timing_inserts() as inserts:
        started = time.perf_counter()
        with transaction(factory) as db:
            plan = plan_toolbox_nudges(db, settings, quiet_days=settings.toolbox_quiet_days)
        seconds = time.perf_counter() - started
    return plan, seconds, sum(inserts)


def _read_times(factory: sessionmaker[Session]) -> dict[str, float]:
    """Time each read the planner makes, one by one, to show where planning time goes."""
    reads: dict[str, Callable[[Session], Any]] = {
        "signatories": signatories_interests,
        "items": active_items,
        "last visits": last_visits,
        "opened items": opened_items,
        "profiles": lambda db: list(db.scalars(select(Member))),
    }
    times: dict[str, float] = {}
    with transaction(factory) as db:
        for name, read in reads.items():
            started = time.perf_counter()
            read(db)
            times[name] = time.perf_counter() - started
    return times


def _nudged_members(factory: sessionmaker[Session]) -> set[str]:
    """Return the members a toolbox nudge row was queued for."""
    with transaction(factory) as db:
        return set(
            db.scalars(select(OutboxMessage.address).where(OutboxMessage.kind == NUDGE_KIND))
        )


def _held_by_courtesy(factory: sessionmaker[Session]) -> int:
    """Count nudges the courtesy policy deferred or dropped (none expected here)."""
    with transaction(factory) as db:
        held = db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.last_error.startswith("courtesy"))
        )
        return int(held or 0)


def _pace(moments: list[float]) -> list[float]:
    """Return posts per second over the first, middle and last third of the posts."""
    moments = sorted(moments)
    if len(moments) < 6:
        return []
    cuts = [0, len(moments) // 3, 2 * len(moments) // 3, len(moments) - 1]
    return [
        (end - start) / max(1e-9, moments[end] - moments[start])
        for start, end in zip(cuts, cuts[1:], strict=False)
    ]


def _bot_env(standin: SlackStandIn, database_url: str) -> dict[str, str]:
    """Return the bot's environment: bulk_delivery's, plus the courtesy settings."""
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": standin.config.bot_token,
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "CERCLE_LOG_LEVEL": "INFO",
        # Any hour and weekday: the figures must not depend on when the bench runs.
        "CERCLE_WORKING_HOURS": "off",
        "CERCLE_WEEKLY_NUDGE_CAP": "2",
        # Empty means unset (whatever a .env says): no weekly post joins the DMs.
        "CERCLE_COMMUNITY_CHANNEL": "",
    }
    env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, whatever the caller's shell has
    return env


def _deliver(
    outcome: Outcome,
    factory: sessionmaker[Session],
    database_url: str,
    population: Population,
    fail_rate: float,
) -> None:
    """Run the real bot against the stand-in until the outbox is empty; fill in `outcome`."""
    standin = SlackStandIn(
        StandInConfig(postmessage_per_minute=POSTS_PER_MINUTE, fail_rate=fail_rate, seed=SEED)
    )
    for person in population.people:
        standin.add_user(
            person.user_id,
            person.user_id.lower(),
            display_name=person.display_name,
            tz=person.timezone,
            locale=person.locale,
        )
    standin.start()
    bot: Bot | None = None
    try:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        log_path = RESULTS_DIR / f"nudge-bot-{outcome.database}.log"
        log_path.write_bytes(b"")
        bot = Bot(_bot_env(standin, database_url), log_path)
        # Generous but bounded: a stuck row must not keep the bench running for long.
        time_limit = 60 + 2 * outcome.bound
        launched_wall = time.time()
        started = time.monotonic()
        bot.start()
        while True:
            time.sleep(POLL_SECONDS)
            bot.sample()
            if not _count(factory, OutboxStatus.PENDING, OutboxStatus.SENDING):
                break
            if time.monotonic() - started > time_limit:
                outcome.note = f"outbox not empty after {time_limit:.0f} s"
                break
        outcome.elapsed = time.monotonic() - started
        bot.stop()

        planned = _nudged_members(factory)
        copies = Counter(m["channel"] for m in standin.messages())
        per_user = {p.user_id: copies.get("D" + p.user_id[1:], 0) for p in population.people}
        outcome.sent = sum(1 for count in per_user.values() if count >= 1)
        outcome.duplicates = sum(1 for count in per_user.values() if count > 1)
        outcome.missing = sum(1 for user in planned if per_user.get(user, 0) == 0)
        outcome.unplanned = sum(1 for u, c in per_user.items() if c and u not in planned)
        outcome.failed_rows = _count(factory, OutboxStatus.FAILED)
        outcome.held_by_courtesy = _held_by_courtesy(factory)
        posts = standin.calls("chat.postMessage")
        outcome.rate_limited = sum(1 for call in posts if call["status"] == 429)
        outcome.faults = sum(1 for call in posts if call["fault"])
        outcome.pace = _pace([call["time"] for call in posts if call["ok"]])
        if posts:
            outcome.first_post_after = min(call["time"] for call in posts) - launched_wall
        outcome.peak_rss_kib = list(bot.peaks)
    except RuntimeError as error:
        outcome.note = str(error)
    finally:
        if bot is not None:
            bot.stop()
        standin.stop()


def run(database: str, n: int, database_url: str, fail_rate: float) -> Outcome:
    """Run the benchmark once against `database_url` and return its measurements."""
    outcome = Outcome(database, n)
    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        factory = make_session_factory(engine)
        population = _populate(factory, n, utcnow())
        outcome.visits = population.visits
        outcome.expected = len(population.quiet)
        # The job's own settings: the community's language and time zone by default.
        settings = Settings(database_url=database_url)
        plan, outcome.plan_seconds, outcome.plan_insert_seconds = _timed_plan(factory, settings)
        outcome.considered, outcome.queued = plan.considered, plan.queued
        again, outcome.replan_seconds, outcome.replan_insert_seconds = _timed_plan(
            factory, settings
        )
        outcome.replan_queued = again.queued
        outcome.reads = _read_times(factory)
        _deliver(outcome, factory, database_url, population, fail_rate)
    finally:
        engine.dispose()
    return outcome


def _report(outcome: Outcome) -> None:
    """Print one run's figures."""
    peaks = outcome.peak_rss_kib or [0]
    reads = ", ".join(f"{name} {seconds:.2f}" for name, seconds in outcome.reads.items())
    first = outcome.first_post_after
    print(
        f"--- {outcome.database}: {outcome.n} members, {outcome.visits} visits, {ITEM_COUNT} items"
    )
    print(
        f"plan:             {outcome.considered} considered, {outcome.queued} queued "
        f"(expected {outcome.expected}) in {outcome.plan_seconds:.2f} s "
        f"(target < {PLAN_TARGET_SECONDS:.0f} s), {outcome.plan_insert_seconds:.2f} s of it "
        "in enqueue_many_messages"
    )
    print(
        f"plan again:       {outcome.replan_queued} queued in {outcome.replan_seconds:.2f} s, "
        f"{outcome.replan_insert_seconds:.2f} s of it in enqueue_many_messages"
    )
    print(f"planner's reads:  {reads} s (each timed alone)")
    print(f"sent:             {outcome.sent}")
    print(f"duplicates:       {outcome.duplicates}")
    print(f"missing:          {outcome.missing}")
    print(f"unplanned DMs:    {outcome.unplanned}")
    print(
        f"along the way:    {outcome.rate_limited} answers 429, {outcome.faults} injected "
        f"faults, {outcome.failed_rows} failed rows, {outcome.held_by_courtesy} held by courtesy"
    )
    print(
        f"elapsed:          {outcome.elapsed:.1f} s"
        + (f" (first post {first:.1f} s after launch)" if first is not None else "")
    )
    print(f"rate-limit bound: {outcome.bound:.1f} s ({POSTS_PER_MINUTE} posts/min)")
    if outcome.pace:
        print(
            "pace:             "
            + " / ".join(f"{rate:.1f}" for rate in outcome.pace)
            + " posts/s (first, middle, last third of the posts)"
        )
    print(f"elapsed / bound:  {outcome.ratio:.3f} (target <= {TARGET_RATIO})")
    print(f"peak RSS (bot):   {max(peaks) / 1024:.0f} MiB")
    if outcome.note:
        print(f"problem:          {outcome.note}")
    print(f"result:           {'OK' if outcome.ok else 'TARGET MISSED'}", flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen databases; 0 only if every target was met."""
    parser = argparse.ArgumentParser(prog="python -m bench.nudge_fanout", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("-n", type=int, default=10_000, help="number of members (default 10000)")
    parser.add_argument(
        "--fail-rate", type=float, default=0.0, help="share of posts answered 500 (default 0)"
    )
    args = parser.parse_args(argv)
    if args.n < 10:
        parser.error("-n must be at least 10")
    if cercle_missing():
        return 2

    def run_and_report(database: str, url: str, _work: Path) -> Outcome:
        outcome = run(database, args.n, url, args.fail_rate)
        _report(outcome)
        return outcome

    outcomes = on_each_database(args.db, run_and_report)
    if outcomes is None:
        return 1
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
