"""Toolbox flows that run on a schedule: the weekly post and personal suggestions.

Like every flow, they only write outbox rows; the dispatcher sends them, and the
courtesy policy decides when each personal suggestion may reach its member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.i18n import normalize_language
from bot.ui import toolbox as ui
from storage.charter import signatories_interests
from storage.models import Member, ToolboxItem, utcnow
from storage.onboarding import members_who_left
from storage.outbox import enqueue_many_messages, enqueue_message, find_row, planned_members
from storage.participation import untracked_members
from storage.toolbox import active_items, last_visits, next_featured_item, opened_items


def _week(now: datetime, settings: Settings) -> str:
    """Return the ISO week of `now` in the community's time zone, e.g. 2026-W48."""
    return f"{now.astimezone(ZoneInfo(settings.timezone)):%G-W%V}"


def post_weekly_tool(db: Session, settings: Settings, *, now: datetime | None = None) -> int | None:
    """Queue "this week's tool" in the community channel; return the item id, if any.

    The key names the week, so a second run in the same week (a restart, a second
    leader after failover) queues nothing new.
    """
    now = now or utcnow()
    if not settings.community_channel:
        return None
    key = f"weekly-tool:{_week(now, settings)}"
    if find_row(db, key) is not None:
        return None  # this week's tool is already out (or on its way)
    item = next_featured_item(db)
    if item is None:
        return None
    enqueue_message(
        db,
        key=key,
        address=settings.community_channel,
        **ui.build_weekly_tool_post(item, settings.language),
    )
    item.last_featured_at = now
    return item.id


@dataclass(frozen=True)
class NudgePlan:
    """What one planning run of personal suggestions did."""

    considered: int
    queued: int


def suggest_tool(
    items: list[ToolboxItem], opened: set[int], interests: list[str], language: str
) -> ToolboxItem | None:
    """Pick a never-opened item: one matching the member's interests, else their language."""
    fresh = [item for item in items if item.id not in opened]
    wanted = set(interests)
    for candidates in (
        [item for item in fresh if wanted & set(item.tags or [])],
        [item for item in fresh if item.language == language],
        fresh,
    ):
        if candidates:
            return candidates[0]
    return None


def plan_toolbox_nudges(
    db: Session, settings: Settings, *, now: datetime | None = None, quiet_days: int = 21
) -> NudgePlan:
    """Suggest a never-opened tool to every member who opened none for `quiet_days` days.

    One suggestion per member per week at most (the key names the week); the courtesy
    policy then holds each one for the member's working hours, weekly cap, snooze and
    opt-out.
    """
    now = now or utcnow()
    members = signatories_interests(db)
    items = active_items(db)
    if not members or not items:
        return NudgePlan(len(members), 0)
    week = _week(now, settings)
    # Members already planned this week are skipped before any message is built, so a
    # second run in the same week (the schedule runs every weekday) costs a few reads.
    planned = planned_members(db, prefix="nudge:toolbox:", suffix=f":{week}")
    # Gone, or counted anonymously (their visits carry no name to tell what they opened).
    gone = members_who_left(db) | untracked_members(db)
    recent = last_visits(db)
    opened = opened_items(db)
    # One scan of the member table: an IN list of thousands of ids is slower, and capped
    # on some databases.
    profiles = {member.user_id: member for member in db.scalars(select(Member))}
    cutoff = now - timedelta(days=quiet_days)
    messages = []
    for user_id, interests in members.items():
        if user_id in planned or user_id in gone:
            continue
        last = recent.get(user_id)
        if last is not None and last >= cutoff:
            continue
        profile = profiles.get(user_id)
        if profile is not None and (profile.is_bot or profile.is_deleted):
            continue
        language = normalize_language(profile.locale if profile else None, settings.language)
        item = suggest_tool(items, opened.get(user_id, set()), interests, language)
        if item is None:
            continue
        name = profile.display_name if profile and profile.display_name else f"<@{user_id}>"
        messages.append(
            {
                "key": f"nudge:toolbox:{user_id}:{week}",
                "address": user_id,
                "nudge_category": "toolbox",
                **ui.build_toolbox_nudge(item, name=name, language=language),
            }
        )
    return NudgePlan(len(members), enqueue_many_messages(db, messages))
