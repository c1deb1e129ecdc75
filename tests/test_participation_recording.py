"""Participation recorded end to end: each act once, never a message's text, anonymity kept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from psycopg import sql
from sqlalchemy import select

from bot.ids import Action, View
from handlers.participation import parse_channel, slack_time
from storage.charter import record_acceptance
from storage.db import alembic_config, make_engine, make_session_factory, transaction
from storage.models import (
    Member,
    ParticipationDaily,
    ParticipationEvent,
    PollOption,
    ToolboxItem,
    UTCDateTime,
    utcnow,
)
from storage.survey_io import load_template
from storage.surveys import create_survey
from tests.conftest import DATABASES

COMMUNITY = "C0COMMUNITY"
TS = "1764200000.000100"
DAY = date(2025, 11, 26)


# ---------------------------------------------------------------- helpers


def _message(user="U0BOB", *, channel=COMMUNITY, ts=TS, **extra) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "channel_type": "channel",
        "user": user,
        "text": "Bonjour à toutes et à tous",
        "ts": ts,
        **extra,
    }


def _reaction(kind="reaction_added", *, user="U0CAMILLE", name="tada", ts=TS) -> dict[str, Any]:
    return {
        "type": kind,
        "user": user,
        "reaction": name,
        "item_user": "U0BOB",
        "item": {"type": "message", "channel": COMMUNITY, "ts": ts},
        "event_ts": "1764200050.000300",
    }


def _events(bot, kind: str | None = None) -> list[tuple[str, str, str, str | None]]:
    def read(db):
        query = select(ParticipationEvent).order_by(ParticipationEvent.id)
        if kind is not None:
            query = query.where(ParticipationEvent.kind == kind)
        return [(e.source_key, e.user_id, e.kind, e.channel_id) for e in db.scalars(query)]

    return bot.query(read)


def _daily(bot) -> dict[tuple[date, str, str], int]:
    return bot.query(
        lambda db: {
            (row.day, row.user_id, row.kind): row.count
            for row in db.scalars(select(ParticipationDaily))
        }
    )


def _member(bot, user_id: str) -> Member | None:
    return bot.query(lambda db: db.get(Member, user_id))


def _deliver_thrice(bot, event: dict[str, Any], event_id: str) -> None:
    """Deliver an event, its redelivery, and Slack's retry (X-Slack-Retry-Num) of it."""
    first = bot.player.event(event, event_id=event_id)
    assert first.status == 200
    assert bot.player.event(event, event_id=event_id).status == 200
    retry = bot.player.send_raw(
        json.dumps(first.sent),
        {
            "Content-Type": "application/json",
            "X-Slack-Retry-Num": "1",
            "X-Slack-Retry-Reason": "http_timeout",
        },
    )
    assert retry.status == 200


def _ephemeral_text(delivery) -> str:
    return delivery.json["text"] + json.dumps(delivery.json.get("blocks", []), ensure_ascii=False)


# ---------------------------------------------------------------- pure helpers


def test_slack_timestamps_become_utc_times():
    """A Slack ts gives its UTC time to the microsecond; a malformed one gives None."""
    assert slack_time("1764200000.000100") == datetime(2025, 11, 26, 23, 33, 20, 100, tzinfo=UTC)
    assert slack_time("1764200000") == datetime(2025, 11, 26, 23, 33, 20, tzinfo=UTC)
    for bad in (None, "", "abc", "1.x", "-1.0", "9" * 30):
        assert slack_time(bad) is None


def test_channel_mentions_and_ids_are_parsed():
    """`<#C1|name>`, `<#C1>` and bare ids are understood; anything else is not."""
    assert parse_channel("<#C0GENERAL|general>") == "C0GENERAL"
    assert parse_channel("<#G0PRIVATE>") == "G0PRIVATE"
    assert parse_channel(" C0GENERAL ") == "C0GENERAL"
    for bad in ("#general", "<@U0BOB>", "D0BOB", "general", "GENERAL", "<#C0X|a"):
        assert parse_channel(bad) is None


# ---------------------------------------------------------------- messages


def test_a_message_counts_once_however_often_it_arrives(bot):
    """Redelivery, Slack's retry and the same message under another event id: one event."""
    _deliver_thrice(bot, _message(), "EvMSG1")
    assert bot.player.event(_message(), event_id="EvMSG1-other-id").status == 200
    assert _events(bot) == [(f"message:{COMMUNITY}:{TS}", "U0BOB", "message", COMMUNITY)]
    assert _daily(bot) == {(DAY, "U0BOB", "message"): 1}
    assert _member(bot, "U0BOB").first_message_at == slack_time(TS)


def test_no_text_is_stored(bot):
    """What a member wrote appears nowhere in the participation tables."""
    bot.player.event(_message(text="secret plans"), event_id="EvTEXT")
    rows = bot.query(lambda db: [repr(vars(e)) for e in db.scalars(select(ParticipationEvent))])
    assert rows and not any("secret" in row for row in rows)


def test_thread_replies_are_replies(bot):
    """A message whose thread_ts differs from its ts is a reply; a thread's parent is not."""
    bot.player.event(_message(thread_ts=TS), event_id="EvPARENT")
    reply_ts = "1764200010.000200"
    bot.player.event(_message("U0CAMILLE", ts=reply_ts, thread_ts=TS), event_id="EvREPLY")
    broadcast_ts = "1764200020.000300"
    broadcast = _message("U0ALICE", ts=broadcast_ts, thread_ts=TS, subtype="thread_broadcast")
    bot.player.event(broadcast, event_id="EvBROADCAST")
    assert [(key, kind) for key, _, kind, _ in _events(bot)] == [
        (f"message:{COMMUNITY}:{TS}", "message"),
        (f"message:{COMMUNITY}:{reply_ts}", "reply"),
        (f"message:{COMMUNITY}:{broadcast_ts}", "reply"),
    ]


def test_an_edit_is_not_new_participation(bot):
    """message_changed records nothing: the edited message still counts once."""
    bot.player.event(_message(), event_id="EvORIGINAL")
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel": COMMUNITY,
        "channel_type": "channel",
        "hidden": True,
        "ts": "1764200030.000400",
        "message": {**_message(text="Bonjour à toutes !"), "edited": {"user": "U0BOB"}},
        "previous_message": _message(),
    }
    assert bot.player.event(edit, event_id="EvEDIT").status == 200
    assert len(_events(bot)) == 1
    assert _daily(bot) == {(DAY, "U0BOB", "message"): 1}


def test_a_deleted_message_is_taken_back(bot):
    """message_deleted removes the event and takes one off the day's count, once."""
    bot.player.event(_message(), event_id="EvTODELETE")
    other_ts = "1764200040.000500"
    bot.player.event(_message(ts=other_ts), event_id="EvKEPT")
    deleted = {
        "type": "message",
        "subtype": "message_deleted",
        "channel": COMMUNITY,
        "channel_type": "channel",
        "hidden": True,
        "deleted_ts": TS,
        "ts": "1764200060.000600",
        "previous_message": _message(),
    }
    _deliver_thrice(bot, deleted, "EvDELETED")
    bot.player.event(deleted, event_id="EvDELETED-again")  # under another id: nothing left
    assert [key for key, *_ in _events(bot)] == [f"message:{COMMUNITY}:{other_ts}"]
    assert _daily(bot) == {(DAY, "U0BOB", "message"): 1}


def test_a_deleted_thread_parent_tombstone_is_taken_back(bot):
    """A parent deleted while it has replies comes as message_changed to a tombstone."""
    bot.player.event(_message(thread_ts=TS), event_id="EvPARENT2")
    tombstone = {
        "type": "message",
        "subtype": "message_changed",
        "channel": COMMUNITY,
        "channel_type": "channel",
        "hidden": True,
        "ts": "1764200070.000700",
        "message": {
            "type": "message",
            "subtype": "tombstone",
            "text": "This message was deleted.",
            "user": "USLACKBOT",
            "hidden": True,
            "ts": TS,
            "thread_ts": TS,
        },
    }
    assert bot.player.event(tombstone, event_id="EvTOMBSTONE").status == 200
    assert _events(bot) == []
    assert _daily(bot) == {(DAY, "U0BOB", "message"): 0}


def test_bot_messages_cercle_itself_and_channel_notices_are_ignored(bot):
    """Bot posts, Cercle's own posts, Slackbot and join notices are not participation."""
    ignored = [
        _message("U0OTHERBOT", subtype="bot_message", bot_id="B0OTHER"),
        _message("U0OTHERBOT", ts="1764200001.000100", bot_id="B0OTHER"),
        _message("U0BOT", ts="1764200002.000100"),
        _message("USLACKBOT", ts="1764200003.000100"),
        _message("U0BOB", ts="1764200004.000100", subtype="channel_join"),
        _message("U0BOB", ts="1764200005.000100", subtype="channel_topic"),
    ]
    for number, event in enumerate(ignored):
        assert bot.player.event(event, event_id=f"EvIGNORED{number}").status == 200
    assert _events(bot) == []
    assert _daily(bot) == {}


def test_messages_in_other_channels_are_ignored(bot):
    """A channel that is not counted records nothing."""
    bot.player.event(_message(channel="C0GENERAL"), event_id="EvGENERAL")
    assert _events(bot) == []


def test_a_direct_message_is_answered_and_not_counted(bot):
    """DMs to Cercle still get their reply; they are not community participation."""
    dm = _message(channel="D0BOB", channel_type="im", text="hello?")
    assert bot.player.event(dm, event_id="EvDM").status == 200
    bot.wait_until(lambda: bot.standin.dm_messages("U0BOB"), what="the DM reply")
    assert _events(bot) == []


# ---------------------------------------------------------------- /cercle channels


def test_a_coordinator_adds_a_channel_and_its_messages_count(bot):
    """`channels add #general` makes its messages count; `remove` stops it, keeping the past."""
    reply = bot.player.slash_command("U0ALICE", "channels add <#C0GENERAL|general>")
    assert reply.status == 200 and "<#C0GENERAL>" in reply.json["text"]
    assert "/invite @Cercle" in reply.json["text"]
    listing = _ephemeral_text(bot.player.slash_command("U0BOB", "channels"))
    assert "<#C0COMMUNITY>" in listing and "<#C0GENERAL>" in listing
    assert "added by <@U0ALICE>" in listing  # Bob reads English
    bot.player.event(_message(channel="C0GENERAL"), event_id="EvGENERAL1")
    assert _events(bot) == [(f"message:C0GENERAL:{TS}", "U0BOB", "message", "C0GENERAL")]

    reply = bot.player.slash_command("U0ALICE", "channels remove C0GENERAL")
    assert "n'est plus compté" in reply.json["text"]
    later = "1764200090.000900"
    bot.player.event(_message(channel="C0GENERAL", ts=later), event_id="EvGENERAL2")
    assert len(_events(bot)) == 1


def test_channel_changes_are_for_coordinators_and_explained(bot):
    """Members may list but not change; mistakes get a clear message in the member's language."""
    denied = bot.player.slash_command("U0BOB", "channels add <#C0GENERAL|general>")
    assert "coordinators" in denied.json["text"]
    bad = bot.player.slash_command("U0ALICE", "channels add général")
    assert "Je ne reconnais pas le canal `général`" in bad.json["text"]
    main = bot.player.slash_command("U0ALICE", "channels remove <#C0COMMUNITY|communaute>")
    assert "toujours compté" in main.json["text"]
    usage = bot.player.slash_command("U0BOB", "channels frobnicate")
    assert "Usage" in usage.json["text"]
    again = bot.player.slash_command("U0ALICE", "channels add C0COMMUNITY")
    assert "déjà compté" in again.json["text"]
    help_text = _ephemeral_text(bot.player.slash_command("U0ALICE", "help"))
    assert "channels [add|remove #channel]" in help_text


# ---------------------------------------------------------------- reactions


def test_reactions_are_recorded_once_and_taken_back(bot):
    """reaction_added counts once under redelivery; reaction_removed takes it back."""
    _deliver_thrice(bot, _reaction(), "EvREACT")
    bot.player.event(_reaction(name="heart"), event_id="EvREACT2")
    key = f"reaction:{COMMUNITY}:{TS}:U0CAMILLE:tada"
    assert [k for k, *_ in _events(bot)] == [key, f"reaction:{COMMUNITY}:{TS}:U0CAMILLE:heart"]
    assert _daily(bot) == {(DAY, "U0CAMILLE", "reaction"): 2}
    _deliver_thrice(bot, _reaction("reaction_removed"), "EvUNREACT")
    assert [k for k, *_ in _events(bot)] == [f"reaction:{COMMUNITY}:{TS}:U0CAMILLE:heart"]
    assert _daily(bot) == {(DAY, "U0CAMILLE", "reaction"): 1}


def test_reactions_elsewhere_or_by_cercle_are_ignored(bot):
    """A reaction in another channel, on a file, or by Cercle itself records nothing."""
    elsewhere = _reaction()
    elsewhere["item"] = {"type": "message", "channel": "C0GENERAL", "ts": TS}
    bot.player.event(elsewhere, event_id="EvREACT-ELSEWHERE")
    on_file = _reaction()
    on_file["item"] = {"type": "file", "file": "F0FILE"}
    bot.player.event(on_file, event_id="EvREACT-FILE")
    bot.player.event(_reaction(user="U0BOT"), event_id="EvREACT-BOT")
    assert _events(bot) == []


# ---------------------------------------------------------------- polls


def _poll_options(bot, text: str) -> tuple[int, dict[str, int]]:
    # Alice coordinates: creating a poll needs the facilitator role at least.
    assert bot.player.slash_command("U0ALICE", text).status == 200

    def read(db):
        options = list(db.scalars(select(PollOption).order_by(PollOption.id.desc())))
        poll_id = options[0].poll_id
        return poll_id, {o.label: o.id for o in options if o.poll_id == poll_id}

    return bot.query(read)


def _vote(bot, user, poll_id, option_id):
    delivery = bot.player.block_action(user, Action.POLL_VOTE, value=f"{poll_id}:{option_id}")
    assert delivery.status == 200


def test_a_named_vote_is_one_event_per_member_and_poll(bot):
    """The first vote records an event; a change, a withdrawal and a new vote add nothing."""
    poll_id, options = _poll_options(bot, 'poll "Quel format ?" "Atelier" "Café"')
    _vote(bot, "U0BOB", poll_id, options["Atelier"])
    _vote(bot, "U0BOB", poll_id, options["Café"])  # a change
    _vote(bot, "U0BOB", poll_id, options["Café"])  # withdrawn
    _vote(bot, "U0BOB", poll_id, options["Atelier"])  # and cast again
    assert _events(bot, "poll_vote") == [
        (f"vote:poll:{poll_id}:U0BOB", "U0BOB", "poll_vote", COMMUNITY)
    ]
    today = utcnow().date()
    assert _daily(bot)[(today, "U0BOB", "poll_vote")] == 1
    assert _member(bot, "U0BOB").first_answer_at is not None


def test_an_anonymous_vote_is_only_counted(bot):
    """An anonymous vote adds to a count without a member, and leaves no event naming them.

    A change of vote is not counted again; a vote withdrawn and cast again is (the ballot
    box keeps no trace of withdrawn votes).
    """
    poll_id, options = _poll_options(bot, 'poll "Anonyme ?" "A" "B" --anonymous')
    _vote(bot, "U0BOB", poll_id, options["A"])
    _vote(bot, "U0BOB", poll_id, options["B"])  # a change: not counted again
    today = utcnow().date()
    assert _daily(bot) == {(today, "", "poll_vote"): 1}
    assert _events(bot) == []
    _vote(bot, "U0BOB", poll_id, options["B"])  # withdrawn...
    _vote(bot, "U0BOB", poll_id, options["A"])  # ...and cast again: counted again
    assert _daily(bot) == {(today, "", "poll_vote"): 2}
    assert _events(bot) == []
    assert _member(bot, "U0BOB").first_answer_at is None


# ---------------------------------------------------------------- surveys


def _launch_survey(bot, *, anonymous: bool) -> int:
    spec = load_template("needs-fr")
    spec = type(spec)(**{**spec.__dict__, "anonymous": anonymous})
    with bot.db() as db:
        record_acceptance(db, user_id="U0BOB", version=1)  # Bob is in the community
        survey = create_survey(
            db, spec, created_by="U0ALICE", closes_at=utcnow() + timedelta(days=7), remind=False
        )
        survey_id = survey.id
    assert bot.player.slash_command("U0ALICE", f"survey launch {survey_id}").status == 200
    return survey_id


def _answer_survey(bot, user: str, survey_id: int) -> None:
    """Click Answer in the invitation and submit every page."""
    invitation = bot.wait_until(lambda: bot.standin.dm_messages(user), what="invitation")[0]
    bot.player.block_action(
        user, Action.SURVEY_ANSWER, value=str(survey_id), channel_id=invitation["channel"]
    )
    view = bot.standin.views()[-1]["view"]
    while view.get("callback_id") == View.SURVEY_ANSWER:
        values = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            if element["type"] == "radio_buttons":
                state = {"type": "radio_buttons", "selected_option": element["options"][0]}
            elif element["type"] == "checkboxes":
                state = {"type": "checkboxes", "selected_options": element["options"][:1]}
            else:
                state = {"type": "plain_text_input", "value": "Plus d'ateliers"}
            values[block["block_id"]] = {"answer": state}
        reply = bot.player.view_submission(user, view, values).json
        assert reply["response_action"] == "update", reply
        view = reply["view"]


def test_a_named_survey_answer_is_one_event(bot):
    """Finishing a named survey records one event; answering it again adds nothing."""
    survey_id = _launch_survey(bot, anonymous=False)
    _answer_survey(bot, "U0BOB", survey_id)
    _answer_survey(bot, "U0BOB", survey_id)
    assert _events(bot, "survey_response") == [
        (f"answer:survey:{survey_id}:U0BOB", "U0BOB", "survey_response", None)
    ]
    assert _daily(bot)[(utcnow().date(), "U0BOB", "survey_response")] == 1


def test_an_anonymous_survey_answer_is_only_counted(bot):
    """Finishing an anonymous survey adds to a count without a member, once."""
    survey_id = _launch_survey(bot, anonymous=True)
    _answer_survey(bot, "U0BOB", survey_id)
    _answer_survey(bot, "U0BOB", survey_id)
    daily = _daily(bot)
    assert daily[(utcnow().date(), "", "survey_response")] == 1
    assert not any(kind == "survey_response" and user for (_, user, kind) in daily)
    assert _events(bot, "survey_response") == []
    # Bob's only recorded act is his charter acceptance, made when setting up the test.
    assert [kind for _, user, kind, _ in _events(bot) if user == "U0BOB"] == ["charter_acceptance"]


# ---------------------------------------------------------------- charter, toolbox


def test_accepting_the_charter_is_recorded_once(bot):
    """The acceptance is an event named like the migration's backfill; a second click adds none."""
    bot.player.block_action("U0BOB", Action.CHARTER_ACCEPT, value="1:U0BOB", channel_id="D0BOB")
    modal = next(
        v["view"]
        for v in bot.standin.views()
        if v["view"].get("callback_id") == View.JOIN_QUESTIONS
    )
    values = {
        "join_hopes": {"join_hopes": {"type": "plain_text_input", "value": None}},
        "join_interests": {
            "join_interests": {"type": "multi_static_select", "selected_options": []}
        },
        "join_introduce": {"join_introduce": {"type": "radio_buttons", "selected_option": None}},
    }
    assert bot.player.view_submission("U0BOB", modal, values).status == 200
    bot.player.block_action("U0BOB", Action.CHARTER_ACCEPT, value="1:U0BOB", channel_id="D0BOB")
    assert _events(bot) == [("charter:U0BOB:v1", "U0BOB", "charter_acceptance", None)]
    assert _daily(bot) == {(utcnow().date(), "U0BOB", "charter_acceptance"): 1}


def test_opening_a_tool_is_a_visit(bot):
    """Each Open click is a visit, recorded as `visit:<visit id>`."""
    item_id = bot.query(
        lambda db: db.scalar(select(ToolboxItem.id).where(ToolboxItem.retired_at.is_(None)))
    )
    for _ in range(2):
        bot.player.block_action("U0BOB", Action.TOOLBOX_OPEN, value=str(item_id))
    events = _events(bot)
    assert [(user, kind) for _, user, kind, _ in events] == [("U0BOB", "toolbox_visit")] * 2
    assert all(key.startswith("visit:") for key, *_ in events)
    assert _daily(bot) == {(utcnow().date(), "U0BOB", "toolbox_visit"): 2}


# ---------------------------------------------------------------- joins and leaves


def _membership(kind: str, user: str, ts: str, channel: str = COMMUNITY) -> dict[str, Any]:
    return {
        "type": kind,
        "user": user,
        "channel": channel,
        "channel_type": "C",
        "team": "T0CERCLE",
        "event_ts": ts,
    }


def test_joins_and_leaves_are_recorded_with_the_directory_dates(bot):
    """A join and a leave count once each and set joined_at/left_at; a rejoin reopens."""
    join_ts, leave_ts, rejoin_ts = "1764200100.000000", "1764300100.000000", "1764400100.000000"
    _deliver_thrice(bot, _membership("member_joined_channel", "U0CAMILLE", join_ts), "EvJOIN")
    bot.player.event(_membership("member_joined_channel", "U0CAMILLE", join_ts), event_id="EvJ2")
    member = _member(bot, "U0CAMILLE")
    assert (member.joined_at, member.left_at) == (slack_time(join_ts), None)

    bot.player.event(_membership("member_left_channel", "U0CAMILLE", leave_ts), event_id="EvL")
    member = _member(bot, "U0CAMILLE")
    assert (member.joined_at, member.left_at) == (slack_time(join_ts), slack_time(leave_ts))

    bot.player.event(_membership("member_joined_channel", "U0CAMILLE", rejoin_ts), event_id="EvR")
    member = _member(bot, "U0CAMILLE")
    assert (member.joined_at, member.left_at) == (slack_time(rejoin_ts), None)
    assert [(key, kind) for key, _, kind, _ in _events(bot)] == [
        (f"join:U0CAMILLE:{join_ts}", "join"),
        (f"leave:U0CAMILLE:{leave_ts}", "leave"),
        (f"join:U0CAMILLE:{rejoin_ts}", "join"),
    ]
    daily = _daily(bot)
    assert daily[(slack_time(join_ts).date(), "U0CAMILLE", "join")] == 1
    assert daily[(slack_time(leave_ts).date(), "U0CAMILLE", "leave")] == 1


def test_a_second_join_keeps_the_first_date(bot):
    """Two joins without a leave between them keep the first join date."""
    first, second = "1764200100.000000", "1764200200.000000"
    bot.player.event(_membership("member_joined_channel", "U0BOB", first), event_id="EvJA")
    bot.player.event(_membership("member_joined_channel", "U0BOB", second), event_id="EvJB")
    assert _member(bot, "U0BOB").joined_at == slack_time(first)


def test_a_join_of_an_unknown_member_makes_a_minimal_row(bot):
    """Someone Slack could not describe gets a bare row with the join date, marked stale."""
    ts = "1764200100.000000"
    bot.player.event(_membership("member_joined_channel", "U0GHOST", ts), event_id="EvGHOST")
    member = _member(bot, "U0GHOST")
    assert member is not None and member.joined_at == slack_time(ts)
    assert member.display_name is None and member.refreshed_at < utcnow() - timedelta(days=365)


def test_joins_elsewhere_and_of_cercle_itself_are_ignored(bot):
    """Joining another channel, or Cercle joining, is not a community join."""
    bot.player.event(
        _membership("member_joined_channel", "U0BOB", "1764200100.0", channel="C0GENERAL"),
        event_id="EvJOTHER",
    )
    bot.player.event(_membership("member_joined_channel", "U0BOT", "1764200101.0"), event_id="EvJB")
    assert _events(bot) == []


# ---------------------------------------------------------------- migration 0012


@pytest.fixture(params=DATABASES)
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL server binaries not found (CI=true makes this a failure)")
    name = f"m_{uuid.uuid4().hex[:16]}"
    admin_url = server.url_for("postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield server.url_for(name)


def test_migration_0012_records_what_was_known(empty_database_url):
    """Acceptances, visits, joins and leaves made before 0012 become events and daily counts."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0011")
    engine = make_engine(empty_database_url)
    accepted = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
    visited = datetime(2026, 10, 2, 10, 0, tzinfo=UTC)
    joined = datetime(2026, 9, 30, 8, 0, tzinfo=UTC)
    left = datetime(2026, 10, 3, 17, 0, tzinfo=UTC)
    acceptances = sa.table(
        "charter_acceptances",
        sa.column("user_id", sa.String),
        sa.column("version", sa.Integer),
        sa.column("accepted_at", UTCDateTime()),
        sa.column("interests", sa.JSON),
        sa.column("may_introduce", sa.Boolean),
    )
    visits = sa.table(
        "toolbox_visits",
        sa.column("id", sa.Integer),
        sa.column("item_id", sa.Integer),
        sa.column("user_id", sa.String),
        sa.column("visited_at", UTCDateTime()),
    )
    newcomers = sa.table(
        "newcomers",
        sa.column("user_id", sa.String),
        sa.column("joined_at", UTCDateTime()),
        sa.column("left_at", UTCDateTime()),
        sa.column("reminders_sent", sa.Integer),
    )
    members = sa.table(
        "members",
        sa.column("user_id", sa.String),
        sa.column("is_bot", sa.Boolean),
        sa.column("is_guest", sa.Boolean),
        sa.column("is_deleted", sa.Boolean),
        sa.column("refreshed_at", UTCDateTime()),
    )
    items = sa.table("toolbox_items", sa.column("id", sa.Integer))
    with engine.begin() as connection:
        item_id = connection.scalar(select(items.c.id).order_by(items.c.id).limit(1))
        connection.execute(
            sa.insert(acceptances).values(
                user_id="U0BOB", version=1, accepted_at=accepted, interests=[], may_introduce=False
            )
        )
        connection.execute(
            sa.insert(visits).values(id=7, item_id=item_id, user_id="U0BOB", visited_at=visited)
        )
        connection.execute(
            sa.insert(newcomers),
            [
                {"user_id": "U0CAMILLE", "joined_at": joined, "left_at": left, "reminders_sent": 0},
                {"user_id": "U0DIANE", "joined_at": joined, "left_at": None, "reminders_sent": 0},
            ],
        )
        connection.execute(
            sa.insert(members),
            [
                {
                    "user_id": user,
                    "is_bot": False,
                    "is_guest": False,
                    "is_deleted": False,
                    "refreshed_at": joined,
                }
                for user in ("U0CAMILLE", "U0DIANE")
            ],
        )
    command.upgrade(config, "head")

    with transaction(make_session_factory(engine)) as db:
        events = {
            (e.source_key, e.user_id, e.kind, e.occurred_at)
            for e in db.scalars(select(ParticipationEvent))
        }
        daily = {
            (d.day, d.user_id, d.kind): d.count for d in db.scalars(select(ParticipationDaily))
        }
        dates = {m.user_id: (m.joined_at, m.left_at) for m in db.scalars(select(Member))}
    assert events == {
        ("charter:U0BOB:v1", "U0BOB", "charter_acceptance", accepted),
        ("visit:7", "U0BOB", "toolbox_visit", visited),
        (f"join:U0CAMILLE:{joined.isoformat()}", "U0CAMILLE", "join", joined),
        (f"leave:U0CAMILLE:{left.isoformat()}", "U0CAMILLE", "leave", left),
        (f"join:U0DIANE:{joined.isoformat()}", "U0DIANE", "join", joined),
    }
    assert daily == {
        (accepted.date(), "U0BOB", "charter_acceptance"): 1,
        (visited.date(), "U0BOB", "toolbox_visit"): 1,
        (joined.date(), "U0CAMILLE", "join"): 1,
        (left.date(), "U0CAMILLE", "leave"): 1,
        (joined.date(), "U0DIANE", "join"): 1,
    }
    assert dates == {"U0CAMILLE": (joined, left), "U0DIANE": (joined, None)}
    engine.dispose()
