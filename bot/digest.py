"""Weekly participation care: the coordinators' digest, and one gentle nudge to quiet members.

Both run on schedules coordinators can move (`weekly_digest`, `participation_nudges`)
and, like every flow, only write outbox rows. The digest is named after its ISO week
(in the community's time zone), so a second run that week posts nothing. A nudge is
named after the day it was planned; a member gets another only once they have come
back (earned the minimum of `quiet_weeks` weeks since) and gone quiet again.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.anonymity import voter_id
from bot.charts import weekly_activity_png
from bot.config import Settings
from bot.i18n import normalize_language, t
from bot.levels import (
    LevelPolicy,
    below_minimum,
    count_levels,
    level_policy,
    recent_points,
    weighted_points,
    went_quiet,
)
from bot.polls import ballot_box
from bot.reports import (
    QUIET_DAYS,
    FunnelStep,
    Person,
    onboarding_funnel,
    period_start,
    read_directory,
)
from bot.toolbox import suggest_tool
from bot.ui import digest as ui
from storage import polls as poll_store
from storage.charter import signatories_interests
from storage.models import (
    Member,
    OutboxMessage,
    ParticipationDaily,
    Poll,
    PollVote,
    Survey,
    SurveyInvitation,
    SurveyRespondent,
    ToolboxVisit,
    utcnow,
)
from storage.onboarding import charter_overview
from storage.outbox import enqueue_file, enqueue_many_messages, enqueue_message, find_row
from storage.participation import JOIN, KINDS, LEAVE, tracked_channels, untracked_members
from storage.toolbox import active_items

# The funnel in the digest follows members who joined in the last this many days.
FUNNEL_DAYS = 30
CHART_WEEKS = 12
# Kinds the activity chart stacks (joining and leaving are not acts of participation).
CHART_KINDS = tuple(kind for kind in KINDS if kind not in (JOIN, LEAVE))
# A participation nudge is a suggestion, not a request: like a tool suggestion it is
# dropped while the member is snoozed, and `/cercle nudges off toolbox` turns it off
# (storage.preferences.NUDGE_CATEGORIES has no category of its own for it).
NUDGE_CATEGORY = "toolbox"
NUDGE_PREFIX = "nudge:participation:"
OPEN_SHOWN = 5
_IN_LIST_MAX = 500


def iso_week(now: datetime, settings: Settings) -> str:
    """Return the ISO week of `now` in the community's time zone, e.g. 2026-W49."""
    return f"{now.astimezone(ZoneInfo(settings.timezone)):%G-W%V}"


@dataclass(frozen=True)
class OpenPoll:
    """An open poll and how many members voted in it."""

    poll_id: int
    question: str
    channel_id: str
    voters: int
    audience: int  # the community's size, the poll's natural audience


@dataclass(frozen=True)
class OpenSurvey:
    """An open survey and its response rate."""

    survey_id: int
    title: str
    responded: int
    invited: int


@dataclass(frozen=True)
class DigestData:
    """Everything the weekly digest shows."""

    week: str
    first_day: date  # the seven days the digest looks back on, in the community's zone
    last_day: date
    members: int
    levels: dict[str, int]
    funnel_days: int
    funnel: tuple[FunnelStep, ...]
    new_members: tuple[Person, ...]
    pending_charter: tuple[Person, ...]
    open_polls: tuple[OpenPoll, ...]
    open_surveys: tuple[OpenSurvey, ...]
    went_quiet: tuple[Person, ...]
    below_minimum: tuple[Person, ...]
    nudged: int  # participation nudges queued in the last seven days
    policy: LevelPolicy


def _still_open(model: type[Poll] | type[Survey], now: datetime) -> tuple[object, object]:
    return (model.closed_at.is_(None), or_(model.closes_at.is_(None), model.closes_at > now))


def open_polls(db: Session, *, now: datetime, audience: int) -> list[OpenPoll]:
    """Return the newest open polls with their number of voters."""
    polls = list(
        db.scalars(
            select(Poll).where(*_still_open(Poll, now)).order_by(Poll.id.desc()).limit(OPEN_SHOWN)
        )
    )
    if not polls:
        return []
    voters = dict(
        db.execute(
            select(PollVote.poll_id, func.count(func.distinct(PollVote.voter)))
            .where(PollVote.poll_id.in_([poll.id for poll in polls]))
            .group_by(PollVote.poll_id)
        ).all()
    )
    return [
        OpenPoll(poll.id, poll.question, poll.channel_id, int(voters.get(poll.id, 0)), audience)
        for poll in polls
    ]


def open_surveys(db: Session, *, now: datetime) -> list[OpenSurvey]:
    """Return the newest launched, open surveys with their response rates."""
    surveys = list(
        db.scalars(
            select(Survey)
            .where(Survey.launched_at.is_not(None), *_still_open(Survey, now))
            .order_by(Survey.id.desc())
            .limit(OPEN_SHOWN)
        )
    )
    if not surveys:
        return []
    ids = [survey.id for survey in surveys]
    invited = dict(
        db.execute(
            select(SurveyInvitation.survey_id, func.count())
            .where(SurveyInvitation.survey_id.in_(ids))
            .group_by(SurveyInvitation.survey_id)
        ).all()
    )
    responded = dict(
        db.execute(
            select(SurveyRespondent.survey_id, func.count())
            .where(SurveyRespondent.survey_id.in_(ids))
            .group_by(SurveyRespondent.survey_id)
        ).all()
    )
    return [
        OpenSurvey(s.id, s.title, int(responded.get(s.id, 0)), int(invited.get(s.id, 0)))
        for s in surveys
    ]


def nudge_days(db: Session) -> list[tuple[str, date]]:
    """Return every participation nudge ever queued, as (member, day it was planned)."""
    days = []
    for address, key in db.execute(
        select(OutboxMessage.address, OutboxMessage.idempotency_key).where(
            OutboxMessage.idempotency_key.startswith(NUDGE_PREFIX, autoescape=True)
        )
    ):
        try:
            days.append((address, date.fromisoformat(key.rsplit(":", 1)[-1])))
        except ValueError:
            continue
    return days


def weekly_digest(db: Session, settings: Settings, *, now: datetime) -> DigestData:
    """Gather the week's figures for coordinators."""
    policy = level_policy(settings)
    directory = read_directory(db)
    population = directory.community
    points = recent_points(db, policy, now=now, quiet_days=QUIET_DAYS)
    week_ago = now - timedelta(days=7)
    new = sorted(
        (
            (joined_at, user_id)
            for user_id, joined_at in directory.joined.items()
            if joined_at is not None and week_ago <= joined_at <= now and user_id in population
        ),
        reverse=True,
    )
    pending = [
        status.user_id
        for status in charter_overview(db, include_accepted=False)
        if status.status != "accepted" and status.user_id in population
    ]
    local = now.astimezone(ZoneInfo(settings.timezone)).date()
    today = now.astimezone(UTC).date()
    # Members counted anonymously (`/cercle tracking off`) have no record to judge.
    judged = population - untracked_members(db)
    return DigestData(
        week=iso_week(now, settings),
        first_day=local - timedelta(days=7),
        last_day=local - timedelta(days=1),
        members=len(population),
        levels=count_levels(population, points.current, policy),
        funnel_days=FUNNEL_DAYS,
        funnel=onboarding_funnel(db, since=period_start(FUNNEL_DAYS, now), now=now),
        new_members=tuple(directory.person(user_id) for _, user_id in new),
        pending_charter=tuple(directory.person(user_id) for user_id in pending),
        open_polls=tuple(open_polls(db, now=now, audience=len(population))),
        open_surveys=tuple(open_surveys(db, now=now)),
        went_quiet=tuple(directory.person(u, p) for u, p in went_quiet(points, judged, policy)),
        below_minimum=tuple(
            directory.person(u, points.minimum.get(u, 0))
            for u in below_minimum(points, judged, policy, joined=directory.joined, now=now)
        ),
        nudged=sum(1 for _, day in nudge_days(db) if today - timedelta(days=7) < day <= today),
        policy=policy,
    )


def weekly_activity(
    db: Session, *, now: datetime, weeks: int = CHART_WEEKS
) -> tuple[list[date], dict[str, list[int]]]:
    """Return the Mondays of the last `weeks` whole weeks and each kind's acts per week.

    Weeks are made of UTC days, as the daily counts are; the week under way is left out
    so a Monday digest does not end on an almost empty bar. Anonymous acts count too.
    """
    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    mondays = [this_monday - timedelta(weeks=weeks - i) for i in range(weeks)]
    series = {kind: [0] * weeks for kind in CHART_KINDS}
    for day, kind, count in db.execute(
        select(ParticipationDaily.day, ParticipationDaily.kind, func.sum(ParticipationDaily.count))
        .where(
            ParticipationDaily.day >= mondays[0],
            ParticipationDaily.day < this_monday,
            ParticipationDaily.kind.in_(CHART_KINDS),
        )
        .group_by(ParticipationDaily.day, ParticipationDaily.kind)
    ):
        index = (day - mondays[0]).days // 7
        series[kind][index] += int(count or 0)
    return mondays, {kind: values for kind, values in series.items() if any(values)}


def activity_chart(db: Session, *, now: datetime, language: str) -> bytes:
    """Render the weekly activity chart, kinds named in `language`."""
    mondays, series = weekly_activity(db, now=now)
    labelled = {
        t(f"participation.kind.{kind}", language): values for kind, values in series.items()
    }
    return weekly_activity_png(
        mondays,
        labelled,
        title=t("digest.chart.title", language, weeks=len(mondays)),
        language=language,
    )


def post_weekly_digest(db: Session, settings: Settings, *, now: datetime | None = None) -> bool:
    """Queue this week's digest and its chart in the coordinators' channel; True if queued.

    The key names the ISO week, so a second run in the same week (a restart, a new
    leader after a failover) queues nothing.
    """
    now = now or utcnow()
    if not settings.coordinators_channel:
        return False
    week = iso_week(now, settings)
    key = f"digest:{week}"
    if find_row(db, key) is not None:
        return False
    language = settings.language
    data = weekly_digest(db, settings, now=now)
    queued = enqueue_message(
        db, key=key, address=settings.coordinators_channel, **ui.build_digest(data, language)
    )
    if queued:
        enqueue_file(
            db,
            key=f"{key}:chart",
            address=settings.coordinators_channel,
            filename=f"activity-{week}.png",
            content=activity_chart(db, now=now, language=language),
            title=t("digest.chart.title", language, weeks=CHART_WEEKS),
        )
    return queued


# --- the gentle nudge ----------------------------------------------------------------


def _last_nudges(db: Session) -> dict[str, date]:
    """Return the day each member's latest participation nudge was planned."""
    latest: dict[str, date] = {}
    for address, day in nudge_days(db):
        if address not in latest or day > latest[address]:
            latest[address] = day
    return latest


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[i : i + _IN_LIST_MAX] for i in range(0, len(ids), _IN_LIST_MAX)]


def _points_after(db: Session, policy: LevelPolicy, after: dict[str, date]) -> dict[str, int]:
    """Return each member's points on the days after their own day in `after`."""
    if not after:
        return {}
    earliest = min(after.values())
    totals: dict[str, int] = defaultdict(int)
    for chunk in _chunks(sorted(after)):
        for user_id, day, points in db.execute(
            select(
                ParticipationDaily.user_id, ParticipationDaily.day, weighted_points(policy)
            ).where(
                ParticipationDaily.user_id.in_(chunk),
                ParticipationDaily.day > earliest,
                ParticipationDaily.kind.in_(policy.counted_kinds),
            )
        ):
            if day > after[user_id]:
                totals[user_id] += int(points or 0)
    return dict(totals)


def _opened(db: Session, user_ids: list[str]) -> dict[str, set[int]]:
    opened: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(user_ids):
        for user_id, item_id in db.execute(
            select(ToolboxVisit.user_id, ToolboxVisit.item_id)
            .where(ToolboxVisit.user_id.in_(chunk))
            .distinct()
        ):
            opened[user_id].add(item_id)
    return opened


def _newest_open_poll(db: Session, settings: Settings, now: datetime) -> Poll | None:
    channels = tracked_channels(db, settings.community_channel)
    if not channels:
        return None
    return db.scalar(
        select(Poll)
        .where(*_still_open(Poll, now), Poll.channel_id.in_(sorted(channels)))
        .order_by(Poll.created_at.desc(), Poll.id.desc())
        .limit(1)
    )


def members_to_nudge(db: Session, settings: Settings, *, now: datetime) -> list[str]:
    """Return the signatories below the minimum who were not nudged in this quiet spell."""
    policy = level_policy(settings)
    if policy.minimum_per_week <= 0:
        return []
    directory = read_directory(db)
    population = (directory.community & set(signatories_interests(db))) - untracked_members(db)
    points = recent_points(db, policy, now=now, quiet_days=QUIET_DAYS)
    below = below_minimum(points, population, policy, joined=directory.joined, now=now)
    if not below:
        return []
    previous = _last_nudges(db)
    again = {user_id: previous[user_id] for user_id in below if user_id in previous}
    came_back = _points_after(db, policy, again)
    needed = policy.minimum_per_week * policy.quiet_weeks
    return [
        user_id
        for user_id in below
        if user_id not in previous or came_back.get(user_id, 0) >= needed
    ]


def plan_participation_nudges(
    db: Session, settings: Settings, *, now: datetime | None = None
) -> int:
    """Queue one gentle nudge to each member quiet for `quiet_weeks` weeks; return how many.

    The nudge suggests an easy way in: the newest open poll in a counted channel (with
    its vote buttons), a tool they never opened, a question to ask in the community
    channel. The courtesy policy then decides when (and whether) it reaches them.
    """
    now = now or utcnow()
    targets = members_to_nudge(db, settings, now=now)
    if not targets:
        return 0
    profiles = {
        member.user_id: member
        for chunk in _chunks(targets)
        for member in db.scalars(select(Member).where(Member.user_id.in_(chunk)))
    }
    interests = signatories_interests(db)
    poll = _newest_open_poll(db, settings, now)
    poll_voters = poll_store.voters(db, poll.id) if poll is not None else set()
    options = (
        [(option.id, option.label) for option in poll_store.poll_options(db, poll.id)]
        if poll is not None
        else []
    )
    items = active_items(db)
    opened = _opened(db, targets) if items else {}
    day = now.astimezone(UTC).date().isoformat()
    messages = []
    for user_id in targets:
        profile = profiles.get(user_id)
        language = normalize_language(profile.locale if profile else None, settings.language)
        suggestion = None
        if poll is not None and options:
            marker = voter_id(settings, ballot_box(poll.id), user_id, anonymous=poll.anonymous)
            if marker not in poll_voters:
                suggestion = ui.PollSuggestion(poll.id, poll.question, poll.channel_id, options)
        item = suggest_tool(items, opened.get(user_id, set()), interests.get(user_id, []), language)
        name = profile.display_name if profile and profile.display_name else f"<@{user_id}>"
        messages.append(
            {
                "key": f"{NUDGE_PREFIX}{user_id}:{day}",
                "address": user_id,
                "nudge_category": NUDGE_CATEGORY,
                **ui.build_participation_nudge(
                    name=name,
                    poll=suggestion,
                    item=item,
                    channel_id=settings.community_channel or None,
                    language=language,
                ),
            }
        )
    return enqueue_many_messages(db, messages)
