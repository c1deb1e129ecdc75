"""Member profile operations: what Cercle keeps to address each member properly."""

from __future__ import annotations

from datetime import datetime, timedelta

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
) -> Member:
    """Create or refresh the profile of `user_id` from what Slack says of them."""
    member = db.get(Member, user_id)
    if member is None:
        member = Member(user_id=user_id)
        db.add(member)
    member.display_name = (display_name or "")[:255] or None
    member.locale = (locale or "")[:16] or None
    member.timezone = (timezone or "")[:64] or None
    member.is_bot = is_bot
    member.is_guest = is_guest
    member.is_deleted = is_deleted
    member.refreshed_at = utcnow()
    return member
