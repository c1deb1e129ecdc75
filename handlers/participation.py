"""Participation in the counted channels: messages, thread replies, reactions; `/cercle channels`.

Only metadata is recorded (who, what kind, where, when), never what was written. Each
act is named by a source key (`message:<channel>:<ts>`, `reaction:<channel>:<ts>:<user>:
<name>`), so a redelivered event, or the same event under another id, counts once, and
a deleted message or a removed reaction finds its event again.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.errors import UsageError
from bot.i18n import t
from bot.roles import Role
from bot.ui.common import context as context_block
from bot.ui.common import escape_mrkdwn, header, section
from storage.members import get_member
from storage.models import CommunityChannel
from storage.participation import (
    MESSAGE,
    REACTION,
    REPLY,
    add_channel,
    record,
    remove,
    remove_channel,
    tracked_channels,
)

SLACKBOT_ID = "USLACKBOT"

# Message subtypes that are a person writing: a plain message has no subtype. Everything
# else (joins and leaves, topic changes, pins, bot posts...) is not participation, or is
# recorded elsewhere (joins and leaves of the community channel by member_joined_channel).
_WRITTEN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}

# `<#C123|name>` or `<#C123>` as Slack writes a channel mention, or a bare channel id.
# (Channel ids always hold a digit: "GENERAL" typed by hand is a name, not an id.)
_CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9]{2,})(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[CG](?=[A-Z]*[0-9])[A-Z0-9]{2,}$")


def slack_time(ts: Any) -> datetime | None:
    """Return the UTC time of a Slack timestamp ("1700000000.000100"), or None if malformed."""
    seconds, _, fraction = str(ts or "").partition(".")
    # ASCII digits only: "²" is a digit to isdigit(), not to int().
    if (
        not (seconds + fraction).isascii()
        or not seconds.isdigit()
        or (fraction and not fraction.isdigit())
    ):
        return None
    micros = int((fraction + "000000")[:6]) if fraction else 0
    try:
        return datetime.fromtimestamp(int(seconds), UTC).replace(microsecond=micros)
    except (OverflowError, OSError, ValueError):
        return None


def is_person(db: Session, user_id: str | None, context: Any) -> bool:
    """Tell whether `user_id` is a person (not Cercle, Slackbot or a known bot)."""
    if not user_id or user_id in (context.get("bot_user_id"), SLACKBOT_ID):
        return False
    member = get_member(db, user_id)
    return member is None or not member.is_bot


def message_key(channel: str, ts: str) -> str:
    """Return the source key of a message."""
    return f"message:{channel}:{ts}"


def reaction_key(channel: str, ts: str, user_id: str, name: str) -> str:
    """Return the source key of one member's reaction to one message."""
    return f"reaction:{channel}:{ts}:{user_id}:{name}"


def parse_channel(text: str) -> str | None:
    """Return the channel id in a mention (`<#C123|name>`) or a bare id, else None."""
    text = text.strip()
    mention = _CHANNEL_MENTION.match(text)
    if mention:
        return mention.group(1)
    return text if _CHANNEL_ID.match(text) else None


def _not_in_a_dm(event: dict[str, Any]) -> bool:
    """Match channel messages only: DMs to Cercle belong to the conversations listener.

    Bolt runs the first listener that matches, and both listen to `message`.
    """
    return event.get("channel_type") != "im"


def handle_channel_message(event: dict[str, Any], context: Any, db: Session) -> None:
    """Record a message or a thread reply in a counted channel; take back a deleted one."""
    subtype = event.get("subtype")
    channel = str(event.get("channel") or "")
    if subtype == "message_deleted":
        remove(db, source_key=message_key(channel, str(event.get("deleted_ts") or "")))
        return
    if subtype == "message_changed":
        # An edit is the same message, not new participation: nothing to record. Only a
        # deleted thread parent, which Slack turns into a "tombstone", takes it back.
        changed = event.get("message") or {}
        if changed.get("subtype") == "tombstone":
            remove(db, source_key=message_key(channel, str(changed.get("ts") or "")))
        return
    if subtype not in _WRITTEN_SUBTYPES or event.get("bot_id"):
        return
    user_id = str(event.get("user") or "")
    ts = str(event.get("ts") or "")
    at = slack_time(ts)
    if at is None or channel not in tracked_channels(db, context["settings"].community_channel):
        return
    if not is_person(db, user_id, context):
        return
    thread_ts = event.get("thread_ts")
    record(
        db,
        source_key=message_key(channel, ts),
        user_id=user_id,
        kind=REPLY if thread_ts and thread_ts != ts else MESSAGE,
        channel_id=channel,
        occurred_at=at,
    )


def handle_reaction_added(event: dict[str, Any], context: Any, db: Session) -> None:
    """Record a member's reaction to a message in a counted channel."""
    item = event.get("item") or {}
    channel, ts = str(item.get("channel") or ""), str(item.get("ts") or "")
    user_id, name = str(event.get("user") or ""), str(event.get("reaction") or "")
    if item.get("type") != "message" or not (channel and ts and name):
        return
    if channel not in tracked_channels(db, context["settings"].community_channel):
        return
    if not is_person(db, user_id, context):
        return
    record(
        db,
        source_key=reaction_key(channel, ts, user_id, name),
        user_id=user_id,
        kind=REACTION,
        channel_id=channel,
        occurred_at=slack_time(event.get("event_ts")),
    )


def handle_reaction_removed(event: dict[str, Any], db: Session) -> None:
    """Take back a reaction (wherever it was: removing what was never recorded is a no-op)."""
    item = event.get("item") or {}
    if item.get("type") != "message":
        return
    remove(
        db,
        source_key=reaction_key(
            str(item.get("channel") or ""),
            str(item.get("ts") or ""),
            str(event.get("user") or ""),
            str(event.get("reaction") or ""),
        ),
    )


def build_channels_message(
    main_channel: str, added: list[CommunityChannel], language: str
) -> dict[str, Any]:
    """Return the list of counted channels: the community's own, then those added."""
    lines = []
    if main_channel:
        lines.append(t("channels.main_line", language, channel=main_channel))
    date_format = "%d/%m/%Y" if language == "fr" else "%Y-%m-%d"
    for row in added:
        lines.append(
            t(
                "channels.line",
                language,
                channel=row.channel_id,
                user=row.added_by,
                date=row.added_at.strftime(date_format),
            )
        )
    if not added:
        lines.append(t("channels.none_added", language))
    title = t("channels.title", language)
    return {
        "text": title,
        "blocks": [
            header(title),
            section("\n".join(lines)),
            context_block(t("channels.footer", language)),
        ],
    }


def manage_channels(call: SubcommandCall) -> dict[str, Any]:
    """`/cercle channels [list|add #channel|remove #channel]`."""
    action = call.args[0].lower() if call.args else "list"
    main_channel = call.settings.community_channel
    if action == "list" and len(call.args) <= 1:
        added = list(call.db.scalars(select(CommunityChannel).order_by(CommunityChannel.added_at)))
        return build_channels_message(main_channel, added, call.language)
    if action not in ("add", "remove") or len(call.args) != 2:
        raise UsageError("channels.usage")
    channel = parse_channel(call.args[1])
    if channel is None:
        raise UsageError("channels.bad_channel", text=escape_mrkdwn(call.args[1][:40]))
    if channel == main_channel:
        if action == "remove":
            raise UsageError("channels.main_always", channel=channel)
        key = "channels.already"
    elif action == "add":
        added = add_channel(call.db, channel, added_by=call.user_id)
        key = "channels.added" if added else "channels.already"
    else:
        removed = remove_channel(call.db, channel)
        key = "channels.removed" if removed else "channels.not_counted"
    return {"text": t(key, call.language, channel=channel)}


def register(app: CercleApp) -> None:
    """Listen to messages and reactions in counted channels; add `/cercle channels`."""
    app.event("message", matchers=[_not_in_a_dm])(handle_channel_message)
    app.event("reaction_added")(handle_reaction_added)
    app.event("reaction_removed")(handle_reaction_removed)
    app.subcommands.add(
        Subcommand(
            name="channels",
            help_key="help.cmd.channels",
            handler=manage_channels,
            part_roles={"add": Role.COORDINATOR, "remove": Role.COORDINATOR},
            usage="",
            coordinator_usage="[add|remove #channel]",
            coordinator_help_key="help.cmd.channels_admin",
        )
    )
