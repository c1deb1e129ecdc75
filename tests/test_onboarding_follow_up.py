"""Charter follow-ups: reminders in working hours, cancelled by acceptance, and escalation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import onboarding as flows
from bot.courtesy import next_working_moment
from storage.charter import record_acceptance
from storage.models import Newcomer, OutboxMessage, OutboxStatus, utcnow

PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Tuesday 10:00 Paris: now.
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), datetime(2026, 11, 24, 9, 0, tzinfo=UTC)),
        # Tuesday 23:00 Paris: Wednesday 09:00 Paris.
        (datetime(2026, 11, 24, 22, 0, tzinfo=UTC), datetime(2026, 11, 25, 8, 0, tzinfo=UTC)),
        # Saturday noon Paris: Monday 09:00 Paris.
        (datetime(2026, 11, 28, 11, 0, tzinfo=UTC), datetime(2026, 11, 30, 8, 0, tzinfo=UTC)),
        # Tuesday 06:00 Paris: the same day at 09:00.
        (datetime(2026, 11, 24, 5, 0, tzinfo=UTC), datetime(2026, 11, 24, 8, 0, tzinfo=UTC)),
    ],
)
def test_next_working_moment_in_paris(now, expected):
    """Nudges wait for a weekday between 09:00 and 18:00 in the member's time zone."""
    assert next_working_moment(now, PARIS, fallback="UTC") == expected


def test_working_hours_follow_the_members_own_zone():
    """17:00 UTC is evening in Paris but morning in New York."""
    now = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)
    assert next_working_moment(now, "America/New_York", fallback=PARIS) == now
    assert next_working_moment(now, PARIS, fallback="UTC") > now


def test_unknown_zone_falls_back_to_the_community_zone():
    """A member without a readable time zone gets the community's."""
    now = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
    assert next_working_moment(now, "Nowhere/Land", fallback=PARIS) == datetime(
        2026, 11, 25, 8, 0, tzinfo=UTC
    )


def _join(bot, user_id: str, event_id: str) -> None:
    event = {"type": "member_joined_channel", "user": user_id, "channel": "C0COMMUNITY"}
    assert bot.player.event(event, event_id=event_id).status == 200


def _reminder(bot, user_id: str) -> OutboxMessage:
    """Return the member's (only) reminder row."""
    return bot.query(
        lambda db: db.scalar(
            select(OutboxMessage).where(OutboxMessage.idempotency_key.like(f"reminder:{user_id}:%"))
        )
    )


def _follow_up(bot, now: datetime | None = None):
    with bot.db() as db:
        report = flows.follow_up_newcomers(db, bot.settings, now=now)
    bot.runtime.dispatcher.wake()
    return report


def _last_working_moment_before_now() -> datetime:
    """A recent Tuesday 10:00 Paris: a reminder planned then is due at once."""
    now = utcnow()
    moment = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    while moment + timedelta(days=7) < now:
        moment += timedelta(days=7)
    return moment


def test_reminder_goes_out_after_the_interval_and_only_once(bot):
    """A newcomer silent for 3 days gets one reminder; running again sends nothing more."""
    _join(bot, "U0CAMILLE", "EvJOIN1")
    bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="welcome")
    now = _last_working_moment_before_now()
    with bot.db() as db:
        db.get(Newcomer, "U0CAMILLE").welcomed_at = now - timedelta(days=3, minutes=1)
    assert _follow_up(bot, now).reminded == ("U0CAMILLE",)
    assert _follow_up(bot, now).reminded == ()
    dms = bot.wait_until(
        lambda: (
            len(bot.standin.dm_messages("U0CAMILLE")) == 2 and bot.standin.dm_messages("U0CAMILLE")
        ),
        what="reminder",
    )
    assert "petit rappel" in dms[1]["text"]


def test_acceptance_cancels_a_waiting_reminder(bot):
    """Accepting while a reminder waits in the outbox cancels that reminder."""
    _join(bot, "U0CAMILLE", "EvJOIN3")
    bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="welcome")
    bot.runtime.dispatcher.stop()  # the reminder waits (as it would for the morning)
    now = _last_working_moment_before_now()
    with bot.db() as db:
        db.get(Newcomer, "U0CAMILLE").welcomed_at = now - timedelta(days=4)
    _follow_up(bot, now)
    with bot.db() as db:
        flows.accept_charter(
            db, bot.settings, user_id="U0CAMILLE", version=1, answers=flows.JoinAnswers()
        )
    row = _reminder(bot, "U0CAMILLE")
    assert row.status == OutboxStatus.SUPERSEDED


def test_reminder_is_checked_again_when_sending(bot):
    """A due reminder whose member accepted meanwhile is dropped at send time."""
    _join(bot, "U0CAMILLE", "EvJOIN4")
    bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="welcome")
    bot.runtime.dispatcher.stop()  # hold sending while the race is set up
    now = _last_working_moment_before_now()
    with bot.db() as db:
        db.get(Newcomer, "U0CAMILLE").welcomed_at = now - timedelta(days=4)
    _follow_up(bot, now)
    with bot.db() as db:
        # Accepted through a path that does not cancel queued rows: only the guard is left.
        record_acceptance(db, user_id="U0CAMILLE", version=1)
    bot.runtime.dispatcher.run_once()
    row = _reminder(bot, "U0CAMILLE")
    assert row.status == OutboxStatus.SUPERSEDED
    assert len(bot.standin.dm_messages("U0CAMILLE")) == 1


def test_coordinators_get_the_list_after_the_last_reminder(bot):
    """After every reminder and one more interval, coordinators are told once."""
    _join(bot, "U0CAMILLE", "EvJOIN5")
    bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="welcome")
    now = _last_working_moment_before_now()
    with bot.db() as db:
        newcomer = db.get(Newcomer, "U0CAMILLE")
        newcomer.welcomed_at = now - timedelta(days=10)
        newcomer.reminders_sent = 2
    assert _follow_up(bot, now).escalated == ("U0CAMILLE",)
    assert _follow_up(bot, now).escalated == ()
    report = bot.wait_until(
        lambda: [
            m
            for m in bot.standin.messages("C0COORD")
            if "U0CAMILLE" in str(m["blocks"]) and "rappel" in str(m["blocks"])
        ],
        what="coordinators' list",
    )
    assert len(report) == 1


def test_member_with_closed_dms_is_reported_without_retry_storm(bot):
    """A welcome refused with cannot_dm_bot fails once; coordinators are told once."""
    bot.standin.add_user("U0SHY", "shy", real_name="Sam Shy", dms_closed=True)
    _join(bot, "U0SHY", "EvJOIN6")
    welcome = bot.wait_until(
        lambda: bot.query(
            lambda db: db.scalar(
                select(OutboxMessage).where(
                    OutboxMessage.address == "U0SHY", OutboxMessage.status == OutboxStatus.FAILED
                )
            )
        ),
        what="failed welcome",
    )
    assert welcome.last_error == "cannot_dm_bot"
    assert welcome.attempts == 1
    assert _follow_up(bot).unreachable == (("U0SHY", "cannot_dm_bot"),)
    assert _follow_up(bot).unreachable == ()
    bot.wait_until(
        lambda: [
            m
            for m in bot.standin.messages("C0COORD")
            if "messages d'applications désactivés" in str(m["blocks"])
        ],
        what="coordinators told",
    )
