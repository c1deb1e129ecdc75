"""Role grants: the facilitators and coordinators named with `/cercle role grant`."""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Member, RoleGrant, utcnow


def get_grant(db: Session, user_id: str) -> RoleGrant | None:
    """Return the role granted to `user_id`, if any (read without a lock)."""
    return db.get(RoleGrant, user_id)


def all_grants(db: Session) -> list[RoleGrant]:
    """Return every grant, oldest first."""
    return list(db.scalars(select(RoleGrant).order_by(RoleGrant.granted_at, RoleGrant.user_id)))


def lock_grants(db: Session) -> dict[str, RoleGrant]:
    """Lock every grant row until the transaction ends and return them by user.

    Every grant or revoke takes these locks first, always in the same order (no
    deadlock), so two coordinators changing roles at once are serialized: the second
    sees what the first committed (on PostgreSQL a row deleted meanwhile is skipped; on
    SQLite, whose transactions begin IMMEDIATE, the second simply waits its turn).
    """
    rows = db.scalars(select(RoleGrant).order_by(RoleGrant.user_id).with_for_update())
    return {row.user_id: row for row in rows}


def save_grant(db: Session, *, user_id: str, role: str, granted_by: str) -> None:
    """Give `user_id` the role `role` (one row per member: a new grant replaces the old).

    An upsert: two coordinators granting the same newcomer at once must not make one of
    them fail on the primary key (on PostgreSQL that would abort the whole request).
    """
    values = {"role": role, "granted_by": granted_by, "granted_at": utcnow()}
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(RoleGrant).values(user_id=user_id, **values)
    db.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))
    cached = db.identity_map.get(inspect(RoleGrant).identity_key_from_primary_key((user_id,)))
    if cached is not None:
        db.expire(cached)


def delete_grant(db: Session, grant: RoleGrant) -> None:
    """Take a grant back."""
    db.delete(grant)
    db.flush()


def workspace_admin_ids(db: Session) -> list[str]:
    """Return the workspace admins and owners Cercle knows, active people only."""
    return list(
        db.scalars(
            select(Member.user_id)
            .where(
                Member.is_workspace_admin.is_(True),
                Member.is_bot.is_(False),
                Member.is_deleted.is_(False),
            )
            .order_by(Member.user_id)
        )
    )


def is_active_workspace_admin(db: Session, user_id: str) -> bool:
    """Tell whether `user_id` is a workspace admin or owner (per their stored profile)."""
    member = db.get(Member, user_id)
    return bool(
        member is not None
        and member.is_workspace_admin
        and not member.is_bot
        and not member.is_deleted
    )
