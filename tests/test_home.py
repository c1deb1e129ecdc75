"""The App Home: charter status, this week's tool, and what to type."""

from __future__ import annotations

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
