"""Survey messages and modals (pure builders)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.deadlines import slack_date
from bot.i18n import t, tn
from bot.ids import Action, Block, View
from bot.ui.common import (
    button,
    checkboxes_input,
    context,
    escape_mrkdwn,
    header,
    plain,
    section,
    text_input,
)
from bot.ui.polls import bar, deadline_blocks
from storage.models import Survey, SurveyQuestion

QUESTIONS_PER_PAGE = 5
TEXT_ANSWER_MAX_LENGTH = 3000
# Free-text answers shown per question in Slack; the CSV has them all.
TEXT_ANSWERS_SHOWN = 5
_SECTION_BUDGET = 2900


def question_block_id(question_id: int) -> str:
    """Return the block id of a question's input in the answer modal."""
    return f"{Block.SURVEY_QUESTION_PREFIX}{question_id}"


def page_count(question_count: int) -> int:
    """Return how many modal pages a survey of `question_count` questions takes."""
    return max(1, -(-question_count // QUESTIONS_PER_PAGE))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def answer_button(survey_id: int, language: str) -> dict[str, Any]:
    """Return the Answer button that opens a survey's modal."""
    return button(
        t("survey.answer", language), Action.SURVEY_ANSWER, str(survey_id), style="primary"
    )


def answer_actions(survey_id: int, purpose: str, language: str) -> dict[str, Any]:
    """Return an actions block holding the Answer button (`purpose` names the block)."""
    return {
        "type": "actions",
        "block_id": f"{purpose}_{survey_id}",
        "elements": [answer_button(survey_id, language)],
    }


def build_invitation(survey: Survey, question_count: int, language: str) -> dict[str, Any]:
    """Return the DM that invites a member to answer, with its Answer button."""
    title = escape_mrkdwn(survey.title)
    facts = [tn("survey.questions", question_count, language)]
    if survey.closes_at is not None:
        facts.append(t("survey.until", language, when=slack_date(survey.closes_at)))
    blocks: list[dict[str, Any]] = [
        header(f"📝 {survey.title}"),
    ]
    if survey.intro:
        blocks.append(section(escape_mrkdwn(_clip(survey.intro, 2000))))
    blocks.append(context(" · ".join(facts)))
    if survey.anonymous:
        blocks.append(context(f":shushing_face: {t('survey.anonymous_note', language)}"))
    blocks.append(answer_actions(survey.id, "survey_invite", language))
    return {"text": t("survey.invitation", language, title=title), "blocks": blocks}


def build_reminder(survey: Survey, language: str) -> dict[str, Any]:
    """Return the one reminder sent to members who haven't answered."""
    text = t(
        "survey.reminder",
        language,
        title=escape_mrkdwn(survey.title),
        when=slack_date(survey.closes_at) if survey.closes_at else "",
    )
    blocks = [
        section(f":hourglass_flowing_sand: {text}"),
        answer_actions(survey.id, "survey_reminder", language),
        context(t("survey.reminder_once", language)),
    ]
    return {"text": text, "blocks": blocks}


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, limit=75), "value": value}


def _scale_options(question: SurveyQuestion) -> list[dict[str, Any]]:
    options = []
    for point in range(1, 6):
        label = str(point)
        if point == 1 and question.scale_low:
            label = f"1 · {question.scale_low}"
        elif point == 5 and question.scale_high:
            label = f"5 · {question.scale_high}"
        options.append(_option(label, str(point)))
    return options


def question_input(
    question: SurveyQuestion, answer: dict[str, Any] | None, language: str
) -> dict[str, Any]:
    """Return the input block for one question, pre-filled with an earlier answer."""
    answer = answer or {}
    element: dict[str, Any]
    if question.kind in ("single", "multiple"):
        options = [_option(label, str(index)) for index, label in enumerate(question.options)]
        chosen = [options[i] for i in answer.get("choices") or [] if 0 <= i < len(options)]
        if question.kind == "single":
            element = {"type": "radio_buttons", "action_id": "answer", "options": options}
            if chosen:
                element["initial_option"] = chosen[0]
        else:
            element = {"type": "checkboxes", "action_id": "answer", "options": options}
            if chosen:
                element["initial_options"] = chosen
    elif question.kind == "scale":
        options = _scale_options(question)
        element = {"type": "radio_buttons", "action_id": "answer", "options": options}
        value = answer.get("scale")
        if isinstance(value, int) and 1 <= value <= 5:
            element["initial_option"] = options[value - 1]
    else:
        element = {
            "type": "plain_text_input",
            "action_id": "answer",
            "multiline": True,
            "max_length": TEXT_ANSWER_MAX_LENGTH,
        }
        if answer.get("text"):
            element["initial_value"] = str(answer["text"])[:TEXT_ANSWER_MAX_LENGTH]
    block: dict[str, Any] = {
        "type": "input",
        "block_id": question_block_id(question.id),
        "optional": not question.required,
        "label": plain(question.prompt, limit=2000),
        "element": element,
    }
    if question.kind == "multiple" and question.max_choices:
        block["hint"] = plain(t("survey.max_choices", language, count=question.max_choices))
    return block


def build_answer_page(
    survey: Survey,
    questions: list[SurveyQuestion],
    answers: dict[int, dict[str, Any]],
    *,
    page: int,
    language: str,
) -> dict[str, Any]:
    """Return page `page` (from 0) of the answer modal, pre-filled with earlier answers."""
    pages = page_count(len(questions))
    shown = questions[page * QUESTIONS_PER_PAGE : (page + 1) * QUESTIONS_PER_PAGE]
    blocks: list[dict[str, Any]] = []
    if page == 0:
        blocks.append(section(f"*{escape_mrkdwn(survey.title)}*"))
        if survey.anonymous:
            blocks.append(context(f":shushing_face: {t('survey.anonymous_note', language)}"))
    blocks += [question_input(question, answers.get(question.id), language) for question in shown]
    last = page == pages - 1
    blocks.append(context(t("survey.page", language, page=page + 1, pages=pages)))
    return {
        "type": "modal",
        "callback_id": View.SURVEY_ANSWER,
        "private_metadata": json.dumps({"survey": survey.id, "page": page}),
        "title": plain(t("survey.modal_title", language), limit=24),
        "submit": plain(t("survey.send" if last else "survey.next", language), limit=24),
        "close": plain(t("common.cancel", language), limit=24),
        "blocks": blocks,
    }


def build_thanks_view(survey: Survey, language: str) -> dict[str, Any]:
    """Return the view shown once a member has answered every page."""
    lines = [t("survey.thanks", language)]
    if survey.closes_at is not None:
        lines.append(t("survey.can_change", language, when=slack_date(survey.closes_at)))
    return {
        "type": "modal",
        "title": plain(t("survey.modal_title", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "blocks": [section(":white_check_mark: " + "\n".join(lines))],
    }


def build_create_modal(template_yaml: str, language: str) -> dict[str, Any]:
    """Return the modal in which a coordinator writes or adapts a survey."""
    return {
        "type": "modal",
        "callback_id": View.SURVEY_CREATE,
        "title": plain(t("survey.create_title", language), limit=24),
        "submit": plain(t("survey.create_submit", language), limit=24),
        "close": plain(t("common.cancel", language), limit=24),
        "blocks": [
            section(t("survey.create_intro", language)),
            text_input(
                Block.SURVEY_DEFINITION,
                t("survey.create_definition", language),
                template_yaml,
                multiline=True,
                max_length=3000,
            ),
            *deadline_blocks(Block.SURVEY_CLOSES, t("survey.create_closes", language), language),
            checkboxes_input(
                Block.SURVEY_REMIND,
                t("poll.form.options_label", language),
                [("remind", t("survey.create_remind", language))],
            ),
        ],
    }


def build_launch_view(
    survey: Survey, question_count: int, audience: int, language: str
) -> dict[str, Any]:
    """Return the confirmation shown before a survey goes to every member."""
    facts = [tn("survey.questions", question_count, language)]
    facts.append(t("survey.anonymous" if survey.anonymous else "survey.named", language))
    if survey.closes_at is not None:
        facts.append(t("survey.until", language, when=slack_date(survey.closes_at)))
    if survey.remind:
        facts.append(t("survey.with_reminder", language))
    return {
        "type": "modal",
        "callback_id": View.SURVEY_LAUNCH,
        "private_metadata": str(survey.id),
        "title": plain(t("survey.launch_title", language), limit=24),
        "submit": plain(t("survey.launch_submit", language), limit=24),
        "close": plain(t("survey.launch_later", language), limit=24),
        "blocks": [
            section(
                t(
                    "survey.ready",
                    language,
                    title=escape_mrkdwn(survey.title),
                    number=survey.id,
                    count=audience,
                )
            ),
            context(" · ".join(facts)),
            context(t("survey.launch_later_hint", language, number=survey.id)),
        ],
    }


@dataclass(frozen=True)
class QuestionResult:
    """One question's results, ready to show."""

    prompt: str
    kind: str
    respondents: int
    counts: tuple[tuple[str, int], ...] = ()
    average: float | None = None
    texts: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurveyResults:
    """A survey's results and response rates."""

    survey_id: int
    title: str
    anonymous: bool
    invited: int
    responded: int
    segments: tuple[tuple[str, int, int], ...]  # (segment, invited, responded)
    questions: tuple[QuestionResult, ...] = field(default_factory=tuple)
    closed_at: datetime | None = None


def percent(part: int, whole: int) -> int:
    """Return `part` as a whole percentage of `whole` (0 when there is no whole)."""
    return round(100 * part / whole) if whole else 0


def rate_line(results: SurveyResults, language: str) -> str:
    """Return "12 of 40 members answered (30 %)" with the split by segment."""
    line = t(
        "survey.rate",
        language,
        responded=results.responded,
        invited=results.invited,
        percent=percent(results.responded, results.invited),
    )
    parts = [
        t(
            "survey.segment_rate",
            language,
            segment=t(f"survey.segment.{segment}", language),
            responded=responded,
            invited=invited,
            percent=percent(responded, invited),
        )
        for segment, invited, responded in results.segments
    ]
    return line + ("\n" + " · ".join(parts) if parts else "")


def _question_text(result: QuestionResult, language: str) -> str:
    lines = [f"*{escape_mrkdwn(_clip(result.prompt, 300))}*"]
    answered = tn("survey.answers", result.respondents, language)
    if result.kind == "text":
        lines.append(f"_{answered}_")
        budget = _SECTION_BUDGET - len(lines[0]) - 200
        shown = 0
        for text in result.texts[:TEXT_ANSWERS_SHOWN]:
            quoted = "> " + escape_mrkdwn(_clip(" ".join(text.split()), 400))
            if len(quoted) > budget:
                break
            lines.append(quoted)
            budget -= len(quoted) + 1
            shown += 1
        if len(result.texts) > shown:
            lines.append(t("survey.more_answers", language, count=len(result.texts) - shown))
        return "\n".join(lines)
    for label, count in result.counts:
        share = count / result.respondents if result.respondents else 0.0
        lines.append(
            f"`{bar(share)}` {percent(count, result.respondents)}% · "
            f"{escape_mrkdwn(_clip(label, 75))} ({count})"
        )
    if result.average is not None:
        average = f"{result.average:.1f}"
        lines.append(
            t(
                "survey.average",
                language,
                average=average.replace(".", ",") if language == "fr" else average,
            )
        )
    lines.append(f"_{answered}_")
    return "\n".join(lines)


def build_results_message(results: SurveyResults, language: str) -> dict[str, Any]:
    """Return the results: rates by segment, then a summary of every question."""
    blocks: list[dict[str, Any]] = [
        header(f"📊 {results.title}"),
        section(rate_line(results, language)),
    ]
    if results.anonymous:
        blocks.append(context(f":shushing_face: {t('survey.results_anonymous', language)}"))
    blocks += [section(_question_text(result, language)) for result in results.questions[:40]]
    text = t("survey.results_fallback", language, title=escape_mrkdwn(results.title))
    return {"text": text, "blocks": blocks}


def build_survey_list(surveys: list[tuple[Survey, SurveyResults]], language: str) -> dict[str, Any]:
    """Return the coordinators' list of surveys with their live response rates."""
    blocks: list[dict[str, Any]] = [header(t("survey.list_title", language))]
    if not surveys:
        blocks.append(section(t("survey.list_empty", language)))
    for survey, results in surveys:
        if survey.closed_at is not None:
            status = t("survey.status.closed", language)
        elif survey.launched_at is not None:
            status = t("survey.status.open", language)
        else:
            status = t("survey.status.draft", language)
        lines = [f"*#{survey.id} · {escape_mrkdwn(survey.title)}* — {status}"]
        if survey.launched_at is not None:
            lines.append(rate_line(results, language))
        blocks.append(section("\n".join(lines)))
    blocks.append(context(t("survey.list_help", language)))
    return {"text": t("survey.list_title", language), "blocks": blocks[:50]}
