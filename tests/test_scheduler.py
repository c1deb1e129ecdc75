"""The scheduler's configuration, its job store, the fixed jobs and the misfire policy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, inspect, select, text

from bot.config import Settings
from scheduled import jobs
from scheduled.jobs import (
    FIXED_JOB_PREFIX,
    PURGE_PROCESSED_EVENTS_JOB_ID,
    fixed_jobs,
    purge_processed_events,
    register_fixed_jobs,
)
from scheduled.scheduler import EXECUTOR_WORKERS, MISFIRE_GRACE_TIME, build_scheduler, cron
from storage.db import make_engine, make_session_factory, transaction
from storage.models import ProcessedEvent, utcnow

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def do_nothing() -> None:
    """Stand in for a real job: only whether and when it runs matters here."""


@pytest.fixture(autouse=True)
def _dispose_job_engines() -> Iterator[None]:
    yield
    jobs.dispose_engines()


@pytest.fixture
def schedulers(database_url: str) -> Iterator[list[BackgroundScheduler]]:
    """Collect the schedulers a test builds and shut down whichever are still running."""
    built: list[BackgroundScheduler] = []
    yield built
    for scheduler in built:
        if scheduler.running:
            scheduler.shutdown(wait=False)


def _paused(database_url: str, built: list[BackgroundScheduler]) -> BackgroundScheduler:
    scheduler = build_scheduler(database_url)
    built.append(scheduler)
    scheduler.start(paused=True)
    return scheduler


def _stored_job_ids(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(text("SELECT id FROM apscheduler_jobs ORDER BY id")).scalars()
            )
    finally:
        engine.dispose()


def _settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, timezone="Europe/Paris")


class EventLog:
    """Scheduler events as they arrive, with a way to wait for the first one."""

    def __init__(self) -> None:
        self.events: list[JobExecutionEvent] = []
        self.arrived = threading.Event()

    def __call__(self, event: JobExecutionEvent) -> None:
        self.events.append(event)
        self.arrived.set()

    def codes(self) -> list[int]:
        return [event.code for event in self.events]


def _run_until_first_event(scheduler: BackgroundScheduler) -> EventLog:
    """Resume a paused scheduler, wait for its first job outcome, then drain it completely."""
    log = EventLog()
    scheduler.add_listener(log, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    scheduler.resume()
    assert log.arrived.wait(10), "the due job was never processed"
    # wait=True lets the executor finish, so every outcome of this round is in the log.
    scheduler.shutdown(wait=True)
    return log


# --- configuration ------------------------------------------------------------------


def test_job_defaults_are_as_configured(database_url, schedulers):
    """Every job coalesces, never overlaps itself, and may start up to 30 minutes late."""
    scheduler = _paused(database_url, schedulers)
    job = scheduler.add_job(do_nothing, cron("*", 9, 30, "UTC"), id="defaults")
    assert job.coalesce is True
    assert job.max_instances == 1
    assert job.misfire_grace_time == 30 * 60 == MISFIRE_GRACE_TIME.total_seconds()
    assert scheduler.timezone == UTC
    assert scheduler._lookup_executor("default")._pool._max_workers == EXECUTOR_WORKERS


def test_migration_creates_the_table_the_job_store_defines(database_url):
    """Migration 0002 creates apscheduler_jobs exactly as SQLAlchemyJobStore declares it."""
    engine = make_engine(database_url)
    expected = SQLAlchemyJobStore(engine=engine).jobs_t
    inspector = inspect(engine)
    columns = {column["name"]: column for column in inspector.get_columns("apscheduler_jobs")}
    assert set(columns) == {column.name for column in expected.columns}
    for column in expected.columns:
        assert columns[column.name]["nullable"] == column.nullable, column.name
        assert columns[column.name]["type"]._type_affinity is column.type._type_affinity
    assert inspector.get_pk_constraint("apscheduler_jobs")["constrained_columns"] == ["id"]
    assert [index["column_names"] for index in inspector.get_indexes("apscheduler_jobs")] == [
        ["next_run_time"]
    ]
    engine.dispose()


def test_jobs_persist_in_the_database(database_url, schedulers):
    """A job added by one scheduler is found by a new scheduler on the same database."""
    first = _paused(database_url, schedulers)
    added = first.add_job(do_nothing, cron("mon", 9, 30, "Europe/Paris"), id="persisted")
    first.shutdown()

    assert _stored_job_ids(database_url) == ["persisted"]
    second = _paused(database_url, schedulers)
    found = second.get_job("persisted")
    assert found is not None
    assert found.func is do_nothing
    assert found.next_run_time == added.next_run_time
    assert str(found.trigger) == str(added.trigger)


# --- fixed jobs -----------------------------------------------------------------------


def test_registering_fixed_jobs_twice_does_not_duplicate_them(database_url, schedulers):
    """Registering again, in the same scheduler or after a restart, keeps one row per job."""
    settings = _settings(database_url)
    scheduler = _paused(database_url, schedulers)
    register_fixed_jobs(scheduler, settings)
    register_fixed_jobs(scheduler, settings)
    scheduler.shutdown()
    restarted = _paused(database_url, schedulers)
    register_fixed_jobs(restarted, settings)

    expected = sorted(job.id for job in fixed_jobs(settings))
    assert sorted(job.id for job in restarted.get_jobs()) == expected
    assert sorted(_stored_job_ids(database_url)) == expected


def test_retired_fixed_jobs_are_removed_but_other_jobs_kept(database_url, schedulers):
    """A fixed job no longer in the registry is dropped; user-made schedules stay."""
    scheduler = _paused(database_url, schedulers)
    scheduler.add_job(do_nothing, cron("*", 8, 0, "UTC"), id=f"{FIXED_JOB_PREFIX}retired")
    scheduler.add_job(do_nothing, cron("*", 8, 0, "UTC"), id="poll:42:close")
    register_fixed_jobs(scheduler, _settings(database_url))
    settings = _settings(database_url)
    assert sorted(job.id for job in scheduler.get_jobs()) == sorted(
        [job.id for job in fixed_jobs(settings)] + ["poll:42:close"]
    )
    assert f"{FIXED_JOB_PREFIX}retired" not in {job.id for job in scheduler.get_jobs()}


def test_purge_job_fires_daily_at_03_15_in_the_community_time_zone(database_url, schedulers):
    """The purge job's next run is 03:15 Paris time, stored as the matching UTC instant."""
    scheduler = _paused(database_url, schedulers)
    register_fixed_jobs(scheduler, _settings(database_url))
    job = scheduler.get_job(PURGE_PROCESSED_EVENTS_JOB_ID)
    local = job.next_run_time.astimezone(job.trigger.timezone)
    assert str(job.trigger.timezone) == "Europe/Paris"
    assert (local.hour, local.minute) == (3, 15)
    after = job.trigger.get_next_fire_time(job.next_run_time, job.next_run_time)
    assert after.astimezone(job.trigger.timezone).date() - local.date() == timedelta(days=1)


# --- cron and daylight saving ---------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected_utc"),
    [
        # Spring 2026: clocks go forward on Sunday 29 March.
        (datetime(2026, 3, 20, 12, tzinfo=UTC), datetime(2026, 3, 23, 8, 30, tzinfo=UTC)),
        (datetime(2026, 3, 27, 12, tzinfo=UTC), datetime(2026, 3, 30, 7, 30, tzinfo=UTC)),
        # Autumn 2026: clocks go back on Sunday 25 October.
        (datetime(2026, 10, 16, 12, tzinfo=UTC), datetime(2026, 10, 19, 7, 30, tzinfo=UTC)),
        (datetime(2026, 10, 23, 12, tzinfo=UTC), datetime(2026, 10, 26, 8, 30, tzinfo=UTC)),
    ],
    ids=["before-spring", "after-spring", "before-autumn", "after-autumn"],
)
def test_cron_keeps_local_time_across_daylight_saving(now, expected_utc):
    """Monday 09:30 in Paris is 08:30 UTC in winter and 07:30 UTC in summer."""
    trigger = cron("mon", 9, 30, "Europe/Paris")
    fire = trigger.get_next_fire_time(None, now)
    assert fire == expected_utc
    assert (fire.astimezone(trigger.timezone).hour, fire.minute) == (9, 30)


def test_cron_steps_from_one_monday_to_the_next_over_the_change():
    """After the last pre-DST run, the next one is 6 days 23 hours later in UTC."""
    trigger = cron("mon", 9, 30, "Europe/Paris")
    previous = datetime(2026, 3, 23, 8, 30, tzinfo=UTC)
    following = trigger.get_next_fire_time(previous, previous + timedelta(seconds=1))
    assert following - previous == timedelta(days=6, hours=23)


# --- misfires -------------------------------------------------------------------------


def test_run_missed_by_20_minutes_still_runs_once(database_url, schedulers):
    """A daily job due 20 minutes ago (bot was down) runs once when the scheduler resumes."""
    scheduler = _paused(database_url, schedulers)
    due = (utcnow() - timedelta(minutes=20)).replace(second=0, microsecond=0)
    scheduler.add_job(
        do_nothing, cron("*", due.hour, due.minute, "UTC"), id="late", next_run_time=due
    )
    log = _run_until_first_event(scheduler)
    assert log.codes() == [EVENT_JOB_EXECUTED]
    assert log.events[0].scheduled_run_time == due
    again = _paused(database_url, schedulers).get_job("late")
    assert again.next_run_time == due + timedelta(days=1)


def test_runs_missed_within_the_grace_time_are_coalesced_into_one(database_url, schedulers):
    """A 5-minute job down for 20 minutes has 5 due runs and runs once, for the latest."""
    scheduler = _paused(database_url, schedulers)
    first_due = utcnow() - timedelta(minutes=20)
    scheduler.add_job(
        do_nothing, IntervalTrigger(minutes=5), id="frequent", next_run_time=first_due
    )
    log = _run_until_first_event(scheduler)
    assert log.codes() == [EVENT_JOB_EXECUTED]
    assert log.events[0].scheduled_run_time == first_due + timedelta(minutes=20)


def test_run_missed_by_a_day_is_skipped(database_url, schedulers):
    """A weekly job due yesterday does not run today; it waits for next week."""
    scheduler = _paused(database_url, schedulers)
    due = (utcnow() - timedelta(days=1)).replace(second=0, microsecond=0)
    trigger = cron(WEEKDAYS[due.weekday()], due.hour, due.minute, "UTC")
    scheduler.add_job(do_nothing, trigger, id="stale", next_run_time=due)
    log = _run_until_first_event(scheduler)
    assert log.codes() == [EVENT_JOB_MISSED]
    again = _paused(database_url, schedulers).get_job("stale")
    assert again.next_run_time == due + timedelta(days=7)


def test_one_shot_missed_by_a_day_is_dropped(database_url, schedulers):
    """A one-off job due a day ago is reported missed and removed, never run."""
    scheduler = _paused(database_url, schedulers)
    scheduler.add_job(do_nothing, DateTrigger(utcnow() - timedelta(days=1)), id="one-off")
    log = _run_until_first_event(scheduler)
    assert log.codes() == [EVENT_JOB_MISSED]
    assert _stored_job_ids(database_url) == []


# --- purge_processed_events -----------------------------------------------------------


def _seed_events(database_url: str, ages: dict[str, timedelta]) -> None:
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as db:
        for event_id, age in ages.items():
            db.add(ProcessedEvent(event_id=event_id, event_type="t", received_at=utcnow() - age))
    engine.dispose()


def _remaining_events(database_url: str) -> list[str]:
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as db:
        remaining = list(db.scalars(select(ProcessedEvent.event_id).order_by("event_id")))
    engine.dispose()
    return remaining


def test_purge_deletes_only_events_older_than_keep_days(database_url):
    """Events received 31 and 400 days ago go; 29 days and an hour ago stay."""
    _seed_events(
        database_url,
        {
            "Ev400d": timedelta(days=400),
            "Ev31d": timedelta(days=31),
            "Ev29d": timedelta(days=29),
            "Ev1h": timedelta(hours=1),
        },
    )
    jobs.use_database(database_url)
    assert purge_processed_events() == 2
    assert _remaining_events(database_url) == ["Ev1h", "Ev29d"]


def test_purge_honours_a_shorter_retention(database_url):
    """keep_days=7 removes an event from 8 days ago and keeps one from 6 days ago."""
    _seed_events(database_url, {"Ev8d": timedelta(days=8), "Ev6d": timedelta(days=6)})
    jobs.use_database(database_url)
    assert purge_processed_events(keep_days=7) == 1
    assert _remaining_events(database_url) == ["Ev6d"]


def test_registered_purge_job_runs_as_stored(database_url, schedulers):
    """The stored purge job, called with its stored arguments, purges this database."""
    _seed_events(database_url, {"EvOld": timedelta(days=45), "EvNew": timedelta(days=1)})
    scheduler = _paused(database_url, schedulers)
    register_fixed_jobs(scheduler, _settings(database_url))
    scheduler.shutdown()
    stored = _paused(database_url, schedulers).get_job(PURGE_PROCESSED_EVENTS_JOB_ID)
    assert "database_url" not in stored.kwargs  # a URL may carry a password
    assert stored.func(*stored.args, **stored.kwargs) == 1
    assert _remaining_events(database_url) == ["EvNew"]


def test_purge_reuses_one_engine_per_database(database_url):
    """Repeated runs share a cached engine instead of building a pool each time."""
    jobs.use_database(database_url)
    purge_processed_events()
    purge_processed_events()
    assert len(jobs._engines) == 1
    with jobs._engines[database_url][0].connect() as connection:
        assert connection.execute(select(func.count()).select_from(ProcessedEvent)).scalar() == 0
