"""The migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from storage.models import Base


def test_migrations_match_the_models(database_url):
    """Upgraded to head (the fixture's database), nothing differs from the models."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    # APScheduler's job table is made by APScheduler, not described by our models.
    assert [d for d in differences if "apscheduler_jobs" not in str(d)] == []
