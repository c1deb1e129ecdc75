"""Survey operations: create from a definition, launch, save answers, count, close.

Functions take the session first and never commit. A respondent is a user id, or on an
anonymous survey a keyed fingerprint the caller computes (see bot.anonymity).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import (
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyRespondent,
    SurveySegmentCount,
    utcnow,
)
from storage.survey_io import SurveySpec

# Segments response rates are split by, from how long ago a member joined. (Participation
# levels will refine them once Cercle records participation.)
SEGMENTS = ("newcomer", "recent", "long_standing")
NEWCOMER_DAYS = 90
RECENT_DAYS = 365


def segment_for(joined_at: datetime | None, now: datetime) -> str:
    """Return the segment of a member who joined at `joined_at` (None: before Cercle)."""
    if joined_at is None:
        return "long_standing"
    age = now - joined_at
    if age < timedelta(days=NEWCOMER_DAYS):
        return "newcomer"
    if age < timedelta(days=RECENT_DAYS):
        return "recent"
    return "long_standing"


def _insert(db: Session) -> Any:
    return pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert


def create_survey(
    db: Session,
    spec: SurveySpec,
    *,
    created_by: str,
    closes_at: datetime | None = None,
    remind: bool = False,
    now: datetime | None = None,
) -> Survey:
    """Store a survey (not yet launched) and its questions."""
    survey = Survey(
        title=spec.title,
        intro=spec.intro,
        language=spec.language,
        anonymous=spec.anonymous,
        created_by=created_by,
        created_at=now or utcnow(),
        closes_at=closes_at,
        remind=remind and closes_at is not None,
    )
    db.add(survey)
    db.flush()
    for position, question in enumerate(spec.questions):
        low, high = question.scale_labels or (None, None)
        db.add(
            SurveyQuestion(
                survey_id=survey.id,
                position=position,
                kind=question.kind,
                prompt=question.prompt,
                options=list(question.options),
                required=question.required,
                max_choices=question.max_choices,
                scale_low=low,
                scale_high=high,
            )
        )
    db.flush()
    return survey


def get_survey(db: Session, survey_id: int) -> Survey | None:
    """Return the survey `survey_id`, if it exists."""
    return db.get(Survey, survey_id)


def lock_survey(db: Session, survey_id: int) -> Survey | None:
    """Return the survey locked for a change (others wait), if it exists."""
    return db.scalar(
        select(Survey)
        .where(Survey.id == survey_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def list_surveys(db: Session, *, limit: int = 10) -> list[Survey]:
    """Return the most recent surveys, newest first."""
    return list(db.scalars(select(Survey).order_by(Survey.id.desc()).limit(limit)))


def survey_questions(db: Session, survey_id: int) -> list[SurveyQuestion]:
    """Return the survey's questions in order."""
    return list(
        db.scalars(
            select(SurveyQuestion)
            .where(SurveyQuestion.survey_id == survey_id)
            .order_by(SurveyQuestion.position)
        )
    )


def reminder_time(launched_at: datetime, closes_at: datetime) -> datetime:
    """Return when to remind: two days before the deadline, or half-way if sooner."""
    return max(launched_at + (closes_at - launched_at) / 2, closes_at - timedelta(days=2))


def launch(
    db: Session, survey: Survey, invitees: dict[str, str], *, now: datetime | None = None
) -> None:
    """Mark the survey launched and record who it goes to, with their segment."""
    now = now or utcnow()
    survey.launched_at = now
    if survey.remind and survey.closes_at is not None:
        survey.remind_at = reminder_time(now, survey.closes_at)
    if invitees:
        db.execute(
            _insert(db)(SurveyInvitation).on_conflict_do_nothing(),
            [
                {"survey_id": survey.id, "user_id": user, "segment": segment, "invited_at": now}
                for user, segment in sorted(invitees.items())
            ],
        )


def invitation(db: Session, survey_id: int, user_id: str) -> SurveyInvitation | None:
    """Return `user_id`'s invitation to the survey, if they were sent it."""
    return db.get(SurveyInvitation, (survey_id, user_id))


def invitees(db: Session, survey_id: int) -> list[str]:
    """Return the user ids the survey was sent to."""
    return list(
        db.scalars(
            select(SurveyInvitation.user_id)
            .where(SurveyInvitation.survey_id == survey_id)
            .order_by(SurveyInvitation.user_id)
        )
    )


def answers_of(db: Session, survey_id: int, respondent: str) -> dict[int, dict[str, Any]]:
    """Return a respondent's answers by question id."""
    return {
        question_id: value
        for question_id, value in db.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.value).where(
                SurveyAnswer.survey_id == survey_id, SurveyAnswer.respondent == respondent
            )
        )
    }


def save_answers(
    db: Session, survey_id: int, respondent: str, answers: dict[int, dict[str, Any] | None]
) -> None:
    """Store answers by question id; None clears an answer left empty."""
    cleared = [question_id for question_id, value in answers.items() if value is None]
    if cleared:
        db.execute(
            delete(SurveyAnswer).where(
                SurveyAnswer.survey_id == survey_id,
                SurveyAnswer.respondent == respondent,
                SurveyAnswer.question_id.in_(cleared),
            )
        )
    rows = [
        {"survey_id": survey_id, "question_id": qid, "respondent": respondent, "value": value}
        for qid, value in sorted(answers.items())
        if value is not None
    ]
    if rows:
        statement = _insert(db)(SurveyAnswer)
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["survey_id", "question_id", "respondent"],
                set_={"value": statement.excluded.value},
            ),
            rows,
        )


def complete(
    db: Session,
    survey: Survey,
    respondent: str,
    *,
    segment: str,
    now: datetime | None = None,
) -> bool:
    """Record that `respondent` finished the survey; True the first time.

    The first completion also adds one to its segment's count: the count says how many
    newcomers answered, never which answer is a newcomer's.
    """
    created = db.execute(
        _insert(db)(SurveyRespondent)
        .values(
            survey_id=survey.id,
            respondent=respondent,
            completed_at=None if survey.anonymous else (now or utcnow()),
        )
        .on_conflict_do_nothing()
        .returning(SurveyRespondent.respondent)
    ).first()
    if created is None:
        return False
    statement = _insert(db)(SurveySegmentCount).values(
        survey_id=survey.id, segment=segment, respondents=1
    )
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["survey_id", "segment"],
            set_={"respondents": SurveySegmentCount.respondents + 1},
        )
    )
    return True


def respondents(db: Session, survey_id: int) -> set[str]:
    """Return everyone who finished the survey (user ids, or fingerprints if anonymous)."""
    return set(
        db.scalars(
            select(SurveyRespondent.respondent).where(SurveyRespondent.survey_id == survey_id)
        )
    )


def has_completed(db: Session, survey_id: int, respondent: str) -> bool:
    """Tell whether `respondent` finished the survey."""
    return db.get(SurveyRespondent, (survey_id, respondent)) is not None


@dataclass(frozen=True)
class SegmentRate:
    """How many members of a segment were invited and how many answered."""

    segment: str
    invited: int
    responded: int


def segment_rates(db: Session, survey_id: int) -> list[SegmentRate]:
    """Return invited and answered counts per segment, in SEGMENTS order."""
    invited = dict(
        db.execute(
            select(SurveyInvitation.segment, func.count())
            .where(SurveyInvitation.survey_id == survey_id)
            .group_by(SurveyInvitation.segment)
        ).all()
    )
    responded = dict(
        db.execute(
            select(SurveySegmentCount.segment, SurveySegmentCount.respondents).where(
                SurveySegmentCount.survey_id == survey_id
            )
        ).all()
    )
    return [
        SegmentRate(segment, int(invited.get(segment, 0)), int(responded.get(segment, 0)))
        for segment in SEGMENTS
        if invited.get(segment) or responded.get(segment)
    ]


def completed_answers(db: Session, survey_id: int) -> dict[int, list[dict[str, Any]]]:
    """Return the answers of respondents who finished, by question id."""
    finished = select(SurveyRespondent.respondent).where(SurveyRespondent.survey_id == survey_id)
    answers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for question_id, value in db.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value)
        .where(SurveyAnswer.survey_id == survey_id, SurveyAnswer.respondent.in_(finished))
        .order_by(SurveyAnswer.question_id)
    ):
        answers[question_id].append(value)
    return dict(answers)


def answers_by_respondent(db: Session, survey_id: int) -> dict[str, dict[int, dict[str, Any]]]:
    """Return, for a named survey's export, each finished respondent's answers."""
    finished = select(SurveyRespondent.respondent).where(SurveyRespondent.survey_id == survey_id)
    rows: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for respondent, question_id, value in db.execute(
        select(SurveyAnswer.respondent, SurveyAnswer.question_id, SurveyAnswer.value).where(
            SurveyAnswer.survey_id == survey_id, SurveyAnswer.respondent.in_(finished)
        )
    ):
        rows[respondent][question_id] = value
    return dict(rows)


def choice_counts(values: list[dict[str, Any]], option_count: int) -> list[int]:
    """Count how many answers chose each option index."""
    counter: Counter[int] = Counter()
    for value in values:
        for index in value.get("choices") or []:
            if isinstance(index, int) and 0 <= index < option_count:
                counter[index] += 1
    return [counter[index] for index in range(option_count)]


def close(
    db: Session, survey: Survey, *, closed_by: str | None, now: datetime | None = None
) -> None:
    """Close the survey (by a coordinator, or by its deadline when `closed_by` is None)."""
    survey.closed_at = now or utcnow()
    survey.closed_by = closed_by


def surveys_due_for_closing(db: Session, now: datetime) -> list[int]:
    """Return launched, open surveys whose deadline has passed."""
    return list(
        db.scalars(
            select(Survey.id).where(
                Survey.launched_at.is_not(None),
                Survey.closed_at.is_(None),
                Survey.closes_at.is_not(None),
                Survey.closes_at <= now,
            )
        )
    )


def surveys_due_for_reminder(db: Session, now: datetime) -> list[int]:
    """Return open surveys whose reminder is due and not yet sent."""
    return list(
        db.scalars(
            select(Survey.id).where(
                Survey.closed_at.is_(None),
                Survey.remind_at.is_not(None),
                Survey.remind_at <= now,
                Survey.reminded_at.is_(None),
            )
        )
    )


def mark_reminded(db: Session, survey_id: int, now: datetime) -> bool:
    """Claim the survey's one reminder; False if another run already did."""
    result = db.execute(
        update(Survey)
        .where(Survey.id == survey_id, Survey.reminded_at.is_(None))
        .values(reminded_at=now)
    )
    return bool(result.rowcount)
