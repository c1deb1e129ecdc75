"""Logs: one line per request and per outbox row, with ids; never tokens or member text."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.ids import Action
from bot.logs import (
    JsonFormatter,
    RedactingTextFormatter,
    RedactSecrets,
    configure_logging,
    log_fields,
)
from storage.outbox import enqueue_message

# What members typed; it must never reach a log line.
TYPED = "lapin-confidentiel-42"
_FLOORED = ("apscheduler", "alembic", "slack_bolt", "cercle.bolt", "slack_sdk")


@contextmanager
def captured_logs(log_format: str, secrets: tuple[str, ...]) -> Iterator[io.StringIO]:
    """Configure logging as `cercle run` does (at INFO), into a buffer; restore afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in _FLOORED}
    stream = io.StringIO()
    configure_logging("INFO", secrets, log_format=log_format, stream=stream)
    try:
        yield stream
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


_TEXT_LINE = re.compile(
    r"^\S+ \S+ (?P<level>[A-Z]+) (?P<logger>\S+): (?P<message>\S+)(?P<rest>.*)$"
)
_TEXT_FIELD = re.compile(r' (\w+)=("(?:[^"\\]|\\.)*"|\S+)')


def parse_line(line: str, log_format: str) -> dict[str, Any]:
    """Read one log line back into {level, logger, message, fields...}."""
    if log_format == "json":
        return json.loads(line)
    match = _TEXT_LINE.match(line)
    assert match, f"not a log line: {line!r}"
    record: dict[str, Any] = {k: match[k] for k in ("level", "logger", "message")}
    for key, value in _TEXT_FIELD.findall(match["rest"]):
        record[key] = json.loads(value) if value.startswith('"') else value
    return record


def records(stream: io.StringIO, log_format: str) -> list[dict[str, Any]]:
    """Return every line written so far, parsed (a traceback's lines are not log lines)."""
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    if log_format == "json":
        return [json.loads(line) for line in lines]
    return [parse_line(line, log_format) for line in lines if _TEXT_LINE.match(line)]


def _mention(ts: str) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": "U0CAMILLE",
        "channel": "C0COMMUNITY",
        "text": f"<@U0BOT> {TYPED}",
        "ts": ts,
    }


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_one_line_per_request_and_per_message_sent_with_ids_only(bot, log_format):
    """Commands, an event and its redelivery, a click: one line each, with ids, no secrets."""
    secrets = (bot.standin.config.bot_token, bot.settings.slack_signing_secret)
    mention_ts = f"{time.time():.6f}"
    with captured_logs(log_format, secrets) as stream:
        bot.player.slash_command("U0BOB", "help")
        bot.player.slash_command("U0BOB", f"sondage {TYPED}")
        bot.player.slash_command("U0BOB", "status")
        bot.player.event(_mention(mention_ts), event_id="Ev0LOGS1")
        bot.player.event(_mention(mention_ts), event_id="Ev0LOGS1")
        bot.player.block_action("U0BOB", Action.POLL_VOTE, value="999999:1")
        bot.wait_until(
            lambda: [r for r in records(stream, log_format) if r["message"] == "outbox"],
            what="the outbox line of the mention's reply",
        )
        output = stream.getvalue()

    logged = records(stream, log_format)
    requests = [r for r in logged if r["message"] == "request"]
    assert [r["kind"] for r in requests] == [
        "command:/cercle",
        "command:/cercle",
        "command:/cercle",
        "event:app_mention",
        "event:app_mention",
        "action:poll_vote",
    ]
    help_line, unknown, status, event, redelivery, click = requests
    assert {k: help_line[k] for k in ("subcommand", "team", "user", "channel", "outcome")} == {
        "subcommand": "help",
        "team": "T0CERCLE",
        "user": "U0BOB",
        "channel": "C0COMMUNITY",
        "outcome": "ok",
    }
    assert str(help_line["status"]) == "200" and float(help_line["ms"]) >= 0
    assert unknown["subcommand"] == "unknown"
    assert status["outcome"] == "refused"
    assert (event["event_id"], event["user"], event["outcome"]) == ("Ev0LOGS1", "U0CAMILLE", "ok")
    assert (redelivery["event_id"], redelivery["outcome"]) == ("Ev0LOGS1", "duplicate")
    assert (click["action_id"], click["user"]) == ("poll_vote", "U0BOB")
    assert click["outcome"] in ("ok", "refused")

    (sent,) = [r for r in logged if r["message"] == "outbox"]
    assert sent["key"] == f"mention-reply:C0COMMUNITY:{mention_ts}"
    assert (sent["method"], sent["address"], sent["outcome"]) == (
        "chat.postMessage",
        "C0COMMUNITY",
        "sent",
    )
    (reply,) = [m for m in bot.standin.messages("C0COMMUNITY") if m.get("thread_ts") == mention_ts]
    assert sent["ts"] == reply["ts"] and str(sent["attempts"]) == "1"

    for secret in (*secrets, TYPED, reply["text"], "v0="):
        assert secret not in output


def test_a_failed_delivery_is_one_warning_with_its_error(bot):
    """A row Slack refuses for good logs outcome=failed and the error, not the message."""
    bot.standin.add_channel("C0OLD", "archive", members=("U0BOT",), is_archived=True)
    with captured_logs("json", (bot.standin.config.bot_token,)) as stream:
        bot.query(
            lambda db: enqueue_message(db, key="logs:old", address="C0OLD", text=f"to {TYPED}")
        )
        bot.runtime.dispatcher.wake()
        bot.wait_until(
            lambda: [r for r in records(stream, "json") if r["message"] == "outbox"],
            what="the failed row's line",
        )
    (line,) = [r for r in records(stream, "json") if r["message"] == "outbox"]
    assert (line["level"], line["outcome"], line["error"]) == ("WARNING", "failed", "is_archived")
    assert (line["key"], line["address"], line["method"]) == (
        "logs:old",
        "C0OLD",
        "chat.postMessage",
    )
    assert TYPED not in stream.getvalue()


def test_slack_tokens_and_known_secrets_are_redacted(caplog):
    """Any xoxb-/xapp- token and the configured secrets are replaced in log records."""
    logger = logging.getLogger("cercle.test")
    handler_filter = RedactSecrets(secrets=("signing-secret-123",))
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="cercle.test"):
            logger.info("token %s and %s", "xoxb-1234-abcd", "xapp-1-A1-zz")
            logger.info("secret is signing-secret-123")
    finally:
        logger.removeFilter(handler_filter)
    text = caplog.text
    assert "xoxb-1234-abcd" not in text
    assert "xapp-1-A1-zz" not in text
    assert "signing-secret-123" not in text
    assert text.count("[redacted]") == 3


def _format(formatter: logging.Formatter, emit: Any) -> list[str]:
    """Log through `emit(logger)` into a handler using `formatter`; return the lines."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("cercle.test.format")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue().splitlines()


def test_json_lines_carry_time_level_logger_message_and_fields():
    """A JSON line is one object: the standard keys, then each field as a key."""

    def emit(logger: logging.Logger) -> None:
        log_fields(logger, logging.INFO, "request", kind="command:/cercle", user="U0BOB", ms=1.25)
        logger.info("plain %s", "line")

    first, second = (json.loads(line) for line in _format(JsonFormatter(), emit))
    assert first["message"] == "request" and first["logger"] == "cercle.test.format"
    assert (first["level"], first["kind"], first["user"], first["ms"]) == (
        "INFO",
        "command:/cercle",
        "U0BOB",
        1.25,
    )
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", first["time"])
    assert second["message"] == "plain line"


def test_json_exceptions_are_one_line_and_redacted():
    """A traceback stays inside its JSON line, with tokens and secrets redacted."""

    def emit(logger: logging.Logger) -> None:
        try:
            raise RuntimeError("call with xoxb-999-secret and hunter2-secret failed")
        except RuntimeError:
            logger.exception("boom")

    (line,) = _format(JsonFormatter(("hunter2-secret",)), emit)
    record = json.loads(line)
    assert "RuntimeError" in record["exception"]
    assert "xoxb-999" not in line and "hunter2-secret" not in line


def test_text_fields_stay_on_one_line():
    """A field value with spaces or a newline is quoted, so one record stays one line."""

    def emit(logger: logging.Logger) -> None:
        log_fields(logger, logging.INFO, "job", job="fixed:x", error="Boom: two\nlines", none=None)

    (line,) = _format(RedactingTextFormatter(), emit)
    assert line.endswith('job job=fixed:x error="Boom: two\\nlines"')
    assert "none=" not in line


def test_log_format_setting_is_checked():
    """CERCLE_LOG_FORMAT takes text (the default) or json, and names itself when wrong."""
    from bot.config import SettingsError, load_settings

    assert load_settings({}).log_format == "text"
    assert load_settings({"CERCLE_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="CERCLE_LOG_FORMAT"):
        load_settings({"CERCLE_LOG_FORMAT": "xml"})
