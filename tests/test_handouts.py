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


def test_one_pdf_per_brief_and_per_dyad_in_each_language(site):
    expected = [f"{slug}.{lang}.pdf" for slug in BRIEFS for lang in ("en", "zh-TW")]
    expected += [f"dyad-{dyad}.{lang}.pdf" for dyad in DYADS for lang in ("en", "zh-TW")]
    assert [path.name for path in handouts(site)] == sorted(expected)


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
            assert re.fullmatch(r"[A-Z]{6}\+Briefing-Sans-TC(-Bold|-Oblique|-BoldOblique)?", name), f"{path.name}: {name}"
            assert (embedded, subset) == ("yes", "yes"), f"{path.name}: {row}"


def test_chinese_and_english_sentences_can_be_extracted(site):
    chinese = text_of(site / "pdf" / "three-dyads.zh-TW.pdf").replace("\n", "")
    assert "真正的三方抗美同盟需要三國同時處於高外部威脅、低內部威脅的狀態" in chinese
    assert "第 1 頁，共 4 頁" in chinese
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
    assert len(list((project / "site" / "pdf").glob("*.pdf"))) == 14
    assert sorted(path.name for path in temporary.iterdir() if path.name.startswith("weasyprint-")) == []


def test_metadata_language_and_tags(site):
    for path in handouts(site):
        reader = PdfReader(path)
        lang = "zh-TW" if ".zh-TW." in path.name else "en"
        assert reader.metadata.title and reader.metadata.author, path.name
        assert reader.trailer["/Root"]["/Lang"] == lang, path.name
        assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"]), path.name
    brief = PdfReader(site / "pdf" / "three-dyads.en.pdf").metadata
    assert brief.title == "Will Russia, North Korea and China Form an Anti-US Alliance? Assessing Three Dyads"
    assert brief.author == "Editorial team"
    assert brief.creation_date.date().isoformat() == "2025-07-17"


def test_pages_link_their_pdfs(site):
    assert 'href="../pdf/three-dyads.zh-TW.pdf">下載\u00a0PDF</a>' in (site / "briefs" / "three-dyads.html").read_text("utf-8")
    english = (site / "en" / "dyads" / "russia-china.html").read_text("utf-8")
    assert 'href="../../pdf/dyad-russia-china.en.pdf">Download PDF</a>' in english


def test_a_second_layout_gives_identical_bytes(site, tmp_path):
    from generator.build import PLAN, Build, Settings
    from generator.handouts import plan_handouts, readable, write_handout
    from generator.site import site_settings

    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    build = Build(Settings.of(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", copy))
    for step in PLAN[:2]:  # read, charts
        build.run_step(step)
    charts = build.outputs["charts"]
    for job in plan_handouts(build.analysis, charts, site_settings(build), copy):
        (copy / job.handout.path).unlink()
        write_handout(job, copy, readable(copy, charts))
        assert (copy / job.handout.path).read_bytes() == (site / job.handout.path).read_bytes(), job.handout.path
