"""Assemble a running Cercle: database, Slack client, Bolt app, dispatcher, server."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.app import CercleApp, create_app, make_web_client
from bot.config import Settings
from bot.courtesy import policy_from_settings
from bot.dispatcher import Dispatcher
from bot.server import HttpServer
from scheduled.jobs import (
    catch_up_interrupted_runs,
    dispose_engines,
    register_fixed_jobs,
    sync_schedules,
)
from scheduled.leader import SchedulerLeader
from scheduled.scheduler import SchedulerService, record_leadership
from storage.db import make_engine, make_session_factory, upgrade_database

logger = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything one bot process runs, started and stopped together."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    client: WebClient
    app: CercleApp
    dispatcher: Dispatcher
    server: HttpServer | None = None
    leader: SchedulerLeader | None = None
    scheduler_service: SchedulerService | None = None
    _started: bool = field(default=False, repr=False)

    def mark_dispatcher_started(self) -> None:
        """Record that the dispatcher was started by the caller (the CLI checks it first)."""
        self._started = True

    def start(self, *, serve_in_thread: bool = True) -> Runtime:
        """Start the dispatcher, then the HTTP server (in a thread, or not at all if False)."""
        if not self._started:
            self.dispatcher.start()
            self._started = True
        if self.leader is not None:
            self.leader.start()  # after the dispatcher: jobs write outbox rows it sends
        if self.server is not None and serve_in_thread:
            self.server.start_in_thread()
        return self

    def stop(self) -> None:
        """Stop serving, let the dispatcher finish what it holds, release the database."""
        if self.server is not None:
            self.server.close()
        if self.leader is not None:
            self.leader.stop()  # before the dispatcher, which still sends what jobs wrote
        if self._started:
            self.dispatcher.stop()
        self.app.close()
        self.engine.dispose()
        dispose_engines()


def build_runtime(
    settings: Settings,
    *,
    migrate: bool = True,
    host: str = "0.0.0.0",
    serve_http: bool = True,
    dispatcher_options: dict[str, Any] | None = None,
    run_scheduler: bool = True,
) -> Runtime:
    """Build (not start) a runtime; apply migrations first unless `migrate` is False."""
    if migrate:
        upgrade_database(settings.database_url)
    engine = make_engine(settings.database_url)
    session_factory = make_session_factory(engine)
    client = make_web_client(settings)
    app = create_app(settings, session_factory=session_factory, client=client)
    options = {"courtesy": policy_from_settings(settings), **(dispatcher_options or {})}
    dispatcher = Dispatcher(session_factory, make_web_client(settings), **options)
    app.set_on_commit(dispatcher.wake)
    server = (
        HttpServer(
            app, engine, host=host, port=settings.port, serve_events=not settings.socket_mode
        )
        if serve_http
        else None
    )
    leader = None
    scheduler_service = None
    if run_scheduler:

        def configure(scheduler: BackgroundScheduler) -> None:
            register_fixed_jobs(scheduler, settings)
            sync_schedules()  # coordinators' schedules run from the first minute
            # A run the previous leader began but never finished (it died) runs again.
            catch_up_interrupted_runs(scheduler, dispatcher.process_id)

        # One id for this process everywhere: its dispatcher row (host, pid, heartbeat),
        # the leader it may become, and the job runs it records, as status shows them.
        process_id = dispatcher.process_id
        scheduler_service = SchedulerService(
            settings.database_url, configure, process_id=process_id
        )
        service = scheduler_service

        def elected() -> None:
            service.start()
            record_leadership(session_factory, process_id, leading=True)

        def deposed() -> None:
            service.stop()
            record_leadership(session_factory, process_id, leading=False)

        leader = SchedulerLeader(
            settings.database_url,
            on_elected=elected,
            on_deposed=deposed,
            process_id=process_id,
        )
    return Runtime(
        settings,
        engine,
        session_factory,
        client,
        app,
        dispatcher,
        server,
        leader=leader,
        scheduler_service=scheduler_service if run_scheduler else None,
    )
