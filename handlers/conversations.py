"""Mentions and direct messages: point the member to the help, through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.app import CercleApp
from bot.i18n import t
from storage.outbox import enqueue_message


def register(app: CercleApp) -> None:
    """Answer @Cercle mentions and messages sent to Cercle's Messages tab."""

    def handle_app_mention(event: dict[str, Any], context: Any, db: Session) -> None:
        user = event.get("user")
        channel = event.get("channel")
        if not user or not channel:
            return
        reply = t("mention.reply", context["language"], user=user)
        enqueue_message(
            db,
            key=f"mention-reply:{channel}:{event.get('ts')}",
            address=channel,
            text=reply,
            thread_ts=event.get("thread_ts") or event.get("ts"),
        )

    def handle_direct_message(event: dict[str, Any], context: Any, db: Session) -> None:
        # Edits, deletions and bot posts arrive as subtypes: only a person's new message
        # deserves an answer.
        if event.get("subtype") or event.get("bot_id") or event.get("channel_type") != "im":
            return
        user = event.get("user")
        if not user:
            return
        enqueue_message(
            db,
            key=f"dm-reply:{event.get('channel')}:{event.get('ts')}",
            address=user,
            text=t("mention.reply", context["language"], user=user),
        )

    app.event("app_mention")(handle_app_mention)
    app.event("message")(handle_direct_message)
