"""Send-time guards: a queued message that is no longer wanted is not sent.

An outbox row may carry `payload["guard"] = {"name": ..., ...}`. The dispatcher asks
`still_wanted` in the very transaction that claims the row, so a reminder queued hours
ago is dropped if the member did what it reminds them of in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from storage.charter import has_accepted_current


def _charter_pending(db: Session, guard: dict[str, Any]) -> bool:
    """Wanted while the member has not accepted the charter in force."""
    return not has_accepted_current(db, str(guard.get("user", "")))


def _poll_unanswered(db: Session, guard: dict[str, Any]) -> bool:
    """Wanted while the poll is open and (on a named poll) the member has not voted."""
    from storage.polls import choices_of, get_poll

    poll = get_poll(db, int(guard.get("poll") or 0))
    if poll is None or poll.closed_at is not None:
        return False
    user = guard.get("user")
    return not (user and choices_of(db, poll.id, str(user)))


def _survey_unanswered(db: Session, guard: dict[str, Any]) -> bool:
    """Wanted while the survey is open and (if named) the member has not answered."""
    from storage.surveys import get_survey, has_completed

    survey = get_survey(db, int(guard.get("survey") or 0))
    if survey is None or survey.closed_at is not None:
        return False
    user = guard.get("user")
    return not (user and has_completed(db, survey.id, str(user)))


GUARDS: dict[str, Callable[[Session, dict[str, Any]], bool]] = {
    "charter_pending": _charter_pending,
    "poll_unanswered": _poll_unanswered,
    "survey_unanswered": _survey_unanswered,
}


def charter_pending_guard(user_id: str) -> dict[str, Any]:
    """Return the guard that cancels a message once `user_id` has accepted the charter."""
    return {"name": "charter_pending", "user": user_id}


def still_wanted(db: Session, guard: Any) -> bool:
    """Tell whether a row with this guard should still be sent (unknown guards: yes)."""
    if not isinstance(guard, dict):
        return True
    check = GUARDS.get(str(guard.get("name")))
    return True if check is None else check(db, guard)


def poll_unanswered_guard(poll_id: int, user_id: str | None) -> dict[str, Any]:
    """Return the guard that cancels a poll reminder once the poll closes (or they vote)."""
    guard: dict[str, Any] = {"name": "poll_unanswered", "poll": poll_id}
    if user_id:
        guard["user"] = user_id
    return guard


def survey_unanswered_guard(survey_id: int, user_id: str | None) -> dict[str, Any]:
    """Return the guard that cancels a survey reminder once it closes (or they answer)."""
    guard: dict[str, Any] = {"name": "survey_unanswered", "survey": survey_id}
    if user_id:
        guard["user"] = user_id
    return guard
