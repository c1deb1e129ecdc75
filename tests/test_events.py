"""Events API end to end: exactly-once effects, signatures, redelivery, outbox delivery."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from storage.models import OutboxMessage, ProcessedEvent


def _mention(ts: str = "1764200000.000100") -> dict:
    return {
        "type": "app_mention",
        "user": "U0CAMILLE",
        "channel": "C0COMMUNITY",
        "text": "<@U0BOT> bonjour",
        "ts": ts,
    }


def _thread_replies(bot, ts: str) -> list[dict]:
    return [m for m in bot.standin.messages("C0COMMUNITY") if m.get("thread_ts") == ts]


def test_mention_is_answered_once_through_the_outbox(bot):
    """A mention is answered in its thread, in the author's language, by the dispatcher."""
    delivery = bot.player.event(_mention(), event_id="EvMENTION1")
    assert delivery.status == 200
    replies = bot.wait_until(lambda: _thread_replies(bot, "1764200000.000100"), what="reply")
    assert len(replies) == 1
    assert "Bonjour <@U0CAMILLE>" in replies[0]["text"]
    assert replies[0]["metadata"]["event_type"] == "cercle_outbox"


def test_redelivered_event_takes_effect_once(bot):
    """The same event_id delivered three times gives one row and one message."""
    for _ in range(3):
        assert bot.player.event(_mention(), event_id="EvSAME").status == 200
    bot.wait_until(lambda: _thread_replies(bot, "1764200000.000100"), what="reply")
    time.sleep(0.3)
    assert len(_thread_replies(bot, "1764200000.000100")) == 1
    count = bot.query(lambda db: db.scalar(select(func.count()).select_from(OutboxMessage)))
    assert count == 1
    assert bot.query(lambda db: db.get(ProcessedEvent, "EvSAME")) is not None


def test_direct_message_gets_a_reply_in_the_dm(bot):
    """A message in Cercle's Messages tab is answered in the same DM."""
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "D0BOB",
        "user": "U0BOB",
        "text": "hello?",
        "ts": "1764200001.000100",
    }
    assert bot.player.event(event, event_id="EvDM1").status == 200
    messages = bot.wait_until(lambda: bot.standin.dm_messages("U0BOB"), what="DM reply")
    assert "Hello <@U0BOB>" in messages[0]["text"]


def test_edits_and_bot_messages_in_dms_are_ignored(bot):
    """message_changed and bot posts are not answered."""
    edited = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": "D0BOB",
        "ts": "1764200002.000100",
    }
    assert bot.player.event(edited, event_id="EvEDIT").status == 200
    count = bot.query(lambda db: db.scalar(select(func.count()).select_from(OutboxMessage)))
    assert count == 0


def test_bad_signature_is_refused_and_changes_nothing(bot):
    """A request signed with the wrong secret gets 401 and records nothing."""
    envelope = {"type": "event_callback", "event_id": "EvFORGED", "event": _mention()}
    body = json.dumps(envelope).encode()
    delivery = bot.player.send_raw(
        body,
        {
            "Content-Type": "application/json",
            "X-Slack-Signature": "v0=" + "0" * 64,
            "X-Slack-Request-Timestamp": str(int(time.time())),
        },
        sign=False,
    )
    assert delivery.status == 401
    assert bot.query(lambda db: db.get(ProcessedEvent, "EvFORGED")) is None


def test_stale_signature_is_refused(bot):
    """A correctly signed request older than five minutes gets 401."""
    envelope = {"type": "event_callback", "event_id": "EvOLD", "event": _mention()}
    delivery = bot.player.send_raw(
        json.dumps(envelope).encode(),
        {"Content-Type": "application/json"},
        timestamp=int(time.time()) - 600,
    )
    assert delivery.status == 401
    assert bot.query(lambda db: db.get(ProcessedEvent, "EvOLD")) is None


def test_health_check_reports_the_database(bot):
    """GET /healthz answers 200 while the database answers."""
    import urllib.request

    with urllib.request.urlopen(bot.url.replace("/slack/events", "/healthz"), timeout=5) as r:
        assert r.status == 200
        assert json.loads(r.read())["database"] == "up"


def test_oversized_body_is_refused_before_parsing(bot):
    """A body over 1 MiB gets 413."""
    delivery = bot.player.send_raw(b"x" * (1024 * 1024 + 1), {"Content-Type": "application/json"})
    assert delivery.status == 413


def _register_failing_listeners(bot) -> None:
    """Add listeners that queue a message and then fail, as an outage would make them."""
    from sqlalchemy.exc import OperationalError

    from storage.outbox import enqueue_message

    def failing_pin(event, db):
        enqueue_message(db, key="half-written", address="C0COMMUNITY", text="never")
        raise OperationalError("UPDATE ...", {}, Exception("the database went away"))

    # An event no feature listens to: Bolt runs the first matching listener only.
    bot.runtime.app.event("pin_added")(failing_pin)


def test_failing_listener_leaves_nothing_and_slack_redelivers(bot):
    """A listener that writes, then meets an outage, commits nothing; Slack gets 500 and retries."""
    _register_failing_listeners(bot)
    event = {
        "type": "pin_added",
        "user": "U0BOB",
        "channel_id": "C0COMMUNITY",
        "item": {"type": "message", "channel": "C0COMMUNITY", "message": {"ts": "1.1"}},
    }
    delivery = bot.player.event(event, event_id="EvBUGGY")
    assert delivery.status == 500
    assert delivery.attempts == 4
    assert bot.query(lambda db: db.get(ProcessedEvent, "EvBUGGY")) is None
    count = bot.query(lambda db: db.scalar(select(func.count()).select_from(OutboxMessage)))
    assert count == 0


def test_health_check_does_not_wait_behind_a_writer(bot):
    """/healthz answers 200 at once even while a transaction holds the write lock."""
    import urllib.request

    started = time.monotonic()
    with bot.db() as db:
        db.add(ProcessedEvent(event_id="EvLOCK", event_type="x"))
        db.flush()  # the write lock (SQLite) or a row lock (PostgreSQL) is now held
        with urllib.request.urlopen(bot.url.replace("/slack/events", "/healthz"), timeout=5) as r:
            assert r.status == 200
    assert time.monotonic() - started < 2
