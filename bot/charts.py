"""PNG charts for Slack: survey results and weekly activity, rendered headless.

Pure functions from plain data to PNG bytes; posting the file is someone else's job.
Figures are built with the object API (`Figure` + the Agg canvas), never pyplot, so no
global figure registry or backend switch is involved. Layout is computed in inches, top
down, so the figure grows with its content and fonts keep one size whatever the data.
"""

from __future__ import annotations

import io
import math
import textwrap
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

QUESTION_KINDS = ("single", "multiple", "scale", "text")
CHARTABLE_KINDS = ("single", "multiple", "scale")
MAX_PANELS = 30

# 12 in at 100 dpi: 1200 px, which Slack shows full width on a phone without resampling
# the text into mush; the font sizes below are chosen for that scale.
WIDTH_IN = 12.0
DPI = 100
# A guard against a pathological survey producing a 60 000 px tall bitmap (the Agg limit
# is 2**16 px and the RGBA buffer would be hundreds of MB); whole panels are dropped.
MAX_HEIGHT_IN = 200.0

FONT = "DejaVu Sans"  # bundled with matplotlib, covers French accents
TITLE_SIZE = 28
SUBTITLE_SIZE = 18
PROMPT_SIZE = 21
META_SIZE = 16
LABEL_SIZE = 18
VALUE_SIZE = 17
NOTE_SIZE = 22
LINE_SPACING = 1.2  # matplotlib's default multi-line spacing

INK = "#1F2933"
MUTED = "#5F6B7A"
TRACK = "#EEF1F5"
BASELINE = "#C9D1DB"
GRID = "#E3E8EE"
# Tableau 10 (colour-blind friendly); the survey accent is its first colour so both
# charts share a look. Weekly series get colours by position, so callers should pass
# the kinds in a stable order.
PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#E15759",
    "#76B7B2",
    "#EDC948",
    "#B07AA1",
    "#FF9DA7",
    "#9C755F",
    "#BAB0AC",
)
ACCENT = PALETTE[0]

# The few words drawn inside the images. They live here rather than in the main catalog
# because they are only ever rendered into pixels, never sent as Slack text.
_WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "response_one": "{n} réponse",
        "response_many": "{n} réponses",
        "invited_one": "{n} personne invitée",
        "invited_many": "{n} personnes invitées",
        "rate": "taux de réponse {pct}",
        "average": "moyenne {value} / 5",
        "several": "plusieurs réponses possibles",
        "no_answers": "Pas encore de réponse",
        "no_charts": "Aucune question à choix à représenter",
        "more_questions": "+ {n} autres questions non affichées",
        "no_activity": "Aucune activité sur la période",
        "week": "S{n}",
        "day_month": "{day:02d}/{month:02d}",
    },
    "en": {
        "response_one": "{n} response",
        "response_many": "{n} responses",
        "invited_one": "{n} invited",
        "invited_many": "{n} invited",
        "rate": "{pct} response rate",
        "average": "average {value} / 5",
        "several": "several answers allowed",
        "no_answers": "No answers yet",
        "no_charts": "No choice questions to chart",
        "more_questions": "+ {n} more questions not shown",
        "no_activity": "No activity in this period",
        "week": "W{n}",
        "months": "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec",
        "day_month": "{month_name} {day}",
    },
}

# Matplotlib documents itself as not thread-safe and keeps process-wide caches (fonts,
# text metrics). Charts are rare and take a fraction of a second, so serialising the
# renders costs nothing noticeable and removes the question entirely.
_RENDER_LOCK = threading.Lock()


@dataclass(frozen=True)
class ChartQuestion:
    """One survey question as the results chart needs it."""

    prompt: str
    kind: str  # "single" | "multiple" | "scale" | "text"
    counts: tuple[tuple[str, int], ...] = ()  # (label, count); scale: ("1", n1) ... ("5", n5)
    respondents: int = 0  # how many answered this question
    average: float | None = None  # scale only

    def __post_init__(self) -> None:
        """Reject an unknown kind, which would otherwise silently vanish from the chart."""
        if self.kind not in QUESTION_KINDS:
            raise ValueError(f"unknown question kind {self.kind!r}")


def survey_results_png(
    title: str,
    questions: Sequence[ChartQuestion],
    *,
    respondents: int,
    invited: int,
    language: str,
) -> bytes:
    """Render a survey's choice and scale questions as stacked horizontal-bar panels."""
    words = _words(language)
    lang = _language(language)
    chartable = [q for q in questions if q.kind in CHARTABLE_KINDS]
    subtitle = _survey_subtitle(respondents, invited, words, lang)

    header = _Header(title, subtitle)
    if respondents <= 0 or not chartable:
        note = words["no_answers"] if respondents <= 0 else words["no_charts"]
        return _render_note_figure(header, note)

    panels = [_Panel.build(q, words, lang) for q in chartable[:MAX_PANELS]]
    height = header.height + _BOTTOM_MARGIN
    kept: list[_Panel] = []
    for panel in panels:
        if height + panel.height + _FOOTER_HEIGHT > MAX_HEIGHT_IN:
            break
        kept.append(panel)
        height += panel.height
    hidden = len(chartable) - len(kept)
    if hidden:
        height += _FOOTER_HEIGHT

    with _RENDER_LOCK:
        fig, board = _new_figure(height)
        y = header.draw(board, height)
        for panel in kept:
            y = panel.draw(board, y)
        if hidden:
            board.text(
                _MARGIN,
                y - 0.25,
                words["more_questions"].format(n=hidden),
                **_text(META_SIZE, color=MUTED, va="top"),
            )
        return _png(fig)


def weekly_activity_png(
    weeks: Sequence[date],
    series: Mapping[str, Sequence[int]],
    *,
    title: str,
    language: str,
) -> bytes:
    """Render one stacked bar per ISO week, one colour per kind, totals on top."""
    words = _words(language)
    for name, values in series.items():
        if len(values) != len(weeks):
            raise ValueError(f"series {name!r} has {len(values)} values for {len(weeks)} weeks")
    header = _Header(title, None)
    totals = [sum(max(0, values[i]) for values in series.values()) for i in range(len(weeks))]
    peak = max(totals, default=0)
    if not weeks:
        return _render_note_figure(header, words["no_activity"])

    names = list(series)
    legend_labels = [_wrap(name, 18, 2) for name in names]
    ncols = _legend_columns(legend_labels)
    legend_height = sum(
        max(label.count("\n") + 1 for label in legend_labels[start : start + ncols])
        * _line(LABEL_SIZE)
        + 0.12
        for start in range(0, len(names), ncols)
    )

    plot_height = 4.8
    tick_height = 2 * _line(LABEL_SIZE - 2) + 0.25
    height = header.height + 0.55 + plot_height + tick_height + legend_height + _BOTTOM_MARGIN

    with _RENDER_LOCK:
        fig, board = _new_figure(height)
        y = header.draw(board, height) - 0.55  # room above the tallest bar for its total
        # Beyond a dozen or so weeks the totals would crowd; a light count axis replaces them.
        left = _MARGIN if len(weeks) <= _MAX_WEEKS_WITH_TOTALS else 2 * _MARGIN
        right = WIDTH_IN - _MARGIN
        ax = fig.add_axes(
            (
                left / WIDTH_IN,
                (y - plot_height) / height,
                (right - left) / WIDTH_IN,
                plot_height / height,
            )
        )
        _strip_axes(ax)
        ax.spines["bottom"].set_visible(True)
        ax.spines["bottom"].set_color(BASELINE)
        ax.spines["bottom"].set_linewidth(1.5)

        n = len(weeks)
        positions = list(range(n))
        bottoms = [0] * n
        for index, name in enumerate(names):
            values = [max(0, v) for v in series[name]]
            ax.bar(
                positions,
                values,
                bottom=bottoms,
                width=0.66,
                color=PALETTE[index % len(PALETTE)],
                edgecolor="white",
                linewidth=1.2 if n <= 20 else 0.5,
            )
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]

        ax.set_xlim(-0.6, n - 0.4)
        ax.set_ylim(0, max(peak, 1))
        # Keep the week labels from colliding, always labelling the latest week.
        labelled = positions[::-1][:: max(1, math.ceil(n / 13))][::-1]
        ax.set_xticks(
            labelled,
            [_week_label(weeks[i], words) for i in labelled],
            fontfamily=FONT,
            fontsize=LABEL_SIZE - 2,
            color=MUTED,
            linespacing=LINE_SPACING,
        )
        ax.tick_params(axis="x", length=0, pad=8)
        if peak > 0 and n <= _MAX_WEEKS_WITH_TOTALS:
            _draw_totals(ax, totals)
        elif peak > 0:
            _draw_count_axis(ax)
        else:
            ax.text(
                0.5,
                0.5,
                words["no_activity"],
                transform=ax.transAxes,
                ha="center",
                va="center",
                **_text(NOTE_SIZE, color=MUTED),
            )

        if names:
            # Matplotlib fills legend columns top to bottom; feed it column by column so the
            # entries read left to right in series order.
            order = [i for column in range(ncols) for i in range(column, len(names), ncols)]
            legend = fig.legend(
                [Patch(facecolor=PALETTE[i % len(PALETTE)], edgecolor="none") for i in order],
                [legend_labels[i] for i in order],
                loc="upper center",
                bbox_to_anchor=(0.5, (y - plot_height - tick_height) / height),
                ncols=ncols,
                frameon=False,
                prop={"family": FONT, "size": LABEL_SIZE},
                handlelength=1.1,
                handleheight=1.1,
                columnspacing=1.8,
                borderaxespad=0,
            )
            for text in legend.get_texts():
                text.set_parse_math(False)
                text.set_color(INK)
        return _png(fig)


# --- layout, in inches from the top of the figure ---------------------------------------

_MARGIN = 0.42  # left and right
_TOP_MARGIN = 0.4
_BOTTOM_MARGIN = 0.35
_FOOTER_HEIGHT = 0.6
_LABEL_RIGHT = 4.3  # where option labels end
_BARS_LEFT = 4.45
_BARS_RIGHT = 9.6  # where a 100 % bar ends; the value label goes after it
_BAR_THICKNESS = 0.36
_ROW_PAD = 0.2
_PANEL_GAP = 0.45
_MAX_WEEKS_WITH_TOTALS = 16


def _draw_totals(ax: Axes, totals: Sequence[int]) -> None:
    """Write each week's total above its bar; a muted 0 tells an empty week from a gap."""
    for x, total in enumerate(totals):
        ax.annotate(
            str(total),
            (x, total),
            xytext=(0, 6),
            textcoords="offset points",
            ha="center",
            va="bottom",
            annotation_clip=False,
            **_text(
                VALUE_SIZE, color=INK if total else MUTED, weight="bold" if total else "normal"
            ),
        )


def _draw_count_axis(ax: Axes) -> None:
    """Draw a few integer count ticks with faint gridlines behind the bars."""
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.tick_params(
        axis="y",
        length=0,
        pad=6,
        labelsize=LABEL_SIZE - 3,
        labelcolor=MUTED,
        labelfontfamily=FONT,
    )
    ax.yaxis.grid(True, color=GRID, linewidth=1.2)
    ax.set_axisbelow(True)


def _legend_columns(labels: Sequence[str]) -> int:
    """Return how many legend entries fit side by side across the figure (1 to 4)."""
    if not labels:
        return 1
    widest = max(len(line) for label in labels for line in label.split("\n"))
    # Handle, its padding and the column gap are ~3.7 em; DejaVu Sans averages ~0.6 em/char.
    entry_pt = (3.7 + 0.6 * widest) * LABEL_SIZE
    available_pt = (WIDTH_IN - 2 * _MARGIN) * 72
    return max(1, min(4, len(labels), int(available_pt // entry_pt)))


def _line(size: float) -> float:
    """Return the height in inches of one text line at `size` points."""
    return size * LINE_SPACING / 72


class _Header:
    """The title and optional subtitle at the top of a chart."""

    def __init__(self, title: str, subtitle: str | None) -> None:
        self.title = _wrap(title, 46, 3)
        self.subtitle = subtitle
        lines = self.title.count("\n") + 1
        self.height = _TOP_MARGIN + lines * _line(TITLE_SIZE)
        if subtitle:
            self.height += 0.15 + _line(SUBTITLE_SIZE)

    def draw(self, board: Axes, height: float) -> float:
        """Draw the header and return the y (inches from the bottom) where it ends."""
        y = height - _TOP_MARGIN
        board.text(_MARGIN, y, self.title, **_text(TITLE_SIZE, color=INK, weight="bold", va="top"))
        y -= (self.title.count("\n") + 1) * _line(TITLE_SIZE)
        if self.subtitle:
            y -= 0.15
            board.text(_MARGIN, y, self.subtitle, **_text(SUBTITLE_SIZE, color=MUTED, va="top"))
            y -= _line(SUBTITLE_SIZE)
        return y


@dataclass(frozen=True)
class _Row:
    label: str  # already wrapped
    count: int
    share: float  # 0..1 of the question's respondents
    color: str
    height: float


@dataclass(frozen=True)
class _Panel:
    """One question: its prompt, a meta line, and one bar per option."""

    prompt: str
    meta: str
    rows: tuple[_Row, ...]  # empty when nobody answered: the meta line then says so
    lang: str

    @classmethod
    def build(cls, question: ChartQuestion, words: Mapping[str, str], lang: str) -> _Panel:
        """Lay out one question: wrap its texts and compute each bar's share."""
        counts = [(label, max(0, count)) for label, count in question.counts]
        # Percentages are of the people who answered this question; if the caller did not
        # say how many, the total of the counts is exact for single and scale questions.
        denominator = question.respondents or sum(count for _, count in counts)
        meta_parts = [_plural(lang, "response", denominator)]
        if question.kind == "scale":
            average = question.average
            if average is None and denominator:
                weighted = sum(_scale_value(label) * count for label, count in counts)
                average = weighted / sum(count for _, count in counts)
            if average is not None and denominator:
                meta_parts.append(words["average"].format(value=_decimal(average, lang)))
        if question.kind == "multiple":
            meta_parts.append(words["several"])

        rows = []
        for index, (label, count) in enumerate(counts):
            wrapped = _wrap(label, 26, 3)
            lines = wrapped.count("\n") + 1
            rows.append(
                _Row(
                    label=wrapped,
                    count=count,
                    share=min(1.0, count / denominator) if denominator else 0.0,
                    color=_scale_color(index, len(counts)) if question.kind == "scale" else ACCENT,
                    height=max(_BAR_THICKNESS, lines * _line(LABEL_SIZE)) + _ROW_PAD,
                )
            )
        note = words["no_answers"] if denominator == 0 or not rows else None
        return cls(
            prompt=_wrap(question.prompt, 62, 3),
            meta=note if note is not None else " · ".join(meta_parts),
            rows=tuple(rows) if note is None else (),
            lang=lang,
        )

    @property
    def head_height(self) -> float:
        """Height of the prompt and meta line."""
        return (
            _PANEL_GAP
            + (self.prompt.count("\n") + 1) * _line(PROMPT_SIZE)
            + 0.08
            + _line(META_SIZE)
            + 0.15
        )

    @property
    def height(self) -> float:
        """Total height of the panel in inches."""
        return self.head_height + sum(row.height for row in self.rows)

    def draw(self, board: Axes, top: float) -> float:
        """Draw the panel below `top` (inches from the bottom) and return where it ends."""
        y = top - _PANEL_GAP
        board.text(
            _MARGIN, y, self.prompt, **_text(PROMPT_SIZE, color=INK, weight="bold", va="top")
        )
        y -= (self.prompt.count("\n") + 1) * _line(PROMPT_SIZE) + 0.08
        board.text(_MARGIN, y, self.meta, **_text(META_SIZE, color=MUTED, va="top"))
        y = top - self.head_height
        full = _BARS_RIGHT - _BARS_LEFT
        for row in self.rows:
            center = y - row.height / 2
            bar = {"height": _BAR_THICKNESS, "left": _BARS_LEFT, "linewidth": 0}
            board.barh(center, full, color=TRACK, **bar)
            if row.share > 0:
                board.barh(center, full * row.share, color=row.color, **bar)
            board.text(
                _LABEL_RIGHT,
                center,
                row.label,
                **_text(LABEL_SIZE, color=INK, ha="right", va="center"),
            )
            board.text(
                _BARS_RIGHT + 0.15,
                center,
                f"{_percent(row.share, self.lang)} ({row.count})",
                **_text(VALUE_SIZE, color=INK, ha="left", va="center"),
            )
            y -= row.height
        return y


# --- helpers -------------------------------------------------------------------------------


def _language(language: str) -> str:
    """Map 'fr', 'fr-FR' or 'fr_CA' to a key of `_WORDS`, English otherwise."""
    code = (language or "").replace("_", "-").split("-", 1)[0].lower()
    return code if code in _WORDS else "en"


def _words(language: str) -> dict[str, str]:
    return _WORDS[_language(language)]


def _plural(lang: str, key: str, n: int) -> str:
    # French uses the singular for 0 and 1, English only for 1.
    one = n == 1 or (n == 0 and lang == "fr")
    return _WORDS[lang][f"{key}_one" if one else f"{key}_many"].format(n=n)


def _survey_subtitle(respondents: int, invited: int, words: Mapping[str, str], lang: str) -> str:
    parts = [_plural(lang, "response", max(0, respondents))]
    if invited > 0:
        parts.append(_plural(lang, "invited", invited))
        parts.append(words["rate"].format(pct=_percent(max(0, respondents) / invited, lang)))
    return " · ".join(parts)


def _percent(share: float, lang: str) -> str:
    value = round(share * 100)
    # French typography puts a (no-break) space before the percent sign.
    return f"{value}\u00a0%" if lang == "fr" else f"{value}%"


def _decimal(value: float, lang: str) -> str:
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "fr" else text


def _scale_value(label: str) -> int:
    try:
        return int(label)
    except ValueError:
        return 0


def _scale_color(index: int, count: int) -> str:
    """Return a shade of the accent, light for the low end of the scale, dark for the top."""
    fraction = index / (count - 1) if count > 1 else 1.0
    base = tuple(int(ACCENT[i : i + 2], 16) for i in (1, 3, 5))
    light = tuple(255 - (255 - c) * 0.35 for c in base)  # accent mixed with white
    dark = tuple(c * 0.7 for c in base)  # accent mixed with black
    mixed = (lo + (hi - lo) * fraction for lo, hi in zip(light, dark, strict=True))
    return "#" + "".join(f"{round(c):02X}" for c in mixed)


def _wrap(text: str, width: int, max_lines: int) -> str:
    """Wrap to `width` characters, at most `max_lines` lines, ending with … when cut."""
    collapsed = " ".join(text.split())
    return "\n".join(textwrap.wrap(collapsed, width, max_lines=max_lines, placeholder=" …")) or " "


def _week_label(week: date, words: Mapping[str, str]) -> str:
    # Short on purpose: twelve labels must fit side by side in 1200 px.
    month_names = words.get("months", "").split("|")
    month_name = month_names[week.month - 1] if len(month_names) == 12 else ""
    day = words["day_month"].format(day=week.day, month=week.month, month_name=month_name)
    return f"{words['week'].format(n=week.isocalendar().week)}\n{day}"


def _text(size: float, **props: object) -> dict[str, object]:
    """Text properties for user-supplied strings: our font, and `$` is not math."""
    return {"fontfamily": FONT, "fontsize": size, "parse_math": False, **props}


def _strip_axes(ax: Axes) -> None:
    """Hide spines and ticks but keep the axes, whose spines the caller may turn back on."""
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("none")


def _new_figure(height_in: float) -> tuple[Figure, Axes]:
    """Return a white figure and a full-size, invisible "board" axes measured in inches."""
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    # Drawing on one board in inches, rather than one axes per panel, keeps text and bar
    # sizes fixed whatever the figure height, and is much faster for tall figures.
    board = fig.add_axes((0, 0, 1, 1))
    board.set_axis_off()
    board.set_xlim(0, WIDTH_IN)
    board.set_ylim(0, height_in)
    return fig, board


def _render_note_figure(header: _Header, note: str) -> bytes:
    """Render a header and one centred note, for charts with nothing to draw."""
    body = 2.6
    height = header.height + body + _BOTTOM_MARGIN
    with _RENDER_LOCK:
        fig, board = _new_figure(height)
        y = header.draw(board, height)
        board.text(
            WIDTH_IN / 2,
            y - body / 2,
            _wrap(note, 60, 3),
            ha="center",
            va="center",
            **_text(NOTE_SIZE, color=MUTED),
        )
        return _png(fig)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # No "Software" entry (it carries the matplotlib version) and PNG has no timestamp by
    # default, so the same data always gives the same bytes.
    fig.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()
