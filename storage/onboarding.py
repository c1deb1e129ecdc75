"""Newcomers: who gets welcomed, who left, who greets them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, inspect, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.charter import binding_version, has_accepted_current
from storage.models import CharterAcceptance, InterestTopic, Member, Newcomer, utcnow
from storage.participation import JOIN, LEAVE, record

# Someone who leaves and comes back within this time is not welcomed again.
REJOIN_GRACE = timedelta(days=30)


@dataclass(frozen=True)
class JoinOutcome:
    """What a join means for onboarding."""

    welcome: bool
    reason: str  # "new", "returning", "rejoined", "already_accepted"
    newcomer: Newcomer


def note_join(db: Session, user_id: str, *, now: datetime | None = None) -> JoinOutcome:
    """Record that `user_id` joined the community and decide whether to welcome them.

    A member already covered by the charter is never asked again; a member welcomed in
    the last 30 days (a rejoin, or the same join reported twice) is not welcomed again.
    """
    now = now or utcnow()
    newcomer = db.get(Newcomer, user_id, with_for_update=True)
    if newcomer is None:
        newcomer = Newcomer(user_id=user_id, joined_at=now, reminders_sent=0)
        db.add(newcomer)
        reason = "new"
    else:
        reason = "returning"
    recently_welcomed = (
        newcomer.welcomed_at is not None and now - newcomer.welcomed_at < REJOIN_GRACE
    )
    newcomer.joined_at = now
    newcomer.left_at = None
    if has_accepted_current(db, user_id):
        return JoinOutcome(False, "already_accepted", newcomer)
    if recently_welcomed:
        return JoinOutcome(False, "rejoined", newcomer)
    return JoinOutcome(True, reason, newcomer)


def mark_welcomed(
    newcomer: Newcomer,
    *,
    version: int,
    welcome_key: str,
    announcement_key: str | None,
    now: datetime | None = None,
) -> None:
    """Remember the welcome that was queued for this newcomer."""
    newcomer.welcomed_at = now or utcnow()
    newcomer.welcomed_version = version
    newcomer.welcome_key = welcome_key
    newcomer.announcement_key = announcement_key
    newcomer.reminders_sent = 0
    newcomer.escalated_at = None
    newcomer.unreachable_reported_at = None
    newcomer.not_now_at = None
    newcomer.greeter_id = None
    newcomer.greeter_claimed_at = None


# A profile row made here, before Slack was asked about the member, counts as stale: the
# next request from them fills in their name, locale and time zone.
_NEVER_REFRESHED = datetime(1970, 1, 1, tzinfo=UTC)


def _set_directory_dates(
    db: Session,
    user_id: str,
    values: dict[str, datetime | bool | None],
    *,
    only_if: ColumnElement[bool] | None = None,
) -> None:
    """Set the member's join/leave dates, making a minimal profile row if there is none."""
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(Member).values(user_id=user_id, refreshed_at=_NEVER_REFRESHED, **values)
    db.execute(
        statement.on_conflict_do_update(index_elements=["user_id"], set_=values, where=only_if)
    )
    cached = db.identity_map.get(inspect(Member).identity_key_from_primary_key((user_id,)))
    if cached is not None:
        db.expire(cached)


def note_channel_join(
    db: Session,
    user_id: str,
    *,
    channel_id: str,
    moment: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Record a join of the community channel as participation and in the directory.

    `moment` names the join (Slack's event ts); the same join reported twice counts
    once. The directory keeps the first join date, unless the member had left since.
    """
    at = now or utcnow()
    if not record(
        db,
        source_key=f"join:{user_id}:{moment or at.isoformat()}",
        user_id=user_id,
        kind=JOIN,
        channel_id=channel_id,
        occurred_at=at,
    ):
        return False
    _set_directory_dates(
        db,
        user_id,
        {"joined_at": at, "left_at": None},
        only_if=or_(Member.joined_at.is_(None), Member.left_at.is_not(None)),
    )
    # In the channel whatever the dates said (a second join keeps the first date).
    db.execute(
        update(Member)
        .where(Member.user_id == user_id)
        .values(in_community=True)
        .execution_options(synchronize_session=False)
    )
    return True


def note_leave(
    db: Session,
    user_id: str,
    *,
    now: datetime | None = None,
    channel_id: str | None = None,
    moment: str | None = None,
) -> None:
    """Record that `user_id` left the community channel (participation and directory too)."""
    at = now or utcnow()
    newcomer = db.get(Newcomer, user_id)
    if newcomer is not None:
        newcomer.left_at = at
    if record(
        db,
        source_key=f"leave:{user_id}:{moment or at.isoformat()}",
        user_id=user_id,
        kind=LEAVE,
        channel_id=channel_id,
        occurred_at=at,
    ):
        _set_directory_dates(db, user_id, {"left_at": at, "in_community": False})


def note_not_now(db: Session, user_id: str, *, now: datetime | None = None) -> None:
    """Record that the member postponed reading the charter."""
    newcomer = db.get(Newcomer, user_id)
    if newcomer is not None:
        newcomer.not_now_at = now or utcnow()


def get_newcomer(db: Session, user_id: str) -> Newcomer | None:
    """Return the onboarding record of `user_id`, if any."""
    return db.get(Newcomer, user_id)


def claim_newcomer(
    db: Session, *, user_id: str, greeter_id: str, now: datetime | None = None
) -> str | None:
    """Let `greeter_id` claim the newcomer; return who holds the claim afterwards.

    The conditional UPDATE makes the first click win even when two greeters click
    at the same moment in two processes.
    """
    db.execute(
        update(Newcomer)
        .where(Newcomer.user_id == user_id, Newcomer.greeter_id.is_(None))
        .values(greeter_id=greeter_id, greeter_claimed_at=now or utcnow())
    )
    return db.scalar(select(Newcomer.greeter_id).where(Newcomer.user_id == user_id))


def active_interests(db: Session) -> list[InterestTopic]:
    """Return the interest topics members can choose, in display order."""
    return list(
        db.scalars(
            select(InterestTopic)
            .where(InterestTopic.active.is_(True))
            .order_by(InterestTopic.position, InterestTopic.key)
        )
    )


def members_who_left(db: Session) -> set[str]:
    """Return the members known to have left the community channel."""
    return set(db.scalars(select(Newcomer.user_id).where(Newcomer.left_at.is_not(None))))


def pending_newcomers(db: Session) -> list[Newcomer]:
    """Return welcomed newcomers still in the community, oldest welcome first."""
    return list(
        db.scalars(
            select(Newcomer)
            .where(Newcomer.welcomed_at.is_not(None), Newcomer.left_at.is_(None))
            .order_by(Newcomer.welcomed_at)
        )
    )


@dataclass(frozen=True)
class MemberCharterStatus:
    """One member's standing with the charter in force."""

    user_id: str
    status: str  # "accepted", "pending" or "not_now"
    accepted_version: int | None
    accepted_at: datetime | None
    welcomed_at: datetime | None
    reminders_sent: int
    greeter_id: str | None


def charter_overview(db: Session, *, include_accepted: bool = True) -> list[MemberCharterStatus]:
    """Return every welcomed or accepting member's standing, pending ones first.

    Read as plain rows, not entities: with thousands of members the ORM's bookkeeping
    costs more than the queries. Without `include_accepted`, members covered by the
    charter in force are left out in SQL (the weekly digest lists only the others).
    """
    binding = binding_version(db)
    acceptances = select(
        CharterAcceptance.user_id, CharterAcceptance.version, CharterAcceptance.accepted_at
    ).order_by(CharterAcceptance.version)
    joined = select(
        Newcomer.user_id,
        Newcomer.left_at,
        Newcomer.welcomed_at,
        Newcomer.not_now_at,
        Newcomer.reminders_sent,
        Newcomer.greeter_id,
    )
    if not include_accepted:
        covered = select(CharterAcceptance.user_id).where(CharterAcceptance.version >= binding)
        acceptances = acceptances.where(CharterAcceptance.user_id.not_in(covered))
        joined = joined.where(Newcomer.user_id.not_in(covered))
    latest = {row.user_id: row for row in db.execute(acceptances)}
    newcomers = {row.user_id: row for row in db.execute(joined)}
    statuses = []
    for user_id in sorted(set(latest) | set(newcomers)):
        newcomer = newcomers.get(user_id)
        if newcomer is not None and newcomer.left_at is not None and user_id not in latest:
            continue
        accepted = latest.get(user_id)
        if accepted is not None and accepted.version >= binding:
            status = "accepted"
        elif newcomer is not None and newcomer.not_now_at is not None:
            status = "not_now"
        else:
            status = "pending"
        statuses.append(
            MemberCharterStatus(
                user_id=user_id,
                status=status,
                accepted_version=accepted.version if accepted else None,
                accepted_at=accepted.accepted_at if accepted else None,
                welcomed_at=newcomer.welcomed_at if newcomer else None,
                reminders_sent=newcomer.reminders_sent if newcomer else 0,
                greeter_id=newcomer.greeter_id if newcomer else None,
            )
        )
    order = {"pending": 0, "not_now": 1, "accepted": 2}
    return sorted(
        statuses,
        key=lambda s: (
            order[s.status],
            s.welcomed_at or s.accepted_at or datetime.min.replace(tzinfo=UTC),
        ),
    )
