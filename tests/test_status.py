"""Status: the scheduler's leader, each job's last run and failed deliveries (Slack and CLI)."""

from __future__ import annotations

import os
import socket
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.ui.status import build_status_message
from sandbox.blockkit_limits import validate_blocks
from scheduled.jobs import PURGE_PROCESSED_EVENTS_JOB_ID
from scheduled.scheduler import describe_error
from storage.db import make_engine, make_session_factory, transaction
from storage.models import DispatcherProcess, JobRun, OutboxMessage, OutboxStatus, utcnow
from storage.operations import (
    FailedRow,
    JobRunInfo,
    LeaderInfo,
    OperationsReport,
    operations_report,
)
from storage.outbox import OutboxReport, enqueue_message
from tests.test_cli import _cercle

FAILING_JOB_ID = "test:explode"


def explode() -> None:
    """A job that fails (run by the bot's scheduler in these tests)."""
    raise RuntimeError("boom\nsecond line never shown")


def _text_of(reply: dict) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text", "")) for b in reply.get("blocks", []) if b.get("text")
    )


def _leader_since(bot):
    return bot.query(
        lambda db: db.scalar(
            select(DispatcherProcess.leader_since).where(
                DispatcherProcess.id == bot.runtime.dispatcher.process_id
            )
        )
    )


def _job_run(bot, job_id: str, outcome: str):
    def finished(db):
        run = db.get(JobRun, job_id)
        return run if run is not None and run.outcome == outcome else None

    return bot.wait_until(lambda: bot.query(finished), what=f"{job_id} {outcome}")


@pytest.mark.scheduler
def test_coordinator_sees_leader_job_runs_and_failed_deliveries(bot):
    """`/cercle status` shows who runs the scheduler, each job's last run, and failed rows."""
    bot.wait_until(lambda: _leader_since(bot), what="this process elected")
    scheduler = bot.runtime.scheduler_service.scheduler
    scheduler.modify_job(PURGE_PROCESSED_EVENTS_JOB_ID, next_run_time=utcnow())
    scheduler.add_job(f"{__name__}:explode", "date", run_date=utcnow(), id=FAILING_JOB_ID)
    bot.standin.add_channel("C0OLD", "archive", members=("U0BOT",), is_archived=True)
    bot.query(lambda db: enqueue_message(db, key="status:old", address="C0OLD", text="hello"))
    bot.runtime.dispatcher.wake()

    ok = _job_run(bot, PURGE_PROCESSED_EVENTS_JOB_ID, "ok")
    failed = _job_run(bot, FAILING_JOB_ID, "failed")
    bot.wait_until(
        lambda: bot.query(
            lambda db: (
                db.scalar(
                    select(OutboxMessage.status).where(
                        OutboxMessage.idempotency_key == "status:old"
                    )
                )
                == OutboxStatus.FAILED
            )
        ),
        what="the row to the archived channel failed",
    )
    process_id = bot.runtime.dispatcher.process_id
    assert ok.process_id == failed.process_id == process_id
    assert ok.finished_at is not None and ok.finished_at >= ok.started_at
    assert failed.error == "RuntimeError: boom"

    reply = bot.player.slash_command("U0BOB", "status").json  # en
    assert reply["text"] == "Only the community's coordinators can do that."
    reply = bot.player.slash_command("U0ALICE", "status").json
    assert validate_blocks(reply["blocks"], "message") == []
    text = _text_of(reply)
    assert f"`{socket.gethostname()}` (pid {os.getpid()}, processus `{process_id}`)" in text
    assert f"`{PURGE_PROCESSED_EVENTS_JOB_ID}` : :white_check_mark: réussie" in text
    assert f"`{FAILING_JOB_ID}` : :x: en échec" in text
    assert "RuntimeError: boom" in text and "second line" not in text
    assert "`chat.postMessage` vers `C0OLD`, 1 essai(s) : is_archived" in text


@pytest.mark.scheduler
def test_leader_is_cleared_when_deposed_and_set_when_elected_again(bot):
    """Stopping the leader clears `leader_since`; status then says nobody runs the scheduler."""
    first = bot.wait_until(lambda: _leader_since(bot), what="this process elected")
    bot.runtime.leader.stop()
    assert _leader_since(bot) is None
    reply = bot.player.slash_command("U0ALICE", "status").json
    assert "aucun processus ne le fait tourner" in _text_of(reply)
    assert bot.query(operations_report).leader is None

    bot.runtime.leader.start()
    again = bot.wait_until(lambda: _leader_since(bot), what="elected again")
    assert again >= first
    leader = bot.query(operations_report).leader
    assert (leader.hostname, leader.pid) == (socket.gethostname()[:255], os.getpid())


def test_a_new_leader_clears_a_dead_leaders_mark(database_url):
    """A process that died while leading leaves `leader_since`; the next election clears it."""
    from scheduled.scheduler import record_leadership

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    now = utcnow()
    try:
        with transaction(factory) as db:
            for process_id in ("dead", "alive"):
                db.add(
                    DispatcherProcess(
                        id=process_id,
                        hostname=f"host-{process_id}",
                        pid=1,
                        started_at=now,
                        heartbeat_at=now,
                        leader_since=now - timedelta(hours=1) if process_id == "dead" else None,
                    )
                )
        record_leadership(factory, "alive", leading=True)
        with transaction(factory) as db:
            leaders = db.execute(
                select(DispatcherProcess.id).where(DispatcherProcess.leader_since.is_not(None))
            ).all()
            assert [row[0] for row in leaders] == ["alive"]
            assert operations_report(db).leader.hostname == "host-alive"
    finally:
        engine.dispose()


def test_cli_status_prints_leader_jobs_and_failed_rows(database_url, tmp_path):
    """`cercle status` prints the same three things as plain text."""
    engine = make_engine(database_url)
    now = utcnow()
    try:
        with transaction(make_session_factory(engine)) as db:
            db.add(
                DispatcherProcess(
                    id="web-1-abc",
                    hostname="web-1",
                    pid=4242,
                    started_at=now,
                    heartbeat_at=now,
                    leader_since=now,
                )
            )
            db.add(
                JobRun(
                    job_id="fixed:poll_deadlines",
                    started_at=now,
                    finished_at=now + timedelta(seconds=2),
                    outcome="ok",
                    process_id="web-1-abc",
                )
            )
            db.add(
                JobRun(
                    job_id="schedule:weekly_digest",
                    started_at=now,
                    finished_at=now,
                    outcome="failed",
                    error="OperationalError: server closed the connection",
                    process_id="web-1-abc",
                )
            )
            db.add(
                OutboxMessage(
                    idempotency_key="cli:1",
                    method="chat.postMessage",
                    address="C0GONE",
                    payload={"text": "private words"},
                    status=OutboxStatus.FAILED,
                    attempts=3,
                    last_error="channel_not_found",
                )
            )
    finally:
        engine.dispose()

    status = _cercle("status", cwd=tmp_path, env={"DATABASE_URL": database_url})
    assert status.returncode == 0, status.stderr
    out = status.stdout
    assert "queue depth:        0" in out
    assert "scheduler leader:   web-1 (pid 4242, process web-1-abc) since " in out
    assert "fixed:poll_deadlines    ok       " in out and "(2.0 s, process web-1-abc)" in out
    assert "schedule:weekly_digest  failed" in out
    assert "error: OperationalError: server closed the connection" in out
    assert "failed deliveries (latest 1):" in out
    assert "chat.postMessage to C0GONE, 3 attempt(s): channel_not_found" in out
    assert "private words" not in out


@pytest.mark.parametrize("language", ["fr", "en"])
def test_status_message_stays_within_limits_when_full(language):
    """Many jobs and ten failed rows with long errors still make valid Block Kit."""
    now = utcnow()
    jobs = [
        JobRunInfo(
            job_id=f"schedule:job_{i}_" + "x" * 150,
            outcome=("ok", "failed", "running")[i % 3],
            started_at=now,
            finished_at=None if i % 3 == 2 else now,
            error="E: " + "<!channel> " * 30 if i % 3 == 1 else None,
            process_id="p" * 64,
        )
        for i in range(40)
    ]
    failed = [
        FailedRow(id=i, method="chat.postMessage", address="C" * 32, attempts=8, error="e" * 200)
        for i in range(10)
    ]
    leader = LeaderInfo("p" * 64, "h" * 255, 1, now, now)
    outbox = OutboxReport(
        by_status={"failed": 10}, retried=0, in_doubt=0, oldest_pending_age_seconds=None
    )
    for operations in (
        OperationsReport(leader=leader, jobs=jobs, failed=failed),
        OperationsReport(leader=None, jobs=[], failed=[]),
    ):
        message = build_status_message(outbox, language, operations, timezone="Europe/Paris")
        assert validate_blocks(message["blocks"], "message") == []
        assert "<!channel>" not in _text_of(message)


def test_database_errors_keep_only_the_drivers_first_line():
    """A job's recorded error never carries the statement's parameters (member text)."""
    from sqlalchemy.exc import IntegrityError

    error = IntegrityError(
        "INSERT INTO x VALUES (?)", ("what a member wrote",), Exception("dup\nDETAIL")
    )
    assert describe_error(error) == "IntegrityError: dup"
