"""Which language to speak to a member: their Slack locale, else the community's."""

from __future__ import annotations

import logging
import re

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.i18n import normalize_language
from storage.db import transaction
from storage.members import get_member, profile_is_fresh, save_profile

logger = logging.getLogger(__name__)

SLACKBOT_ID = "USLACKBOT"
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def resolve_language(
    session_factory: sessionmaker[Session],
    request_db: Session,
    client: WebClient,
    settings: Settings,
    user_id: str | None,
    *,
    ask_slack: bool = True,
) -> str:
    """Return 'fr' or 'en' for `user_id`, asking Slack (users.info) at most weekly.

    With `ask_slack` false, only what is stored counts (for requests answering nobody).

    The stored profile is read in a short transaction of its own and Slack is asked
    with no transaction open: on SQLite an open transaction holds the write lock, and
    a slow Slack must not stall every other request and the dispatcher. The refreshed
    profile is then written in the request's transaction. Any failure falls back to
    CERCLE_LANGUAGE: speaking the default language beats refusing to answer.
    """
    default = settings.language
    if not isinstance(user_id, str) or not _USER_ID.match(user_id):
        return default
    try:
        with transaction(session_factory) as db:
            member = get_member(db, user_id)
            stored_locale = member.locale if member else None
            fresh = profile_is_fresh(member)
    except SQLAlchemyError:
        logger.warning("database unavailable while looking up a member's language")
        return default
    if fresh or not ask_slack:
        return normalize_language(stored_locale, default)
    try:
        reply = client.users_info(user=user_id, include_locale=True)
    except (SlackApiError, SlackClientError, OSError) as error:
        logger.info(
            "users.info failed for a member (%s); using the stored or default language",
            type(error).__name__,
        )
        return normalize_language(stored_locale, default)
    user = reply.get("user") or {}
    profile = user.get("profile") or {}
    try:
        save_profile(
            request_db,
            user_id,
            display_name=(
                profile.get("display_name") or profile.get("real_name") or user.get("name")
            ),
            locale=user.get("locale"),
            timezone=user.get("tz"),
            is_bot=bool(user.get("is_bot")) or user_id == SLACKBOT_ID,
            is_guest=bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
            is_deleted=bool(user.get("deleted")),
            # Read by the roles when CERCLE_WORKSPACE_ADMINS_COORDINATE is on.
            is_workspace_admin=bool(user.get("is_admin") or user.get("is_owner")),
        )
    except SQLAlchemyError:
        # The request itself will meet the same outage and answer accordingly.
        logger.warning("database unavailable while saving a member's profile")
    return normalize_language(user.get("locale"), default)
