"""What operators see beyond the queue: the scheduler's leader, job runs, failed rows.

`cercle status` and `/cercle status` read `operations_report`; the runtime writes the
leader (`set_scheduler_leader`) and the scheduler writes each job's last run
(`record_job_start`, `record_job_end`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import DispatcherProcess, JobRun, OutboxMessage, OutboxStatus, utcnow

JOB_RUNNING = "running"
JOB_OK = "ok"
JOB_FAILED = "failed"
# Errors are shown one per line, in a Slack section and a terminal.
ERROR_SHOWN_CHARS = 200
JOB_ERROR_STORED_CHARS = 500
FAILED_ROWS_SHOWN = 10


@dataclass(frozen=True)
class LeaderInfo:
    """The process running the scheduler, as its dispatcher row describes it."""

    process_id: str
    hostname: str
    pid: int
    since: datetime
    heartbeat_at: datetime


@dataclass(frozen=True)
class JobRunInfo:
    """The last run of one scheduled job."""

    job_id: str
    outcome: str
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    process_id: str | None

    @property
    def duration_seconds(self) -> float | None:
        """Seconds the run took, or None while it runs."""
        if self.finished_at is None:
            return None
        return max(0.0, (self.finished_at - self.started_at).total_seconds())


@dataclass(frozen=True)
class FailedRow:
    """An outbox row that will never be sent, and why (no payload)."""

    id: int
    method: str
    address: str
    attempts: int
    error: str


@dataclass(frozen=True)
class OperationsReport:
    """The leader, every job's last run, and the latest failed outbox rows."""

    leader: LeaderInfo | None
    jobs: list[JobRunInfo]
    failed: list[FailedRow]


def _clip(text: str, limit: int) -> str:
    """Return `text` on one line, cut to `limit` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def set_scheduler_leader(
    db: Session, process_id: str, *, leading: bool, now: datetime | None = None
) -> bool:
    """Mark `process_id` as the scheduler's leader (or not any more); True if its row exists.

    Only one process holds the leader's lock, so electing one clears whatever a process
    that died while leading left behind.
    """
    process = DispatcherProcess
    if leading:
        db.execute(
            update(process)
            .where(process.id != process_id, process.leader_since.is_not(None))
            .values(leader_since=None)
            .execution_options(synchronize_session=False)
        )
    result = db.execute(
        update(process)
        .where(process.id == process_id)
        .values(leader_since=(now or utcnow()) if leading else None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def record_job_start(
    db: Session, job_id: str, *, process_id: str | None, now: datetime | None = None
) -> datetime:
    """Record that `job_id` started (replacing its previous run); return the start time."""
    started = now or utcnow()
    values = {
        "job_id": job_id[:191],
        "started_at": started,
        "finished_at": None,
        "outcome": JOB_RUNNING,
        "error": None,
        "process_id": process_id[:64] if process_id else None,
    }
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(JobRun).values(**values)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["job_id"],
            set_={k: getattr(statement.excluded, k) for k in values if k != "job_id"},
        )
    )
    return started


def record_job_end(
    db: Session,
    job_id: str,
    *,
    started_at: datetime,
    error: str | None = None,
    now: datetime | None = None,
) -> None:
    """Record how the run of `job_id` begun at `started_at` ended (a newer run is left alone)."""
    db.execute(
        update(JobRun)
        .where(JobRun.job_id == job_id[:191], JobRun.started_at == started_at)
        .values(
            finished_at=now or utcnow(),
            outcome=JOB_FAILED if error is not None else JOB_OK,
            error=_clip(error, JOB_ERROR_STORED_CHARS) if error is not None else None,
        )
        .execution_options(synchronize_session=False)
    )


def operations_report(db: Session, *, failed_limit: int = FAILED_ROWS_SHOWN) -> OperationsReport:
    """Read the scheduler's leader, each job's last run and the latest failed rows."""
    leader_row = db.execute(
        select(
            DispatcherProcess.id,
            DispatcherProcess.hostname,
            DispatcherProcess.pid,
            DispatcherProcess.leader_since,
            DispatcherProcess.heartbeat_at,
        )
        .where(DispatcherProcess.leader_since.is_not(None))
        .order_by(DispatcherProcess.leader_since.desc())
        .limit(1)
    ).first()
    leader = LeaderInfo(*leader_row) if leader_row is not None else None
    jobs = [
        JobRunInfo(
            job_id=run.job_id,
            outcome=run.outcome,
            started_at=run.started_at,
            finished_at=run.finished_at,
            error=_clip(run.error, ERROR_SHOWN_CHARS) if run.error else None,
            process_id=run.process_id,
        )
        for run in db.scalars(select(JobRun).order_by(JobRun.job_id))
    ]
    failed = [
        FailedRow(
            id=row_id,
            method=method,
            address=address,
            attempts=attempts,
            error=_clip(error or "", ERROR_SHOWN_CHARS),
        )
        for row_id, method, address, attempts, error in db.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.method,
                OutboxMessage.address,
                OutboxMessage.attempts,
                OutboxMessage.last_error,
            )
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.id.desc())
            .limit(failed_limit)
        )
    ]
    return OperationsReport(leader=leader, jobs=jobs, failed=failed)
