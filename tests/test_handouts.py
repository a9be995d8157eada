"""PDF handouts: checked with poppler-utils and pypdf, as a reader's tools see them."""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT
from pypdf import PdfReader

BRIEFS = ["alliances-reborn", "china-russia-ambiguity", "russia-north-korea-treaty", "three-dyads"]
DYADS = ["north-korea-china", "russia-china", "russia-north-korea"]
CLOSING = "，。、」』）》〉！？：；"
OPENING = "「『（《〈"


def handouts(site: Path) -> list[Path]:
    return sorted((site / "pdf").glob("*.pdf"))


def text_of(path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("poppler-utils is not installed: run `apt-get install poppler-utils` (scripts/test.sh does it)")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def page_texts(path: Path, *options: str) -> list[str]:
    """Each page's text, as `pdftotext OPTIONS` reads it (pages are separated by form feeds)."""
    text_of(path)  # says what to install when pdftotext is missing
    text = subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")[:-1]


def squeezed(text: str) -> str:
    """Text without its spacing, so a line break or a quarter-em space in Chinese does not matter."""
    return re.sub(r"\s+", "", text)


MM = 72 / 25.4  # PDF points per millimetre
PAGE_WIDTH, PAGE_HEIGHT, MARGIN_X, MARGIN_Y = 210 * MM, 297 * MM, 18 * MM, 22 * MM  # A4, print.css @page


def test_one_pdf_per_brief_and_per_dyad_in_each_language(site):
    expected = [f"{slug}.{lang}.pdf" for slug in BRIEFS for lang in ("en", "zh-TW", "zh-Hans")]
    expected += [f"dyad-{dyad}.{lang}.pdf" for dyad in DYADS for lang in ("en", "zh-TW", "zh-Hans")]
    assert [path.name for path in handouts(site)] == sorted(expected)



def test_a_converted_handout_says_so_on_page_one_and_names_its_original(site):
    for path in handouts(site):
        first = squeezed(page_texts(path)[0])
        if ".zh-Hans." not in path.name:
            assert "自动转换" not in first and "自動轉換" not in first, path.name
            continue
        original = path.name.replace(".zh-Hans.", ".zh-TW.")
        assert f"本页由繁体中文原文自动转换为简体中文，如有出入，以繁体中文原文（{original}）为准。" in first, path.name

def test_page_counts_are_within_bounds(site):
    for path in handouts(site):
        pages = len(PdfReader(path).pages)
        low, high = (4, 8) if path.name.startswith("dyad-") else (2, 6)
        assert low <= pages <= high, f"{path.name}: {pages} pages"


def test_only_the_bundled_font_is_used_and_it_is_embedded_as_a_subset(site):
    for path in handouts(site):
        rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert rows, path.name
        for row in rows:
            name, embedded, subset = row.split()[0], row.split()[-5], row.split()[-4]
            assert re.fullmatch(r"[A-Z]{6}\+Briefing-Sans-[TS]C(-Bold|-Oblique|-BoldOblique)?", name), f"{path.name}: {name}"
            assert (embedded, subset) == ("yes", "yes"), f"{path.name}: {row}"
            # The language's face: Noto Sans SC (TrueType outlines) for zh-Hans, Noto Sans CJK TC (CFF) otherwise.
            face = "CID TrueType" if ".zh-Hans." in path.name else "CID Type 0C"
            assert face in row, f"{path.name}: {row}"


def test_chinese_and_english_sentences_can_be_extracted(site):
    chinese = text_of(site / "pdf" / "three-dyads.zh-TW.pdf").replace("\n", "")
    assert "真正的三方抗美同盟需要三國同時處於高外部威脅、低內部威脅的狀態" in chinese
    assert "第 1 頁，共 5 頁" in chinese
    english = " ".join(text_of(site / "pdf" / "dyad-russia-china.en.pdf").split())
    assert "Balancing with hedging matches row 2 of Table 3 (low internal threat): commitment low to medium" in english
    assert "Page 1 of 6" in english


def test_the_dyad_report_opens_with_its_verdict_and_reasoning(site):
    first_page = " ".join(PdfReader(site / "pdf" / "dyad-north-korea-china.en.pdf").pages[0].extract_text().split())
    for phrase in ("balancing–tethering alliance", "variable", "How the verdict follows",
                   "Cell H leaves a choice; the analyst notes that North Korea weighs the external threat more"):
        assert phrase in first_page


def visual_lines(path: Path) -> list[str]:
    """A PDF's lines as a reader sees them: words grouped by their baseline, left to right.
    (pdftotext's own line finding splits a line where a half-width bracket shifts the glyphs.)"""
    text_of(path)  # says what to install when pdftotext is missing
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    lines: dict[tuple[int, int], list[tuple[float, str]]] = {}
    for number, page in enumerate(boxes.split("<page ")[1:]):
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>',
                                     page):
            lines.setdefault((number, round(float(y))), []).append((float(x), html.unescape(word)))
    return [" ".join(word for _, word in sorted(words)) for _, words in sorted(lines.items())]


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(site):
    for path in handouts(site):
        if ".zh-TW." not in path.name:
            continue
        lines = visual_lines(path)
        assert len(lines) > 40, path.name
        for line in lines:
            assert line[0] not in CLOSING, f"{path.name}: line starts with {line[0]}: {line}"
            assert line[-1] not in OPENING, f"{path.name}: line ends with {line[-1]}: {line}"


def test_han_characters_and_latin_are_spaced_in_a_chinese_handout(site):
    lines = visual_lines(site / "pdf" / "three-dyads.zh-TW.pdf")
    han_latin = re.compile(r"[\u4e00-\u9fff][A-Za-z0-9]|[A-Za-z0-9][\u4e00-\u9fff]")
    assert [line for line in lines if han_latin.search(line)] == []
    assert any(re.search(r"2025 年 7 月 17 日", line) for line in lines)


@pytest.mark.slow
def test_parallel_layout_leaves_no_temporary_fonts_behind(tmp_path, monkeypatch):
    import tempfile

    from conftest import build_in_process
    from projects import checkout

    project = checkout(tmp_path / "project")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # the forked workers inherit it
    build_in_process(project / "mkdocs.yml", project / "data", project / "docs", project / "site", workers=2)
    assert len(list((project / "site" / "pdf").glob("*.pdf"))) == 21
    assert sorted(path.name for path in temporary.iterdir() if path.name.startswith("weasyprint-")) == []


def test_metadata_language_and_tags(site):
    for path in handouts(site):
        reader = PdfReader(path)
        lang = path.name.split(".")[-2]  # three-dyads.zh-Hans.pdf
        assert reader.metadata.title and reader.metadata.author, path.name
        assert reader.trailer["/Root"]["/Lang"] == lang, path.name
        assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]), path.name
    brief = PdfReader(site / "pdf" / "three-dyads.en.pdf").metadata
    assert brief.title == "Will Russia, North Korea and China Form an Anti-US Alliance? Assessing Three Dyads"
    assert brief.author == "Alliance Briefs Desk Editorial Team"
    assert brief.creation_date.date().isoformat() == "2025-07-17"


def test_pages_link_their_pdfs(site):
    assert 'href="../pdf/three-dyads.zh-TW.pdf">下載\u00a0PDF</a>' in (site / "briefs" / "three-dyads.html").read_text("utf-8")
    english = (site / "en" / "dyads" / "russia-china.html").read_text("utf-8")
    assert 'href="../../pdf/dyad-russia-china.en.pdf">Download PDF</a>' in english


def built_copy(site, tmp_path):
    """A copy of the built site, and a build over it that has read the data and drawn the charts."""
    from generator.build import PLAN, Build, Settings

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    build = Build(Settings.of(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", copy))
    for step in PLAN[:2]:  # read, charts
        build.run_step(step)
    return copy, build, build.outputs["charts"]


def test_a_second_layout_gives_identical_bytes(site, tmp_path):
    from generator.handouts import plan_handouts, readable, write_handout
    from generator.site import site_settings

    copy, build, charts = built_copy(site, tmp_path)
    for job in plan_handouts(build.analysis, charts, site_settings(build), copy):
        (copy / job.handout.path).unlink()
        write_handout(job, copy, readable(copy, charts))
        assert (copy / job.handout.path).read_bytes() == (site / job.handout.path).read_bytes(), job.handout.path


@pytest.fixture(scope="module")
def briefs(tmp_path_factory):
    """The briefs as the build reads them (front matter and body)."""
    from generator.build import PLAN, Build, Settings

    out = tmp_path_factory.mktemp("briefs") / "site"
    build = Build(Settings.of(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", out), say=lambda message: None)
    build.run_step(PLAN[0])  # read
    return build.analysis.dataset.briefs


def first_words(markdown: str) -> str:
    """The start of a brief's first paragraph, as written: no heading, embed, note or citation."""
    paragraph = next(block for block in markdown.split("\n\n")
                     if block.strip() and not block.lstrip().startswith(("#", "[[", "[^", "<", "!", "|")))
    return squeezed(re.sub(r"\[\^[^\]]*\]|\[@[^\]]*\]", "", paragraph))[:30]


def test_page_one_of_a_brief_carries_its_title_byline_summary_and_the_start_of_the_text(site, briefs):
    assert len(briefs) == 3 * len(BRIEFS)  # each written in zh-TW and en, and converted to zh-Hans
    for brief in briefs:
        path = site / "pdf" / f"{brief.slug}.{brief.lang}.pdf"
        first_page = squeezed(page_texts(path, "-f", "1", "-l", "1")[0])
        for part in (brief.title, brief.author + brief.affiliation, brief.summary, first_words(brief.body)):
            assert squeezed(part) in first_page, f"{path.name}: page 1 lacks {part!r}"
    assert first_words(next(b for b in briefs if b.slug == "three-dyads" and b.lang == "en").body) == (
        "SincethewarinUkrainebegan,Russ")


def test_a_lead_figure_that_does_not_fit_on_page_one_opens_page_two(site):
    # The three-dyads map does not fit under the first paragraph; the text fills page 1 and the map opens page 2.
    first, second = page_texts(site / "pdf" / "three-dyads.en.pdf", "-layout")[:2]
    assert "The method" in first and "Figure 1." not in first
    lines = [line.strip() for line in second.split("\n") if line.strip()]
    assert lines[1] == "United"  # the map's first label (the outside actor's node), under the running head
    assert "Figure 1. The alliance type and cohesion of each of the three dyads" in " ".join(second.split())
    # The same map fits on page 1 of the Chinese brief, under the first paragraph.
    chinese = squeezed(page_texts(site / "pdf" / "three-dyads.zh-TW.pdf")[0])
    assert chinese.index("正在成形。") < chinese.index("三組雙邊關係各自的同盟型態與凝聚力")


def test_a_chart_a_brief_embeds_is_printed_not_its_alt_text(site):
    english = " ".join(text_of(site / "pdf" / "china-russia-ambiguity.en.pdf").split())
    assert "one step down" in english  # the sensitivity chart's own heading, set as text
    assert "Russia–China is a balancing–hedging alliance; 3 single steps change it" not in english  # its alt text
    three = " ".join(text_of(site / "pdf" / "three-dyads.en.pdf").split())
    assert three.count("outside the alliance") == 2  # the map as lead figure, and embedded in the text


def card_texts(page: str, facing: str) -> list[str]:
    """The verdict cards on a page as `pdftotext -layout` sets it: the card is indented by its border and
    padding, so it runs from its title (the line above the outside actor) to the next line of the text's
    own margin."""
    lines = page.split("\n")
    cards = []
    for number, line in enumerate(lines):
        if line.strip().startswith(facing):
            end = next((at for at in range(number + 1, len(lines)) if lines[at][:1].strip()), len(lines))
            cards.append(" ".join(" ".join(lines[number - 1:end]).split()))
    return cards


def test_verdict_cards_print_no_addresses_even_when_the_site_has_one(site, tmp_path):
    """With a site_url, links in a brief's text print their address; a card's links (its dyad, its cells)
    do not, as the card names them already."""
    import dataclasses

    from generator.framework import LABELS
    from generator.handouts import plan_handouts, readable, write_handout
    from generator.site import site_settings

    copy, build, charts = built_copy(site, tmp_path)
    settings = dataclasses.replace(site_settings(build), site_url="https://briefs.example.org/")
    cards: dict[str, list[str]] = {}
    for job in plan_handouts(build.analysis, charts, settings, copy):
        if job.handout.kind == "brief" and 'class="verdict"' in job.html:
            assert "https://briefs.example.org/" in job.html
            facing = LABELS("facing_external", job.handout.lang, name="")  # the card's second line
            pdf = write_handout(job, copy, readable(copy, charts))
            cards[pdf.name] = [card for page in page_texts(pdf, "-layout") for card in card_texts(page, facing)]
    assert {name: len(found) for name, found in cards.items()} == {
        "china-russia-ambiguity.en.pdf": 1, "china-russia-ambiguity.zh-TW.pdf": 1,
        "russia-north-korea-treaty.en.pdf": 1, "russia-north-korea-treaty.zh-TW.pdf": 1,
        "three-dyads.en.pdf": 3, "three-dyads.zh-TW.pdf": 3,
        "china-russia-ambiguity.zh-Hans.pdf": 1, "russia-north-korea-treaty.zh-Hans.pdf": 1, "three-dyads.zh-Hans.pdf": 3}
    for name, found in cards.items():
        for card in found:
            assert "<http" not in card and "https://" not in card, f"{name}: {card}"
    assert cards["china-russia-ambiguity.en.pdf"] == [
        "Russia–China Outside actor: United States Type Commitment Cohesion balancing–hedging alliance low to medium "
        "low to medium Formal obligations non-aggression, consultation (2001–2018, mutual; coded by ATOP 5.1) "
        "Robustness If Russia's external threat moved from high to medium, the verdict would change to: "
        "hedging– hedging alliance. 2 other single steps would also change it. Russia wants to join forces against "
        "the United States, while China keeps its options open. In a crisis, expect low to medium support, with goals "
        "only partly shared. • Russia: cell G, balancing • China: cell D, hedging"]
    assert "Online: https://briefs.example.org/en/briefs/china-russia-ambiguity.html" in " ".join(
        text_of(copy / "pdf" / "china-russia-ambiguity.en.pdf").split())  # the page's own address is printed


def test_the_running_head_is_one_line_inside_the_margins_on_every_page(site):
    heads = {}
    for path in handouts(site):
        boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
        for number, page in enumerate(boxes.split("<page ")[1:], 1):
            words = [(float(x0), float(x1), float(y1), html.unescape(word)) for x0, x1, y1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)]
            head = [word for word in words if word[2] < MARGIN_Y]
            if number == 1:
                assert head == [], path.name  # page 1 has the masthead instead
                continue
            assert len({round(y1) for _, _, y1, _ in head}) == 1, f"{path.name} page {number}: {head}"
            assert min(x0 for x0, _, _, _ in head) >= MARGIN_X - 0.5, f"{path.name} page {number}"
            assert max(x1 for _, x1, _, _ in head) <= PAGE_WIDTH - MARGIN_X + 0.5, f"{path.name} page {number}"
            heads.setdefault(path.name, set()).add(" ".join(word for *_, word in sorted(head)))
    assert all(len(texts) == 1 for texts in heads.values()), heads
    assert heads["three-dyads.en.pdf"] == {"Alliance Briefs Will Russia, North Korea and China Form an Anti-US Alliance?"}
    assert heads["china-russia-ambiguity.zh-TW.pdf"] == {"同盟觀察評析 中俄軍事合作"}
    assert heads["dyad-russia-china.en.pdf"] == {"Alliance Briefs Russia–China"}


def page_fill(path: Path) -> list[float]:
    """How far down its text area each page is printed: the lowest row with ink (a 40-dpi grey rendering),
    from the top margin (0) to the bottom margin (1)."""
    pages = subprocess.run(["pdftoppm", "-r", "40", "-gray", str(path)], capture_output=True, check=True).stdout
    fills = []
    while pages:
        header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", pages)
        assert header, path.name
        width, height = int(header.group(1)), int(header.group(2))
        pixels, pages = pages[header.end():header.end() + width * height], pages[header.end() + width * height:]
        top, bottom = round(height * MARGIN_Y / PAGE_HEIGHT), round(height * (1 - MARGIN_Y / PAGE_HEIGHT))
        inked = [row for row in range(top, bottom) if min(pixels[row * width:(row + 1) * width]) < 224]
        fills.append((max(inked, default=top) - top) / (bottom - top))
    return fills


def test_no_page_but_the_last_is_less_than_a_third_full(site):
    counts = {}
    for path in handouts(site):
        fills = page_fill(path)
        counts[path.name] = len(fills)
        for number, fill in enumerate(fills[:-1], 1):
            assert fill >= 1 / 3, f"{path.name}: page {number} is {fill:.0%} full"
    # The dyad reports were 5 and 6 pages, with the reasons on a half-empty page of their own; then 5; the formal
    # obligations (a section, and a line on each verdict card) made them 6 and two briefs a page longer.
    assert counts == {
        "alliances-reborn.en.pdf": 3, "alliances-reborn.zh-TW.pdf": 3,
        "china-russia-ambiguity.en.pdf": 4, "china-russia-ambiguity.zh-TW.pdf": 4,
        "dyad-north-korea-china.en.pdf": 6, "dyad-north-korea-china.zh-TW.pdf": 6,
        "dyad-russia-china.en.pdf": 6, "dyad-russia-china.zh-TW.pdf": 6,
        "dyad-russia-north-korea.en.pdf": 6, "dyad-russia-north-korea.zh-TW.pdf": 6,
        "russia-north-korea-treaty.en.pdf": 4, "russia-north-korea-treaty.zh-TW.pdf": 4,
        "three-dyads.en.pdf": 5, "three-dyads.zh-TW.pdf": 5,
        "alliances-reborn.zh-Hans.pdf": 3, "china-russia-ambiguity.zh-Hans.pdf": 4, "dyad-north-korea-china.zh-Hans.pdf": 6,
        "dyad-russia-china.zh-Hans.pdf": 6, "dyad-russia-north-korea.zh-Hans.pdf": 6,
        "russia-north-korea-treaty.zh-Hans.pdf": 4, "three-dyads.zh-Hans.pdf": 5}


def test_no_sentence_mark_is_followed_by_another(site):
    # A Chinese figure's caption ends with 。 and its credit follows in （） as Chinese print sets a source note.
    doubled = re.compile(r"[.?!。？！][.(（](?!圖表|图表)|[?!][.。]")
    for path in handouts(site):
        text = " ".join(text_of(path).split())
        assert [text[max(0, m.start() - 30):m.end() + 10] for m in doubled.finditer(text)] == [], path.name
    english = " ".join(text_of(site / "pdf" / "three-dyads.en.pdf").split())
    assert "relation to the United States. (Chart: Alliance Briefs Desk, from this site's data)" in english
    assert ("Ramani, S. (2024, June 13). The Russia-China-DPRK Strategic Triangle: Phantom Threat or Geopolitical "
            "Reality? 38 North. https://www.38north.org/2024/06/") in english  # APA by citeproc-py, no "?."
    chinese = squeezed(text_of(site / "pdf" / "three-dyads.zh-TW.pdf"))
    assert "虛線為各國與美國的關係。（圖表：同盟觀察研究室依本站資料繪製）" in chinese


def test_a_running_title_is_the_title_without_its_subtitle():
    from generator.handouts import running_title

    assert running_title("Will Russia, North Korea and China Form an Anti-US Alliance? Assessing Three Dyads") == (
        "Will Russia, North Korea and China Form an Anti-US Alliance?")
    assert running_title("China–Russia Military Cooperation: Strategic Ambiguity") == "China–Russia Military Cooperation"
    assert running_title("中俄軍事合作：戰略模糊與 2001 年條約第 9 條") == "中俄軍事合作"
    assert running_title("俄朝中會形成抗美同盟嗎？三組雙邊關係的評估") == "俄朝中會形成抗美同盟嗎？"
    assert running_title("Are Alliances Being Reborn?") == "Are Alliances Being Reborn?"
    assert running_title("Russia–China") == "Russia–China"


def test_the_lead_figure_has_a_slot_after_each_paragraph_of_the_text_only():
    from generator.handouts import placed, slots, with_slots

    body = ('<h2 id="a">A</h2>\n<p>One\ntwo.</p>\n<section class="verdict"><p>card</p></section>\n<p>Three.</p>\n'
            '<div class="footnote"><ol><li>\n<p>note</p></li></ol></div>')
    slotted = with_slots(body)
    assert slotted == ('<h2 id="a">A</h2>\n<p>One\ntwo.</p><div id="handout:slot-1"></div>\n'
                       '<section class="verdict"><p>card</p></section>\n<p>Three.</p><div id="handout:slot-2"></div>\n'
                       '<div class="footnote"><ol><li>\n<p>note</p></li></ol></div>')
    assert slots(slotted) == [1, 2]
    assert placed(slotted, "<figure></figure>", 2, "en") == body.replace("<p>Three.</p>", "<p>Three.</p><figure></figure>")
    assert with_slots("<ul><li>x</li></ul>") == '<div id="handout:slot-1"></div><ul><li>x</li></ul>'
