"""Poll storm benchmark: N members vote on one poll within a minute, through the real bot.

    python -m bench.poll_storm [--db sqlite|postgresql|both] [-n 500] [--changes 100]

For each database: migrate a fresh one, start the Slack stand-in here (its default,
realistic rate limits: chat.update Tier 3, 50 a minute; users.info Tier 4, 100 a minute)
and `cercle run --no-migrate` as a subprocess in HTTP mode, create a poll with a signed
`/cercle poll "..." "A" "B" "C" "D"`, add N members to the stand-in, then have every
member click a vote button (signed `block_actions` payloads, as Slack sends them) over
about 50 seconds from several sender threads in a random order, and `--changes` of them
click another option later in the same minute. Each click's acknowledgement time is
measured. Once the outbox is idle and the poll message has stopped changing, check that
the database and the message both hold exactly the tally the clicks call for, that the
poll's chat.update calls respect the two-second spacing, and that the acknowledgements
are fast. Exits 1 if any target is missed.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.bulk_delivery import RESULTS_DIR, ROOT, Bot, _count, _free_port
from bench.common import CERCLE, cercle_missing, on_each_database
from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn, StandInConfig
from storage.db import make_engine, make_session_factory, transaction, upgrade_database
from storage.models import OutboxMessage, OutboxStatus, Poll, PollVote

CHANNEL = "C0COMMUNITY"
CREATOR = "U0ALICE"  # a coordinator, French-speaking: the poll message is in French
SIGNING_SECRET = "bench-secret"
QUESTION = "Quel format pour la rencontre de décembre ?"
OPTIONS = ("A", "B", "C", "D")
SEED = 2024
# First votes are spread over this many seconds; every click (changes too) falls in WINDOW.
SPREAD_SECONDS = 50.0
WINDOW_SECONDS = 60.0
# A member's change comes at least this long after their first vote was sent.
MIN_CHANGE_GAP = 2.0
SENDERS = 12
ACK_P99_TARGET_MS = 300.0
# A live tally: while votes come in, the message never goes longer than this unchanged
# (an update every two seconds, plus the dispatcher's poll interval and some slack).
LIVE_GAP_LIMIT_S = 5.0
# The poll's updates are spaced two seconds apart (storage.polls.MIN_UPDATE_INTERVAL).
UPDATE_SPACING = 2.0
UPDATE_ALLOWANCE = 2
# The message counts as settled once it has not changed for this long with an idle outbox.
SETTLE_SECONDS = 5.0
SETTLE_LIMIT_SECONDS = 90.0
SNAPSHOT_SECONDS = 1.0
LOCALES = ("fr-FR", "fr-FR", "fr-FR", "fr-CA", "en-US", "en-GB")
# Fields of a stored message that Slack puts in a block_actions payload's `message`.
MESSAGE_FIELDS = ("type", "user", "bot_id", "app_id", "text", "ts", "team", "blocks", "edited")
_VOTES = re.compile(r"(\d+) votes?\b")
_VOTERS = re.compile(r"(\d+) (?:votant|voter)")


@dataclass
class Click:
    """One vote button click a member makes, and what became of it."""

    user: str
    option_id: int
    due: float  # seconds after the storm starts
    change: bool = False
    sent_at: float = 0.0
    latency: float = 0.0
    status: int | None = None
    sent_wall: float = 0.0


@dataclass
class Outcome:
    """What one run measured."""

    database: str
    n: int
    changes: int
    senders: int
    command_ms: float = 0.0
    command_status: int | None = None
    latencies_ms: list[float] = field(default_factory=list)
    not_acked: int = 0
    max_lag: float = 0.0
    storm_seconds: float = 0.0
    expected: dict[str, int] = field(default_factory=dict)
    db_tally: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    wrong: int = 0
    extra: int = 0
    message_tally: dict[str, int] = field(default_factory=dict)
    message_voters: int | None = None
    updates: int = 0
    updates_429: int = 0
    updates_elapsed: float = 0.0
    # Seconds after the first vote at which each successful chat.update of the poll landed.
    update_times: list[float] = field(default_factory=list)
    last_click_at: float = 0.0
    settle_seconds: float = 0.0
    update_rows: dict[str, int] = field(default_factory=dict)
    confirmations: int = 0
    confirmation_errors: int = 0
    users_info: int = 0
    users_info_429: int = 0
    errors_logged: int = 0
    peak_rss_kib: int = 0
    # The machine's 1-minute load average, highest seen during the storm: other work
    # on the machine shows up in the acknowledgement times.
    peak_load: float = 0.0
    latency_note: str = ""
    note: str = ""

    def percentile(self, share: float) -> float:
        """Return the nearest-rank percentile of the acknowledgement times, in ms."""
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return math.inf
        return ordered[max(0, math.ceil(share * len(ordered)) - 1)]

    @property
    def longest_stale(self) -> float:
        """The longest the message went without an update between the first and last click."""
        marks = [0.0, *(t for t in self.update_times if t < self.last_click_at)]
        marks.append(self.last_click_at)
        return max(later - earlier for earlier, later in zip(marks, marks[1:], strict=False))

    @property
    def update_bound(self) -> float:
        """The most chat.update calls the spacing allows over the measured span."""
        return self.updates_elapsed / UPDATE_SPACING + UPDATE_ALLOWANCE

    @property
    def voters(self) -> int:
        """How many members the clicks leave with a vote."""
        return sum(self.expected.values())

    @property
    def tally_ok(self) -> bool:
        """Whether the database holds exactly the expected votes."""
        return (
            self.db_tally == self.expected and not self.lost and not self.wrong and not self.extra
        )

    @property
    def message_ok(self) -> bool:
        """Whether the final poll message shows exactly the expected counts."""
        return self.message_tally == self.expected and self.message_voters == self.voters

    @property
    def updates_ok(self) -> bool:
        """Whether the poll's chat.update calls kept to the spacing, and kept the tally live."""
        return self.updates <= self.update_bound and self.longest_stale <= LIVE_GAP_LIMIT_S

    @property
    def ack_ok(self) -> bool:
        """Whether every click was acknowledged, p99 under the target."""
        return self.not_acked == 0 and self.percentile(0.99) < ACK_P99_TARGET_MS

    @property
    def ok(self) -> bool:
        """Tell whether the run met every target."""
        return (
            not self.note
            and self.tally_ok
            and self.message_ok
            and self.updates_ok
            and self.ack_ok
            and self.confirmation_errors == 0
        )


class _DistantSlack(SlackStandIn):
    """The stand-in answering after a fixed delay, like Slack over the internet.

    The stand-in answers in a millisecond or two; slack.com takes tens to hundreds. The
    delay is added to every Web API answer (`api_ms`) and to every response_url post
    (`response_url_ms`), after the call took effect, outside the stand-in's lock. Off by
    default: the benchmark's bounds are for the stand-in as it is.
    """

    def __init__(self, config: StandInConfig, *, api_ms: float, response_url_ms: float) -> None:
        super().__init__(config)
        self._api_delay = api_ms / 1000
        self._response_url_delay = response_url_ms / 1000

    def _route(self, path: str, query: str, headers: dict[str, str], raw: bytes) -> Any:
        reply = super()._route(path, query, headers, raw)
        if path.startswith("/api/"):
            reply.delay += self._api_delay
        elif path.startswith("/response/"):
            reply.delay += self._response_url_delay
        return reply


class _HttpBot(Bot):
    """`cercle run` as in bulk_delivery, remembering the port it serves on."""

    port: int = 0

    def start(self) -> None:
        """Launch the bot on a fresh port and wait until its health check answers."""
        self.port = _free_port()
        self._env = {**self._env, "PORT": str(self.port)}
        with self._log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [str(CERCLE), "run", "--no-migrate"],
                env=self._env,
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
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"the bot did not answer /healthz within 30 s; see {self._log_path}")

    @property
    def url(self) -> str:
        """Return the bot's base URL."""
        return f"http://127.0.0.1:{self.port}"


class _PollMessage:
    """The poll message as the stand-in holds it, refreshed in the background.

    Slack puts the clicked message, as it stands, in every block_actions payload; the
    senders take the latest snapshot rather than each copying the stand-in's store.
    """

    def __init__(self, standin: SlackStandIn, ts: str) -> None:
        self._standin = standin
        self.ts = ts
        self._lock = threading.Lock()
        self._snapshot = self.fetch()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._refresh, name="poll-snapshot", daemon=True)

    def fetch(self) -> dict[str, Any]:
        """Return the stored poll message now (a copy), with its edit count."""
        for message in self._standin.messages(CHANNEL):
            if message["ts"] == self.ts:
                return message
        raise RuntimeError("the poll message disappeared from the stand-in")

    def start(self) -> None:
        """Start refreshing the snapshot every second."""
        self._thread.start()

    def stop(self) -> None:
        """Stop refreshing."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _refresh(self) -> None:
        while not self._stop.wait(SNAPSHOT_SECONDS):
            message = self.fetch()
            with self._lock:
                self._snapshot = message

    def as_slack_sends_it(self) -> dict[str, Any]:
        """Return the message as a block_actions payload carries it."""
        with self._lock:
            message = self._snapshot
        return {key: message[key] for key in MESSAGE_FIELDS if message.get(key) is not None}


def _with_block_ids(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give blocks without one a block_id, as Slack does when it stores a message."""
    return [
        {**block, "block_id": block.get("block_id") or f"b{i}"} for i, block in enumerate(blocks)
    ]


def _vote_buttons(message: dict[str, Any]) -> dict[str, tuple[int, int, str, str]]:
    """Map each option label to (poll id, option id, action id, block id) from the message."""
    buttons: dict[str, tuple[int, int, str, str]] = {}
    for block in message.get("blocks") or []:
        accessory = block.get("accessory") or {}
        if accessory.get("type") != "button" or ":" not in str(accessory.get("value")):
            continue
        poll_id, option_id = (int(part) for part in accessory["value"].split(":"))
        label = block["text"]["text"].split("\n")[0].strip("*")
        buttons[label] = (poll_id, option_id, accessory["action_id"], block.get("block_id", ""))
    return buttons


def _message_counts(message: dict[str, Any], labels: dict[int, str]) -> tuple[dict, int | None]:
    """Read the per-option counts and the voter count the poll message shows."""
    counts: dict[str, int] = {}
    voters: int | None = None
    for block in message.get("blocks") or []:
        accessory = block.get("accessory") or {}
        if block.get("type") == "section" and ":" in str(accessory.get("value")):
            option_id = int(str(accessory["value"]).split(":")[1])
            found = _VOTES.search(block["text"]["text"])
            counts[labels[option_id]] = int(found.group(1)) if found else -1
        elif block.get("type") == "context":
            for element in block.get("elements") or []:
                found = _VOTERS.search(element.get("text", ""))
                if found:
                    voters = int(found.group(1))
    return {label: count for label, count in counts.items() if count}, voters


def _plan(users: list[str], option_ids: list[int], changes: int, rng: random.Random) -> list[Click]:
    """Every member votes once in the spread; `changes` of them pick another option later."""
    order = users[:]
    rng.shuffle(order)
    moments = sorted(rng.uniform(0, SPREAD_SECONDS) for _ in order)
    firsts = [
        Click(user, rng.choice(option_ids), due) for user, due in zip(order, moments, strict=True)
    ]
    clicks = list(firsts)
    # Changers are drawn among members whose first vote leaves room for a change.
    room = [c for c in firsts if c.due + MIN_CHANGE_GAP < WINDOW_SECONDS - 1]
    for first in rng.sample(room, min(changes, len(room))):
        other = rng.choice([o for o in option_ids if o != first.option_id])
        due = rng.uniform(first.due + MIN_CHANGE_GAP, WINDOW_SECONDS - 1)
        clicks.append(Click(first.user, other, due, change=True))
    clicks.sort(key=lambda click: click.due)
    return clicks


def _storm(
    player_args: tuple[str, SlackStandIn],
    clicks: list[Click],
    buttons: dict[int, tuple[int, str]],
    message: _PollMessage,
    senders: int,
    on_tick: Any,
) -> float:
    """Send every click at its due time from `senders` threads; return when the first went."""
    bot_url, standin = player_args
    first_acked: dict[str, threading.Event] = {c.user: threading.Event() for c in clicks}
    lock = threading.Lock()
    cursor = iter(clicks)
    started = time.monotonic() + 0.5
    failures: list[BaseException] = []

    def sender() -> None:
        player = SlackPlayer(bot_url, SIGNING_SECRET, standin)
        while True:
            with lock:
                click = next(cursor, None)
            if click is None:
                return
            try:
                pause = started + click.due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                if click.change:
                    # A person clicks again only once Slack showed the first click's result.
                    first_acked[click.user].wait(timeout=30)
                poll_id, action_id = buttons[click.option_id]
                clicked = message.as_slack_sends_it()
                clicked["blocks"] = _with_block_ids(clicked.get("blocks") or [])
                block = next(
                    b
                    for b in clicked["blocks"]
                    if (b.get("accessory") or {}).get("value") == f"{poll_id}:{click.option_id}"
                )
                click.sent_at = time.monotonic() - started
                click.sent_wall = time.time()
                delivery = player.block_action(
                    click.user,
                    action_id,
                    value=f"{poll_id}:{click.option_id}",
                    block_id=block["block_id"],
                    channel_id=CHANNEL,
                    message=clicked,
                    action={"text": block["accessory"]["text"]},
                )
                click.status = delivery.status
                click.latency = delivery.tries[-1][1]
                if not click.change:
                    first_acked[click.user].set()
            except BaseException as error:  # noqa: BLE001 - reported once the storm is over
                failures.append(error)
                return

    threads = [
        threading.Thread(target=sender, name=f"sender-{i}", daemon=True) for i in range(senders)
    ]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        on_tick()
        for thread in threads:
            thread.join(timeout=0.25)
    if failures:
        raise RuntimeError(f"a sender failed: {failures[0]!r}")
    return started


def _expected(clicks: list[Click], labels: dict[int, str]) -> dict[str, str]:
    """Return each member's option label after all their clicks (single choice)."""
    final: dict[str, int | None] = {}
    for click in sorted(clicks, key=lambda c: (c.user, c.change)):
        current = final.get(click.user)
        # Clicking one's own option removes the vote; another option replaces it.
        final[click.user] = None if current == click.option_id else click.option_id
    return {user: labels[option] for user, option in final.items() if option is not None}


def _db_votes(factory: sessionmaker[Session], poll_id: int) -> dict[str, list[int]]:
    """Return each voter's chosen option ids as stored."""
    votes: dict[str, list[int]] = {}
    with transaction(factory) as db:
        for voter, option_id in db.execute(
            select(PollVote.voter, PollVote.option_id).where(PollVote.poll_id == poll_id)
        ):
            votes.setdefault(voter, []).append(option_id)
    return votes


def _update_rows(factory: sessionmaker[Session], poll_id: int) -> dict[str, int]:
    """Count the poll's tally-update outbox rows by status."""
    with transaction(factory) as db:
        return {
            str(status): int(count)
            for status, count in db.execute(
                select(OutboxMessage.status, func.count())
                .where(OutboxMessage.address == f"poll:{poll_id}")
                .group_by(OutboxMessage.status)
            )
        }


def _wait_settled(
    factory: sessionmaker[Session], message: _PollMessage, bot: _HttpBot
) -> tuple[dict[str, Any], float]:
    """Wait for an idle outbox and a poll message unchanged for SETTLE_SECONDS."""
    started = time.monotonic()
    last = message.fetch()
    changed_at = started
    while True:
        time.sleep(0.5)
        bot.sample()
        now = time.monotonic()
        current = message.fetch()
        if current.get("update_count") != last.get("update_count"):
            last, changed_at = current, now
        idle = not _count(factory, OutboxStatus.PENDING, OutboxStatus.SENDING)
        if idle and now - changed_at >= SETTLE_SECONDS:
            return last, changed_at - started
        if now - started > SETTLE_LIMIT_SECONDS:
            raise RuntimeError(f"the poll message did not settle in {SETTLE_LIMIT_SECONDS:.0f} s")


def run(database: str, args: argparse.Namespace, database_url: str) -> Outcome:
    """Run the storm once against `database_url` and return its measurements."""
    outcome = Outcome(database, args.n, args.changes, args.senders)
    if args.api_latency or args.response_url_latency:
        outcome.latency_note = (
            f"stand-in answers delayed: Web API {args.api_latency:.0f} ms, "
            f"response_url {args.response_url_latency:.0f} ms"
        )
    rng = random.Random(args.seed)
    config = StandInConfig(seed=args.seed)
    if args.api_latency or args.response_url_latency:
        standin: SlackStandIn = _DistantSlack(
            config, api_ms=args.api_latency, response_url_ms=args.response_url_latency
        ).start()
    else:
        standin = SlackStandIn(config).start()
    engine = make_engine(database_url)
    bot: _HttpBot | None = None
    message: _PollMessage | None = None
    try:
        upgrade_database(database_url)
        factory = make_session_factory(engine)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        log_path = RESULTS_DIR / f"poll-storm-bot-{database}.log"
        log_path.write_bytes(b"")
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": standin.config.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.api_url,
            "DATABASE_URL": database_url,
            "CERCLE_COMMUNITY_CHANNEL": CHANNEL,
            "CERCLE_COORDINATORS_CHANNEL": "C0COORD",
            "CERCLE_ADMINS": CREATOR,
            "CERCLE_LOG_LEVEL": "INFO",
        }
        env.pop("SLACK_APP_TOKEN", None)  # HTTP mode, whatever the caller's shell has
        bot = _HttpBot(env, log_path)
        bot.start()
        events_url = f"{bot.url}/slack/events"

        creator = SlackPlayer(events_url, SIGNING_SECRET, standin)
        quoted = " ".join(f'"{text}"' for text in (QUESTION, *OPTIONS))
        reply = creator.slash_command(CREATOR, f"poll {quoted}", channel_id=CHANNEL)
        outcome.command_status = reply.status
        outcome.command_ms = reply.tries[-1][1] * 1000
        if not reply.ok:
            raise RuntimeError(f"/cercle poll answered {reply.status}: {reply.body[:200]}")
        deadline = time.monotonic() + 15
        posted = None
        while posted is None and time.monotonic() < deadline:
            time.sleep(0.1)
            posted = next(
                (m for m in standin.messages(CHANNEL) if _vote_buttons(m)),
                None,
            )
        if posted is None:
            raise RuntimeError("the poll message was not posted within 15 s")
        labelled = _vote_buttons(posted)
        poll_id = next(iter(labelled.values()))[0]
        labels = {option_id: label for label, (_, option_id, _, _) in labelled.items()}
        buttons = {option_id: (pid, action) for pid, option_id, action, _ in labelled.values()}

        users = [f"UP{index:05d}" for index in range(args.n)]
        for index, user in enumerate(users):
            standin.add_user(
                user,
                f"membre{index:05d}",
                real_name=f"Membre {index:05d}",
                locale=LOCALES[index % 6],
            )
        channel = standin.get_channel(CHANNEL) or {"members": []}
        standin.add_channel(
            CHANNEL, channel.get("name") or "communaute", members=[*channel["members"], *users]
        )

        clicks = _plan(users, sorted(labels), args.changes, rng)
        message = _PollMessage(standin, posted["ts"])
        message.start()
        wall_before = time.time()

        def tick() -> None:
            assert bot is not None
            bot.sample()
            outcome.peak_load = max(outcome.peak_load, os.getloadavg()[0])

        started = _storm((events_url, standin), clicks, buttons, message, args.senders, tick)
        outcome.storm_seconds = time.monotonic() - started
        message.stop()

        outcome.latencies_ms = [click.latency * 1000 for click in clicks]
        outcome.not_acked = sum(1 for click in clicks if click.status != 200)
        outcome.max_lag = max(click.sent_at - click.due for click in clicks)
        first_vote_wall = min(click.sent_wall for click in clicks)

        final, outcome.settle_seconds = _wait_settled(factory, message, bot)

        expected = _expected(clicks, labels)
        outcome.expected = dict(Counter(expected.values()))
        stored = _db_votes(factory, poll_id)
        outcome.db_tally = dict(
            Counter(labels[option] for options in stored.values() for option in options)
        )
        outcome.lost = sum(1 for user in expected if user not in stored)
        outcome.wrong = sum(
            1
            for user, label in expected.items()
            if user in stored and [labels[o] for o in stored[user]] != [label]
        )
        outcome.extra = sum(1 for user in stored if user not in expected)
        outcome.message_tally, outcome.message_voters = _message_counts(final, labels)

        updates = [
            call
            for call in standin.calls("chat.update")
            if call["params"].get("ts") == posted["ts"] and call["time"] >= wall_before
        ]
        outcome.updates = len(updates)
        outcome.updates_429 = sum(1 for call in updates if call["status"] == 429)
        if updates:
            outcome.updates_elapsed = max(call["time"] for call in updates) - first_vote_wall
        outcome.update_times = sorted(
            call["time"] - first_vote_wall for call in updates if call["ok"]
        )
        outcome.last_click_at = max(click.sent_wall for click in clicks) - first_vote_wall
        outcome.update_rows = _update_rows(factory, poll_id)

        confirmations = [
            call for call in standin.calls("response_url") if call["time"] >= wall_before
        ]
        outcome.confirmations = sum(1 for call in confirmations if call["status"] == 200)
        outcome.confirmation_errors = len(confirmations) - outcome.confirmations
        if outcome.confirmations != len(clicks):
            outcome.confirmation_errors += abs(len(clicks) - outcome.confirmations)
        infos = [call for call in standin.calls("users.info") if call["time"] >= wall_before]
        outcome.users_info = len(infos)
        outcome.users_info_429 = sum(1 for call in infos if call["status"] == 429)
        with transaction(factory) as db:
            if db.get(Poll, poll_id) is None:
                outcome.note = "the poll vanished"
    except RuntimeError as error:
        outcome.note = str(error)
    finally:
        if message is not None:
            message.stop()
        if bot is not None:
            bot.stop()
            outcome.peak_rss_kib = max(bot.peaks or [0])
            log = bot._log_path.read_text(errors="replace")
            outcome.errors_logged = len(re.findall(r"\bERROR\b|Traceback", log))
            last = re.findall(r"^\S*(?:Error|Exception)\b.*$", log, re.MULTILINE)
            if outcome.note and last:
                outcome.note += f" (bot log: {last[-1][:200]})"
        engine.dispose()
        standin.stop()
    return outcome


def _counts(tally: dict[str, int]) -> str:
    return " ".join(f"{label}={tally.get(label, 0)}" for label in OPTIONS)


def _report(outcome: Outcome) -> None:
    """Print one run's figures."""

    def mark(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    clicks = len(outcome.latencies_ms)
    print(
        f"--- {outcome.database}: {outcome.n} members, {clicks} clicks "
        f"({outcome.changes} changes) from {outcome.senders} senders"
        + (f"; {outcome.latency_note}" if outcome.latency_note else "")
    )
    print(f"/cercle poll ack:   {outcome.command_ms:.0f} ms (HTTP {outcome.command_status})")
    if clicks:
        print(
            f"vote acks (ms):     p50 {outcome.percentile(0.5):.0f}  p95 "
            f"{outcome.percentile(0.95):.0f}  p99 {outcome.percentile(0.99):.0f}  max "
            f"{max(outcome.latencies_ms):.0f}  (target p99 < {ACK_P99_TARGET_MS:.0f})"
            f"  {mark(outcome.ack_ok)}"
        )
        print(
            f"not acked 200:      {outcome.not_acked}; storm {outcome.storm_seconds:.1f} s, "
            f"worst send lag {outcome.max_lag:.2f} s"
        )
    print(f"expected tally:     {_counts(outcome.expected)} ({outcome.voters} voters)")
    print(
        f"database tally:     {_counts(outcome.db_tally)}; lost {outcome.lost}, wrong "
        f"{outcome.wrong}, extra {outcome.extra}  {mark(outcome.tally_ok)}"
    )
    print(
        f"message shows:      {_counts(outcome.message_tally)}, {outcome.message_voters} "
        f"voters  {mark(outcome.message_ok)}"
    )
    print(
        f"chat.update calls:  {outcome.updates} ({outcome.updates_429} answered 429) over "
        f"{outcome.updates_elapsed:.1f} s; bound {outcome.update_bound:.1f}  "
        f"{mark(outcome.updates_ok)}"
    )
    print(
        "updates landed at:  "
        + " ".join(f"{moment:.1f}" for moment in outcome.update_times)
        + f" s after the first vote (last click at {outcome.last_click_at:.1f} s); "
        f"longest without an update while voting: {outcome.longest_stale:.1f} s"
    )
    print(
        "update rows:        "
        + ", ".join(f"{count} {status}" for status, count in sorted(outcome.update_rows.items()))
        + f"; settled {outcome.settle_seconds:.1f} s after the last click"
    )
    print(
        f"confirmations:      {outcome.confirmations} ephemeral via response_url, "
        f"{outcome.confirmation_errors} missing or refused"
    )
    print(
        f"users.info:         {outcome.users_info} calls in the ack path, "
        f"{outcome.users_info_429} answered 429 (Tier 4)"
    )
    print(
        f"bot:                peak RSS {outcome.peak_rss_kib / 1024:.0f} MiB, "
        f"{outcome.errors_logged} ERROR lines in its log; machine load (1 min) up to "
        f"{outcome.peak_load:.1f} on {os.cpu_count()} CPUs during the storm"
    )
    if outcome.note:
        print(f"problem:            {outcome.note}")
    print(f"result:             {'OK' if outcome.ok else 'TARGET MISSED'}")


def main(argv: list[str] | None = None) -> int:
    """Run the storm on the chosen databases; 0 only if every target was met."""
    parser = argparse.ArgumentParser(prog="python -m bench.poll_storm", description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("-n", type=int, default=500, help="members who vote (default 500)")
    parser.add_argument(
        "--changes", type=int, default=100, help="members who change their vote (default 100)"
    )
    parser.add_argument(
        "--senders", type=int, default=SENDERS, help=f"concurrent clients (default {SENDERS})"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--api-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="delay every Web API answer of the stand-in by MS ms (default 0)",
    )
    parser.add_argument(
        "--response-url-latency",
        type=float,
        default=0.0,
        metavar="MS",
        help="delay every response_url answer of the stand-in by MS ms (default 0)",
    )
    args = parser.parse_args(argv)
    if args.n < 1 or not 0 <= args.changes <= args.n or args.senders < 1:
        parser.error("need -n >= 1, 0 <= --changes <= n and --senders >= 1")
    if cercle_missing():
        return 2

    def run_and_report(database: str, url: str, _work: Path) -> Outcome:
        outcome = run(database, args, url)
        _report(outcome)
        return outcome

    outcomes = on_each_database(args.db, run_and_report)
    if outcomes is None:
        return 1
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
