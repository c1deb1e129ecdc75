"""The app factory: a Bolt app whose every request runs in one database transaction."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from bot.commands import SubcommandRegistry
from bot.config import Settings
from bot.errors import CercleError, UsageError
from bot.i18n import t
from bot.language import resolve_language
from bot.logs import log_fields
from bot.roles import PermissionRegistry, Role, guard_listener
from bot.ui.common import build_error_modal, escape_mrkdwn
from storage.events import record_event_once
from storage.outbox import QUEUED as OUTBOX_QUEUED

logger = logging.getLogger(__name__)

FAILED_FLAG = "cercle_request_failed"
# Context key of the `/cercle` subcommand being run: a usage error then shows its usage.
SUBCOMMAND = "cercle_subcommand"
# Context key of how a request ended, when more is known than its HTTP status:
# "duplicate" (an event redelivered), "refused" (a CercleError), "failed".
OUTCOME = "cercle_outcome"


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
        # The role each button and modal listener needs, declared where it is registered.
        self.permissions = PermissionRegistry()
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

    def action(self, constraints: Any, *args: Any, role: Role | None = None, **kwargs: Any) -> Any:
        """Register a button or menu listener; with `role`, only that role may use it."""
        return self._declared(
            "action", constraints, role, super().action(constraints, *args, **kwargs)
        )

    def view(self, constraints: Any, *args: Any, role: Role | None = None, **kwargs: Any) -> Any:
        """Register a modal submission listener; with `role`, only that role may submit it."""
        return self._declared("view", constraints, role, super().view(constraints, *args, **kwargs))

    def _declared(
        self, kind: str, constraints: Any, role: Role | None, register: Callable[..., Any]
    ) -> Callable[..., Any]:
        """Record the listener's role and make every listener check it when it runs."""
        self.permissions.declare(kind, str(constraints), role)
        if role is None or role is Role.MEMBER:
            return register

        def register_guarded(*functions: Callable[..., Any]) -> Any:
            return register(*(guard_listener(function, role) for function in functions))

        return register_guarded

    def close(self) -> None:
        """Send the notices still waiting, then stop their worker threads."""
        self._notices.shutdown(wait=True)

    def set_on_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after each committed request (the dispatcher's wake-up)."""
        self._on_commit = callback

    def dispatch(self, req: BoltRequest) -> BoltResponse:
        """Handle one request in its transaction, and log one line about it (ids only)."""
        started = time.perf_counter()
        response: BoltResponse | None = None
        try:
            response = self._dispatch_in_transaction(req)
            return response
        finally:
            _log_request(req, response, started, self.subcommands)

    def _dispatch_in_transaction(self, req: BoltRequest) -> BoltResponse:
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
                req.context[OUTCOME] = "failed"
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


def _first(value: Any) -> dict[str, Any]:
    """Return `value` if it is a dict, the first item if it is a list of dicts, else {}."""
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, dict) else {}


def _request_kind(body: dict[str, Any], subcommands: SubcommandRegistry) -> dict[str, Any]:
    """Name what a request is (event type, command, action id, callback id) from its ids."""
    kind = body.get("type")
    if body.get("command"):
        words = str(body.get("text") or "").split(maxsplit=1)
        name = words[0].lower() if words else "help"
        # Only a name Cercle knows: anything else is what the member typed.
        return {
            "kind": f"command:{body['command']}",
            "subcommand": name if subcommands.get(name) else "unknown",
        }
    if kind == "event_callback":
        event = _first(body.get("event"))
        subtype = event.get("subtype")
        return {
            "kind": f"event:{event.get('type')}" + (f".{subtype}" if subtype else ""),
            "event_id": body.get("event_id"),
        }
    if kind in ("block_actions", "block_suggestion", "interactive_message"):
        action = _first(body.get("actions")) if kind != "block_suggestion" else body
        action_id = action.get("action_id") or action.get("name")
        return {
            "kind": f"action:{action_id}",
            "action_id": action_id,
            "block_id": action.get("block_id"),
            "callback_id": _first(body.get("view")).get("callback_id"),
        }
    if kind in ("view_submission", "view_closed"):
        callback_id = _first(body.get("view")).get("callback_id")
        prefix = "view" if kind == "view_submission" else "view_closed"
        return {"kind": f"{prefix}:{callback_id}", "callback_id": callback_id}
    if kind in ("shortcut", "message_action"):
        callback_id = body.get("callback_id")
        return {"kind": f"shortcut:{callback_id}", "callback_id": callback_id}
    return {"kind": str(kind or "unknown")}


def _request_outcome(req: BoltRequest, response: BoltResponse | None) -> str:
    """Say how a request ended: ok, duplicate, refused, failed, unauthorized, unhandled."""
    outcome = req.context.get(OUTCOME)
    if outcome:
        return str(outcome)
    status = response.status if response is not None else 500
    if status == 401:
        return "unauthorized"  # a bad or missing signature
    if status == 404:
        return "unhandled"
    return "ok" if status < 300 else "failed"


def _log_request(
    req: BoltRequest,
    response: BoltResponse | None,
    started: float,
    subcommands: SubcommandRegistry,
) -> None:
    """Log one line about a handled request: what, whose ids, how it ended, how long.

    Never the text, the payload, a token or the signature: only Slack's ids.
    """
    try:
        outcome = _request_outcome(req, response)
        level = logging.WARNING if outcome in ("failed", "unauthorized") else logging.INFO
        if not logger.isEnabledFor(level):
            return
        body = req.body if isinstance(req.body, dict) else {}
        retry = (req.headers.get("x-slack-retry-num") or [None])[0]
        log_fields(
            logger,
            level,
            "request",
            **_request_kind(body, subcommands),
            team=req.context.get("team_id"),
            user=req.context.get("user_id"),
            channel=req.context.get("channel_id"),
            retry=retry,
            outcome=outcome,
            status=response.status if response is not None else 500,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
    except Exception:  # noqa: BLE001 - a log line must never break a request
        logger.debug("could not log a request", exc_info=True)


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
        context[OUTCOME] = "duplicate"
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
    """Turn a failed listener into a clear answer; keep 5xx for events hit by an outage."""
    context[FAILED_FLAG] = True
    context[OUTCOME] = "refused" if isinstance(error, CercleError) else "failed"
    language = context.get("language", "en")
    if isinstance(error, CercleError):
        # Values often repeat what the member typed: escaped, unless shown under a
        # modal's input, which Slack renders as plain text.
        plain_text = body.get("type") == "view_submission" and error.block_id
        values = error.values if plain_text else _escaped(error.values)
        message = t(error.message_key, language, **values)
        if isinstance(error, UsageError) and body.get("command"):
            message = _with_usage(message, context.get(SUBCOMMAND), language)
    elif isinstance(error, SQLAlchemyError):
        logger.exception("database error while handling a request")
        message = t("error.unavailable", language)
    elif is_outage(error):
        logger.warning("Slack unavailable while handling a request: %s", error)
        message = t("error.unavailable", language)
    else:
        logger.exception("unexpected error while handling a request", exc_info=error)
        message = t("error.unexpected", language)

    kind = body.get("type")
    if kind == "event_callback" or body.get("event"):
        if is_outage(error):
            return  # stays a 500: Slack will redeliver, and our rollback kept nothing.
        # Anything else would fail the same way when redelivered: acknowledge it, with
        # nothing saved (the rollback), rather than have Slack retry it for an hour.
        response.status = 200
        response.body = ""
        return
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


def _with_usage(message: str, subcommand: Any, language: str) -> str:
    """Add the subcommand's usage to a usage error, unless the message already shows it."""
    if subcommand is None:
        return message
    command = f"/cercle {subcommand.name}"
    if command in message:
        return message
    usage = f"{command} {subcommand.usage}".strip()
    return f"{message}\n{t('error.usage_line', language, usage=usage)}"


def _escaped(values: dict[str, Any]) -> dict[str, Any]:
    """Escape every text of an error's values for mrkdwn (once: some come escaped already)."""
    return {
        name: escape_mrkdwn(value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        if isinstance(value, str)
        else value
        for name, value in values.items()
    }


def is_outage(error: Exception) -> bool:
    """Tell whether `error` is a passing failure of the database or of Slack.

    Those are worth a retry. Bad data (a DataError: text too long for its column, a
    NUL byte PostgreSQL refuses) fails the same way every time.
    """
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(
            error, OperationalError | InterfaceError | IntegrityError
        )
    if isinstance(error, SlackApiError):
        # Slack answered: only "slow down" and its own failures pass.
        status = getattr(error.response, "status_code", 200)
        return status == 429 or status >= 500 or error.response.get("error") in _SLACK_OUTAGES
    return isinstance(error, PoolTimeoutError | DisconnectionError | SlackClientError | OSError)


# Slack's error codes for a failure on its side (anything else is a mistake in the call).
_SLACK_OUTAGES = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


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
