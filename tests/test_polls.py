"""Polls end to end: signed requests in, the stand-in's messages and the database out."""

from __future__ import annotations

import csv
import io
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.ids import Action, Block, View
from bot.polls import close_due_polls, remind_non_voters
from sandbox.blockkit_limits import validate_blocks, validate_view
from storage.models import OutboxMessage, Poll, PollOption, PollVote, RoleGrant, utcnow
from storage.onboarding import note_join


@pytest.fixture(autouse=True)
def _diane(standin):
    """A fourth member, French-speaking like Alice and Camille (Bob speaks English)."""
    standin.add_user("U0DIANE", "diane", real_name="Diane Petit")


@pytest.fixture(autouse=True)
def _camille_facilitates(bot):
    """Camille creates the polls here: creating one needs the facilitator role.

    Granted straight in the database (no welcome DM to count); she stays no coordinator,
    so "only the creator or a coordinator" keeps its meaning.
    """
    bot.query(lambda db: db.add(RoleGrant(user_id="U0CAMILLE", role="facilitator")))


def _poll_message(bot, channel="C0COMMUNITY"):
    """Return the poll message once the dispatcher has posted it."""
    return bot.wait_until(
        lambda: next(
            (m for m in reversed(bot.standin.messages(channel)) if ":bar_chart:" in str(m)), None
        ),
        what="the poll message",
    )


def _poll(bot) -> Poll:
    return bot.query(lambda db: db.scalars(select(Poll).order_by(Poll.id.desc())).first())


def _options(bot, poll_id):
    return bot.query(
        lambda db: {
            o.label: o.id
            for o in db.scalars(select(PollOption).where(PollOption.poll_id == poll_id))
        }
    )


def _answered(bot, user, before):
    """Wait for the ephemeral answer to a click (confirmations come just after the ack)."""
    return bot.wait_until(lambda: bot.standin.ephemerals(user)[before:], what="an answer")


def _vote(bot, user, poll_id, option_id, channel="C0COMMUNITY"):
    before = len(bot.standin.ephemerals(user))
    bot.player.block_action(
        user, Action.POLL_VOTE, value=f"{poll_id}:{option_id}", channel_id=channel
    )
    return _answered(bot, user, before)


def _manage(bot, user, verb, poll_id):
    before = len(bot.standin.ephemerals(user))
    bot.player.block_action(
        user,
        Action.POLL_MANAGE,
        action={
            "type": "overflow",
            "action_id": Action.POLL_MANAGE,
            "selected_option": {"value": f"{verb}:{poll_id}"},
        },
    )
    if verb != "delete":  # delete asks for confirmation in a modal instead
        _answered(bot, user, before)


def _settled_text(bot, predicate, channel="C0COMMUNITY"):
    """Wait until the poll message (as edited) satisfies `predicate`; return its text."""

    def check():
        message = _poll_message(bot, channel)
        text = str(message["blocks"])
        return text if predicate(text) else None

    return bot.wait_until(check, timeout=15, what="the poll message to settle")


def _last_ephemeral(bot, user):
    return bot.wait_until(lambda: bot.standin.ephemerals(user), what="an ephemeral")[-1]["text"]


def test_a_poll_is_posted_voted_on_and_tallied_live(bot):
    """Votes, a change of vote and a removal: the message shows exact tallies and names."""
    reply = bot.player.slash_command(
        "U0CAMILLE", 'poll "Quel format préférez-vous ?" "Atelier" "Webinaire" "Café"'
    )
    assert reply.status == 200 and "C0COMMUNITY" in reply.json["text"]
    message = _poll_message(bot)
    assert validate_blocks(message["blocks"], "message") == []
    assert "Quel format préférez-vous ?" in str(message["blocks"])
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _vote(bot, "U0ALICE", poll.id, options["Atelier"])
    _vote(bot, "U0BOB", poll.id, options["Atelier"])
    _vote(bot, "U0BOB", poll.id, options["Café"])  # single choice: a change
    _vote(bot, "U0DIANE", poll.id, options["Webinaire"])
    _vote(bot, "U0DIANE", poll.id, options["Webinaire"])  # a second click removes it
    assert "Vote retiré" in _last_ephemeral(bot, "U0DIANE")
    assert "Café" in _last_ephemeral(bot, "U0BOB")
    votes = bot.query(
        lambda db: sorted((v.voter, v.option_id) for v in db.scalars(select(PollVote)))
    )
    assert votes == [("U0ALICE", options["Atelier"]), ("U0BOB", options["Café"])]
    text = _settled_text(bot, lambda text: "2 votant·es" in text)
    assert "<@U0ALICE>" in text and "<@U0BOB>" in text and "U0DIANE" not in text
    assert "50%" in text


def test_multi_choice_is_enforced(bot):
    """`--multi 2`: two options per member, a third is refused with a clear message."""
    bot.player.slash_command("U0CAMILLE", 'poll "Sujets ?" "A" "B" "C" --multi 2')
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _vote(bot, "U0CAMILLE", poll.id, options["A"])
    _vote(bot, "U0CAMILLE", poll.id, options["B"])
    _vote(bot, "U0CAMILLE", poll.id, options["C"])
    assert "2 options" in _last_ephemeral(bot, "U0CAMILLE")
    count = bot.query(lambda db: db.scalar(select(func.count()).select_from(PollVote)))
    assert count == 2


def test_updates_are_coalesced_and_the_last_one_is_exact(bot):
    """Many quick votes: few chat.update calls, two seconds apart, ending on the exact tally."""
    bot.player.slash_command("U0ALICE", 'poll "Rythme ?" "Hebdo" "Mensuel"')
    _poll_message(bot)
    poll = _poll(bot)
    options = _options(bot, poll.id)
    voters = [f"U0V{i:03d}" for i in range(20)]
    for user in voters:
        bot.standin.add_user(user, f"Votant {user}")
    started = time.monotonic()
    for index, user in enumerate(voters):  # a steady stream: one vote every 0.2 s
        _vote(bot, user, poll.id, options["Hebdo" if index % 3 else "Mensuel"])
        time.sleep(max(0.0, started + 0.2 * (index + 1) - time.monotonic()))
    during = len(bot.standin.calls("chat.update"))
    stream = time.monotonic() - started
    _settled_text(bot, lambda text: "20 votant·es" in text)
    elapsed = time.monotonic() - started
    bot.wait_until(  # every update row done: none left to show up later
        lambda: (
            not bot.query(
                lambda db: db.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status.in_(("pending", "sending")))
                )
            )
        ),
        what="the outbox to drain",
    )
    updates = bot.standin.calls("chat.update")
    assert len(updates) <= elapsed / 2 + 2
    # Live: the message moved during the stream, about every two seconds.
    assert during >= stream / 2 - 1
    final = _poll_message(bot)
    assert "13 votes" in str(final["blocks"]) and "7 votes" in str(final["blocks"])


def test_an_anonymous_poll_stores_no_one(bot):
    """No user id or time in the votes, no names in the message; still one vote each."""
    bot.player.slash_command("U0CAMILLE", 'poll "Anonyme ?" "Oui" "Non" --anonymous')
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _vote(bot, "U0ALICE", poll.id, options["Oui"])
    _vote(bot, "U0ALICE", poll.id, options["Non"])  # a change, not a second vote
    _vote(bot, "U0BOB", poll.id, options["Oui"])
    votes = bot.query(lambda db: [(v.voter, v.voted_at) for v in db.scalars(select(PollVote))])
    assert len(votes) == 2
    assert all(voter.startswith("h:") and voted_at is None for voter, voted_at in votes)
    assert not any(user in voter for voter, _ in votes for user in ("U0ALICE", "U0BOB"))
    text = _settled_text(bot, lambda text: "2 votant·es" in text)
    assert "<@U0ALICE>" not in text and "<@U0BOB>" not in text
    assert "anonyme" in text.lower()


def test_hidden_results_show_only_once_closed(bot):
    """`--hide-results`: counts of voters only, until the creator closes it."""
    bot.player.slash_command("U0CAMILLE", 'poll "Secret ?" "A" "B" --hide-results')
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _vote(bot, "U0ALICE", poll.id, options["A"])
    text = _settled_text(bot, lambda text: "1 votant" in text)
    assert "%" not in text and "<@U0ALICE>" not in text
    _manage(bot, "U0CAMILLE", "close", poll.id)
    text = _settled_text(bot, lambda text: ":lock:" in text)
    assert "100%" in text and "<@U0ALICE>" in text


def test_only_the_creator_or_a_coordinator_closes(bot):
    """A member's click on Close changes nothing; then votes on a closed poll are refused."""
    bot.player.slash_command("U0CAMILLE", 'poll "Fermer ?" "A" "B"')
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _manage(bot, "U0BOB", "close", poll.id)
    assert "author" in _last_ephemeral(bot, "U0BOB")
    assert _poll(bot).closed_at is None
    _manage(bot, "U0ALICE", "close", poll.id)  # a coordinator
    assert _poll(bot).closed_by == "U0ALICE"
    _vote(bot, "U0DIANE", poll.id, options["A"])
    assert "clôturé" in _last_ephemeral(bot, "U0DIANE")
    text = _settled_text(bot, lambda text: ":lock:" in text)
    assert "Voter" not in text


def test_a_poll_closes_at_its_deadline(bot):
    """The deadline job closes the poll; a click after the deadline is refused even before."""
    bot.player.slash_command("U0CAMILLE", 'poll "Échéance ?" "A" "B" --closes 2h')
    poll = _poll(bot)
    assert poll.closes_at is not None
    assert timedelta(hours=1, minutes=59) < poll.closes_at - utcnow() <= timedelta(hours=2)
    with bot.db() as db:
        db.get(Poll, poll.id).closes_at = utcnow() - timedelta(seconds=1)
    options = _options(bot, poll.id)
    _vote(bot, "U0ALICE", poll.id, options["A"])
    assert "clôturé" in _last_ephemeral(bot, "U0ALICE")
    with bot.db() as db:
        assert close_due_polls(db) == 1
    with bot.db() as db:
        assert close_due_polls(db) == 0
    text = _settled_text(bot, lambda text: ":lock:" in text)
    assert "échéance" in text


def test_members_who_have_not_voted_get_one_reminder(bot):
    """`--remind`: community members who haven't voted get one DM they can vote from."""
    with bot.db() as db:
        for user in ("U0CAMILLE", "U0BOB", "U0DIANE"):
            note_join(db, user)
    bot.player.slash_command("U0CAMILLE", 'poll "Rappel ?" "A" "B" --closes 3d --remind')
    poll = _poll(bot)
    assert poll.remind_at is not None and poll.remind_at < poll.closes_at
    options = _options(bot, poll.id)
    _vote(bot, "U0BOB", poll.id, options["A"])
    with bot.db() as db:
        queued = remind_non_voters(db, bot.settings, now=poll.remind_at + timedelta(seconds=1))
    assert queued == 2  # Bob and Diane
    with bot.db() as db:
        assert remind_non_voters(db, bot.settings, now=poll.remind_at + timedelta(hours=1)) == 0
    reminder = bot.wait_until(lambda: bot.standin.dm_messages("U0DIANE"), what="reminder")[-1]
    assert "Rappel ?" in str(reminder["blocks"])
    assert validate_blocks(reminder["blocks"], "message") == []
    assert not bot.standin.dm_messages("U0BOB")
    # Voting from the reminder works like voting in the channel.
    _vote(bot, "U0DIANE", poll.id, options["B"], channel=reminder["channel"])
    assert "Vote enregistré" in _last_ephemeral(bot, "U0DIANE")


def test_anonymous_reminders_reach_only_non_voters(bot):
    """The bot holds the key: it tells voters from non-voters without storing who is who."""
    with bot.db() as db:
        for user in ("U0CAMILLE", "U0BOB"):
            note_join(db, user)
    bot.player.slash_command("U0CAMILLE", 'poll "Anon ?" "A" "B" --closes 1d --remind --anonymous')
    poll = _poll(bot)
    _vote(bot, "U0BOB", poll.id, _options(bot, poll.id)["A"])
    with bot.db() as db:
        assert remind_non_voters(db, bot.settings, now=poll.remind_at) == 1
    rows = bot.query(
        lambda db: list(
            db.scalars(select(OutboxMessage.address).where(OutboxMessage.kind == "nudge"))
        )
    )
    assert rows == ["U0CAMILLE"]


def test_csv_export_goes_to_the_creator(bot):
    """The creator's Export sends an RFC 4180 CSV by DM, with formula-safe cells."""
    bot.player.slash_command("U0CAMILLE", 'poll "Export ?" "=SUM(A1)" "Normal"')
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _vote(bot, "U0ALICE", poll.id, options["=SUM(A1)"])
    _manage(bot, "U0CAMILLE", "export", poll.id)
    file = bot.wait_until(lambda: bot.standin.files(), what="the CSV")[-1]
    content = file["content"].decode("utf-8")
    assert "\r\n" in content
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "ligne"
    assert ["summary", "'=SUM(A1)", "1", "100.0", "", "", ""] in rows
    assert any(row[0] == "vote" and row[4] == "U0ALICE" for row in rows)


def test_anonymous_export_has_no_voters(bot):
    """An anonymous poll's CSV has the summary only."""
    bot.player.slash_command("U0CAMILLE", 'poll "Anon export ?" "A" "B" --anonymous')
    poll = _poll(bot)
    _vote(bot, "U0ALICE", poll.id, _options(bot, poll.id)["A"])
    _manage(bot, "U0CAMILLE", "export", poll.id)
    file = bot.wait_until(lambda: bot.standin.files(), what="the CSV")[-1]
    rows = list(csv.reader(io.StringIO(file["content"].decode("utf-8"))))
    assert {row[0] for row in rows[1:]} == {"summary"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('poll "Seule ?" "A"', "au moins 2"),
        ('poll "Trop ?" ' + " ".join(f'"{i}"' for i in range(11)), "10 options"),
        ('poll "Doublon ?" "A" "a"', "deux fois"),
        ('poll "Vide ?" "A" ""', "vide"),
        ('poll "' + "x" * 301 + '" "A" "B"', "trop longue"),
        ('poll "Passé ?" "A" "B" --closes 2020-01-01', "déjà passée"),
        ('poll "Quand ?" "A" "B" --closes bientôt', "comprends pas"),
        ('poll "Guillemets ?" "A', "guillemet"),
        ('poll "Multi ?" "A" "B" --multi 3', "3 choix"),
        ('poll "Multi ?" "A" "B" --multi x', "--multi"),
        ('poll "Rappel ?" "A" "B" --remind', "échéance"),
        ('poll "Inconnu ?" "A" "B" --secret', "--secret"),
        ("poll --anonymous", "question"),
    ],
)
def test_bad_polls_are_refused_and_nothing_is_posted(bot, text, expected):
    """Each mistake gets an ephemeral answer saying what to fix; no row, no message."""
    reply = bot.player.slash_command("U0CAMILLE", text)
    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    assert expected in reply.json["text"]
    assert bot.query(lambda db: db.scalar(select(func.count()).select_from(Poll))) == 0
    # Nothing queued, so nothing will be posted.
    assert bot.query(lambda db: db.scalar(select(func.count()).select_from(OutboxMessage))) == 0


def test_mentions_in_a_poll_read_as_typed_and_ping_nobody(bot):
    """Slack spells a typed @channel `<!channel>`: the poll shows "@channel", inert."""
    bot.player.slash_command(
        "U0CAMILLE",
        'poll "<!channel> vote <@U0ALICE|alice> &lt;b&gt;" "<!here>" "<https://x.example|site>"',
    )
    text = str(_poll_message(bot)["blocks"])
    assert "<!channel>" not in text and "<!here>" not in text and "<@U0ALICE" not in text
    assert "@channel vote @alice &lt;b&gt;" in text
    assert "@here" in text and "site (https://x.example)" in text
    assert "<https://x.example" not in text


def test_the_poll_modal_creates_a_poll_and_points_at_mistakes(bot):
    """No arguments: a modal; its mistakes come back next to the input to fix."""
    bot.player.slash_command("U0CAMILLE", "poll", channel_id="C0COMMUNITY")
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.POLL_CREATE
    assert validate_view(modal) == []

    def values(options, closes="", flags=()):
        return {
            Block.POLL_QUESTION: {"text": {"type": "plain_text_input", "value": "Modal ?"}},
            Block.POLL_OPTIONS: {"text": {"type": "plain_text_input", "value": options}},
            Block.POLL_MAX_CHOICES: {
                "choice": {"type": "static_select", "selected_option": {"value": "1"}}
            },
            Block.POLL_CLOSES: {"text": {"type": "plain_text_input", "value": closes}},
            Block.POLL_FLAGS: {
                "flags": {
                    "type": "checkboxes",
                    "selected_options": [{"value": flag} for flag in flags],
                }
            },
        }

    refused = bot.player.view_submission("U0CAMILLE", modal, values("Seule"))
    assert refused.json["response_action"] == "errors"
    assert Block.POLL_OPTIONS in refused.json["errors"]
    refused = bot.player.view_submission("U0CAMILLE", modal, values("A\nB", flags=("remind",)))
    assert Block.POLL_CLOSES in refused.json["errors"]
    refused = bot.player.view_submission("U0CAMILLE", modal, values("A\nB", closes="hier"))
    assert Block.POLL_CLOSES in refused.json["errors"]
    accepted = bot.player.view_submission(
        "U0CAMILLE", modal, values("A\n\nB\n", closes="3d", flags=("anonymous",))
    )
    assert accepted.status == 200 and not accepted.body
    poll = _poll(bot)
    assert (poll.anonymous, poll.closes_at is not None) == (True, True)
    assert set(_options(bot, poll.id)) == {"A", "B"}


def test_the_bot_joins_public_channels_and_asks_to_be_invited_to_private_ones(bot):
    """A public channel it isn't in: it joins. A private one: it says how to invite it."""
    bot.standin.add_channel("C0PUBLIC", "public", members=("U0CAMILLE",))
    bot.player.slash_command("U0CAMILLE", 'poll "Public ?" "A" "B"', channel_id="C0PUBLIC")
    assert bot.standin.calls("conversations.join")
    _poll_message(bot, "C0PUBLIC")
    bot.standin.add_channel("G0PRIVATE", "private", members=("U0CAMILLE",), is_private=True)
    reply = bot.player.slash_command("U0CAMILLE", 'poll "Privé ?" "A" "B"', channel_id="G0PRIVATE")
    assert "/invite" in reply.json["text"]
    assert bot.query(lambda db: db.scalar(select(func.count()).select_from(Poll))) == 1


def test_members_add_options_when_allowed(bot):
    """`--allow-new-options`: a member adds one; a duplicate is refused at the input."""
    bot.player.slash_command("U0CAMILLE", 'poll "Ouvert ?" "A" "B" --allow-new-options')
    poll = _poll(bot)
    bot.player.block_action("U0BOB", Action.POLL_ADD_OPTION, value=str(poll.id))
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.POLL_ADD_OPTION

    def option(text):
        return {Block.POLL_NEW_OPTION: {"text": {"type": "plain_text_input", "value": text}}}

    refused = bot.player.view_submission("U0BOB", modal, option("a"))
    assert Block.POLL_NEW_OPTION in refused.json["errors"]
    bot.player.view_submission("U0BOB", modal, option("C"))
    assert set(_options(bot, poll.id)) == {"A", "B", "C"}
    _settled_text(bot, lambda text: "*C*" in text)


def test_a_deleted_poll_refuses_votes(bot):
    """Delete (confirmed in a modal) replaces the message; old buttons say it is gone."""
    bot.player.slash_command("U0CAMILLE", 'poll "Supprimer ?" "A" "B"')
    _poll_message(bot)
    poll = _poll(bot)
    options = _options(bot, poll.id)
    _manage(bot, "U0CAMILLE", "delete", poll.id)
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.POLL_DELETE
    bot.player.view_submission("U0CAMILLE", modal, {})
    assert bot.query(lambda db: db.get(Poll, poll.id)) is None
    _vote(bot, "U0ALICE", poll.id, options["A"])
    assert "n'existe plus" in _last_ephemeral(bot, "U0ALICE")
    bot.wait_until(
        lambda: any("supprimé" in str(m) for m in bot.standin.messages("C0COMMUNITY")),
        what="the deletion note",
    )
