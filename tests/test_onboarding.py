"""Onboarding end to end: joins, the welcome DM, the charter, join questions, greeters, rules.

Every test plays Slack's side with signed requests into the real bot (HTTP server and
outbox dispatcher) and checks what Slack would show (DMs, channel posts, modals,
ephemerals) and what the database kept, once on SQLite and once on PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.runtime import build_runtime
from sandbox.blockkit_limits import validate_blocks, validate_view
from sandbox.signed_client import SlackPlayer
from sandbox.slack import SlackStandIn
from storage.models import (
    CharterAcceptance,
    CharterVersion,
    Newcomer,
    OutboxMessage,
    OutboxStatus,
    utcnow,
)
from tests.conftest import RunningBot, make_settings

COMMUNITY = "C0COMMUNITY"
COORD = "C0COORD"
SECTION_LIMIT = 3000


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def start_bot(standin: SlackStandIn, database_url: str) -> Iterator[Any]:
    """Start the real bot like the `bot` fixture, with settings overridden per test."""
    runtimes = []

    def start(**overrides: Any) -> RunningBot:
        settings = make_settings(standin, database_url, **overrides)
        runtime = build_runtime(
            settings, migrate=False, host="127.0.0.1", dispatcher_options={"poll_interval": 0.05}
        )
        runtime.start()
        runtimes.append(runtime)
        assert runtime.server is not None
        player = SlackPlayer(
            f"{runtime.server.url}/slack/events", settings.slack_signing_secret, standin
        )
        return RunningBot(runtime, standin, player, settings)

    yield start
    for runtime in runtimes:
        runtime.stop()


# ---------------------------------------------------------------- helpers: Slack side


def _join_event(user: str, channel: str = COMMUNITY) -> dict[str, Any]:
    return {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": "C",
        "team": "T0CERCLE",
    }


def _join(bot: RunningBot, user: str = "U0CAMILLE", *, channel: str = COMMUNITY, event_id=None):
    delivery = bot.player.event(_join_event(user, channel), event_id=event_id)
    assert delivery.status == 200
    return delivery


def _leave(bot: RunningBot, user: str, *, channel: str = COMMUNITY) -> None:
    event = {"type": "member_left_channel", "user": user, "channel": channel, "channel_type": "C"}
    assert bot.player.event(event).status == 200


def _texts(node: Any) -> list[str]:
    """Collect every string under a "text" key (message text, blocks, buttons...)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "text" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(_texts(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_texts(item))
    return found


def _all_text(message: dict[str, Any]) -> str:
    return "\n".join(_texts({"text": message.get("text"), "blocks": message.get("blocks")}))


def _block_text(message: dict[str, Any]) -> str:
    return "\n".join(_texts(message.get("blocks") or []))


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        element
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
    ]


def _is_welcome(message: dict[str, Any]) -> bool:
    return any(b.get("block_id") == "welcome_actions" for b in message.get("blocks") or []) and (
        any(b.get("action_id") == "charter_not_now" for b in _buttons(message))
    )


def _welcomes(bot: RunningBot, user: str) -> list[dict[str, Any]]:
    """Return the welcome DMs sent to `user`, edited or not (found by their outbox key)."""
    return _channel_posts(bot, f"D{user[1:]}", f"welcome:{user}:")


def _wait_welcome(bot: RunningBot, user: str = "U0CAMILLE") -> dict[str, Any]:
    return bot.wait_until(
        lambda: next((m for m in bot.standin.dm_messages(user) if _is_welcome(m)), None),
        what=f"welcome DM to {user}",
    )


def _channel_posts(bot: RunningBot, channel: str, key_prefix: str) -> list[dict[str, Any]]:
    return [
        m
        for m in bot.standin.messages(channel)
        if str((m.get("metadata") or {}).get("event_payload", {}).get("key", "")).startswith(
            key_prefix
        )
    ]


def _announcement(bot: RunningBot, user: str = "U0CAMILLE") -> dict[str, Any]:
    posts = bot.wait_until(
        lambda: _channel_posts(bot, COORD, f"newcomer:{user}:"), what="announcement"
    )
    assert len(posts) == 1
    return posts[0]


def _views(bot: RunningBot, user: str, callback_id: str) -> list[dict[str, Any]]:
    return [
        entry["view"]
        for entry in bot.standin.views()
        if entry["user"] == user
        and entry["method"] == "views.open"
        and entry["view"]["callback_id"] == callback_id
    ]


def _click(
    bot: RunningBot,
    user: str,
    action_id: str,
    value: str,
    message: dict[str, Any] | None = None,
    channel_id: str | None = None,
):
    channel = channel_id or (message["channel"] if message else f"D{user[1:]}")
    delivery = bot.player.block_action(
        user, action_id, value=value, channel_id=channel, message=message
    )
    assert delivery.status == 200
    return delivery


def _join_values(
    hopes: str | None = None, interests: tuple[str, ...] = (), introduce: str | None = None
) -> dict[str, Any]:
    """Build `view.state.values` of the join-questions modal as Slack sends them."""
    return {
        "join_hopes": {"join_hopes": {"type": "plain_text_input", "value": hopes}},
        "join_interests": {
            "join_interests": {
                "type": "multi_static_select",
                "selected_options": [
                    {"text": {"type": "plain_text", "text": key}, "value": key} for key in interests
                ],
            }
        },
        "join_introduce": {
            "join_introduce": {
                "type": "radio_buttons",
                "selected_option": (
                    {"text": {"type": "plain_text", "text": introduce}, "value": introduce}
                    if introduce
                    else None
                ),
            }
        },
    }


def _open_join_questions(bot: RunningBot, user: str = "U0CAMILLE") -> dict[str, Any]:
    """Join, click Accept in the welcome DM, and return the join-questions modal opened."""
    _join(bot, user)
    welcome = _wait_welcome(bot, user)
    _click(bot, user, "charter_accept", f"1:{user}", welcome)
    views = _views(bot, user, "join_questions_modal")
    assert len(views) == 1
    return views[0]


def _accept(
    bot: RunningBot,
    user: str = "U0CAMILLE",
    *,
    hopes: str | None = "Échanger des astuces",
    interests: tuple[str, ...] = ("events", "digital-tools"),
    introduce: str | None = "yes",
):
    view = _open_join_questions(bot, user)
    delivery = bot.player.view_submission(user, view, _join_values(hopes, interests, introduce))
    assert delivery.status == 200
    return delivery, view


# ---------------------------------------------------------------- helpers: database side


def _rows(bot: RunningBot, *, prefix: str = "") -> list[OutboxMessage]:
    return bot.query(
        lambda db: list(
            db.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.idempotency_key.startswith(prefix))
                .order_by(OutboxMessage.id)
            )
        )
    )


def _row(bot: RunningBot, key: str) -> OutboxMessage | None:
    return bot.query(
        lambda db: db.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    )


def _drain(bot: RunningBot) -> None:
    """Wait until the dispatcher has nothing left to send."""

    def idle() -> bool:
        unsent = bot.query(
            lambda db: db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)))
            )
        )
        return unsent == 0

    bot.wait_until(idle, what="outbox drained")


def _acceptances(bot: RunningBot, user: str | None = None) -> list[CharterAcceptance]:
    statement = select(CharterAcceptance).order_by(CharterAcceptance.id)
    if user:
        statement = statement.where(CharterAcceptance.user_id == user)
    return bot.query(lambda db: list(db.scalars(statement)))


def _newcomer(bot: RunningBot, user: str) -> Newcomer | None:
    return bot.query(lambda db: db.get(Newcomer, user))


def _charter(bot: RunningBot, version: int) -> CharterVersion | None:
    return bot.query(lambda db: db.get(CharterVersion, version))


def _publish_directly(
    bot: RunningBot,
    version: int,
    *,
    text: str = "Nouvelle charte.",
    requires_reacceptance: bool = True,
) -> None:
    """Insert a charter version straight into the database."""
    with bot.db() as db:
        db.add(
            CharterVersion(
                version=version,
                text_fr=text,
                text_en=text,
                summary_fr=f"• Résumé v{version}",
                summary_en=f"• Summary v{version}",
                requires_reacceptance=requires_reacceptance,
                author_id="U0ALICE",
                created_at=utcnow(),
            )
        )


def _accepted_directly(bot: RunningBot, user: str, version: int = 1) -> None:
    """Record an acceptance straight in the database, for a member Cercle already knows."""
    # Anyone who accepted has talked to Cercle, which then learnt their profile.
    assert bot.player.slash_command(user, "help").status == 200
    with bot.db() as db:
        db.add(
            CharterAcceptance(
                user_id=user,
                version=version,
                accepted_at=utcnow(),
                interests=[],
                may_introduce=False,
            )
        )


def _backdate_welcome(bot: RunningBot, user: str, days: int) -> None:
    """Pretend the member's welcome happened `days` ago (timestamps and dated keys alike)."""
    then = utcnow() - timedelta(days=days)
    with bot.db() as db:
        newcomer = db.get(Newcomer, user)
        assert newcomer is not None
        for attribute in ("welcome_key", "announcement_key"):
            key = getattr(newcomer, attribute)
            old_key = re.sub(r"\d{8}$", f"{then:%Y%m%d}", key)
            db.execute(
                update(OutboxMessage)
                .where(OutboxMessage.idempotency_key == key)
                .values(idempotency_key=old_key, created_at=then)
            )
            setattr(newcomer, attribute, old_key)
        newcomer.welcomed_at = then
        newcomer.joined_at = then


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in parallel threads, released together; return their results in order."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


def _long_charter(total: int = 10_000) -> str:
    """Return a charter of exactly `total` characters in paragraphs."""
    paragraphs = []
    number = 1
    while True:
        paragraph = f"*Article {number:03d}.* " + ("Respect, entraide et confiance. " * 6).strip()
        candidate = "\n\n".join([*paragraphs, paragraph])
        if len(candidate) > total:
            break
        paragraphs.append(paragraph)
        number += 1
    text = "\n\n".join(paragraphs)
    text += "\n\n" + "Fin." + "." * (total - len(text) - 6)
    assert len(text) == total
    return text


# ================================================================ 1. the welcome


def test_join_sends_one_welcome_dm_in_french(bot):
    """Camille (fr) joining the community gets one welcome DM in French with three buttons."""
    _join(bot, "U0CAMILLE", event_id="EvJOIN1")
    welcome = _wait_welcome(bot)
    _drain(bot)

    header = welcome["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "Bienvenue dans la communauté, Camille Durand !"
    text = _all_text(welcome)
    assert "Notre communauté est un lieu pour apprendre" in text  # the purpose
    assert "*La charte en bref*" in text
    assert "• Le respect et la bienveillance" in text  # the French summary
    assert "Charte, version 1" in text
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in _buttons(welcome)] == [
        ("charter_read", "1:U0CAMILLE", "Lire la charte"),
        ("charter_accept", "1:U0CAMILLE", "J'accepte"),
        ("charter_not_now", "1:U0CAMILLE", "Plus tard"),
    ]
    assert validate_blocks(welcome["blocks"], "message") == []
    assert len(_welcomes(bot, "U0CAMILLE")) == 1

    newcomer = _newcomer(bot, "U0CAMILLE")
    assert newcomer.welcomed_at is not None
    assert newcomer.welcomed_version == 1
    assert _row(bot, newcomer.welcome_key).status == OutboxStatus.SENT


def test_join_sends_the_welcome_in_english_to_an_english_member(bot):
    """Bob (en-US) gets the same welcome in English."""
    _join(bot, "U0BOB")
    welcome = _wait_welcome(bot, "U0BOB")
    assert welcome["blocks"][0]["text"]["text"] == "Welcome to the community, Bob Smith!"
    text = _all_text(welcome)
    assert "*The charter in short*" in text
    assert "• Respect and kindness" in text
    assert [b["text"]["text"] for b in _buttons(welcome)] == [
        "Read the charter",
        "I accept",
        "Not now",
    ]
    assert {b["value"] for b in _buttons(welcome)} == {"1:U0BOB"}


def test_join_announces_the_newcomer_to_coordinators_with_a_claim_button(bot):
    """The coordinators' channel gets one announcement with an "I'll welcome them" button."""
    _join(bot, "U0CAMILLE")
    announcement = _announcement(bot)
    assert "<@U0CAMILLE>" in announcement["text"]
    assert "Nouvelle arrivée" in announcement["text"]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in _buttons(announcement)] == [
        ("claim_newcomer", "U0CAMILLE", "Je l'accueille")
    ]
    assert validate_blocks(announcement["blocks"], "message") == []


def test_join_on_another_channel_does_nothing(bot):
    """Joining #general or #coordination welcomes no one."""
    _join(bot, "U0CAMILLE", channel="C0GENERAL")
    _join(bot, "U0BOB", channel=COORD)
    assert _rows(bot) == []
    assert _newcomer(bot, "U0CAMILLE") is None
    assert _newcomer(bot, "U0BOB") is None
    assert bot.standin.dm_messages("U0CAMILLE") == []


# ================================================================ 2. exactly one welcome


def test_redelivered_join_welcomes_once(bot):
    """The same join delivered twice (same event_id) gives one welcome and one announcement."""
    _join(bot, "U0CAMILLE", event_id="EvSAMEJOIN")
    _join(bot, "U0CAMILLE", event_id="EvSAMEJOIN")
    _wait_welcome(bot)
    _drain(bot)
    assert len(_rows(bot, prefix="welcome:U0CAMILLE:")) == 1
    assert len(_rows(bot, prefix="newcomer:U0CAMILLE:")) == 1
    assert len(_welcomes(bot, "U0CAMILLE")) == 1
    assert len(_channel_posts(bot, COORD, "newcomer:U0CAMILLE:")) == 1


def test_join_reported_twice_with_different_event_ids_welcomes_once(bot):
    """Two deliveries of the same join under different event ids still give one welcome."""
    _join(bot, "U0CAMILLE", event_id="EvJOINA")
    _join(bot, "U0CAMILLE", event_id="EvJOINB")
    _wait_welcome(bot)
    _drain(bot)
    assert len(_welcomes(bot, "U0CAMILLE")) == 1
    assert len(_channel_posts(bot, COORD, "newcomer:U0CAMILLE:")) == 1


def test_simultaneous_joins_welcome_once(bot):
    """Four deliveries of one join arriving at the same moment still give one welcome."""
    deliveries = _at_once(
        *[
            (lambda i=i: bot.player.event(_join_event("U0CAMILLE"), event_id=f"EvRACE{i}"))
            for i in range(4)
        ]
    )
    assert all(d.ok for d in deliveries)
    _drain(bot)
    assert len(_welcomes(bot, "U0CAMILLE")) == 1
    assert len(_channel_posts(bot, COORD, "newcomer:U0CAMILLE:")) == 1


def test_leave_and_rejoin_within_30_days_is_not_welcomed_again(bot):
    """A member welcomed 20 days ago who leaves and comes back gets no second welcome."""
    _join(bot, "U0CAMILLE")
    _wait_welcome(bot)
    _drain(bot)
    _leave(bot, "U0CAMILLE")
    assert _newcomer(bot, "U0CAMILLE").left_at is not None
    _backdate_welcome(bot, "U0CAMILLE", days=20)

    _join(bot, "U0CAMILLE")
    _drain(bot)
    assert len(_rows(bot, prefix="welcome:U0CAMILLE:")) == 1
    assert len(_welcomes(bot, "U0CAMILLE")) == 1
    assert len(_channel_posts(bot, COORD, "newcomer:U0CAMILLE:")) == 1
    newcomer = _newcomer(bot, "U0CAMILLE")
    assert newcomer.left_at is None  # back in the community
    assert utcnow() - newcomer.welcomed_at > timedelta(days=19)  # not re-welcomed


def test_rejoin_after_a_welcome_40_days_ago_is_welcomed_again(bot):
    """A member welcomed 40 days ago who left and comes back is welcomed afresh."""
    _join(bot, "U0CAMILLE")
    _wait_welcome(bot)
    _drain(bot)
    _leave(bot, "U0CAMILLE")
    _backdate_welcome(bot, "U0CAMILLE", days=40)

    _join(bot, "U0CAMILLE")
    bot.wait_until(
        lambda: len(_welcomes(bot, "U0CAMILLE")) == 2,
        what="second welcome",
    )
    _drain(bot)
    assert len(_channel_posts(bot, COORD, "newcomer:U0CAMILLE:")) == 2
    newcomer = _newcomer(bot, "U0CAMILLE")
    assert utcnow() - newcomer.welcomed_at < timedelta(minutes=5)


def test_member_who_already_accepted_is_not_welcomed_on_rejoin(bot):
    """Someone covered by the charter in force who rejoins gets no welcome."""
    _accepted_directly(bot, "U0CAMILLE", 1)
    _join(bot, "U0CAMILLE")
    _drain(bot)
    assert _rows(bot, prefix="welcome:") == []
    assert _newcomer(bot, "U0CAMILLE").welcomed_at is None


# ================================================================ 3. who is skipped


def test_bots_guests_and_deactivated_accounts_are_not_welcomed(bot):
    """A bot, Cercle itself, Gina the guest and Gaston (deactivated) joining get nothing."""
    bot.standin.add_user("U0ROBOT", "robot", real_name="Robot", is_bot=True)
    for user in ("U0ROBOT", "U0BOT", "U0GUEST", "U0GONE"):
        _join(bot, user)
        assert _newcomer(bot, user) is None
    assert _rows(bot) == []
    assert bot.standin.calls("chat.postMessage") == []


def test_guests_are_welcomed_when_greet_guests_is_on(start_bot):
    """With greet_guests=True, Gina (en-GB) gets the welcome in English."""
    bot = start_bot(greet_guests=True)
    _join(bot, "U0GUEST")
    welcome = _wait_welcome(bot, "U0GUEST")
    assert welcome["blocks"][0]["text"]["text"] == "Welcome to the community, Gina Guest!"


def test_team_join_is_ignored_in_channel_scope(bot):
    """With the default channel scope, joining the workspace alone welcomes no one."""
    user = bot.standin.get_user("U0CAMILLE")
    assert bot.player.event({"type": "team_join", "user": user}).status == 200
    assert _rows(bot) == []


def test_workspace_scope_does_not_welcome_twice_on_channel_join(start_bot):
    """In workspace scope, the later join of the community channel is no second welcome."""
    bot = start_bot(onboarding_scope="workspace")
    user = bot.standin.get_user("U0BOB")
    assert bot.player.event({"type": "team_join", "user": user}).status == 200
    _wait_welcome(bot, "U0BOB")
    _join(bot, "U0BOB")
    _drain(bot)
    assert len(_welcomes(bot, "U0BOB")) == 1
    assert len(_channel_posts(bot, COORD, "newcomer:U0BOB:")) == 1


def test_team_join_welcomes_in_workspace_scope(start_bot):
    """With onboarding_scope="workspace", joining the workspace triggers the welcome."""
    bot = start_bot(onboarding_scope="workspace")
    user = bot.standin.get_user("U0BOB")
    assert bot.player.event({"type": "team_join", "user": user}).status == 200
    welcome = _wait_welcome(bot, "U0BOB")
    assert {b["value"] for b in _buttons(welcome)} == {"1:U0BOB"}
    _announcement(bot, "U0BOB")


# ================================================================ 4. reading the charter


def test_read_button_opens_the_whole_charter(bot):
    """The Read button opens a modal showing the full text, with an Accept submit."""
    _join(bot)
    welcome = _wait_welcome(bot)
    _click(bot, "U0CAMILLE", "charter_read", "1:U0CAMILLE", welcome)
    views = _views(bot, "U0CAMILLE", "charter_modal")
    assert len(views) == 1
    view = views[0]
    assert validate_view(view, "modal") == []
    assert view["submit"]["text"] == "J'accepte"
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert "\n\n".join(sections) == _charter(bot, 1).text_fr.strip()
    assert _acceptances(bot) == []


def test_long_charter_is_split_into_sections_within_limits(bot):
    """A 10,000-character charter opens in sections of at most 3000 characters, nothing lost."""
    text = _long_charter(10_000)
    _publish_directly(bot, 2, text=text)
    _click(bot, "U0BOB", "charter_read", "2:U0BOB", channel_id="D0BOB")
    views = _views(bot, "U0BOB", "charter_modal")
    assert len(views) == 1
    view = views[0]
    assert validate_view(view, "modal") == []
    sections = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    assert len(sections) >= 4
    assert all(len(s) <= SECTION_LIMIT for s in sections)
    assert "\n\n".join(sections) == text
    assert "Version 2" in _all_text(view)


def test_read_from_an_outdated_message_shows_the_current_charter_with_a_notice(bot):
    """Reading from a v1 message once v2 exists shows v2 and says the charter changed."""
    _publish_directly(bot, 2, text="Texte de la version deux.")
    _click(bot, "U0CAMILLE", "charter_read", "1:U0CAMILLE")
    view = _views(bot, "U0CAMILLE", "charter_modal")[0]
    text = _all_text(view)
    assert "La charte a changé depuis ce message" in text
    assert "Texte de la version deux." in text
    assert view["private_metadata"] == '{"v": 2}'


def test_charter_modal_submit_leads_to_the_join_questions(bot):
    """Submitting the charter modal (its Accept button) turns it into the join questions."""
    _click(bot, "U0CAMILLE", "charter_read", "1:U0CAMILLE")
    view = _views(bot, "U0CAMILLE", "charter_modal")[0]
    delivery = bot.player.view_submission("U0CAMILLE", view, {})
    assert delivery.status == 200
    assert delivery.json["response_action"] == "update"
    assert delivery.json["view"]["callback_id"] == "join_questions_modal"
    assert validate_view(delivery.json["view"], "modal") == []
    assert _acceptances(bot) == []


# ================================================================ 5. accepting


def test_accept_opens_the_optional_join_questions(bot):
    """Accept opens the join questions: hopes and introduction optional, topics offered."""
    view = _open_join_questions(bot)
    assert validate_view(view, "modal") == []
    assert view["private_metadata"] == '{"v": 1}'
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert set(inputs) == {"join_hopes", "join_interests", "join_introduce"}
    assert inputs["join_hopes"]["optional"] is True
    assert inputs["join_introduce"]["optional"] is True
    options = [o["value"] for o in inputs["join_interests"]["element"]["options"]]
    assert "events" in options and "digital-tools" in options
    assert _acceptances(bot) == []  # nothing recorded before the submission


def test_submitting_the_join_questions_records_the_acceptance_with_answers(bot):
    """The submission closes the modal and records version, hopes, topics and consent."""
    delivery, _ = _accept(
        bot, hopes="  Échanger des astuces  ", interests=("events", "digital-tools", "bogus")
    )
    assert not (delivery.json or {}).get("response_action")
    [acceptance] = _acceptances(bot, "U0CAMILLE")
    assert acceptance.version == 1
    assert acceptance.hopes == "Échanger des astuces"
    assert acceptance.interests == ["events", "digital-tools"]  # unknown topics dropped
    assert acceptance.may_introduce is True


def test_acceptance_sends_thanks_and_turns_the_welcome_into_an_accepted_note(bot):
    """The member gets a thank-you DM, and the welcome DM is edited to a note without buttons."""
    _accept(bot)
    _drain(bot)
    dms = bot.standin.dm_messages("U0CAMILLE")
    thanks = [m for m in dms if "Merci Camille Durand" in _all_text(m)]
    assert len(thanks) == 1
    assert f"<#{COMMUNITY}>" in _all_text(thanks[0])

    [welcome] = _welcomes(bot, "U0CAMILLE")
    assert welcome["update_count"] == 1
    assert _buttons(welcome) == []
    assert "Vous avez accepté la charte (version 1)" in _all_text(welcome)
    assert len(bot.standin.calls("chat.update")) == 1


def test_acceptance_invites_to_the_community_channel(bot):
    """Accepting invites the member to the community channel (even if they had left it)."""
    channel = bot.standin.get_channel(COMMUNITY)
    bot.standin.add_channel(
        COMMUNITY,
        channel["name"],
        members=[m for m in channel["members"] if m != "U0CAMILLE"],
    )
    _accept(bot)
    _drain(bot)
    invites = bot.standin.calls("conversations.invite")
    assert [(c["params"]["channel"], c["params"]["users"]) for c in invites] == [
        (COMMUNITY, "U0CAMILLE")
    ]
    assert "U0CAMILLE" in bot.standin.get_channel(COMMUNITY)["members"]
    assert _row(bot, "invite:U0CAMILLE:v1").status == OutboxStatus.SENT


def test_acceptance_by_a_member_already_in_the_channel_is_fine(bot):
    """Inviting someone already in the channel counts as done, not as a failure."""
    _accept(bot)
    _drain(bot)
    [invite] = bot.standin.calls("conversations.invite")
    assert invite["error"] == "already_in_channel"
    row = _row(bot, "invite:U0CAMILLE:v1")
    assert row.status == OutboxStatus.SENT
    assert row.attempts == 1


def test_acceptance_introduces_the_member_with_interests(bot):
    """With consent, an introduction with the chosen topics goes to the community channel."""
    _accept(bot, hopes="Partager nos modèles", interests=("events", "digital-tools"))
    _drain(bot)
    [intro] = _channel_posts(bot, COMMUNITY, "intro:U0CAMILLE")
    text = _block_text(intro)
    assert "<@U0CAMILLE>" in text
    assert "Événements et séminaires, Outils numériques" in text
    assert "Partager nos modèles" in text
    assert validate_blocks(intro["blocks"], "message") == []


def test_introduction_escapes_what_the_member_wrote(bot):
    """Hopes typed as "<!channel> hi" are shown escaped: no @channel ping."""
    _accept(bot, hopes="<!channel> hi & <https://evil.example|click>", interests=())
    _drain(bot)
    [intro] = _channel_posts(bot, COMMUNITY, "intro:U0CAMILLE")
    text = _all_text(intro)
    assert "<!channel>" not in text
    assert "<https://evil.example" not in text
    assert "&lt;!channel&gt; hi &amp;" in text


def test_acceptance_is_reported_to_coordinators_in_one_line(bot):
    """The coordinators get one line saying who accepted which version."""
    _accept(bot)
    _drain(bot)
    lines = _channel_posts(bot, COORD, "accepted:U0CAMILLE:")
    assert len(lines) == 1
    assert lines[0]["text"] == ":white_check_mark: <@U0CAMILLE> a accepté la charte (version 1)."


def test_submitting_the_join_questions_twice_sends_nothing_more(bot):
    """A second submission (double click, second modal) records and sends nothing new."""
    _, view = _accept(bot)
    _drain(bot)
    before = len(bot.standin.messages()), len(bot.standin.calls("chat.update"))
    again = bot.player.view_submission("U0CAMILLE", view, _join_values("Autre chose", (), "yes"))
    assert again.status == 200
    _drain(bot)
    assert (len(bot.standin.messages()), len(bot.standin.calls("chat.update"))) == before
    assert len(_acceptances(bot, "U0CAMILLE")) == 1
    assert _acceptances(bot, "U0CAMILLE")[0].hopes == "Échanger des astuces"
    assert len(_channel_posts(bot, COMMUNITY, "intro:")) == 1
    assert len(_channel_posts(bot, COORD, "accepted:")) == 1


def test_double_submission_at_the_same_moment_records_once(bot):
    """Two submissions of the join questions arriving together give one of everything."""
    view = _open_join_questions(bot)
    values = _join_values("Apprendre", ("events",), "yes")
    deliveries = _at_once(
        lambda: bot.player.view_submission("U0CAMILLE", view, values),
        lambda: bot.player.view_submission("U0CAMILLE", view, values),
    )
    assert [d.status for d in deliveries] == [200, 200]
    _drain(bot)
    assert len(_acceptances(bot, "U0CAMILLE")) == 1
    dms = bot.standin.dm_messages("U0CAMILLE")
    assert len([m for m in dms if "Merci Camille Durand" in _all_text(m)]) == 1
    assert len(_channel_posts(bot, COMMUNITY, "intro:U0CAMILLE")) == 1
    assert len(_channel_posts(bot, COORD, "accepted:U0CAMILLE:")) == 1
    assert len(bot.standin.calls("chat.update")) == 1


def test_no_introduction_when_the_member_declines(bot):
    """Answering "no" to the introduction question posts nothing in the community channel."""
    _accept(bot, introduce="no")
    _drain(bot)
    assert _channel_posts(bot, COMMUNITY, "intro:") == []
    assert _acceptances(bot, "U0CAMILLE")[0].may_introduce is False
    assert len(_channel_posts(bot, COORD, "accepted:U0CAMILLE:")) == 1


def test_no_introduction_when_the_question_is_left_blank(bot):
    """An unanswered introduction question counts as no."""
    _accept(bot, hopes=None, interests=(), introduce=None)
    _drain(bot)
    assert _channel_posts(bot, COMMUNITY, "intro:") == []
    [acceptance] = _acceptances(bot, "U0CAMILLE")
    assert acceptance.hopes is None and acceptance.may_introduce is False


def test_join_questions_off_records_the_acceptance_on_click(start_bot):
    """With join_questions="off", Accept records the acceptance at once, no modal."""
    bot = start_bot(join_questions="off")
    _join(bot, "U0BOB")
    welcome = _wait_welcome(bot, "U0BOB")
    _click(bot, "U0BOB", "charter_accept", "1:U0BOB", welcome)
    assert _views(bot, "U0BOB", "join_questions_modal") == []
    [acceptance] = _acceptances(bot, "U0BOB")
    assert acceptance.version == 1 and acceptance.may_introduce is False
    _drain(bot)
    assert any("Thank you Bob Smith" in _all_text(m) for m in bot.standin.dm_messages("U0BOB"))
    assert _channel_posts(bot, COMMUNITY, "intro:") == []


def test_required_join_questions_refuse_empty_hopes(start_bot):
    """With join_questions="required", the inputs are mandatory and empty hopes are refused."""
    bot = start_bot(join_questions="required")
    view = _open_join_questions(bot, "U0BOB")
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert inputs["join_hopes"]["optional"] is False
    delivery = bot.player.view_submission("U0BOB", view, _join_values("   ", (), "yes"))
    assert delivery.json["response_action"] == "errors"
    assert delivery.json["errors"]["join_hopes"] == "Tell us in a few words what you hope to find."
    assert _acceptances(bot) == []


# ================================================================ 6. wrong clicks


def test_accept_clicked_by_someone_else_is_refused(bot):
    """Bob clicking Accept on Camille's welcome is told it is meant for someone else."""
    _join(bot, "U0CAMILLE")
    welcome = _wait_welcome(bot)
    _click(bot, "U0BOB", "charter_accept", "1:U0CAMILLE", welcome)
    [ephemeral] = bot.standin.ephemerals("U0BOB")
    assert "meant for someone else" in ephemeral["text"]
    assert ephemeral["replace_original"] is False
    assert _views(bot, "U0BOB", "join_questions_modal") == []
    assert _acceptances(bot) == []
    assert bot.standin.messages(welcome["channel"])[0]["update_count"] == 0


def test_accept_when_already_accepted_says_so(bot):
    """A member who already accepted and clicks Accept again is told so; nothing opens."""
    _accept(bot)
    _drain(bot)
    _click(bot, "U0CAMILLE", "charter_accept", "1:U0CAMILLE", channel_id="D0CAMILLE")
    [ephemeral] = bot.standin.ephemerals("U0CAMILLE")
    assert ephemeral["text"] == "Vous avez déjà accepté la charte en vigueur. Merci !"
    assert len(_views(bot, "U0CAMILLE", "join_questions_modal")) == 1
    assert len(_acceptances(bot)) == 1


def test_outdated_accept_button_opens_the_current_charter_instead(bot):
    """Accept on a v1 message after a v2 asking re-acceptance shows v2; v1 is not recorded."""
    _join(bot, "U0CAMILLE")
    welcome = _wait_welcome(bot)
    _publish_directly(bot, 2, text="Texte de la version deux.", requires_reacceptance=True)
    _click(bot, "U0CAMILLE", "charter_accept", "1:U0CAMILLE", welcome)
    assert _views(bot, "U0CAMILLE", "join_questions_modal") == []
    [view] = _views(bot, "U0CAMILLE", "charter_modal")
    assert view["private_metadata"] == '{"v": 2}'
    assert "La charte a changé depuis ce message" in _all_text(view)
    assert "Texte de la version deux." in _all_text(view)
    assert _acceptances(bot) == []


def test_malformed_accept_value_is_refused(bot):
    """A button value that is not "version:user" records nothing and explains."""
    _click(bot, "U0CAMILLE", "charter_accept", "garbage")
    [ephemeral] = bot.standin.ephemerals("U0CAMILLE")
    assert "quelqu'un d'autre" in ephemeral["text"]
    assert _acceptances(bot) == []


def test_join_questions_for_an_outdated_version_record_nothing(bot):
    """A join-questions modal for v1 submitted after v2 (re-acceptance) records no v1."""
    view = _open_join_questions(bot, "U0CAMILLE")
    _publish_directly(bot, 2, text="Texte de la version deux.", requires_reacceptance=True)
    delivery = bot.player.view_submission(
        "U0CAMILLE", view, _join_values("Apprendre", ("events",), "yes")
    )
    assert delivery.status == 200
    _drain(bot)
    assert [a.version for a in _acceptances(bot, "U0CAMILLE")] == []
    assert not any("Merci Camille" in _all_text(m) for m in bot.standin.dm_messages("U0CAMILLE"))


def test_charter_modal_for_an_outdated_version_does_not_lead_to_accepting_it(bot):
    """A v1 charter modal submitted after v2 (re-acceptance) does not go on with v1."""
    _click(bot, "U0CAMILLE", "charter_read", "1:U0CAMILLE")
    [view] = _views(bot, "U0CAMILLE", "charter_modal")
    _publish_directly(bot, 2, text="Texte de la version deux.", requires_reacceptance=True)
    delivery = bot.player.view_submission("U0CAMILLE", view, {})
    assert delivery.status == 200
    follow_up = (delivery.json or {}).get("view") or {}
    assert follow_up.get("private_metadata") != '{"v": 1}'
    assert _acceptances(bot) == []


# ================================================================ 7. validation


def test_hopes_over_500_characters_are_refused_in_the_modal(bot):
    """Hopes of 501 characters get `response_action: errors` on join_hopes; nothing kept."""
    view = _open_join_questions(bot)
    delivery = bot.player.view_submission("U0CAMILLE", view, _join_values("x" * 501, (), "yes"))
    assert delivery.status == 200
    assert delivery.json == {
        "response_action": "errors",
        "errors": {"join_hopes": "500 caractères au plus, s'il vous plaît."},
    }
    _drain(bot)
    assert _acceptances(bot) == []
    assert _rows(bot, prefix="thanks:") == []
    assert _rows(bot, prefix="intro:") == []


def test_hopes_of_exactly_500_characters_are_accepted(bot):
    """500 characters is the limit, not over it."""
    view = _open_join_questions(bot)
    delivery = bot.player.view_submission("U0CAMILLE", view, _join_values("y" * 500, (), "no"))
    assert not (delivery.json or {}).get("response_action")
    assert _acceptances(bot)[0].hopes == "y" * 500


# ================================================================ 8. greeters


def test_greeter_claim_is_recorded_and_the_announcement_shows_who(bot):
    """Alice claims Camille: recorded, told so, and the announcement names her, no button."""
    _join(bot, "U0CAMILLE")
    announcement = _announcement(bot)
    _click(bot, "U0ALICE", "claim_newcomer", "U0CAMILLE", announcement)

    newcomer = _newcomer(bot, "U0CAMILLE")
    assert newcomer.greeter_id == "U0ALICE"
    assert newcomer.greeter_claimed_at is not None
    [ephemeral] = bot.standin.ephemerals("U0ALICE")
    assert "vous accueillez <@U0CAMILLE>" in ephemeral["text"]

    _drain(bot)
    [updated] = _channel_posts(bot, COORD, "newcomer:U0CAMILLE:")
    assert updated["update_count"] == 1
    assert _buttons(updated) == []
    assert "Accueil pris en charge par <@U0ALICE>" in _all_text(updated)
    assert validate_blocks(updated["blocks"], "message") == []


def test_second_greeter_is_told_who_already_claimed(bot):
    """Bob clicking after Alice is told Alice is already on it; the claim stays hers."""
    bot.player.slash_command("U0ALICE", "role grant <@U0BOB|bob> facilitator")  # may claim
    _join(bot, "U0CAMILLE")
    announcement = _announcement(bot)
    _click(bot, "U0ALICE", "claim_newcomer", "U0CAMILLE", announcement)
    _drain(bot)
    _click(bot, "U0BOB", "claim_newcomer", "U0CAMILLE", announcement)

    [ephemeral] = bot.standin.ephemerals("U0BOB")
    assert ephemeral["text"] == "<@U0ALICE> is already welcoming them. Thanks all the same!"
    assert _newcomer(bot, "U0CAMILLE").greeter_id == "U0ALICE"
    _drain(bot)
    assert len(bot.standin.calls("chat.update")) == 1
    assert len(_rows(bot, prefix="newcomer:U0CAMILLE:")) == 2  # the post and one edit


def test_two_greeters_clicking_together_make_one_claim(bot):
    """Alice and Dan claiming at the same moment: one holder, the other is told who."""
    bot.standin.add_user("U0DAN", "dan", real_name="Dan Coord", locale="en-US")
    bot.player.slash_command("U0ALICE", "role grant <@U0DAN> facilitator")  # may claim
    _join(bot, "U0CAMILLE")
    announcement = _announcement(bot)
    _at_once(
        lambda: _click(bot, "U0ALICE", "claim_newcomer", "U0CAMILLE", announcement),
        lambda: _click(bot, "U0DAN", "claim_newcomer", "U0CAMILLE", announcement),
    )
    holder = _newcomer(bot, "U0CAMILLE").greeter_id
    assert holder in ("U0ALICE", "U0DAN")
    other = "U0DAN" if holder == "U0ALICE" else "U0ALICE"
    assert f"<@{holder}>" in bot.standin.ephemerals(other)[0]["text"]
    assert len(bot.standin.ephemerals(holder)) == 1
    _drain(bot)
    [updated] = _channel_posts(bot, COORD, "newcomer:U0CAMILLE:")
    assert f"<@{holder}>" in _all_text(updated)
    assert len(bot.standin.calls("chat.update")) == 1


def test_claiming_an_unknown_newcomer_does_nothing(bot):
    """A claim for someone never welcomed records nothing and sends nothing."""
    _click(bot, "U0ALICE", "claim_newcomer", "U0NOBODY", channel_id=COORD)
    assert bot.standin.ephemerals() == []
    assert _rows(bot) == []


# ================================================================ 9. /cercle rules


def test_rules_shows_summary_pending_status_and_buttons(bot):
    """`/cercle rules` answers ephemerally with the summary, "pending", Read and Accept."""
    reply = bot.player.slash_command("U0BOB", "rules").json
    assert reply["response_type"] == "ephemeral"
    text = _all_text(reply)
    assert "• Respect and kindness" in text
    assert "You have not accepted the charter in force yet." in text
    assert [(b["action_id"], b["value"]) for b in _buttons(reply)] == [
        ("charter_read", "1:U0BOB"),
        ("charter_accept", "1:U0BOB"),
    ]
    assert validate_blocks(reply["blocks"], "message") == []


def test_rules_shows_accepted_status_without_accept_button(bot):
    """After accepting, `/cercle rules` shows the version and date, and only Read."""
    _accept(bot)
    reply = bot.player.slash_command("U0CAMILLE", "rules").json
    today = utcnow().strftime("%d/%m/%Y")
    assert f"Vous avez accepté la version 1 le {today}." in _all_text(reply)
    assert [b["action_id"] for b in _buttons(reply)] == ["charter_read"]


def test_rules_accept_button_opens_the_join_questions(bot):
    """The Accept button of `/cercle rules` works like the welcome's."""
    reply = bot.player.slash_command("U0BOB", "rules").json
    accept = next(b for b in _buttons(reply) if b["action_id"] == "charter_accept")
    _click(bot, "U0BOB", "charter_accept", accept["value"], channel_id=COMMUNITY)
    assert len(_views(bot, "U0BOB", "join_questions_modal")) == 1


def test_rules_history_lists_every_version_newest_first(bot):
    """`/cercle rules history` lists the versions with their re-acceptance flag."""
    _publish_directly(bot, 2, text="Deux.", requires_reacceptance=False)
    reply = bot.player.slash_command("U0BOB", "rules history").json
    assert reply["response_type"] == "ephemeral"
    text = _all_text(reply)
    assert "Charter versions" in text
    assert text.index("*Version 2*") < text.index("*Version 1*")
    assert "wording fix, no re-acceptance" in text
    assert "<@U0ALICE>" in text


def test_rules_edit_is_refused_to_a_member(bot):
    """Bob may not edit the charter: ephemeral refusal, no modal."""
    reply = bot.player.slash_command("U0BOB", "rules edit").json
    assert reply == {
        "response_type": "ephemeral",
        "text": "Only the community's coordinators can do that.",
    }
    assert bot.standin.views() == []


def _open_edit_modal(bot: RunningBot) -> dict[str, Any]:
    delivery = bot.player.slash_command("U0ALICE", "rules edit")
    assert delivery.status == 200
    [view] = _views(bot, "U0ALICE", "charter_edit_modal")
    return view


def _edit_values(view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Build the state Slack sends for the edit modal: initial values, then `changes`."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "plain_text_input":
            value = changes.get(block["block_id"], element.get("initial_value"))
            state: dict[str, Any] = {"type": "plain_text_input", "value": value}
        else:
            ticked = changes.get(block["block_id"], False)
            state = {
                "type": "checkboxes",
                "selected_options": (
                    [{"text": {"type": "plain_text", "text": "yes"}, "value": "yes"}]
                    if ticked
                    else []
                ),
            }
        values[block["block_id"]] = {element["action_id"]: state}
    return values


def test_rules_edit_opens_the_edit_modal_for_a_coordinator(bot):
    """Alice gets the edit modal prefilled with the current texts and summaries."""
    view = _open_edit_modal(bot)
    assert validate_view(view, "modal") == []
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    charter = _charter(bot, 1)
    assert inputs["charter_text_fr_1"]["initial_value"] == charter.text_fr
    assert inputs["charter_text_en_1"]["initial_value"] == charter.text_en
    assert inputs["charter_summary_fr"]["initial_value"] == charter.summary_fr
    assert "charter_reaccept" in inputs


def test_publishing_a_new_version_asks_signatories_to_accept_it(bot):
    """Alice publishes v2 with re-acceptance: saved, each v1 signatory DMed, coordinators told."""
    _accepted_directly(bot, "U0BOB", 1)
    _accepted_directly(bot, "U0CAMILLE", 1)
    view = _open_edit_modal(bot)
    charter = _charter(bot, 1)
    new_fr = charter.text_fr + "\n\n*7. Nouvelle règle*\nOn se tutoie."
    delivery = bot.player.view_submission(
        "U0ALICE",
        view,
        _edit_values(view, charter_text_fr_1=new_fr, charter_reaccept=True),
    )
    assert delivery.status == 200
    assert not (delivery.json or {}).get("response_action")

    v2 = _charter(bot, 2)
    assert v2 is not None
    assert v2.text_fr == new_fr
    assert v2.text_en == charter.text_en
    assert v2.requires_reacceptance is True
    assert v2.author_id == "U0ALICE"

    _drain(bot)
    [bob] = [m for m in bot.standin.dm_messages("U0BOB") if _buttons(m)]
    assert bob["blocks"][0]["text"]["text"] == "The charter has changed"
    assert "version 2" in _all_text(bob)
    assert {b["value"] for b in _buttons(bob)} == {"2:U0BOB"}
    [camille] = [m for m in bot.standin.dm_messages("U0CAMILLE") if _buttons(m)]
    assert camille["blocks"][0]["text"]["text"] == "La charte a évolué"
    assert {b["value"] for b in _buttons(camille)} == {"2:U0CAMILLE"}
    assert bot.standin.dm_messages("U0ALICE") == []  # she never accepted v1

    [line] = _channel_posts(bot, COORD, "charter-published:v2")
    assert "<@U0ALICE> a publié la version 2 de la charte" in line["text"]
    assert "2 membre(s)" in line["text"]


def test_reaccepting_from_the_new_version_dm_covers_the_member_again(bot):
    """Camille accepts v2 from its DM: no questions again, covered, the DM becomes a note."""
    _accepted_directly(bot, "U0CAMILLE", 1)
    view = _open_edit_modal(bot)
    charter = _charter(bot, 1)
    bot.player.view_submission(
        "U0ALICE",
        view,
        _edit_values(
            view, charter_summary_fr=charter.summary_fr + "\n• Nouveau", charter_reaccept=True
        ),
    )
    ask = bot.wait_until(
        lambda: next((m for m in bot.standin.dm_messages("U0CAMILLE") if _buttons(m)), None),
        what="re-acceptance DM",
    )
    _click(bot, "U0CAMILLE", "charter_accept", "2:U0CAMILLE", ask)
    assert _views(bot, "U0CAMILLE", "join_questions_modal") == []  # asked on a first time only
    assert [a.version for a in _acceptances(bot, "U0CAMILLE")] == [1, 2]
    _drain(bot)
    edited = next(m for m in bot.standin.dm_messages("U0CAMILLE") if m["ts"] == ask["ts"])
    assert _buttons(edited) == []
    assert edited["blocks"][0]["text"]["text"] == "La charte a évolué"
    assert "Vous avez accepté la charte (version 2)" in _all_text(edited)
    assert _channel_posts(bot, COMMUNITY, "intro:") == []  # not a first acceptance
    assert len(_channel_posts(bot, COORD, "accepted:U0CAMILLE:v2")) == 1
    reply = bot.player.slash_command("U0CAMILLE", "rules").json
    assert "Vous avez accepté la version 2" in _all_text(reply)


def test_publishing_without_reacceptance_asks_no_one(bot):
    """A wording fix (box unticked) saves v2 but DMs nobody; v1 signatories stay covered."""
    _accepted_directly(bot, "U0BOB", 1)
    view = _open_edit_modal(bot)
    charter = _charter(bot, 1)
    bot.player.view_submission(
        "U0ALICE", view, _edit_values(view, charter_text_en_1=charter.text_en + " Typo fixed.")
    )
    assert _charter(bot, 2).requires_reacceptance is False
    _drain(bot)
    assert bot.standin.dm_messages("U0BOB") == []
    reply = bot.player.slash_command("U0BOB", "rules").json
    assert "You accepted version 1" in _all_text(reply)


def test_edit_submitted_by_a_non_coordinator_is_refused(bot):
    """Permission is checked at submission: Bob submitting the edit view saves nothing."""
    _accepted_directly(bot, "U0CAMILLE", 1)
    view = _open_edit_modal(bot)
    delivery = bot.player.view_submission(
        "U0BOB",
        view,
        _edit_values(view, charter_text_fr_1="Tout est permis.", charter_reaccept=True),
    )
    assert delivery.status == 200
    assert delivery.json["response_action"] == "push"
    assert "Only the community's coordinators can do that." in _all_text(delivery.json["view"])
    assert _charter(bot, 2) is None
    _drain(bot)
    assert _rows(bot) == []
    assert bot.standin.dm_messages("U0CAMILLE") == []


def test_edit_with_unchanged_text_is_refused(bot):
    """Submitting the edit modal untouched gets an error on the first text box."""
    view = _open_edit_modal(bot)
    delivery = bot.player.view_submission("U0ALICE", view, _edit_values(view))
    assert delivery.json["response_action"] == "errors"
    assert set(delivery.json["errors"]) == {"charter_text_fr_1"}
    assert _charter(bot, 2) is None


def test_editing_a_long_charter_keeps_its_whole_text(bot):
    """A 10,000-character charter survives the edit modal untouched (unchanged = refused)."""
    text = _long_charter(10_000)
    _publish_directly(bot, 2, text=text)
    view = _open_edit_modal(bot)
    delivery = bot.player.view_submission("U0ALICE", view, _edit_values(view))
    published = _charter(bot, 3)
    assert published is None, f"published a v3 of {len(published.text_fr)} characters"
    assert (delivery.json or {}).get("response_action") == "errors"


def test_editing_only_a_summary_keeps_the_charter_text_as_it_was(bot):
    """Changing the English summary of a 5,000-character charter leaves its text untouched."""
    lines = [f"Règle {n:03d} : on s'entraide avec bienveillance et respect." for n in range(90)]
    text = "\n".join(lines)
    assert 3000 < len(text) < 9000
    _publish_directly(bot, 2, text=text)
    view = _open_edit_modal(bot)
    bot.player.view_submission(
        "U0ALICE", view, _edit_values(view, charter_summary_en="• Respect\n• Mutual help")
    )
    published = _charter(bot, 3)
    assert published is not None and published.summary_en == "• Respect\n• Mutual help"
    assert published.text_fr == text


def test_a_stale_edit_form_does_not_overwrite_a_newer_version(start_bot):
    """Two coordinators edit v1; the second submission must not silently undo the first."""
    bot = start_bot(admins=("U0ALICE", "U0DAN"))
    bot.standin.add_user("U0DAN", "dan", real_name="Dan Coord", locale="en-US")
    alice_view = _open_edit_modal(bot)
    assert bot.player.slash_command("U0DAN", "rules edit").status == 200
    [dan_view] = _views(bot, "U0DAN", "charter_edit_modal")
    charter = _charter(bot, 1)

    alice_text = charter.text_fr + "\n\n*7. Règle d'Alice*"
    bot.player.view_submission(
        "U0ALICE", alice_view, _edit_values(alice_view, charter_text_fr_1=alice_text)
    )
    assert _charter(bot, 2).text_fr == alice_text
    delivery = bot.player.view_submission(
        "U0DAN", dan_view, _edit_values(dan_view, charter_summary_en="• Dan's summary")
    )
    third = _charter(bot, 3)
    assert third is None or third.text_fr == alice_text, "Alice's rule 7 was silently lost"
    assert (delivery.json or {}).get("response_action") in ("errors", "push")


# ================================================================ 10. not now


def test_not_now_is_acknowledged_and_recorded(bot):
    """The Not now button answers ephemerally and records when the member postponed."""
    _join(bot, "U0BOB")
    welcome = _wait_welcome(bot, "U0BOB")
    _click(bot, "U0BOB", "charter_not_now", "1:U0BOB", welcome)
    [ephemeral] = bot.standin.ephemerals("U0BOB")
    assert ephemeral["text"].startswith("No problem!")
    assert "`/cercle rules`" in ephemeral["text"]
    assert _newcomer(bot, "U0BOB").not_now_at is not None
    assert _acceptances(bot) == []
    _drain(bot)
    assert len(bot.standin.dm_messages("U0BOB")) == 1  # the welcome stays as it was
    assert bot.standin.dm_messages("U0BOB")[0]["update_count"] == 0


def test_not_now_by_someone_else_records_nothing(bot):
    """Bob clicking Camille's "Not now" changes nothing of her record."""
    _join(bot, "U0CAMILLE")
    welcome = _wait_welcome(bot)
    _click(bot, "U0BOB", "charter_not_now", "1:U0CAMILLE", welcome)
    assert _newcomer(bot, "U0CAMILLE").not_now_at is None


# ================================================================ 11. undeliverable welcome


def test_welcome_to_a_closed_dm_fails_once_without_retries(bot):
    """A welcome Slack refuses (account_inactive) ends `failed` after exactly one attempt."""
    bot.standin.add_user("U0DORA", "dora", real_name="Dora Ferme")
    # Cercle learns Dora's profile while she is active...
    assert bot.player.slash_command("U0DORA", "help").status == 200
    # ...then her account is closed before the join reaches the bot.
    bot.standin.add_user("U0DORA", "dora", real_name="Dora Ferme", deleted=True)
    _join(bot, "U0DORA")
    _drain(bot)

    [row] = _rows(bot, prefix="welcome:U0DORA:")
    assert row.status == OutboxStatus.FAILED
    assert row.last_error == "account_inactive"
    assert row.attempts == 1
    posts = [c for c in bot.standin.calls("chat.postMessage") if c["params"]["channel"] == "U0DORA"]
    assert len(posts) == 1
    assert posts[0]["error"] == "account_inactive"
    # The coordinators still hear of the newcomer.
    assert _row(bot, _newcomer(bot, "U0DORA").announcement_key).status == OutboxStatus.SENT
