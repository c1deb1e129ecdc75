"""Needs surveys as YAML: the format coordinators write, checked as a whole, and templates.

A survey reaches Cercle as YAML text: a file given to `cercle survey create FILE`, or a
template edited in a Slack modal. The text is validated in one pass and every mistake
is reported as `SOURCE:LINE: field: what is wrong`, so a coordinator fixes them all at
once instead of one per attempt, in the coordinator's language (`messages_language`;
the catalog's `survey_file.*` strings). Nothing here touches the database.

The format, field by field (French type names are accepted too):

    title: Needs survey                # required, one line, at most 150 characters
    intro: A few words for members.    # optional, at most 2000 characters
    language: en                       # fr or en; default: the caller's language
    anonymous: true                    # optional, default false (yes/no, oui/non too)
    questions:                         # 1 to 30
      - ask: Which formats suit you?   # required, at most 2000 characters
        type: multiple                 # single, multiple, scale or text
        options: [Webinars, Workshops] # single/multiple: 2 to 10, one line each, <= 75
        max_choices: 2                 # multiple only, optional
        required: false                # optional, default true
      - ask: How useful is the toolbox?
        type: scale                    # answers 1 to 5
        scale: {low: Not useful, high: Essential}   # optional; or [Not useful, Essential]
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.i18n import t, tn

QUESTION_KINDS = ("single", "multiple", "scale", "text")
LANGUAGES = ("fr", "en")
SURVEY_FIELDS = ("title", "intro", "language", "anonymous", "questions")
QUESTION_FIELDS = ("ask", "type", "options", "required", "max_choices", "scale")

TITLE_MAX_LENGTH = 150
INTRO_MAX_LENGTH = 2000
# Slack's limit on an input block's label, where the prompt is shown.
PROMPT_MAX_LENGTH = 2000
# Slack's limits on the options of radio buttons and checkboxes.
OPTION_MAX_LENGTH = 75
OPTIONS_MIN_COUNT = 2
OPTIONS_MAX_COUNT = 10
SCALE_LABEL_MAX_LENGTH = 75
SCALE_POINTS = 5
QUESTIONS_MAX_COUNT = 30
# Slack's limit on a modal text area: a template must fit to be edited in Slack.
TEXT_AREA_MAX_LENGTH = 3000

TEMPLATES_DIR = Path(__file__).parent / "defaults" / "surveys"

_KINDS = {
    "single": "single",
    "choix-unique": "single",
    "multiple": "multiple",
    "choix-multiple": "multiple",
    "scale": "scale",
    "echelle": "scale",
    "échelle": "scale",
    "text": "text",
    "texte": "text",
}
_TRUE = {"true", "yes", "on", "1", "oui", "vrai"}
_FALSE = {"false", "no", "off", "0", "non", "faux"}
# French field names people are likely to type, for a "did you mean" hint only.
_FRENCH_FIELDS = {
    "titre": "title",
    "introduction": "intro",
    "langue": "language",
    "anonyme": "anonymous",
    "question": "ask",
    "questionnaire": "questions",
    "choix": "options",
    "réponses": "options",
    "obligatoire": "required",
    "échelle": "scale",
    "echelle": "scale",
}
# How to fix the YAML mistakes people make most, by the start of PyYAML's message:
# (start, catalog key of the hint, the hint's values).
_SYNTAX_HINTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("mapping values are not allowed", "survey_file.syntax.hint.indentation_or_quotes", {}),
    ("found character '\\t'", "survey_file.syntax.hint.tab", {}),
    ("expected <block end>", "survey_file.syntax.hint.indentation", {}),
    ("expected ',' or ']'", "survey_file.syntax.hint.not_closed", {"bracket": "'['"}),
    ("expected ',' or '}'", "survey_file.syntax.hint.not_closed", {"bracket": "'{'"}),
    ("found unknown escape character", "survey_file.syntax.hint.escape", {}),
    (
        "expected the node content, but found '<stream end>'",
        "survey_file.syntax.hint.not_closed_either",
        {"bracket": "'['", "brace": "'{'"},
    ),
)
# YAML snippets quoted in problems, the same in every language.
_SCALE_MAPPING = "{low: ..., high: ...}"
_SCALE_PAIR = "[low, high]"
_LINE_BREAKS = re.compile("\r\n|[\r\x85\u2028\u2029]")
# Invisible debris that copying from a word processor or a web page leaves behind.
_INVISIBLE = re.compile("[\u200b\ufeff]")
_WHOLE_NUMBER = re.compile(r"\+?[0-9]+")
_NULL = "tag:yaml.org,2002:null"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass(frozen=True)
class QuestionSpec:
    """One question of a survey, validated and normalised."""

    kind: str
    prompt: str
    options: tuple[str, ...] = ()
    required: bool = True
    # multiple only: the most options a member may tick; None = as many as they like.
    max_choices: int | None = None
    # scale only: the words shown next to 1 and to 5.
    scale_labels: tuple[str, str] | None = None


@dataclass(frozen=True)
class SurveySpec:
    """A whole survey as a file or a template describes it, validated and normalised."""

    title: str
    intro: str
    language: str
    anonymous: bool
    questions: tuple[QuestionSpec, ...]


class SurveyFileError(ValueError):
    """A survey text that cannot be used; `problems` holds one readable line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class UnknownSurveyTemplateError(KeyError):
    """No survey template has that name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        return f"no survey template {self.name!r} (available: {', '.join(template_names())})"


# --- Reading -------------------------------------------------------------------------


def parse_survey_text(
    text: str,
    *,
    source: str = "<text>",
    language: str = "en",
    messages_language: str | None = None,
) -> SurveySpec:
    """Validate survey YAML; raise SurveyFileError listing every problem, with its line.

    `language` is the survey's language when the text does not say (`language:`).
    `messages_language` is the language the problems are written in (default English).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    reader = _Reader(source, _messages_language(messages_language))
    root = reader.compose(text)
    spec = reader.survey(root, language) if root is not None else None
    if reader.problems or spec is None:
        raise SurveyFileError(reader.sorted_problems())
    return spec


def load_survey_file(path: str | Path, *, messages_language: str | None = None) -> SurveySpec:
    """Read and validate a survey YAML file; raise SurveyFileError with every problem.

    `messages_language` is the language the problems are written in (default English).
    """
    said = _messages_language(messages_language)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = t("survey_file.cannot_read", said, reason=error.strerror)
        raise SurveyFileError([f"{path}: {reason}"]) from None
    try:
        # utf-8-sig drops the byte order mark some Windows editors put first.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = t("survey_file.not_utf8", said)
        raise SurveyFileError([f"{path}:{line}: file: {message}"]) from None
    return parse_survey_text(text, source=str(path), messages_language=said)


def _messages_language(language: str | None) -> str:
    if language is None:
        return "en"
    if language not in LANGUAGES:
        raise ValueError(
            f"messages_language must be one of {', '.join(LANGUAGES)}, not {language!r}"
        )
    return language


class _Reader:
    """Walks the YAML node tree of one survey, collecting problems instead of stopping."""

    def __init__(self, source: str, language: str) -> None:
        self.source = source
        # The language of the problems, not the survey's.
        self.language = language
        self.problems: list[tuple[int, str]] = []

    def add(self, line: int, field: str, message: str) -> None:
        self.problems.append((line, f"{self.source}:{line}: {field}: {message}"))

    def report(self, node: yaml.Node, field: str, message: str) -> None:
        self.add(_line(node), field, message)

    def say(self, node: yaml.Node, field: str, message_key: str, /, **values: Any) -> None:
        """Report the catalog's `message_key`, in the reader's language."""
        self.report(node, field, t(message_key, self.language, **values))

    def got(self, node: yaml.Node) -> str:
        """Name what the node is, for "expected …, got …"."""
        if isinstance(node, yaml.MappingNode):
            return t("survey_file.got.mapping", self.language)
        if isinstance(node, yaml.SequenceNode):
            return t("survey_file.got.list", self.language)
        return t("survey_file.got.text", self.language)

    def sorted_problems(self) -> list[str]:
        # Stable: problems on one line keep the order they were found in.
        return [message for _, message in sorted(self.problems, key=lambda p: p[0])]

    def compose(self, text: str) -> yaml.Node | None:
        """Return the document's node tree, or None after recording why there is none."""
        try:
            # compose, not load: the node tree keeps each value's line in the text, and
            # scalars as written (so an option `Non` or `2024` stays text).
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as error:
            self.add(*_syntax_problem(error, self.language))
            return None
        except yaml.reader.ReaderError as error:
            # A control character YAML refuses; its message spans lines, so rephrase it.
            line = text[: error.position].count("\n") + 1
            code = error.character if isinstance(error.character, int) else ord(error.character)
            message = t("survey_file.forbidden_character", self.language, code=f"U+{code:04X}")
            self.add(line, "syntax", message)
            return None
        except RecursionError:
            self.add(1, "syntax", t("survey_file.syntax.too_deep", self.language))
            return None
        if root is None:
            self.add(1, "file", t("survey_file.empty", self.language))
            return None
        if not isinstance(root, yaml.MappingNode):
            self.say(root, "file", "survey_file.not_a_survey", got=self.got(root))
            return None
        return root

    def fields(
        self, node: yaml.MappingNode, allowed: tuple[str, ...], label: str
    ) -> dict[str, yaml.Node]:
        """Return the mapping's values by field name, reporting unknown and repeated ones."""
        found: dict[str, yaml.Node] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.say(key_node, label or "field", "survey_file.field.not_a_word")
                continue
            name = str(key_node.value).strip()
            where = f"{label}, {name}" if label else name
            if name not in allowed:
                self.report(key_node, where or "field", self.unknown_field(name, allowed))
            elif name in found:
                self.say(key_node, where, "survey_file.field.twice", line=lines[name])
            else:
                found[name] = value_node
                lines[name] = _line(key_node)
        return found

    def unknown_field(self, name: str, allowed: tuple[str, ...]) -> str:
        guess = _FRENCH_FIELDS.get(name.casefold())
        if guess not in allowed:
            close = difflib.get_close_matches(name.casefold(), allowed, n=1, cutoff=0.6)
            guess = close[0] if close else None
        names = ", ".join(allowed)
        if guess:
            return t("survey_file.field.unknown_guess", self.language, guess=guess, allowed=names)
        return t("survey_file.field.unknown", self.language, allowed=names)

    # --- The survey ------------------------------------------------------------------

    def survey(self, root: yaml.MappingNode, default_language: str) -> SurveySpec | None:
        fields = self.fields(root, SURVEY_FIELDS, "")
        title = self.text(fields.get("title"), "title", TITLE_MAX_LENGTH, one_line=True)
        if title == "":
            self.say(fields.get("title", root), "title", "survey_file.title.required")
        intro = self.text(fields.get("intro"), "intro", INTRO_MAX_LENGTH) or ""

        language = default_language
        language_node = fields.get("language")
        written = (self.text(language_node, "language", 100, one_line=True) or "").lower()
        if written:
            if written in LANGUAGES:
                language = written
            else:
                self.say(
                    language_node, "language", "survey_file.language.invalid", value=repr(written)
                )

        anonymous = self.flag(fields.get("anonymous"), "anonymous")
        questions = self.questions(fields.get("questions"), root)
        if questions is None or not title:
            return None
        return SurveySpec(
            title=title,
            intro=intro,
            language=language,
            anonymous=bool(anonymous),
            questions=questions,
        )

    def questions(self, node: yaml.Node | None, root: yaml.Node) -> tuple[QuestionSpec, ...] | None:
        if _given(node) is None:
            self.say(node or root, "questions", "survey_file.questions.required")
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.say(node, "questions", "survey_file.questions.not_a_list", got=self.got(node))
            return None
        if not node.value:
            self.say(node, "questions", "survey_file.questions.empty")
            return None
        if len(node.value) > QUESTIONS_MAX_COUNT:
            self.say(
                node,
                "questions",
                "survey_file.questions.too_many",
                max=QUESTIONS_MAX_COUNT,
                count=len(node.value),
                extra=len(node.value) - QUESTIONS_MAX_COUNT,
            )
        count = len(self.problems)
        specs = [self.question(child, number) for number, child in enumerate(node.value, 1)]
        if len(self.problems) > count:
            return None
        return tuple(spec for spec in specs if spec is not None)

    # --- One question ----------------------------------------------------------------

    def question(self, node: yaml.Node, number: int) -> QuestionSpec | None:
        label = f"question {number}"
        if not isinstance(node, yaml.MappingNode):
            self.say(node, label, "survey_file.question.not_fields", got=self.got(node))
            return None
        fields = self.fields(node, QUESTION_FIELDS, label)
        count = len(self.problems)

        prompt = self.text(fields.get("ask"), f"{label}, ask", PROMPT_MAX_LENGTH)
        if prompt == "":
            self.say(fields.get("ask", node), f"{label}, ask", "survey_file.ask.required")
        kind = self.kind(fields.get("type"), node, label)
        required = self.flag(fields.get("required"), f"{label}, required")

        options: tuple[str, ...] = ()
        options_node = _given(fields.get("options"))
        if options_node is not None:
            options = self.options(options_node, f"{label}, options")
            if kind in ("scale", "text"):
                self.say(
                    options_node, f"{label}, options", "survey_file.options.not_allowed", kind=kind
                )
        elif kind in ("single", "multiple"):
            self.say(
                node,
                f"{label}, options",
                "survey_file.options.required",
                kind=kind,
                min=OPTIONS_MIN_COUNT,
                max=OPTIONS_MAX_COUNT,
            )

        max_choices = self.max_choices(fields.get("max_choices"), kind, options, label)
        scale_labels = self.scale(fields.get("scale"), kind, label)

        if len(self.problems) > count or kind is None or not prompt:
            return None
        return QuestionSpec(
            kind=kind,
            prompt=prompt,
            options=options,
            required=True if required is None else required,
            max_choices=max_choices,
            scale_labels=scale_labels,
        )

    def kind(self, node: yaml.Node | None, question: yaml.Node, label: str) -> str | None:
        field = f"{label}, type"
        kinds = t("survey_file.type.kinds", self.language)
        word = self.text(node, field, 50, one_line=True)
        if word is None:
            return None
        if not word:
            self.say(node or question, field, "survey_file.type.required", kinds=kinds)
            return None
        kind = _KINDS.get(re.sub(r"[\s_]+", "-", word.casefold()))
        if kind is None:
            self.say(node, field, "survey_file.type.unknown", word=repr(word), kinds=kinds)
        return kind

    def options(self, node: yaml.Node, field: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.say(node, field, "survey_file.options.not_a_list", got=self.got(node))
            return ()
        options: list[str] = []
        first: dict[str, int] = {}
        for position, child in enumerate(node.value, 1):
            option = self.text(
                child,
                field,
                OPTION_MAX_LENGTH,
                one_line=True,
                numbers=True,
                what=t("survey_file.option", self.language, position=position),
            )
            if option is None:
                continue
            if not option:
                self.say(child, field, "survey_file.options.empty_option", position=position)
                continue
            folded = option.casefold()
            if folded in first:
                self.say(
                    child,
                    field,
                    "survey_file.options.twice",
                    option=repr(option),
                    first=first[folded],
                )
                continue
            first[folded] = position
            options.append(option)
        if not OPTIONS_MIN_COUNT <= len(node.value) <= OPTIONS_MAX_COUNT:
            self.say(
                node,
                field,
                "survey_file.options.count",
                min=OPTIONS_MIN_COUNT,
                max=OPTIONS_MAX_COUNT,
                count=len(node.value),
            )
        return tuple(options)

    def max_choices(
        self, node: yaml.Node | None, kind: str | None, options: tuple[str, ...], label: str
    ) -> int | None:
        field = f"{label}, max_choices"
        if node is None:
            return None
        if kind is not None and kind != "multiple":
            self.say(node, field, "survey_file.max_choices.not_allowed", kind=kind)
            return None
        word = self.text(node, field, 20, one_line=True, numbers=True)
        if word is None:
            return None
        if not word:
            return None  # `max_choices:` left empty: as many as they like
        if not _WHOLE_NUMBER.fullmatch(word):
            self.say(node, field, "survey_file.max_choices.not_a_number", value=repr(word))
            return None
        value = int(word)
        if value < 1:
            self.say(node, field, "survey_file.max_choices.too_small")
        elif options and value > len(options):
            self.say(
                node, field, "survey_file.max_choices.too_large", count=len(options), value=value
            )
        return value

    def scale(self, node: yaml.Node | None, kind: str | None, label: str) -> tuple[str, str] | None:
        field = f"{label}, scale"
        if _given(node) is None:
            return None
        if kind is not None and kind != "scale":
            self.say(node, field, "survey_file.scale.not_allowed", kind=kind)
        shape = t(
            "survey_file.scale.shape", self.language, mapping=_SCALE_MAPPING, pair=_SCALE_PAIR
        )
        if isinstance(node, yaml.MappingNode):
            ends = self.fields(node, ("low", "high"), field)
            missing = [end for end in ("low", "high") if end not in ends]
            if len(missing) == 2:
                self.say(node, field, "survey_file.scale.missing_both", shape=shape)
            elif missing:
                self.say(node, field, "survey_file.scale.missing_one", end=missing[0], shape=shape)
        elif isinstance(node, yaml.SequenceNode) and len(node.value) == 2:
            ends = dict(zip(("low", "high"), node.value, strict=True))
        else:
            if isinstance(node, yaml.SequenceNode):
                got = tn("survey_file.got.list_of", len(node.value), self.language)
            else:
                got = self.got(node)
            self.say(node, field, "survey_file.scale.wrong_shape", shape=shape, got=got)
            return None
        labels = []
        for end in ("low", "high"):
            end_node = ends.get(end)
            if end_node is None:
                continue
            word = self.text(end_node, f"{field} {end}", SCALE_LABEL_MAX_LENGTH, one_line=True)
            if word == "":
                self.say(end_node, f"{field} {end}", "survey_file.scale.empty_label")
            labels.append(word or "")
        if len(labels) != 2 or not all(labels):
            return None
        return (labels[0], labels[1])

    # --- Values ----------------------------------------------------------------------

    def text(
        self,
        node: yaml.Node | None,
        field: str,
        max_length: int,
        *,
        one_line: bool = False,
        numbers: bool = False,
        what: str = "",
    ) -> str | None:
        """Return the node's text, normalised: "" if absent or empty, None after a problem.

        `what` names the value within the field ("option 2"), ahead of its problem.
        """
        if node is None:
            return ""

        def problem(message_key: str, /, **values: Any) -> None:
            message = t(message_key, self.language, **values)
            if what:
                message = t("survey_file.subject", self.language, subject=what, message=message)
            self.report(node, field, message)

        if not isinstance(node, yaml.ScalarNode):
            problem("survey_file.text.expected", got=self.got(node))
            return None
        if node.tag == _NULL:
            return ""
        if node.tag in _NUMBERS and not numbers:
            problem("survey_file.text.number", number=node.value)
            return None
        value = unicodedata.normalize("NFC", _INVISIBLE.sub("", str(node.value)))
        value = _LINE_BREAKS.sub("\n", value)
        if one_line:
            value = value.replace("\t", " ")
        value = value.strip()
        bad = next((char for char in value if _is_forbidden(char)), None)
        if bad is not None:
            problem("survey_file.forbidden_character", code=f"U+{ord(bad):04X}")
            return None
        if one_line and "\n" in value:
            problem("survey_file.text.one_line")
            return None
        if len(value) > max_length:
            problem("survey_file.text.too_long", max=max_length, count=len(value))
            return None
        return value

    def flag(self, node: yaml.Node | None, field: str) -> bool | None:
        """Return True, False, or None when the field is absent or empty."""
        if _given(node) is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.say(node, field, "survey_file.flag.not_text", got=self.got(node))
            return None
        word = str(node.value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        self.say(node, field, "survey_file.flag.invalid", value=repr(str(node.value).strip()))
        return None


def _syntax_problem(error: yaml.MarkedYAMLError, language: str) -> tuple[int, str, str]:
    """Return (line, "syntax", message) for a YAML error, with a hint when one helps.

    PyYAML's own wording stays as it is (English) in the message, after the hint.
    """
    problem = error.problem or error.context
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    if problem is None:
        return line, "syntax", t("survey_file.syntax.invalid", language)
    if "end of stream" in problem or "<stream end>" in problem:
        # YAML notices at the end of the text; the mistake is where the quote or the
        # bracket that is never closed opens.
        mark = error.context_mark or mark
        line = mark.line + 1 if mark is not None else 1
        if (error.context or "").startswith("while scanning a quoted scalar"):
            return line, "syntax", t("survey_file.syntax.quote_not_closed", language)
    elif problem == "but found another document":
        return line, "syntax", t("survey_file.syntax.second_document", language)
    hint = next(
        (
            t(message_key, language, **values)
            for start, message_key, values in _SYNTAX_HINTS
            if problem.startswith(start)
        ),
        None,
    )
    if hint is None:
        return line, "syntax", t("survey_file.syntax.no_hint", language, problem=problem)
    return line, "syntax", t("survey_file.syntax.with_hint", language, problem=problem, hint=hint)


def _given(node: yaml.Node | None) -> yaml.Node | None:
    """Return the node, or None for a field left empty (`options:` with nothing after)."""
    return None if isinstance(node, yaml.ScalarNode) and node.tag == _NULL else node


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _is_forbidden(char: str) -> bool:
    # Tabs and line breaks are text; other control characters (which only YAML escapes
    # such as "\a" can produce) and lone surrogates cannot be sent to Slack.
    return char not in "\t\n" and unicodedata.category(char) in ("Cc", "Cs")


# --- Templates -----------------------------------------------------------------------


def template_names() -> list[str]:
    """Return the names of the shipped survey templates, such as "needs-fr"."""
    return sorted(path.stem for path in TEMPLATES_DIR.glob("*.yaml"))


def template_text(name: str) -> str:
    """Return a template's YAML as shipped, comments included, to prefill an editor."""
    if name not in template_names():
        raise UnknownSurveyTemplateError(name)
    return (TEMPLATES_DIR / f"{name}.yaml").read_text(encoding="utf-8")


def load_template(name: str) -> SurveySpec:
    """Return the survey a shipped template describes."""
    return parse_survey_text(template_text(name), source=f"{name}.yaml")


# --- Writing -------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Write text people can read and edit: line breaks as typed, no needless quotes."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their field, as people (and the templates) write them.
        super().increase_indent(flow, False)


class _Flow(dict[str, str]):
    """A mapping written on one line, as `{low: ..., high: ...}`."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # A literal block keeps line breaks as typed; PyYAML falls back to quotes by itself
    # when a block cannot hold the text exactly (trailing spaces, tabs).
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Flow, _represent_flow)


def dump_survey(spec: SurveySpec) -> str:
    """Return YAML in the file format that parse_survey_text reads back as an equal spec."""
    questions: list[dict[str, Any]] = []
    for question in spec.questions:
        entry: dict[str, Any] = {"ask": question.prompt, "type": question.kind}
        if question.options:
            entry["options"] = list(question.options)
        if question.max_choices is not None:
            entry["max_choices"] = question.max_choices
        if question.scale_labels is not None:
            low, high = question.scale_labels
            entry["scale"] = _Flow(low=low, high=high)
        if not question.required:
            entry["required"] = False
        questions.append(entry)
    document: dict[str, Any] = {"title": spec.title}
    if spec.intro:
        document["intro"] = spec.intro
    document |= {"language": spec.language, "anonymous": spec.anonymous, "questions": questions}
    return yaml.dump(
        document,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
        indent=2,
    )
