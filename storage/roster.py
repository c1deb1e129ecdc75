"""Who the community is: the members polls remind and surveys are sent to.

The member directory (synced from the channel daily, kept current by join and leave
events) says who is in the community channel; members Cercle knew before the directory
(seen joining, or signatories of the charter) count too unless they left.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import CharterAcceptance, Member, Newcomer

# The refresh time of a profile the directory created without Slack's answer: long ago,
# so the next sync asks users.info for it instead of trusting an empty profile for a week.
NEVER_REFRESHED = datetime(2000, 1, 1, tzinfo=UTC)


def community_member_ids(db: Session) -> set[str]:
    """Return the user ids of the community's current members.

    The directory's members of the channel, plus those Cercle saw join it or accept the
    charter before the directory knew them, minus anyone recorded as having left, bots
    and deactivated accounts.
    """
    present = set(db.scalars(select(Member.user_id).where(Member.in_community.is_(True))))
    gone = set(
        db.scalars(
            select(Member.user_id).where(
                Member.in_community.is_(False), Member.left_at.is_not(None)
            )
        )
    )
    newcomers = {
        user: left for user, left in db.execute(select(Newcomer.user_id, Newcomer.left_at))
    }
    gone |= {user_id for user_id, left_at in newcomers.items() if left_at is not None}
    signatories = set(db.scalars(select(CharterAcceptance.user_id).distinct()))
    excluded = set(
        db.scalars(
            select(Member.user_id).where(Member.is_bot.is_(True) | Member.is_deleted.is_(True))
        )
    )
    return (present | ((set(newcomers) | signatories) - gone)) - excluded


def joined_dates(db: Session) -> dict[str, datetime]:
    """Return when each member was seen joining the community channel."""
    return dict(db.execute(select(Newcomer.user_id, Newcomer.joined_at)).all())


# ---------------------------------------------------------------- the member directory
#
# Each member row says whether its member is in the community channel (`in_community`),
# since `joined_at` (NULL: since before Cercle was installed); `left_at` dates a leave.
# Anyone who talks to Cercle has a row, so a row alone means nothing. Cercle's own row
# is dated by the directory's first sync, the baseline: when the directory began.


def _insert(db: Session) -> Any:
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def _expire_cached(db: Session, user_id: str) -> None:
    """Make the session re-read a member it may hold, after a Core statement changed it."""
    cached = db.identity_map.get(inspect(Member).identity_key_from_primary_key((user_id,)))
    if cached is not None:
        db.expire(cached)


def directory_is_empty(db: Session) -> bool:
    """Tell whether Cercle never recorded anyone joining or leaving the community channel.

    No member has a join or leave date, and no newcomer was ever recorded (by an event
    or a sync). The directory's first sync then takes the channel as it finds it, and
    dates Cercle's own row so that the directory is not empty any more.
    """
    dated = db.scalar(
        select(Member.user_id)
        .where(Member.joined_at.is_not(None) | Member.left_at.is_not(None))
        .limit(1)
    )
    return dated is None and db.scalar(select(Newcomer.user_id).limit(1)) is None


def directory_presence(db: Session) -> dict[str, bool]:
    """Return whether the directory counts each member it has a row for as present."""
    return {
        user: bool(present)
        for user, present in db.execute(select(Member.user_id, Member.in_community))
    }


def mark_joined(db: Session, user_id: str, *, at: datetime | None) -> None:
    """Record `user_id` as in the community channel since `at` (None: since before Cercle).

    A member without a row gets one with an empty profile marked for refreshing.
    """
    changes: dict[str, Any] = {"left_at": None, "in_community": True}
    if at is not None:
        changes["joined_at"] = at
    statement = _insert(db)(Member).values(
        user_id=user_id,
        joined_at=at,
        left_at=None,
        in_community=True,
        refreshed_at=NEVER_REFRESHED,
    )
    db.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=changes))
    _expire_cached(db, user_id)


def mark_left(db: Session, user_id: str, *, at: datetime) -> None:
    """Record that `user_id` is no longer in the community channel, since `at`."""
    db.execute(
        update(Member)
        .where(Member.user_id == user_id)
        .values(left_at=at, in_community=False)
        .execution_options(synchronize_session=False)
    )
    _expire_cached(db, user_id)
