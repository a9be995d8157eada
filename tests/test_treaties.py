"""Formal treaty obligations: `briefing import-atop` (ATOP's directed dyad-year table into data/treaties.yaml),
`check` of the file, the JSON, and what the pages show. Messages and outputs are compared exactly."""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ACTORS, ROOT, write_data
from conftest import SOURCES as TEST_SOURCES

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "atop-fixture.csv"
MALFORMED = HERE / "atop-malformed.csv"
# Where the shared folder holds ATOP's table: at its machine path, or beside a clone (as CI lays it out).
FULL_TABLE = next((path for path in (Path("/work/shared/data/atop/atop5_1ddyr-obligations.csv"),
                                     ROOT.parent / "shared" / "data" / "atop" / "atop5_1ddyr-obligations.csv")
                   if path.is_file()), Path("/nonexistent"))

SOURCES = TEST_SOURCES + """\
- id: leeds-2002
  author: Leeds, B. A., Ritter, J. M., Mitchell, S. M., & Long, A. G.
  year: 2002
  title: Alliance Treaty Obligations and Provisions, 1815-1944
  publisher: International Interactions, 28, pp. 237-260
"""


def dyad(dyad_id: str, first: str, second: str) -> str:
    threat = "    external: high\n    internal: low\n    rationale: {zh-TW: 理由。, en: Reason.}\n    evidence: [doe-2024]\n"
    return (f"id: {dyad_id}\nactors: [{first}, {second}]\nexternal: USA\nas_of: 2025-06-30\n"
            f"title: {{zh-TW: 關係, en: Pair}}\nsummary: {{zh-TW: 摘要。, en: Summary.}}\nthreats:\n"
            f"  {first}:\n{threat}  {second}:\n{threat}")


DYADS = {"russia-china": dyad("russia-china", "RUS", "CHN"),
         "north-korea-china": dyad("north-korea-china", "PRK", "CHN"),
         "russia-north-korea": dyad("russia-north-korea", "RUS", "PRK")}


@pytest.fixture
def project(workdir):
    """Three dyads among Russia, China and North Korea, ATOP's citation, and the fixture table as atop.csv."""
    write_data(workdir, actors=ACTORS, sources=SOURCES, dyads=DYADS)
    shutil.copy(FIXTURE, workdir / "atop.csv")
    return workdir


HEADER = """\
# Formal treaty obligations between the members of each dyad, by year.
#
# The atop part is written by `briefing import-atop` from ATOP's directed dyad-year table; the next import
# replaces it, so do not edit it by hand. An entry: from and to (years, both included), by (both, or the
# one member bound towards the other) and kinds (defense, offense, neutrality, non-aggression, consultation).
# A dyad with no entries ([]) had no alliance obligation in ATOP in those years.

"""

ATOP_PART = """\
atop:
  version: '5.1'
  source: leeds-2002
  years: {from: 1850, to: 2018}
  dyads:
    north-korea-china:
      - {from: 1961, to: 1962, by: PRK, kinds: [defense, non-aggression]}
      - {from: 1961, to: 1963, by: CHN, kinds: [defense, non-aggression]}
      - {from: 1963, to: 1963, by: PRK, kinds: [non-aggression]}
    russia-china:
      - {from: 1950, to: 1952, by: both, kinds: [defense, non-aggression]}
      - {from: 1953, to: 1953, by: both, kinds: [defense]}
      - {from: 1956, to: 1957, by: both, kinds: [consultation]}
    russia-north-korea:
      - {from: 1961, to: 1962, by: both, kinds: [defense]}
      - {from: 2017, to: 2018, by: both, kinds: [non-aggression, consultation]}
"""

NEW_ANALYST_PART = """\
# Analyst-coded obligations: the years after ATOP's last, written by hand, each with the id of the source in
# sources.yaml that supports it, e.g.
#   - dyad: russia-north-korea
#     from: 2024            # to: the last year, if it has ended
#     by: both              # or the id of the one member bound towards the other
#     kinds: [defense]
#     source: <source id>
#     note: {zh-TW: …, en: …}   # optional: what it was read from
# `briefing import-atop` keeps this part as it is.
analyst: []
"""

UNMAPPED = ("has no ISO 3166 code in country_converter (a state of the past, or a code it numbers otherwise), so its "
            "rows are left out; if it is the code of one of your actors, that actor's ATOP obligations are incomplete "
            "(see the README)")


def test_the_fixture_gives_each_dyads_obligations_by_year_and_direction(project, run):
    """Gaps (a year of all zeros, a missing year) and changes of kinds start a new span; a span both members
    have is written once as both; China's 1961-1963 and North Korea's 1961-1962 + 1963 stay directed."""
    code, out, err = run("import-atop", "atop.csv")
    assert code == 0
    assert (project / "data" / "treaties.yaml").read_text(encoding="utf-8") == HEADER + ATOP_PART + "\n" + \
        NEW_ANALYST_PART
    assert out == ("briefing import-atop: wrote data/treaties.yaml (ATOP 5.1, 1850–2018, 35 rows read; 3 dyads, "
                   "8 obligation ranges; the analyst part kept as it was)\n")
    assert run("check")[0] == 0


def test_each_unmapped_code_is_one_warning_with_its_first_row_and_count(project, run):
    code, _, err = run("import-atop", "atop.csv")
    assert code == 0
    assert err == (
        f"atop.csv:17: warning: COW state code 245 (3 rows, the first here) {UNMAPPED}\n"
        f"atop.csv:17: warning: COW state code 255 (3 rows, the first here) {UNMAPPED}\n"
        "atop.csv:20: warning: COW state code 817 (2 rows, the first here) is the Republic of Vietnam (South "
        "Vietnam), which country_converter reads as VNM, today's state; its rows are left out so they are not read "
        "as VNM's\n"
    )


ANALYST_PART = """\
# Coded by hand from the treaty's text; keep these comments.
analyst:
  - dyad: russia-north-korea
    from: 2024
    by: both
    kinds: [defense]   # the mutual-assistance article
    source: doe-2024
    note:
      zh-TW: 測試。
      en: A test.
"""


def test_a_new_import_replaces_the_atop_part_and_keeps_the_analyst_part_byte_for_byte(project, run):
    target = project / "data" / "treaties.yaml"
    old_atop = ATOP_PART.replace("to: 2018}", "to: 2019}").replace("[defense]}", "[offense]}")
    target.write_text("# an old header\natop:\n  version: '5.0'\n" + old_atop.split("\n", 2)[2] + "\n" + ANALYST_PART,
                      encoding="utf-8")
    assert run("import-atop", "atop.csv")[0] == 0
    first = target.read_bytes()
    assert first.decode("utf-8") == HEADER + ATOP_PART + "\n" + ANALYST_PART
    assert run("check")[0] == 0
    assert run("import-atop", "atop.csv")[0] == 0
    assert target.read_bytes() == first  # the same table and data give the same bytes


def test_the_analyst_part_is_kept_wherever_it_stands_in_the_file(project, run):
    target = project / "data" / "treaties.yaml"
    target.write_text(ANALYST_PART + "\natop:\n  version: '5.1'\n", encoding="utf-8")
    assert run("import-atop", "atop.csv")[0] == 0
    assert target.read_text(encoding="utf-8") == HEADER + ATOP_PART + "\n" + ANALYST_PART


def test_a_misspelled_part_stops_the_import_so_nothing_written_by_hand_is_lost(project, run):
    target = project / "data" / "treaties.yaml"
    text = ANALYST_PART.replace("analyst:", "analsyt:")
    target.write_text(text, encoding="utf-8")
    assert run("import-atop", "atop.csv") == (1, "", (
        "data/treaties.yaml:2: unknown key 'analsyt' (the keys are atop and analyst); fix it before importing, so "
        "nothing written there is lost\n"
        "briefing: 1 problem in data; fix them and run again\n"))
    assert target.read_text(encoding="utf-8") == text


def test_malformed_rows_are_all_reported_and_nothing_is_written(project, run):
    shutil.copy(MALFORMED, project / "bad.csv")
    assert run("import-atop", "bad.csv") == (1, "", (
        "bad.csv:3: year '19x1' is not a year; write four digits, e.g. 1961\n"
        "bad.csv:4: defense is '2', but ATOP codes each obligation as 0 (none) or 1 (in force)\n"
        "bad.csv:5: the row has 6 values where the header names 8 columns; a value is missing\n"
        "bad.csv:6: stateA 'abc' is not a Correlates of War state code; write the whole number, e.g. 365\n"
        "bad.csv:7: stateA 365, stateB 710, year 1950 is already on line 2; ATOP's table has one row per directed "
        "pair and year: remove one\n"
        "bad.csv:8: nonagg is 'yes', but ATOP codes each obligation as 0 (none) or 1 (in force)\n"
        "briefing import-atop: 6 problems in bad.csv; nothing was written, fix them and import again\n"))
    assert not (project / "data" / "treaties.yaml").exists()


@pytest.mark.parametrize(("header", "message"), [
    ("stateA,stateB,year,defense,offense,neutral,nonagg",
     "bad.csv:1: the table has no column 'consul' (ATOP's directed dyad-year table names stateA, stateB, year, "
     "defense, offense, neutral, nonagg, consul); is this ATOP's directed dyad-year table?"),
    ("statea,stateB,year,defense,offense,neutral,nonagg,consul",
     "bad.csv:1: the table has no column 'stateA' (ATOP's directed dyad-year table names stateA, stateB, year, "
     "defense, offense, neutral, nonagg, consul); write 'statea' as stateA"),
])
def test_a_table_without_atops_columns_is_refused(project, run, header, message):
    (project / "bad.csv").write_text(header + "\n365,710,1950,1,0,0,1,0\n", encoding="utf-8")
    assert run("import-atop", "bad.csv") == (1, "", message + "\nbriefing import-atop: 1 problem in bad.csv; nothing "
                                                              "was written, fix them and import again\n")


def test_bytes_that_are_not_text_are_reported_by_line(project, run):
    (project / "bad.csv").write_bytes(FIXTURE.read_bytes().replace(b"365,710,1951", b"365,\xff10,1951", 1)
                                      .replace(b"365,710,1952", b"365,7\x0010,1952", 1))
    code, _, err = run("import-atop", "bad.csv")
    assert (code, err) == (1, (
        "bad.csv:5: the line is not UTF-8 text (byte 0xff); save the table as UTF-8 (ATOP's own is plain ASCII)\n"
        "bad.csv:7: the line holds a NUL byte, so the file is not a text table; give ATOP's CSV file\n"
        "briefing import-atop: 2 problems in bad.csv; nothing was written, fix them and import again\n"))


def test_the_table_must_be_a_plain_file(project, run):
    (project / "folder.csv").mkdir()
    os.mkfifo(project / "pipe.csv")
    tail = "briefing import-atop: 1 problem in {0}; nothing was written, fix them and import again\n"
    assert run("import-atop", "folder.csv") == (1, "", (
        "folder.csv:1: is not a plain file (a folder, pipe or device); give the path of ATOP's directed dyad-year "
        "table, a .csv file\n" + tail.format("folder.csv")))
    assert run("import-atop", "pipe.csv")[2].startswith("pipe.csv:1: is not a plain file")
    assert run("import-atop", "missing.csv") == (1, "", (
        "missing.csv:1: the table cannot be read (No such file or directory); give the path of ATOP's directed "
        "dyad-year table, a .csv file\n" + tail.format("missing.csv")))


def test_the_data_must_be_clean_and_cite_atop(project, run):
    (project / "data" / "sources.yaml").write_text(SOURCES.split("- id: leeds-2002")[0], encoding="utf-8")
    assert run("import-atop", "atop.csv") == (1, "", (
        "data/sources.yaml:1: there is no source 'leeds-2002' to cite for ATOP; add ATOP's citation (see the README, "
        "Data) or name its id with --source\n"
        "briefing: 1 problem in data; fix them and run again\n"))
    assert run("import-atop", "atop.csv", "--source", "doe-2024")[0] == 0


def test_a_treaties_file_is_optional(project, run):
    assert run("check") == (0, "", "")
    from generator.load import load_data
    from generator.validate import validate

    dataset = validate(load_data("data"))
    assert (dataset.atop, dataset.obligations, dataset.obligations_of("russia-china")) == (None, (), None)


@pytest.fixture
def imported(project, run):
    assert run("import-atop", "atop.csv")[0] == 0
    target = project / "data" / "treaties.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("analyst: []\n", ANALYST_PART.split("\n", 1)[1]),
                      encoding="utf-8")
    return project


def test_classify_json_gives_each_dyads_obligations(imported, run):
    code, out, _ = run("classify", "--json")
    document = json.loads(out)
    assert code == 0
    assert document["atop"] == {"version": "5.1", "source": "leeds-2002", "from": 1850, "to": 2018}
    by_dyad = {found["id"]: found["obligations"] for found in document["dyads"]}
    assert by_dyad["north-korea-china"] == [
        {"from": 1961, "to": 1962, "by": ["PRK"], "kinds": ["defense", "non-aggression"], "coded_by": "atop",
         "source": "leeds-2002"},
        {"from": 1961, "to": 1963, "by": ["CHN"], "kinds": ["defense", "non-aggression"], "coded_by": "atop",
         "source": "leeds-2002"},
        {"from": 1963, "to": 1963, "by": ["PRK"], "kinds": ["non-aggression"], "coded_by": "atop",
         "source": "leeds-2002"},
    ]
    assert by_dyad["russia-north-korea"][-1] == {
        "from": 2024, "to": None, "by": ["RUS", "PRK"], "kinds": ["defense"], "coded_by": "analyst",
        "source": "doe-2024", "note": {"zh-TW": "測試。", "en": "A test.", "zh-Hans": "测试。"}}


def test_without_a_treaties_file_the_json_says_nobody_coded_them(project, run):
    document = json.loads(run("classify", "--json")[1])
    assert document["atop"] is None
    assert [found["obligations"] for found in document["dyads"]] == [None, None, None]


def test_a_dyad_the_import_did_not_cover_has_null_and_one_with_no_rows_an_empty_list(imported, run):
    target = imported / "data" / "treaties.yaml"
    text = target.read_text(encoding="utf-8")
    start = text.index("    russia-china:\n")
    end = text.index("    russia-north-korea:\n")
    target.write_text(text[:start] + "    russia-china: []\n" + text[end:], encoding="utf-8")
    document = json.loads(run("classify", "--json")[1])
    assert {found["id"]: found["obligations"] for found in document["dyads"]}["russia-china"] == []
    target.write_text(text[:start] + text[end:], encoding="utf-8")
    document = json.loads(run("classify", "--json")[1])
    assert {found["id"]: found["obligations"] for found in document["dyads"]}["russia-china"] is None


def test_a_dyad_added_after_the_import_is_a_warning_until_the_next_import(imported, run):
    text = dyad("china-usa", "CHN", "USA").replace("external: USA", "external: RUS")
    (imported / "data" / "dyads" / "china-usa.yaml").write_text(text, encoding="utf-8")
    assert run("check") == (0, "", "data/treaties.yaml:12: warning: dyad china-usa is not in the ATOP part, so its "
                                    "pages show no ATOP obligations; import the table again (briefing import-atop)\n")
    assert run("import-atop", "atop.csv")[0] == 0
    assert run("check") == (0, "", "")
    # The fixture's one row for the pair binds the United States alone, in 1950.
    assert "    china-usa:\n      - {from: 1950, to: 1950, by: USA, kinds: [consultation]}\n" in \
        (imported / "data" / "treaties.yaml").read_text(encoding="utf-8")


# ---- what the pages show --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    from test_actors import render

    return render()


def between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin:text.index(end, begin)]


def unkept(markup: str) -> str:
    """The markup without the spans that keep each part of an obligation on one line."""
    return re.sub(r'<span class="obligation-part">([^<]*)</span>', r"\1", markup)


def test_each_part_of_an_obligation_is_kept_on_one_line(shipped):
    """A phone's narrow card broke 「分析者編碼」 and 「雙方互負」 in two: lines break between the parts only."""
    page = shipped.page("dyad:russia-north-korea", "zh-TW").markdown
    assert '<li class="coded-analyst"><span class="obligation-part">防禦</span>（<span class="obligation-part">2024 ' \
           '年起</span>，<span class="obligation-part">雙方互負</span>；<span class="obligation-part">分析者編碼</span>' \
           '）</li>' in page


def test_the_verdict_card_gives_the_latest_obligations_beside_commitment(shipped):
    page = shipped.page("dyad:russia-north-korea", "zh-TW").markdown
    assert unkept(between(page, '<div class="verdict-sentence verdict-obligations">', "</div>")) == (
        '<div class="verdict-sentence verdict-obligations"><dt>條約義務</dt><dd><ul>'
        '<li class="coded-analyst">防禦（2024 年起，雙方互負；分析者編碼）</li>'
        '<li class="coded-atop">互不侵犯、諮商（2008–2018 年，雙方互負；ATOP 5.1 編碼）</li></ul></dd>')
    page = shipped.page("dyad:north-korea-china", "en").markdown
    assert unkept(between(page, '<div class="verdict-sentence verdict-obligations">', "</div>")) == (
        '<div class="verdict-sentence verdict-obligations"><dt>Formal obligations</dt><dd><ul>'
        '<li class="coded-atop">defence, non-aggression (1961–2018, mutual; coded by ATOP 5.1)</li></ul></dd>')


def test_the_dyad_page_lists_every_span_newest_first_with_its_sources(shipped):
    page = shipped.page("dyad:russia-north-korea", "en").markdown
    section = unkept(between(page, '<section class="obligations-section">', "</section>"))
    assert section.splitlines()[1:] == [
        '<h2 id="formal-obligations">Formal obligations</h2>',
        '<p class="obligations-lede">What the alliance treaties in force between the two bound them to, year by '
        'year. ATOP 5.1 codes the years 1815–2018<sup class="ref"><a href="#ref-leeds-2002">[9]</a></sup>; for later '
        "years the list holds only what the site's analysts coded from the source each cites. A formal obligation "
        'is a promise on paper, not the commitment read from their threats above (see <a href="../framework.html'
        '#obligations">the framework</a>).</p>',
        '<ul class="obligations">',
        '<li class="obligation coded-analyst">from 2024: defence (mutual; analyst-coded)<sup class="ref"><a '
        'href="#ref-ma-2025">[4]</a></sup><span class="obligation-note">The Comprehensive Strategic Partnership '
        "Treaty signed in June 2024 provides that if either party suffers aggression by another state, the other must "
        "give it assistance.</span></li>",
        '<li class="obligation coded-atop">2008–2018: non-aggression, consultation (mutual; coded by ATOP 5.1)</li>',
        '<li class="obligation coded-atop">2000–2007: consultation (mutual; coded by ATOP 5.1)</li>',
        '<li class="obligation coded-atop">1961–1996: defence, non-aggression (mutual; coded by ATOP 5.1)</li>',
        "</ul>",
    ]
    assert '<li id="ref-leeds-2002">' in page


def test_a_dyad_atop_gives_nothing_says_so_and_one_nobody_coded_shows_nothing(imported):
    from test_actors import ORGANISATION

    from generator.charts import ChartSet, plan
    from generator.classify import classify
    from generator.load import load_data
    from generator.pages import Settings, render_pages
    from generator.validate import validate

    target = imported / "data" / "treaties.yaml"
    text = target.read_text(encoding="utf-8")
    start, end = text.index("    north-korea-china:\n"), text.index("    russia-china:\n")
    target.write_text(text[:start] + text[end:].replace(text[end:text.index("    russia-north-korea:\n")],
                                                        "    russia-china: []\n"), encoding="utf-8")
    analysis = classify(validate(load_data("data")))
    charts = ChartSet(tuple(job.placeholder("chart", "alt") for job in plan(analysis)))
    pages = render_pages(analysis, charts, Settings(organisation=ORGANISATION))
    page = pages.page("dyad:russia-china", "en").markdown
    assert ('<div class="verdict-sentence verdict-obligations"><dt>Formal obligations</dt><dd>none in ATOP 5.1 '
            "(1850–2018)</dd></div>") in page
    assert "<p>ATOP 5.1 records no alliance obligation between the two in 1850–2018.</p>" in page
    page = pages.page("dyad:north-korea-china", "zh-TW").markdown
    assert "verdict-obligations" not in page and "obligations-section" not in page


def test_the_framework_page_explains_obligation_against_commitment(shipped):
    for lang, heading, kinds in (("zh-TW", "條約義務與同盟承諾", ["防禦", "攻擊", "中立", "互不侵犯", "諮商"]),
                                 ("en", "Formal obligations and commitment",
                                  ["Defence", "Offence", "Neutrality", "Non-aggression", "Consultation"])):
        page = shipped.page("framework", lang).markdown
        section = page[page.index('<h2 id="obligations">'):]
        assert heading in section
        assert [item.split("</strong>")[0] for item in section.split("<li><strong>")[1:]] == kinds


def test_the_bibliography_lists_the_dyad_pages_citing_atop(shipped):
    page = shipped.page("bibliography", "en").markdown
    entry = page[page.index('id="src-leeds-2002"'):]
    entry = entry[:entry.index("</li>")]
    assert all(title in entry for title in ("Russia–China", "North Korea–China", "Russia–North Korea"))


# ---- the full table -----------------------------------------------------------------------------------


def atop_part(text: str) -> str:
    return text[text.index("atop:\n"):text.index("\n\n", text.index("atop:\n"))]


@pytest.mark.skipif(not FULL_TABLE.is_file(), reason="ATOP's full table is not on this machine")
def test_the_full_table_gives_the_committed_atop_part(tmp_path, monkeypatch, run):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("import-atop", str(FULL_TABLE))
    assert code == 0
    assert "273,296 rows read; 3 dyads, 14 obligation ranges" in out
    imported = (tmp_path / "data" / "treaties.yaml").read_text(encoding="utf-8")
    committed = (ROOT / "data" / "treaties.yaml").read_text(encoding="utf-8")
    assert atop_part(imported) == atop_part(committed)
    assert imported == committed  # and the analyst part kept as it was
    assert atop_part(imported).startswith("atop:\n  version: '5.1'\n  source: leeds-2002\n"
                                          "  years: {from: 1815, to: 2018}\n")
