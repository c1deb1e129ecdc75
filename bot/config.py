"""Settings: read once from the environment and `.env` into one frozen object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

SLACK_API_URL_DEFAULT = "https://slack.com/api/"
SUPPORTED_LANGUAGES = ("fr", "en")

_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")

# Points per kind of act: writing counts most, a reaction or an opened tool least. Kinds
# left out (joins, leaves) count for nothing.
DEFAULT_LEVEL_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("message", 3),
    ("reply", 2),
    ("reaction", 1),
    ("poll_vote", 2),
    ("survey_response", 3),
    ("toolbox_visit", 1),
    ("charter_acceptance", 1),
)
# Points over the window each level needs; below "peripheral" a member is inactive.
DEFAULT_LEVEL_THRESHOLDS: tuple[tuple[str, int], ...] = (
    ("core", 20),
    ("active", 6),
    ("peripheral", 1),
)
_LEVEL_NAMES = ("core", "active", "peripheral")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable and what is expected."""


@dataclass(frozen=True)
class Settings:
    """Everything Cercle is configured with; built by `load_settings`, never mutated."""

    slack_bot_token: str = field(default="", repr=False)
    slack_signing_secret: str = field(default="", repr=False)
    slack_app_token: str = field(default="", repr=False)
    slack_api_url: str = SLACK_API_URL_DEFAULT
    database_url: str = "sqlite:///cercle.db"
    port: int = 3000
    community_channel: str = ""
    coordinators_channel: str = ""
    admins: tuple[str, ...] = ()
    # Workspace admins and owners coordinate the community too (CERCLE_ADMINS always do).
    workspace_admins_coordinate: bool = False
    timezone: str = "Europe/Paris"
    language: str = "fr"
    log_level: str = "INFO"
    # "text" (readable lines) or "json" (one JSON object per line, for a log collector).
    log_format: str = "text"
    # Onboarding: who counts as a newcomer, whether guests are greeted, and whether the
    # "why are you joining?" questions are asked when accepting the charter.
    onboarding_scope: str = "channel"
    greet_guests: bool = False
    join_questions: str = "optional"
    # Charter follow-ups: a reminder every `reminder_days` days, at most `reminder_count`.
    reminder_days: int = 3
    reminder_count: int = 2
    # Courtesy policy for nudges: working hours in each member's own time zone ("off" to
    # nudge at any hour) and the most nudges one member gets in seven days.
    working_hours: str = "09:00-18:00"
    weekly_nudge_cap: int = 2
    # A member who opened no toolbox item for this many days gets a suggestion.
    toolbox_quiet_days: int = 21
    # Key of the fingerprints that stop double votes on anonymous polls and surveys. It
    # must live outside the database; when unset it is derived from the Slack secrets.
    anonymity_secret: str = field(default="", repr=False)
    # Participation levels after Wenger (core, active, peripheral, inactive): weighted
    # acts over a rolling window of UTC days, and the points each level needs.
    level_window_days: int = 28
    level_weights: tuple[tuple[str, int], ...] = DEFAULT_LEVEL_WEIGHTS
    level_thresholds: tuple[tuple[str, int], ...] = DEFAULT_LEVEL_THRESHOLDS
    # The charter's "minimum of participation", in points a week; a member below it for
    # `quiet_weeks` weeks gets one gentle nudge (0 turns the minimum off).
    minimum_participation: int = 1
    quiet_weeks: int = 4
    # Participation events and toolbox visits older than this many months are deleted
    # daily, and older per-member daily counts become anonymous counts.
    retention_months: int = 13

    @property
    def socket_mode(self) -> bool:
        """Tell whether the bot connects through Socket Mode rather than serving HTTP."""
        return bool(self.slack_app_token)

    @property
    def tz(self) -> ZoneInfo:
        """Return the community's time zone."""
        return ZoneInfo(self.timezone)


def _read_environment(env_file: Path | None) -> dict[str, str]:
    """Merge `.env` under the real environment: the real environment always wins."""
    merged: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    merged.update(os.environ)
    return merged


def _int_in_range(name: str, raw: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _boolean(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _pairs(name: str, raw: str, allowed: tuple[str, ...], example: str) -> dict[str, int]:
    """Parse "a=1,b=2" with keys among `allowed` and whole values from 0 to 1000."""
    pairs: dict[str, int] = {}
    for part in raw.split(","):
        key, equals, value = part.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not part.strip():
            continue
        if not equals or key not in allowed or not value.isdigit() or int(value) > 1000:
            raise SettingsError(
                f"{name} must look like {example} with names among {', '.join(allowed)} "
                f"and whole numbers up to 1000, got {part.strip()!r}"
            )
        if key in pairs:
            raise SettingsError(f"{name} names {key!r} twice")
        pairs[key] = int(value)
    return pairs


def _level_weights(raw: str) -> tuple[tuple[str, int], ...]:
    from storage.participation import KINDS

    weights = _pairs("CERCLE_LEVEL_WEIGHTS", raw, KINDS, "message=3,reply=2,reaction=1")
    if not any(weights.values()):
        raise SettingsError("CERCLE_LEVEL_WEIGHTS must give at least one kind a weight above 0")
    return tuple(weights.items())


def _level_thresholds(raw: str) -> tuple[tuple[str, int], ...]:
    example = "core=20,active=6,peripheral=1"
    levels = _pairs("CERCLE_LEVEL_THRESHOLDS", raw, _LEVEL_NAMES, example)
    if set(levels) != set(_LEVEL_NAMES) or not (
        levels["core"] > levels["active"] > levels["peripheral"] >= 1
    ):
        raise SettingsError(
            f"CERCLE_LEVEL_THRESHOLDS must set core > active > peripheral >= 1, like {example}; "
            f"got {raw!r}"
        )
    return tuple((name, levels[name]) for name in _LEVEL_NAMES)


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")
) -> Settings:
    """Build the settings from `environ` (default: the process environment plus `.env`)."""
    env = dict(environ) if environ is not None else _read_environment(env_file)

    def get(name: str, default: str = "") -> str:
        # An empty value (as `.env.example` leaves them) means "use the default".
        return env.get(name, "").strip() or default

    bot_token = get("SLACK_BOT_TOKEN")
    if bot_token and not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN must be a bot token starting with 'xoxb-'")
    app_token = get("SLACK_APP_TOKEN")
    if app_token and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN must be an app-level token starting with 'xapp-'")

    api_url = get("SLACK_API_URL", SLACK_API_URL_DEFAULT)
    if not re.match(r"^https?://[^/\s]+", api_url):
        raise SettingsError(f"SLACK_API_URL must be an http(s) URL, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"

    database_url = get("DATABASE_URL", "sqlite:///cercle.db")
    if not database_url.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
        raise SettingsError(
            "DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL, "
            f"got one starting with {database_url.split(':', 1)[0]!r}"
        )
    if database_url.startswith("postgresql://"):
        # psycopg 3 is the driver we ship; the bare scheme would ask for psycopg2.
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")

    community = get("CERCLE_COMMUNITY_CHANNEL")
    if community and not _CHANNEL_ID.match(community):
        raise SettingsError(
            f"CERCLE_COMMUNITY_CHANNEL must be a channel id like C0123ABCD, got {community!r}"
        )
    coordinators = get("CERCLE_COORDINATORS_CHANNEL")
    if coordinators and not _CHANNEL_ID.match(coordinators):
        raise SettingsError(
            f"CERCLE_COORDINATORS_CHANNEL must be a channel id like C0123ABCD, got {coordinators!r}"
        )

    admins = tuple(a.strip() for a in get("CERCLE_ADMINS").split(",") if a.strip())
    for admin in admins:
        if not _USER_ID.match(admin):
            raise SettingsError(
                f"CERCLE_ADMINS must be comma-separated user ids like U0123ABCD, got {admin!r}"
            )

    workspace_admins_coordinate = _boolean(
        "CERCLE_WORKSPACE_ADMINS_COORDINATE", get("CERCLE_WORKSPACE_ADMINS_COORDINATE", "false")
    )

    timezone = get("CERCLE_TIMEZONE", "Europe/Paris")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"CERCLE_TIMEZONE must be an IANA time zone like Europe/Paris, got {timezone!r}"
        ) from None

    language = get("CERCLE_LANGUAGE", "fr").lower()
    if language not in SUPPORTED_LANGUAGES:
        raise SettingsError(f"CERCLE_LANGUAGE must be 'fr' or 'en', got {language!r}")

    log_level = get("CERCLE_LOG_LEVEL", "INFO").upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(
            f"CERCLE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {log_level!r}"
        )

    log_format = get("CERCLE_LOG_FORMAT", "text").lower()
    if log_format not in ("text", "json"):
        raise SettingsError(f"CERCLE_LOG_FORMAT must be 'text' or 'json', got {log_format!r}")

    onboarding_scope = get("CERCLE_ONBOARDING_SCOPE", "channel").lower()
    if onboarding_scope not in ("channel", "workspace"):
        raise SettingsError(
            f"CERCLE_ONBOARDING_SCOPE must be 'channel' or 'workspace', got {onboarding_scope!r}"
        )
    greet_guests = _boolean("CERCLE_GREET_GUESTS", get("CERCLE_GREET_GUESTS", "false"))
    join_questions = get("CERCLE_JOIN_QUESTIONS", "optional").lower()
    if join_questions not in ("required", "optional", "off"):
        raise SettingsError(
            f"CERCLE_JOIN_QUESTIONS must be 'required', 'optional' or 'off', got {join_questions!r}"
        )

    reminder_days = _int_in_range("CERCLE_REMINDER_DAYS", get("CERCLE_REMINDER_DAYS", "3"), 1, 60)
    reminder_count = _int_in_range(
        "CERCLE_REMINDER_COUNT", get("CERCLE_REMINDER_COUNT", "2"), 0, 10
    )

    working_hours = get("CERCLE_WORKING_HOURS", "09:00-18:00")
    if not re.match(r"^(off|\d{1,2}:\d{2}-\d{1,2}:\d{2})$", working_hours.lower()):
        raise SettingsError(
            f"CERCLE_WORKING_HOURS must look like 09:00-18:00, or be off; got {working_hours!r}"
        )
    weekly_nudge_cap = _int_in_range(
        "CERCLE_WEEKLY_NUDGE_CAP", get("CERCLE_WEEKLY_NUDGE_CAP", "2"), 0, 50
    )

    toolbox_quiet_days = _int_in_range(
        "CERCLE_TOOLBOX_QUIET_DAYS", get("CERCLE_TOOLBOX_QUIET_DAYS", "21"), 1, 365
    )

    anonymity_secret = get("CERCLE_ANONYMITY_SECRET")
    if anonymity_secret and len(anonymity_secret) < 16:
        raise SettingsError(
            "CERCLE_ANONYMITY_SECRET must be at least 16 characters long "
            "(for example the output of `openssl rand -hex 32`)"
        )

    level_window_days = _int_in_range(
        "CERCLE_LEVEL_WINDOW_DAYS", get("CERCLE_LEVEL_WINDOW_DAYS", "28"), 7, 365
    )
    level_weights = (
        _level_weights(get("CERCLE_LEVEL_WEIGHTS"))
        if get("CERCLE_LEVEL_WEIGHTS")
        else DEFAULT_LEVEL_WEIGHTS
    )
    level_thresholds = (
        _level_thresholds(get("CERCLE_LEVEL_THRESHOLDS"))
        if get("CERCLE_LEVEL_THRESHOLDS")
        else DEFAULT_LEVEL_THRESHOLDS
    )
    minimum_participation = _int_in_range(
        "CERCLE_MINIMUM_PARTICIPATION", get("CERCLE_MINIMUM_PARTICIPATION", "1"), 0, 1000
    )
    quiet_weeks = _int_in_range("CERCLE_QUIET_WEEKS", get("CERCLE_QUIET_WEEKS", "4"), 1, 52)
    retention_months = _int_in_range(
        "CERCLE_RETENTION_MONTHS", get("CERCLE_RETENTION_MONTHS", "13"), 1, 120
    )

    return Settings(
        anonymity_secret=anonymity_secret,
        level_window_days=level_window_days,
        level_weights=level_weights,
        level_thresholds=level_thresholds,
        minimum_participation=minimum_participation,
        quiet_weeks=quiet_weeks,
        retention_months=retention_months,
        slack_bot_token=bot_token,
        slack_signing_secret=get("SLACK_SIGNING_SECRET"),
        slack_app_token=app_token,
        slack_api_url=api_url,
        database_url=database_url,
        port=_int_in_range("PORT", get("PORT", "3000"), 1, 65535),
        community_channel=community,
        coordinators_channel=coordinators,
        admins=admins,
        workspace_admins_coordinate=workspace_admins_coordinate,
        timezone=timezone,
        language=language,
        log_level=log_level,
        log_format=log_format,
        onboarding_scope=onboarding_scope,
        greet_guests=greet_guests,
        join_questions=join_questions,
        reminder_days=reminder_days,
        reminder_count=reminder_count,
        working_hours=working_hours.lower(),
        weekly_nudge_cap=weekly_nudge_cap,
        toolbox_quiet_days=toolbox_quiet_days,
    )


def require_slack_credentials(settings: Settings) -> None:
    """Fail unless the settings can reach a real Slack workspace in the chosen mode."""
    if not settings.slack_bot_token:
        raise SettingsError(
            "SLACK_BOT_TOKEN is not set: it is the bot token (xoxb-...) from your Slack app's "
            "'OAuth & Permissions' page. See README 'Connect to Slack', "
            "or try Cercle without Slack: make demo"
        )
    if not settings.socket_mode and not settings.slack_signing_secret:
        raise SettingsError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs the app's signing secret "
            "('Basic Information' page), or set SLACK_APP_TOKEN for Socket Mode. "
            "See README 'Connect to Slack', or try Cercle without Slack: make demo"
        )
