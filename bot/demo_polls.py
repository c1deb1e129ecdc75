"""Demo scenes for polls: votes and a change of vote, an anonymous poll, a deadline."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sandbox.transcript import render_message

if TYPE_CHECKING:
    from bot.demo import Demo


def _latest_poll(demo: Demo) -> tuple[int, dict[str, int]]:
    """Return the newest poll's id and its option ids by label."""
    from sqlalchemy import select

    from storage.db import transaction
    from storage.models import Poll
    from storage.polls import poll_options

    with transaction(demo.runtime.session_factory) as db:
        poll = db.scalars(select(Poll).order_by(Poll.id.desc())).first()
        assert poll is not None
        return poll.id, {option.label: option.id for option in poll_options(db, poll.id)}


def _poll_message(demo: Demo, poll_id: int) -> dict[str, Any]:
    """Wait for the poll's message and return it as the channel shows it now."""
    return demo.wait_for_message(
        "C0COMMUNITY", lambda m: f"poll_actions_{poll_id}" in str(m.get("blocks"))
    )


def _settled(demo: Demo, poll_id: int, text: str) -> dict[str, Any]:
    """Wait until the poll message shows `text` (updates come at most every 2 s)."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        message = _poll_message(demo, poll_id)
        if text in str(message.get("blocks")):
            return message
        time.sleep(0.1)
    raise RuntimeError(f"the poll message never showed {text!r}")


def _vote(demo: Demo, user_id: str, poll_id: int, option_id: int, label: str) -> None:
    from bot.demo import NAMES
    from bot.ids import Action

    demo.out(f"{NAMES[user_id]} clicks [Voter] next to « {label} »")
    before = len(demo.standin.ephemerals(user_id))
    demo.player.block_action(user_id, Action.POLL_VOTE, value=f"{poll_id}:{option_id}")
    deadline = time.monotonic() + 5  # the confirmation follows the ack by a moment
    while len(demo.standin.ephemerals(user_id)) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    answers = demo.standin.ephemerals(user_id)[before:]
    for answer in answers:
        demo.out(
            render_message("Cercle", "#communaute-assistantes", answer, ephemeral=True, names=NAMES)
        )


def play_polls(demo: Demo, first_scene: int) -> int:
    """Play the poll scenes; return the next scene number."""
    from sqlalchemy import select

    from scheduled import jobs
    from storage.db import transaction
    from storage.models import Poll, PollVote

    scene = first_scene
    demo.scene(f"{scene}. Camille asks the community which format it prefers")
    # Creating polls is for facilitators: Alice, a coordinator, names Camille one.
    demo.command("U0ALICE", "role grant <@U0CAMILLE|camille> facilitator")
    demo.command(
        "U0CAMILLE",
        'poll "Quel format pour notre prochaine rencontre ?" "Atelier sur site" '
        '"Webinaire d\'une heure" "Café virtuel" --closes 2h',
    )
    poll_id, options = _latest_poll(demo)
    demo.show(_poll_message(demo, poll_id))

    scene += 1
    demo.scene(f"{scene}. Alice, Diane and Bob vote; Bob changes his mind")
    _vote(demo, "U0ALICE", poll_id, options["Atelier sur site"], "Atelier sur site")
    _vote(demo, "U0DIANE", poll_id, options["Café virtuel"], "Café virtuel")
    _vote(demo, "U0BOB", poll_id, options["Café virtuel"], "Café virtuel")
    _vote(demo, "U0BOB", poll_id, options["Atelier sur site"], "Atelier sur site")
    demo.out("(the message is edited in place, at most once every two seconds)")
    demo.show(_settled(demo, poll_id, "3 votant·es"))

    scene += 1
    demo.scene(f"{scene}. Alice runs an anonymous poll")
    demo.command(
        "U0ALICE",
        'poll "Vous sentez-vous à l\'aise pour poser une question ici ?" "Oui" "Pas encore" '
        "--anonymous",
    )
    anonymous_id, anonymous_options = _latest_poll(demo)
    _vote(demo, "U0BOB", anonymous_id, anonymous_options["Oui"], "Oui")
    _vote(demo, "U0DIANE", anonymous_id, anonymous_options["Pas encore"], "Pas encore")
    demo.show(_settled(demo, anonymous_id, "2 votant·es"))
    with transaction(demo.runtime.session_factory) as db:
        stored = list(db.scalars(select(PollVote.voter).where(PollVote.poll_id == anonymous_id)))
    demo.out(
        "What the database keeps of these votes: "
        + ", ".join(f"{voter[:14]}…" for voter in stored)
        + " (keyed fingerprints: no user id, no time)"
    )

    scene += 1
    demo.scene(f"{scene}. Two hours later, Camille's poll closes by itself")
    with transaction(demo.runtime.session_factory) as db:
        poll = db.get(Poll, poll_id)
        assert poll is not None and poll.closes_at is not None
        # The demo can't wait two hours: it moves the deadline to just now.
        poll.closes_at = poll.created_at + timedelta(seconds=1)
    demo.out("(the deadline job runs every minute)")
    jobs.poll_deadlines()
    demo.runtime.dispatcher.wake()
    demo.show(_settled(demo, poll_id, ":lock:"))
    _vote(demo, "U0CAMILLE", poll_id, options["Café virtuel"], "Café virtuel")
    return scene + 1
