"""The real bot as a separate OS process (`cercle run` in HTTP mode), as it is deployed.

Tests that need what only separate processes show (two processes sharing one PostgreSQL,
a `kill -9` in the middle of work) start the bot with `BotProcess` rather than in the test
process: its own interpreter, its own connections, its own scheduler and dispatcher.

    bot = BotProcess(bot_environment(standin, database_url, secret), log_path).start()
    bot.wait_ready()
    ... bot.events_url ...
    bot.kill()  # SIGKILL: no clean-up at all
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from sandbox.slack import SlackStandIn

ROOT = Path(__file__).resolve().parent.parent
READY_TIMEOUT_S = 30.0
_LOG_TAIL_CHARS = 4000


class BotProcessError(RuntimeError):
    """The bot process did not start, or died on its own; the message ends with its log."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_environment(
    standin: SlackStandIn, database_url: str, signing_secret: str, **settings: str
) -> dict[str, str]:
    """Return the environment of a bot process in HTTP mode talking to `standin`.

    `settings` are more variables (`CERCLE_WORKING_HOURS="off"`); they win over the
    defaults here, which put the stand-in's users U0ALICE as coordinator and
    C0COMMUNITY / C0COORD as the community's channels.
    """
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": standin.config.bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": standin.api_url,
        "DATABASE_URL": database_url,
        "CERCLE_COMMUNITY_CHANNEL": "C0COMMUNITY",
        "CERCLE_COORDINATORS_CHANNEL": "C0COORD",
        "CERCLE_ADMINS": "U0ALICE",
        "CERCLE_LOG_LEVEL": "INFO",
        **settings,
    }
    # HTTP mode whatever the caller's shell has.
    env.pop("SLACK_APP_TOKEN", None)
    return env


class BotProcess:
    """`cercle run` in a child process, serving HTTP on a port of its own."""

    def __init__(
        self,
        env: Mapping[str, str],
        log_path: Path,
        *,
        migrate: bool = True,
        name: str = "bot",
    ) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.migrate = migrate
        self.name = name
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> BotProcess:
        """Launch the process on a fresh port (returns at once; see `wait_ready`)."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"{self.name} is already running")
        self.port = free_port()
        command = [sys.executable, "-m", "bot.cli", "run", "--port", str(self.port)]
        if not self.migrate:
            command.append("--no-migrate")
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT_S) -> float:
        """Wait until /healthz answers 200; return how long it took since now."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            self.check_alive()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return time.monotonic() - began
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.05)
        raise BotProcessError(
            f"{self.name} did not answer /healthz in {timeout:.0f} s{self._tail()}"
        )

    def check_alive(self) -> None:
        """Raise if the process exited on its own."""
        if self.process is None:
            raise BotProcessError(f"{self.name} was never started")
        code = self.process.poll()
        if code is not None:
            raise BotProcessError(f"{self.name} exited with code {code}{self._tail()}")

    @property
    def pid(self) -> int:
        """Return the OS process id."""
        assert self.process is not None
        return self.process.pid

    @property
    def url(self) -> str:
        """Return the base URL, e.g. http://127.0.0.1:PORT."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        """Return the URL Slack posts events, commands and interactions to."""
        return f"{self.url}/slack/events"

    @property
    def running(self) -> bool:
        """Tell whether the process is still alive."""
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the process and reap it: no clean-up, claims and locks left as they are."""
        if self.running:
            assert self.process is not None
            self.process.send_signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the process the polite way (SIGTERM), then make sure it is gone."""
        if not self.running:
            return
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def log(self) -> str:
        """Return what the process wrote so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def _tail(self) -> str:
        text = self.log()[-_LOG_TAIL_CHARS:]
        return f"; its log ({self.log_path}) ends with:\n{text}" if text else ""
