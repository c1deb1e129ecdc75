"""A local stand-in for the Slack Web API, spoken over real HTTP.

Point `slack_sdk.WebClient(base_url=standin.api_url)` (or the bot's
`SLACK_API_URL`) at it and the bot talks to a small, inspectable workspace
instead of slack.com. It keeps Slack's habits that matter to a bot: errors as
`{"ok": false}` with HTTP 200, tiered rate limits answered with 429 and
`Retry-After`, Block Kit size limits, expiring trigger ids and response URLs,
and (on demand) the outages where Slack fails *after* it posted a message.

Everything is kept in memory behind one lock; each request is served on its
own daemon thread.

Requests go the other way too: `sandbox.signed_client.SlackPlayer` sends the bot
Slack's signed events, commands and clicks, and `LoadBalancer` (below) spreads them,
Slack's redeliveries included, over several bot processes in turn.
"""

from __future__ import annotations

import argparse
import base64
import bisect
import copy
import functools
import json
import logging
import math
import random
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.blockkit_limits import validate_blocks, validate_message_text, validate_view

if TYPE_CHECKING:
    from sandbox.signed_client import Delivery, SlackPlayer

logger = logging.getLogger(__name__)

BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0CERCLE"
TEAM_DOMAIN = "cercle-sandbox"

TRIGGER_TTL_SECONDS = 3.0
RESPONSE_URL_TTL_SECONDS = 30 * 60.0
RESPONSE_URL_USES = 5
MAX_BODY_BYTES = 64 * 1024 * 1024

# Calls per minute of each Web API tier; tiers 2-4 may burst one minute's worth.
TIER_PER_MINUTE: dict[int, int] = {1: 1, 2: 20, 3: 50, 4: 100}
METHOD_TIERS: dict[str, int] = {
    "users.list": 2,
    "users.info": 4,
    "conversations.members": 4,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.info": 3,
    "conversations.open": 3,
    "conversations.invite": 3,
    "conversations.join": 3,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "views.open": 4,
    "views.push": 4,
    "views.update": 4,
    "views.publish": 4,
    "reactions.add": 3,
    "team.info": 3,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}
# Only these methods get injected faults: they are where duplicates and lost posts
# (or files shared twice) come from in real outages.
FAULTY_METHODS = frozenset({"chat.postMessage", "chat.update", "files.completeUploadExternal"})
_RATE_FIELDS = frozenset(
    {
        "rate_limits",
        "postmessage_per_minute",
        "per_channel_per_second",
        "per_channel_burst",
        "method_per_minute",
    }
)


@dataclass
class StandInConfig:
    """Tunable behaviour of the stand-in: identity, rate limits and fault injection."""

    bot_token: str = "xoxb-sandbox"
    team_id: str = "T0CERCLE"
    team_name: str = "Cercle Sandbox"
    rate_limits: bool = True
    postmessage_per_minute: int = 6000
    per_channel_per_second: float = 1.0
    per_channel_burst: int = 5
    # Calls per minute for chosen tiered methods, with no burst: overrides their tier
    # (a test makes a method scarce to see its 429s handled).
    method_per_minute: dict[str, float] = field(default_factory=dict)
    fail_rate: float = 0.0
    fail_after_post_share: float = 0.5
    drop_rate: float = 0.0
    slow_rate: float = 0.0
    slow_seconds: float = 0.0
    # Where a slow call spends its delay: False, after taking effect (its answer is slow
    # to come back); True, before (Slack is slow to act, and the call lands only at the
    # end, even if the caller gave up or died meanwhile).
    slow_before_effect: bool = False
    seed: int = 0


class _ApiError(Exception):
    """A Slack-style failure: becomes `{"ok": false, "error": ..., **extra}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def _invalid_arguments(message: str) -> _ApiError:
    """Build the `invalid_arguments` error with Slack's `response_metadata.messages`."""
    return _ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {message}"]})


@dataclass
class _Reply:
    """What the HTTP handler should send back (or not send at all)."""

    status: int = 200
    payload: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    delay: float = 0.0

    def encode(self) -> tuple[bytes, str]:
        """Serialise the payload: dicts as JSON, strings as plain text."""
        if isinstance(self.payload, str):
            return self.payload.encode("utf-8"), "text/plain; charset=utf-8"
        body = json.dumps(self.payload, ensure_ascii=False).encode("utf-8")
        return body, "application/json; charset=utf-8"


class _TokenBucket:
    """A continuously refilling token bucket."""

    def __init__(self, capacity: float, per_second: float, now: float) -> None:
        self.capacity = max(1.0, capacity)
        self.rate = per_second
        self.tokens = self.capacity
        self.stamp = now

    def wait(self, now: float) -> float:
        """Return how long until one token is available (0 if one is available now)."""
        if now > self.stamp:
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        if self.rate <= 0:
            return 3600.0
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        """Consume one token; call only after `wait` returned 0."""
        self.tokens -= 1.0


# ---------------------------------------------------------------- argument helpers


def _as_bool(value: Any) -> bool:
    """Read a Slack boolean argument, which arrives as a JSON bool or as "true"/"1"."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    return str(value).strip().lower() in ("1", "true", "yes")


def _as_int(value: Any, name: str, default: int) -> int:
    """Read an integer argument, falling back to `default` when absent."""
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _invalid_arguments(f"{name} must be an integer") from None


def _as_json(value: Any, error: str) -> Any:
    """Decode an argument that form posts carry as a JSON string and JSON bodies as objects."""
    if isinstance(value, str | bytes):
        if not value.strip():
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise _ApiError(error) from None
    return value


def _as_id_list(value: Any) -> list[str]:
    """Split a comma-separated id list (or accept a JSON list)."""
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(",")
    return [str(item).strip() for item in items if str(item).strip()]


@functools.lru_cache(maxsize=65_536)
def _parse_ts(ts: str) -> int | None:
    """Turn a Slack timestamp ("1700000000.000100") into integer microseconds, or None."""
    try:
        return int(Decimal(ts) * 1_000_000)
    except (InvalidOperation, ValueError):
        return None


def _msg_key(msg: Mapping[str, Any]) -> int:
    """Sort key of a stored message: its ts in microseconds."""
    return _parse_ts(msg["ts"]) or 0


def _ts_micros(ts: Any, error: str) -> int:
    """Parse a timestamp argument, failing with the Slack `error` when it is malformed."""
    micros = _parse_ts(str(ts))
    if micros is None:
        raise _ApiError(error)
    return micros


def _encode_cursor(kind: str, value: str | int) -> str:
    """Make an opaque pagination cursor, base64 like Slack's."""
    return base64.b64encode(f"{kind}:{value}".encode()).decode("ascii")


def _decode_cursor(cursor: Any, kind: str) -> str | None:
    """Read a cursor made by `_encode_cursor`; None when absent, `invalid_cursor` when foreign."""
    if cursor in (None, ""):
        return None
    try:
        decoded = base64.b64decode(str(cursor), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise _ApiError("invalid_cursor") from None
    prefix, _, value = decoded.partition(":")
    if prefix != kind or not value:
        raise _ApiError("invalid_cursor")
    return value


def _page(items: list[Any], params: Mapping[str, Any], default_limit: int) -> tuple[list[Any], str]:
    """Slice a list by `limit` and an offset cursor; return the page and the next cursor."""
    limit = _as_int(params.get("limit"), "limit", default_limit)
    start_text = _decode_cursor(params.get("cursor"), "offset")
    start = int(start_text) if start_text and start_text.isdigit() else 0
    if limit <= 0:
        return items[start:], ""
    end = start + min(limit, 1000)
    return items[start:end], (_encode_cursor("offset", end) if end < len(items) else "")


def _parse_params(content_type: str | None, raw: bytes, query: str) -> dict[str, Any]:
    """Merge query-string and body arguments the way Slack accepts them (form, JSON, multipart)."""
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not raw:
        return params
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise _ApiError("invalid_json") from None
        if not isinstance(body, dict):
            raise _ApiError("invalid_json")
        params.update(body)
    elif ctype == "multipart/form-data":
        params.update(_parse_multipart(content_type or "", raw))
    else:
        try:
            params.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            raise _ApiError("invalid_form_data") from None
    return params


def _parse_multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """Decode a multipart/form-data body: text fields as str, file fields as bytes."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    out: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            out[name] = payload
        else:
            out[name] = payload.decode("utf-8", errors="replace")
    return out


def _tz_details(tz: str) -> tuple[str, int]:
    """Return a time zone's current abbreviation and UTC offset in seconds."""
    try:
        now = datetime.now(ZoneInfo(tz))
    except (ZoneInfoNotFoundError, ValueError):
        return tz, 0
    offset = now.utcoffset()
    return now.tzname() or tz, int(offset.total_seconds()) if offset else 0


# ---------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    """The threaded HTTP server, carrying a reference to its stand-in."""

    daemon_threads = True
    # A bot fanning out posts opens many connections at once; the default backlog of 5
    # would add SYN-retry stalls that real Slack never shows.
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], standin: SlackStandIn) -> None:
        self.standin = standin
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    """Turns one HTTP request into a call on the stand-in."""

    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "SlackStandIn/1.0"

    def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        """Serve a POST (how slack_sdk calls every method)."""
        self._serve()

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        """Serve a GET (Slack accepts query-string arguments too)."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature is fixed
        """Send access logs to `logging` instead of stderr."""
        logger.debug("%s - %s", self.address_string(), format % args)

    def _serve(self) -> None:
        """Read the request, route it, then answer, stall, or hang up as the stand-in decided."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            self.send_error(413)
            return
        raw = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        reply = self.server.standin._route(split.path, split.query, dict(self.headers), raw)
        if reply.delay > 0:
            time.sleep(reply.delay)
        if reply.drop:
            # Returning without a byte written makes the client see the connection close
            # with no response, which is what a dropped request looks like.
            self.close_connection = True
            return
        body, content_type = reply.encode()
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its own timeout fired during a slow answer).
            self.close_connection = True


# ---------------------------------------------------------------- the stand-in


class SlackStandIn:
    """An in-memory Slack workspace served over HTTP on localhost."""

    def __init__(
        self, config: StandInConfig | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self._config = replace(config) if config is not None else StandInConfig()
        self._host = host
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.RLock()
        # Added to the monotonic clock so tests can make time pass (`advance_time`).
        self._clock_offset = 0.0
        self._rng = random.Random(self._config.seed)
        self._last_ts_us = 0
        self._users: dict[str, dict[str, Any]] = {}
        self._dms_closed: set[str] = set()
        self._channels: dict[str, dict[str, Any]] = {}
        self._methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self._api_auth_test,
            "team.info": self._api_team_info,
            "chat.postMessage": self._api_chat_post_message,
            "chat.update": self._api_chat_update,
            "chat.delete": self._api_chat_delete,
            "chat.postEphemeral": self._api_chat_post_ephemeral,
            "chat.getPermalink": self._api_chat_get_permalink,
            "conversations.history": self._api_conversations_history,
            "conversations.replies": self._api_conversations_replies,
            "conversations.open": self._api_conversations_open,
            "conversations.info": self._api_conversations_info,
            "conversations.members": self._api_conversations_members,
            "conversations.invite": self._api_conversations_invite,
            "conversations.join": self._api_conversations_join,
            "users.info": self._api_users_info,
            "users.list": self._api_users_list,
            "views.open": self._api_views_open,
            "views.push": self._api_views_push,
            "views.update": self._api_views_update,
            "views.publish": self._api_views_publish,
            "reactions.add": self._api_reactions_add,
            "files.getUploadURLExternal": self._api_files_get_upload_url,
            "files.completeUploadExternal": self._api_files_complete_upload,
        }
        self._clear_activity()
        self._seed_workspace()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        """Bind the port and serve in a background daemon thread."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("SlackStandIn is already running")
            self._server = _Server((self._host, self._requested_port), self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"slack-standin-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SlackStandIn:
        """Start the server for the duration of a `with` block."""
        return self.start() if self._server is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server when the `with` block ends."""
        self.stop()

    @property
    def port(self) -> int:
        """Return the bound TCP port."""
        if self._server is None:
            raise RuntimeError("SlackStandIn is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Return the server root, e.g. "http://127.0.0.1:PORT"."""
        host = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """Return the Web API base URL with the trailing slash slack_sdk expects."""
        return f"{self.base_url}/api/"

    @property
    def config(self) -> StandInConfig:
        """Return a copy of the current configuration."""
        with self._lock:
            return replace(self._config)

    def configure(self, **changes: Any) -> None:
        """Change configuration at runtime (e.g. turn faults on); unknown names raise TypeError."""
        known = {f.name for f in fields(StandInConfig)}
        unknown = set(changes) - known
        if unknown:
            raise TypeError(f"unknown StandInConfig field(s): {sorted(unknown)}")
        with self._lock:
            self._config = replace(self._config, **changes)
            if _RATE_FIELDS & set(changes):
                self._reset_buckets()
            if "seed" in changes:
                self._rng = random.Random(self._config.seed)

    def advance_time(self, seconds: float) -> None:
        """Pretend `seconds` passed: expires trigger ids/response URLs and refills rate limits."""
        with self._lock:
            self._clock_offset += seconds

    def reset(self) -> None:
        """Forget messages, calls, views, files and limits; keep users and channels."""
        with self._lock:
            self._clear_activity()

    def _now(self) -> float:
        """Return the (advanceable) monotonic time used for expiries and rate limits."""
        return time.monotonic() + self._clock_offset

    def _clear_activity(self) -> None:
        """Empty every record of activity and restart the fault RNG."""
        self._messages: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self._by_channel: dict[str, list[dict[str, Any]]] = {}
        self._threads: dict[tuple[str, str], list[str]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._view_log: list[dict[str, Any]] = []
        self._views: dict[str, dict[str, Any]] = {}
        self._home_views: dict[str, str] = {}
        self._last_modal: dict[str, str] = {}
        self._calls: list[dict[str, Any]] = []
        self._files: dict[str, dict[str, Any]] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self._triggers: dict[str, dict[str, Any]] = {}
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._rng = random.Random(self._config.seed)
        self._reset_buckets()

    def _reset_buckets(self) -> None:
        """Drop all rate-limit state (buckets are rebuilt full on next use)."""
        self._tier_buckets: dict[str, _TokenBucket] = {}
        self._channel_buckets: dict[str, _TokenBucket] = {}
        self._workspace_bucket: _TokenBucket | None = None

    # ------------------------------------------------------------ workspace setup

    def _seed_workspace(self) -> None:
        """Create the default bot, people and channels every test can rely on."""
        self.add_user(BOT_USER_ID, "cercle", real_name="Cercle", is_bot=True)
        self.add_user("U0ALICE", "alice", real_name="Alice Martin", is_admin=True)
        self.add_user("U0BOB", "bob", real_name="Bob Smith", tz="America/New_York", locale="en-US")
        self.add_user("U0CAMILLE", "camille", real_name="Camille Durand")
        self.add_user(
            "U0GUEST",
            "gina",
            real_name="Gina Guest",
            tz="Europe/London",
            locale="en-GB",
            is_restricted=True,
        )
        self.add_user("U0GONE", "gaston", real_name="Gaston Parti", deleted=True)
        self.add_channel(
            "C0COMMUNITY",
            "communaute-assistantes",
            members=("U0ALICE", "U0BOB", "U0CAMILLE", BOT_USER_ID),
        )
        self.add_channel("C0COORD", "coordination", members=("U0ALICE", BOT_USER_ID))
        everyone = [uid for uid, user in self._users.items() if not user["deleted"]]
        self.add_channel("C0GENERAL", "general", members=everyone)
        self._channels["C0GENERAL"]["is_general"] = True

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        real_name: str | None = None,
        display_name: str | None = None,
        tz: str = "Europe/Paris",
        locale: str = "fr-FR",
        is_bot: bool = False,
        deleted: bool = False,
        is_restricted: bool = False,
        is_admin: bool = False,
        is_owner: bool = False,
        dms_closed: bool = False,
    ) -> dict[str, Any]:
        """Add (or replace) a workspace member and return its user object.

        `dms_closed` plays a member who turned off messages from apps: posts to their
        DM answer `cannot_dm_bot`, as Slack does.
        """
        real = real_name or name
        profile: dict[str, Any] = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": display_name if display_name is not None else real,
            "display_name_normalized": display_name if display_name is not None else real,
            "first_name": real.split(" ")[0],
            "last_name": " ".join(real.split(" ")[1:]),
            "team": self._config.team_id,
            "image_48": f"https://avatars.invalid/{user_id}_48.png",
        }
        if is_bot:
            profile["bot_id"] = BOT_ID if user_id == BOT_USER_ID else "B" + user_id[1:]
            profile["api_app_id"] = APP_ID if user_id == BOT_USER_ID else ""
        else:
            profile["email"] = f"{name}@cercle.invalid"
        user = {
            "id": user_id,
            "team_id": self._config.team_id,
            "name": name,
            "deleted": deleted,
            "real_name": real,
            "tz": tz,
            "profile": profile,
            "is_admin": is_admin,
            "is_owner": is_owner,
            "is_primary_owner": False,
            "is_restricted": is_restricted,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
            "locale": locale,
        }
        with self._lock:
            self._users[user_id] = user
            if dms_closed:
                self._dms_closed.add(user_id)
            else:
                self._dms_closed.discard(user_id)
            return self._user_view(user, include_locale=True)

    def add_channel(
        self,
        channel_id: str,
        name: str,
        *,
        members: Iterable[str] = (),
        is_private: bool = False,
        is_archived: bool = False,
    ) -> dict[str, Any]:
        """Add (or replace) a channel; `members` are user ids (include "U0BOT" for the bot)."""
        member_list = list(dict.fromkeys(members))
        with self._lock:
            unknown = [m for m in member_list if m not in self._users]
            if unknown:
                raise ValueError(f"unknown member(s) {unknown}; add_user them first")
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "is_private": is_private,
                "is_archived": is_archived,
                "is_im": False,
                "is_mpim": False,
                "is_general": False,
                "created": int(time.time()),
                "creator": member_list[0] if member_list else "",
                "members": member_list,
                "user": None,
            }
            return self._channel_view(self._channels[channel_id], include_num_members=True)

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        ts: str | None = None,
    ) -> dict[str, Any]:
        """Store a message as if a person had posted it (to seed history); return it.

        Pass `ts` to match an event the test sends (e.g. the parent of a thread reply).
        """
        with self._lock:
            if user not in self._users:
                raise ValueError(f"unknown user {user}")
            ch = self._channels.get(channel)
            if ch is None and channel in self._users:
                ch = self._ensure_dm(channel)
            if ch is None:
                raise ValueError(f"unknown channel {channel}")
            if ts is not None and (_parse_ts(ts) is None or (ch["id"], ts) in self._by_key):
                raise ValueError(f"ts {ts!r} is malformed or already used in {ch['id']}")
            msg = self._store_message(
                ch["id"], user=user, text=text, blocks=blocks, thread_ts=thread_ts, ts=ts
            )
            return copy.deepcopy(msg)

    # ------------------------------------------------------------ inspection

    def messages(self, channel: str | None = None) -> list[dict[str, Any]]:
        """Return stored channel/DM messages, oldest first (copies); a user id means their DM."""
        with self._lock:
            if channel is not None and channel not in self._channels and channel in self._users:
                channel = self._dm_id(channel)
            source = self._messages if channel is None else self._by_channel.get(channel, [])
            return [copy.deepcopy(m) for m in source]

    def dm_messages(self, user_id: str) -> list[dict[str, Any]]:
        """Return the messages in the bot's DM channel with `user_id`."""
        return self.messages(self._dm_id(user_id))

    def ephemerals(self, user: str | None = None) -> list[dict[str, Any]]:
        """Return ephemeral messages (chat.postEphemeral and ephemeral response_url posts)."""
        with self._lock:
            return [copy.deepcopy(e) for e in self._ephemerals if user is None or e["user"] == user]

    def views(self) -> list[dict[str, Any]]:
        """Return every view opened, pushed, updated or published, in order."""
        with self._lock:
            return copy.deepcopy(self._view_log)

    def view(self, view_id: str) -> dict[str, Any] | None:
        """Return the current state of one view by id, or None."""
        with self._lock:
            record = self._views.get(view_id)
            return copy.deepcopy(record["view"]) if record else None

    def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Return every API call received (tokens redacted), optionally for one method."""
        with self._lock:
            return [
                copy.deepcopy(c) for c in self._calls if method is None or c["method"] == method
            ]

    def files(self) -> list[dict[str, Any]]:
        """Return completed file uploads, including their bytes under "content"."""
        with self._lock:
            return copy.deepcopy(list(self._files.values()))

    def get_user(self, user_id: str) -> dict[str, Any] | None:
        """Return a user object as users.info would (with locale), or None."""
        with self._lock:
            user = self._users.get(user_id)
            return self._user_view(user, include_locale=True) if user else None

    def get_channel(self, channel_id: str) -> dict[str, Any] | None:
        """Return a channel object with its `members`, or None."""
        with self._lock:
            ch = self._channels.get(channel_id)
            if ch is None:
                return None
            view = self._channel_view(ch, include_num_members=True)
            view["members"] = list(ch["members"])
            return view

    # ------------------------------------------------------------ interactivity helpers

    def new_trigger_id(self, user_id: str, *, ttl: float = TRIGGER_TTL_SECONDS) -> str:
        """Issue a trigger id for `user_id`, usable once within `ttl` seconds."""
        trigger_id = f"{secrets.randbelow(10**10)}.{int(time.time())}.{secrets.token_hex(16)}"
        with self._lock:
            self._triggers[trigger_id] = {"user": user_id, "expires": self._now() + ttl}
        return trigger_id

    def new_response_url(
        self,
        channel_id: str,
        user_id: str,
        *,
        message_ts: str | None = None,
        ttl: float = RESPONSE_URL_TTL_SECONDS,
        uses: int = RESPONSE_URL_USES,
    ) -> str:
        """Issue a response_url for an interaction; `message_ts` names its source message."""
        url_id = secrets.token_urlsafe(12)
        with self._lock:
            self._response_urls[url_id] = {
                "channel": channel_id,
                "user": user_id,
                "message_ts": message_ts,
                "expires": self._now() + ttl,
                "uses_left": uses,
            }
        return f"{self.base_url}/response/{url_id}"

    # ------------------------------------------------------------ request routing

    def _route(self, path: str, query: str, headers: dict[str, str], raw: bytes) -> _Reply:
        """Dispatch one HTTP request by path."""
        if path.startswith("/api/"):
            return self._handle_api(path[len("/api/") :], query, headers, raw)
        if path.startswith("/response/"):
            return self._handle_response_url(path[len("/response/") :], headers, raw)
        if path.startswith("/upload/"):
            return self._handle_upload(path[len("/upload/") :], headers, raw)
        return _Reply(404, {"ok": False, "error": "not_found"})

    def _header(self, headers: Mapping[str, str], name: str) -> str:
        """Read a header case-insensitively."""
        lowered = name.lower()
        for key, value in headers.items():
            if key.lower() == lowered:
                return value
        return ""

    def _record(
        self,
        method: str,
        params: Mapping[str, Any],
        status: int | None,
        payload: Any,
        *,
        fault: str | None = None,
    ) -> None:
        """Append one entry to the call log, with the token redacted."""
        shown = {k: v for k, v in params.items()}
        if "token" in shown:
            shown["token"] = "[redacted]"
        for key, value in shown.items():
            if isinstance(value, bytes):
                shown[key] = f"<{len(value)} bytes>"
        ok = bool(isinstance(payload, dict) and payload.get("ok")) and status == 200
        error = payload.get("error") if isinstance(payload, dict) else None
        self._calls.append(
            {
                "method": method,
                "params": shown,
                "status": status,
                "ok": ok,
                "error": error,
                "fault": fault,
                "time": time.time(),
            }
        )

    def _handle_api(
        self, method: str, query: str, headers: Mapping[str, str], raw: bytes
    ) -> _Reply:
        """Run one Web API call: parse, authenticate, rate-limit, inject faults, execute."""
        try:
            params = _parse_params(self._header(headers, "Content-Type"), raw, query)
        except _ApiError as exc:
            with self._lock:
                payload = {"ok": False, "error": exc.error}
                self._record(method, {}, 200, payload)
            return _Reply(200, payload)
        auth = self._header(headers, "Authorization")
        token = auth[len("Bearer ") :].strip() if auth.startswith("Bearer ") else ""
        token = token or str(params.get("token") or "")
        with self._lock:
            cfg = self._config
            handler = self._methods.get(method)
            if handler is None:
                payload = {"ok": False, "error": "unknown_method", "req_method": method}
                self._record(method, params, 200, payload)
                return _Reply(200, payload)
            if not token:
                payload = {"ok": False, "error": "not_authed"}
                self._record(method, params, 200, payload)
                return _Reply(200, payload)
            if token != cfg.bot_token:
                payload = {"ok": False, "error": "invalid_auth"}
                self._record(method, params, 200, payload)
                return _Reply(200, payload)
            if cfg.rate_limits:
                wait = self._rate_limit_wait(method, params)
                if wait > 0:
                    retry_after = max(1, math.ceil(wait))
                    payload = {"ok": False, "error": "ratelimited"}
                    self._record(method, params, 429, payload)
                    return _Reply(429, payload, headers={"Retry-After": str(retry_after)})
            fault, slow = self._roll_faults() if method in FAULTY_METHODS else (None, False)
            delay = cfg.slow_seconds if slow else 0.0
            if fault in ("fail_before", "drop_before"):
                return self._fault_reply(method, params, fault, delay)
            if not (slow and cfg.slow_before_effect):
                return self._execute(method, handler, params, fault, slow=slow, delay=delay)
        # Slow to act: wait outside the lock, so other calls go on meanwhile, then act.
        time.sleep(delay)
        with self._lock:
            return self._execute(method, handler, params, fault, slow=slow, delay=0.0)

    def _execute(
        self,
        method: str,
        handler: Callable[[dict[str, Any]], dict[str, Any]],
        params: dict[str, Any],
        fault: str | None,
        *,
        slow: bool,
        delay: float,
    ) -> _Reply:
        """Make a call take effect (under the lock) and build its reply, faulty or not."""
        try:
            payload = {"ok": True, **handler(params)}
        except _ApiError as exc:
            payload = {"ok": False, "error": exc.error, **exc.extra}
        if fault is not None:
            # The call took effect; only its answer is lost.
            return self._fault_reply(method, params, fault, delay)
        self._record(method, params, 200, payload, fault="slow" if slow else None)
        return _Reply(200, payload, delay=delay)

    def _fault_reply(
        self, method: str, params: Mapping[str, Any], fault: str, delay: float
    ) -> _Reply:
        """Record an injected fault and build its 500 or dropped-connection reply."""
        if fault.startswith("drop"):
            self._record(method, params, None, None, fault=fault)
            return _Reply(drop=True, delay=delay)
        payload = {"ok": False, "error": "internal_error"}
        self._record(method, params, 500, payload, fault=fault)
        return _Reply(500, payload, delay=delay)

    def _roll_faults(self) -> tuple[str | None, bool]:
        """Decide (reproducibly) whether this call fails, drops or is slow."""
        cfg = self._config
        # Always draw three numbers so the sequence depends only on the seed and call order.
        slow_roll, fault_roll, phase_roll = (self._rng.random() for _ in range(3))
        slow = slow_roll < cfg.slow_rate and cfg.slow_seconds > 0
        if fault_roll < cfg.fail_rate:
            after = phase_roll < cfg.fail_after_post_share
            return ("fail_after" if after else "fail_before"), slow
        if fault_roll < cfg.fail_rate + cfg.drop_rate:
            return ("drop_after" if phase_roll < 0.5 else "drop_before"), slow
        return None, slow

    def _rate_limit_wait(self, method: str, params: Mapping[str, Any]) -> float:
        """Take a token for this call, or return how long until one is available."""
        now = self._now()
        cfg = self._config
        if method == "chat.postMessage":
            if self._workspace_bucket is None:
                per_second = cfg.postmessage_per_minute / 60.0
                self._workspace_bucket = _TokenBucket(per_second, per_second, now)
            key = str(params.get("channel") or "")
            if key not in self._channels and key in self._users:
                key = self._dm_id(key)
            bucket = self._channel_buckets.get(key)
            if bucket is None:
                bucket = _TokenBucket(cfg.per_channel_burst, cfg.per_channel_per_second, now)
                self._channel_buckets[key] = bucket
            wait = max(self._workspace_bucket.wait(now), bucket.wait(now))
            if wait == 0:
                self._workspace_bucket.take()
                bucket.take()
            return wait
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return 0.0
        bucket = self._tier_buckets.get(method)
        if bucket is None:
            per_minute = cfg.method_per_minute.get(method) or TIER_PER_MINUTE[tier]
            capacity = 1 if tier == 1 or method in cfg.method_per_minute else per_minute
            bucket = _TokenBucket(capacity, per_minute / 60.0, now)
            self._tier_buckets[method] = bucket
        wait = bucket.wait(now)
        if wait == 0:
            bucket.take()
        return wait

    # ------------------------------------------------------------ shared model helpers

    @staticmethod
    def _dm_id(user_id: str) -> str:
        """Return the stable DM channel id for a user ("U0ALICE" -> "D0ALICE")."""
        return "D" + user_id[1:]

    def _ensure_dm(self, user_id: str) -> dict[str, Any]:
        """Return the bot's DM channel with a user, creating it on first use."""
        dm_id = self._dm_id(user_id)
        ch = self._channels.get(dm_id)
        if ch is None:
            ch = {
                "id": dm_id,
                "name": None,
                "is_private": True,
                "is_archived": False,
                "is_im": True,
                "is_mpim": False,
                "is_general": False,
                "created": int(time.time()),
                "creator": BOT_USER_ID,
                "members": list(dict.fromkeys([user_id, BOT_USER_ID])),
                "user": user_id,
            }
            self._channels[dm_id] = ch
        return ch

    def _next_ts(self) -> str:
        """Return a unique, strictly increasing message timestamp."""
        micros = max(time.time_ns() // 1000, self._last_ts_us + 1)
        self._last_ts_us = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _visible_channel(self, channel_id: Any) -> dict[str, Any]:
        """Find a channel the bot may see; private ones it is not in look nonexistent."""
        ch = self._channels.get(str(channel_id or ""))
        if ch is None:
            raise _ApiError("channel_not_found")
        if (ch["is_private"] or ch["is_im"] or ch["is_mpim"]) and BOT_USER_ID not in ch["members"]:
            raise _ApiError("channel_not_found")
        return ch

    def _postable_channel(self, target: Any) -> dict[str, Any]:
        """Resolve a post target (channel id, "#name" or user id) to a channel the bot may use."""
        target_id = str(target or "")
        if target_id.startswith("#"):
            named = [c for c in self._channels.values() if c["name"] == target_id[1:]]
            target_id = named[0]["id"] if named else target_id
        if target_id not in self._channels and target_id in self._users:
            if self._users[target_id]["deleted"]:
                raise _ApiError("account_inactive")
            if target_id in self._dms_closed:
                raise _ApiError("cannot_dm_bot")
            return self._ensure_dm(target_id)
        ch = self._visible_channel(target_id)
        if ch["is_im"] and self._users.get(ch["user"], {}).get("deleted"):
            raise _ApiError("account_inactive")
        if ch["is_archived"]:
            raise _ApiError("is_archived")
        if BOT_USER_ID not in ch["members"]:
            raise _ApiError("not_in_channel")
        return ch

    def _message_content(
        self, params: Mapping[str, Any], *, required: bool
    ) -> tuple[str | None, list[Any] | None, list[Any] | None]:
        """Read and validate text, blocks and attachments of a message-shaped call."""
        text = params.get("text")
        if text is not None and not isinstance(text, str):
            text = str(text)
        blocks = _as_json(params.get("blocks"), "invalid_blocks_format")
        if blocks is not None and not isinstance(blocks, list):
            raise _ApiError("invalid_blocks_format")
        attachments = _as_json(params.get("attachments"), "invalid_attachments")
        if attachments is not None and not isinstance(attachments, list):
            raise _ApiError("invalid_attachments")
        if required and not text and not blocks and not attachments:
            raise _ApiError("no_text")
        if validate_message_text(text):
            raise _ApiError("msg_too_long")
        problems = validate_blocks(blocks, "message")
        if problems:
            raise _ApiError(
                "invalid_blocks",
                errors=problems,
                response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
            )
        return text, blocks, attachments

    @staticmethod
    def _metadata(params: Mapping[str, Any]) -> dict[str, Any] | None:
        """Read and validate message metadata ({"event_type", "event_payload"})."""
        metadata = _as_json(params.get("metadata"), "invalid_metadata_format")
        if metadata is None:
            return None
        if (
            not isinstance(metadata, dict)
            or not isinstance(metadata.get("event_type"), str)
            or not isinstance(metadata.get("event_payload", {}), dict)
        ):
            raise _ApiError("invalid_metadata_format")
        return {
            "event_type": metadata["event_type"],
            "event_payload": metadata.get("event_payload", {}),
        }

    def _store_message(
        self,
        channel_id: str,
        *,
        user: str,
        text: str | None,
        blocks: list[Any] | None = None,
        attachments: list[Any] | None = None,
        metadata: dict[str, Any] | None = None,
        thread_ts: str | None = None,
        reply_broadcast: bool = False,
        files: list[dict[str, Any]] | None = None,
        ts: str | None = None,
    ) -> dict[str, Any]:
        """Add a message to a channel, keeping every index in ts order."""
        is_bot = user == BOT_USER_ID
        msg: dict[str, Any] = {
            "channel": channel_id,
            "ts": ts or self._next_ts(),
            "type": "message",
            "user": user,
            "bot_id": BOT_ID if is_bot else None,
            "app_id": APP_ID if is_bot else None,
            "team": self._config.team_id,
            "text": text or "",
            "blocks": blocks,
            "attachments": attachments,
            "metadata": metadata,
            "thread_ts": thread_ts or None,
            "reply_broadcast": reply_broadcast,
            "files": files,
            "reactions": [],
            "edited": None,
            "update_count": 0,
        }
        # Appending keeps ts order for every generated ts; only seeded ones need a search.
        bisect.insort(self._messages, msg, key=_msg_key)
        bisect.insort(self._by_channel.setdefault(channel_id, []), msg, key=_msg_key)
        self._by_key[(channel_id, msg["ts"])] = msg
        if thread_ts and thread_ts != msg["ts"]:
            replies = self._threads.setdefault((channel_id, thread_ts), [])
            bisect.insort(replies, msg["ts"], key=lambda t: _parse_ts(t) or 0)
        return msg

    def _remove_message(self, msg: dict[str, Any]) -> None:
        """Delete a stored message from every index."""
        self._messages.remove(msg)
        self._by_channel[msg["channel"]].remove(msg)
        self._by_key.pop((msg["channel"], msg["ts"]), None)
        parent = msg.get("thread_ts")
        if parent and parent != msg["ts"]:
            replies = self._threads.get((msg["channel"], parent), [])
            if msg["ts"] in replies:
                replies.remove(msg["ts"])

    def _message_view(self, msg: dict[str, Any], *, include_metadata: bool) -> dict[str, Any]:
        """Render a stored message as the Web API shows it."""
        out: dict[str, Any] = {"type": "message", "ts": msg["ts"], "text": msg["text"]}
        for key in ("user", "bot_id", "app_id", "team", "blocks", "attachments", "files", "edited"):
            if msg.get(key):
                out[key] = msg[key]
        if msg.get("thread_ts"):
            out["thread_ts"] = msg["thread_ts"]
            if msg.get("reply_broadcast"):
                out["subtype"] = "thread_broadcast"
        if msg.get("files"):
            out["upload"] = True
        if msg.get("reactions"):
            out["reactions"] = msg["reactions"]
        if include_metadata and msg.get("metadata"):
            out["metadata"] = msg["metadata"]
        replies = self._threads.get((msg["channel"], msg["ts"]))
        if replies:
            users = [self._by_key[(msg["channel"], ts)]["user"] for ts in replies]
            out["thread_ts"] = msg["ts"]
            out["reply_count"] = len(replies)
            out["reply_users"] = list(dict.fromkeys(users))
            out["reply_users_count"] = len(out["reply_users"])
            out["latest_reply"] = replies[-1]
        return copy.deepcopy(out)

    def _user_view(self, user: dict[str, Any], *, include_locale: bool) -> dict[str, Any]:
        """Render a stored user as users.info shows it (tz offset computed for today)."""
        out = copy.deepcopy(user)
        out["tz_label"], out["tz_offset"] = _tz_details(user["tz"])
        if not include_locale:
            out.pop("locale", None)
        return out

    def _channel_view(
        self, ch: dict[str, Any], *, include_num_members: bool = False
    ) -> dict[str, Any]:
        """Render a stored channel as conversations.info shows it."""
        if ch["is_im"]:
            out: dict[str, Any] = {
                "id": ch["id"],
                "created": ch["created"],
                "is_im": True,
                "is_org_shared": False,
                "user": ch["user"],
                "is_user_deleted": bool(self._users.get(ch["user"], {}).get("deleted")),
                "is_archived": False,
                "is_open": True,
                "priority": 0,
            }
        else:
            out = {
                "id": ch["id"],
                "name": ch["name"],
                "name_normalized": ch["name"],
                "is_channel": not ch["is_private"] and not ch["is_mpim"],
                "is_group": ch["is_private"] and not ch["is_mpim"],
                "is_im": False,
                "is_mpim": ch["is_mpim"],
                "is_private": ch["is_private"],
                "is_archived": ch["is_archived"],
                "is_general": ch["is_general"],
                "is_shared": False,
                "is_ext_shared": False,
                "is_org_shared": False,
                "is_member": BOT_USER_ID in ch["members"],
                "created": ch["created"],
                "creator": ch["creator"],
                "topic": {"value": "", "creator": "", "last_set": 0},
                "purpose": {"value": "", "creator": "", "last_set": 0},
                "previous_names": [],
            }
        if include_num_members:
            out["num_members"] = len(ch["members"])
        return out

    def _find_message(self, channel_id: Any, ts: Any) -> dict[str, Any]:
        """Return the stored message at (channel, ts) or fail with `message_not_found`."""
        msg = self._by_key.get((str(channel_id or ""), str(ts or "")))
        if msg is None:
            raise _ApiError("message_not_found")
        return msg

    # ------------------------------------------------------------ auth / team

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        """auth.test: who the token belongs to."""
        return {
            "url": f"{self.base_url}/",
            "team": self._config.team_name,
            "user": self._users[BOT_USER_ID]["name"],
            "team_id": self._config.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _api_team_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """team.info: the workspace."""
        return {
            "team": {
                "id": self._config.team_id,
                "name": self._config.team_name,
                "domain": TEAM_DOMAIN,
                "email_domain": "cercle.invalid",
                "icon": {"image_default": True},
            }
        }

    # ------------------------------------------------------------ chat.*

    def _api_chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        """chat.postMessage: post into a channel, or into a user's DM when given a user id."""
        if not params.get("channel"):
            raise _ApiError("channel_not_found")
        ch = self._postable_channel(params.get("channel"))
        text, blocks, attachments = self._message_content(params, required=True)
        metadata = self._metadata(params)
        thread_ts = str(params.get("thread_ts") or "") or None
        msg = self._store_message(
            ch["id"],
            user=BOT_USER_ID,
            text=text,
            blocks=blocks,
            attachments=attachments,
            metadata=metadata,
            thread_ts=thread_ts,
            reply_broadcast=bool(thread_ts) and _as_bool(params.get("reply_broadcast")),
        )
        return {
            "channel": ch["id"],
            "ts": msg["ts"],
            "message": self._message_view(msg, include_metadata=True),
        }

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """chat.update: edit one of the bot's messages in place."""
        ch = self._visible_channel(params.get("channel"))
        msg = self._find_message(ch["id"], params.get("ts"))
        if msg["user"] != BOT_USER_ID:
            raise _ApiError("cant_update_message")
        text, blocks, attachments = self._message_content(params, required=False)
        metadata = self._metadata(params)
        if text is None and blocks is None and attachments is None and metadata is None:
            raise _ApiError("no_text")
        # Like Slack: an omitted field keeps its previous value; `blocks=[]` removes blocks.
        if text is not None:
            msg["text"] = text
        if blocks is not None:
            msg["blocks"] = blocks or None
        if attachments is not None:
            msg["attachments"] = attachments or None
        if metadata is not None:
            msg["metadata"] = metadata
        msg["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
        msg["update_count"] += 1
        return {
            "channel": ch["id"],
            "ts": msg["ts"],
            "text": msg["text"],
            "message": self._message_view(msg, include_metadata=True),
        }

    def _api_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        """chat.delete: remove one of the bot's messages."""
        ch = self._visible_channel(params.get("channel"))
        msg = self._find_message(ch["id"], params.get("ts"))
        if msg["user"] != BOT_USER_ID:
            raise _ApiError("cant_delete_message")
        self._remove_message(msg)
        return {"channel": ch["id"], "ts": msg["ts"]}

    def _api_chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        """chat.postEphemeral: show a message to one member of a channel."""
        ch = self._visible_channel(params.get("channel"))
        user_id = str(params.get("user") or "")
        user = self._users.get(user_id)
        if user is None:
            raise _ApiError("user_not_found")
        if ch["is_archived"]:
            raise _ApiError("is_archived")
        if user_id not in ch["members"]:
            raise _ApiError("user_not_in_channel")
        text, blocks, attachments = self._message_content(params, required=True)
        ts = self._next_ts()
        self._ephemerals.append(
            {
                "source": "chat.postEphemeral",
                "channel": ch["id"],
                "user": user_id,
                "ts": ts,
                "text": text or "",
                "blocks": blocks,
                "attachments": attachments,
                "thread_ts": str(params.get("thread_ts") or "") or None,
            }
        )
        return {"message_ts": ts}

    def _api_chat_get_permalink(self, params: dict[str, Any]) -> dict[str, Any]:
        """chat.getPermalink: a link to a stored message."""
        ch = self._visible_channel(params.get("channel"))
        msg = self._find_message(ch["id"], params.get("message_ts"))
        return {
            "channel": ch["id"],
            "permalink": f"{self.base_url}/archives/{ch['id']}/p{msg['ts'].replace('.', '')}",
        }

    # ------------------------------------------------------------ conversations.*

    def _readable_channel(self, channel_id: Any) -> dict[str, Any]:
        """Find a channel whose history the bot may read (it must be a member)."""
        ch = self._visible_channel(channel_id)
        if BOT_USER_ID not in ch["members"]:
            raise _ApiError("not_in_channel")
        return ch

    def _api_conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.history: top-level messages, newest first, cursor-paginated."""
        ch = self._readable_channel(params.get("channel"))
        include_metadata = _as_bool(params.get("include_all_metadata"))
        limit = max(1, min(_as_int(params.get("limit"), "limit", 100), 999))
        in_window = self._time_window(params)
        cursor = _decode_cursor(params.get("cursor"), "next_ts")
        before = _ts_micros(cursor, "invalid_cursor") if cursor else None

        def keep(msg: dict[str, Any]) -> bool:
            """Tell whether a message belongs on this page's candidate list."""
            parent = msg.get("thread_ts")
            if parent and parent != msg["ts"] and not msg.get("reply_broadcast"):
                return False
            if not in_window(msg["ts"]):
                return False
            return before is None or _ts_micros(msg["ts"], "invalid_ts") < before

        candidates = [m for m in reversed(self._by_channel.get(ch["id"], [])) if keep(m)]
        page = candidates[:limit]
        has_more = len(candidates) > limit
        next_cursor = _encode_cursor("next_ts", page[-1]["ts"]) if has_more else ""
        return {
            "messages": [self._message_view(m, include_metadata=include_metadata) for m in page],
            "has_more": has_more,
            "pin_count": 0,
            "response_metadata": {"next_cursor": next_cursor},
        }

    def _api_conversations_replies(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.replies: a thread's parent then its replies, oldest first.

        Unlike Slack, a parent the stand-in never saw is not `thread_not_found`: people's
        messages usually reach the bot only as events, so the parent is assumed to exist.
        """
        ch = self._readable_channel(params.get("channel"))
        thread_ts = str(params.get("ts") or "")
        if not thread_ts:
            raise _ApiError("thread_not_found")
        in_window = self._time_window(params)
        parent = self._by_key.get((ch["id"], thread_ts))
        replies = [
            self._by_key[(ch["id"], ts)]
            for ts in self._threads.get((ch["id"], thread_ts), [])
            if in_window(ts)
        ]
        thread = ([parent] if parent is not None else []) + replies
        include_metadata = _as_bool(params.get("include_all_metadata"))
        page, next_cursor = _page(thread, params, 1000)
        return {
            "messages": [self._message_view(m, include_metadata=include_metadata) for m in page],
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    @staticmethod
    def _time_window(params: Mapping[str, Any]) -> Callable[[str], bool]:
        """Build a predicate on ts for the `oldest`/`latest`/`inclusive` arguments."""
        inclusive = _as_bool(params.get("inclusive"))
        oldest = _ts_micros(params.get("oldest") or "0", "invalid_ts_oldest")
        latest_raw = params.get("latest")
        latest = _ts_micros(latest_raw, "invalid_ts_latest") if latest_raw else None

        def in_window(ts: str) -> bool:
            """Tell whether a timestamp falls inside the window."""
            key = _ts_micros(ts, "invalid_ts")
            if key < oldest or (key == oldest and not inclusive):
                return False
            return latest is None or key < latest or (key == latest and inclusive)

        return in_window

    def _api_conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.open: the DM (or group DM) with the given users."""
        return_im = _as_bool(params.get("return_im"))
        if params.get("channel"):
            ch = self._visible_channel(params.get("channel"))
            return {"channel": self._channel_view(ch) if return_im else {"id": ch["id"]}}
        user_ids = _as_id_list(params.get("users"))
        if not user_ids:
            raise _ApiError("users_list_not_supplied")
        if len(user_ids) > 8:
            raise _ApiError("too_many_users")
        for user_id in user_ids:
            user = self._users.get(user_id)
            if user is None:
                raise _ApiError("user_not_found")
            if user["deleted"]:
                raise _ApiError("user_disabled")
        others = [u for u in user_ids if u != BOT_USER_ID]
        if len(others) <= 1:
            target = others[0] if others else BOT_USER_ID
            existed = self._dm_id(target) in self._channels
            ch = self._ensure_dm(target)
        else:
            members = sorted(set(others)) + [BOT_USER_ID]
            mpim_id = "G" + "".join(u[-3:] for u in members[:-1]).upper()[:20]
            existed = mpim_id in self._channels
            if not existed:
                self._channels[mpim_id] = {
                    "id": mpim_id,
                    "name": "mpdm-" + "--".join(self._users[u]["name"] for u in members) + "-1",
                    "is_private": True,
                    "is_archived": False,
                    "is_im": False,
                    "is_mpim": True,
                    "is_general": False,
                    "created": int(time.time()),
                    "creator": BOT_USER_ID,
                    "members": members,
                    "user": None,
                }
            ch = self._channels[mpim_id]
        out: dict[str, Any] = {"channel": self._channel_view(ch) if return_im else {"id": ch["id"]}}
        if existed:
            out["no_op"] = True
            out["already_open"] = True
        return out

    def _api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.info: one channel's details."""
        ch = self._visible_channel(params.get("channel"))
        view = self._channel_view(
            ch, include_num_members=_as_bool(params.get("include_num_members"))
        )
        if _as_bool(params.get("include_locale")):
            view["locale"] = "fr-FR"
        return {"channel": view}

    def _api_conversations_members(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.members: member ids, cursor-paginated."""
        ch = self._visible_channel(params.get("channel"))
        page, next_cursor = _page(list(ch["members"]), params, 100)
        return {"members": page, "response_metadata": {"next_cursor": next_cursor}}

    def _api_conversations_invite(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.invite: add users to a channel the bot is in (all or nothing)."""
        ch = self._visible_channel(params.get("channel"))
        if ch["is_im"] or ch["is_mpim"]:
            raise _ApiError("method_not_supported_for_channel_type")
        if ch["is_archived"]:
            raise _ApiError("is_archived")
        if BOT_USER_ID not in ch["members"]:
            raise _ApiError("not_in_channel")
        user_ids = _as_id_list(params.get("users"))
        if not user_ids:
            raise _ApiError("no_user")
        for user_id in user_ids:
            if user_id == BOT_USER_ID:
                raise _ApiError("cant_invite_self")
            user = self._users.get(user_id)
            if user is None:
                raise _ApiError("user_not_found")
            if user["deleted"]:
                raise _ApiError("cant_invite")
            if user_id in ch["members"]:
                raise _ApiError("already_in_channel")
        ch["members"].extend(u for u in dict.fromkeys(user_ids))
        return {"channel": self._channel_view(ch)}

    def _api_conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        """conversations.join: the bot joins a public channel."""
        ch = self._visible_channel(params.get("channel"))
        if ch["is_private"] or ch["is_im"] or ch["is_mpim"]:
            raise _ApiError("method_not_supported_for_channel_type")
        if ch["is_archived"]:
            raise _ApiError("is_archived")
        out: dict[str, Any] = {}
        if BOT_USER_ID in ch["members"]:
            out["warning"] = "already_in_channel"
            out["response_metadata"] = {"warnings": ["already_in_channel"]}
        else:
            ch["members"].append(BOT_USER_ID)
        out["channel"] = self._channel_view(ch)
        return out

    # ------------------------------------------------------------ users.*

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        """users.info: one user's profile (locale only when asked)."""
        user = self._users.get(str(params.get("user") or ""))
        if user is None:
            raise _ApiError("user_not_found")
        return {
            "user": self._user_view(user, include_locale=_as_bool(params.get("include_locale")))
        }

    def _api_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        """users.list: every member including deactivated ones, cursor-paginated."""
        include_locale = _as_bool(params.get("include_locale"))
        page, next_cursor = _page(list(self._users.values()), params, 0)
        return {
            "members": [self._user_view(u, include_locale=include_locale) for u in page],
            "cache_ts": int(time.time()),
            "response_metadata": {"next_cursor": next_cursor},
        }

    # ------------------------------------------------------------ views.*

    def _check_trigger(self, trigger_id: Any) -> dict[str, Any]:
        """Validate a trigger id without consuming it."""
        if not trigger_id:
            raise _invalid_arguments("missing required field: trigger_id")
        trigger = self._triggers.get(str(trigger_id))
        if trigger is None:
            raise _ApiError("invalid_trigger_id")
        if trigger.get("used"):
            raise _ApiError("trigger_exchanged")
        if self._now() > trigger["expires"]:
            raise _ApiError("expired_trigger_id")
        return trigger

    def _view_payload(
        self, params: Mapping[str, Any], surface: str, *, own_id: str | None = None
    ) -> dict[str, Any]:
        """Read and validate the `view` argument; `own_id` is the view being replaced, if any."""
        view = _as_json(params.get("view"), "invalid_arguments")
        if view is None:
            raise _invalid_arguments("missing required field: view")
        problems = validate_view(view, surface)
        if problems:
            raise _ApiError(
                "invalid_arguments",
                response_metadata={"messages": [f"[ERROR] {p}" for p in problems]},
            )
        external_id = view.get("external_id")
        if external_id:
            for record in self._views.values():
                same = record["view"].get("external_id") == external_id
                if same and record["view"]["id"] != own_id:
                    raise _ApiError("duplicate_external_id")
        return view

    def _save_view(
        self,
        method: str,
        payload: dict[str, Any],
        *,
        user: str,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        """Store a view (new id unless `view_id` given), log it, and return its API form."""
        view_id = view_id or "V" + secrets.token_hex(5).upper()
        view: dict[str, Any] = {
            "id": view_id,
            "team_id": self._config.team_id,
            "type": payload["type"],
            "blocks": payload.get("blocks", []),
            "private_metadata": payload.get("private_metadata", ""),
            "callback_id": payload.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "title": payload.get("title"),
            "clear_on_close": bool(payload.get("clear_on_close", False)),
            "notify_on_close": bool(payload.get("notify_on_close", False)),
            "close": payload.get("close"),
            "submit": payload.get("submit"),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": APP_ID,
            "external_id": payload.get("external_id", ""),
            "app_installed_team_id": self._config.team_id,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = {"view": view, "user": user}
        if view["type"] == "modal":
            self._last_modal[user] = view_id
        self._view_log.append(
            {
                "method": method,
                "type": view["type"],
                "user": user,
                "view_id": view_id,
                "view": copy.deepcopy(view),
                "time": time.time(),
            }
        )
        return copy.deepcopy(view)

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.open: open a modal, exchanging a fresh trigger id."""
        trigger = self._check_trigger(params.get("trigger_id"))
        payload = self._view_payload(params, "modal")
        trigger["used"] = True
        return {"view": self._save_view("views.open", payload, user=trigger["user"])}

    def _api_views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.push: stack a modal on top of the user's open one."""
        trigger = self._check_trigger(params.get("trigger_id"))
        payload = self._view_payload(params, "modal")
        trigger["used"] = True
        user = trigger["user"]
        previous = self._last_modal.get(user)
        root = self._views[previous]["view"]["root_view_id"] if previous else None
        view = self._save_view(
            "views.push", payload, user=user, root_view_id=root, previous_view_id=previous
        )
        return {"view": view}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.update: replace an existing view, found by view_id or external_id."""
        view_id = str(params.get("view_id") or "")
        external_id = str(params.get("external_id") or "")
        if not view_id and not external_id:
            raise _invalid_arguments("must provide view_id or external_id")
        record = self._views.get(view_id) if view_id else None
        if external_id and record is None:
            record = next(
                (r for r in self._views.values() if r["view"].get("external_id") == external_id),
                None,
            )
        if record is None:
            raise _ApiError("not_found")
        current = record["view"]
        payload = self._view_payload(params, current["type"], own_id=current["id"])
        wanted_hash = params.get("hash")
        if wanted_hash and wanted_hash != current["hash"]:
            raise _ApiError("hash_conflict")
        view = self._save_view(
            "views.update",
            payload,
            user=record["user"],
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        return {"view": view}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        """views.publish: set a user's Home tab."""
        user_id = str(params.get("user_id") or "")
        user = self._users.get(user_id)
        if user is None:
            raise _ApiError("user_not_found")
        existing = self._home_views.get(user_id)
        payload = self._view_payload(params, "home", own_id=existing)
        wanted_hash = params.get("hash")
        if existing and wanted_hash and wanted_hash != self._views[existing]["view"]["hash"]:
            raise _ApiError("hash_conflict")
        view = self._save_view("views.publish", payload, user=user_id, view_id=existing)
        self._home_views[user_id] = view["id"]
        return {"view": view}

    # ------------------------------------------------------------ reactions / files

    def _api_reactions_add(self, params: dict[str, Any]) -> dict[str, Any]:
        """reactions.add: the bot reacts to a message, once per emoji."""
        ch = self._visible_channel(params.get("channel"))
        name = str(params.get("name") or "").strip(":")
        if not name:
            raise _ApiError("invalid_name")
        msg = self._find_message(ch["id"], params.get("timestamp"))
        reaction = next((r for r in msg["reactions"] if r["name"] == name), None)
        if reaction is None:
            reaction = {"name": name, "users": [], "count": 0}
            msg["reactions"].append(reaction)
        if BOT_USER_ID in reaction["users"]:
            raise _ApiError("already_reacted")
        reaction["users"].append(BOT_USER_ID)
        reaction["count"] += 1
        return {}

    def _api_files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.getUploadURLExternal: reserve a file id and an upload URL on this server."""
        filename = str(params.get("filename") or "")
        if not filename:
            raise _invalid_arguments("missing required field: filename")
        length = _as_int(params.get("length"), "length", 0)
        if length <= 0:
            raise _invalid_arguments("length must be a positive integer")
        file_id = "F" + secrets.token_hex(5).upper()
        self._uploads[file_id] = {
            "filename": filename,
            "length": length,
            "alt_txt": params.get("alt_txt"),
            "snippet_type": params.get("snippet_type"),
            "data": None,
        }
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _handle_upload(self, file_id: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        """Accept the bytes of a reserved upload (raw body or multipart `file` field)."""
        with self._lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                self._record("upload_url", {"file_id": file_id}, 404, None)
                return _Reply(404, "file_not_found")
            content_type = self._header(headers, "Content-Type")
            data = raw
            if content_type.lower().startswith("multipart/form-data"):
                parts = _parse_multipart(content_type, raw)
                data = next((v for v in parts.values() if isinstance(v, bytes)), raw)
            upload["data"] = data
            self._record("upload_url", {"file_id": file_id, "size": len(data)}, 200, None)
            return _Reply(200, f"OK - {len(data)}")

    def _api_files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        """files.completeUploadExternal: finish uploads and optionally share them in a channel."""
        items = _as_json(params.get("files"), "invalid_arguments")
        if not isinstance(items, list) or not items:
            raise _invalid_arguments("files must be a non-empty array")
        pending: list[tuple[dict[str, Any], str, dict[str, Any]]] = []
        for item in items:
            file_id = str(item.get("id") or "") if isinstance(item, dict) else ""
            upload = self._uploads.get(file_id)
            if upload is None or upload["data"] is None:
                raise _ApiError("file_not_found")
            pending.append((item, file_id, upload))
        targets = _as_id_list(params.get("channels"))
        if params.get("channel_id"):
            targets.insert(0, str(params["channel_id"]))
        channels = [self._postable_channel(target) for target in targets]
        now = int(time.time())
        shared: list[dict[str, Any]] = []
        for item, file_id, upload in pending:
            record = {
                "id": file_id,
                "name": upload["filename"],
                "title": item.get("title") or upload["filename"],
                "size": len(upload["data"]),
                "user": BOT_USER_ID,
                "created": now,
                "channels": [ch["id"] for ch in channels],
                "initial_comment": params.get("initial_comment"),
                "content": upload["data"],
            }
            self._files[file_id] = record
            del self._uploads[file_id]
            shared.append({k: v for k, v in record.items() if k != "content"})
        thread_ts = str(params.get("thread_ts") or "") or None
        for ch in channels:
            self._store_message(
                ch["id"],
                user=BOT_USER_ID,
                text=str(params.get("initial_comment") or ""),
                thread_ts=thread_ts,
                files=copy.deepcopy(shared),
            )
        return {"files": shared}

    # ------------------------------------------------------------ response_url

    def _handle_response_url(self, url_id: str, headers: Mapping[str, str], raw: bytes) -> _Reply:
        """Accept a post to a response_url: ephemeral, in_channel, replace or delete."""
        with self._lock:
            try:
                body: Any = json.loads(raw.decode("utf-8")) if raw else {}
            except (UnicodeDecodeError, ValueError):
                # Some clients post `payload=<json>` as a form instead.
                form = dict(parse_qsl(raw.decode("utf-8", errors="replace")))
                try:
                    body = json.loads(form.get("payload", ""))
                except ValueError:
                    body = None
            shown = body if isinstance(body, dict) else {"raw": raw.decode("utf-8", "replace")}
            reply = self._response_url_reply(url_id, body)
            self._record("response_url", {"url_id": url_id, **shown}, reply.status, reply.payload)
            return reply

    def _response_url_reply(self, url_id: str, body: Any) -> _Reply:
        """Apply a response_url post and build the HTTP answer."""
        entry = self._response_urls.get(url_id)
        if entry is None:
            return _Reply(404, {"ok": False, "error": "no_service"})
        if self._now() > entry["expires"]:
            return _Reply(404, {"ok": False, "error": "expired_url"})
        if entry["uses_left"] <= 0:
            return _Reply(404, {"ok": False, "error": "used_url"})
        if not isinstance(body, dict):
            return _Reply(400, {"ok": False, "error": "invalid_payload"})
        delete = _as_bool(body.get("delete_original"))
        replace_original = _as_bool(body.get("replace_original"))
        try:
            text, blocks, attachments = self._message_content(body, required=not delete)
        except _ApiError as exc:
            return _Reply(400, {"ok": False, "error": exc.error, **exc.extra})
        entry["uses_left"] -= 1
        source = None
        if entry["message_ts"]:
            source = self._by_key.get((entry["channel"], entry["message_ts"]))
        response_type = body.get("response_type") or "ephemeral"
        if source is not None and delete:
            self._remove_message(source)
        elif source is not None and replace_original:
            source["text"] = text or ""
            source["blocks"] = blocks
            source["attachments"] = attachments
            source["edited"] = {"user": BOT_USER_ID, "ts": self._next_ts()}
            source["update_count"] += 1
        elif response_type == "in_channel" and not delete:
            ch = self._channels.get(entry["channel"])
            if ch is None:
                return _Reply(404, {"ok": False, "error": "channel_not_found"})
            self._store_message(
                ch["id"],
                user=BOT_USER_ID,
                text=text,
                blocks=blocks,
                attachments=attachments,
                thread_ts=str(body.get("thread_ts") or "") or None,
            )
        else:
            self._ephemerals.append(
                {
                    "source": "response_url",
                    "channel": entry["channel"],
                    "user": entry["user"],
                    "ts": self._next_ts(),
                    "text": text or "",
                    "blocks": blocks,
                    "attachments": attachments,
                    "thread_ts": str(body.get("thread_ts") or "") or None,
                    "response_type": response_type,
                    "replace_original": replace_original,
                    "delete_original": delete,
                    "message_ts": entry["message_ts"],
                }
            )
        return _Reply(200, {"ok": True})


class LoadBalancer:
    """Spread Slack's requests over several bot processes in turn, as a load balancer would.

    Scaling out runs several bot processes behind one URL; Slack's requests reach them
    through a balancer, one request to the next process (round-robin). So do Slack's own
    redeliveries of an event it got no timely 2xx for: a retry usually lands on another
    process than the first attempt. `event` plays that (each retry goes to the next
    process), and `redeliver` sends one such retry on demand: the very same envelope (same
    `event_id`), signed afresh, with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, by
    default to the process after the one that last received this event.

        balancer = LoadBalancer([first.events_url, second.events_url], secret, standin)
        delivery = balancer.event({"type": "member_joined_channel", ...})
        balancer.redeliver(delivery)  # the same event again, to the other process

    `routes` records which processes (by index in `bot_urls`) each event was sent to.
    """

    def __init__(
        self,
        bot_urls: list[str],
        signing_secret: str,
        standin: SlackStandIn | None = None,
        *,
        max_retries: int = 3,
        **player_options: Any,
    ) -> None:
        # signed_client builds Slack's requests and imports this module: import it late.
        from sandbox.signed_client import SlackPlayer

        if not bot_urls:
            raise ValueError("a load balancer needs at least one bot URL")
        # One attempt per player: the balancer decides where each retry goes.
        self.players = [
            SlackPlayer(url, signing_secret, standin, max_retries=0, **player_options)
            for url in bot_urls
        ]
        self.max_retries = max_retries
        self.routes: dict[str, list[int]] = {}
        self._turn = 0
        self._lock = threading.Lock()

    def next_index(self) -> int:
        """Return the process the next request goes to, and move the turn on."""
        with self._lock:
            index = self._turn
            self._turn = (self._turn + 1) % len(self.players)
            return index

    def next_player(self) -> SlackPlayer:
        """Return the `SlackPlayer` of the next process (for commands, clicks, submissions)."""
        return self.players[self.next_index()]

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        event_time: int | None = None,
        to: int | None = None,
    ) -> Delivery:
        """Deliver an event to the next process (or process `to`); retry elsewhere like Slack.

        Returns the `Delivery` of the last attempt, its `attempts` counting them all.
        """
        index = self.next_index() if to is None else to
        first = self.players[index].event(event, event_id=event_id, event_time=event_time)
        self._route(first, index)
        delivery, tries = first, list(first.tries)
        for number in range(1, self.max_retries + 1):
            if delivery.ok or delivery.headers.get("x-slack-no-retry") == "1":
                break
            reason = "http_timeout" if delivery.status is None else "http_error"
            delivery = self.redeliver(first, retry_num=number, reason=reason)
            tries += delivery.tries
        delivery.attempts, delivery.tries = len(tries), tries
        return delivery

    def redeliver(
        self,
        delivery: Delivery,
        *,
        retry_num: int = 1,
        reason: str = "http_timeout",
        to: int | None = None,
    ) -> Delivery:
        """Send an event already delivered once again, as Slack's retry `retry_num`.

        It goes to process `to`, by default the one after the process that last received
        this event (with two processes: the other one).
        """
        envelope = delivery.sent
        if not isinstance(envelope, dict) or envelope.get("type") != "event_callback":
            raise ValueError("only Events API deliveries are redelivered")
        event_id = str(envelope["event_id"])
        if to is None:
            with self._lock:
                last = self.routes.get(event_id, [-1])[-1]
            to = (last + 1) % len(self.players)
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Retry-Num": str(retry_num),
            "X-Slack-Retry-Reason": reason,
        }
        # The same bytes as the first delivery: Slack resends the envelope unchanged.
        again = self.players[to].send_raw(json.dumps(envelope).encode("utf-8"), headers)
        again.sent = envelope
        self._route(again, to)
        return again

    def _route(self, delivery: Delivery, index: int) -> None:
        """Remember that the event of `delivery` went to process `index`."""
        with self._lock:
            self.routes.setdefault(str(delivery.sent["event_id"]), []).append(index)


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in in the foreground and print its API URL."""
    parser = argparse.ArgumentParser(description="Local Slack Web API stand-in.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--no-rate-limits", action="store_true")
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    parser.add_argument("--slow-rate", type=float, default=0.0)
    parser.add_argument("--slow-seconds", type=float, default=0.0)
    parser.add_argument(
        "--slow-before-effect", action="store_true", help="slow calls take effect at the end"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    config = StandInConfig(
        rate_limits=not args.no_rate_limits,
        fail_rate=args.fail_rate,
        drop_rate=args.drop_rate,
        slow_rate=args.slow_rate,
        slow_seconds=args.slow_seconds,
        slow_before_effect=args.slow_before_effect,
        seed=args.seed,
    )
    standin = SlackStandIn(config, host=args.host, port=args.port).start()
    print(standin.api_url, flush=True)
    print(f"bot token: {config.bot_token}  config: {asdict(config)}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
