"""The App Home: charter status, this week's tool, and what to type."""

from __future__ import annotations

import pytest

from bot import onboarding
from bot import toolbox as toolbox_flows
from bot.ids import Action
from sandbox.blockkit_limits import validate_view


def _open_home(bot, user_id: str, event_id: str) -> dict:
    event = {"type": "app_home_opened", "user": user_id, "channel": "D0HOME", "tab": "home"}
    assert bot.player.event(event, event_id=event_id).status == 200
    published = [v for v in bot.standin.views() if v["method"] == "views.publish"]
    return published[-1]["view"]


def test_home_asks_a_pending_member_to_accept(bot):
    """A member who has not accepted sees the summary with Read / I accept buttons."""
    view = _open_home(bot, "U0BOB", "EvHOME1")
    text = str(view["blocks"])
    assert "The community's charter is waiting for you." in text
    assert Action.CHARTER_ACCEPT in text and "1:U0BOB" in text
    assert validate_view(view, "home") == []


def test_home_shows_acceptance_and_this_weeks_tool(bot):
    """After accepting and a weekly post, the Home says so and offers the tool."""
    with bot.db() as db:
        onboarding.accept_charter(
            db, bot.settings, user_id="U0CAMILLE", version=1, answers=onboarding.JoinAnswers()
        )
        toolbox_flows.post_weekly_tool(db, bot.settings)
    view = _open_home(bot, "U0CAMILLE", "EvHOME2")
    text = str(view["blocks"])
    assert "Vous avez accepté la charte (version 1)" in text
    assert Action.CHARTER_ACCEPT not in text
    assert "L'outil de la semaine" in text and Action.TOOLBOX_OPEN in text
    assert validate_view(view, "home") == []


def _home_of(bot, user):
    return _open_home(bot, user, f"EvHOME{user}{len(bot.standin.views())}")


def test_the_home_lists_what_waits_for_the_member(bot):
    """An open poll not voted in and a survey not answered appear; voted ones don't."""
    from storage.charter import record_acceptance
    from storage.survey_io import load_template
    from storage.surveys import create_survey

    with bot.db() as db:
        record_acceptance(db, user_id="U0CAMILLE", version=1)
        survey = create_survey(db, load_template("needs-fr"), created_by="U0ALICE")
        survey_id = survey.id
    bot.player.slash_command("U0ALICE", f"survey launch {survey_id}")
    bot.player.slash_command("U0ALICE", 'poll "Déjà voté ?" "A" "B"')
    bot.player.slash_command("U0ALICE", 'poll "Pas encore ?" "A" "B"')
    with bot.db() as db:
        from sqlalchemy import select

        from storage.models import Poll, PollOption

        first = db.scalars(select(Poll).order_by(Poll.id)).first()
        option = db.scalars(select(PollOption).where(PollOption.poll_id == first.id)).first()
        poll_id, option_id = first.id, option.id
    bot.player.block_action("U0CAMILLE", Action.POLL_VOTE, value=f"{poll_id}:{option_id}")
    view = _home_of(bot, "U0CAMILLE")
    assert validate_view(view, "home") == []
    text = str(view["blocks"])
    assert "Pas encore ?" in text and "Déjà voté ?" not in text
    assert "Enquête de besoins" in text and Action.SURVEY_ANSWER in text
    assert "Coordination" not in text
    assert "Votre participation" in text and "/cercle me" in text


def test_coordinators_see_the_dashboard_and_members_cannot_use_its_buttons(bot):
    """Alice sees open polls and failures; Bob's click on New survey is refused in a modal."""

    bot.player.slash_command("U0ALICE", 'poll "Ouvert ?" "A" "B"')
    view = _home_of(bot, "U0ALICE")
    assert "Coordination" in str(view["blocks"]) and "*1*" in str(view["blocks"])
    assert "inactif" in str(view["blocks"])  # members by level
    before = len(bot.standin.views())
    bot.player.block_action(
        "U0BOB",
        Action.HOME_NEW_SURVEY,
        value="needs",
        channel_id=None,
        view={"id": "V1", "type": "home"},
    )
    opened = bot.standin.views()[before:]
    assert opened and "coordinators" in str(opened[-1]["view"]["blocks"])


@pytest.mark.parametrize("count", [0, 10_000])
def test_the_home_fits_with_no_one_and_ten_thousand_members(database_url, count):
    """A coordinator's and a member's Home stay within Slack's limits at any size."""
    from datetime import UTC, datetime

    from bot.config import Settings
    from bot.home import dashboard, waiting_polls, waiting_surveys
    from bot.reports import member_record
    from bot.ui.home import build_home_view
    from bot.ui.reports import build_home_participation
    from storage.db import make_engine, make_session_factory, transaction
    from tests.test_reports import seed_community

    now = datetime(2026, 11, 30, 7, 30, tzinfo=UTC)
    settings = Settings(community_channel="C0COMMUNITY", admins=("U0ALICE",), language="fr")
    engine = make_engine(database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            seed_community(db, count, now=now)
            board = dashboard(db, settings, now=now)
            assert sum(board.members_by_level.values()) >= count
            for language in ("fr", "en"):
                view = build_home_view(
                    [],
                    language,
                    user_id="U0ALICE",
                    polls=waiting_polls(db, settings, "U0ALICE", now=now),
                    surveys=waiting_surveys(db, settings, "U0ALICE", now=now),
                    participation=build_home_participation(
                        member_record(db, settings, "U0ALICE", now=now), language
                    ),
                    board=board,
                )
                assert validate_view(view, "home") == []
    finally:
        engine.dispose()
