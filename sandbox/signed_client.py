"""Play Slack's side towards the bot: signed Events API, slash command and interactivity posts.

`SlackPlayer` sends the bot exactly the HTTP requests Slack would: the same
envelopes and form encodings, a v0 HMAC signature, and, for the Events API
only, Slack's redelivery of an event whose acknowledgement was late or not 2xx.
When given a `SlackStandIn`, trigger ids and response URLs come from it, so the
bot's follow-up calls (views.open, response_url posts) can be checked there.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from sandbox.slack import BOT_USER_ID, TEAM_DOMAIN, SlackStandIn

USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


def sign(signing_secret: str, timestamp: int | str, body: bytes) -> str:
    """Compute the `X-Slack-Signature` value for a body sent at `timestamp`."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass
class Delivery:
    """The outcome of sending one request to the bot, over all its attempts."""

    status: int | None
    body: str
    json: Any
    attempts: int
    tries: list[tuple[int | None, float]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    sent: Any = None

    @property
    def ok(self) -> bool:
        """Tell whether the last attempt was acknowledged with a 2xx."""
        return self.status is not None and 200 <= self.status < 300


@dataclass
class _Attempt:
    """One HTTP exchange; `status` is None when no answer came."""

    status: int | None
    body: str
    headers: dict[str, str]
    elapsed: float
    failure: str | None = None


def _random_id(prefix: str, length: int = 10) -> str:
    """Make a Slack-looking id such as "Ev0A1B2C3D4E"."""
    alphabet = string.ascii_uppercase + string.digits
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def _parse_json(text: str) -> Any:
    """Parse a response body as JSON, or None when it is not JSON."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


class SlackPlayer:
    """Send the bot signed requests the way Slack does, redelivering events like Slack."""

    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        standin: SlackStandIn | None = None,
        *,
        team_id: str = "T0CERCLE",
        api_app_id: str = "A0CERCLE",
        ack_timeout: float = 3.0,
        max_retries: int = 3,
        bot_user_id: str = BOT_USER_ID,
        verification_token: str = "sandbox-verification-token",
    ) -> None:
        split = urlsplit(bot_url)
        if split.scheme not in ("http", "https") or not split.hostname:
            raise ValueError(f"bot_url must be an http(s) URL, got {bot_url!r}")
        self.bot_url = bot_url
        self.signing_secret = signing_secret
        self.standin = standin
        self.team_id = team_id
        self.api_app_id = api_app_id
        self.ack_timeout = ack_timeout
        self.max_retries = max_retries
        self.bot_user_id = bot_user_id
        self.verification_token = verification_token
        self._split = split

    # ------------------------------------------------------------ Slack's payloads

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, event_time: int | None = None
    ) -> Delivery:
        """Deliver an Events API `event_callback`, redelivering it while the bot fails to ack."""
        now = time.time()
        inner = dict(event)
        # Slack gives message-like events an event_ts equal to the message's ts.
        inner.setdefault("event_ts", inner.get("ts") or f"{now:.6f}")
        if inner.get("type") in ("message", "app_mention") and "ts" not in inner:
            inner["ts"] = inner["event_ts"]
        envelope = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "context_team_id": self.team_id,
            "context_enterprise_id": None,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or _random_id("Ev"),
            "event_time": event_time if event_time is not None else int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        body = json.dumps(envelope).encode("utf-8")
        return self._deliver(body, "application/json", sent=envelope, retry=True)

    def url_verification(self, challenge: str = "sandbox-challenge") -> Delivery:
        """Send the one-off `url_verification` handshake Slack makes when the URL is set."""
        payload = {
            "token": self.verification_token,
            "challenge": challenge,
            "type": "url_verification",
        }
        return self._deliver(json.dumps(payload).encode(), "application/json", sent=payload)

    def slash_command(
        self,
        user_id: str,
        text: str = "",
        *,
        command: str = "/cercle",
        channel_id: str = "C0COMMUNITY",
    ) -> Delivery:
        """Send a slash command invocation (form-encoded; never retried, as Slack doesn't)."""
        form = {
            "token": self.verification_token,
            "team_id": self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": self._channel_name(channel_id),
            "user_id": user_id,
            "user_name": self._user_name(user_id),
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self._response_url(channel_id, user_id),
            "trigger_id": self._trigger_id(user_id),
        }
        return self._deliver(urlencode(form).encode(), "application/x-www-form-urlencoded", form)

    def block_action(
        self,
        user_id: str,
        action_id: str,
        *,
        value: str | None = None,
        block_id: str = "b",
        channel_id: str | None = "C0COMMUNITY",
        message: dict[str, Any] | None = None,
        container: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        action: dict[str, Any] | None = None,
    ) -> Delivery:
        """Send a `block_actions` payload: a click in a message, a modal or the Home tab.

        `action` is merged over the default button action, so a select can be
        simulated with e.g. `action={"type": "static_select", "selected_option": {...}}`.
        """
        act: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": action_id, "emoji": True},
            "action_ts": f"{time.time():.6f}",
        }
        if value is not None:
            act["value"] = value
        act.update(action or {})
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self._trigger_id(user_id),
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [act],
        }
        if view is not None:
            # Actions inside a modal or the Home tab: no channel, no response_url.
            payload["container"] = container or {
                "type": "view",
                "view_id": view.get("id", ""),
            }
            payload["view"] = view
            payload["state"] = view.get("state", {"values": {}})
        else:
            message_ts = message.get("ts") if message else None
            if container is None:
                container = {"type": "message", "channel_id": channel_id, "is_ephemeral": False}
                if message_ts:
                    container["message_ts"] = message_ts
            payload["container"] = container
            payload["state"] = {"values": {}}
            if channel_id is not None:
                payload["channel"] = {"id": channel_id, "name": self._channel_name(channel_id)}
                payload["response_url"] = self._response_url(
                    channel_id, user_id, message_ts=message_ts
                )
            if message is not None:
                payload["message"] = message
        return self._send_payload(payload)

    def view_submission(
        self, user_id: str, view: dict[str, Any], values: dict[str, Any]
    ) -> Delivery:
        """Send a `view_submission` for `view` with `values` in `view.state.values` format."""
        submitted = self._submitted_view(view, values)
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "trigger_id": self._trigger_id(user_id),
            "view": submitted,
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return self._send_payload(payload)

    def view_closed(self, user_id: str, view: dict[str, Any]) -> Delivery:
        """Send a `view_closed` (only sent by Slack when the view asked for notify_on_close)."""
        payload = {
            "type": "view_closed",
            "team": {"id": self.team_id, "domain": TEAM_DOMAIN},
            "user": self._user_ref(user_id),
            "api_app_id": self.api_app_id,
            "token": self.verification_token,
            "view": self._submitted_view(view, view.get("state", {}).get("values", {})),
            "is_cleared": False,
            "enterprise": None,
            "is_enterprise_install": False,
        }
        return self._send_payload(payload)

    def send_raw(
        self,
        body: bytes | str,
        headers: Mapping[str, str],
        *,
        sign: bool = True,
        timestamp: int | None = None,
    ) -> Delivery:
        """Send arbitrary bytes (signed unless told not to) for hostile-input tests; no retries."""
        raw = body.encode("utf-8") if isinstance(body, str) else body
        all_headers = dict(headers)
        if sign:
            ts = timestamp if timestamp is not None else int(time.time())
            all_headers.update(self._signature_headers(raw, ts))
        attempt = self._post(raw, all_headers)
        return self._delivery([attempt], sent=raw)

    # ------------------------------------------------------------ helpers

    def _user_name(self, user_id: str) -> str:
        """Return a user's handle from the stand-in, or the id itself."""
        user = self.standin.get_user(user_id) if self.standin else None
        return str(user["name"]) if user else user_id

    def _user_ref(self, user_id: str) -> dict[str, str]:
        """Build the `user` object interactivity payloads carry."""
        name = self._user_name(user_id)
        return {"id": user_id, "username": name, "name": name, "team_id": self.team_id}

    def _channel_name(self, channel_id: str) -> str:
        """Return a channel's name as Slack reports it ("directmessage" for DMs)."""
        if channel_id.startswith("D"):
            return "directmessage"
        channel = self.standin.get_channel(channel_id) if self.standin else None
        return str(channel["name"]) if channel and channel.get("name") else channel_id.lower()

    def _trigger_id(self, user_id: str) -> str:
        """Issue a trigger id from the stand-in, or a dummy one."""
        if self.standin is not None:
            return self.standin.new_trigger_id(user_id)
        return f"{secrets.randbelow(10**10)}.{int(time.time())}.{secrets.token_hex(16)}"

    def _response_url(self, channel_id: str, user_id: str, *, message_ts: str | None = None) -> str:
        """Issue a response_url from the stand-in, or a dummy (unreachable) one."""
        if self.standin is not None:
            return self.standin.new_response_url(channel_id, user_id, message_ts=message_ts)
        return f"https://hooks.slack.invalid/actions/{self.team_id}/{secrets.token_hex(8)}"

    def _submitted_view(self, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """Fill in the fields Slack puts on a submitted view."""
        submitted = dict(view)
        submitted.setdefault("id", _random_id("V"))
        submitted.setdefault("team_id", self.team_id)
        submitted.setdefault("type", "modal")
        submitted.setdefault("callback_id", "")
        submitted.setdefault("private_metadata", "")
        submitted.setdefault("hash", f"{int(time.time())}.{secrets.token_hex(4)}")
        submitted.setdefault("app_id", self.api_app_id)
        submitted.setdefault("root_view_id", submitted["id"])
        submitted.setdefault("previous_view_id", None)
        submitted["state"] = {"values": values}
        return submitted

    def _send_payload(self, payload: dict[str, Any]) -> Delivery:
        """Post an interactivity payload as the `payload` form field (never retried)."""
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self._deliver(body, "application/x-www-form-urlencoded", payload)

    def _signature_headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        """Return the timestamp and v0 signature headers for a body."""
        return {
            "X-Slack-Request-Timestamp": str(timestamp),
            "X-Slack-Signature": sign(self.signing_secret, timestamp, body),
        }

    def _deliver(
        self, body: bytes, content_type: str, sent: Any, *, retry: bool = False
    ) -> Delivery:
        """Send a signed request; with `retry`, redeliver like the Events API does."""
        attempts: list[_Attempt] = []
        reason: str | None = None
        for number in range(self.max_retries + 1 if retry else 1):
            headers = {"Content-Type": content_type}
            if number > 0 and reason is not None:
                headers["X-Slack-Retry-Num"] = str(number)
                headers["X-Slack-Retry-Reason"] = reason
            # Each attempt is signed afresh, as Slack does: the timestamp moves on.
            headers.update(self._signature_headers(body, int(time.time())))
            attempt = self._post(body, headers)
            attempts.append(attempt)
            if attempt.status is not None and 200 <= attempt.status < 300:
                break
            # An app may opt out of redelivery for one failed request.
            if attempt.headers.get("x-slack-no-retry") == "1":
                break
            reason = attempt.failure or "http_error"
        return self._delivery(attempts, sent=sent)

    def _post(self, body: bytes, headers: Mapping[str, str]) -> _Attempt:
        """POST once to the bot, giving up after `ack_timeout` seconds as Slack does."""
        split = self._split
        conn_cls = (
            http.client.HTTPSConnection if split.scheme == "https" else http.client.HTTPConnection
        )
        conn = conn_cls(split.hostname or "127.0.0.1", split.port, timeout=self.ack_timeout)
        path = split.path or "/"
        if split.query:
            path += "?" + split.query
        all_headers = {"User-Agent": USER_AGENT, "Content-Length": str(len(body)), **headers}
        started = time.monotonic()
        try:
            conn.request("POST", path, body=body, headers=all_headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            elapsed = time.monotonic() - started
            response_headers = {k.lower(): v for k, v in response.getheaders()}
            if elapsed > self.ack_timeout:
                # The answer trickled in too late; Slack counts that as a timeout.
                return _Attempt(None, text, response_headers, elapsed, "http_timeout")
            return _Attempt(response.status, text, response_headers, elapsed)
        except TimeoutError:
            return _Attempt(None, "", {}, time.monotonic() - started, "http_timeout")
        except (ConnectionError, http.client.HTTPException, OSError):
            return _Attempt(None, "", {}, time.monotonic() - started, "connection_failed")
        finally:
            conn.close()

    @staticmethod
    def _delivery(attempts: list[_Attempt], *, sent: Any) -> Delivery:
        """Summarise attempts into a `Delivery` (last attempt's answer wins)."""
        last = attempts[-1]
        return Delivery(
            status=last.status,
            body=last.body,
            json=_parse_json(last.body),
            attempts=len(attempts),
            tries=[(a.status, a.elapsed) for a in attempts],
            headers=last.headers,
            sent=sent,
        )
