"""Exactly-once bookkeeping for Events API deliveries."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import ProcessedEvent, utcnow


def record_event_once(db: Session, *, event_id: str, event_type: str) -> bool:
    """Record that `event_id` takes effect in this transaction; False if it already did.

    The primary key is the guard, so two processes receiving the same redelivery race
    on the database, not on memory: the loser's insert waits for the winner's commit
    and then finds the row.
    """
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ProcessedEvent)
        .values(event_id=event_id[:64], event_type=event_type[:64], received_at=utcnow())
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(ProcessedEvent.event_id)
    )
    return db.execute(statement).first() is not None
