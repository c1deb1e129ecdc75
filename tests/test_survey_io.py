"""Survey files: the YAML format, its line-numbered problems, the templates, the round trip."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.i18n
import storage.survey_io
from bot.i18n import CATALOG
from storage.survey_io import (
    OPTION_MAX_LENGTH,
    OPTIONS_MAX_COUNT,
    QUESTION_KINDS,
    QUESTIONS_MAX_COUNT,
    TEMPLATES_DIR,
    TEXT_AREA_MAX_LENGTH,
    QuestionSpec,
    SurveyFileError,
    SurveySpec,
    UnknownSurveyTemplateError,
    dump_survey,
    load_survey_file,
    load_template,
    parse_survey_text,
    template_names,
    template_text,
)
from storage.survey_io import _syntax_problem as syntax_problem

EXAMPLE = """\
# A small survey, as a coordinator would write it.
title: Our next steps
intro: |
  Two minutes, three questions.
  Thank you!
language: en
anonymous: yes
questions:
  - ask: Which formats suit you best?
    type: multiple
    options:
      - Short webinars
      - Workshops
      - Coffee chats
    max_choices: 2
  - ask: How useful would a shared toolbox be?
    type: scale
    scale: {low: Not useful, high: Essential}
  - ask: Anything else?
    type: text
    required: no
"""

EXAMPLE_SPEC = SurveySpec(
    title="Our next steps",
    intro="Two minutes, three questions.\nThank you!",
    language="en",
    anonymous=True,
    questions=(
        QuestionSpec(
            kind="multiple",
            prompt="Which formats suit you best?",
            options=("Short webinars", "Workshops", "Coffee chats"),
            max_choices=2,
        ),
        QuestionSpec(
            kind="scale",
            prompt="How useful would a shared toolbox be?",
            scale_labels=("Not useful", "Essential"),
        ),
        QuestionSpec(kind="text", prompt="Anything else?", required=False),
    ),
)

# One valid question to build documents around; line 3 holds its `- ask:`.
HEAD = "title: T\nquestions:\n"
GOOD_QUESTION = "  - ask: Q\n    type: single\n    options: [A, B]\n"


def _problems(text: str, **kwargs) -> list[str]:
    with pytest.raises(SurveyFileError) as caught:
        parse_survey_text(text, **kwargs)
    assert str(caught.value) == "\n".join(caught.value.problems)
    return caught.value.problems


# --- Reading a correct file ------------------------------------------------------------


def test_example_file_reads_into_the_expected_spec(tmp_path):
    """A file with every field reads into the spec it describes."""
    path = tmp_path / "survey.yaml"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert load_survey_file(path) == EXAMPLE_SPEC


def test_optional_fields_take_their_defaults():
    """language comes from the caller; anonymous is false and questions required by default."""
    spec = parse_survey_text("title: T\nquestions:\n  - {ask: Q, type: text}\n", language="fr")
    assert spec == SurveySpec(
        title="T",
        intro="",
        language="fr",
        anonymous=False,
        questions=(QuestionSpec(kind="text", prompt="Q"),),
    )


@pytest.mark.parametrize(
    ("word", "expected"), [("oui", True), ("Non", False), ("TRUE", True), ("no", False)]
)
def test_true_and_false_in_english_or_french(word, expected):
    """anonymous and required accept yes/no, oui/non, true/false in any case."""
    text = (
        f"title: T\nanonymous: {word}\nquestions:\n  - {{ask: Q, type: text, required: {word}}}\n"
    )
    spec = parse_survey_text(text)
    assert spec.anonymous is expected
    assert spec.questions[0].required is expected


@pytest.mark.parametrize(
    ("alias", "kind"),
    [
        ("choix-unique", "single"),
        ("choix-multiple", "multiple"),
        ("echelle", "scale"),
        ("échelle", "scale"),
        ("e\u0301chelle", "scale"),  # the accent typed as a combining mark (macOS)
        ("texte", "text"),
        ("Choix unique", "single"),
        ("CHOIX_MULTIPLE", "multiple"),
    ],
)
def test_french_type_names_are_accepted(alias, kind):
    """The French names of the four types read as the English ones."""
    options = "    options: [Oui, Non]\n" if kind in ("single", "multiple") else ""
    text = f"title: T\nlanguage: fr\nquestions:\n  - ask: Q\n    type: {alias}\n{options}"
    [question] = parse_survey_text(text).questions
    assert question.kind == kind


def test_scale_labels_as_a_list_or_a_mapping_are_the_same():
    """`scale: [low, high]` and `scale: {low:, high:}` mean the same."""
    as_list = parse_survey_text(HEAD + "  - {ask: Q, type: scale, scale: [Peu, Beaucoup]}\n")
    as_map = parse_survey_text(
        HEAD + "  - {ask: Q, type: scale, scale: {high: Beaucoup, low: Peu}}\n"
    )
    assert as_list == as_map
    assert as_list.questions[0].scale_labels == ("Peu", "Beaucoup")


def test_options_are_taken_as_written_not_as_yaml_types():
    """Options such as Yes, Non, 2024 or 1.5 stay text; quoted numbers are text too."""
    text = "title: '2024'\nquestions:\n  - {ask: Q, type: single, options: [Yes, Non, 2024, 1.5]}\n"
    spec = parse_survey_text(text)
    assert spec.title == "2024"
    assert spec.questions[0].options == ("Yes", "Non", "2024", "1.5")


def test_text_is_tidied_invisibly():
    """Line ends, invisible debris, tabs in one-line text and Unicode forms are normalised."""
    text = (
        'title: "\\u200bBilan\\tannuel "\n'
        'intro: "Ligne 1\\r\\nLigne 2\\u2028Ligne 3"\n'
        "questions:\n"
        '  - ask: "Caf\\u0065\\u0301 ?"\n'
        "    type: text\n"
    )
    spec = parse_survey_text(text)
    assert spec.title == "Bilan annuel"
    assert spec.intro == "Ligne 1\nLigne 2\nLigne 3"
    assert spec.questions[0].prompt == "Café ?" == unicodedata.normalize("NFC", "Café ?")


def test_file_with_a_byte_order_mark_reads(tmp_path):
    """A UTF-8 file saved with a byte order mark (Windows editors) reads normally."""
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeff".encode() + EXAMPLE.encode("utf-8"))
    assert load_survey_file(path) == EXAMPLE_SPEC


def test_an_unknown_language_argument_is_a_programming_error():
    """The caller's default language must itself be fr or en."""
    with pytest.raises(ValueError, match="language must be one of fr, en"):
        parse_survey_text(EXAMPLE, language="de")


# --- Problems, each with its line ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The file as a whole.
        ("", "1: file: empty; expected a survey with title: and questions:"),
        ("# only a comment\n", "1: file: empty; expected a survey"),
        ("- ask: Q\n", "1: file: expected a survey with title: and questions:, got a list"),
        ("just some text\n", "1: file: expected a survey with title: and questions:, got text"),
        ("title: T\n  questions: x\n", "2: syntax: mapping values are not allowed here"),
        (HEAD + "  - ask: Boîte : outils\n", "3: syntax: mapping values are not allowed here"),
        ("title: T\n\tquestions: []\n", "2: syntax: found character '\\t' that cannot start"),
        ("title: 'T\nquestions: []\n", "1: syntax: this quote is never closed"),
        ("title: T\nquestions: [a\n", "2: syntax: expected ',' or ']'"),
        ("title: T\nquestions: [\n", "3: syntax: expected the node content"),
        ("title: T\n---\ntitle: U\n", "2: syntax: a second document starts here"),
        ("title: T\nintro: \x07\n", "2: syntax: character U+0007 is not allowed; remove it"),
        ("[" * 1000, "1: syntax: lists or mappings nested too deeply"),
        # The survey's fields.
        ("questions:\n" + GOOD_QUESTION, "1: title: required: give the survey a title"),
        ("title: ''\nquestions:\n" + GOOD_QUESTION, "1: title: required"),
        ("title: T\n", "1: questions: required: a list of questions (- ask: ..., type: ...)"),
        ("title: T\nquestions:\n", "2: questions: required"),
        ("title: T\nquestions: []\n", "2: questions: at least 1 question"),
        (
            "title: T\nquestions:\n  ask: Q\n  type: text\n",
            "3: questions: expected a list of questions, each starting with '- ask:', "
            "got fields (a mapping)",
        ),
        (HEAD + GOOD_QUESTION + "colour: blue\n", "6: colour: unknown field (allowed: title, "),
        (
            "titre: T\n" + HEAD + GOOD_QUESTION,
            "1: titre: unknown field (did you mean title? allowed: title, intro, language, "
            "anonymous, questions)",
        ),
        (
            "title: T\ntitle: U\nquestions:\n" + GOOD_QUESTION,
            "2: title: given twice (first at line 1)",
        ),
        (f"title: {'T' * 151}\nquestions:\n" + GOOD_QUESTION, "1: title: at most 150 characters"),
        ("title: |\n  One\n  Two\nquestions:\n" + GOOD_QUESTION, "1: title: must fit on one line"),
        ("title: 42\nquestions:\n" + GOOD_QUESTION, "1: title: expected text, got the number 42"),
        ("title: [a]\nquestions:\n" + GOOD_QUESTION, "1: title: expected text, got a list"),
        (HEAD + GOOD_QUESTION + f"intro: {'i' * 2001}\n", "6: intro: at most 2000 characters"),
        (HEAD + GOOD_QUESTION + "language: de\n", "6: language: must be fr or en (got 'de')"),
        (HEAD + GOOD_QUESTION + "anonymous: maybe\n", "6: anonymous: must be true or false"),
        (HEAD + GOOD_QUESTION + "anonymous: [yes]\n", "6: anonymous: must be true or false, got"),
        ('title: "T\\a"\nquestions:\n' + GOOD_QUESTION, "1: title: character U+0007 is not"),
        # A question's fields.
        (HEAD + "  - Which formats?\n", "3: question 1: expected fields (ask: ..., type: ...)"),
        (HEAD + "  - type: text\n", "3: question 1, ask: required: the question to ask"),
        (HEAD + "  - ask: Q\n", "3: question 1, type: required: single, multiple, scale or text"),
        (
            HEAD + "  - ask: Q\n    type: poll\n",
            "4: question 1, type: unknown type 'poll': use single, multiple, scale or text",
        ),
        (HEAD + f"  - ask: {'q' * 2001}\n    type: text\n", "3: question 1, ask: at most 2000"),
        (
            HEAD + "  - ask: Q\n    type: text\n    prompt: Q\n",
            "5: question 1, prompt: unknown field (allowed: ask, type, options, required, "
            "max_choices, scale)",
        ),
        (
            HEAD + "  - ask: Q\n    type: text\n    options: [A, B]\n",
            "5: question 1, options: only for single or multiple questions (this one is text)",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n",
            "3: question 1, options: required for a single question: a list of 2 to 10 answers",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n    options: A, B\n",
            "5: question 1, options: expected a list, one option per line starting with '- ', "
            "got text",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n    options: [A]\n",
            "5: question 1, options: 2 to 10 options (got 1)",
        ),
        (
            HEAD + f"  - ask: Q\n    type: multiple\n    options: [{', '.join('abcdefghijk')}]\n",
            "5: question 1, options: 2 to 10 options (got 11)",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n    options:\n      - Oui\n      - oui\n",
            "7: question 1, options: 'oui' appears twice (also option 1)",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n    options:\n      - A\n      -\n      - B\n",
            "7: question 1, options: option 2 is empty; remove it or fill it in",
        ),
        (
            HEAD + f"  - ask: Q\n    type: single\n    options:\n      - A\n      - {'o' * 76}\n",
            "7: question 1, options: option 2: at most 75 characters (got 76)",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n    options:\n      - A\n      - [B, C]\n",
            "7: question 1, options: option 2: expected text, got a list",
        ),
        (
            HEAD + "  - ask: Q\n    type: single\n    options: [A, B]\n    max_choices: 1\n",
            "6: question 1, max_choices: only for multiple questions (this one is single)",
        ),
        (
            HEAD + "  - ask: Q\n    type: multiple\n    options: [A, B]\n    max_choices: two\n",
            "6: question 1, max_choices: must be a whole number (got 'two')",
        ),
        (
            HEAD + "  - ask: Q\n    type: multiple\n    options: [A, B]\n    max_choices: 0\n",
            "6: question 1, max_choices: at least 1; leave it out to allow any number",
        ),
        (
            HEAD + "  - ask: Q\n    type: multiple\n    options: [A, B]\n    max_choices: 3\n",
            "6: question 1, max_choices: at most the number of options, 2 (got 3)",
        ),
        (
            HEAD + "  - ask: Q\n    type: text\n    required: sometimes\n",
            "5: question 1, required: must be true or false (got 'sometimes')",
        ),
        (
            HEAD + "  - ask: Q\n    type: text\n    scale: [Low, High]\n",
            "5: question 1, scale: only for scale questions (this one is text); remove it",
        ),
        (
            HEAD + "  - ask: Q\n    type: scale\n    scale: [Low, Mid, High]\n",
            "5: question 1, scale: expected {low: ..., high: ...} or [low, high]: the words "
            "next to 1 and 5, got a list of 3",
        ),
        (
            HEAD + "  - ask: Q\n    type: scale\n    scale: {low: Low}\n",
            "5: question 1, scale: high missing; expected {low: ..., high: ...}",
        ),
        (
            HEAD + "  - ask: Q\n    type: scale\n    scale: {low: Low, high: High, mid: M}\n",
            "5: question 1, scale, mid: unknown field (allowed: low, high)",
        ),
        (
            HEAD + "  - ask: Q\n    type: scale\n    scale: {low: 1, high: 5}\n",
            "5: question 1, scale low: expected text, got the number 1 (put it in quotes",
        ),
        (
            HEAD
            + f"  - ask: Q\n    type: scale\n    scale:\n      low: ''\n      high: {'h' * 76}\n",
            "7: question 1, scale high: at most 75 characters (got 76)",
        ),
        (
            HEAD + "  - ask: Q\n    type: scale\n    scale:\n      low: ''\n      high: H\n",
            "6: question 1, scale low: empty; write the word shown next to it",
        ),
    ],
)
def test_each_problem_is_reported_with_its_line(text, expected):
    """Every rule of the format has its own message, on the line of the faulty value."""
    problems = _problems(text, source="s.yaml")
    assert any(p.startswith(f"s.yaml:{expected}") for p in problems), problems


def test_too_many_questions_is_reported_on_the_list():
    """More than 30 questions: one problem on the list's line, saying how many to remove."""
    text = "title: T\nquestions:\n" + "  - {ask: Q, type: text}\n" * (QUESTIONS_MAX_COUNT + 2)
    assert _problems(text) == [
        "<text>:3: questions: at most 30 questions (got 32); remove 2 or split the survey"
    ]


ELEVEN_MISTAKES = """\
title:
anonymous: perhaps
questions:
  - ask: Which formats?
    type: multiple
    options:
      - Webinars
      - webinars
    max_choices: 5
  - ask: How useful?
    type: échelle
    options: [A, B]
    scale: [Low]
  - type: texte
    required: 2
  - ask: Your rhythm?
    type: sondage
  - Anything else?
colour: blue
"""


def test_all_problems_are_reported_together_in_line_order():
    """One pass finds every mistake, each with its line, sorted by line."""
    assert _problems(ELEVEN_MISTAKES, source="bad.yaml") == [
        "bad.yaml:1: title: required: give the survey a title",
        "bad.yaml:2: anonymous: must be true or false (got 'perhaps')",
        "bad.yaml:8: question 1, options: 'webinars' appears twice (also option 1)",
        "bad.yaml:9: question 1, max_choices: at most the number of options, 1 (got 5)",
        "bad.yaml:12: question 2, options: only for single or multiple questions "
        "(this one is scale); remove them",
        "bad.yaml:13: question 2, scale: expected {low: ..., high: ...} or [low, high]: "
        "the words next to 1 and 5, got a list of 1",
        "bad.yaml:14: question 3, ask: required: the question to ask",
        "bad.yaml:15: question 3, required: must be true or false (got '2')",
        "bad.yaml:17: question 4, type: unknown type 'sondage': use single, multiple, scale "
        "or text",
        "bad.yaml:18: question 5: expected fields (ask: ..., type: ...), got text",
        "bad.yaml:19: colour: unknown field (allowed: title, intro, language, anonymous, "
        "questions)",
    ]


def test_unreadable_files_are_reported(tmp_path):
    """A missing file or one not in UTF-8 gives one problem, not a traceback."""
    with pytest.raises(SurveyFileError, match="cannot read the file"):
        load_survey_file(tmp_path / "missing.yaml")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("title: T\nintro: Réunion\n".encode("latin-1"))
    with pytest.raises(SurveyFileError) as caught:
        load_survey_file(latin1)
    assert caught.value.problems == [f"{latin1}:2: file: not UTF-8 text (save the file as UTF-8)"]


# --- Problems in the coordinator's language ------------------------------------------

# One case per kind of problem, in French; together they use every `survey_file.*` key.
FRENCH_PROBLEMS = [
    # The file as a whole.
    ("", "1: file: le texte est vide ; il faut une enquête avec title: et questions:"),
    ("- ask: Q\n", "1: file: il faut une enquête avec title: et questions:, pas une liste"),
    (
        "title: T\n  questions: x\n",
        "2: syntax: YAML illisible ici : vérifiez l'indentation, ou mettez entre guillemets un "
        "texte qui contient ': ' (détail : mapping values are not allowed here)",
    ),
    (
        "title: T\n\tquestions: []\n",
        "2: syntax: YAML illisible ici : indentez avec des espaces, pas des tabulations "
        "(détail : found character '\\t' that cannot start any token)",
    ),
    (
        HEAD + "  - ask: Q\n  type: text\n",
        "4: syntax: YAML illisible ici : vérifiez l'indentation (détail : expected <block end>, "
        "but found '?')",
    ),
    (
        "title: T\nquestions: [a\n",
        "2: syntax: YAML illisible ici : un '[' n'est pas refermé (détail : expected ',' or ']', "
        "but got '<stream end>')",
    ),
    (
        "title: T\nquestions: [\n",
        "3: syntax: YAML illisible ici : un '[' ou un '{' n'est pas refermé (détail : expected "
        "the node content, but found '<stream end>')",
    ),
    (
        'title: "\\q"\n',
        "1: syntax: YAML illisible ici : entre guillemets doubles, écrivez \\\\ pour une barre "
        "oblique inverse (détail : found unknown escape character 'q')",
    ),
    (
        "title: T\n%FOO\n",
        "3: syntax: YAML illisible ici (détail : expected '<document start>', but found "
        "'<stream end>')",
    ),
    ("title: 'T\nquestions: []\n", "1: syntax: ce guillemet n'est jamais refermé"),
    (
        "title: T\n---\ntitle: U\n",
        "2: syntax: un deuxième document commence ici (une seule enquête par texte : supprimez "
        "la ligne '---')",
    ),
    ("title: T\nintro: \x07\n", "2: syntax: le caractère U+0007 n'est pas autorisé ; supprimez-le"),
    ("[" * 1000, "1: syntax: trop de listes ou de champs imbriqués les uns dans les autres"),
    # The survey's fields.
    ("? [a]\n: b\n" + HEAD + GOOD_QUESTION, "1: field: un nom de champ doit être un mot"),
    (
        HEAD + GOOD_QUESTION + "colour: blue\n",
        "6: colour: champ inconnu (champs possibles : title, intro, language, anonymous, "
        "questions)",
    ),
    (
        "titre: T\n" + HEAD + GOOD_QUESTION,
        "1: titre: champ inconnu (vouliez-vous dire title ? champs possibles : title, intro, "
        "language, anonymous, questions)",
    ),
    (
        "title: T\ntitle: U\nquestions:\n" + GOOD_QUESTION,
        "2: title: indiqué deux fois (une première fois ligne 1)",
    ),
    ("questions:\n" + GOOD_QUESTION, "1: title: obligatoire : donnez un titre à l'enquête"),
    (HEAD + GOOD_QUESTION + "language: de\n", "6: language: doit valoir fr ou en (et non 'de')"),
    (
        "title: T\n",
        "1: questions: obligatoire : une liste de questions (- ask: ..., type: ...)",
    ),
    (
        "title: T\nquestions: x\n",
        "2: questions: il faut une liste de questions, chacune commençant par '- ask:', "
        "pas du texte",
    ),
    ("title: T\nquestions: []\n", "2: questions: 1 question au moins"),
    (
        HEAD + "  - {ask: Q, type: text}\n" * (QUESTIONS_MAX_COUNT + 2),
        "3: questions: 30 questions au plus (en voici 32) ; supprimez-en 2 ou répartissez-les "
        "sur deux enquêtes",
    ),
    # A question's fields.
    (
        HEAD + "  - ask: Q\n    type: single\n    options:\n      k: v\n",
        "6: question 1, options: il faut une liste, une option par ligne commençant par '- ', "
        "pas des champs (clé : valeur)",
    ),
    (
        HEAD + "  - Which formats?\n",
        "3: question 1: il faut des champs (ask: ..., type: ...), pas du texte",
    ),
    (HEAD + "  - type: text\n", "3: question 1, ask: obligatoire : la question à poser"),
    (
        HEAD + "  - ask: Q\n",
        "3: question 1, type: obligatoire : single, multiple, scale ou text (en français : "
        "choix-unique, choix-multiple, échelle, texte)",
    ),
    (
        HEAD + "  - ask: Q\n    type: poll\n",
        "4: question 1, type: type 'poll' inconnu : utilisez single, multiple, scale ou text "
        "(en français : choix-unique, choix-multiple, échelle, texte)",
    ),
    (
        HEAD + "  - ask: Q\n    type: text\n    options: [A, B]\n",
        "5: question 1, options: seulement pour les questions single ou multiple (celle-ci est "
        "de type text) ; supprimez-les",
    ),
    (
        HEAD + "  - ask: Q\n    type: single\n",
        "3: question 1, options: obligatoire pour une question single : une liste de 2 à 10 "
        "réponses",
    ),
    (
        HEAD + "  - ask: Q\n    type: single\n    options:\n      - A\n      -\n      - B\n",
        "7: question 1, options: l'option 2 est vide ; supprimez-la ou remplissez-la",
    ),
    (
        HEAD + "  - ask: Q\n    type: single\n    options:\n      - Oui\n      - oui\n",
        "7: question 1, options: 'oui' figure deux fois (c'est aussi l'option 1)",
    ),
    (
        HEAD + "  - ask: Q\n    type: single\n    options: [A]\n",
        "5: question 1, options: de 2 à 10 options (en voici 1)",
    ),
    (
        HEAD + "  - ask: Q\n    type: single\n    options:\n      - A\n      - [B, C]\n",
        "7: question 1, options: option 2 : il faut du texte, pas une liste",
    ),
    (
        HEAD + "  - ask: Q\n    type: single\n    options: [A, B]\n    max_choices: 1\n",
        "6: question 1, max_choices: seulement pour les questions multiple (celle-ci est de "
        "type single)",
    ),
    (
        HEAD + "  - ask: Q\n    type: multiple\n    options: [A, B]\n    max_choices: two\n",
        "6: question 1, max_choices: doit être un nombre entier (et non 'two')",
    ),
    (
        HEAD + "  - ask: Q\n    type: multiple\n    options: [A, B]\n    max_choices: 0\n",
        "6: question 1, max_choices: 1 au moins ; retirez ce champ pour ne pas limiter le "
        "nombre de choix",
    ),
    (
        HEAD + "  - ask: Q\n    type: multiple\n    options: [A, B]\n    max_choices: 3\n",
        "6: question 1, max_choices: au plus le nombre d'options, soit 2 (et non 3)",
    ),
    (
        HEAD + "  - ask: Q\n    type: text\n    scale: [Low, High]\n",
        "5: question 1, scale: seulement pour les questions scale (celle-ci est de type text) ; "
        "supprimez-le",
    ),
    (
        HEAD + "  - ask: Q\n    type: scale\n    scale: {low: Low}\n",
        "5: question 1, scale: il manque high ; il faut {low: ..., high: ...} ou [low, high] : "
        "les mots affichés à côté de 1 et de 5",
    ),
    (
        HEAD + "  - ask: Q\n    type: scale\n    scale: {}\n",
        "5: question 1, scale: il manque low et high ; il faut {low: ..., high: ...} ou "
        "[low, high] : les mots affichés à côté de 1 et de 5",
    ),
    (
        HEAD + "  - ask: Q\n    type: scale\n    scale: [Low]\n",
        "5: question 1, scale: il faut {low: ..., high: ...} ou [low, high] : les mots affichés "
        "à côté de 1 et de 5 (et non une liste de 1 élément)",
    ),
    (
        HEAD + "  - ask: Q\n    type: scale\n    scale: [Low, Mid, High]\n",
        "5: question 1, scale: il faut {low: ..., high: ...} ou [low, high] : les mots affichés "
        "à côté de 1 et de 5 (et non une liste de 3 éléments)",
    ),
    (
        HEAD + "  - ask: Q\n    type: scale\n    scale:\n      low: ''\n      high: H\n",
        "6: question 1, scale low: vide ; écrivez le mot à afficher à côté du chiffre",
    ),
    # Values.
    ("title: [a]\nquestions:\n" + GOOD_QUESTION, "1: title: il faut du texte, pas une liste"),
    (
        "title: 42\nquestions:\n" + GOOD_QUESTION,
        "1: title: il faut du texte, pas le nombre 42 (mettez-le entre guillemets si c'est bien "
        "ce que vous voulez)",
    ),
    (
        "title: |\n  One\n  Two\nquestions:\n" + GOOD_QUESTION,
        "1: title: doit tenir sur une seule ligne",
    ),
    (
        f"title: {'T' * 151}\nquestions:\n" + GOOD_QUESTION,
        "1: title: 150 caractères au plus (en voici 151)",
    ),
    (
        HEAD + GOOD_QUESTION + "anonymous: [yes]\n",
        "6: anonymous: doit valoir oui ou non, ou true ou false, pas une liste",
    ),
    (
        HEAD + GOOD_QUESTION + "anonymous: maybe\n",
        "6: anonymous: doit valoir oui ou non, ou true ou false (et non 'maybe')",
    ),
]


@pytest.mark.parametrize(("text", "expected"), FRENCH_PROBLEMS)
def test_problems_are_written_in_the_messages_language(text, expected):
    """A French-speaking coordinator reads each problem in French, same line and field."""
    french = _problems(text, source="s.yaml", messages_language="fr")
    assert f"s.yaml:{expected}" in french, french
    english = _problems(text, source="s.yaml")
    assert len(english) == len(french)
    for in_english, in_french in zip(english, french, strict=True):
        prefix = f"s.yaml:{expected.split(': ', 2)[0]}: "
        if in_french.startswith(prefix):  # same `SOURCE:LINE: field:`, other words
            assert in_english.startswith(prefix) and in_english != in_french


def _unreadable_files_in_french(tmp_path: Path) -> list[str]:
    problems = []
    for path in (tmp_path / "missing.yaml", tmp_path / "latin1.yaml"):
        if path.name == "latin1.yaml":
            path.write_bytes("title: T\nintro: Réunion\n".encode("latin-1"))
        with pytest.raises(SurveyFileError) as caught:
            load_survey_file(path, messages_language="fr")
        problems += caught.value.problems
    return problems


def test_unreadable_files_are_reported_in_the_messages_language(tmp_path):
    """The file-level problems of `load_survey_file` are translated too."""
    missing, latin1 = _unreadable_files_in_french(tmp_path)
    assert missing.startswith(f"{tmp_path / 'missing.yaml'}: impossible de lire le fichier (")
    assert latin1 == (
        f"{tmp_path / 'latin1.yaml'}:2: file: ce n'est pas du texte UTF-8 "
        "(enregistrez le fichier en UTF-8)"
    )


def test_a_yaml_error_without_a_message_is_still_explained():
    """PyYAML errors carry a message; should one not, the problem still says something."""
    assert syntax_problem(yaml.MarkedYAMLError(), "en") == (1, "syntax", "not valid YAML")
    assert syntax_problem(yaml.MarkedYAMLError(), "fr") == (1, "syntax", "YAML non valide")


def test_problems_stay_in_english_unless_asked():
    """The default is English (the CLI); the survey's own language does not change it."""
    text = "title: T\nlanguage: fr\nquestions: []\n"
    assert (
        _problems(text)
        == _problems(text, language="fr")
        == ["<text>:3: questions: at least 1 question"]
    )
    assert _problems(text, messages_language="en") == ["<text>:3: questions: at least 1 question"]
    with pytest.raises(ValueError, match="messages_language must be one of fr, en"):
        parse_survey_text(text, messages_language="de")


def test_every_survey_file_string_is_used(tmp_path, monkeypatch):
    """No dead catalog keys: the French cases above use every `survey_file.*` string."""
    used: set[str] = set()
    lookup = bot.i18n.t

    def recording(message_key: str, language: str, /, **values: object) -> str:
        used.add(message_key)
        return lookup(message_key, language, **values)

    # survey_io's own reference, and the one tn() (plural forms) goes through.
    monkeypatch.setattr(storage.survey_io, "t", recording)
    monkeypatch.setattr(bot.i18n, "t", recording)
    for text, _ in FRENCH_PROBLEMS:
        _problems(text, messages_language="fr")
    _unreadable_files_in_french(tmp_path)
    syntax_problem(yaml.MarkedYAMLError(), "fr")
    keys = {key for key in CATALOG if key.startswith("survey_file.")}
    assert used == keys
    # And each is written out in survey_io, where a reader looks for it.
    source = Path(storage.survey_io.__file__).read_text(encoding="utf-8")
    for key in keys:
        assert f'"{re.sub(r"[.](one|other)$", "", key)}"' in source, key


def test_survey_file_strings_have_no_literal_braces():
    """t() leaves a template without values untouched, so `{{` would show doubled."""
    for key, entry in CATALOG.items():
        if key.startswith("survey_file."):
            assert all("{{" not in text and "}}" not in text for text in entry.values()), key


# --- Templates -------------------------------------------------------------------------


def test_templates_are_listed_by_name():
    """The French and English needs surveys ship as templates."""
    assert template_names() == ["needs-en", "needs-fr"]


@pytest.mark.parametrize("name", ["needs-en", "needs-fr"])
def test_each_template_loads_and_round_trips(name):
    """A template is a valid anonymous survey of 7 to 9 questions of all four types."""
    spec = load_template(name)
    assert spec.language == name.removeprefix("needs-")
    assert spec.anonymous is True
    assert 7 <= len(spec.questions) <= 9
    assert {q.kind for q in spec.questions} == set(QUESTION_KINDS)
    assert parse_survey_text(dump_survey(spec)) == spec


@pytest.mark.parametrize("name", ["needs-en", "needs-fr"])
def test_each_template_fits_in_a_slack_text_area(name):
    """A coordinator can edit a template in a modal: Slack truncates text areas at 3000."""
    text = template_text(name)
    assert text == (TEMPLATES_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.startswith("#") and "anonymous: true" in text  # comments kept, as shipped
    assert len(text) <= TEXT_AREA_MAX_LENGTH
    assert len(dump_survey(load_template(name))) <= TEXT_AREA_MAX_LENGTH


def test_both_templates_ask_the_same_questions():
    """The English template is a translation of the French one, question for question."""
    french, english = load_template("needs-fr"), load_template("needs-en")

    def shape(spec: SurveySpec) -> list[tuple[object, ...]]:
        return [
            (q.kind, len(q.options), q.required, q.max_choices, q.scale_labels is None)
            for q in spec.questions
        ]

    assert shape(french) == shape(english)
    assert french.title != english.title


def test_an_unknown_template_is_a_clear_key_error():
    """Asking for a template that does not exist names the ones that do."""
    with pytest.raises(KeyError) as caught:
        load_template("needs-de")
    assert isinstance(caught.value, UnknownSurveyTemplateError)
    assert str(caught.value) == "no survey template 'needs-de' (available: needs-en, needs-fr)"
    with pytest.raises(UnknownSurveyTemplateError):
        template_text("../toolbox")


# --- Writing ---------------------------------------------------------------------------


def test_dump_is_readable_yaml():
    """Accents stay as typed, line breaks as a block, scale labels on one line."""
    text = dump_survey(EXAMPLE_SPEC)
    assert "intro: |-\n  Two minutes, three questions.\n  Thank you!\n" in text
    assert "scale: {low: Not useful, high: Essential}" in text
    assert "required: false" in text and "max_choices: 2" in text
    assert "Réunion" in dump_survey(
        SurveySpec("Réunion", "", "fr", False, (QuestionSpec(kind="text", prompt="Q"),))
    )
    assert parse_survey_text(text) == EXAMPLE_SPEC


# --- Properties ------------------------------------------------------------------------

_YAML_BITS = st.sampled_from(
    [
        "title:", "intro:", "language:", "anonymous:", "questions:", "- ", "ask:", "type:",
        "options:", "required:", "max_choices:", "scale:", "low:", "high:", "[", "]", "{",
        "}", ",", ":", "'", '"', "\\", "\n", "  ", "\t", "#", "&a", "*a", "!!int", "---",
        "~", "yes", "3", "-1", "text", "échelle", "multiple", "\x07", "\u2028", "?", "|",
        ">", "%",
    ]
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=200), st.lists(_YAML_BITS | st.text(max_size=5)).map("".join)))
def test_any_text_raises_only_survey_file_error(text):
    """Whatever is typed in the modal, the answer is a spec or a list of problems."""
    try:
        spec = parse_survey_text(text)
    except SurveyFileError as error:
        assert error.problems and all(p.startswith("<text>:") for p in error.problems)
    else:
        assert parse_survey_text(dump_survey(spec)) == spec


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_an_edited_template_raises_only_survey_file_error(data):
    """A template with random cuts and insertions still gives a spec or problems."""
    text = template_text("needs-fr")
    for _ in range(data.draw(st.integers(1, 3))):
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, min(len(text), start + 40)))
        text = text[:start] + data.draw(_YAML_BITS | st.just("")) + text[end:]
    try:
        spec = parse_survey_text(text)
    except SurveyFileError:
        return
    assert parse_survey_text(dump_survey(spec)) == spec


@settings(max_examples=100, deadline=None)
@given(st.lists(_YAML_BITS | st.text(max_size=5)).map("".join))
def test_french_problems_match_the_english_ones_line_for_line(text):
    """Whatever the language of the problems, the same ones come out, on the same lines."""
    try:
        parse_survey_text(text)
    except SurveyFileError as error:
        english = error.problems
    else:
        return
    with pytest.raises(SurveyFileError) as caught:
        parse_survey_text(text, messages_language="fr")
    french = caught.value.problems
    assert [p.split(":", 2)[:2] for p in french] == [p.split(":", 2)[:2] for p in english]


def _clean(text: str) -> bool:
    return unicodedata.normalize("NFC", text) == text and text == text.strip() != ""


_CHAR = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="\u200b\ufeff\u2028\u2029"
)
_SPECIAL = st.sampled_from("'\"#:-{}[],&*!|>%@`? ")
_LINE = st.text(_CHAR | _SPECIAL, min_size=1, max_size=40).filter(_clean)
_PARAGRAPHS = st.text(_CHAR | _SPECIAL | st.sampled_from("\n\t"), max_size=80).filter(
    lambda t: t == "" or _clean(t)
)


@st.composite
def _questions(draw) -> QuestionSpec:
    kind = draw(st.sampled_from(QUESTION_KINDS))
    prompt = draw(_PARAGRAPHS.filter(bool))
    required = draw(st.booleans())
    if kind in ("single", "multiple"):
        options = tuple(
            draw(
                st.lists(
                    _LINE.filter(lambda t: len(t) <= OPTION_MAX_LENGTH),
                    min_size=2,
                    max_size=OPTIONS_MAX_COUNT,
                    unique_by=str.casefold,
                )
            )
        )
        limit = draw(st.none() | st.integers(1, len(options))) if kind == "multiple" else None
        return QuestionSpec(kind, prompt, options, required, max_choices=limit)
    if kind == "scale":
        labels = draw(st.none() | st.tuples(_LINE, _LINE))
        return QuestionSpec(kind, prompt, required=required, scale_labels=labels)
    return QuestionSpec(kind, prompt, required=required)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.builds(
        SurveySpec,
        title=_LINE,
        intro=_PARAGRAPHS,
        language=st.sampled_from(["fr", "en"]),
        anonymous=st.booleans(),
        questions=st.lists(_questions(), min_size=1, max_size=4).map(tuple),
    )
)
def test_any_valid_spec_survives_dump_and_parse(spec):
    """What a coordinator wrote comes back identical after being written out as YAML."""
    assert parse_survey_text(dump_survey(spec), language="en") == spec
