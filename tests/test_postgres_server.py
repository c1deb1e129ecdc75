"""Tests for sandbox.postgres, the throwaway PostgreSQL server."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from sandbox import postgres
from sandbox.postgres import PostgresUnavailable, ThrowawayPostgres, find_pg_binaries

REPO_ROOT = Path(__file__).resolve().parents[1]


def require_binaries() -> None:
    """Skip without PostgreSQL binaries, except in CI where they are mandatory."""
    if find_pg_binaries() is None:
        message = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: they must be)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def server() -> Iterator[ThrowawayPostgres]:
    require_binaries()
    pg = ThrowawayPostgres().start()
    try:
        yield pg
    finally:
        pg.stop()


def port_accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def read_line(stream, timeout: float) -> str:
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, f"no output within {timeout}s"
    return stream.readline().decode().strip()


# -- binaries lookup ---------------------------------------------------------------


def make_fake_tools(directory: Path, names: tuple[str, ...]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        tool = directory / name
        tool.write_text("#!/bin/sh\nexit 0\n")
        tool.chmod(0o755)


def test_find_pg_binaries_prefers_path(tmp_path, monkeypatch):
    make_fake_tools(tmp_path / "partial", ("initdb", "pg_ctl"))
    make_fake_tools(tmp_path / "full", ("initdb", "pg_ctl", "postgres"))
    monkeypatch.setenv("PATH", f"{tmp_path / 'partial'}{os.pathsep}{tmp_path / 'full'}")
    assert find_pg_binaries() == tmp_path / "full"


def test_find_pg_binaries_falls_back_to_highest_debian_version(tmp_path, monkeypatch):
    for version in ("9.6", "15", "13"):
        make_fake_tools(tmp_path / version / "bin", ("initdb", "pg_ctl", "postgres"))
    (tmp_path / "not-a-version").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(postgres, "_DEBIAN_ROOT", tmp_path)
    assert find_pg_binaries() == tmp_path / "15" / "bin"


def test_find_pg_binaries_none_when_absent(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres, "_DEBIAN_ROOT", tmp_path / "missing")
    assert find_pg_binaries() is None


def test_start_without_binaries_raises(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(postgres, "_DEBIAN_ROOT", tmp_path / "missing")
    with pytest.raises(PostgresUnavailable, match="not found"):
        ThrowawayPostgres().start()


# -- a running server --------------------------------------------------------------


def test_default_database_and_two_more(server):
    assert server.url == f"postgresql+psycopg://{server.user}@127.0.0.1:{server.port}/cercle"
    named = server.create_database("cercle_named")
    unnamed = server.create_database()
    assert named.endswith("/cercle_named")
    assert len({server.url, named, unnamed}) == 3
    for url in (server.url, named, unnamed):
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("select 1")).scalar_one() == 1
                assert url.endswith("/" + conn.execute(text("select current_database()")).scalar())
        finally:
            engine.dispose()


def test_server_is_tuned_for_throwaway_use(server):
    engine = create_engine(server.url)
    try:
        with engine.connect() as conn:
            setting = lambda name: conn.execute(text(f"show {name}")).scalar_one()  # noqa: E731
            assert setting("fsync") == "off"
            assert setting("synchronous_commit") == "off"
            assert setting("full_page_writes") == "off"
            assert int(setting("max_connections")) >= 200
            assert setting("listen_addresses") == "127.0.0.1"
            assert setting("server_encoding") == "UTF8"
    finally:
        engine.dispose()
    assert server.log_path.exists()


def test_for_update_skip_locked(server):
    engine = create_engine(server.create_database())
    try:
        with engine.begin() as conn:
            conn.execute(text("create table jobs (id int primary key)"))
            conn.execute(text("insert into jobs values (1), (2), (3)"))
        claim = text("select id from jobs order by id limit 1 for update skip locked")
        with engine.connect() as worker_a, engine.connect() as worker_b:
            with worker_a.begin():
                assert worker_a.execute(claim).scalar_one() == 1
                with worker_b.begin():
                    assert worker_b.execute(claim).scalar_one() == 2
                # Row 1 really is locked: a NOWAIT grab of it must fail, not skip.
                with pytest.raises(OperationalError), worker_b.begin():
                    worker_b.execute(text("select id from jobs where id = 1 for update nowait"))
            with worker_b.begin():
                assert worker_b.execute(claim).scalar_one() == 1
    finally:
        engine.dispose()


def test_advisory_locks(server):
    engine = create_engine(server.url)
    try:
        with engine.connect() as a, engine.connect() as b:
            try_lock = text("select pg_try_advisory_lock(4242)")
            assert a.execute(try_lock).scalar_one() is True
            assert b.execute(try_lock).scalar_one() is False
            assert a.execute(text("select pg_advisory_unlock(4242)")).scalar_one() is True
            assert b.execute(try_lock).scalar_one() is True
            b.execute(text("select pg_advisory_unlock_all()"))
    finally:
        engine.dispose()


def test_drop_database_terminates_open_connections(server):
    url = server.create_database()
    name = url.rsplit("/", 1)[1]
    engine = create_engine(url)
    try:
        held = engine.connect()
        held.execute(text("select 1"))
        server.drop_database(name)
        server.drop_database(name)  # already gone: no error
    finally:
        engine.dispose()
    check = create_engine(server.url)
    try:
        with check.connect() as conn:
            found = conn.execute(
                text("select count(*) from pg_database where datname = :n"), {"n": name}
            ).scalar_one()
        assert found == 0
    finally:
        check.dispose()


# -- lifecycle ---------------------------------------------------------------------


def test_stop_closes_port_and_removes_temp_dir():
    require_binaries()
    with ThrowawayPostgres() as pg:
        port, directory = pg.port, pg.directory
        assert port_accepts(port)
        engine = create_engine(pg.create_database())
        with engine.connect() as conn:
            assert conn.execute(text("select 1")).scalar_one() == 1
    engine.dispose()
    assert not port_accepts(port)
    assert not directory.exists()
    pg.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = pg.url


def test_start_failure_reports_server_log(monkeypatch):
    require_binaries()
    seen: list[Path] = []
    original = ThrowawayPostgres._write_config

    def broken_config(self: ThrowawayPostgres) -> None:
        original(self)
        seen.append(self.directory)
        with (self.directory / "data" / "postgresql.conf").open("a") as conf:
            conf.write("no_such_setting_for_cercle = 1\n")

    monkeypatch.setattr(ThrowawayPostgres, "_write_config", broken_config)
    with pytest.raises(PostgresUnavailable, match="no_such_setting_for_cercle"):
        ThrowawayPostgres().start()
    assert seen and not seen[0].exists()


def test_owner_killed_leaves_no_server_behind():
    require_binaries()
    script = (
        "import os, signal\n"
        "from sandbox.postgres import ThrowawayPostgres\n"
        "pg = ThrowawayPostgres().start()\n"
        "print(pg.port, pg.directory, flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    port_text, directory_text = proc.stdout.split()
    directory = Path(directory_text)
    assert wait_for(lambda: not port_accepts(int(port_text)) and not directory.exists())


def test_command_line_runs_until_sigterm():
    require_binaries()
    with subprocess.Popen(
        [sys.executable, "-m", "sandbox.postgres"],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    ) as proc:
        try:
            url = read_line(proc.stdout, timeout=60)
            assert url.startswith("postgresql+psycopg://"), url
            engine = create_engine(url)
            with engine.connect() as conn:
                assert conn.execute(text("select 1")).scalar_one() == 1
            engine.dispose()
            port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=60) == 0
            assert not port_accepts(port)
        finally:
            if proc.poll() is None:
                proc.kill()
