"""Leader election: one scheduler among many bot processes, and takeover when the leader dies."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from bot.config import Settings
from scheduled import jobs
from scheduled.jobs import PURGE_PROCESSED_EVENTS_JOB_ID, register_fixed_jobs
from scheduled.leader import SCHEDULER_LOCK_KEY, SchedulerLeader
from scheduled.scheduler import SchedulerService

REPO = Path(__file__).resolve().parents[1]
INTERVAL = 0.2
postgresql_only = pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# A bot process reduced to its election: says "leader" when elected, then waits forever.
CHILD = """
import sys, threading
from scheduled.leader import SchedulerLeader
leader = SchedulerLeader(
    sys.argv[1],
    on_elected=lambda: print("leader", flush=True),
    on_deposed=lambda: print("deposed", flush=True),
    check_interval=float(sys.argv[2]),
    process_id="child",
)
leader.start()
threading.Event().wait()
"""


class Campaign:
    """A SchedulerLeader plus a record of when its callbacks ran."""

    def __init__(self, database_url: str, name: str, **options: Any) -> None:
        self.name = name
        self.elected_at: list[float] = []
        self.deposed_at: list[float] = []
        self.leader = SchedulerLeader(
            database_url,
            on_elected=lambda: self.elected_at.append(time.monotonic()),
            on_deposed=lambda: self.deposed_at.append(time.monotonic()),
            check_interval=INTERVAL,
            process_id=name,
            **options,
        )

    @property
    def is_leader(self) -> bool:
        return self.leader.is_leader


@pytest.fixture
def campaigns(database_url: str) -> Iterator[Callable[[str], Campaign]]:
    """Start named campaigns on the test database; stop them all afterwards."""
    started: list[Campaign] = []

    def start(name: str) -> Campaign:
        campaign = Campaign(database_url, name)
        campaign.leader.start()
        started.append(campaign)
        return campaign

    yield start
    for campaign in started:
        campaign.leader.stop()


def wait_until(predicate: Callable[[], Any], timeout: float = 5.0, what: str = "it") -> float:
    """Poll until `predicate` holds; return how long it took."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        if predicate():
            return time.monotonic() - began
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def always_during(predicate: Callable[[], Any], seconds: float) -> None:
    """Assert `predicate` holds at every poll for `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert predicate()
        time.sleep(0.01)


def _libpq(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def lock_holders(database_url: str) -> list[str]:
    """Return the application names of the sessions holding the scheduler lock."""
    with psycopg.connect(_libpq(database_url), autocommit=True) as connection:
        rows = connection.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid",
            [SCHEDULER_LOCK_KEY >> 32, SCHEDULER_LOCK_KEY & 0xFFFF_FFFF],
        ).fetchall()
    return sorted(row[0] for row in rows)


# --- SQLite ---------------------------------------------------------------------------


@sqlite_only
def test_sqlite_process_leads_at_once(campaigns):
    """On SQLite the only process is the leader as soon as start() returns."""
    solo = campaigns("solo")
    assert solo.is_leader
    assert len(solo.elected_at) == 1


@sqlite_only
def test_sqlite_stop_deposes(campaigns):
    """Stopping on SQLite runs on_deposed once and leaves the process a follower."""
    solo = campaigns("solo")
    solo.leader.stop()
    assert not solo.is_leader
    assert len(solo.deposed_at) == 1


# --- both databases: the leader drives a real scheduler ---------------------------------


def test_leader_runs_the_scheduler_while_elected(database_url):
    """Elected: a scheduler runs with the fixed jobs; stopped: it is shut down."""
    settings = Settings(database_url=database_url, timezone="Europe/Paris")
    service = SchedulerService(database_url, lambda s: register_fixed_jobs(s, settings))
    leader = SchedulerLeader(
        database_url, on_elected=service.start, on_deposed=service.stop, check_interval=INTERVAL
    )
    leader.start()
    try:
        wait_until(lambda: service.scheduler is not None, what="the scheduler")
        scheduler = service.scheduler
        assert scheduler.running
        assert PURGE_PROCESSED_EVENTS_JOB_ID in {job.id for job in scheduler.get_jobs()}
    finally:
        leader.stop()
        jobs.dispose_engines()
    assert service.scheduler is None
    assert not scheduler.running


# --- PostgreSQL -----------------------------------------------------------------------


@postgresql_only
def test_two_contenders_elect_exactly_one(database_url, campaigns):
    """Two instances with their own connections: exactly one leads, and keeps leading."""
    first, second = campaigns("first"), campaigns("second")
    wait_until(lambda: first.is_leader or second.is_leader, what="a leader")
    always_during(lambda: first.is_leader != second.is_leader, 5 * INTERVAL)
    leader = first if first.is_leader else second
    assert lock_holders(database_url) == [f"cercle-leader {leader.name}"]
    assert len(first.elected_at) + len(second.elected_at) == 1


@postgresql_only
def test_follower_takes_over_when_the_leader_stops(database_url, campaigns):
    """Stopping the leader releases the lock; the follower leads within two intervals."""
    first = campaigns("first")
    wait_until(lambda: first.is_leader, what="first to lead")
    second = campaigns("second")
    always_during(lambda: not second.is_leader, 3 * INTERVAL)

    first.leader.stop()
    stopped = time.monotonic()
    assert not first.is_leader
    assert first.deposed_at[0] <= stopped
    took = wait_until(lambda: second.is_leader, what="the takeover")
    assert took < 2 * INTERVAL + 0.3
    assert second.elected_at[0] >= first.deposed_at[0]
    assert lock_holders(database_url) == ["cercle-leader second"]


@postgresql_only
def test_stop_releases_the_lock(database_url, campaigns):
    """After stop() no session holds the scheduler lock."""
    solo = campaigns("solo")
    wait_until(lambda: solo.is_leader, what="solo to lead")
    solo.leader.stop()
    assert lock_holders(database_url) == []


@postgresql_only
def test_lost_connection_deposes_at_once_then_reelects(database_url, campaigns):
    """When PostgreSQL drops the leader's session, on_deposed runs before re-election."""
    solo = campaigns("solo")
    wait_until(lambda: solo.is_leader, what="solo to lead")
    with psycopg.connect(_libpq(database_url), autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'cercle-leader solo'"
        )
    wait_until(lambda: len(solo.elected_at) == 2, what="re-election")
    assert len(solo.deposed_at) == 1
    assert solo.elected_at[0] < solo.deposed_at[0] < solo.elected_at[1]
    assert solo.is_leader


@postgresql_only
def test_failed_start_steps_down_and_retries(database_url):
    """If on_elected raises, the lock is released, on_deposed cleans up, and it tries again."""
    calls: list[str] = []

    def start_once_failing() -> None:
        calls.append("elected")
        if calls.count("elected") == 1:
            raise RuntimeError("job store unreachable")

    leader = SchedulerLeader(
        database_url, start_once_failing, lambda: calls.append("deposed"), check_interval=INTERVAL
    )
    leader.start()
    try:
        wait_until(lambda: calls.count("elected") == 2, what="the second attempt")
        assert calls == ["elected", "deposed", "elected"]
        assert leader.is_leader
    finally:
        leader.stop()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """Read one line from the child's stdout, failing after `timeout` seconds."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError("the child process said nothing in time")
    return process.stdout.readline().strip()


@postgresql_only
def test_follower_takes_over_from_a_killed_process(database_url, campaigns):
    """kill -9 of the leading process: the follower leads within seconds, never both at once."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, database_url, str(INTERVAL)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert _read_line(child, timeout=15) == "leader"
        follower = campaigns("follower")
        always_during(lambda: not follower.is_leader, 5 * INTERVAL)
        assert lock_holders(database_url) == ["cercle-leader child"]

        # Timed from the kill: the follower may win while this thread still waits to reap.
        killed = time.monotonic()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(5)
        wait_until(lambda: follower.is_leader, timeout=5, what="the takeover")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert follower.elected_at[0] >= killed
    assert follower.elected_at[0] - killed < 3.0
    assert lock_holders(database_url) == ["cercle-leader follower"]
    threading.Event().wait(3 * INTERVAL)  # and it stays the leader
    assert follower.is_leader and len(follower.elected_at) == 1
