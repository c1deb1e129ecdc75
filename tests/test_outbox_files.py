"""Files through the outbox: the real bot's dispatcher uploads them to the Slack stand-in
over HTTP, once, through rate limits, outages and a dead dispatcher's claim."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.runtime import build_runtime
from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn
from storage.models import (
    DirectMessageChannel,
    DispatcherProcess,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from storage.outbox import (
    FILE_UPLOAD,
    MAX_FILE_BYTES,
    enqueue_file,
    find_row,
    unique_filename,
)
from tests.conftest import RunningBot, make_settings

CSV = "nom,statut\nAlice,acceptée\nBob,en attente\n".encode()


def _png() -> bytes:
    """Build a valid 1x1 PNG (a chart stand-in)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x80\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
# How long `quick_bot` lets Slack share a completed upload before searching history.
SHARE_SETTLE = 0.3


# ---------------------------------------------------------------- fixtures and helpers


@pytest.fixture
def quick_bot(standin: SlackStandIn, database_url: str) -> Iterator[RunningBot]:
    """The real bot with short timeouts and settle time, to play outages in seconds."""
    settings = make_settings(standin, database_url)
    runtime = build_runtime(
        settings,
        migrate=False,
        host="127.0.0.1",
        dispatcher_options={
            "poll_interval": 0.02,
            "request_timeout": 0.5,
            "backoff_base": 0.01,
            "backoff_cap": 0.05,
            "share_settle": SHARE_SETTLE,
        },
    )
    runtime.start()
    assert runtime.server is not None
    player = SlackPlayer(
        f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
    )
    yield RunningBot(runtime, standin, player, settings)
    runtime.stop()


def send_file(bot: RunningBot, **kwargs: Any) -> bool:
    """Queue a file as a feature would, then wake the dispatcher."""
    with bot.db() as db:
        created = enqueue_file(db, **kwargs)
    bot.runtime.dispatcher.wake()
    return created


def row(bot: RunningBot, key: str) -> OutboxMessage:
    found = bot.query(lambda db: find_row(db, key))
    assert found is not None
    return found


def wait_done(bot: RunningBot, key: str, *, timeout: float = 10.0) -> OutboxMessage:
    """Wait until the row is sent or failed, and return it."""
    bot.wait_until(
        lambda: row(bot, key).status in (OutboxStatus.SENT, OutboxStatus.FAILED),
        timeout=timeout,
        what=f"outbox row {key} to finish",
    )
    return row(bot, key)


def shares(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    """Return the messages of a channel (or a user's DM) that share files."""
    return [m for m in standin.messages(channel) if m.get("files")]


def history_files(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    """Read the channel's history through the Web API, as the dispatcher's reconcile does."""
    client = WebClient(token=standin.config.bot_token, base_url=standin.api_url)
    messages = client.conversations_history(channel=channel)["messages"]
    return [f for m in messages for f in m.get("files") or []]


# ---------------------------------------------------------------- queueing


def test_enqueue_is_idempotent(bot: RunningBot) -> None:
    """Queueing the same key twice keeps the first row only, and one file is shared."""
    with bot.db() as db:
        first = enqueue_file(
            db, key="export:1", address="U0ALICE", filename="x.csv", content=CSV, title="Export"
        )
        again = enqueue_file(
            db, key="export:1", address="U0ALICE", filename="y.csv", content=b"a", title="Other"
        )
    assert (first, again) == (True, False)
    rows = bot.query(lambda db: db.scalars(select(OutboxMessage)).all())
    assert len(rows) == 1
    [queued] = rows
    assert (queued.method, queued.kind, queued.address) == (FILE_UPLOAD, "file", "U0ALICE")
    assert queued.payload["filename"] == unique_filename("x.csv", "export:1")
    assert queued.payload["title"] == "Export"
    assert wait_done(bot, "export:1").status == OutboxStatus.SENT
    assert [f["content"] for f in bot.standin.files()] == [CSV]


def test_file_names_are_unique_per_key_and_keep_their_extension() -> None:
    """The name Slack shows carries 6 hex digits of the key, before the extension."""
    name = unique_filename("charter-v3.csv", "export:1")
    assert re.fullmatch(r"charter-v3-[0-9a-f]{6}\.csv", name)
    assert unique_filename("charter-v3.csv", "export:2") != name
    assert unique_filename("charter-v3.csv", "export:1") == name
    assert re.fullmatch(r"Rapport-été-[0-9a-f]{6}\.png", unique_filename("Rapport été.png", "k"))


def test_too_big_or_empty_files_are_refused(bot: RunningBot) -> None:
    """Files over the limit, or empty ones, raise ValueError and queue nothing."""
    with bot.db() as db:
        for content in (b"x" * (MAX_FILE_BYTES + 1), b""):
            with pytest.raises(ValueError):
                enqueue_file(
                    db, key="big", address="C0COORD", filename="a.csv", content=content, title="A"
                )
    assert bot.query(lambda db: find_row(db, "big")) is None


# ---------------------------------------------------------------- delivery


def test_csv_to_a_user_arrives_once_in_their_dm(bot: RunningBot) -> None:
    """A CSV addressed to a user id is shared once in their DM, bytes, name and title intact."""
    send_file(
        bot,
        key="export:U0ALICE:1",
        address="U0ALICE",
        filename="charter-v1.csv",
        content=CSV,
        title="Charte v1 : qui en est où",
        initial_comment="Voici l'export demandé.",
    )

    sent = wait_done(bot, "export:U0ALICE:1")

    [stored] = bot.standin.files()
    name = unique_filename("charter-v1.csv", "export:U0ALICE:1")
    assert (stored["content"], stored["name"]) == (CSV, name)
    assert stored["title"] == "Charte v1 : qui en est où"
    [message] = shares(bot.standin, "U0ALICE")
    assert message["channel"] == "D0ALICE" and message["text"] == "Voici l'export demandé."
    assert [f["id"] for f in message["files"]] == [stored["id"]]
    assert (sent.status, sent.attempts, sent.in_doubt) == (OutboxStatus.SENT, 1, False)
    assert sent.sent_channel == "D0ALICE"
    dm = bot.query(lambda db: db.get(DirectMessageChannel, "U0ALICE"))
    assert dm is not None and dm.channel_id == "D0ALICE"
    # What the reconcile reads: the shared file, by its name, in the DM's history.
    assert [(f["name"], f["title"]) for f in history_files(bot.standin, "D0ALICE")] == [
        (name, "Charte v1 : qui en est où")
    ]


def test_png_to_a_channel(bot: RunningBot) -> None:
    """A PNG addressed to a channel id is shared in that channel, with no DM opened."""
    send_file(
        bot,
        key="chart:week:12",
        address="C0COMMUNITY",
        filename="chart.png",
        content=PNG,
        title="Participation, semaine 12",
    )

    sent = wait_done(bot, "chart:week:12")

    assert sent.status == OutboxStatus.SENT and sent.sent_channel == "C0COMMUNITY"
    [message] = shares(bot.standin, "C0COMMUNITY")
    [shared] = message["files"]
    assert shared["name"] == unique_filename("chart.png", "chart:week:12")
    assert shared["title"] == "Participation, semaine 12"
    assert bot.standin.files()[0]["content"] == PNG
    assert bot.standin.calls("conversations.open") == []


def test_a_known_dm_is_not_opened_again(bot: RunningBot) -> None:
    """The DM channel learnt from one file (or message) serves the next ones."""
    send_file(bot, key="f:1", address="U0BOB", filename="a.csv", content=CSV, title="A")
    wait_done(bot, "f:1")
    send_file(bot, key="f:2", address="U0BOB", filename="b.csv", content=CSV, title="B")
    wait_done(bot, "f:2")

    assert len(shares(bot.standin, "U0BOB")) == 2
    assert len(bot.standin.calls("conversations.open")) == 1


# ---------------------------------------------------------------- rate limits


@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_429_on_an_upload_step_waits_for_retry_after(bot: RunningBot, method: str) -> None:
    """A 429 on either upload method waits out Retry-After and does not count as a failure."""
    # One call every two seconds: the second file's call of `method` gets a 429.
    bot.standin.configure(method_per_minute={method: 30})
    send_file(bot, key="f:alice", address="C0COORD", filename="a.csv", content=CSV, title="A")
    send_file(bot, key="f:bob", address="C0COMMUNITY", filename="b.csv", content=CSV, title="B")

    done = [wait_done(bot, key) for key in ("f:alice", "f:bob")]

    calls = bot.standin.calls(method)
    limited = [c for c in calls if c["status"] == 429]
    assert len(limited) == 1
    after = [c for c in calls if c["time"] > limited[0]["time"]]
    assert after and after[0]["time"] >= limited[0]["time"] + 0.99, "called before Retry-After"
    assert [(r.status, r.attempts) for r in done] == [(OutboxStatus.SENT, 1)] * 2
    assert len(shares(bot.standin, "C0COORD")) == len(shares(bot.standin, "C0COMMUNITY")) == 1


# ---------------------------------------------------------------- faults


@pytest.mark.parametrize("after_share", [True, False], ids=["500-after-share", "500-before"])
def test_500_on_completion_is_reconciled_not_shared_twice(
    quick_bot: RunningBot, after_share: bool
) -> None:
    """A 500 on files.completeUploadExternal leaves exactly one file shared in the end."""
    bot = quick_bot
    bot.standin.configure(fail_rate=1.0, fail_after_post_share=1.0 if after_share else 0.0)
    send_file(bot, key="export:U0BOB:1", address="U0BOB", filename="e.csv", content=CSV, title="E")
    # The stand-in answers before the dispatcher records the outcome: wait for the record.
    doubtful = bot.wait_until(
        lambda: (found := row(bot, "export:U0BOB:1")).in_doubt and found,
        what="the row to be in doubt",
    )
    assert doubtful.status == OutboxStatus.PENDING
    bot.standin.configure(fail_rate=0.0)

    sent = wait_done(bot, "export:U0BOB:1")

    [message] = shares(bot.standin, "U0BOB")
    assert sent.status == OutboxStatus.SENT and not sent.in_doubt
    completions = bot.standin.calls("files.completeUploadExternal")
    assert completions[0]["fault"] == ("fail_after" if after_share else "fail_before")
    assert len(completions) == (1 if after_share else 2)
    # Slack shares uploads asynchronously: the history is read only after the settle time.
    [history] = bot.standin.calls("conversations.history")
    assert history["time"] >= completions[0]["time"] + SHARE_SETTLE
    if after_share:
        assert (sent.sent_channel, sent.sent_ts) == ("D0BOB", message["ts"])


def test_dropped_completions_neither_lose_nor_duplicate(quick_bot: RunningBot) -> None:
    """Completions whose connection drops (before or after sharing) end as one file each."""
    users = [f"U0FILE{i}" for i in range(6)]
    for user in users:
        quick_bot.standin.add_user(user, user.lower())
    quick_bot.standin.configure(drop_rate=1.0)
    for user in users:
        send_file(
            quick_bot, key=f"f:{user}", address=user, filename="d.csv", content=CSV, title="D"
        )
    quick_bot.wait_until(
        lambda: len(quick_bot.standin.calls("files.completeUploadExternal")) >= len(users),
        what="every completion to be dropped",
    )
    faults = {c["fault"] for c in quick_bot.standin.calls("files.completeUploadExternal")}
    quick_bot.standin.configure(drop_rate=0.0)

    for user in users:
        assert wait_done(quick_bot, f"f:{user}").status == OutboxStatus.SENT
    assert faults == {"drop_after", "drop_before"}
    assert [len(shares(quick_bot.standin, user)) for user in users] == [1] * len(users)


def test_permanent_error_fails_the_row_once(bot: RunningBot) -> None:
    """A channel Slack does not know fails the row at once, after a single completion."""
    send_file(bot, key="f:nowhere", address="C0NOWHERE", filename="a.csv", content=CSV, title="A")

    failed = wait_done(bot, "f:nowhere")

    assert (failed.status, failed.attempts, failed.in_doubt) == (OutboxStatus.FAILED, 1, False)
    assert "channel_not_found" in (failed.last_error or "")
    assert len(bot.standin.calls("files.completeUploadExternal")) == 1
    assert bot.standin.files() == []


@pytest.mark.parametrize("was_shared", [True, False], ids=["shared-before-crash", "not-shared"])
def test_a_dead_dispatchers_upload_is_reconciled(bot: RunningBot, was_shared: bool) -> None:
    """A file claimed by a dispatcher that died is found by its name, or uploaded once."""
    key = "export:U0CAMILLE:1"
    now = utcnow()
    with bot.db() as db:
        enqueue_file(db, key=key, address="U0CAMILLE", filename="c.csv", content=CSV, title="C")
        db.add(
            DispatcherProcess(
                id="dead-host-1-abc",
                hostname="dead-host",
                pid=1,
                started_at=now - timedelta(minutes=5),
                heartbeat_at=now - timedelta(minutes=2),
            )
        )
        claimed = find_row(db, key)
        assert claimed is not None
        claimed.status = OutboxStatus.SENDING
        claimed.claimed_by = "dead-host-1-abc"
        claimed.claimed_at = now - timedelta(minutes=2, seconds=1)
        claimed.attempts = 1
    if was_shared:
        # What the dead process managed before kill -9: the upload, not the bookkeeping.
        WebClient(token=bot.standin.config.bot_token, base_url=bot.standin.api_url).files_upload_v2(
            channel="U0CAMILLE",
            content=CSV,
            filename=unique_filename("c.csv", key),
            title="C",
        )

    sent = wait_done(bot, key)

    [message] = shares(bot.standin, "U0CAMILLE")
    assert sent.status == OutboxStatus.SENT and not sent.in_doubt
    assert sent.claimed_by == bot.runtime.dispatcher.process_id
    assert len(bot.standin.calls("conversations.history")) == 1
    assert len(bot.standin.calls("files.completeUploadExternal")) == 1
    if was_shared:
        assert sent.sent_ts == message["ts"]


def test_an_adopted_upload_waits_for_slack_to_share_it(bot: RunningBot) -> None:
    """A file claimed by a dispatcher that just died is searched for only after the settle."""
    key = "export:U0CAMILLE:2"
    heartbeat = utcnow() - timedelta(seconds=12)
    with bot.db() as db:
        enqueue_file(db, key=key, address="U0CAMILLE", filename="c.csv", content=CSV, title="C")
        db.add(
            DispatcherProcess(
                id="dead-host-2-abc",
                hostname="dead-host",
                pid=2,
                started_at=heartbeat,
                heartbeat_at=heartbeat,
            )
        )
        claimed = find_row(db, key)
        assert claimed is not None
        claimed.status = OutboxStatus.SENDING
        claimed.claimed_by = "dead-host-2-abc"
        claimed.claimed_at = heartbeat
        claimed.attempts = 1

    adopted = bot.wait_until(
        lambda: (found := row(bot, key)).status == OutboxStatus.PENDING and found,
        what="the claim to be adopted",
    )

    dispatcher = bot.runtime.dispatcher
    # Its completion may have started as late as the claim allowed, then shared later still.
    earliest = heartbeat + timedelta(
        seconds=dispatcher.stale_after / 2 + dispatcher.request_timeout + dispatcher.share_settle
    )
    assert adopted.in_doubt and adopted.next_attempt_at >= earliest
    assert bot.standin.calls("conversations.history") == []
