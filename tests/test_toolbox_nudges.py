"""The weekly tool post, personal suggestions, and `/cercle schedule`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from bot import toolbox as flows
from bot.courtesy import CourtesyPolicy
from bot.dispatcher import Dispatcher
from storage.charter import record_acceptance
from storage.members import save_profile
from storage.models import ToolboxItem, ToolboxVisit
from storage.outbox import find_row
from storage.preferences import snooze
from storage.schedules import parse_schedule
from storage.toolbox import ItemFields, add_item

MONDAY_0930_PARIS = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)


def _tool(bot, title, *, tags=(), language="fr", url=None):
    with bot.db() as db:
        item = add_item(
            db,
            ItemFields(
                title=title,
                url=url,
                description=f"{title} aide à s'organiser. Et plus.",
                tags=tuple(tags),
                language=language,
            ),
            author_id="U0ALICE",
        )
        return item.id


def _retire_starter_items(bot):
    """Keep only this test's tools active (the starter toolbox ships with the migrations)."""
    with bot.db() as db:
        for item in db.query(ToolboxItem):
            item.retired_at = datetime(2026, 1, 1, tzinfo=UTC)


def test_weekly_post_features_the_least_recently_featured_tool_once(bot):
    """The weekly post picks a never-featured tool, then the next one the following week."""
    _retire_starter_items(bot)
    first, second = _tool(bot, "Alpha"), _tool(bot, "Beta")
    with bot.db() as db:
        assert flows.post_weekly_tool(db, bot.settings, now=MONDAY_0930_PARIS) == first
        # Same week again (a restart, a failover): nothing new is queued.
        flows.post_weekly_tool(db, bot.settings, now=MONDAY_0930_PARIS + timedelta(hours=1))
    bot.runtime.dispatcher.wake()
    post = bot.wait_until(
        lambda: [m for m in bot.standin.messages("C0COMMUNITY") if "Alpha" in m["text"]],
        what="weekly post",
    )
    assert len(post) == 1
    assert "L'outil de la semaine" in str(post[0]["blocks"])
    with bot.db() as db:
        next_week = MONDAY_0930_PARIS + timedelta(days=7)
        assert flows.post_weekly_tool(db, bot.settings, now=next_week) == second


def test_ties_go_to_the_most_visited_tool(bot):
    """Among never-featured tools, the most visited is featured first."""
    _retire_starter_items(bot)
    _tool(bot, "Calme")
    popular = _tool(bot, "Populaire")
    with bot.db() as db:
        for user in ("U0BOB", "U0CAMILLE"):
            db.add(ToolboxVisit(item_id=popular, user_id=user))
    with bot.db() as db:
        assert flows.post_weekly_tool(db, bot.settings, now=MONDAY_0930_PARIS) == popular


def _signatory(bot, user_id, *, interests=(), timezone="Europe/Paris", locale="fr-FR"):
    with bot.db() as db:
        save_profile(db, user_id, display_name=user_id.title(), locale=locale, timezone=timezone)
        record_acceptance(db, user_id=user_id, version=1, interests=list(interests))


def test_quiet_members_get_one_suggestion_of_a_tool_they_never_opened(bot):
    """A member quiet in the toolbox gets a tool matching their interests; an active one not."""
    _retire_starter_items(bot)
    opened = _tool(bot, "Déjà vu")
    _tool(bot, "Général")
    events = _tool(bot, "Séminaires", tags=("events",))
    _signatory(bot, "U0CAMILLE", interests=("events",))
    _signatory(bot, "U0BOB", locale="en-US")
    with bot.db() as db:
        db.add(
            ToolboxVisit(
                item_id=opened,
                user_id="U0CAMILLE",
                visited_at=datetime.now(UTC) - timedelta(days=40),
            )
        )
        db.add(ToolboxVisit(item_id=opened, user_id="U0BOB", visited_at=datetime.now(UTC)))
    with bot.db() as db:
        plan = flows.plan_toolbox_nudges(db, bot.settings, quiet_days=21)
        again = flows.plan_toolbox_nudges(db, bot.settings, quiet_days=21)
    assert (plan.queued, again.queued) == (1, 0)
    bot.runtime.dispatcher.wake()
    [dm] = bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="suggestion")
    assert "Séminaires" in dm["text"]
    row = bot.query(lambda db: find_row(db, dm["metadata"]["event_payload"]["key"]))
    assert (row.kind, row.payload["nudge_category"]) == ("nudge", "toolbox")
    assert events
    assert bot.standin.dm_messages("U0BOB") == []


def test_snoozed_member_gets_no_suggestion_and_a_quiet_one_gets_it_in_the_morning(bot):
    """Through the courtesy policy: the snoozed member gets none, the other waits for 09:00."""
    _retire_starter_items(bot)
    _tool(bot, "Gamma")
    _signatory(bot, "U0CAMILLE")
    _signatory(bot, "U0DIANE")
    bot.runtime.dispatcher.stop()  # only the courteous dispatcher below may send
    with bot.db() as db:
        snooze(db, "U0DIANE", datetime.now(UTC) + timedelta(days=14))
        flows.plan_toolbox_nudges(db, bot.settings, quiet_days=21)
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
    week = f"{datetime.now(UTC).astimezone(ZoneInfo('Europe/Paris')):%G-W%V}"
    camille = bot.query(lambda db: find_row(db, f"nudge:toolbox:U0CAMILLE:{week}"))
    diane = bot.query(lambda db: find_row(db, f"nudge:toolbox:U0DIANE:{week}"))
    assert camille.next_attempt_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert diane.status == "superseded"


def test_schedule_words_parse():
    """Readable schedules in English and French."""
    assert parse_schedule(["weekly", "mon", "09:30"]) == ("mon", 9, 30)
    assert parse_schedule(["hebdo", "lundi", "9h30"]) == ("mon", 9, 30)
    assert parse_schedule(["daily", "10:00"]) == ("*", 10, 0)
    assert parse_schedule(["weekdays", "10:00"]) == ("mon-fri", 10, 0)
    assert parse_schedule(["weekly", "someday", "25:00"]) is None


def test_coordinator_lists_sets_pauses_and_resumes_schedules(bot):
    """`/cercle schedule` shows the defaults; changes are saved; members are refused."""
    shown = str(bot.player.slash_command("U0ALICE", "schedule").json["blocks"])
    assert "chaque lundi à 09:30" in shown
    changed = str(
        bot.player.slash_command("U0ALICE", "schedule set weekly_tool weekly fri 16:00").json
    )
    assert "chaque vendredi à 16:00" in changed
    paused = str(bot.player.slash_command("U0ALICE", "schedule pause toolbox_nudges").json)
    assert "(en pause)" in paused
    resumed = str(bot.player.slash_command("U0ALICE", "schedule resume toolbox_nudges").json)
    assert "(en pause)" not in resumed
    usage = bot.player.slash_command("U0ALICE", "schedule set weekly_tool whenever").json
    assert "Usage" in usage["text"]
    refused = bot.player.slash_command("U0BOB", "schedule").json
    assert refused["text"] == "Only the community's coordinators can do that."


@pytest.mark.scheduler
def test_the_leader_applies_schedule_changes_without_restart(bot):
    """After `schedule set`, the running scheduler's job has the new trigger."""
    from scheduled import jobs

    service = bot.runtime.scheduler_service
    scheduler = bot.wait_until(lambda: service.scheduler, what="this bot leading")
    bot.wait_until(lambda: jobs._scheduler is scheduler, what="the jobs using it")
    bot.player.slash_command("U0ALICE", "schedule set weekly_tool weekly fri 16:00")
    jobs.sync_schedules()
    job = scheduler.get_job("schedule:weekly_tool")
    assert "day_of_week='fri'" in str(job.trigger) and "hour='16'" in str(job.trigger)
    bot.player.slash_command("U0ALICE", "schedule pause weekly_tool")
    jobs.sync_schedules()
    assert scheduler.get_job("schedule:weekly_tool") is None


def test_two_processes_posting_the_same_week_post_once(bot):
    """Two leaders racing (a failover mid-run) still queue one weekly post."""
    import threading

    _retire_starter_items(bot)
    _tool(bot, "Delta")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=5)
            with bot.db() as db:
                flows.post_weekly_tool(db, bot.settings, now=MONDAY_0930_PARIS)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    week = "2026-W49"
    assert bot.query(lambda db: find_row(db, f"weekly-tool:{week}")) is not None
    bot.runtime.dispatcher.wake()
    bot.wait_until(
        lambda: [m for m in bot.standin.messages("C0COMMUNITY") if "Delta" in m["text"]],
        what="weekly post",
    )
    posts = [m for m in bot.standin.messages("C0COMMUNITY") if "Delta" in m["text"]]
    assert len(posts) == 1
