"""Needs surveys: `/cercle survey …` for facilitators, the Answer button and its modal pages."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot import surveys
from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.deadlines import parse_deadline
from bot.errors import CercleError, UsageError
from bot.forms import input_text, open_modal, parse_id, selected_values, view_values
from bot.i18n import t
from bot.ids import Action, Block, View
from bot.roles import Role
from bot.ui import surveys as ui
from bot.ui.common import context as context_block
from bot.ui.common import plain, section
from storage import surveys as store
from storage.members import get_member
from storage.models import utcnow
from storage.outbox import enqueue_file
from storage.survey_io import SurveyFileError, parse_survey_text, template_text

# What the creation modal shows its problems as, at most (Slack shows errors under the input).
_PROBLEMS_SHOWN = 6
_SOURCE = "survey"


def _survey_number(call: SubcommandCall) -> int:
    number = parse_id(call.args[1].lstrip("#")) if len(call.args) > 1 else None
    if number is None:
        raise UsageError("survey.error.number_needed", action=call.args[0][:20])
    return number


def _known_survey(call: SubcommandCall) -> Any:
    number = _survey_number(call)
    survey = store.get_survey(call.db, number)
    if survey is None:
        raise UsageError("survey.error.unknown", number=number)
    return survey


def survey_command(call: SubcommandCall) -> dict[str, Any] | None:
    """`/cercle survey [list|new|launch N|results N|export N|close N]`."""
    action = call.args[0].lower() if call.args else "list"
    if action == "list":
        listed = [
            (survey, surveys.survey_results(call.db, survey))
            for survey in store.list_surveys(call.db)
        ]
        return ui.build_survey_list(listed, call.language)
    if action == "new":
        template = call.args[1].lower() if len(call.args) > 1 else "needs"
        if template not in ("needs", "blank"):
            raise UsageError("survey.error.unknown_template", name=template[:20])
        text = (
            template_text(f"needs-{call.language}")
            if template == "needs"
            else t("survey.blank_template", call.language)
        )
        open_modal(call.client, call.trigger_id, ui.build_create_modal(text, call.language))
        return None
    if action == "launch":
        count = surveys.launch_survey(call.db, call.settings, _survey_number(call))
        return {"text": t("survey.launched", call.language, count=count)}
    if action == "results":
        survey = _known_survey(call)
        results = surveys.survey_results(call.db, survey)
        reply = ui.build_results_message(results, call.language)
        occasion = f"asked:{utcnow():%Y%m%dT%H%M%S%f}"
        if surveys.post_results(
            call.db, call.settings, survey, language=call.language, occasion=occasion
        ):
            reply["blocks"].append(
                context_block(
                    t(
                        "survey.results_posted",
                        call.language,
                        channel=f"<#{call.settings.coordinators_channel}>",
                    )
                )
            )
        return reply
    if action == "export":
        survey = _known_survey(call)
        enqueue_file(
            call.db,
            key=f"survey:{survey.id}:export:{call.user_id}:{utcnow():%Y%m%dT%H%M%S%f}",
            address=call.user_id,
            filename=f"survey-{survey.id}-results.csv",
            content=surveys.export_csv(call.db, survey, call.language).encode("utf-8"),
            title=t("survey.export_title", call.language, title=survey.title[:100]),
        )
        return {"text": t("poll.export_sent", call.language)}
    if action == "close":
        survey = surveys.close_survey(
            call.db, call.settings, _survey_number(call), closed_by=call.user_id
        )
        return {"text": t("survey.closed_now", call.language, number=survey.id)}
    raise UsageError("survey.error.unknown_action", action=action[:20])


def _problems_text(error: SurveyFileError, language: str) -> str:
    """Return the problems of a survey text as the modal shows them: "line 4: …"."""
    lines = [
        re.sub(rf"^{_SOURCE}:(\d+):", lambda m: t("survey.line", language, line=m.group(1)), p)
        for p in error.problems[:_PROBLEMS_SHOWN]
    ]
    if len(error.problems) > _PROBLEMS_SHOWN:
        lines.append(
            t("survey.more_problems", language, count=len(error.problems) - _PROBLEMS_SHOWN)
        )
    return "\n".join(lines)[:1900]


def register(app: CercleApp) -> None:
    """Listen to survey commands, the Answer button and the survey modals."""

    def handle_create(
        ack: Ack, view: dict[str, Any], body: dict[str, Any], context: Any, db: Session
    ) -> None:
        language: str = context["language"]
        user_id = body["user"]["id"]
        values = view_values(view)
        try:
            spec = parse_survey_text(
                input_text(values, Block.SURVEY_DEFINITION, strip=False),
                source=_SOURCE,
                language=language,
                messages_language=language,
            )
        except SurveyFileError as error:
            ack(
                response_action="errors",
                errors={Block.SURVEY_DEFINITION: _problems_text(error, language)},
            )
            return
        closes = input_text(values, Block.SURVEY_CLOSES)
        member = get_member(db, user_id)
        try:
            closes_at = (
                parse_deadline(closes, now=utcnow(), timezone=member.timezone if member else None)
                if closes
                else None
            )
        except UsageError as error:
            raise UsageError(
                error.message_key, block_id=Block.SURVEY_CLOSES, **error.values
            ) from None
        remind = "remind" in selected_values(values, Block.SURVEY_REMIND)
        if remind and closes_at is None:
            raise UsageError("poll.error.remind_needs_deadline", block_id=Block.SURVEY_CLOSES)
        survey = store.create_survey(
            db, spec, created_by=user_id, closes_at=closes_at, remind=remind
        )
        view = ui.build_launch_view(
            survey, len(spec.questions), len(surveys.audience(db)), language
        )
        ack(response_action="update", view=view)

    def handle_launch(
        ack: Ack, view: dict[str, Any], body: dict[str, Any], context: Any, db: Session
    ) -> None:
        language: str = context["language"]
        number = str(view.get("private_metadata") or "")
        if parse_id(number) is None:
            raise CercleError("survey.error.gone")
        count = surveys.launch_survey(db, context["settings"], int(number))
        done = {
            "type": "modal",
            "title": plain(t("survey.launch_title", language), limit=24),
            "close": plain(t("common.close", language), limit=24),
            "blocks": [section(":rocket: " + t("survey.launched", language, count=count))],
        }
        ack(response_action="update", view=done)

    def handle_answer_button(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        number = str(action.get("value") or "")
        if parse_id(number) is None:
            raise CercleError("survey.error.gone")
        view = surveys.answer_page(
            db,
            context["settings"],
            int(number),
            body["user"]["id"],
            page=0,
            language=context["language"],
        )
        open_modal(client, body.get("trigger_id"), view)

    def handle_answer_page(
        ack: Ack, view: dict[str, Any], body: dict[str, Any], context: Any, db: Session
    ) -> None:
        try:
            where = json.loads(view.get("private_metadata") or "{}")
            survey_id, page = int(where["survey"]), int(where["page"])
        except (ValueError, KeyError, TypeError):
            raise CercleError("survey.error.gone") from None
        next_view, errors = surveys.submit_page(
            db,
            context["settings"],
            survey_id=survey_id,
            page=page,
            user_id=body["user"]["id"],
            values=view_values(view),
            language=context["language"],
        )
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack(response_action="update", view=next_view)

    def handle_new_survey_button(
        ack: Ack, body: dict[str, Any], client: WebClient, context: Any
    ) -> None:
        ack()
        language = context["language"]
        view = ui.build_create_modal(template_text(f"needs-{language}"), language)
        open_modal(client, body.get("trigger_id"), view)

    # Roles are checked when each click or form arrives: a form may have been opened
    # before its author's role was revoked.
    app.action(Action.HOME_NEW_SURVEY.value, role=Role.FACILITATOR)(handle_new_survey_button)
    app.action(Action.SURVEY_ANSWER.value)(handle_answer_button)
    app.view(View.SURVEY_ANSWER.value)(handle_answer_page)
    app.view(View.SURVEY_CREATE.value, role=Role.FACILITATOR)(handle_create)
    app.view(View.SURVEY_LAUNCH.value, role=Role.FACILITATOR)(handle_launch)
    app.subcommands.add(
        Subcommand(
            name="survey",
            help_key="help.cmd.survey_facilitator",
            handler=survey_command,
            role=Role.FACILITATOR,
            # The export holds each named respondent's answers.
            part_roles={"export": Role.COORDINATOR},
            usage="[list|new [needs|blank]|launch N|results N|close N]",
            coordinator_usage="[list|new [needs|blank]|launch N|results N|export N|close N]",
            coordinator_help_key="help.cmd.survey",
        )
    )
