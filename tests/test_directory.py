"""The member directory: syncing the community channel from Slack, rate limits included."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.app import make_web_client
from bot.config import Settings
from bot.directory import (
    PAGE_SIZE,
    DirectoryReport,
    DirectoryUnavailable,
    run_directory_sync,
    sync_directory,
)
from sandbox.slack import BOT_USER_ID, SlackStandIn
from scheduled import jobs
from scheduled.jobs import SYNC_MEMBER_DIRECTORY_JOB_ID, register_fixed_jobs
from scheduled.scheduler import build_scheduler
from storage.db import make_engine, make_session_factory, transaction
from storage.members import save_profile
from storage.models import Member, Newcomer, OutboxMessage, ParticipationEvent, utcnow
from tests.conftest import RunningBot, make_settings

COMMUNITY = "C0COMMUNITY"
SEEDED = {"U0ALICE", "U0BOB", "U0CAMILLE", BOT_USER_ID}


@dataclass
class Directory:
    """A directory sync against the stand-in, with a clock the stand-in shares."""

    settings: Settings
    sessions: sessionmaker[Session]
    client: WebClient
    standin: SlackStandIn
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        """Wait by moving the stand-in's clock: its rate limits refill, no test time passes."""
        self.sleeps.append(seconds)
        self.standin.advance_time(seconds)

    def sync(self, **options) -> DirectoryReport:
        return sync_directory(
            self.sessions, self.client, self.settings, sleep=self.sleep, **options
        )

    def query(self, fn):
        with transaction(self.sessions) as db:
            return fn(db)

    def member(self, user_id: str) -> Member | None:
        def read(db: Session) -> Member | None:
            member = db.get(Member, user_id)
            if member is not None:
                db.expunge(member)
            return member

        return self.query(read)

    def events(self) -> list[tuple[str, str, str]]:
        return self.query(
            lambda db: [
                (e.source_key, e.user_id, e.kind)
                for e in db.scalars(select(ParticipationEvent).order_by(ParticipationEvent.id))
            ]
        )

    def outbox_keys(self) -> list[str]:
        return self.query(lambda db: list(db.scalars(select(OutboxMessage.idempotency_key))))


@pytest.fixture
def directory(standin: SlackStandIn, database_url: str) -> Iterator[Directory]:
    settings = make_settings(standin, database_url)
    engine = make_engine(database_url)
    yield Directory(
        settings, make_session_factory(engine), make_web_client(settings, timeout=10), standin
    )
    engine.dispose()


@pytest.fixture(autouse=True)
def _dispose_job_engines() -> Iterator[None]:
    yield
    jobs.dispose_engines()


def _set_channel(standin: SlackStandIn, members) -> None:
    """Make the community channel's members these, as if people came and went unseen."""
    standin.add_channel(COMMUNITY, "communaute-assistantes", members=members)


def _channel(standin: SlackStandIn) -> list[str]:
    channel = standin.get_channel(COMMUNITY)
    assert channel is not None
    return channel["members"]


def _add_crowd(standin: SlackStandIn, count: int) -> list[str]:
    """Add `count` people to the workspace and the community channel; return their ids."""
    ids = [f"U1{n:05d}" for n in range(count)]
    for user_id in ids:
        standin.add_user(user_id, f"person{user_id}", real_name=f"Person {user_id}")
    _set_channel(standin, [*_channel(standin), *ids])
    return ids


def _today() -> str:
    return utcnow().date().isoformat()


# ---------------------------------------------------------------- baseline


def test_first_sync_records_everyone_present_without_welcoming(directory):
    """The baseline: channel members present since before Cercle, no joins, no welcomes."""
    directory.query(
        lambda db: save_profile(db, "U0GUEST", display_name="Gina", locale=None, timezone=None)
    )

    report = directory.sync()

    assert report.baseline
    assert (report.members_seen, report.profiles_fetched) == (4, 4)
    assert (report.joins_repaired, report.leaves_found, report.welcomes_queued) == (0, 0, 0)
    for user_id in SEEDED - {BOT_USER_ID}:
        member = directory.member(user_id)
        assert member is not None
        assert (member.joined_at, member.left_at, member.in_community) == (None, None, True)
    bob = directory.member("U0BOB")
    assert (bob.display_name, bob.locale, bob.timezone) == (
        "Bob Smith",
        "en-US",
        "America/New_York",
    )
    cercle = directory.member(BOT_USER_ID)  # dated: when the directory began
    assert cercle.is_bot and cercle.left_at is None
    assert utcnow() - cercle.joined_at < timedelta(minutes=1)
    gina = directory.member("U0GUEST")  # known, but not in the channel: absent, not a leave
    assert (gina.joined_at, gina.left_at, gina.in_community) == (None, None, False)
    assert directory.events() == []
    assert directory.outbox_keys() == []
    assert directory.query(lambda db: db.scalar(select(func.count()).select_from(Newcomer))) == 0


def test_sync_after_the_baseline_changes_nothing_when_nobody_moved(directory):
    """A second sync with the same channel is no baseline, and records no join or leave."""
    directory.sync()
    report = directory.sync()
    assert not report.baseline
    assert (report.joins_repaired, report.leaves_found, report.profiles_fetched) == (0, 0, 0)
    assert directory.events() == []
    assert len(directory.standin.calls("auth.test")) == 1  # asked for the baseline only


# ---------------------------------------------------------------- repaired events


def test_member_added_without_an_event_is_joined_and_welcomed(bot: RunningBot):
    """A join Slack never reported is recorded by the next sync and gets its welcome DM."""
    jobs.use_settings(bot.settings)
    assert jobs.sync_member_directory().baseline
    bot.standin.add_user("U0NINA", "nina", real_name="Nina New", locale="en-US")
    _set_channel(bot.standin, [*_channel(bot.standin), "U0NINA"])

    report = jobs.sync_member_directory()

    assert not report.baseline
    assert (report.joins_repaired, report.welcomes_queued, report.leaves_found) == (1, 1, 0)
    welcome = bot.wait_until(lambda: bot.standin.dm_messages("U0NINA"), what="the welcome DM")
    assert "Nina New" in str(welcome[0])
    assert "Welcome" in str(welcome[0])  # in her language, English

    def state(db: Session):
        member = db.get(Member, "U0NINA")
        keys = list(db.scalars(select(ParticipationEvent.source_key)))
        return member.joined_at, member.left_at, keys

    joined_at, left_at, keys = bot.query(state)
    assert left_at is None and utcnow() - joined_at < timedelta(minutes=1)
    assert keys == [f"join:U0NINA:sync:{_today()}"]
    assert jobs.sync_member_directory().joins_repaired == 0  # told once


def test_guest_added_without_an_event_is_joined_but_not_welcomed(directory):
    """Onboarding skips guests (by default) for a repaired join as for a join event."""
    directory.sync()
    _set_channel(directory.standin, [*_channel(directory.standin), "U0GUEST"])

    report = directory.sync()

    assert (report.joins_repaired, report.welcomes_queued) == (1, 0)
    assert directory.events() == [(f"join:U0GUEST:sync:{_today()}", "U0GUEST", "join")]
    assert directory.outbox_keys() == []


def test_member_removed_without_an_event_is_recorded_as_leaving(directory):
    """A member present at the last sync and gone from the channel now left."""
    directory.sync()
    _set_channel(directory.standin, [m for m in _channel(directory.standin) if m != "U0BOB"])

    report = directory.sync()

    assert (report.leaves_found, report.joins_repaired) == (1, 0)
    assert directory.member("U0BOB").left_at is not None
    assert directory.events() == [(f"leave:U0BOB:sync:{_today()}", "U0BOB", "leave")]
    assert directory.sync().leaves_found == 0  # told once


def test_member_back_after_leaving_is_joined_again(directory):
    """Someone marked as gone who is in the channel again rejoined."""
    directory.sync()
    everyone = _channel(directory.standin)
    _set_channel(directory.standin, [m for m in everyone if m != "U0CAMILLE"])
    directory.sync()
    _set_channel(directory.standin, everyone)

    report = directory.sync()

    assert (report.joins_repaired, report.welcomes_queued) == (1, 1)
    camille = directory.member("U0CAMILLE")
    assert camille.left_at is None and camille.joined_at is not None
    assert any(key.startswith("welcome:U0CAMILLE:") for key in directory.outbox_keys())


# ---------------------------------------------------------------- Slack's limits


def test_more_than_200_members_are_read_page_by_page(directory):
    """conversations.members is followed cursor by cursor, 200 at a time."""
    crowd = _add_crowd(directory.standin, 450)

    report = directory.sync()

    assert report.members_seen == 454
    assert report.profiles_fetched == 454  # Tier 4's burst is 100: the rest waited their turn
    pages = directory.standin.calls("conversations.members")
    assert len(pages) == 3
    assert all(int(call["params"]["limit"]) == PAGE_SIZE for call in pages)
    stored = directory.query(
        lambda db: set(db.scalars(select(Member.user_id).where(Member.left_at.is_(None))))
    )
    assert stored == SEEDED | set(crowd)


def test_users_info_rate_limit_is_waited_out(directory):
    """A 429 from users.info waits its Retry-After, then the sync completes."""
    directory.standin.configure(method_per_minute={"users.info": 60})

    report = directory.sync()

    limited = [c for c in directory.standin.calls("users.info") if c["status"] == 429]
    assert limited and report.rate_limit_waits == len(limited)
    assert report.profiles_fetched == 4 and report.profiles_missing == 0
    assert sum(1 for s in directory.sleeps if s >= 1) == len(limited)  # Retry-After: 1


def test_conversations_members_rate_limit_is_waited_out(directory):
    """A 429 between pages waits its Retry-After and the list is read to the end."""
    crowd = _add_crowd(directory.standin, 450)

    def fresh_profiles(db: Session) -> None:
        for user_id in [*SEEDED, *crowd]:
            save_profile(db, user_id, display_name=user_id, locale="fr-FR", timezone=None)

    directory.query(fresh_profiles)
    directory.standin.configure(method_per_minute={"conversations.members": 30})

    report = directory.sync()

    assert report.members_seen == 454 and report.profiles_fetched == 0
    assert report.rate_limit_waits == 2
    assert [c["status"] for c in directory.standin.calls("conversations.members")] == [
        200,
        429,
        200,
        429,
        200,
    ]
    assert sorted(directory.sleeps)[-2:] == [2.0, 2.0]  # 30 a minute: Retry-After 2


def test_member_list_limited_beyond_the_budget_changes_nothing(directory, caplog):
    """Without the whole member list nothing is applied: a partial list is not leaves."""
    directory.sync()
    _set_channel(directory.standin, [m for m in _channel(directory.standin) if m != "U0BOB"])
    directory.standin.configure(method_per_minute={"conversations.members": 0.001})
    directory.client.conversations_members(channel=COMMUNITY)  # the only token for hours

    with pytest.raises(DirectoryUnavailable):
        directory.sync()
    with caplog.at_level(logging.WARNING, logger="bot.directory"):
        assert (
            run_directory_sync(
                directory.sessions,
                directory.settings,
                client=directory.client,
                sleep=directory.sleep,
            )
            is None
        )

    assert directory.sleeps == []  # a Retry-After of hours is not waited
    assert directory.member("U0BOB").left_at is None
    assert directory.events() == []
    assert [r.getMessage() for r in caplog.records] == [
        "member directory not synced: conversations.members failed: "
        "conversations.members still rate limited"
    ]


def test_profiles_refused_beyond_the_budget_wait_for_the_next_sync(directory):
    """users.info limited for hours: members are still recorded, profiles asked again later."""
    directory.standin.configure(method_per_minute={"users.info": 0.001})

    report = directory.sync()

    assert (report.profiles_fetched, report.profiles_missing) == (1, 3)
    assert directory.sleeps == []
    present = directory.query(
        lambda db: set(db.scalars(select(Member.user_id).where(Member.left_at.is_(None))))
    )
    assert present == SEEDED
    directory.standin.configure(method_per_minute={})
    # The two placeholders count as stale (Cercle's own row was filled from auth.test).
    assert directory.sync().profiles_fetched == 2


def test_fresh_profiles_are_not_fetched_again(directory):
    """users.info is asked only for profiles missing or older than seven days."""
    directory.sync()
    assert len(directory.standin.calls("users.info")) == 4
    assert directory.sync().profiles_fetched == 0
    directory.query(
        lambda db: db.execute(
            update(Member)
            .where(Member.user_id == "U0BOB")
            .values(refreshed_at=utcnow() - timedelta(days=8))
        )
    )

    report = directory.sync()

    assert report.profiles_fetched == 1
    assert directory.standin.calls("users.info")[-1]["params"]["user"] == "U0BOB"
    assert len(directory.standin.calls("users.info")) == 5


# ---------------------------------------------------------------- the job


def test_job_runs_daily_at_04_10_and_shortly_after_start(database_url):
    """The fixed job fires two minutes after registration, then every day at 04:10 local."""
    scheduler = build_scheduler(database_url)
    scheduler.start(paused=True)
    try:
        register_fixed_jobs(scheduler, Settings(database_url=database_url))
        job = scheduler.get_job(SYNC_MEMBER_DIRECTORY_JOB_ID)
        assert timedelta(minutes=1) < job.next_run_time - utcnow() <= timedelta(minutes=2)
        following = job.trigger.get_next_fire_time(job.next_run_time, job.next_run_time)
        local = following.astimezone(job.trigger.triggers[0].timezone)
        assert (local.hour, local.minute) == (4, 10)
        assert following - job.next_run_time <= timedelta(days=1)
    finally:
        scheduler.shutdown(wait=False)


def test_job_syncs_and_logs_one_line(directory, caplog):
    """The scheduled job builds its own client and session, and logs its report."""
    jobs.use_settings(directory.settings)
    with caplog.at_level(logging.INFO, logger="bot.directory"):
        report = jobs.sync_member_directory()
    assert report.baseline and report.members_seen == 4
    assert [r.getMessage() for r in caplog.records] == [
        "member directory baseline: 4 members seen, 4 profiles fetched, 0 joins repaired "
        "(0 welcomed), 0 leaves found, 0 rate-limit waits (0.0 s waiting)"
    ]
