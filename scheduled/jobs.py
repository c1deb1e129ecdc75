"""The fixed jobs every Cercle runs, and the functions they call.

Jobs are module-level functions of ids and primitives: the job store pickles a reference
to the function and its arguments, never live objects. A job opens its own session and,
like a handler, never calls Slack: anything to say is written as outbox rows.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from scheduled.scheduler import cron
from storage.db import make_engine, make_session_factory, transaction
from storage.models import ProcessedEvent, utcnow

if TYPE_CHECKING:
    from bot.config import Settings

logger = logging.getLogger(__name__)

# Fixed jobs share this id prefix so that one retired from the registry can be told apart
# from user-made schedules and removed from the store rather than running forever.
FIXED_JOB_PREFIX = "fixed:"
PURGE_PROCESSED_EVENTS_JOB_ID = f"{FIXED_JOB_PREFIX}purge_processed_events"
FOLLOW_UP_NEWCOMERS_JOB_ID = f"{FIXED_JOB_PREFIX}follow_up_newcomers"
SYNC_SCHEDULES_JOB_ID = f"{FIXED_JOB_PREFIX}sync_schedules"
SYNC_MEMBER_DIRECTORY_JOB_ID = f"{FIXED_JOB_PREFIX}sync_member_directory"
# The directory sync also runs this long after the leader starts: once the process is
# up and its dispatcher running, and not on every restart of a process that crash-loops.
MEMBER_DIRECTORY_STARTUP_DELAY = timedelta(minutes=2)
POLL_DEADLINES_JOB_ID = f"{FIXED_JOB_PREFIX}poll_deadlines"
SURVEY_DEADLINES_JOB_ID = f"{FIXED_JOB_PREFIX}survey_deadlines"
RETENTION_JOB_ID = f"{FIXED_JOB_PREFIX}apply_retention"

# Slack redelivers an event for a few hours at most; a month of dedupe keys is ample and
# still lets someone look up what the bot received recently.
PROCESSED_EVENTS_KEEP_DAYS = 30

_engines: dict[str, tuple[Engine, sessionmaker[Session]]] = {}
_engines_lock = threading.Lock()
# The settings (and so the database) the jobs of this process work with. Set when the
# fixed jobs are registered rather than passed as job arguments: stored arguments are
# pickled into the job table, and a database URL may carry a password.
_settings: Settings | None = None


def use_settings(settings: Settings) -> None:
    """Point this process's jobs at these settings and their database."""
    global _settings
    _settings = settings


def use_database(database_url: str) -> None:
    """Point this process's jobs at `database_url` with otherwise default settings."""
    from bot.config import Settings

    use_settings(Settings(database_url=database_url))


def _job_settings() -> Settings:
    if _settings is None:
        raise RuntimeError("scheduled jobs ran before use_settings() was called")
    return _settings


def _job_sessions() -> sessionmaker[Session]:
    return _session_factory(_job_settings().database_url)


def _session_factory(database_url: str) -> sessionmaker[Session]:
    """Return this process's session factory for `database_url`, creating it once."""
    # Jobs receive a URL, not an engine; caching per URL keeps one pool per database
    # instead of a new pool (and new connections) on every run.
    with _engines_lock:
        if database_url not in _engines:
            pool_options = {} if database_url.startswith("sqlite") else {"pool_size": 2}
            engine = make_engine(database_url, **pool_options)
            _engines[database_url] = (engine, make_session_factory(engine))
        return _engines[database_url][1]


def dispose_engines() -> None:
    """Close every engine the jobs opened (at shutdown, and between tests)."""
    with _engines_lock:
        for engine, _factory in _engines.values():
            engine.dispose()
        _engines.clear()


def purge_processed_events(keep_days: int = PROCESSED_EVENTS_KEEP_DAYS) -> int:
    """Delete dedupe records of events received more than `keep_days` ago; return how many."""
    cutoff = utcnow() - timedelta(days=keep_days)
    with transaction(_job_sessions()) as db:
        deleted = db.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < cutoff)
        ).rowcount
    logger.info("purged %d processed events older than %d days", deleted, keep_days)
    return deleted


def apply_retention() -> Any:
    """Delete, anonymise and blank what is older than its retention period; return the report.

    Batch by batch, each batch its own short transaction (see bot/privacy.py).
    """
    from bot.privacy import apply_retention as apply

    return apply(_job_sessions(), _job_settings())


def follow_up_newcomers() -> int:
    """Send due charter reminders and tell coordinators who needs a human; return reminders."""
    from bot.onboarding import follow_up_newcomers as follow_up

    settings = _job_settings()
    with transaction(_job_sessions()) as db:
        report = follow_up(db, settings)
    if report.reminded or report.escalated or report.unreachable:
        logger.info(
            "onboarding follow-up: %d reminded, %d escalated, %d unreachable",
            len(report.reminded),
            len(report.escalated),
            len(report.unreachable),
        )
    return len(report.reminded)


def post_weekly_tool() -> int | None:
    """Queue this week's tool in the community channel; return the item id."""
    from bot.toolbox import post_weekly_tool as post

    with transaction(_job_sessions()) as db:
        return post(db, _job_settings())


def plan_toolbox_nudges() -> int:
    """Queue personal tool suggestions for members quiet in the toolbox; return how many."""
    from bot.toolbox import plan_toolbox_nudges as plan

    settings = _job_settings()
    with transaction(_job_sessions()) as db:
        planned = plan(db, settings, quiet_days=settings.toolbox_quiet_days)
    logger.info("toolbox suggestions: %d queued for %d members", planned.queued, planned.considered)
    return planned.queued


def poll_deadlines() -> tuple[int, int]:
    """Close polls past their deadline and queue due reminders; return (closed, reminders)."""
    from bot.polls import close_due_polls, remind_non_voters

    settings = _job_settings()
    with transaction(_job_sessions()) as db:
        closed = close_due_polls(db)
        reminded = remind_non_voters(db, settings)
    if closed or reminded:
        logger.info("polls: %d closed at their deadline, %d reminders queued", closed, reminded)
    return closed, reminded


def survey_deadlines() -> tuple[int, int]:
    """Close surveys past their deadline (posting results) and queue due reminders."""
    from bot.surveys import close_due_surveys, remind_non_respondents

    settings = _job_settings()
    with transaction(_job_sessions()) as db:
        closed = close_due_surveys(db, settings)
        reminded = remind_non_respondents(db, settings)
    if closed or reminded:
        logger.info("surveys: %d closed at their deadline, %d reminders queued", closed, reminded)
    return closed, reminded


def sync_member_directory() -> Any:
    """Sync the member directory with the community channel; return its report.

    Unlike other jobs this one calls Slack, to read only; it does so outside any
    transaction (see bot/directory.py).
    """
    from bot.directory import run_directory_sync

    return run_directory_sync(_job_sessions(), _job_settings())


def weekly_digest() -> bool:
    """Queue this week's participation digest and chart for coordinators; True if queued."""
    from bot.digest import post_weekly_digest

    with transaction(_job_sessions()) as db:
        return post_weekly_digest(db, _job_settings())


def participation_nudges() -> int:
    """Queue one gentle nudge to each member below the minimum of participation."""
    from bot.digest import plan_participation_nudges

    with transaction(_job_sessions()) as db:
        queued = plan_participation_nudges(db, _job_settings())
    logger.info("participation nudges: %d queued", queued)
    return queued


# Jobs whose schedule coordinators set (`/cercle schedule`), by schedule name.
SCHEDULED_JOBS: dict[str, Callable[[], Any]] = {
    "weekly_tool": post_weekly_tool,
    "toolbox_nudges": plan_toolbox_nudges,
    "weekly_digest": weekly_digest,
    "participation_nudges": participation_nudges,
}
SCHEDULED_JOB_PREFIX = "schedule:"

# The scheduler this process runs while it leads; the sync job reads it.
_scheduler: BaseScheduler | None = None


def sync_schedules() -> int:
    """Bring the running scheduler in line with the schedules stored in the database.

    Coordinators change schedules in whichever process answers them; the leader picks
    the change up here within a minute, without a restart. Returns the jobs changed.
    """
    from storage.schedules import current_schedules

    scheduler, settings = _scheduler, _job_settings()
    if scheduler is None:
        return 0
    with transaction(_job_sessions()) as db:
        schedules = current_schedules(db)
    changed = 0
    for spec in schedules:
        job_id = f"{SCHEDULED_JOB_PREFIX}{spec.name}"
        existing = scheduler.get_job(job_id)
        if spec.paused:
            if existing is not None:
                scheduler.remove_job(job_id)
                changed += 1
            continue
        trigger = cron(spec.days, spec.hour, spec.minute, settings.timezone)
        # str() of a trigger leaves out its time zone: compare both, so a change of
        # CERCLE_TIMEZONE reaches jobs stored before it.
        if existing is None or (str(existing.trigger), str(existing.trigger.timezone)) != (
            str(trigger),
            str(trigger.timezone),
        ):
            scheduler.add_job(
                SCHEDULED_JOBS[spec.name],
                trigger=trigger,
                id=job_id,
                name=spec.name,
                replace_existing=True,
            )
            changed += 1
    return changed


@dataclass(frozen=True)
class FixedJob:
    """A job every Cercle runs, under an id that never changes."""

    id: str
    func: Callable[..., Any]
    trigger: BaseTrigger
    kwargs: dict[str, Any] = field(default_factory=dict)


def fixed_jobs(settings: Settings) -> list[FixedJob]:
    """Return the fixed jobs for these settings."""
    return [
        FixedJob(
            id=SYNC_MEMBER_DIRECTORY_JOB_ID,
            func=sync_member_directory,
            # Daily at 04:10 local, when nobody is around, and once shortly after the leader
            # starts (re-registering at each election renews that one-off date).
            trigger=OrTrigger(
                [
                    cron("*", 4, 10, settings.timezone),
                    DateTrigger(run_date=utcnow() + MEMBER_DIRECTORY_STARTUP_DELAY),
                ]
            ),
        ),
        FixedJob(
            id=PURGE_PROCESSED_EVENTS_JOB_ID,
            func=purge_processed_events,
            # 03:15 local: nobody is around, and it lies outside the 02:00-03:00 hour that
            # European daylight-saving changes skip or repeat.
            trigger=cron("*", 3, 15, settings.timezone),
            kwargs={"keep_days": PROCESSED_EVENTS_KEEP_DAYS},
        ),
        FixedJob(
            id=RETENTION_JOB_ID,
            func=apply_retention,
            # 03:45 local, after the dedupe purge, and outside the daylight-saving hour.
            trigger=cron("*", 3, 45, settings.timezone),
        ),
        FixedJob(
            id=SYNC_SCHEDULES_JOB_ID,
            func=sync_schedules,
            trigger=IntervalTrigger(minutes=1),
        ),
        FixedJob(
            id=POLL_DEADLINES_JOB_ID,
            func=poll_deadlines,
            # Every minute: a poll closes within a minute of its deadline (a vote in
            # between is refused all the same).
            trigger=IntervalTrigger(minutes=1),
        ),
        FixedJob(
            id=SURVEY_DEADLINES_JOB_ID,
            func=survey_deadlines,
            trigger=IntervalTrigger(minutes=1),
        ),
        FixedJob(
            id=FOLLOW_UP_NEWCOMERS_JOB_ID,
            func=follow_up_newcomers,
            # Hourly: a reminder is due some day at some hour; its delivery then waits
            # for the member's working hours in the outbox.
            trigger=cron("*", "*", 7, settings.timezone),
        ),
    ]


def register_fixed_jobs(scheduler: BaseScheduler, settings: Settings) -> None:
    """Add or refresh every fixed job, and drop fixed jobs no longer in the registry."""
    global _scheduler
    use_settings(settings)
    _scheduler = scheduler
    wanted = fixed_jobs(settings)
    for job in wanted:
        # replace_existing: each election re-registers, so the stored job takes the code's
        # current trigger and arguments instead of piling up a duplicate.
        scheduler.add_job(
            job.func,
            trigger=job.trigger,
            id=job.id,
            name=job.id.removeprefix(FIXED_JOB_PREFIX),
            kwargs=job.kwargs,
            replace_existing=True,
        )
    wanted_ids = {job.id for job in wanted}
    for stored in scheduler.get_jobs():
        if stored.id.startswith(FIXED_JOB_PREFIX) and stored.id not in wanted_ids:
            logger.info("removing retired fixed job %s", stored.id)
            scheduler.remove_job(stored.id)


def catch_up_interrupted_runs(scheduler: BaseScheduler, process_id: str | None) -> list[str]:
    """Run again, now, each job whose last run another process began and never finished.

    APScheduler moves a job on to its next run time as it starts a run, so when a leader
    dies mid-run (kill -9, a crash, a lost machine) that run would be skipped until the
    next one: a week later for the weekly jobs. Called by a new leader, which holds the
    lock: the process that began the run leads no more, and its `running` row will not
    finish. Jobs are idempotent (their messages carry keys naming the period), so a run
    that got further than it seems is harmless to repeat. Like a late run, only a run
    begun within the misfire grace time is caught up. Returns the job ids run again.
    """
    from sqlalchemy import or_, select

    from scheduled.scheduler import MISFIRE_GRACE_TIME
    from storage.models import JobRun
    from storage.operations import JOB_RUNNING

    now = utcnow()
    with transaction(_job_sessions()) as db:
        interrupted = list(
            db.scalars(
                select(JobRun.job_id).where(
                    JobRun.outcome == JOB_RUNNING,
                    or_(JobRun.process_id.is_(None), JobRun.process_id != process_id),
                    JobRun.started_at >= now - MISFIRE_GRACE_TIME,
                )
            )
        )
    caught = []
    for job_id in interrupted:
        # A one-off run is gone from the store once started; a retired job too.
        if scheduler.get_job(job_id) is not None:
            # The job runs as itself (recorded, one instance at most), then carries on
            # with its own schedule.
            scheduler.modify_job(job_id, next_run_time=now)
            caught.append(job_id)
    if caught:
        logger.warning("running again jobs interrupted in another process: %s", ", ".join(caught))
    return caught
