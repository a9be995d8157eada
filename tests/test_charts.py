"""Charts: every kind in both languages, real glyphs, no overlaps, identical bytes."""
from __future__ import annotations

import json
import re
import warnings
import xml.etree.ElementTree as ElementTree

import pytest
from conftest import ROOT, svg_smallest_text_pt
from synthetic import NAMED_ACTORS, numbered_actors, write_dataset

from generator.charts import NARROW, SHEETS, WIDE, ChartError, commitment_parts, write_charts
from generator.classify import classify
from generator.cli import analyse
from generator.load import load_data
from generator.validate import validate


def render_charts(analysis, out):
    """Draw every chart through a store of its own under `out`, then write them out as `briefing charts` does."""
    from generator.build import code_digest
    from generator.charts import render_charts as render
    from generator.store import Store

    chart_set = render(analysis, Store(out / "store"), code_digest())
    write_charts(chart_set, out / "charts")
    return chart_set


KINDS = {"alignment-map", "curve", "matrix", "diagram", "commitment", "timeline", "sensitivity"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def seed_charts(tmp_path_factory):
    out = tmp_path_factory.mktemp("first")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph or an overlap fails the render
        chart_set = render_charts(analyse(str(ROOT / "data")), out)
    return out, chart_set


def test_all_seven_kinds_render_for_the_seed_data_in_every_language_and_width(seed_charts):
    out, chart_set = seed_charts
    made = {(chart.kind, chart.lang, chart.variant) for chart in chart_set.charts}
    assert made == {(kind, lang, sheet.name) for kind in KINDS for lang in ("zh-TW", "en", "zh-Hans") for sheet in SHEETS}
    # per language and width: 1 triad map, 5 charts for each of 3 dyads, commitment, Figure 2
    assert len(chart_set.charts) == 3 * 2 * (1 + 3 * 5 + 2)
    for chart in chart_set.charts:
        root = ElementTree.parse(out / chart.path).getroot()
        assert root.tag == f"{SVG}svg", chart.path
        # Text is drawn as outlines, so the picture does not depend on installed fonts.
        assert root.find(f".//{SVG}text") is None, chart.path
        assert b"<dc:date>" not in (out / chart.path).read_bytes(), chart.path


def test_a_second_build_in_another_folder_gives_identical_bytes(seed_charts, tmp_path):
    out, chart_set = seed_charts
    render_charts(analyse(str(ROOT / "data")), tmp_path)
    for chart in chart_set.charts:
        assert (tmp_path / chart.path).read_bytes() == (out / chart.path).read_bytes(), chart.path


def test_alt_text_states_the_verdict(seed_charts):
    _, chart_set = seed_charts
    assert chart_set.find("alignment-map", "chn-prk-rus-usa", "en").alt == (
        "North Korea–China is a balancing–tethering alliance with low to medium cohesion; "
        "Russia–China is a balancing–hedging alliance with low to medium cohesion; "
        "Russia–North Korea is a balancing–balancing alliance with high cohesion. "
        "A trilateral balancing alliance is unlikely: commitment is variable and cohesion at most medium."
    )
    assert chart_set.find("matrix", "russia-china", "zh-TW").alt == (
        "俄羅斯：外部威脅高度、內部威脅低度，落在G 格（抗衡）；中國：外部威脅中度、內部威脅低度，落在D 格（避險）；"
        "另一種解讀為A 格（避險）；兩者構成抗衡–避險同盟。"
    )
    assert chart_set.find("sensitivity", "russia-north-korea", "en").alt == (
        "Russia–North Korea is a balancing–balancing alliance; 2 single steps change it: "
        "Russia's external threat moving from high to medium gives a hedging–balancing alliance; "
        "North Korea's external threat moving from high to medium gives a balancing–hedging alliance."
    )
    assert chart_set.find("timeline", "russia-north-korea", "en").alt == (
        "10 events from 2022-01-30 to 2025-04-28; the latest, on 2025-04-28, is: "
        "North Korea confirms for the first time that it sent troops to fight for Russia in Kursk."
    )


def test_every_chart_has_a_title_and_alt_text_in_its_own_language(seed_charts):
    _, chart_set = seed_charts
    for chart in chart_set.charts:
        assert chart.title and chart.alt.endswith({"zh-TW": "。", "en": ".", "zh-Hans": "。"}[chart.lang]), chart.path


@pytest.mark.slow
def test_ten_dyads_five_actors_and_another_external_actor_draw_cleanly(tmp_path):
    data = write_dataset(tmp_path, NAMED_ACTORS, ("CHN", "中國", "China"), 10)
    analysis = classify(validate(load_data(data)))
    assert len(analysis.dyads) == 10 and len(analysis.triads) == 10
    assert {p.strategy for r in analysis.dyads for p in r.positions} == {
        "hedging", "tethering", "balancing", "bandwagoning", "indeterminate"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        chart_set = render_charts(analysis, tmp_path / "out")
    assert len(chart_set.charts) == 3 * 2 * (10 + 10 * 5 + 2)
    names = " ".join(chart.alt for chart in chart_set.charts if chart.lang == "en")
    for absent in ("Russia", "North Korea", "United States"):
        assert absent not in names


def test_a_character_the_font_lacks_stops_the_render_with_a_clear_message(tmp_path):
    from dataclasses import replace

    from generator.model import DataError, Text

    data = write_dataset(tmp_path, NAMED_ACTORS[:2], ("CHN", "中國", "China"), 1)
    analysis = classify(validate(load_data(data)))
    dyad_file = next((data / "dyads").glob("*.yaml"))
    dyad_file.write_text(dyad_file.read_text(encoding="utf-8").replace("Australia–India", "Australia–India 𓀀"),
                         encoding="utf-8")
    # briefing check names the file and line first ...
    with pytest.raises(DataError) as refused:
        validate(load_data(data))
    assert [str(problem) for problem in refused.value.problems] == [
        f"{dyad_file}:9: the text holds '𓀀' (U+13000 EGYPTIAN HIEROGLYPH A001), which the site's fonts cannot show: "
        "it would print as an empty box; remove it or use a character the fonts have"]
    # ... and the charts keep their own guard, for text that does not come from the data.
    result = analysis.dyads[0]
    title = Text.of({"zh-TW": result.dyad.title.get("zh-TW"), "en": result.dyad.title.get("en") + " 𓀀"})
    broken = replace(analysis, dyads=(replace(result, dyad=replace(result.dyad, title=title)),))
    with pytest.raises(ChartError) as error:
        render_charts(broken, tmp_path / "out")
    assert "missing from font" in str(error.value)
    assert "reword the text" in str(error.value)


def test_briefing_charts_writes_every_chart_and_a_manifest(workdir, run):
    write_dataset(workdir, NAMED_ACTORS[:3], ("CHN", "中國", "China"), 3)
    code, out, err = run("charts", "--out", "built")
    assert (code, err) == (0, "")
    assert out == "briefing charts: wrote 108 charts to built\n"
    manifest = json.loads((workdir / "built" / "charts.json").read_text(encoding="utf-8"))
    assert len(manifest) == 108
    assert all((workdir / "built" / item["path"]).is_file() for item in manifest)
    # Each chart is listed in both widths, with its size and its smallest text.
    narrow = {item["path"]: item for item in manifest if item["variant"] == "narrow"}
    assert len(narrow) == 54 and {item["width"] for item in narrow.values()} == {348}
    assert all(item["min_font_pt"] >= 9 for item in manifest)
    assert sorted(p.name for p in (workdir / "built").iterdir()) == [
        ".briefing-site", "charts.json", "commitment.en.narrow.svg", "commitment.en.svg",
        "commitment.zh-Hans.narrow.svg", "commitment.zh-Hans.svg", "commitment.zh-TW.narrow.svg",
        "commitment.zh-TW.svg", "dyads", "framework-curve.en.narrow.svg", "framework-curve.en.svg",
        "framework-curve.zh-Hans.narrow.svg", "framework-curve.zh-Hans.svg",
        "framework-curve.zh-TW.narrow.svg", "framework-curve.zh-TW.svg", "triads"]
    assert not (workdir / "site").exists()  # never into the live site


@pytest.mark.parametrize(
    "text, columns, lines",
    [
        ("俄羅斯發動對烏克蘭的「特別軍事行動」　Osborn & Nikolskaya（2022）", 62,
         ["俄羅斯發動對烏克蘭的「特別軍事行動」　Osborn & Nikolskaya", "（2022）"]),
        ("北韓試射洲際彈道飛彈，中國外交部僅呼籲維護半島和平穩定", 20,
         ["北韓試射洲際彈道飛", "彈，中國外交部僅呼籲", "維護半島和平穩定"]),
        ("Putin accuses the United States and NATO of pushing Russia to its red lines", 30,
         ["Putin accuses the United", "States and NATO of pushing", "Russia to its red lines"]),
    ],
)
def test_wrap_keeps_words_whole_and_punctuation_off_line_starts(text, columns, lines):
    from generator.charts import wrap

    assert wrap(text, columns).split("\n") == lines


def test_two_hedgers_on_the_curve_are_not_reported_as_overlapping():
    """Their leader lines meet near the points; the layout check measures the labels alone."""
    import datetime as dt

    import matplotlib

    from generator import charts
    from generator.model import Actor, Dataset, Dyad, Origin, Text, ThreatAssessment

    text = Text.of({"zh-TW": "t", "en": "t"})
    actors = tuple(Actor(code, Text.of({"zh-TW": zh, "en": en}), Origin("x", 1))
                   for code, zh, en in (("AAA", "第3國", "State 3"), ("BBB", "第5國", "State 5"), ("ZZZ", "外", "Z")))
    threats = (ThreatAssessment("AAA", "low", "low", text, ("x",)), ThreatAssessment("BBB", "medium", "low", text, ("x",)))
    analysis = classify(Dataset(actors, (), (Dyad("d", ("AAA", "BBB"), "ZZZ", dt.date(2025, 1, 1), text, text, threats,
                                                  Origin("x", 1)),)))
    for lang in ("zh-TW", "en"):
        with matplotlib.rc_context(charts.style("zh-TW")), warnings.catch_warnings():
            warnings.simplefilter("error")
            figure, _, _ = charts.draw_curve(analysis, analysis.dyads[0], lang)
            charts.check_layout(figure, "curve")


def test_the_commitment_overview_comes_in_parts_of_twelve_dyads(tmp_path):
    data = write_dataset(tmp_path, numbered_actors(8), ("ZZZ", "外部強權", "Outside Power"), 25)
    analysis = analyse(str(data))
    parts = commitment_parts(analysis)
    assert [(subject, len(dyads)) for subject, dyads in parts] == [("all-dyads-1", 12), ("all-dyads-2", 12),
                                                                   ("all-dyads-3", 1)]
    assert [result for _, dyads in parts for result in dyads] == list(analysis.dyads)
    from generator.charts import ChartSet, plan, render

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # only the commitment parts are drawn: the rest is tested above
        chart_set = ChartSet(tuple(render(job)[0] for job in plan(analysis) if job.kind == "commitment"))
    assert chart_set.narrow(chart_set.find("commitment", "all-dyads-2", "en")).path == "charts/commitment-2.en.narrow.svg"
    assert chart_set.find("commitment", "all-dyads-3", "en").title == "Commitment and cohesion across dyads (part 3 of 3)"
    assert chart_set.find("commitment", "all-dyads-1", "zh-TW").title == "各組雙邊關係的承諾與凝聚力（第 1 組，共 3 組）"
    assert chart_set.find("commitment", "all-dyads-2", "en").path == "charts/commitment-2.en.svg"
    # Each part's alt text names exactly its own dyads.
    second = chart_set.find("commitment", "all-dyads-2", "en").alt
    assert all(result.dyad.title.get("en") in second for result in parts[1][1])
    assert parts[2][1][0].dyad.title.get("en") not in second


def test_a_brief_embeds_the_commitment_parts_that_hold_its_dyads(tmp_path):
    from generator.charts import ChartSet, plan
    from generator.pages import Context, Settings

    data = write_dataset(tmp_path, numbered_actors(8), ("ZZZ", "外部強權", "Outside Power"), 25)
    analysis = analyse(str(data))
    # Chart metadata only: which part a dyad is drawn in does not depend on drawing it.
    charts = ChartSet(tuple(job.placeholder(job.subject) for job in plan(analysis)))
    context = Context(analysis, charts, Settings(organisation={}), "en", "briefs/x.html")
    ids = [result.dyad.id for result in analysis.dyads]
    assert [chart.path for chart in context.commitment_charts((ids[13],))] == ["charts/commitment-2.en.svg"]
    assert [chart.path for chart in context.commitment_charts((ids[0], ids[24]))] == [
        "charts/commitment-1.en.svg", "charts/commitment-3.en.svg"]
    assert len(context.commitment_charts()) == 3


def test_cache_keys_depend_on_content_not_on_where_the_data_was_read_from(monkeypatch):
    from generator.build import code_digest
    from generator.charts import cache_key, plan

    fingerprint = code_digest()
    absolute = plan(analyse(str(ROOT / "data")))
    monkeypatch.chdir(ROOT)
    relative = plan(analyse("data"))
    assert [cache_key(job, fingerprint) for job in absolute] == [cache_key(job, fingerprint) for job in relative]


def test_every_chart_records_its_size_and_smallest_text_as_drawn(seed_charts):
    out, chart_set = seed_charts
    for chart in chart_set.charts:
        svg = (out / chart.path).read_bytes()
        assert svg_smallest_text_pt(svg) == chart.min_font_pt >= 9, chart.path
        width_pt = float(re.search(rb'<svg [^>]*width="([0-9.]+)pt"', svg)[1])
        assert round(width_pt * 4 / 3) == chart.width, chart.path


def test_narrow_charts_read_at_eleven_px_on_a_390_px_phone(seed_charts):
    """A narrow chart is drawn for the phone's column, so there it is shown at its own size."""
    from generator.charts import FIGURE_INSET_PX, PHONE_VIEWPORT_PX, PX_PER_PT

    _, chart_set = seed_charts
    for chart in chart_set.charts:
        if chart.variant == NARROW.name:
            assert chart.width == PHONE_VIEWPORT_PX - FIGURE_INSET_PX, chart.path
            assert chart.min_font_pt * PX_PER_PT >= 11, chart.path
            wide = chart_set.find(chart.kind, chart.subject, chart.lang, WIDE.name)
            assert chart_set.narrow(wide) == chart
            assert chart.path == wide.path.removesuffix(".svg") + ".narrow.svg"


# ---- the layout check: text inside its box, words broken only with a hyphen -------------------------


@pytest.mark.parametrize(
    ("lines", "source", "broken"),
    [
        ("Philippi\nnes", "the Philippines", ["Philippi|nes"]),  # dropped "the " is not a line breaking
        ("Philippi\nnes", "Philippines", ["Philippi|nes"]),
        ("Philippi-\nnes", "Philippines", []),
        ("North\nKorea", "North Korea", []),
        ("flips to:\nbalancing–\nbalancing", "flips to: balancing–balancing", []),
        ("北韓\n抗衡", "北韓抗衡", []),
        ("第 9\n條", "第 9 條", []),
        ("high → medium\nflips to: type open", "high → medium\nflips to: type open", []),
        ("high → medium\nflips to", None, ["medium|flips"]),  # a break between letters must say what it broke
        ("2024\n年", None, []),
        ("20\n24", "2024", ["20|24"]),
    ],
)
def test_broken_words_finds_every_word_broken_without_a_hyphen(lines, source, broken):
    from generator.charts import broken_words

    expected = broken if source != "the Philippines" else [f"{lines!r} (not a line breaking of {source!r})"]
    assert broken_words(lines, source) == expected


def layout_warnings(figure) -> list[str]:
    from generator.charts import check_layout

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        check_layout(figure, "test.svg")
    return [str(warning.message) for warning in caught]


def test_the_layout_check_fails_text_that_leaves_its_box_or_breaks_a_word():
    import matplotlib
    from matplotlib.patches import Rectangle

    from generator import charts

    with matplotlib.rc_context(charts.style("zh-TW")):
        figure = charts.new_figure(1.0)
        axes = figure.add_axes((0, 0, 1, 1))
        charts.tidy_axes(axes)
        axes.set_xlim(0, 10)
        axes.set_ylim(0, 10)
        box = axes.add_patch(Rectangle((1, 4), 1, 2, facecolor="none"))
        charts.boxed_text(axes, box, 1.5, 5, "one step down", ha="center", va="center", fontsize=9)
        wide = axes.add_patch(Rectangle((5, 1), 4, 8, facecolor="none"))
        charts.boxed_text(axes, wide, 7, 5, "Philippi\nnes", "Philippines", ha="center", va="center", fontsize=9)
        assert layout_warnings(figure) == [
            "test.svg: 'Philippi\nnes' is broken across lines without a hyphen".replace("'Philippi\nnes'", "'Philippi|nes'"),
            "test.svg: 'one step down' leaves its box",
        ]


def test_fitted_breaks_a_word_wider_than_the_line_with_a_hyphen_leaving_three_letters_a_side():
    import matplotlib

    from generator import charts

    with matplotlib.rc_context(charts.style("zh-TW")):
        assert charts.fitted("bandwagoning", 50, 9) == "bandwago-\nning"
        # Spaces first: the strategy pair breaks at its dash only when it cannot fit a line of its own.
        assert charts.fitted("flips to: balancing–balancing", 96, 9) == "flips to:\nbalancing–balancing"
        assert charts.fitted("flips to: balancing–balancing", 60, 9) == "flips to:\nbalancing–\nbalancing"


def drawn(draw, *args, lang="zh-TW", sheet=WIDE):
    import matplotlib

    from generator import charts

    with matplotlib.rc_context(charts.style("zh-TW")):
        figure, title, alt = draw(*args, lang, sheet=sheet)
        figure.draw_without_rendering()
    return figure


def texts_of(figure) -> list[str]:
    from generator.charts import visible_texts

    return [artist.get_text() for artist in visible_texts(figure)]


def test_the_matrix_marks_the_option_each_actor_took_in_a_choice_cell_and_points_its_threat_axes_up_the_levels():
    from generator import charts

    analysis = analyse(str(ROOT / "data"))
    for lang, chosen, axis in (("zh-TW", "● 抗衡", "外部威脅 →"), ("en", "● balancing", "External threat →")):
        figure = drawn(charts.draw_matrix, analysis, analysis.dyad("north-korea-china"), lang=lang)
        bold = [artist.get_text() for artist in charts.visible_texts(figure) if artist.get_fontweight() == "bold"]
        # North Korea (the first actor, ●) sits in H, where it may tether or balance: it balances.
        assert chosen in bold
        axes = figure.axes[0]
        assert axes.get_ylabel() == axis and axes.yaxis.label.get_rotation() == 270  # reads downwards, as rows rise
        assert axes.get_ylim() == (3.0, 0.0)  # low at the top, as Table 2 prints it


def test_a_variable_commitment_is_a_mark_not_a_bar_and_the_key_explains_it():
    from matplotlib.patches import Rectangle

    from generator import charts

    analysis = analyse(str(ROOT / "data"))
    for lang, mark, note in (
        ("zh-TW", "～承諾多變，沒有固定程度", "～多變：程度因時而異，沒有固定的高低"),
        ("en", "~ commitment variable, no steady level", "~ variable: the degree changes over time and has no steady level"),
    ):
        for sheet in SHEETS:
            figure = drawn(charts.draw_commitment, analysis, lang=lang, sheet=sheet)
            texts = " ".join(texts_of(figure))
            assert mark in texts and note in texts.replace("\n", " ")
            bars = [patch for patch in figure.axes[0].patches if isinstance(patch, Rectangle)]
            # North Korea–China's commitment is variable: 5 bars for the 6 measures of 3 dyads, none across the scale.
            assert len(bars) == 5
            assert max(bar.get_width() for bar in bars) < 2


def test_timeline_numbers_never_stack_and_each_points_to_its_date():
    from generator import charts

    analysis = analyse(str(ROOT / "data"))
    for sheet in SHEETS:
        figure = drawn(charts.draw_timeline, analysis, analysis.dyad("north-korea-china"), sheet=sheet)
        numbers = [artist for artist in charts.visible_texts(figure)
                   if artist.get_text().isdigit() and int(artist.get_text()) < 100]  # not the years
        assert [int(artist.get_text()) for artist in numbers] == list(range(1, 10))
        rows = {artist.get_position()[1] for artist in numbers}
        assert len(rows) == 1  # nine events fit one row, spread sideways rather than piled up
        centres = sorted(artist.get_window_extent().x0 for artist in numbers)
        assert min(b - a for a, b in zip(centres, centres[1:], strict=False)) >= 17  # points at 72 dpi: 18 pt apart


def test_the_triad_map_says_who_plays_what_under_which_external_threat():
    from generator import charts

    analysis = analyse(str(ROOT / "data"))
    triad = analysis.triads[0]
    expected = {
        "zh-TW": "朝中關係：北韓抗衡（外部威脅高度）、中國籠絡（外部威脅低度）；凝聚力：低度到中度",
        "en": "North Korea–China: North Korea balancing (high external threat), China tethering "
              "(low external threat); cohesion: low to medium",
    }
    for lang, key in expected.items():
        figure = drawn(charts.draw_alignment_map, analysis, triad, lang=lang)
        assert key in [figure.source_of(artist) for artist in charts.visible_texts(figure)]


def test_charts_carry_no_title_the_numbered_caption_gives_it(seed_charts):
    from generator import charts

    analysis = analyse(str(ROOT / "data"))
    for lang in ("zh-TW", "en"):
        figure = drawn(charts.draw_sensitivity, analysis, analysis.dyad("russia-china"), lang=lang)
        title = seed_charts[1].find("sensitivity", "russia-china", lang).title
        assert title not in texts_of(figure)


# ---- reuse: a PNG beside every wide chart, and the data each chart draws --------------------------


def test_every_wide_chart_is_also_a_png_with_the_same_bytes_each_time(seed_charts, tmp_path):
    import struct

    from generator.charts import PNG_DPI, plan, render

    analysis = analyse(str(ROOT / "data"))
    job = next(job for job in plan(analysis) if job.path == "charts/dyads/russia-china/matrix.zh-TW.svg")
    first, second = render(job)[1], render(job)[1]
    assert first["image.png"] == second["image.png"]
    png = first["image.png"]
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and b"Software" not in png and b"tIME" not in png
    width, _ = struct.unpack(">II", png[16:24])
    assert width == round(WIDE.width_in * PNG_DPI)
    narrow = next(job for job in plan(analysis) if job.path == "charts/dyads/russia-china/matrix.zh-TW.narrow.svg")
    assert "image.png" not in render(narrow)[1]  # the PNG is of the wide chart only


def test_each_chart_kind_publishes_the_data_it_draws():
    from generator.charts import Chart, chart_csv, chart_table

    analysis = analyse(str(ROOT / "data"))

    def table(kind, subject, lang="zh-TW"):
        return chart_table(analysis, Chart(kind, subject, lang, "charts/x.svg", "", ""))

    assert table("matrix", "north-korea-china") == [["行為者", "外部威脅", "內部威脅", "表 2 格", "策略"],
                                                    ["北韓", "高度", "中度", "H", "抗衡"], ["中國", "低度", "中度", "B", "籠絡"]]
    assert table("commitment", "all-dyads", "en") == [
        ["dyad", "type", "commitment", "cohesion"],
        ["North Korea–China", "balancing–tethering alliance", "variable", "low to medium"],
        ["Russia–China", "balancing–hedging alliance", "low to medium", "low to medium"],
        ["Russia–North Korea", "balancing–balancing alliance", "high", "high"]]
    assert table("sensitivity", "russia-china", "en")[1] == ["Russia", "external threat", "high", "medium",
                                                              "hedging–hedging alliance"]
    assert table("timeline", "russia-china", "en")[0] == ["number", "date", "event", "source"]
    assert len(table("alignment-map", "chn-prk-rus-usa")) == 1 + 6  # a row per member of each of the three dyads
    csv_bytes = chart_csv(analysis, Chart("matrix", "north-korea-china", "zh-TW", "charts/x.svg", "", ""))
    assert csv_bytes.startswith("\ufeff行為者,外部威脅".encode()) and csv_bytes.endswith(b"\r\n")


def test_a_chart_csv_keeps_a_formula_looking_cell_as_text(monkeypatch):
    from generator import charts

    monkeypatch.setattr(charts, "chart_table", lambda analysis, chart: [["event"], ["=HYPERLINK(\"x\")"], ["-1+2"], ["ok"]])
    assert charts.chart_csv(None, None) == '\ufeffevent\r\n"\'=HYPERLINK(""x"")"\r\n\'-1+2\r\nok\r\n'.encode()


def test_a_level_edit_draws_the_dyads_charts_again_but_not_its_timeline(tmp_path):
    import shutil

    from generator.charts import plan

    shutil.copytree(ROOT / "data", tmp_path / "data")
    dyad = tmp_path / "data" / "dyads" / "russia-china.yaml"
    text = dyad.read_text("utf-8")
    dyad.write_text(text.replace("    external: medium\n", "    external: high\n", 1), "utf-8")
    before = {job.path: job.inputs for job in plan(classify(validate(load_data(ROOT / "data"))))}
    after = {job.path: job.inputs for job in plan(classify(validate(load_data(tmp_path / "data"))))}
    changed = sorted(path for path in before if before[path] != after[path])
    kinds = sorted({path.rsplit("/", 1)[1].split(".")[0] for path in changed if "/russia-china/" in path})
    assert kinds == ["curve", "diagram", "matrix", "sensitivity"]
    assert not any("timeline" in path or "north-korea" in path for path in changed)
    # Each in two widths and three languages: four of the dyad's kinds, the commitment overview, the triad's map.
    assert len(changed) == (4 + 1 + 1) * 2 * 3
    assert {path.split("/")[1] for path in changed} == {"dyads", "commitment.en.svg", "commitment.en.narrow.svg",
                                                        "commitment.zh-TW.svg", "commitment.zh-TW.narrow.svg",
                                                        "commitment.zh-Hans.svg", "commitment.zh-Hans.narrow.svg",
                                                        "triads"}
