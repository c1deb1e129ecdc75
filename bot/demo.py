"""`cercle demo`: the real bot against the local Slack stand-in, with a readable transcript.

No Slack account is needed: the stand-in plays the workspace, a signed client plays
Slack's deliveries to the bot, and the bot runs exactly as in production (HTTP mode,
SQLite in a temporary folder, the outbox dispatcher running).
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.runtime import Runtime, build_runtime
from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn
from sandbox.transcript import render_message

NAMES = {"U0ALICE": "Alice", "U0BOB": "Bob", "U0CAMILLE": "Camille", "U0BOT": "Cercle"}
CHANNELS = {"C0COMMUNITY": "#communaute-assistantes", "C0COORD": "#coordination"}


class Demo:
    """One scripted run: the stand-in, the bot, and a transcript printer."""

    def __init__(
        self,
        runtime: Runtime,
        standin: SlackStandIn,
        player: SlackPlayer,
        out: Callable[[str], None],
    ) -> None:
        self.runtime = runtime
        self.standin = standin
        self.player = player
        self.out = out

    def scene(self, title: str) -> None:
        """Print a scene heading."""
        self.out(f"\n### {title}\n")

    def command(self, user_id: str, text: str, channel_id: str = "C0COMMUNITY") -> dict[str, Any]:
        """Type `/cercle text` as `user_id` and print the ephemeral answer."""
        self.out(f"{NAMES[user_id]} types: /cercle {text}".rstrip())
        delivery = self.player.slash_command(user_id, text, channel_id=channel_id)
        if delivery.status != 200:
            raise RuntimeError(f"the bot answered {delivery.status} to /cercle {text}")
        reply = delivery.json or {}
        where = CHANNELS.get(channel_id, channel_id)
        self.out(render_message("Cercle", where, reply, ephemeral=True, names=NAMES))
        return reply

    def wait_for_message(
        self, channel: str, predicate: Callable[[dict[str, Any]], bool], timeout: float = 10.0
    ) -> dict[str, Any]:
        """Wait until the stand-in holds a message in `channel` matching `predicate`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.standin.messages(channel):
                if predicate(message):
                    return message
            time.sleep(0.05)
        raise RuntimeError(f"no expected message reached {channel} within {timeout} s")

    def wait_for_dm(self, user_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Wait for the first message in Cercle's DM with `user_id`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = self.standin.dm_messages(user_id)
            if messages:
                return messages[0]
            time.sleep(0.05)
        raise RuntimeError(f"no DM reached {user_id} within {timeout} s")

    def wait_until_delivered(self, key: str, timeout: float = 15.0) -> None:
        """Wait until the outbox row `key` is recorded as sent."""
        from storage.db import transaction
        from storage.models import OutboxStatus
        from storage.outbox import find_row

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with transaction(self.runtime.session_factory) as db:
                row = find_row(db, key)
                if row is not None and row.status == OutboxStatus.SENT:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"outbox row {key} was not delivered within {timeout} s")

    def show(self, message: dict[str, Any]) -> None:
        """Print a message as its channel's members see it."""
        where = CHANNELS.get(message["channel"], message["channel"])
        if message.get("thread_ts") and message.get("thread_ts") != message.get("ts"):
            where += " (thread reply)"
        if where.startswith("D"):
            where = "a direct message"
        author = NAMES.get(message.get("user", ""), "Cercle")
        self.out(render_message(author, where, message, names=NAMES))


def play(demo: Demo) -> None:
    """Play every scene that exists so far."""
    demo.scene("1. Alice, a coordinator who reads Slack in French, asks for help")
    demo.command("U0ALICE", "help")

    demo.scene("2. Bob reads Slack in English: the same help, in his language")
    demo.command("U0BOB", "help")

    demo.scene("3. Bob mistypes a command")
    demo.command("U0BOB", "sondage")

    demo.scene("4. Bob tries a coordinators' command")
    demo.command("U0BOB", "status")

    demo.scene("5. Camille mentions @Cercle; Slack delivers the event twice")
    demo.out("Camille writes in #communaute-assistantes: @Cercle bonjour ?")
    event = {
        "type": "app_mention",
        "user": "U0CAMILLE",
        "channel": "C0COMMUNITY",
        "text": "<@U0BOT> bonjour ?",
        "ts": "1764200000.000100",
    }
    first = demo.player.event(event, event_id="EvDEMO0001")
    again = demo.player.event(event, event_id="EvDEMO0001")
    demo.out(f"(Slack delivered event EvDEMO0001 twice: answers {first.status} and {again.status})")
    reply = demo.wait_for_message("C0COMMUNITY", lambda m: m.get("thread_ts") == event["ts"])
    demo.show(reply)
    time.sleep(0.5)  # give a wrongly duplicated reply the time to show up
    replies = [m for m in demo.standin.messages("C0COMMUNITY") if m.get("thread_ts") == event["ts"]]
    demo.out(f"Replies in the thread: {len(replies)} (the outbox delivered it exactly once)")

    demo.scene("6. Bob writes to Cercle while Slack has a hiccup")
    demo.out("Bob writes in Cercle's Messages tab: hello?")
    # Slack stores the next posts but answers 500, as real outages sometimes do.
    demo.standin.configure(fail_rate=1.0, fail_after_post_share=1.0)
    demo.player.event(
        {
            "type": "message",
            "channel_type": "im",
            "channel": "D0BOB",
            "user": "U0BOB",
            "text": "hello?",
            "ts": "1764200100.000100",
        },
        event_id="EvDEMO0002",
    )
    first_try = demo.wait_for_dm("U0BOB")
    demo.out("(Slack posted the reply but answered 500: Cercle cannot know it arrived)")
    demo.wait_until_delivered("dm-reply:D0BOB:1764200100.000100")
    demo.standin.configure(fail_rate=0.0)
    demo.show(first_try)
    copies = len(demo.standin.dm_messages("U0BOB"))
    demo.out(
        f"Copies in Bob's DM: {copies} (Cercle found its message in the history "
        "before resending, so nothing was posted twice)"
    )

    demo.scene("7. Alice checks the delivery queue")
    demo.command("U0ALICE", "status")


def run_demo(*, keep: bool = False, out: Callable[[str], None] = print) -> int:
    """Start the stand-in and the real bot, play the scenes, print the transcript."""
    folder = Path(tempfile.mkdtemp(prefix="cercle-demo-"))
    standin = SlackStandIn().start()
    settings = Settings(
        slack_bot_token=standin.config.bot_token,
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=standin.api_url,
        database_url=f"sqlite:///{folder / 'cercle.db'}",
        port=0,
        community_channel="C0COMMUNITY",
        coordinators_channel="C0COORD",
        admins=("U0ALICE",),
        log_level="WARNING",
    )
    runtime = build_runtime(settings, host="127.0.0.1", dispatcher_options={"poll_interval": 0.1})
    try:
        runtime.start()
        assert runtime.server is not None
        player = SlackPlayer(
            f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
        )
        out("Cercle demo — the real bot, a local stand-in for Slack, SQLite in " + str(folder))
        play(Demo(runtime, standin, player, out))
        out("\nDemo finished: every scene behaved as Slack users would see it.")
        return 0
    except Exception as error:  # noqa: BLE001 - the demo reports, it does not crash
        print(f"cercle demo: failed: {error}", file=sys.stderr)
        return 1
    finally:
        runtime.stop()
        standin.stop()
        if not keep:
            shutil.rmtree(folder, ignore_errors=True)
