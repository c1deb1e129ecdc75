"""Polls: what `/cercle poll`, the vote buttons and the poll jobs do.

A change to a poll (a vote, an added option, closing) and the update of its message
commit together. Updates are coalesced: each one is an outbox row due no sooner than
two seconds after the previous one, and a newer row supersedes an unsent older one, so a
busy poll costs at most one chat.update every two seconds and the last one sent always
carries the tally of the last change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.anonymity import fingerprint, voter_id
from bot.commands import readable_text
from bot.config import Settings
from bot.deadlines import parse_deadline
from bot.errors import CercleError, UsageError
from bot.forms import parse_id
from bot.i18n import normalize_language, t
from bot.roles import Role, role_of
from bot.ui import polls as ui
from storage import polls as store
from storage.csv_export import to_csv
from storage.guards import poll_unanswered_guard
from storage.members import get_member
from storage.models import Poll, utcnow
from storage.outbox import enqueue_many_messages, enqueue_message, enqueue_update
from storage.participation import POLL_VOTE, record, record_anonymously
from storage.polls import (
    MAX_OPTIONS,
    MIN_OPTIONS,
    OPTION_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    PollDraft,
)
from storage.roster import community_member_ids

# `--flag` words of `/cercle poll`, and the PollDraft field each one turns on.
_FLAGS = {
    "--anonymous": "anonymous",
    "--anonyme": "anonymous",
    "--hide-results": "hide_results",
    "--masquer-resultats": "hide_results",
    "--allow-new-options": "allow_new_options",
    "--ajout-options": "allow_new_options",
    "--remind": "remind",
    "--rappel": "remind",
}
_VALUED = {"--multi": "multi", "--closes": "closes", "--cloture": "closes", "--fin": "closes"}


def ballot_box(poll_id: int) -> str:
    """Return the name the fingerprints of a poll's voters are made for."""
    return f"poll:{poll_id}"


def parse_poll_words(words: list[str], *, now: datetime, timezone: str | None) -> PollDraft:
    """Read `/cercle poll "Question?" "A" "B" --multi 2 ...` into a checked draft."""
    texts: list[str] = []
    flags: dict[str, bool] = {}
    multi: str | None = None
    closes: str | None = None
    index = 0
    while index < len(words):
        word = words[index]
        lowered = word.lower()
        if lowered in _FLAGS:
            flags[_FLAGS[lowered]] = True
        elif lowered in _VALUED or lowered.split("=", 1)[0] in _VALUED:
            name, _, value = lowered.partition("=")
            if not value:
                index += 1
                if index >= len(words):
                    raise UsageError("poll.error.missing_value", option=name)
                value = words[index]
            elif "=" in word:
                value = word.split("=", 1)[1]
            if _VALUED[name] == "multi":
                multi = value
            else:
                closes = value
        elif lowered.startswith("--"):
            raise UsageError("poll.error.unknown_option", option=word[:30])
        else:
            texts.append(readable_text(word))
        index += 1
    if not texts:
        raise UsageError("poll.error.no_question")
    max_choices = 1
    if multi is not None:
        max_choices = parse_id(multi) or 0
        if not 1 <= max_choices <= MAX_OPTIONS:
            raise UsageError("poll.error.bad_multi", value=multi[:20], maximum=MAX_OPTIONS)
    closes_at = parse_deadline(closes, now=now, timezone=timezone) if closes else None
    return check_draft(
        question=texts[0],
        options=texts[1:],
        max_choices=max_choices,
        closes_at=closes_at,
        **flags,
    )


def check_draft(
    *,
    question: str,
    options: list[str],
    max_choices: int = 1,
    closes_at: datetime | None = None,
    anonymous: bool = False,
    hide_results: bool = False,
    allow_new_options: bool = False,
    remind: bool = False,
) -> PollDraft:
    """Check a poll's text and rules; raise a UsageError naming the first problem."""
    question = " ".join(question.split())
    if not question:
        raise UsageError("poll.error.no_question")
    if len(question) > QUESTION_MAX_LENGTH:
        raise UsageError("poll.error.question_too_long", maximum=QUESTION_MAX_LENGTH)
    cleaned = [" ".join(option.split()) for option in options]
    if any(not option for option in cleaned):
        raise UsageError("poll.error.empty_option")
    if len(cleaned) < MIN_OPTIONS:
        raise UsageError("poll.error.too_few_options", minimum=MIN_OPTIONS)
    if len(cleaned) > MAX_OPTIONS:
        raise UsageError("poll.error.too_many_options", maximum=MAX_OPTIONS)
    for option in cleaned:
        if len(option) > OPTION_MAX_LENGTH:
            raise UsageError(
                "poll.error.option_too_long", option=option[:40], maximum=OPTION_MAX_LENGTH
            )
    seen: set[str] = set()
    for option in cleaned:
        if option.casefold() in seen:
            raise UsageError("poll.error.duplicate_option", option=option[:40])
        seen.add(option.casefold())
    if max_choices > len(cleaned):
        raise UsageError("poll.error.multi_above_options", value=max_choices, count=len(cleaned))
    if remind and closes_at is None:
        raise UsageError("poll.error.remind_needs_deadline")
    return PollDraft(
        question=question,
        options=tuple(cleaned),
        max_choices=max_choices,
        anonymous=anonymous,
        hide_results=hide_results,
        allow_new_options=allow_new_options,
        closes_at=closes_at,
        remind=remind,
    )


def poll_view(db: Session, poll: Poll) -> ui.PollView:
    """Read what the poll message shows."""
    counts = store.tally(db, poll.id)
    named = {} if poll.anonymous else store.voters_by_option(db, poll.id)
    return ui.PollView(
        poll_id=poll.id,
        question=poll.question,
        language=poll.language,
        creator_id=poll.creator_id,
        options=tuple(
            ui.OptionTally(
                option_id=option.id,
                label=option.label,
                votes=counts.get(option.id, 0),
                voters=tuple(named.get(option.id, ())),
            )
            for option in store.poll_options(db, poll.id)
        ),
        voter_count=store.voter_count(db, poll.id),
        max_choices=poll.max_choices,
        anonymous=poll.anonymous,
        hide_results=poll.hide_results,
        allow_new_options=poll.allow_new_options,
        closes_at=poll.closes_at,
        closed_at=poll.closed_at,
        closed_by=poll.closed_by,
    )


def publish_poll(
    db: Session,
    draft: PollDraft,
    *,
    channel_id: str,
    creator_id: str,
    language: str,
    now: datetime | None = None,
) -> Poll:
    """Store a poll and queue its message in `channel_id`."""
    poll = store.create_poll(
        db, draft, channel_id=channel_id, creator_id=creator_id, language=language, now=now
    )
    enqueue_message(
        db, key=poll.post_key, address=channel_id, **ui.build_poll_message(poll_view(db, poll))
    )
    return poll


def refresh_poll_message(db: Session, poll: Poll, *, now: datetime | None = None) -> None:
    """Queue an update of the poll message showing the poll as it now stands."""
    now = now or utcnow()
    poll.revision += 1
    poll.update_slot_at = store.next_update_slot(poll.update_slot_at, now)
    enqueue_update(
        db,
        key=f"poll:{poll.id}:r{poll.revision}",
        target_key=poll.post_key,
        # A lane of its own: a waiting tally update never holds up the channel's messages.
        address=f"poll:{poll.id}",
        coalesce_key=f"poll:{poll.id}",
        not_before=poll.update_slot_at,
        # Only an update waiting for this same slot is replaced: one due earlier goes out
        # (else a steady stream of votes would postpone every update to the end).
        supersede_due_from=poll.update_slot_at,
        **ui.build_poll_message(poll_view(db, poll)),
    )


@dataclass(frozen=True)
class VoteOutcome:
    """What a click did, for the confirmation the voter sees."""

    change: str  # "added", "changed" or "removed"
    option: str
    choices: tuple[str, ...]


def _open_poll(db: Session, poll_id: int, now: datetime) -> Poll:
    """Return the poll locked for a change, or explain why it can't change."""
    poll = store.lock_poll(db, poll_id)
    if poll is None:
        raise CercleError("poll.error.gone")
    # The closing job runs every minute: a click past the deadline but before the job
    # finds the poll closed all the same.
    if poll.closed_at is not None or store.is_past_deadline(poll, now):
        raise CercleError("poll.error.closed")
    return poll


def vote(
    db: Session,
    settings: Settings,
    *,
    poll_id: int,
    option_id: int,
    user_id: str,
    now: datetime | None = None,
) -> VoteOutcome:
    """Toggle `user_id`'s vote for an option: vote, change a single choice, or remove."""
    now = now or utcnow()
    poll = _open_poll(db, poll_id, now)
    options = {option.id: option.label for option in store.poll_options(db, poll.id)}
    if option_id not in options:
        raise CercleError("poll.error.gone")
    voter = voter_id(settings, ballot_box(poll.id), user_id, anonymous=poll.anonymous)
    current = store.choices_of(db, poll.id, voter)
    if option_id in current:
        wanted, change = current - {option_id}, "removed"
    elif poll.max_choices == 1:
        wanted, change = {option_id}, "changed" if current else "added"
    elif len(current) >= poll.max_choices:
        raise CercleError("poll.error.too_many_choices", maximum=poll.max_choices)
    else:
        wanted, change = current | {option_id}, "added"
    store.set_choices(db, poll, voter, wanted, now=now)
    if wanted and not current:
        _record_vote(db, poll, user_id, now=now)
    refresh_poll_message(db, poll, now=now)
    chosen = tuple(label for option, label in options.items() if option in wanted)
    return VoteOutcome(change=change, option=options[option_id], choices=chosen)


def _record_vote(db: Session, poll: Poll, user_id: str, *, now: datetime) -> None:
    """Count a member's vote as participation, when their choices go from none to some.

    A named vote is one event per member and poll: changing or re-casting it adds
    nothing. An anonymous vote is only counted, without anyone's id; the ballot box
    keeps no trace of a withdrawn vote, so someone who withdraws and votes again is
    counted again (a rare overcount, the price of keeping nothing about them).
    """
    if poll.anonymous:
        record_anonymously(db, kind=POLL_VOTE, occurred_at=now)
        return
    record(
        db,
        source_key=f"vote:poll:{poll.id}:{user_id}",
        user_id=user_id,
        kind=POLL_VOTE,
        channel_id=poll.channel_id,
        occurred_at=now,
    )


def can_manage(db: Session, settings: Settings, poll: Poll, user_id: str) -> bool:
    """Tell whether `user_id` may close, export or delete the poll: its creator or a coordinator."""
    return user_id == poll.creator_id or role_of(db, settings, user_id) is Role.COORDINATOR


def managed_poll(db: Session, settings: Settings, poll_id: int, user_id: str) -> Poll:
    """Return the poll locked for a change by its creator or a coordinator, else refuse."""
    poll = store.lock_poll(db, poll_id)
    if poll is None:
        raise CercleError("poll.error.gone")
    # Checked at the click: the menu sits on a message everyone sees.
    if not can_manage(db, settings, poll, user_id):
        raise CercleError("poll.error.not_yours")
    return poll


def close_poll(
    db: Session, settings: Settings, *, poll_id: int, user_id: str, now: datetime | None = None
) -> Poll:
    """Close a poll at its creator's or a coordinator's request."""
    now = now or utcnow()
    poll = managed_poll(db, settings, poll_id, user_id)
    if poll.closed_at is not None:
        raise CercleError("poll.error.already_closed")
    store.close(db, poll, closed_by=user_id, now=now)
    refresh_poll_message(db, poll, now=now)
    return poll


def delete_poll(
    db: Session, settings: Settings, *, poll_id: int, user_id: str, now: datetime | None = None
) -> None:
    """Delete a poll and replace its message with a note saying so."""
    poll = managed_poll(db, settings, poll_id, user_id)
    enqueue_update(
        db,
        key=f"poll:{poll.id}:deleted",
        target_key=poll.post_key,
        address=f"poll:{poll.id}",
        coalesce_key=f"poll:{poll.id}",
        not_before=store.next_update_slot(poll.update_slot_at, now or utcnow()),
        **ui.build_deleted_poll_message(user_id, poll.language),
    )
    store.delete_poll(db, poll)


def add_poll_option(db: Session, *, poll_id: int, label: str, now: datetime | None = None) -> None:
    """Add a member's option to a poll that allows it."""
    now = now or utcnow()
    poll = _open_poll(db, poll_id, now)
    if not poll.allow_new_options:
        raise CercleError("poll.error.no_new_options")
    options = store.poll_options(db, poll.id)
    if len(options) >= MAX_OPTIONS:
        raise UsageError("poll.error.too_many_options", maximum=MAX_OPTIONS)
    label = " ".join(label.split())
    if not label:
        raise UsageError("poll.error.empty_option")
    if len(label) > OPTION_MAX_LENGTH:
        raise UsageError("poll.error.option_too_long", option=label[:40], maximum=OPTION_MAX_LENGTH)
    if any(option.label.casefold() == label.casefold() for option in options):
        raise UsageError("poll.error.duplicate_option", option=label[:40])
    store.add_option(db, poll, label)
    refresh_poll_message(db, poll, now=now)


def close_due_polls(db: Session, *, now: datetime | None = None) -> int:
    """Close every open poll whose deadline has passed; return how many."""
    now = now or utcnow()
    closed = 0
    for poll_id in store.polls_due_for_closing(db, now):
        poll = store.lock_poll(db, poll_id)
        if poll is None or poll.closed_at is not None:
            continue
        store.close(db, poll, closed_by=None, now=poll.closes_at)
        refresh_poll_message(db, poll, now=now)
        closed += 1
    return closed


def remind_non_voters(db: Session, settings: Settings, *, now: datetime | None = None) -> int:
    """Queue the one reminder of each due poll to community members who haven't voted."""
    now = now or utcnow()
    queued = 0
    members = community_member_ids(db)
    for poll_id in store.polls_due_for_reminder(db, now):
        poll = store.lock_poll(db, poll_id)
        if poll is None or poll.reminded_at is not None or poll.closed_at is not None:
            continue
        poll.reminded_at = now
        voted = store.voters(db, poll.id)
        view = poll_view(db, poll)
        messages = []
        for user_id in sorted(members):
            box = ballot_box(poll.id)
            if (fingerprint(settings, box, user_id) if poll.anonymous else user_id) in voted:
                continue
            profile = get_member(db, user_id)
            language = normalize_language(profile.locale if profile else None, settings.language)
            messages.append(
                {
                    "key": f"poll:{poll.id}:remind:{user_id}",
                    "address": user_id,
                    "nudge_category": "reminders",
                    # A named poll's reminder is dropped if the member votes before it
                    # goes; an anonymous one only if the poll closes (the guard would
                    # otherwise have to store who the fingerprint belongs to).
                    "guard": poll_unanswered_guard(poll.id, None if poll.anonymous else user_id),
                    **ui.build_poll_reminder(view, poll.channel_id, language),
                }
            )
        queued += enqueue_many_messages(db, messages)
    return queued


def export_rows(db: Session, poll: Poll, language: str) -> str:
    """Return the poll's results as CSV: a summary, then one row per vote if named."""
    view = poll_view(db, poll)
    rows: list[list[object]] = []
    for option in view.options:
        share = option.votes / view.voter_count if view.voter_count else 0.0
        rows.append(["summary", option.label, option.votes, f"{share * 100:.1f}", "", "", ""])
    if not poll.anonymous:
        times = store.vote_times(db, poll.id)
        names = store.display_names(db, {v for o in view.options for v in o.voters})
        for option in view.options:
            for user_id in option.voters:
                voted_at = times.get((option.option_id, user_id))
                rows.append(
                    [
                        "vote",
                        option.label,
                        "",
                        "",
                        user_id,
                        names.get(user_id) or "",
                        voted_at.isoformat(timespec="seconds") if voted_at else "",
                    ]
                )
    header = [t(f"poll.csv.{column}", language) for column in _CSV_COLUMNS]
    return to_csv(header, rows)


_CSV_COLUMNS = ("row", "option", "votes", "percent", "user_id", "name", "voted_at")
