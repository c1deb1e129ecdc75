"""Block Kit for privacy: the forget-me modal, its confirmation, tracking and my-data answers."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.ids import Action, Block, View
from bot.ui.common import context, mrkdwn, plain, section

STOP_TRACKING = "stop_tracking"


def build_forget_modal(language: str) -> dict[str, Any]:
    """Return the confirmation modal: what is erased, what stays, and the tracking box."""
    option = {"text": mrkdwn(t("privacy.forget.stop_tracking", language)), "value": STOP_TRACKING}
    return {
        "type": "modal",
        "callback_id": View.FORGET_ME,
        "title": plain(t("privacy.forget.title", language), limit=24),
        "submit": plain(t("privacy.forget.submit", language), limit=24),
        "close": plain(t("common.cancel", language), limit=24),
        "blocks": [
            section(t("privacy.forget.intro", language)),
            section(t("privacy.forget.erased", language)),
            section(t("privacy.forget.kept", language)),
            {
                "type": "input",
                "block_id": Block.FORGET_TRACKING,
                "optional": True,
                "label": plain(t("privacy.forget.tracking_label", language), limit=2000),
                "element": {
                    "type": "checkboxes",
                    "action_id": Action.FORGET_TRACKING,
                    "options": [option],
                    # Checked by default: most people asking to be forgotten mean it
                    # for what comes next too.
                    "initial_options": [option],
                },
            },
            context(t("privacy.forget.irreversible", language)),
        ],
    }


def build_forgotten_view(language: str, *, tracking_off: bool) -> dict[str, Any]:
    """Return the modal shown once the erasure is committed."""
    tracking = "privacy.forgotten.tracking_off" if tracking_off else "privacy.forgotten.tracking_on"
    return {
        "type": "modal",
        "title": plain(t("privacy.forget.title", language), limit=24),
        "close": plain(t("common.close", language), limit=24),
        "blocks": [
            section(t("privacy.forgotten.done", language)),
            section(t(tracking, language)),
        ],
    }


def build_tracking_message(*, off: bool, language: str, changed: bool = False) -> dict[str, Any]:
    """Return the ephemeral answer to `/cercle tracking [on|off]`."""
    if changed:
        text = t("privacy.tracking.now_off" if off else "privacy.tracking.now_on", language)
    else:
        text = t("privacy.tracking.is_off" if off else "privacy.tracking.is_on", language)
    return {"text": text, "blocks": [section(text), context(t("privacy.tracking.how", language))]}


def build_my_data_answer(language: str) -> dict[str, Any]:
    """Return the ephemeral "on its way" answer to `/cercle my-data`."""
    text = t("privacy.my_data.on_its_way", language)
    return {"text": text, "blocks": [section(text)]}
