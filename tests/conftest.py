"""Shared fixtures: both databases, the Slack stand-in, and the real bot over HTTP."""

from __future__ import annotations

import os
import secrets
import shutil
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
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate one SQLite file that each test copies (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


def _pg_database_from_template(server: ThrowawayPostgres) -> str:
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_url = server.url_for("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE cercle").format(sql.Identifier(name)))
    return server.url_for(name)


@pytest.fixture(params=DATABASES)
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
) -> str:
    """Return the URL of a fresh, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "cercle.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL server binaries not found (CI=true makes this a failure)")
    return _pg_database_from_template(server)


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """Start a fresh Slack stand-in with generous limits (tests that need limits lower them)."""
    server = SlackStandIn(StandInConfig(postmessage_per_minute=60_000, per_channel_burst=50))
    server.start()
    yield server
    server.stop()


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
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.02)
        raise AssertionError(f"timed out waiting for {what}")

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
def bot(standin: SlackStandIn, database_url: str) -> Iterator[RunningBot]:
    """Run the real bot (HTTP server and dispatcher) against the stand-in and a fresh database."""
    settings = make_settings(standin, database_url)
    runtime = build_runtime(
        settings, migrate=False, host="127.0.0.1", dispatcher_options={"poll_interval": 0.05}
    )
    runtime.start()
    assert runtime.server is not None
    player = SlackPlayer(
        f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
    )
    yield RunningBot(runtime, standin, player, settings)
    runtime.stop()
