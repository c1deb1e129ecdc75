"""Settings: parsing, defaults, .env handling and start-up failures."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings

REPO = Path(__file__).resolve().parent.parent


def test_defaults_are_documented_values():
    """An empty environment gives the documented defaults."""
    settings = load_settings({})
    assert settings.database_url == "sqlite:///cercle.db"
    assert settings.port == 3000
    assert settings.timezone == "Europe/Paris"
    assert settings.language == "fr"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert not settings.socket_mode


def test_slack_api_url_gets_a_trailing_slash():
    """SLACK_API_URL works with or without the trailing slash WebClient expects."""
    assert load_settings({"SLACK_API_URL": "http://127.0.0.1:9/api"}).slack_api_url == (
        "http://127.0.0.1:9/api/"
    )


def test_admins_are_split_and_trimmed():
    """CERCLE_ADMINS is a comma-separated list of user ids."""
    settings = load_settings({"CERCLE_ADMINS": " U0ALICE, W0BOB ,"})
    assert settings.admins == ("U0ALICE", "W0BOB")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("PORT", "abc", "PORT must be a whole number"),
        ("PORT", "70000", "PORT must be between 1 and 65535"),
        ("CERCLE_LANGUAGE", "de", "CERCLE_LANGUAGE must be 'fr' or 'en'"),
        ("CERCLE_TIMEZONE", "Mars/Olympus", "CERCLE_TIMEZONE must be an IANA time zone"),
        ("CERCLE_ADMINS", "alice", "CERCLE_ADMINS must be comma-separated user ids"),
        ("CERCLE_COMMUNITY_CHANNEL", "#general", "CERCLE_COMMUNITY_CHANNEL must be a channel id"),
        ("SLACK_BOT_TOKEN", "xoxp-123", "SLACK_BOT_TOKEN must be a bot token"),
        ("SLACK_APP_TOKEN", "xoxb-123", "SLACK_APP_TOKEN must be an app-level token"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be a sqlite:/// or postgresql"),
        ("SLACK_API_URL", "ftp://x", "SLACK_API_URL must be an http(s) URL"),
    ],
)
def test_malformed_setting_names_the_variable(name, value, expected):
    """A malformed value raises an error naming the variable and what is expected."""
    with pytest.raises(SettingsError, match=re.escape(expected)):
        load_settings({name: value})


def test_secrets_are_not_in_repr():
    """Printing the settings never shows a token or the signing secret."""
    settings = load_settings(
        {"SLACK_BOT_TOKEN": "xoxb-secret-token", "SLACK_SIGNING_SECRET": "shh-very-secret"}
    )
    assert "xoxb-secret-token" not in repr(settings)
    assert "shh-very-secret" not in repr(settings)


def test_env_file_never_overrides_the_environment(tmp_path, monkeypatch):
    """Values in .env fill gaps; the real environment wins."""
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nCERCLE_LANGUAGE=en\n")
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.delenv("CERCLE_LANGUAGE", raising=False)
    settings = load_settings(env_file=env_file)
    assert settings.port == 5000
    assert settings.language == "en"


def _cercle(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CERCLE_"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("PORT", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env={**clean, "PYTHONPATH": str(REPO), **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_malformed_setting_stops_start_up_with_one_line(tmp_path):
    """`cercle run` with a bad setting prints one line naming it and exits 2, no traceback."""
    result = _cercle("run", env={"PORT": "nope"}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "PORT must be a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_credentials_points_to_the_readme_and_the_demo(tmp_path):
    """`cercle run` with no Slack credentials says how to get them and mentions make demo."""
    result = _cercle("run", env={}, cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr
    assert "Connect to Slack" in result.stderr
    assert "make demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line(tmp_path):
    """An unreachable database stops start-up with one readable line, password hidden."""
    result = _cercle(
        "db",
        "upgrade",
        env={"DATABASE_URL": "postgresql+psycopg://u:topsecret@127.0.0.1:1/cercle"},
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "cannot reach the database" in result.stderr
    assert "topsecret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_empty_values_mean_defaults():
    """A copied .env.example with blanks gives the defaults, not errors."""
    settings = load_settings({"SLACK_API_URL": "", "PORT": "", "CERCLE_LANGUAGE": ""})
    assert settings.port == 3000
    assert settings.language == "fr"


def test_env_example_lists_every_setting():
    """Every variable the settings read is documented in .env.example."""
    import re

    source = (REPO / "bot" / "config.py").read_text()
    read = set(re.findall(r'get\("([A-Z_]+)"', source))
    documented = set(re.findall(r"^([A-Z_]+)=", (REPO / ".env.example").read_text(), re.M))
    assert read <= documented
