"""Demo scene for the needs survey: launched, answered by two, a reminder, the results."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sandbox.transcript import render_message

if TYPE_CHECKING:
    from bot.demo import Demo


_TEXTS = (
    "Des modèles de comptes rendus prêts à l'emploi",
    "A shared calendar of who covers for whom during holidays",
)


def _fill(view: dict[str, Any], pick: int) -> dict[str, Any]:
    """Answer every question of a survey page: the `pick`-th option, or a short text."""
    values = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        options = element.get("options") or []
        if element["type"] == "radio_buttons":
            state = {"type": "radio_buttons", "selected_option": options[pick % len(options)]}
        elif element["type"] == "checkboxes":
            state = {"type": "checkboxes", "selected_options": options[pick : pick + 2]}
        else:
            state = {"type": "plain_text_input", "value": _TEXTS[pick % len(_TEXTS)]}
        values[block["block_id"]] = {"answer": state}
    return values


def _answer(demo: Demo, user_id: str, survey_id: int, pick: int) -> None:
    """Click Answer in the invitation and go through every page."""
    from bot.demo import NAMES
    from bot.ids import Action, View

    invitation = demo.wait_for_dm(user_id)
    demo.out(f"{NAMES[user_id]} clicks [Répondre]")
    demo.player.block_action(
        user_id, Action.SURVEY_ANSWER, value=str(survey_id), channel_id=invitation["channel"]
    )
    view = demo.standin.views()[-1]["view"]
    page = 1
    while view.get("callback_id") == View.SURVEY_ANSWER:
        if page == 1 and user_id == "U0DIANE":
            demo.show_modal(NAMES[user_id], view, max_lines=18)
        demo.out(f"{NAMES[user_id]} answers page {page} and clicks [{view['submit']['text']}]")
        view = demo.player.view_submission(user_id, view, _fill(view, pick)).json["view"]
        page += 1
    demo.show_modal(NAMES[user_id], view)


def play_survey(demo: Demo, scene: int, folder: Path) -> int:
    """Play the needs-survey scene; return the next scene number."""
    from sqlalchemy import select

    from bot.demo import NAMES, _input_values
    from bot.ids import Block
    from bot.surveys import remind_non_respondents
    from storage.charter import record_acceptance
    from storage.db import transaction
    from storage.models import Survey

    standin = demo.standin
    with transaction(demo.runtime.session_factory) as db:
        record_acceptance(db, user_id="U0CAMILLE", version=2)  # a member of long standing

    demo.scene(f"{scene}. Alice launches the needs survey")
    demo.out("Alice types: /cercle survey new")
    demo.player.slash_command("U0ALICE", "survey new")
    editor = standin.views()[-1]["view"]
    demo.show_modal("Alice", editor, max_lines=12)
    demo.out("Alice keeps the template, sets the end in 7 days with a reminder, clicks [Continuer]")
    review = demo.player.view_submission(
        "U0ALICE",
        editor,
        _input_values(
            editor,
            {
                Block.SURVEY_CLOSES: {"value": "7j"},
                Block.SURVEY_REMIND: {"selected_options": [{"value": "remind"}]},
            },
        ),
    ).json["view"]
    demo.show_modal("Alice", review)
    demo.out("Alice clicks [Envoyer]")
    demo.show_modal("Alice", demo.player.view_submission("U0ALICE", review, {}).json["view"])
    with transaction(demo.runtime.session_factory) as db:
        survey = db.scalars(select(Survey).order_by(Survey.id.desc())).first()
        assert survey is not None
        survey_id, remind_at = survey.id, survey.remind_at
    demo.show(demo.wait_for_dm("U0CAMILLE"))

    scene += 1
    demo.scene(f"{scene}. Diane and Bob answer; Camille gets the one reminder")
    _answer(demo, "U0DIANE", survey_id, 0)
    _answer(demo, "U0BOB", survey_id, 1)
    demo.out("Five days later, two days before the end, the reminder job runs")
    with transaction(demo.runtime.session_factory) as db:
        queued = remind_non_respondents(db, demo.runtime.settings, now=remind_at)
    demo.runtime.dispatcher.wake()
    demo.out(f"Reminders queued: {queued} (Diane and Bob answered; only Camille is reminded)")
    reminder = demo.wait_for_message(
        demo.dm_channel("U0CAMILLE"), lambda m: "rappel" in m.get("text", "").lower()
    )
    demo.show(reminder)
    demo.command("U0ALICE", "survey")

    scene += 1
    demo.scene(f"{scene}. Alice closes the survey: results and chart for the coordinators")
    demo.command("U0ALICE", f"survey close {survey_id}")
    results = demo.wait_for_message("C0COORD", lambda m: "📊" in str(m.get("blocks")))
    demo.out(render_message("Cercle", "#coordination", results, names=NAMES))
    chart = demo.wait_for_file(lambda f: f["name"].endswith(".png"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "survey-results.png"
    path.write_bytes(chart["content"])
    demo.out(f"Chart posted in #coordination: « {chart['title']} » ({len(chart['content'])} bytes)")
    demo.out(f"(the same PNG is saved as {path}, to look at)")
    return scene + 1
