"""PNG charts: valid images of a Slack-friendly width, in both languages, whatever the data."""

from __future__ import annotations

import functools
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from string import Formatter

import pytest
from PIL import Image

from bot import charts
from bot.charts import ChartQuestion, survey_results_png, weekly_activity_png

LANGUAGES = ["fr", "en"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

QUESTIONS = (
    ChartQuestion(
        "Comment avez-vous découvert la communauté ?",
        "single",
        (("Par un·e collègue", 12), ("Sur Slack", 7), ("Autre", 1)),
        respondents=20,
    ),
    ChartQuestion(
        "Quels formats préférez-vous ?",
        "multiple",
        (("Atelier", 15), ("Présentation éclair", 11), ("Café-débat", 6)),
        respondents=20,
    ),
    ChartQuestion(
        "Êtes-vous satisfait·e ?",
        "scale",
        (("1", 1), ("2", 2), ("3", 5), ("4", 8), ("5", 4)),
        respondents=20,
        average=3.6,
    ),
    ChartQuestion("Des suggestions ?", "text", respondents=9),
)


def image_size(png: bytes) -> tuple[int, int]:
    """Check `png` is a well-formed PNG and return its (width, height) in pixels."""
    assert png.startswith(PNG_SIGNATURE)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        return image.size


def weeks(count: int, start: date = date(2024, 11, 25)) -> list[date]:
    return [start + timedelta(weeks=i) for i in range(count)]


def survey(questions=QUESTIONS, *, respondents=20, invited=40, language="fr") -> bytes:
    return _survey(tuple(questions), respondents, invited, language)


@functools.cache  # renders are pure; sharing identical ones keeps the file fast
def _survey(questions, respondents, invited, language) -> bytes:
    return survey_results_png(
        "Sondage de rentrée", questions, respondents=respondents, invited=invited, language=language
    )


def choice(prompt: str, options: int = 2, *, respondents: int = 6) -> ChartQuestion:
    counts = tuple((f"Option {i}", i) for i in range(options))
    return ChartQuestion(prompt, "single", counts, respondents=respondents)


# --- survey results --------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_survey_chart_is_a_1200px_png_of_sensible_size(language):
    """A typical survey gives a 1200 px wide PNG between 10 KB and 1 MB."""
    png = survey(language=language)
    width, height = image_size(png)
    assert width == 1200
    assert 600 < height < 4000
    assert 10_000 < len(png) < 1_000_000


def test_survey_chart_is_deterministic():
    """The same data renders to the same bytes (no timestamp or version in the file)."""
    fresh = survey_results_png(
        "Sondage de rentrée", QUESTIONS, respondents=20, invited=40, language="fr"
    )
    assert fresh == survey()


def test_languages_differ_and_regional_tags_fall_back_to_the_language():
    """'fr-FR' renders the French chart; English and French charts differ."""
    assert survey(language="fr-FR") == survey(language="fr")
    assert survey(language="en") != survey(language="fr")


def test_unknown_language_renders_in_english():
    """A language without words renders like English instead of failing."""
    assert survey(language="de") == survey(language="en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_zero_respondents_still_give_a_png(language):
    """With nobody having answered, the chart is a small valid PNG with a note."""
    width, height = image_size(survey(respondents=0, language=language))
    assert width == 1200
    assert height < 600


def test_only_text_questions_still_give_a_png():
    """A survey with nothing to chart returns a valid note image."""
    width, height = image_size(survey([ChartQuestion("Pourquoi ?", "text", respondents=3)]))
    assert (width, height < 600) == (1200, True)


def test_no_questions_at_all_still_give_a_png():
    """An empty question list renders too."""
    assert image_size(survey(()))[0] == 1200


def test_question_nobody_answered_is_a_short_panel():
    """A choice question with no answers takes less room than one with answers."""
    answered = image_size(survey([choice("Oui ou non ?")]))[1]
    nobody = ChartQuestion("Oui ou non ?", "single", (("Oui", 0), ("Non", 0)), respondents=0)
    assert image_size(survey([nobody]))[1] < answered


def test_text_questions_take_no_room():
    """Free-text questions are skipped, not drawn as empty panels."""
    text = ChartQuestion("Pourquoi ?", "text", respondents=3)
    with_text = survey([QUESTIONS[0], text, text])
    assert image_size(with_text) == image_size(survey([QUESTIONS[0]]))


def test_thirty_questions_render_in_one_tall_image():
    """Thirty choice questions give one image, taller for each panel, under the Agg limit."""
    png = survey([choice(f"Question {i} : qu'en pensez-vous ?", 4) for i in range(30)])
    width, height = image_size(png)
    assert width == 1200
    assert 30 * 150 < height < 20_000
    assert len(png) < 2_000_000


def test_panels_beyond_the_cap_only_add_a_footer(monkeypatch):
    """Past MAX_PANELS chartable questions, the extra ones only add a one-line footer."""
    monkeypatch.setattr(charts, "MAX_PANELS", 3)
    three = image_size(survey([choice(f"Q{i}") for i in range(3)]))[1]
    four = image_size(survey([choice(f"Q{i}") for i in range(4)]))[1]
    ten = image_size(survey([choice(f"Q{i}") for i in range(10)]))[1]
    assert four == ten
    assert 0 < four - three < 100


def test_height_guard_drops_whole_panels(monkeypatch):
    """A survey taller than the height limit is cut between panels, within the limit."""
    monkeypatch.setattr(charts, "MAX_HEIGHT_IN", 12.0)
    _, height = image_size(survey([choice(f"Q{i}", 10) for i in range(8)]))
    assert height <= 12 * charts.DPI


def test_long_french_labels_and_ten_options_render():
    """Ten options with very long accented labels and prompt wrap instead of overflowing."""
    long_label = "Une réponse très détaillée, écrite à la hâte : « ça dépend » " * 4
    long_prompt = "Qu'avez-vous préféré lors des rencontres mensuelles de l'été ? " * 5
    counts = tuple((f"{i} — {long_label}", i) for i in range(10))
    question = ChartQuestion(long_prompt, "multiple", counts, respondents=12)
    long_png = survey([question])
    short_png = survey([choice("Court ?", 10, respondents=12)])
    width, long_height = image_size(long_png)
    assert width == 1200
    # Labels wrap to at most three lines each, so the panel grows but stays bounded.
    assert image_size(short_png)[1] < long_height < 3 * image_size(short_png)[1]


def test_unbroken_words_and_dollar_signs_render():
    """A URL-like label and `$` signs (mathtext syntax) are drawn as plain text."""
    question = ChartQuestion(
        "Budget $x$ ? $\\frac{1}{0",
        "single",
        (("https://example.com/" + "a" * 120, 2), ("$5 – $10", 1)),
        respondents=3,
    )
    assert image_size(survey([question]))[0] == 1200


def test_scale_average_is_computed_when_missing():
    """A scale question without an average gets one from its counts."""
    counts = (("1", 0), ("2", 0), ("3", 1), ("4", 1), ("5", 0))
    given = ChartQuestion("Note ?", "scale", counts, respondents=2, average=3.5)
    missing = ChartQuestion("Note ?", "scale", counts, respondents=2)
    assert survey([missing]) == survey([given])


def test_unknown_question_kind_is_rejected():
    """A typo in a kind fails loudly instead of silently dropping the question."""
    with pytest.raises(ValueError, match="kind"):
        ChartQuestion("?", "ranking")


def test_wrap_caps_lines_and_marks_the_cut():
    """Wrapped text never exceeds its line budget and ends with an ellipsis when cut."""
    wrapped = charts._wrap("mot " * 100, 20, 3)
    lines = wrapped.split("\n")
    assert len(lines) == 3
    assert all(len(line) <= 20 for line in lines)
    assert lines[-1].endswith("…")


def test_both_languages_have_the_same_words():
    """Every chart word exists in French and English with the same placeholders."""
    fr, en = charts._WORDS["fr"], charts._WORDS["en"]
    optional = {"months"}  # only English dates spell the month
    assert set(fr) - optional == set(en) - optional

    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in Formatter().parse(template) if name}

    for key in set(fr) - optional - {"day_month"}:
        assert fields(fr[key]) == fields(en[key]), key


# --- weekly activity -------------------------------------------------------------------

SERIES = {
    "Messages": [5, 8, 12, 3, 0, 9, 14, 11, 7, 6, 10, 13],
    "Nouveaux membres": [2, 1, 0, 4, 0, 1, 2, 0, 3, 1, 0, 2],
    "Réponses aux sondages": [0, 0, 24, 6, 0, 0, 3, 0, 0, 12, 2, 1],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_weekly_chart_is_a_1200px_png(language):
    """Twelve weeks of three kinds give a 1200 px wide PNG of sensible size."""
    png = weekly_activity_png(weeks(12), SERIES, title="Activité", language=language)
    width, height = image_size(png)
    assert width == 1200
    assert 500 < height < 1500
    assert 10_000 < len(png) < 500_000


@pytest.mark.parametrize("count", [0, 1, 30])
def test_weekly_chart_handles_any_number_of_weeks(count):
    """No weeks, a single week and thirty weeks all render."""
    series = {"Messages": [i % 7 for i in range(count)], "Outils": [1] * count}
    png = weekly_activity_png(weeks(count), series, title="Activité", language="fr")
    assert image_size(png)[0] == 1200


def test_weekly_chart_with_all_zero_data_renders():
    """Weeks without any activity give a chart with a note, not an error."""
    series = {"Messages": [0] * 8, "Outils": [0] * 8}
    png = weekly_activity_png(weeks(8), series, title="Activité", language="en")
    assert image_size(png)[0] == 1200


def test_weekly_chart_without_series_renders():
    """Weeks but no kinds at all still render."""
    png = weekly_activity_png(weeks(4), {}, title="Activité", language="en")
    assert image_size(png)[0] == 1200


def test_weekly_chart_with_many_long_kinds_renders():
    """Twelve kinds with long names wrap in a legend below the bars."""
    series = {f"Une catégorie d'activité assez longue n°{i}": [i] * 6 for i in range(12)}
    png = weekly_activity_png(weeks(6), series, title="Activité", language="fr")
    width, height = image_size(png)
    assert width == 1200
    assert height < 2500


def test_weekly_series_must_match_the_weeks():
    """A series of the wrong length is a caller bug and is reported."""
    with pytest.raises(ValueError, match="Messages"):
        weekly_activity_png(weeks(3), {"Messages": [1, 2]}, title="x", language="en")


def test_week_labels_use_the_iso_week_and_language():
    """Week labels read S48 in French and W48 in English, with a short date."""
    monday = date(2024, 11, 25)  # ISO week 48
    assert charts._week_label(monday, charts._WORDS["fr"]) == "S48\n25/11"
    assert charts._week_label(monday, charts._WORDS["en"]) == "W48\nNov 25"


# --- concurrency -----------------------------------------------------------------------


def test_concurrent_renders_match_serial_ones():
    """Four threads rendering at once produce exactly what serial renders produce."""
    jobs = [
        lambda: survey_results_png("A", QUESTIONS[:2], respondents=20, invited=0, language="fr"),
        lambda: weekly_activity_png(weeks(6), {"M": [1, 2, 3, 0, 5, 6]}, title="B", language="en"),
    ] * 2
    serial = [job() for job in jobs[:2]] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        concurrent = list(pool.map(lambda job: job(), jobs))
    assert concurrent == serial
