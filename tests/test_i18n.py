"""The string catalog: both languages complete and consistent."""

from __future__ import annotations

import pytest

from bot.config import SUPPORTED_LANGUAGES
from bot.i18n import CATALOG, normalize_language, placeholders, t


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_key_exists_in_both_languages_with_the_same_placeholders(key):
    """Each catalog entry has non-empty French and English with identical placeholders."""
    entry = CATALOG[key]
    assert set(entry) == set(SUPPORTED_LANGUAGES)
    assert all(entry[language].strip() for language in SUPPORTED_LANGUAGES)
    assert placeholders(entry["fr"]) == placeholders(entry["en"])


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("fr-FR", "fr"),
        ("fr-CA", "fr"),
        ("en-US", "en"),
        ("en_GB", "en"),
        ("de-DE", "fr"),
        (None, "fr"),
    ],
)
def test_slack_locale_maps_to_a_catalog_language(locale, expected):
    """Slack locales map to fr/en; anything else falls back to the default."""
    assert normalize_language(locale, "fr") == expected


def test_lookup_fills_placeholders():
    """Placeholders are filled in the chosen language."""
    assert "`x`" in t("error.unknown_command", "en", command="x")
