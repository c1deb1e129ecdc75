"""Throwaway PostgreSQL servers for tests, the demo's optional PG mode and benchmarks.

A server lives in its own temp dir (data, logs and unix socket), listens only on
127.0.0.1 and trades every bit of durability for start-up and write speed. It is
gone when its owner calls ``stop()``, exits normally (atexit) or dies abruptly (a
watchdog process notices the owner's end and cleans up).

Run ``python -m sandbox.postgres`` for one by hand: it prints the URL and keeps the
server until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import atexit
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

__all__ = ["PostgresUnavailable", "ThrowawayPostgres", "find_pg_binaries"]

SUPERUSER = "cercle"
DEFAULT_DATABASE = "cercle"

_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")
_DEBIAN_ROOT = Path("/usr/lib/postgresql")
# Used only when we are root and neither "postgres" nor "nobody" exists.
_FALLBACK_SYSTEM_USER = "cercle-pg"
_START_ATTEMPTS = 3
_READY_TIMEOUT_S = 30.0
_LOG_TAIL_LINES = 40
# sun_path is 108 bytes on Linux; longer socket paths make the postmaster refuse to start.
_MAX_SOCKET_PATH = 100

# Runs in a separate session so a Ctrl-C or SIGKILL aimed at the owner cannot reach it.
# It blocks on a pipe whose only writer is the owner, so EOF means the owner is gone
# (or has finished stop()); whatever server and temp dir are left get cleaned up then.
_WATCHDOG_SOURCE = """
import json, os, shutil, subprocess, sys
spec = json.loads(sys.argv[1])
sys.stdin.buffer.read()
try:
    if os.path.exists(spec["pidfile"]):
        subprocess.run(spec["stop"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, cwd="/", env=spec["env"], timeout=60,
                       **spec["as_user"])
finally:
    shutil.rmtree(spec["dir"], ignore_errors=True)
"""


class PostgresUnavailable(RuntimeError):
    """Raised when no server can be had: binaries missing or start-up failed."""


def find_pg_binaries() -> Path | None:
    """Return the directory holding initdb, pg_ctl and postgres, or None."""
    candidates = [Path(p) for p in os.environ.get("PATH", "").split(os.pathsep) if p]
    candidates += _debian_bin_dirs()
    for directory in candidates:
        if all(_is_executable(directory / name) for name in _REQUIRED_BINARIES):
            return directory
    return None


def _debian_bin_dirs() -> list[Path]:
    """List /usr/lib/postgresql/<version>/bin directories, highest version first."""
    try:
        versions = [p for p in _DEBIAN_ROOT.iterdir() if re.fullmatch(r"\d+(\.\d+)*", p.name)]
    except OSError:
        return []
    versions.sort(key=lambda p: tuple(int(part) for part in p.name.split(".")), reverse=True)
    return [p / "bin" for p in versions]


def _is_executable(path: Path) -> bool:
    """Tell whether path is an executable regular file."""
    # Path.is_file() raises on EACCES, e.g. a PATH entry under another user's home.
    try:
        return path.is_file() and os.access(path, os.X_OK)
    except OSError:
        return False


@dataclass(frozen=True)
class _Identity:
    """The OS account the server processes run as."""

    name: str
    uid: int
    gid: int
    switch: bool = field(default=False)

    def popen_kwargs(self) -> dict[str, Any]:
        """Return subprocess keyword arguments that drop to this account."""
        if not self.switch:
            return {}
        # extra_groups=[] clears root's supplementary groups as well.
        return {"user": self.uid, "group": self.gid, "extra_groups": []}


def _server_identity() -> _Identity:
    """Pick the account to run initdb/postgres as; they refuse to run as root."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return _Identity(me.pw_name, me.pw_uid, os.getegid())
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return _Identity(name, entry.pw_uid, entry.pw_gid, switch=True)
    return _create_system_user(_FALLBACK_SYSTEM_USER)


def _create_system_user(name: str) -> _Identity:
    """Create an unprivileged system account for the server and return it."""
    try:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ],
            check=True,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise PostgresUnavailable(
            f"running as root and no unprivileged user to run PostgreSQL as; "
            f"creating system user {name!r} failed: {exc}"
        ) from exc
    entry = pwd.getpwnam(name)
    return _Identity(name, entry.pw_uid, entry.pw_gid, switch=True)


def _child_env() -> dict[str, str]:
    """Return the environment for server processes, free of the caller's PG* settings."""
    # PGDATA, PGPORT and friends would silently redirect pg_ctl or the server.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    # English messages so the log tail in errors (and our bind-failure check) read the same.
    env["LC_ALL"] = "C"
    return env


def _lc_ctype() -> str:
    """Return the character-classification locale for the cluster."""
    # C.UTF-8 makes lower()/upper()/ILIKE handle non-ASCII like production does, while
    # collation stays "C" for speed; fall back where the locale is not installed.
    has_c_utf8 = any(Path("/usr/lib/locale", n).is_dir() for n in ("C.utf8", "C.UTF-8"))
    return "C.UTF-8" if has_c_utf8 else "C"


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    """Return the last lines of a text file, or a note that it cannot be read."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"({path} unreadable: {exc})"
    return "\n".join(text.splitlines()[-lines:])


def _conf_quote(value: str) -> str:
    """Quote a value for postgresql.conf."""
    return "'" + value.replace("'", "''") + "'"


class ThrowawayPostgres:
    """A disposable PostgreSQL server in a temp dir, reachable on 127.0.0.1."""

    def __init__(self, *, base_dir: Path | None = None) -> None:
        """Prepare a server whose temp dir will be created under base_dir (or $TMPDIR)."""
        self._base_dir = Path(base_dir) if base_dir is not None else None
        self._bin: Path | None = None
        self._dir: Path | None = None
        self._identity: _Identity | None = None
        self._port: int | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._owner_pid = os.getpid()
        self.user = SUPERUSER

    # -- public API ---------------------------------------------------------------

    @property
    def port(self) -> int:
        """Return the TCP port the running server listens on."""
        if self._port is None:
            raise RuntimeError("PostgreSQL server is not running; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """Return the SQLAlchemy URL of the default database."""
        return self.url_for(DEFAULT_DATABASE)

    @property
    def directory(self) -> Path:
        """Return the server's temp dir (data, logs, unix socket)."""
        if self._dir is None:
            raise RuntimeError("PostgreSQL server is not running; call start() first")
        return self._dir

    @property
    def log_path(self) -> Path:
        """Return the path of the server log."""
        return self.directory / "server.log"

    def url_for(self, name: str) -> str:
        """Return the SQLAlchemy URL of database name on this server."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{quote(name, safe='')}"

    def start(self) -> ThrowawayPostgres:
        """Initialise and start the server, then create the default database."""
        if self._port is not None:
            return self
        bin_dir = find_pg_binaries()
        if bin_dir is None:
            raise PostgresUnavailable(
                "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH "
                f"or under {_DEBIAN_ROOT}/<version>/bin; install them (Debian: postgresql)"
            )
        self._bin = bin_dir
        self._identity = _server_identity()
        if self._base_dir is not None:
            self._base_dir.mkdir(parents=True, exist_ok=True)
        self._dir = Path(tempfile.mkdtemp(prefix="cercle-pg-", dir=self._base_dir))
        self._owner_pid = os.getpid()
        atexit.register(self._stop_at_exit)
        try:
            if self._identity.switch:
                os.chown(self._dir, self._identity.uid, self._identity.gid)
            self._initdb()
            self._write_config()
            # Before the server exists, so no moment is left where a crash could leak it.
            self._watchdog = self._spawn_watchdog()
            self._port = self._launch()
            self._wait_until_ready()
            self._admin_execute(
                sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DEFAULT_DATABASE))
            )
        except BaseException as exc:
            tail = _tail(self._dir / "server.log") if self._dir else ""
            self.stop()
            if isinstance(exc, PostgresUnavailable | KeyboardInterrupt | SystemExit):
                raise
            raise PostgresUnavailable(
                f"PostgreSQL start-up failed: {exc}\n--- server log tail ---\n{tail}"
            ) from exc
        return self

    def stop(self) -> None:
        """Stop the server immediately and remove its temp dir; safe to call twice."""
        directory = self._dir
        if directory is None:
            return
        atexit.unregister(self._stop_at_exit)
        try:
            if (directory / "data" / "postmaster.pid").exists():
                self._shutdown_server(directory / "data")
        finally:
            shutil.rmtree(directory, ignore_errors=True)
            self._dir = None
            self._port = None
            self._release_watchdog()

    def create_database(self, name: str | None = None) -> str:
        """Create a new database (a unique name when None) and return its URL."""
        name = name or f"cercle_{uuid.uuid4().hex[:12]}"
        self._admin_execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, first terminating every connection to it."""
        with self._admin_connect() as conn:
            # Pooled SQLAlchemy connections would otherwise make DROP DATABASE fail.
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            # FORCE (PG 13+) also covers connections that arrive after the terminate.
            force = sql.SQL(" WITH (FORCE)" if conn.info.server_version >= 130000 else "")
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}{}").format(sql.Identifier(name), force)
            )

    def __enter__(self) -> ThrowawayPostgres:
        """Start the server (if not already running) for a with-block."""
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server at the end of a with-block."""
        self.stop()

    # -- start-up steps -----------------------------------------------------------

    def _run(self, args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL tool as the server account, capturing its output."""
        assert self._dir is not None and self._identity is not None
        try:
            return subprocess.run(
                args,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                # Our own cwd may be unreadable for the server account (e.g. under /root).
                cwd=self._dir,
                env=_child_env(),
                timeout=timeout,
                # Keeps a terminal's Ctrl-C away from the postmaster: shutdown is ours to do.
                start_new_session=True,
                **self._identity.popen_kwargs(),
            )
        except (OSError, subprocess.SubprocessError) as exc:
            raise PostgresUnavailable(f"running {args[0]} failed: {exc}") from exc

    def _initdb(self) -> None:
        """Create the cluster with trust auth and no fsync (it is thrown away anyway)."""
        assert self._bin is not None and self._dir is not None and self._identity is not None
        result = self._run(
            [
                str(self._bin / "initdb"),
                "--pgdata",
                str(self._dir / "data"),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--lc-ctype",
                _lc_ctype(),
                "--no-sync",
            ],
            timeout=120,
        )
        log = self._dir / "initdb.log"
        log.write_text(result.stdout)
        if result.returncode != 0:
            hint = ""
            if self._identity.switch:
                hint = (
                    f" (running as OS user {self._identity.name!r}, which must be able "
                    f"to reach {self._dir})"
                )
            raise PostgresUnavailable(
                f"initdb failed with exit code {result.returncode}{hint}:\n{_tail(log)}"
            )

    def _write_config(self) -> None:
        """Append the throwaway-server settings to postgresql.conf."""
        assert self._dir is not None
        socket_dir = str(self._dir)
        if len(socket_dir) + len("/.s.PGSQL.65535.lock") > _MAX_SOCKET_PATH:
            socket_dir = ""  # TCP only: a too-long socket path would abort start-up.
        settings = {
            "listen_addresses": _conf_quote("127.0.0.1"),
            "unix_socket_directories": _conf_quote(socket_dir),
            "max_connections": "200",
            # Durability is worthless for a server that is deleted after use.
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "timezone": _conf_quote("UTC"),
            "log_timezone": _conf_quote("UTC"),
        }
        lines = ["", "# Added by sandbox.postgres for a throwaway server."]
        lines += [f"{key} = {value}" for key, value in settings.items()]
        with (self._dir / "data" / "postgresql.conf").open("a") as conf:
            conf.write("\n".join(lines) + "\n")

    def _spawn_watchdog(self) -> subprocess.Popen[bytes]:
        """Start the process that cleans up if this one dies without calling stop()."""
        assert self._dir is not None and self._identity is not None
        spec = {
            "dir": str(self._dir),
            "pidfile": str(self._dir / "data" / "postmaster.pid"),
            "stop": self._stop_command(self._dir / "data"),
            "env": _child_env(),
            "as_user": self._identity.popen_kwargs(),
        }
        return subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _WATCHDOG_SOURCE, json.dumps(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd="/",
            start_new_session=True,
        )

    def _launch(self) -> int:
        """Start the postmaster on a free port and return the port."""
        assert self._bin is not None and self._dir is not None
        log = self._dir / "server.log"
        for attempt in range(1, _START_ATTEMPTS + 1):
            port = _free_port()
            result = self._run(
                [
                    str(self._bin / "pg_ctl"),
                    "--pgdata",
                    str(self._dir / "data"),
                    "--log",
                    str(log),
                    "--wait",
                    "--timeout",
                    str(int(_READY_TIMEOUT_S)),
                    "--options",
                    f"-p {port}",
                    "start",
                ],
                timeout=_READY_TIMEOUT_S + 10,
            )
            if result.returncode == 0:
                return port
            tail = _tail(log)
            # Another process may grab the port between our probe and the server's bind.
            if "could not bind" in tail and attempt < _START_ATTEMPTS:
                continue
            raise PostgresUnavailable(
                f"pg_ctl start failed with exit code {result.returncode}: "
                f"{result.stdout.strip()}\n--- server log tail ({log}) ---\n{tail}"
            )
        raise AssertionError("unreachable")

    def _wait_until_ready(self) -> None:
        """Block until the server accepts TCP connections."""
        deadline = time.monotonic() + _READY_TIMEOUT_S
        while True:
            try:
                with self._admin_connect():
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise PostgresUnavailable(
                        f"server did not accept connections within {_READY_TIMEOUT_S:.0f}s: {exc}"
                    ) from exc
                time.sleep(0.05)

    # -- shutdown -----------------------------------------------------------------

    def _stop_command(self, data_dir: Path) -> list[str]:
        """Return the pg_ctl command that stops the server without a checkpoint."""
        assert self._bin is not None
        return [
            str(self._bin / "pg_ctl"),
            "--pgdata",
            str(data_dir),
            "--mode",
            "immediate",
            "--wait",
            "--timeout",
            "30",
            "stop",
        ]

    def _shutdown_server(self, data_dir: Path) -> None:
        """Stop the postmaster, killing it outright if pg_ctl cannot."""
        try:
            result = self._run(self._stop_command(data_dir), timeout=40)
            if result.returncode == 0:
                return
        except PostgresUnavailable:
            pass
        # Last resort so a broken pg_ctl never leaves a server listening.
        try:
            pid = int((data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError):
            pass

    def _release_watchdog(self) -> None:
        """Let the watchdog exit now that the server and temp dir are gone."""
        watchdog, self._watchdog = self._watchdog, None
        if watchdog is None:
            return
        if watchdog.stdin is not None:
            watchdog.stdin.close()
        try:
            watchdog.wait(timeout=30)
        except subprocess.TimeoutExpired:
            watchdog.kill()
            watchdog.wait()

    def _stop_at_exit(self) -> None:
        """Stop the server at interpreter exit, but only in the process that started it."""
        # A forked child inherits the atexit hook; it must not kill its parent's server.
        if os.getpid() == self._owner_pid:
            self.stop()

    # -- admin connections --------------------------------------------------------

    def _admin_connect(self) -> psycopg.Connection[Any]:
        """Open an autocommit connection to the maintenance database."""
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            dbname="postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def _admin_execute(self, statement: sql.Composable) -> None:
        """Run one statement outside a transaction (CREATE DATABASE needs that)."""
        with self._admin_connect() as conn:
            conn.execute(statement)


def main() -> int:
    """Start a server, print its URL and keep it until SIGINT/SIGTERM/SIGHUP."""
    stop_signals = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}
    try:
        server = ThrowawayPostgres().start()
    except PostgresUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    with server:
        # Blocked only after start-up because children inherit the mask and the postmaster
        # must keep its own signal handling; blocked before printing so that a script that
        # reads the URL and signals at once still gets an orderly stop. They stay blocked
        # through stop() so a second Ctrl-C cannot cut the clean-up short.
        signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
        print(server.url, flush=True)
        print(
            f"logs in {server.directory}; Ctrl-C or SIGTERM stops the server",
            file=sys.stderr,
            flush=True,
        )
        signal.sigwait(stop_signals)
    return 0


if __name__ == "__main__":
    sys.exit(main())
