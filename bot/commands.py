"""The `/cercle` subcommands: a registry features add to, and the parsed call they get."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import UsageError


@dataclass(frozen=True)
class SubcommandCall:
    """Everything a subcommand needs: who asked, in which language, with which words."""

    db: Session
    client: WebClient
    settings: Settings
    user_id: str
    channel_id: str
    language: str
    args: list[str]
    trigger_id: str | None = None
    body: dict[str, Any] = field(default_factory=dict, repr=False)


# A subcommand returns the ephemeral reply as {"text": ..., "blocks": [...]}, or None
# when it answered otherwise (opened a modal, say).
SubcommandHandler = Callable[[SubcommandCall], dict[str, Any] | None]


@dataclass(frozen=True)
class Subcommand:
    """One `/cercle <name>` subcommand."""

    name: str
    help_key: str
    handler: SubcommandHandler
    coordinators_only: bool = False
    usage: str = ""
    # What coordinators see instead in the help, when the subcommand has parts only they
    # may use (`rules edit`, `rules status`).
    coordinator_usage: str | None = None
    coordinator_help_key: str | None = None

    def as_seen_by(self, *, coordinator: bool) -> Subcommand:
        """Return this subcommand as the help presents it to a member or a coordinator."""
        if not coordinator:
            return self
        return replace(
            self,
            usage=self.coordinator_usage if self.coordinator_usage is not None else self.usage,
            help_key=self.coordinator_help_key or self.help_key,
        )


class SubcommandRegistry:
    """The subcommands one app knows, in the order they were registered."""

    def __init__(self) -> None:
        self._by_name: dict[str, Subcommand] = {}

    def add(self, subcommand: Subcommand) -> None:
        """Register `subcommand`; a name can be registered once."""
        if subcommand.name in self._by_name:
            raise ValueError(f"subcommand {subcommand.name!r} registered twice")
        self._by_name[subcommand.name] = subcommand

    def get(self, name: str) -> Subcommand | None:
        """Return the subcommand called `name`, if any."""
        return self._by_name.get(name)

    def all(self) -> list[Subcommand]:
        """Return every subcommand in registration order."""
        return list(self._by_name.values())


def split_command_text(text: str) -> list[str]:
    """Split `/cercle` text into words, honouring quotes ("Option A") and smart quotes."""
    normalized = (
        text.replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("\u00ab", '"')
        .replace("\u00bb", '"')
        .replace("\u2018", "'")
        .replace("\u2019", "'")
    )
    try:
        return shlex.split(normalized)
    except ValueError:
        raise UsageError("error.unbalanced_quotes") from None
