"""Who may do what. Coordinators come from CERCLE_ADMINS for now."""

from __future__ import annotations

from bot.config import Settings


def is_coordinator(settings: Settings, user_id: str | None) -> bool:
    """Tell whether `user_id` coordinates the community."""
    return bool(user_id) and user_id in settings.admins
