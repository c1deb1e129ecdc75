"""Shared fixtures: both databases, the Slack stand-in, and the real bot over HTTP."""

from __future__ import annotations

import contextlib
import os
import queue
import secrets
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from sandbox.postgres import PostgresUnavailable, ThrowawayPostgres
from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn, StandInConfig
from storage.db import transaction, upgrade_database

ON_CI = os.environ.get("CI", "").lower() == "true"
DATABASES = ["sqlite", "postgresql"]


class DatabasePool:
    """Fresh PostgreSQL databases made ahead of time, and used ones dropped, off the test's path.

    Copying the template takes 60-80 ms, and the suite needs one per PostgreSQL test: a
    thread keeps a few ready while tests run (most of a test's time is waiting on HTTP),
    and drops the used ones so the server's disk stays small.
    """

    READY = 3

    def __init__(self, server: ThrowawayPostgres) -> None:
        self._server = server
        self._admin_url = server.url_for("postgres").replace(
            "postgresql+psycopg://", "postgresql://"
        )
        self._ready: queue.Queue[str] = queue.Queue(maxsize=self.READY)
        self._used: queue.Queue[str] = queue.Queue()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._work, name="pg-pool", daemon=True)
        self._thread.start()

    def take(self) -> str:
        """Return the URL of a fresh database copied from the migrated template."""
        name = self._ready.get(timeout=60)
        return self._server.url_for(name)

    def give_back(self, url: str) -> None:
        """Drop this test's database later."""
        self._used.put(url.rsplit("/", 1)[-1])

    def stop(self) -> None:
        """Stop making databases."""
        self._stopping.set()
        self._thread.join(timeout=10)

    def _work(self) -> None:
        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            while not self._stopping.is_set():
                if not self._ready.full():
                    name = f"t_{uuid.uuid4().hex[:16]}"
                    conn.execute(
                        sql.SQL("CREATE DATABASE {} TEMPLATE cercle").format(sql.Identifier(name))
                    )
                    self._ready.put(name)
                    continue
                try:
                    used = self._used.get(timeout=0.05)
                except queue.Empty:
                    continue
                with contextlib.suppress(psycopg.Error):
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(used)
                        )
                    )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[ThrowawayPostgres | None]:
    """Start one throwaway PostgreSQL for the whole run, with a migrated template database."""
    server = ThrowawayPostgres()
    try:
        server.start()
    except PostgresUnavailable as error:
        if ON_CI:
            pytest.fail(f"PostgreSQL is required on CI and could not start: {error}")
        yield None
        return
    upgrade_database(server.url)  # the default database becomes the template
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_pool(pg_server: ThrowawayPostgres | None) -> Iterator[DatabasePool | None]:
    """Keep fresh PostgreSQL databases ready for the tests that need one."""
    if pg_server is None:
        yield None
        return
    pool = DatabasePool(pg_server)
    yield pool
    pool.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file that each test copies (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(params=DATABASES)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
) -> Iterator[str]:
    """Return the URL of a fresh, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "cercle.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    pool = request.getfixturevalue("pg_pool")
    if pool is None:
        pytest.skip("PostgreSQL server binaries not found (CI=true makes this a failure)")
    url = pool.take()
    yield url
    pool.give_back(url)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """Start a fresh Slack stand-in with generous limits (tests that need limits lower them)."""
    server = SlackStandIn(StandInConfig(postmessage_per_minute=60_000, per_channel_burst=50))
    server.start()
    yield server
    server.stop()


def wait_until(
    predicate: Callable[[], Any],
    *,
    timeout: float = 10.0,
    what: str = "condition",
    interval: float = 0.02,
) -> Any:
    """Poll `predicate` until it returns something truthy and return that; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class RunningBot:
    """The real bot serving HTTP on loopback, plus the means to play Slack towards it."""

    runtime: Runtime
    standin: SlackStandIn
    player: SlackPlayer
    settings: Settings

    @property
    def url(self) -> str:
        """Return the events endpoint."""
        assert self.runtime.server is not None
        return f"{self.runtime.server.url}/slack/events"

    def db(self) -> Any:
        """Open a transaction on the bot's database (a context manager yielding a Session)."""
        return transaction(self.runtime.session_factory)

    def wait_until(
        self, predicate: Callable[[], Any], *, timeout: float = 10.0, what: str = "condition"
    ) -> Any:
        """Poll `predicate` until it returns something truthy, or fail after `timeout`."""
        return wait_until(predicate, timeout=timeout, what=what)

    def query(self, fn: Callable[[Session], Any]) -> Any:
        """Run `fn(session)` in a transaction and return its result."""
        with self.db() as session:
            return fn(session)


def make_settings(standin: SlackStandIn, database_url: str, **overrides: Any) -> Settings:
    """Return settings pointing the bot at `standin` and `database_url`."""
    settings = Settings(
        slack_bot_token=standin.config.bot_token,
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=standin.api_url,
        database_url=database_url,
        port=0,
        community_channel="C0COMMUNITY",
        coordinators_channel="C0COORD",
        admins=("U0ALICE",),
        language="fr",
        log_level="WARNING",
        # Nudges at any hour, so tests do not depend on when they run; the courtesy
        # tests turn working hours on with a controlled clock.
        working_hours="off",
    )
    return replace(settings, **overrides)


@pytest.fixture
def bot(
    request: pytest.FixtureRequest, standin: SlackStandIn, database_url: str
) -> Iterator[RunningBot]:
    """Run the real bot (HTTP server and dispatcher) against the stand-in and a fresh database.

    The scheduler runs too in tests marked `@pytest.mark.scheduler`.
    """
    settings = make_settings(standin, database_url)
    runtime = build_runtime(
        settings,
        migrate=False,
        host="127.0.0.1",
        dispatcher_options={"poll_interval": 0.05},
        # Starting the scheduler costs ~50 ms a test, and most tests run jobs directly.
        run_scheduler=request.node.get_closest_marker("scheduler") is not None,
    )
    runtime.start()
    assert runtime.server is not None
    player = SlackPlayer(
        f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
    )
    yield RunningBot(runtime, standin, player, settings)
    runtime.stop()
