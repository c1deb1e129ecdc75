"""The HTTP server: Slack's endpoint and a health check, served by waitress."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy import Engine
from waitress import wasyncore
from waitress.server import create_server

from bot.app import CercleApp
from storage.db import database_answers

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
# Slack's payloads are a few kilobytes; anything this large is not Slack.
MAX_BODY_BYTES = 1024 * 1024
# A client that stops sending mid-request is dropped after this long, so slow clients
# cannot hold all the worker threads.
CHANNEL_TIMEOUT_SECONDS = 10

StartResponse = Callable[..., Any]


def make_wsgi_app(
    app: CercleApp, engine: Engine, *, serve_events: bool = True
) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """Return the WSGI application: POST /slack/events to Bolt, GET /healthz to the database.

    In Socket Mode events come over the socket and no signing secret is set, so the
    HTTP events endpoint is not served at all (it could not verify signatures).
    """
    slack_handler = SlackRequestHandler(app, path=EVENTS_PATH)

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
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if length < 0 or length > MAX_BODY_BYTES:
                return _plain(start_response, "413 Request Entity Too Large", "request too large")
            return slack_handler(environ, start_response)
        return _plain(start_response, "404 Not Found", "not found")

    return wsgi_app


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


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
    ) -> None:
        self._server = create_server(
            make_wsgi_app(app, engine, serve_events=serve_events),
            host=host,
            port=port,
            threads=threads,
            channel_timeout=CHANNEL_TIMEOUT_SECONDS,
            # Waitress reads up to twice our limit so the app itself answers 413 to a
            # slightly oversized body, rather than the connection being reset mid-send.
            max_request_body_size=2 * MAX_BODY_BYTES,
            ident="cercle",
            clear_untrusted_proxy_headers=True,
        )
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
