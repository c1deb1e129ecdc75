"""SlackPlayer: Slack's requests to the bot, their signatures, and Events API redelivery."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def payload(self) -> dict[str, Any]:
        return json.loads(self.form()["payload"])


@dataclass
class FakeBot:
    """A loopback HTTP server that records requests and answers from a script."""

    url: str
    received: list[Received] = field(default_factory=list)
    # Each entry: (status, delay seconds, extra headers); the last one repeats.
    script: list[tuple[int, float, dict[str, str]]] = field(
        default_factory=lambda: [(200, 0.0, {})]
    )


@pytest.fixture
def fake_bot() -> Iterator[FakeBot]:
    lock = threading.Lock()
    bot = FakeBot(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                bot.received.append(Received(dict(self.headers), body))
                index = min(len(bot.received), len(bot.script)) - 1
                status, delay, headers = bot.script[index]
            time.sleep(delay)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")
            except OSError:
                pass  # the player already gave up on this attempt

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    bot.url = f"http://127.0.0.1:{server.server_address[1]}/slack/events"
    yield bot
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """A fresh stand-in per test (shadows the project-wide fixture on purpose)."""
    with SlackStandIn() as server:
        yield server


def _valid(received: Received) -> bool:
    return SignatureVerifier(SECRET).is_valid(
        received.body,
        received.headers["X-Slack-Request-Timestamp"],
        received.headers["X-Slack-Signature"],
    )


MENTION = {"type": "app_mention", "user": "U0BOB", "channel": "C0COMMUNITY", "text": "<@U0BOT> hi"}


def test_event_envelope_is_signed_and_sent_once_when_acked(fake_bot: FakeBot) -> None:
    player = SlackPlayer(fake_bot.url, SECRET)
    delivery = player.event(MENTION, event_id="EvONE", event_time=1_700_000_000)
    assert (delivery.status, delivery.attempts, delivery.json) == (200, 1, {})
    [received] = fake_bot.received
    assert _valid(received)
    assert received.headers["Content-Type"] == "application/json"
    assert "X-Slack-Retry-Num" not in received.headers
    envelope = json.loads(received.body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "EvONE" and envelope["event_time"] == 1_700_000_000
    assert envelope["authorizations"][0]["user_id"] == "U0BOT"
    assert envelope["event"]["event_ts"] and envelope["event"]["ts"]
    assert envelope["team_id"] == "T0CERCLE" and envelope["api_app_id"] == "A0CERCLE"


def test_event_is_redelivered_on_http_errors(fake_bot: FakeBot) -> None:
    fake_bot.script = [(500, 0.0, {}), (503, 0.0, {}), (200, 0.0, {})]
    delivery = SlackPlayer(fake_bot.url, SECRET).event(MENTION, event_id="EvRETRY")
    assert delivery.status == 200 and delivery.attempts == 3
    assert [status for status, _ in delivery.tries] == [500, 503, 200]
    bodies = {r.body for r in fake_bot.received}
    assert len(bodies) == 1  # the very same envelope each time
    assert [r.headers.get("X-Slack-Retry-Num") for r in fake_bot.received] == [None, "1", "2"]
    assert [r.headers.get("X-Slack-Retry-Reason") for r in fake_bot.received] == [
        None,
        "http_error",
        "http_error",
    ]
    assert all(_valid(r) for r in fake_bot.received)


def test_event_is_redelivered_after_a_slow_ack(fake_bot: FakeBot) -> None:
    fake_bot.script = [(200, 0.5, {}), (200, 0.0, {})]
    started = time.monotonic()
    delivery = SlackPlayer(fake_bot.url, SECRET, ack_timeout=0.3).event(MENTION)
    assert time.monotonic() - started < 1.0
    assert delivery.status == 200 and delivery.attempts == 2
    assert delivery.tries[0][0] is None
    retry = fake_bot.received[1]
    assert (retry.headers["X-Slack-Retry-Num"], retry.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    assert json.loads(retry.body)["event_id"] == json.loads(fake_bot.received[0].body)["event_id"]


def test_redelivery_gives_up_after_max_retries_or_on_no_retry(fake_bot: FakeBot) -> None:
    fake_bot.script = [(500, 0.0, {})]
    delivery = SlackPlayer(fake_bot.url, SECRET).event(MENTION)
    assert (delivery.status, delivery.attempts) == (500, 4)
    assert fake_bot.received[-1].headers["X-Slack-Retry-Num"] == "3"

    fake_bot.received.clear()
    fake_bot.script = [(500, 0.0, {"X-Slack-No-Retry": "1"})]
    assert SlackPlayer(fake_bot.url, SECRET).event(MENTION).attempts == 1


def test_unreachable_bot_is_reported_not_raised() -> None:
    player = SlackPlayer("http://127.0.0.1:9/slack/events", SECRET, max_retries=1)
    delivery = player.event(MENTION)
    assert delivery.status is None and delivery.attempts == 2


def test_slash_command_form_and_no_redelivery(fake_bot: FakeBot, standin: SlackStandIn) -> None:
    fake_bot.script = [(500, 0.0, {})]
    delivery = SlackPlayer(fake_bot.url, SECRET, standin).slash_command("U0ALICE", "help me")
    assert (delivery.status, delivery.attempts) == (500, 1)
    [received] = fake_bot.received
    assert _valid(received)
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = received.form()
    assert form["command"] == "/cercle" and form["text"] == "help me"
    assert form["user_name"] == "alice" and form["channel_name"] == "communaute-assistantes"
    assert form["response_url"].startswith(standin.base_url + "/response/")
    WebClient(token="xoxb-sandbox", base_url=standin.api_url).views_open(
        trigger_id=form["trigger_id"],
        view={"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []},
    )
    assert standin.views()[0]["user"] == "U0ALICE"


def test_slash_command_is_not_redelivered_after_a_timeout(fake_bot: FakeBot) -> None:
    fake_bot.script = [(200, 0.5, {})]
    delivery = SlackPlayer(fake_bot.url, SECRET, ack_timeout=0.3).slash_command("U0BOB")
    assert (delivery.status, delivery.attempts) == (None, 1)


def test_block_action_and_view_submission_payloads(
    fake_bot: FakeBot, standin: SlackStandIn
) -> None:
    player = SlackPlayer(fake_bot.url, SECRET, standin)
    message = {"type": "message", "ts": "1700000000.000100", "text": "Vote"}
    player.block_action("U0BOB", "vote", value="yes", block_id="poll", message=message)
    payload = fake_bot.received[0].payload()
    assert payload["type"] == "block_actions"
    assert payload["actions"][0] == {
        **payload["actions"][0],
        "type": "button",
        "action_id": "vote",
        "block_id": "poll",
        "value": "yes",
    }
    assert payload["container"]["message_ts"] == "1700000000.000100"
    assert payload["channel"]["id"] == "C0COMMUNITY" and payload["message"] == message
    assert payload["user"]["id"] == "U0BOB" and payload["trigger_id"]

    view = {"id": "V0TEST", "type": "modal", "callback_id": "poll", "private_metadata": "42"}
    values = {"q": {"answer": {"type": "plain_text_input", "value": "Oui"}}}
    player.view_submission("U0BOB", view, values)
    submitted = fake_bot.received[1].payload()
    assert submitted["type"] == "view_submission"
    assert submitted["view"]["state"]["values"] == values
    assert submitted["view"]["callback_id"] == "poll"
    assert submitted["view"]["private_metadata"] == "42"

    player.block_action("U0BOB", "refresh", view={"id": "V0HOME", "type": "home"}, channel_id=None)
    in_view = fake_bot.received[2].payload()
    assert in_view["container"] == {"type": "view", "view_id": "V0HOME"}
    assert "response_url" not in in_view
    assert all(_valid(r) for r in fake_bot.received)


def test_send_raw_signs_unless_told_not_to(fake_bot: FakeBot) -> None:
    player = SlackPlayer(fake_bot.url, SECRET)
    player.send_raw(b'{"x":1}', {"Content-Type": "application/json"})
    player.send_raw(b"{}", {"Content-Type": "application/json"}, timestamp=int(time.time()) - 600)
    player.send_raw(b"{}", {"Content-Type": "application/json"}, sign=False)
    fresh, stale, unsigned = fake_bot.received
    assert _valid(fresh)
    assert not _valid(stale)  # older than five minutes: a replay
    assert "X-Slack-Signature" not in unsigned.headers


def test_a_real_bolt_app_accepts_everything_the_player_sends(standin: SlackStandIn) -> None:
    """End to end: bolt verifies the signatures, parses each payload, and calls the stand-in."""
    client = WebClient(token="xoxb-sandbox", base_url=standin.api_url)
    app = App(
        token="xoxb-sandbox", signing_secret=SECRET, client=client, process_before_response=True
    )

    @app.event("app_mention")
    def on_mention(event: dict, say: Any) -> None:
        say(text="Bonjour", thread_ts=event["ts"])

    @app.command("/cercle")
    def on_command(ack: Any, respond: Any, body: dict) -> None:
        ack()
        respond(text=f"Aide pour {body['user_name']}")

    @app.action("vote")
    def on_vote(ack: Any, respond: Any, action: dict) -> None:
        ack()
        respond(text=f"Vote: {action['value']}", replace_original=True)

    @app.view("poll")
    def on_submit(ack: Any, view: dict) -> None:
        ack(response_action="errors", errors={"q": view["state"]["values"]["q"]["a"]["value"]})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            headers = {k.lower(): [v] for k, v in self.headers.items()}
            response = app.dispatch(BoltRequest(body=body, headers=headers))
            data = (response.body or "").encode()
            self.send_response(response.status)
            for name, values in response.headers.items():
                for value in values:
                    if name.lower() != "content-length":
                        self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        player = SlackPlayer(
            f"http://127.0.0.1:{server.server_address[1]}/slack/events", SECRET, standin
        )
        mention = dict(MENTION, ts="1700000000.000200")
        assert player.event(mention).status == 200
        assert standin.messages("C0COMMUNITY")[0]["thread_ts"] == "1700000000.000200"

        assert player.slash_command("U0CAMILLE", "aide").status == 200
        assert standin.ephemerals("U0CAMILLE")[0]["text"] == "Aide pour camille"

        source = client.chat_postMessage(channel="C0COMMUNITY", text="Vote ?")
        message = source["message"]
        assert player.block_action("U0BOB", "vote", value="oui", message=message).status == 200
        assert standin.messages("C0COMMUNITY")[-1]["text"] == "Vote: oui"

        values = {"q": {"a": {"type": "plain_text_input", "value": "trop court"}}}
        answer = player.view_submission("U0BOB", {"callback_id": "poll"}, values)
        assert answer.json == {"response_action": "errors", "errors": {"q": "trop court"}}

        forged = SlackPlayer(
            f"http://127.0.0.1:{server.server_address[1]}/slack/events", "wrong-secret"
        )
        assert forged.slash_command("U0BOB").status == 401
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
