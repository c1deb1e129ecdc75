"""`/cercle nudges` and `/cercle snooze`: each member decides how Cercle nudges them."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.courtesy import parse_working_hours
from bot.errors import UsageError
from bot.i18n import t
from bot.ui.common import section
from bot.ui.nudges import build_nudges_message, format_date
from storage.models import utcnow
from storage.preferences import NUDGE_CATEGORIES, get_preferences, set_nudges, snooze

MAX_SNOOZE = timedelta(weeks=26)
# 2w / 2s (semaines), 10d / 10j (jours).
_DURATION = re.compile(r"^(\d{1,3})\s*([wsdj])$")


def parse_snooze(text: str) -> timedelta | None:
    """Parse a snooze length such as "2w" or "10d" (French "2s", "10j" too); None if invalid."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        return None
    amount = int(match.group(1))
    length = timedelta(weeks=amount) if match.group(2) in "ws" else timedelta(days=amount)
    return length if timedelta(0) < length <= MAX_SNOOZE else None


def _settings_message(call: SubcommandCall) -> dict[str, Any]:
    preferences = get_preferences(call.db, call.user_id)
    snoozed = preferences.snoozed_until if preferences else None
    return build_nudges_message(
        nudges_off=set(preferences.nudges_off or []) if preferences else set(),
        snoozed_until=snoozed if snoozed and snoozed > utcnow() else None,
        working_hours=parse_working_hours(call.settings.working_hours),
        weekly_cap=call.settings.weekly_nudge_cap,
        language=call.language,
    )


def register(app: CercleApp) -> None:
    """Add the `nudges` and `snooze` subcommands."""

    def manage_nudges(call: SubcommandCall) -> dict[str, Any]:
        if not call.args:
            return _settings_message(call)
        if len(call.args) != 2 or call.args[0].lower() not in ("on", "off"):
            raise UsageError("nudges.usage")
        target = call.args[1].lower()
        if target not in (*NUDGE_CATEGORIES, "all"):
            raise UsageError("nudges.usage")
        enabled = call.args[0].lower() == "on"
        # "on all" clears every switch; "off all" is one switch that covers everything.
        categories = [*NUDGE_CATEGORIES, "all"] if target == "all" and enabled else [target]
        set_nudges(call.db, call.user_id, categories, enabled=enabled)
        call.db.flush()
        return _settings_message(call)

    def manage_snooze(call: SubcommandCall) -> dict[str, Any]:
        if len(call.args) != 1:
            raise UsageError("snooze.usage")
        if call.args[0].lower() in ("off", "stop", "0"):
            snooze(call.db, call.user_id, None)
            text = t("snooze.ended", call.language)
            return {"text": text, "blocks": [section(text)]}
        length = parse_snooze(call.args[0])
        if length is None:
            raise UsageError("snooze.usage")
        until = utcnow() + length
        snooze(call.db, call.user_id, until)
        text = t("snooze.done", call.language, date=format_date(until, call.language))
        return {"text": text, "blocks": [section(text)]}

    app.subcommands.add(
        Subcommand(
            name="nudges",
            help_key="help.cmd.nudges",
            handler=manage_nudges,
            usage="[on|off reminders|toolbox|all]",
        )
    )
    app.subcommands.add(
        Subcommand(name="snooze", help_key="help.cmd.snooze", handler=manage_snooze, usage="2w")
    )
