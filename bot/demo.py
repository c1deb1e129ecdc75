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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.demo_participation import play_participation
from bot.demo_polls import play_polls
from bot.demo_surveys import play_survey
from bot.demo_trust import play_trust
from bot.runtime import Runtime, build_runtime
from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn
from sandbox.transcript import render_blocks, render_message

NAMES = {
    "U0ALICE": "Alice",
    "U0BOB": "Bob",
    "U0CAMILLE": "Camille",
    "U0DIANE": "Diane",
    "U0BOT": "Cercle",
    "C0COMMUNITY": "#communaute-assistantes",
    "C0COORD": "#coordination",
}
# Where the demo leaves what is better looked at than read (the charts), beside the transcript.
OUTPUT_FOLDER = Path("demo-output")
CHANNELS = {"C0COMMUNITY": "#communaute-assistantes", "C0COORD": "#coordination"}


# The demo's clock for the courtesy policy, so scenes about working hours play the same
# whenever the demo runs: a Tuesday afternoon by default (every member is at work).
TUESDAY_AFTERNOON = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2026, 11, 21, 21, 0, tzinfo=UTC)
MONDAY_MORNING = datetime(2026, 11, 23, 8, 5, tzinfo=UTC)


class DemoClock:
    """A settable clock the dispatcher's courtesy policy reads."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def set(self, moment: datetime) -> None:
        """Move the clock."""
        self.moment = moment

    def __call__(self) -> datetime:
        """Return the current demo time."""
        return self.moment


class Demo:
    """One scripted run: the stand-in, the bot, and a transcript printer."""

    def __init__(
        self,
        runtime: Runtime,
        standin: SlackStandIn,
        player: SlackPlayer,
        out: Callable[[str], None],
        clock: DemoClock,
    ) -> None:
        self.clock = clock
        self.runtime = runtime
        self.standin = standin
        self.player = player
        self.out = out

    def scene(self, title: str) -> None:
        """Print a scene heading."""
        self.out(f"\n### {title}\n")

    def command(
        self, user_id: str, text: str, channel_id: str = "C0COMMUNITY", *, shown: str | None = None
    ) -> dict[str, Any]:
        """Type `/cercle text` as `user_id` (printed as `shown`) and print the ephemeral answer."""
        self.out(f"{NAMES[user_id]} types: /cercle {shown or text}".rstrip())
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

    def wait_for_file(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 15.0
    ) -> dict[str, Any]:
        """Wait until the stand-in holds a shared file matching `predicate`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for shared in self.standin.files():
                if predicate(shared):
                    return shared
            time.sleep(0.05)
        raise RuntimeError(f"no expected file was shared within {timeout} s")

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

    def dm_channel(self, user_id: str) -> str:
        """Return the id of Cercle's DM channel with `user_id`."""
        return self.wait_for_dm(user_id)["channel"]

    def show_modal(self, who: str, view: dict[str, Any], *, max_lines: int = 40) -> None:
        """Print a modal as `who` sees it, cut after `max_lines` lines."""
        title = (view.get("title") or {}).get("text", "")
        lines = render_blocks(view.get("blocks"))
        if len(lines) > max_lines:
            lines = lines[:max_lines] + ["(…)"]
        submit = (view.get("submit") or {}).get("text")
        buttons = f"  [{submit}]" if submit else ""
        self.out(
            "\n".join(
                [f"┌─ Modal « {title} », shown to {who}"]
                + [f"│ {x}" for x in lines]
                + ([f"│{buttons}"] if buttons else [])
                + ["└" + "─" * 40]
            )
        )

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

    play_onboarding(demo)
    play_toolbox(demo)
    scene = play_polls(demo, 16)
    scene = play_survey(demo, scene, OUTPUT_FOLDER)
    scene = play_participation(demo, scene, OUTPUT_FOLDER)
    scene = play_trust(demo, scene)

    demo.scene(f"{scene}. Alice checks the delivery queue")
    demo.command("U0ALICE", "status")


def _input_values(view: dict[str, Any], overrides: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return view.state.values as Slack would send them: initial values, then overrides."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        state: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "plain_text_input":
            state["value"] = element.get("initial_value")
        values[block["block_id"]] = {element["action_id"]: state}
    for block_id, state in overrides.items():
        action_id = next(iter(values[block_id]))
        values[block_id][action_id].update(state)
    return values


def play_onboarding(demo: Demo) -> None:
    """Diane joins, is greeted, reads and accepts the charter; then the charter changes."""
    from bot.ids import Action, Block
    from bot.ui.onboarding import edit_block_id

    standin = demo.standin
    demo.scene("8. Diane joins the community channel")
    demo.out("Diane Petit joins #communaute-assistantes")
    demo.player.event(
        {
            "type": "member_joined_channel",
            "user": "U0DIANE",
            "channel": "C0COMMUNITY",
            "channel_type": "C",
            "team": "T0CERCLE",
        },
        event_id="EvDEMO0003",
    )
    demo.show(demo.wait_for_dm("U0DIANE"))
    announcement = demo.wait_for_message("C0COORD", lambda m: "U0DIANE" in m.get("text", ""))
    demo.show(announcement)

    demo.out("Alice clicks [Je l'accueille]")
    demo.player.block_action(
        "U0ALICE",
        Action.CLAIM_NEWCOMER,
        value="U0DIANE",
        channel_id="C0COORD",
        message=announcement,
    )
    claimed = demo.wait_for_message(
        "C0COORD", lambda m: m["ts"] == announcement["ts"] and "U0ALICE" in str(m.get("blocks"))
    )
    demo.show(claimed)

    demo.scene("9. Diane reads the charter and accepts it")
    welcome = demo.wait_for_dm("U0DIANE")
    demo.out("Diane clicks [Lire la charte]")
    demo.player.block_action(
        "U0DIANE",
        Action.CHARTER_READ,
        value="1:U0DIANE",
        channel_id=welcome["channel"],
        message=welcome,
    )
    modal = standin.views()[-1]["view"]
    demo.show_modal("Diane", modal, max_lines=14)
    demo.out("Diane clicks [J'accepte] at the bottom of the charter")
    reply = demo.player.view_submission("U0DIANE", modal, {}).json or {}
    questions = reply["view"]
    demo.show_modal("Diane", questions)
    demo.out("Diane answers and clicks [Valider]")
    demo.player.view_submission(
        "U0DIANE",
        questions,
        _input_values(
            questions,
            {
                Block.JOIN_HOPES: {"value": "Des astuces pour organiser les séminaires"},
                Block.JOIN_INTERESTS: {
                    "selected_options": [{"value": "events"}, {"value": "digital-tools"}]
                },
                Block.JOIN_INTRODUCE: {"selected_option": {"value": "yes"}},
            },
        ),
    )
    intro = demo.wait_for_message("C0COMMUNITY", lambda m: "U0DIANE" in m.get("text", ""))
    demo.wait_until_delivered("thanks:U0DIANE:v1")
    demo.wait_until_delivered(f"{welcome_key(demo, 'U0DIANE')}:accepted")
    for message in standin.dm_messages("U0DIANE"):
        demo.show(message)
    demo.show(intro)
    demo.show(demo.wait_for_message("C0COORD", lambda m: "accepté la charte" in m.get("text", "")))

    demo.scene("10. Alice publishes a new version of the charter")
    demo.command("U0ALICE", "rules history")
    demo.out("Alice types: /cercle rules edit")
    demo.player.slash_command("U0ALICE", "rules edit")
    editor = standin.views()[-1]["view"]
    demo.out("Alice adds a rule on meetings, ticks re-acceptance and clicks [Publier]")
    fr = next(b for b in editor["blocks"] if b["block_id"] == edit_block_id("fr", 1))
    en = next(b for b in editor["blocks"] if b["block_id"] == edit_block_id("en", 1))
    demo.player.view_submission(
        "U0ALICE",
        editor,
        _input_values(
            editor,
            {
                edit_block_id("fr", 1): {
                    "value": fr["element"]["initial_value"]
                    + "\n\n*7. Nos rencontres*\nUne rencontre par mois, en ligne ou sur site."
                },
                edit_block_id("en", 1): {
                    "value": en["element"]["initial_value"]
                    + "\n\n*7. Our meetings*\nOne meeting a month, online or on site."
                },
                Block.CHARTER_REACCEPT: {"selected_options": [{"value": "yes"}]},
            },
        ),
    )
    demo.show(demo.wait_for_message("C0COORD", lambda m: "version 2" in m.get("text", "")))

    demo.scene("11. Diane is asked to accept version 2, and does")
    demo.wait_until_delivered("reaccept:U0DIANE:v2")
    asked = standin.dm_messages("U0DIANE")[-1]
    demo.show(asked)
    demo.out("Diane clicks [J'accepte] (she already answered the questions once)")
    demo.player.block_action(
        "U0DIANE",
        Action.CHARTER_ACCEPT,
        value="2:U0DIANE",
        channel_id=asked["channel"],
        message=asked,
    )
    demo.wait_until_delivered("reaccept:U0DIANE:v2:accepted")
    demo.show(next(m for m in standin.dm_messages("U0DIANE") if m["ts"] == asked["ts"]))
    demo.command("U0DIANE", "rules")


def play_toolbox(demo: Demo) -> None:
    """The weekly tool, a visit, and personal suggestions under the courtesy policy."""
    from bot.ids import Action
    from scheduled import jobs
    from storage.charter import record_acceptance
    from storage.db import transaction
    from storage.toolbox import visit_count

    standin = demo.standin
    demo.scene("12. Monday 09:30: this week's tool in the community channel")
    demo.out("(the scheduler's weekly job runs; coordinators can move it with /cercle schedule)")
    jobs.post_weekly_tool()
    demo.runtime.dispatcher.wake()
    post = demo.wait_for_message(
        "C0COMMUNITY", lambda m: "outil de la semaine" in str(m.get("blocks"))
    )
    demo.show(post)

    demo.scene("13. Bob opens it, and the visit is counted")
    open_button = next(
        element
        for block in post["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == Action.TOOLBOX_OPEN
    )
    demo.out(f"Bob clicks [{open_button['text']['text']}]")
    demo.player.block_action(
        "U0BOB",
        Action.TOOLBOX_OPEN,
        value=open_button["value"],
        channel_id="C0COMMUNITY",
        message=post,
    )
    with transaction(demo.runtime.session_factory) as db:
        visits = visit_count(db, int(open_button["value"]))
    demo.out(f"Visits recorded for this tool: {visits}")
    demo.command("U0BOB", "toolbox charte")

    demo.scene("14. Bob goes on holiday; Diane has not opened a tool for weeks")
    with transaction(demo.runtime.session_factory) as db:
        record_acceptance(db, user_id="U0BOB", version=2)  # Bob joined long ago
    demo.command("U0BOB", "snooze 2w")
    bob_before = len(standin.dm_messages("U0BOB"))
    diane_before = len(standin.dm_messages("U0DIANE"))
    demo.clock.set(SATURDAY_NIGHT)
    demo.out("Saturday 22:00 in Paris: the suggestions job runs")
    jobs.plan_toolbox_nudges()
    demo.runtime.dispatcher.wake()
    time.sleep(0.5)  # let the dispatcher weigh both suggestions
    waiting = len(standin.dm_messages("U0DIANE")) - diane_before
    demo.out(f"New DMs for Diane: {waiting} (her suggestion waits for her working hours)")

    demo.scene("15. Monday 09:05 in Paris: Diane's suggestion arrives; Bob gets none")
    demo.clock.set(MONDAY_MORNING)
    suggestion = demo.wait_for_message(
        demo.dm_channel("U0DIANE"), lambda m: "pas encore ouvert" in m.get("text", "")
    )
    demo.show(suggestion)
    bob_new = len(standin.dm_messages("U0BOB")) - bob_before
    demo.out(f"New DMs for Bob: {bob_new} (he is snoozed, so his suggestion was dropped)")
    demo.command("U0DIANE", "nudges")


def welcome_key(demo: Demo, user_id: str) -> str:
    """Return the outbox key of the welcome DM sent to `user_id`."""
    from storage.db import transaction
    from storage.onboarding import get_newcomer

    with transaction(demo.runtime.session_factory) as db:
        newcomer = get_newcomer(db, user_id)
        assert newcomer is not None and newcomer.welcome_key
        return newcomer.welcome_key


def run_demo(*, keep: bool = False, out: Callable[[str], None] = print) -> int:
    """Start the stand-in and the real bot, play the scenes, print the transcript."""
    folder = Path(tempfile.mkdtemp(prefix="cercle-demo-"))
    standin = SlackStandIn().start()
    standin.add_user("U0DIANE", "diane", real_name="Diane Petit", locale="fr-FR")
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
    clock = DemoClock(TUESDAY_AFTERNOON)
    runtime = build_runtime(
        settings,
        host="127.0.0.1",
        dispatcher_options={"poll_interval": 0.1, "courtesy_clock": clock},
    )
    try:
        runtime.start()
        assert runtime.server is not None
        player = SlackPlayer(
            f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
        )
        out("Cercle demo — the real bot, a local stand-in for Slack, SQLite in " + str(folder))
        play(Demo(runtime, standin, player, out, clock))
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
