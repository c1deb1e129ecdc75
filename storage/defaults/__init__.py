"""What a new Cercle installation starts with: the first charter and interest topics."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent


def _read(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8").strip()


def default_charter() -> dict[str, str]:
    """Return the shipped charter (version 1): full text and summary in fr and en."""
    return {
        "text_fr": _read("charter.fr.txt"),
        "text_en": _read("charter.en.txt"),
        "summary_fr": _read("summary.fr.txt"),
        "summary_en": _read("summary.en.txt"),
    }


# (key, French label, English label): topics an executive assistants' community shares.
DEFAULT_INTERESTS: tuple[tuple[str, str, str], ...] = (
    ("calendars-travel", "Agendas et déplacements", "Calendars and travel"),
    ("events", "Événements et séminaires", "Events and seminars"),
    ("digital-tools", "Outils numériques", "Digital tools"),
    ("writing", "Communication écrite", "Written communication"),
    ("supporting-managers", "Soutien au management", "Supporting managers"),
    ("languages", "Langues", "Languages"),
    ("organisation", "Organisation et bien-être", "Organisation and well-being"),
    ("profession", "Évolution du métier", "The profession and careers"),
)
