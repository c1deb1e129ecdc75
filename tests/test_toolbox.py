"""The toolbox in Slack: coordinators add and edit tools, members browse, search and open them."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.ids import Action, Block, View
from sandbox.blockkit_limits import validate_blocks
from storage.models import ToolboxItem, ToolboxVisit


def _item_values(title, *, url="", description="", tags="", language="fr", retire=False):
    values = {
        Block.TOOLBOX_TITLE: {"text": {"type": "plain_text_input", "value": title}},
        Block.TOOLBOX_URL: {"text": {"type": "plain_text_input", "value": url or None}},
        Block.TOOLBOX_DESCRIPTION: {"text": {"type": "plain_text_input", "value": description}},
        Block.TOOLBOX_TAGS: {"text": {"type": "plain_text_input", "value": tags}},
        Block.TOOLBOX_LANGUAGE: {
            Action.TOOLBOX_LANGUAGE: {
                "type": "radio_buttons",
                "selected_option": {"value": language},
            }
        },
    }
    if retire:
        values[Block.TOOLBOX_RETIRE] = {
            Action.TOOLBOX_RETIRE: {"type": "checkboxes", "selected_options": [{"value": "yes"}]}
        }
    return values


def _add(bot, title, **fields):
    bot.player.slash_command("U0ALICE", "toolbox add")
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.TOOLBOX_ITEM
    return bot.player.view_submission("U0ALICE", modal, _item_values(title, **fields))


def _item(bot, title):
    return bot.query(lambda db: db.scalar(select(ToolboxItem).where(ToolboxItem.title == title)))


def _buttons(reply):
    return [
        element
        for block in reply["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def test_coordinator_adds_a_tool_and_members_find_it(bot):
    """A tool added in the modal appears when a member searches by word or by tag."""
    delivery = _add(
        bot,
        "Grille zébrée",
        url="https://intranet.example/grille",
        description="Pour préparer un séminaire.",
        tags="Zebra, seminars",
    )
    assert delivery.status == 200 and not delivery.body
    item = _item(bot, "Grille zébrée")
    assert (item.tags, item.author_id, item.language) == (["zebra", "seminars"], "U0ALICE", "fr")
    for query in ("zébrée", "zebra"):
        reply = bot.player.slash_command("U0BOB", f"toolbox {query}").json
        assert "Grille zébrée" in str(reply["blocks"])
        assert validate_blocks(reply["blocks"], "message") == []
        [open_button] = [b for b in _buttons(reply) if b["action_id"] == Action.TOOLBOX_OPEN]
        assert open_button["url"] == "https://intranet.example/grille"


def test_opening_a_tool_records_the_visit(bot):
    """The Open button is a link and an event: the visit is recorded."""
    _add(bot, "Outil zèbre", url="https://intranet.example/z")
    item = _item(bot, "Outil zèbre")
    bot.player.block_action("U0BOB", Action.TOOLBOX_OPEN, value=str(item.id))
    visits = bot.query(lambda db: list(db.scalars(select(ToolboxVisit))))
    assert [(v.item_id, v.user_id) for v in visits] == [(item.id, "U0BOB")]


def test_a_tool_without_link_shows_its_details(bot):
    """Details of a tool without a link come as an ephemeral message, visit recorded."""
    _add(bot, "Astuce zébra", description="Bloquez 30 minutes <!channel> chaque matin.")
    item = _item(bot, "Astuce zébra")
    bot.player.block_action("U0BOB", Action.TOOLBOX_OPEN, value=str(item.id))
    [details] = bot.standin.ephemerals("U0BOB")
    assert "Bloquez 30 minutes" in details["text"]
    assert "<!channel>" not in details["text"]
    assert bot.query(lambda db: db.scalar(select(ToolboxVisit.user_id))) == "U0BOB"


def test_pages_of_five_with_next_and_previous(bot):
    """Seven matching tools: five on the first page, two after Next."""
    for n in range(7):
        _add(bot, f"Zorglub {n}")
    first = bot.player.slash_command("U0BOB", "toolbox zorglub").json
    assert str(first["blocks"]).count("Zorglub") == 5
    [next_button] = [b for b in _buttons(first) if b["action_id"] == Action.TOOLBOX_PAGE_NEXT]
    assert json.loads(next_button["value"]) == {"q": "zorglub", "o": 5}
    bot.player.block_action("U0BOB", Action.TOOLBOX_PAGE_NEXT, value=next_button["value"])
    [second] = bot.standin.ephemerals("U0BOB")
    assert str(second["blocks"]).count("Zorglub") == 2
    assert Action.TOOLBOX_PAGE_PREVIOUS in str(second["blocks"])


def test_coordinator_edits_and_retires_a_tool(bot):
    """Edit changes the tool; retiring hides it from searches."""
    _add(bot, "Zinnia")
    item = _item(bot, "Zinnia")
    bot.player.block_action("U0ALICE", Action.TOOLBOX_EDIT, value=str(item.id))
    modal = bot.standin.views()[-1]["view"]
    bot.player.view_submission("U0ALICE", modal, _item_values("Zinnia v2", tags="fleurs"))
    assert _item(bot, "Zinnia v2").tags == ["fleurs"]
    bot.player.view_submission("U0ALICE", modal, _item_values("Zinnia v2", retire=True))
    reply = bot.player.slash_command("U0BOB", "toolbox zinnia").json
    assert "Zinnia" not in str(reply["blocks"][1:])


def test_members_cannot_edit_even_from_a_forwarded_button(bot):
    """A member clicking Edit, or submitting the modal, is refused and nothing changes."""
    _add(bot, "Zoé")
    item = _item(bot, "Zoé")
    bot.player.block_action("U0BOB", Action.TOOLBOX_EDIT, value=str(item.id))
    assert "coordinators" in bot.standin.ephemerals("U0BOB")[0]["text"]
    bot.player.slash_command("U0ALICE", "toolbox add")
    modal = bot.standin.views()[-1]["view"]
    reply = bot.player.view_submission("U0BOB", modal, _item_values("Intrus")).json
    assert reply["response_action"] == "push"
    assert _item(bot, "Intrus") is None
    assert Action.TOOLBOX_EDIT not in str(bot.player.slash_command("U0BOB", "toolbox zoé").json)


def test_bad_link_and_tags_are_explained_in_the_modal(bot):
    """A non-web link and malformed tags get errors on their fields; nothing is saved."""
    reply = _add(bot, "Zut", url="javascript:alert(1)", tags="ok, pas bien!").json
    assert reply["response_action"] == "errors"
    assert set(reply["errors"]) == {Block.TOOLBOX_URL, Block.TOOLBOX_TAGS}
    assert _item(bot, "Zut") is None


def test_no_match_says_how_to_see_everything(bot):
    """A search with no result says so and suggests browsing everything."""
    reply = bot.player.slash_command("U0BOB", "toolbox qwertyuiop").json
    assert "No tool matches" in str(reply["blocks"])


def test_search_ignores_case_and_accents_capitals_and_wildcards(bot):
    """'éthique' finds 'Éthique…', a tag with an accent is found, and % or _ match literally."""
    _add(bot, "Éthique du métier", tags="réunion")
    for query in ("éthique", "ÉTHIQUE", "réunion"):
        assert "Éthique du métier" in str(
            bot.player.slash_command("U0BOB", f"toolbox {query}").json
        )
    for query in ("%", "_", "%%"):
        reply = bot.player.slash_command("U0BOB", f"toolbox {query}").json
        assert "No tool matches" in str(reply["blocks"])


def test_tampered_page_values_do_not_break_anything(bot):
    """A forged page button (huge or invalid offset) answers with a page, never an error."""
    _add(bot, "Zèle")
    for value in ('{"q": "zèle", "o": 1e19}', '{"q": "zèle", "o": "x"}', "not json", "[]"):
        delivery = bot.player.block_action("U0BOB", Action.TOOLBOX_PAGE_NEXT, value=value)
        assert delivery.status == 200
    assert all("Oops" not in e.get("text", "") for e in bot.standin.ephemerals("U0BOB"))
