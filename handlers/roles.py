"""`/cercle role`: see who facilitates and coordinates; coordinators grant and revoke roles."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.directory import profile_fields
from bot.errors import UsageError
from bot.i18n import normalize_language, t
from bot.language import SLACKBOT_ID
from bot.roles import Role, grant_role, parse_role, parse_user, revoke_role, role_holders
from bot.ui.common import escape_mrkdwn, section
from bot.ui.roles import build_roles_message, role_name
from storage.members import get_member, save_profile
from storage.models import utcnow
from storage.outbox import enqueue_message

logger = logging.getLogger(__name__)


def _target(call: SubcommandCall) -> tuple[str, Role]:
    """Read `@someone role` (either order) from `grant|revoke @someone role`."""
    if len(call.args) != 3:
        raise UsageError("role.usage")
    first, second = call.args[1], call.args[2]
    user_id, role = parse_user(first), parse_role(second)
    if user_id is None and role is None:
        # `grant facilitator @someone` reads as well.
        user_id, role = parse_user(second), parse_role(first)
        first, second = second, first
    if user_id is None:
        raise UsageError("role.error.no_user", text=escape_mrkdwn(first[:40]))
    if role is None:
        raise UsageError("role.error.unknown_role", word=escape_mrkdwn(second[:30]))
    return user_id, role


def _refuse_non_person(call: SubcommandCall, user_id: str) -> None:
    """Refuse a bot (Cercle itself included) or an account Slack does not know."""
    if user_id == SLACKBOT_ID:
        raise UsageError("role.error.bot", user=user_id)
    member = get_member(call.db, user_id)
    if member is not None:
        if member.is_bot:
            raise UsageError("role.error.bot", user=user_id)
        return
    try:
        user = call.client.users_info(user=user_id, include_locale=True).get("user") or {}
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            raise UsageError("role.error.unknown_user", user=user_id) from None
        logger.info("users.info failed while granting a role: %s", error.response.get("error"))
        return
    except (SlackClientError, OSError):
        return  # Slack cannot tell now: the grant of an id that looks right goes ahead.
    if user.get("is_bot") or user.get("is_app_user"):
        raise UsageError("role.error.bot", user=user_id)
    # Kept, so that the member's notice speaks their language.
    save_profile(call.db, user_id, **profile_fields(user_id, user))


def _tell_member(call: SubcommandCall, user_id: str, key: str, role: Role) -> None:
    """Tell the member, in their language, the role they were given or lost."""
    if user_id == call.user_id:
        return
    member = get_member(call.db, user_id)
    language = normalize_language(member.locale if member else None, call.settings.language)
    enqueue_message(
        call.db,
        key=f"role:{user_id}:{key}:{role.value}:{utcnow():%Y%m%dT%H%M%S%f}",
        address=user_id,
        text=t(key, language, by=call.user_id, role=role_name(role, language)),
    )


def role_command(call: SubcommandCall) -> dict[str, Any]:
    """`/cercle role [grant|revoke @someone facilitator|coordinator]`."""
    action = call.args[0].lower() if call.args else "list"
    if action in ("list", "liste") and len(call.args) <= 1:
        return build_roles_message(role_holders(call.db, call.settings), call.language)
    if action not in ("grant", "revoke"):
        raise UsageError("role.usage")
    user_id, role = _target(call)
    if action == "grant":
        _refuse_non_person(call, user_id)
        now = grant_role(call.db, call.settings, actor_id=call.user_id, user_id=user_id, role=role)
        key, notice = "role.granted", "role.notice.granted"
    else:
        now = revoke_role(call.db, call.settings, actor_id=call.user_id, user_id=user_id, role=role)
        key, notice = "role.revoked", "role.notice.revoked"
    text = t(key, call.language, user=user_id, role=role_name(role, call.language))
    if (action == "grant" and now is not role) or (action == "revoke" and now is not Role.MEMBER):
        text += " " + t("role.now", call.language, role=role_name(now, call.language))
    _tell_member(call, user_id, notice, role)
    return {"text": text, "blocks": [section(text)]}


def register(app: CercleApp) -> None:
    """Add the `role` subcommand: the list for everyone, grant and revoke for coordinators."""
    app.subcommands.add(
        Subcommand(
            name="role",
            help_key="help.cmd.role",
            handler=role_command,
            part_roles={"grant": Role.COORDINATOR, "revoke": Role.COORDINATOR},
            coordinator_usage="[grant|revoke @someone facilitator|coordinator]",
            coordinator_help_key="help.cmd.role_admin",
        )
    )
