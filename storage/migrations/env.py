"""Alembic environment: runs migrations against the URL the CLI or tests give it."""

from __future__ import annotations

from alembic import context
from sqlalchemy.pool import NullPool

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata


# Tables that exist in the database but not in our models: APScheduler's job table is
# created by migration 0002 and used through APScheduler, not through the ORM.
FOREIGN_TABLES = {"apscheduler_jobs"}


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Keep autogenerate from proposing to drop tables that are not ORM models."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


def run_migrations() -> None:
    """Run migrations online, in batch mode on SQLite so ALTERs work there too."""
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
