"""Toolbox import and export: validation with line numbers, idempotent imports, the CLI."""

from __future__ import annotations

import argparse
import csv
import io
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.toolbox_cli import add_toolbox_parser
from storage.db import (
    alembic_config,
    make_engine,
    make_session_factory,
    transaction,
    upgrade_database,
)
from storage.models import ToolboxItem, ToolboxVisit, utcnow
from storage.toolbox_io import (
    STARTER_FILE,
    ImportReport,
    ItemSpec,
    ToolboxFileError,
    _render_csv,
    _render_yaml,
    export_items,
    import_items,
    parse_file,
)

STARTER_COUNT = len(parse_file(STARTER_FILE))


@pytest.fixture
def factory(database_url: str) -> Iterator[object]:
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


def _write(path: Path, text: str, *, bom: bool = False) -> Path:
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    return path


def _import(factory, path: Path) -> ImportReport:
    items = parse_file(path)
    with transaction(factory) as db:
        return import_items(db, items, author_id="U0ALICE")


def _items(factory) -> dict[str, ToolboxItem]:
    with transaction(factory) as db:
        return {item.key: item for item in db.scalars(select(ToolboxItem))}


def _problems(path: Path) -> list[str]:
    with pytest.raises(ToolboxFileError) as caught:
        parse_file(path)
    return caught.value.problems


# --- The starter toolbox ---------------------------------------------------------------


def test_starter_toolbox_is_there_after_migrations_in_both_languages(factory):
    items = _items(factory)
    assert len(items) == STARTER_COUNT >= 12
    for key, item in items.items():
        base, language = key.rsplit("-", 1)
        assert item.language == language
        twin = items[f"{base}-{'en' if language == 'fr' else 'fr'}"]
        assert twin.language != item.language
        assert item.description and item.tags and item.url is None
        assert item.author_id is None and item.retired_at is None
    assert {"needs-survey-fr", "swot-en", "charter-fr", "coordinator-role-en"} <= set(items)
    assert "FFOM" in items["swot-fr"].title


def test_reimporting_the_starter_file_changes_nothing(factory):
    before = _items(factory)
    assert _import(factory, STARTER_FILE) == ImportReport(skipped=STARTER_COUNT)
    after = _items(factory)
    assert {k: v.updated_at for k, v in after.items()} == {
        k: v.updated_at for k, v in before.items()
    }


def test_downgrade_removes_only_untouched_starter_items(tmp_path):
    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade_database(url, "0008")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with transaction(factory) as db:
        edited = db.scalar(select(ToolboxItem).where(ToolboxItem.key == "charter-en"))
        edited.title = "Our house rules"
        edited.updated_at = utcnow()
        visited = db.scalar(select(ToolboxItem).where(ToolboxItem.key == "swot-fr"))
        db.add(ToolboxVisit(item_id=visited.id, user_id="U0BOB"))

    command.downgrade(alembic_config(url), "0007")
    assert set(_items(factory)) == {"charter-en", "swot-fr"}

    upgrade_database(url, "0008")
    items = _items(factory)
    assert len(items) == STARTER_COUNT
    assert items["charter-en"].title == "Our house rules"  # the community's edit stays
    engine.dispose()


# --- Importing ---------------------------------------------------------------------------

FIRST_YAML = """\
items:
  - key: onboarding-checklist
    title: Onboarding checklist
    language: en
    tags: [Onboarding, method, onboarding]
    description: |
      Everything a new assistant needs in the first week.
      Badge, tools, contacts.
  - key: annuaire-fr
    title: "Annuaire : qui fait quoi"
    language: fr
    url: https://intranet.example.com/annuaire
"""

SECOND_YAML = """\
- key: onboarding-checklist
  title: Onboarding checklist
  language: en
  tags: [onboarding, method]
  description: |
    Everything a new assistant needs in the first week.
    Badge, tools, contacts.
- key: annuaire-fr
  title: "Annuaire : qui fait quoi ?"
  language: fr
  url: https://intranet.example.com/annuaire
- key: glossary-en
  title: Glossary of the group's acronyms
  language: en
  retired: yes
"""


def test_yaml_import_creates_then_updates_and_skips(factory, tmp_path):
    first = _import(factory, _write(tmp_path / "first.yaml", FIRST_YAML))
    assert first == ImportReport(created=2)
    items = _items(factory)
    checklist = items["onboarding-checklist"]
    assert checklist.tags == ["onboarding", "method"]  # lowercased, repeats dropped
    assert checklist.description == (
        "Everything a new assistant needs in the first week.\nBadge, tools, contacts."
    )
    assert checklist.author_id == "U0ALICE"
    assert items["annuaire-fr"].url == "https://intranet.example.com/annuaire"

    second = _import(factory, _write(tmp_path / "second.yml", SECOND_YAML))
    assert second == ImportReport(created=1, updated=1, skipped=1)
    items = _items(factory)
    assert items["annuaire-fr"].title == "Annuaire : qui fait quoi ?"
    assert items["annuaire-fr"].updated_at > items["annuaire-fr"].created_at
    assert items["onboarding-checklist"].updated_at == items["onboarding-checklist"].created_at
    assert items["glossary-en"].retired_at is not None
    assert len(items) == STARTER_COUNT + 3

    again = _import(factory, tmp_path / "second.yml")
    assert again == ImportReport(skipped=3)


def test_csv_import_with_bom_semicolon_tags_and_retirement(factory, tmp_path):
    text = (
        "key,title,language,url,description,tags,retired\r\n"
        'travel-policy-en,Travel policy,en,,"Who books what.\r\nAnd when.",travel; Tools,\r\n'
        "charter-fr,La charte : nos règles du jeu,fr,,Texte revu.,charter,true\r\n"
    )
    report = _import(factory, _write(tmp_path / "tools.csv", text, bom=True))
    assert report == ImportReport(created=1, updated=1)
    items = _items(factory)
    assert items["travel-policy-en"].description == "Who books what.\nAnd when."
    assert items["travel-policy-en"].tags == ["travel", "tools"]
    assert items["charter-fr"].description == "Texte revu."
    assert items["charter-fr"].retired_at is not None

    # Same file: nothing to do. Then `retired: false` brings the charter back.
    assert _import(factory, tmp_path / "tools.csv") == ImportReport(skipped=2)
    back = text.replace("Texte revu.,charter,true", "Texte revu.,charter,false")
    assert _import(factory, _write(tmp_path / "back.csv", back)) == ImportReport(
        updated=1, skipped=1
    )
    assert _items(factory)["charter-fr"].retired_at is None


def test_csv_saved_by_a_french_spreadsheet_uses_semicolons(tmp_path):
    text = 'key;title;language;tags\r\nplanning-fr;Planning partagé;fr;"planning;outils"\r\n'
    [item] = parse_file(_write(tmp_path / "excel.csv", text, bom=True))
    assert item == ItemSpec(
        key="planning-fr", title="Planning partagé", language="fr", tags=("planning", "outils")
    )


# --- Validation ----------------------------------------------------------------------------

THREE_MISTAKES_YAML = """\
items:
  - key: good-one
    title: A correct item
    language: en

  - key: Bad Key
    title: Wrong key
    language: en
  - key: no-title
    language: fr
  - key: ftp-link
    title: A file server
    language: fr
    url: ftp://files.example.com/
"""


def test_three_mistakes_in_yaml_are_all_reported_with_their_lines(factory, tmp_path):
    path = _write(tmp_path / "bad.yaml", THREE_MISTAKES_YAML)
    assert _problems(path) == [
        f"{path}:6: key: 'Bad Key': use only lowercase letters a-z, digits and dashes",
        f"{path}:9: title: required",
        f"{path}:11: url: 'ftp://files.example.com/': must be a web address starting with "
        "http:// or https://",
    ]
    # The CLI path (parse, then import) never reaches the database: nothing is imported.
    assert len(_items(factory)) == STARTER_COUNT


def test_three_mistakes_in_csv_count_physical_lines(tmp_path):
    text = (
        "key,title,language,description\n"
        'fine-en,Fine,en,"A description\nover two lines"\n'  # lines 2 and 3
        "x,Bad language,de,\n"  # line 4
        "\n"  # line 5: blank, ignored
        f"long-title,{'T' * 151},en,\n"  # line 6
        'two-lines-en,Title,en,"One\nTwo"\n'  # lines 7 and 8
        "UPPER,Title,fr,\n"  # line 9
    )
    path = _write(tmp_path / "bad.csv", text)
    assert _problems(path) == [
        f"{path}:4: language: must be fr or en (got 'de')",
        f"{path}:6: title: at most 150 characters (got 151)",
        f"{path}:9: key: 'UPPER': use only lowercase letters a-z, digits and dashes",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("url: https://exa mple.com/x", "url: must not contain spaces"),
        ("url: javascript:alert(1)", "must be a web address starting with http"),
        (f"description: {'d' * 2001}", "description: at most 2000 characters (got 2001)"),
        ("tags: [a, b, c, d, e, f, g, h, i, j, k]", "tags: at most 10 tags (got 11)"),
        (f"tags: [{'t' * 31}]", "is longer than 30 characters"),
        ("tags: [two words]", "'two words' must be one word"),
        ("tags: {a: b}", "tags: expected a list of words, got a mapping"),
        ("retired: maybe", "retired: must be true or false (got 'maybe')"),
        ("description: [a, b]", "description: expected text, got a list"),
        ("colour: blue", "colour: unknown field"),
        ("title: Twice", "title: given twice in this item"),
    ],
)
def test_each_field_rule_is_reported(tmp_path, line, expected):
    path = _write(tmp_path / "one.yaml", f"- key: k\n  title: T\n  language: en\n  {line}\n")
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:1: ")
    assert expected in problem


def test_yaml_text_is_taken_as_written_not_as_yaml_types(tmp_path):
    path = _write(tmp_path / "t.yaml", "- {key: '2024', title: Non, language: FR, tags: yes}\n")
    [item] = parse_file(path)
    assert (item.key, item.title, item.language, item.tags) == ("2024", "Non", "fr", ("yes",))


def test_yaml_syntax_error_gives_its_line(tmp_path):
    path = _write(tmp_path / "broken.yaml", "- key: a\n  title: A\n  language: en\n - key: b\n")
    [problem] = _problems(path)
    assert problem.startswith(f"{path}:4: syntax: ")


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "dup.yaml",
            "- {key: a, title: A, language: en}\n\n- {key: a, title: B, language: fr}\n",
            ":3: key: 'a' is already used by the item at line 1",
        ),
        ("bell.yaml", "- key: a\n  title: \x07\n", ":2: syntax: character U+0007 is not allowed"),
        ("map.yaml", "tools:\n  - {key: a}\n", ":1: file: expected a list of items"),
        ("empty.yaml", "", ":1: file: empty"),
        ("scalar.yaml", "- just text\n", ":1: item: expected fields"),
        ("noheader.csv", "a,Title,en\n", ":1: header: missing"),
        ("empty.csv", "", ":1: header: missing"),
        ("col.csv", "key,title,language,colour\n", ":1: colour: unknown column"),
        ("req.csv", "key,title\n", ":1: language: required column missing"),
        ("wide.csv", "key,title,language\na,A,en,extra\n", ":2: row: 4 values"),
        ("quote.csv", 'key,title,language\na,"A,en\n', ":2: file: malformed CSV"),
        ("dup.csv", "key,title,language\na,A,en\na,B,fr\n", ":3: key: 'a' is already used"),
    ],
)
def test_malformed_files_are_reported_with_a_line(tmp_path, name, text, expected):
    path = _write(tmp_path / name, text)
    problems = _problems(path)
    assert any(p.startswith(str(path)) and expected in p for p in problems), problems


def test_unreadable_files_are_reported(tmp_path):
    assert "unsupported file type '.txt'" in _problems(tmp_path / "tools.txt")[0]
    assert "cannot read the file" in _problems(tmp_path / "missing.yaml")[0]
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("key,title,language\nx,Réunion,fr\n".encode("latin-1"))
    assert _problems(latin1) == [f"{latin1}:2: file: not UTF-8 text (save the file as UTF-8)"]


# --- Exporting -----------------------------------------------------------------------------

TRICKY = [
    ItemSpec(key="formula", title="=HYPERLINK(\"http://evil\")", language="en",
             description="+33 1 23 45 67 89", tags=("x", "tools")),
    ItemSpec(key="apostrophe", title="'=already quoted", language="fr",
             description="Line one,\nline \"two\"."),
    ItemSpec(key="-dash", title="@mention", language="en", url="https://example.com/a?b=1,2"),
    ItemSpec(key="old", title="Retired tool", language="fr", retired=True),
]  # fmt: skip


def test_csv_export_is_formula_safe_and_reads_back_unchanged(factory, tmp_path):
    with transaction(factory) as db:
        assert import_items(db, TRICKY) == ImportReport(created=4)
    path = tmp_path / "export.csv"
    with transaction(factory) as db:
        assert export_items(db, path) == STARTER_COUNT + 4

    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheets then read the accents right
    text = data.decode("utf-8-sig")
    assert text.startswith("key,title,language,url,description,tags,retired\r\n")
    assert 'formula,"\'=HYPERLINK(""http://evil"")",en,,\'+33 1 23 45 67 89,x;tools,\r\n' in text
    assert "'-dash,'@mention,en," in text
    assert "apostrophe,''=already quoted,fr" in text
    assert "old,Retired tool,fr,,,,true\r\n" in text
    # No cell a spreadsheet would run.
    for row in csv.reader(io.StringIO(text, newline="")):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row

    assert parse_file(path)[-4:] == TRICKY
    with transaction(factory) as db:
        assert import_items(db, parse_file(path)) == ImportReport(skipped=STARTER_COUNT + 4)


def test_yaml_export_round_trip_is_all_skipped(factory, tmp_path):
    with transaction(factory) as db:
        import_items(db, TRICKY)
    path = tmp_path / "export.yaml"
    with transaction(factory) as db:
        export_items(db, path)
    text = path.read_text(encoding="utf-8")
    assert "Enquête de besoins" in text  # accents written as such, not escaped
    assert "retired: true" in text and text.count("retired:") == 1
    assert parse_file(path) == [*parse_file(STARTER_FILE), *TRICKY]
    with transaction(factory) as db:
        assert import_items(db, parse_file(path)) == ImportReport(skipped=STARTER_COUNT + 4)


_ANY_CHAR = st.characters(blacklist_categories=("Cs",)) | st.sampled_from("\n'=+-@\",;:#| ")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(_ANY_CHAR.filter(lambda c: c != "\n"), min_size=1, max_size=150),
    description=st.text(_ANY_CHAR, max_size=300),
)
def test_any_text_survives_export_and_import_exactly(tmp_path, title, description):
    """Whatever a member typed comes back identical, so a re-import is all skipped."""
    try:
        [spec] = parse_file(
            _write(
                tmp_path / "in.yaml",
                yaml.safe_dump(
                    [{"key": "k", "title": title, "language": "en", "description": description}]
                ),
            )
        )
    except ToolboxFileError:
        return  # e.g. a title of spaces only: refused, fine
    for suffix, render, encoding in (
        (".yaml", _render_yaml, "utf-8"),
        (".csv", _render_csv, "utf-8-sig"),
    ):
        path = tmp_path / f"out{suffix}"
        path.write_bytes(render([spec]).encode(encoding))
        assert parse_file(path) == [spec]


# --- The command line ----------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path, sqlite_template, monkeypatch) -> Iterator[str]:
    """Point the CLI at a fresh migrated SQLite file, away from any .env or Slack tokens."""
    path = tmp_path / "cli.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith(("SLACK_", "CERCLE_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("CERCLE_LOG_LEVEL", "WARNING")
    # The command configures the root logger; give the next tests theirs back.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield url
    root.handlers[:] = handlers
    root.setLevel(level)


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="cercle")
    add_toolbox_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["toolbox", *argv])
    return args.func(args)


def test_cli_import_then_export_then_import_again(cli_env, tmp_path, capsys):
    source = _write(tmp_path / "new.yaml", FIRST_YAML)
    assert _run("import", str(source)) == 0
    assert capsys.readouterr().out == "created 2, updated 0, skipped 0\n"

    exported = tmp_path / "all.csv"
    assert _run("export", str(exported)) == 0
    assert capsys.readouterr().out == f"exported {STARTER_COUNT + 2} items to {exported}\n"

    assert _run("import", str(exported)) == 0
    assert capsys.readouterr().out == f"created 0, updated 0, skipped {STARTER_COUNT + 2}\n"


def test_cli_bad_file_exits_2_and_imports_nothing(cli_env, tmp_path, capsys):
    path = _write(tmp_path / "bad.yaml", THREE_MISTAKES_YAML)
    assert _run("import", str(path)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        *_problems(path),
        f"cercle: 3 problems in {path}; nothing was imported",
    ]
    factory = make_session_factory(make_engine(cli_env))
    assert len(_items(factory)) == STARTER_COUNT


def test_cli_unreachable_database_exits_1_without_traceback(cli_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent-folder/for/cercle.db")
    assert _run("import", str(_write(tmp_path / "ok.yaml", FIRST_YAML))) == 1
    err = capsys.readouterr().err
    assert err.startswith("cercle: cannot import into the toolbox at sqlite:////nonexistent")
    assert "Traceback" not in err and len(err.splitlines()) == 1

    assert _run("export", str(tmp_path / "out.yaml")) == 1
    assert not (tmp_path / "out.yaml").exists()


def test_cli_export_mistakes_exit_2(cli_env, tmp_path, capsys):
    assert _run("export", str(tmp_path / "out.xlsx")) == 2
    assert "unsupported file type '.xlsx'" in capsys.readouterr().err
    assert _run("export", str(tmp_path / "no-such-folder" / "out.csv")) == 2
    err = capsys.readouterr().err
    assert err.startswith("cercle: cannot write ") and "No such file or directory" in err


def test_cli_key_created_meanwhile_exits_1_and_says_to_retry(
    cli_env, tmp_path, capsys, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    import storage.toolbox_io

    def clash(db, items, **kwargs):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    monkeypatch.setattr(storage.toolbox_io, "import_items", clash)
    assert _run("import", str(_write(tmp_path / "ok.yaml", FIRST_YAML))) == 1
    assert capsys.readouterr().err == (
        "cercle: the toolbox changed during the import; nothing was imported, try again\n"
    )
