"""Leader election: of all bot processes on one database, exactly one runs the scheduler.

On PostgreSQL the leader is whoever holds a session-level advisory lock. It is taken on a
dedicated connection outside any pool, because the lock belongs to that one session: a
pooled connection could be handed to other code or silently replaced. When the holder
dies, PostgreSQL ends its session and frees the lock, and a follower, retrying every
`check_interval`, takes over.

The connection must reach PostgreSQL itself: behind a transaction-pooling proxy (PgBouncer
in transaction mode) session locks mean nothing.

On SQLite there is nothing to elect. SQLite is the single-process store (one bot process
on one file; scaling out means PostgreSQL), so that process leads from the start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from sqlalchemy.engine import make_url

logger = logging.getLogger(__name__)

# Advisory lock keys are one 64-bit space per database, shared by every application on
# it; this one spells "CercleSC" in ASCII so it is recognisable in pg_locks.
SCHEDULER_LOCK_KEY = 0x43_65_72_63_6C_65_53_43
# pg_locks shows a bigint advisory key split in two 32-bit halves, with objsubid = 1.
_LOCK_CLASSID = SCHEDULER_LOCK_KEY >> 32
_LOCK_OBJID = SCHEDULER_LOCK_KEY & 0xFFFF_FFFF

CONNECT_TIMEOUT_S = 5
# If the leader's host is cut off, two clocks start at its last exchange with the server.
# The leader's next check goes unanswered and fails TCP_USER_TIMEOUT_MS later, so it
# deposes itself within check_interval + 10 s (15 s by default). The server frees the lock
# only when its keepalives fail: idle + interval x count = 25 s. The leader's clock is the
# shorter, so the old leader has stopped before a new one can be elected.
TCP_USER_TIMEOUT_MS = 10_000
SERVER_KEEPALIVE = {
    "tcp_keepalives_idle": 10,
    "tcp_keepalives_interval": 5,
    "tcp_keepalives_count": 3,
}
_STOP_JOIN_TIMEOUT_S = 30.0


def _default_process_id() -> str:
    """Return an id unique to this process start (host, pid and a random suffix)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _libpq_conninfo(database_url: str) -> str:
    """Turn a SQLAlchemy PostgreSQL URL into a URL libpq (psycopg) understands."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


_APPLICATION_PREFIX = "cercle-leader "


def lock_holders(database_url: str) -> list[str]:
    """Return the process ids of the sessions holding the scheduler lock (one, or none).

    Read from PostgreSQL itself (pg_locks): the lock is the leadership, whatever any
    process believes or wrote down. Each id is as the holder's session names it, cut
    short past 49 characters. On SQLite there is no lock, so no holder.
    """
    if not database_url.startswith("postgresql"):
        return []
    with psycopg.connect(
        _libpq_conninfo(database_url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
    ) as connection:
        rows = connection.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.database = ("
            "SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid AND l.objsubid = 1",
            [_LOCK_CLASSID, _LOCK_OBJID],
        ).fetchall()
    return sorted(str(row[0]).removeprefix(_APPLICATION_PREFIX) for row in rows)


class SchedulerLeader:
    """Hold the scheduler's leadership for this process, and say when it is won or lost.

    `on_elected` runs when this process becomes the leader, `on_deposed` when it stops
    being one (lock lost, connection lost, or `stop()`). On PostgreSQL both run in the
    election thread, never at the same time.
    """

    def __init__(
        self,
        database_url: str,
        on_elected: Callable[[], None],
        on_deposed: Callable[[], None],
        *,
        check_interval: float = 5.0,
        process_id: str | None = None,
    ) -> None:
        if database_url.startswith("sqlite"):
            self._conninfo: str | None = None
        elif database_url.startswith("postgresql"):
            self._conninfo = _libpq_conninfo(database_url)
        else:
            raise ValueError(f"no leader election for {database_url.split(':', 1)[0]!r} URLs")
        self.check_interval = check_interval
        self.process_id = (process_id or _default_process_id())[:64]
        self._on_elected = on_elected
        self._on_deposed = on_deposed
        self._leader = False
        self._started = False
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._connection: psycopg.Connection[TupleRow] | None = None
        self._outage_reported = False

    @property
    def is_leader(self) -> bool:
        """Tell whether this process holds the leadership (already while on_elected runs)."""
        return self._leader

    def start(self) -> None:
        """Start competing for leadership (on SQLite: lead at once)."""
        if self._started:
            return
        self._started = True
        self._stopping.clear()
        if self._conninfo is None:
            # A failure here is not retried: with one process there is nobody to take
            # over, so the start-up error should surface to whoever starts the bot.
            self._leader = True
            try:
                self._on_elected()
            except BaseException:
                self._leader = False
                self._started = False
                raise
            logger.info("scheduler leader %s (SQLite: the only process)", self.process_id)
            return
        self._thread = threading.Thread(target=self._campaign, name="scheduler-leader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop competing; if leading, depose this process and release the lock."""
        if not self._started:
            return
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(_STOP_JOIN_TIMEOUT_S)
            if self._thread.is_alive():
                logger.warning("scheduler leader thread did not stop in time")
            self._thread = None
        if self._leader:
            self._leader = False
            self._call(self._on_deposed, "on_deposed")
        self._release()
        self._started = False

    # --- the election thread -------------------------------------------------------

    def _campaign(self) -> None:
        """Try for the lock while following; check it is still held while leading."""
        while not self._stopping.is_set():
            try:
                if self._leader:
                    if not self._still_holding():
                        self._depose()
                        # The lock may be free again (a lost connection): try at once.
                        continue
                elif self._try_acquire() and not self._stopping.is_set():
                    self._take_office()
            except Exception:
                # A dead election thread would leave a leader that never checks its lock, or
                # a follower that never takes over: log the surprise and keep campaigning.
                logger.exception("scheduler election check failed")
            self._stopping.wait(self.check_interval)

    def _connect(self) -> psycopg.Connection[TupleRow]:
        """Open the dedicated, autocommit connection that holds the lock."""
        params = conninfo_to_dict(self._conninfo or "")
        server_options = " ".join(f"-c {name}={value}" for name, value in SERVER_KEEPALIVE.items())
        options = f"{params.get('options') or ''} {server_options}".strip()
        return psycopg.connect(
            self._conninfo or "",
            # Autocommit: an open transaction would pin a snapshot for as long as we lead.
            autocommit=True,
            connect_timeout=CONNECT_TIMEOUT_S,
            # Lets an operator see who leads: pg_locks joined with pg_stat_activity.
            application_name=f"{_APPLICATION_PREFIX}{self.process_id}"[:63],
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
            tcp_user_timeout=TCP_USER_TIMEOUT_MS,
            options=options,
        )

    def _try_acquire(self) -> bool:
        """Try to take the lock without waiting; False if someone holds it or PG is away."""
        try:
            if self._connection is None or self._connection.closed:
                self._connection = self._connect()
            row = self._connection.execute(
                "SELECT pg_try_advisory_lock(%s)", [SCHEDULER_LOCK_KEY]
            ).fetchone()
        except psycopg.Error as error:
            self._report_outage(error)
            self._close()
            return False
        self._outage_reported = False
        return bool(row and row[0])

    def _still_holding(self) -> bool:
        """Tell whether our session is alive and still holds the lock."""
        if self._connection is None:
            return False
        try:
            row = self._connection.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND granted"
                " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 1",
                [_LOCK_CLASSID, _LOCK_OBJID],
            ).fetchone()
        except psycopg.Error as error:
            self._report_outage(error)
            return False
        return bool(row and row[0])

    def _take_office(self) -> None:
        """Become the leader; step down again if the scheduler fails to start."""
        self._leader = True
        logger.info("scheduler leader elected: %s", self.process_id)
        try:
            self._on_elected()
        except Exception:
            logger.exception("scheduler failed to start; stepping down so another can try")
            self._leader = False
            self._call(self._on_deposed, "on_deposed")
            self._release()

    def _depose(self) -> None:
        """Stop leading after the lock or its connection was lost."""
        logger.warning("scheduler leadership lost: %s", self.process_id)
        self._leader = False
        # First stop the scheduler: another process may be taking over right now.
        self._call(self._on_deposed, "on_deposed")
        self._close()

    def _release(self) -> None:
        """Unlock explicitly (the next leader need not wait for our session to end), close."""
        if self._connection is not None and not self._connection.closed:
            # If this fails, closing the session below frees the lock all the same.
            with contextlib.suppress(psycopg.Error):
                self._connection.execute("SELECT pg_advisory_unlock(%s)", [SCHEDULER_LOCK_KEY])
        self._close()

    def _close(self) -> None:
        """Close the dedicated connection, if any; ending the session frees the lock."""
        connection, self._connection = self._connection, None
        if connection is not None:
            # A broken connection has nothing left to close.
            with contextlib.suppress(psycopg.Error):
                connection.close()

    def _report_outage(self, error: psycopg.Error) -> None:
        """Warn once per outage rather than at every check."""
        if not self._outage_reported:
            logger.warning("scheduler election cannot reach PostgreSQL: %s", error)
            self._outage_reported = True

    def _call(self, callback: Callable[[], None], name: str) -> None:
        """Run a callback; log its failure rather than kill the election thread."""
        try:
            callback()
        except Exception:
            logger.exception("scheduler leader %s callback failed", name)
