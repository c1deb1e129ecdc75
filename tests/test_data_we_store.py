"""The README's "Data we store" covers every table the bot keeps."""

from __future__ import annotations

from pathlib import Path

from storage.models import Base

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_table_is_listed_with_its_purpose():
    """Each table (ours and APScheduler's) has a row in "Data we store"."""
    section = README.read_text().split("## Data we store", 1)[1]
    tables = set(Base.metadata.tables) | {"apscheduler_jobs"}
    missing = sorted(name for name in tables if f"| `{name}` |" not in section)
    assert missing == []
