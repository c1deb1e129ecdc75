"""The outbox status message for coordinators."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.ui.common import header, section
from storage.models import OutboxStatus
from storage.outbox import OutboxReport


def build_status_message(report: OutboxReport, language: str) -> dict[str, Any]:
    """Return the queue figures as an ephemeral message payload."""
    age = report.oldest_pending_age_seconds
    oldest = (
        t("status.none", language)
        if age is None
        else t("status.seconds", language, seconds=round(age))
    )
    body = t(
        "status.body",
        language,
        depth=report.queue_depth,
        sent=report.by_status.get(OutboxStatus.SENT, 0),
        failed=report.by_status.get(OutboxStatus.FAILED, 0),
        retried=report.retried,
        oldest=oldest,
    )
    return {
        "text": t("status.title", language),
        "blocks": [header(t("status.title", language)), section(body)],
    }
