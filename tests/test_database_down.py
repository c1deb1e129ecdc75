"""When the database is unreachable the bot never acknowledges and drops."""

from __future__ import annotations

import pytest

from bot.runtime import build_runtime
from sandbox.signed_client import SlackPlayer
from tests.conftest import make_settings

UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-folder/for/cercle.db",
    "postgresql": "postgresql+psycopg://cercle@127.0.0.1:1/cercle",
}


@pytest.fixture(params=sorted(UNREACHABLE))
def broken_bot(request, standin):
    settings = make_settings(standin, UNREACHABLE[request.param])
    runtime = build_runtime(settings, migrate=False, host="127.0.0.1")
    # Only the HTTP side: the dispatcher would just log the same outage.
    assert runtime.server is not None
    runtime.server.start_in_thread()
    player = SlackPlayer(
        f"{runtime.server.url}/slack/events",
        settings.slack_signing_secret,
        standin,
        ack_timeout=3.0,
    )
    yield player
    runtime.server.close()
    runtime.engine.dispose()


def test_event_gets_an_error_so_slack_redelivers(broken_bot):
    """Every delivery of an event is answered 503, so Slack keeps retrying it."""
    event = {"type": "app_mention", "user": "U0BOB", "channel": "C0COMMUNITY", "ts": "1.2"}
    delivery = broken_bot.event(event, event_id="EvDOWN")
    assert delivery.status == 503
    assert delivery.attempts == 4  # the first try and Slack's three retries


def test_slash_command_gets_a_clear_ephemeral_message(broken_bot):
    """A coordinator asking for figures while the database is down is told to retry."""
    delivery = broken_bot.slash_command("U0ALICE", "status")
    assert delivery.status == 200
    assert delivery.json["response_type"] == "ephemeral"
    # Without the member cache the community's default language (fr) is used.
    assert "souci passager" in delivery.json["text"]


def test_health_check_says_503(request, standin):
    """GET /healthz answers 503 while the database is unreachable."""
    import urllib.error
    import urllib.request

    settings = make_settings(standin, UNREACHABLE["postgresql"])
    runtime = build_runtime(settings, migrate=False, host="127.0.0.1")
    assert runtime.server is not None
    runtime.server.start_in_thread()
    try:
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(f"{runtime.server.url}/healthz", timeout=10)
        assert answer.value.code == 503
    finally:
        runtime.server.close()
        runtime.engine.dispose()
