"""Member profile operations: what Cercle keeps to address each member properly."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import inspect
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Member, utcnow

PROFILE_MAX_AGE = timedelta(days=7)


def get_member(db: Session, user_id: str) -> Member | None:
    """Return the stored profile of `user_id`, if any."""
    return db.get(Member, user_id)


def profile_is_fresh(member: Member | None, *, now: datetime | None = None) -> bool:
    """Tell whether a stored profile is recent enough to skip asking Slack again."""
    if member is None:
        return False
    return (now or utcnow()) - member.refreshed_at < PROFILE_MAX_AGE


def save_profile(
    db: Session,
    user_id: str,
    *,
    display_name: str | None,
    locale: str | None,
    timezone: str | None,
    is_bot: bool = False,
    is_guest: bool = False,
    is_deleted: bool = False,
    is_workspace_admin: bool = False,
) -> None:
    """Create or refresh the profile of `user_id` from what Slack says of them.

    An upsert, because two first requests of one member can race: a plain INSERT would
    fail one of them (and, on PostgreSQL, abort its whole transaction).
    """
    values = {
        "display_name": (display_name or "")[:255] or None,
        "locale": (locale or "")[:16] or None,
        "timezone": (timezone or "")[:64] or None,
        "is_bot": is_bot,
        "is_guest": is_guest,
        "is_deleted": is_deleted,
        "is_workspace_admin": is_workspace_admin,
        "refreshed_at": utcnow(),
    }
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Member).values(user_id=user_id, **values)
    db.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))
    # The session may hold this member already (identity map): make it re-read.
    cached = db.identity_map.get(inspect(Member).identity_key_from_primary_key((user_id,)))
    if cached is not None:
        db.expire(cached)
