"""Poll operations: create, vote, add options, close, and read tallies.

Functions take the session first and never commit. Every change to a poll first locks
its row (`lock_poll`), so concurrent votes on one poll are applied one after the other
and each tally update is rendered from a tally that includes every earlier vote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from storage.models import Member, Poll, PollOption, PollVote, utcnow

MIN_OPTIONS = 2
MAX_OPTIONS = 10
QUESTION_MAX_LENGTH = 300
OPTION_MAX_LENGTH = 150
# chat.update is a Tier 3 method (about 50 calls a minute); one poll may use one every
# two seconds, so a few busy polls at once still fit.
MIN_UPDATE_INTERVAL = timedelta(seconds=2)
# An update due later than this is surely still unsent: a newer one may replace it.
_SLOT_MARGIN = timedelta(milliseconds=300)


@dataclass(frozen=True)
class PollDraft:
    """A poll as its creator asked for it, checked but not yet stored."""

    question: str
    options: tuple[str, ...]
    max_choices: int = 1
    anonymous: bool = False
    hide_results: bool = False
    allow_new_options: bool = False
    closes_at: datetime | None = None
    remind: bool = False


def reminder_time(created_at: datetime, closes_at: datetime) -> datetime:
    """Return when to remind non-voters: a day before the deadline, or half-way if sooner."""
    return max(created_at + (closes_at - created_at) / 2, closes_at - timedelta(days=1))


def create_poll(
    db: Session,
    draft: PollDraft,
    *,
    channel_id: str,
    creator_id: str,
    language: str,
    now: datetime | None = None,
) -> Poll:
    """Store a poll and its options; the caller posts its message."""
    now = now or utcnow()
    poll = Poll(
        channel_id=channel_id,
        creator_id=creator_id,
        question=draft.question,
        language=language,
        max_choices=draft.max_choices,
        anonymous=draft.anonymous,
        hide_results=draft.hide_results,
        allow_new_options=draft.allow_new_options,
        closes_at=draft.closes_at,
        remind_at=reminder_time(now, draft.closes_at) if draft.remind and draft.closes_at else None,
        created_at=now,
    )
    db.add(poll)
    db.flush()
    poll.post_key = f"poll:{poll.id}:post"
    for position, label in enumerate(draft.options):
        db.add(PollOption(poll_id=poll.id, position=position, label=label))
    db.flush()
    return poll


def get_poll(db: Session, poll_id: int) -> Poll | None:
    """Return the poll `poll_id`, if it exists."""
    return db.get(Poll, poll_id)


def lock_poll(db: Session, poll_id: int) -> Poll | None:
    """Return the poll `poll_id` locked for this transaction (others wait), if it exists."""
    # FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers.
    return db.scalar(
        select(Poll)
        .where(Poll.id == poll_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def poll_options(db: Session, poll_id: int) -> list[PollOption]:
    """Return the poll's options in display order."""
    return list(
        db.scalars(
            select(PollOption).where(PollOption.poll_id == poll_id).order_by(PollOption.position)
        )
    )


def choices_of(db: Session, poll_id: int, voter: str) -> set[int]:
    """Return the option ids `voter` (a user id or a fingerprint) has chosen."""
    return set(
        db.scalars(
            select(PollVote.option_id).where(PollVote.poll_id == poll_id, PollVote.voter == voter)
        )
    )


def set_choices(
    db: Session, poll: Poll, voter: str, option_ids: set[int], *, now: datetime | None = None
) -> None:
    """Make `option_ids` the choices of `voter`, keeping the time of choices already made."""
    current = choices_of(db, poll.id, voter)
    removed = current - option_ids
    added = option_ids - current
    if removed:
        db.execute(
            delete(PollVote).where(
                PollVote.poll_id == poll.id,
                PollVote.voter == voter,
                PollVote.option_id.in_(removed),
            )
        )
    if added:
        # An anonymous vote keeps no time: times could be matched with other records.
        voted_at = None if poll.anonymous else (now or utcnow())
        db.execute(
            insert(PollVote),
            [
                {"poll_id": poll.id, "option_id": option_id, "voter": voter, "voted_at": voted_at}
                for option_id in sorted(added)
            ],
        )


def tally(db: Session, poll_id: int) -> dict[int, int]:
    """Return the number of votes of each option that has any."""
    return {
        option_id: int(count)
        for option_id, count in db.execute(
            select(PollVote.option_id, func.count())
            .where(PollVote.poll_id == poll_id)
            .group_by(PollVote.option_id)
        )
    }


def voter_count(db: Session, poll_id: int) -> int:
    """Return how many members voted (a member choosing three options counts once)."""
    return int(
        db.scalar(
            select(func.count(func.distinct(PollVote.voter))).where(PollVote.poll_id == poll_id)
        )
        or 0
    )


def voters_by_option(db: Session, poll_id: int) -> dict[int, list[str]]:
    """Return, for a named poll, the user ids who chose each option, earliest first."""
    voters: dict[int, list[str]] = defaultdict(list)
    for option_id, voter in db.execute(
        select(PollVote.option_id, PollVote.voter)
        .where(PollVote.poll_id == poll_id)
        .order_by(PollVote.voted_at, PollVote.voter)
    ):
        voters[option_id].append(voter)
    return dict(voters)


def voters(db: Session, poll_id: int) -> set[str]:
    """Return every distinct voter of the poll (user ids, or fingerprints if anonymous)."""
    return set(db.scalars(select(PollVote.voter).where(PollVote.poll_id == poll_id).distinct()))


def vote_times(db: Session, poll_id: int) -> dict[tuple[int, str], datetime | None]:
    """Return when each (option, voter) vote of a named poll was cast."""
    return {
        (option_id, voter): voted_at
        for option_id, voter, voted_at in db.execute(
            select(PollVote.option_id, PollVote.voter, PollVote.voted_at).where(
                PollVote.poll_id == poll_id
            )
        )
    }


def display_names(db: Session, user_ids: set[str]) -> dict[str, str | None]:
    """Return the stored display names of these members."""
    if not user_ids:
        return {}
    return dict(
        db.execute(
            select(Member.user_id, Member.display_name).where(Member.user_id.in_(user_ids))
        ).all()
    )


def add_option(db: Session, poll: Poll, label: str) -> PollOption:
    """Append an option to the poll."""
    position = int(
        db.scalar(select(func.max(PollOption.position)).where(PollOption.poll_id == poll.id)) or 0
    )
    option = PollOption(poll_id=poll.id, position=position + 1, label=label)
    db.add(option)
    db.flush()
    return option


def close(db: Session, poll: Poll, *, closed_by: str | None, now: datetime | None = None) -> None:
    """Close the poll (by a member, or by its deadline when `closed_by` is None)."""
    poll.closed_at = now or utcnow()
    poll.closed_by = closed_by


def is_past_deadline(poll: Poll, now: datetime) -> bool:
    """Tell whether the poll's deadline has passed (whether or not a job closed it yet)."""
    return poll.closes_at is not None and poll.closes_at <= now


def polls_due_for_closing(db: Session, now: datetime) -> list[int]:
    """Return the open polls whose deadline has passed."""
    return list(
        db.scalars(
            select(Poll.id)
            .where(Poll.closed_at.is_(None), Poll.closes_at.is_not(None), Poll.closes_at <= now)
            .order_by(Poll.closes_at)
        )
    )


def polls_due_for_reminder(db: Session, now: datetime) -> list[int]:
    """Return the open polls whose reminder is due and not yet sent."""
    return list(
        db.scalars(
            select(Poll.id)
            .where(
                Poll.closed_at.is_(None),
                Poll.remind_at.is_not(None),
                Poll.remind_at <= now,
                Poll.reminded_at.is_(None),
            )
            .order_by(Poll.remind_at)
        )
    )


def delete_poll(db: Session, poll: Poll) -> None:
    """Delete the poll with its options and votes."""
    db.execute(delete(PollVote).where(PollVote.poll_id == poll.id))
    db.execute(delete(PollOption).where(PollOption.poll_id == poll.id))
    db.delete(poll)
    db.flush()


def next_update_slot(previous: datetime | None, now: datetime) -> datetime:
    """Return when the poll's next tally update may be sent.

    If the last queued update is still waiting for its slot, the new one takes that slot
    (and supersedes it); otherwise it goes two seconds after the last one, or now.
    """
    if previous is None:
        return now
    if previous > now + _SLOT_MARGIN:
        return previous
    return max(now, previous + MIN_UPDATE_INTERVAL)
