"""Outbox operations: write the Slack calls a change causes, in the change's transaction.

Functions take the session first and never commit; the caller's transaction decides.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import OutboxMessage, OutboxStatus, utcnow

POST_MESSAGE = "chat.postMessage"
UPDATE_MESSAGE = "chat.update"
INVITE = "conversations.invite"
# Not one Web API method but the three steps of an upload (see bot.dispatcher).
FILE_UPLOAD = "files.upload"
# Files travel inside the row's JSON payload, so they must stay small (CSVs, charts).
MAX_FILE_BYTES = 1024 * 1024
# Set in a session's `info` once it queued a row: worth waking the dispatcher at commit.
QUEUED = "outbox_queued"
# Rows of this kind are nudges: the courtesy policy decides when (and whether) they go.
NUDGE_KIND = "nudge"


def _insert_once(db: Session, values: dict[str, Any]) -> bool:
    """Insert an outbox row unless its idempotency key exists; tell whether it was new.

    ON CONFLICT DO NOTHING (rather than catching IntegrityError) keeps the caller's
    transaction usable on PostgreSQL, where a failed INSERT aborts the transaction.
    """
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        # RETURNING rather than rowcount: drivers report -1 for some multi-row paths.
        .returning(OutboxMessage.id)
    )
    created = db.execute(statement).first() is not None
    if created:
        db.info[QUEUED] = True
    return created


def _supersede_older(
    db: Session, coalesce_key: str, newer_key: str, *, due_from: datetime | None = None
) -> None:
    """Mark unsent rows sharing `coalesce_key` as superseded by the row `newer_key`.

    With `due_from`, only rows due at or after it: a row due earlier keeps its turn.
    """
    conditions = []
    if due_from is not None:
        conditions.append(OutboxMessage.next_attempt_at >= due_from)
    db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.coalesce_key == coalesce_key,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.in_doubt.is_(False),
            OutboxMessage.idempotency_key != newer_key,
            *conditions,
        )
        .values(status=OutboxStatus.SUPERSEDED, last_error=f"superseded by {newer_key}")
    )


def enqueue_message(
    db: Session,
    *,
    key: str,
    address: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    kind: str = "message",
    thread_key: str | None = None,
    thread_ts: str | None = None,
    not_before: datetime | None = None,
    guard: dict[str, Any] | None = None,
    nudge_category: str | None = None,
) -> bool:
    """Queue a chat.postMessage to a channel id or a user id (a DM); True if newly queued.

    `text` is the notification and accessibility fallback Slack shows when blocks can't
    be. `thread_key` names an earlier row whose message this one replies under;
    `thread_ts` replies under a message someone else posted.
    """
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    if thread_ts:
        payload["thread_ts"] = thread_ts
    if guard:
        payload["guard"] = guard  # see storage.guards: checked again when sending
    if nudge_category:
        # A nudge to a member (address = their user id): the courtesy policy applies.
        payload["nudge_category"] = nudge_category
        kind = NUDGE_KIND
    return _insert_once(
        db,
        {
            "idempotency_key": key,
            "kind": kind,
            "method": POST_MESSAGE,
            "address": address,
            "target_key": thread_key,
            "payload": payload,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "in_doubt": False,
            "next_attempt_at": not_before or utcnow(),
            "created_at": utcnow(),
        },
    )


def enqueue_many_messages(db: Session, messages: list[dict[str, Any]]) -> int:
    """Queue many chat.postMessage rows in a few statements; return how many were new.

    Each dict has `key`, `address`, `text` and optionally `blocks`, `guard` and
    `nudge_category`.
    One multi-row INSERT ... ON CONFLICT DO NOTHING per batch keeps a fan-out to
    thousands of members to a handful of round trips, and stays idempotent.
    """
    if not messages:
        return 0
    now = utcnow()
    rows = []
    for message in messages:
        payload: dict[str, Any] = {"text": message["text"]}
        if message.get("blocks"):
            payload["blocks"] = message["blocks"]
        kind = "message"
        if message.get("guard"):
            payload["guard"] = message["guard"]  # see storage.guards
        if message.get("nudge_category"):
            payload["nudge_category"] = message["nudge_category"]
            kind = NUDGE_KIND
        rows.append(
            {
                "idempotency_key": message["key"],
                "kind": kind,
                "method": POST_MESSAGE,
                "address": message["address"],
                "target_key": None,
                "coalesce_key": None,
                "payload": payload,
                "status": OutboxStatus.PENDING,
                "attempts": 0,
                "in_doubt": False,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    # One statement executed with many parameter sets: SQLAlchemy batches it into
    # multi-row INSERTs itself ("insertmanyvalues"), compiling the SQL once instead of
    # once per batch, which is most of the cost for thousands of rows.
    statement = (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(OutboxMessage.id)
    )
    queued = len(db.execute(statement, rows).all())
    if queued:
        db.info[QUEUED] = True
    return queued


def enqueue_update(
    db: Session,
    *,
    key: str,
    target_key: str,
    address: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    coalesce_key: str | None = None,
    not_before: datetime | None = None,
    supersede_due_from: datetime | None = None,
) -> bool:
    """Queue a chat.update of the message sent for row `target_key`; True if newly queued.

    With a `coalesce_key`, any older unsent update sharing it is superseded: only the
    newest content matters for a message edited in place (a live tally, say).
    `not_before` holds it back, to space out the edits of a busy message; with
    `supersede_due_from`, only updates due from then on are superseded, so an update
    already due still goes out while a newer one waits for its own turn.
    """
    payload: dict[str, Any] = {"text": text}
    if blocks:
        payload["blocks"] = blocks
    created = _insert_once(
        db,
        {
            "idempotency_key": key,
            "coalesce_key": coalesce_key,
            "kind": "update",
            "method": UPDATE_MESSAGE,
            "address": address,
            "target_key": target_key,
            "payload": payload,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "in_doubt": False,
            "next_attempt_at": not_before or utcnow(),
            "created_at": utcnow(),
        },
    )
    if created and coalesce_key:
        _supersede_older(db, coalesce_key, key, due_from=supersede_due_from)
    return created


def enqueue_invite(db: Session, *, key: str, channel: str, user_id: str) -> bool:
    """Queue a conversations.invite of `user_id` to `channel`; True if newly queued."""
    return _insert_once(
        db,
        {
            "idempotency_key": key,
            "kind": "invite",
            "method": INVITE,
            "address": channel,
            "payload": {"users": user_id},
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "in_doubt": False,
            "next_attempt_at": utcnow(),
            "created_at": utcnow(),
        },
    )


def unique_filename(filename: str, key: str) -> str:
    """Return `filename` with 6 hex digits of the key's hash before its extension.

    The dispatcher recognises its own upload in a conversation's history by this name,
    so it keeps to letters, digits, dots and dashes: nothing Slack might rewrite.
    """
    filename = re.sub(r"[^\w.-]+", "-", filename.strip()).strip("-") or "file"
    stem, dot, extension = filename.rpartition(".")
    if not stem:  # no extension (or a leading dot only): the suffix goes at the end
        stem, dot, extension = filename, "", ""
    tag = hashlib.sha256(key.encode("utf-8")).hexdigest()[:6]
    return f"{stem}-{tag}{dot}{extension}"


def enqueue_file(
    db: Session,
    *,
    key: str,
    address: str,
    filename: str,
    content: bytes,
    title: str,
    initial_comment: str | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Queue a file shared in a channel id, or in the DM of a user id; True if newly queued.

    `title` is what people read; the name Slack shows gets a suffix unique to the row
    (`report.csv` becomes `report-1a2b3c.csv`). Files over `MAX_FILE_BYTES`, or empty
    ones, raise ValueError.
    """
    if not isinstance(content, bytes):
        raise TypeError("content must be bytes")
    if not content:
        raise ValueError("cannot send an empty file")
    if len(content) > MAX_FILE_BYTES:
        raise ValueError(f"file of {len(content)} bytes exceeds the {MAX_FILE_BYTES}-byte limit")
    payload: dict[str, Any] = {
        "filename": unique_filename(filename, key),
        "title": title,
        "content": base64.b64encode(content).decode("ascii"),
    }
    if initial_comment:
        payload["initial_comment"] = initial_comment
    return _insert_once(
        db,
        {
            "idempotency_key": key,
            "kind": "file",
            "method": FILE_UPLOAD,
            "address": address,
            "payload": payload,
            "status": OutboxStatus.PENDING,
            "attempts": 0,
            "in_doubt": False,
            "next_attempt_at": not_before or utcnow(),
            "created_at": utcnow(),
        },
    )


def cancel_unsent(db: Session, *, address: str, key_prefix: str) -> int:
    """Supersede unsent rows to `address` whose key starts with `key_prefix`; return how many."""
    result = db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.address == address,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.in_doubt.is_(False),
            OutboxMessage.idempotency_key.startswith(key_prefix, autoescape=True),
        )
        .values(status=OutboxStatus.SUPERSEDED, last_error="cancelled: no longer needed")
    )
    return int(result.rowcount or 0)


def planned_members(db: Session, *, prefix: str, suffix: str) -> set[str]:
    """Return the addresses of rows whose key starts with `prefix` and ends with `suffix`."""
    pattern = prefix.replace("%", "").replace("_", r"\_") + "%" + suffix.replace("_", r"\_")
    return set(
        db.scalars(
            select(OutboxMessage.address).where(
                OutboxMessage.idempotency_key.like(pattern, escape="\\")
            )
        )
    )


def find_row(db: Session, key: str) -> OutboxMessage | None:
    """Return the outbox row with idempotency key `key`, if any."""
    return db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))


@dataclass(frozen=True)
class OutboxReport:
    """Figures `cercle status` prints about the queue."""

    by_status: dict[str, int]
    retried: int
    in_doubt: int
    oldest_pending_age_seconds: float | None

    @property
    def queue_depth(self) -> int:
        """Rows still to send (pending or being sent)."""
        return self.by_status.get(OutboxStatus.PENDING, 0) + self.by_status.get(
            OutboxStatus.SENDING, 0
        )


def outbox_report(db: Session, *, now: datetime | None = None) -> OutboxReport:
    """Count rows by status, retries and the age of the oldest unsent row."""
    now = now or utcnow()
    by_status = dict(
        db.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    )
    retried = db.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.attempts > 1)
    )
    in_doubt = db.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.in_doubt.is_(True))
    )
    oldest = db.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
        )
    )
    if oldest is not None and oldest.tzinfo is None:
        # func.min bypasses the column type on SQLite and returns a string or naive value.
        oldest = oldest.replace(tzinfo=now.tzinfo)
    age = (now - oldest).total_seconds() if isinstance(oldest, datetime) else None
    return OutboxReport(
        by_status={str(k): int(v) for k, v in by_status.items()},
        retried=int(retried or 0),
        in_doubt=int(in_doubt or 0),
        oldest_pending_age_seconds=age,
    )
