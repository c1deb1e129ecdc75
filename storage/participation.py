"""Recording participation: events with who, what kind, where and when, and daily counts.

Functions take the session first and never commit. Recording is idempotent: an event
is named by its `source_key`, and recording it twice (a redelivered Slack event, a
second click) changes nothing. Every recorded event adds one to the member's count for
that day and kind (`participation_daily`); removing it (a deleted message) takes it off.
Anonymous acts (a vote on an anonymous poll) only add to a count without a member, and
so does everything a member does after turning tracking off (`/cercle tracking off`,
`member_preferences.tracking_off`): no event, no first-step milestone, only the day's
anonymous count. Days are UTC days.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    CommunityChannel,
    Member,
    MemberPreference,
    ParticipationDaily,
    ParticipationEvent,
    utcnow,
)

MESSAGE = "message"
REPLY = "reply"
REACTION = "reaction"
POLL_VOTE = "poll_vote"
SURVEY_RESPONSE = "survey_response"
CHARTER_ACCEPTANCE = "charter_acceptance"
TOOLBOX_VISIT = "toolbox_visit"
JOIN = "join"
LEAVE = "leave"
KINDS = (
    MESSAGE,
    REPLY,
    REACTION,
    POLL_VOTE,
    SURVEY_RESPONSE,
    CHARTER_ACCEPTANCE,
    TOOLBOX_VISIT,
    JOIN,
    LEAVE,
)
# The refresh time of a bare member row: long ago, so the next lookup asks Slack.
NEVER_REFRESHED = datetime(2000, 1, 1, tzinfo=UTC)
# The member's user id in `participation_daily` for acts counted without identity.
ANONYMOUS = ""

# Which first step of the onboarding funnel each kind marks on the member's profile.
_MILESTONES = {
    MESSAGE: "first_message_at",
    REPLY: "first_message_at",
    POLL_VOTE: "first_answer_at",
    SURVEY_RESPONSE: "first_answer_at",
}


def _insert(db: Session) -> Any:
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def _count(db: Session, *, user_id: str, kind: str, at: datetime, change: int) -> None:
    """Add `change` to the member's count of `kind` on the UTC day of `at`."""
    statement = _insert(db)(ParticipationDaily).values(
        day=at.date(), user_id=user_id, kind=kind, count=max(change, 0)
    )
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["day", "user_id", "kind"],
            set_={"count": ParticipationDaily.count + change},
        )
    )


def is_tracked(db: Session, user_id: str) -> bool:
    """Tell whether the member's acts are recorded under their id (they did not opt out)."""
    off = db.scalar(
        select(MemberPreference.tracking_off).where(MemberPreference.user_id == user_id)
    )
    return not off


def untracked_members(db: Session) -> set[str]:
    """Return the members who asked to be counted without their identity."""
    return set(
        db.scalars(select(MemberPreference.user_id).where(MemberPreference.tracking_off.is_(True)))
    )


def record(
    db: Session,
    *,
    source_key: str,
    user_id: str,
    kind: str,
    channel_id: str | None = None,
    occurred_at: datetime | None = None,
) -> bool:
    """Record one act of participation once; True if it is new.

    For a member who turned tracking off, the act only adds to the day's anonymous count
    and is always new: nothing names it, so nothing can tell a second delivery apart
    (events are deduplicated upstream by their Slack event id) or take it back later.
    """
    at = occurred_at or utcnow()
    if not is_tracked(db, user_id):
        _count(db, user_id=ANONYMOUS, kind=kind, at=at, change=1)
        return True
    created = db.execute(
        _insert(db)(ParticipationEvent)
        .values(
            source_key=source_key[:255],
            user_id=user_id,
            kind=kind,
            channel_id=channel_id,
            occurred_at=at,
        )
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(ParticipationEvent.id)
    ).first()
    if created is None:
        return False
    _count(db, user_id=user_id, kind=kind, at=at, change=1)
    milestone = _MILESTONES.get(kind)
    if milestone is not None:
        column = getattr(Member, milestone)
        # A member Cercle never looked up gets a bare row, its profile marked for the
        # next lookup: recording an event never waits on Slack for a profile.
        statement = _insert(db)(Member).values(
            user_id=user_id, refreshed_at=NEVER_REFRESHED, **{milestone: at}
        )
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"],
                set_={milestone: at},
                where=or_(column.is_(None), column > at),
            )
        )
    return True


def record_anonymously(db: Session, *, kind: str, occurred_at: datetime | None = None) -> None:
    """Count one act without saying whose it was (an anonymous vote or answer)."""
    _count(db, user_id=ANONYMOUS, kind=kind, at=occurred_at or utcnow(), change=1)


def remove(db: Session, *, source_key: str) -> bool:
    """Take back a recorded act (a deleted message, a removed reaction); True if it existed."""
    removed = db.execute(
        delete(ParticipationEvent)
        .where(ParticipationEvent.source_key == source_key[:255])
        .returning(
            ParticipationEvent.user_id, ParticipationEvent.kind, ParticipationEvent.occurred_at
        )
    ).first()
    if removed is None:
        return False
    user_id, kind, at = removed
    _count(db, user_id=user_id, kind=kind, at=at, change=-1)
    return True


def tracked_channels(db: Session, main_channel: str) -> set[str]:
    """Return the channels whose activity counts: the main one and those coordinators added."""
    channels = set(db.scalars(select(CommunityChannel.channel_id)))
    if main_channel:
        channels.add(main_channel)
    return channels


def add_channel(db: Session, channel_id: str, *, added_by: str) -> bool:
    """Count a channel's activity from now on; False if it already was."""
    created = db.execute(
        _insert(db)(CommunityChannel)
        .values(channel_id=channel_id, added_by=added_by, added_at=utcnow())
        .on_conflict_do_nothing()
        .returning(CommunityChannel.channel_id)
    ).first()
    return created is not None


def remove_channel(db: Session, channel_id: str) -> bool:
    """Stop counting a channel's activity (what was recorded stays); False if not counted."""
    result = db.execute(delete(CommunityChannel).where(CommunityChannel.channel_id == channel_id))
    return bool(result.rowcount)
