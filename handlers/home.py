"""The App Home tab, published when a member opens it."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import CercleApp
from bot.ui.home import build_home_view

logger = logging.getLogger(__name__)


def register(app: CercleApp) -> None:
    """Publish the Home tab on `app_home_opened`."""

    def handle_app_home_opened(event: dict[str, Any], client: WebClient, context: Any) -> None:
        if event.get("tab") != "home" or not event.get("user"):
            return
        from handlers.commands import visible_subcommands

        subcommands = visible_subcommands(app, context["settings"], event["user"])
        # The Home is the immediate answer to the member looking at it: published now,
        # not queued, and simply rebuilt on the next open if this call fails.
        try:
            client.views_publish(
                user_id=event["user"], view=build_home_view(subcommands, context["language"])
            )
        except SlackApiError as error:
            logger.warning("views.publish failed: %s", error.response.get("error"))

    app.event("app_home_opened")(handle_app_home_opened)
