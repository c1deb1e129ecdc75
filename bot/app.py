"""The app factory: a Bolt app whose every request runs in one database transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import SubcommandRegistry
from bot.config import Settings
from bot.errors import CercleError
from bot.i18n import t
from bot.language import resolve_language
from bot.ui.common import build_error_modal
from storage.events import record_event_once
from storage.outbox import QUEUED as OUTBOX_QUEUED

logger = logging.getLogger(__name__)

FAILED_FLAG = "cercle_request_failed"


# Calls made while answering a member (users.info, views.open) must fit in Slack's
# three-second window; the dispatcher sets its own, longer timeout on its copy.
REQUEST_PATH_TIMEOUT_SECONDS = 2.5


def make_web_client(
    settings: Settings, *, timeout: float = REQUEST_PATH_TIMEOUT_SECONDS
) -> WebClient:
    """Build the Web API client every Slack call goes through, at `SLACK_API_URL`."""
    client = WebClient(
        token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=int(timeout) or 1
    )
    client.timeout = timeout  # type: ignore[assignment]  # urllib accepts fractions
    # The outbox dispatcher owns retries and rate-limit waits; a hidden retry here could
    # duplicate a message whose first attempt Slack accepted.
    client.retry_handlers = []
    return client


def _json_response(status: int, body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(
        status=status,
        body=json.dumps(body, ensure_ascii=False),
        headers={"content-type": "application/json;charset=utf-8"},
    )


def _unavailable_response(request: BoltRequest) -> BoltResponse:
    """Answer when the database fails: events get a 503 so Slack redelivers them.

    A member who typed a command gets an ephemeral message in the answer itself; one who
    clicked or submitted a form is told through the response URL or a small modal,
    since Slack ignores the body of an answer to a click.
    """
    body = request.body
    if body.get("type") == "event_callback":
        return BoltResponse(status=503, body="database unavailable")
    message = t("error.unavailable", request.context.get("language", "en"))
    if body.get("type") == "view_submission":
        view = build_error_modal(message, request.context.get("language", "en"))
        return _json_response(200, {"response_action": "push", "view": view})
    if body.get("type") == "block_actions" and body.get("response_url"):
        try:
            WebhookClient(str(body["response_url"]), timeout=2).send(
                text=message, response_type="ephemeral", replace_original=False
            )
        except Exception:  # noqa: BLE001 - telling the member is best effort here
            logger.warning("could not tell the member that their click was not saved")
        return BoltResponse(status=200, body="")
    return _json_response(200, {"response_type": "ephemeral", "text": message})


# Context key of the callbacks to run after the request's transaction commits.
AFTER_COMMIT = "after_commit"


class CercleApp(App):
    """A Bolt app that wraps each request in one transaction and knows its subcommands.

    Bolt's global middleware cannot wrap the listener (its `next()` only sets a flag), so
    the transaction lives here, around the whole dispatch: the event's dedupe key, the
    state change and its outbox rows commit together after the listener returns, or
    nothing does. `process_before_response=True` makes Bolt run the listener before
    answering Slack, so an acknowledged request is a committed one.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        session_factory: sessionmaker[Session],
        on_commit: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        self.registered_events: set[str] = set()
        self.registered_commands: set[str] = set()
        super().__init__(process_before_response=True, **kwargs)
        self.settings = settings
        self.session_factory = session_factory
        self.subcommands = SubcommandRegistry()
        self._on_commit = on_commit or (lambda: None)
        self._notices = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cercle-notice")

    def event(self, event: str | dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        """Register an event listener and remember its type for the manifest check."""
        self.registered_events.add(event if isinstance(event, str) else str(event.get("type")))
        return super().event(event, *args, **kwargs)

    def command(self, command: Any, *args: Any, **kwargs: Any) -> Any:
        """Register a slash command listener and remember its name for the manifest check."""
        self.registered_commands.add(str(command))
        return super().command(command, *args, **kwargs)

    def close(self) -> None:
        """Send the notices still waiting, then stop their worker threads."""
        self._notices.shutdown(wait=True)

    def set_on_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after each committed request (the dispatcher's wake-up)."""
        self._on_commit = callback

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Run Bolt's dispatch inside one session; commit only a fully successful request."""
        session = self.session_factory()
        req.context["db"] = session
        req.context["settings"] = self.settings
        req.context[AFTER_COMMIT] = []
        try:
            response = super().dispatch(req)
            if response.status >= 300 or req.context.get(FAILED_FLAG):
                session.rollback()
                return response
            try:
                session.commit()
            except SQLAlchemyError:
                logger.exception("could not commit a request; nothing was saved")
                session.rollback()
                return _unavailable_response(req)
            if session.info.get(OUTBOX_QUEUED):
                # Only then: most events (participation) queue nothing to send.
                self._on_commit()
            callbacks = req.context[AFTER_COMMIT]
            if callbacks:
                # Sent beside the answer to Slack rather than before it: Slack's 3 s
                # (and our ack latency) shouldn't wait on another round trip to Slack.
                self._notices.submit(_run_after_commit, callbacks)
            return response
        finally:
            session.close()


# Events Cercle only records (participation): their listeners never answer anyone.
_RECORDED_ONLY = frozenset({"reaction_added", "reaction_removed"})


def _answers_nobody(body: dict[str, Any]) -> bool:
    """Tell whether a request is an event whose handling speaks to no one."""
    event = body.get("event") or {}
    if body.get("type") != "event_callback" or not isinstance(event, dict):
        return False
    if event.get("type") in _RECORDED_ONLY:
        return True
    return event.get("type") == "message" and event.get("channel_type") not in ("im", None)


def after_commit(context: Any, callback: Callable[[], None]) -> None:
    """Run `callback` once the request's transaction has committed (never if it fails).

    It runs on a worker thread while Slack gets its answer.

    For what tells the member their action took effect: said before the commit, it
    could announce a change a failed commit then threw away.
    """
    context[AFTER_COMMIT].append(callback)


def _run_after_commit(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:  # noqa: BLE001 - the change is saved; a lost notice is not fatal
            logger.warning("a notice after commit could not be sent", exc_info=True)


def _middleware_event_once(
    body: dict[str, Any], context: Any, next: Callable[[], None]
) -> BoltResponse | None:
    """Drop an event that already took effect; record new ones in the request's transaction."""
    event_id = body.get("event_id")
    if body.get("type") != "event_callback" or not isinstance(event_id, str):
        next()
        return None
    db: Session = context["db"]
    try:
        first_time = record_event_once(
            db, event_id=event_id, event_type=str(body.get("event", {}).get("type", ""))
        )
    except SQLAlchemyError:
        logger.exception("database unavailable while recording event %s", event_id)
        return BoltResponse(status=503, body="database unavailable")
    if not first_time:
        logger.info("event %s already handled; redelivery ignored", event_id)
        return BoltResponse(status=200, body="")
    next()
    return None


def _handle_error(
    error: Exception,
    body: dict[str, Any],
    context: Any,
    response: BoltResponse,
    respond: Any,
    client: WebClient | None = None,
) -> None:
    """Turn a failed listener into a clear answer; keep 5xx for events so Slack retries."""
    context[FAILED_FLAG] = True
    language = context.get("language", "en")
    if isinstance(error, CercleError):
        message = t(error.message_key, language, **error.values)
    elif isinstance(error, SQLAlchemyError):
        logger.exception("database error while handling a request")
        message = t("error.unavailable", language)
    else:
        logger.exception("unexpected error while handling a request", exc_info=error)
        message = t("error.unexpected", language)

    kind = body.get("type")
    if kind == "event_callback" or body.get("event"):
        return  # stays a 500: Slack will redeliver, and our rollback kept nothing.
    response.status = 200
    response.headers["content-type"] = ["application/json;charset=utf-8"]
    if kind == "view_submission":
        block_id = error.block_id if isinstance(error, CercleError) else None
        if block_id:
            reply = {"response_action": "errors", "errors": {block_id: message}}
        else:
            # An empty answer would close the form and lose what was typed: stack a small
            # modal with the message on top of it instead.
            reply = {"response_action": "push", "view": build_error_modal(message, language)}
        response.body = json.dumps(reply, ensure_ascii=False)
        return
    if body.get("command"):
        response.body = json.dumps({"response_type": "ephemeral", "text": message})
        return
    response.body = ""
    if getattr(respond, "response_url", None) is None and body.get("trigger_id") and client:
        # A click in the App Home or a modal has no response URL: show a small modal.
        view = build_error_modal(message, language)
        try:
            if (body.get("view") or {}).get("type") == "modal":
                client.views_push(trigger_id=body["trigger_id"], view=view)
            else:
                client.views_open(trigger_id=body["trigger_id"], view=view)
        except Exception:  # noqa: BLE001 - an error report must not raise a second error
            logger.warning("could not show an error to the member")
        return
    _respond_quietly(respond, message)


def _respond_quietly(respond: Any, message: str) -> None:
    """Tell the member through response_url when there is one; never raise from here."""
    if respond is None or getattr(respond, "response_url", None) is None:
        return
    try:
        respond(text=message, response_type="ephemeral", replace_original=False)
    except Exception:  # noqa: BLE001 - an error report must not raise a second error
        logger.warning("could not send an error message to the member")


def create_app(
    settings: Settings,
    *,
    session_factory: sessionmaker[Session],
    client: WebClient | None = None,
) -> CercleApp:
    """Build the Bolt app with Cercle's middleware, error handler and every feature's listeners."""
    from handlers import register_all

    app = CercleApp(
        settings=settings,
        session_factory=session_factory,
        signing_secret=settings.slack_signing_secret or None,
        client=client or make_web_client(settings),
        # Keep Bolt's own request logging quiet about payloads (they hold member text).
        logger=logging.getLogger("cercle.bolt"),
    )

    def middleware_language(
        body: dict[str, Any], context: Any, client: WebClient, next: Callable[[], None]
    ) -> None:
        """Put the acting member's language in `context["language"]`."""
        context["language"] = resolve_language(
            session_factory,
            context["db"],
            client,
            settings,
            context.get("user_id"),
            # Nobody is answered: no Slack round trip while acknowledging the event.
            ask_slack=not _answers_nobody(body),
        )
        next()

    app.middleware(middleware_language)
    app.middleware(_middleware_event_once)
    app.error(_handle_error)
    register_all(app)
    return app
