"""Logging set-up: readable lines or JSON lines, and never a token or secret in either.

Operational lines (one per request handled, one per outbox row sent or failed, one per
job run) go through `log_fields`: a short event name plus key=value fields. The text
format shows `event key=value ...`; the JSON format gives one object per line with the
time, level, logger, message (the event name) and each field as a key of its own.
Fields carry ids, outcomes and durations only: never what members wrote, never a token.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# Slack tokens (xoxb-, xapp-, xoxp-...) and anything that looks like a signing secret
# assignment. Redacting at the handler catches third-party loggers too.
_SECRET = re.compile(r"(xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+)")
REDACTED = "[redacted]"

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Attributes `log_fields` sets on a record (through `extra`) for the JSON formatter.
FIELDS_ATTR = "cercle_fields"
EVENT_ATTR = "cercle_event"
# JSON keys a field may not overwrite.
_RESERVED_KEYS = frozenset({"time", "level", "logger", "message", "exception", "stack"})
# A field value longer than this is cut: ids are short, and a request that is not from
# Slack (a bad signature) must not be able to flood the logs through them.
FIELD_VALUE_LIMIT = 200


class _Redactor:
    """Replace Slack tokens and the known secret values in a string."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.secrets = tuple(s for s in secrets if s and len(s) >= 6)

    def clean(self, text: str) -> str:
        """Return `text` with every token and known secret replaced by [redacted]."""
        cleaned = _SECRET.sub(REDACTED, text)
        for secret in self.secrets:
            cleaned = cleaned.replace(secret, REDACTED)
        return cleaned


class RedactSecrets(logging.Filter):
    """Replace Slack tokens and known secret values in every record with [redacted]."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._redactor = _Redactor(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (and its fields) in place; always keep the record."""
        message = record.getMessage()
        cleaned = self._redactor.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        fields = getattr(record, FIELDS_ATTR, None)
        if fields:
            setattr(
                record,
                FIELDS_ATTR,
                {
                    k: self._redactor.clean(v) if isinstance(v, str) else v
                    for k, v in fields.items()
                },
            )
        return True


class RedactingTextFormatter(logging.Formatter):
    """The readable format; the whole line (tracebacks included) is redacted last."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self._redactor = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """Format the record, then redact the result."""
        return self._redactor.clean(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the record's fields."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._redactor = _Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON (with tokens and secrets redacted)."""
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": getattr(record, EVENT_ATTR, None) or record.getMessage(),
        }
        for key, value in (getattr(record, FIELDS_ATTR, None) or {}).items():
            data[f"field_{key}" if key in _RESERVED_KEYS else key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            data["exception"] = record.exc_text
        if record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii keeps the line one line whatever a value holds.
        return self._redactor.clean(json.dumps(data, default=str))


def _field_value(value: Any) -> Any:
    """Return a field value fit for a log line: numbers as they are, strings cut short."""
    if isinstance(value, bool | int | float):
        return value
    text = str(value)
    return text if len(text) <= FIELD_VALUE_LIMIT else text[: FIELD_VALUE_LIMIT - 1] + "…"


def _text_value(value: Any) -> str:
    """Render a field for the text format: bare if simple, JSON-quoted otherwise."""
    if isinstance(value, float):
        return f"{value:.1f}"
    text = str(value)
    if text and re.fullmatch(r"[A-Za-z0-9_.:/@#+\-]+", text):
        return text
    return json.dumps(text)  # quotes spaces, escapes newlines: one line stays one line


def log_fields(logger: logging.Logger, level: int, event: str, **fields: Any) -> None:
    """Log one line: `event` and its fields (None values left out).

    Pass ids, outcomes and durations only; never member text, tokens or payloads.
    """
    if not logger.isEnabledFor(level):
        return
    kept = {key: _field_value(value) for key, value in fields.items() if value is not None}
    text = event + "".join(f" {key}={_text_value(value)}" for key, value in kept.items())
    logger.log(level, "%s", text, extra={FIELDS_ATTR: kept, EVENT_ATTR: event}, stacklevel=2)


def make_handler(
    log_format: str = "text", secrets: tuple[str, ...] = (), *, stream: Any = None
) -> logging.Handler:
    """Return a stream handler (stderr by default) in `log_format`, redacting `secrets`."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    handler = logging.StreamHandler(stream)
    formatter = JsonFormatter(secrets) if log_format == "json" else RedactingTextFormatter(secrets)
    handler.setFormatter(formatter)
    handler.addFilter(RedactSecrets(secrets))
    return handler


def configure_logging(
    level: str, secrets: tuple[str, ...] = (), *, log_format: str = "text", stream: Any = None
) -> None:
    """Log to stderr (or `stream`) at `level`, as text or JSON lines, with secrets redacted."""
    root = logging.getLogger()
    root.handlers[:] = [make_handler(log_format, secrets, stream=stream)]
    root.setLevel(level)
    # Bolt logs whole payloads at DEBUG; they may hold what members typed.
    # APScheduler logs every run of every job at INFO (the schedule sync runs each minute).
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # Bolt (under our "cercle.bolt" logger too) and slack_sdk log whole request and
    # response bodies at DEBUG: what members typed and what they are told.
    for name in ("slack_bolt", "cercle.bolt", "slack_sdk"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
