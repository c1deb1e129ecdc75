"""The Slack stand-in, driven by a real slack_sdk WebClient over real HTTP."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from sandbox.blockkit_limits import validate_blocks, validate_view
from sandbox.slack import SlackStandIn, StandInConfig

REPO = Path(__file__).resolve().parents[2]


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _modal(title: str = "Cercle", blocks: list | None = None) -> dict:
    return {
        "type": "modal",
        "callback_id": "poll",
        "title": {"type": "plain_text", "text": title},
        "blocks": blocks if blocks is not None else [_section("Hello")],
    }


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    """A fresh stand-in per test (shadows the project-wide fixture on purpose)."""
    with SlackStandIn() as server:
        yield server


@pytest.fixture
def client(standin: SlackStandIn) -> WebClient:
    """A WebClient with no retry handlers, so every Slack answer reaches the test."""
    return WebClient(token="xoxb-sandbox", base_url=standin.api_url, retry_handlers=[])


def _error(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


# ------------------------------------------------------------------ basics


def test_auth_and_unknown_method(standin: SlackStandIn, client: WebClient) -> None:
    assert client.auth_test()["user_id"] == "U0BOT"
    assert client.auth_test()["bot_id"] == "B0BOT"
    bad = WebClient(token="xoxb-wrong", base_url=standin.api_url, retry_handlers=[])
    assert _error(bad.auth_test).response["error"] == "invalid_auth"
    anonymous = WebClient(base_url=standin.api_url, retry_handlers=[])
    assert _error(anonymous.auth_test).response["error"] == "not_authed"
    assert _error(lambda: client.api_call("nope.nope")).response["error"] == "unknown_method"
    assert all("xoxb" not in json.dumps(c["params"]) for c in standin.calls())


def test_token_in_form_field_is_accepted(standin: SlackStandIn) -> None:
    body = b"token=xoxb-sandbox&channel=C0COMMUNITY&text=hello"
    request = urllib.request.Request(f"{standin.api_url}chat.postMessage", data=body)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    assert standin.calls("chat.postMessage")[0]["params"]["token"] == "[redacted]"


# ------------------------------------------------------------------ chat.*


def test_post_to_user_id_lands_in_dm_with_metadata_only_on_request(
    standin: SlackStandIn, client: WebClient
) -> None:
    metadata = {"event_type": "cercle_outbox", "event_payload": {"id": 7}}
    posted = client.chat_postMessage(channel="U0ALICE", text="Bonjour", metadata=metadata)
    assert posted["channel"] == "D0ALICE"
    assert standin.dm_messages("U0ALICE")[0]["metadata"] == metadata

    plain = client.conversations_history(channel="D0ALICE")["messages"]
    assert [m["text"] for m in plain] == ["Bonjour"]
    assert "metadata" not in plain[0]
    full = client.conversations_history(channel="D0ALICE", include_all_metadata=True)
    assert full["messages"][0]["metadata"] == metadata
    assert client.conversations_open(users="U0ALICE")["channel"]["id"] == "D0ALICE"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
def test_post_errors_are_slack_like(standin: SlackStandIn, client: WebClient) -> None:
    standin.add_channel("C0OLD", "old", members=("U0BOT",), is_archived=True)
    standin.add_channel("C0ELSE", "elsewhere", members=("U0ALICE",))
    standin.add_channel("G0SECRET", "secret", members=("U0ALICE",), is_private=True)
    cases = {
        "C0NOPE": "channel_not_found",
        "U0NOPE": "channel_not_found",
        "U0GONE": "account_inactive",
        "C0OLD": "is_archived",
        "C0ELSE": "not_in_channel",
        "G0SECRET": "channel_not_found",
    }
    for channel, error in cases.items():
        got = _error(lambda c=channel: client.chat_postMessage(channel=c, text="x"))
        assert got.response["error"] == error, channel
    assert (
        _error(lambda: client.chat_postMessage(channel="C0COMMUNITY")).response["error"]
        == "no_text"
    )
    too_long = "x" * 40_001
    assert (
        _error(lambda: client.chat_postMessage(channel="C0COMMUNITY", text=too_long)).response[
            "error"
        ]
        == "msg_too_long"
    )
    assert standin.messages() == []


def test_chat_update_edits_in_place_and_delete_removes(
    standin: SlackStandIn, client: WebClient
) -> None:
    ts = client.chat_postMessage(channel="C0COMMUNITY", text="v1", blocks=[_section("v1")])["ts"]
    client.chat_update(channel="C0COMMUNITY", ts=ts, text="v2")
    [message] = standin.messages("C0COMMUNITY")
    assert (message["ts"], message["text"], message["update_count"]) == (ts, "v2", 1)
    assert message["blocks"] == [_section("v1")]  # omitted blocks are kept, like Slack
    assert message["edited"]["user"] == "U0BOT"

    missing = _error(lambda: client.chat_update(channel="C0COMMUNITY", ts="1.000001", text="x"))
    assert missing.response["error"] == "message_not_found"
    human = standin.add_message("C0COMMUNITY", "U0BOB", "mine")
    not_ours = _error(lambda: client.chat_update(channel="C0COMMUNITY", ts=human["ts"], text="x"))
    assert not_ours.response["error"] == "cant_update_message"

    client.chat_delete(channel="C0COMMUNITY", ts=ts)
    assert [m["text"] for m in standin.messages("C0COMMUNITY")] == ["mine"]


def test_invalid_blocks_for_51_blocks(standin: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C0COMMUNITY", text="ok", blocks=[_section("b")] * 50)
    error = _error(
        lambda: client.chat_postMessage(
            channel="C0COMMUNITY", text="x", blocks=[_section("b")] * 51
        )
    )
    assert error.response["error"] == "invalid_blocks"
    assert "[json-pointer:/blocks]" in error.response["errors"][0]
    assert len(standin.messages()) == 1


def test_form_encoded_blocks_and_metadata_are_decoded(standin: SlackStandIn) -> None:
    client = WebClient(token="xoxb-sandbox", base_url=standin.api_url, retry_handlers=[])
    metadata = {"event_type": "t", "event_payload": {"k": "v"}}
    client.api_call(
        "chat.postMessage",
        params={
            "channel": "C0COMMUNITY",
            "text": "form",
            "blocks": json.dumps([_section("form")]),
            "metadata": json.dumps(metadata),
        },
    )
    [message] = standin.messages()
    assert message["blocks"] == [_section("form")]
    assert message["metadata"] == metadata


def test_ephemeral_needs_the_user_in_the_channel(standin: SlackStandIn, client: WebClient) -> None:
    client.chat_postEphemeral(channel="C0COMMUNITY", user="U0BOB", text="psst")
    assert [(e["user"], e["text"]) for e in standin.ephemerals()] == [("U0BOB", "psst")]
    error = _error(lambda: client.chat_postEphemeral(channel="C0COORD", user="U0BOB", text="x"))
    assert error.response["error"] == "user_not_in_channel"


def test_concurrent_posts_get_unique_increasing_timestamps(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.configure(rate_limits=False)

    def post(i: int) -> None:
        client.chat_postMessage(channel="C0GENERAL", text=str(i))

    threads = [threading.Thread(target=post, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps = [m["ts"] for m in standin.messages("C0GENERAL")]
    assert len(set(stamps)) == 20
    assert stamps == sorted(stamps)


# ------------------------------------------------------------------ history / lists


def test_history_is_newest_first_paginated_and_skips_thread_replies(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.configure(rate_limits=False)
    stamps = [client.chat_postMessage(channel="C0COORD", text=f"m{i}")["ts"] for i in range(5)]
    client.chat_postMessage(channel="C0COORD", text="reply", thread_ts=stamps[0])
    first = client.conversations_history(channel="C0COORD", limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True
    rest = client.conversations_history(
        channel="C0COORD", limit=10, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in rest["messages"]] == ["m2", "m1", "m0"]
    assert rest["messages"][-1]["reply_count"] == 1
    window = client.conversations_history(channel="C0COORD", oldest=stamps[1], latest=stamps[3])
    assert [m["text"] for m in window["messages"]] == ["m2"]
    replies = client.conversations_replies(channel="C0COORD", ts=stamps[0])["messages"]
    assert [m["text"] for m in replies] == ["m0", "reply"]
    # A person's message seeded with the ts of an event lands in ts order.
    standin.add_message("C0COORD", "U0ALICE", "seeded", ts="1600000000.000100")
    oldest_first = client.conversations_history(channel="C0COORD")["messages"][::-1]
    assert [m["text"] for m in oldest_first][:2] == ["seeded", "m0"]
    # A parent the stand-in never saw (a person's message known only from an event).
    client.chat_postMessage(channel="C0COORD", text="r1", thread_ts="1700000000.000100")
    client.chat_postMessage(channel="C0COORD", text="r2", thread_ts="1700000000.000100")
    unseen = client.conversations_replies(channel="C0COORD", ts="1700000000.000100", limit=1)
    assert [m["text"] for m in unseen["messages"]] == ["r1"]
    following = client.conversations_replies(
        channel="C0COORD", ts="1700000000.000100", cursor=unseen["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in following["messages"]] == ["r2"]


def test_users_list_pagination(standin: SlackStandIn, client: WebClient) -> None:
    seen: list[dict] = []
    cursor = None
    pages = 0
    while True:
        page = client.users_list(limit=2, cursor=cursor)
        seen.extend(page["members"])
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    ids = [u["id"] for u in seen]
    assert ids == ["U0BOT", "U0ALICE", "U0BOB", "U0CAMILLE", "U0GUEST", "U0GONE"]
    assert pages == 3
    assert next(u for u in seen if u["id"] == "U0GONE")["deleted"] is True
    assert len(client.users_list()["members"]) == 6  # no limit: everyone


def test_users_info_and_locale(client: WebClient) -> None:
    bob = client.users_info(user="U0BOB")["user"]
    assert "locale" not in bob
    assert bob["tz"] == "America/New_York" and bob["tz_offset"] in (-18000, -14400)
    assert client.users_info(user="U0BOB", include_locale=True)["user"]["locale"] == "en-US"
    assert client.users_info(user="U0GUEST")["user"]["is_restricted"] is True
    assert _error(lambda: client.users_info(user="U0NOPE")).response["error"] == "user_not_found"


def test_members_invite_and_join(standin: SlackStandIn, client: WebClient) -> None:
    members = client.conversations_members(channel="C0COMMUNITY", limit=3)
    assert members["members"] == ["U0ALICE", "U0BOB", "U0CAMILLE"]
    more = client.conversations_members(
        channel="C0COMMUNITY", cursor=members["response_metadata"]["next_cursor"]
    )
    assert more["members"] == ["U0BOT"]

    client.conversations_invite(channel="C0COORD", users="U0BOB")
    assert "U0BOB" in standin.get_channel("C0COORD")["members"]
    for users, error in [
        ("U0BOB", "already_in_channel"),
        ("U0BOT", "cant_invite_self"),
        ("U0NOPE", "user_not_found"),
    ]:
        got = _error(lambda u=users: client.conversations_invite(channel="C0COORD", users=u))
        assert got.response["error"] == error

    standin.add_channel("C0NEW", "nouveau", members=("U0ALICE",))
    client.conversations_join(channel="C0NEW")
    assert client.conversations_info(channel="C0NEW")["channel"]["is_member"] is True


# ------------------------------------------------------------------ rate limits


def test_post_message_rate_limit_answers_429_then_refills(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.configure(per_channel_per_second=20.0, per_channel_burst=2)
    client.chat_postMessage(channel="C0COMMUNITY", text="1")
    client.chat_postMessage(channel="C0COMMUNITY", text="2")
    limited = _error(lambda: client.chat_postMessage(channel="C0COMMUNITY", text="3"))
    assert limited.response.status_code == 429
    assert limited.response["error"] == "ratelimited"
    assert limited.response.headers["Retry-After"] == "1"
    # Another channel has its own bucket.
    client.chat_postMessage(channel="C0GENERAL", text="elsewhere")
    time.sleep(0.1)  # two tokens' worth at 20/s
    client.chat_postMessage(channel="C0COMMUNITY", text="4")
    assert [m["text"] for m in standin.messages("C0COMMUNITY")] == ["1", "2", "4"]
    assert [c["status"] for c in standin.calls("chat.postMessage")].count(429) == 1


def test_tiered_method_limit_and_workspace_limit(standin: SlackStandIn, client: WebClient) -> None:
    for _ in range(20):  # Tier 2: a burst of one minute's worth
        client.users_list(limit=1)
    limited = _error(lambda: client.users_list(limit=1))
    assert limited.response.status_code == 429
    assert limited.response.headers["Retry-After"] == "3"  # 20/min = one token every 3 s
    standin.advance_time(3.0)
    client.users_list(limit=1)

    standin.configure(postmessage_per_minute=60, per_channel_burst=100)  # 1/s workspace-wide
    client.chat_postMessage(channel="C0COMMUNITY", text="a")
    limited = _error(lambda: client.chat_postMessage(channel="C0GENERAL", text="b"))
    assert limited.response.status_code == 429
    standin.configure(rate_limits=False)
    for i in range(10):
        client.chat_postMessage(channel="C0GENERAL", text=str(i))


# ------------------------------------------------------------------ faults


def test_injected_failure_after_post_really_stores_the_message(
    standin: SlackStandIn, client: WebClient
) -> None:
    standin.configure(fail_rate=1.0, fail_after_post_share=1.0)
    failed = _error(lambda: client.chat_postMessage(channel="C0COMMUNITY", text="dup?"))
    assert failed.response.status_code == 500
    assert failed.response["error"] == "internal_error"
    assert [m["text"] for m in standin.messages("C0COMMUNITY")] == ["dup?"]
    assert standin.calls("chat.postMessage")[-1]["fault"] == "fail_after"

    standin.configure(fail_after_post_share=0.0)
    _error(lambda: client.chat_postMessage(channel="C0COMMUNITY", text="lost"))
    assert [m["text"] for m in standin.messages("C0COMMUNITY")] == ["dup?"]
    standin.configure(fail_rate=0.0)
    client.chat_postMessage(channel="C0COMMUNITY", text="fine")


def test_dropped_connection_gives_no_answer(standin: SlackStandIn, client: WebClient) -> None:
    standin.configure(drop_rate=1.0)
    with pytest.raises(Exception) as info:
        client.chat_postMessage(channel="C0COMMUNITY", text="into the void")
    assert not isinstance(info.value, SlackApiError)
    call = standin.calls("chat.postMessage")[-1]
    assert call["status"] is None and call["fault"] in ("drop_before", "drop_after")
    stored = len(standin.messages())
    assert stored == (1 if call["fault"] == "drop_after" else 0)


def test_fault_injection_is_reproducible_with_a_seed() -> None:
    def outcomes(seed: int) -> list[str | None]:
        config = StandInConfig(fail_rate=0.3, drop_rate=0.2, rate_limits=False, seed=seed)
        with SlackStandIn(config) as server:
            client = WebClient(token="xoxb-sandbox", base_url=server.api_url, retry_handlers=[])
            for i in range(25):
                # Failures (500s, dropped connections) are the point here.
                with contextlib.suppress(Exception):
                    client.chat_postMessage(channel="C0COMMUNITY", text=str(i))
            return [c["fault"] for c in server.calls("chat.postMessage")]

    first = outcomes(7)
    assert first == outcomes(7)
    assert any(first) and not all(first)


def test_slow_answers_are_slow(standin: SlackStandIn, client: WebClient) -> None:
    standin.configure(slow_rate=1.0, slow_seconds=0.2)
    started = time.monotonic()
    client.chat_postMessage(channel="C0COMMUNITY", text="slow")
    assert time.monotonic() - started >= 0.2
    client.users_info(user="U0BOB")  # only chat.postMessage/chat.update are slowed


# ------------------------------------------------------------------ views


def test_trigger_ids_expire_and_are_single_use(standin: SlackStandIn, client: WebClient) -> None:
    trigger = standin.new_trigger_id("U0ALICE")
    view = client.views_open(trigger_id=trigger, view=_modal())["view"]
    assert view["id"].startswith("V") and view["hash"]
    again = _error(lambda: client.views_open(trigger_id=trigger, view=_modal()))
    assert again.response["error"] == "trigger_exchanged"

    stale = standin.new_trigger_id("U0ALICE")
    standin.advance_time(3.1)
    expired = _error(lambda: client.views_open(trigger_id=stale, view=_modal()))
    assert expired.response["error"] == "expired_trigger_id"
    unknown = _error(lambda: client.views_open(trigger_id="1.2.3", view=_modal()))
    assert unknown.response["error"] == "invalid_trigger_id"
    assert [(v["method"], v["user"]) for v in standin.views()] == [("views.open", "U0ALICE")]


def test_views_update_push_publish_and_limits(standin: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id=standin.new_trigger_id("U0BOB"), view=_modal())["view"]
    updated = client.views_update(view_id=opened["id"], view=_modal("Étape 2"))["view"]
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    conflict = _error(
        lambda: client.views_update(view_id=opened["id"], hash=opened["hash"], view=_modal())
    )
    assert conflict.response["error"] == "hash_conflict"
    tagged = dict(_modal(), external_id="poll-1")
    tagged_id = client.views_open(trigger_id=standin.new_trigger_id("U0BOB"), view=tagged)["view"][
        "id"
    ]
    again = client.views_update(external_id="poll-1", view=dict(tagged, callback_id="v2"))
    assert again["view"]["callback_id"] == "v2"
    clash = _error(
        lambda: client.views_open(trigger_id=standin.new_trigger_id("U0BOB"), view=tagged)
    )
    assert clash.response["error"] == "duplicate_external_id"
    pushed = client.views_push(trigger_id=standin.new_trigger_id("U0BOB"), view=_modal())["view"]
    assert pushed["previous_view_id"] == tagged_id

    home = {"type": "home", "blocks": [_section("Accueil")]}
    first = client.views_publish(user_id="U0CAMILLE", view=home)["view"]
    second = client.views_publish(user_id="U0CAMILLE", view=home)["view"]
    assert first["id"] == second["id"]

    too_long = _error(
        lambda: client.views_open(trigger_id=standin.new_trigger_id("U0BOB"), view=_modal("x" * 25))
    )
    assert too_long.response["error"] == "invalid_arguments"
    assert "/view/title/text" in too_long.response["response_metadata"]["messages"][0]
    methods = [v["method"] for v in standin.views()]
    assert methods == [
        "views.open",
        "views.update",
        "views.open",
        "views.update",
        "views.push",
        "views.publish",
        "views.publish",
    ]


# ------------------------------------------------------------------ response_url, files, reactions


def test_response_url_posts_are_recorded(standin: SlackStandIn, client: WebClient) -> None:
    url = standin.new_response_url("C0COMMUNITY", "U0BOB")
    assert WebhookClient(url).send(text="only you").status_code == 200
    assert WebhookClient(url).send(text="everyone", response_type="in_channel").status_code == 200
    [ephemeral] = standin.ephemerals("U0BOB")
    assert (ephemeral["text"], ephemeral["source"]) == ("only you", "response_url")
    assert [m["text"] for m in standin.messages("C0COMMUNITY")] == ["everyone"]
    for _ in range(3):
        WebhookClient(url).send(text="again")
    used = WebhookClient(url).send(text="sixth")
    assert (used.status_code, json.loads(used.body)["error"]) == (404, "used_url")

    source = client.chat_postMessage(channel="C0COMMUNITY", text="vote?")["ts"]
    replace_url = standin.new_response_url("C0COMMUNITY", "U0BOB", message_ts=source)
    WebhookClient(replace_url).send(text="voted", replace_original=True)
    assert standin.messages("C0COMMUNITY")[-1]["text"] == "voted"

    late = standin.new_response_url("C0COMMUNITY", "U0BOB")
    standin.advance_time(31 * 60)
    assert WebhookClient(late).send(text="late").status_code == 404
    bad = WebhookClient(standin.new_response_url("C0COMMUNITY", "U0BOB"))
    assert bad.send(text="x", blocks=[{"type": "bogus"}]).status_code == 400
    assert len(standin.calls("response_url")) == 9


def test_file_upload_v2(standin: SlackStandIn, client: WebClient) -> None:
    result = client.files_upload_v2(
        channel="C0COORD", content="a,b\n1,2\n", filename="export.csv", initial_comment="Export"
    )
    assert result["file"]["name"] == "export.csv"
    [stored] = standin.files()
    assert stored["content"] == b"a,b\n1,2\n"
    [message] = standin.messages("C0COORD")
    assert message["text"] == "Export" and message["files"][0]["id"] == stored["id"]


def test_reactions(standin: SlackStandIn, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C0COMMUNITY", text="top")["ts"]
    client.reactions_add(channel="C0COMMUNITY", timestamp=ts, name="white_check_mark")
    again = _error(
        lambda: client.reactions_add(channel="C0COMMUNITY", timestamp=ts, name="white_check_mark")
    )
    assert again.response["error"] == "already_reacted"
    assert standin.messages()[0]["reactions"][0]["count"] == 1


def test_reset_keeps_the_workspace(standin: SlackStandIn, client: WebClient) -> None:
    standin.add_user("U0NEW", "nina", real_name="Nina New")
    client.chat_postMessage(channel="C0COMMUNITY", text="x")
    standin.reset()
    assert standin.messages() == [] and standin.calls() == []
    assert client.users_info(user="U0NEW")["user"]["real_name"] == "Nina New"


def test_unknown_paths_are_404(standin: SlackStandIn) -> None:
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{standin.base_url}/nothing", data=b"", timeout=5)
    assert info.value.code == 404


# ------------------------------------------------------------------ Block Kit limits (pure)


def test_blockkit_limits() -> None:
    assert validate_blocks([_section("ok")]) == []
    assert validate_blocks([_section("b")] * 100, "modal") == []
    long_header = {"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}
    mrkdwn_header = {"type": "header", "text": {"type": "mrkdwn", "text": "h"}}
    button = {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "b" * 76}, "action_id": "a"}
        ],
    }
    options = [{"text": {"type": "plain_text", "text": "o"}, "value": str(i)} for i in range(101)]
    select = {
        "type": "input",
        "label": {"type": "plain_text", "text": "Choose"},
        "element": {"type": "static_select", "action_id": "s", "options": options},
    }
    problems = validate_blocks(
        [
            long_header,
            mrkdwn_header,
            button,
            select,
            {"type": "nope"},
            dict(_section("x"), block_id="same"),
            dict(_section("y"), block_id="same"),
            _section("s" * 3001),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11},
        ]
    )
    joined = "\n".join(problems)
    for pointer in [
        "/blocks/0/text/text",
        "/blocks/1/text/type",
        "/blocks/2/elements/0/text/text",
        "/blocks/3/element]",
        "/blocks/4/type",
        "/blocks/6/block_id",
        "/blocks/7/text/text",
        "/blocks/8/elements",
    ]:
        assert pointer in joined, pointer
    assert validate_view(_modal("x" * 25))
    assert validate_view({"type": "home", "blocks": []}) == []


# ------------------------------------------------------------------ command line


def test_module_runs_in_the_foreground_and_prints_its_url() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.slack", "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        api_url = process.stdout.readline().strip()
        assert api_url.startswith("http://127.0.0.1:") and api_url.endswith("/api/")
        client = WebClient(token="xoxb-sandbox", base_url=api_url, retry_handlers=[])
        assert client.auth_test()["ok"] is True
    finally:
        process.terminate()
        process.wait(timeout=5)
