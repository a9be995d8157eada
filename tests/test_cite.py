"""Scholarly citation of the site's own pages: the cite boxes, the reference files, the page heads."""
from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache
from html.parser import HTMLParser

import bibtexparser
import pytest
import rispy
import yaml
from conftest import ROOT
from projects import built, checkout

from generator import cite
from generator.pages import Settings, SitePlan
from generator.urls import CITATION_FORMATS, cite_downloads, href, url_of

SITE_URL = "https://alliances.example/"
TREATY = "russia-north-korea-treaty"


def organisation() -> dict:
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", "")
    return yaml.safe_load(text)["extra"]["organisation"]


@cache
def plan(site_url: str = SITE_URL) -> SitePlan:
    from generator.charts import ChartSet
    from generator.charts import plan as chart_plan
    from generator.classify import classify
    from generator.load import load_data
    from generator.pages import render_pages
    from generator.validate import validate

    analysis = classify(validate(load_data(ROOT / "data", ROOT / "docs")))
    charts = ChartSet(tuple(job.placeholder("t", "a") for job in chart_plan(analysis)))
    return render_pages(analysis, charts, Settings(organisation=organisation(), site_url=site_url, handouts=True))


def download(kind: str, name: str, lang: str, form: str) -> str:
    files = dict(plan().files)
    return files[cite_downloads(kind, name, lang)[form]].decode("utf-8")


def page(key: str, lang: str) -> str:
    return plan().page(key, lang).markdown


# ---- the formatted references -----------------------------------------------------------------------------

EN = "https://alliances.example/en/briefs/russia-north-korea-treaty.html"
ZH = "https://alliances.example/briefs/russia-north-korea-treaty.html"
EXPECTED = {
    ("en", "apa"): "Alliance Briefs Desk Editorial Team. (2025). <i>How the Russia–North Korea Treaty Changes Northeast "
                   "Asia</i> (Alliance Briefs) [Policy brief]. Alliance Briefs Desk. "
                   f'<a href="{EN}">{EN}</a>',
    ("en", "chicago-author-date"): "Alliance Briefs Desk Editorial Team. 2025. <i>How the Russia–North Korea Treaty "
                                   "Changes Northeast Asia</i>. Policy brief. Alliance Briefs. Alliance Briefs Desk. "
                                   f'<a href="{EN}">{EN}</a>.',
    # Taiwan's Chinese APA: full-width punctuation, no stop between author and year, the title in bold.
    ("zh-TW", "apa"): "同盟觀察研究室編輯部（2025）。<b>俄朝《全面戰略夥伴關係條約》如何改變東北亞</b>（同盟觀察評析）"
                      f'［政策評析］。同盟觀察研究室。<a href="{ZH}">{ZH}</a>',
    # Chicago in Chinese: the title in 《》, the treaty's own 《》 inside it turned to 〈〉; no stop after the address.
    ("zh-TW", "chicago-author-date"): "同盟觀察研究室編輯部。2025。《俄朝〈全面戰略夥伴關係條約〉如何改變東北亞》。"
                                      f'政策評析。同盟觀察評析。同盟觀察研究室。<a href="{ZH}">{ZH}</a>',
}


@pytest.mark.parametrize(("lang", "style"), sorted(EXPECTED))
def test_a_brief_is_cited_in_apa_and_chicago_exactly(lang, style):
    box = page(f"brief:{TREATY}", lang)
    box = box[box.index('<section class="cite"'):]
    references = re.findall(r'<dd class="cite-text">(.*?)</dd>', box)
    assert references[cite.STYLES.index(style)] == EXPECTED[(lang, style)]


def test_without_a_site_address_a_reference_gives_none():
    box = plan("").page(f"brief:{TREATY}", "zh-TW").markdown
    box = box[box.index('<section class="cite"'):]
    assert re.findall(r'<dd class="cite-text">(.*?)</dd>', box) == [
        "同盟觀察研究室編輯部（2025）。<b>俄朝《全面戰略夥伴關係條約》如何改變東北亞</b>（同盟觀察評析）［政策評析］。同盟觀察研究室。",
        "同盟觀察研究室編輯部。2025。《俄朝〈全面戰略夥伴關係條約〉如何改變東北亞》。政策評析。同盟觀察評析。同盟觀察研究室。"]
    assert "citation_abstract_html_url" not in box and "citation_pdf_url" not in box and '"url"' not in box


def test_a_brief_title_ending_in_a_question_takes_no_second_stop():
    box = page("brief:alliances-reborn", "en")
    assert "<i>Are Alliances Being Reborn?</i> Policy brief." in box  # Chicago; citeproc-py alone gives "?</i>."


def test_every_cite_box_links_its_three_reference_files_and_comes_after_the_notes():
    for site_page in plan().pages:
        if site_page.kind not in ("brief", "dyad"):
            continue
        box = site_page.markdown[site_page.markdown.index('<section class="cite"'):]
        links = re.findall(r'<a href="([^"]+)" title="[^"]+" download>', box)
        paths = cite_downloads(site_page.kind, site_page.key.partition(":")[2], site_page.lang).values()
        assert links == [href(site_page.url, path) for path in paths], site_page.src_uri
        if site_page.kind == "brief" and "[^" in site_page.markdown:
            assert site_page.markdown.index("///Footnotes Go Here///") < site_page.markdown.index('<section class="cite"')


def test_an_untranslated_briefs_page_cites_the_original_in_its_language(tmp_path):
    from generator.charts import ChartSet
    from generator.charts import plan as chart_plan
    from generator.classify import classify
    from generator.load import load_data
    from generator.pages import render_pages
    from generator.validate import validate

    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "only.en.md").write_text(HOSTILE.replace(json.dumps(HOSTILE_TITLE), "Only in English"), "utf-8")
    analysis = classify(validate(load_data(ROOT / "data", tmp_path)))
    charts = ChartSet(tuple(job.placeholder("t", "a") for job in chart_plan(analysis)))
    site = render_pages(analysis, charts, Settings(organisation=organisation(), site_url=SITE_URL, handouts=True))
    untranslated = site.page("brief:only", "zh-TW")
    assert not untranslated.translated
    box = untranslated.markdown[untranslated.markdown.index('<section class="cite"'):]
    assert box.startswith('<section class="cite" aria-label="Cite this brief">')
    assert "Only in English</i> (Alliance Briefs) [Policy brief]. Alliance Briefs Desk." in box
    assert 'href="../downloads/cite/only.en.bib"' in box and "only.zh-TW" not in box
    front = yaml.safe_load(untranslated.markdown.split("---\n")[1])
    assert json.loads(front["linked_data"])["url"] == "https://alliances.example/en/briefs/only.html"
    assert not any("only.zh-TW" in path for path, _ in site.files)


# ---- the reference files ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
def test_the_bibtex_ris_and_csl_json_of_a_brief_read_back_with_the_right_fields(lang):
    brief = next(b for b in plan().pages if b.key == f"brief:{TREATY}" and b.lang == lang)
    title = brief.title
    address = SITE_URL + url_of(f"brief:{TREATY}", lang)
    pdf = f"{SITE_URL}pdf/{TREATY}.{lang}.pdf"
    author = {"zh-TW": "同盟觀察研究室編輯部", "en": "Alliance Briefs Desk Editorial Team"}[lang]
    desk = organisation()["name"][lang]

    library = bibtexparser.parse_string(download("brief", TREATY, lang, "bib"))
    assert library.failed_blocks == [] and len(library.entries) == 1
    entry = library.entries[0]
    fields = {name: field.value for name, field in entry.fields_dict.items()}
    assert entry.entry_type == "techreport" and entry.key == f"{TREATY}-2025-{lang}"
    assert fields["author"] == "{" + author + "}"  # a body, braced whole
    assert (fields["title"], fields["institution"], fields["year"], fields["date"], fields["url"]) == (
        title, desk, "2025", "2025-07-10", address)

    [record] = rispy.loads(download("brief", TREATY, lang, "ris"))
    assert (record["type_of_reference"], record["authors"], record["title"], record["publisher"]) == (
        "RPRT", [author], title, desk)
    assert (record["year"], record["date"], record["language"], record["urls"], record["file_attachments1"]) == (
        "2025", "2025/07/10", lang, [address], pdf)

    [item] = json.loads(download("brief", TREATY, lang, "csl.json"))
    assert item == {**item, "type": "report", "title": title, "author": [{"literal": author}], "publisher": desk,
                    "issued": {"date-parts": [[2025, 7, 10]]}, "URL": address, "language": lang}


def test_a_dyads_reference_files_name_the_desk_and_the_assessment_date():
    [record] = rispy.loads(download("dyad", "russia-china", "en", "ris"))
    assert (record["title"], record["authors"], record["date"], record["type_of_work"]) == (
        "Russia–China", ["Alliance Briefs Desk"], "2025/06/30", "Dyad assessment")
    [item] = json.loads(download("dyad", "russia-china", "zh-TW", "csl.json"))
    assert (item["title"], item["author"], item["genre"], item["URL"]) == (
        "俄中關係", [{"literal": "同盟觀察研究室"}], "雙邊關係評估", SITE_URL + "dyads/russia-china.html")
    assert {path for path, _ in plan().files} >= {cite_downloads("dyad", "russia-china", lang)[form]
                                                 for lang in ("zh-TW", "en", "zh-Hans") for form in CITATION_FORMATS}


def hostile_work(**fields) -> cite.Work:
    values = dict(kind="brief", name="x", lang="en", title="</script><script>alert(1)</script><!-- 50% {A} & B_c",
                  authors=("Doe, Jane", "Kim Lee"), organisation=False, affiliation="Desk", date=dt.date(2025, 1, 2),
                  publisher="Desk", series="Briefs", genre="Policy brief", abstract="One\nline.", page="en/briefs/x.html",
                  pdf="pdf/x.en.pdf", site_url=SITE_URL)
    values.update(fields)
    return cite.Work(**values)


def test_reference_files_escape_what_their_formats_read_specially():
    work = hostile_work()
    [entry] = bibtexparser.parse_string(cite.bibtex(work)).entries
    assert entry.fields_dict["title"].value == r"</script><script>alert(1)</script><!-- 50\% \{A\} \& B\_c"
    assert entry.fields_dict["author"].value == "Doe, Jane and Lee, Kim"
    [record] = rispy.loads(cite.ris(work))
    assert record["abstract"] == "One line." and record["authors"] == ["Doe, Jane", "Kim Lee"]


def test_the_linked_data_cannot_end_its_script_element():
    work = hostile_work()
    text = cite.json_ld(work)
    assert not set("<>&") & set(text)
    data = json.loads(text)
    assert data["headline"] == work.title and data["author"][0] == {
        "@type": "Person", "name": "Doe, Jane", "affiliation": {"@type": "Organization", "name": "Desk"}}


# ---- the page heads, in a built site ------------------------------------------------------------------------


class Head(HTMLParser):
    """The citation tags and the scripts of a page, as a browser reads them (script text is raw)."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.scripts: list[tuple[str | None, str]] = []
        self._script: str | None = None
        self._type: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and (attributes.get("name") or "").startswith("citation_"):
            self.meta.append((attributes["name"], attributes.get("content") or ""))
        if tag == "script":
            self._script, self._type = "", attributes.get("type")

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._type, self._script))
            self._script = None


HOSTILE_TITLE = "</script><script>alert(1)</script><!-- & > <"
HOSTILE = f"""---
title: {json.dumps(HOSTILE_TITLE)}
author: Alliance Briefs Desk Editorial Team
affiliation: Alliance Briefs Desk
date: 2025-07-01
summary: A brief whose title tries to end the page's linked data.
dyads: [russia-china]
---

Nothing more.
"""


@pytest.fixture(scope="module")
def addressed(tmp_path_factory):
    """The project built with a site address, and a brief (in English only) with a hostile title."""
    project = checkout(tmp_path_factory.mktemp("addressed") / "project")
    settings = project / "mkdocs.yml"
    settings.write_text(settings.read_text("utf-8") + f"site_url: {SITE_URL}\n", "utf-8")
    (project / "docs" / "briefs" / "hostile.en.md").write_text(HOSTILE, "utf-8")
    return built(project)


@pytest.mark.slow
def test_every_brief_and_dyad_page_tells_its_citation_in_its_head(addressed):
    from generator.load import load_data
    from generator.validate import validate

    dataset = validate(load_data(addressed.parent / "data", addressed.parent / "docs"))
    from generator.languages import TABLE
    desk = TABLE.complete_each(organisation())["name"]
    expected = {}  # page path -> (title, authors, date, language, the cited page, its handout)
    for lang in TABLE.codes:
        for dyad in dataset.dyads:
            expected[url_of(f"dyad:{dyad.id}", lang)] = (
                dyad.title.get(lang), [desk[lang]], dyad.as_of, lang, url_of(f"dyad:{dyad.id}", lang),
                f"pdf/dyad-{dyad.id}.{lang}.pdf")
        for slug in {brief.slug for brief in dataset.briefs}:
            brief = dataset.brief_shown(slug, lang)
            assert brief is not None
            expected[url_of(f"brief:{slug}", lang)] = (
                brief.title, [brief.author], brief.date, brief.lang, url_of(f"brief:{slug}", brief.lang),
                f"pdf/{slug}.{brief.lang}.pdf")
    assert len(expected) == 3 * (len(dataset.dyads) + 5)
    for path, (title, authors, date, lang, cited, pdf) in expected.items():
        head = Head()
        head.feed((addressed / path).read_text("utf-8"))
        tags: dict[str, list[str]] = {}
        for name, content in head.meta:
            tags.setdefault(name, []).append(content)
        assert tags["citation_title"] == [title] and tags["citation_author"] == authors, path
        assert tags["citation_publication_date"] == [date.strftime("%Y/%m/%d")], path
        assert tags["citation_language"] == [lang] and tags["citation_publisher"] == [desk[lang]], path
        assert tags["citation_abstract_html_url"] == [SITE_URL + cited], path
        assert tags["citation_pdf_url"] == [SITE_URL + pdf] and (addressed / pdf).is_file(), path
        # One script on the page, and it is the linked data: a hostile title added none and ended none.
        [(kind, text)] = head.scripts
        assert kind == "application/ld+json", path
        data = json.loads(text)
        assert (data["@type"], data["headline"], data["datePublished"], data["inLanguage"], data["url"]) == (
            "Report", title, date.isoformat(), lang, SITE_URL + cited), path
        assert [author["name"] for author in data["author"]] == authors, path
    hostile = (addressed / "en/briefs/hostile.html").read_text("utf-8")
    assert HOSTILE_TITLE not in hostile.split("<body")[0].split("application/ld+json")[1]
    for form, path in cite_downloads("brief", "hostile", "en").items():
        assert (addressed / path).is_file(), form
