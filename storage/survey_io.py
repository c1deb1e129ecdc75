"""Needs surveys as YAML: the format coordinators write, checked as a whole, and templates.

A survey reaches Cercle as YAML text: a file given to `cercle survey create FILE`, or a
template edited in a Slack modal. The text is validated in one pass and every mistake
is reported as `SOURCE:LINE: field: what is wrong`, so a coordinator fixes them all at
once instead of one per attempt. Nothing here touches the database.

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
# How to fix the YAML mistakes people make most, by the start of PyYAML's message.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "check the indentation, or put text holding ': ' in quotes"),
    ("found character '\\t'", "indent with spaces, not tabs"),
    ("expected <block end>", "check the indentation"),
    ("expected ',' or ']'", "a '[' is not closed"),
    ("expected ',' or '}'", "a '{' is not closed"),
    ("found unknown escape character", "in double quotes write \\\\ for a backslash"),
    ("expected the node content, but found '<stream end>'", "a '[' or '{' is not closed"),
    ("a second document", "one survey per text: remove the '---' line"),
)
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


def parse_survey_text(text: str, *, source: str = "<text>", language: str = "en") -> SurveySpec:
    """Validate survey YAML; raise SurveyFileError listing every problem, with its line.

    `language` is the survey's language when the text does not say (`language:`).
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    reader = _Reader(source)
    root = reader.compose(text)
    spec = reader.survey(root, language) if root is not None else None
    if reader.problems or spec is None:
        raise SurveyFileError(reader.sorted_problems())
    return spec


def load_survey_file(path: str | Path) -> SurveySpec:
    """Read and validate a survey YAML file; raise SurveyFileError with every problem."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise SurveyFileError([f"{path}: cannot read the file ({error.strerror})"]) from None
    try:
        # utf-8-sig drops the byte order mark some Windows editors put first.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SurveyFileError(
            [f"{path}:{line}: file: not UTF-8 text (save the file as UTF-8)"]
        ) from None
    return parse_survey_text(text, source=str(path))


class _Reader:
    """Walks the YAML node tree of one survey, collecting problems instead of stopping."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[tuple[int, str]] = []

    def add(self, line: int, field: str, message: str) -> None:
        self.problems.append((line, f"{self.source}:{line}: {field}: {message}"))

    def report(self, node: yaml.Node, field: str, message: str) -> None:
        self.add(_line(node), field, message)

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
            self.add(*_syntax_problem(error))
            return None
        except yaml.reader.ReaderError as error:
            # A control character YAML refuses; its message spans lines, so rephrase it.
            line = text[: error.position].count("\n") + 1
            code = error.character if isinstance(error.character, int) else ord(error.character)
            self.add(line, "syntax", f"character U+{code:04X} is not allowed; remove it")
            return None
        except RecursionError:
            self.add(1, "syntax", "lists or mappings nested too deeply")
            return None
        if root is None:
            self.add(1, "file", "empty; expected a survey with title: and questions:")
            return None
        if not isinstance(root, yaml.MappingNode):
            self.report(
                root,
                "file",
                f"expected a survey with title: and questions:, got {_describe(root)}",
            )
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
                self.report(key_node, label or "field", "a field name must be a word")
                continue
            name = str(key_node.value).strip()
            where = f"{label}, {name}" if label else name
            if name not in allowed:
                self.report(key_node, where or "field", _unknown_field(name, allowed))
            elif name in found:
                self.report(key_node, where, f"given twice (first at line {lines[name]})")
            else:
                found[name] = value_node
                lines[name] = _line(key_node)
        return found

    # --- The survey ------------------------------------------------------------------

    def survey(self, root: yaml.MappingNode, default_language: str) -> SurveySpec | None:
        fields = self.fields(root, SURVEY_FIELDS, "")
        title = self.text(fields.get("title"), "title", TITLE_MAX_LENGTH, one_line=True)
        if title == "":
            self.report(fields.get("title", root), "title", "required: give the survey a title")
        intro = self.text(fields.get("intro"), "intro", INTRO_MAX_LENGTH) or ""

        language = default_language
        language_node = fields.get("language")
        written = (self.text(language_node, "language", 100, one_line=True) or "").lower()
        if written:
            if written in LANGUAGES:
                language = written
            else:
                self.report(language_node, "language", f"must be fr or en (got {written!r})")

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
            self.report(
                node or root, "questions", "required: a list of questions (- ask: ..., type: ...)"
            )
            return None
        if not isinstance(node, yaml.SequenceNode):
            self.report(
                node,
                "questions",
                f"expected a list of questions, each starting with '- ask:', got {_describe(node)}",
            )
            return None
        if not node.value:
            self.report(node, "questions", "at least 1 question")
            return None
        if len(node.value) > QUESTIONS_MAX_COUNT:
            extra = len(node.value) - QUESTIONS_MAX_COUNT
            self.report(
                node,
                "questions",
                f"at most {QUESTIONS_MAX_COUNT} questions (got {len(node.value)}); "
                f"remove {extra} or split the survey",
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
            self.report(
                node, label, f"expected fields (ask: ..., type: ...), got {_describe(node)}"
            )
            return None
        fields = self.fields(node, QUESTION_FIELDS, label)
        count = len(self.problems)

        prompt = self.text(fields.get("ask"), f"{label}, ask", PROMPT_MAX_LENGTH)
        if prompt == "":
            self.report(fields.get("ask", node), f"{label}, ask", "required: the question to ask")
        kind = self.kind(fields.get("type"), node, label)
        required = self.flag(fields.get("required"), f"{label}, required")

        options: tuple[str, ...] = ()
        options_node = _given(fields.get("options"))
        if options_node is not None:
            options = self.options(options_node, f"{label}, options")
            if kind in ("scale", "text"):
                self.report(
                    options_node,
                    f"{label}, options",
                    f"only for single or multiple questions (this one is {kind}); remove them",
                )
        elif kind in ("single", "multiple"):
            self.report(
                node,
                f"{label}, options",
                f"required for a {kind} question: a list of "
                f"{OPTIONS_MIN_COUNT} to {OPTIONS_MAX_COUNT} answers",
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
        expected = "single, multiple, scale or text"
        word = self.text(node, field, 50, one_line=True)
        if word is None:
            return None
        if not word:
            self.report(node or question, field, f"required: {expected}")
            return None
        kind = _KINDS.get(re.sub(r"[\s_]+", "-", word.casefold()))
        if kind is None:
            self.report(node, field, f"unknown type {word!r}: use {expected}")
        return kind

    def options(self, node: yaml.Node, field: str) -> tuple[str, ...]:
        if not isinstance(node, yaml.SequenceNode):
            self.report(
                node,
                field,
                f"expected a list, one option per line starting with '- ', got {_describe(node)}",
            )
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
                what=f"option {position}",
            )
            if option is None:
                continue
            if not option:
                self.report(child, field, f"option {position} is empty; remove it or fill it in")
                continue
            folded = option.casefold()
            if folded in first:
                self.report(child, field, f"{option!r} appears twice (also option {first[folded]})")
                continue
            first[folded] = position
            options.append(option)
        if not OPTIONS_MIN_COUNT <= len(node.value) <= OPTIONS_MAX_COUNT:
            self.report(
                node,
                field,
                f"{OPTIONS_MIN_COUNT} to {OPTIONS_MAX_COUNT} options (got {len(node.value)})",
            )
        return tuple(options)

    def max_choices(
        self, node: yaml.Node | None, kind: str | None, options: tuple[str, ...], label: str
    ) -> int | None:
        field = f"{label}, max_choices"
        if node is None:
            return None
        if kind is not None and kind != "multiple":
            self.report(node, field, f"only for multiple questions (this one is {kind})")
            return None
        word = self.text(node, field, 20, one_line=True, numbers=True)
        if word is None:
            return None
        if not word:
            return None  # `max_choices:` left empty: as many as they like
        if not _WHOLE_NUMBER.fullmatch(word):
            self.report(node, field, f"must be a whole number (got {word!r})")
            return None
        value = int(word)
        if value < 1:
            self.report(node, field, "at least 1; leave it out to allow any number")
        elif options and value > len(options):
            self.report(node, field, f"at most the number of options, {len(options)} (got {value})")
        return value

    def scale(self, node: yaml.Node | None, kind: str | None, label: str) -> tuple[str, str] | None:
        field = f"{label}, scale"
        if _given(node) is None:
            return None
        if kind is not None and kind != "scale":
            self.report(node, field, f"only for scale questions (this one is {kind}); remove it")
        shape = "expected {low: ..., high: ...} or [low, high]: the words next to 1 and 5"
        if isinstance(node, yaml.MappingNode):
            ends = self.fields(node, ("low", "high"), field)
            missing = [end for end in ("low", "high") if end not in ends]
            if missing:
                self.report(node, field, f"{' and '.join(missing)} missing; {shape}")
        elif isinstance(node, yaml.SequenceNode) and len(node.value) == 2:
            ends = dict(zip(("low", "high"), node.value, strict=True))
        else:
            got = f"a list of {len(node.value)}" if isinstance(node, yaml.SequenceNode) else None
            self.report(node, field, f"{shape}, got {got or _describe(node)}")
            return None
        labels = []
        for end in ("low", "high"):
            end_node = ends.get(end)
            if end_node is None:
                continue
            word = self.text(end_node, f"{field} {end}", SCALE_LABEL_MAX_LENGTH, one_line=True)
            if word == "":
                self.report(end_node, f"{field} {end}", "empty; write the word shown next to it")
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
        """Return the node's text, normalised: "" if absent or empty, None after a problem."""
        if node is None:
            return ""
        subject = f"{what}: " if what else ""
        if not isinstance(node, yaml.ScalarNode):
            self.report(node, field, f"{subject}expected text, got {_describe(node)}")
            return None
        if node.tag == _NULL:
            return ""
        if node.tag in _NUMBERS and not numbers:
            self.report(
                node,
                field,
                f"{subject}expected text, got the number {node.value} "
                "(put it in quotes if you mean it)",
            )
            return None
        value = unicodedata.normalize("NFC", _INVISIBLE.sub("", str(node.value)))
        value = _LINE_BREAKS.sub("\n", value)
        if one_line:
            value = value.replace("\t", " ")
        value = value.strip()
        bad = next((char for char in value if _is_forbidden(char)), None)
        if bad is not None:
            self.report(
                node,
                field,
                f"{subject}character U+{ord(bad):04X} is not allowed; remove it",
            )
            return None
        if one_line and "\n" in value:
            self.report(node, field, f"{subject}must fit on one line")
            return None
        if len(value) > max_length:
            self.report(node, field, f"{subject}at most {max_length} characters (got {len(value)})")
            return None
        return value

    def flag(self, node: yaml.Node | None, field: str) -> bool | None:
        """Return True, False, or None when the field is absent or empty."""
        if _given(node) is None:
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.report(node, field, f"must be true or false, got {_describe(node)}")
            return None
        word = str(node.value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        self.report(node, field, f"must be true or false (got {str(node.value).strip()!r})")
        return None


def _syntax_problem(error: yaml.MarkedYAMLError) -> tuple[int, str, str]:
    """Return (line, "syntax", message) for a YAML error, with a hint when one helps."""
    problem = error.problem or error.context or "not valid YAML"
    mark = error.problem_mark or error.context_mark
    if "end of stream" in problem or "<stream end>" in problem:
        # YAML notices at the end of the text; the mistake is where the quote or the
        # bracket that is never closed opens.
        mark = error.context_mark or mark
        if (error.context or "").startswith("while scanning a quoted scalar"):
            problem = "this quote is never closed"
    elif problem == "but found another document":
        problem = "a second document starts here"
    hint = next((fix for start, fix in _SYNTAX_HINTS if problem.startswith(start)), None)
    line = mark.line + 1 if mark is not None else 1
    return line, "syntax", f"{problem} ({hint})" if hint else problem


def _given(node: yaml.Node | None) -> yaml.Node | None:
    """Return the node, or None for a field left empty (`options:` with nothing after)."""
    return None if isinstance(node, yaml.ScalarNode) and node.tag == _NULL else node


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "fields (a mapping)"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "text"


def _is_forbidden(char: str) -> bool:
    # Tabs and line breaks are text; other control characters (which only YAML escapes
    # such as "\a" can produce) and lone surrogates cannot be sent to Slack.
    return char not in "\t\n" and unicodedata.category(char) in ("Cc", "Cs")


def _unknown_field(name: str, allowed: tuple[str, ...]) -> str:
    guess = _FRENCH_FIELDS.get(name.casefold())
    if guess not in allowed:
        close = difflib.get_close_matches(name.casefold(), allowed, n=1, cutoff=0.6)
        guess = close[0] if close else None
    hint = f"did you mean {guess}? " if guess else ""
    return f"unknown field ({hint}allowed: {', '.join(allowed)})"


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
