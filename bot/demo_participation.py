"""Demo scenes for participation: a few weeks of activity, /cercle me and stats, the digest
with its chart, and the App Home of a member and of a coordinator."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.transcript import render_blocks, render_message, show_mentions

if TYPE_CHECKING:
    from bot.demo import Demo

DAY = 86_400
# Who said what, how many days ago (what they wrote stays in Slack: Cercle keeps none of it).
_ACTIVITY = (
    ("U0DIANE", 20, "message"),
    ("U0BOB", 19, "message"),
    ("U0DIANE", 19, "reply"),
    ("U0CAMILLE", 16, "reaction"),
    ("U0DIANE", 13, "message"),
    ("U0DIANE", 12, "reaction"),
    ("U0BOB", 9, "message"),
    ("U0DIANE", 8, "reply"),
    ("U0DIANE", 6, "message"),
    ("U0BOB", 5, "reaction"),
    ("U0DIANE", 2, "message"),
    ("U0BOB", 1, "reply"),
)


def _deliver_activity(demo: Demo) -> int:
    """Play the activity as Slack events, one redelivered and one message deleted."""
    now = time.time()
    anchor = f"{now - 21 * DAY:.6f}"  # the thread the replies go under
    demo.player.event(
        {
            "type": "message",
            "channel": "C0COMMUNITY",
            "channel_type": "channel",
            "user": "U0CAMILLE",
            "text": "…",
            "ts": anchor,
        },
        event_id="EvPART000",
    )
    for number, (user, days_ago, kind) in enumerate(_ACTIVITY, start=1):
        ts = f"{now - days_ago * DAY + number:.6f}"
        if kind == "reaction":
            event: dict[str, Any] = {
                "type": "reaction_added",
                "user": user,
                "reaction": "raised_hands",
                "item": {"type": "message", "channel": "C0COMMUNITY", "ts": anchor},
                "event_ts": ts,
            }
        else:
            event = {
                "type": "message",
                "channel": "C0COMMUNITY",
                "channel_type": "channel",
                "user": user,
                "text": "…",
                "ts": ts,
            }
            if kind == "reply":
                event["thread_ts"] = anchor
        demo.player.event(event, event_id=f"EvPART{number:03d}")
    # Slack delivers one event twice, and Bob deletes a message he regrets.
    demo.player.event(
        {
            "type": "message",
            "channel": "C0COMMUNITY",
            "channel_type": "channel",
            "user": "U0DIANE",
            "text": "…",
            "ts": f"{now - 2 * DAY + 11:.6f}",
        },
        event_id="EvPART011",
    )
    demo.player.event(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C0COMMUNITY",
            "channel_type": "channel",
            "deleted_ts": f"{now - 9 * DAY + 7:.6f}",
            "ts": f"{now:.6f}",
            "hidden": True,
        },
        event_id="EvPART999",
    )
    return len(_ACTIVITY) + 3


def _show_home(demo: Demo, user_id: str) -> None:
    from bot.demo import NAMES

    before = len(demo.standin.views())
    demo.player.event(
        {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"},
        event_id=f"EvHOME{user_id}",
    )
    view = demo.standin.views()[before:][-1]["view"]
    lines = render_blocks(view.get("blocks"))
    demo.out(
        "\n".join(
            [f"┌─ App Home of {NAMES[user_id]}"]
            + [f"│ {show_mentions(line, NAMES)}" for line in lines]
            + ["└" + "─" * 40]
        )
    )


def play_participation(demo: Demo, scene: int, folder: Path) -> int:
    """Play the participation scenes; return the next scene number."""
    from sqlalchemy import func, select

    from bot.demo import NAMES
    from scheduled import jobs
    from storage.db import transaction
    from storage.models import ParticipationEvent

    demo.scene(f"{scene}. Three weeks of life in #communaute-assistantes")
    sent = _deliver_activity(demo)
    with transaction(demo.runtime.session_factory) as db:
        recorded = db.scalar(select(func.count()).select_from(ParticipationEvent))
        texts = db.scalar(
            select(func.count())
            .select_from(ParticipationEvent)
            .where(ParticipationEvent.kind.in_(("message", "reply")))
        )
    demo.out(
        f"Slack delivered {sent} events (one of them twice, one message deleted): Cercle now "
        f"holds {recorded} participation events, {texts} of them messages or replies — who, "
        "what kind, where and when; never what was written."
    )

    scene += 1
    demo.scene(f"{scene}. Diane looks at her own participation; Alice at the community's")
    demo.command("U0DIANE", "me")
    demo.command("U0ALICE", "stats 30d")

    scene += 1
    demo.scene(f"{scene}. Monday 08:30: the weekly digest reaches the coordinators")
    jobs.weekly_digest()
    demo.runtime.dispatcher.wake()
    digest = demo.wait_for_message(
        "C0COORD", lambda m: "Le point de la semaine" in str(m.get("blocks"))
    )
    demo.out(render_message("Cercle", "#coordination", digest, names=NAMES))
    chart = demo.wait_for_file(lambda f: f["name"].startswith("activity-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "weekly-activity.png"
    path.write_bytes(chart["content"])
    demo.out(f"Chart posted in #coordination: « {chart['title']} » ({len(chart['content'])} bytes)")
    demo.out(f"(the same PNG is saved as {path}, to look at)")

    scene += 1
    demo.scene(f"{scene}. The App Home, as Diane and as Alice see it")
    _show_home(demo, "U0DIANE")
    _show_home(demo, "U0ALICE")
    return scene + 1
