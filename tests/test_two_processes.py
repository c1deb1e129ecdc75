"""Scale-out: two `cercle run` processes on one PostgreSQL, behind a round-robin balancer.

The processes are real and separate (`sandbox.bot_process`): their own interpreters,
connections, dispatchers and scheduler campaigns, as deployed. Slack's requests reach
them alternately (`sandbox.slack.LoadBalancer`), Slack's redeliveries of an event
included, which land on the other process. Those tests share one pair of processes (the
slow part is starting them); the last one kills the leader with SIGKILL.

First, two things every pair of processes relies on: they migrate the database in turn,
and they compare times on the database's clock, not on their hosts'.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from alembic.script import ScriptDirectory
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from psycopg import sql
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from bot.dispatcher import Dispatcher
from sandbox.bot_process import ROOT, BotProcess, bot_environment
from sandbox.postgres import ThrowawayPostgres
from sandbox.signed_client import Delivery
from sandbox.slack import LoadBalancer, SlackStandIn, StandInConfig
from scheduled import jobs
from scheduled.leader import lock_holders
from scheduled.scheduler import MISFIRE_GRACE_TIME
from storage.charter import record_acceptance
from storage.db import (
    alembic_config,
    current_revision,
    make_engine,
    make_session_factory,
    transaction,
)
from storage.members import save_profile
from storage.models import (
    DispatcherProcess,
    JobRun,
    OutboxMessage,
    OutboxStatus,
    ParticipationEvent,
    ProcessedEvent,
)
from storage.outbox import enqueue_message
from tests.conftest import wait_until

COMMUNITY = "C0COMMUNITY"
TIMEZONE = "Europe/Paris"
NEWCOMERS = [f"U0NEW{n:02d}" for n in range(6)]
# Newcomers who join while the leader is being killed (their welcomes are in flight).
LATE_NEWCOMERS = [f"U0LATE{n:02d}" for n in range(6)]
# Signatories quiet in the toolbox: each is due one suggestion from the nudge job.
QUIET = [f"U0QUIET{n:02d}" for n in range(3)]
# Jobs put in the shared job store for these tests (real job functions, test ids):
# the weekly tool, due at once: the first leader runs it to the end;
WEEKLY_TOOL_JOB_ID = "test:weekly-tool"
# the toolbox suggestions, due at once and hourly: the first leader starts it, and it is
# still at work (held by a lock the test keeps) when that leader is killed;
NUDGES_JOB_ID = "test:toolbox-nudges"
# the weekly digest, scheduled just before the kill and due after it: the successor's.
DIGEST_JOB_ID = "test:weekly-digest"
DIGEST_DELAY = timedelta(seconds=8)
TAKEOVER_LIMIT_S = 60.0


@dataclass
class Cluster:
    """Two bot processes on one database, the stand-in they call, and the balancer."""

    database_url: str
    engine: Engine
    standin: SlackStandIn
    processes: list[BotProcess]
    balancer: LoadBalancer
    # The test's open transaction holding the key of one suggestion, which stops the
    # nudge job in its tracks until the test lets go.
    hold: Session
    timings: dict[str, float] = field(default_factory=dict)

    def query(self, fn: Callable[[Session], Any]) -> Any:
        """Run `fn(session)` in a transaction of the test's own and return its result."""
        with transaction(make_session_factory(self.engine)) as db:
            return fn(db)

    def leader_ids(self) -> list[str]:
        """Return the process ids holding the scheduler lock, read from pg_locks."""
        return lock_holders(self.database_url)

    def full_id(self, process_id: str) -> str:
        """Return the whole id of a process whose id pg_stat_activity may show cut short."""
        ids = self.query(lambda db: list(db.scalars(select(DispatcherProcess.id))))
        return next(i for i in ids if i.startswith(process_id))

    def index_of(self, process_id: str) -> int:
        """Return the index in `processes` of the process with this id (host-pid-suffix)."""
        pid = int(process_id.rsplit("-", 2)[1])
        return next(i for i, p in enumerate(self.processes) if p.pid == pid)

    def wait_until(
        self, predicate: Callable[[], Any], *, timeout: float = 15.0, what: str = "it"
    ) -> Any:
        """Poll `predicate` until it returns something truthy, and return that."""
        return wait_until(predicate, timeout=timeout, what=what, interval=0.05)


def _database_from_template(server: ThrowawayPostgres) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_url = server.url_for("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE cercle").format(sql.Identifier(name)))
    return server.url_for(name)


def _quiet_signatories(engine: Engine, users: list[str]) -> None:
    """Make `users` members who accepted the charter and never opened the toolbox."""
    with transaction(make_session_factory(engine)) as db:
        for user in users:
            save_profile(db, user, display_name=user.title(), locale="fr-FR", timezone=TIMEZONE)
            record_acceptance(db, user_id=user, version=1, interests=[])


def _schedule(
    database_url: str,
    job_id: str,
    func: Callable[[], Any],
    trigger: BaseTrigger,
    next_run_time: datetime,
) -> None:
    """Put a job in the shared job store, as a leader's scheduler writes one.

    Straight into the store, with the bot's job defaults: a scheduler of the test's own,
    even paused, could run due jobs itself while shutting down.
    """
    store = SQLAlchemyJobStore(url=database_url)
    scheduler = BackgroundScheduler(timezone=UTC)  # never started: the job's owner on paper
    store.start(scheduler, "default")
    try:
        store.add_job(
            Job(
                scheduler,
                id=job_id,
                func=func,
                args=(),
                kwargs={},
                trigger=trigger,
                executor="default",
                misfire_grace_time=int(MISFIRE_GRACE_TIME.total_seconds()),
                coalesce=True,
                max_instances=1,
                next_run_time=next_run_time,
            )
        )
    finally:
        store.shutdown()


def _suggestion_key(user: str) -> str:
    """Return the outbox key of this week's toolbox suggestion to `user` (bot/toolbox.py)."""
    return f"nudge:toolbox:{user}:{datetime.now(ZoneInfo(TIMEZONE)):%G-W%V}"


def _hold_key(engine: Engine, key: str) -> Session:
    """Insert an outbox row with `key` in a transaction left open: inserts of it wait."""
    hold = make_session_factory(engine)()
    hold.begin()
    enqueue_message(hold, key=key, address=QUIET[0], text="held by the test")
    hold.flush()
    return hold


@pytest.fixture(scope="module")
def cluster(
    pg_server: ThrowawayPostgres | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    """Start two bot processes on a fresh PostgreSQL database; stop them afterwards."""
    if pg_server is None:
        pytest.skip("PostgreSQL server binaries not found (CI=true makes this a failure)")
    began = time.monotonic()
    database_url = _database_from_template(pg_server)
    engine = make_engine(database_url, pool_size=3)
    standin = SlackStandIn(StandInConfig(postmessage_per_minute=60_000, per_channel_burst=50))
    standin.start()
    for user in NEWCOMERS + LATE_NEWCOMERS + QUIET:
        standin.add_user(user, user.lower(), real_name=f"Membre {user[3:]}")
    _quiet_signatories(engine, QUIET)
    hold = _hold_key(engine, _suggestion_key(QUIET[0]))
    now = datetime.now(UTC)
    _schedule(database_url, WEEKLY_TOOL_JOB_ID, jobs.post_weekly_tool, DateTrigger(now), now)
    hourly = IntervalTrigger(hours=1, start_date=now, timezone=UTC)
    _schedule(database_url, NUDGES_JOB_ID, jobs.plan_toolbox_nudges, hourly, now)
    secret = secrets.token_hex(16)
    # Nudges at any hour: the test must not depend on when it runs.
    env = bot_environment(standin, database_url, secret, CERCLE_WORKING_HOURS="off")
    logs = tmp_path_factory.mktemp("two-processes")
    processes = [
        # Both migrate at start, as two replicas of one deployment do (a no-op here).
        BotProcess(env, logs / f"bot{index}.log", name=f"bot{index}")
        for index in range(2)
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_ready()
        balancer = LoadBalancer([p.events_url for p in processes], secret, standin)
        yield Cluster(
            database_url,
            engine,
            standin,
            processes,
            balancer,
            hold,
            timings={"start_s": time.monotonic() - began},
        )
    finally:
        hold.rollback()
        hold.close()
        for process in processes:
            process.stop()
        standin.stop()
        engine.dispose()
        jobs.dispose_engines()


# ---------------------------------------------------------------- helpers


def _join(user: str) -> dict[str, Any]:
    return {
        "type": "member_joined_channel",
        "user": user,
        "channel": COMMUNITY,
        "channel_type": "C",
        "team": "T0CERCLE",
    }


def _message(user: str, ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": COMMUNITY,
        "channel_type": "channel",
        "user": user,
        "text": "Bonjour à toutes et à tous",
        "ts": ts,
    }


def _key(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata") or {}
    key = (metadata.get("event_payload") or {}).get("key")
    return str(key) if key else None


def _posted_keys(standin: SlackStandIn) -> Counter[str]:
    """Count the stand-in's messages by the outbox key each was posted with."""
    return Counter(key for m in standin.messages() if (key := _key(m)))


def _assert_no_duplicate(standin: SlackStandIn) -> Counter[str]:
    keys = _posted_keys(standin)
    doubled = {key: count for key, count in keys.items() if count > 1}
    assert doubled == {}, f"posted more than once: {doubled}"
    return keys


def _with_prefix(keys: Counter[str], prefix: str) -> list[str]:
    return sorted(key for key in keys if key.startswith(prefix))


def _deliver_at_once(cluster: Cluster, event: dict[str, Any]) -> list[Delivery]:
    """Deliver one event to both processes at the same moment (one copy each, same id).

    What happens when Slack, tired of waiting on a slow process, retries on the other
    while the first is still at work: the two race on the dedupe key in the database.
    """
    event_id = f"Ev{uuid.uuid4().hex[:10].upper()}"
    event_time = int(time.time())
    inner = {**event, "event_ts": f"{time.time():.6f}"}
    results: list[Delivery] = []
    lock = threading.Lock()
    gate = threading.Barrier(len(cluster.processes))

    def send(player: Any) -> None:
        gate.wait()
        delivery = player.event(inner, event_id=event_id, event_time=event_time)
        with lock:
            results.append(delivery)

    threads = [threading.Thread(target=send, args=(p,)) for p in cluster.balancer.players]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


def _outbox(cluster: Cluster, keys_like: str) -> list[OutboxMessage]:
    return cluster.query(
        lambda db: list(
            db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idempotency_key.like(keys_like))
                .order_by(OutboxMessage.id)
            )
        )
    )


# ---------------------------------------------------------------- several processes, one database


def test_processes_starting_together_migrate_in_turn(pg_server: ThrowawayPostgres | None):
    """Two replicas migrating one empty database at once both succeed (they take turns)."""
    if pg_server is None:
        pytest.skip("PostgreSQL server binaries not found (CI=true makes this a failure)")
    name = f"e_{uuid.uuid4().hex[:16]}"
    admin_url = pg_server.url_for("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env = {**os.environ, "DATABASE_URL": pg_server.url_for(name)}
    upgrades = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "db", "upgrade"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outcomes = [(p.wait(60), p.communicate()[0]) for p in upgrades]
    assert [code for code, _ in outcomes] == [0, 0], outcomes
    engine = make_engine(pg_server.url_for(name), poolclass=NullPool)
    try:
        assert (
            current_revision(engine)
            == ScriptDirectory.from_config(
                alembic_config(pg_server.url_for(name))
            ).get_current_head()
        )
    finally:
        engine.dispose()


def _row(factory: sessionmaker[Session], key: str) -> OutboxMessage:
    with transaction(factory) as db:
        return db.scalars(select(OutboxMessage).where(OutboxMessage.idempotency_key == key)).one()


def test_hosts_whose_clocks_disagree_do_not_send_a_post_twice(
    pg_server: ThrowawayPostgres | None, standin: SlackStandIn
):
    """A dispatcher on a host 30 s behind looks alive to the other: its slow post is not
    adopted and sent again."""
    if pg_server is None:
        pytest.skip("PostgreSQL server binaries not found (CI=true makes this a failure)")
    engine = make_engine(_database_from_template(pg_server), pool_size=4)
    factory = make_session_factory(engine)
    with transaction(factory) as db:
        # Due for both whatever their clocks say (rows queued "now" are the subject of
        # another story: a host behind sends them late).
        due = datetime.now(UTC) - timedelta(minutes=5)
        enqueue_message(db, key="skew:1", address=COMMUNITY, text="Une fois", not_before=due)
    # Slack is slow to act: the post lands a second after it was sent.
    standin.configure(slow_rate=1.0, slow_seconds=1.0, slow_before_effect=True)
    fast = {"poll_interval": 0.02, "heartbeat_interval": 0.2, "stale_after": 2.0}
    client = WebClient(token=standin.config.bot_token, base_url=standin.api_url)
    behind = Dispatcher(
        factory, client, clock=lambda: datetime.now(UTC) - timedelta(seconds=30), **fast
    )
    on_time = Dispatcher(factory, client, **fast)
    try:
        behind.start()
        deadline = time.monotonic() + 5
        while _row(factory, "skew:1").status == OutboxStatus.PENDING:
            assert time.monotonic() < deadline, "the post was never claimed"
            time.sleep(0.01)
        on_time.start()
        while _row(factory, "skew:1").status != OutboxStatus.SENT:
            assert time.monotonic() < deadline + 5, "the post was never sent"
            time.sleep(0.02)
    finally:
        # Stopping lets each finish what it holds: any second post has landed by then.
        behind.stop()
        on_time.stop()
        engine.dispose()
    assert _row(factory, "skew:1").claimed_by == behind.process_id
    assert [_key(m) for m in standin.messages(COMMUNITY)] == ["skew:1"]


# ---------------------------------------------------------------- two processes, one leader


def test_events_delivered_alternately_take_effect_once(cluster: Cluster):
    """Joins and messages spread over both processes, some redelivered: each counts once."""
    balancer, standin = cluster.balancer, cluster.standin
    began = time.monotonic()
    sent_ids: set[str] = set()
    redelivered = 0
    for index, user in enumerate(NEWCOMERS):
        if index == 0:
            # A redelivery racing the first delivery, on the other process.
            deliveries = _deliver_at_once(cluster, _join(user))
        else:
            deliveries = [balancer.event(_join(user))]
            if index % 2 == 1:
                # Slack's retry of an event already handled, landing on the other process.
                deliveries.append(balancer.redeliver(deliveries[0]))
        redelivered += len(deliveries) - 1
        assert [d.status for d in deliveries] == [200] * len(deliveries)
        sent_ids |= {d.sent["event_id"] for d in deliveries}

    authors = ["U0ALICE", "U0BOB", "U0CAMILLE"]
    expected: Counter[str] = Counter()
    base = int(time.time()) - 60
    for index in range(12):
        user = authors[index % len(authors)]
        message = _message(user, f"{base + index}.000100")
        if index == 4:
            deliveries = _deliver_at_once(cluster, message)
        else:
            deliveries = [balancer.event(message)]
            if index % 3 == 0:
                deliveries.append(balancer.redeliver(deliveries[0]))
                deliveries.append(balancer.redeliver(deliveries[0], retry_num=2))
        redelivered += len(deliveries) - 1
        assert [d.status for d in deliveries] == [200] * len(deliveries)
        sent_ids |= {d.sent["event_id"] for d in deliveries}
        expected[user] += 1
    # Both processes answered (round-robin), and redeliveries went to the other one.
    assert {i for route in balancer.routes.values() for i in route} == {0, 1}
    assert all(len(set(route)) == 2 for route in balancer.routes.values() if len(route) > 1)

    def welcomed() -> Counter[str]:
        keys = _posted_keys(standin)
        done = _with_prefix(keys, "welcome:"), _with_prefix(keys, "newcomer:")
        return keys if all(len(d) == len(NEWCOMERS) for d in done) else Counter()

    cluster.wait_until(welcomed, what="a welcome and an announcement per newcomer")
    keys = _assert_no_duplicate(standin)
    for user in NEWCOMERS:
        assert len(_with_prefix(keys, f"welcome:{user}:")) == 1
        assert len(_with_prefix(keys, f"newcomer:{user}:")) == 1
        assert len(standin.dm_messages(user)) == 1

    counted = cluster.query(
        lambda db: Counter(
            dict(
                db.execute(
                    select(ParticipationEvent.user_id, func.count())
                    .where(ParticipationEvent.kind == "message")
                    .group_by(ParticipationEvent.user_id)
                ).all()
            )
        )
    )
    assert counted == expected
    processed = cluster.query(
        lambda db: set(
            db.scalars(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id.in_(sent_ids)))
        )
    )
    assert processed == sent_ids
    assert redelivered >= 8
    cluster.timings["events_s"] = time.monotonic() - began


def test_exactly_one_process_leads_the_scheduler(cluster: Cluster):
    """One lock holder in pg_locks, the same one marked leader, and it stays alone."""
    [holder] = cluster.wait_until(cluster.leader_ids, what="a scheduler leader")

    def marked_leaders() -> list[str]:
        return cluster.query(
            lambda db: list(
                db.scalars(
                    select(DispatcherProcess.id).where(DispatcherProcess.leader_since.is_not(None))
                )
            )
        )

    # The mark is written once the leader's scheduler has started.
    leading = cluster.wait_until(marked_leaders, what="the leader's mark")
    assert leading == [cluster.full_id(holder)]
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        assert cluster.leader_ids() == [holder]
        assert marked_leaders() == leading
        time.sleep(0.1)
    assert cluster.index_of(leading[0]) in (0, 1)  # one of the two, not a stranger


def test_killed_leader_is_replaced_and_nothing_is_lost_or_doubled(cluster: Cluster):
    """kill -9 of the leader mid-send and mid-job: the other leads within 60 s, finishes the
    interrupted job and runs the next one once, and sends the dead one's claims once."""
    standin, balancer = cluster.standin, cluster.balancer
    [holder] = cluster.wait_until(cluster.leader_ids, what="a scheduler leader")
    leader_id = cluster.full_id(holder)
    leader = cluster.index_of(leader_id)

    def last_run(job_id: str) -> JobRun | None:
        return cluster.query(lambda db: db.get(JobRun, job_id))

    # The leader ran the weekly tool job to the end; the nudge job it started waits on the
    # key the test holds.
    weekly = cluster.wait_until(
        lambda: (run := last_run(WEEKLY_TOOL_JOB_ID)) and run.outcome == "ok" and run,
        what="the weekly tool job",
    )
    assert weekly.process_id == leader_id
    hold_pid = cluster.hold.execute(select(func.pg_backend_pid())).scalar_one()
    cluster.wait_until(
        lambda: cluster.query(
            lambda db: db.execute(
                sql_text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :hold = ANY(pg_blocking_pids(pid))"
                ),
                {"hold": hold_pid},
            ).scalar_one()
        ),
        what="the nudge job to wait on the held key",
    )
    nudging = last_run(NUDGES_JOB_ID)
    assert nudging is not None
    assert (nudging.outcome, nudging.process_id) == ("running", leader_id)

    # The digest is due shortly: after the kill, which follows in a moment.
    due = datetime.now(UTC) + DIGEST_DELAY
    _schedule(cluster.database_url, DIGEST_JOB_ID, jobs.weekly_digest, DateTrigger(due), due)
    # Slack turns slow: each post takes effect, then its answer takes 2 s. Newcomers
    # join through the leader, whose dispatcher claims their welcomes and is mid-post...
    standin.configure(slow_rate=1.0, slow_seconds=2.0)
    for user in LATE_NEWCOMERS:
        assert balancer.event(_join(user), to=leader).status == 200

    def claimed_by_leader() -> list[int]:
        return cluster.query(
            lambda db: list(
                db.scalars(
                    select(OutboxMessage.id).where(
                        OutboxMessage.status == OutboxStatus.SENDING,
                        OutboxMessage.claimed_by == leader_id,
                    )
                )
            )
        )

    cluster.wait_until(claimed_by_leader, what="the leader to hold claims")
    # ...when it is killed.
    killed_at, killed_wall = time.monotonic(), datetime.now(UTC)
    cluster.processes[leader].kill()
    standin.configure(slow_rate=0.0)
    orphans = claimed_by_leader()
    assert orphans, "the leader's claims should be left behind"
    # The key is free again; the dead process's job never got to commit.
    cluster.hold.rollback()

    # The survivor takes the lock.
    [survivor_holder] = cluster.wait_until(
        lambda: [h for h in cluster.leader_ids() if not leader_id.startswith(h)],
        timeout=TAKEOVER_LIMIT_S,
        what="the survivor to lead",
    )
    takeover = time.monotonic() - killed_at
    cluster.timings["takeover_s"] = takeover
    survivor_id = cluster.full_id(survivor_holder)
    assert cluster.index_of(survivor_id) == 1 - leader
    assert cluster.leader_ids() == [survivor_holder]
    assert takeover < TAKEOVER_LIMIT_S

    # The interrupted nudge job ran again, in the survivor: every suggestion once.
    cluster.wait_until(
        lambda: all(standin.dm_messages(user) for user in QUIET),
        timeout=30,
        what="the suggestions of the interrupted job",
    )
    suggestions = _outbox(cluster, "nudge:toolbox:%")
    assert sorted(row.address for row in suggestions) == QUIET
    assert all(row.created_at >= killed_wall for row in suggestions)
    # The due digest ran once, in the survivor; the finished weekly tool job not again.
    digest = cluster.wait_until(
        lambda: (run := last_run(DIGEST_JOB_ID)) and run.outcome == "ok" and run,
        timeout=30,
        what="the digest job",
    )
    assert digest.process_id == survivor_id
    assert last_run(NUDGES_JOB_ID).process_id == survivor_id
    assert last_run(WEEKLY_TOOL_JOB_ID).process_id == leader_id

    # Every row the dead process held is delivered, once; nothing else is doubled either.
    def all_sent() -> bool:
        return all(row.status == OutboxStatus.SENT for row in _outbox(cluster, "%"))

    cluster.wait_until(all_sent, timeout=40, what="every outbox row to be sent")
    cluster.timings["orphans_sent_s"] = time.monotonic() - killed_at
    keys = _assert_no_duplicate(standin)
    for user in LATE_NEWCOMERS:
        assert len(_with_prefix(keys, f"welcome:{user}:")) == 1
        assert len(_with_prefix(keys, f"newcomer:{user}:")) == 1
    for user in QUIET:
        assert len(standin.dm_messages(user)) == 1
    assert len(_with_prefix(keys, "weekly-tool:")) == 1
    assert len(_with_prefix(keys, "digest:")) == 1
    assert len([f for f in standin.files() if f["name"].startswith("activity-")]) == 1
    adopted = [row for row in _outbox(cluster, "%") if row.id in orphans]
    assert all(row.claimed_by == survivor_id for row in adopted)
    print(f"\ntwo processes: {cluster.timings}")
