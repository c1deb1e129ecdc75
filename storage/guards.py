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


GUARDS: dict[str, Callable[[Session, dict[str, Any]], bool]] = {
    "charter_pending": _charter_pending,
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
