"""The status message for coordinators: the queue, the scheduler's leader, jobs, failures."""

from __future__ import annotations

from typing import Any

from bot.deadlines import slack_date
from bot.i18n import t
from bot.ui.common import SECTION_TEXT_LIMIT, divider, escape_mrkdwn, header, section
from storage.models import OutboxStatus
from storage.operations import JobRunInfo, OperationsReport
from storage.outbox import OutboxReport

# Slack allows 50 blocks in a message; the fixed part takes a handful.
_MAX_LIST_SECTIONS = 20


def _seconds(value: float, language: str) -> str:
    """Return a duration like "0.4 s" ("0,4 s" in French)."""
    number = f"{value:.1f}"
    return t(
        "status.seconds", language, seconds=number.replace(".", ",") if language == "fr" else number
    )


def _packed(title: str, lines: list[str]) -> list[dict[str, Any]]:
    """Return sections holding `title` then `lines`, each section within Slack's limit."""
    blocks: list[dict[str, Any]] = []
    current = title
    for line in lines:
        line = line[: SECTION_TEXT_LIMIT - 1]
        if len(current) + 1 + len(line) > SECTION_TEXT_LIMIT:
            blocks.append(section(current))
            current = line
        else:
            current = f"{current}\n{line}"
    blocks.append(section(current))
    return blocks[:_MAX_LIST_SECTIONS]


def _job_lines(run: JobRunInfo, language: str, timezone: str | None) -> list[str]:
    duration = run.duration_seconds
    line = t(
        "status.job_line",
        language,
        job=escape_mrkdwn(run.job_id),
        outcome=t(f"status.outcome.{run.outcome}", language)
        if run.outcome in ("ok", "failed", "running")
        else escape_mrkdwn(run.outcome),
        when=slack_date(run.started_at, fallback_timezone=timezone),
        duration=t("status.running_for", language)
        if duration is None
        else _seconds(duration, language),
        process=escape_mrkdwn(run.process_id or "?"),
    )
    if not run.error:
        return [line]
    return [line, t("status.job_error", language, error=escape_mrkdwn(run.error))]


def build_operations_blocks(
    operations: OperationsReport, language: str, *, timezone: str | None = None
) -> list[dict[str, Any]]:
    """Return the leader, job and failed-delivery sections of the status message."""
    leader = operations.leader
    if leader is None:
        blocks = [section(t("status.no_leader", language))]
    else:
        blocks = [
            section(
                t(
                    "status.leader",
                    language,
                    host=escape_mrkdwn(leader.hostname),
                    pid=leader.pid,
                    process=escape_mrkdwn(leader.process_id),
                    since=slack_date(leader.since, fallback_timezone=timezone),
                    heartbeat=slack_date(leader.heartbeat_at, fallback_timezone=timezone),
                )
            )
        ]
    if operations.jobs:
        lines = [line for run in operations.jobs for line in _job_lines(run, language, timezone)]
        blocks += _packed(t("status.jobs_title", language), lines)
    else:
        blocks.append(section(t("status.no_jobs", language)))
    if operations.failed:
        lines = [
            t(
                "status.failed_line",
                language,
                id=row.id,
                method=escape_mrkdwn(row.method),
                address=escape_mrkdwn(row.address),
                attempts=row.attempts,
                error=escape_mrkdwn(row.error or "?"),
            )
            for row in operations.failed
        ]
        blocks += _packed(t("status.failed_title", language, count=len(operations.failed)), lines)
    else:
        blocks.append(section(t("status.no_failed", language)))
    return blocks


def build_status_message(
    report: OutboxReport,
    language: str,
    operations: OperationsReport | None = None,
    *,
    timezone: str | None = None,
) -> dict[str, Any]:
    """Return the queue figures (and, given `operations`, leader, jobs, failures) as a message."""
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
    blocks = [header(t("status.title", language)), section(body)]
    if operations is not None:
        blocks += [divider(), *build_operations_blocks(operations, language, timezone=timezone)]
    return {"text": t("status.title", language), "blocks": blocks[:50]}
