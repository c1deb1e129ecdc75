"""The member directory: who is in the community channel, kept in step with Slack.

Events tell Cercle who joins and leaves the community channel, but Slack does not
promise to deliver every one, and nothing tells Cercle who was there before it was
installed. A sync, at start and daily, reads the channel's members
(`conversations.members`, 200 a page) and the profiles Cercle lacks or last refreshed
more than a week ago (`users.info`), then applies what it learnt in one short
transaction:

- every fetched profile is saved (name, time zone, locale, bot/guest/deactivated flags);
- a person in the channel whom the directory does not count as present (no row, or
  marked as having left) joined without Cercle hearing of it: the join is recorded as the
  event would have recorded it (participation `join:<user>:sync:<date>`, `joined_at` set
  to the sync time) and, unless onboarding skips them, they are welcomed by the very
  function the `member_joined_channel` listener calls, so the welcome DM goes out
  through the outbox;
- a person the directory counts as present who is no longer in the channel left: the
  leave is recorded likewise (`leave:<user>:sync:<date>`, `left_at`).

The very first sync is a baseline, not a wave of joins: when the directory is empty
(`storage.roster.directory_is_empty`: no member has a join or leave date and no newcomer
was ever recorded), everyone in the channel is recorded as present since before Cercle
(`joined_at` NULL), nobody is welcomed and no participation is recorded; known profiles of
people outside the channel are marked absent (`left_at` set, no leave recorded). The
baseline dates one row, Cercle's own (a bot: no report, roster or funnel counts it): its
`joined_at` is when the directory began, so the next sync is no baseline even if nobody
came or went in between, and a join it finds is a join.

Slack is only read, and only outside any database transaction: a slow or rate-limited
Slack must never hold SQLite's write lock. Rate limits are honoured: a 429 waits its
`Retry-After`, then that method is paced at Slack's Tier 4 rate; a call is tried at most
`MAX_ATTEMPTS` times and a sync waits at most `WAIT_BUDGET_SECONDS` in all. Without the
channel's complete member list nothing is changed, since a partial list would read as
a crowd of leaves; profiles Slack does not give are simply asked for again next time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.language import SLACKBOT_ID
from bot.onboarding import welcome_newcomer
from storage.db import transaction
from storage.members import get_member, profile_is_fresh, save_profile
from storage.models import Member, utcnow
from storage.onboarding import note_channel_join, note_leave
from storage.roster import directory_is_empty, directory_presence, mark_joined, mark_left

logger = logging.getLogger(__name__)

# Slack's largest useful page for conversations.members (it may return fewer).
PAGE_SIZE = 200
# A channel of 100,000 members is 500 pages: more means a cursor going round in circles.
MAX_PAGES = 500
# Tries of one call that Slack answers 429: the first and four retries.
MAX_ATTEMPTS = 5
# Seconds one sync may spend waiting out 429s before it gives up until the next run.
WAIT_BUDGET_SECONDS = 600.0
# Once a method was rate limited, later calls to it are spaced at its tier's rate
# (users.info and conversations.members are Tier 4: about 100 a minute), so the sync
# does not answer every refilled token with a call that Slack refuses.
PACE_AFTER_LIMIT_SECONDS = 0.6
# users.info failures in a row (timeouts, server errors) after which Slack is taken to be
# unwell: the remaining profiles wait for the next sync.
MAX_FAILURES_IN_A_ROW = 3
# A job is not answering anyone: it can wait longer for Slack than a request may.
SYNC_CLIENT_TIMEOUT_SECONDS = 10.0
_PROFILE_QUERY_CHUNK = 500


class DirectoryUnavailable(Exception):
    """Slack did not give the community channel's complete member list; nothing changed."""


class _RateLimitExhausted(Exception):
    """A call stayed rate limited beyond the sync's retries or waiting budget."""


@dataclass(frozen=True)
class DirectoryReport:
    """What one sync saw and did."""

    members_seen: int  # user ids in the community channel
    profiles_fetched: int  # users.info answers saved
    profiles_missing: int  # stale or missing profiles Slack did not give this time
    joins_repaired: int  # joins no event had told Cercle of
    leaves_found: int  # leaves no event had told Cercle of
    welcomes_queued: int  # welcome DMs those joins queued
    rate_limit_waits: int  # 429 answers waited out
    waited_seconds: float  # time spent waiting (Retry-After and pacing)
    baseline: bool  # the first sync: members recorded as present, nobody welcomed

    def summary(self) -> str:
        """Return the one line the job logs."""
        return (
            f"member directory{' baseline' if self.baseline else ''}: "
            f"{self.members_seen} members seen, {self.profiles_fetched} profiles fetched"
            f"{f' ({self.profiles_missing} missing)' if self.profiles_missing else ''}, "
            f"{self.joins_repaired} joins repaired ({self.welcomes_queued} welcomed), "
            f"{self.leaves_found} leaves found, {self.rate_limit_waits} rate-limit waits "
            f"({self.waited_seconds:.1f} s waiting)"
        )


@dataclass(frozen=True)
class DirectoryChanges:
    """What applying one sync changed in the database."""

    baseline: bool
    joins: int
    leaves: int
    welcomes: int


def _header(headers: Any, name: str) -> str | None:
    """Read an HTTP header case-insensitively (slack_sdk may give values as lists)."""
    wanted = name.lower()
    for key, value in dict(headers or {}).items():
        if str(key).lower() == wanted:
            return str(value[0] if isinstance(value, list) else value)
    return None


def _rate_limit_delay(error: SlackApiError) -> float | None:
    """Return the seconds a 429 asks to wait (1 if unreadable), or None if not a 429."""
    response = error.response
    data = getattr(response, "data", None)
    code = data.get("error") if isinstance(data, Mapping) else None
    if getattr(response, "status_code", None) != 429 and code != "ratelimited":
        return None
    try:
        return max(0.0, float(_header(getattr(response, "headers", None), "Retry-After") or 1))
    except ValueError:
        return 1.0


class _PoliteReader:
    """Make Slack reads that wait out rate limits, within bounded retries and waiting."""

    def __init__(self, sleep: Callable[[float], Any], *, wait_budget: float) -> None:
        self._sleep = sleep
        self._wait_budget = wait_budget
        self._paced: set[str] = set()
        self.rate_limit_waits = 0
        self.limited_seconds = 0.0
        self.waited_seconds = 0.0

    def _pause(self, seconds: float) -> None:
        self.waited_seconds += seconds
        self._sleep(seconds)

    def call(self, method: str, fn: Callable[..., SlackResponse], **params: Any) -> SlackResponse:
        """Run `fn(**params)`, waiting out 429s; raise _RateLimitExhausted past the bounds."""
        if method in self._paced:
            self._pause(PACE_AFTER_LIMIT_SECONDS)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return fn(**params)
            except SlackApiError as error:
                delay = _rate_limit_delay(error)
                if delay is None:
                    raise
                if attempt == MAX_ATTEMPTS or self.limited_seconds + delay > self._wait_budget:
                    raise _RateLimitExhausted(f"{method} still rate limited") from error
                self._paced.add(method)
                self.rate_limit_waits += 1
                self.limited_seconds += delay
                self._pause(delay)
        raise AssertionError("unreachable: the last attempt returns or raises")


def _read_channel_members(reader: _PoliteReader, client: WebClient, channel: str) -> list[str]:
    """Return every member id of `channel`, page by page; raise DirectoryUnavailable."""
    members: dict[str, None] = {}
    cursor: str | None = None
    try:
        for _page in range(MAX_PAGES):
            reply = reader.call(
                "conversations.members",
                client.conversations_members,
                channel=channel,
                limit=PAGE_SIZE,
                cursor=cursor,
            )
            members.update(dict.fromkeys(str(user) for user in reply.get("members") or []))
            cursor = (reply.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return list(members)
    except (_RateLimitExhausted, SlackApiError, SlackClientError, OSError) as error:
        reason = error.response.get("error") if isinstance(error, SlackApiError) else error
        raise DirectoryUnavailable(f"conversations.members failed: {reason}") from error
    raise DirectoryUnavailable(f"conversations.members gave more than {MAX_PAGES} pages")


def _fetch_profiles(
    reader: _PoliteReader, client: WebClient, user_ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """Return the users.info user objects Slack gives for `user_ids`, skipping failures."""
    profiles: dict[str, dict[str, Any]] = {}
    failures_in_a_row = 0
    for user_id in user_ids:
        try:
            reply = reader.call("users.info", client.users_info, user=user_id, include_locale=True)
        except _RateLimitExhausted:
            logger.warning("users.info stayed rate limited; other profiles wait for next sync")
            break
        except SlackApiError as error:
            if error.response.get("error") in ("user_not_found", "account_inactive"):
                continue
            failures_in_a_row += 1
        except (SlackClientError, OSError):
            failures_in_a_row += 1
        else:
            failures_in_a_row = 0
            user = reply.get("user")
            if isinstance(user, dict):
                profiles[user_id] = user
            continue
        if failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
            logger.warning("users.info keeps failing; other profiles wait for next sync")
            break
    return profiles


def profile_fields(user_id: str, user: Mapping[str, Any]) -> dict[str, Any]:
    """Return save_profile's arguments from a users.info user object."""
    profile = user.get("profile") or {}
    return {
        "display_name": profile.get("display_name") or profile.get("real_name") or user.get("name"),
        "locale": user.get("locale"),
        "timezone": user.get("tz"),
        "is_bot": bool(user.get("is_bot")) or user_id == SLACKBOT_ID,
        "is_guest": bool(user.get("is_restricted") or user.get("is_ultra_restricted")),
        "is_deleted": bool(user.get("deleted")),
        "is_workspace_admin": bool(user.get("is_admin") or user.get("is_owner")),
    }


def _profiles_to_fetch(db: Session, user_ids: list[str]) -> list[str]:
    """Return those of `user_ids` whose stored profile is missing or over a week old."""
    now = utcnow()
    fresh: set[str] = set()
    for start in range(0, len(user_ids), _PROFILE_QUERY_CHUNK):
        chunk = user_ids[start : start + _PROFILE_QUERY_CHUNK]
        for member in db.scalars(select(Member).where(Member.user_id.in_(chunk))):
            if profile_is_fresh(member, now=now):
                fresh.add(member.user_id)
    return [user_id for user_id in user_ids if user_id not in fresh]


def _is_person(user_id: str, member: Member | None) -> bool:
    """Tell whether the directory follows `user_id` (bots come and go unrecorded)."""
    return user_id != SLACKBOT_ID and (member is None or not member.is_bot)


def _onboarding_applies(settings: Settings, member: Member | None) -> bool:
    """Tell whether a join of this member leads to a welcome, as for a join event."""
    if member is None:
        return True
    return not (
        member.is_bot or member.is_deleted or (member.is_guest and not settings.greet_guests)
    )


@dataclass(frozen=True)
class Itself:
    """Who Cercle is in Slack (auth.test): its own row marks when the directory began."""

    user_id: str
    name: str | None


def _who_am_i(reader: _PoliteReader, client: WebClient) -> Itself:
    try:
        reply = reader.call("auth.test", client.auth_test)
    except (_RateLimitExhausted, SlackApiError, SlackClientError, OSError) as error:
        reason = error.response.get("error") if isinstance(error, SlackApiError) else error
        raise DirectoryUnavailable(f"auth.test failed: {reason}") from error
    return Itself(str(reply.get("user_id") or ""), reply.get("user"))


def apply_sync(
    db: Session,
    settings: Settings,
    *,
    channel_members: list[str],
    profiles: Mapping[str, Mapping[str, Any]],
    now: datetime,
    itself: Itself | None = None,
) -> DirectoryChanges:
    """Save `profiles` and bring the directory in line with `channel_members`.

    Decides the baseline here, in the writing transaction, so that a join event handled
    while Slack was being read is taken into account. `itself` (Cercle's own user) is
    needed for a baseline only: its row's join date records when the directory began.
    """
    baseline = directory_is_empty(db)
    present = directory_presence(db)  # as it stood before this sync
    for user_id, user in profiles.items():
        save_profile(db, user_id, **profile_fields(user_id, user))
    if baseline and itself is not None and itself.user_id:
        if itself.user_id not in profiles:
            save_profile(
                db,
                itself.user_id,
                display_name=itself.name,
                locale=None,
                timezone=None,
                is_bot=True,
            )
        mark_joined(db, itself.user_id, at=now)
    elif baseline:
        logger.warning("member directory baseline without Cercle's own user id to date it")
    in_channel = set(channel_members)
    channel = settings.community_channel
    moment = f"sync:{now.date().isoformat()}"
    joins = leaves = welcomes = 0
    for user_id in channel_members:
        if present.get(user_id):
            continue  # present, as the directory knew
        if baseline:
            mark_joined(db, user_id, at=None)  # here since before Cercle
            continue
        member = get_member(db, user_id)
        if not _is_person(user_id, member):
            continue
        joins += 1
        welcomes_them = _onboarding_applies(settings, member)
        note_channel_join(db, user_id, channel_id=channel, moment=moment, now=now)
        # The same person joining twice in a day shares the day's key: set the dates anyway.
        mark_joined(db, user_id, at=now)
        if welcomes_them and welcome_newcomer(db, settings, user_id, now=now):
            welcomes += 1
    for user_id, was_present in present.items():
        if user_id in in_channel or not was_present:
            continue
        if baseline:
            continue  # the directory starts here: nobody left
        if not _is_person(user_id, get_member(db, user_id)):
            continue
        leaves += 1
        note_leave(db, user_id, channel_id=channel, moment=moment, now=now)
        # As for joins: a second leave the same day shares the day's key.
        mark_left(db, user_id, at=now)
    return DirectoryChanges(baseline=baseline, joins=joins, leaves=leaves, welcomes=welcomes)


def sync_directory(
    session_factory: sessionmaker[Session],
    client: WebClient,
    settings: Settings,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    wait_budget: float = WAIT_BUDGET_SECONDS,
) -> DirectoryReport:
    """Read the community channel and stale profiles from Slack, then apply the changes.

    Raise DirectoryUnavailable, changing nothing, if the member list could not be read.
    """
    channel = settings.community_channel
    if not channel:
        raise DirectoryUnavailable("no community channel is set (CERCLE_COMMUNITY_CHANNEL)")
    reader = _PoliteReader(sleep, wait_budget=wait_budget)
    channel_members = _read_channel_members(reader, client, channel)
    with transaction(session_factory) as db:
        to_fetch = _profiles_to_fetch(db, channel_members)
        # Dates and newcomers are only ever added: a directory not empty now stays so.
        maybe_baseline = directory_is_empty(db)
    itself = _who_am_i(reader, client) if maybe_baseline else None
    profiles = _fetch_profiles(reader, client, to_fetch)
    with transaction(session_factory) as db:
        changes = apply_sync(
            db,
            settings,
            channel_members=channel_members,
            profiles=profiles,
            now=utcnow(),
            itself=itself,
        )
    return DirectoryReport(
        members_seen=len(channel_members),
        profiles_fetched=len(profiles),
        profiles_missing=len(to_fetch) - len(profiles),
        joins_repaired=changes.joins,
        leaves_found=changes.leaves,
        welcomes_queued=changes.welcomes,
        rate_limit_waits=reader.rate_limit_waits,
        waited_seconds=reader.waited_seconds,
        baseline=changes.baseline,
    )


def run_directory_sync(
    session_factory: sessionmaker[Session],
    settings: Settings,
    *,
    client: WebClient | None = None,
    sleep: Callable[[float], Any] = time.sleep,
) -> DirectoryReport | None:
    """Sync the directory as the scheduled job does and log one line; None if not done."""
    if client is None:
        from bot.app import make_web_client

        client = make_web_client(settings, timeout=SYNC_CLIENT_TIMEOUT_SECONDS)
    try:
        report = sync_directory(session_factory, client, settings, sleep=sleep)
    except DirectoryUnavailable as error:
        logger.warning("member directory not synced: %s", error)
        return None
    logger.info("%s", report.summary())
    return report
