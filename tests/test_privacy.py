"""Privacy by design end to end: my data, forget me (Slack and CLI), tracking, retention."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.anonymity import fingerprint
from bot.config import Settings
from bot.digest import post_weekly_digest, weekly_activity
from bot.errors import CercleError
from bot.ids import Action, Block, View
from bot.privacy import apply_retention, export_file
from bot.privacy_cli import _checked_user_id, cmd_forget
from bot.reports import community_stats, stats_as_dict
from bot.surveys import ballot_box as survey_box
from sandbox.blockkit_limits import validate_view
from scheduled.jobs import RETENTION_JOB_ID, fixed_jobs
from storage.charter import record_acceptance
from storage.community import PURPOSE, save_text
from storage.members import save_profile
from storage.models import (
    Base,
    CharterVersion,
    DirectMessageChannel,
    Member,
    MemberPreference,
    OutboxMessage,
    OutboxStatus,
    ParticipationDaily,
    ParticipationEvent,
    Poll,
    PollOption,
    RoleGrant,
    SurveySegmentCount,
    ToolboxItem,
    ToolboxVisit,
    utcnow,
)
from storage.onboarding import claim_newcomer, note_join
from storage.outbox import enqueue_file, enqueue_message
from storage.participation import add_channel, record
from storage.preferences import set_nudges, snooze
from storage.privacy import (
    IMPERSONAL_TABLES,
    PERSONAL_TABLES,
    documented_remnants,
    find_remnants,
    months_before,
)
from storage.roster import mark_joined
from storage.schedules import set_schedule
from storage.survey_io import load_template
from storage.surveys import complete, create_survey, launch, save_answers, survey_questions
from storage.toolbox import record_visit

REPO = Path(__file__).resolve().parent.parent
BOB = "U0BOB"
COMMUNITY = "C0COMMUNITY"


# ---------------------------------------------------------------- helpers


def _poll_id(bot, question: str) -> int:
    return bot.query(lambda db: db.scalar(select(Poll.id).where(Poll.question == question)))


def _vote(bot, user: str, poll_id: int, label: str) -> None:
    option = bot.query(
        lambda db: db.scalar(
            select(PollOption.id).where(PollOption.poll_id == poll_id, PollOption.label == label)
        )
    )
    before = len(bot.standin.ephemerals(user))
    bot.player.block_action(user, Action.POLL_VOTE, value=f"{poll_id}:{option}")
    bot.wait_until(lambda: bot.standin.ephemerals(user)[before:], what="the vote's answer")


def _settled(bot) -> None:
    """Wait until the dispatcher has nothing due left to send."""

    def idle(db):
        return not db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(
                OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING)),
                OutboxMessage.next_attempt_at <= utcnow(),
            )
        )

    bot.wait_until(lambda: bot.query(idle), timeout=15, what="the outbox to settle")


def _seed_bob(bot) -> dict[str, Any]:
    """Give Bob a trace in every table that can hold a user id; return a few ids."""
    now = utcnow()
    earlier = now - timedelta(days=10)
    with bot.db() as db:
        # Facilitators create polls; Alice (a coordinator by the settings) named him one.
        db.add(RoleGrant(user_id=BOB, role="facilitator", granted_by="U0ALICE"))
    # Polls through the bot, so their messages exist in Slack: a named poll Bob created
    # and voted in, and an anonymous one (Alice's) he voted in too.
    bot.player.slash_command(BOB, 'poll "Which day?" "Monday" "Friday"')
    named = _poll_id(bot, "Which day?")
    bot.player.slash_command("U0ALICE", 'poll "Quel format ?" "Atelier" "Café" --anonyme')
    anonymous = _poll_id(bot, "Quel format ?")
    _vote(bot, BOB, named, "Monday")
    _vote(bot, "U0ALICE", named, "Friday")
    _vote(bot, BOB, anonymous, "Café")
    with bot.db() as db:
        save_profile(db, BOB, display_name="Bob Martin", locale="en-US", timezone="Europe/London")
        mark_joined(db, BOB, at=earlier)
        mark_joined(db, "U0CAMILLE", at=earlier)
        note_join(db, BOB, now=earlier)
        note_join(db, "U0CAMILLE", now=earlier)
        claim_newcomer(db, user_id="U0CAMILLE", greeter_id=BOB)
        record_acceptance(
            db,
            user_id=BOB,
            version=1,
            hopes="Meet other data people",
            interests=["data"],
            may_introduce=True,
            now=earlier,
        )
        snooze(db, BOB, now + timedelta(days=3))
        set_nudges(db, BOB, ["toolbox"], enabled=False)
        db.add(RoleGrant(user_id="U0CAMILLE", role="facilitator", granted_by=BOB))
        db.merge(DirectMessageChannel(user_id=BOB, channel_id="D0BOB"))
        for n in range(3):
            record(
                db,
                source_key=f"message:{COMMUNITY}:17000000{n}.000100",
                user_id=BOB,
                kind="message",
                channel_id=COMMUNITY,
                occurred_at=earlier + timedelta(hours=n),
            )
        record(
            db,
            source_key=f"reaction:{COMMUNITY}:1700000000.000100:{BOB}:tada",
            user_id=BOB,
            kind="reaction",
            channel_id=COMMUNITY,
            occurred_at=earlier,
        )
        record(
            db,
            source_key=f"message:{COMMUNITY}:1700000999.000100",
            user_id="U0ALICE",
            kind="message",
            channel_id=COMMUNITY,
            occurred_at=earlier,
        )
        item = db.scalar(select(ToolboxItem).order_by(ToolboxItem.id).limit(1))
        item.author_id = BOB
        record_visit(db, item_id=item.id, user_id=BOB, now=earlier)
        db.get(CharterVersion, 1).author_id = BOB
        save_text(db, PURPOSE, text_fr="Le but", text_en="The purpose", author_id=BOB)
        set_schedule(db, "weekly_digest", days="mon", hour=9, minute=0, author_id=BOB)
        add_channel(db, "C0OTHER", added_by=BOB)
        # A named survey Bob created and answered, and an anonymous one he answered.
        surveys = {}
        for anonymous_survey in (False, True):
            spec = load_template("needs-fr")
            spec = type(spec)(**{**spec.__dict__, "anonymous": anonymous_survey})
            survey = create_survey(db, spec, created_by=BOB if not anonymous_survey else "U0ALICE")
            launch(db, survey, {BOB: "recent", "U0ALICE": "long_standing"}, now=earlier)
            question = survey_questions(db, survey.id)[-1]
            respondent = (
                fingerprint(bot.settings, survey_box(survey.id), BOB) if anonymous_survey else BOB
            )
            save_answers(db, survey.id, respondent, {question.id: {"text": "More workshops"}})
            complete(db, survey, respondent, segment="recent", now=earlier)
            surveys[anonymous_survey] = survey.id
        record(
            db,
            source_key=f"answer:survey:{surveys[False]}:{BOB}",
            user_id=BOB,
            kind="survey_response",
            occurred_at=earlier,
        )
        # A DM delivered to him, messages still to send to him, notices naming him.
        enqueue_message(db, key=f"hello:{BOB}", address=BOB, text="Hello")
        later = now + timedelta(days=2)
        enqueue_message(db, key=f"later:{BOB}", address=BOB, text="Hi", not_before=later)
        enqueue_message(
            db,
            key=f"newcomer:{BOB}:x",
            address="C0COORD",
            text=f"<@{BOB}> joined",
            not_before=later,
        )
        enqueue_message(
            db, key="digest:later", address="C0COORD", text=f"Quiet: <@{BOB}>", not_before=later
        )
        enqueue_file(
            db,
            key="export:later",
            address="U0ALICE",
            filename="votes.csv",
            content=f"user\n{BOB}\n".encode(),
            title="Votes",
            not_before=later,
        )
    bot.runtime.dispatcher.wake()
    return {"named": named, "anonymous": anonymous, "surveys": surveys}


def _figures(bot) -> dict[str, Any]:
    """Read the community's figures reports are made of."""

    def read(db):
        now = utcnow()
        stats = stats_as_dict(community_stats(db, bot.settings, days=None, now=now))
        totals = {
            (day, kind): int(count)
            for day, kind, count in db.execute(
                select(
                    ParticipationDaily.day,
                    ParticipationDaily.kind,
                    func.sum(ParticipationDaily.count),
                ).group_by(ParticipationDaily.day, ParticipationDaily.kind)
            )
        }
        return {
            "stats": stats,
            "totals": totals,
            "weekly": weekly_activity(db, now=now + timedelta(days=14)),
        }

    return bot.query(read)


def _my_data_file(bot, user: str) -> dict[str, Any]:
    before = len(bot.standin.files())
    reply = bot.player.slash_command(user, "my-data")
    assert reply.status == 200
    files = bot.wait_until(lambda: bot.standin.files()[before:], what="the data file")
    return {"reply": reply.json, "file": files[-1], "data": json.loads(files[-1]["content"])}


def _forget_me(bot, user: str, *, stop_tracking: bool) -> dict[str, Any]:
    """Open the forget-me modal and submit it; return the modal and the answer."""
    views = len(bot.standin.views())
    assert bot.player.slash_command(user, "forget-me").status == 200
    modal = bot.wait_until(lambda: bot.standin.views()[views:], what="the modal")[-1]["view"]
    element = next(b for b in modal["blocks"] if b.get("block_id") == Block.FORGET_TRACKING)
    chosen = element["element"]["initial_options"] if stop_tracking else []
    values = {
        Block.FORGET_TRACKING: {
            Action.FORGET_TRACKING: {"type": "checkboxes", "selected_options": chosen}
        }
    }
    answer = bot.player.view_submission(user, modal, values).json
    return {"modal": modal, "answer": answer}


# ---------------------------------------------------------------- coverage


def test_every_table_is_either_exported_or_holds_no_user_id():
    """The export names each table able to hold a user id; the rest say why they can't."""
    assert set(PERSONAL_TABLES) | set(IMPERSONAL_TABLES) == set(Base.metadata.tables)
    assert not set(PERSONAL_TABLES) & set(IMPERSONAL_TABLES)


def test_the_retention_job_runs_nightly():
    """The retention job is a fixed job, registered like the dedupe purge."""
    jobs = {job.id: job for job in fixed_jobs(Settings())}
    assert RETENTION_JOB_ID in jobs
    assert "hour='3'" in str(jobs[RETENTION_JOB_ID].trigger)


# ---------------------------------------------------------------- my data


def test_my_data_sends_everything_stored_about_the_member(bot):
    """`/cercle my-data`: an ephemeral "on its way", then a JSON file by DM covering every
    table with Bob's id, without his anonymous votes and answers."""
    seeded = _seed_bob(bot)
    got = _my_data_file(bot, BOB)
    assert "On its way" in got["reply"]["text"]
    assert got["file"]["name"].startswith("cercle-my-data") and got["file"]["name"].endswith(
        ".json"
    )
    shared = [m for m in bot.standin.dm_messages(BOB) if m.get("files")]
    assert [f["id"] for f in shared[-1]["files"]] == [got["file"]["id"]]
    data = got["data"]
    assert data["user_id"] == BOB and "anonymous by design" in data["not_included"]
    # Every table holding Bob's id shows up, under its export group.
    found = {
        table
        for group in data.values()
        if isinstance(group, dict)
        for table, rows in group.items()
        if rows
    }
    renamed = {
        "survey_respondents": "survey_responses",
        "survey_answers": "survey_responses",
        "polls": "polls_created",
        "community_channels": "community_channels",
    }
    for table in PERSONAL_TABLES:
        assert renamed.get(table, table) in found, table
    assert data["profile"]["members"]["display_name"] == "Bob Martin"
    assert data["profile"]["member_preferences"]["nudges_off"] == ["toolbox"]
    assert data["onboarding"]["charter_acceptances"][0]["hopes"] == "Meet other data people"
    assert len(data["onboarding"]["newcomers_you_greeted"]) == 1
    assert data["authored"]["role_grants_given"][0]["role"] == "facilitator"
    assert "U0CAMILLE" not in json.dumps(data)  # whom he greeted or named is theirs
    kinds = {e["kind"] for e in data["participation"]["participation_events"]}
    assert kinds == {
        "charter_acceptance",
        "message",
        "poll_vote",
        "reaction",
        "survey_response",
        "toolbox_visit",
    }
    # Named votes and answers are there; the anonymous ones are not.
    assert [v["poll_id"] for v in data["polls"]["poll_votes"]] == [seeded["named"]]
    responses = data["surveys"]["survey_responses"]
    assert [r["survey_id"] for r in responses] == [seeded["surveys"][False]]
    assert responses[0]["answers"][0]["value"] == {"text": "More workshops"}
    assert "h:" not in json.dumps(data["polls"]) + json.dumps(data["surveys"])
    # Messages to him: when and what kind, never what they said.
    messages = data["messages"]["outbox_messages"]
    assert messages and set(messages[0]) == {"kind", "method", "status", "created_at", "sent_at"}
    assert "Hi" not in json.dumps(messages)


# ---------------------------------------------------------------- forget me


def test_forget_me_erases_everything_but_the_documented_remnants(bot):
    """The modal (in Bob's language, box checked) erases him in one go: no table keeps his
    id but the bare member row and his tracking choice; reports and totals are unchanged;
    the poll message no longer names him."""
    seeded = _seed_bob(bot)
    _settled(bot)
    before = _figures(bot)
    # The scan reads the database's own tables, JSON columns included.
    seen = {(r.table, r.column) for r in bot.query(lambda db: find_remnants(db, BOB))}
    assert {("outbox_messages", "payload"), ("charter_acceptances", "user_id")} <= seen
    bob_total = bot.query(
        lambda db: db.scalar(
            select(func.sum(ParticipationDaily.count)).where(ParticipationDaily.user_id == BOB)
        )
    )
    played = _forget_me(bot, BOB, stop_tracking=True)
    modal = played["modal"]
    assert modal["callback_id"] == View.FORGET_ME and validate_view(modal) == []
    assert modal["title"]["text"] == "Forget me"
    assert "Erased" in json.dumps(modal) and "What stays" in json.dumps(modal)
    assert played["answer"]["response_action"] == "update"
    assert "Done" in json.dumps(played["answer"]["view"])

    remnants = bot.query(lambda db: find_remnants(db, BOB))
    assert {(r.table, r.column) for r in remnants} == documented_remnants(BOB, tracking_off=True)
    member = bot.query(lambda db: db.get(Member, BOB))
    assert member.display_name is None and member.locale is None and member.in_community
    preference = bot.query(lambda db: db.get(MemberPreference, BOB))
    assert preference.tracking_off and preference.nudges_off == [] and not preference.snoozed_until

    after = _figures(bot)
    assert after["totals"] == before["totals"]
    assert after["weekly"] == before["weekly"]
    assert after["stats"]["channels"] == before["stats"]["channels"]
    assert after["stats"]["members"] == before["stats"]["members"]
    assert after["stats"]["anonymous_acts"] == before["stats"]["anonymous_acts"] + bob_total
    assert BOB not in json.dumps(after["stats"])
    # The anonymous ballots stay as they were; the named survey's rates drop his answer.
    assert (
        bot.query(
            lambda db: db.scalar(
                select(func.sum(SurveySegmentCount.respondents)).where(
                    SurveySegmentCount.survey_id == seeded["surveys"][True]
                )
            )
        )
        == 1
    )
    assert (
        bot.query(
            lambda db: db.scalar(
                select(func.sum(SurveySegmentCount.respondents)).where(
                    SurveySegmentCount.survey_id == seeded["surveys"][False]
                )
            )
        )
        == 0
    )
    # Unsent notices about him are cancelled; the digest goes out without his mention.
    rows = bot.query(lambda db: {r.idempotency_key: r for r in db.scalars(select(OutboxMessage))})
    assert "later:" + BOB not in rows
    assert rows["digest:later"].payload["text"] == "Quiet: [ancien·ne membre]"
    assert rows["export:later"].status == OutboxStatus.SUPERSEDED

    # The poll message is re-rendered without him; reports still work.
    def poll_text():
        message = next(m for m in bot.standin.messages(COMMUNITY) if "Which day?" in json.dumps(m))
        text = json.dumps(message)
        return text if "[former member]" in text and BOB not in text else None

    bot.wait_until(poll_text, timeout=15, what="the poll message without Bob")
    stats = bot.player.slash_command("U0ALICE", "stats all")
    assert stats.status == 200 and BOB not in json.dumps(stats.json)
    assert bot.query(lambda db: post_weekly_digest(db, bot.settings))

    # His next message counts anonymously only.
    bot.player.event(
        {
            "type": "message",
            "channel": COMMUNITY,
            "channel_type": "channel",
            "user": BOB,
            "text": "hello",
            "ts": f"{utcnow().timestamp():.6f}",
        }
    )
    assert bot.query(lambda db: find_remnants(db, BOB)) == remnants
    assert seeded["named"]


def test_forget_me_without_the_box_leaves_no_preference_row(bot):
    """Unticked, nothing under Bob's id stays but the bare member row."""
    with bot.db() as db:
        mark_joined(db, BOB, at=utcnow())
        set_nudges(db, BOB, ["toolbox"], enabled=False)
        record(db, source_key="x", user_id=BOB, kind="poll_vote", occurred_at=utcnow())
    played = _forget_me(bot, BOB, stop_tracking=False)
    assert "count your activity again" in json.dumps(played["answer"]["view"])
    remnants = bot.query(lambda db: find_remnants(db, BOB))
    assert {(r.table, r.column) for r in remnants} == {("members", "user_id")}
    assert bot.query(lambda db: db.get(MemberPreference, BOB)) is None


# ---------------------------------------------------------------- the officer's CLI


def _cli(bot, *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CERCLE_"))}
    env = {
        **clean,
        "DATABASE_URL": bot.settings.database_url,
        "CERCLE_COMMUNITY_CHANNEL": COMMUNITY,
        "CERCLE_LANGUAGE": "en",
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_forget_erases_and_prints_each_table(bot):
    """`cercle forget --yes` erases and says what changed where; `cercle report` still works."""
    _seed_bob(bot)
    _settled(bot)
    done = _cli(bot, "forget", BOB, "--yes")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert f"erased {BOB}:" in out
    assert "charter_acceptances:" in out and "1 deleted" in out
    assert "participation_daily:" in out and "folded into anonymous counts" in out
    assert "poll messages re-rendered without them: 1" in out
    assert "kept under their id on purpose: member_preferences.user_id, members.user_id" in out
    assert "still mentioned" not in out
    assert {(r.table, r.column) for r in bot.query(lambda db: find_remnants(db, BOB))} == (
        documented_remnants(BOB, tracking_off=True)
    )
    report = _cli(bot, "report", "--format", "json")
    assert report.returncode == 0, report.stderr
    assert BOB not in report.stdout and json.loads(report.stdout)["members"] >= 1


def test_cli_forget_erases_nothing_without_a_yes(monkeypatch, capsys):
    """Without --yes the officer is asked; anything but yes stops before the database."""
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    assert cmd_forget(argparse.Namespace(user_id=BOB, yes=False, keep_tracking=False)) == 1
    assert "nothing was erased" in capsys.readouterr().out


def test_cli_refuses_what_is_not_a_user_id(capsys):
    """A typo is caught before the database is touched."""
    assert _checked_user_id(" u0bob ") == BOB
    assert _checked_user_id("bob") is None
    assert "not a Slack user id" in capsys.readouterr().err


# ---------------------------------------------------------------- tracking


def _message_event(bot, user: str, ts: str) -> None:
    bot.player.event(
        {
            "type": "message",
            "channel": COMMUNITY,
            "channel_type": "channel",
            "user": user,
            "text": "Bonjour",
            "ts": ts,
        }
    )


def test_tracking_off_counts_anonymously_and_on_by_name_again(bot):
    """`/cercle tracking`: the state, then off (anonymous daily counts only, no event, no
    milestone, not judged quiet), then on (named again)."""
    with bot.db() as db:
        mark_joined(db, "U0CAMILLE", at=utcnow() - timedelta(days=60))

    def judged_quiet(db):
        stats = community_stats(db, bot.settings)
        return "U0CAMILLE" in {person.user_id for person in stats.below_minimum}

    shown = bot.player.slash_command("U0CAMILLE", "tracking").json
    assert "comptée à votre nom" in shown["text"]
    assert bot.query(judged_quiet)
    off = bot.player.slash_command("U0CAMILLE", "tracking off").json
    assert "anonymement" in off["text"]
    # Cercle no longer knows her activity: it does not call her quiet either.
    assert not bot.query(judged_quiet)
    assert "anonymement" in bot.player.slash_command("U0CAMILLE", "tracking").json["text"]
    now = utcnow()
    _message_event(bot, "U0CAMILLE", f"{now.timestamp():.6f}")

    def counts(db):
        return {
            (row.user_id, row.kind): row.count for row in db.scalars(select(ParticipationDaily))
        }

    assert bot.query(counts) == {("", "message"): 1}
    assert (
        bot.query(lambda db: db.scalar(select(func.count()).select_from(ParticipationEvent))) == 0
    )
    camille = bot.query(lambda db: db.get(Member, "U0CAMILLE"))
    assert camille is None or camille.first_message_at is None
    with bot.db() as db:
        item = db.scalar(select(ToolboxItem.id).limit(1))
        record_visit(db, item_id=item, user_id="U0CAMILLE")
    assert bot.query(lambda db: db.scalar(select(ToolboxVisit.user_id))) == ""

    on = bot.player.slash_command("U0CAMILLE", "tracking on").json
    assert "de nouveau" in on["text"]
    _message_event(bot, "U0CAMILLE", f"{now.timestamp() + 1:.6f}")
    assert bot.query(counts)[("U0CAMILLE", "message")] == 1
    assert "Utilisation" in bot.player.slash_command("U0CAMILLE", "tracking maybe").json["text"]


# ---------------------------------------------------------------- retention


def test_retention_purges_folds_and_blanks_in_batches(bot):
    """Events and visits past 13 months go, older per-member counts become anonymous with
    the same totals, delivered messages older than 30 days lose their content only."""
    now = utcnow()
    old = now - timedelta(days=400)
    recent = now - timedelta(days=10)
    with bot.db() as db:
        item = db.scalar(select(ToolboxItem.id).limit(1))
        for n, (user, at) in enumerate(
            [(BOB, old), ("U0ALICE", old), (BOB, old), (BOB, recent), ("U0ALICE", recent)]
        ):
            record(
                db,
                source_key=f"message:{COMMUNITY}:{n}",
                user_id=user,
                kind="message",
                channel_id=COMMUNITY,
                occurred_at=at,
            )
            record_visit(db, item_id=item, user_id=user, now=at)
        for key, created, status in (
            ("old-sent", now - timedelta(days=40), OutboxStatus.SENT),
            ("old-superseded", now - timedelta(days=40), OutboxStatus.SUPERSEDED),
            ("new-sent", now - timedelta(days=5), OutboxStatus.SENT),
            ("old-pending", now - timedelta(days=40), OutboxStatus.PENDING),
        ):
            db.add(
                OutboxMessage(
                    idempotency_key=key,
                    method="chat.postMessage",
                    address="C0COORD",
                    payload={"text": f"about <@{BOB}>"},
                    status=status,
                    created_at=created,
                    next_attempt_at=now + timedelta(days=30),
                )
            )

    def state(db):
        daily = {
            (row.day, row.user_id, row.kind): row.count
            for row in db.scalars(select(ParticipationDaily))
        }
        totals: dict[tuple[date, str], int] = {}
        for (day, _user, kind), count in daily.items():
            totals[(day, kind)] = totals.get((day, kind), 0) + count
        return {
            "events": sorted(
                e.occurred_at.date()
                for e in db.scalars(select(ParticipationEvent))
                if e.kind == "message"
            ),
            "visits": len(db.scalars(select(ToolboxVisit)).all()),
            "daily": daily,
            "totals": totals,
            "outbox": {
                r.idempotency_key: (r.status, r.payload) for r in db.scalars(select(OutboxMessage))
            },
        }

    before = bot.query(state)
    report = apply_retention(bot.runtime.session_factory, bot.settings, batch_size=2)
    after = bot.query(state)
    assert report.events_deleted == 6  # three messages and three visits' events
    assert report.visits_deleted == 3
    assert after["events"] == [recent.date(), recent.date()]
    assert after["visits"] == 2
    assert after["totals"] == before["totals"]
    old_day = old.astimezone(UTC).date()
    assert {key for key in after["daily"] if key[0] == old_day} == {
        (old_day, "", "message"),
        (old_day, "", "toolbox_visit"),
    }
    assert after["daily"][(old_day, "", "message")] == 3
    assert after["daily"][(recent.date(), BOB, "message")] == 1
    assert after["outbox"]["old-sent"] == (OutboxStatus.SENT, {})
    assert after["outbox"]["old-superseded"] == (OutboxStatus.SUPERSEDED, {})
    assert after["outbox"]["new-sent"][1] == {"text": f"about <@{BOB}>"}
    assert after["outbox"]["old-pending"][1] == {"text": f"about <@{BOB}>"}
    again = apply_retention(bot.runtime.session_factory, bot.settings, batch_size=2)
    assert (again.events_deleted, again.daily_rows_folded, again.payloads_blanked) == (0, 0, 0)


def test_months_are_calendar_months():
    """13 months before 31 March is the end of February of the year before."""
    moment = datetime(2026, 3, 31, 12, tzinfo=UTC)
    assert months_before(moment, 13) == datetime(2025, 2, 28, 12, tzinfo=UTC)
    assert months_before(moment, 1) == datetime(2026, 2, 28, 12, tzinfo=UTC)


def test_a_big_export_is_zipped_and_a_huge_one_refused():
    """Over the outbox's file limit the JSON travels zipped; beyond even that, a clear error."""
    name, content = export_file({"events": [{"kind": "message"}] * 60_000})
    assert name == "cercle-my-data.zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert json.loads(archive.read("cercle-my-data.json"))["events"][0] == {"kind": "message"}
    with pytest.raises(CercleError):
        export_file({"noise": os.urandom(1_200_000).hex()})
