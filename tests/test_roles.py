"""Roles and permissions: members, facilitators, coordinators; one check at each action."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.directory import profile_fields
from bot.errors import CercleError, PermissionDenied
from bot.i18n import t
from bot.ids import Action, View
from bot.roles import Role, grant_role, guard_listener, revoke_role, role_of
from bot.runtime import build_runtime
from sandbox.blockkit_limits import validate_blocks, validate_view
from sandbox.signed_client import SlackPlayer
from storage.models import Base, Newcomer, OutboxMessage, RoleGrant, Survey, ToolboxItem
from tests.conftest import RunningBot, make_settings

COORDINATORS_ONLY = "Only the community's coordinators can do that."
FACILITATORS_ONLY = t("error.facilitators_only", "en")
REFUSAL = {Role.COORDINATOR: COORDINATORS_ONLY, Role.FACILITATOR: FACILITATORS_ONLY}

# Tables that change on their own while the bot runs (the dispatcher's heartbeat, the
# scheduler's runs): everything else must be exactly as it was after a refusal.
MOVING_TABLES = {"dispatcher_processes", "job_runs"}

# Button and modal listeners every member may use, each with why. A listener registered
# without `role=` must be listed here, or the meta-test below fails: a future
# coordinators' button cannot forget its declaration.
MEMBER_ACTIONS = {
    # The welcome DM and the charter: every newcomer reads and accepts it.
    ("action", Action.CHARTER_READ),
    ("action", Action.CHARTER_ACCEPT),  # checks the button was meant for the clicker
    ("action", Action.CHARTER_NOT_NOW),
    ("view", View.CHARTER),
    ("view", View.JOIN_QUESTIONS),
    # The toolbox: browse, page through and open tools.
    ("action", Action.TOOLBOX_OPEN),
    ("action", Action.TOOLBOX_BROWSE),
    ("action", Action.TOOLBOX_PAGE_PREVIOUS),
    ("action", Action.TOOLBOX_PAGE_NEXT),
    # Polls: vote, add an option where the poll allows it.
    ("action", Action.POLL_VOTE),
    ("action", Action.POLL_ADD_OPTION),
    ("view", View.POLL_ADD_OPTION),
    # The poll's "…" menu and its delete form: open to all, but bot.polls.managed_poll
    # lets only the poll's creator or a coordinator close, export or delete it.
    ("action", Action.POLL_MANAGE),
    ("view", View.POLL_DELETE),
    # Surveys: every invited member answers.
    ("action", Action.SURVEY_ANSWER),
    ("view", View.SURVEY_ANSWER),
    # `/cercle forget-me`: each member confirms erasing their own data.
    ("view", View.FORGET_ME),
}


def _text(reply: dict[str, Any]) -> str:
    parts = [str(reply.get("text", ""))]
    for block in reply.get("blocks", []):
        if isinstance(block.get("text"), dict):
            parts.append(block["text"].get("text", ""))
        for element in block.get("elements", []):
            if isinstance(element, dict) and isinstance(element.get("text"), str):
                parts.append(element["text"])
    return "\n".join(parts)


def _cmd(bot: RunningBot, user: str, text: str) -> dict[str, Any]:
    delivery = bot.player.slash_command(user, text)
    assert delivery.status == 200
    return delivery.json or {}


def _grants(bot: RunningBot) -> dict[str, tuple[str, str | None]]:
    rows = bot.query(lambda db: list(db.scalars(select(RoleGrant))))
    return {row.user_id: (row.role, row.granted_by) for row in rows}


def _drain(bot: RunningBot) -> None:
    """Wait until the dispatcher has sent everything queued."""

    def idle() -> bool:
        rows = bot.query(lambda db: list(db.scalars(select(OutboxMessage.status))))
        return all(status not in ("pending", "sending") for status in rows)

    bot.wait_until(idle, what="the outbox to drain")


def _snapshot(bot: RunningBot) -> dict[str, list[str]]:
    """Every row of every table (but those that move on their own), as sorted text."""

    def read(db: Any) -> dict[str, list[str]]:
        return {
            table.name: sorted(repr(tuple(row)) for row in db.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if table.name not in MOVING_TABLES
        }

    return bot.query(read)


def _slack_side(bot: RunningBot) -> tuple[int, int, int]:
    """What members could see appear: posts, files and opened views."""
    return len(bot.standin.messages()), len(bot.standin.files()), len(bot.standin.views())


def _filled(view: dict[str, Any]) -> dict[str, Any]:
    """Fill a modal's inputs with what they show (a word if required), as a submission would."""
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        element = block.get("element") or {}
        if block.get("type") != "input" or "action_id" not in element:
            continue
        kind = element.get("type")
        if kind == "plain_text_input":
            typed = None if block.get("optional") else "Zed"
            state = {"type": kind, "value": element.get("initial_value") or typed}
        elif kind in ("checkboxes", "multi_static_select"):
            state = {"type": kind, "selected_options": element.get("initial_options") or []}
        else:
            options = element.get("options") or [{}]
            state = {"type": kind, "selected_option": element.get("initial_option") or options[0]}
        values[block["block_id"]] = {element["action_id"]: state}
    return values


# ------------------------------------------------------------------ grant, revoke, list


def test_a_coordinator_grants_and_revokes_and_everyone_sees_the_list(bot):
    """Alice makes Bob facilitator (he is told, in English), everyone sees it, then she revokes."""
    reply = _cmd(bot, "U0ALICE", "role grant <@U0BOB|bob> facilitator")
    assert reply["response_type"] == "ephemeral"
    assert "<@U0BOB> a maintenant le rôle facilitateur·rice" in reply["text"]
    assert _grants(bot) == {"U0BOB": ("facilitator", "U0ALICE")}
    notice = bot.wait_until(lambda: bot.standin.dm_messages("U0BOB"), what="Bob's notice")
    assert "<@U0ALICE> made you facilitator" in notice[0]["text"]

    listing = _cmd(bot, "U0CAMILLE", "role")
    assert validate_blocks(listing["blocks"], "message") == []
    text = _text(listing)
    assert "<@U0ALICE> — par le réglage `CERCLE_ADMINS`" in text
    assert "<@U0BOB> — donné par <@U0ALICE> le " in text

    reply = _cmd(bot, "U0ALICE", "role revoke <@U0BOB> facilitator")
    assert "<@U0BOB> n'a plus le rôle facilitateur·rice" in reply["text"]
    assert _grants(bot) == {}
    assert "nobody yet" in _text(_cmd(bot, "U0BOB", "role"))


def test_a_coordinator_may_name_another_coordinator_who_then_may_grant(bot):
    """Bob made coordinator (French words accepted) grants Camille; Alice's setting stays."""
    _cmd(bot, "U0ALICE", "role grant coordinateur <@U0BOB>")
    reply = _cmd(bot, "U0BOB", "role grant <@U0CAMILLE> facilitator")
    assert "<@U0CAMILLE> is now facilitator" in reply["text"]
    assert _grants(bot) == {
        "U0BOB": ("coordinator", "U0ALICE"),
        "U0CAMILLE": ("facilitator", "U0BOB"),
    }
    refused = _cmd(bot, "U0BOB", "role revoke <@U0ALICE> coordinator")
    assert "the setting must change" in refused["text"]
    assert "already coordinates" in _cmd(bot, "U0BOB", "role grant <@U0ALICE> facilitator")["text"]


BAD_ROLE_COMMANDS = [
    ("role grant <@U0BOB> boss", "“boss” is not a role"),
    ("role grant bob facilitator", "I can't find a member in “bob”"),
    ("role grant <@U0BOB>", "Usage: `/cercle role`"),
    ("role promote <@U0BOB> facilitator", "Usage: `/cercle role`"),
    ("role grant <@U0BOT|cercle> facilitator", "is a bot"),
    ("role grant <@USLACKBOT> facilitator", "is a bot"),
    ("role grant <@U0NOBODY> facilitator", "knows nobody with the id `U0NOBODY`"),
    ("role revoke <@U0CAMILLE> facilitator", "was not granted the facilitator role"),
]


def test_bad_role_commands_get_a_clear_usage_message(bot):
    """Unknown role, no user, a bot, nothing to revoke: told how to fix it, nothing saved."""
    _cmd(bot, "U0ALICE", "role grant <@U0BOB> coordinator")  # Bob asks, in English
    _drain(bot)
    before = _snapshot(bot)
    for text, expected in BAD_ROLE_COMMANDS:
        reply = _cmd(bot, "U0BOB", text)
        assert reply["response_type"] == "ephemeral"
        assert expected in reply["text"], text
    assert _snapshot(bot) == before


def test_the_last_coordinator_cannot_be_revoked_nor_stepped_down(bot):
    """Without CERCLE_ADMINS, the only coordinator by grant keeps the role."""
    settings = replace(bot.settings, admins=())
    bot.query(lambda db: db.add(RoleGrant(user_id="U0ALICE", role="coordinator")))
    with bot.db() as db:
        grant_role(db, settings, actor_id="U0ALICE", user_id="U0BOB", role=Role.COORDINATOR)
    with bot.db() as db:
        revoke_role(db, settings, actor_id="U0BOB", user_id="U0ALICE", role=Role.COORDINATOR)
    for change in (revoke_role, grant_role):
        role = Role.COORDINATOR if change is revoke_role else Role.FACILITATOR
        with pytest.raises(CercleError) as refused, bot.db() as db:
            change(db, settings, actor_id="U0BOB", user_id="U0BOB", role=role)
        assert refused.value.message_key == "role.error.last_coordinator"
    assert _grants(bot) == {"U0BOB": ("coordinator", "U0ALICE")}


def test_two_coordinators_revoking_each_other_at_once_leave_one(bot):
    """Alice and Bob revoke each other at the same moment: the second waits, then is refused."""
    settings = replace(bot.settings, admins=())
    with bot.db() as db:
        db.add_all([RoleGrant(user_id=u, role="coordinator") for u in ("U0ALICE", "U0BOB")])
    outcome: dict[str, Any] = {}
    first_holds_locks = threading.Event()

    def bob_revokes_alice() -> None:
        first_holds_locks.wait(5)
        try:
            with bot.db() as db:
                revoke_role(
                    db, settings, actor_id="U0BOB", user_id="U0ALICE", role=Role.COORDINATOR
                )
            outcome["bob"] = "revoked"
        except CercleError as error:
            outcome["bob"] = error.message_key
        outcome["bob_done"] = time.monotonic()

    other = threading.Thread(target=bob_revokes_alice)
    other.start()
    with bot.db() as db:
        revoke_role(db, settings, actor_id="U0ALICE", user_id="U0BOB", role=Role.COORDINATOR)
        first_holds_locks.set()
        time.sleep(0.3)  # Bob's revoke is now waiting for the grant locks
        committed = time.monotonic()
    other.join(10)
    assert outcome["bob_done"] >= committed  # it waited for Alice's commit
    # Bob was no longer a coordinator when his turn came.
    assert outcome["bob"] in ("error.coordinators_only", "role.error.last_coordinator")
    assert _grants(bot) == {"U0ALICE": ("coordinator", None)}


# ------------------------------------------------------------------ facilitators


def test_a_facilitator_creates_a_survey_and_a_poll_and_claims_a_newcomer(bot):
    """Bob facilitates: survey new + its modal, a poll, the claim button; not `rules edit`."""
    _cmd(bot, "U0ALICE", "role grant <@U0BOB> facilitator")
    _cmd(bot, "U0BOB", "survey new")
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.SURVEY_CREATE
    created = bot.player.view_submission("U0BOB", modal, _filled(modal))
    assert created.json["response_action"] == "update"
    survey = bot.query(lambda db: db.scalar(select(Survey)))
    assert survey.created_by == "U0BOB"
    assert "Your poll is on its way" in _cmd(bot, "U0BOB", 'poll "Quand ?" "Lundi" "Mardi"')["text"]

    bot.player.event(
        {"type": "member_joined_channel", "user": "U0CAMILLE", "channel": "C0COMMUNITY"}
    )
    bot.player.block_action("U0BOB", Action.CLAIM_NEWCOMER, value="U0CAMILLE", channel_id="C0COORD")
    newcomer = bot.query(lambda db: db.get(Newcomer, "U0CAMILLE"))
    assert newcomer.greeter_id == "U0BOB"

    views = len(bot.standin.views())
    for text in ("rules edit", "survey export 1", "role grant <@U0CAMILLE> facilitator"):
        assert _cmd(bot, "U0BOB", text)["text"] == COORDINATORS_ONLY
    assert len(bot.standin.views()) == views


def test_help_and_home_follow_the_role(bot):
    """Each member's help lists what their role allows; a facilitator's Home offers a survey."""
    member = _text(_cmd(bot, "U0BOB", "help"))
    assert "/cercle poll" not in member and "/cercle survey" not in member
    assert "`/cercle rules [history]`" in member and "Your role: *member*" in member
    _cmd(bot, "U0ALICE", "role grant <@U0BOB> facilitator")
    facilitator = _text(_cmd(bot, "U0BOB", "help"))
    assert "/cercle poll" in facilitator and "Your role: *facilitator*" in facilitator
    assert "`/cercle survey [list|new [needs|blank]|launch N|results N|close N]`" in facilitator
    assert "/cercle schedule" not in facilitator and "export N" not in facilitator
    coordinator = _text(_cmd(bot, "U0ALICE", "help"))
    assert "export N" in coordinator and "`/cercle role [grant|revoke" in coordinator

    bot.player.event({"type": "app_home_opened", "user": "U0BOB", "tab": "home"})
    home = bot.standin.views()[-1]["view"]
    assert Action.HOME_NEW_SURVEY in str(home) and Action.CHARTER_EXPORT not in str(home)
    assert validate_view(home, "home") == []
    bot.player.block_action("U0BOB", Action.HOME_NEW_SURVEY, value="needs", view=home)
    assert bot.standin.views()[-1]["view"]["callback_id"] == View.SURVEY_CREATE


# ------------------------------------------------------------------ workspace admins


@contextlib.contextmanager
def _running(standin: Any, database_url: str, **overrides: Any) -> Iterator[RunningBot]:
    """Run the bot like the `bot` fixture, with other settings."""
    settings = make_settings(standin, database_url, **overrides)
    runtime = build_runtime(
        settings, migrate=False, host="127.0.0.1", dispatcher_options={"poll_interval": 0.05}
    )
    runtime.start()
    try:
        assert runtime.server is not None
        url = f"{runtime.server.url}/slack/events"
        yield RunningBot(
            runtime, standin, SlackPlayer(url, settings.slack_signing_secret, standin), settings
        )
    finally:
        runtime.stop()


def test_workspace_admins_coordinate_only_when_the_setting_says_so(standin, database_url):
    """Erin, a workspace owner, coordinates with CERCLE_WORKSPACE_ADMINS_COORDINATE only."""
    standin.add_user("U0ERIN", "erin", real_name="Erin Owner", locale="en-US", is_owner=True)
    with _running(standin, database_url) as bot:
        assert _cmd(bot, "U0ERIN", "rules status")["text"] == COORDINATORS_ONLY
        assert bot.query(lambda db: role_of(db, bot.settings, "U0ERIN")) is Role.MEMBER
    with _running(standin, database_url, workspace_admins_coordinate=True) as bot:
        assert "who stands where" in _cmd(bot, "U0ERIN", "rules status")["text"]
        assert "<@U0ERIN> — workspace admin" in _text(_cmd(bot, "U0BOB", "role"))
        refused = _cmd(bot, "U0ALICE", "role revoke <@U0ERIN> coordinator")
        assert "CERCLE_WORKSPACE_ADMINS_COORDINATE" in refused["text"]
    assert profile_fields("U1", {"is_admin": True})["is_workspace_admin"] is True
    assert profile_fields("U1", {"is_owner": False})["is_workspace_admin"] is False


# ------------------------------------------------------------------ the one check


def _sample_command(name: str, part: str | None) -> str:
    """A command a coordinator would type to change something (sample values exist)."""
    samples = {
        ("survey", None): "survey launch 1",
        ("survey", "export"): "survey export 1",
        ("poll", None): 'poll "Quand ?" "Lundi" "Mardi"',
        ("schedule", None): "schedule pause weekly_tool",
        ("stats", None): "stats all",
        ("toolbox", "add"): "toolbox add",
        ("purpose", "edit"): "purpose edit",
        ("interests", "add"): 'interests add "Zèbres" "Zebras"',
        ("interests", "remove"): "interests remove zebras",
        ("channels", "add"): "channels add <#C0GENERAL|general>",
        ("channels", "remove"): "channels remove <#C0GENERAL|general>",
        ("role", "grant"): "role grant <@U0BOB> coordinator",
        ("role", "revoke"): "role revoke <@U0CAMILLE> facilitator",
    }
    return samples.get((name, part), f"{name} {part or ''} 1".replace("  ", " "))


def _prepare_a_lived_in_community(bot: RunningBot) -> dict[str, Any]:
    """Give each guarded action something real to act on; return coordinators' modals."""
    _cmd(bot, "U0ALICE", "role grant <@U0CAMILLE> facilitator")
    modals: dict[str, dict[str, Any]] = {}
    for text in ("toolbox add", "purpose edit", "rules edit", "survey new", "poll"):
        _cmd(bot, "U0ALICE", text)
        modal = bot.standin.views()[-1]["view"]
        modals[modal["callback_id"]] = modal
    toolbox = modals[View.TOOLBOX_ITEM]
    bot.player.view_submission("U0ALICE", toolbox, _filled(toolbox))
    survey_form = modals[View.SURVEY_CREATE]
    launch = bot.player.view_submission("U0ALICE", survey_form, _filled(survey_form)).json["view"]
    modals[launch["callback_id"]] = launch
    _cmd(bot, "U0ALICE", 'interests add "Zèbres" "Zebras"')
    bot.player.event(
        {"type": "member_joined_channel", "user": "U0CAMILLE", "channel": "C0COMMUNITY"}
    )
    _cmd(bot, "U0BOB", "me")  # Bob's profile and language are stored before the snapshot
    _drain(bot)
    item = bot.query(lambda db: db.scalar(select(ToolboxItem.id)))
    return {
        "modals": modals,
        "values": {Action.TOOLBOX_EDIT: str(item), Action.CLAIM_NEWCOMER: "U0CAMILLE"},
    }


def test_every_guarded_action_refuses_a_member_and_changes_nothing(bot):
    """Every role-declared subcommand, part, button and modal: Bob is told, nothing changes."""
    lived_in = _prepare_a_lived_in_community(bot)
    before, slack_before = _snapshot(bot), _slack_side(bot)
    tried = []
    for sub in bot.runtime.app.subcommands.all():
        needed = [(None, sub.role)] if sub.role is not Role.MEMBER else []
        for part, role in [*needed, *sub.parts()]:
            reply = _cmd(bot, "U0BOB", _sample_command(sub.name, part))
            assert reply == {"response_type": "ephemeral", "text": REFUSAL[role]}, (sub.name, part)
            tried.append(f"{sub.name} {part or ''}".strip())
    for entry in bot.runtime.app.permissions.guarded():
        if entry.kind == "action":
            seen = len(bot.standin.ephemerals("U0BOB"))
            value = lived_in["values"].get(entry.id, "1")
            delivery = bot.player.block_action("U0BOB", entry.id, value=value, channel_id="C0COORD")
            assert delivery.status == 200
            [refusal] = bot.standin.ephemerals("U0BOB")[seen:]
            assert refusal["text"] == REFUSAL[entry.role], entry
        else:
            modal = lived_in["modals"].get(entry.id) or {"callback_id": entry.id, "blocks": []}
            reply = bot.player.view_submission("U0BOB", modal, _filled(modal)).json
            assert reply["response_action"] == "push", entry
            assert REFUSAL[entry.role] in str(reply["view"]), entry
        tried.append(f"{entry.kind} {entry.id}")
    assert {"survey", "survey export", "rules edit", "rules status", "poll", "role grant"} <= set(
        tried
    )
    assert {"action claim_newcomer", "view toolbox_item_modal", "view poll_create_modal"} <= set(
        tried
    )
    assert _slack_side(bot) == slack_before
    after = _snapshot(bot)
    assert {name: rows for name, rows in after.items() if rows != before[name]} == {}


def test_every_button_and_modal_listener_declares_its_role_or_is_a_member_action(bot):
    """Meta: no action/view listener in Bolt escapes both `role=` and the member allow-list."""
    app = bot.runtime.app
    registered = set()
    for listener in app._listeners:
        matcher = listener.matchers[0]
        kind = getattr(matcher.func, "__qualname__", "").split(".")[0]
        cells = matcher.func.__closure__ or ()
        closure = dict(zip(matcher.func.__code__.co_freevars, cells, strict=True))
        if kind in ("event", "command"):
            continue  # events answer nobody's click; the slash command routes to subcommands
        if kind in ("action", "block_action"):
            kind, listener_id = "action", closure["constraints"].cell_contents
        elif kind == "view_submission":
            kind, listener_id = "view", closure["callback_id"].cell_contents
        else:
            raise AssertionError(f"a {kind} listener: register it with app.action or app.view")
        registered.add((kind, listener_id))
        declared = app.permissions.role_for(kind, listener_id)
        if (kind, listener_id) in MEMBER_ACTIONS:
            assert declared is None, (kind, listener_id)
        else:
            assert declared is not None and declared is not Role.MEMBER, (kind, listener_id)
            assert listener.ack_function.required_role is declared, (kind, listener_id)
    assert registered >= MEMBER_ACTIONS  # the allow-list names only real listeners
    assert {(e.kind, e.id) for e in app.permissions.entries()} == registered


def test_a_coordinators_button_in_an_old_message_refuses_a_member(bot):
    """Bob clicking the charter export or a toolbox Edit button he came across: refused."""
    _cmd(bot, "U0ALICE", "toolbox add")
    form = bot.standin.views()[-1]["view"]
    bot.player.view_submission("U0ALICE", form, _filled(form))
    item = bot.query(lambda db: db.scalar(select(ToolboxItem.id)))
    page = _cmd(bot, "U0ALICE", "toolbox")  # Alice's page carries Edit buttons
    assert Action.TOOLBOX_EDIT in str(page) and Action.TOOLBOX_EDIT not in str(
        _cmd(bot, "U0BOB", "toolbox")
    )
    status = _cmd(bot, "U0ALICE", "rules status")
    assert Action.CHARTER_EXPORT in str(status)
    views, files = len(bot.standin.views()), len(bot.standin.files())
    for action, value in ((Action.TOOLBOX_EDIT, str(item)), (Action.CHARTER_EXPORT, "status")):
        message = {"ts": "1700000000.000100", "blocks": page["blocks"] + status["blocks"]}
        bot.player.block_action("U0BOB", action, value=value, message=message)
        assert bot.standin.ephemerals("U0BOB")[-1]["text"] == COORDINATORS_ONLY
    assert (len(bot.standin.views()), len(bot.standin.files())) == (views, files)
    # From an old Home tab (no response URL): the refusal comes as a small modal.
    home = {"id": "V0HOME", "type": "home", "blocks": []}
    bot.player.block_action("U0BOB", Action.CHARTER_EXPORT, value="home", view=home)
    assert COORDINATORS_ONLY in str(bot.standin.views()[-1]["view"])
    assert len(bot.standin.files()) == files


def test_a_role_revoked_a_second_ago_is_already_gone(bot):
    """Bob opens the toolbox form as coordinator; revoked before he submits, nothing is saved."""
    _cmd(bot, "U0ALICE", "role grant <@U0BOB> coordinator")
    _cmd(bot, "U0BOB", "toolbox add")
    form = bot.standin.views()[-1]["view"]
    assert form["callback_id"] == View.TOOLBOX_ITEM
    _cmd(bot, "U0ALICE", "role revoke <@U0BOB> coordinator")
    _drain(bot)  # Bob's notices are sent: the dispatcher changes nothing below
    before = _snapshot(bot)
    reply = bot.player.view_submission("U0BOB", form, _filled(form)).json
    assert COORDINATORS_ONLY in str(reply["view"])
    assert _snapshot(bot) == before


def test_the_guard_keeps_bolt_injection_and_declares_the_role():
    """The wrapper asks Bolt for the listener's own arguments plus `context`, and checks first."""
    from slack_bolt.util.utils import get_arg_names_of_callable

    calls = []

    def handle_thing(ack: Any, body: dict[str, Any]) -> None:
        """Do the thing."""
        calls.append((ack, body))

    guarded = guard_listener(handle_thing, Role.COORDINATOR)
    assert get_arg_names_of_callable(guarded) == ["ack", "body", "context"]
    assert (guarded.__name__, guarded.__doc__) == ("handle_thing", "Do the thing.")
    assert guarded.required_role is Role.COORDINATOR
    with pytest.raises(PermissionDenied):
        guarded(ack=1, body={}, context={"db": None, "settings": Settings(), "user_id": None})
    assert calls == []
