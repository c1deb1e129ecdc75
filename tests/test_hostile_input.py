"""Hostile and bad input: generated requests at every entry point, over HTTP, on both databases.

Thousands of generated requests (malformed JSON, wrong-typed fields, huge strings, control
characters, SQL-like text, mention and link injection, unknown ids, garbage under valid
signatures) must each be answered quickly with a 2xx or 4xx, leave no half-written row,
and never make Cercle post member text that pings a channel or forges a link.

CI sends the same requests every run. To hunt for new bugs: `HOSTILE_RANDOM=1
HOSTILE_SCALE=3 pytest tests/test_hostile_input.py -k generated -s` (other examples, three
times as many); `HOSTILE_DEBUG=poll_vote` prints the answers to one entry point.
"""

from __future__ import annotations

import copy
import http.client
import json
import logging
import os
import re
import shutil
import socket
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from bot.forms import parse_id
from bot.i18n import CATALOG
from bot.ids import Action, View
from bot.runtime import build_runtime
from bot.server import MAX_BODY_BYTES, HttpServer, malformed_payload
from bot.ui.common import without_broadcasts
from sandbox.signed_client import SlackPlayer, sign
from sandbox.slack import SlackStandIn, StandInConfig
from storage.models import OutboxStatus
from tests.conftest import RunningBot, make_settings
from tests.hostile_inputs import (
    COMMUNITY,
    MEMBERS,
    RESPONSE_URL,
    TRIGGER,
    HostileRequest,
    action_requests,
    command_requests,
    encode_form,
    event_requests,
    has_reference,
    leaks_in,
    raw_requests,
    resolve,
    seed_requests,
    url_verification_requests,
    view_closed_requests,
    view_requests,
)

# How many generated requests are sent, per database.
EVENT_EXAMPLES = 150
EXAMPLES = 900
RAW_EXAMPLES = 100
# Slack gives up after 3 s; on a loaded 2-core machine we allow a little more.
ANSWER_WITHIN_SECONDS = 5.0


# CI runs the same examples every time; HOSTILE_RANDOM=1 explores new ones (and
# HOSTILE_SCALE=5 five times as many) when hunting for bugs locally.
RANDOM = os.environ.get("HOSTILE_RANDOM") == "1"
SCALE = float(os.environ.get("HOSTILE_SCALE", "1"))


def _settings(examples: int) -> settings:
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        print_blob=False,
    )


@dataclass
class Answer:
    """What the bot answered to one request."""

    status: int | None
    body: str
    elapsed: float

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class _UnexpectedErrors(logging.Handler):
    """Collect the requests that ended in an exception nobody anticipated."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            # Where in Cercle's own code it happened.
            frames = traceback.extract_tb(record.exc_info[2])
            ours = [f for f in frames if "/site-packages/" not in f.filename] or frames
            where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
            self.seen.append(
                f"{type(error).__name__}: {str(error)[:200]} at {where} ({record.getMessage()})"
            )
        else:
            self.seen.append(record.getMessage()[:300])


@dataclass
class Barrage:
    """Send generated requests to the running bot and check each answer as it comes."""

    bot: Any
    sent: Counter = field(default_factory=Counter)
    answers: list[tuple[HostileRequest, Answer]] = field(default_factory=list)

    def __post_init__(self) -> None:
        split = urlsplit(self.bot.url)
        self.host, self.port, self.path = split.hostname, split.port, split.path

    def _world(self) -> Callable[[str, int, int], str]:
        """Read which rows exist now, to resolve the references of a request."""

        def read(db: Any) -> dict[str, Any]:
            def grouped(query: str) -> list[tuple[Any, list[Any]]]:
                groups: dict[Any, list[Any]] = {}
                for parent, child in db.execute(text(query)):
                    groups.setdefault(parent, [])
                    if child is not None:
                        groups[parent].append(child)
                return list(groups.items())

            return {
                "poll": grouped(
                    "SELECT p.id, o.id FROM polls p LEFT JOIN poll_options o ON o.poll_id = p.id"
                    " ORDER BY p.id, o.id"
                ),
                "survey": grouped(
                    "SELECT s.id, q.id FROM surveys s LEFT JOIN survey_questions q"
                    " ON q.survey_id = s.id ORDER BY s.id, q.position"
                ),
                "item": [row[0] for row in db.execute(text("SELECT id FROM toolbox_items"))],
                "interest": [row[0] for row in db.execute(text("SELECT key FROM interest_topics"))],
                "version": db.execute(text("SELECT MAX(version) FROM charter_versions")).scalar(),
            }

        rows = self.bot.query(read)

        def lookup(kind: str, n: int, m: int) -> str:
            parents = {"option": "poll", "question": "survey"}
            if kind == "version":
                return str(max(1, (rows["version"] or 1) - 1 + n % 3))
            found = rows.get(parents.get(kind, kind)) or []
            if not found:
                return "999999"
            chosen = found[n % len(found)]
            if kind in parents:
                children = chosen[1]
                return str(children[m % len(children)]) if children else "999999"
            return str(chosen[0] if isinstance(chosen, tuple) else chosen)

        return lookup

    def _fill(self, value: Any, user: Any) -> Any:
        """Swap the placeholders for a trigger id and a response URL the stand-in knows."""
        member = user if isinstance(user, str) and user else "U0BOB"
        if value == TRIGGER:
            return self.bot.standin.new_trigger_id(member)
        if value == RESPONSE_URL:
            return self.bot.standin.new_response_url(COMMUNITY, member)
        if isinstance(value, dict):
            return {k: self._fill(v, user) for k, v in value.items()}
        if isinstance(value, list):
            return [self._fill(v, user) for v in value]
        return value

    def encode(self, request: HostileRequest) -> bytes:
        """Return the bytes of a request's body, placeholders filled."""
        if request.payload is None:
            return request.body
        payload = self._fill(copy.deepcopy(request.payload), request.user)
        if has_reference(payload):
            payload = resolve(payload, self._world())
        request.payload = payload  # what was sent, for the failure message
        if request.form:
            return encode_form(payload)
        if request.interactive:
            return urlencode({"payload": json.dumps(payload)}).encode()
        return json.dumps(payload).encode()

    def post(
        self, body: bytes, headers: dict[str, str], *, timeout: float = ANSWER_WITHIN_SECONDS
    ) -> Answer:
        """POST once; an answer that takes longer than `timeout` counts as none."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        started = time.monotonic()
        try:
            conn.request("POST", self.path, body=body, headers=headers)
            response = conn.getresponse()
            text_body = response.read().decode("utf-8", "replace")
            return Answer(response.status, text_body, time.monotonic() - started)
        except (OSError, http.client.HTTPException):
            return Answer(None, "", time.monotonic() - started)
        finally:
            conn.close()

    def send(self, request: HostileRequest) -> Answer:
        """Send one generated request and check the answer."""
        body = self.encode(request)
        headers = {"Content-Type": request.content_type, "Content-Length": str(len(body))}
        if request.sign:
            timestamp = int(time.time()) + request.timestamp_offset
            headers["X-Slack-Request-Timestamp"] = str(timestamp)
            headers["X-Slack-Signature"] = sign(
                self.bot.settings.slack_signing_secret, timestamp, body
            )
        headers.update(request.extra_headers)
        answer = self.post(body, headers)
        self.sent[request.kind] += 1
        self.answers.append((request, answer))
        assert answer.status is not None, (
            f"no answer within {ANSWER_WITHIN_SECONDS} s: {request.describe()}"
        )
        assert answer.status < 500, (
            f"{answer.status} {answer.body[:200]!r} for {request.describe()}"
        )
        # (Bolt answers Slack's `ssl_check` ping, signed or not, and does nothing else.)
        if request.kind == "raw" and request.label != "signed" and b"ssl_check" not in body:
            assert 400 <= answer.status < 500, (
                f"accepted a badly signed request: {request.describe()}"
            )
        if request.kind == "command" and request.user in MEMBERS and not request.corrupted:
            _check_command_answer(request, answer)
        return answer

    def run(self, strategy: st.SearchStrategy[HostileRequest], examples: int) -> None:
        """Send `examples` generated requests from `strategy`."""

        @_settings(examples)
        @given(strategy)
        def check(request: HostileRequest) -> None:
            self.send(request)

        check()


def _check_command_answer(request: HostileRequest, answer: Answer) -> None:
    """A member's command is always answered in the command itself: ephemeral, or a modal."""
    assert answer.status == 200, f"{answer.status} for {request.describe()}"
    if not answer.body:
        return  # a modal was opened instead
    reply = answer.json
    assert isinstance(reply, dict), f"not JSON: {answer.body[:200]!r} for {request.describe()}"
    assert reply.get("response_type") == "ephemeral", request.describe()
    assert reply.get("text") or reply.get("blocks"), request.describe()


# --------------------------------------------------------------------------- invariants

# Each query returns the rows that break one rule; all must come back empty.
INVARIANTS = {
    "a poll has at least two options": """
        SELECT p.id FROM polls p LEFT JOIN poll_options o ON o.poll_id = p.id
        GROUP BY p.id HAVING COUNT(o.id) < 2""",
    "a poll allows between 1 and its number of options": """
        SELECT p.id FROM polls p JOIN poll_options o ON o.poll_id = p.id
        GROUP BY p.id, p.max_choices HAVING p.max_choices < 1 OR p.max_choices > COUNT(o.id)""",
    "a poll option has a label": "SELECT id FROM poll_options WHERE TRIM(label) = ''",
    "a poll is posted somewhere": "SELECT id FROM polls WHERE channel_id = '' OR post_key = ''",
    "a vote points to an option of its own poll": """
        SELECT v.poll_id FROM poll_votes v LEFT JOIN poll_options o
            ON o.id = v.option_id AND o.poll_id = v.poll_id
        WHERE o.id IS NULL""",
    "a survey has questions": """
        SELECT s.id FROM surveys s LEFT JOIN survey_questions q ON q.survey_id = s.id
        WHERE q.id IS NULL""",
    "a survey has a title": "SELECT id FROM surveys WHERE TRIM(title) = ''",
    "an answer points to a question of its own survey": """
        SELECT a.survey_id FROM survey_answers a LEFT JOIN survey_questions q
            ON q.id = a.question_id AND q.survey_id = a.survey_id
        WHERE q.id IS NULL""",
    "an invitation points to a survey": """
        SELECT i.survey_id FROM survey_invitations i LEFT JOIN surveys s ON s.id = i.survey_id
        WHERE s.id IS NULL""",
    "a respondent points to a survey": """
        SELECT r.survey_id FROM survey_respondents r LEFT JOIN surveys s ON s.id = r.survey_id
        WHERE s.id IS NULL""",
    "only a launched survey has invitations": """
        SELECT i.survey_id FROM survey_invitations i JOIN surveys s ON s.id = i.survey_id
        WHERE s.launched_at IS NULL""",
    "a toolbox visit points to an item": """
        SELECT v.id FROM toolbox_visits v LEFT JOIN toolbox_items i ON i.id = v.item_id
        WHERE i.id IS NULL""",
    "a toolbox item has a title": "SELECT id FROM toolbox_items WHERE TRIM(title) = ''",
    "a toolbox item's language is fr or en": (
        "SELECT id FROM toolbox_items WHERE language NOT IN ('fr', 'en')"
    ),
    "an acceptance points to a charter version": """
        SELECT a.id FROM charter_acceptances a LEFT JOIN charter_versions c
            ON c.version = a.version
        WHERE c.version IS NULL""",
    "a charter version has text in both languages": """
        SELECT version, text_fr, text_en, summary_fr, summary_en FROM charter_versions
        WHERE TRIM(text_fr) = '' OR TRIM(text_en) = '' OR TRIM(summary_fr) = ''
            OR TRIM(summary_en) = ''""",
    "an interest has labels in both languages": """
        SELECT key FROM interest_topics WHERE TRIM(label_fr) = '' OR TRIM(label_en) = ''""",
    "a community text is never empty": """
        SELECT key FROM community_texts WHERE TRIM(text_fr) = '' OR TRIM(text_en) = ''""",
    "a schedule runs at a real time": """
        SELECT name FROM schedules WHERE hour < 0 OR hour > 23 OR minute < 0 OR minute > 59""",
    # (`forget-me` keeps a forgotten member's events as anonymous ones.)
    "a participation event belongs to someone": """
        SELECT id, source_key, kind FROM participation_events
        WHERE user_id = '' AND source_key NOT LIKE 'anonymous:%'""",
    # (`forget-me` blanks the address of rows already sent.)
    "an outbox row to send has an address and a method": """
        SELECT id, method, address, idempotency_key FROM outbox_messages
        WHERE status IN ('pending', 'sending') AND (address = '' OR method = '')""",
}


def _broken_invariants(bot: Any) -> dict[str, list[Any]]:
    def check(db: Any) -> dict[str, list[Any]]:
        broken = {}
        for rule, query in INVARIANTS.items():
            rows = [tuple(row) for row in db.execute(text(query))]
            if rows:
                broken[rule] = rows[:5]
        return broken

    return bot.query(check)


def _outbox_settled(bot: Any) -> bool:
    """Tell whether every outbox row due within a few seconds has been sent or given up."""

    def count(db: Any) -> int:
        return db.execute(
            text(
                "SELECT COUNT(*) FROM outbox_messages WHERE status IN (:pending, :sending)"
                " AND kind <> 'nudge'"
            ),
            {"pending": OutboxStatus.PENDING, "sending": OutboxStatus.SENDING},
        ).scalar_one()

    return bot.query(count) == 0


def _outbox_payloads(bot: Any) -> list[Any]:
    return bot.query(
        lambda db: [row[0] for row in db.execute(text("SELECT payload FROM outbox_messages"))]
    )


def _health(bot: Any) -> tuple[int, str]:
    split = urlsplit(bot.url)
    conn = http.client.HTTPConnection(split.hostname, split.port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


# Tables whose row counts show how deep the generated requests went (printed with -s).
_REACHED = (
    "polls",
    "poll_votes",
    "surveys",
    "survey_invitations",
    "survey_answers",
    "toolbox_items",
    "toolbox_visits",
    "charter_versions",
    "charter_acceptances",
    "interest_topics",
    "outbox_messages",
    "participation_events",
)


def _print_what_was_reached(bot: Any, barrage: Barrage) -> None:
    """Print the answers by status and the rows made (HOSTILE_DEBUG=<label> shows answers)."""
    statuses = Counter((request.kind, answer.status) for request, answer in barrage.answers)
    print(sorted(statuses.items()))
    print(
        bot.query(
            lambda db: {
                table: db.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one()
                for table in _REACHED
            }
        )
    )
    label = os.environ.get("HOSTILE_DEBUG")
    if label:
        shown = Counter(
            (request.user, answer.status, answer.body[:120])
            for request, answer in barrage.answers
            if request.label == label and not request.corrupted
        )
        print("\n".join(f"{n} {key}" for key, n in shown.most_common()))


# --------------------------------------------------------------------------- the barrage


def test_generated_requests_at_every_entry_point(bot, record_property, pytestconfig):
    """Thousands of generated requests: all answered 2xx/4xx in time, nothing leaked or broken."""
    app = bot.runtime.app
    unexpected = _UnexpectedErrors()
    watched = [
        logging.getLogger(name) for name in ("bot.app", "bot.server", "cercle.bolt", "waitress")
    ]
    for logger in watched:
        logger.addHandler(unexpected)
    barrage = Barrage(bot)
    started = time.monotonic()
    try:
        events = event_requests(sorted(app.registered_events))
        commands = command_requests([sub.name for sub in app.subcommands.all()])
        actions = action_requests([action.value for action in Action])
        views = view_requests([view.value for view in View])
        for request in seed_requests():
            barrage.send(request)
        barrage.run(events, EVENT_EXAMPLES)
        # Interleaved, so clicks and forms find the polls and surveys commands created.
        barrage.run(
            st.one_of(
                url_verification_requests(),
                view_closed_requests([view.value for view in View]),
                *[commands] * 8,
                *[actions] * 6,
                *[views] * 6,
            ),
            EXAMPLES,
        )
        # Garbage bodies, bad signatures: quick to answer, and apart so there are enough.
        barrage.run(raw_requests(), RAW_EXAMPLES)
    finally:
        for logger in watched:
            logger.removeHandler(unexpected)
    elapsed = time.monotonic() - started
    total = sum(barrage.sent.values())
    record_property("hostile_requests", total)
    # Kept between runs (pytest --cache-show 'hostile_input/*'): how much was sent, where.
    database = "postgresql" if bot.settings.database_url.startswith("postgresql") else "sqlite"
    pytestconfig.cache.set(
        f"hostile_input/{database}", {"requests": total, "seconds": round(elapsed, 1)}
    )
    print(f"\nhostile input: {total} requests in {elapsed:.1f} s {dict(barrage.sent)}")
    _print_what_was_reached(bot, barrage)

    assert _health(bot)[0] == 200
    try:
        bot.wait_until(lambda: _outbox_settled(bot), timeout=15 * SCALE, what="the outbox")
    except AssertionError:
        pending = bot.query(
            lambda db: db.execute(
                text(
                    "SELECT idempotency_key, method, address, status, attempts, last_error,"
                    " next_attempt_at, payload"
                    " FROM outbox_messages WHERE status IN ('pending', 'sending')"
                    " AND kind <> 'nudge' ORDER BY id"
                )
            ).all()
        )
        raise AssertionError(f"the outbox did not drain: {len(pending)} {pending[:10]}") from None

    leaks = []
    for call in bot.standin.calls():
        leaks += [(call["method"], leak[:200]) for leak in leaks_in(call["params"])]
    for request, answer in barrage.answers:
        leaks += [
            (f"answer to {request.kind}:{request.label}", leak[:200])
            for leak in leaks_in(answer.json)
        ]
    for payload in _outbox_payloads(bot):
        leaks += [("outbox", leak[:200]) for leak in leaks_in(payload)]
    assert leaks == [], "\n".join(f"{where}: {text}" for where, text in leaks)
    broken = _broken_invariants(bot)
    assert broken == {}, "\n".join(f"{rule}: {rows!r:.600}" for rule, rows in broken.items())
    assert unexpected.seen == [], "\n".join(unexpected.seen)


# --------------------------------------------------------------------------- one bot for the rest


@pytest.fixture(scope="module")
def shared_bot(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Any]:
    """Run one bot on SQLite for the tests below: none depends on the database kind."""
    path = tmp_path_factory.mktemp("hostile") / "cercle.db"
    shutil.copyfile(sqlite_template, path)
    standin = SlackStandIn(StandInConfig(postmessage_per_minute=60_000, per_channel_burst=50))
    standin.start()
    settings = make_settings(standin, f"sqlite:///{path}")
    runtime = build_runtime(
        settings, migrate=False, host="127.0.0.1", dispatcher_options={"poll_interval": 0.05}
    )
    runtime.start()
    assert runtime.server is not None
    player = SlackPlayer(
        f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
    )
    yield RunningBot(runtime, standin, player, settings)
    runtime.stop()
    standin.stop()


# --------------------------------------------------------------------------- mistakes

# A wrong use of each subcommand, by whom, and what the answer must name.
MISTAKES = [
    ("U0BOB", "snooze forever", "/cercle snooze"),
    ("U0CAMILLE", "snooze 99999999999999d", "/cercle snooze"),
    ("U0BOB", "nudges off everything", "/cercle nudges"),
    ("U0BOB", "channels frobnicate", "/cercle channels"),
    ("U0ALICE", "channels add", "/cercle channels"),
    ("U0ALICE", "interests add onlyone", "/cercle interests"),
    ("U0ALICE", "schedule set weekly_tool someday", "/cercle schedule"),
    ("U0ALICE", "survey frobnicate", "/cercle survey"),
    ("U0ALICE", "survey launch", "/cercle survey"),
    ("U0ALICE", "survey launch 99999999999999999999", "/cercle survey"),
    ("U0ALICE", "stats forever", "/cercle stats"),
    ("U0BOB", "rules frobnicate", "/cercle rules"),
    ("U0BOB", "tracking maybe", "/cercle tracking"),
    ("U0ALICE", 'poll "Question?" "Only one"', "/cercle poll"),
    ("U0ALICE", 'poll "Question?" "A" "B" --frobnicate', "/cercle poll"),
    ("U0ALICE", 'poll "Question?" "A" "A"', "/cercle poll"),
    ("U0ALICE", 'poll "Question?" "A" "B" --closes someday', "/cercle poll"),
    ("U0ALICE", 'poll "Question?" "A" "B" --multi 99999', "/cercle poll"),
    ("U0ALICE", 'poll "Question?', "/cercle poll"),
    ("U0ALICE", "role grant nobody", "/cercle role"),
]
LANGUAGE = {"U0ALICE": "fr", "U0BOB": "en", "U0CAMILLE": "fr"}


def _catalog_pattern(template: str) -> re.Pattern[str] | None:
    """Return a catalog string as a pattern (placeholders match anything), if distinctive."""
    literal = re.split(r"\{[a-z_]+\}", template)
    if sum(len(part.strip()) for part in literal) < 12:
        return None  # mostly placeholders: it would match anything
    return re.compile(".*?".join(re.escape(part) for part in literal), re.DOTALL)


def _spoken_in(reply: str, language: str, other: str) -> bool:
    """Tell whether `reply` holds catalog strings of `language`, and none only of `other`."""
    mine = theirs = False
    for entry in CATALOG.values():
        ours, foreign = entry.get(language, ""), entry.get(other, "")
        pattern = _catalog_pattern(ours)
        mine = mine or bool(pattern and pattern.search(reply))
        pattern = _catalog_pattern(foreign) if foreign != ours else None
        theirs = theirs or bool(pattern and pattern.search(reply))
    return mine and not theirs


def test_a_mistaken_command_gets_the_usage_in_the_members_language(shared_bot):
    bot = shared_bot
    """A wrong use of a subcommand gets an ephemeral answer in the member's language, with usage."""
    wrong = []
    for user, command, usage in MISTAKES:
        delivery = bot.player.slash_command(user, command)
        reply = delivery.json or {}
        text_shown = str(reply.get("text", ""))
        language = LANGUAGE[user]
        other = "en" if language == "fr" else "fr"
        if not (
            delivery.status == 200
            and reply.get("response_type") == "ephemeral"
            and usage in text_shown
            and _spoken_in(text_shown, language, other)
        ):
            wrong.append(f"{user} /cercle {command}: {delivery.status} {text_shown!r}")
    assert wrong == [], "\n".join(wrong)


def test_an_event_that_trips_a_listener_is_acknowledged_without_a_trace(shared_bot):
    bot = shared_bot
    """A listener failing on an odd event leaves nothing, and Slack is not made to retry it."""
    from storage.outbox import enqueue_message

    def odd_pin(event, db):
        enqueue_message(db, key="half-written", address=COMMUNITY, text="never")
        return event["item"]["message"]["ts"]  # this event has no message: KeyError

    bot.runtime.app.event("pin_added")(odd_pin)
    delivery = bot.player.event(
        {"type": "pin_added", "user": "U0BOB", "channel_id": COMMUNITY, "item": {}},
        event_id="EvODDPIN",
    )
    assert (delivery.status, delivery.attempts) == (200, 1)
    counts = bot.query(
        lambda db: db.execute(
            text(
                "SELECT (SELECT COUNT(*) FROM outbox_messages),"
                " (SELECT COUNT(*) FROM processed_events WHERE event_id = 'EvODDPIN')"
            )
        ).one()
    )
    assert tuple(counts) == (0, 0)


def test_the_homes_see_all_opens_the_toolbox_in_a_modal(shared_bot):
    bot = shared_bot
    """The App Home has no conversation to answer in: "See all" opens the toolbox as a modal."""
    delivery = bot.player.block_action(
        "U0BOB", Action.TOOLBOX_BROWSE.value, value="all", view={"id": "VHOME", "type": "home"}
    )
    assert delivery.status == 200
    opened = bot.standin.calls("views.open")
    assert opened and opened[-1]["ok"], opened
    view = opened[-1]["params"]["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["title"]["text"] == "Toolbox"


# --------------------------------------------------------------------------- real sockets


def _raw_exchange(port: int, head: bytes, body_chunks: list[bytes], *, timeout: float) -> bytes:
    """Send `head` then every chunk; return what the server answered."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        answer = b""
        for chunk in body_chunks:
            # Sent to the end regardless, as a simple client does: the server must
            # still let it read the answer rather than reset the connection.
            sock.sendall(chunk)
        try:
            while True:
                part = sock.recv(65536)
                if not part:
                    break
                answer += part
        except OSError:
            pass
        return answer


def test_a_body_over_the_limit_is_refused_before_it_is_read(shared_bot):
    bot = shared_bot
    """A request announcing more than 1 MB gets 413 at once, without the body being read."""
    port = bot.runtime.server.port
    size = MAX_BODY_BYTES + 1
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        started = time.monotonic()
        sock.sendall(head)
        # No body at all: the answer must not wait for it.
        answer = sock.recv(65536)
        assert time.monotonic() - started < 2
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_body_over_the_limit_sent_in_full_is_refused(shared_bot):
    bot = shared_bot
    """A client that sends its whole oversized body anyway gets a 413, not a reset."""
    port = bot.runtime.server.port
    body = b"{" + b" " * (MAX_BODY_BYTES + 10) + b"}"
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    answer = _raw_exchange(port, head, chunks, timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_chunked_body_over_the_limit_is_refused(shared_bot):
    bot = shared_bot
    """A body without a Content-Length (chunked) is held to the same limit."""
    port = bot.runtime.server.port
    head = (
        b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    piece = b" " * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    chunks = [chunk] * (MAX_BODY_BYTES // len(piece) + 2) + [b"0\r\n\r\n"]
    answer = _raw_exchange(port, head, chunks, timeout=5)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_stalled_client_neither_blocks_others_nor_stays_connected(shared_bot):
    bot = shared_bot
    """Clients that send headers then stall don't stop others being served, and are dropped."""
    app, engine = bot.runtime.app, bot.runtime.engine
    server = HttpServer(app, engine, host="127.0.0.1", port=0, threads=2, channel_timeout=1)
    server.start_in_thread()
    try:
        head = (
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n{"
        )
        # More stalled clients than worker threads.
        stalled = [
            socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(6)
        ]
        for sock in stalled:
            sock.sendall(head)
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
        assert time.monotonic() - started < 1.5

        def dropped(sock: socket.socket) -> bool:
            try:
                while sock.recv(1024):
                    pass
            except ConnectionResetError:
                pass
            except TimeoutError:
                return False
            return True

        results: list[bool] = []
        threads = [threading.Thread(target=lambda s=s: results.append(dropped(s))) for s in stalled]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=8)
        assert results == [True] * len(stalled), "a stalled client was never dropped"
        assert time.monotonic() - started < 6
    finally:
        for sock in stalled:
            sock.close()
        server.close()


# --------------------------------------------------------------------------- pure pieces


def test_the_leak_scanner_finds_what_slack_would_render():
    """The scanner flags a marker in mrkdwn and message text, never in plain text or values."""
    rendered = {
        "text": "hi <!here>",
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "<@UZZHOSTILE>"}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "<#CZZHOSTILE|x>"}]},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": "<https://zz-forged.example|x>"},
            },
        ],
    }
    inert = {
        "text": "&lt;!here&gt; <!date^1700000000^{date}|2023> <@U0BOB>",
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": "<!channel>"}},
            {"type": "actions", "elements": [{"type": "button", "value": "<!channel>"}]},
        ],
        "private_metadata": "<!everyone>",
    }
    assert len(leaks_in(rendered)) == 4
    assert leaks_in(json.dumps(rendered)) == leaks_in(rendered)  # blocks sent as a string
    assert leaks_in(inert) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("0", 0),
        ("2147483647", 2147483647),
        ("2147483648", None),
        ("²", None),
        ("١", None),
        ("9" * 5000, None),
        (" 1", None),
        ("-1", None),
        ("", None),
        (7, None),
    ],
)
def test_an_id_is_ascii_digits_that_fit_the_database(text, expected):
    """`parse_id` takes what int() and an INTEGER column both take, and nothing else."""
    assert parse_id(text) == expected


def test_coordinator_text_keeps_its_links_but_pings_nobody():
    """The charter and purpose keep mrkdwn and links; @channel-like mentions become inert."""
    shown = without_broadcasts("*Hi* <!here> <!channel|c> <!subteam^S1> <https://a.example|a>")
    assert shown == "*Hi* &lt;!here> &lt;!channel|c> &lt;!subteam^S1> <https://a.example|a>"
    assert leaks_in({"text": shown}) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ([], "not an object"),
        ({"type": "event_callback", "event": None}, "event is not a dict"),
        ({"type": "block_actions", "user": {"id": "U1"}, "actions": []}, "the actions"),
        ({"type": "block_actions", "user": {"id": "U1"}, "actions": [{}]}, "no action_id"),
        (
            {"type": "view_submission", "user": {"id": "U1"}, "view": {"callback_id": "x"}},
            "no type or callback_id",
        ),
        (
            {"type": "view_submission", "user": {}, "view": {"type": "modal", "callback_id": "x"}},
            "the user who acted",
        ),
        (
            {"type": "block_actions", "user": {"id": ""}, "actions": [{"action_id": "a"}]},
            "the user who acted",
        ),
        ({"command": "/cercle", "user_id": "<!channel>"}, "the user who acted"),
        ({"command": "/cercle", "user_id": "U1", "channel_id": "#x"}, "channel_id is not"),
        ({"type": "event_callback", "event": {"type": "x" * 65}}, "event.type"),
        ({"command": "/cercle", "user_id": "U1", "response_url": "<!here>"}, "response_url"),
    ],
)
def test_a_payload_bolt_would_choke_on_is_named(body, problem):
    """`malformed_payload` says what is wrong with each shape Bolt cannot route."""
    assert problem in (malformed_payload(body) or "")


def test_the_shape_check_never_raises_itself():
    """Odd values where lists and objects belong are judged, never a crash of the check."""
    odd = ({"actions": True}, {"view": [1]}, {"event": {"item": 3}}, {"user": [1]}, {"view": None})
    for body in odd:
        malformed_payload(body)


def test_a_payload_as_slack_sends_it_passes():
    """Slack's own shapes are not refused."""
    assert malformed_payload({"command": "/cercle", "user_id": "U0BOB", "channel_id": "C1"}) is None
    assert (
        malformed_payload(
            {
                "type": "event_callback",
                "event_id": "Ev1",
                "event": {"type": "team_join", "user": {"id": "U0BOB"}},
            }
        )
        is None
    )
