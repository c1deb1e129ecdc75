"""`/cercle rules status` and the CSV export, as a coordinator sees them."""

from __future__ import annotations

import csv
import io

from bot import onboarding as flows
from bot.ids import Action
from storage.csv_export import safe_cell, to_csv


def test_csv_is_rfc4180_and_formula_safe():
    """Quotes are doubled, lines end with CRLF, and formulas are defused."""
    text = to_csv(["a", "b"], [['say "hi"', "=HYPERLINK(1)"], ["+1", "plain, text"]])
    assert text.startswith("a,b\r\n")
    assert '"say ""hi"""' in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[2] == ["'+1", "plain, text"]
    assert safe_cell(None) == ""


def _welcome_and_accept(bot):
    for user, event_id in (("U0CAMILLE", "EvS1"), ("U0BOB", "EvS2")):
        event = {"type": "member_joined_channel", "user": user, "channel": "C0COMMUNITY"}
        assert bot.player.event(event, event_id=event_id).status == 200
    with bot.db() as db:
        flows.accept_charter(
            db, bot.settings, user_id="U0BOB", version=1, answers=flows.JoinAnswers()
        )


def test_status_shows_counts_and_pending_members(bot):
    """Alice sees one accepted, one pending, and Camille listed as pending."""
    _welcome_and_accept(bot)
    reply = bot.player.slash_command("U0ALICE", "rules status").json
    text = str(reply["blocks"])
    assert "*1* acceptée(s)" in text
    assert "*1* en attente" in text
    assert "<@U0CAMILLE>" in text
    assert Action.CHARTER_EXPORT in text


def test_status_is_refused_to_a_member(bot):
    """Bob may not see who accepted the charter."""
    reply = bot.player.slash_command("U0BOB", "rules status").json
    assert reply["text"] == "Only the community's coordinators can do that."


def test_export_arrives_as_a_csv_file_in_the_coordinators_dm(bot):
    """The export button uploads a CSV to Alice's DM and tells her so."""
    _welcome_and_accept(bot)
    delivery = bot.player.block_action(
        "U0ALICE", Action.CHARTER_EXPORT, value="1", channel_id="C0COORD"
    )
    assert delivery.status == 200
    files = bot.wait_until(lambda: bot.standin.files(), what="uploaded file")
    content = files[0].get("content") or files[0].get("bytes") or b""
    if isinstance(content, bytes):
        content = content.decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][:3] == ["user_id", "name", "status"]
    assert {r[0]: r[2] for r in rows[1:]} == {"U0BOB": "accepted", "U0CAMILLE": "pending"}
    assert any("CSV" in e.get("text", "") for e in bot.standin.ephemerals("U0ALICE"))


def test_export_click_by_a_member_is_refused(bot):
    """A member clicking a forwarded export button gets a refusal and no file."""
    bot.player.block_action("U0BOB", Action.CHARTER_EXPORT, value="1", channel_id="C0COMMUNITY")
    assert bot.standin.files() == []
    refusals = bot.wait_until(lambda: bot.standin.ephemerals("U0BOB"), what="refusal")
    assert "coordinators" in refusals[0]["text"]
