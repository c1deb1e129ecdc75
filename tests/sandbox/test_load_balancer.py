"""LoadBalancer: Slack's requests spread over several bots in turn, redeliveries included;
and the stand-in's calls that are slow to take effect."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sandbox.slack import LoadBalancer, SlackStandIn, StandInConfig

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
JOIN = {"type": "member_joined_channel", "user": "U0NEW", "channel": "C0COMMUNITY"}


@dataclass
class Backend:
    """A loopback bot that records what it receives and answers with `status`."""

    url: str = ""
    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def backends() -> Iterator[list[Backend]]:
    made: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
    bots = [Backend(), Backend()]
    for bot in bots:

        class Handler(BaseHTTPRequestHandler):
            backend = bot

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.backend.received.append((dict(self.headers), body))
                self.send_response(self.backend.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        bot.url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
        made.append((server, thread))
    yield bots
    for server, thread in made:
        server.shutdown()
        server.server_close()
        thread.join()


def _verified(headers: dict[str, str], body: bytes) -> bool:
    return SignatureVerifier(SECRET).is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


def test_requests_go_to_each_bot_in_turn(backends):
    """Events and other requests alternate between the bots."""
    balancer = LoadBalancer([b.url for b in backends], SECRET)
    for _ in range(3):
        assert balancer.event(JOIN).ok
    assert balancer.next_player().slash_command("U0ALICE", "help").ok
    assert [len(b.received) for b in backends] == [2, 2]
    assert list(balancer.routes.values()) == [[0], [1], [0]]


def test_a_redelivery_is_the_same_event_to_the_other_bot(backends):
    """`redeliver` resends the same bytes, signed afresh, with Slack's retry headers."""
    balancer = LoadBalancer([b.url for b in backends], SECRET)
    first = balancer.event(JOIN)
    again = balancer.redeliver(first, retry_num=1, reason="http_timeout")
    assert again.ok and again.sent == first.sent
    (headers0, body0), (headers1, body1) = backends[0].received[0], backends[1].received[0]
    assert body0 == body1 and json.loads(body1)["event_id"] == first.sent["event_id"]
    assert "X-Slack-Retry-Num" not in headers0
    assert (headers1["X-Slack-Retry-Num"], headers1["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    assert _verified(headers1, body1)
    assert balancer.routes[first.sent["event_id"]] == [0, 1]


def test_slack_retries_a_failed_event_on_the_next_bot(backends):
    """A 5xx from one bot: Slack's retry goes through the balancer to the other one."""
    backends[0].status = 500
    balancer = LoadBalancer([b.url for b in backends], SECRET)
    delivery = balancer.event(JOIN)
    assert delivery.ok and delivery.attempts == 2
    assert backends[1].received[0][0]["X-Slack-Retry-Reason"] == "http_error"


def test_a_call_slow_to_take_effect_lands_at_the_end_of_its_delay():
    """With slow_before_effect a post is absent from history until its delay has passed."""
    config = StandInConfig(slow_rate=1.0, slow_seconds=0.3, slow_before_effect=True)
    with SlackStandIn(config) as standin:
        client = WebClient(token=standin.config.bot_token, base_url=standin.api_url)
        posting = threading.Thread(
            target=client.chat_postMessage, kwargs={"channel": "C0COMMUNITY", "text": "Plus tard"}
        )
        began = time.monotonic()
        posting.start()
        time.sleep(0.1)
        assert standin.messages("C0COMMUNITY") == []
        # Meanwhile the stand-in answers other calls.
        assert client.auth_test()["ok"]
        posting.join()
        assert time.monotonic() - began >= 0.3
        assert [m["text"] for m in standin.messages("C0COMMUNITY")] == ["Plus tard"]
