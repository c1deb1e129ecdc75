"""The coordinators' weekly digest and the one gentle nudge to members below the minimum."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot import digest as flows
from bot.config import Settings
from bot.courtesy import CourtesyPolicy
from bot.dispatcher import Dispatcher
from bot.ids import Action
from bot.ui.digest import build_digest
from sandbox.blockkit_limits import validate_blocks, validate_message_text
from storage.charter import record_acceptance
from storage.db import make_engine, make_session_factory, transaction
from storage.members import save_profile
from storage.models import (
    Member,
    Newcomer,
    OutboxMessage,
    ParticipationDaily,
    Poll,
    PollOption,
    PollVote,
    Survey,
    SurveyInvitation,
    SurveyRespondent,
    ToolboxItem,
    ToolboxVisit,
)
from storage.outbox import find_row
from storage.participation import record
from storage.preferences import snooze
from storage.roster import mark_joined
from storage.toolbox import ItemFields, add_item
from tests.test_reports import seed_community

NOW = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Monday 08:30 in Paris, week 49


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """Yield a session in a transaction on a fresh database (both kinds)."""
    engine = make_engine(database_url)
    with transaction(make_session_factory(engine)) as session:
        yield session
    engine.dispose()


def _settings(**overrides) -> Settings:
    return Settings(
        community_channel="C0COMMUNITY",
        coordinators_channel="C0COORD",
        anonymity_secret="s" * 32,
        **overrides,
    )


def _member(db, user_id, *, joined, name=None, locale="fr-FR", accepted=True):
    db.add(
        Member(
            user_id=user_id,
            display_name=name or user_id[2:].title(),
            locale=locale,
            timezone="Europe/Paris",
            joined_at=joined,
            in_community=True,
        )
    )
    db.flush()
    if accepted:
        record_acceptance(db, user_id=user_id, version=1, now=joined + timedelta(hours=1))


def _poll(db, *, channel="C0COMMUNITY", question="Quel format pour la rencontre ?", created=NOW):
    poll = Poll(
        channel_id=channel,
        creator_id="U0ALICE",
        question=question,
        post_key=f"poll:{question[:100]}",
        created_at=created,
    )
    db.add(poll)
    db.flush()
    for position, label in enumerate(("Visio", "Sur place")):
        db.add(PollOption(poll_id=poll.id, position=position, label=label))
    db.flush()
    return poll


def _vote(db, poll, voter):
    option = db.scalar(select(PollOption).where(PollOption.poll_id == poll.id))
    db.add(PollVote(poll_id=poll.id, option_id=option.id, voter=voter, voted_at=NOW))
    db.flush()


def _acts(db, user_id, kind, count, *, day):
    db.execute(
        insert(ParticipationDaily),
        [{"day": day, "user_id": user_id, "kind": kind, "count": count}],
    )


# ---------------------------------------------------------------- the digest's figures


def test_the_digest_gathers_the_weeks_figures(db):
    """New members, pending charter, open polls and surveys with rates, quiet and below."""
    long_ago = NOW - timedelta(days=200)
    _member(db, "U0ANNE", joined=NOW - timedelta(days=2))  # new, accepted
    _member(db, "U0BRUNO", joined=NOW - timedelta(days=5), accepted=False)  # new, pending
    db.add(Newcomer(user_id="U0BRUNO", joined_at=NOW - timedelta(days=5), welcomed_at=NOW))
    _member(db, "U0CLARA", joined=long_ago)  # went quiet
    _member(db, "U0DAVID", joined=long_ago)  # below the minimum
    _member(db, "U0EMMA", joined=long_ago)  # fine
    _member(db, "U0OLD", joined=NOW - timedelta(days=9))  # joined more than a week ago
    db.execute(
        insert(ParticipationDaily),
        [
            {"day": date(2026, 11, 10), "user_id": "U0CLARA", "kind": "message", "count": 3},
            {"day": date(2026, 11, 28), "user_id": "U0EMMA", "kind": "reaction", "count": 5},
        ],
    )
    poll = _poll(db)
    _vote(db, poll, "U0EMMA")
    closed = _poll(db, question="Déjà fermé ?")
    closed.closed_at = NOW - timedelta(days=1)
    survey = Survey(title="Nos besoins", created_by="U0ALICE", launched_at=NOW - timedelta(days=3))
    db.add(survey)
    db.flush()
    for user_id in ("U0ANNE", "U0CLARA", "U0DAVID", "U0EMMA"):
        db.add(SurveyInvitation(survey_id=survey.id, user_id=user_id, segment="long_standing"))
    db.add(SurveyRespondent(survey_id=survey.id, respondent="U0EMMA", completed_at=NOW))
    db.flush()

    data = flows.weekly_digest(db, _settings(), now=NOW)
    assert data.week == "2026-W49"
    assert (data.first_day, data.last_day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert data.members == 6
    assert [p.user_id for p in data.new_members] == ["U0ANNE", "U0BRUNO"]
    assert [p.user_id for p in data.pending_charter] == ["U0BRUNO"]
    assert [(p.question, p.voters, p.audience) for p in data.open_polls] == [
        ("Quel format pour la rencontre ?", 1, 6)
    ]
    assert [(s.title, s.responded, s.invited) for s in data.open_surveys] == [("Nos besoins", 1, 4)]
    assert [p.user_id for p in data.went_quiet] == ["U0CLARA"]
    # Clara's 9 points 20 days ago still reach the minimum (4 in 4 weeks); charter
    # acceptances long ago do not count any more.
    assert [p.user_id for p in data.below_minimum] == ["U0DAVID"]
    (joined, accepted, *_rest) = data.funnel
    assert (joined.count, accepted.count) == (3, 2)

    message = build_digest(data, "fr")
    shown = json.dumps(message, ensure_ascii=False)
    assert message["text"].startswith("Le point de la semaine 49")
    for expected in (
        "Les sept derniers jours, du 23/11 au 29/11",
        "Nouveaux membres cette semaine : 2*\\nAnne, Bruno",
        "Charte pas encore acceptée : 1*\\nBruno",
        "« Quel format pour la rencontre ? » dans <#C0COMMUNITY> : 1 membre a voté (17 %)",
        ":memo: Nos besoins : 1/4 réponses (25 %)",
        "Devenu·es discret·ètes (rien depuis deux semaines) : 1*\\nClara",
        ": 1*\\nDavid",
    ):
        assert expected in shown, expected
    assert "Déjà fermé" not in shown
    english = build_digest(data, "en")
    assert "Weekly digest, week 49" in english["text"]


def test_weekly_activity_sums_each_kind_per_whole_week(db):
    """Twelve Mondays; the week under way is left out; anonymous acts count; no joins."""
    rows = [
        (date(2026, 11, 23), "U1", "message", 2),  # last whole week
        (date(2026, 11, 29), "", "poll_vote", 3),  # Sunday of that week, anonymous
        (date(2026, 11, 30), "U1", "message", 50),  # this week: left out
        (date(2026, 9, 7), "U1", "reaction", 4),  # the first of the twelve weeks
        (date(2026, 9, 6), "U1", "reaction", 9),  # before them
        (date(2026, 11, 24), "U1", "join", 1),  # not an act
    ]
    db.execute(
        insert(ParticipationDaily),
        [{"day": d, "user_id": u, "kind": k, "count": c} for d, u, k, c in rows],
    )
    mondays, series = flows.weekly_activity(db, now=NOW)
    assert len(mondays) == 12
    assert (mondays[0], mondays[-1]) == (date(2026, 9, 7), date(2026, 11, 23))
    assert series == {
        "message": [0] * 11 + [2],
        "reaction": [4] + [0] * 11,
        "poll_vote": [0] * 11 + [3],
    }


def test_the_chart_names_kinds_in_the_digest_language(db, monkeypatch):
    """Series are labelled with translated kind names; the result is a PNG."""
    db.execute(
        insert(ParticipationDaily),
        [{"day": date(2026, 11, 24), "user_id": "U1", "kind": "reply", "count": 2}],
    )
    seen = {}
    real = flows.weekly_activity_png

    def spy(weeks, series, *, title, language):
        seen.update(series=dict(series), title=title)
        return real(weeks, series, title=title, language=language)

    monkeypatch.setattr(flows, "weekly_activity_png", spy)
    png = flows.activity_chart(db, now=NOW, language="fr")
    assert png.startswith(b"\x89PNG")
    assert list(seen["series"]) == ["Réponses en fil"]
    assert seen["title"] == "Activité par semaine (12 dernières semaines)"


@pytest.mark.parametrize("count", [0, 10_000])
def test_the_digest_fits_block_kit_limits_with_no_one_and_ten_thousand(db, count):
    """Long lists of names are cut; both languages stay within Slack's limits."""
    seed_community(db, count, now=NOW)
    for n in range(8):
        _poll(db, question=f"Question {n} " + "très longue " * 40)
    data = flows.weekly_digest(db, _settings(), now=NOW)
    if count:
        assert len(data.went_quiet) > 3000 and len(data.below_minimum) > 1000
    for language in ("fr", "en"):
        message = build_digest(data, language)
        assert validate_blocks(message["blocks"]) == []
        assert validate_message_text(message["text"]) == []


# ---------------------------------------------------------------- through the job


def test_the_weekly_job_posts_the_digest_and_its_chart_once(bot):
    """The scheduled job queues one digest per ISO week, then its chart, in C0COORD."""
    from scheduled import jobs

    with bot.db() as db:
        mark_joined(db, "U0CAMILLE", at=datetime.now(UTC) - timedelta(days=2))
        save_profile(db, "U0CAMILLE", display_name="Camille", locale="fr-FR", timezone=None)
        record(
            db,
            source_key="digest:test:1",
            user_id="U0CAMILLE",
            kind="message",
            channel_id="C0COMMUNITY",
            occurred_at=datetime.now(UTC) - timedelta(days=8),
        )
    jobs.use_settings(bot.settings)
    try:
        assert jobs.weekly_digest() is True
        assert jobs.weekly_digest() is False  # same week: nothing new
    finally:
        jobs.dispose_engines()
    bot.runtime.dispatcher.wake()
    posts = bot.wait_until(
        lambda: [m for m in bot.standin.messages("C0COORD") if "point de la semaine" in m["text"]],
        what="the digest",
    )
    files = bot.wait_until(
        lambda: [f for f in bot.standin.files() if f.get("title", "").startswith("Activité")],
        what="the chart",
    )
    assert len(posts) == 1 and len(files) == 1
    assert validate_blocks(posts[0]["blocks"]) == []
    assert "Camille" in json.dumps(posts[0]["blocks"], ensure_ascii=False)
    assert files[0]["content"].startswith(b"\x89PNG")


def test_coordinators_see_and_move_the_digest_schedule(bot):
    """`/cercle schedule` lists the digest (Monday 08:30) and the nudges; both can move."""
    shown = json.dumps(bot.player.slash_command("U0ALICE", "schedule").json, ensure_ascii=False)
    assert "`weekly_digest`" in shown and "chaque lundi à 08:30" in shown
    assert "`participation_nudges`" in shown
    moved = bot.player.slash_command("U0ALICE", "schedule set weekly_digest weekly fri 17:00")
    assert "chaque vendredi à 17:00" in json.dumps(moved.json, ensure_ascii=False)


# ---------------------------------------------------------------- the gentle nudge


def _quiet_signatory(bot, user_id, *, locale="fr-FR", joined_days=60):
    with bot.db() as db:
        save_profile(db, user_id, display_name=user_id[2:].title(), locale=locale, timezone=None)
        mark_joined(db, user_id, at=datetime.now(UTC) - timedelta(days=joined_days))
        record_acceptance(
            db, user_id=user_id, version=1, now=datetime.now(UTC) - timedelta(days=joined_days)
        )


def _tool(title, *, url=None):
    return ItemFields(title=title, url=url, description="", tags=(), language="fr")


def _retire_starter_tools(db):
    for item in db.scalars(select(ToolboxItem)):
        item.retired_at = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_quiet_member_gets_one_nudge_with_easy_ways_in(bot):
    """A poll to answer from the DM, a tool never opened, a question to ask; only once."""
    _quiet_signatory(bot, "U0CAMILLE")
    _quiet_signatory(bot, "U0DIANE", joined_days=10)  # a newcomer: given time
    _quiet_signatory(bot, "U0BOB", locale="en-US")
    with bot.db() as db:
        _retire_starter_tools(db)
        opened = add_item(db, _tool("Déjà vu"), author_id="U0ALICE")
        add_item(db, _tool("Agenda partagé", url="https://x.test/a"), author_id="U0ALICE")
        db.flush()
        db.add(ToolboxVisit(item_id=opened.id, user_id="U0CAMILLE"))
        _poll(db, channel="C0ELSEWHERE", question="Pas dans un canal compté ?")
        poll = _poll(db, question="Quel format pour la rencontre ?")
        _poll(db, question="Un plus ancien ?", created=datetime.now(UTC) - timedelta(days=3))
        _vote(db, poll, "U0BOB")
        record(
            db,
            source_key="bob:1",
            user_id="U0BOB",
            kind="reaction",
            channel_id="C0COMMUNITY",
            occurred_at=datetime.now(UTC) - timedelta(days=40),
        )
        poll_id = poll.id
    with bot.db() as db:
        assert flows.plan_participation_nudges(db, bot.settings) == 2
        assert flows.plan_participation_nudges(db, bot.settings) == 0  # once per quiet spell
    bot.runtime.dispatcher.wake()
    [dm] = bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="the nudge")
    shown = json.dumps(dm["blocks"], ensure_ascii=False)
    assert dm["text"].startswith("Bonjour Camille ! Cela fait quelque temps")
    assert "« Quel format pour la rencontre ? » (<#C0COMMUNITY>)" in shown
    votes = [b for b in dm["blocks"] if b["type"] == "actions"][0]["elements"]
    assert [e["action_id"] for e in votes] == [Action.POLL_VOTE] * 2
    assert str(poll_id) in votes[0]["value"]
    assert "*Agenda partagé*" in shown and "Déjà vu" not in shown
    assert "Poser une question dans <#C0COMMUNITY>" in shown
    assert validate_blocks(dm["blocks"]) == []
    [bob] = bot.wait_until(lambda: bot.standin.dm_messages("U0BOB"), what="Bob's nudge")
    assert bob["text"].startswith("Hi Bob!") and "Quel format" not in json.dumps(bob["blocks"])
    assert bot.standin.dm_messages("U0DIANE") == []
    row = bot.query(lambda db: find_row(db, dm["metadata"]["event_payload"]["key"]))
    assert (row.kind, row.payload["nudge_category"]) == ("nudge", "toolbox")


def test_a_member_who_came_back_and_went_quiet_again_gets_a_new_nudge(bot):
    """After a nudge, enough activity and four quiet weeks make a new spell, a new nudge."""
    _quiet_signatory(bot, "U0CAMILLE")
    today = datetime.now(UTC)
    with bot.db() as db:
        assert flows.plan_participation_nudges(db, bot.settings, now=today) == 1
        _acts(db, "U0CAMILLE", "reaction", 2, day=(today + timedelta(days=1)).date())
        # Too little to count as coming back: still the same spell five weeks later.
        assert (
            flows.plan_participation_nudges(db, bot.settings, now=today + timedelta(days=35)) == 0
        )
        _acts(db, "U0CAMILLE", "message", 1, day=(today + timedelta(days=2)).date())
        assert (
            flows.plan_participation_nudges(db, bot.settings, now=today + timedelta(days=36)) == 1
        )
        keys = sorted(
            db.scalars(
                select(OutboxMessage.idempotency_key).where(
                    OutboxMessage.address == "U0CAMILLE",
                    OutboxMessage.idempotency_key.startswith("nudge:participation:"),
                )
            )
        )
    assert len(keys) == 2 and keys[0] != keys[1]


def test_the_nudge_goes_through_the_courtesy_policy(bot):
    """Snoozed: dropped, like any suggestion. Saturday night: waits for Monday 09:00."""
    _quiet_signatory(bot, "U0CAMILLE")
    _quiet_signatory(bot, "U0DIANE")
    bot.runtime.dispatcher.stop()  # only the courteous dispatcher below may send
    with bot.db() as db:
        snooze(db, "U0DIANE", datetime.now(UTC) + timedelta(days=14))
        assert flows.plan_participation_nudges(db, bot.settings) == 2
    saturday_night = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
    client = WebClient(token=bot.settings.slack_bot_token, base_url=bot.standin.api_url)
    dispatcher = Dispatcher(
        bot.runtime.session_factory,
        client,
        courtesy=CourtesyPolicy(),
        courtesy_clock=lambda: saturday_night,
    )
    for _ in range(3):
        dispatcher.run_once()
    assert bot.standin.dm_messages("U0CAMILLE") == []
    assert bot.standin.dm_messages("U0DIANE") == []
    day = datetime.now(UTC).date().isoformat()
    camille = bot.query(lambda db: find_row(db, f"nudge:participation:U0CAMILLE:{day}"))
    diane = bot.query(lambda db: find_row(db, f"nudge:participation:U0DIANE:{day}"))
    assert camille.next_attempt_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert diane.status == "superseded"


def test_no_minimum_means_no_nudge(bot):
    """CERCLE_MINIMUM_PARTICIPATION=0 turns the nudges off."""
    from dataclasses import replace

    _quiet_signatory(bot, "U0CAMILLE")
    with bot.db() as db:
        settings = replace(bot.settings, minimum_participation=0)
        assert flows.plan_participation_nudges(db, settings) == 0
