"""Who may do what: members, facilitators and coordinators.

Every member can vote, answer, browse and read. Facilitators also create polls and
surveys and claim newcomers. Coordinators can do everything, including naming
facilitators and coordinators. A coordinator is one by the setting `CERCLE_ADMINS`, by
being a workspace admin or owner when `CERCLE_WORKSPACE_ADMINS_COORDINATE` is on, or by
a grant (`/cercle role grant`); facilitators come from grants only.

The role is read from the database at the moment of each action (`require_role`), never
remembered: a role revoked a second ago is already gone. Where an action needs a role
is declared once, where its listener or subcommand is registered (`app.action(...,
role=...)`, `Subcommand(role=..., part_roles=...)`); `guard_listener` wraps a listener
with the check.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.errors import CercleError, PermissionDenied
from storage import roles as store


class Role(StrEnum):
    """A member's role, from least to most powerful (the value is what `role_grants` stores)."""

    MEMBER = "member"
    FACILITATOR = "facilitator"
    COORDINATOR = "coordinator"

    @property
    def rank(self) -> int:
        """Return the role's place in the order member < facilitator < coordinator."""
        return list(Role).index(self)

    def includes(self, needed: Role) -> bool:
        """Tell whether someone with this role may do what `needed` allows."""
        return self.rank >= needed.rank


# The roles `/cercle role grant` gives.
GRANTABLE = (Role.FACILITATOR, Role.COORDINATOR)


class Source(StrEnum):
    """Where a role comes from."""

    SETTING = "setting"  # CERCLE_ADMINS
    WORKSPACE_ADMIN = "workspace_admin"  # with CERCLE_WORKSPACE_ADMINS_COORDINATE
    GRANT = "grant"  # /cercle role grant


@dataclass(frozen=True)
class RoleHolder:
    """Someone above the member role, and every reason they are."""

    user_id: str
    role: Role
    source: Source
    granted_by: str | None = None
    granted_at: datetime | None = None


def _as_role(value: str | None) -> Role:
    try:
        return Role(value) if value else Role.MEMBER
    except ValueError:
        return Role.MEMBER


def role_of(db: Session, settings: Settings, user_id: str | None) -> Role:
    """Return the role `user_id` has right now: the highest any source gives them."""
    if not user_id:
        return Role.MEMBER
    if user_id in settings.admins:
        return Role.COORDINATOR
    grant = store.get_grant(db, user_id)
    granted = _as_role(grant.role if grant else None)
    if granted is Role.COORDINATOR:
        return granted
    if settings.workspace_admins_coordinate and store.is_active_workspace_admin(db, user_id):
        return Role.COORDINATOR
    return granted


def require_role(db: Session, settings: Settings, user_id: str | None, needed: Role) -> Role:
    """Return the member's role, or refuse with a message naming the role `needed`."""
    if needed is Role.MEMBER:
        return Role.MEMBER
    role = role_of(db, settings, user_id)
    if not role.includes(needed):
        raise PermissionDenied(needed.value)
    return role


def role_holders(db: Session, settings: Settings) -> list[RoleHolder]:
    """Return every source of a role above member: the settings, workspace admins, grants."""
    holders = [RoleHolder(user_id, Role.COORDINATOR, Source.SETTING) for user_id in settings.admins]
    if settings.workspace_admins_coordinate:
        holders += [
            RoleHolder(user_id, Role.COORDINATOR, Source.WORKSPACE_ADMIN)
            for user_id in store.workspace_admin_ids(db)
        ]
    for grant in store.all_grants(db):
        role = _as_role(grant.role)
        if role is not Role.MEMBER:
            holders.append(
                RoleHolder(grant.user_id, role, Source.GRANT, grant.granted_by, grant.granted_at)
            )
    return holders


def _coordinators(db: Session, settings: Settings, grants: dict[str, Any]) -> set[str]:
    """Return who coordinates, counting the grants as locked by this transaction."""
    ids = set(settings.admins)
    ids |= {user_id for user_id, grant in grants.items() if grant.role == Role.COORDINATOR}
    if settings.workspace_admins_coordinate:
        ids |= set(store.workspace_admin_ids(db))
    return ids


def _locked_coordinators(db: Session, settings: Settings, actor_id: str) -> dict[str, Any]:
    """Lock the grants; refuse unless `actor_id` still coordinates once the locks are held.

    The role was checked when the command arrived, but another coordinator may have
    revoked it while this request waited for the locks.
    """
    grants = store.lock_grants(db)
    if actor_id not in _coordinators(db, settings, grants):
        raise PermissionDenied(Role.COORDINATOR.value)
    return grants


def _ensure_not_last(db: Session, settings: Settings, grants: dict[str, Any], user_id: str) -> None:
    if not _coordinators(db, settings, grants) - {user_id}:
        raise CercleError("role.error.last_coordinator", user=user_id)


def grant_role(db: Session, settings: Settings, *, actor_id: str, user_id: str, role: Role) -> Role:
    """Give `user_id` the role `role` on `actor_id`'s behalf; return their role now.

    Granting facilitator to a coordinator by grant steps them down, which is refused if
    it would leave the community without a coordinator.
    """
    grants = _locked_coordinators(db, settings, actor_id)
    if user_id in settings.admins:
        raise CercleError("role.error.already_by_setting", user=user_id)
    current = grants.get(user_id)
    if current is not None and current.role == role:
        raise CercleError(f"role.error.already.{role.value}", user=user_id)
    if current is not None and current.role == Role.COORDINATOR:
        _ensure_not_last(db, settings, grants, user_id)
    store.save_grant(db, user_id=user_id, role=role.value, granted_by=actor_id)
    return role_of(db, settings, user_id)


def revoke_role(
    db: Session, settings: Settings, *, actor_id: str, user_id: str, role: Role
) -> Role:
    """Take the role `role` back from `user_id`; return their role now."""
    grants = _locked_coordinators(db, settings, actor_id)
    if role is Role.COORDINATOR and user_id in settings.admins:
        raise CercleError("role.error.from_setting", user=user_id)
    grant = grants.get(user_id)
    if grant is None or grant.role != role:
        if (
            role is Role.COORDINATOR
            and settings.workspace_admins_coordinate
            and store.is_active_workspace_admin(db, user_id)
        ):
            raise CercleError("role.error.from_workspace_admin", user=user_id)
        raise CercleError(f"role.error.not_granted.{role.value}", user=user_id)
    if role is Role.COORDINATOR:
        _ensure_not_last(db, settings, grants, user_id)
    store.delete_grant(db, grant)
    return role_of(db, settings, user_id)


_MENTION = re.compile(r"^<@([UW][A-Z0-9]{2,31})(?:\|[^>]*)?>$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


def parse_user(text: str) -> str | None:
    """Return the user id in a mention (`<@U123|name>`, `<@U123>`) or a bare id, else None."""
    text = text.strip()
    mention = _MENTION.match(text)
    if mention:
        return mention.group(1)
    return text if _USER_ID.match(text) else None


def parse_role(text: str) -> Role | None:
    """Return the grantable role a word names (English or French), else None."""
    word = text.strip().lower()
    for role in GRANTABLE:
        if word in _ROLE_WORDS[role]:
            return role
    return None


_ROLE_WORDS = {
    Role.FACILITATOR: ("facilitator", "facilitateur", "facilitatrice", "facilitation"),
    Role.COORDINATOR: ("coordinator", "coordinateur", "coordinatrice", "coordination"),
}


def guard_listener(listener: Callable[..., Any], role: Role) -> Callable[..., Any]:
    """Wrap a Bolt listener so that it runs only for members holding `role`, checked now.

    Bolt injects listener arguments by parameter name (`inspect.getfullargspec` of
    `inspect.unwrap(listener)`), so the wrapper shows Bolt the listener's own parameters
    plus `context` (where the check finds the database, settings and acting user) through
    `__signature__`, and carries no `__wrapped__` (Bolt would unwrap it and never inject
    `context`). A refusal raises `PermissionDenied`, which the app's error handler turns
    into the member's ephemeral message or modal error; the request's transaction rolls
    back, so nothing is saved.
    """
    names = list(inspect.signature(listener).parameters)
    wanted = [*names, *(["context"] if "context" not in names else [])]

    def guarded(**kwargs: Any) -> Any:
        context = kwargs["context"]
        require_role(context["db"], context["settings"], context.get("user_id"), role)
        return listener(**{name: kwargs[name] for name in names})

    functools.update_wrapper(guarded, listener)
    del guarded.__wrapped__
    guarded.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for name in wanted]
    )
    guarded.required_role = role  # type: ignore[attr-defined]
    return guarded


@dataclass(frozen=True)
class Declared:
    """A button (`action`) or modal (`view`) listener and the role it was registered with."""

    kind: str
    id: str
    role: Role | None  # None: registered without a role, open to every member


class PermissionRegistry:
    """What each button and modal listener of one app needs, as declared at registration."""

    def __init__(self) -> None:
        self._declared: dict[tuple[str, str], Role | None] = {}

    def declare(self, kind: str, listener_id: str, role: Role | None) -> None:
        """Record that the `kind` listener `listener_id` needs `role` (None: nothing)."""
        key = (kind, listener_id)
        if key in self._declared and self._declared[key] != role:
            raise ValueError(f"{kind} {listener_id!r} registered with two different roles")
        self._declared[key] = role

    def role_for(self, kind: str, listener_id: str) -> Role | None:
        """Return the role declared for a listener, None if none was."""
        return self._declared.get((kind, listener_id))

    def entries(self) -> list[Declared]:
        """Return every registered button and modal listener, in registration order."""
        return [Declared(kind, key, role) for (kind, key), role in self._declared.items()]

    def guarded(self) -> list[Declared]:
        """Return the listeners that need more than the member role."""
        return [entry for entry in self.entries() if entry.role is not None and entry.role.rank > 0]
