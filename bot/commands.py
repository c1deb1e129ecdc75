"""The `/cercle` subcommands: a registry features add to, and the parsed call they get."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import UsageError
from bot.roles import Role


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
    """One `/cercle <name>` subcommand and the role each of its parts needs.

    `role` is the least role for the whole subcommand; `part_roles` raises it for some
    first words (`rules edit` is for coordinators while `rules` is for everyone). The
    router checks them against the database before the handler runs.
    `coordinators_only=True` is kept as a short way to say `role=Role.COORDINATOR`.
    """

    name: str
    help_key: str
    handler: SubcommandHandler
    role: Role = Role.MEMBER
    part_roles: Mapping[str, Role] = field(default_factory=dict, hash=False)
    coordinators_only: bool = False
    usage: str = ""
    # What members of a higher role see instead in the help, when parts need that role
    # (`rules [history|edit|status]` for coordinators).
    usage_by_role: Mapping[Role, str] = field(default_factory=dict, hash=False)
    help_key_by_role: Mapping[Role, str] = field(default_factory=dict, hash=False)
    # Short forms of usage_by_role / help_key_by_role for coordinators.
    coordinator_usage: str | None = None
    coordinator_help_key: str | None = None

    def __post_init__(self) -> None:
        if self.coordinators_only:
            object.__setattr__(self, "role", Role.COORDINATOR)
        object.__setattr__(self, "coordinators_only", self.role is Role.COORDINATOR)
        parts = {word.lower(): role for word, role in self.part_roles.items()}
        object.__setattr__(self, "part_roles", parts)
        if self.coordinator_usage is not None:
            usages = {Role.COORDINATOR: self.coordinator_usage, **self.usage_by_role}
            object.__setattr__(self, "usage_by_role", usages)
        if self.coordinator_help_key is not None:
            keys = {Role.COORDINATOR: self.coordinator_help_key, **self.help_key_by_role}
            object.__setattr__(self, "help_key_by_role", keys)

    def role_for(self, args: list[str]) -> Role:
        """Return the least role `/cercle <name> <args…>` needs."""
        part = self.part_roles.get(args[0].lower()) if args else None
        if part is not None and part.rank > self.role.rank:
            return part
        return self.role

    def parts(self) -> list[tuple[str, Role]]:
        """Return the parts that need more than the subcommand itself, with their role."""
        higher = self.part_roles.items()
        return [(word, role) for word, role in higher if role.rank > self.role.rank]

    def as_seen_by(self, role: Role) -> Subcommand:
        """Return this subcommand as the help presents it to someone with `role`."""
        usage, help_key = self.usage, self.help_key
        for shown in Role:
            if role.includes(shown):
                usage = self.usage_by_role.get(shown, usage)
                help_key = self.help_key_by_role.get(shown, help_key)
        return replace(self, usage=usage, help_key=help_key)


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


# With `should_escape` on (manifest.yml), Slack sends what a member typed with mentions,
# channels and links spelled as <@U123|name>, <#C123|name>, <!here> or <url|label>, and
# &, <, > as entities.
_SLACK_ENTITY = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def readable_text(text: str) -> str:
    """Turn Slack's escaped spelling of a member's text back into what they typed.

    For text Cercle shows again (a poll's question, an interest's label): `<@U123|anne>`
    reads `@anne`, `<!here>` reads `@here`, a link its label and address. Shown again,
    the text is escaped, so none of it pings anyone or links anywhere it didn't say.
    """

    def spelled(match: re.Match[str]) -> str:
        target, label = match.group(1), match.group(2)
        if target.startswith(("@", "#")):
            return target[0] + (label.lstrip("@#") if label else target[1:])
        if target.startswith("!"):
            return label if label else "@" + target[1:].split("^", 1)[0]
        if target.startswith("mailto:"):
            return label or target.removeprefix("mailto:")
        return f"{label} ({target})" if label and label != target else target

    plain = _SLACK_ENTITY.sub(spelled, text)
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


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
