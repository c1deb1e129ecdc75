"""`/cercle schedule`: coordinators see and change when Cercle's recurring jobs run."""

from __future__ import annotations

from typing import Any

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.errors import UsageError
from bot.i18n import t
from bot.ui.common import context, header, section
from storage.schedules import (
    DEFAULT_SCHEDULES,
    ScheduleSpec,
    current_schedules,
    parse_schedule,
    set_paused,
    set_schedule,
)


def describe_when(spec: ScheduleSpec, language: str) -> str:
    """Return a schedule in words: "every Monday at 09:30"."""
    clock = f"{spec.hour:02d}:{spec.minute:02d}"
    if spec.days == "*":
        return t("schedule.when.daily", language, time=clock)
    if spec.days == "mon-fri":
        return t("schedule.when.weekdays", language, time=clock)
    return t("schedule.when.weekly", language, day=t(f"day.{spec.days}", language), time=clock)


def build_schedule_message(
    specs: list[ScheduleSpec], timezone: str, language: str
) -> dict[str, Any]:
    """Return the list of schedules for coordinators."""
    lines = [
        t(
            "schedule.line",
            language,
            name=spec.name,
            what=t(f"schedule.what.{spec.name}", language),
            when=describe_when(spec, language),
            paused=t("schedule.paused", language) if spec.paused else "",
        )
        for spec in specs
    ]
    title = t("schedule.title", language)
    return {
        "text": title,
        "blocks": [
            header(title),
            section("\n".join(lines)),
            context(t("schedule.zone", language, zone=timezone)),
        ],
    }


def register(app: CercleApp) -> None:
    """Add the coordinators' `schedule` subcommand."""

    def manage_schedule(call: SubcommandCall) -> dict[str, Any]:
        words = [word.lower() for word in call.args]
        names = ", ".join(f"`{name}`" for name in DEFAULT_SCHEDULES)
        if words:
            action = words[0]
            name = words[1] if len(words) > 1 else ""
            if name not in DEFAULT_SCHEDULES or action not in ("set", "pause", "resume"):
                raise UsageError("schedule.usage", names=names)
            if action == "set":
                parsed = parse_schedule(call.args[2:])
                if parsed is None:
                    raise UsageError("schedule.usage", names=names)
                days, hour, minute = parsed
                set_schedule(
                    call.db, name, days=days, hour=hour, minute=minute, author_id=call.user_id
                )
            else:
                set_paused(call.db, name, paused=action == "pause", author_id=call.user_id)
            call.db.flush()
        return build_schedule_message(
            current_schedules(call.db), call.settings.timezone, call.language
        )

    app.subcommands.add(
        Subcommand(
            name="schedule",
            help_key="help.cmd.schedule",
            handler=manage_schedule,
            coordinators_only=True,
        )
    )
