"""Members' nudge preferences: snooze and categories turned off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import MemberPreference, OutboxMessage, OutboxStatus, utcnow

NUDGE_CATEGORIES = ("toolbox", "reminders")


def get_preferences(db: Session, user_id: str) -> MemberPreference | None:
    """Return the member's preferences, if they ever set any."""
    return db.get(MemberPreference, user_id)


def _editable(db: Session, user_id: str) -> MemberPreference:
    preference = db.get(MemberPreference, user_id, with_for_update=True)
    if preference is None:
        preference = MemberPreference(user_id=user_id, nudges_off=[])
        db.add(preference)
    return preference


def snooze(db: Session, user_id: str, until: datetime | None) -> None:
    """Pause every nudge to the member until `until` (None resumes them)."""
    preference = _editable(db, user_id)
    preference.snoozed_until = until
    preference.updated_at = utcnow()


def set_nudges(db: Session, user_id: str, categories: list[str], *, enabled: bool) -> list[str]:
    """Turn nudge `categories` on or off for the member; return the categories now off."""
    preference = _editable(db, user_id)
    off = set(preference.nudges_off or [])
    off = off - set(categories) if enabled else off | set(categories)
    # A new list, so the JSON column notices the change.
    preference.nudges_off = sorted(off)
    preference.updated_at = utcnow()
    return preference.nudges_off


def nudges_sent_since(db: Session, user_id: str, since: datetime) -> list[datetime]:
    """Return when nudges were delivered to the member since `since`, oldest first."""
    return sorted(
        db.scalars(
            select(OutboxMessage.sent_at).where(
                OutboxMessage.address == user_id,
                OutboxMessage.kind == "nudge",
                OutboxMessage.status == OutboxStatus.SENT,
                OutboxMessage.sent_at >= since,
            )
        )
    )
