"""Block Kit size and shape limits, checked the way Slack rejects oversized payloads.

Pure functions: they never raise on bad input, they return a list of problems.
Each problem ends with a `[json-pointer:/...]` suffix naming the offending
field, which is the format Slack itself uses, so a bot's logs look the same
against the stand-in as against the real API.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_SECTION_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_BLOCK_ID = 255
MAX_ACTION_ID = 255
MAX_CONTEXT_ELEMENTS = 10
MAX_ACTIONS_ELEMENTS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
MAX_URL = 3_000
MAX_INPUT_LABEL = 2_000
MAX_INPUT_HINT = 2_000
MAX_PLAIN_TEXT_INPUT_LENGTH = 3_000
MAX_SELECT_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_IMAGE_ALT_TEXT = 2_000
MAX_MARKDOWN_TEXT = 12_000
MAX_VIEW_TITLE = 24
MAX_VIEW_BUTTON = 24
MAX_PRIVATE_METADATA = 3_000
MAX_CALLBACK_ID = 255
MAX_EXTERNAL_ID = 255

KNOWN_BLOCK_TYPES = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)
TEXT_OBJECT_TYPES = frozenset({"plain_text", "mrkdwn"})
# Elements whose options live in `options` / `option_groups` and obey the same limits.
_STATIC_OPTION_ELEMENTS = frozenset(
    {"static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow"}
)

Problems = list[str]


def _ptr(path: str) -> str:
    """Format a JSON pointer suffix the way Slack prints it."""
    return f"[json-pointer:{path}]"


def _too_long(limit: int, got: int, path: str) -> str:
    """Describe a string that exceeds its limit."""
    return f"must be at most {limit} characters (got {got}) {_ptr(path)}"


def _check_str(value: Any, limit: int, path: str, out: Problems, *, required: bool = False) -> None:
    """Check an optional string field's type and length."""
    if value is None:
        if required:
            out.append(f"must provide a string {_ptr(path)}")
        return
    if not isinstance(value, str):
        out.append(f"must be a string {_ptr(path)}")
    elif len(value) > limit:
        out.append(_too_long(limit, len(value), path))


def _check_text(
    obj: Any,
    limit: int,
    path: str,
    out: Problems,
    *,
    required: bool = True,
    plain_only: bool = False,
) -> None:
    """Check a composition text object: its type and the length of its `text`."""
    if obj is None:
        if required:
            out.append(f"must provide an object {_ptr(path)}")
        return
    if not isinstance(obj, dict):
        out.append(f"must be a text object {_ptr(path)}")
        return
    kind = obj.get("type")
    allowed = {"plain_text"} if plain_only else TEXT_OBJECT_TYPES
    if kind not in allowed:
        out.append(f"must be one of {sorted(allowed)} {_ptr(path + '/type')}")
    _check_str(obj.get("text"), limit, path + "/text", out, required=True)


def _check_options(options: Any, path: str, out: Problems) -> None:
    """Check a list of option objects (text and value lengths)."""
    if not isinstance(options, list):
        out.append(f"must be an array {_ptr(path)}")
        return
    for i, option in enumerate(options):
        opath = f"{path}/{i}"
        if not isinstance(option, dict):
            out.append(f"must be an option object {_ptr(opath)}")
            continue
        _check_text(option.get("text"), MAX_OPTION_TEXT, opath + "/text", out)
        _check_str(option.get("value"), MAX_OPTION_VALUE, opath + "/value", out)


def _check_element(element: Any, path: str, out: Problems) -> None:
    """Check one interactive element (button, select, input...) against its limits."""
    if not isinstance(element, dict):
        out.append(f"must be an element object {_ptr(path)}")
        return
    kind = element.get("type")
    if not isinstance(kind, str):
        out.append(f"must provide a type {_ptr(path + '/type')}")
        return
    _check_str(element.get("action_id"), MAX_ACTION_ID, path + "/action_id", out)
    if kind == "button":
        _check_text(element.get("text"), MAX_BUTTON_TEXT, path + "/text", out, plain_only=True)
        _check_str(element.get("value"), MAX_BUTTON_VALUE, path + "/value", out)
        _check_str(element.get("url"), MAX_URL, path + "/url", out)
    elif kind in _STATIC_OPTION_ELEMENTS:
        options = element.get("options")
        groups = element.get("option_groups")
        if options is None and groups is None:
            out.append(f"must provide options or option_groups {_ptr(path)}")
        total = 0
        if options is not None:
            _check_options(options, path + "/options", out)
            total += len(options) if isinstance(options, list) else 0
        if isinstance(groups, list):
            for g, group in enumerate(groups):
                group_options = group.get("options") if isinstance(group, dict) else None
                _check_options(group_options, f"{path}/option_groups/{g}/options", out)
                total += len(group_options) if isinstance(group_options, list) else 0
        if total > MAX_SELECT_OPTIONS:
            out.append(f"must have at most {MAX_SELECT_OPTIONS} options (got {total}) {_ptr(path)}")
    elif kind == "plain_text_input":
        max_length = element.get("max_length")
        if max_length is not None and (
            not isinstance(max_length, int) or max_length > MAX_PLAIN_TEXT_INPUT_LENGTH
        ):
            out.append(
                f"must be an integer at most {MAX_PLAIN_TEXT_INPUT_LENGTH} "
                f"{_ptr(path + '/max_length')}"
            )
    elif kind == "image":
        _check_str(element.get("image_url"), MAX_URL, path + "/image_url", out)
        _check_str(element.get("alt_text"), MAX_IMAGE_ALT_TEXT, path + "/alt_text", out)


def _check_block(block: dict[str, Any], path: str, out: Problems) -> None:
    """Check the type-specific limits of one block."""
    kind = block["type"]
    if kind == "section":
        text = block.get("text")
        fields = block.get("fields")
        if text is None and fields is None:
            out.append(f"must provide text or fields {_ptr(path)}")
        _check_text(text, MAX_SECTION_TEXT, path + "/text", out, required=False)
        if fields is not None:
            if not isinstance(fields, list):
                out.append(f"must be an array {_ptr(path + '/fields')}")
            else:
                if len(fields) > MAX_SECTION_FIELDS:
                    out.append(
                        f"must have at most {MAX_SECTION_FIELDS} items (got {len(fields)}) "
                        f"{_ptr(path + '/fields')}"
                    )
                for i, field in enumerate(fields):
                    _check_text(field, MAX_SECTION_FIELD_TEXT, f"{path}/fields/{i}", out)
        if "accessory" in block:
            _check_element(block["accessory"], path + "/accessory", out)
    elif kind == "header":
        _check_text(block.get("text"), MAX_HEADER_TEXT, path + "/text", out, plain_only=True)
    elif kind in ("context", "actions"):
        limit = MAX_CONTEXT_ELEMENTS if kind == "context" else MAX_ACTIONS_ELEMENTS
        elements = block.get("elements")
        if not isinstance(elements, list) or not elements:
            out.append(f"must provide a non-empty array {_ptr(path + '/elements')}")
            return
        if len(elements) > limit:
            out.append(
                f"must have at most {limit} items (got {len(elements)}) {_ptr(path + '/elements')}"
            )
        for i, element in enumerate(elements):
            epath = f"{path}/elements/{i}"
            # Context blocks hold text objects and images, not interactive elements.
            if (
                kind == "context"
                and isinstance(element, dict)
                and element.get("type") in (TEXT_OBJECT_TYPES)
            ):
                _check_text(element, MAX_SECTION_TEXT, epath, out)
            else:
                _check_element(element, epath, out)
    elif kind == "input":
        _check_text(block.get("label"), MAX_INPUT_LABEL, path + "/label", out, plain_only=True)
        _check_text(
            block.get("hint"), MAX_INPUT_HINT, path + "/hint", out, required=False, plain_only=True
        )
        if "element" not in block:
            out.append(f"must provide an element {_ptr(path + '/element')}")
        else:
            _check_element(block["element"], path + "/element", out)
    elif kind == "image":
        _check_str(block.get("image_url"), MAX_URL, path + "/image_url", out)
        _check_str(
            block.get("alt_text"), MAX_IMAGE_ALT_TEXT, path + "/alt_text", out, required=True
        )
    elif kind == "markdown":
        _check_str(block.get("text"), MAX_MARKDOWN_TEXT, path + "/text", out, required=True)


def validate_blocks(blocks: Any, surface: str = "message") -> list[str]:
    """Return every Block Kit limit that `blocks` breaks on `surface` (empty list if none)."""
    out: Problems = []
    if surface not in MAX_BLOCKS:
        raise ValueError(f"unknown surface {surface!r}; expected one of {sorted(MAX_BLOCKS)}")
    if blocks is None:
        return out
    if not isinstance(blocks, list):
        return [f"must be an array {_ptr('/blocks')}"]
    limit = MAX_BLOCKS[surface]
    if len(blocks) > limit:
        out.append(f"must have at most {limit} items (got {len(blocks)}) {_ptr('/blocks')}")
    seen_ids: set[str] = set()
    for i, block in enumerate(blocks):
        path = f"/blocks/{i}"
        if not isinstance(block, dict):
            out.append(f"must be an object {_ptr(path)}")
            continue
        kind = block.get("type")
        if kind not in KNOWN_BLOCK_TYPES:
            out.append(f"unknown block type {kind!r} {_ptr(path + '/type')}")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            _check_str(block_id, MAX_BLOCK_ID, path + "/block_id", out)
            if isinstance(block_id, str):
                if block_id in seen_ids:
                    out.append(f"duplicate block_id {block_id!r} {_ptr(path + '/block_id')}")
                seen_ids.add(block_id)
        _check_block(block, path, out)
    return out


def validate_message_text(text: Any) -> list[str]:
    """Return the problems with a message's top-level `text` (length and type)."""
    out: Problems = []
    _check_str(text, MAX_MESSAGE_TEXT, "/text", out)
    return out


def validate_view(view: Any, surface: str | None = None) -> list[str]:
    """Return every limit a modal or Home tab view breaks; `surface` forces the expected type."""
    if not isinstance(view, dict):
        return [f"must be an object {_ptr('/view')}"]
    out: Problems = []
    kind = view.get("type")
    expected = surface or kind
    if kind not in ("modal", "home") or (surface is not None and kind != surface):
        out.append(
            f"must be {expected if expected in MAX_BLOCKS else 'modal or home'} "
            f"{_ptr('/view/type')}"
        )
        return out
    if kind == "modal":
        _check_text(view.get("title"), MAX_VIEW_TITLE, "/view/title", out, plain_only=True)
        for key in ("submit", "close"):
            _check_text(
                view.get(key), MAX_VIEW_BUTTON, f"/view/{key}", out, required=False, plain_only=True
            )
        has_input = any(
            isinstance(b, dict) and b.get("type") == "input" for b in _as_list(view.get("blocks"))
        )
        # Slack refuses a modal with input blocks but nothing to submit them with.
        if has_input and view.get("submit") is None:
            out.append(f"must provide submit when the view has input blocks {_ptr('/view/submit')}")
    _check_str(view.get("private_metadata"), MAX_PRIVATE_METADATA, "/view/private_metadata", out)
    _check_str(view.get("callback_id"), MAX_CALLBACK_ID, "/view/callback_id", out)
    _check_str(view.get("external_id"), MAX_EXTERNAL_ID, "/view/external_id", out)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        out.append(f"must provide an array {_ptr('/view/blocks')}")
    else:
        out.extend(
            p.replace("[json-pointer:/", "[json-pointer:/view/")
            for p in validate_blocks(blocks, kind)
        )
    return out


def _as_list(value: Any) -> Iterator[Any]:
    """Iterate a value if it is a list, else nothing."""
    if isinstance(value, list):
        yield from value
