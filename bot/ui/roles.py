"""`/cercle role`: who facilitates and who coordinates, and where each role comes from."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.roles import Role, RoleHolder, Source
from bot.ui.common import context, header, section


def role_name(role: Role, language: str) -> str:
    """Return a role's name in `language` ("facilitator", "facilitation"…)."""
    return t(f"role.name.{role.value}", language)


def _source_text(holder: RoleHolder, shown_role: Role, language: str) -> str:
    if holder.source is Source.SETTING:
        text = t("role.source.setting", language)
    elif holder.source is Source.WORKSPACE_ADMIN:
        text = t("role.source.workspace_admin", language)
    else:
        date_format = "%d/%m/%Y" if language == "fr" else "%Y-%m-%d"
        when = holder.granted_at.strftime(date_format) if holder.granted_at else "?"
        if holder.granted_by:
            text = t("role.source.granted", language, by=holder.granted_by, date=when)
        else:
            text = t("role.source.granted_unknown", language, date=when)
    if holder.role is not shown_role:
        # A grant that a higher role (the setting, say) outranks for now.
        text = f"{text} ({role_name(holder.role, language)})"
    return text


def build_roles_message(holders: list[RoleHolder], language: str) -> dict[str, Any]:
    """Return the list of coordinators and facilitators, each with the sources of the role."""
    by_user: dict[str, list[RoleHolder]] = {}
    for holder in holders:
        by_user.setdefault(holder.user_id, []).append(holder)
    lines: dict[Role, list[str]] = {Role.COORDINATOR: [], Role.FACILITATOR: []}
    for user_id, sources in by_user.items():
        role = max((holder.role for holder in sources), key=lambda r: r.rank)
        if role not in lines:
            continue
        said = "; ".join(dict.fromkeys(_source_text(h, role, language) for h in sources))
        lines[role].append(f"• <@{user_id}> — {said}")
    title = t("role.title", language)
    blocks: list[dict[str, Any]] = [header(title)]
    for role, heading in (
        (Role.COORDINATOR, "role.coordinators"),
        (Role.FACILITATOR, "role.facilitators"),
    ):
        listed = lines[role] or [t("role.nobody", language)]
        blocks.append(section(f"*{t(heading, language)}*\n" + "\n".join(listed)))
    blocks.append(context(t("role.footer", language)))
    return {"text": title, "blocks": blocks}
