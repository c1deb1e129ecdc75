"""Ingest benchmark: message and reaction events through the signed HTTP endpoint.

    python -m bench.ingest [--db sqlite|postgresql|both] [--rate 50] [--seconds 60]

For each database: migrate a fresh one, start the Slack stand-in here with 200 members in
the community channel (the counted one), and run `cercle run --no-migrate` (the real bot,
dispatcher and scheduler included, HTTP mode) as a subprocess. Then:

1. Open loop: deliver `--rate` events a second for `--seconds` (Poisson arrivals, sent at
   their due time from several threads whatever the earlier answers took): messages,
   thread replies, edits, reactions added and removed, deleted messages, and about 2 %
   redeliveries of an event already sent (same event_id, `X-Slack-Retry-Num: 1`), each
   signed as Slack signs it. Every acknowledgement time is measured; a request not
   answered 2xx within 3 s is redelivered afterwards, as Slack would.
2. Check the database: exactly one `participation_events` row per act the events leave
   standing, and `participation_daily` counts equal to them, member by member and day
   by day.
3. Maximum sustained rate: a fixed number of senders, each sending its next event as soon
   as the previous one is answered (keep-alive connections), for `--max-seconds` after a
   short warm-up; against the bot, then against a bare Bolt app (signature check on,
   `process_before_response=True`, listeners that only ack) served by waitress with the
   bot's server settings, in its own process. The events of this phase are checked too.

Exits 1 if the acknowledgement p99 reaches 300 ms, any delivery of the open loop was not
answered 2xx, or any act was lost or counted twice.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import math
import os
import random
import re
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.bulk_delivery import RESULTS_DIR, ROOT, Bot, _free_port
from bench.common import CERCLE, cercle_missing, on_each_database
from sandbox.signed_client import USER_AGENT
from sandbox.slack import SlackStandIn, StandInConfig
from storage.db import make_engine, make_session_factory, transaction, upgrade_database
from storage.models import ParticipationDaily, ParticipationEvent, ProcessedEvent

CHANNEL = "C0COMMUNITY"
TEAM_ID = "T0CERCLE"
API_APP_ID = "A0CERCLE"
BOT_USER_ID = "U0CERCLE"
SIGNING_SECRET = "bench-secret"
SEED = 2026
MEMBERS = 200
RATE = 50.0
SECONDS = 60.0
SENDERS = 16
MAX_SENDERS = 16
MAX_SECONDS = 15.0
WARMUP_SECONDS = 2.0
ACK_P99_TARGET_MS = 300.0
# Slack gives up on an acknowledgement after three seconds and redelivers.
ACK_TIMEOUT = 3.0
SLACK_RETRIES = 3
# The bot's HTTP server (bot.server.HttpServer) serves with these settings.
SERVER_THREADS = 8
SERVER_CHANNEL_TIMEOUT = 10
# Shares of the distinct events of the open loop (redeliveries come on top).
MIX = {
    "message": 0.54,
    "reply": 0.17,
    "reaction_added": 0.25,
    "reaction_removed": 0.02,
    "message_deleted": 0.01,
    "message_changed": 0.01,
}
REDELIVERY_SHARE = 0.02
# A removal comes at least this long after what it removes, so the act is recorded
# first: events arriving out of order are not what this benchmark measures.
REMOVAL_GAP = 3.0
REACTIONS = ("tada", "+1", "heart", "eyes", "raised_hands", "pray", "bulb", "white_check_mark")
LOCALES = ("fr-FR", "fr-FR", "fr-FR", "fr-CA", "en-US", "en-GB")
WORDS = (
    *("bonjour", "merci", "question", "réunion", "atelier", "outil", "partage", "idée"),
    *("retour", "dossier", "semaine", "planning", "agenda", "compte-rendu", "modèle"),
    *("procédure", "conseil", "astuce", "help", "thanks", "meeting"),
)
# Slack's ids (event ids here) are upper-case letters and digits.
_ID_ALPHABET = string.ascii_uppercase + string.digits


# ---------------------------------------------------------------- what is sent


@dataclass
class Delivery:
    """One POST of an event to the endpoint, and what came of it."""

    due: float  # seconds after the start of the open loop
    event_id: str
    kind: str
    body: bytes
    retry_num: int = 0
    sent_at: float = 0.0
    latency: float = 0.0
    status: int | None = None
    attempts: int = 0
    final_status: int | None = None


@dataclass(frozen=True)
class Act:
    """What one recorded act must look like in `participation_events`."""

    user_id: str
    kind: str
    day: date


@dataclass
class _Message:
    """A message the generator sent, to reply to, react to, edit or delete later."""

    ts: str
    user: str
    at: float
    thread_ts: str | None = None
    reacted: bool = False
    deleted: bool = False


def _utc_day(ts: str) -> date:
    return datetime.fromtimestamp(int(ts.split(".")[0]), UTC).date()


class EventFactory:
    """Build realistic Events API envelopes and keep the acts they should leave standing."""

    def __init__(self, users: list[str], rng: random.Random) -> None:
        self.users = users
        self.rng = rng
        self.expected: dict[str, Act] = {}
        self.event_ids: set[str] = set()
        self.messages: list[_Message] = []
        self._live_reactions: list[tuple[str, str, str, float]] = []
        self._used_reactions: set[tuple[str, str, str]] = set()
        self._last_us = 0

    # ------------------------------------------------------------ ids and stamps

    def _event_id(self) -> str:
        while True:
            candidate = "Ev0" + "".join(self.rng.choice(_ID_ALPHABET) for _ in range(9))
            if candidate not in self.event_ids:
                self.event_ids.add(candidate)
                return candidate

    def _ts(self, wall: float) -> str:
        """A Slack ts at `wall`, strictly after every earlier one (ts names a message)."""
        micros = max(int(wall * 1_000_000), self._last_us + 1)
        self._last_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _text(self) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(self.rng.randint(3, 25)))

    def _blocks(self, text: str) -> list[dict[str, Any]]:
        block_id = "".join(self.rng.choice(string.ascii_letters) for _ in range(4))
        return [
            {
                "type": "rich_text",
                "block_id": block_id,
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
                ],
            }
        ]

    def _message_body(self, user: str, ts: str, thread_ts: str | None) -> dict[str, Any]:
        text = self._text()
        body: dict[str, Any] = {
            "user": user,
            "type": "message",
            "ts": ts,
            "client_msg_id": str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
            "text": text,
            "team": TEAM_ID,
            "blocks": self._blocks(text),
        }
        if thread_ts:
            body["thread_ts"] = thread_ts
            body["parent_user_id"] = self.rng.choice(self.users)
        return body

    def envelope(self, event: dict[str, Any], event_id: str, wall: float) -> bytes:
        """Wrap an event as Slack's `event_callback` envelope (as SlackPlayer builds it)."""
        return json.dumps(
            {
                "token": "sandbox-verification-token",
                "team_id": TEAM_ID,
                "context_team_id": TEAM_ID,
                "context_enterprise_id": None,
                "api_app_id": API_APP_ID,
                "event": event,
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(wall),
                "authorizations": [
                    {
                        "enterprise_id": None,
                        "team_id": TEAM_ID,
                        "user_id": BOT_USER_ID,
                        "is_bot": True,
                        "is_enterprise_install": False,
                    }
                ],
                "is_ext_shared_channel": False,
                "event_context": "4-" + "".join(self.rng.choice(_ID_ALPHABET) for _ in range(40)),
            },
            ensure_ascii=False,
        ).encode("utf-8")

    # ------------------------------------------------------------ the kinds of event

    def message(self, wall: float, *, reply: bool) -> dict[str, Any]:
        """A new message, or a reply in the thread of an earlier top-level message."""
        user = self.rng.choice(self.users)
        ts = self._ts(wall)
        parents = [m for m in self.messages[-300:] if m.thread_ts is None and not m.deleted]
        thread_ts = self.rng.choice(parents).ts if reply and parents else None
        event = self._message_body(user, ts, thread_ts)
        event.update(event_ts=ts, channel=CHANNEL, channel_type="channel")
        self.messages.append(_Message(ts, user, wall, thread_ts))
        self.expected[f"message:{CHANNEL}:{ts}"] = Act(
            user, "reply" if thread_ts else "message", _utc_day(ts)
        )
        return event

    def reaction_added(self, wall: float) -> dict[str, Any] | None:
        """A member's reaction to a recent message (never the same one twice)."""
        candidates = [m for m in self.messages[-300:] if not m.deleted and m.at <= wall - 0.5]
        if not candidates:
            return None
        for _ in range(20):
            target = self.rng.choice(candidates)
            user, name = self.rng.choice(self.users), self.rng.choice(REACTIONS)
            if (target.ts, user, name) not in self._used_reactions:
                break
        else:
            return None
        self._used_reactions.add((target.ts, user, name))
        target.reacted = True
        event_ts = self._ts(wall)
        self._live_reactions.append((target.ts, user, name, wall))
        self.expected[f"reaction:{CHANNEL}:{target.ts}:{user}:{name}"] = Act(
            user, "reaction", _utc_day(event_ts)
        )
        return {
            "type": "reaction_added",
            "user": user,
            "reaction": name,
            "item_user": target.user,
            "item": {"type": "message", "channel": CHANNEL, "ts": target.ts},
            "event_ts": event_ts,
        }

    def reaction_removed(self, wall: float) -> dict[str, Any] | None:
        """Take back a reaction added at least REMOVAL_GAP earlier."""
        old = [r for r in self._live_reactions if r[3] <= wall - REMOVAL_GAP]
        if not old:
            return None
        chosen = self.rng.choice(old)
        self._live_reactions.remove(chosen)
        ts, user, name, _ = chosen
        del self.expected[f"reaction:{CHANNEL}:{ts}:{user}:{name}"]
        author = next((m.user for m in self.messages if m.ts == ts), user)
        return {
            "type": "reaction_removed",
            "user": user,
            "reaction": name,
            "item_user": author,
            "item": {"type": "message", "channel": CHANNEL, "ts": ts},
            "event_ts": self._ts(wall),
        }

    def _old_unreacted(self, wall: float) -> list[_Message]:
        return [
            m
            for m in self.messages
            if not m.deleted and not m.reacted and m.at <= wall - REMOVAL_GAP
        ]

    def message_deleted(self, wall: float) -> dict[str, Any] | None:
        """Delete an earlier message nobody reacted to (its reactions would stay counted)."""
        candidates = self._old_unreacted(wall)
        if not candidates:
            return None
        target = self.rng.choice(candidates)
        target.deleted = True
        del self.expected[f"message:{CHANNEL}:{target.ts}"]
        ts = self._ts(wall)
        previous = self._message_body(target.user, target.ts, target.thread_ts)
        return {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "deleted_ts": target.ts,
            "channel": CHANNEL,
            "previous_message": previous,
            "event_ts": ts,
            "ts": ts,
            "channel_type": "channel",
        }

    def message_changed(self, wall: float) -> dict[str, Any] | None:
        """An edit of an earlier message: no new participation."""
        candidates = [m for m in self.messages[-300:] if not m.deleted and m.at <= wall - 0.5]
        if not candidates:
            return None
        target = self.rng.choice(candidates)
        ts = self._ts(wall)
        edited = self._message_body(target.user, target.ts, target.thread_ts)
        edited["edited"] = {"user": target.user, "ts": ts}
        return {
            "type": "message",
            "subtype": "message_changed",
            "message": edited,
            "previous_message": self._message_body(target.user, target.ts, target.thread_ts),
            "channel": CHANNEL,
            "hidden": True,
            "ts": ts,
            "event_ts": ts,
            "channel_type": "channel",
        }

    def make(self, kind: str, wall: float) -> tuple[str, dict[str, Any]]:
        """Build an event of `kind` (a message when that kind has nothing to act on yet)."""
        builders: dict[str, Callable[[float], dict[str, Any] | None]] = {
            "reaction_added": self.reaction_added,
            "reaction_removed": self.reaction_removed,
            "message_deleted": self.message_deleted,
            "message_changed": self.message_changed,
        }
        if kind in builders:
            event = builders[kind](wall)
            if event is not None:
                return kind, event
            kind = "message"
        return kind, self.message(wall, reply=kind == "reply")


def plan_open_loop(
    factory: EventFactory, rate: float, seconds: float, start_wall: float
) -> list[Delivery]:
    """Poisson arrivals at `rate` for `seconds`, the mix above, plus redeliveries."""
    rng = factory.rng
    total = round(rate * seconds)
    redeliveries = round(total * REDELIVERY_SHARE)
    distinct = total - redeliveries
    gaps = [rng.expovariate(1.0) for _ in range(distinct)]
    scale = seconds / sum(gaps)
    moments = list(itertools.accumulate(gap * scale for gap in gaps))
    kinds, weights = zip(*MIX.items(), strict=True)
    deliveries: list[Delivery] = []
    for due in moments:
        wall = start_wall + due
        kind, event = factory.make(rng.choices(kinds, weights)[0], wall)
        event_id = factory._event_id()
        deliveries.append(Delivery(due, event_id, kind, factory.envelope(event, event_id, wall)))
    # Slack redelivers an event it thinks unacknowledged: same event_id, same body.
    for original in rng.sample(deliveries, redeliveries):
        due = min(seconds, original.due + rng.uniform(0.05, 3.0))
        deliveries.append(
            Delivery(due, original.event_id, "redelivery", original.body, retry_num=1)
        )
    deliveries.sort(key=lambda d: d.due)
    return deliveries


# ---------------------------------------------------------------- sending


def _signed_headers(body: bytes, retry_num: int = 0) -> dict[str, str]:
    timestamp = str(int(time.time()))
    base = f"v0:{timestamp}:".encode() + body
    headers = {
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": "v0="
        + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest(),
    }
    if retry_num:
        headers["X-Slack-Retry-Num"] = str(retry_num)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    return headers


def _post(
    port: int,
    body: bytes,
    retry_num: int = 0,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int | None, float]:
    """POST one event; return (status or None, seconds). Uses `conn` when given (keep-alive)."""
    own = conn is None
    if conn is None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ACK_TIMEOUT)
    headers = _signed_headers(body, retry_num)
    started = time.perf_counter()
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if elapsed > ACK_TIMEOUT:
            return None, elapsed
        return response.status, elapsed
    except (OSError, http.client.HTTPException):
        if not own:
            conn.close()  # the next request reconnects
        return None, time.perf_counter() - started
    finally:
        if own:
            conn.close()


def _ok(status: int | None) -> bool:
    return status is not None and 200 <= status < 300


def open_loop(port: int, deliveries: list[Delivery], senders: int, on_tick: Any) -> float:
    """Send each delivery at its due time (a fresh connection each, as Slack); return t0."""
    cursor = itertools.count()
    started = time.perf_counter() + 0.5
    failures: list[BaseException] = []

    def sender() -> None:
        while True:
            index = next(cursor)
            if index >= len(deliveries):
                return
            delivery = deliveries[index]
            try:
                pause = started + delivery.due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                delivery.sent_at = time.perf_counter() - started
                delivery.status, delivery.latency = _post(port, delivery.body, delivery.retry_num)
                delivery.attempts = 1
                delivery.final_status = delivery.status
            except BaseException as error:  # noqa: BLE001 - reported once the loop is over
                failures.append(error)
                return

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        on_tick()
        for thread in threads:
            thread.join(timeout=0.25)
    if failures:
        raise RuntimeError(f"a sender failed: {failures[0]!r}")
    return started


def redeliver_failures(port: int, deliveries: list[Delivery]) -> int:
    """Redeliver, as Slack does, every delivery not answered 2xx; return how many tries."""
    tries = 0
    for delivery in deliveries:
        retry = delivery.retry_num
        while not _ok(delivery.final_status) and delivery.attempts <= SLACK_RETRIES:
            retry += 1
            delivery.final_status, _ = _post(port, delivery.body, retry)
            delivery.attempts += 1
            tries += 1
    return tries


@dataclass
class Saturation:
    """What a closed loop measured against one server."""

    label: str
    senders: int
    completed: int = 0
    window: float = 0.0
    not_ok: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    cpu_server: float = 0.0
    cpu_bench: float = 0.0
    failed_bodies: list[bytes] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Events acknowledged 2xx per second over the measured window."""
        return self.completed / self.window if self.window else 0.0

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the acknowledgement times in the window, in ms."""
        return _percentile(self.latencies_ms, share)


def closed_loop(
    label: str,
    port: int,
    next_body: Callable[[], bytes],
    senders: int,
    seconds: float,
    server_pid: int,
) -> Saturation:
    """`senders` keep-alive clients, each sending as soon as answered; count the window."""
    result = Saturation(label, senders)
    lock = threading.Lock()
    begin = time.perf_counter()
    window_start = begin + WARMUP_SECONDS
    window_end = window_start + seconds
    marks: dict[str, float] = {}

    def sender() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=ACK_TIMEOUT)
        try:
            while time.perf_counter() < window_end:
                with lock:
                    body = next_body()
                status, latency = _post(port, body, conn=conn)
                done = time.perf_counter()
                if window_start <= done < window_end:
                    with lock:
                        if _ok(status):
                            result.completed += 1
                            result.latencies_ms.append(latency * 1000)
                        else:
                            result.not_ok += 1
                if not _ok(status):
                    with lock:
                        result.failed_bodies.append(body)
        finally:
            conn.close()

    def mark_cpu() -> None:
        marks["server"] = _cpu_seconds(server_pid)
        marks["bench"] = time.process_time()

    threads = [threading.Thread(target=sender, daemon=True) for _ in range(senders)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, window_start - time.perf_counter()))
    mark_cpu()
    time.sleep(max(0.0, window_end - time.perf_counter()))
    result.cpu_server = _cpu_seconds(server_pid) - marks["server"]
    result.cpu_bench = time.process_time() - marks["bench"]
    for thread in threads:
        thread.join(timeout=ACK_TIMEOUT + 2)
    result.window = seconds
    return result


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_busy() -> tuple[float, float]:
    """Return (busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])
    ticks = os.sysconf("SC_CLK_TCK")
    return (total - idle) / ticks, total / ticks


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.inf
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# ---------------------------------------------------------------- the servers


class _DistantSlack(SlackStandIn):
    """The stand-in answering Web API calls after a fixed delay, like Slack over the internet.

    The stand-in answers in a millisecond or two; slack.com takes tens to hundreds. The
    delay is added after the call took effect, outside the stand-in's lock. Off by
    default: the bounds are for the stand-in as it is.
    """

    def __init__(self, config: StandInConfig, *, api_ms: float) -> None:
        super().__init__(config)
        self._api_delay = api_ms / 1000

    def _route(self, path: str, query: str, headers: dict[str, str], raw: bytes) -> Any:
        reply = super()._route(path, query, headers, raw)
        if path.startswith("/api/"):
            reply.delay += self._api_delay
        return reply


class _Served(Bot):
    """A server subprocess (the bot, or the bare Bolt app) that answers /healthz."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        super().__init__(env, log_path)
        self._command = command
        self.port = 0

    def start(self) -> None:
        """Launch on a fresh port; return once /healthz answers 200."""
        self.port = _free_port()
        env = {**self._env, "PORT": str(self.port)}
        with self._log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self._command,
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.peaks.append(0)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.sample()
            try:
                url = f"http://127.0.0.1:{self.port}/healthz"
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"no answer on /healthz within 30 s; see {self._log_path}")

    @property
    def pid(self) -> int:
        """The server process's id."""
        assert self.process is not None
        return self.process.pid


def serve_bare(port: int, api_url: str) -> None:
    """Serve a bare Bolt app that verifies signatures and acks, as the bot is served."""
    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from waitress.server import create_server

    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token="xoxb-sandbox", base_url=api_url),
        process_before_response=True,
    )

    def just_ack(ack: Any) -> None:
        ack()

    for event_type in ("message", "reaction_added", "reaction_removed"):
        app.event(event_type)(just_ack)
    handler = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return handler(environ, start_response)

    server = create_server(
        wsgi,
        host="127.0.0.1",
        port=port,
        threads=SERVER_THREADS,
        channel_timeout=SERVER_CHANNEL_TIMEOUT,
        max_request_body_size=2 * 1024 * 1024,
        ident="bare-bolt",
        clear_untrusted_proxy_headers=True,
    )
    server.run()


# ---------------------------------------------------------------- checking


@dataclass
class Check:
    """The database against the acts the events leave standing."""

    expected: int = 0
    rows: int = 0
    missing: int = 0
    extra: int = 0
    wrong: int = 0
    duplicate_keys: int = 0
    daily_expected: int = 0
    daily_sum: int = 0
    daily_cells_wrong: int = 0
    negative_cells: int = 0
    processed: int = 0
    event_ids: int = 0

    @property
    def ok(self) -> bool:
        """Nothing lost, nothing counted twice, nothing wrong."""
        return (
            self.missing == self.extra == self.wrong == self.duplicate_keys == 0
            and self.daily_cells_wrong == self.negative_cells == 0
            and self.daily_sum == self.daily_expected == self.expected
            and self.processed == self.event_ids
        )


def check_database(factory: sessionmaker[Session], events: EventFactory) -> Check:
    """Compare participation_events and participation_daily with the expected acts."""
    expected = events.expected
    check = Check(expected=len(expected), event_ids=len(events.event_ids))
    with transaction(factory) as db:
        event = ParticipationEvent
        rows = db.execute(select(event.source_key, event.user_id, event.kind)).all()
        daily = db.execute(
            select(
                ParticipationDaily.day,
                ParticipationDaily.user_id,
                ParticipationDaily.kind,
                ParticipationDaily.count,
            )
        ).all()
        check.processed = int(db.scalar(select(func.count()).select_from(ProcessedEvent)) or 0)
    check.rows = len(rows)
    keys = Counter(row.source_key for row in rows)
    check.duplicate_keys = sum(count - 1 for count in keys.values() if count > 1)
    stored = {row.source_key: row for row in rows}
    check.missing = sum(1 for key in expected if key not in stored)
    check.extra = sum(1 for key in stored if key not in expected)
    check.wrong = sum(
        1
        for key, act in expected.items()
        if key in stored and (stored[key].user_id, stored[key].kind) != (act.user_id, act.kind)
    )
    want = Counter((act.day, act.user_id, act.kind) for act in expected.values())
    have = {(row.day, row.user_id, row.kind): row.count for row in daily}
    check.daily_expected = sum(want.values())
    check.daily_sum = sum(have.values())
    check.negative_cells = sum(1 for count in have.values() if count < 0)
    cells = set(want) | {cell for cell, count in have.items() if count}
    check.daily_cells_wrong = sum(1 for cell in cells if want.get(cell, 0) != have.get(cell, 0))
    return check


# ---------------------------------------------------------------- one run


@dataclass
class Outcome:
    """What one run measured on one database."""

    database: str
    rate: float
    seconds: float
    senders: int
    deliveries: list[Delivery] = field(default_factory=list)
    elapsed: float = 0.0
    max_lag: float = 0.0
    retried: int = 0
    lost_after_retries: int = 0
    open_cpu: float = 0.0
    open_bench_cpu: float = 0.0
    machine_busy: float = 0.0  # CPU seconds, every process, over the open loop
    machine_total: float = 0.0
    check: Check | None = None
    final_check: Check | None = None
    bot_max: Saturation | None = None
    bare_max: Saturation | None = None
    users_info: int = 0
    users_info_429: int = 0
    errors_logged: int = 0
    peak_rss_kib: int = 0
    peak_load: float = 0.0
    note: str = ""

    @property
    def latencies_ms(self) -> list[float]:
        """First-attempt acknowledgement times of the open loop, in ms."""
        return [d.latency * 1000 for d in self.deliveries]

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the open loop's acknowledgement times, in ms."""
        return _percentile(self.latencies_ms, share)

    def percentile_from_due(self, share: float) -> float:
        """The same, counted from when each request was due (includes any send lag)."""
        return _percentile([(d.sent_at - d.due + d.latency) * 1000 for d in self.deliveries], share)

    @property
    def not_acked(self) -> int:
        """Open-loop deliveries not answered 2xx within 3 s on their first attempt."""
        return sum(1 for d in self.deliveries if not _ok(d.status))

    @property
    def ack_ok(self) -> bool:
        """p99 under the target and every delivery acknowledged 2xx."""
        return self.not_acked == 0 and self.percentile(0.99) < ACK_P99_TARGET_MS

    @property
    def ratio(self) -> float:
        """The bot's maximum sustained rate over the bare app's."""
        if not self.bot_max or not self.bare_max or not self.bare_max.rate:
            return 0.0
        return self.bot_max.rate / self.bare_max.rate

    @property
    def ok(self) -> bool:
        """Tell whether the run met every target."""
        return (
            not self.note
            and self.ack_ok
            and self.lost_after_retries == 0
            and self.check is not None
            and self.check.ok
            and (self.final_check is None or self.final_check.ok)
        )


def _members(standin: SlackStandIn, count: int) -> list[str]:
    """Add `count` people to the workspace and to the community channel."""
    users = [f"UI{index:05d}" for index in range(count)]
    for index, user in enumerate(users):
        standin.add_user(
            user,
            f"membre{index:05d}",
            real_name=f"Membre {index:05d}",
            locale=LOCALES[index % len(LOCALES)],
        )
    channel = standin.get_channel(CHANNEL) or {"members": []}
    standin.add_channel(
        CHANNEL, channel.get("name") or "communaute", members=[*channel["members"], *users]
    )
    return users


def _saturation_bodies(events: EventFactory) -> Callable[[], bytes]:
    """Endless new events for the closed loops: messages, replies, reactions."""
    kinds = ("message", "reply", "reaction_added")
    weights = (MIX["message"], MIX["reply"], MIX["reaction_added"])

    def next_body() -> bytes:
        wall = time.time()
        _, event = events.make(events.rng.choices(kinds, weights)[0], wall)
        event_id = events._event_id()
        return events.envelope(event, event_id, wall)

    return next_body


def run(database: str, args: argparse.Namespace, database_url: str) -> Outcome:
    """Run the benchmark once against `database_url` and return its measurements."""
    outcome = Outcome(database, args.rate, args.seconds, args.senders)
    rng = random.Random(args.seed)
    config = StandInConfig(seed=args.seed)
    if args.api_latency:
        standin: SlackStandIn = _DistantSlack(config, api_ms=args.api_latency).start()
    else:
        standin = SlackStandIn(config).start()
    engine = make_engine(database_url)
    bot: _Served | None = None
    bare: _Served | None = None
    try:
        upgrade_database(database_url)
        factory = make_session_factory(engine)
        users = _members(standin, args.members)
        events = EventFactory(users, rng)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        log_path = RESULTS_DIR / f"ingest-bot-{database}.log"
        log_path.write_bytes(b"")
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": standin.config.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": database_url,
            "CERCLE_COMMUNITY_CHANNEL": CHANNEL,
            "CERCLE_COORDINATORS_CHANNEL": "C0COORD",
            "CERCLE_ADMINS": "U0ALICE",
            "CERCLE_LOG_LEVEL": "INFO",
        }
        env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, whatever the caller's shell has
        bot = _Served([str(CERCLE), "run", "--no-migrate"], env, log_path)
        bot.start()

        def tick() -> None:
            assert bot is not None
            bot.sample()
            outcome.peak_load = max(outcome.peak_load, os.getloadavg()[0])

        start_wall = time.time() + 0.5
        outcome.deliveries = plan_open_loop(events, args.rate, args.seconds, start_wall)
        wall_before = time.time()
        cpu_before, bench_before = _cpu_seconds(bot.pid), time.process_time()
        busy_before, total_before = _machine_busy()
        started = open_loop(bot.port, outcome.deliveries, args.senders, tick)
        outcome.elapsed = time.perf_counter() - started
        outcome.open_cpu = _cpu_seconds(bot.pid) - cpu_before
        outcome.open_bench_cpu = time.process_time() - bench_before
        busy_after, total_after = _machine_busy()
        outcome.machine_busy = busy_after - busy_before
        outcome.machine_total = total_after - total_before
        outcome.max_lag = max(d.sent_at - d.due for d in outcome.deliveries)
        outcome.retried = redeliver_failures(bot.port, outcome.deliveries)
        outcome.lost_after_retries = sum(1 for d in outcome.deliveries if not _ok(d.final_status))
        infos = [call for call in standin.calls("users.info") if call["time"] >= wall_before]
        outcome.users_info = len(infos)
        outcome.users_info_429 = sum(1 for call in infos if call["status"] == 429)
        outcome.check = check_database(factory, events)

        if args.max_seconds > 0:
            next_body = _saturation_bodies(events)
            outcome.bot_max = closed_loop(
                "bot", bot.port, next_body, args.max_senders, args.max_seconds, bot.pid
            )
            # What was not acknowledged, Slack would redeliver: so does the bench.
            for body in outcome.bot_max.failed_bodies:
                for retry in range(1, SLACK_RETRIES + 1):
                    if _ok(_post(bot.port, body, retry)[0]):
                        break
            outcome.final_check = check_database(factory, events)
        bot.stop()
        outcome.peak_rss_kib = max(bot.peaks or [0])

        if args.max_seconds > 0:
            bare_log = RESULTS_DIR / "ingest-bare.log"
            bare_log.write_bytes(b"")
            bare = _Served(
                [sys.executable, "-m", "bench.ingest", "--serve-bare", standin.api_url],
                {**os.environ},
                bare_log,
            )
            bare.start()
            bare_events = EventFactory(users, random.Random(args.seed + 1))
            outcome.bare_max = closed_loop(
                "bare Bolt",
                bare.port,
                _saturation_bodies(bare_events),
                args.max_senders,
                args.max_seconds,
                bare.pid,
            )
    except RuntimeError as error:
        outcome.note = str(error)
    finally:
        for server in (bot, bare):
            if server is not None:
                server.stop()
        if bot is not None:
            log = bot._log_path.read_text(errors="replace")
            outcome.errors_logged = len(re.findall(r"\bERROR\b|Traceback", log))
        engine.dispose()
        standin.stop()
    return outcome


# ---------------------------------------------------------------- report


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _report_check(label: str, check: Check) -> None:
    print(
        f"{label}{check.expected} acts expected, {check.rows} rows; missing {check.missing}, "
        f"extra {check.extra}, wrong {check.wrong}, duplicate keys {check.duplicate_keys}; "
        f"daily sum {check.daily_sum} (expected {check.daily_expected}), "
        f"{check.daily_cells_wrong} cells wrong, {check.negative_cells} negative; "
        f"processed_events {check.processed} for {check.event_ids} event ids  "
        f"{_mark(check.ok)}"
    )


def _report_saturation(sat: Saturation) -> None:
    per_event = sat.cpu_server / sat.completed * 1000 if sat.completed else math.inf
    bench_share = sat.cpu_bench / sat.completed * 1000 if sat.completed else math.inf
    print(
        f"max rate, {sat.label + ':':10s}{sat.rate:7.0f} events/s ({sat.completed} in "
        f"{sat.window:.0f} s, {sat.senders} senders, {sat.not_ok} not 2xx); ack p50 "
        f"{sat.percentile(0.5):.0f} ms, p99 {sat.percentile(0.99):.0f} ms; server CPU "
        f"{per_event:.2f} ms/event, bench CPU {bench_share:.2f} ms/event"
    )


def _report(outcome: Outcome) -> None:
    """Print one run's figures."""
    deliveries = outcome.deliveries
    kinds = Counter(d.kind for d in deliveries)
    print(
        f"--- {outcome.database}: {len(deliveries)} deliveries at {outcome.rate:g}/s for "
        f"{outcome.seconds:g} s from {outcome.senders} senders ("
        + ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
        + ")"
    )
    if deliveries:
        print(
            f"ack (ms):         p50 {outcome.percentile(0.5):.0f}  p95 "
            f"{outcome.percentile(0.95):.0f}  p99 {outcome.percentile(0.99):.0f}  max "
            f"{max(outcome.latencies_ms):.0f}  (target p99 < {ACK_P99_TARGET_MS:.0f})  "
            f"{_mark(outcome.ack_ok)}"
        )
        print(
            f"from due time:    p99 {outcome.percentile_from_due(0.99):.0f} ms; worst send lag "
            f"{outcome.max_lag * 1000:.0f} ms; loop took {outcome.elapsed:.1f} s"
        )
        print(
            f"not acked 2xx:    {outcome.not_acked} on first attempt, "
            f"{outcome.retried} redeliveries, {outcome.lost_after_retries} never acknowledged"
        )
        cpu = outcome.open_cpu / len(deliveries) * 1000
        print(
            f"bot CPU:          {outcome.open_cpu:.1f} s over the loop, {cpu:.2f} ms a delivery; "
            f"users.info {outcome.users_info} calls, {outcome.users_info_429} answered 429"
        )
        if outcome.machine_total:
            others = outcome.machine_busy - outcome.open_cpu - outcome.open_bench_cpu
            print(
                f"machine:          {outcome.machine_busy / outcome.machine_total:.0%} of "
                f"{os.cpu_count()} CPUs busy over the loop: bot {outcome.open_cpu:.1f} s, "
                f"bench and stand-in {outcome.open_bench_cpu:.1f} s, everything else "
                f"(the database server included) {others:.1f} s"
            )
    if outcome.check is not None:
        _report_check("after the loop:   ", outcome.check)
    if outcome.bot_max is not None:
        _report_saturation(outcome.bot_max)
    if outcome.bare_max is not None:
        _report_saturation(outcome.bare_max)
    if outcome.bot_max is not None and outcome.bare_max is not None:
        print(f"ratio bot / bare: {outcome.ratio:.2f}")
    if outcome.final_check is not None:
        _report_check("after max rate:   ", outcome.final_check)
    print(
        f"bot:              peak RSS {outcome.peak_rss_kib / 1024:.0f} MiB, "
        f"{outcome.errors_logged} ERROR lines in its log; machine load (1 min) up to "
        f"{outcome.peak_load:.1f} on {os.cpu_count()} CPUs"
    )
    if outcome.note:
        print(f"problem:          {outcome.note}")
    print(f"result:           {'OK' if outcome.ok else 'TARGET MISSED'}", flush=True)


def _dump(path: Path | None, outcome: Outcome) -> None:
    """Write the open loop's deliveries (kind, due, sent, latency, status) as JSON."""
    if path is None:
        return
    target = path.with_name(f"{path.stem}-{outcome.database}{path.suffix}")
    rows = [
        {
            "kind": d.kind,
            "event_id": d.event_id,
            "due": round(d.due, 4),
            "sent_at": round(d.sent_at, 4),
            "latency_ms": round(d.latency * 1000, 2),
            "status": d.status,
        }
        for d in outcome.deliveries
    ]
    target.write_text(json.dumps(rows))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on the chosen databases; 0 only if every target was met."""
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--serve-bare"]:
        serve_bare(int(os.environ["PORT"]), argv[1])
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--rate", type=float, default=RATE, help="events a second (50)")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="open loop length (60)")
    parser.add_argument("--senders", type=int, default=SENDERS, help="open loop threads (16)")
    parser.add_argument("--members", type=int, default=MEMBERS, help="community size (200)")
    parser.add_argument(
        "--max-seconds", type=float, default=MAX_SECONDS, help="closed loops, 0 to skip (15)"
    )
    parser.add_argument("--max-senders", type=int, default=MAX_SENDERS, help="closed loop (16)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--api-latency",
        type=float,
        default=0.0,
        help="delay every Web API answer of the stand-in by this many ms (default 0)",
    )
    parser.add_argument(
        "--dump", type=Path, help="write each open-loop delivery's timings to this JSON file"
    )
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.seconds < 5 or args.members < 10:
        parser.error("need --rate > 0, --seconds >= 5 and --members >= 10")
    if cercle_missing():
        return 2

    def run_and_report(database: str, url: str, _work: Path) -> Outcome:
        outcome = run(database, args, url)
        _report(outcome)
        _dump(args.dump, outcome)
        return outcome

    outcomes = on_each_database(args.db, run_and_report)
    if outcomes is None:
        return 1
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
