"""Build Cercle's one APScheduler instance, and run it while this process leads.

Every scheduler is configured here and nowhere else: jobs persist in the bot's own
database (table ``apscheduler_jobs``, created by migration 0002), run on a small thread
pool, and share one misfire policy. Time is UTC inside; each cron trigger names its own
time zone, so "Monday 09:30 in Paris" stays 09:30 across daylight-saving changes.

Every job runs through `RecordingExecutor`, so each run is written to `job_runs` (one
row per job id: started, finished, ok or failed, by which process) for `cercle status`.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta, tzinfo
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.logs import log_fields
from storage.db import make_engine, make_session_factory, transaction
from storage.operations import record_job_end, record_job_start, set_scheduler_leader

logger = logging.getLogger(__name__)

# A job may start this late and still run. A bot down at 09:30 and back at 09:50 sends the
# 09:30 reminder once (coalesce folds every missed run into one); a bot back the next day
# does not send yesterday's, which would only confuse people by then.
MISFIRE_GRACE_TIME = timedelta(minutes=30)

# Jobs only read and write the database (messages go out through the outbox), so a few
# threads are plenty; more would just compete with request handling for connections.
EXECUTOR_WORKERS = 4

# The job store only needs a connection while the scheduler thread looks up due jobs and
# while a finished job's next run time is saved.
_JOBSTORE_POOL = {"pool_size": 2, "max_overflow": 3}


def describe_error(error: BaseException) -> str:
    """Return an exception's type and the first line of its message.

    A database error's full text carries the statement's parameters, which may be what
    members wrote: only the driver's own message is kept.
    """
    cause = error.orig if isinstance(error, SQLAlchemyError) and error.orig else error
    lines = str(cause).strip().splitlines()
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


class JobRunRecorder:
    """Run a job's function and write its run to `job_runs`; a database hiccup is only logged.

    The job runs even when its run cannot be recorded: status is not worth a missed reminder.
    """

    def __init__(self, session_factory: sessionmaker[Session], process_id: str | None) -> None:
        self._factory = session_factory
        self.process_id = process_id

    def run(self, job_id: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call `func(*args, **kwargs)` as the run of `job_id`, recording start and end."""
        started_mono = time.monotonic()
        started = self._write(job_id, record_job_start, job_id, process_id=self.process_id)
        try:
            result = func(*args, **kwargs)
        except BaseException as error:
            described = describe_error(error)
            if started is not None:
                self._write(job_id, record_job_end, job_id, started_at=started, error=described)
            self._log(job_id, "failed", started_mono, error=described)
            raise
        if started is not None:
            self._write(job_id, record_job_end, job_id, started_at=started)
        self._log(job_id, "ok", started_mono)
        return result

    def _write(self, job_id: str, write: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        try:
            with transaction(self._factory) as db:
                return write(db, *args, **kwargs)
        except SQLAlchemyError as error:
            logger.warning("could not record the run of job %s (%s)", job_id, type(error).__name__)
            return None

    def _log(self, job_id: str, outcome: str, started: float, *, error: str | None = None) -> None:
        # Some jobs run every minute: a line per good run only at DEBUG.
        log_fields(
            logger,
            logging.WARNING if outcome == "failed" else logging.DEBUG,
            "job",
            job=job_id,
            process=self.process_id,
            outcome=outcome,
            error=error,
            ms=round((time.monotonic() - started) * 1000, 1),
        )


class _RecordedJob:
    """A job as the executor runs it: the same job, with its function wrapped to be recorded."""

    def __init__(self, job: Job, recorder: JobRunRecorder) -> None:
        self._job = job
        self.func = functools.partial(recorder.run, job.id, job.func)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._job, name)

    def __str__(self) -> str:
        return str(self._job)


class RecordingExecutor(ThreadPoolExecutor):
    """APScheduler's thread pool, recording each run of each job in `job_runs`.

    Only the call of the job's function is wrapped: a run skipped as misfired is not a run.
    """

    def __init__(self, max_workers: int, recorder: JobRunRecorder) -> None:
        super().__init__(max_workers=max_workers)
        self.recorder = recorder

    def _do_submit_job(self, job: Job, run_times: list[Any]) -> None:
        super()._do_submit_job(_RecordedJob(job, self.recorder), run_times)


def build_scheduler(
    database_url: str, *, timezone: str | tzinfo = "UTC", process_id: str | None = None
) -> BackgroundScheduler:
    """Build (not start) a scheduler whose jobs persist in the database at `database_url`.

    Each job run is recorded in `job_runs` under `process_id` (this process's id).
    """
    pool_options = {} if database_url.startswith("sqlite") else _JOBSTORE_POOL
    # make_engine gives SQLite the same busy timeout, WAL and BEGIN IMMEDIATE as the bot,
    # so the job store waits for a request's write lock instead of failing on it.
    engine = make_engine(database_url, **pool_options)
    jobstore = SQLAlchemyJobStore(engine=engine)
    recorder = JobRunRecorder(make_session_factory(engine), process_id)
    return BackgroundScheduler(
        jobstores={"default": jobstore},
        executors={"default": RecordingExecutor(EXECUTOR_WORKERS, recorder)},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(MISFIRE_GRACE_TIME.total_seconds()),
        },
        timezone=timezone,
    )


def cron(
    day_of_week: str, hour: int | str, minute: int | str, timezone: str | tzinfo
) -> CronTrigger:
    """Return a trigger firing at hour:minute on `day_of_week` ("mon", "mon-fri", "*")."""
    # No default time zone on purpose: a trigger that silently used the scheduler's UTC
    # would fire an hour off for half the year in Europe.
    return CronTrigger(day_of_week=day_of_week, hour=hour, minute=minute, timezone=timezone)


class SchedulerService:
    """Run a fresh scheduler while this process is the leader; the leader's callbacks drive it.

    A scheduler that was shut down is not reused: its executor and job store were closed,
    so each election builds a new one.
    """

    def __init__(
        self,
        database_url: str,
        configure: Callable[[BackgroundScheduler], None],
        *,
        timezone: str | tzinfo = "UTC",
        process_id: str | None = None,
    ) -> None:
        self.database_url = database_url
        self.timezone = timezone
        self.process_id = process_id
        self._configure = configure
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()

    @property
    def scheduler(self) -> BackgroundScheduler | None:
        """Return the running scheduler, or None while this process is not the leader."""
        return self._scheduler

    def start(self) -> None:
        """Build a scheduler, let `configure` register the fixed jobs, then run the jobs."""
        with self._lock:
            if self._scheduler is not None:
                return
            scheduler = build_scheduler(
                self.database_url, timezone=self.timezone, process_id=self.process_id
            )
            try:
                # Paused first: the job store is open, so replacing and pruning fixed jobs
                # sees what the database holds, and nothing fires before all are current.
                scheduler.start(paused=True)
                self._configure(scheduler)
                scheduler.resume()
            except BaseException:
                if scheduler.running:
                    scheduler.shutdown(wait=False)
                raise
            self._scheduler = scheduler
        logger.info("scheduler started")

    def stop(self) -> None:
        """Shut the scheduler down without waiting for jobs already running."""
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
            if scheduler is None:
                return
            # Not waiting: when leadership is lost another process may already be starting
            # its scheduler, and ours must stop taking new work at once.
            scheduler.shutdown(wait=False)
        logger.info("scheduler stopped")


def record_leadership(
    session_factory: sessionmaker[Session], process_id: str, *, leading: bool
) -> None:
    """Write whether this process leads the scheduler (for status); never raise.

    Called from the leader's callbacks: failing to note the leadership must not cost it.
    """
    try:
        with transaction(session_factory) as db:
            found = set_scheduler_leader(db, process_id, leading=leading)
    except SQLAlchemyError as error:
        logger.warning("could not record the scheduler's leader (%s)", type(error).__name__)
        return
    if not found and leading:
        logger.warning("process %s leads the scheduler but has no dispatcher row", process_id)
