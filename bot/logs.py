"""Logging set-up that never lets a token or secret reach the logs."""

from __future__ import annotations

import logging
import re

# Slack tokens (xoxb-, xapp-, xoxp-...) and anything that looks like a signing secret
# assignment. Redacting at the handler catches third-party loggers too.
_SECRET = re.compile(r"(xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")


class RedactSecrets(logging.Filter):
    """Replace Slack tokens and known secret values in every record with [redacted]."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = tuple(s for s in secrets if len(s) >= 6)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message in place; always keep the record."""
        message = record.getMessage()
        cleaned = _SECRET.sub("[redacted]", message)
        for secret in self._secrets:
            cleaned = cleaned.replace(secret, "[redacted]")
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


def configure_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    """Log to stderr at `level`, with secrets redacted."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Bolt logs whole payloads at DEBUG; they may hold what members typed.
    # APScheduler logs every run of every job at INFO (the schedule sync runs each minute).
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("slack_bolt").setLevel(max(logging.INFO, logging.getLevelName(level)))
