"""Everything taken from data is escaped: a probe of HTML and script in every text field
shows up as text on the pages and in the handouts, never as markup."""
from __future__ import annotations

import json
import subprocess

import pytest
from conftest import ROOT, briefing
from corpus_base import write_base

PROBE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">'
ESCAPED = "&lt;script&gt;window.pwned=1&lt;/script&gt;"


def probe(text: str) -> str:
    return json.dumps(f"{text} {PROBE}", ensure_ascii=False)  # a JSON string is valid YAML


def probed_project(root) -> None:
    write_base(root)
    data = root / "data"
    (data / "actors.yaml").write_text("".join(
        f"- id: {code}\n  name: {{zh-TW: {probe(zh)}, en: {probe(en)}}}\n"
        for code, zh, en in (("CHN", "中國", "China"), ("PRK", "北韓", "North Korea"), ("RUS", "俄羅斯", "Russia"),
                             ("USA", "美國", "United States"))), encoding="utf-8")
    (data / "sources.yaml").write_text(
        f"- id: doe-2024\n  author: {probe('Doe, J.')}\n  year: 2024\n  title: {probe('A Source')}\n"
        f"  publisher: {probe('Press')}\n  url: https://example.org/doe\n  title_en: {probe('In English')}\n",
        encoding="utf-8")
    (data / "events.yaml").write_text(
        f"- date: 2024-06-19\n  title: {{zh-TW: {probe('條約')}, en: {probe('Treaty')}}}\n  source: doe-2024\n"
        "  actors: [RUS, CHN]\n", encoding="utf-8")
    threat = ("    rationale: {{zh-TW: {z}, en: {e}}}\n    evidence: [doe-2024]\n").format(z=probe("理由"), e=probe("Reason"))
    (data / "dyads" / "russia-china.yaml").write_text(
        "id: russia-china\nactors: [RUS, CHN]\nexternal: USA\nas_of: 2025-06-30\n"
        f"title: {{zh-TW: {probe('俄中')}, en: {probe('Russia–China')}}}\n"
        f"summary: {{zh-TW: {probe('摘要')}, en: {probe('Summary')}}}\n"
        "threats:\n  RUS:\n    external: high\n    internal: low\n" + threat +
        "  CHN:\n    external: medium\n    internal: low\n" + threat, encoding="utf-8")
    brief = root / "docs" / "briefs" / "test-brief.zh-TW.md"
    brief.write_text(
        f"---\ntitle: {probe('評析')}\nauthor: {probe('作者')}\naffiliation: {probe('單位')}\ndate: 2025-07-01\n"
        f"summary: {probe('摘要')}\ndyads: [russia-china]\n"
        f"lead_image: {{src: 'chart:russia-china/matrix', caption: {probe('圖說')}, credit: {probe('來源')}}}\n---\n\n"
        "正文。[^1]\n\n[[verdict: russia-china]]\n\n[^1]: 見 [@doe-2024]。\n", encoding="utf-8")


@pytest.mark.slow
def test_no_probe_survives_unescaped_anywhere_in_the_site(tmp_path):
    probed_project(tmp_path)
    result = briefing("build", "--data", str(tmp_path / "data"), "--docs", str(tmp_path / "docs"),
                      "--out", str(tmp_path / "site"), "--config", str(ROOT / "mkdocs.yml"))
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    for path in site.rglob("*"):
        # Markup only: the JSON and YAML downloads are the data itself, never rendered as HTML.
        if path.suffix in (".html", ".svg", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert "<script>window.pwned" not in text, path.relative_to(site)
            assert "<img src=x onerror" not in text, path.relative_to(site)
    page = (site / "en" / "dyads" / "russia-china.html").read_text(encoding="utf-8")
    assert ESCAPED in page
    assert "<title>Russia–China &lt;script&gt;" in page
    for pdf in (site / "pdf").glob("*.pdf"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "<script>window.pwned=1</script>" in text.replace("\n", ""), pdf.name  # shown as text
