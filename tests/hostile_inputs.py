"""Hostile input for Cercle: hypothesis strategies for every entry point, and the leak scanner.

Most generated requests are shaped as Slack would send them, so they reach the listeners,
and carry hostile *content*: member text with mention and link injection, control
characters, unusual Unicode, SQL-like strings, huge strings. The rest are the same
requests with one field corrupted (a wrong type, a missing field, an id that is not one).

Generated member text carries distinctive markers (`<!channel>`, `<@UZZ…>`, links to
`zz-forged.example`…) that Cercle itself never writes, so finding one in what Cercle
rendered as mrkdwn means member text was echoed without escaping.

Requests name the rows they act on by reference (`@@poll#3@@`, `@@option#3#1@@`): the
sender resolves them against the database when it sends, so votes, answers and edits hit
polls, surveys and tools that exist. Trigger ids and response URLs are the placeholders
`TRIGGER` and `RESPONSE_URL`, swapped for real ones from the Slack stand-in.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from hypothesis import strategies as st

from bot.ids import Action, Block, View

TRIGGER = "$trigger"
RESPONSE_URL = "$response_url"

MEMBERS = ("U0ALICE", "U0BOB", "U0CAMILLE")
COORDINATOR = "U0ALICE"
COMMUNITY = "C0COMMUNITY"
# Someone Slack does not know, Slackbot, and Cercle itself.
STRANGERS = ("U0NOBODY01", "USLACKBOT", "U0BOT")

# --------------------------------------------------------------------------- text

# Mention and link injection. None of these is ever written by Cercle itself.
INJECTIONS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!channel|channel>",
    "<!here|@here>",
    "<!subteam^SZZ0001|@team>",
    "<@UZZHOSTILE>",
    "<@WZZHOSTILE|bob>",
    "<#CZZHOSTILE|general>",
    "<http://zz-forged.example/login|Slack login>",
    "<https://zz-forged.example|click here>",
    "<mailto:ceo@zz-forged.example|the CEO>",
    "<<!here>>",
    "&lt;!channel&gt;",
    "&amp;lt;!here&amp;gt;",
)
# Pieces that only become dangerous next to another one ("<" + "!here>").
FRAGMENTS = ("<", ">", "|", "&", "!here>", "!channel", "@channel", "@here", "<!", "<@", "http://")
MRKDWN = ("*", "_", "~", "`", "```", ":smile:", "> quoted", "\n>", "*bold*", "_it_", "~s~")
SQL_LIKE = (
    "'; DROP TABLE polls; --",
    '" OR 1=1 --',
    "' OR '1'='1",
    "%",
    "_%_",
    "\\",
    "\\'",
    "1; DELETE FROM members",
    "$1",
    "%s%s%s",
    "{0}{user}",
    "{",
    "}",
)
UNICODE = (
    "\x00",
    "\x01\x02\x1b[31m",
    "\r\n",
    "\t",
    "\u202e",  # right-to-left override
    "\u200b",  # zero-width space
    "\ufeff",
    "\u2028",
    "e\u0301\u0301\u0301",
    "\U0001f600",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "²",  # a digit to str.isdigit(), not to int()
    "١٢",  # Arabic-Indic digits
    "ｆｕｌｌ",
    "\u201cquoted\u201d",
    "«»",
    "\u2019",
    "𝕳𝖊𝖑𝖑𝖔",
    "\ud800",  # a lone surrogate: only reaches the bot inside JSON
)

piece = st.one_of(
    st.sampled_from(INJECTIONS),
    st.sampled_from(INJECTIONS),
    st.sampled_from(FRAGMENTS),
    st.sampled_from(MRKDWN),
    st.sampled_from(SQL_LIKE),
    st.sampled_from(UNICODE),
    st.text(max_size=10),
)

short_text = st.lists(piece, max_size=5).map("".join)
huge_text = st.builds(lambda p, n: (p or "x") * n, piece, st.integers(200, 3000))
hostile_text = st.one_of(short_text, short_text, short_text, short_text, huge_text)
# Text that always holds something visible, as a field a form requires.
some_text = st.lists(piece, min_size=1, max_size=4).map(
    lambda parts: "".join(parts) if "".join(parts).split() else "".join(parts) + "x"
)


# What coordinators write in the charter and the purpose is mrkdwn on purpose, links and
# mentions included; only @channel-like mentions must never notify anyone.
RICH = (
    "<https://zz-ok.example/guide|the guide>",
    "<@U0BOB>",
    "*important*",
    "<!here>",
    "<!channel>",
    "<!everyone|everyone>",
    "<!subteam^SZZ0001>",
)
rich_piece = st.one_of(
    st.sampled_from(RICH),
    st.sampled_from(MRKDWN),
    st.sampled_from(SQL_LIKE),
    st.sampled_from(UNICODE),
    st.text(max_size=10),
)
rich_text = st.one_of(
    *[st.lists(rich_piece, max_size=5).map("".join)] * 4,
    st.builds(lambda p, n: (p or "x") * n, rich_piece, st.integers(200, 3000)),
)


def clipped(limit: int) -> st.SearchStrategy[str]:
    """Return non-blank hostile text of at most `limit` characters."""
    return some_text.map(lambda s: s[:limit] if s[:limit].split() else "x")


wrong_typed = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**64), 2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.sampled_from(["id", "value", "type"]), st.integers(), max_size=2),
)
big_number = st.sampled_from(
    ["0", "-1", "9" * 5000, "99999999999999999999", "2147483648", "²", "١", " 1", "1e3", ""]
)

member = st.sampled_from([*MEMBERS, *MEMBERS, COORDINATOR, COORDINATOR, *STRANGERS])
channel = st.sampled_from([COMMUNITY] * 5 + ["C0COORD", "C0OTHER1", "D0DIRECT1", "G0PRIVATE1"])
slack_ts = st.one_of(
    st.floats(1_600_000_000, 1_900_000_000).map(lambda f: f"{f:.6f}"),
    st.sampled_from(["", "0", "1.2.3", "²", "99999999999999999999.1"]),
)


def ref(kind: str, *, second: bool = False) -> st.SearchStrategy[str]:
    """Return a reference to an existing row, resolved when the request is sent."""
    if second:
        return st.builds(lambda n, m: f"@@{kind}#{n}#{m}@@", st.integers(0, 50), st.integers(0, 9))
    return st.integers(0, 50).map(lambda n: f"@@{kind}#{n}@@")


def vote_value() -> st.SearchStrategy[str]:
    """Return `poll:option`, the option most often one of that very poll."""
    return st.builds(
        lambda n, m, own: f"@@poll#{n}@@:@@option#{n if own else n + 1}#{m}@@",
        st.integers(0, 50),
        st.integers(0, 9),
        st.sampled_from([True, True, True, False]),
    )


def number_or(reference: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Return a reference most of the time, an odd number some of the time."""
    return st.one_of(reference, reference, reference, big_number)


def quote_word(word: str) -> str:
    """Quote one word the way a member would type it, so shlex gives it back whole."""
    if word and re.fullmatch(r"[\w#.:=/@-]+", word):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class HostileRequest:
    """One request to send: its entry point and what goes over the wire."""

    kind: str  # "event", "command", "action", "view_submission", "view_closed", "raw"...
    label: str  # the event type, subcommand, action or callback id
    user: Any = None
    body: bytes = b""
    content_type: str = "application/json"
    payload: Any = None  # the JSON or form, before encoding (placeholders not yet filled)
    form: bool = False  # send `payload` as a form (slash commands) rather than JSON
    interactive: bool = False  # send `payload` as the `payload` field of a form
    sign: bool = True
    timestamp_offset: int = 0
    extra_headers: dict[str, str] = field(default_factory=dict)
    corrupted: str = ""  # which field was corrupted, if any

    def describe(self) -> str:
        """Return a short description for failure messages."""
        shown = self.payload if self.payload is not None else self.body[:300]
        text = repr(shown)
        corrupted = f" corrupted={self.corrupted}" if self.corrupted else ""
        return f"{self.kind}:{self.label} user={self.user!r}{corrupted} {text[:700]}"


# --------------------------------------------------------------------------- corruption


def _paths(value: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Yield (path, container, key) for every field of a JSON-like payload."""
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for key, item in items:
        path = f"{prefix}.{key}"
        yield path, value, key
        yield from _paths(item, path)


def corrupt(request: HostileRequest, index: int, wrong: Any, delete: bool) -> HostileRequest:
    """Return `request` with one field (chosen by `index`) replaced by `wrong`, or removed."""
    payload = copy.deepcopy(request.payload)
    paths = list(_paths(payload))
    if not paths:
        return request
    path, container, key = paths[index % len(paths)]
    if request.form:
        wrong = "" if wrong is None else str(wrong)
    if delete and isinstance(container, dict):
        del container[key]
        path += " (removed)"
    else:
        container[key] = wrong
    return replace(request, payload=payload, corrupted=path)


def with_corruption(well_formed: st.SearchStrategy[HostileRequest]) -> st.SearchStrategy[Any]:
    """Return mostly well-formed requests, and one in five with a corrupted field."""
    corrupted = st.builds(
        corrupt,
        well_formed,
        st.integers(0, 10_000),
        st.one_of(wrong_typed, hostile_text, st.just(""), st.just("<!channel>")),
        st.booleans(),
    )
    return st.one_of(well_formed, well_formed, well_formed, well_formed, corrupted)


# --------------------------------------------------------------------------- events


def _optional(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {k: v if isinstance(v, st.SearchStrategy) else st.just(v) for k, v in required.items()},
        optional=optional,
    )


@functools.cache
def _event_body(event_type: str) -> st.SearchStrategy[dict[str, Any]]:
    """Return an inner event of `event_type`, shaped as Slack sends it, with hostile text."""
    item = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["message", "message", "file"]),
            "channel": channel,
            "ts": slack_ts,
        }
    )
    common = {"user": member, "event_ts": slack_ts}
    shapes: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
        "message": (
            {**common, "channel": channel, "ts": slack_ts, "text": hostile_text},
            {
                "channel_type": st.sampled_from(["channel", "group", "im", "mpim"]),
                "subtype": st.sampled_from(
                    [
                        "message_deleted",
                        "message_changed",
                        "bot_message",
                        "thread_broadcast",
                        "file_share",
                        "channel_join",
                        "me_message",
                        "zz",
                    ]
                ),
                "thread_ts": slack_ts,
                "deleted_ts": slack_ts,
                "bot_id": st.just("B0BOT"),
                "message": st.fixed_dictionaries(
                    {"ts": slack_ts, "text": hostile_text},
                    optional={"subtype": st.just("tombstone")},
                ),
            },
        ),
        "app_mention": (
            {**common, "channel": channel, "ts": slack_ts, "text": hostile_text},
            {"thread_ts": slack_ts},
        ),
        "reaction_added": ({**common, "reaction": some_text, "item": item}, {}),
        "reaction_removed": ({**common, "reaction": some_text, "item": item}, {}),
        "member_joined_channel": (
            {**common, "channel": channel},
            {"channel_type": st.sampled_from(["C", "G"]), "inviter": member},
        ),
        "member_left_channel": (
            {**common, "channel": channel},
            {"channel_type": st.sampled_from(["C", "G"])},
        ),
        "team_join": (
            {
                "user": st.fixed_dictionaries(
                    {"id": member, "name": hostile_text},
                    optional={
                        "is_bot": st.booleans(),
                        "is_restricted": st.booleans(),
                        "deleted": st.booleans(),
                        "profile": st.fixed_dictionaries(
                            {"display_name": hostile_text, "real_name": hostile_text}
                        ),
                    },
                ),
                "event_ts": slack_ts,
            },
            {},
        ),
        "app_home_opened": (
            {
                **common,
                "channel": st.just("D0DIRECT1"),
                "tab": st.sampled_from(["home", "home", "messages"]),
            },
            {},
        ),
    }
    required, optional = shapes.get(
        event_type, ({**common, "channel": channel, "text": hostile_text}, {})
    )
    return _optional({"type": event_type, **required}, optional)


def event_requests(event_types: list[str]) -> st.SearchStrategy[HostileRequest]:
    """Return signed Events API envelopes for each registered event type."""

    def envelope(event: dict[str, Any], event_id: str) -> HostileRequest:
        body: dict[str, Any] = {
            "token": "sandbox-verification-token",
            "team_id": "T0CERCLE",
            "api_app_id": "A0CERCLE",
            "type": "event_callback",
            "event": event,
            "event_id": event_id,
            "event_time": 1_700_000_000,
            "authorizations": [{"team_id": "T0CERCLE", "user_id": "U0BOT", "is_bot": True}],
        }
        user = event.get("user")
        return HostileRequest("event", str(event.get("type")), user=user, payload=body)

    inner = st.one_of(
        *[_event_body(event_type) for event_type in sorted(event_types)],
        _event_body("zz_unknown_event"),
    )
    return with_corruption(st.builds(envelope, inner, st.from_regex(r"\AEv[0-9A-Z]{10}\Z")))


def url_verification_requests() -> st.SearchStrategy[HostileRequest]:
    """Return url_verification handshakes with odd challenges."""
    return with_corruption(
        st.builds(
            lambda challenge: HostileRequest(
                "url_verification",
                "url_verification",
                payload={"type": "url_verification", "challenge": challenge, "token": "t"},
            ),
            hostile_text,
        )
    )


# --------------------------------------------------------------------------- slash commands

_DEADLINES = (
    "2h",
    "3d",
    "3j",
    "demain 17h",
    "tomorrow 5pm",
    "friday",
    "2026-12-01 17:00",
    "0h",
    "-1d",
    "999999999999d",
    "yesterday",
    "2020-01-01",
)


def _valid_poll() -> st.SearchStrategy[list[str]]:
    """Return the words of a poll Cercle accepts: hostile text in every option."""
    options = st.lists(
        clipped(60), min_size=2, max_size=6, unique_by=lambda s: " ".join(s.split()).casefold()
    )
    flags = st.lists(
        st.sampled_from(["--anonymous", "--hide-results", "--allow-new-options"]),
        unique=True,
        max_size=3,
    )
    closes = st.sampled_from([[], [], ["--closes", "3d"], ["--closes", "2h", "--remind"]])
    return st.builds(lambda q, o, f, c: [q, *o, *f, *c], clipped(200), options, flags, closes)


def _any_poll() -> st.SearchStrategy[list[str]]:
    """Return poll words that are often wrong: empty, duplicate or long options, odd flags."""
    flags = st.lists(
        st.one_of(
            st.sampled_from(
                ["--anonymous", "--remind", "--zz-unknown", "--multi", "--closes", "--fin"]
            ),
            st.builds(lambda n: f"--multi={n}", st.one_of(st.integers(0, 12).map(str), big_number)),
            st.builds(
                lambda d: f"--closes={d}", st.one_of(st.sampled_from(_DEADLINES), short_text)
            ),
        ),
        max_size=3,
    )
    return st.builds(
        lambda q, o, f: [q, *o, *f],
        hostile_text,
        st.lists(hostile_text.map(lambda s: s[:200]), max_size=12),
        flags,
    )


@functools.cache
def _words_for(name: str) -> st.SearchStrategy[list[str]]:
    """Return argument words for one subcommand: valid-looking ones and nonsense."""
    word = hostile_text.map(lambda s: s[:200])
    nonsense = st.lists(word, max_size=4)
    survey = number_or(ref("survey"))
    valid: dict[str, st.SearchStrategy[list[str]]] = {
        "poll": st.one_of(_valid_poll(), _valid_poll(), _any_poll()),
        "survey": st.one_of(
            st.builds(
                lambda a, n: [a, n],
                st.sampled_from(["launch", "results", "export", "close", "LAUNCH"]),
                survey,
            ),
            st.sampled_from(
                [
                    ["list"],
                    [],
                    ["new"],
                    ["new", "blank"],
                    ["new", "zz"],
                    ["zz"],
                    ["launch"],
                    ["results", "#1"],
                ]
            ),
        ),
        "rules": st.sampled_from([[], ["history"], ["edit"], ["status"], ["HISTORY"]]),
        "toolbox": st.one_of(st.just(["add"]), st.lists(word, max_size=3)),
        "interests": st.one_of(
            st.builds(lambda fr, en: ["add", fr, en], clipped(75), clipped(75)),
            st.builds(lambda fr, en: ["add", fr, en], word, word),
            st.builds(lambda k: ["remove", k], st.one_of(ref("interest"), word)),
            st.sampled_from([[], ["add"], ["remove"], ["list"]]),
        ),
        "channels": st.builds(
            lambda a, c: [a, c],
            st.sampled_from(["add", "remove", "list", "zz"]),
            st.one_of(
                st.sampled_from(
                    [
                        f"<#{COMMUNITY}|community>",
                        "<#C0OTHER1|other>",
                        "C0OTHER2",
                        "#general",
                        "<#CZZHOSTILE|x<!here>>",
                        "<!channel>",
                    ]
                ),
                word,
            ),
        ),
        "schedule": st.builds(
            lambda a, n, rest: [a, n, *rest],
            st.sampled_from(["set", "set", "pause", "resume", "zz"]),
            st.sampled_from(["weekly_tool", "weekly_digest", "participation_nudges", "zz"]),
            st.one_of(
                st.sampled_from(
                    [
                        ["weekly", "mon", "09:30"],
                        ["daily", "10:00"],
                        ["weekdays", "7:05"],
                        ["weekly", "zz", "25:00"],
                        ["daily", "99999999999:00"],
                        ["daily", "-1:00"],
                    ]
                ),
                st.lists(word, max_size=3),
            ),
        ),
        "nudges": st.builds(
            lambda a, b: [a, b],
            st.sampled_from(["on", "off", "ON", "zz"]),
            st.one_of(st.sampled_from(["reminders", "toolbox", "all"]), word),
        ),
        "snooze": st.one_of(
            st.sampled_from(
                [["2w"], ["10d"], ["10j"], ["off"], ["0"], ["27w"], ["999d"], ["99999999999d"], []]
            ),
            nonsense,
        ),
        "stats": st.one_of(
            st.sampled_from(
                [[], ["30d"], ["90d"], ["all"], ["0d"], ["-5d"], ["²d"], ["99999999999999999999d"]]
            ),
            nonsense,
        ),
        "role": st.one_of(
            st.builds(
                lambda a, who, role: [a, who, role],
                st.sampled_from(["grant", "revoke", "grant", "revoke", "list", "zz"]),
                st.sampled_from(
                    [
                        "<@U0BOB>",
                        "<@U0CAMILLE|camille>",
                        "<@U0GHOST1>",  # a parsed id named back: no generated marker
                        "U0BOB",
                        "<@U0BOT>",
                        "<!channel>",
                        "@bob",
                        "",
                    ]
                ),
                st.sampled_from(["facilitator", "coordinator", "member", "admin", "zz"]),
            ),
            st.just([]),
        ),
        "tracking": st.lists(st.sampled_from(["on", "off", "status", "zz"]), max_size=2),
        "forget-me": st.lists(st.sampled_from(["confirm", "yes", "cancel", "zz"]), max_size=2),
        "my-data": st.lists(st.sampled_from(["export", "csv", "zz"]), max_size=2),
    }
    if name in valid:
        return st.one_of(valid[name], valid[name], valid[name], nonsense)
    return nonsense


def command_requests(names: list[str]) -> st.SearchStrategy[HostileRequest]:
    """Return `/cercle …` invocations: each subcommand with generated words, and nonsense."""

    def build(name: str, words: list[str], user: str, where: str) -> HostileRequest:
        text = " ".join(quote_word(w) for w in [name, *words]) if name else words[0]
        return command_request(user, text, label=name or "(raw)", channel=where)

    # Polls and surveys most, by those allowed to make them: the clicks and forms that
    # follow need them.
    busy = {"poll": 3, "survey": 2}
    organiser = st.sampled_from([COORDINATOR, COORDINATOR, COORDINATOR, *MEMBERS])
    named = st.one_of(
        [
            st.builds(
                build,
                st.just(name),
                _words_for(name),
                organiser if name in busy else member,
                channel,
            )
            for name in sorted(names)
            for _ in range(busy.get(name, 1))
        ]
    )
    raw = st.builds(
        build, st.just(""), st.lists(hostile_text, min_size=1, max_size=1), member, channel
    )
    return with_corruption(st.one_of(named, named, named, named, named, named, raw))


# --------------------------------------------------------------------------- block actions


@functools.cache
def _action_fields(action_id: str) -> st.SearchStrategy[dict[str, Any]]:
    """Return the value (or selected option) of a click: what Cercle set, nearly, or not."""
    charter_value = st.builds(
        lambda v, u: f"{v}:{u}",
        number_or(ref("version")),
        st.sampled_from([*MEMBERS, "U0NOBODY01", "<!here>"]),
    )
    values: dict[str, st.SearchStrategy[str]] = {
        Action.POLL_VOTE: st.one_of(vote_value(), vote_value(), big_number, short_text),
        Action.POLL_ADD_OPTION: number_or(ref("poll")),
        Action.SURVEY_ANSWER: number_or(ref("survey")),
        Action.TOOLBOX_OPEN: number_or(ref("item")),
        Action.TOOLBOX_EDIT: number_or(ref("item")),
        Action.CHARTER_READ: charter_value,
        Action.CHARTER_ACCEPT: charter_value,
        Action.CHARTER_NOT_NOW: charter_value,
        Action.CLAIM_NEWCOMER: st.sampled_from([*MEMBERS, *STRANGERS, "<!here>", ""]),
        Action.TOOLBOX_PAGE_NEXT: st.one_of(
            st.builds(
                lambda q, o: json.dumps({"q": q, "o": o}),
                short_text,
                st.one_of(st.integers(-5, 40), st.just(10**30), wrong_typed),
            ),
            st.sampled_from(["{", "[]", "null", '{"o": 1e999}', '{"o": "9"}']),
        ),
    }
    values[Action.TOOLBOX_PAGE_PREVIOUS] = values[Action.TOOLBOX_PAGE_NEXT]
    if action_id == Action.POLL_MANAGE:
        verb = st.sampled_from(["close", "export", "delete", "zz", ""])
        return st.builds(
            lambda v, n: {"type": "overflow", "selected_option": {"value": f"{v}:{n}"}},
            verb,
            number_or(ref("poll")),
        )
    if action_id == Action.TOOLBOX_LANGUAGE:
        return st.builds(
            lambda v: {"type": "radio_buttons", "selected_option": {"value": v}},
            st.sampled_from(["fr", "en", "zz"]),
        )
    return st.builds(lambda v: {"type": "button", "value": v}, values.get(action_id, hostile_text))


def action_requests(action_ids: list[str]) -> st.SearchStrategy[HostileRequest]:
    """Return block_actions payloads: every known action id and unknown ones."""

    def build(action_id: str, fields: dict[str, Any], user: str, where: str) -> HostileRequest:
        act: dict[str, Any] = {
            "action_id": action_id,
            "block_id": "b",
            "action_ts": "1700000000.000100",
            **fields,
        }
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "someone", "team_id": "T0CERCLE"},
            "api_app_id": "A0CERCLE",
            "token": "sandbox-verification-token",
            "trigger_id": TRIGGER,
            "team": {"id": "T0CERCLE", "domain": "cercle-sandbox"},
            "actions": [act],
        }
        if where == "message":
            payload["container"] = {
                "type": "message",
                "channel_id": COMMUNITY,
                "message_ts": "1700000000.000100",
            }
            payload["channel"] = {"id": COMMUNITY, "name": "community"}
            payload["response_url"] = RESPONSE_URL
            payload["message"] = {"ts": "1700000000.000100", "text": "x", "blocks": []}
        elif where == "modal":
            payload["container"] = {"type": "view", "view_id": "VZZ1"}
            payload["view"] = {
                "id": "VZZ1",
                "type": "modal",
                "callback_id": "zz",
                "private_metadata": "",
                "state": {"values": {}},
            }
        else:
            payload["container"] = {"type": "view", "view_id": "VZZ2"}
            payload["view"] = {"id": "VZZ2", "type": "home", "state": {"values": {}}}
        return HostileRequest(
            "action",
            action_id,
            user=user,
            payload=payload,
            interactive=True,
            content_type="application/x-www-form-urlencoded",
        )

    where = st.sampled_from(["message", "message", "message", "home", "modal"])
    # The clicks members make most, most often.
    busy = {
        Action.POLL_VOTE: 6,
        Action.SURVEY_ANSWER: 2,
        Action.POLL_MANAGE: 2,
        Action.CHARTER_ACCEPT: 2,
        Action.POLL_ADD_OPTION: 2,
    }
    known = [
        st.builds(build, st.just(aid), _action_fields(aid), member, where)
        for aid in sorted(action_ids)
        for _ in range(busy.get(aid, 1))
    ]
    unknown = st.builds(build, hostile_text, _action_fields(""), member, where)
    return with_corruption(st.one_of([*known, unknown]))


# --------------------------------------------------------------------------- views


def _text_input(text: st.SearchStrategy[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(lambda v: {"text": {"type": "plain_text_input", "value": v}}, text)


def _choice(values: list[str], *, several: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(st.sampled_from(values), st.sampled_from(values), short_text)
    option = st.builds(lambda v: {"value": v, "text": {"type": "plain_text", "text": "x"}}, value)
    if several:
        return st.builds(
            lambda os: {"c": {"type": "checkboxes", "selected_options": os}},
            st.lists(option, max_size=4),
        )
    return st.builds(lambda o: {"s": {"type": "static_select", "selected_option": o}}, option)


def _survey_definition() -> st.SearchStrategy[str]:
    """Return survey texts (YAML): well formed with hostile text, broken, or nonsense."""

    def yaml_text(title: str, ask: str, options: list[str], kind: str, anonymous: bool) -> str:
        def quote(text: str) -> str:
            # A YAML double-quoted scalar; astral characters as themselves (YAML reads
            # JSON's surrogate-pair escapes as two lone surrogates).
            return json.dumps(text, ensure_ascii=False)

        quoted = [quote(o) for o in options]
        lines = [
            f"title: {quote(title)}",
            f"intro: {quote(ask)}",
            "language: en",
            f"anonymous: {'true' if anonymous else 'false'}",
            "questions:",
            f"  - ask: {quote(ask)}",
            f"    type: {kind}",
        ]
        if kind in ("single", "multiple"):
            lines.append(f"    options: [{', '.join(quoted)}]")
        if kind == "scale":
            low = quote(options[0] if options else "lo")
            lines.append(f"    scale: {{low: {low}, high: hi}}")
        lines += ["  - ask: Anything else?", "    type: text", "    required: no"]
        return "\n".join(lines)

    # Text the survey parser takes (it refuses control characters, and says so).
    text = st.lists(
        st.one_of(
            st.sampled_from(INJECTIONS),
            st.sampled_from(MRKDWN[:7]),
            st.sampled_from(SQL_LIKE),
            st.text(st.characters(categories=["L", "N", "Zs", "P", "S"]), max_size=10),
        ),
        min_size=1,
        max_size=4,
    ).map(lambda parts: " ".join("".join(parts).split())[:100] or "x")
    well_formed = st.builds(
        yaml_text,
        text,
        text,
        st.lists(text, min_size=2, max_size=5, unique=True),
        st.sampled_from(["single", "multiple", "scale", "text"]),
        st.booleans(),
    )
    broken = st.sampled_from(
        [
            "",
            "title: [",
            "questions: 3",
            "- a\n- b",
            "title: x\nquestions: []",
            "{{{{",
            "&a [*a]",
            "a: &a [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]",
            "!!python/object/apply:os.system ['true']",
            'title: "\\ud800"',
            "title: x\n\tbad: tab",
        ]
    )
    return st.one_of(well_formed, well_formed, well_formed, broken, hostile_text)


@functools.cache
def _view_fields(callback_id: str) -> st.SearchStrategy[tuple[Any, Any]]:
    """Return (state values, private_metadata) for a modal: its own inputs, hostile text."""
    version = st.sampled_from(["@@version#0@@", "@@version#1@@", "@@version#2@@", "1", "0"])
    long_text = hostile_text
    deadline = st.one_of(st.just(""), st.just(""), st.sampled_from(_DEADLINES), short_text)
    fields: dict[str, Any] = {}
    metadata: st.SearchStrategy[str] = st.just("")
    if callback_id == View.POLL_CREATE:
        options = st.lists(clipped(60), min_size=2, max_size=6).map("\n".join)
        fields = {
            Block.POLL_QUESTION: _text_input(st.one_of(clipped(200), long_text)),
            Block.POLL_OPTIONS: _text_input(st.one_of(options, options, long_text)),
            Block.POLL_MAX_CHOICES: _choice(["1", "2", "3", "10", "99", "²", "-1"]),
            Block.POLL_CLOSES: _text_input(deadline),
            Block.POLL_FLAGS: _choice(
                ["anonymous", "hide_results", "allow_new_options", "remind"], several=True
            ),
        }
        metadata = st.sampled_from(
            [COMMUNITY, COMMUNITY, "C0OTHER1", "CZZUNKNOWN1", "", "<!channel>"]
        )
    elif callback_id == View.POLL_ADD_OPTION:
        fields = {Block.POLL_NEW_OPTION: _text_input(st.one_of(clipped(60), long_text))}
        metadata = number_or(ref("poll"))
    elif callback_id == View.POLL_DELETE:
        metadata = number_or(ref("poll"))
    elif callback_id == View.TOOLBOX_ITEM:
        url = st.builds(
            lambda a, b: a + "".join(b.split()),
            st.sampled_from(
                ["http://tool.zz-ok.example/", "https://zz-ok.example/a?b=", "javascript:", ""]
            ),
            short_text,
        )
        fields = {
            Block.TOOLBOX_TITLE: _text_input(st.one_of(clipped(150), long_text)),
            Block.TOOLBOX_URL: _text_input(url),
            Block.TOOLBOX_DESCRIPTION: _text_input(long_text),
            Block.TOOLBOX_TAGS: _text_input(
                st.one_of(
                    st.sampled_from(["", "agenda, outils", "a,b,c", "x" * 40]),
                    st.lists(short_text, max_size=12).map(",".join),
                )
            ),
            Block.TOOLBOX_LANGUAGE: _choice(["fr", "en", "de"]),
            Block.TOOLBOX_RETIRE: _choice(["yes", "no"], several=True),
        }
        metadata = st.one_of(
            st.builds(lambda i: f'{{"item": {i}}}', ref("item")),
            st.just("{}"),
            st.just('{"item": "3"}'),
        )
    elif callback_id == View.PURPOSE_EDIT:
        fields = {
            Block.PURPOSE_FR: _text_input(rich_text),
            Block.PURPOSE_EN: _text_input(rich_text),
        }
    elif callback_id == View.JOIN_QUESTIONS:
        fields = {
            Block.JOIN_HOPES: _text_input(long_text),
            Block.JOIN_INTERESTS: _choice(["@@interest#0@@", "@@interest#1@@", "zz"], several=True),
            Block.JOIN_INTRODUCE: _choice(["yes", "no"], several=True),
        }
        metadata = st.builds(lambda v: f'{{"v": {v}}}', version)
    elif callback_id == View.CHARTER:
        metadata = st.builds(lambda v: f'{{"v": {v}}}', version)
    elif callback_id == View.CHARTER_EDIT:
        parts = st.integers(1, 3)
        fields = {f"{Block.CHARTER_TEXT_FR}_{n}": _text_input(rich_text) for n in (1, 2, 3)}
        fields |= {f"{Block.CHARTER_TEXT_EN}_{n}": _text_input(rich_text) for n in (1, 2, 3)}
        fields |= {
            Block.CHARTER_SUMMARY_FR: _text_input(rich_text),
            Block.CHARTER_SUMMARY_EN: _text_input(rich_text),
            Block.CHARTER_REACCEPT: _choice(["yes", "no"], several=True),
        }
        metadata = st.builds(
            lambda v, fr, en, seps: (
                f'{{"v": {v}, "fr": {{"parts": {fr}, "seps": {json.dumps(seps)}}}, '
                f'"en": {{"parts": {en}, "seps": {json.dumps(seps)}}}}}'
            ),
            version,
            parts,
            parts,
            st.lists(st.sampled_from(["\n\n", "\n", ""]), max_size=3),
        )
    elif callback_id == View.SURVEY_CREATE:
        fields = {
            Block.SURVEY_DEFINITION: _text_input(_survey_definition()),
            Block.SURVEY_CLOSES: _text_input(st.one_of(st.just(""), deadline)),
            Block.SURVEY_REMIND: st.one_of(st.just({}), _choice(["remind"], several=True)),
        }
    elif callback_id == View.SURVEY_LAUNCH:
        metadata = number_or(ref("survey"))
    elif callback_id == View.SURVEY_ANSWER:
        answer = st.one_of(
            _text_input(long_text),
            _choice(["0", "1", "2", "4", "5", "6"]),
            _choice(["0", "1", "2", "²", "99999999999999999999"], several=True),
        )
        survey = st.integers(0, 50)
        return st.builds(
            lambda n, answers, page: (
                {
                    f"{Block.SURVEY_QUESTION_PREFIX}@@question#{n}#{k}@@": a
                    for k, a in enumerate(answers)
                },
                f'{{"survey": @@survey#{n}@@, "page": {page}}}',
            ),
            survey,
            st.lists(answer, max_size=6),
            st.sampled_from([0, 0, 0, 1, 2, -1, 10**30]),
        )
    # Every input of the form most of the time (Slack sends them all), some left out.
    values = (
        st.one_of(
            st.fixed_dictionaries(fields),
            st.fixed_dictionaries(fields),
            st.fixed_dictionaries({}, optional=fields),
        )
        if fields
        else st.just({})
    )
    return st.tuples(values, metadata)


def view_requests(callback_ids: list[str]) -> st.SearchStrategy[HostileRequest]:
    """Return view_submission payloads for every modal and unknown ones."""

    def build(callback_id: str, fields: tuple[Any, Any], user: str) -> HostileRequest:
        values, metadata = fields
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": {"id": "T0CERCLE", "domain": "cercle-sandbox"},
            "user": {"id": user, "username": "someone", "team_id": "T0CERCLE"},
            "api_app_id": "A0CERCLE",
            "token": "sandbox-verification-token",
            "trigger_id": TRIGGER,
            "view": {
                "id": "VZZSUBMIT",
                "team_id": "T0CERCLE",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": metadata,
                "hash": "1700000000.abcd",
                "app_id": "A0CERCLE",
                "state": {"values": values},
            },
            "response_urls": [],
        }
        return HostileRequest(
            "view_submission",
            callback_id,
            user=user,
            payload=payload,
            interactive=True,
            content_type="application/x-www-form-urlencoded",
        )

    # Coordinators reach the admin modals' code; members meet the permission checks.
    submitter = st.sampled_from([COORDINATOR, COORDINATOR, COORDINATOR, *MEMBERS, *STRANGERS])
    # The forms that create what the others act on, more often.
    busy = {View.SURVEY_CREATE: 3, View.POLL_CREATE: 2, View.SURVEY_ANSWER: 2}
    # Forgetting erases what the rest acts on: only Camille and strangers forget.
    forgetful = st.sampled_from(["U0CAMILLE", "U0NOBODY01"])
    known = [
        st.builds(
            build,
            st.just(cid),
            _view_fields(cid),
            forgetful if cid == "forget_me_modal" else submitter,
        )
        for cid in sorted(callback_ids)
        for _ in range(busy.get(cid, 1))
    ]
    unknown = st.builds(build, hostile_text, _view_fields(""), submitter)
    return with_corruption(st.one_of([*known, unknown]))


def view_closed_requests(callback_ids: list[str]) -> st.SearchStrategy[HostileRequest]:
    """Return view_closed payloads (Cercle asks for none, but Slack may send them)."""

    def build(callback_id: str, user: str, cleared: bool) -> HostileRequest:
        payload = {
            "type": "view_closed",
            "team": {"id": "T0CERCLE"},
            "user": {"id": user},
            "api_app_id": "A0CERCLE",
            "view": {
                "id": "VZZ",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": "",
                "state": {"values": {}},
            },
            "is_cleared": cleared,
        }
        return HostileRequest(
            "view_closed",
            callback_id,
            user=user,
            payload=payload,
            interactive=True,
            content_type="application/x-www-form-urlencoded",
        )

    callback = st.one_of(st.sampled_from(sorted(callback_ids)), hostile_text)
    return with_corruption(st.builds(build, callback, member, st.booleans()))


# --------------------------------------------------------------------------- raw bodies

CONTENT_TYPES = (
    "application/json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "multipart/form-data; boundary=zz",
    "application/xml",
    "",
    "application/json; charset=latin-1",
)


def raw_requests() -> st.SearchStrategy[HostileRequest]:
    """Return raw bodies: garbage JSON and forms (validly signed), bad or missing signatures."""
    garbage = st.one_of(
        st.binary(max_size=300),
        hostile_text.map(lambda s: s.encode("utf-8", "surrogatepass")),
        st.sampled_from(
            [
                b"{",
                b"[]",
                b"[1, 2]",
                b"null",
                b"42",
                b'"zz"',
                b"{}",
                b'{"type": null}',
                b'{"type": "event_callback"}',
                b'{"type": "event_callback", "event": []}',
                b'{"type": "block_actions"}',
                b'{"type": "view_submission", "view": 3}',
                b"payload=",
                b"payload={",
                b"payload=[]",
                b"payload=null",
                b"payload=%7B%7D",
                b"payload=%ff%fe",
                b"command=/cercle&text=%ff",
                b"\xff\xfe\x00",
                b'{"type": "url_verification"}',
                b'{"type": "url_verification", "challenge": []}',
                b'{"type": "event_callback", "event": {"type": "message"}, "event_id": []}',
                b"ssl_check=1",
                b"ssl_check=1&token=x",
                b"\xef\xbb\xbf{}",
                b'{"a": ' * 2000 + b"1" + b"}" * 2000,
                b"[" * 100_000 + b"]" * 100_000,
            ]
        ),
        st.recursive(
            st.one_of(st.none(), st.booleans(), st.integers(), hostile_text),
            lambda inner: st.one_of(
                st.lists(inner, max_size=3),
                st.dictionaries(
                    st.sampled_from(
                        ["type", "event", "payload", "user", "view", "actions", "command", "text"]
                    ),
                    inner,
                    max_size=4,
                ),
            ),
            max_leaves=10,
        ).map(lambda v: json.dumps(v).encode()),
        st.builds(
            lambda payload: urlencode({"payload": payload}).encode(),
            hostile_text.map(lambda s: s.replace("\ud800", "")),
        ),
    )

    def build(
        body: bytes, content_type: str, signing: str, extra: dict[str, str]
    ) -> HostileRequest:
        request = HostileRequest(
            "raw", signing, body=body, content_type=content_type, extra_headers=extra
        )
        if signing == "unsigned":
            request.sign = False
        elif signing == "old":
            request.timestamp_offset = -3600
        elif signing == "future":
            request.timestamp_offset = 3600
        elif signing == "bad_signature":
            request.extra_headers = {**extra, "X-Slack-Signature": "v0=" + "0" * 64}
        elif signing == "garbage_timestamp":
            request.extra_headers = {**extra, "X-Slack-Request-Timestamp": "zz"}
        return request

    signing = st.sampled_from(
        ["signed"] * 6 + ["unsigned", "old", "future", "bad_signature", "garbage_timestamp"]
    )
    extra = st.one_of(
        st.just({}),
        st.just({}),
        st.sampled_from(
            [
                {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
                {"X-Slack-Retry-Num": "zz"},
                {"Content-Encoding": "gzip"},
            ]
        ),
    )
    return st.builds(build, garbage, st.sampled_from(CONTENT_TYPES), signing, extra)


# --------------------------------------------------------------------------- references

REFERENCE = re.compile(r"@@(\w+)#(\d+)(?:#(\d+))?@@")


def resolve(value: Any, lookup: Callable[[str, int, int], str]) -> Any:
    """Replace every `@@kind#n@@` reference in a payload (keys too) with what `lookup` says."""

    def text(s: str) -> str:
        return REFERENCE.sub(lambda m: lookup(m[1], int(m[2]), int(m[3] or 0)), s)

    if isinstance(value, str):
        return text(value) if "@@" in value else value
    if isinstance(value, dict):
        return {text(k) if isinstance(k, str) else k: resolve(v, lookup) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(item, lookup) for item in value]
    return value


def has_reference(value: Any) -> bool:
    """Tell whether a payload names rows by reference."""
    return "@@" in json.dumps(value)


# --------------------------------------------------------------------------- scanning

# Member text reaching Slack as mrkdwn unescaped. Cercle writes `<!date^…>` itself and
# mentions real members as `<@U0…>`; these markers only ever come from generated text.
LEAKS = re.compile(
    r"<!(?:channel|here|everyone|subteam)"
    r"|<@[UW]ZZ"
    r"|<#CZZ"
    r"|<(?:https?://|mailto:)[^>]*zz-forged",
    re.IGNORECASE,
)
# Keys whose strings Slack never renders as mrkdwn.
_NOT_RENDERED = frozenset(
    {
        "value",
        "private_metadata",
        "action_id",
        "block_id",
        "callback_id",
        "url",
        "initial_value",
        "external_id",
        "metadata",
        "token",
        "trigger_id",
        "response_url",
        "image_url",
        "alt_text",
        "filename",
        "title",
        "errors",
        "channel",
        "user",
        "ts",
        "thread_ts",
        "hash",
        "view_id",
        "content",
        "file",
        "url_id",
    }
)


def rendered_mrkdwn(obj: Any) -> Iterator[str]:
    """Yield every string of a message, view or reply that Slack would render as mrkdwn."""
    if isinstance(obj, str):
        stripped = obj.strip()
        try:
            parsed = json.loads(stripped) if stripped[:1] in ("[", "{") else None
        except ValueError:
            parsed = None
        yield from rendered_mrkdwn(parsed)
        return
    if isinstance(obj, list):
        for item in obj:
            yield from rendered_mrkdwn(item)
        return
    if not isinstance(obj, dict) or obj.get("type") in ("plain_text", "plain_text_input"):
        return
    for key, value in obj.items():
        if key in _NOT_RENDERED:
            continue
        if key in ("text", "initial_comment", "pretext", "fallback") and isinstance(value, str):
            yield value
        else:
            yield from rendered_mrkdwn(value)


def leaks_in(obj: Any) -> list[str]:
    """Return the rendered mrkdwn strings of `obj` that carry an unescaped marker."""
    return [text for text in rendered_mrkdwn(obj) if LEAKS.search(text)]


def encode_form(payload: dict[str, Any]) -> bytes:
    """Encode a slash command form; lone surrogates become invalid UTF-8, as garbage would."""
    return urlencode(
        {k: "" if v is None else str(v) for k, v in payload.items()}, errors="surrogatepass"
    ).encode()


# --------------------------------------------------------------------------- the world


def command_request(user: str, text: str, *, label: str, channel: str) -> HostileRequest:
    """Return a `/cercle` form as Slack posts it, with `text` as typed."""
    form = {
        "token": "sandbox-verification-token",
        "team_id": "T0CERCLE",
        "team_domain": "cercle-sandbox",
        "channel_id": channel,
        "channel_name": "community",
        "user_id": user,
        "user_name": "someone",
        "command": "/cercle",
        "text": text,
        "api_app_id": "A0CERCLE",
        "is_enterprise_install": "false",
        "response_url": RESPONSE_URL,
        "trigger_id": TRIGGER,
    }
    return HostileRequest(
        "command",
        label,
        user=user,
        payload=form,
        form=True,
        content_type="application/x-www-form-urlencoded",
    )


def _command(user: str, words: list[str]) -> HostileRequest:
    """Return one `/cercle` command, its words quoted as a member would."""
    text = " ".join(quote_word(word) for word in words)
    return command_request(user, text, label=words[0], channel=COMMUNITY)


def _submission(user: str, callback_id: str, values: dict[str, Any], metadata: str = "") -> Any:
    payload = {
        "type": "view_submission",
        "team": {"id": "T0CERCLE", "domain": "cercle-sandbox"},
        "user": {"id": user, "username": "someone", "team_id": "T0CERCLE"},
        "api_app_id": "A0CERCLE",
        "token": "sandbox-verification-token",
        "trigger_id": TRIGGER,
        "view": {
            "id": "VZZSEED",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": metadata,
            "state": {"values": values},
        },
    }
    return HostileRequest(
        "view_submission",
        callback_id,
        user=user,
        payload=payload,
        interactive=True,
        content_type="application/x-www-form-urlencoded",
    )


def _typed(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text_input", "value": value}}


def seed_requests() -> list[HostileRequest]:
    """Return requests that give the generated ones something to act on, with hostile text.

    Members in the community, a facilitator, polls, launched surveys, tools, interests:
    the clicks and forms generated next find them by reference.
    """
    requests = []
    for user in MEMBERS:
        event = {
            "type": "member_joined_channel",
            "user": user,
            "channel": COMMUNITY,
            "event_ts": "1700000000.000100",
        }
        envelope = {
            "token": "t",
            "team_id": "T0CERCLE",
            "api_app_id": "A0CERCLE",
            "type": "event_callback",
            "event": event,
            "event_id": f"EvSEED{user}",
            "event_time": 1_700_000_000,
        }
        requests.append(
            HostileRequest("event", "member_joined_channel", user=user, payload=envelope)
        )
    requests.append(_command(COORDINATOR, ["role", "grant", "<@U0BOB>", "facilitator"]))
    for n, injection in enumerate(INJECTIONS[:8]):
        flags = [
            ["--allow-new-options"],
            ["--anonymous", "--allow-new-options"],
            ["--multi", "2"],
            ["--hide-results"],
        ][n % 4]
        requests.append(
            _command(
                ("U0ALICE", "U0BOB")[n % 2],
                ["poll", f"Question {n} {injection}?", f"Yes {injection}", "No", f"*{n}*", *flags],
            )
        )
    for n, injection in enumerate(INJECTIONS[:3]):
        definition = "\n".join(
            [
                f"title: {json.dumps('Survey ' + injection)}",
                f"intro: {json.dumps('Intro ' + injection)}",
                "language: en",
                f"anonymous: {'true' if n == 1 else 'false'}",
                "questions:",
                f"  - ask: {json.dumps('Pick ' + injection)}",
                "    type: multiple",
                "    max_choices: 2",
                f"    options: [{json.dumps('One ' + injection)}, Two, Three]",
                f"  - ask: {json.dumps('Rate ' + injection)}",
                "    type: scale",
                f"    scale: {{low: {json.dumps('low ' + injection)}, high: high}}",
                f"  - ask: {json.dumps('Say ' + injection)}",
                "    type: text",
                "    required: no",
            ]
        )
        requests.append(
            _submission(
                COORDINATOR, View.SURVEY_CREATE, {Block.SURVEY_DEFINITION: _typed(definition)}
            )
        )
        requests.append(_command(COORDINATOR, ["survey", "launch", str(n + 1)]))
    for n, injection in enumerate(INJECTIONS[:4]):
        requests.append(
            _submission(
                COORDINATOR,
                View.TOOLBOX_ITEM,
                {
                    Block.TOOLBOX_TITLE: _typed(f"Tool {injection}"),
                    Block.TOOLBOX_URL: _typed("" if n % 2 else f"https://tool.zz-ok.example/{n}"),
                    Block.TOOLBOX_DESCRIPTION: _typed(f"Description {injection}"),
                    Block.TOOLBOX_TAGS: _typed("agenda, outils"),
                },
                "{}",
            )
        )
        requests.append(
            _command(COORDINATOR, ["interests", "add", f"Sujet {injection}", f"Topic {injection}"])
        )
    requests.append(_command(COORDINATOR, ["channels", "add", "<#C0OTHER1|other>"]))
    return requests
