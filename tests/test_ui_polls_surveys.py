"""Poll and survey builders stay within Slack's Block Kit limits at their largest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.ui import polls as poll_ui
from bot.ui import surveys as survey_ui
from sandbox.blockkit_limits import validate_blocks, validate_view
from storage.models import Survey, SurveyQuestion
from storage.polls import MAX_OPTIONS, OPTION_MAX_LENGTH, QUESTION_MAX_LENGTH

CLOSES = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)


def _big_poll(*, anonymous=False, hide=False, closed=False, language="fr"):
    voters = tuple(f"U{index:08d}" for index in range(500))
    return poll_ui.PollView(
        poll_id=7,
        question="Q" * QUESTION_MAX_LENGTH,
        language=language,
        creator_id="U0CREATOR",
        options=tuple(
            poll_ui.OptionTally(index, "é" * OPTION_MAX_LENGTH, 500, voters)
            for index in range(MAX_OPTIONS)
        ),
        voter_count=500,
        max_choices=MAX_OPTIONS,
        anonymous=anonymous,
        hide_results=hide,
        allow_new_options=True,
        closes_at=CLOSES,
        closed_at=CLOSES if closed else None,
        closed_by="U0ALICE" if closed else None,
    )


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "flags",
    [{}, {"anonymous": True}, {"hide": True}, {"closed": True}, {"hide": True, "closed": True}],
)
def test_the_largest_poll_message_fits(language, flags):
    """Ten long options with 500 voters each: within limits, names cut with "and N more"."""
    message = poll_ui.build_poll_message(_big_poll(language=language, **flags))
    assert validate_blocks(message["blocks"], "message") == []
    text = str(message["blocks"])
    if flags.get("anonymous") or (flags.get("hide") and not flags.get("closed")):
        assert "<@U" not in text.replace("<@U0CREATOR>", "").replace("<@U0ALICE>", "")
    else:
        assert "<@U00000000>" in text


def test_a_closed_poll_has_no_vote_buttons_and_hidden_results_show_at_last():
    """Closed: final tallies, no Vote buttons; hidden results appear once closed."""
    hidden = poll_ui.build_poll_message(_big_poll(hide=True))
    assert "%" not in str(hidden["blocks"][2])
    closed = poll_ui.build_poll_message(_big_poll(hide=True, closed=True))
    assert "%" in str(closed["blocks"][2]) and "poll_vote" not in str(closed["blocks"])


def test_bars():
    """Bars are ten characters, rounded."""
    assert poll_ui.bar(0) == "░" * 10 and poll_ui.bar(1) == "█" * 10
    assert poll_ui.bar(0.44) == "████░░░░░░"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_poll_modals_and_reminder_fit(language):
    """The creation, add-option and delete modals and the reminder DM are valid."""
    assert validate_view(poll_ui.build_poll_modal("C1", language)) == []
    assert validate_view(poll_ui.build_add_option_modal(7, "Q" * 300, language)) == []
    assert validate_view(poll_ui.build_delete_poll_modal(7, "Q" * 300, language)) == []
    reminder = poll_ui.build_poll_reminder(_big_poll(), "C1", language)
    assert validate_blocks(reminder["blocks"], "message") == []


def _survey(anonymous=True):
    return Survey(
        id=3,
        title="T" * 150,
        intro="I" * 2000,
        language="fr",
        anonymous=anonymous,
        created_by="U0ALICE",
        closes_at=CLOSES,
        remind=True,
    )


def _questions():
    kinds = ["single", "multiple", "scale", "text"]
    return [
        SurveyQuestion(
            id=index,
            survey_id=3,
            position=index,
            kind=kinds[index % 4],
            prompt="P" * 2000,
            options=["o" * 75 + str(n) for n in range(10)] if kinds[index % 4] != "scale" else [],
            required=index % 2 == 0,
            max_choices=3 if kinds[index % 4] == "multiple" else None,
            scale_low="l" * 75,
            scale_high="h" * 75,
        )
        for index in range(30)
    ]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_answer_page_of_the_largest_survey_fits(language):
    """Thirty questions at their longest: six pages, each a valid modal, pre-filled."""
    questions = _questions()
    answers = {q.id: {"choices": [0, 1]} if q.kind != "scale" else {"scale": 5} for q in questions}
    answers |= {q.id: {"text": "x" * 3000} for q in questions if q.kind == "text"}
    pages = survey_ui.page_count(len(questions))
    assert pages == 6
    for page in range(pages):
        view = survey_ui.build_answer_page(
            _survey(), questions, answers, page=page, language=language
        )
        assert validate_view(view) == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_survey_messages_fit(language):
    """Invitation, reminder, creation and launch views, results and the list are valid."""
    survey = _survey()
    assert (
        validate_blocks(survey_ui.build_invitation(survey, 30, language)["blocks"], "message") == []
    )
    assert validate_blocks(survey_ui.build_reminder(survey, language)["blocks"], "message") == []
    assert validate_view(survey_ui.build_create_modal("x" * 3000, language)) == []
    assert validate_view(survey_ui.build_launch_view(survey, 30, 10_000, language)) == []
    assert validate_view(survey_ui.build_thanks_view(survey, language)) == []
    results = survey_ui.SurveyResults(
        survey_id=3,
        title="T" * 150,
        anonymous=True,
        invited=10_000,
        responded=9_999,
        segments=(("newcomer", 10, 5), ("recent", 90, 40), ("long_standing", 9_900, 9_954)),
        questions=tuple(
            survey_ui.QuestionResult(
                "P" * 2000,
                "text",
                500,
                texts=tuple("<!channel> " + "t" * 3000 for _ in range(500)),
            )
            if index % 2
            else survey_ui.QuestionResult(
                "P" * 2000, "single", 9_999, tuple(("o" * 75, 999) for _ in range(10))
            )
            for index in range(30)
        ),
    )
    message = survey_ui.build_results_message(results, language)
    assert validate_blocks(message["blocks"], "message") == []
    assert "<!channel>" not in str(message["blocks"])
    listed = survey_ui.build_survey_list([(survey, results)] * 10, language)
    assert validate_blocks(listed["blocks"], "message") == []
