"""The courtesy policy: quiet hours in each member's zone, weekly cap, snooze, opt-out."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from slack_sdk import WebClient

from bot.courtesy import CourtesyPolicy, parse_working_hours
from bot.dispatcher import Dispatcher
from handlers.nudges import parse_snooze
from storage.members import save_profile
from storage.models import OutboxStatus
from storage.outbox import enqueue_message, find_row
from storage.preferences import set_nudges, snooze

TUESDAY_10_PARIS = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SATURDAY_22_PARIS = datetime(2026, 11, 28, 21, 0, tzinfo=UTC)
MONDAY_09_PARIS = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
POLICY = CourtesyPolicy(community_timezone="Europe/Paris", weekly_cap=2)


def test_working_hours_setting_parses():
    """'09:00-18:00' gives a pair of times, 'off' gives None, nonsense is refused."""
    assert parse_working_hours("09:00-18:00") == (time(9), time(18))
    assert parse_working_hours("off") is None
    with pytest.raises(ValueError):
        parse_working_hours("18:00-09:00")


@pytest.mark.parametrize(
    ("text", "days"), [("2w", 14), ("2s", 14), ("10d", 10), ("10j", 10), ("27w", None), ("x", None)]
)
def test_snooze_lengths(text, days):
    """Snooze takes weeks or days, in English or French letters, up to 26 weeks."""
    length = parse_snooze(text)
    assert (length.days if length else None) == days


def _member(bot, user_id: str, timezone: str) -> None:
    with bot.db() as db:
        save_profile(db, user_id, display_name=user_id, locale="fr-FR", timezone=timezone)


def _decide(bot, user_id: str, category: str, now: datetime):
    with bot.db() as db:
        return POLICY.decide(db, user_id=user_id, category=category, now=now)


def test_night_nudge_waits_for_the_members_morning(bot):
    """Saturday 22:00 in Paris: deferred to Monday 09:00 Paris."""
    _member(bot, "U0CAMILLE", "Europe/Paris")
    decision = _decide(bot, "U0CAMILLE", "reminders", SATURDAY_22_PARIS)
    assert (decision.action, decision.until) == ("defer", MONDAY_09_PARIS)


def test_quiet_hours_are_the_members_own(bot):
    """17:00 UTC on a Tuesday: evening in Paris (wait), noon in New York (send)."""
    _member(bot, "U0CAMILLE", "Europe/Paris")
    _member(bot, "U0BOB", "America/New_York")
    tuesday_17_utc = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert _decide(bot, "U0CAMILLE", "reminders", tuesday_17_utc).action == "defer"
    assert _decide(bot, "U0BOB", "reminders", tuesday_17_utc).action == "send"


def test_snoozed_and_opted_out_members_get_nothing(bot):
    """A snoozed member's nudges are dropped; so are categories a member turned off."""
    _member(bot, "U0CAMILLE", "Europe/Paris")
    _member(bot, "U0BOB", "Europe/Paris")
    with bot.db() as db:
        snooze(db, "U0CAMILLE", TUESDAY_10_PARIS + timedelta(weeks=2))
        set_nudges(db, "U0BOB", ["toolbox"], enabled=False)
    # Something asked of a snoozed member waits for their return; a suggestion is dropped.
    waiting = _decide(bot, "U0CAMILLE", "reminders", TUESDAY_10_PARIS)
    assert (waiting.action, waiting.until) == ("defer", TUESDAY_10_PARIS + timedelta(weeks=2))
    assert _decide(bot, "U0CAMILLE", "toolbox", TUESDAY_10_PARIS).action == "drop"
    assert _decide(bot, "U0BOB", "toolbox", TUESDAY_10_PARIS).action == "drop"
    assert _decide(bot, "U0BOB", "reminders", TUESDAY_10_PARIS).action == "send"
    with bot.db() as db:
        set_nudges(db, "U0BOB", ["all"], enabled=False)
    assert _decide(bot, "U0BOB", "reminders", TUESDAY_10_PARIS).action == "drop"


def _courteous_dispatcher(bot, clock: datetime) -> Dispatcher:
    bot.runtime.dispatcher.stop()
    client = WebClient(token=bot.settings.slack_bot_token, base_url=bot.standin.api_url)
    return Dispatcher(
        bot.runtime.session_factory, client, courtesy=POLICY, courtesy_clock=lambda: clock
    )


def test_nudge_waits_but_transactional_message_does_not(bot):
    """At night a reminder waits; a thank-you queued after it still goes out at once."""
    _member(bot, "U0CAMILLE", "Europe/Paris")
    dispatcher = _courteous_dispatcher(bot, SATURDAY_22_PARIS)
    with bot.db() as db:
        enqueue_message(
            db, key="nudge:1", address="U0CAMILLE", text="psst", nudge_category="reminders"
        )
        enqueue_message(db, key="thanks:1", address="U0CAMILLE", text="merci !")
    for _ in range(3):
        dispatcher.run_once()
    assert [m["text"] for m in bot.standin.dm_messages("U0CAMILLE")] == ["merci !"]
    row = bot.query(lambda db: find_row(db, "nudge:1"))
    assert (row.status, row.next_attempt_at, row.attempts) == (
        OutboxStatus.PENDING,
        MONDAY_09_PARIS,
        0,
    )


def test_weekly_cap_holds_when_several_features_nudge(bot):
    """Three nudges from two features in one week: two go out, the third waits."""
    _member(bot, "U0CAMILLE", "Europe/Paris")
    dispatcher = _courteous_dispatcher(bot, TUESDAY_10_PARIS)
    with bot.db() as db:
        enqueue_message(
            db, key="reminder:a", address="U0CAMILLE", text="one", nudge_category="reminders"
        )
        enqueue_message(
            db, key="toolbox:b", address="U0CAMILLE", text="two", nudge_category="toolbox"
        )
        enqueue_message(
            db, key="reminder:c", address="U0CAMILLE", text="three", nudge_category="reminders"
        )
    for _ in range(5):
        dispatcher.run_once()
    assert [m["text"] for m in bot.standin.dm_messages("U0CAMILLE")] == ["one", "two"]
    waiting = bot.query(lambda db: find_row(db, "reminder:c"))
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.last_error == "courtesy: weekly cap"


def test_snoozed_member_gets_no_nudge_from_the_dispatcher(bot):
    """A nudge claimed while its member is snoozed is dropped, never sent."""
    _member(bot, "U0CAMILLE", "Europe/Paris")
    dispatcher = _courteous_dispatcher(bot, TUESDAY_10_PARIS)
    with bot.db() as db:
        snooze(db, "U0CAMILLE", TUESDAY_10_PARIS + timedelta(days=10))
        enqueue_message(
            db, key="nudge:s", address="U0CAMILLE", text="psst", nudge_category="toolbox"
        )
    dispatcher.run_once()
    assert bot.standin.dm_messages("U0CAMILLE") == []
    row = bot.query(lambda db: find_row(db, "nudge:s"))
    assert row.status == OutboxStatus.SUPERSEDED


def test_member_sees_and_changes_their_nudges(bot):
    """`/cercle nudges`, `nudges off toolbox` and `snooze 2w` answer in the member's language."""
    shown = str(bot.player.slash_command("U0BOB", "nudges").json["blocks"])
    assert "Toolbox suggestions: *on*" in shown
    changed = str(bot.player.slash_command("U0BOB", "nudges off toolbox").json["blocks"])
    assert "Toolbox suggestions: *off*" in changed
    snoozed = bot.player.slash_command("U0BOB", "snooze 2w").json["text"]
    assert "no nudges until" in snoozed
    assert "Paused until" in str(bot.player.slash_command("U0BOB", "nudges").json["blocks"])
    assert "Usage" in bot.player.slash_command("U0BOB", "snooze forever").json["text"]
    assert "Usage" in bot.player.slash_command("U0BOB", "nudges off cats").json["text"]
    french = bot.player.slash_command("U0CAMILLE", "nudges").json["blocks"]
    assert "Suggestions de la boîte à outils : *activés*" in str(french)
