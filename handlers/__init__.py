"""Bolt listeners, one module per feature, each with `register(app)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import CercleApp


def register_all(app: CercleApp) -> None:
    """Register every feature's listeners and subcommands on `app`."""
    from handlers import (
        commands,
        community,
        conversations,
        help,
        home,
        nudges,
        onboarding,
        participation,
        polls,
        privacy,
        reports,
        roles,
        schedule,
        status,
        surveys,
        toolbox,
    )

    # Subcommands first: the /cercle router and the help list read the registry.
    help.register(app)
    onboarding.register(app)
    community.register(app)
    toolbox.register(app)
    nudges.register(app)
    polls.register(app)
    surveys.register(app)
    schedule.register(app)
    status.register(app)
    reports.register(app)
    privacy.register(app)
    roles.register(app)
    participation.register(app)  # before conversations: both listen to `message`
    commands.register(app)
    conversations.register(app)
    home.register(app)
