"""Bulk import and export of the shared toolbox: YAML or CSV files, checked line by line.

A file is validated as a whole before anything is written: one mistake and nothing is
imported, and every mistake is reported as `FILE:LINE: field: what is wrong`. Items are
matched by their stable `key`, so importing the same file twice changes nothing.

Writes go through Core statements on the columns this module names (not the ORM
class) because the starter-toolbox migration runs this same code: an ORM class that
later gains a column would make that old migration select and insert a column its
schema does not have yet. A column added later must therefore be nullable or have a
server default, which adding a column to a table that already has rows needs anyway.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from sqlalchemy import JSON, Integer, String, Text, column, delete, insert, select, table, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

from storage.csv_export import safe_cell, to_csv
from storage.models import UTCDateTime, utcnow

STARTER_FILE = Path(__file__).parent / "defaults" / "toolbox.yaml"

FIELDS = ("key", "title", "language", "url", "description", "tags", "retired")
REQUIRED_FIELDS = ("key", "title", "language")
LANGUAGES = ("fr", "en")
KEY_MAX_LENGTH = 64
TITLE_MAX_LENGTH = 150
URL_MAX_LENGTH = 3000
DESCRIPTION_MAX_LENGTH = 2000
TAGS_MAX_COUNT = 10
TAG_MAX_LENGTH = 30
TAG_SEPARATOR = ";"

_KEY = re.compile(r"[a-z0-9-]+")
# A tag is one word: letters (accents included, for French), digits and dashes.
_TAG = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
_TRUE = {"true", "yes", "on", "1", "oui", "vrai"}
_FALSE = {"false", "no", "off", "0", "non", "faux"}
_YAML_NULL = "tag:yaml.org,2002:null"
_SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}

_ITEMS = table(
    "toolbox_items",
    column("id", Integer),
    column("key", String),
    column("title", String),
    column("url", String),
    column("description", Text),
    column("tags", JSON),
    column("language", String),
    column("author_id", String),
    column("created_at", UTCDateTime()),
    column("updated_at", UTCDateTime()),
    column("retired_at", UTCDateTime()),
)
_VISITS = table("toolbox_visits", column("item_id", Integer))


class ToolboxFileError(ValueError):
    """A toolbox file that cannot be imported; `problems` holds one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ItemSpec:
    """One toolbox item as a file describes it, already validated and normalised."""

    key: str
    title: str
    language: str
    url: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    # None leaves the item as it is; True retires it; False brings it back.
    retired: bool | None = None


@dataclass(frozen=True)
class ImportReport:
    """How many items an import created, updated and left untouched."""

    created: int = 0
    updated: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"created {self.created}, updated {self.updated}, skipped {self.skipped}"


class _Shape:
    """A YAML value of the wrong shape (a mapping or nested list where text was expected)."""

    def __init__(self, description: str) -> None:
        self.description = description


# What either reader hands the validator for one field.
RawValue = str | list[str | None] | _Shape | None
# Records one problem: (field, what is wrong).
_Report = Callable[[str, str], None]


def file_format(path: Path | str) -> str:
    """Return "yaml" or "csv" from the file's extension, or raise ToolboxFileError."""
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise ToolboxFileError(
            [f"{path}: unsupported file type {suffix or '(none)'!r}: use .yaml, .yml or .csv"]
        )
    return _SUFFIXES[suffix]


# --- Reading -------------------------------------------------------------------------


def parse_file(path: Path | str) -> list[ItemSpec]:
    """Read and validate a YAML or CSV toolbox file; raise ToolboxFileError with every problem."""
    kind = file_format(path)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ToolboxFileError([f"{path}: cannot read the file ({error.strerror})"]) from None
    try:
        # utf-8-sig drops the byte order mark spreadsheet programs put before CSV text.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ToolboxFileError(
            [f"{path}:{line}: file: not UTF-8 text (save the file as UTF-8)"]
        ) from None
    problems: list[str] = []
    raw_items = (
        _read_yaml(path, text, problems) if kind == "yaml" else _read_csv(path, text, problems)
    )
    specs = _validate_all(path, raw_items, problems)
    if problems:
        raise ToolboxFileError(problems)
    return specs


def _read_yaml(
    path: Path | str, text: str, problems: list[str]
) -> list[tuple[int, dict[str, RawValue]]]:
    """Return (line, fields) for each item, keeping the line where each item starts."""
    try:
        # compose, not load: the node tree keeps each item's position in the file.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problems.append(f"{path}:{line}: syntax: {error.problem or error.context}")
        return []
    except yaml.reader.ReaderError as error:
        # A control character YAML refuses; its message spans lines, so rephrase it.
        line = text[: error.position].count("\n") + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        problems.append(f"{path}:{line}: syntax: character U+{code:04X} is not allowed")
        return []
    if root is None:
        problems.append(f"{path}:1: file: empty; expected a list of items")
        return []
    sequence = root
    if isinstance(root, yaml.MappingNode):
        names = [key.value for key, _ in root.value if isinstance(key, yaml.ScalarNode)]
        if names != ["items"]:
            problems.append(
                f"{path}:{_line(root)}: file: expected a list of items, or 'items:' "
                "followed by the list"
            )
            return []
        sequence = root.value[0][1]
        if isinstance(sequence, yaml.ScalarNode) and sequence.tag == _YAML_NULL:
            return []
    if not isinstance(sequence, yaml.SequenceNode):
        problems.append(f"{path}:{_line(sequence)}: items: expected a list of items")
        return []

    items: list[tuple[int, dict[str, RawValue]]] = []
    for node in sequence.value:
        line = _line(node)
        if not isinstance(node, yaml.MappingNode):
            problems.append(
                f"{path}:{line}: item: expected fields (key: ..., title: ...), "
                f"got {_describe(node)}"
            )
            continue
        fields: dict[str, RawValue] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if name not in FIELDS:
                problems.append(
                    f"{path}:{line}: {name if name is not None else 'field'}: unknown field "
                    f"(expected one of {', '.join(FIELDS)})"
                )
            elif name in fields:
                problems.append(f"{path}:{line}: {name}: given twice in this item")
            else:
                fields[name] = _yaml_value(value_node)
        items.append((line, fields))
    return items


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "text"


def _yaml_value(node: yaml.Node) -> RawValue:
    """Turn a node into text, a list of texts, or None.

    Scalars keep the text as written rather than what YAML would resolve it to, so a
    title such as `Non` or a key such as `2024` is not turned into a boolean or a number.
    """
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == _YAML_NULL else str(node.value)
    if isinstance(node, yaml.SequenceNode):
        values: list[str | None] = []
        for child in node.value:
            if not isinstance(child, yaml.ScalarNode):
                return _Shape("a nested list or mapping")
            values.append(None if child.tag == _YAML_NULL else str(child.value))
        return values
    return _Shape("a mapping")


def _read_csv(
    path: Path | str, text: str, problems: list[str]
) -> list[tuple[int, dict[str, RawValue]]]:
    """Return (line, fields) for each row, counting physical lines from the header's line 1."""
    # French spreadsheet programs save "CSV" with semicolons; a header line holding
    # semicolons but no comma can only be that.
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = _csv_rows(path, reader, problems)

    header_line, header = next(rows, (1, []))
    names = [cell.strip().lower() for cell in header]
    # Without a key column the first line is data, or a header in someone else's words.
    if "key" not in names:
        problems.append(
            f"{path}:{header_line}: header: missing; the first line must name the columns "
            f"({', '.join(FIELDS)})"
        )
        return []
    header_problems: list[str] = []
    for position, name in enumerate(names):
        if name not in FIELDS:
            header_problems.append(
                f"{path}:{header_line}: {name or f'column {position + 1}'}: unknown column "
                f"(expected one of {', '.join(FIELDS)})"
            )
        elif name in names[:position]:
            header_problems.append(f"{path}:{header_line}: {name}: column appears twice")
    for name in REQUIRED_FIELDS:
        if name not in names:
            header_problems.append(f"{path}:{header_line}: {name}: required column missing")
    if header_problems:
        # Rows cannot be read reliably against a wrong header; report the header only.
        problems.extend(header_problems)
        return []

    items: list[tuple[int, dict[str, RawValue]]] = []
    for line, row in rows:
        extra = [cell for cell in row[len(names) :] if cell.strip()]
        if extra:
            problems.append(
                f"{path}:{line}: row: {len(row)} values but the header names {len(names)} columns"
            )
            continue
        fields: dict[str, RawValue] = {}
        for name, cell in zip(names, row, strict=False):
            value = _csv_unescape(cell)
            fields[name] = value if value.strip() else None
        items.append((line, fields))
    return items


def _csv_rows(
    path: Path | str, reader: Any, problems: list[str]
) -> Iterator[tuple[int, list[str]]]:
    """Yield (first physical line, cells) for each non-blank row."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            problems.append(f"{path}:{line}: file: malformed CSV ({error})")
            return
        if any(cell.strip() for cell in row):
            yield line, row


def _is_formula(text: str) -> bool:
    return safe_cell(text) != text


def _csv_escape(text: str) -> str:
    """Protect text that already starts with apostrophes before a formula sign.

    `safe_cell` puts one apostrophe before a cell a spreadsheet would run, and
    `_csv_unescape` takes it off again. Text that itself starts with apostrophes and then
    such a sign gets one more, so the round trip gives back exactly what was exported.
    """
    return "'" + text if text.startswith("'") and _is_formula(text.lstrip("'")) else text


def _csv_unescape(cell: str) -> str:
    """Undo the apostrophe `safe_cell` (or `_csv_escape`) added on export."""
    return cell[1:] if cell.startswith("'") and _is_formula(cell.lstrip("'")) else cell


# --- Validation ----------------------------------------------------------------------


def _validate_all(
    path: Path | str, raw_items: list[tuple[int, dict[str, RawValue]]], problems: list[str]
) -> list[ItemSpec]:
    specs: list[ItemSpec] = []
    first_line: dict[str, int] = {}
    for line, raw in raw_items:
        where = f"{path}:{line}"
        spec = _validate(where, raw, problems)
        key = raw.get("key")
        if isinstance(key, str) and key.strip():
            key = key.strip()
            if key in first_line:
                problems.append(
                    f"{where}: key: {key!r} is already used by the item at line {first_line[key]}"
                )
                continue
            first_line[key] = line
        if spec is not None:
            specs.append(spec)
    return specs


def _validate(where: str, raw: Mapping[str, RawValue], problems: list[str]) -> ItemSpec | None:
    """Return the item `raw` describes, or None after adding its problems to `problems`."""
    found: list[str] = []

    def problem(field: str, message: str) -> None:
        found.append(f"{where}: {field}: {message}")

    def text(field: str) -> str:
        value = raw.get(field)
        if value is None:
            return ""
        if not isinstance(value, str):
            kind = value.description if isinstance(value, _Shape) else "a list"
            problem(field, f"expected text, got {kind}")
            return ""
        # Store one kind of line end, whatever the file used: CR LF from Windows and
        # spreadsheets, or the Unicode separators YAML also reads as line breaks.
        return _LINE_BREAKS.sub("\n", value).strip()

    key = text("key")
    if not key:
        problem("key", "required")
    elif len(key) > KEY_MAX_LENGTH:
        problem("key", f"at most {KEY_MAX_LENGTH} characters (got {len(key)})")
    elif not _KEY.fullmatch(key):
        problem("key", f"{key!r}: use only lowercase letters a-z, digits and dashes")

    title = text("title")
    if not title:
        problem("title", "required")
    elif len(title) > TITLE_MAX_LENGTH:
        problem("title", f"at most {TITLE_MAX_LENGTH} characters (got {len(title)})")
    elif "\n" in title:
        problem("title", "must fit on one line")

    language = text("language").lower()
    if not language:
        problem("language", "required (fr or en)")
    elif language not in LANGUAGES:
        problem("language", f"must be fr or en (got {language!r})")

    url = text("url") or None
    if url is not None:
        parts = urlsplit(url)
        if len(url) > URL_MAX_LENGTH:
            problem("url", f"at most {URL_MAX_LENGTH} characters (got {len(url)})")
        elif parts.scheme.lower() not in ("http", "https") or not parts.netloc:
            problem("url", f"{url!r}: must be a web address starting with http:// or https://")
        elif any(char.isspace() for char in url):
            problem("url", "must not contain spaces")

    description = text("description")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        problem(
            "description", f"at most {DESCRIPTION_MAX_LENGTH} characters (got {len(description)})"
        )

    tags = _tags(raw.get("tags"), problem)
    retired = _retired(raw.get("retired"), problem)

    if found:
        problems.extend(found)
        return None
    return ItemSpec(
        key=key,
        title=title,
        language=language,
        url=url,
        description=description,
        tags=tags,
        retired=retired,
    )


def _tags(value: RawValue, problem: _Report) -> tuple[str, ...]:
    """Return the tags lowercased, in order, without repeats."""
    if value is None:
        return ()
    if isinstance(value, _Shape):
        problem("tags", f"expected a list of words, got {value.description}")
        return ()
    words = value.split(TAG_SEPARATOR) if isinstance(value, str) else value
    tags: list[str] = []
    for word in words:
        tag = (word or "").strip().lower()
        if not tag or tag in tags:
            continue
        if len(tag) > TAG_MAX_LENGTH:
            problem("tags", f"{tag!r} is longer than {TAG_MAX_LENGTH} characters")
        elif not _TAG.fullmatch(tag):
            problem("tags", f"{tag!r} must be one word (letters, digits and dashes)")
        tags.append(tag)
    if len(tags) > TAGS_MAX_COUNT:
        problem("tags", f"at most {TAGS_MAX_COUNT} tags (got {len(tags)})")
    return tuple(tags)


def _retired(value: RawValue, problem: _Report) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, str):
        problem("retired", "must be true or false")
        return None
    word = value.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    problem("retired", f"must be true or false (got {value.strip()!r})")
    return None


# --- Writing to the database ---------------------------------------------------------


def import_items(
    db: Session,
    items: Sequence[ItemSpec],
    *,
    author_id: str | None = None,
    create_only: bool = False,
) -> ImportReport:
    """Create, update or leave each item, matched by key; `author_id` signs the new ones.

    With `create_only`, items whose key exists are left as they are (and counted as
    skipped): shipped defaults must never overwrite what the community has edited.
    """
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise ValueError("the same key appears twice among the items to import")
    now = utcnow()
    # Locking the rows keeps a concurrent edit from the bot from being overwritten
    # halfway through (SQLite's write lock, taken at BEGIN, already serialises us).
    existing = {row.key: row for row in db.execute(select(_ITEMS).with_for_update())}
    created: list[dict[str, Any]] = []
    updated = skipped = 0
    for spec in items:
        row = existing.get(spec.key)
        if row is None:
            created.append(
                {
                    **_content(spec),
                    "key": spec.key,
                    "author_id": author_id,
                    "created_at": now,
                    "updated_at": now,
                    "retired_at": now if spec.retired else None,
                }
            )
            continue
        changes = {} if create_only else _changes(row, spec, now)
        if changes:
            db.execute(
                update(_ITEMS).where(_ITEMS.c.id == row.id).values(**changes, updated_at=now)
            )
            updated += 1
        else:
            skipped += 1
    if created:
        db.execute(insert(_ITEMS), created)
    return ImportReport(created=len(created), updated=updated, skipped=skipped)


def remove_unedited(db: Session, items: Sequence[ItemSpec]) -> int:
    """Delete the items still exactly as `items` created them and never visited; return how many.

    Undoes an import of shipped defaults without losing anyone's work: an item that was
    edited, retired or opened by a member stays.
    """
    specs = {item.key: item for item in items}
    if not specs:
        return 0
    rows = db.execute(select(_ITEMS).where(_ITEMS.c.key.in_(specs))).all()
    visited = set(
        db.scalars(select(_VISITS.c.item_id).where(_VISITS.c.item_id.in_([r.id for r in rows])))
    )
    doomed = [
        row.id
        for row in rows
        if row.id not in visited
        and row.updated_at == row.created_at
        and row.retired_at is None
        and not _changes(row, specs[row.key], utcnow())
    ]
    if doomed:
        db.execute(delete(_ITEMS).where(_ITEMS.c.id.in_(doomed)))
    return len(doomed)


def _content(spec: ItemSpec) -> dict[str, Any]:
    return {
        "title": spec.title,
        "url": spec.url,
        "description": spec.description,
        "tags": list(spec.tags),
        "language": spec.language,
    }


def _changes(row: Row[Any], spec: ItemSpec, now: datetime) -> dict[str, Any]:
    """Return the column values that differ between the stored row and `spec`."""
    current = {
        "title": row.title,
        "url": row.url,
        "description": row.description,
        "tags": list(row.tags or []),
        "language": row.language,
    }
    changes = {name: value for name, value in _content(spec).items() if current[name] != value}
    if spec.retired is not None and spec.retired != (row.retired_at is not None):
        changes["retired_at"] = now if spec.retired else None
    return changes


# --- Export --------------------------------------------------------------------------


def export_items(db: Session, path: Path | str) -> int:
    """Write every item, retired ones too, to `path` in its extension's format; return the count."""
    kind = file_format(path)
    rows = db.execute(select(_ITEMS).order_by(_ITEMS.c.id)).all()
    specs = [
        ItemSpec(
            key=row.key,
            title=row.title,
            language=row.language,
            url=row.url,
            description=row.description or "",
            tags=tuple(row.tags or ()),
            retired=True if row.retired_at is not None else None,
        )
        for row in rows
    ]
    if kind == "yaml":
        _write(path, _render_yaml(specs).encode("utf-8"))
    else:
        # The byte order mark makes spreadsheet programs read the accents as UTF-8.
        _write(path, _render_csv(specs).encode("utf-8-sig"))
    return len(specs)


class _Dumper(yaml.SafeDumper):
    """Write long text as blocks, without quotes to escape, which people can read and edit."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Literal keeps line breaks as typed; folded wraps a long paragraph. PyYAML falls
    # back to quotes by itself when a block cannot hold the text exactly.
    style = "|" if "\n" in value else ">" if len(value) > 80 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def _render_yaml(specs: Sequence[ItemSpec]) -> str:
    items: list[dict[str, Any]] = []
    for spec in specs:
        item: dict[str, Any] = {"key": spec.key, "title": spec.title, "language": spec.language}
        if spec.url:
            item["url"] = spec.url
        if spec.description:
            item["description"] = spec.description
        if spec.tags:
            item["tags"] = list(spec.tags)
        if spec.retired:
            item["retired"] = True
        items.append(item)
    body = yaml.dump(
        {"items": items},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=None,
        width=100,
    )
    return "# Cercle toolbox: edit, then load it back with: cercle toolbox import FILE\n" + body


def _render_csv(specs: Sequence[ItemSpec]) -> str:
    rows = [
        [
            _csv_escape(cell)
            for cell in (
                spec.key,
                spec.title,
                spec.language,
                spec.url or "",
                spec.description,
                TAG_SEPARATOR.join(spec.tags),
                "true" if spec.retired else "",
            )
        ]
        for spec in specs
    ]
    return to_csv(FIELDS, rows)


def _write(path: Path | str, data: bytes) -> None:
    # Everything is rendered before the file is opened: a database or rendering error
    # never truncates an earlier export.
    Path(path).write_bytes(data)
