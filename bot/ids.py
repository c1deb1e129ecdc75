"""Every action_id, callback_id and block_id Cercle uses, defined once."""

from __future__ import annotations

from enum import StrEnum

SLASH_COMMAND = "/cercle"
OUTBOX_METADATA_EVENT = "cercle_outbox"


class Action(StrEnum):
    """Interactive element ids (buttons, selects)."""

    HOME_HELP = "home_help"


class Block(StrEnum):
    """Block ids a listener reads back."""

    HELP_COMMANDS = "help_commands"
