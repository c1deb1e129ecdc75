"""The `cercle` command line: migrations, status and the demo, as a person runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _cercle(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 120):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CERCLE_"))}
    clean.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**clean, "PYTHONPATH": str(REPO), **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_db_upgrade_then_status_on_the_default_sqlite_file(tmp_path):
    """`cercle db upgrade` creates cercle.db in the working directory; status reads it."""
    upgrade = _cercle("db", "upgrade", cwd=tmp_path)
    assert upgrade.returncode == 0, upgrade.stderr
    assert (tmp_path / "cercle.db").exists()
    status = _cercle("status", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    assert "queue depth:        0" in status.stdout
    assert "oldest pending:     -" in status.stdout


def test_status_before_migrations_says_what_to_do(tmp_path):
    """`cercle status` on an empty database suggests `cercle db upgrade`."""
    status = _cercle("status", cwd=tmp_path)
    assert status.returncode == 1
    assert "cercle db upgrade" in status.stderr
    assert "Traceback" not in status.stderr


def test_demo_plays_every_scene_and_exits_zero(tmp_path):
    """`cercle demo` needs nothing but itself and prints a readable transcript."""
    demo = _cercle("demo", cwd=tmp_path, timeout=120)
    assert demo.returncode == 0, demo.stderr
    out = demo.stdout
    assert "Alice types: /cercle help" in out
    assert "Cercle : l'aide" in out
    assert "Cercle: help" in out
    assert "I don't know the command `sondage`" in out
    assert "Only the community's coordinators can do that." in out
    assert "Replies in the thread: 1" in out
    assert "Copies in Bob's DM: 1" in out
    assert "Bienvenue dans la communauté, Diane Petit !" in out
    assert "Accueil pris en charge par @Alice" in out
    assert "Souhaitons la bienvenue à @Diane" in out
    assert "Vous avez accepté la charte (version 2)" in out
    assert "== L'outil de la semaine ==" in out
    assert "Visits recorded for this tool: 1" in out
    assert "New DMs for Diane: 0" in out
    assert "Un outil que vous n'avez pas encore ouvert" in out
    assert "New DMs for Bob: 0" in out
    assert "made you facilitator" in out
    assert "cercle-my-data" in out
    assert "Records under Diane's id" in out
    assert "Demo finished" in out
