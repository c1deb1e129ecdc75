"""Block Kit builders: pure functions, checked against Slack's limits in both languages."""

from __future__ import annotations

import pytest

from bot.commands import Subcommand
from bot.ui.common import build_error_modal, escape_mrkdwn, section
from bot.ui.help import build_help_message
from bot.ui.home import build_home_view
from bot.ui.status import build_status_message
from sandbox.blockkit_limits import validate_blocks, validate_view
from storage.outbox import OutboxReport

LANGUAGES = ["fr", "en"]
SUBCOMMANDS = [
    Subcommand(name="help", help_key="help.cmd.help", handler=lambda call: None),
    Subcommand(
        name="status", help_key="help.cmd.status", handler=lambda call: None, coordinators_only=True
    ),
]


@pytest.mark.parametrize("language", LANGUAGES)
def test_help_message_is_within_limits(language):
    """The help message is valid Block Kit with a fallback text."""
    message = build_help_message(SUBCOMMANDS, language, notice="x" * 5000)
    assert message["text"]
    assert validate_blocks(message["blocks"], "message") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_view_is_within_limits(language):
    """The Home tab is a valid home view."""
    assert validate_view(build_home_view(SUBCOMMANDS, language, user_id="U0BOB"), "home") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_error_modal_is_within_limits(language):
    """The error modal is a valid modal even for a long message."""
    assert validate_view(build_error_modal("y" * 4000, language), "modal") == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_status_message_is_within_limits(language):
    """The status message renders with and without pending rows."""
    for age in (None, 12.3):
        report = OutboxReport(
            by_status={"sent": 3}, retried=1, in_doubt=0, oldest_pending_age_seconds=age
        )
        assert validate_blocks(build_status_message(report, language)["blocks"], "message") == []


def test_long_section_text_is_clipped():
    """Section text never exceeds Slack's 3000 characters."""
    assert len(section("z" * 10_000)["text"]["text"]) == 3000


def test_escape_mrkdwn_defuses_mentions_and_links():
    """Escaped text cannot ping @channel or forge a link."""
    escaped = escape_mrkdwn("<!channel> <http://evil|click> & co")
    assert "<" not in escaped and ">" not in escaped
    assert "&amp; co" in escaped
