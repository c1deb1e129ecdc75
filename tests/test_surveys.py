"""Needs surveys end to end: create, launch, answer page by page, remind, close, results."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.ids import Action, Block, View
from bot.surveys import remind_non_respondents
from sandbox.blockkit_limits import validate_blocks, validate_view
from storage.charter import record_acceptance
from storage.models import (
    OutboxMessage,
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRespondent,
    SurveySegmentCount,
    utcnow,
)
from storage.onboarding import note_join
from storage.survey_io import load_template
from storage.surveys import create_survey


@pytest.fixture(autouse=True)
def _community(standin, bot):
    """Diane joined last week (a newcomer); Bob and Camille have been members for ages."""
    standin.add_user("U0DIANE", "diane", real_name="Diane Petit")
    with bot.db() as db:
        note_join(db, "U0DIANE")
        for user in ("U0BOB", "U0CAMILLE"):
            record_acceptance(db, user_id=user, version=1)


def _create_from_modal(bot, text=None, closes="", remind=False):
    bot.player.slash_command("U0ALICE", "survey new")
    modal = bot.standin.views()[-1]["view"]
    assert modal["callback_id"] == View.SURVEY_CREATE
    definition = next(b for b in modal["blocks"] if b.get("block_id") == Block.SURVEY_DEFINITION)
    values = {
        Block.SURVEY_DEFINITION: {
            "text": {
                "type": "plain_text_input",
                "value": text if text is not None else definition["element"]["initial_value"],
            }
        },
        Block.SURVEY_CLOSES: {"text": {"type": "plain_text_input", "value": closes}},
        Block.SURVEY_REMIND: {
            "flags": {
                "type": "checkboxes",
                "selected_options": [{"value": "remind"}] if remind else [],
            }
        },
    }
    return modal, bot.player.view_submission("U0ALICE", modal, values)


def _launched_survey(bot, *, anonymous=True, closes_days=7):
    spec = load_template("needs-fr")
    if not anonymous:
        spec = type(spec)(**{**spec.__dict__, "anonymous": False})
    with bot.db() as db:
        survey = create_survey(
            db,
            spec,
            created_by="U0ALICE",
            closes_at=utcnow() + timedelta(days=closes_days),
            remind=True,
        )
        survey_id = survey.id
    reply = bot.player.slash_command("U0ALICE", f"survey launch {survey_id}")
    assert "3" in reply.json["text"]
    return survey_id


def _answer_everything(bot, user, survey_id, *, text="Plus d'ateliers"):
    """Click Answer, fill every page, submit; return the final view."""
    invitation = bot.wait_until(lambda: bot.standin.dm_messages(user), what="invitation")[0]
    bot.player.block_action(
        user, Action.SURVEY_ANSWER, value=str(survey_id), channel_id=invitation["channel"]
    )
    view = bot.standin.views()[-1]["view"]
    pages = 0
    while view.get("callback_id") == View.SURVEY_ANSWER:
        assert validate_view(view) == []
        values = {}
        for block in view["blocks"]:
            if block["type"] != "input":
                continue
            element = block["element"]
            if element["type"] == "radio_buttons":
                state = {"type": "radio_buttons", "selected_option": element["options"][-1]}
            elif element["type"] == "checkboxes":
                state = {"type": "checkboxes", "selected_options": element["options"][:2]}
            else:
                state = {"type": "plain_text_input", "value": text}
            values[block["block_id"]] = {"answer": state}
        reply = bot.player.view_submission(user, view, values).json
        assert reply["response_action"] == "update", reply
        view = reply["view"]
        pages += 1
    return view, pages


def test_a_coordinator_creates_and_launches_the_needs_survey(bot):
    """The template opens in a modal, goes through a review, then to every member by DM."""
    modal, reply = _create_from_modal(bot, closes="7d", remind=True)
    assert validate_view(modal) == []
    assert "Enquête de besoins" in str(modal["blocks"])
    launch = reply.json["view"]
    assert launch["callback_id"] == View.SURVEY_LAUNCH
    assert validate_view(launch) == []
    done = bot.player.view_submission("U0ALICE", launch, {}).json
    assert done["response_action"] == "update" and "3" in str(done["view"]["blocks"])
    survey = bot.query(lambda db: db.scalars(select(Survey)).one())
    assert survey.launched_at and survey.remind_at and survey.remind_at < survey.closes_at
    for user in ("U0BOB", "U0CAMILLE", "U0DIANE"):
        invitation = bot.wait_until(lambda u=user: bot.standin.dm_messages(u), what="DM")[0]
        assert validate_blocks(invitation["blocks"], "message") == []
        assert Action.SURVEY_ANSWER in str(invitation["blocks"])
    assert not bot.standin.dm_messages("U0ALICE")  # not a member of the community


def test_mistakes_in_the_survey_text_point_at_their_line(bot):
    """A YAML mistake comes back under the text, with its line; nothing is stored."""
    text = "title: Test\nquestions:\n  - ask: Q ?\n    type: choix-unique\n    options: [Oui]\n"
    _, reply = _create_from_modal(bot, text=text)
    assert reply.json["response_action"] == "errors"
    assert "ligne 5" in reply.json["errors"][Block.SURVEY_DEFINITION]
    _, reply = _create_from_modal(bot, closes="hier soir")
    assert Block.SURVEY_CLOSES in reply.json["errors"]
    assert bot.query(lambda db: db.scalar(select(func.count()).select_from(Survey))) == 0


def test_members_cannot_run_surveys(bot):
    """`/cercle survey` is for coordinators."""
    reply = bot.player.slash_command("U0BOB", "survey new")
    assert reply.json["response_type"] == "ephemeral"
    assert not bot.standin.views()


def test_an_anonymous_answer_is_stored_without_the_person(bot):
    """Answers go in page by page; only a fingerprint, no time; one count for her segment."""
    survey_id = _launched_survey(bot)
    final, pages = _answer_everything(bot, "U0DIANE", survey_id)
    assert pages == 2 and "Merci" in str(final["blocks"])
    respondents = bot.query(lambda db: list(db.scalars(select(SurveyRespondent))))
    assert [(r.respondent[:2], r.completed_at) for r in respondents] == [("h:", None)]
    answers = bot.query(lambda db: list(db.scalars(select(SurveyAnswer))))
    assert len(answers) == 8
    assert all(a.respondent.startswith("h:") and "U0DIANE" not in a.respondent for a in answers)
    counts = bot.query(
        lambda db: [(c.segment, c.respondents) for c in db.scalars(select(SurveySegmentCount))]
    )
    assert counts == [("newcomer", 1)]
    # Answering again changes the answers, not the count.
    _answer_everything(bot, "U0DIANE", survey_id, text="Des binômes")
    assert bot.query(lambda db: db.scalar(select(SurveySegmentCount.respondents))) == 1
    texts = bot.query(
        lambda db: [
            a.value.get("text") for a in db.scalars(select(SurveyAnswer)) if "text" in a.value
        ]
    )
    assert texts == ["Des binômes", "Des binômes"]


def test_earlier_answers_are_shown_when_reopening(bot):
    """The modal opens pre-filled with what the member answered before."""
    survey_id = _launched_survey(bot)
    _answer_everything(bot, "U0BOB", survey_id)
    invitation = bot.standin.dm_messages("U0BOB")[0]
    bot.player.block_action(
        "U0BOB", Action.SURVEY_ANSWER, value=str(survey_id), channel_id=invitation["channel"]
    )
    view = bot.standin.views()[-1]["view"]
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert all(
        "initial_option" in b["element"] or "initial_options" in b["element"] for b in inputs
    )


def test_required_and_too_many_choices_are_refused_at_the_input(bot):
    """Slack enforces required fields; Cercle checks them again and the choice limit."""
    survey_id = _launched_survey(bot)
    invitation = bot.wait_until(lambda: bot.standin.dm_messages("U0CAMILLE"), what="DM")[0]
    bot.player.block_action(
        "U0CAMILLE", Action.SURVEY_ANSWER, value=str(survey_id), channel_id=invitation["channel"]
    )
    view = bot.standin.views()[-1]["view"]
    first = next(b for b in view["blocks"] if b["type"] == "input")  # multiple, at most 3
    values = {
        first["block_id"]: {
            "answer": {"type": "checkboxes", "selected_options": first["element"]["options"][:4]}
        }
    }
    reply = bot.player.view_submission("U0CAMILLE", view, values).json
    assert reply["response_action"] == "errors"
    assert "3" in reply["errors"][first["block_id"]]
    assert len(reply["errors"]) >= 2  # the other required questions were left empty
    assert bot.query(lambda db: db.scalar(select(func.count()).select_from(SurveyAnswer))) == 0


def test_reminders_go_to_non_respondents_only(bot):
    """The one reminder skips those who answered, even on an anonymous survey."""
    survey_id = _launched_survey(bot)
    _answer_everything(bot, "U0BOB", survey_id)
    survey = bot.query(lambda db: db.get(Survey, survey_id))
    with bot.db() as db:
        assert remind_non_respondents(db, bot.settings, now=survey.remind_at) == 2
    with bot.db() as db:
        assert remind_non_respondents(db, bot.settings, now=survey.remind_at) == 0
    reminded = bot.query(
        lambda db: sorted(
            db.scalars(
                select(OutboxMessage.address).where(
                    OutboxMessage.idempotency_key.like(f"survey:{survey_id}:remind:%")
                )
            )
        )
    )
    assert reminded == ["U0CAMILLE", "U0DIANE"]


def test_closing_posts_results_and_the_chart_and_refuses_late_answers(bot):
    """Close: a summary with rates by segment and a PNG chart in the coordinators' channel."""
    survey_id = _launched_survey(bot, anonymous=False)
    _answer_everything(bot, "U0BOB", survey_id)
    _answer_everything(bot, "U0DIANE", survey_id)
    reply = bot.player.slash_command("U0ALICE", f"survey close {survey_id}")
    assert reply.json["response_type"] == "ephemeral"
    results = bot.wait_until(
        lambda: [m for m in bot.standin.messages("C0COORD") if "📊" in str(m.get("blocks"))],
        what="results",
    )[0]
    assert validate_blocks(results["blocks"], "message") == []
    text = str(results["blocks"])
    assert "*2* réponses sur 3" in text and "Nouveaux" in text and "Plus d'ateliers" in text
    chart = bot.wait_until(
        lambda: [f for f in bot.standin.files() if f["name"].endswith(".png")], what="chart"
    )[0]
    assert chart["content"].startswith(b"\x89PNG")
    invitation = bot.standin.dm_messages("U0CAMILLE")[0]
    bot.player.block_action(
        "U0CAMILLE", Action.SURVEY_ANSWER, value=str(survey_id), channel_id=invitation["channel"]
    )
    refusal = bot.wait_until(lambda: bot.standin.ephemerals("U0CAMILLE"), what="refusal")[-1]
    assert "terminée" in refusal["text"]


def test_exports_name_people_only_on_named_surveys(bot):
    """Named: a row per respondent. Anonymous: counts and texts, no row per person."""
    named = _launched_survey(bot, anonymous=False)
    _answer_everything(bot, "U0BOB", named)
    bot.player.slash_command("U0ALICE", f"survey export {named}")
    file = bot.wait_until(lambda: bot.standin.files(), what="CSV")[-1]
    rows = list(csv.reader(io.StringIO(file["content"].decode("utf-8"))))
    assert rows[1][0] == "U0BOB" and len(rows) == 2
    anonymous = _launched_survey(bot)
    _answer_everything(bot, "U0CAMILLE", anonymous)
    bot.player.slash_command("U0ALICE", f"survey export {anonymous}")
    file = bot.wait_until(lambda: len(bot.standin.files()) == 2 and bot.standin.files())[-1]
    content = file["content"].decode("utf-8")
    assert "U0CAMILLE" not in content and "Camille" not in content
    assert "Plus d'ateliers" in content


def test_someone_not_invited_cannot_answer(bot):
    """A member who joined after the launch gets a clear answer, and nothing is stored."""
    survey_id = _launched_survey(bot)
    bot.player.block_action("U0ALICE", Action.SURVEY_ANSWER, value=str(survey_id))
    refusal = bot.wait_until(lambda: bot.standin.ephemerals("U0ALICE"), what="refusal")[-1]
    assert "membres de la communauté" in refusal["text"]


def test_the_survey_list_shows_live_response_rates(bot):
    """`/cercle survey` lists surveys with their response rate by segment."""
    survey_id = _launched_survey(bot)
    _answer_everything(bot, "U0DIANE", survey_id)
    reply = bot.player.slash_command("U0ALICE", "survey").json
    assert validate_blocks(reply["blocks"], "message") == []
    text = str(reply["blocks"])
    assert "*1* réponses sur 3" in text and "Nouveaux (moins de 3 mois) : 1/1" in text


def test_the_cli_creates_a_survey_from_a_file(bot, tmp_path):
    """`cercle survey create FILE`: line-numbered problems, or a stored draft."""
    env = {
        "DATABASE_URL": bot.settings.database_url,
        "SLACK_SIGNING_SECRET": "x" * 32,
        "PATH": "/usr/bin:/bin",
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nquestions:\n  - ask: Q\n    type: nope\n", encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "survey", "create", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert run.returncode == 2 and f"{bad}:4:" in run.stderr
    good = tmp_path / "good.yaml"
    good.write_text(
        "title: T\nquestions:\n  - ask: Q\n    type: single\n    options: [A, B]\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "bot.cli", "survey", "create", str(good), "--closes", "7d"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).parent.parent,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "created survey #1" in run.stdout
    question = bot.query(lambda db: db.scalars(select(SurveyQuestion)).one())
    assert question.options == ["A", "B"]
