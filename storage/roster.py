"""Who the community is: the members polls remind and surveys are sent to.

Until the member directory syncs the community channel itself, the community is every
member Cercle saw join it (and who has not left) plus everyone who accepted the charter,
minus bots and deactivated accounts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import CharterAcceptance, Member, Newcomer


def community_member_ids(db: Session) -> set[str]:
    """Return the user ids of the community's current members."""
    joined = dict(db.execute(select(Newcomer.user_id, Newcomer.left_at)).all())
    left = {user_id for user_id, left_at in joined.items() if left_at is not None}
    members = set(joined) | set(db.scalars(select(CharterAcceptance.user_id).distinct()))
    excluded = set(
        db.scalars(
            select(Member.user_id).where(Member.is_bot.is_(True) | Member.is_deleted.is_(True))
        )
    )
    return members - left - excluded


def joined_dates(db: Session) -> dict[str, datetime]:
    """Return when each member was seen joining the community channel."""
    return dict(db.execute(select(Newcomer.user_id, Newcomer.joined_at)).all())
