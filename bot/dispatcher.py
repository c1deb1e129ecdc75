"""The outbox dispatcher: send every outbox row to Slack exactly once, in order per address.

Handlers never call Slack for anything that must arrive; they write outbox rows in the
transaction of the change that causes them. Every bot process runs one `Dispatcher`,
which claims due rows, sends them with a few worker threads, and records the outcome.

Claiming
    A row is eligible when it is pending and due, its Slack method is not rate-limited
    right now, it is the lowest-id unsent row (pending or sending) of its address, and the
    row it edits or replies to (`target_key`) is no longer unsent. So at most one row per
    address is ever in flight, and per-conversation order holds across processes. The
    claim (status, claimed_by, claimed_at, attempts + 1, and our heartbeat) is one short
    transaction: SQLite's BEGIN IMMEDIATE serialises it; on PostgreSQL a transaction-level
    advisory lock serialises claimers (so two processes can never both see the same
    "lowest unsent row" of an address) and FOR UPDATE SKIP LOCKED steps over rows another
    transaction is writing.

Why a message cannot be posted twice
    1. A row is sent only by the process holding its claim, and a claim is granted to
       one process at a time (above). chat.postMessage is never retried blindly: the
       Web API client has no retry handlers, so every resend is a decision made here.
    2. Every post carries message metadata `{"event_type": "cercle_outbox",
       "event_payload": {"key": <idempotency key>}}`. When an attempt ends without a
       definite answer (HTTP 5xx, timeout, dropped connection, `internal_error`...), or the
       process holding the claim stops heartbeating, the row becomes *in doubt*. Before any
       resend of an in-doubt post the dispatcher reads the conversation's history since
       the first doubtful attempt (`claimed_at` is kept while a row is in doubt) and looks
       for that key: found means it was posted (the row is marked sent with that ts);
       not found means it was not, so posting again cannot duplicate it. If the history
       is too long to search fully, or Slack refuses to show it, the row fails rather
       than risk a second copy.
    3. The one assumption: a message Slack accepted is visible in history by the time we
       look. So a resend after an attempt that got no answer waits at least the request
       timeout (plus a margin) after that attempt started: by then our request has either
       reached Slack or been abandoned by the client. A dispatcher only starts a post
       within `stale_after / 2` of its claim (which also refreshed its heartbeat), and
       another process adopts a claim only when the heartbeat is `stale_after` old and
       waits `stale_after / 2 + request_timeout` past that heartbeat before resending, so
       adopted rows obey the same rule. An HTTP 5xx other than 502/504 (or an
       `internal_error` body) is an answer from the server that handled the call, which is
       done with it; there only the back-off applies before reconciling. Heartbeats and
       resend times are compared across processes, so each dispatcher writes them on the
       database's clock (`_sync_clock`): hosts whose clocks disagree cannot shorten a wait.
    4. Outcomes are recorded only while the row is still `sending` under our claim; if
       another process adopted it meanwhile, its reconcile will find our post.

Files (outbox method `files.upload`) get the same guarantee. The dispatcher takes
files_upload_v2 apart into its three steps (files.getUploadURLExternal, the POST of the
bytes, files.completeUploadExternal), so each is rate-limited and classified on its own
and only the last one, which shares the file, can put the row in doubt; it starts under
the same claim-age rule as a post. A user id is resolved to the DM channel (cached in
`dm_channels`). Files carry no metadata, so the reconcile looks in history for a message
whose `files` include the row's file name, made unique per row when it was queued. Slack
shares a completed upload asynchronously, so an in-doubt file also waits `share_settle`
(30 s) past its completion, or past the adopted claim's deadline, before that search.

chat.update sets content, so it is simply retried: sending it twice changes nothing.
"""

from __future__ import annotations

import base64
import copy
import http.client
import logging
import os
import queue
import random
import re
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web import SlackResponse
from sqlalchemy import and_, case, delete, exists, func, not_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased, sessionmaker

from bot.courtesy import CourtesyPolicy
from bot.logs import log_fields
from storage.db import transaction
from storage.guards import still_wanted
from storage.models import (
    DirectMessageChannel,
    DispatcherProcess,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from storage.outbox import FILE_UPLOAD, INVITE, NUDGE_KIND, POST_MESSAGE, UPDATE_MESSAGE

logger = logging.getLogger(__name__)
_CLIENT_LOGGER = logging.getLogger(f"{__name__}.web")
_CLIENT_LOGGER.setLevel(logging.INFO)

METADATA_EVENT_TYPE = "cercle_outbox"
HISTORY = "conversations.history"
REPLIES = "conversations.replies"
OPEN = "conversations.open"
RECONCILE_METHODS = frozenset({HISTORY, REPLIES, OPEN})
# The three steps of a file upload (what slack_sdk's files_upload_v2 does, taken apart
# so that each step is classified, rate-limited and timed on its own).
UPLOAD_URL = "files.getUploadURLExternal"
UPLOAD_BYTES = "files.uploadBytes"  # the POST to the URL above: not a Web API method
COMPLETE_UPLOAD = "files.completeUploadExternal"
FILE_STEPS = frozenset({UPLOAD_URL, UPLOAD_BYTES, COMPLETE_UPLOAD})
# Rows whose call is not idempotent, and the call that may take effect: an unanswered
# one puts the row in doubt, and history must show it did not land before a resend.
_EFFECTS = {POST_MESSAGE: POST_MESSAGE, FILE_UPLOAD: COMPLETE_UPLOAD}

# Any constant works; it only has to be the same in every process sharing the database.
CLAIM_LOCK_KEY = 0x0CE2C1E
# Our clock and Slack's may disagree a little; search history from a bit earlier.
RECONCILE_MARGIN = timedelta(seconds=60)
RECONCILE_PAGE_SIZE = 200
RECONCILE_MAX_PAGES = 5
# Extra wait past the request timeout before concluding an unanswered post did not land.
RESEND_MARGIN_SECONDS = 1.0
# Slack shares a completed upload asynchronously (after its scans): the message may reach
# history well after files.completeUploadExternal answered. An in-doubt file waits this
# long after its completion started before the reconcile may conclude it is missing.
FILE_SHARE_SETTLE_SECONDS = 30.0

_UNSENT = (OutboxStatus.PENDING, OutboxStatus.SENDING)
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_ERROR_CODE = re.compile(r"^[a-z0-9_]+$")

# Slack refuses these for good: retrying cannot help, so the row fails at once.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        # The member closed their DMs with apps: retrying only makes noise.
        "cannot_dm_bot",
        "messages_tab_disabled",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "account_inactive",
        "invalid_blocks",
        "invalid_blocks_format",
        "invalid_attachments",
        "too_many_attachments",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_array_arg",
        "invalid_charset",
        "invalid_form_data",
        "invalid_json",
        "json_not_object",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "metadata_must_be_sent_from_app",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "thread_not_found",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "no_permission",
        "missing_scope",
        "not_allowed_token_type",
        "team_access_not_granted",
        "ekm_access_denied",
        "method_deprecated",
        "deprecated_endpoint",
        "unknown_method",
        "users_list_not_supplied",
        "too_many_users",
        "invalid_cursor",
        # conversations.invite ("no_user": the row names nobody, as after an erasure)
        "no_user",
        "cant_invite",
        "cant_invite_self",
        "user_is_restricted",
        "user_is_ultra_restricted",
        "not_allowed",
    }
)
# Slack answered, but says the operation may have partly happened: treat like a 5xx.
IN_DOUBT_ERRORS = frozenset(
    {"internal_error", "fatal_error", "request_timeout", "service_unavailable"}
)
# Statuses where a gateway answered for a backend that may still be working on the call.
_GATEWAY_STATUSES = frozenset({502, 504})


class _Kind:
    """How a failed call is handled."""

    RATE_LIMITED = "rate_limited"  # wait Retry-After; not a failed attempt
    PERMANENT = "permanent"  # fail the row now
    UNAVAILABLE = "unavailable"  # 5xx, timeout, dropped connection: may have taken effect
    ERROR = "error"  # Slack said no for a reason that may pass: back off and retry


@dataclass(frozen=True)
class _Failure:
    """A classified failure of one Web API call."""

    kind: str
    error: str
    retry_after: float = 0.0
    # For UNAVAILABLE: did the server that handles the call answer (rather than time out,
    # hang up, or a gateway give up on it)? An answered call is finished on Slack's side.
    answered: bool = False


class _CallFailed(Exception):
    """A Web API call failed; carries the method and the classified failure."""

    def __init__(self, method: str, failure: _Failure) -> None:
        super().__init__(f"{method}: {failure.error}")
        self.method = method
        self.failure = failure


def _header(headers: Any, name: str) -> str | None:
    """Read an HTTP header case-insensitively from a response's header mapping."""
    if not headers:
        return None
    wanted = name.lower()
    for key, value in dict(headers).items():
        if str(key).lower() == wanted:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _retry_after(headers: Any) -> float:
    """Return the Retry-After seconds of a 429 (1 s if absent or unreadable)."""
    raw = _header(headers, "Retry-After")
    try:
        return max(0.0, float(raw)) if raw is not None else 1.0
    except ValueError:
        return 1.0


def classify(exc: BaseException) -> _Failure:
    """Sort an exception raised by a Web API call into how the dispatcher reacts to it."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = int(getattr(response, "status_code", 0) or 0)
        data = getattr(response, "data", None)
        error = str(data.get("error") or "") if isinstance(data, dict) else ""
        if status == 429 or error == "ratelimited":
            return _Failure(
                _Kind.RATE_LIMITED, "ratelimited", _retry_after(getattr(response, "headers", {}))
            )
        if status >= 500:
            return _Failure(
                _Kind.UNAVAILABLE, f"http_{status}", answered=status not in _GATEWAY_STATUSES
            )
        if status == 200 and error and not _ERROR_CODE.match(error):
            # slack_sdk's stand-in text for an unreadable body: the answer itself got lost.
            return _Failure(_Kind.UNAVAILABLE, "unreadable_response", answered=True)
        if error in PERMANENT_ERRORS:
            return _Failure(_Kind.PERMANENT, error)
        if error in IN_DOUBT_ERRORS:
            return _Failure(_Kind.UNAVAILABLE, error, answered=True)
        return _Failure(_Kind.ERROR, error or f"http_{status}")
    if isinstance(exc, urllib.error.HTTPError):
        # The upload POST of a file (the Web API itself answers through SlackApiError).
        if exc.code == 429:
            return _Failure(_Kind.RATE_LIMITED, "ratelimited", _retry_after(exc.headers))
        if exc.code >= 500:
            return _Failure(
                _Kind.UNAVAILABLE, f"http_{exc.code}", answered=exc.code not in _GATEWAY_STATUSES
            )
        return _Failure(_Kind.ERROR, f"http_{exc.code}")
    if isinstance(exc, SlackRequestError):
        # Raised before anything is sent: the arguments themselves are wrong.
        return _Failure(_Kind.PERMANENT, "invalid_request")
    if isinstance(exc, TimeoutError | socket.timeout):
        return _Failure(_Kind.UNAVAILABLE, "timeout")
    if isinstance(exc, OSError | http.client.HTTPException):
        return _Failure(_Kind.UNAVAILABLE, f"connection_error:{type(exc).__name__}")
    return _Failure(_Kind.UNAVAILABLE, f"unexpected:{type(exc).__name__}")


@dataclass(frozen=True)
class _Target:
    """What a claimed row needs to know of the row it edits or replies to."""

    status: str
    channel: str | None
    ts: str | None


@dataclass(frozen=True)
class _Claim:
    """A row this process claimed, copied out of the claim transaction."""

    id: int
    key: str
    method: str
    address: str
    payload: dict[str, Any]
    attempts: int
    in_doubt: bool
    # For an in-doubt row: when the first attempt that may have reached Slack began.
    claimed_at: datetime
    claimed_mono: float
    target_key: str | None
    target: _Target | None
    known_dm: str | None


@dataclass
class _Result:
    """How to update the row once its attempt is over."""

    values: dict[str, Any]
    dm: tuple[str, str] | None = None


@dataclass
class _Attempt:
    """What happened during one attempt, for deciding what a failure means."""

    # When the call that may take effect (a post, a file's completion) was started.
    effect_started: float | None = None
    dm: tuple[str, str] | None = None
    # Set when the reconcile proved an earlier doubtful attempt did not land.
    doubt_resolved: bool = False


@dataclass
class _Blocks:
    """Per-method rate-limit deadlines (monotonic clock), shared by the worker threads."""

    until: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def block(self, method: str, seconds: float) -> None:
        """Keep `method` from being called for `seconds`."""
        with self.lock:
            deadline = time.monotonic() + seconds
            self.until[method] = max(deadline, self.until.get(method, 0.0))

    def remaining(self, method: str) -> float:
        """Return how long `method` stays blocked (0 when free)."""
        with self.lock:
            return max(0.0, self.until.get(method, 0.0) - time.monotonic())

    def blocked(self) -> set[str]:
        """Return the methods blocked right now."""
        now = time.monotonic()
        with self.lock:
            return {m for m, deadline in self.until.items() if deadline > now}

    def next_release(self) -> float | None:
        """Return seconds until the earliest blocked method is free again, if any."""
        now = time.monotonic()
        with self.lock:
            waits = [deadline - now for deadline in self.until.values() if deadline > now]
        return min(waits) if waits else None


def _outbox_key(message: dict[str, Any]) -> str | None:
    """Return the outbox key a message was posted with, read from its metadata."""
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != METADATA_EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    key = payload.get("key") if isinstance(payload, dict) else None
    return str(key) if key is not None else None


def _shares_file(message: dict[str, Any], filename: str) -> bool:
    """Tell whether a message shares a file named `filename` (unique to its outbox row)."""
    files = message.get("files")
    if not isinstance(files, list):
        return False
    return any(isinstance(f, dict) and f.get("name") == filename for f in files)


def _slack_ts(moment: datetime) -> str:
    """Format a datetime as a Slack timestamp string."""
    return f"{moment.timestamp():.6f}"


def _default_process_id() -> str:
    """Return an id unique to this process start (host, pid and a random suffix)."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _delivery_outcome(values: dict[str, Any]) -> str:
    """Name what an attempt's result does to its row: sent, failed, retry, rate_limited..."""
    status = values.get("status")
    if status == OutboxStatus.SENT:
        return "sent"
    if status == OutboxStatus.FAILED:
        return "failed"
    if values.get("last_error") == "ratelimited":
        return "rate_limited"
    return "retry" if values.get("last_error") else "released"


def _log_delivery(claim: _Claim, result: _Result, *, recorded: bool, started: float) -> None:
    """Log one line per attempt at a row: its ids, where it went, how it ended (no payload)."""
    values = result.values
    outcome = _delivery_outcome(values) if recorded else "not_recorded"
    retry_at = values.get("next_attempt_at") if outcome in ("retry", "rate_limited") else None
    log_fields(
        logger,
        logging.WARNING if outcome in ("failed", "not_recorded") else logging.INFO,
        "outbox",
        row=claim.id,
        key=claim.key,
        method=claim.method,
        address=claim.address,
        channel=values.get("sent_channel"),
        ts=values.get("sent_ts"),
        attempts=claim.attempts,
        outcome=outcome,
        error=values.get("last_error"),
        in_doubt=values.get("in_doubt") or None,
        retry_in_s=(
            round(max(0.0, (retry_at - utcnow()).total_seconds()), 1) if retry_at else None
        ),
        ms=round((time.monotonic() - started) * 1000, 1),
    )


class Dispatcher:
    """Send outbox rows to Slack from background threads, exactly once and in order."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client: WebClient,
        *,
        process_id: str | None = None,
        workers: int = 4,
        poll_interval: float = 0.2,
        heartbeat_interval: float = 2.0,
        stale_after: float = 10.0,
        request_timeout: float = 10.0,
        max_attempts: int = 8,
        max_outage_attempts: int = 30,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        courtesy: CourtesyPolicy | None = None,
        courtesy_clock: Callable[[], datetime] = utcnow,
        share_settle: float = FILE_SHARE_SETTLE_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Prepare a dispatcher; nothing runs until `start()` or `run_once()`.

        `courtesy` decides, at claim time, whether each nudge may go out now; the
        clock it reads can be replaced (tests play Monday morning or Saturday night).
        `clock` is this host's clock (tests set one wrong): the dispatcher corrects it
        to the database's, see `_sync_clock`.
        """
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if request_timeout <= 0:
            raise ValueError("request_timeout must be positive")
        if stale_after <= heartbeat_interval:
            raise ValueError("stale_after must be longer than heartbeat_interval")
        if share_settle < 0:
            raise ValueError("share_settle must not be negative")
        self._factory = session_factory
        self.courtesy = courtesy
        self._courtesy_clock = courtesy_clock
        self._held_back = False
        # A private copy: we must own every retry (a hidden retry of chat.postMessage is a
        # duplicate) and the timeout the reconcile rule relies on, whatever the caller's
        # client does for its own calls.
        self.client = copy.copy(client)
        self.client.retry_handlers = []
        # slack_sdk logs whole request bodies (what members are told) at DEBUG; this
        # logger's own level makes the client skip building those records at all.
        self.client._logger = _CLIENT_LOGGER
        self.client.headers = dict(client.headers)
        self.client.timeout = request_timeout  # type: ignore[assignment]
        self.process_id = (process_id or _default_process_id())[:64]
        self.workers = workers
        self.poll_interval = poll_interval
        self.heartbeat_interval = heartbeat_interval
        self.stale_after = stale_after
        self.request_timeout = request_timeout
        self.max_attempts = max_attempts
        self.max_outage_attempts = max_outage_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.share_settle = share_settle
        # A post starts only this soon after its claim, so a process adopting the claim
        # of a silent dispatcher knows when that dispatcher's last post could have begun.
        self._claim_ttl = stale_after / 2
        self._clock = clock
        self._clock_offset = timedelta(0)

        self._blocks = _Blocks()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._slots = threading.Semaphore(workers)
        self._queue: queue.Queue[_Claim | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._workers: list[threading.Thread] = []
        self._inflight: set[int] = set()
        self._inflight_lock = threading.Lock()
        self._orphans_possible = False
        self._registered = False
        self._dialect: str | None = None
        self._calls: dict[str, Callable[..., Any]] = {
            POST_MESSAGE: self.client.chat_postMessage,
            UPDATE_MESSAGE: self.client.chat_update,
            INVITE: self.client.conversations_invite,
            HISTORY: self.client.conversations_history,
            REPLIES: self.client.conversations_replies,
            OPEN: self.client.conversations_open,
            UPLOAD_URL: self.client.files_getUploadURLExternal,
            UPLOAD_BYTES: self._post_bytes,
            COMPLETE_UPLOAD: self.client.files_completeUploadExternal,
        }

    # ------------------------------------------------------------------ life cycle

    def start(self) -> Dispatcher:
        """Register this process and start the claim, worker and heartbeat threads."""
        if self._threads:
            raise RuntimeError("dispatcher already started")
        self._stopping.clear()
        self._heartbeat()
        self._sweep_stale()
        for index in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"outbox-worker-{index}", daemon=True)
            self._workers.append(thread)
        self._threads = [
            threading.Thread(target=self._pump, name="outbox-claimer", daemon=True),
            threading.Thread(target=self._housekeep, name="outbox-heartbeat", daemon=True),
            *self._workers,
        ]
        for thread in self._threads:
            thread.start()
        logger.info("outbox dispatcher %s started with %d workers", self.process_id, self.workers)
        return self

    def stop(self, timeout: float = 5) -> None:
        """Stop claiming, let workers finish what they hold (up to `timeout`), unregister."""
        if not self._threads:
            if self._registered:
                self._unregister()
            return
        deadline = time.monotonic() + timeout
        self._stopping.set()
        self._wake.set()
        pump, housekeeper = self._threads[0], self._threads[1]
        pump.join(max(0.0, deadline - time.monotonic()))
        for _ in self._workers:
            self._queue.put(None)  # after any claims still queued: those are sent first
        for thread in self._workers:
            thread.join(max(0.0, deadline - time.monotonic()))
        housekeeper.join(max(0.0, deadline - time.monotonic()))
        unfinished = [t.name for t in self._threads if t.is_alive()]
        self._threads, self._workers = [], []
        if unfinished:
            # Our heartbeat stops now; other processes adopt what we still hold once it is
            # stale, with the same waits as after a crash.
            logger.warning("outbox dispatcher stopped with busy threads: %s", unfinished)
            return
        self._unregister()
        logger.info("outbox dispatcher %s stopped", self.process_id)

    def _unregister(self) -> None:
        """Remove our heartbeat row: we hold no claims any more."""
        try:
            with transaction(self._factory) as db:
                db.execute(delete(DispatcherProcess).where(DispatcherProcess.id == self.process_id))
            self._registered = False
        except SQLAlchemyError as error:
            logger.warning("could not unregister dispatcher: %s", type(error).__name__)

    def wake(self) -> None:
        """Look for due rows now instead of at the next poll (call after committing rows)."""
        self._wake.set()

    def run_once(self) -> int:
        """Claim one batch, send it in this thread, and return how many rows were handled."""
        self._heartbeat()
        self._sweep_stale()
        claims = self._claim(self.workers)
        for claim in claims:
            self._deliver(claim)
        return len(claims)

    # ------------------------------------------------------------------ threads

    def _pump(self) -> None:
        """Claim as many due rows as there are idle workers, and hand them over."""
        while not self._stopping.is_set():
            if not self._slots.acquire(timeout=self.poll_interval):
                continue
            free = 1
            while free < self.workers and self._slots.acquire(blocking=False):
                free += 1
            # Cleared before claiming: a wake-up during the claim makes the wait below
            # return at once instead of being lost.
            self._wake.clear()
            self._held_back = False
            try:
                claims = self._claim(free)
            except Exception:  # noqa: BLE001 - keep the thread alive through DB outages
                logger.exception("claiming outbox rows failed")
                self._orphans_possible = True
                claims = []
                self._stopping.wait(self.poll_interval)
            for _ in range(free - len(claims)):
                self._slots.release()
            for claim in claims:
                self._queue.put(claim)
            # Rows held back by the courtesy policy left the batch short; more may be due
            # right behind them, so claim again at once rather than after a poll interval.
            if len(claims) < free and not self._held_back:
                self._wake.wait(self._idle_wait())

    def _idle_wait(self) -> float:
        """Return how long to sleep when nothing is due (wake early when a block lifts)."""
        release = self._blocks.next_release()
        if release is None:
            return self.poll_interval
        return max(0.001, min(self.poll_interval, release + 0.001))

    def _work(self) -> None:
        """Send claimed rows until told to stop."""
        while True:
            claim = self._queue.get()
            if claim is None:
                return
            try:
                self._deliver(claim)
            except Exception:  # noqa: BLE001 - a worker must survive; the sweep repairs
                logger.exception("outbox worker failed on row %s", claim.id)
                self._orphans_possible = True
            finally:
                self._slots.release()
                # A finished row may unblock the next row of its address.
                self._wake.set()

    def _housekeep(self) -> None:
        """Heartbeat, and adopt the claims of dispatchers that stopped heartbeating."""
        while not self._stopping.wait(self.heartbeat_interval):
            try:
                self._heartbeat()
                self._sweep_stale()
            except Exception:  # noqa: BLE001 - keep the thread alive through DB outages
                logger.exception("outbox heartbeat failed")

    # ------------------------------------------------------------------ database

    def _is_postgres(self, db: Session) -> bool:
        if self._dialect is None:
            self._dialect = db.get_bind().dialect.name
        return self._dialect == "postgresql"

    def _beat(self, db: Session, now: datetime) -> None:
        """Refresh our heartbeat row in `db`'s transaction, registering if it is missing."""
        result = db.execute(
            update(DispatcherProcess)
            .where(DispatcherProcess.id == self.process_id)
            .values(heartbeat_at=now)
        )
        self._registered = True
        if result.rowcount == 0:
            db.add(
                DispatcherProcess(
                    id=self.process_id,
                    hostname=socket.gethostname()[:255],
                    pid=os.getpid(),
                    started_at=now,
                    heartbeat_at=now,
                )
            )
            db.flush()

    def _heartbeat(self) -> None:
        """Write our heartbeat in a transaction of its own."""
        with transaction(self._factory) as db:
            self._sync_clock(db)
            self._beat(db, self._now())

    def _now(self) -> datetime:
        """Return the time on the database's clock, as this process reckons it."""
        return self._clock() + self._clock_offset

    def _sync_clock(self, db: Session) -> None:
        """Measure how far this host's clock is from PostgreSQL's (at every heartbeat).

        Processes compare the times they write: a heartbeat against `stale_after`, a resend
        time against the wait before an in-doubt post is looked for. On hosts whose clocks
        disagree by seconds, a live process would look dead to another, whose reconcile
        could then miss a post still in flight and send it again. So every time written or
        compared here is on one clock, the database's. SQLite has a single process.
        """
        if not self._is_postgres(db):
            return
        before = self._clock()
        server = db.scalar(select(func.clock_timestamp()))
        after = self._clock()
        if isinstance(server, datetime) and server.tzinfo is not None:
            self._clock_offset = server - (before + (after - before) / 2)

    def _eligible(self, now: datetime, limit: int, *, postgres: bool) -> Any:
        """Build the query selecting the ids of rows this process may claim now."""
        row = OutboxMessage
        earlier = aliased(OutboxMessage)
        target = aliased(OutboxMessage)
        conditions = [
            row.status == OutboxStatus.PENDING,
            row.next_attempt_at <= now,
            # Only the first unsent row of an address: keeps each conversation in order.
            # A row queued for later (a nudge waiting for the morning) does not hold back
            # what is due now; one that was already tried (backing off, in doubt, in
            # flight) does, so retries never let a later message overtake.
            ~exists().where(
                earlier.address == row.address,
                earlier.status.in_(_UNSENT),
                earlier.id < row.id,
                or_(
                    earlier.status == OutboxStatus.SENDING,
                    earlier.in_doubt.is_(True),
                    earlier.attempts > 0,
                    earlier.next_attempt_at <= now,
                ),
            ),
            # An edit or a reply waits for the message it refers to.
            or_(
                row.target_key.is_(None),
                ~exists().where(
                    target.idempotency_key == row.target_key, target.status.in_(_UNSENT)
                ),
            ),
        ]
        blocked = self._blocks.blocked()
        if blocked:
            conditions.append(row.method.not_in(sorted(blocked)))
            if blocked & FILE_STEPS:
                conditions.append(row.method != FILE_UPLOAD)
            if blocked & RECONCILE_METHODS:
                # An in-doubt post or file starts with a history read, which is blocked too.
                conditions.append(
                    not_(and_(row.in_doubt.is_(True), row.method.in_(sorted(_EFFECTS))))
                )
        # Ordering by an expression rather than the bare primary key stops SQLite from
        # walking the whole table in id order (sent rows included) to honour the LIMIT;
        # it then reads the few due rows through the (status, next_attempt_at) index.
        statement = select(row.id).where(*conditions).order_by(row.id + 0).limit(limit)
        if postgres:
            statement = statement.with_for_update(skip_locked=True, of=row)
        return statement

    def _claim(self, limit: int) -> list[_Claim]:
        """Claim up to `limit` due rows in one short transaction."""
        if limit <= 0:
            return []
        with self._inflight_lock:
            # Taken together: the heartbeat written below carries `now`, and a post may
            # only start within `_claim_ttl` of it, however long the claim waited on locks.
            now = self._now()
            claimed_mono = time.monotonic()
            with transaction(self._factory) as db:
                postgres = self._is_postgres(db)
                if postgres:
                    # Serialises claimers across processes: the "first unsent row of its
                    # address" test is only sound if no one else claims meanwhile.
                    db.execute(select(func.pg_advisory_xact_lock(CLAIM_LOCK_KEY)))
                # A claim refreshes the heartbeat: whoever adopts this claim later knows
                # our post started within `_claim_ttl` of this heartbeat.
                self._beat(db, now)
                ids = list(db.scalars(self._eligible(now, limit, postgres=postgres)))
                if not ids:
                    return []
                row = OutboxMessage
                db.execute(
                    update(row)
                    .where(row.id.in_(ids))
                    .values(
                        status=OutboxStatus.SENDING,
                        claimed_by=self.process_id,
                        # While in doubt, claimed_at keeps the first doubtful attempt's time:
                        # the reconcile must search history from there.
                        claimed_at=case(
                            (
                                and_(row.in_doubt.is_(True), row.claimed_at.is_not(None)),
                                row.claimed_at,
                            ),
                            else_=now,
                        ),
                        attempts=row.attempts + 1,
                    )
                    .execution_options(synchronize_session=False)
                )
                rows = list(db.scalars(select(row).where(row.id.in_(ids)).order_by(row.id)))
                rows = self._drop_unwanted(db, rows)
                rows = self._apply_courtesy(db, rows)
                ids = [r.id for r in rows]
                targets = self._targets(db, {r.target_key for r in rows if r.target_key})
                # A file needs the DM channel of a user id; so does reading the history.
                dms = self._known_dms(
                    db,
                    {
                        r.address
                        for r in rows
                        if (r.in_doubt or r.method == FILE_UPLOAD) and _USER_ID.match(r.address)
                    },
                )
                claims = [
                    _Claim(
                        id=r.id,
                        key=r.idempotency_key,
                        method=r.method,
                        address=r.address,
                        payload=dict(r.payload or {}),
                        attempts=r.attempts,
                        in_doubt=bool(r.in_doubt),
                        claimed_at=r.claimed_at or now,
                        claimed_mono=claimed_mono,
                        target_key=r.target_key,
                        target=targets.get(r.target_key) if r.target_key else None,
                        known_dm=dms.get(r.address),
                    )
                    for r in rows
                ]
            self._inflight.update(ids)
        return claims

    def _apply_courtesy(self, db: Session, rows: list[OutboxMessage]) -> list[OutboxMessage]:
        """Hold back or drop claimed nudges the courtesy policy does not allow right now."""
        if self.courtesy is None:
            return rows
        now = self._courtesy_clock()
        kept = []
        for claimed in rows:
            # Only before a nudge's first attempt: once tried (backing off, or in doubt),
            # it finishes like any message, so it never holds back the member's other
            # messages for a night and a posted-but-unconfirmed one is never dropped.
            if claimed.kind != NUDGE_KIND or claimed.attempts > 1 or claimed.in_doubt:
                kept.append(claimed)
                continue
            category = str((claimed.payload or {}).get("nudge_category") or "reminders")
            decision = self.courtesy.decide(db, user_id=claimed.address, category=category, now=now)
            if decision.action == "send":
                kept.append(claimed)
                continue
            self._held_back = True
            if decision.action == "drop":
                claimed.status = OutboxStatus.SUPERSEDED
                claimed.last_error = f"courtesy: {decision.reason}"
            else:
                # Not an attempt: the row simply waits, and does not hold back the
                # member's other messages meanwhile (see `_eligible`).
                claimed.status = OutboxStatus.PENDING
                claimed.attempts = max(0, claimed.attempts - 1)
                claimed.claimed_by = None
                claimed.next_attempt_at = decision.until or now
                claimed.last_error = f"courtesy: {decision.reason}"
        return kept

    @staticmethod
    def _drop_unwanted(db: Session, rows: list[OutboxMessage]) -> list[OutboxMessage]:
        """Supersede claimed rows whose send-time guard says they are no longer wanted."""
        kept = []
        for claimed in rows:
            guard = (claimed.payload or {}).get("guard")
            if guard is not None and not still_wanted(db, guard):
                claimed.status = OutboxStatus.SUPERSEDED
                claimed.last_error = "no longer wanted when sent"
                continue
            kept.append(claimed)
        return kept

    @staticmethod
    def _targets(db: Session, keys: set[str | None]) -> dict[str, _Target]:
        """Load the rows that claimed rows edit or reply to."""
        wanted = [k for k in keys if k]
        if not wanted:
            return {}
        rows = db.execute(
            select(
                OutboxMessage.idempotency_key,
                OutboxMessage.status,
                OutboxMessage.sent_channel,
                OutboxMessage.sent_ts,
            ).where(OutboxMessage.idempotency_key.in_(wanted))
        )
        return {key: _Target(status, channel, ts) for key, status, channel, ts in rows}

    @staticmethod
    def _known_dms(db: Session, users: set[str]) -> dict[str, str]:
        """Return the DM channels already known for `users`."""
        if not users:
            return {}
        rows = db.execute(
            select(DirectMessageChannel.user_id, DirectMessageChannel.channel_id).where(
                DirectMessageChannel.user_id.in_(sorted(users))
            )
        )
        return {user: channel for user, channel in rows}

    def _remember_dm(self, db: Session, user_id: str, channel_id: str) -> None:
        """Upsert the DM channel Slack uses for `user_id`."""
        insert = pg_insert if self._is_postgres(db) else sqlite_insert
        statement = insert(DirectMessageChannel).values(user_id=user_id, channel_id=channel_id)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["user_id"], set_={"channel_id": statement.excluded.channel_id}
            )
        )

    def _record(self, claim: _Claim, result: _Result) -> bool:
        """Write the outcome of an attempt, if the row is still ours; retry DB hiccups.

        Return whether the outcome was recorded.
        """
        for attempt in range(3):
            try:
                with transaction(self._factory) as db:
                    updated = db.execute(
                        update(OutboxMessage)
                        .where(
                            OutboxMessage.id == claim.id,
                            OutboxMessage.status == OutboxStatus.SENDING,
                            OutboxMessage.claimed_by == self.process_id,
                        )
                        .values(**result.values)
                        .execution_options(synchronize_session=False)
                    )
                    if updated.rowcount != 1:
                        # Another process adopted the row (our heartbeat went stale); its
                        # reconcile will find our post if there was one.
                        logger.warning("outbox row %s was adopted by another dispatcher", claim.id)
                        return False
                    if result.dm is not None:
                        self._remember_dm(db, *result.dm)
                return True
            except SQLAlchemyError as error:
                logger.warning(
                    "recording outbox row %s failed (%s), retrying", claim.id, type(error).__name__
                )
                self._stopping.wait(0.2 * 2**attempt)
        # Still `sending` under our name: the sweep of our own orphans will put it in doubt.
        self._orphans_possible = True
        return False

    def _sweep_stale(self) -> None:
        """Put in doubt the rows held by dispatchers whose heartbeat stopped (and our orphans)."""
        now = self._now()
        stale_before = now - timedelta(seconds=self.stale_after)
        with transaction(self._factory) as db:
            heartbeats = {
                process_id: heartbeat
                for process_id, heartbeat in db.execute(
                    select(DispatcherProcess.id, DispatcherProcess.heartbeat_at)
                )
            }
            held = db.execute(
                select(OutboxMessage.id, OutboxMessage.claimed_by, OutboxMessage.method).where(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    or_(
                        OutboxMessage.claimed_by.is_(None),
                        OutboxMessage.claimed_by != self.process_id,
                    ),
                )
            ).all()
            adopted = 0
            for row_id, holder, method in held:
                heartbeat = heartbeats.get(holder) if holder else None
                if heartbeat is not None and heartbeat >= stale_before:
                    continue  # a live dispatcher's claim
                if heartbeat is None:
                    # Unknown holder: assume its post could have started just now.
                    resend_at = now + timedelta(seconds=self._settle(method))
                else:
                    # Its last post began at most `_claim_ttl` after its last heartbeat.
                    resend_at = max(
                        now,
                        heartbeat + timedelta(seconds=self._claim_ttl + self._settle(method)),
                    )
                adopted += self._release_in_doubt(db, row_id, holder, method, resend_at)
            db.execute(
                delete(DispatcherProcess).where(
                    DispatcherProcess.heartbeat_at < stale_before,
                    DispatcherProcess.id != self.process_id,
                )
            )
        if adopted:
            logger.info("adopted %d outbox rows from stopped dispatchers (now in doubt)", adopted)
        if self._orphans_possible:
            self._sweep_own_orphans()

    def _sweep_own_orphans(self) -> None:
        """Put in doubt our own `sending` rows that no worker holds (after a DB failure)."""
        with self._inflight_lock:
            self._orphans_possible = False
            now = self._now()
            try:
                with transaction(self._factory) as db:
                    held = db.execute(
                        select(OutboxMessage.id, OutboxMessage.method).where(
                            OutboxMessage.status == OutboxStatus.SENDING,
                            OutboxMessage.claimed_by == self.process_id,
                        )
                    ).all()
                    for row_id, method in held:
                        if row_id not in self._inflight:
                            resend_at = now + timedelta(seconds=self._settle(method))
                            self._release_in_doubt(db, row_id, self.process_id, method, resend_at)
            except SQLAlchemyError:
                self._orphans_possible = True
                raise

    def _settle(self, method: str) -> float:
        """Return how long after a call of `method` started its effect may still be unseen."""
        seconds = self.request_timeout + RESEND_MARGIN_SECONDS
        if method == FILE_UPLOAD:
            seconds += self.share_settle
        return seconds

    @staticmethod
    def _release_in_doubt(
        db: Session, row_id: int, holder: str | None, method: str, resend_at: datetime
    ) -> int:
        """Return a `sending` row to pending, in doubt if it is a post or a file; 1 if changed."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "next_attempt_at": resend_at,
            "last_error": "dispatcher stopped while sending",
        }
        if method in _EFFECTS:
            values["in_doubt"] = True
        holder_matches = (
            OutboxMessage.claimed_by.is_(None)
            if holder is None
            else OutboxMessage.claimed_by == holder
        )
        result = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.status == OutboxStatus.SENDING,
                holder_matches,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)

    # ------------------------------------------------------------------ sending

    def _deliver(self, claim: _Claim) -> None:
        """Attempt one claimed row and record what happened."""
        attempt = _Attempt()
        started = time.monotonic()
        try:
            result = self._attempt(claim, attempt)
        except _CallFailed as failed:
            result = self._after_failure(claim, attempt, failed.method, failed.failure)
        except Exception as error:  # noqa: BLE001 - a bug must not leave the row claimed
            logger.exception("unexpected error sending outbox row %s", claim.id)
            failure = _Failure(_Kind.UNAVAILABLE, f"unexpected:{type(error).__name__}")
            result = self._after_failure(claim, attempt, claim.method, failure)
        recorded = False
        try:
            recorded = self._record(claim, result)
        finally:
            with self._inflight_lock:
                self._inflight.discard(claim.id)
            _log_delivery(claim, result, recorded=recorded, started=started)

    def _call(self, method: str, **arguments: Any) -> SlackResponse:
        """Call a Web API method, turning every failure into `_CallFailed`."""
        waiting = self._blocks.remaining(method)
        if waiting > 0:
            raise _CallFailed(method, _Failure(_Kind.RATE_LIMITED, "ratelimited", waiting))
        try:
            return self._calls[method](**arguments)
        except Exception as error:  # noqa: BLE001 - classified, never swallowed
            raise _CallFailed(method, classify(error)) from error

    def _attempt(self, claim: _Claim, attempt: _Attempt) -> _Result:
        """Send one row (reconciling first if it is in doubt) and return its outcome."""
        if claim.method == UPDATE_MESSAGE:
            return self._send_update(claim)
        if claim.method == POST_MESSAGE:
            return self._send_post(claim, attempt)
        if claim.method == INVITE:
            return self._send_invite(claim)
        if claim.method == FILE_UPLOAD:
            return self._send_file(claim, attempt)
        return self._fail(claim, f"unsupported_method:{claim.method}")

    def _send_invite(self, claim: _Claim) -> _Result:
        """Invite a member to a channel; someone already there is as good as invited.

        An invitation is idempotent on Slack's side (a second one answers
        `already_in_channel`), so like chat.update it is retried without reconciling.
        """
        try:
            self._call(INVITE, channel=claim.address, users=claim.payload.get("users"))
        except _CallFailed as failed:
            if failed.failure.error != "already_in_channel":
                raise
        return self._sent(claim.address, None)

    def _target_problem(self, claim: _Claim) -> str | None:
        """Tell why the row's target cannot be edited or replied to, if it cannot."""
        target = claim.target
        if target is None:
            return "target_missing"
        if target.status != OutboxStatus.SENT:
            return f"target_{target.status}"
        if not target.channel or not target.ts:
            return "target_unsent"
        return None

    def _send_update(self, claim: _Claim) -> _Result:
        """Edit the message sent for the target row."""
        problem = self._target_problem(claim)
        if problem:
            return self._fail(claim, problem)
        assert claim.target is not None
        arguments: dict[str, Any] = {
            "channel": claim.target.channel,
            "ts": claim.target.ts,
            "text": claim.payload.get("text"),
        }
        if claim.payload.get("blocks") is not None:
            arguments["blocks"] = claim.payload["blocks"]
        response = self._call(UPDATE_MESSAGE, **arguments)
        return self._sent(response.get("channel") or claim.target.channel, response.get("ts"))

    def _send_post(self, claim: _Claim, attempt: _Attempt) -> _Result:
        """Post the row's message, after making sure an in-doubt earlier attempt did not land."""
        # A reply goes under the message of an earlier row (`target_key`), or under a
        # message someone else posted (`thread_ts` in the payload).
        thread_ts: str | None = claim.payload.get("thread_ts") or None
        if claim.target_key:
            problem = self._target_problem(claim)
            if problem:
                return self._fail(claim, problem)
            assert claim.target is not None
            thread_ts = claim.target.ts
        if claim.in_doubt:
            found = self._reconcile(
                claim, attempt, lambda m: _outbox_key(m) == claim.key, thread_ts
            )
            if found is not None:
                channel, ts = found
                logger.info("outbox row %s was already posted (found in history)", claim.id)
                return self._sent(channel, ts, dm=attempt.dm)
            attempt.doubt_resolved = True
            logger.info("outbox row %s was not posted before (not in history): resending", claim.id)
        if time.monotonic() - claim.claimed_mono > self._claim_ttl:
            # Too late to start a post under this claim (see the module docstring). What
            # the history showed still holds: the next claim posts without reading it again.
            return self._release(claim, doubt_resolved=attempt.doubt_resolved)
        arguments: dict[str, Any] = {
            "channel": claim.address,
            "text": claim.payload.get("text"),
            "metadata": {
                "event_type": METADATA_EVENT_TYPE,
                "event_payload": {"key": claim.key},
            },
        }
        if claim.payload.get("blocks") is not None:
            arguments["blocks"] = claim.payload["blocks"]
        if thread_ts:
            arguments["thread_ts"] = thread_ts
        attempt.effect_started = time.monotonic()
        response = self._call(POST_MESSAGE, **arguments)
        channel = str(response.get("channel") or "")
        dm = (claim.address, channel) if _USER_ID.match(claim.address) and channel else None
        return self._sent(channel or None, response.get("ts"), dm=dm)

    def _send_file(self, claim: _Claim, attempt: _Attempt) -> _Result:
        """Upload the row's file and share it, unless an in-doubt earlier attempt did.

        Only the last step, files.completeUploadExternal, shares anything: a failure
        before it leaves at most an unshared upload behind, which Slack discards.
        """
        channel = self._conversation(claim, attempt)
        filename = str(claim.payload.get("filename") or "")
        if claim.in_doubt:
            found = self._reconcile(claim, attempt, lambda m: _shares_file(m, filename), None)
            if found is not None:
                logger.info("outbox row %s was already shared (found in history)", claim.id)
                return self._sent(*found, dm=attempt.dm)
            attempt.doubt_resolved = True
            logger.info("outbox row %s was not shared before (not in history): resending", claim.id)
        data = base64.b64decode(claim.payload.get("content") or "")
        reserved = self._call(UPLOAD_URL, filename=filename, length=len(data))
        upload_url, file_id = reserved.get("upload_url"), reserved.get("file_id")
        if not upload_url or not file_id:
            raise _CallFailed(UPLOAD_URL, _Failure(_Kind.ERROR, "no_upload_url_in_response"))
        self._call(UPLOAD_BYTES, url=str(upload_url), data=data)
        if time.monotonic() - claim.claimed_mono > self._claim_ttl:
            # The same rule as for posts: too late to share under this claim.
            return self._release(claim, doubt_resolved=attempt.doubt_resolved)
        arguments: dict[str, Any] = {
            "files": [{"id": str(file_id), "title": claim.payload.get("title") or filename}],
            "channel_id": channel,
        }
        if claim.payload.get("initial_comment"):
            arguments["initial_comment"] = claim.payload["initial_comment"]
        attempt.effect_started = time.monotonic()
        self._call(COMPLETE_UPLOAD, **arguments)
        # Slack answers with the file, not the message sharing it: no ts to record.
        return self._sent(channel, None, dm=attempt.dm)

    def _post_bytes(self, *, url: str, data: bytes) -> None:
        """POST a file's bytes to its upload URL, as slack_sdk's files_upload_v2 does."""
        handlers: list[urllib.request.BaseHandler] = [
            urllib.request.HTTPSHandler(context=self.client.ssl)
        ]
        if self.client.proxy:
            proxy = self.client.proxy
            handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
        request = urllib.request.Request(url, data=data, method="POST")
        # Any status from 400 up raises HTTPError, which `classify` sorts.
        with urllib.request.build_opener(*handlers).open(
            request, timeout=self.request_timeout
        ) as response:
            response.read()

    def _conversation(self, claim: _Claim, attempt: _Attempt) -> str:
        """Return the channel id whose history holds the row's messages."""
        if not _USER_ID.match(claim.address):
            return claim.address
        if claim.known_dm:
            return claim.known_dm
        if attempt.dm is not None:
            return attempt.dm[1]
        response = self._call(OPEN, users=claim.address)
        channel = response.get("channel") or {}
        channel_id = str(channel.get("id") or "") if isinstance(channel, dict) else ""
        if not channel_id:
            raise _CallFailed(OPEN, _Failure(_Kind.ERROR, "no_channel_in_response"))
        attempt.dm = (claim.address, channel_id)
        return channel_id

    def _reconcile(
        self,
        claim: _Claim,
        attempt: _Attempt,
        is_ours: Callable[[dict[str, Any]], bool],
        thread_ts: str | None,
    ) -> tuple[str, str] | None:
        """Find the row's message in history: (channel, ts) if sent, None if surely not."""
        channel = self._conversation(claim, attempt)
        oldest = _slack_ts(claim.claimed_at - RECONCILE_MARGIN)
        cursor: str | None = None
        for _ in range(RECONCILE_MAX_PAGES):
            arguments: dict[str, Any] = {
                "channel": channel,
                "oldest": oldest,
                "include_all_metadata": True,
                "limit": RECONCILE_PAGE_SIZE,
            }
            if cursor:
                arguments["cursor"] = cursor
            if thread_ts:
                response = self._call(REPLIES, ts=thread_ts, **arguments)
            else:
                response = self._call(HISTORY, **arguments)
            for message in response.get("messages") or []:
                if isinstance(message, dict) and is_ours(message):
                    return channel, str(message.get("ts"))
            metadata = response.get("response_metadata") or {}
            cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
            if not response.get("has_more"):
                return None
            if not cursor:
                break
        # More history than we are willing to read: failing beats risking a second copy.
        raise _CallFailed(HISTORY, _Failure(_Kind.PERMANENT, "in_doubt_history_too_long"))

    # ------------------------------------------------------------------ outcomes

    def _sent(self, channel: str | None, ts: Any, *, dm: tuple[str, str] | None = None) -> _Result:
        """Build the outcome of a delivered row."""
        return _Result(
            {
                "status": OutboxStatus.SENT,
                "sent_at": self._now(),
                "sent_channel": channel,
                "sent_ts": str(ts) if ts is not None else None,
                "in_doubt": False,
                "last_error": None,
            },
            dm=dm,
        )

    def _fail(self, claim: _Claim, error: str) -> _Result:
        """Build the outcome of a row that can never be delivered (`_log_delivery` logs it)."""
        return _Result({"status": OutboxStatus.FAILED, "last_error": error[:500]})

    def _release(self, claim: _Claim, *, doubt_resolved: bool = False) -> _Result:
        """Build the outcome of a claim given back untried (it does not count as an attempt)."""
        values: dict[str, Any] = {
            "status": OutboxStatus.PENDING,
            "attempts": max(0, claim.attempts - 1),
            "next_attempt_at": self._now(),
        }
        if doubt_resolved:
            values["in_doubt"] = False
        return _Result(values)

    def _backoff(self, attempts: int) -> float:
        """Return the delay before attempt `attempts + 1`: doubling, capped, jittered."""
        delay = min(self.backoff_cap, self.backoff_base * 2 ** max(0, attempts - 1))
        # Jitter spreads retries so rows failed by one outage do not all return at once.
        return random.uniform(delay / 2, delay)

    def _after_failure(
        self, claim: _Claim, attempt: _Attempt, method: str, failure: _Failure
    ) -> _Result:
        """Decide what a failed call means for the row: wait, retry, or give up."""
        now = self._now()
        if failure.kind == _Kind.RATE_LIMITED:
            self._blocks.block(method, failure.retry_after)
            logger.debug("%s rate-limited for %.0f s", method, failure.retry_after)
            values: dict[str, Any] = {
                "status": OutboxStatus.PENDING,
                "attempts": max(0, claim.attempts - 1),  # a 429 is not a failure
                "next_attempt_at": now + timedelta(seconds=failure.retry_after),
                "last_error": "ratelimited",
            }
            if attempt.doubt_resolved:
                values["in_doubt"] = False  # history showed no copy, and a 429 posts nothing
            return _Result(values, dm=attempt.dm)
        still_in_doubt = claim.in_doubt and not attempt.doubt_resolved
        if failure.kind == _Kind.PERMANENT:
            error = failure.error if method == claim.method else f"{method}:{failure.error}"
            result = self._fail(claim, error)
            if claim.method in _EFFECTS:
                # A refused post or file did not land; a failed reconcile leaves the doubt open.
                result.values["in_doubt"] = still_in_doubt
            return result

        may_have_posted = (
            method == _EFFECTS.get(claim.method)
            and attempt.effect_started is not None
            and failure.kind == _Kind.UNAVAILABLE
        )
        in_doubt = still_in_doubt or may_have_posted
        limit = self.max_outage_attempts if failure.kind == _Kind.UNAVAILABLE else self.max_attempts
        if claim.attempts >= limit:
            result = self._fail(claim, f"gave up after {claim.attempts} attempts: {failure.error}")
            if claim.method in _EFFECTS:
                result.values["in_doubt"] = in_doubt
            return result
        delay = self._backoff(claim.attempts)
        if may_have_posted and not failure.answered and attempt.effect_started is not None:
            # No answer: Slack may still be working on the post. Do not look for it (and
            # conclude it is missing) before our request has certainly ended.
            settle = attempt.effect_started + self.request_timeout + RESEND_MARGIN_SECONDS
            delay = max(delay, settle - time.monotonic())
        if may_have_posted and claim.method == FILE_UPLOAD and attempt.effect_started is not None:
            # Even an answered completion may share the file later (see FILE_SHARE_SETTLE_SECONDS).
            shared_by = attempt.effect_started + self.share_settle
            if not failure.answered:
                shared_by += self.request_timeout
            delay = max(delay, shared_by - time.monotonic())
        values = {
            "status": OutboxStatus.PENDING,
            "next_attempt_at": now + timedelta(seconds=delay),
            "last_error": f"{method}:{failure.error}" if method != claim.method else failure.error,
        }
        if claim.method in _EFFECTS:
            values["in_doubt"] = in_doubt
        return _Result(values, dm=attempt.dm)
