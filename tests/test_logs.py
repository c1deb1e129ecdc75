"""Tokens and secrets never reach the logs."""

from __future__ import annotations

import logging

from bot.logs import RedactSecrets


def test_slack_tokens_and_known_secrets_are_redacted(caplog):
    """Any xoxb-/xapp- token and the configured secrets are replaced in log records."""
    logger = logging.getLogger("cercle.test")
    handler_filter = RedactSecrets(secrets=("signing-secret-123",))
    logger.addFilter(handler_filter)
    try:
        with caplog.at_level(logging.INFO, logger="cercle.test"):
            logger.info("token %s and %s", "xoxb-1234-abcd", "xapp-1-A1-zz")
            logger.info("secret is signing-secret-123")
    finally:
        logger.removeFilter(handler_filter)
    text = caplog.text
    assert "xoxb-1234-abcd" not in text
    assert "xapp-1-A1-zz" not in text
    assert "signing-secret-123" not in text
    assert text.count("[redacted]") == 3
