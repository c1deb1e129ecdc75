"""The toolbox: browse and search it, open tools (visits are counted), edit it."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.app import CercleApp
from bot.commands import Subcommand, SubcommandCall
from bot.errors import CercleError
from bot.forms import (
    input_text,
    open_modal,
    parse_id,
    reply_privately,
    selected_values,
    view_values,
)
from bot.i18n import t
from bot.ids import Action, Block, View
from bot.roles import Role, role_of
from bot.ui import toolbox as ui
from bot.ui.common import escape_mrkdwn
from storage.toolbox import (
    PAGE_SIZE,
    ItemFields,
    add_item,
    get_item,
    record_visit,
    search_items,
    update_item,
)

logger = logging.getLogger(__name__)

_TAG = re.compile(r"^[\w-]{1,30}$")


def toolbox_page(
    db: Session, *, query: str, offset: int, language: str, can_edit: bool
) -> dict[str, Any]:
    """Search the toolbox and return the page to show."""
    items, total = search_items(db, query, language=language, offset=offset)
    return ui.build_toolbox_page(
        items,
        total=total,
        offset=offset,
        query=query,
        page_size=PAGE_SIZE,
        language=language,
        can_edit=can_edit,
    )


def _page_for(
    db: Session, body: dict[str, Any], context: Any, *, query: str, offset: int
) -> dict[str, Any]:
    """Return the toolbox page for the member who clicked, with Edit buttons if they may."""
    return toolbox_page(
        db,
        query=query,
        offset=offset,
        language=context["language"],
        can_edit=role_of(db, context["settings"], body["user"]["id"]) is Role.COORDINATOR,
    )


def parse_item_form(
    values: dict[str, Any], language: str
) -> tuple[ItemFields | None, dict[str, str]]:
    """Read and check the item modal; return the fields, or errors by block id."""
    errors: dict[str, str] = {}
    title = input_text(values, Block.TOOLBOX_TITLE)[: ui.TITLE_MAX]
    url = input_text(values, Block.TOOLBOX_URL) or None
    if url and (not re.match(r"^https?://\S+$", url) or len(url) > 3000):
        errors[Block.TOOLBOX_URL] = t("toolbox.bad_url", language)
    tags = tuple(
        dict.fromkeys(
            tag.strip().lower()
            for tag in input_text(values, Block.TOOLBOX_TAGS).split(",")
            if tag.strip()
        )
    )
    if len(tags) > 10 or not all(_TAG.match(tag) for tag in tags):
        errors[Block.TOOLBOX_TAGS] = t("toolbox.bad_tags", language)
    chosen = selected_values(values, Block.TOOLBOX_LANGUAGE)
    item_language = chosen[0] if chosen and chosen[0] in ("fr", "en") else language
    if errors or not title:
        return None, errors
    fields = ItemFields(
        title=title,
        url=url,
        description=input_text(values, Block.TOOLBOX_DESCRIPTION)[: ui.DESCRIPTION_MAX],
        tags=tags,
        language=item_language,
    )
    return fields, {}


def register(app: CercleApp) -> None:
    """Add `/cercle toolbox`, the open/edit/page buttons and the item modal."""

    def browse(call: SubcommandCall) -> dict[str, Any] | None:
        if call.args and call.args[0].lower() == "add":
            open_modal(call.client, call.trigger_id, ui.build_item_modal(None, call.language))
            return None
        query = " ".join(call.args)[:100]
        # Edit buttons only for those who may use them (the click is checked again).
        coordinator = role_of(call.db, call.settings, call.user_id) is Role.COORDINATOR
        return toolbox_page(
            call.db, query=query, offset=0, language=call.language, can_edit=coordinator
        )

    def handle_open(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        language = context["language"]
        item_id = parse_id(action.get("value")) or 0
        item = get_item(db, item_id)
        if item is None:
            reply_privately(respond, t("toolbox.unknown_item", language))
            return
        # Recorded before anything else: the click already took the member to the link.
        record_visit(db, item_id=item.id, user_id=body["user"]["id"])
        if not item.url:
            text = t(
                "toolbox.no_link",
                language,
                title=escape_mrkdwn(item.title),
                description=escape_mrkdwn(item.description or ""),
            )
            reply_privately(respond, text)

    def handle_page(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        try:
            state = json.loads(action.get("value") or "{}")
            query, offset = str(state.get("q", ""))[:100], max(0, int(state.get("o", 0)))
        except (ValueError, TypeError, AttributeError, OverflowError):
            query, offset = "", 0
        # Replaces the ephemeral page the buttons sit on, or the modal's page.
        page = _page_for(db, body, context, query=query, offset=offset)
        if getattr(respond, "response_url", None) is None:
            view_id = str((body.get("view") or {}).get("id") or "")
            if view_id:
                modal = ui.build_toolbox_modal(page, context["language"])
                try:
                    client.views_update(view_id=view_id, view=modal)
                except SlackApiError as error:
                    logger.warning("views.update failed: %s", error.response.get("error"))
            return
        respond(replace_original=True, response_type="ephemeral", **page)

    def handle_edit(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        client: WebClient,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        item = get_item(db, item_id) if (item_id := parse_id(action.get("value"))) else None
        if item is None:
            raise CercleError("toolbox.unknown_item")
        open_modal(client, body.get("trigger_id"), ui.build_item_modal(item, context["language"]))

    def handle_item_modal(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], context: Any, db: Session
    ) -> None:
        author = body["user"]["id"]
        fields, errors = parse_item_form(view_values(view), context["language"])
        if errors or fields is None:
            missing_title = {Block.TOOLBOX_TITLE: t("toolbox.title_required", context["language"])}
            ack(response_action="errors", errors=errors or missing_title)
            return
        try:
            item_id = json.loads(view.get("private_metadata") or "{}").get("item")
        except ValueError:
            item_id = None
        item = get_item(db, item_id) if isinstance(item_id, int) else None
        if item is None:
            add_item(db, fields, author_id=author)
        else:
            retire = selected_values(view_values(view), Block.TOOLBOX_RETIRE) == ["yes"]
            update_item(db, item, fields, retire=retire)
        ack()

    def handle_browse(
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        respond: Respond,
        context: Any,
        db: Session,
    ) -> None:
        ack()
        page = _page_for(db, body, context, query="", offset=0)
        if getattr(respond, "response_url", None) is None:
            # From the App Home: no conversation to answer in, so the page opens as a modal.
            modal = ui.build_toolbox_modal(page, context["language"])
            open_modal(client, body.get("trigger_id"), modal)
            return
        # A new ephemeral page: the button sits on a post everyone sees.
        respond(replace_original=False, response_type="ephemeral", **page)

    app.action(Action.TOOLBOX_OPEN.value)(handle_open)
    app.action(Action.TOOLBOX_BROWSE.value)(handle_browse)
    app.action(Action.TOOLBOX_PAGE_PREVIOUS.value)(handle_page)
    app.action(Action.TOOLBOX_PAGE_NEXT.value)(handle_page)
    # Checked at the click and at submission: the button may sit in an old or forwarded
    # message, the form may have been opened before the role was revoked.
    app.action(Action.TOOLBOX_EDIT.value, role=Role.COORDINATOR)(handle_edit)
    app.view(View.TOOLBOX_ITEM.value, role=Role.COORDINATOR)(handle_item_modal)
    app.subcommands.add(
        Subcommand(
            name="toolbox",
            help_key="help.cmd.toolbox",
            handler=browse,
            part_roles={"add": Role.COORDINATOR},
            usage="[mot|word]",
            coordinator_usage="[add|mot|word]",
            coordinator_help_key="help.cmd.toolbox_admin",
        )
    )
