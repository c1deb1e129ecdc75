"""Typed errors that end a request with a clear message in the member's language."""

from __future__ import annotations

from typing import Any


class CercleError(Exception):
    """A problem the acting member should be told about; nothing of the request is saved."""

    def __init__(self, message_key: str, *, block_id: str | None = None, **values: Any) -> None:
        super().__init__(message_key)
        self.message_key = message_key
        self.block_id = block_id  # for modal submissions: the input the message belongs to
        self.values = values


# The message that says which role an action needs, by role (`bot.roles.Role` values).
_NEEDS_ROLE = {
    "facilitator": "error.facilitators_only",
    "coordinator": "error.coordinators_only",
}


class PermissionDenied(CercleError):
    """The member lacks the role the action needs; the message names that role."""

    def __init__(self, role: str = "coordinator") -> None:
        super().__init__(_NEEDS_ROLE[role])
        self.role = role


class UsageError(CercleError):
    """The member typed something Cercle can't understand; the message says how to fix it."""
