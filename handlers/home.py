"""The App Home tab, published when a member opens it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.app import CercleApp
from bot.home import dashboard, waiting_polls, waiting_surveys
from bot.reports import member_record
from bot.roles import Role, role_of
from bot.ui.home import build_home_view
from bot.ui.reports import build_home_participation
from storage.charter import charter_standing, current_charter
from storage.toolbox import last_featured_item

logger = logging.getLogger(__name__)


def register(app: CercleApp) -> None:
    """Publish the Home tab on `app_home_opened`."""

    def handle_app_home_opened(
        event: dict[str, Any], client: WebClient, context: Any, db: Session
    ) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        from handlers.commands import visible_subcommands

        settings = context["settings"]
        user_id = event["user"]
        subcommands = visible_subcommands(app, db, settings, user_id)
        role = role_of(db, settings, user_id)
        accepted, covered = charter_standing(db, user_id)
        view = build_home_view(
            subcommands,
            context["language"],
            user_id=user_id,
            charter=current_charter(db),
            accepted_version=accepted.version if accepted else None,
            covered=covered,
            featured=last_featured_item(db),
            polls=waiting_polls(db, settings, user_id),
            surveys=waiting_surveys(db, settings, user_id),
            participation=build_home_participation(
                member_record(db, settings, user_id), context["language"]
            ),
            # What the Home shows follows the role; each button checks it again when clicked.
            board=dashboard(db, settings) if role is Role.COORDINATOR else None,
            can_create_surveys=role.includes(Role.FACILITATOR),
        )
        # The Home is the immediate answer to the member looking at it: published now,
        # not queued, and simply rebuilt on the next open if this call fails.
        try:
            client.views_publish(user_id=user_id, view=view)
        except SlackApiError as error:
            logger.warning("views.publish failed: %s", error.response.get("error"))

    app.event("app_home_opened")(handle_app_home_opened)
