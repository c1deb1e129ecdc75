"""Bulk delivery benchmark: N DMs through the real bot, killed -9 half-way, against the stand-in.

    python -m bench.bulk_delivery [--db sqlite|postgresql|both] [-n 2000]

For each database: migrate a fresh one, enqueue N welcome DMs to N distinct members, start
the Slack stand-in here (3000 chat.postMessage a minute workspace-wide, 2 % injected 500s,
half of them after the message was stored), run `cercle run --no-migrate` as a
subprocess, `kill -9` it once half the messages have arrived, start it again, and wait
for the outbox to empty. Then check what the stand-in received: every member exactly one
copy, in a time close to what the rate limit allows. Exits 1 if any target is missed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import CERCLE, cercle_missing, on_each_database
from sandbox.slack import SlackStandIn, StandInConfig
from storage.db import make_engine, make_session_factory, transaction, upgrade_database
from storage.models import OutboxMessage, OutboxStatus
from storage.outbox import enqueue_message

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
POSTS_PER_MINUTE = 3000
FAIL_RATE = 0.02
TARGET_RATIO = 1.15
POLL_SECONDS = 0.1
# Reading the stand-in copies its messages under its lock; do it less often than the DB.
STANDIN_POLL_SECONDS = 0.25
# Past half-way, how long to wait for a moment when the bot holds claims before killing.
KILL_WAIT_SECONDS = 2.0


@dataclass
class Outcome:
    """What one run measured."""

    database: str
    n: int
    sent: int = 0
    duplicates: int = 0
    missing: int = 0
    failed_rows: int = 0
    elapsed: float = 0.0
    killed_at: int = 0
    left_sending: int = 0
    peak_rss_kib: list[int] = field(default_factory=list)
    adopted: int = 0
    faults: int = 0
    rate_limited: int = 0
    history_reads: int = 0
    note: str = ""

    @property
    def bound(self) -> float:
        """Seconds the workspace rate limit needs for N posts at the very least."""
        return self.n / (POSTS_PER_MINUTE / 60)

    @property
    def ratio(self) -> float:
        """Elapsed time over the rate-limit bound."""
        return self.elapsed / self.bound

    @property
    def ok(self) -> bool:
        """Tell whether the run met every target."""
        return (
            not self.note
            and self.duplicates == 0
            and self.missing == 0
            and self.ratio <= TARGET_RATIO
        )


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_rss_kib(pid: int) -> int | None:
    """Return a process's peak resident set size (VmHWM) in KiB, None once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class Bot:
    """The real bot as a subprocess, with its peak memory sampled while it runs."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self._env = env
        self._log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.peaks: list[int] = []

    def start(self) -> None:
        """Launch `cercle run --no-migrate` on a fresh port, logging to the results folder."""
        env = {**self._env, "PORT": str(_free_port())}
        with self._log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CERCLE), "run", "--no-migrate"],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.peaks.append(0)

    def sample(self) -> None:
        """Record the current process's peak RSS; fail if the bot died on its own."""
        assert self.process is not None
        peak = _peak_rss_kib(self.process.pid)
        if peak is not None:
            self.peaks[-1] = max(self.peaks[-1], peak)
        if self.process.poll() is not None:
            raise RuntimeError(
                f"the bot exited with code {self.process.returncode}; see {self._log_path}"
            )

    def kill(self) -> None:
        """SIGKILL the bot: no clean-up, claims left in `sending`."""
        assert self.process is not None
        self.sample()
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the bot the polite way (SIGTERM), then make sure it is gone."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _count(factory: sessionmaker[Session], *statuses: str) -> int:
    """Count outbox rows in any of `statuses`."""
    with transaction(factory) as db:
        return int(
            db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_(statuses))
            )
            or 0
        )


def _delivered(standin: SlackStandIn) -> int:
    """Count the members who received at least one message."""
    return len({m["channel"] for m in standin.messages()})


def run(database: str, n: int, database_url: str, work: Path) -> Outcome:
    """Run the benchmark once against `database_url` and return its measurements."""
    outcome = Outcome(database, n)
    standin = SlackStandIn(
        StandInConfig(postmessage_per_minute=POSTS_PER_MINUTE, fail_rate=FAIL_RATE, seed=2024)
    ).start()
    engine = make_engine(database_url)
    bot: Bot | None = None
    try:
        users = [f"UB{index:05d}" for index in range(n)]
        for user in users:
            standin.add_user(user, user.lower())
        upgrade_database(database_url)
        factory = make_session_factory(engine)
        with transaction(factory) as db:
            for user in users:
                enqueue_message(
                    db, key=f"bench:welcome:{user}", address=user, text="Bienvenue dans le Cercle"
                )

        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        log_path = RESULTS_DIR / f"bot-{database}.log"
        log_path.write_bytes(b"")
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": standin.config.bot_token,
            "SLACK_SIGNING_SECRET": "bench-secret",
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": database_url,
            # INFO: the dispatcher logs adoptions and reconciles, never each message.
            "CERCLE_LOG_LEVEL": "INFO",
        }
        env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, whatever the caller's shell has
        bot = Bot(env, log_path)
        time_limit = max(120.0, 5 * outcome.bound)

        started = time.monotonic()
        bot.start()
        next_standin_poll = started
        half_at: float | None = None
        while True:
            # Poll fast while waiting for a busy moment to kill, gently otherwise.
            time.sleep(0.005 if half_at is not None and not outcome.killed_at else POLL_SECONDS)
            bot.sample()
            now = time.monotonic()
            if outcome.killed_at:
                if not _count(factory, OutboxStatus.PENDING, OutboxStatus.SENDING):
                    break
            elif half_at is None:
                if now >= next_standin_poll:
                    next_standin_poll = now + STANDIN_POLL_SECONDS
                    if _delivered(standin) >= n / 2:
                        half_at = now
            elif _count(factory, OutboxStatus.SENDING) or now - half_at > KILL_WAIT_SECONDS:
                # Killed while it holds claims, so the crash leaves rows in doubt.
                bot.kill()
                outcome.killed_at = _delivered(standin)
                outcome.left_sending = _count(factory, OutboxStatus.SENDING)
                bot.start()
            if now - started > time_limit:
                outcome.note = f"outbox not empty after {time_limit:.0f} s"
                break
        outcome.elapsed = time.monotonic() - started
        bot.stop()

        copies = Counter(m["channel"] for m in standin.messages())
        per_user = [copies.get("D" + user[1:], 0) for user in users]
        outcome.sent = sum(1 for count in per_user if count >= 1)
        outcome.duplicates = sum(1 for count in per_user if count > 1)
        outcome.missing = sum(1 for count in per_user if count == 0)
        outcome.failed_rows = _count(factory, OutboxStatus.FAILED)
        outcome.peak_rss_kib = list(bot.peaks)
        posts = standin.calls("chat.postMessage")
        outcome.faults = sum(1 for call in posts if call["fault"])
        outcome.rate_limited = sum(1 for call in posts if call["status"] == 429)
        outcome.history_reads = len(standin.calls("conversations.history"))
        adoptions = re.findall(r"adopted (\d+) outbox rows", log_path.read_text(errors="replace"))
        outcome.adopted = sum(int(count) for count in adoptions)
    except RuntimeError as error:
        outcome.note = str(error)
    finally:
        if bot is not None:
            bot.stop()
        engine.dispose()
        standin.stop()
    return outcome


def _report(outcome: Outcome) -> None:
    """Print one run's figures."""
    peaks = outcome.peak_rss_kib or [0]
    print(f"--- {outcome.database}: {outcome.n} DMs, kill -9 after {outcome.killed_at} delivered")
    print(f"sent:             {outcome.sent}")
    print(f"duplicates:       {outcome.duplicates}")
    print(f"missing:          {outcome.missing}")
    print(f"failed rows:      {outcome.failed_rows}")
    print(
        f"along the way:    {outcome.faults} injected 500s, {outcome.rate_limited} answers 429, "
        f"{outcome.left_sending} rows left sending by the kill, "
        f"{outcome.adopted} adopted by the new bot, "
        f"{outcome.history_reads} history reads to reconcile"
    )
    print(f"elapsed:          {outcome.elapsed:.1f} s")
    print(f"rate-limit bound: {outcome.bound:.1f} s ({POSTS_PER_MINUTE} posts/min)")
    print(f"elapsed / bound:  {outcome.ratio:.3f} (target <= {TARGET_RATIO})")
    print(
        "peak RSS:         "
        + " + ".join(f"{kib / 1024:.0f}" for kib in peaks)
        + f" MiB (max {max(peaks) / 1024:.0f} MiB, sum {sum(peaks) / 1024:.0f} MiB)"
    )
    if outcome.note:
        print(f"problem:          {outcome.note}")
    print(f"result:           {'OK' if outcome.ok else 'TARGET MISSED'}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen databases; 0 only if every target was met."""
    parser = argparse.ArgumentParser(prog="python -m bench.bulk_delivery", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("-n", type=int, default=2000, help="number of DMs (default 2000)")
    args = parser.parse_args(argv)
    if args.n < 2:
        parser.error("-n must be at least 2")
    if cercle_missing():
        return 2

    def run_and_report(database: str, url: str, work: Path) -> Outcome:
        outcome = run(database, args.n, url, work)
        _report(outcome)
        return outcome

    outcomes = on_each_database(args.db, run_and_report)
    if outcomes is None:
        return 1
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
