"""The outbox dispatcher against real databases, the real Slack stand-in over HTTP, and a
real WebClient: delivery, order, rate limits, faults, crash recovery and scale-out."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry import default_retry_handlers
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.dispatcher import METADATA_EVENT_TYPE, Dispatcher
from sandbox.slack import SlackStandIn, StandInConfig
from storage.db import make_engine, make_session_factory, transaction
from storage.models import (
    DirectMessageChannel,
    DispatcherProcess,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from storage.outbox import enqueue_message, enqueue_update, find_row

TOKEN = "xoxb-sandbox"
# Short waits everywhere so the whole file stays fast.
FAST: dict[str, Any] = {
    "poll_interval": 0.02,
    "heartbeat_interval": 0.2,
    "stale_after": 2.0,
    "request_timeout": 0.5,
    "backoff_base": 0.01,
    "backoff_cap": 0.05,
}


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def factory(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def slack() -> Iterator[SlackStandIn]:
    """A fresh stand-in with limits generous enough not to get in the way."""
    server = SlackStandIn(
        StandInConfig(postmessage_per_minute=60_000, per_channel_burst=100, seed=7)
    ).start()
    yield server
    server.stop()


@pytest.fixture
def make_dispatcher(
    factory: sessionmaker[Session], slack: SlackStandIn
) -> Iterator[Callable[..., Dispatcher]]:
    """Build dispatchers on the test database and stand-in; stop any started ones after."""
    made: list[Dispatcher] = []

    def make(*, base_url: str | None = None, **options: Any) -> Dispatcher:
        client = WebClient(token=TOKEN, base_url=base_url or slack.api_url)
        dispatcher = Dispatcher(factory, client, **{**FAST, **options})
        made.append(dispatcher)
        return dispatcher

    yield make
    for dispatcher in made:
        dispatcher.stop(timeout=5)


# ---------------------------------------------------------------- helpers


def enqueue(factory: sessionmaker[Session], **kwargs: Any) -> None:
    with transaction(factory) as db:
        assert enqueue_message(db, **kwargs)


def row(factory: sessionmaker[Session], key: str) -> OutboxMessage:
    with transaction(factory) as db:
        found = find_row(db, key)
        assert found is not None
        return found


def drain(
    dispatcher: Dispatcher,
    done: Callable[[], bool],
    *,
    timeout: float = 10.0,
) -> None:
    """Call run_once until `done()` (rows in back-off need a few rounds)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "dispatcher did not finish in time"
        if dispatcher.run_once() == 0:
            time.sleep(0.02)


def wait_for(predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def unsent(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as db:
        return len(
            db.scalars(
                select(OutboxMessage.id).where(
                    OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                )
            ).all()
        )


def keys_in(messages: list[dict[str, Any]]) -> list[str]:
    return [m["metadata"]["event_payload"]["key"] for m in messages if m.get("metadata")]


# ---------------------------------------------------------------- delivery


def test_dm_to_user_id_is_delivered_once_with_metadata_and_channel_remembered(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    enqueue(factory, key="welcome:U0BOB:1", address="U0BOB", text="Bienvenue !")
    dispatcher = make_dispatcher()

    assert dispatcher.run_once() == 1
    assert dispatcher.run_once() == 0

    [message] = slack.dm_messages("U0BOB")
    assert message["text"] == "Bienvenue !"
    assert message["metadata"] == {
        "event_type": METADATA_EVENT_TYPE,
        "event_payload": {"key": "welcome:U0BOB:1"},
    }
    sent = row(factory, "welcome:U0BOB:1")
    assert sent.status == OutboxStatus.SENT
    assert (sent.sent_channel, sent.sent_ts) == (message["channel"], message["ts"])
    assert sent.attempts == 1 and not sent.in_doubt and sent.sent_at is not None
    with transaction(factory) as db:
        assert db.get(DirectMessageChannel, "U0BOB").channel_id == message["channel"]


def test_the_dispatcher_owns_retries_and_the_timeout(slack: SlackStandIn) -> None:
    client = WebClient(token=TOKEN, base_url=slack.api_url, retry_handlers=default_retry_handlers())
    dispatcher = Dispatcher(sessionmaker(), client, request_timeout=3.5)
    assert dispatcher.client.retry_handlers == []
    assert dispatcher.client.timeout == 3.5
    assert client.retry_handlers, "the caller's client is left alone"


def test_update_waits_for_its_target_and_edits_it(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    with transaction(factory) as db:
        enqueue_message(db, key="poll:1", address="C0COMMUNITY", text="Votes: 0")
        # Addressed elsewhere on purpose: only the target link makes it wait.
        enqueue_update(db, key="poll:1:v1", target_key="poll:1", address="poll:1", text="Votes: 1")
    dispatcher = make_dispatcher()

    drain(dispatcher, lambda: unsent(factory) == 0)

    [message] = slack.messages("C0COMMUNITY")
    assert message["text"] == "Votes: 1" and message["update_count"] == 1
    assert [c["method"] for c in slack.calls() if c["method"].startswith("chat.")] == [
        "chat.postMessage",
        "chat.update",
    ]
    update = row(factory, "poll:1:v1")
    assert update.status == OutboxStatus.SENT and update.sent_ts == message["ts"]


def test_update_of_a_failed_message_fails_too(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    with transaction(factory) as db:
        enqueue_message(db, key="gone:1", address="U0GONE", text="hello")
        enqueue_update(db, key="gone:1:v1", target_key="gone:1", address="U0GONE", text="edit")
    drain(make_dispatcher(), lambda: unsent(factory) == 0)

    assert row(factory, "gone:1").status == OutboxStatus.FAILED
    edit = row(factory, "gone:1:v1")
    assert edit.status == OutboxStatus.FAILED and edit.last_error == "target_failed"
    assert slack.calls("chat.update") == []


def test_messages_to_one_address_keep_their_order(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    # Injected failures make some rows wait in back-off: their successors must wait too.
    slack.configure(fail_rate=0.3, fail_after_post_share=0.5)
    with transaction(factory) as db:
        for index in range(6):
            enqueue_message(db, key=f"alice:{index}", address="U0ALICE", text=f"a{index}")
            enqueue_message(db, key=f"chan:{index}", address="C0GENERAL", text=f"c{index}")
    dispatcher = make_dispatcher(workers=4).start()

    wait_for(lambda: unsent(factory) == 0)

    assert keys_in(slack.dm_messages("U0ALICE")) == [f"alice:{i}" for i in range(6)]
    assert keys_in(slack.messages("C0GENERAL")) == [f"chan:{i}" for i in range(6)]
    assert any(c["fault"] for c in slack.calls("chat.postMessage"))
    dispatcher.stop()


def test_thread_reply_goes_under_its_parent(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    with transaction(factory) as db:
        enqueue_message(db, key="talk:1", address="C0COMMUNITY", text="Thread")
        enqueue_message(db, key="talk:1:r", address="C0COORD", text="reply", thread_key="talk:1")
    # The reply's first post fails after Slack stored it: the reconcile reads the thread.
    drain(make_dispatcher(), lambda: row(factory, "talk:1").status == OutboxStatus.SENT)
    slack.configure(fail_rate=1.0, fail_after_post_share=1.0)
    make_dispatcher().run_once()
    slack.configure(fail_rate=0.0)
    drain(make_dispatcher(), lambda: unsent(factory) == 0)

    parent = row(factory, "talk:1")
    replies = [m for m in slack.messages() if m.get("thread_ts") == parent.sent_ts]
    assert keys_in(replies) == ["talk:1:r"]
    assert len(slack.calls("conversations.replies")) >= 1
    assert row(factory, "talk:1:r").status == OutboxStatus.SENT


def test_reply_under_someone_elses_message_is_reconciled_in_its_thread(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    question = slack.add_message("C0COMMUNITY", "U0CAMILLE", "<@U0BOT> bonjour ?")
    enqueue(
        factory,
        key="mention-reply:1",
        address="C0COMMUNITY",
        text="Bonjour !",
        thread_ts=question["ts"],
    )
    dispatcher = make_dispatcher()
    slack.configure(fail_rate=1.0, fail_after_post_share=1.0)
    assert dispatcher.run_once() == 1
    slack.configure(fail_rate=0.0)

    drain(dispatcher, lambda: unsent(factory) == 0)

    replies = [m for m in slack.messages("C0COMMUNITY") if m.get("thread_ts") == question["ts"]]
    assert keys_in(replies) == ["mention-reply:1"]
    assert len(slack.calls("conversations.replies")) == 1
    assert row(factory, "mention-reply:1").sent_ts == replies[0]["ts"]


def test_wake_starts_delivery_without_waiting_for_the_poll(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    dispatcher = make_dispatcher(poll_interval=30.0).start()
    time.sleep(0.1)  # let the claimer go idle
    enqueue(factory, key="fast:1", address="U0CAMILLE", text="quick")
    started = time.monotonic()
    dispatcher.wake()
    wait_for(lambda: slack.dm_messages("U0CAMILLE"), timeout=5)
    assert time.monotonic() - started < 2


# ---------------------------------------------------------------- rate limits


def test_429_blocks_only_that_method_and_is_not_a_failure(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    with transaction(factory) as db:
        enqueue_message(db, key="a", address="C0COMMUNITY", text="first")
        enqueue_message(db, key="b", address="U0ALICE", text="second")
        enqueue_message(db, key="c", address="U0BOB", text="third")
        enqueue_update(db, key="a:v1", target_key="a", address="C0COMMUNITY", text="edited")
    # One post per second workspace-wide: the second post of a burst gets a 429.
    slack.configure(postmessage_per_minute=60)
    dispatcher = make_dispatcher()

    assert dispatcher.run_once() == 3  # a is sent, b gets the 429, c is not even tried
    posts = slack.calls("chat.postMessage")
    assert [c["status"] for c in posts] == [200, 429]
    limited = posts[1]["time"]
    for key in ("b", "c"):
        waiting = row(factory, key)
        assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 0
        assert waiting.next_attempt_at > utcnow() + timedelta(seconds=0.5)

    # chat.update keeps going while chat.postMessage waits.
    assert dispatcher.run_once() == 1
    assert row(factory, "a:v1").status == OutboxStatus.SENT

    drain(dispatcher, lambda: unsent(factory) == 0)
    for call in slack.calls("chat.postMessage")[2:]:
        assert call["time"] >= limited + 0.99, "posted before Retry-After elapsed"
    assert [len(slack.dm_messages(u)) for u in ("U0ALICE", "U0BOB")] == [1, 1]
    assert row(factory, "b").attempts == 1


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize("after_post", [True, False], ids=["500-after-post", "500-before-post"])
def test_500_is_reconciled_not_duplicated(
    after_post: bool,
    factory: sessionmaker[Session],
    slack: SlackStandIn,
    make_dispatcher: Callable[..., Dispatcher],
) -> None:
    enqueue(factory, key="welcome:U0CAMILLE:1", address="U0CAMILLE", text="Bonjour")
    dispatcher = make_dispatcher()
    slack.configure(fail_rate=1.0, fail_after_post_share=1.0 if after_post else 0.0)
    assert dispatcher.run_once() == 1
    doubtful = row(factory, "welcome:U0CAMILLE:1")
    assert doubtful.status == OutboxStatus.PENDING and doubtful.in_doubt
    slack.configure(fail_rate=0.0)

    drain(dispatcher, lambda: unsent(factory) == 0)

    [message] = slack.dm_messages("U0CAMILLE")
    done = row(factory, "welcome:U0CAMILLE:1")
    assert done.status == OutboxStatus.SENT and not done.in_doubt
    assert done.sent_ts == message["ts"]
    assert len(slack.calls("conversations.history")) == 1
    assert len(slack.calls("chat.postMessage")) == (1 if after_post else 2)
    with transaction(factory) as db:
        assert db.get(DirectMessageChannel, "U0CAMILLE").channel_id == message["channel"]


def test_dropped_connections_neither_lose_nor_duplicate(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    users = [f"U0DROP{i}" for i in range(6)]
    for user in users:
        slack.add_user(user, user.lower())
    with transaction(factory) as db:
        for user in users:
            enqueue_message(db, key=f"drop:{user}", address=user, text="hi")
    dispatcher = make_dispatcher(workers=6)
    slack.configure(drop_rate=1.0)
    assert dispatcher.run_once() == 6
    faults = {c["fault"] for c in slack.calls("chat.postMessage")}
    assert faults == {"drop_after", "drop_before"}
    slack.configure(drop_rate=0.0)
    # No answer at all: the resend waits out the request timeout before looking.
    assert dispatcher.run_once() == 0

    drain(dispatcher, lambda: unsent(factory) == 0)

    assert [len(slack.dm_messages(user)) for user in users] == [1] * 6


def test_permanent_error_fails_the_row_once(
    factory: sessionmaker[Session],
    slack: SlackStandIn,
    make_dispatcher: Callable[..., Dispatcher],
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.add_channel("C0OLD", "archive", members=("U0BOT",), is_archived=True)
    enqueue(factory, key="old:1", address="C0OLD", text="secret words nobody should log")
    dispatcher = make_dispatcher()

    with caplog.at_level(logging.DEBUG):
        drain(dispatcher, lambda: unsent(factory) == 0)
        assert dispatcher.run_once() == 0

    failed = row(factory, "old:1")
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", "is_archived", 1)
    assert len(slack.calls("chat.postMessage")) == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "is_archived" in warnings[0].getMessage()
    assert "secret words" not in caplog.text and TOKEN not in caplog.text


def test_other_errors_are_retried_then_given_up(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    enqueue(factory, key="odd:1", address="U0BOB", text="hi")
    # A wrong API path: the stand-in answers HTTP 404 "not_found", an error that is
    # neither permanent nor a sign the post happened.
    dispatcher = make_dispatcher(max_attempts=3, base_url=f"{slack.base_url}/elsewhere/")

    drain(dispatcher, lambda: unsent(factory) == 0)

    gave_up = row(factory, "odd:1")
    assert gave_up.status == OutboxStatus.FAILED and gave_up.attempts == 3
    assert "not_found" in (gave_up.last_error or "") and not gave_up.in_doubt
    assert slack.messages("U0BOB") == []


# ---------------------------------------------------------------- crash recovery


@pytest.mark.parametrize("was_posted", [True, False], ids=["posted-before-crash", "not-posted"])
def test_stale_sending_row_of_a_dead_dispatcher_is_reconciled(
    was_posted: bool,
    factory: sessionmaker[Session],
    slack: SlackStandIn,
    make_dispatcher: Callable[..., Dispatcher],
) -> None:
    key = "welcome:U0ALICE:2"
    now = utcnow()
    with transaction(factory) as db:
        enqueue_message(db, key=key, address="U0ALICE", text="Bienvenue")
        db.add(
            DispatcherProcess(
                id="dead-host-1-abc",
                hostname="dead-host",
                pid=1,
                started_at=now - timedelta(minutes=5),
                heartbeat_at=now - timedelta(seconds=30),
            )
        )
        claimed = find_row(db, key)
        assert claimed is not None
        claimed.status = OutboxStatus.SENDING
        claimed.claimed_by = "dead-host-1-abc"
        claimed.claimed_at = now - timedelta(seconds=31)
        claimed.attempts = 1
    if was_posted:
        # What the dead process managed before kill -9: the post, not the bookkeeping.
        WebClient(token=TOKEN, base_url=slack.api_url).chat_postMessage(
            channel="U0ALICE",
            text="Bienvenue",
            metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": {"key": key}},
        )
    dispatcher = make_dispatcher()

    drain(dispatcher, lambda: unsent(factory) == 0)

    [message] = slack.dm_messages("U0ALICE")
    done = row(factory, key)
    assert done.status == OutboxStatus.SENT and done.sent_ts == message["ts"]
    assert done.claimed_by == dispatcher.process_id
    assert len(slack.calls("chat.postMessage")) == 1
    assert len(slack.calls("conversations.history")) == 1
    with transaction(factory) as db:
        assert db.get(DispatcherProcess, "dead-host-1-abc") is None


def test_a_slow_but_live_claim_is_left_alone(
    factory: sessionmaker[Session], slack: SlackStandIn, make_dispatcher: Callable[..., Dispatcher]
) -> None:
    enqueue(factory, key="held:1", address="U0BOB", text="hi")
    slack.configure(slow_rate=1.0, slow_seconds=1.5)
    # The post outlasts `stale_after`, but the heartbeat keeps going: nobody adopts it.
    first = make_dispatcher(stale_after=1.0, request_timeout=5.0).start()
    other = make_dispatcher(stale_after=1.0)
    wait_for(lambda: row(factory, "held:1").status == OutboxStatus.SENDING)
    deadline = time.monotonic() + 1.2
    while time.monotonic() < deadline:
        assert other.run_once() == 0
        assert row(factory, "held:1").status == OutboxStatus.SENDING
        time.sleep(0.1)

    wait_for(lambda: row(factory, "held:1").status == OutboxStatus.SENT)
    assert row(factory, "held:1").claimed_by == first.process_id
    assert len(slack.dm_messages("U0BOB")) == 1
    assert slack.calls("conversations.history") == []


# ---------------------------------------------------------------- scale-out


# Several processes share one database only on PostgreSQL (SQLite is single-process).
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_dispatchers_on_postgresql_deliver_each_row_exactly_once(
    factory: sessionmaker[Session],
    slack: SlackStandIn,
    make_dispatcher: Callable[..., Dispatcher],
) -> None:
    users = [f"U0MANY{i:02d}" for i in range(30)]
    for user in users:
        slack.add_user(user, user.lower())
    slack.configure(fail_rate=0.05)
    with transaction(factory) as db:
        for round_ in range(4):
            for user in users:
                enqueue_message(db, key=f"n:{user}:{round_}", address=user, text=f"#{round_}")
    first = make_dispatcher(workers=4).start()
    second = make_dispatcher(workers=4).start()

    wait_for(lambda: unsent(factory) == 0, timeout=20)

    for user in users:
        assert keys_in(slack.dm_messages(user)) == [f"n:{user}:{r}" for r in range(4)]
    with transaction(factory) as db:
        holders = set(db.scalars(select(OutboxMessage.claimed_by)))
    assert holders == {first.process_id, second.process_id}


def test_a_row_queued_for_later_does_not_hold_back_what_is_due(
    factory: sessionmaker[Session],
    slack: SlackStandIn,
    make_dispatcher: Callable[..., Dispatcher],
) -> None:
    """A nudge waiting for the morning does not delay a message due now to the same DM."""
    enqueue(
        factory,
        key="later",
        address="U0BOB",
        text="tomorrow",
        not_before=utcnow() + timedelta(hours=12),
    )
    enqueue(factory, key="now", address="U0BOB", text="right now")
    make_dispatcher().start()
    wait_for(lambda: row(factory, "now").status == OutboxStatus.SENT)
    assert row(factory, "later").status == OutboxStatus.PENDING
    assert [m["text"] for m in slack.dm_messages("U0BOB")] == ["right now"]
