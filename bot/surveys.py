"""Needs surveys: create, launch to the community, answer page by page, remind, close, report.

Every message a survey causes (invitations, reminders, results, the chart and CSV files)
is an outbox row written in the transaction of the change that causes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.anonymity import fingerprint, voter_id
from bot.charts import ChartQuestion, survey_results_png
from bot.config import Settings
from bot.errors import CercleError
from bot.forms import block_element, parse_id
from bot.i18n import normalize_language, t
from bot.ui import surveys as ui
from storage import surveys as store
from storage.csv_export import to_csv
from storage.guards import survey_unanswered_guard
from storage.members import get_member
from storage.models import Survey, SurveyQuestion, utcnow
from storage.outbox import enqueue_file, enqueue_many_messages, enqueue_message
from storage.participation import SURVEY_RESPONSE, record, record_anonymously
from storage.polls import display_names
from storage.roster import community_member_ids, joined_dates


def ballot_box(survey_id: int) -> str:
    """Return the name the fingerprints of a survey's respondents are made for."""
    return f"survey:{survey_id}"


def respondent_id(settings: Settings, survey: Survey, user_id: str) -> str:
    """Return what the survey stores for `user_id`: their id, or a fingerprint if anonymous."""
    return voter_id(settings, ballot_box(survey.id), user_id, anonymous=survey.anonymous)


def _language_of(db: Session, settings: Settings, user_id: str) -> str:
    profile = get_member(db, user_id)
    return normalize_language(profile.locale if profile else None, settings.language)


def audience(db: Session) -> set[str]:
    """Return who a survey launched now would go to."""
    return community_member_ids(db)


def launch_survey(
    db: Session, settings: Settings, survey_id: int, *, now: datetime | None = None
) -> int:
    """Send the survey to every community member by DM; return how many it went to."""
    now = now or utcnow()
    survey = store.lock_survey(db, survey_id)
    if survey is None:
        raise CercleError("survey.error.unknown", number=survey_id)
    if survey.launched_at is not None:
        raise CercleError("survey.error.already_launched", number=survey_id)
    if survey.closes_at is not None and survey.closes_at <= now:
        raise CercleError("survey.error.deadline_passed", number=survey_id)
    members = sorted(audience(db))
    joined = joined_dates(db)
    store.launch(
        db, survey, {user: store.segment_for(joined.get(user), now) for user in members}, now=now
    )
    count = len(store.survey_questions(db, survey.id))
    enqueue_many_messages(
        db,
        [
            {
                "key": f"survey:{survey.id}:invite:{user}",
                "address": user,
                **ui.build_invitation(survey, count, _language_of(db, settings, user)),
            }
            for user in members
        ],
    )
    return len(members)


def open_survey_for(db: Session, survey_id: int, user_id: str, *, now: datetime) -> Survey:
    """Return the survey if `user_id` may answer it now, else explain why not."""
    survey = store.get_survey(db, survey_id)
    if survey is None or survey.launched_at is None:
        raise CercleError("survey.error.gone")
    if survey.closed_at is not None or (survey.closes_at is not None and survey.closes_at <= now):
        raise CercleError("survey.error.closed")
    if store.invitation(db, survey.id, user_id) is None:
        raise CercleError("survey.error.not_invited")
    return survey


def answer_page(
    db: Session, settings: Settings, survey_id: int, user_id: str, *, page: int, language: str
) -> dict[str, Any]:
    """Return page `page` of the answer modal for `user_id`, with their earlier answers."""
    survey = open_survey_for(db, survey_id, user_id, now=utcnow())
    questions = store.survey_questions(db, survey.id)
    answers = store.answers_of(db, survey.id, respondent_id(settings, survey, user_id))
    page = max(0, min(page, ui.page_count(len(questions)) - 1))
    return ui.build_answer_page(survey, questions, answers, page=page, language=language)


def read_answer(question: SurveyQuestion, state: dict[str, Any]) -> dict[str, Any] | None:
    """Turn one input's submitted state into a stored answer (None when left empty)."""
    if question.kind == "text":
        text = str(state.get("value") or "").strip()
        return {"text": text[: ui.TEXT_ANSWER_MAX_LENGTH]} if text else None
    selected = state.get("selected_options") or []
    if state.get("selected_option"):
        selected = [state["selected_option"]]
    if not isinstance(selected, list):
        return None
    chosen = [parse_id(option.get("value")) for option in selected if isinstance(option, dict)]
    numbers = [number for number in chosen if number is not None]
    if question.kind == "scale":
        points = [number for number in numbers if 1 <= number <= 5]
        return {"scale": points[0]} if points else None
    indexes = sorted({number for number in numbers if number < len(question.options)})
    if question.kind == "single":
        indexes = indexes[:1]
    return {"choices": indexes} if indexes else None


def submit_page(
    db: Session,
    settings: Settings,
    *,
    survey_id: int,
    page: int,
    user_id: str,
    values: dict[str, Any],
    language: str,
    now: datetime | None = None,
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """Save one page of answers; return (the next view, errors by block id).

    The next view is the following page, or the thanks once the last page is in; the
    respondent counts as having answered then (and only the first time).
    """
    now = now or utcnow()
    survey = open_survey_for(db, survey_id, user_id, now=now)
    questions = store.survey_questions(db, survey.id)
    shown = questions[page * ui.QUESTIONS_PER_PAGE : (page + 1) * ui.QUESTIONS_PER_PAGE]
    answers: dict[int, dict[str, Any] | None] = {}
    errors: dict[str, str] = {}
    for question in shown:
        block_id = ui.question_block_id(question.id)
        state = block_element(values, block_id)
        answer = read_answer(question, state)
        choices = (answer or {}).get("choices") or []
        if (
            question.kind == "multiple"
            and question.max_choices
            and len(choices) > question.max_choices
        ):
            errors[block_id] = t(
                "survey.error.too_many_choices", language, count=question.max_choices
            )
        elif answer is None and question.required:
            errors[block_id] = t("survey.error.required", language)
        answers[question.id] = answer
    if errors:
        return None, errors
    respondent = respondent_id(settings, survey, user_id)
    store.save_answers(db, survey.id, respondent, answers)
    if page + 1 < ui.page_count(len(questions)):
        earlier = store.answers_of(db, survey.id, respondent)
        return ui.build_answer_page(
            survey, questions, earlier, page=page + 1, language=language
        ), {}
    invitation = store.invitation(db, survey.id, user_id)
    segment = invitation.segment if invitation else "long_standing"
    if store.complete(db, survey, respondent, segment=segment, now=now):
        # Finishing counts once; an anonymous answer only adds to a count without a name.
        if survey.anonymous:
            record_anonymously(db, kind=SURVEY_RESPONSE, occurred_at=now)
        else:
            record(
                db,
                source_key=f"answer:survey:{survey.id}:{user_id}",
                user_id=user_id,
                kind=SURVEY_RESPONSE,
                occurred_at=now,
            )
    return ui.build_thanks_view(survey, language), {}


def survey_results(db: Session, survey: Survey) -> ui.SurveyResults:
    """Compute a survey's results and response rates (finished answers only)."""
    questions = store.survey_questions(db, survey.id)
    answers = store.completed_answers(db, survey.id)
    rates = store.segment_rates(db, survey.id)
    results = []
    for question in questions:
        values = answers.get(question.id, [])
        if question.kind == "text":
            texts = [str(v.get("text") or "") for v in values if v.get("text")]
            if survey.anonymous:
                # The order answers were stored in could hint at who wrote them.
                texts.sort(key=str.casefold)
            results.append(
                ui.QuestionResult(question.prompt, "text", len(texts), texts=tuple(texts))
            )
        elif question.kind == "scale":
            points = [int(v["scale"]) for v in values if isinstance(v.get("scale"), int)]
            counts = tuple((str(p), points.count(p)) for p in range(1, 6))
            average = sum(points) / len(points) if points else None
            results.append(
                ui.QuestionResult(question.prompt, "scale", len(points), counts, average)
            )
        else:
            counts = store.choice_counts(values, len(question.options))
            answered = sum(1 for v in values if v.get("choices"))
            results.append(
                ui.QuestionResult(
                    question.prompt,
                    question.kind,
                    answered,
                    tuple(zip(question.options, counts, strict=True)),
                )
            )
    return ui.SurveyResults(
        survey_id=survey.id,
        title=survey.title,
        anonymous=survey.anonymous,
        invited=sum(rate.invited for rate in rates),
        responded=len(store.respondents(db, survey.id)),
        segments=tuple((rate.segment, rate.invited, rate.responded) for rate in rates),
        questions=tuple(results),
        closed_at=survey.closed_at,
    )


def results_chart(results: ui.SurveyResults, language: str) -> bytes:
    """Render the results chart (choice and scale questions) as a PNG."""
    return survey_results_png(
        results.title,
        [
            ChartQuestion(
                prompt=result.prompt,
                kind=result.kind,
                counts=result.counts,
                respondents=result.respondents,
                average=result.average,
            )
            for result in results.questions
        ],
        respondents=results.responded,
        invited=results.invited,
        language=language,
    )


def post_results(
    db: Session, settings: Settings, survey: Survey, *, language: str, occasion: str
) -> bool:
    """Queue the results and their chart in the coordinators' channel; False if none is set."""
    channel = settings.coordinators_channel
    if not channel:
        return False
    results = survey_results(db, survey)
    key = f"survey:{survey.id}:results:{occasion}"
    enqueue_message(db, key=key, address=channel, **ui.build_results_message(results, language))
    enqueue_file(
        db,
        key=f"{key}:chart",
        address=channel,
        filename=f"survey-{survey.id}-results.png",
        content=results_chart(results, language),
        title=t("survey.chart_title", language, title=survey.title[:100]),
    )
    return True


def export_csv(db: Session, survey: Survey, language: str) -> str:
    """Return the survey's results as CSV.

    Named surveys get one row per respondent. Anonymous ones get per-question counts and
    the free-text answers alone, in alphabetical order: a row of one person's answers
    side by side could single them out.
    """
    questions = store.survey_questions(db, survey.id)
    if not survey.anonymous:
        by_respondent = store.answers_by_respondent(db, survey.id)
        names = display_names(db, set(by_respondent))
        header = [t("survey.csv.user_id", language), t("survey.csv.name", language)]
        header += [question.prompt for question in questions]
        rows = []
        for user_id in sorted(by_respondent):
            answers = by_respondent[user_id]
            rows.append(
                [user_id, names.get(user_id) or ""]
                + [_answer_text(question, answers.get(question.id)) for question in questions]
            )
        return to_csv(header, rows)
    results = survey_results(db, survey)
    header = [
        t("survey.csv.question", language),
        t("survey.csv.answer", language),
        t("survey.csv.count", language),
        t("survey.csv.percent", language),
    ]
    rows = []
    for question, result in zip(questions, results.questions, strict=True):
        for label, count in result.counts:
            rows.append([question.prompt, label, count, ui.percent(count, result.respondents)])
        if result.average is not None:
            rows.append(
                [question.prompt, t("survey.csv.average", language), f"{result.average:.2f}", ""]
            )
        for text in result.texts:
            rows.append([question.prompt, text, "", ""])
    return to_csv(header, rows)


def _answer_text(question: SurveyQuestion, value: dict[str, Any] | None) -> str:
    if not value:
        return ""
    if question.kind == "text":
        return str(value.get("text") or "")
    if question.kind == "scale":
        return str(value.get("scale") or "")
    return "; ".join(
        question.options[index]
        for index in value.get("choices") or []
        if isinstance(index, int) and 0 <= index < len(question.options)
    )


def close_survey(
    db: Session,
    settings: Settings,
    survey_id: int,
    *,
    closed_by: str | None,
    now: datetime | None = None,
) -> Survey:
    """Close a survey and post its results to the coordinators."""
    now = now or utcnow()
    survey = store.lock_survey(db, survey_id)
    if survey is None:
        raise CercleError("survey.error.unknown", number=survey_id)
    if survey.launched_at is None:
        raise CercleError("survey.error.not_launched", number=survey_id)
    if survey.closed_at is not None:
        raise CercleError("survey.error.already_closed", number=survey_id)
    store.close(db, survey, closed_by=closed_by, now=now)
    post_results(db, settings, survey, language=settings.language, occasion="closed")
    return survey


def close_due_surveys(db: Session, settings: Settings, *, now: datetime | None = None) -> int:
    """Close every launched survey past its deadline; return how many."""
    now = now or utcnow()
    closed = 0
    for survey_id in store.surveys_due_for_closing(db, now):
        survey = store.lock_survey(db, survey_id)
        if survey is None or survey.closed_at is not None:
            continue
        close_survey(db, settings, survey_id, closed_by=None, now=now)
        closed += 1
    return closed


def remind_non_respondents(db: Session, settings: Settings, *, now: datetime | None = None) -> int:
    """Queue the one reminder of each due survey to invitees who haven't answered."""
    now = now or utcnow()
    queued = 0
    for survey_id in store.surveys_due_for_reminder(db, now):
        if not store.mark_reminded(db, survey_id, now):
            continue
        survey = store.get_survey(db, survey_id)
        assert survey is not None
        done = store.respondents(db, survey.id)
        messages = []
        for user_id in store.invitees(db, survey.id):
            marker = (
                fingerprint(settings, ballot_box(survey.id), user_id)
                if survey.anonymous
                else user_id
            )
            if marker in done:
                continue
            messages.append(
                {
                    "key": f"survey:{survey.id}:remind:{user_id}",
                    "address": user_id,
                    "nudge_category": "reminders",
                    "guard": survey_unanswered_guard(
                        survey.id, None if survey.anonymous else user_id
                    ),
                    **ui.build_reminder(survey, _language_of(db, settings, user_id)),
                }
            )
        queued += enqueue_many_messages(db, messages)
    return queued
