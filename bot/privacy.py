"""Privacy by design: a member's copy of their data, being forgotten, and retention.

- `/cercle my-data` builds a JSON document of everything stored under the member's id
  (`storage.privacy.collect_member_data`) with a word on why and how long, and queues it
  as a file in their DM through the outbox, like any export.
- `/cercle forget-me` and `cercle forget USER_ID` erase the member in the request's one
  transaction (`storage.privacy.erase_member`), then re-render the polls whose message
  named them so their name leaves the channel too.
- The nightly retention job deletes participation events and toolbox visits older than
  `CERCLE_RETENTION_MONTHS`, turns older per-member daily counts into anonymous counts,
  and blanks what delivered messages said after 30 days, batch by batch, each batch a
  short transaction of its own.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.errors import CercleError
from bot.i18n import t
from bot.polls import refresh_poll_message
from storage import polls as poll_store
from storage.db import transaction
from storage.models import utcnow
from storage.outbox import MAX_FILE_BYTES, enqueue_file
from storage.privacy import (
    EXPORT_FORMAT,
    EXPORT_GROUPS,
    OUTBOX_PAYLOAD_KEEP_DAYS,
    Erasure,
    blank_old_payloads,
    collect_member_data,
    erase_member,
    fold_old_daily,
    months_before,
    purge_old_events,
    purge_old_visits,
)

logger = logging.getLogger(__name__)

EXPORT_NAME = "cercle-my-data"
# Rows one retention batch touches: small enough that a batch is a short transaction
# (SQLite's write lock, PostgreSQL's row locks), large enough that a year of events
# takes minutes, not hours.
RETENTION_BATCH = 5_000


# ------------------------------------------------------------------ my data


def member_data_document(
    db: Session, settings: Settings, user_id: str, *, language: str, now: datetime | None = None
) -> dict[str, Any]:
    """Return everything stored under `user_id`, with why and for how long, as JSON data."""
    now = now or utcnow()
    data = collect_member_data(db, user_id)
    months = settings.retention_months
    return {
        "format": EXPORT_FORMAT,
        "user_id": user_id,
        "generated_at": now.isoformat(),
        "about": t("privacy.export.about", language),
        "not_included": t("privacy.export.anonymous", language),
        "why_and_how_long": {
            group: t(f"privacy.export.why.{group}", language, months=months)
            for group in EXPORT_GROUPS
        },
        **data,
    }


def export_file(document: dict[str, Any]) -> tuple[str, bytes]:
    """Return the file name and bytes of the document: JSON, zipped if it is too big.

    Raise CercleError when even the zip exceeds what the outbox carries.
    """
    content = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    if len(content) <= MAX_FILE_BYTES:
        return f"{EXPORT_NAME}.json", content
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{EXPORT_NAME}.json", content)
    zipped = buffer.getvalue()
    if len(zipped) <= MAX_FILE_BYTES:
        return f"{EXPORT_NAME}.zip", zipped
    raise CercleError("privacy.my_data.too_large")


def send_member_data(
    db: Session, settings: Settings, user_id: str, *, language: str, now: datetime | None = None
) -> None:
    """Queue the member's data as a file in their DM."""
    now = now or utcnow()
    filename, content = export_file(
        member_data_document(db, settings, user_id, language=language, now=now)
    )
    enqueue_file(
        db,
        key=f"my-data:{user_id}:{now:%Y%m%dT%H%M%S%f}",
        address=user_id,
        filename=filename,
        content=content,
        title=t("privacy.my_data.title", language),
        initial_comment=t("privacy.my_data.comment", language),
    )


# ------------------------------------------------------------------ forget me


def forget_member(
    db: Session,
    settings: Settings,
    user_id: str,
    *,
    stop_tracking: bool,
    now: datetime | None = None,
) -> Erasure:
    """Erase `user_id` and re-render the polls whose message named them, in one transaction."""
    now = now or utcnow()
    erasure = erase_member(
        db,
        user_id,
        stop_tracking=stop_tracking,
        neutral=t("privacy.former_member", settings.language),
        now=now,
    )
    for poll_id in erasure.polls_to_refresh:
        poll = poll_store.lock_poll(db, poll_id)
        if poll is not None and poll.post_key:
            refresh_poll_message(db, poll, now=now)
    # Counts only: the log must not keep the id of someone who asked to be forgotten.
    logger.info(
        "a member was forgotten: %d tables changed, %d poll messages re-rendered",
        len(erasure.changes),
        len(erasure.polls_to_refresh),
    )
    return erasure


# ------------------------------------------------------------------ retention


@dataclass(frozen=True)
class RetentionReport:
    """What one retention run did."""

    events_deleted: int
    visits_deleted: int
    daily_rows_folded: int
    payloads_blanked: int

    def summary(self) -> str:
        """Return the one line the job logs."""
        return (
            f"retention: {self.events_deleted} participation events and "
            f"{self.visits_deleted} toolbox visits deleted, {self.daily_rows_folded} daily "
            f"counts made anonymous, {self.payloads_blanked} delivered messages blanked"
        )


def _in_batches(session_factory: sessionmaker[Session], step: Any, batch_size: int) -> int:
    """Run `step(db, limit)` in its own transaction until a batch comes back short."""
    total = 0
    while True:
        with transaction(session_factory) as db:
            done = step(db, batch_size)
        total += done
        if done < batch_size:
            return total


def apply_retention(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    now: datetime | None = None,
    batch_size: int = RETENTION_BATCH,
) -> RetentionReport:
    """Apply the retention periods, batch by batch; return what was done."""
    now = now or utcnow()
    cutoff = months_before(now, settings.retention_months)
    outbox_cutoff = now - timedelta(days=OUTBOX_PAYLOAD_KEEP_DAYS)
    report = RetentionReport(
        events_deleted=_in_batches(
            session_factory,
            lambda db, limit: purge_old_events(db, before=cutoff, limit=limit),
            batch_size,
        ),
        visits_deleted=_in_batches(
            session_factory,
            lambda db, limit: purge_old_visits(db, before=cutoff, limit=limit),
            batch_size,
        ),
        daily_rows_folded=_in_batches(
            session_factory,
            lambda db, limit: fold_old_daily(db, before=cutoff.date(), limit=limit),
            batch_size,
        ),
        payloads_blanked=_in_batches(
            session_factory,
            lambda db, limit: blank_old_payloads(db, before=outbox_cutoff, limit=limit),
            batch_size,
        ),
    )
    logger.info("%s", report.summary())
    return report
