"""`/cercle` end to end: signed slash commands into the real bot, answers as Slack shows them."""

from __future__ import annotations

from bot.commands import readable_text
from sandbox.blockkit_limits import validate_blocks


def _text_of(reply: dict) -> str:
    return "\n".join(
        str(b.get("text", {}).get("text", "")) for b in reply.get("blocks", []) if b.get("text")
    )


def test_help_speaks_french_to_a_french_member(bot):
    """Alice (fr-FR) gets the help in French, ephemeral, within Block Kit limits."""
    delivery = bot.player.slash_command("U0ALICE", "help")
    assert delivery.status == 200
    reply = delivery.json
    assert reply["response_type"] == "ephemeral"
    assert "Cercle : l'aide" in _text_of(reply)
    assert validate_blocks(reply["blocks"], "message") == []


def test_help_speaks_english_to_an_english_member(bot):
    """Bob (en-US) gets the same help in English."""
    reply = bot.player.slash_command("U0BOB", "help").json
    assert "Cercle: help" in _text_of(reply)


def test_empty_command_shows_help(bot):
    """`/cercle` alone shows the help."""
    reply = bot.player.slash_command("U0BOB", "").json
    assert "Cercle: help" in _text_of(reply)


def test_help_lists_coordinator_commands_only_to_coordinators(bot):
    """The status subcommand appears in a coordinator's help, not in a member's."""
    alice = _text_of(bot.player.slash_command("U0ALICE", "help").json)
    bob = _text_of(bot.player.slash_command("U0BOB", "help").json)
    assert "/cercle status" in alice
    assert "/cercle status" not in bob


def test_unknown_command_gets_an_ephemeral_notice_with_the_help(bot):
    """An unknown subcommand is named back, followed by the help."""
    reply = bot.player.slash_command("U0BOB", "sondage").json
    assert reply["response_type"] == "ephemeral"
    text = _text_of(reply)
    assert "I don't know the command `sondage`" in text
    assert "Cercle: help" in text


def test_unknown_command_is_escaped_when_echoed(bot):
    """A typed <!channel> is echoed harmlessly, never as a mention."""
    reply = bot.player.slash_command("U0BOB", "<!channel>").json
    assert "<!channel>" not in _text_of(reply)
    assert "<!channel>" not in reply["text"]


def test_coordinators_command_is_refused_to_a_member(bot):
    """Bob is told, in English, that only coordinators may see the queue."""
    reply = bot.player.slash_command("U0BOB", "status").json
    assert reply["response_type"] == "ephemeral"
    assert reply["text"] == "Only the community's coordinators can do that."


def test_status_shows_queue_figures_to_a_coordinator(bot):
    """Alice sees the delivery queue's figures."""
    reply = bot.player.slash_command("U0ALICE", "status").json
    assert "File d'envoi de Cercle" in _text_of(reply)
    assert "Envoyés" in _text_of(reply)


def test_unbalanced_quote_is_explained(bot):
    """A missing closing quote gets a clear ephemeral explanation, not an error page."""
    delivery = bot.player.slash_command("U0BOB", 'help "oops')
    assert delivery.status == 200
    assert "closing quote" in delivery.json["text"]


def test_member_language_is_cached(bot):
    """users.info is asked once per member, not on every command."""
    bot.player.slash_command("U0BOB", "help")
    bot.player.slash_command("U0BOB", "help")
    assert (
        len([c for c in bot.standin.calls("users.info") if c["params"].get("user") == "U0BOB"]) == 1
    )


def test_readable_text_undoes_slacks_escaping():
    """With should_escape on, what a member typed comes back as they typed it."""
    assert readable_text("<@U1|anne> et <#C1|general>") == "@anne et #general"
    assert readable_text("<!here> <!channel> <!subteam^S1|@team>") == "@here @channel @team"
    assert readable_text("<https://x.example|site> <https://y.example>") == (
        "site (https://x.example) https://y.example"
    )
    assert readable_text("<mailto:a@b.example|a@b.example>") == "a@b.example"
    assert readable_text("a &lt;b&gt; &amp; c") == "a <b> & c"
