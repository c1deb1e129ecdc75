"""manifest.yml stays valid and matches the listeners the app registers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from bot.app import create_app
from storage.db import make_engine, make_session_factory
from tests.conftest import make_settings

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO.parent / "shared" / "slack-manifest-schema"


def _manifest() -> dict:
    return yaml.safe_load((REPO / "manifest.yml").read_text())


def test_manifest_validates_against_slacks_schema():
    """manifest.yml validates against the schema of the major version it declares."""
    manifest = _manifest()
    major = manifest.get("_metadata", {}).get("major_version", 1)
    schema = json.loads((SCHEMAS / f"manifest.schema.{major}.0.0.json").read_text())
    jsonschema.validate(manifest, schema)


def test_manifest_and_listeners_match(standin, tmp_path):
    """Every command and event in the manifest has a listener, and every listener is declared."""
    settings = make_settings(standin, f"sqlite:///{tmp_path / 'm.db'}")
    engine = make_engine(settings.database_url)
    app = create_app(settings, session_factory=make_session_factory(engine))
    manifest = _manifest()
    declared_commands = {c["command"] for c in manifest["features"]["slash_commands"]}
    # message.im, message.channels ... all arrive as the `message` event type.
    declared_events = {
        e.split(".", 1)[0] for e in manifest["settings"]["event_subscriptions"]["bot_events"]
    }
    assert declared_commands == app.registered_commands
    assert declared_events == app.registered_events
    engine.dispose()


def test_app_home_and_socket_mode_are_enabled():
    """The manifest turns on the Home and Messages tabs, interactivity and Socket Mode."""
    manifest = _manifest()
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
