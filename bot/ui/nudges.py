"""A member's nudge settings (pure builder)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from bot.i18n import t
from bot.ui.common import context, header, section
from storage.preferences import NUDGE_CATEGORIES


def format_date(moment: datetime, language: str) -> str:
    """Return a date the way each language writes it."""
    return moment.strftime("%d/%m/%Y" if language == "fr" else "%Y-%m-%d")


def build_nudges_message(
    *,
    nudges_off: set[str],
    snoozed_until: datetime | None,
    working_hours: tuple[time, time] | None,
    weekly_cap: int,
    language: str,
) -> dict[str, Any]:
    """Return the member's nudge settings and the rules Cercle follows."""
    lines = []
    for category in NUDGE_CATEGORIES:
        off = category in nudges_off or "all" in nudges_off
        lines.append(
            t(
                "nudges.line",
                language,
                category=t(f"nudges.category.{category}", language),
                state=t("nudges.off" if off else "nudges.on", language),
            )
        )
    blocks = [header(t("nudges.title", language)), section("\n".join(lines))]
    if snoozed_until is not None:
        blocks.append(
            section(t("nudges.snoozed", language, date=format_date(snoozed_until, language)))
        )
    if working_hours is None:
        rules = t("nudges.rules_any_time", language, cap=weekly_cap)
    else:
        rules = t(
            "nudges.rules",
            language,
            start=working_hours[0].strftime("%H:%M"),
            end=working_hours[1].strftime("%H:%M"),
            cap=weekly_cap,
        )
    blocks.append(context(rules))
    return {"text": t("nudges.title", language), "blocks": blocks}
