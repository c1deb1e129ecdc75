"""Engines, sessions and migrations for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    """Set WAL, foreign keys and a busy timeout on every SQLite connection.

    Transactions start with BEGIN IMMEDIATE: a deferred transaction that reads and then
    writes can hit a lock upgrade that the busy timeout does not cover, so every
    transaction takes the write lock up front (readers still proceed under WAL).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let us emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """Create an engine for `database_url` with Cercle's connection settings."""
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            **kwargs,
        )
        _configure_sqlite(engine)
        return engine
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
    return create_engine(
        database_url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": 5},
        **kwargs,
    )


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the session factory every request, job and dispatcher uses."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Open a session, commit when the block succeeds, roll back when it raises."""
    with factory() as session, session.begin():
        yield session


def database_answers(engine: Engine) -> bool:
    """Tell whether the database answers a trivial query right now.

    It uses a bare DB-API connection: a SQLAlchemy connection would begin a
    transaction, which on SQLite means BEGIN IMMEDIATE and waiting behind any writer,
    so a busy but healthy bot would look down.
    """
    try:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
            cursor.close()
        finally:
            connection.close()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not healthy"
        return False


def alembic_config(database_url: str) -> Config:
    """Build an Alembic configuration pointing at our migrations and `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


# Held while migrating a PostgreSQL database ("CercleMG" in ASCII, as pg_locks shows it).
MIGRATION_LOCK_KEY = 0x43_65_72_63_6C_65_4D_47


def upgrade_database(database_url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision`.

    On PostgreSQL, processes migrating at once (the replicas of one deployment starting
    together) take turns under a session advisory lock: the next one finds the work done,
    instead of failing on the tables the first one is creating.
    """
    if not database_url.startswith("postgresql"):
        command.upgrade(alembic_config(database_url), revision)
        return
    engine = create_engine(database_url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(select(func.pg_advisory_lock(MIGRATION_LOCK_KEY)))
            try:
                command.upgrade(alembic_config(database_url), revision)
            finally:
                connection.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK_KEY)))
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """Return the revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
