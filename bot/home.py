"""What the App Home shows a member (and a coordinator): read cheaply, on every open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.anonymity import voter_id
from bot.config import Settings
from bot.levels import count_levels, level_policy, points_by_member
from bot.polls import ballot_box as poll_box
from bot.surveys import respondent_id
from storage.models import (
    OutboxMessage,
    OutboxStatus,
    Poll,
    PollVote,
    Survey,
    SurveyInvitation,
    SurveyRespondent,
    utcnow,
)
from storage.roster import community_member_ids

# How many open polls and surveys the Home lists at most.
WAITING_SHOWN = 5
# How many of the newest open polls are checked for a missing vote.
_POLLS_CHECKED = 20


@dataclass(frozen=True)
class WaitingPoll:
    """An open poll the member has not voted in."""

    poll_id: int
    question: str
    channel_id: str
    closes_at: datetime | None


@dataclass(frozen=True)
class WaitingSurvey:
    """An open survey the member was sent and has not finished."""

    survey_id: int
    title: str
    closes_at: datetime | None


@dataclass(frozen=True)
class OpenSurvey:
    """An open survey and its response rate, for coordinators."""

    survey_id: int
    title: str
    responded: int
    invited: int


@dataclass(frozen=True)
class Dashboard:
    """The numbers coordinators see at the top of their Home."""

    open_polls: int
    open_surveys: tuple[OpenSurvey, ...]
    failed_messages: int
    members_by_level: dict[str, int] = field(default_factory=dict)


def _still_open(model: type[Poll] | type[Survey], now: datetime) -> tuple[Any, Any]:
    """Return the SQL conditions of a poll or survey still taking answers at `now`."""
    return (model.closed_at.is_(None), or_(model.closes_at.is_(None), model.closes_at > now))


def waiting_polls(
    db: Session, settings: Settings, user_id: str, *, now: datetime | None = None
) -> list[WaitingPoll]:
    """Return the newest open polls `user_id` has not voted in."""
    now = now or utcnow()
    polls = list(
        db.scalars(
            select(Poll)
            .where(*_still_open(Poll, now))
            .order_by(Poll.id.desc())
            .limit(_POLLS_CHECKED)
        )
    )
    if not polls:
        return []
    # The member's id on named polls, their fingerprint on each anonymous one.
    markers = {
        poll.id: voter_id(settings, poll_box(poll.id), user_id, anonymous=poll.anonymous)
        for poll in polls
    }
    voted = set(
        db.execute(
            select(PollVote.poll_id)
            .where(PollVote.poll_id.in_(markers), PollVote.voter.in_(set(markers.values())))
            .distinct()
        ).scalars()
    )
    return [
        WaitingPoll(poll.id, poll.question, poll.channel_id, poll.closes_at)
        for poll in polls
        if poll.id not in voted
    ][:WAITING_SHOWN]


def waiting_surveys(
    db: Session, settings: Settings, user_id: str, *, now: datetime | None = None
) -> list[WaitingSurvey]:
    """Return the open surveys `user_id` was sent and has not finished."""
    now = now or utcnow()
    surveys = list(
        db.scalars(
            select(Survey)
            .join(SurveyInvitation, SurveyInvitation.survey_id == Survey.id)
            .where(SurveyInvitation.user_id == user_id, *_still_open(Survey, now))
            .order_by(Survey.id.desc())
            .limit(WAITING_SHOWN * 2)
        )
    )
    waiting = []
    for survey in surveys:
        done = db.get(SurveyRespondent, (survey.id, respondent_id(settings, survey, user_id)))
        if done is None:
            waiting.append(WaitingSurvey(survey.id, survey.title, survey.closes_at))
    return waiting[:WAITING_SHOWN]


def dashboard(db: Session, settings: Settings, *, now: datetime | None = None) -> Dashboard:
    """Return the coordinators' numbers: levels, open polls and surveys, failed deliveries."""
    now = now or utcnow()
    policy = level_policy(settings)
    levels = count_levels(community_member_ids(db), points_by_member(db, policy, now=now), policy)
    open_polls = int(
        db.scalar(select(func.count()).select_from(Poll).where(*_still_open(Poll, now))) or 0
    )
    surveys = []
    for survey in db.scalars(
        select(Survey)
        .where(Survey.launched_at.is_not(None), *_still_open(Survey, now))
        .order_by(Survey.id.desc())
        .limit(WAITING_SHOWN)
    ):
        invited = db.scalar(
            select(func.count())
            .select_from(SurveyInvitation)
            .where(SurveyInvitation.survey_id == survey.id)
        )
        responded = db.scalar(
            select(func.count())
            .select_from(SurveyRespondent)
            .where(SurveyRespondent.survey_id == survey.id)
        )
        surveys.append(OpenSurvey(survey.id, survey.title, int(responded or 0), int(invited or 0)))
    failed = int(
        db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
        )
        or 0
    )
    return Dashboard(
        open_polls=open_polls,
        open_surveys=tuple(surveys),
        failed_messages=failed,
        members_by_level=levels,
    )
