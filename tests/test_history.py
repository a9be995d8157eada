"""Dated reassessments: the file forms, `check`'s refusals, the latest-wins rule, each dyad's and triad's history,
`classify --json`, `briefing diff`, and the pages and handouts made for each assessment (fast tier, in-process).

The shipped dyads hold one assessment each: the seed sources give no levels for an earlier date (see the README),
so the history here is test data.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import string
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DYAD, ROOT, write_data

DYAD_PATH = "data/dyads/russia-china.yaml"
SUMMARY = "briefing: {n} {noun} in data; fix them and run again"

# The dyad of conftest.DYAD assessed twice: China's external threat on each date is filled in.
ASSESSMENTS = string.Template("""\
id: russia-china
actors: [RUS, CHN]
external: USA
title: {zh-TW: 俄中關係, en: Russia–China}
summary: {zh-TW: 摘要。, en: Summary.}
assessments:
  - as_of: $first
    threats:
      RUS: {external: high, internal: low, rationale: {zh-TW: 理由。, en: Reason.}, evidence: [doe-2024]}
      CHN: {external: $first_level, internal: low, rationale: {zh-TW: 理由。, en: Reason.}, evidence: [doe-2024]}
  - as_of: $second
    change: {zh-TW: 中國對美國的威脅感改變。, en: China's sense of the US threat changed.}
    threats:
      RUS: {external: high, internal: low, rationale: {zh-TW: 理由。, en: Reason.}, evidence: [doe-2024]}
      CHN: {external: $second_level, internal: low, rationale: {zh-TW: 理由。, en: Reason.}, evidence: [doe-2024]}
""")
# On 2023-06-30 China felt a high external threat, on 2025-06-30 a medium one.
TWO_ASSESSMENTS = ASSESSMENTS.substitute(first="2023-06-30", first_level="high", second="2025-06-30",
                                         second_level="medium")


def edited(old: str, new: str, text: str = TWO_ASSESSMENTS) -> str:
    if old not in text:
        raise ValueError(f"test setup: {old!r} is not in the base text")
    return text.replace(old, new, 1)


def analysed(data: Path):
    from generator.classify import classify
    from generator.load import load_data
    from generator.validate import validate

    return classify(validate(load_data(data), dt.date(2026, 1, 1)))


# ---- the two forms, and the latest wins ----------------------------------------------------------------


def test_the_latest_assessment_is_the_verdict_and_the_earlier_ones_are_its_history(workdir):
    analysis = analysed(write_data(workdir, dyads={"russia-china": TWO_ASSESSMENTS}))
    result = analysis.dyad("russia-china")
    assert (result.dyad.as_of, result.type.key, result.commitment, result.cohesion) == (
        dt.date(2025, 6, 30), "balancing-hedging", "low-medium", "low-medium")
    assert [(stage.as_of.isoformat(), stage.type.key, stage.commitment, stage.cohesion) for stage in result.history] == [
        ("2023-06-30", "balancing-balancing", "high", "high"),
        ("2025-06-30", "balancing-hedging", "low-medium", "low-medium"),
    ]
    assert result.verdict_changed_on == dt.date(2025, 6, 30)
    # The earlier assessment is a whole verdict of its own: its flips are worked out from its own levels.
    earlier = result.assessed(0)
    assert (earlier.dyad.as_of, earlier.type.key, earlier.dyad.has_history) == (dt.date(2023, 6, 30),
                                                                                "balancing-balancing", False)
    assert [flip.type.key for flip in earlier.flips] == ["hedging-balancing", "balancing-hedging"]
    assert result.assessed(1) is result and result.assessed(-1) is result


def test_a_file_without_assessments_is_one_assessment_with_no_history(workdir):
    result = analysed(write_data(workdir)).dyad("russia-china")
    assert [stage.as_of.isoformat() for stage in result.history] == ["2025-06-30"]
    assert (result.dyad.has_history, result.verdict_changed_on, result.dyad.change) == (False, None, None)


def test_the_same_levels_twice_is_a_reassessment_that_changed_no_verdict(workdir):
    same = edited("      CHN: {external: medium", "      CHN: {external: high")
    result = analysed(write_data(workdir, dyads={"russia-china": same})).dyad("russia-china")
    assert [stage.type.key for stage in result.history] == ["balancing-balancing", "balancing-balancing"]
    assert result.verdict_changed_on is None


# ---- what check refuses ---------------------------------------------------------------------------------


HISTORY_CASES = [
    (
        "out-of-date-order",
        edited("  - as_of: 2025-06-30", "  - as_of: 2022-06-30"),
        [f"{DYAD_PATH}:11: the assessment of 2022-06-30 comes after the one of 2023-06-30; list assessments "
         "oldest first"],
    ),
    (
        "duplicate-date",
        edited("  - as_of: 2025-06-30", "  - as_of: 2023-06-30"),
        [f"{DYAD_PATH}:11: two assessments are dated 2023-06-30 (the other at line 7); give each its own date, "
         "or merge them into one"],
    ),
    (
        "future-date",
        edited("  - as_of: 2025-06-30", "  - as_of: 2026-06-30"),
        [f"{DYAD_PATH}:11: as_of 2026-06-30 is after today (2026-01-01); an assessment records what was known on "
         "its date, so give the date it was made"],
    ),
    (
        "change-on-the-first",
        edited("  - as_of: 2023-06-30\n", "  - as_of: 2023-06-30\n    change: {zh-TW: 變動。, en: A change.}\n"),
        [f"{DYAD_PATH}:8: the first assessment (2023-06-30) has no earlier one to change from; remove its change, "
         "or add the earlier assessment it describes"],
    ),
    (
        "no-change-on-a-later-one",
        edited("    change: {zh-TW: 中國對美國的威脅感改變。, en: China's sense of the US threat changed.}\n", ""),
        [f"{DYAD_PATH}:11: the assessment of 2025-06-30 does not say what changed since the one before; add "
         "change: with what changed and why, in zh-TW and en"],
    ),
    (
        "both-forms",
        edited("title:", "as_of: 2025-06-30\ntitle:"),
        [f"{DYAD_PATH}:4: as_of is given both at the top of the dyad and in its assessments list; move it into the "
         "assessment it belongs to"],
    ),
    (
        "empty-list",
        TWO_ASSESSMENTS[:TWO_ASSESSMENTS.index("assessments:")] + "assessments: []\n",
        [f"{DYAD_PATH}:6: assessments should be a list of dated assessments, oldest first, each starting with "
         "'- as_of: YYYY-MM-DD' and holding its threats"],
    ),
    (
        "level-typo-in-an-earlier-one",
        edited("      CHN: {external: high", "      CHN: {external: hihg"),
        [f"{DYAD_PATH}:10: threat level 'hihg' for CHN.external is not one of low, medium, high"],
    ),
    (
        "unknown-key",
        edited("    change:", "    chnage:"),
        [f"{DYAD_PATH}:12: unknown key 'chnage' in assessment 2; did you mean 'change'?"],
    ),
]


@pytest.mark.parametrize("text, lines", [case[1:] for case in HISTORY_CASES], ids=[case[0] for case in HISTORY_CASES])
def test_check_refuses_a_bad_history_exactly(workdir, run, text, lines, monkeypatch):
    import generator.cli as cli

    monkeypatch.setattr(cli, "today", lambda: dt.date(2026, 1, 1))  # fixed, so the future case stays in the future
    write_data(workdir, dyads={"russia-china": text})
    code, out, err = run("check")
    noun = "problem" if len(lines) == 1 else "problems"
    assert (code, out, err) == (1, "", "\n".join([*lines, SUMMARY.format(n=len(lines), noun=noun)]) + "\n")


def test_today_is_the_latest_date_anywhere_on_earth():
    """An analyst in Taipei (UTC+8) who dates an assessment today is not refused by a build running in UTC."""
    from generator.validate import today

    before = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
    found = today()
    assert before <= found <= (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
    assert found >= (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()  # Taipei's date, or later


def test_a_single_assessment_dated_in_the_future_is_refused_too(workdir):
    from generator.load import load_data
    from generator.model import DataError
    from generator.validate import validate

    write_data(workdir)
    data = Path("data")  # messages name the file as the analyst does
    with pytest.raises(DataError) as raised:
        validate(load_data(data), dt.date(2025, 6, 29))
    assert [str(problem) for problem in raised.value.problems] == [
        f"{DYAD_PATH}:4: as_of 2025-06-30 is after today (2025-06-29); an assessment records what was known on its "
        "date, so give the date it was made"]
    validate(load_data(data), dt.date(2025, 6, 30))  # the same day is not the future


# ---- triads ------------------------------------------------------------------------------------------------


def shipped_with_history(folder: Path) -> Path:
    """The shipped data, each dyad also assessed on 2023-06-30 (test levels): Russia–North Korea then had Russia
    hedging and North Korea hedging; the other two dyads had today's levels."""
    import yaml

    data = folder / "data"
    shutil.copytree(ROOT / "data", data)
    for path in sorted((data / "dyads").glob("*.yaml")):
        document = yaml.safe_load(path.read_text("utf-8"))
        threats, as_of = document.pop("threats"), document.pop("as_of")
        earlier = json.loads(json.dumps(threats))  # a copy, written out in full (the loader refuses aliases)
        if document["id"] == "russia-north-korea":
            earlier["RUS"].update(external="medium", internal="low")
            earlier["PRK"].update(external="low", internal="low")
        document["assessments"] = [
            {"as_of": "2023-06-30", "threats": earlier},
            {"as_of": as_of.isoformat(), "change": {"zh-TW": "測試用的重新評估。", "en": "A reassessment for tests."},
             "threats": threats},
        ]
        path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return data


def test_a_triad_uses_each_dyads_latest_assessment_and_records_when_its_verdict_changed(tmp_path):
    analysis = analysed(shipped_with_history(tmp_path))
    triad = analysis.triads[0]
    assert (triad.trilateral_balancing, triad.commitment, triad.cohesion_ceiling) == (False, "variable", "medium")
    assert [(stage.as_of.isoformat(), stage.verdict) for stage in triad.history] == [
        ("2023-06-30", (False, "variable", "low")),
        ("2025-06-30", (False, "variable", "medium")),
    ]
    assert triad.verdict_changed_on == dt.date(2025, 6, 30)
    # Reassessed with the same levels, the other two dyads change nothing: the triad changed with Russia–North Korea.
    assert [analysis.dyad(d).verdict_changed_on for d in triad.dyads] == [None, None, dt.date(2025, 6, 30)]


def test_a_triad_starts_when_all_three_of_its_dyads_have_been_assessed(workdir):
    from generator.classify import classify_triads

    analysis = analysed(shipped_with_history(workdir))
    # Without Russia–China's earlier assessment the triad has nothing to say about 2023.
    results = tuple(result if result.dyad.id != "russia-china" else replace(result, history=result.history[-1:],
                                                                             earlier=()) for result in analysis.dyads)
    triad = classify_triads(results)[0]
    assert [stage.as_of.isoformat() for stage in triad.history] == ["2025-06-30"]
    assert triad.verdict_changed_on is None


def test_the_trajectory_draws_the_latest_twelve_assessments(workdir):
    from generator.charts import TRAJECTORY_ROWS, draw_trajectory, trajectory_stages

    threat = "      {}: {{external: {}, internal: low, rationale: {{zh-TW: 理由。, en: Reason.}}, evidence: [doe-2024]}}\n"
    text = TWO_ASSESSMENTS[:TWO_ASSESSMENTS.index("  - as_of")]
    for n in range(14):  # yearly, China's external threat alternating between high and medium
        text += f"  - as_of: {2010 + n}-06-30\n"
        text += "    change: {zh-TW: 變動。, en: A change.}\n" if n else ""
        text += "    threats:\n" + threat.format("RUS", "high") + threat.format("CHN", ("high", "medium")[n % 2])
    result = analysed(write_data(workdir, dyads={"russia-china": text})).dyad("russia-china")
    assert len(result.history) == 14 and TRAJECTORY_ROWS == 12
    assert [stage.as_of.year for stage in trajectory_stages(result)] == list(range(2012, 2024))
    _, title, alt = draw_trajectory(None, result, "en")
    assert title == "How the verdict has changed: Russia–China (the latest 12 of 14 assessments)"
    assert alt.startswith("Russia–China has been assessed 14 times; the chart shows, oldest first: on 2012-06-30,")


# ---- classify --json and briefing diff -------------------------------------------------------------------


def test_classify_json_lists_each_dyads_history_oldest_first(tmp_path, run):
    data = shipped_with_history(tmp_path)
    code, out, err = run("classify", "--data", str(data), "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    dyad = next(item for item in document["dyads"] if item["id"] == "russia-north-korea")
    assert dyad["history"] == [
        {"as_of": "2023-06-30", "type": "hedging-hedging", "commitment": "low", "cohesion": "low"},
        {"as_of": "2025-06-30", "type": "balancing-balancing", "commitment": "high", "cohesion": "high"},
    ]
    # The top-level fields describe the latest.
    assert (dyad["as_of"], dyad["type"], dyad["commitment"], dyad["cohesion"]) == (
        "2025-06-30", "balancing-balancing", "high", "high")
    assert document["triads"][0]["history"] == [
        {"as_of": "2023-06-30", "trilateral_balancing": False, "commitment": "variable", "cohesion_ceiling": "low"},
        {"as_of": "2025-06-30", "trilateral_balancing": False, "commitment": "variable", "cohesion_ceiling": "medium"},
    ]


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args], cwd=folder,
                          check=True, capture_output=True, text=True).stdout


def committed(folder: Path, dyad: str) -> Path:
    """A git repository whose one commit holds the test data with this Russia–China file."""
    repo = folder / "repo"
    repo.mkdir()
    write_data(repo, dyads={"russia-china": dyad})
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def test_diff_reports_an_added_assessment_as_such(tmp_path):
    from generator.diff import diff_revisions, headline, to_json, to_markdown

    repo = committed(tmp_path, DYAD)
    # Reassessed on 2025-09-30 with China's external threat high: Russia–China turns balancing–balancing.
    (repo / DYAD_PATH).write_text(ASSESSMENTS.substitute(first="2025-06-30", first_level="medium",
                                                         second="2025-09-30", second_level="high"), "utf-8")
    diff = diff_revisions(repo, "HEAD")
    assert [(a.id, a.as_of, a.previous) for a in diff.assessments_added] == [("russia-china", "2025-09-30",
                                                                               "2025-06-30")]
    assert headline(diff) == ("1 verdict changed: Russia–China balancing-hedging → balancing-balancing; new "
                              "assessment of Russia–China as of 2025-09-30")
    assert to_json(diff)["assessments"] == {
        "added": [{"id": "russia-china", "as_of": "2025-09-30", "previous": "2025-06-30"}], "removed": [], "changed": []}
    assert ("| 俄中關係 / Russia–China (`russia-china`) | 2025-09-30 | 2025-06-30 |"
            in to_markdown(diff).splitlines())


def test_diff_reports_an_earlier_assessment_changed_and_a_redated_one_as_removed(tmp_path):
    from generator.diff import diff_revisions, headline, to_json, to_markdown

    repo = committed(tmp_path, TWO_ASSESSMENTS)
    # The 2023 assessment rewritten (China's external threat low), and the latest re-dated from June to September.
    (repo / DYAD_PATH).write_text(ASSESSMENTS.substitute(first="2023-06-30", first_level="low", second="2025-09-30",
                                                         second_level="medium"), "utf-8")
    diff = diff_revisions(repo, "HEAD")
    assert headline(diff) == ("No verdict changed; new assessment of Russia–China as of 2025-09-30; assessment of "
                              "Russia–China as of 2025-06-30 removed; earlier assessment of Russia–China as of "
                              "2023-06-30 changed")
    assert to_json(diff)["assessments"] == {
        "added": [{"id": "russia-china", "as_of": "2025-09-30", "previous": "2025-06-30"}],
        "removed": [{"id": "russia-china", "as_of": "2025-06-30", "previous": "2023-06-30"}],
        "changed": [{"id": "russia-china", "as_of": "2023-06-30", "previous": None, "changes": [
            {"field": "CHN.external", "before": "high", "after": "low"},
            {"field": "CHN.cell", "before": "G", "after": "A"},
            {"field": "CHN.strategy", "before": "balancing", "after": "hedging"},
            {"field": "type", "before": "balancing-balancing", "after": "balancing-hedging"},
            {"field": "commitment", "before": "high", "after": "low-medium"},
            {"field": "cohesion", "before": "high", "after": "low-medium"}]}]}
    markdown = to_markdown(diff).splitlines()
    assert "#### 修改過往評估 Earlier assessment changed: 俄中關係 / Russia–China (`russia-china`), 2023-06-30" in markdown
    assert "| CHN.external | 高度 / high | 低度 / low |" in markdown


# ---- pages and handouts ---------------------------------------------------------------------------------------


ORGANISATION = {key: {"zh-TW": key, "en": key} for key in ("name", "series", "tagline", "about", "editor_note")}


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    from generator.charts import ChartSet, plan
    from generator.pages import Settings, render_pages

    analysis = analysed(shipped_with_history(tmp_path_factory.mktemp("history")))
    charts = ChartSet(tuple(job.placeholder("chart", "alt") for job in plan(analysis)))
    settings = Settings(organisation=ORGANISATION, build_date=dt.date(2025, 7, 31), handouts=True)
    return analysis, charts, render_pages(analysis, charts, settings)


def text_of(markup: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", markup)).strip())


def test_each_assessment_has_its_own_page_in_each_language(pages):
    _, _, plan = pages
    keys = sorted(page.key for page in plan.pages if page.kind == "assessment" and page.lang == "zh-TW")
    assert keys == [f"assessment:{dyad}/{date}" for dyad in ("north-korea-china", "russia-china", "russia-north-korea")
                    for date in ("2023-06-30", "2025-06-30")]
    page = plan.page("assessment:russia-north-korea/2023-06-30", "en")
    assert (page.src_uri, page.pdf) == ("en/dyads/russia-north-korea/2023-06-30.md",
                                        "pdf/dyad-russia-north-korea/2023-06-30.en.pdf")
    assert page.title == "Russia–North Korea: the assessment of 30 June 2023"
    body = text_of(page.markdown)
    assert ("This assessment has since been superseded; for the current verdict see Russia–North Korea." in body)
    assert "Next assessment: 30 June 2025" in body and "Previous assessment" not in body
    assert '<dd class="verdict-type">hedging–hedging alliance</dd>' in page.markdown
    zh = text_of(plan.page("assessment:russia-north-korea/2025-06-30", "zh-TW").markdown)
    assert "這是目前的評估，也是俄朝關係所顯示的判斷。" in zh
    assert "與前次評估相比 測試用的重新評估。" in zh and "前一次評估：2023 年 6 月 30 日" in zh


def test_the_dyad_page_shows_the_trajectory_and_what_changed_and_why(pages):
    _, _, plan = pages
    page = plan.page("dyad:russia-north-korea", "zh-TW").markdown
    history = page[page.index('<h2 id="評估沿革">'):page.index('<h2 id="爭議解讀與敏感度">')]
    assert 'src="../charts/dyads/russia-north-korea/trajectory.zh-TW.svg"' in history
    assert [text_of(item) for item in re.findall(r"<li><p class=\"history-head\">(.*?)</li>\n(?=<li><p|</ol>)",
                                                  history, re.S)] == [
        "2023 年 6 月 30 日：避險–避險同盟；承諾低度，凝聚力低度 第一次評估。",
        "2025 年 6 月 30 日：抗衡–抗衡同盟；承諾高度，凝聚力高度 俄羅斯感受到的外部威脅由中度變為高度。"
        "北韓感受到的外部威脅由低度變為高度。分析者說明：測試用的重新評估。",
    ]
    assert 'href="russia-north-korea/2023-06-30.html"' in history
    assert "本次評估改變了判斷" in page
    # A dyad reassessed with the same levels says so, and draws its trajectory too.
    same = plan.page("dyad:russia-china", "en").markdown
    assert "The verdict is the same as before." in same and "This assessment changed the verdict" not in same


def test_the_home_page_marks_a_verdict_changed_within_the_recent_days(pages):
    from generator.pages import Settings, render_pages

    analysis, charts, plan = pages
    home = plan.page("home", "en").markdown
    assert home.count('class="verdict-changed"') == 1
    # Only the home page marks it: a brief's card, the triad page and the dyads list stay as they are.
    assert all('class="verdict-changed"' not in page.markdown for page in plan.pages if page.key != "home"
               and page.kind != "dyad")
    assert "Recently changed: the verdict changed on 30 June 2025" in text_of(home)
    later = Settings(organisation=ORGANISATION, build_date=dt.date(2025, 9, 28), recent_days=90)
    assert 'class="verdict-changed"' in render_pages(analysis, charts, later).page("home", "en").markdown
    later = Settings(organisation=ORGANISATION, build_date=dt.date(2025, 9, 29), recent_days=90)
    assert 'class="verdict-changed"' not in render_pages(analysis, charts, later).page("home", "en").markdown


def test_the_bibliography_lists_an_earlier_assessment_among_the_pages_citing_a_source(tmp_path):
    from generator.pages import cited_in

    data = shipped_with_history(tmp_path)
    path = data / "dyads" / "russia-china.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("evidence:", "evidence:\n      - cna-2022", 1), "utf-8")
    analysis = analysed(data)
    assert ("assessment:russia-china/2023-06-30", "Russia–China: the assessment of 30 June 2023") in cited_in(
        analysis, "en")["cna-2022"]


def test_the_triad_page_says_when_its_verdict_changed(pages):
    _, _, plan = pages
    triad = text_of(plan.page("triad:chn-prk-rus-usa", "zh-TW").markdown)
    assert ("三邊關係的判斷於 2025 年 6 月 30 日改變；在此之前，自 2023 年 6 月 30 日起三方形成抗衡同盟的可能性低，"
            "承諾多變，凝聚力上限低度。") in triad
    en = text_of(plan.page("triad:chn-prk-rus-usa", "en").markdown)
    assert ("The triad's verdict changed on 30 June 2025; before then, from 30 June 2023, a trilateral balancing "
            "alliance was unlikely, with commitment variable and a cohesion ceiling of low.") in en


def test_a_reassessed_site_builds_a_page_and_handout_per_assessment(warm, tmp_path):
    """A real build of the shipped project with the test history: the dated pages and PDFs, the trajectory charts,
    and the handout of an earlier assessment saying it has been superseded."""
    from projects import build, checkout

    project = checkout(tmp_path / "project", cache_from=warm)
    shutil.rmtree(project / "data")
    shipped_with_history(project)
    result = build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    dated = sorted(str(path.relative_to(site)) for path in site.rglob("2023-06-30*"))
    dyads = ("north-korea-china", "russia-china", "russia-north-korea")
    languages = {"zh-TW": "", "en": "en/", "zh-Hans": "zh-hans/"}  # each edition, and where its pages are
    assert dated == sorted([f"{prefix}dyads/{dyad}/2023-06-30.html" for prefix in languages.values() for dyad in dyads] +
                           [f"pdf/dyad-{dyad}/2023-06-30.{lang}.pdf" for lang in languages for dyad in dyads] +
                           [f"downloads/cite/dyad-{dyad}/2023-06-30.{lang}.{form}" for lang in languages
                            for dyad in dyads for form in ("bib", "ris", "csl.json")])
    assert len(list((site / "charts" / "dyads").rglob("trajectory.*.svg"))) == 3 * 3 * 2  # dyads, editions, widths
    text = subprocess.run(["pdftotext", "-layout", str(site / "pdf/dyad-russia-north-korea/2023-06-30.en.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "Russia–North Korea: the assessment of 30 June 2023" in flat
    assert "This assessment has since been superseded; for the current verdict see Russia–North Korea." in flat
    assert "hedging–hedging alliance" in flat
    # The dyad's own handout carries its history: the trajectory and what changed and why.
    text = subprocess.run(["pdftotext", str(site / "pdf/dyad-russia-north-korea.en.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "How the verdict has changed" in flat and "The analyst's account: A reassessment for tests." in flat
    assert "How the verdict has changed: Russia–North Korea" in flat  # the trajectory chart's caption


def test_the_shipped_dyads_hold_one_assessment_each():
    """No seed source gives levels for an earlier date, so none is invented (README, Data)."""
    analysis = analysed(ROOT / "data")
    assert [len(result.history) for result in analysis.dyads] == [1, 1, 1]


def test_the_verdicts_feed_has_an_entry_per_assessment_pointing_at_its_dated_page(pages):
    from xml.etree import ElementTree

    from generator.feeds import render_feeds
    from generator.pages import Settings

    analysis, charts, _ = pages
    site = "https://alliances.example/"
    made = dict(render_feeds(analysis, charts, Settings(organisation=ORGANISATION, site_url=site)))
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ElementTree.fromstring(made["feeds/verdicts.en.xml"]).findall(f"{atom}entry")
    assert [(entry.findtext(f"{atom}updated")[:10], entry.findtext(f"{atom}title")) for entry in entries] == [
        ("2025-06-30", "North Korea–China: balancing–tethering alliance"),
        ("2025-06-30", "Russia–China: balancing–hedging alliance"),
        ("2025-06-30", "Russia–North Korea: balancing–balancing alliance"),
        ("2023-06-30", "North Korea–China: balancing–tethering alliance"),
        ("2023-06-30", "Russia–China: balancing–hedging alliance"),
        ("2023-06-30", "Russia–North Korea: hedging–hedging alliance"),
    ]
    assert [link.get("href") for link in entries[5].findall(f"{atom}link")] == [
        f"{site}en/dyads/russia-north-korea/2023-06-30.html"]
    assert entries[5].findtext(f"{atom}id") == f"{site}en/dyads/russia-north-korea.html#verdict-2023-06-30-hedging-hedging"
    assert entries[2].findtext(f"{atom}summary").endswith("The analyst's account: A reassessment for tests.")


def test_an_earlier_assessments_card_shows_only_the_obligations_promised_by_its_date(pages):
    """Russia–North Korea's analyst-coded defence obligation dates from 2024: not on the card of 2023."""
    _, _, plan = pages
    earlier = plan.page("assessment:russia-north-korea/2023-06-30", "en").markdown
    latest = plan.page("assessment:russia-north-korea/2025-06-30", "en").markdown
    assert 'class="coded-analyst"' not in earlier and 'class="coded-atop"' in earlier
    assert 'class="coded-analyst"' in latest
