"""The HTTP server: Slack's endpoint and a health check, served by waitress."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import BoltRequest
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import create_server
from waitress.utilities import RequestEntityTooLarge

from bot.app import CercleApp
from storage.db import database_answers

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few kilobytes; anything this large is not Slack. Waitress
# refuses a larger announced length as soon as it reads the headers, before the body.
MAX_BODY_BYTES = 1024 * 1024
# A client that stops sending mid-request is dropped after this long. Waitress reads
# requests in its event loop and hands a worker thread only complete ones, so slow
# clients hold a socket each, never a thread.
CHANNEL_TIMEOUT_SECONDS = 10
# Slack's own rule: a signature older (or newer) than this is refused, so a recorded
# request can't be replayed later.
SIGNATURE_MAX_AGE_SECONDS = 5 * 60

StartResponse = Callable[..., Any]


def make_wsgi_app(
    app: CercleApp, engine: Engine, *, serve_events: bool = True
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Return the WSGI application: POST /slack/events to Bolt, GET /healthz to the database.

    In Socket Mode events come over the socket and no signing secret is set, so the
    HTTP events endpoint is not served at all (it could not verify signatures).
    """

    def wsgi_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            healthy = database_answers(engine)
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(
                status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if serve_events and path == EVENTS_PATH and method == "POST":
            return _serve_slack(app, environ, start_response)
        return _plain(start_response, "404 Not Found", "not found")

    return wsgi_app


def _serve_slack(
    app: CercleApp, environ: dict[str, Any], start_response: StartResponse
) -> Iterable[bytes]:
    """Hand a request from Slack to Bolt, or refuse it with a 4xx if it can't be one.

    Bolt assumes a well-formed body: garbage (invalid UTF-8, broken JSON, a list where an
    object belongs) would make it raise and the client get a 500. Only a failure of ours
    (the database, say) may answer 5xx, which makes Slack redeliver.
    """
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0 or length > MAX_BODY_BYTES:
        return _plain(start_response, "413 Request Entity Too Large", "request too large")
    raw = environ["wsgi.input"].read(length) if length else b""
    http_request = WsgiHttpRequest({**environ, "wsgi.input": io.BytesIO(raw)})
    headers = http_request.get_headers()
    if not _signed_by_slack(app.settings.slack_signing_secret, raw, headers):
        # Checked before anything is parsed: only Slack may make Cercle read a body.
        return _plain(start_response, "401 Unauthorized", "invalid signature")
    try:
        request = BoltRequest(
            body=raw.decode("utf-8"), query=http_request.query_string, headers=headers
        )
    except Exception:  # noqa: BLE001 - whatever Bolt can't parse is the client's mistake
        return _plain(start_response, "400 Bad Request", "malformed request")
    problem = malformed_payload(request.body)
    if problem:
        logger.info("refused a malformed request: %s", problem)
        return _plain(start_response, "400 Bad Request", f"malformed request: {problem}")
    _storable(request.body)
    try:
        response = app.dispatch(request)
    except SQLAlchemyError:
        logger.exception("database unavailable while handling a request")
        return _plain(start_response, "503 Service Unavailable", "database unavailable")
    except Exception:
        # Bolt handles what listeners and middleware raise; what still escapes is Bolt
        # itself choking on a payload shape `malformed_payload` does not know yet.
        logger.exception("a request Bolt could not route")
        return _plain(start_response, "400 Bad Request", "malformed request")
    wsgi_response = WsgiHttpResponse(
        status=response.status, headers=response.headers, body=response.body
    )
    start_response(wsgi_response.status, wsgi_response.get_headers())
    return wsgi_response.get_body()


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _signed_by_slack(signing_secret: str, raw: bytes, headers: dict[str, Any]) -> bool:
    """Check Slack's v0 signature; Slack's bare `ssl_check` pings are left to Bolt."""
    if not signing_secret or raw.startswith(b"ssl_check=1"):
        return True
    timestamp = str(headers.get("x-slack-request-timestamp") or "")
    signature = str(headers.get("x-slack-signature") or "")
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE_SECONDS:
        return False  # a replayed request
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


# The parts of a payload Bolt reads without checking, and the type each must have.
_SHAPES: dict[str, dict[str, type]] = {
    "event_callback": {"event": dict},
    "block_actions": {"actions": list, "user": dict},
    "view_submission": {"view": dict, "user": dict},
    "view_closed": {"view": dict, "user": dict},
}


_OBJECTS = ("container", "view", "state", "message")
_ACTION_OBJECTS = ("selected_option",)
_ACTION_TEXTS = ("action_id", "block_id", "value", "type")


def malformed_payload(body: Any) -> str | None:
    """Say what makes a parsed body unusable (None if it is fine): Bolt would crash on it.

    Only the envelope is checked, and the ids Bolt and every listener take for strings
    (the acting user, the channel, the team); listeners read the rest defensively.
    """
    if not isinstance(body, dict):
        return "not an object"
    for name, expected in _SHAPES.get(str(body.get("type")), {}).items():
        if not isinstance(body.get(name), expected):
            return f"{name} is not a {expected.__name__}"
    # Present at all, these are read as objects (Bolt's own logging reads body["view"]).
    for name in ("event", "view"):
        if name in body and not isinstance(body[name], dict):
            return f"{name} is not an object"
    actions = body.get("actions")
    if body.get("type") == "block_actions" and not (
        actions and all(isinstance(a, dict) for a in actions)
    ):
        return "the actions are not a list of objects"
    event = body.get("event") or {}
    view = body.get("view") or {}
    holders = [
        ("", body, _OBJECTS, ("type", "trigger_id", "response_url")),
        ("event.", event, ("item", "message", "previous_message"), ()),
        ("view.", view, ("state",), ("callback_id", "private_metadata", "type")),
    ]
    listed = actions if isinstance(actions, list) else []
    holders += [(f"actions[{n}].", a, _ACTION_OBJECTS, _ACTION_TEXTS) for n, a in enumerate(listed)]
    for where, holder, objects, texts in holders:
        if not isinstance(holder, dict):
            return f"{where.rstrip('.')} is not an object"
        for name in objects:
            if holder.get(name) is not None and not isinstance(holder[name], dict):
                return f"{where}{name} is not an object"
        for name in texts:
            if holder.get(name) is not None and not isinstance(holder[name], str):
                return f"{where}{name} is not a string"
    if body.get("type") == "event_callback":
        for name, value in (("event_id", body.get("event_id")), ("event.type", event.get("type"))):
            if value is not None and not (isinstance(value, str) and _EVENT_WORD.match(value)):
                return f"{name} is not a Slack identifier"
    # What Bolt reads with [] to route a request.
    if body.get("type") in ("view_submission", "view_closed") and not all(
        isinstance(view.get(name), str) for name in ("type", "callback_id")
    ):
        return "the view has no type or callback_id"
    response_url = body.get("response_url")
    if response_url is not None and not str(response_url).startswith(("https://", "http://")):
        return "the response_url is not a URL"  # answering the member would fail
    # Someone acted: every listener takes their id for granted (votes are cast in its name).
    acted = _SHAPES.get(str(body.get("type")), {})
    actor = body["user"].get("id") if "user" in acted else body.get("user_id")
    if ("user" in acted or "command" in body) and not _SLACK_ID.match(str(actor or "")):
        return "the user who acted has no Slack id"
    if body.get("type") == "block_actions" and not all(
        isinstance(action.get("action_id"), str) for action in actions
    ):
        return "an action has no action_id"
    values = (view.get("state") or {}).get("values")
    if values is not None and not isinstance(values, dict):
        return "view.state.values is not an object"
    references = [
        (f"{where}{name}", holder.get(name))
        for where, holder in (("", body), ("event.", event), ("event.item.", event.get("item")))
        if isinstance(holder, dict)
        for name in ("user", "channel", "team", "user_id", "channel_id")
    ]
    container = body.get("container")
    if isinstance(container, dict):
        references.append(("container.channel_id", container.get("channel_id")))
    for name, value in references:
        problem = _reference_problem(value)
        if problem:
            return f"{name} {problem}"
    return None


# What Slack's user, channel and team ids look like ("U024BE7LH", "C0COMMUNITY"); they
# also fit the 32 characters Cercle stores of them.
_SLACK_ID = re.compile(r"^[A-Z][A-Z0-9]{1,31}$")


# An event id ("Ev0PV52K21") or type ("app_home_opened"), as stored (64 characters).
_EVENT_WORD = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
# What no text from Slack holds and no database stores: NUL (PostgreSQL refuses it) and
# halves of UTF-16 surrogate pairs (they have no UTF-8 form).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(value: Any) -> Any:
    """Drop NULs and replace lone surrogates in every string of a payload, in place."""
    if isinstance(value, str):
        return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", value)
    if isinstance(value, dict):
        for key, item in value.items():
            value[key] = _storable(item)
    elif isinstance(value, list):
        value[:] = [_storable(item) for item in value]
    return value


def _reference_problem(value: Any) -> str | None:
    """Check a reference to a user, channel...: absent, an id, or an object with such an id."""
    if isinstance(value, dict):
        value = value.get("id")
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _SLACK_ID.match(value):
        return "is not a Slack id"
    return None


# After refusing an oversized body, what is still read (and dropped) at most.
LINGER_BYTES = 8 * MAX_BODY_BYTES


class _LingeringChannel(HTTPChannel):
    """A connection that, having refused a body as too large, drains it before closing.

    Waitress answers 413 as soon as it reads the headers and would then close at once;
    a client still sending its body would get a reset instead of the answer. So the
    channel stops writing, reads and drops what keeps coming (never storing it) until the
    client is done, `LINGER_BYTES` have come, or the channel timeout passes.
    """

    _refused = False
    _draining = False
    _dropped = 0

    def service(self) -> None:
        """Note a refusal for size before serving it."""
        if self.requests and isinstance(self.requests[0].error, RequestEntityTooLarge):
            self._refused = True
        super().service()

    def handle_close(self) -> None:
        """Start draining instead of closing after a 413; close for good after."""
        if self._refused and not self._draining and self.connected:
            self._draining = True
            self.will_close = False
            self.last_activity = time.time()
            with contextlib.suppress(OSError):
                self.socket.shutdown(socket.SHUT_WR)  # the answer is complete
            return
        super().handle_close()

    def readable(self) -> bool:
        """Keep reading while draining."""
        return True if self._draining else super().readable()

    def writable(self) -> bool:
        """Nothing to write while draining, except being told to close (the timeout)."""
        return self.will_close if self._draining else super().writable()

    def handle_read(self) -> None:
        """Drop what comes while draining (the end of the data closes the channel)."""
        if not self._draining:
            super().handle_read()
            return
        try:
            data = self.recv(self.adj.recv_bytes)
        except OSError:
            super().handle_close()
            return
        self._dropped += len(data)
        self.last_activity = time.time()
        if self._dropped > LINGER_BYTES:
            super().handle_close()


class HttpServer:
    """A waitress server for Cercle that can run in the foreground or in a thread."""

    def __init__(
        self,
        app: CercleApp,
        engine: Engine,
        *,
        host: str = "0.0.0.0",
        port: int = 3000,
        threads: int = 8,
        serve_events: bool = True,
        channel_timeout: int = CHANNEL_TIMEOUT_SECONDS,
    ) -> None:
        self._server = create_server(
            make_wsgi_app(app, engine, serve_events=serve_events),
            host=host,
            port=port,
            threads=threads,
            channel_timeout=channel_timeout,
            # Idle channels are looked for this often (waitress's default, 30 s, would
            # let a stalled client stay up to three times the timeout).
            cleanup_interval=max(1, channel_timeout // 2),
            # Waitress refuses a length >= this as soon as the headers are in, without
            # reading the body; a chunked body is cut off once it grows that large.
            max_request_body_size=MAX_BODY_BYTES + 1,
            ident="cercle",
            clear_untrusted_proxy_headers=True,
        )
        self._server.channel_class = _LingeringChannel  # type: ignore[union-attr]
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """Return the port actually bound (useful with port 0)."""
        return int(self._server.effective_port)  # type: ignore[union-attr]

    @property
    def url(self) -> str:
        """Return the base URL on the loopback interface."""
        return f"http://127.0.0.1:{self.port}"

    def serve_forever(self) -> None:
        """Serve until `close()` is called."""
        self._server.run()

    def start_in_thread(self) -> HttpServer:
        """Serve from a daemon thread (demo and tests)."""
        self._thread = threading.Thread(target=self.serve_forever, name="cercle-http", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, release the port, and let running requests finish."""
        channels = self._server._map  # type: ignore[union-attr]
        if self._thread is not None and self._thread.is_alive():
            # Closing sockets under a select() running in another thread makes it fail
            # with EBADF; the trigger runs the closing inside the serving loop instead,
            # and the loop ends once no channel is left.
            # If the loop is already winding down (its trigger closed), there is nothing
            # to wake: the join below is all that is left.
            with contextlib.suppress(OSError):
                self._server.trigger.pull_trigger(lambda: wasyncore.close_all(channels))  # type: ignore[union-attr]
            self._thread.join(timeout=5)
        else:
            wasyncore.close_all(channels)
        self._server.task_dispatcher.shutdown()  # type: ignore[union-attr]
