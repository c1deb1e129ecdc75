"""What every benchmark's command line does: run on SQLite, then on a throwaway PostgreSQL."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sandbox.postgres import PostgresUnavailable, ThrowawayPostgres

# The `cercle` command of the running virtualenv: the benchmarks run the bot as Slack
# would meet it, as its own process.
CERCLE = Path(sys.executable).parent / "cercle"

Outcome = TypeVar("Outcome")


def cercle_missing() -> bool:
    """Say so on stderr and return True when the `cercle` command is not installed."""
    if CERCLE.exists():
        return False
    print(f"error: {CERCLE} not found; run `make` or `pip install -e .` first", file=sys.stderr)
    return True


def on_each_database(
    choice: str, run_one: Callable[[str, str, Path], Outcome]
) -> list[Outcome] | None:
    """Call `run_one(database, url, work_dir)` for SQLite and/or a throwaway PostgreSQL.

    `choice` is "sqlite", "postgresql" or "both". Returns the outcomes in that order, or
    None when PostgreSQL was asked for and could not start (said on stderr).
    """
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="cercle-bench-") as work_dir:
        work = Path(work_dir)
        if choice in ("sqlite", "both"):
            outcomes.append(run_one("sqlite", f"sqlite:///{work / 'bench.db'}", work))
        if choice in ("postgresql", "both"):
            try:
                server = ThrowawayPostgres().start()
            except PostgresUnavailable as error:
                print(f"error: PostgreSQL unavailable: {error}", file=sys.stderr)
                return None
            try:
                outcomes.append(run_one("postgresql", server.create_database(), work))
            finally:
                server.stop()
    return outcomes
