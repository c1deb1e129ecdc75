"""`/cercle purpose` and `/cercle interests`: coordinators maintain what newcomers see."""

from __future__ import annotations

from bot.ids import Block, View


def _text(reply: dict) -> str:
    return str(reply.get("blocks") or reply.get("text"))


def test_purpose_shows_the_shipped_text(bot):
    """Before any edit, the shipped purpose is shown in the member's language."""
    assert "help each other" in _text(bot.player.slash_command("U0BOB", "purpose").json)


def test_coordinator_rewrites_the_purpose_and_newcomers_see_it(bot):
    """Alice's new purpose appears in the next welcome DM."""
    bot.player.slash_command("U0ALICE", "purpose edit")
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.PURPOSE_EDIT
    values = {
        Block.PURPOSE_FR: {"text": {"type": "plain_text_input", "value": "Apprendre ensemble."}},
        Block.PURPOSE_EN: {"text": {"type": "plain_text_input", "value": "Learn together."}},
    }
    assert bot.player.view_submission("U0ALICE", modal, values).status == 200
    event = {"type": "member_joined_channel", "user": "U0BOB", "channel": "C0COMMUNITY"}
    bot.player.event(event, event_id="EvPURPOSE")
    welcome = bot.wait_until(lambda: bot.standin.dm_messages("U0BOB"), what="welcome")
    assert "Learn together." in str(welcome[0]["blocks"])


def test_purpose_edit_submitted_by_a_member_is_refused(bot):
    """The permission is checked when the modal is submitted, not only when opened."""
    bot.player.slash_command("U0ALICE", "purpose edit")
    modal = bot.standin.views()[-1]["view"]
    values = {
        Block.PURPOSE_FR: {"text": {"type": "plain_text_input", "value": "Pirate"}},
        Block.PURPOSE_EN: {"text": {"type": "plain_text_input", "value": "Pirate"}},
    }
    reply = bot.player.view_submission("U0BOB", modal, values).json
    assert reply["response_action"] == "push"
    assert "Pirate" not in _text(bot.player.slash_command("U0BOB", "purpose").json)


def test_coordinator_adds_and_retires_an_interest(bot):
    """An added topic is listed; a retired one is not."""
    added = bot.player.slash_command("U0ALICE", 'interests add "Réseaux sociaux" "Social media"')
    assert "social-media" in _text(added.json)
    assert "Social media" in _text(bot.player.slash_command("U0BOB", "interests").json)
    bot.player.slash_command("U0ALICE", "interests remove social-media")
    assert "Social media" not in _text(bot.player.slash_command("U0BOB", "interests").json)


def test_interest_mistakes_get_the_usage(bot):
    """A malformed interests command explains the usage; a member may not add topics."""
    assert "Usage" in bot.player.slash_command("U0ALICE", "interests add OnlyOne").json["text"]
    unknown = bot.player.slash_command("U0ALICE", "interests remove nope").json["text"]
    assert "`nope`" in unknown
    refused = bot.player.slash_command("U0BOB", 'interests add "A" "B"').json["text"]
    assert refused == "Only the community's coordinators can do that."
