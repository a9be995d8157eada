"""Bad input: every case names the exact lines `briefing check` prints and exits 1."""
from __future__ import annotations

import pytest
from conftest import ACTORS, DYAD, ROOT, SOURCES, write_data

DYAD_PATH = "data/dyads/russia-china.yaml"
SUMMARY = "briefing: {n} {noun} in data; fix them and run again"


def edited(old: str, new: str, text: str = DYAD) -> str:
    if old not in text:
        raise ValueError(f"test setup: {old!r} is not in the base text")
    return text.replace(old, new, 1)


# (case id, new dyad text, expected problem lines)
DYAD_CASES = [
    (
        "level-typo",
        edited("    external: high", "    external: hi"),
        [f"{DYAD_PATH}:9: threat level 'hi' for RUS.external is not one of low, medium, high"],
    ),
    (
        "level-wrong-case",
        edited("    external: high", "    external: High"),
        [f"{DYAD_PATH}:9: threat level 'High' for RUS.external is not one of low, medium, high; write it in lower case: high"],
    ),
    (
        "unknown-key-typo",
        edited("    external: high", "    extrenal: high"),
        # One problem, one message: the typo's message already names the missing field.
        [f"{DYAD_PATH}:9: unknown key 'extrenal' in RUS threats; did you mean 'external'?"],
    ),
    (
        "duplicate-key",
        edited("    internal: low\n", "    internal: low\n    external: low\n"),
        [f"{DYAD_PATH}:11: the key 'external' appears twice in the same block (first on line 9); keep only one of them"],
    ),
    (
        "unknown-actor",
        edited("actors: [RUS, CHN]", "actors: [RUS, CHX]"),
        [f"{DYAD_PATH}:2: unknown actor 'CHX' in actors; add it to actors.yaml or fix the id (did you mean CHN?)"],
    ),
    (
        "unknown-source",
        edited("    evidence: [doe-2024]", "    evidence: [doe-2042]"),
        [f"{DYAD_PATH}:12: unknown source 'doe-2042' in evidence for RUS; did you mean 'doe-2024'?"],
    ),
    (
        "file-name-differs-from-id",
        edited("id: russia-china", "id: russia-kina"),
        [
            f"{DYAD_PATH}:1: dyad id 'russia-kina' does not match the file name russia-china.yaml; "
            "rename the file to russia-kina.yaml or change the id"
        ],
    ),
    (
        "missing-language",
        edited("title: {zh-TW: 俄中關係, en: Russia–China}", "title: {zh-TW: 俄中關係}"),
        [f"{DYAD_PATH}:5: title has no English text; add an 'en:' line"],
    ),
    (
        "extra-language",
        edited("summary: {zh-TW: 摘要。, en: Summary.}", "summary: {zh-TW: 摘要。, en: Summary., fr: Résumé.}"),
        [f"{DYAD_PATH}:6: summary has text in 'fr', a language the site does not publish; keep only zh-TW and en"],
    ),
    (
        "language-code-typo",
        edited("summary: {zh-TW: 摘要。, en: Summary.}", "summary: {zh-tw: 摘要。, en: Summary.}"),
        [
            f"{DYAD_PATH}:6: summary has no Traditional Chinese text; add a 'zh-TW:' line",
            f"{DYAD_PATH}:6: summary has text in 'zh-tw', a language the site does not publish; did you mean 'zh-TW'?",
        ],
    ),
    (
        "impossible-date",
        edited("as_of: 2025-06-30", "as_of: 2025-02-30"),
        [f"{DYAD_PATH}:4: as_of '2025-02-30' is not a real calendar date; check the month and day (YYYY-MM-DD)"],
    ),
    (
        "not-a-date",
        edited("as_of: 2025-06-30", "as_of: June 2025"),
        [f"{DYAD_PATH}:4: as_of 'June 2025' is not a date; write it as YYYY-MM-DD, e.g. 2025-06-30"],
    ),
    (
        "overwhelmed-without-high-internal",
        edited("    evidence: [doe-2024]\n  CHN:", "    evidence: [doe-2024]\n    overwhelmed: true\n  CHN:"),
        [
            f"{DYAD_PATH}:13: overwhelmed is set for RUS, but its internal threat is low; "
            "'overwhelmed: true' applies only when the internal threat is high"
        ],
    ),
    (
        "overwhelmed-not-boolean",
        edited("    internal: low\n    rationale", "    internal: high\n    overwhelmed: maybe\n    rationale"),
        [f"{DYAD_PATH}:11: overwhelmed for RUS must be true or false, not 'maybe'"],
    ),
    (
        "object-constructing-tag",
        edited("external: USA", 'external: !!python/object/apply:os.system ["echo owned"]'),
        [
            f"{DYAD_PATH}:3: the YAML tag '!!python/object/apply:os.system' is not allowed in data files; "
            "remove the tag and write a plain value",
        ],
    ),
    (
        "actor-paired-with-itself",
        edited("actors: [RUS, CHN]", "actors: [RUS, RUS]"),
        [f"{DYAD_PATH}:2: a dyad pairs two different actors, but actors lists RUS twice"],
    ),
    (
        "external-is-a-member",
        edited("external: USA", "external: CHN"),
        [
            f"{DYAD_PATH}:3: the external actor CHN is also a member of this dyad; "
            "the external actor must be outside the pair"
        ],
    ),
    (
        "missing-threats-for-member",
        DYAD.split("  CHN:")[0],
        [f"{DYAD_PATH}:7: threats has no entry for CHN; add its external and internal levels under threats"],
    ),
    (
        "threats-for-non-member",
        edited("  CHN:", "  PRK:"),
        [
            f"{DYAD_PATH}:7: threats has no entry for CHN; add its external and internal levels under threats",
            f"{DYAD_PATH}:13: threats names PRK, which is not one of this dyad's actors (RUS, CHN); "
            "give levels only for the two members",
        ],
    ),
    (
        "empty-evidence",
        edited("    evidence: [doe-2024]", "    evidence: []"),
        [f"{DYAD_PATH}:12: evidence for RUS is empty; list at least one source id from sources.yaml"],
    ),
    (
        "evidence-listed-twice",
        edited("    evidence: [doe-2024]", "    evidence: [doe-2024, doe-2024]"),
        [f"{DYAD_PATH}:12: source 'doe-2024' is listed twice in evidence for RUS; list it once"],
    ),
    (
        "lean-not-a-threat-kind",
        edited("    internal: low\n    rationale", "    internal: low\n    lean: outside\n    rationale"),
        [f"{DYAD_PATH}:11: lean 'outside' for RUS is not one of external, internal"],
    ),
    (
        "alternative-equals-main-level",
        edited("    internal: low\n    rationale", "    internal: low\n    alternatives: {external: [high]}\n    rationale"),
        [f"{DYAD_PATH}:11: alternative reading 'high' for RUS.external is the same as its main level; remove it"],
    ),
    (
        "alternative-level-typo",
        edited("    internal: low\n    rationale", "    internal: low\n    alternatives: {external: [meduim]}\n    rationale"),
        [f"{DYAD_PATH}:11: alternative threat level 'meduim' for RUS.external is not one of low, medium, high"],
    ),
    (
        "missing-field",
        edited("as_of: 2025-06-30\n", ""),
        [f"{DYAD_PATH}:1: dyad russia-china has no 'as_of'; add it (the date of the assessment, YYYY-MM-DD)"],
    ),
    (
        "empty-text",
        edited("summary: {zh-TW: 摘要。, en: Summary.}", "summary: {zh-TW: 摘要。, en: ''}"),
        [f"{DYAD_PATH}:6: the English text of summary is empty; write the text"],
    ),
    (
        "tab-indentation",
        edited("  RUS:\n    external: high", "  RUS:\n\texternal: high"),
        [f"{DYAD_PATH}:9: a tab character is used for indentation; YAML needs spaces, so replace the tab with spaces"],
    ),
    (
        "yaml-alias",
        edited("title: {zh-TW: 俄中關係, en: Russia–China}\nsummary: {zh-TW: 摘要。, en: Summary.}",
               "title: &t {zh-TW: 俄中關係, en: Russia–China}\nsummary: *t"),
        [f"{DYAD_PATH}:6: YAML aliases (*name) are not allowed in data files; write the value out in full"],
    ),
    (
        "colon-in-plain-text",
        edited("summary: {zh-TW: 摘要。, en: Summary.}", "summary:\n  zh-TW: 摘要。\n  en: Note: this breaks"),
        [
            f"{DYAD_PATH}:8: a colon followed by a space inside a text starts a new key; "
            "put the whole text in quotes or reword it without ': '"
        ],
    ),
    (
        "unquoted-comma-in-flow-text",
        edited("summary: {zh-TW: 摘要。, en: Summary.}", "summary: {zh-TW: 摘要。, en: Summary, and more}"),
        [
            f"{DYAD_PATH}:6: summary has an unquoted comma inside {{ … }}, so the words after it ('and more') "
            "were read as another key; put the text in quotes"
        ],
    ),
    (
        "empty-file",
        "",
        [f"{DYAD_PATH}:1: dyad russia-china is empty; write its keys: id, actors, external, as_of, title, summary, "
         "threats, assessments"],
    ),
    (
        "not-a-mapping",
        "- just\n- a list\n",
        [
            f"{DYAD_PATH}:1: dyad russia-china should be a block of keys "
            "(id, actors, external, as_of, title, summary, threats, assessments), not a single value or list"
        ],
    ),
]


def expected_output(lines: list[str]) -> str:
    noun = "problem" if len(lines) == 1 else "problems"
    return "\n".join(lines + [SUMMARY.format(n=len(lines), noun=noun)]) + "\n"


@pytest.mark.parametrize("text, lines", [case[1:] for case in DYAD_CASES], ids=[case[0] for case in DYAD_CASES])
def test_bad_dyad_is_reported_exactly(workdir, run, text, lines):
    write_data(workdir, dyads={"russia-china": text})
    code, out, err = run("check")
    assert (code, out, err) == (1, "", expected_output(lines))


def test_there_are_at_least_twenty_bad_input_cases():
    assert len(DYAD_CASES) + len(FILE_CASES) >= 20


def billion_laughs() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 9):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# (case id, files to write {relative path: text or bytes}, expected problem lines)
FILE_CASES = [
    (
        "actor-code-not-alpha3",
        {"actors.yaml": ACTORS.replace("- id: PRK", "- id: Prk")},
        ["data/actors.yaml:3: actor id 'Prk' is not a 3-letter upper-case code; use an ISO 3166 alpha-3 code such as RUS"],
    ),
    (
        "actor-defined-twice",
        {"actors.yaml": ACTORS + "- id: RUS\n  name: {zh-TW: 俄國, en: Russia}\n"},
        ["data/actors.yaml:9: actor RUS is defined twice (first on line 5); keep one"],
    ),
    (
        "source-javascript-url",
        {"sources.yaml": SOURCES.replace("https://example.org/doe", "javascript:alert(1)")},
        [
            "data/sources.yaml:6: url 'javascript:alert(1)' for source doe-2024 is not a web address; "
            "use a full http:// or https:// link"
        ],
    ),
    (
        "source-year-not-a-year",
        {"sources.yaml": SOURCES.replace("year: 2024", "year: n.d.")},
        ["data/sources.yaml:3: year 'n.d.' for source doe-2024 is not a year; write four digits, e.g. 2024"],
    ),
    (
        "source-id-not-kebab",
        {"sources.yaml": SOURCES.replace("- id: doe-2024", "- id: Doe2024"),
         "dyads/russia-china.yaml": DYAD.replace("doe-2024", "Doe2024")},
        [
            "data/sources.yaml:1: source id 'Doe2024' is not kebab-case; use lower-case words and digits joined "
            "by hyphens, e.g. davidson-2023",
        ],
    ),
    (
        "source-missing-field",
        {"sources.yaml": SOURCES.replace("  publisher: Test Press\n", "")},
        [
            "data/sources.yaml:1: source doe-2024 has no 'publisher'; add it",
        ],
    ),
    (
        "billion-laughs",
        {"actors.yaml": billion_laughs()},
        ["data/actors.yaml:2: YAML aliases (*name) are not allowed in data files; write the value out in full"],
    ),
    (
        "not-utf8",
        {"actors.yaml": ACTORS.encode("utf-8").replace("俄羅斯".encode(), b"\xff\xfe")},
        ["data/actors.yaml:6: the file is not UTF-8 text (byte 0xff); save it with UTF-8 encoding"],
    ),
    (
        "actors-empty",
        {"actors.yaml": ""},
        [
            "data/actors.yaml:1: the file is empty; list the actors here, each starting with '- id: RUS'",
        ],
    ),
    (
        "dyad-file-with-yml-ending",
        {"dyads/russia-china.yaml": None, "dyads/russia-china.yml": DYAD},
        ["data/dyads/russia-china.yml:1: dyad files end in .yaml; rename russia-china.yml to russia-china.yaml"],
    ),
    (
        "two-dyads-for-one-pair",
        {"dyads/china-russia.yaml": DYAD.replace("id: russia-china", "id: china-russia")},
        [
            "data/dyads/russia-china.yaml:1: dyads china-russia and russia-china both pair CHN and RUS facing USA; "
            "keep one of them, or give one a different external actor"
        ],
    ),
    (
        "sources-missing",
        {"sources.yaml": None},
        [
            "data/sources.yaml:1: sources.yaml is missing; every data folder needs one",
        ],
    ),
    (
        "file-too-large",
        {"sources.yaml": SOURCES + "# " + "x" * (3 * 1024 * 1024) + "\n"},
        [
            "data/sources.yaml:1: the file is 3.0 MB, over the 2 MB allowed for a data file; "
            "split it or remove what does not belong",
        ],
    ),
]


@pytest.mark.parametrize("files, lines", [case[1:] for case in FILE_CASES], ids=[case[0] for case in FILE_CASES])
def test_bad_file_is_reported_exactly(workdir, run, files, lines):
    data = write_data(workdir)
    for name, content in files.items():
        target = data / name
        if content is None:
            target.unlink()
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    code, out, err = run("check")
    assert (code, out, err) == (1, "", expected_output(lines))


def test_every_problem_in_a_file_is_reported_in_one_run(workdir, run):
    text = edited("    external: high", "    external: hi")
    text = edited("as_of: 2025-06-30", "as_of: 2025-13-01", text)
    text = edited("    evidence: [doe-2024]\n  CHN:", "    evidence: [nobody-1999]\n  CHN:", text)
    write_data(workdir, dyads={"russia-china": text})
    code, _, err = run("check")
    assert code == 1
    assert err.splitlines() == [
        f"{DYAD_PATH}:4: as_of '2025-13-01' is not a real calendar date; check the month and day (YYYY-MM-DD)",
        f"{DYAD_PATH}:9: threat level 'hi' for RUS.external is not one of low, medium, high",
        f"{DYAD_PATH}:12: unknown source 'nobody-1999' in evidence for RUS; add it to sources.yaml first",
        "briefing: 3 problems in data; fix them and run again",
    ]


def test_a_lean_that_decides_nothing_is_a_warning_not_an_error(workdir, run):
    text = edited("    internal: low\n    rationale", "    internal: low\n    lean: external\n    rationale")
    write_data(workdir, dyads={"russia-china": text})
    assert run("check") == (
        0,
        "",
        f"{DYAD_PATH}:11: warning: lean for RUS decides nothing: its levels only reach cell G, "
        "which fixes the strategy; remove the lean or check the levels\n",
    )


def test_a_lean_reachable_through_an_alternative_reading_is_not_warned_about(workdir, run):
    text = edited(
        "    internal: low\n    rationale",
        "    internal: low\n    lean: external\n    alternatives: {internal: [medium]}\n    rationale",
    )
    write_data(workdir, dyads={"russia-china": text})
    assert run("check") == (0, "", "")


def test_missing_data_folder(workdir, run):
    assert run("check", "--data", "nowhere") == (
        1,
        "",
        "nowhere:1: the data folder does not exist; run the command from the project folder or pass --data DIR\n"
        "briefing: 1 problem in nowhere; fix them and run again\n",
    )


# ---- Taiwan usage ---------------------------------------------------------------------------------

MAINLAND_DYAD = edited("    rationale: {zh-TW: 理由。, en: Reason.}\n    evidence: [doe-2024]\n  CHN:", """\
    rationale:
      zh-TW: >
        俄方的理由。
        普京的導彈與網絡。
      en: Putin (普京) on missiles and networks.
    evidence: [doe-2024]
  CHN:""", edited("summary: {zh-TW: 摘要。, en: Summary.}",
                  "summary: {zh-TW: 普京談信息與視頻。, en: Putin (普京) on information.}"))

MAINLAND_BRIEF = """\
---
title: 網絡時代的同盟
author: 信息研究室
affiliation: 同盟觀察研究室
date: 2025-07-01
summary: 普京與金正恩。
lead_image:
  src: chart:russia-china/matrix
  caption: 導彈射程。
  credit: 圖表：信息中心
---

普京說，`信息` 不是 [軟件](https://example.org/軟件 "軟件") 的事。

<span title="信息">網絡</span> https://example.org/普京

    print("視頻")
"""


def test_mainland_usage_in_zh_tw_texts_is_a_warning_with_its_line(workdir, run):
    sources = SOURCES.replace("title: A Test Source", "title: 習近平同俄羅斯總統普京通電話").replace(
        "publisher: Test Press", "publisher: 信息出版社")
    data = write_data(workdir, sources=sources, dyads={"russia-china": MAINLAND_DYAD})
    (data / "events.yaml").write_text(
        "- date: 2024-05-16\n  title: {zh-TW: 普京訪問北京, en: Putin (普京) visits Beijing}\n"
        "  source: doe-2024\n  actors: [RUS, CHN]\n", encoding="utf-8")
    briefs = workdir / "docs" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "usage.zh-TW.md").write_text(MAINLAND_BRIEF, encoding="utf-8")
    (briefs / "usage.en.md").write_text(MAINLAND_BRIEF.replace("title: 網絡時代的同盟", "title: Alliances (網絡)"),
                                        encoding="utf-8")
    (workdir / "docs" / "about.md").write_text("---\ntitle: 關於信息\n---\n\n本站不用軟件。\n", encoding="utf-8")
    (workdir / "docs" / "en").mkdir()
    (workdir / "docs" / "en" / "about.md").write_text("# About\n\nNo software (軟件) here.\n", encoding="utf-8")
    assert run("check") == (0, "", "".join(line + "\n" for line in [
        f"{DYAD_PATH}:6: warning: 普京 is mainland usage; Taiwan writes 普丁",
        f"{DYAD_PATH}:6: warning: 信息 is mainland usage; Taiwan writes 資訊",
        f"{DYAD_PATH}:6: warning: 視頻 is mainland usage; Taiwan writes 影片 or 視訊",
        f"{DYAD_PATH}:14: warning: 普京 is mainland usage; Taiwan writes 普丁",
        f"{DYAD_PATH}:14: warning: 導彈 is mainland usage; Taiwan writes 飛彈",
        f"{DYAD_PATH}:14: warning: 網絡 is mainland usage; Taiwan writes 網路",
        "data/events.yaml:2: warning: 普京 is mainland usage; Taiwan writes 普丁",
        "docs/about.md:2: warning: 信息 is mainland usage; Taiwan writes 資訊",
        "docs/about.md:5: warning: 軟件 is mainland usage; Taiwan writes 軟體",
        "docs/briefs/usage.zh-TW.md:2: warning: 網絡 is mainland usage; Taiwan writes 網路",
        "docs/briefs/usage.zh-TW.md:6: warning: 普京 is mainland usage; Taiwan writes 普丁",
        "docs/briefs/usage.zh-TW.md:9: warning: 導彈 is mainland usage; Taiwan writes 飛彈",
        "docs/briefs/usage.zh-TW.md:13: warning: 普京 is mainland usage; Taiwan writes 普丁",
        "docs/briefs/usage.zh-TW.md:13: warning: 軟件 is mainland usage; Taiwan writes 軟體",  # the link's text, not its target
        "docs/briefs/usage.zh-TW.md:15: warning: 網絡 is mainland usage; Taiwan writes 網路",
    ]))


def test_texts_written_in_taiwan_usage_are_not_warned_about(workdir, run):
    # A joint statement (聲明) and a document (文件) are Taiwan usage, though OpenCC maps them as computing terms.
    text = edited("summary: {zh-TW: 摘要。, en: Summary.}",
                  "summary: {zh-TW: 普丁訪問北京，雙方聯合聲明與合作文件。, en: Summary.}")
    write_data(workdir, dyads={"russia-china": text})
    assert run("check") == (0, "", "")


def test_the_shipped_project_has_no_mainland_usage(run, monkeypatch):
    from generator.usage import mainland_usage

    monkeypatch.chdir(ROOT)
    assert run("check") == (0, "", "")
    # The rule and label tables show their zh-TW texts on every page too.
    for table in ("framework.yaml", "labels.yaml"):
        text = (ROOT / "generator" / table).read_text(encoding="utf-8")
        assert mainland_usage(text) == [], table


UNCITED_MESSAGE = ("warning: this paragraph states a date or figure ({}) but cites no source; add a citation such "
                   "as [@id], or a footnote [^1] whose note cites one")

UNCITED_ZH = """\
---
title: 俄朝條約
author: 王小明
affiliation: 同盟觀察研究室
date: 2025-07-01
summary: 條約的摘要。
---

## 2024 年的條約

2024 年 6 月 19 日，普丁抵達平壤。

北韓已提供大量彈藥。[^1]

雙方在 2024 年簽約。[^1]

    print(2024)

[^1]: 見 [@doe-2024]。
"""

UNCITED_EN = """\
---
title: The treaty
author: Jane Doe
affiliation: Alliance Briefs Desk
date: 2025-07-01
summary: A summary.
---

# In 2024

The treaty was signed.

- Putin arrived on 19 June 2024.
- Russia fired more than 65 missiles from North Korea, as reported.[^note]
- North Korea sent 16,500 containers [@doe-2024].

Code such as `2024` is not prose.

[^note]: See [@doe-2024].
"""


def test_a_date_or_figure_without_a_citation_is_a_warning_with_its_line(workdir, run):
    write_data(workdir)
    briefs = workdir / "docs" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "treaty.zh-TW.md").write_text(UNCITED_ZH, encoding="utf-8")
    (briefs / "treaty.en.md").write_text(UNCITED_EN, encoding="utf-8")
    assert run("check") == (0, "", "".join(line + "\n" for line in [
        "docs/briefs/treaty.en.md:13: " + UNCITED_MESSAGE.format("19 June 2024"),
        "docs/briefs/treaty.zh-TW.md:11: " + UNCITED_MESSAGE.format("2024 年 6 月 19 日"),
    ]))


def test_a_cited_paragraph_heading_or_code_with_a_date_is_not_warned_about(workdir, run):
    write_data(workdir)
    briefs = workdir / "docs" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "treaty.zh-TW.md").write_text(
        UNCITED_ZH.replace("，普丁抵達平壤。", "，普丁抵達平壤。[^1]"), encoding="utf-8")
    (briefs / "treaty.en.md").write_text(
        UNCITED_EN.replace("on 19 June 2024.", "on 19 June 2024 [@doe-2024]."), encoding="utf-8")
    assert run("check") == (0, "", "")


def test_a_footnote_that_cites_nothing_does_not_count_as_a_citation(workdir, run):
    write_data(workdir)
    briefs = workdir / "docs" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "treaty.zh-TW.md").write_text(
        UNCITED_ZH.replace("，普丁抵達平壤。", "，普丁抵達平壤。[^2]") + "[^2]: 作者的說明。\n", encoding="utf-8")
    assert run("check") == (0, "", "docs/briefs/treaty.zh-TW.md:11: "
                            + UNCITED_MESSAGE.format("2024 年 6 月 19 日") + "\n")


STRAY_BRIEF = """\
---
title: Stray markup
author: A. Analyst
affiliation: Alliance Watch
date: 2025-07-01
summary: Embeds and citations written almost right.
---

[[chrat: russia-china]]

The verdict [verdict: russia-china] and the chart [chart: russia-china/matrix] have one bracket each.

As [doe-2024] shows, and [[verdict: rusia-china]] too.

[[note: something]] and [[ verdict: russia-china]] and [[chart：russia-china/matrix]]

Fine: [@doe-2024], [[verdict: russia-china]], [[chart: russia-china/matrix]], a footnote[^1], a link
[doe-2024](https://example.org/doe), a reference [report][ref], a picture ![chart: x](a.png), `[[chrat: x]]`,
`[doe-2024]`, an escaped \\[chart: x\\] and [the chart: a note].

    [verdict: russia-china] in a code block

```
[[chrat: russia-china]] in a fence
```

[^1]: See [@doe-2024].

[ref]: https://example.org/doe
"""


def test_embed_and_citation_lookalikes_are_refused_with_what_to_write(workdir, run):
    write_data(workdir)
    briefs = workdir / "docs" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "stray.en.md").write_text(STRAY_BRIEF, encoding="utf-8")
    path = "docs/briefs/stray.en.md"
    assert run("check") == (1, "", "".join(line + "\n" for line in [
        f"{path}:9: the brief embeds 'chrat', which is not something a brief can embed; did you mean [[chart: …]]?",
        f"{path}:11: '[chart: russia-china/matrix]' has single brackets, so readers would see it as typed; "
        "write [[chart: russia-china/matrix]]",
        f"{path}:11: '[verdict: russia-china]' has single brackets, so readers would see it as typed; "
        "write [[verdict: russia-china]]",
        f"{path}:13: '[doe-2024]' names source doe-2024 but does not cite it, so readers would see the brackets; "
        "write [@doe-2024]",
        f"{path}:13: the brief embeds the verdict of dyad 'rusia-china', which is not in data/dyads; "
        "did you mean 'russia-china'?",
        f"{path}:15: '[[ verdict: russia-china]]' is not read as an embed (check the spaces and the colon); "
        "write [[verdict: russia-china]]",
        f"{path}:15: '[[chart：russia-china/matrix]]' is not read as an embed (check the spaces and the colon); "
        "write [[chart: russia-china/matrix]]",
        f"{path}:15: the brief embeds 'note', which is not something a brief can embed; "
        "the embeds are [[verdict: …]] and [[chart: …]]",
        SUMMARY.format(n=8, noun="problems"),
    ]))


def test_a_source_id_in_brackets_is_a_link_when_the_brief_defines_it(workdir, run):
    write_data(workdir)
    briefs = workdir / "docs" / "briefs"
    briefs.mkdir(parents=True)
    (briefs / "linked.en.md").write_text(
        STRAY_BRIEF.split("---\n\n")[0] + "---\n\nAs [doe-2024] shows.\n\n[doe-2024]: https://example.org/doe\n",
        encoding="utf-8")
    assert run("check") == (0, "", "")
