"""Demo scenes for trust: roles, participation tracking, a member's copy of their data, and
being forgotten."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.demo import Demo


def _expect(condition: bool, what: str) -> None:
    """Stop the demo loudly when a scene does not show what it should."""
    if not condition:
        raise RuntimeError(f"trust scenes: {what}")


def _text(reply: dict[str, Any]) -> str:
    """Return everything an ephemeral answer says, blocks included."""
    return f"{reply.get('text', '')} {json.dumps(reply.get('blocks', []), ensure_ascii=False)}"


def _held(demo: Demo, user_id: str) -> tuple[int, int, list[str]]:
    """Return (records held under `user_id`, participation events, the tables holding them)."""
    from sqlalchemy import func, select

    from storage.db import transaction
    from storage.models import ParticipationEvent
    from storage.privacy import collect_member_data

    with transaction(demo.runtime.session_factory) as db:
        data = collect_member_data(db, user_id)
        events = db.scalar(
            select(func.count())
            .select_from(ParticipationEvent)
            .where(ParticipationEvent.user_id == user_id)
        )
    records, tables = 0, []
    for group in data.values():
        for table, value in group.items():
            count = len(value) if isinstance(value, list) else int(bool(value))
            records += count
            if count:
                tables.append(table)
    return records, events or 0, tables


def play_trust(demo: Demo, scene: int) -> int:
    """Play the roles and privacy scenes; return the next scene number."""
    from bot.demo import _input_values
    from bot.ids import Block
    from bot.roles import Role, role_of
    from bot.ui.privacy import STOP_TRACKING
    from storage.db import transaction
    from storage.privacy import tracking_is_off

    standin = demo.standin
    demo.scene(f"{scene}. Who holds which role; Alice makes Bob a facilitator")
    listing = demo.command("U0BOB", "role")
    _expect("U0ALICE" in _text(listing), "the role list does not name Alice")
    bob_before = len(standin.dm_messages("U0BOB"))
    # Slack hands a picked mention to the command as <@ID|name>.
    granted = demo.command(
        "U0ALICE", "role grant <@U0BOB|bob> facilitator", shown="role grant @Bob facilitator"
    )
    _expect("U0BOB" in _text(granted), "the grant was not confirmed")
    notice = demo.wait_for_message(
        demo.dm_channel("U0BOB"), lambda m: "facilitator" in m.get("text", "")
    )
    demo.show(notice)
    _expect(len(standin.dm_messages("U0BOB")) == bob_before + 1, "Bob's notice is missing")
    with transaction(demo.runtime.session_factory) as db:
        _expect(role_of(db, demo.runtime.settings, "U0BOB") is Role.FACILITATOR, "Bob's role")

    scene += 1
    demo.scene(f"{scene}. Diane, a member, tries to make herself a coordinator")
    with transaction(demo.runtime.session_factory) as db:
        _expect(role_of(db, demo.runtime.settings, "U0DIANE") is Role.MEMBER, "Diane's role")
    refused = demo.command(
        "U0DIANE",
        "role grant <@U0DIANE|diane> coordinator",
        shown="role grant @Diane coordinator",
    )
    _expect("coordonnent" in _text(refused), "the refusal does not name the coordinators")
    with transaction(demo.runtime.session_factory) as db:
        _expect(role_of(db, demo.runtime.settings, "U0DIANE") is Role.MEMBER, "Diane's role")

    scene += 1
    demo.scene(f"{scene}. Camille asks to be counted only anonymously")
    demo.command("U0CAMILLE", "tracking off")
    state = demo.command("U0CAMILLE", "tracking")
    _expect("anonymement" in _text(state), "tracking does not say it is off")
    with transaction(demo.runtime.session_factory) as db:
        _expect(tracking_is_off(db, "U0CAMILLE"), "Camille's tracking is still on")

    scene += 1
    demo.scene(f"{scene}. Bob asks for a copy of everything Cercle keeps about him")
    demo.command("U0BOB", "my-data")
    bob_dm = demo.dm_channel("U0BOB")
    shared = demo.wait_for_file(
        lambda f: f["name"].startswith("cercle-my-data") and bob_dm in f["channels"]
    )
    document = json.loads(shared["content"])
    _expect(document["user_id"] == "U0BOB", "the file is not Bob's")
    groups = ("profile", "participation", "polls", "messages")
    _expect(all(group in document for group in groups), "the file lacks a group")
    demo.out(
        f"File in Bob's DM: {shared['name']} « {shared['title']} » ({len(shared['content'])} bytes)"
    )
    demo.out(f"Its comment: {shared['initial_comment']}")
    demo.out(f"Top-level keys: {', '.join(document)}")
    events = len(document["participation"].get("participation_events", []))
    demo.out(f"Participation events listed: {events} (who, what kind, when; never the text)")

    scene += 1
    demo.scene(f"{scene}. Diane asks Cercle to forget her")
    records_before, events_before, _ = _held(demo, "U0DIANE")
    demo.out("Diane types: /cercle forget-me")
    views_before = len(standin.views())
    demo.player.slash_command("U0DIANE", "forget-me")
    opened = standin.views()[views_before:]
    _expect(bool(opened), "the forget-me modal did not open")
    modal = opened[-1]["view"]
    demo.show_modal("Diane", modal, max_lines=8)
    demo.out("Diane leaves the box ticked and clicks the button")
    answer = (
        demo.player.view_submission(
            "U0DIANE",
            modal,
            _input_values(
                modal, {Block.FORGET_TRACKING: {"selected_options": [{"value": STOP_TRACKING}]}}
            ),
        ).json
        or {}
    )
    _expect(answer.get("response_action") == "update", "the modal did not confirm")
    demo.show_modal("Diane", answer["view"])
    records_after, events_after, kept = _held(demo, "U0DIANE")
    demo.out(
        f"Records under Diane's id: {records_before} before, {records_after} after "
        f"(participation events: {events_before} → {events_after}); what stays: "
        f"{', '.join(kept)}"
    )
    _expect(events_before > 0 and events_after == 0, "Diane's participation was not erased")
    _expect(records_after < records_before, "nothing was erased")
    _expect(set(kept) <= {"members", "member_preferences"}, f"more than the bare row stays: {kept}")
    with transaction(demo.runtime.session_factory) as db:
        _expect(tracking_is_off(db, "U0DIANE"), "Diane's tracking is still on")
    demo.command("U0DIANE", "me")
    return scene + 1
