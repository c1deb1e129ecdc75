"""Build Cercle's one APScheduler instance, and run it while this process leads.

Every scheduler is configured here and nowhere else: jobs persist in the bot's own
database (table ``apscheduler_jobs``, created by migration 0002), run on a small thread
pool, and share one misfire policy. Time is UTC inside; each cron trigger names its own
time zone, so "Monday 09:30 in Paris" stays 09:30 across daylight-saving changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta, tzinfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from storage.db import make_engine

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


def build_scheduler(database_url: str, *, timezone: str | tzinfo = "UTC") -> BackgroundScheduler:
    """Build (not start) a scheduler whose jobs persist in the database at `database_url`."""
    pool_options = {} if database_url.startswith("sqlite") else _JOBSTORE_POOL
    # make_engine gives SQLite the same busy timeout, WAL and BEGIN IMMEDIATE as the bot,
    # so the job store waits for a request's write lock instead of failing on it.
    jobstore = SQLAlchemyJobStore(engine=make_engine(database_url, **pool_options))
    return BackgroundScheduler(
        jobstores={"default": jobstore},
        executors={"default": ThreadPoolExecutor(max_workers=EXECUTOR_WORKERS)},
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
    ) -> None:
        self.database_url = database_url
        self.timezone = timezone
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
            scheduler = build_scheduler(self.database_url, timezone=self.timezone)
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
