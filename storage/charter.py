"""Charter versions and acceptances."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import CharterAcceptance, CharterVersion, utcnow
from storage.participation import CHARTER_ACCEPTANCE, record

HOPES_MAX_LENGTH = 500


def current_charter(db: Session) -> CharterVersion:
    """Return the newest charter version (version 1 ships with the first migration)."""
    charter = db.scalar(select(CharterVersion).order_by(CharterVersion.version.desc()).limit(1))
    if charter is None:
        raise LookupError("no charter version: run 'cercle db upgrade'")
    return charter


def get_charter(db: Session, version: int) -> CharterVersion | None:
    """Return charter `version`, if it exists."""
    return db.get(CharterVersion, version)


def binding_version(db: Session) -> int:
    """Return the oldest version whose acceptance still counts as accepting the charter.

    That is the newest version that asked for re-acceptance: later versions were
    wording fixes that members who accepted it need not accept again.
    """
    version = db.scalar(
        select(func.max(CharterVersion.version)).where(
            CharterVersion.requires_reacceptance.is_(True)
        )
    )
    return int(version or 1)


def latest_acceptance(db: Session, user_id: str) -> CharterAcceptance | None:
    """Return the member's most recent acceptance, if any."""
    return db.scalar(
        select(CharterAcceptance)
        .where(CharterAcceptance.user_id == user_id)
        .order_by(CharterAcceptance.version.desc())
        .limit(1)
    )


def charter_standing(db: Session, user_id: str) -> tuple[CharterAcceptance | None, bool]:
    """Return the member's latest acceptance and whether it covers the charter in force."""
    accepted = latest_acceptance(db, user_id)
    return accepted, accepted is not None and accepted.version >= binding_version(db)


def has_accepted_current(db: Session, user_id: str) -> bool:
    """Tell whether the member's acceptance covers the charter in force."""
    return charter_standing(db, user_id)[1]


def record_acceptance(
    db: Session,
    *,
    user_id: str,
    version: int,
    hopes: str | None = None,
    interests: list[str] | None = None,
    may_introduce: bool = False,
    now: datetime | None = None,
) -> bool:
    """Record that `user_id` accepted `version`; False if they already had (nothing changes).

    A first acceptance is also an act of participation, named as migration 0012 named
    the acceptances made before participation was recorded.
    """
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    accepted_at = now or utcnow()
    statement = (
        insert(CharterAcceptance)
        .values(
            user_id=user_id,
            version=version,
            accepted_at=accepted_at,
            hopes=(hopes or "").strip()[:HOPES_MAX_LENGTH] or None,
            interests=list(interests or []),
            may_introduce=may_introduce,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "version"])
        .returning(CharterAcceptance.id)
    )
    if db.execute(statement).first() is None:
        return False
    record(
        db,
        source_key=f"charter:{user_id}:v{version}",
        user_id=user_id,
        kind=CHARTER_ACCEPTANCE,
        occurred_at=accepted_at,
    )
    return True


def publish_charter(
    db: Session,
    *,
    author_id: str,
    text_fr: str,
    text_en: str,
    summary_fr: str,
    summary_en: str,
    requires_reacceptance: bool,
) -> CharterVersion:
    """Save a new charter version after the current one and return it."""
    charter = CharterVersion(
        version=current_charter(db).version + 1,
        text_fr=text_fr,
        text_en=text_en,
        summary_fr=summary_fr,
        summary_en=summary_en,
        requires_reacceptance=requires_reacceptance,
        author_id=author_id,
        created_at=utcnow(),
    )
    db.add(charter)
    db.flush()
    return charter


def charter_history(db: Session) -> list[CharterVersion]:
    """Return every version, newest first."""
    return list(db.scalars(select(CharterVersion).order_by(CharterVersion.version.desc())))


def members_to_reask(db: Session, version: int) -> list[str]:
    """Return members whose latest acceptance is older than `version`."""
    latest = (
        select(CharterAcceptance.user_id, func.max(CharterAcceptance.version).label("v"))
        .group_by(CharterAcceptance.user_id)
        .subquery()
    )
    return list(
        db.scalars(select(latest.c.user_id).where(latest.c.v < version).order_by(latest.c.user_id))
    )


def signatories_interests(db: Session) -> dict[str, list[str]]:
    """Return every member who ever accepted the charter, with their latest interests."""
    interests: dict[str, list[str]] = {}
    for user_id, chosen in db.execute(
        select(CharterAcceptance.user_id, CharterAcceptance.interests).order_by(
            CharterAcceptance.version
        )
    ):
        # Later versions come last; a re-acceptance without answers keeps earlier ones.
        if chosen or user_id not in interests:
            interests[user_id] = list(chosen or [])
    return interests
