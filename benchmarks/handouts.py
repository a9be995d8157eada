"""Time each PDF handout of the shipped site: `python benchmarks/handouts.py`.

Builds the site once (charts, pages, fonts), then lays out every handout on its
own and prints the seconds each took. The target: a brief in under 3 s.

Then it lays out the heaviest briefs `briefing check` still lets through, one per
limit (generator/markup.py), and prints their seconds: what a hostile brief can
cost the build at most.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402

from generator.build import Build, Settings  # noqa: E402
from generator.handouts import plan_handouts, readable, write_handout  # noqa: E402
from generator.site import site_settings  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        build = Build(Settings.of(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", site), say=lambda message: None)
        build.run()  # a fresh folder: the whole plan runs, so the analysis and charts are at hand
        charts = build.outputs["charts"]
        jobs = plan_handouts(build.analysis, charts, site_settings(build), site)
        fonts = FontConfiguration()
        timings = []
        print(f"{'handout':45} {'pages':>5} {'seconds':>8}")
        for job in jobs:
            start = time.perf_counter()
            path = write_handout(job, site, readable(site, charts), fonts)
            seconds = time.perf_counter() - start
            pages = len(PdfReader(path).pages)
            timings.append((job.handout, seconds))
            print(f"{job.handout.path:45} {pages:>5} {seconds:>8.2f}")
        briefs = [s for h, s in timings if h.kind == "brief"]
        dyads = [s for h, s in timings if h.kind == "dyad"]
        print(f"\nbriefs: mean {statistics.mean(briefs):.2f} s, max {max(briefs):.2f} s (target < 3 s)")
        print(f"dyad reports: mean {statistics.mean(dyads):.2f} s, max {max(dyads):.2f} s")
        print(f"all {len(timings)} handouts: {sum(s for _, s in timings):.2f} s")


def heaviest_briefs() -> dict[str, str]:
    """A brief body at each of the check's work limits, built from the limits themselves."""
    from generator.markup import (
        MAX_FOOTNOTE_REFERENCES,
        MAX_FOOTNOTE_REFERENCES_PER_PARAGRAPH,
        MAX_NESTING,
        MAX_SQUARE_BRACKETS,
        MAX_TABLE_CELLS,
        MAX_UNCLOSED_TAGS,
    )

    per = MAX_FOOTNOTE_REFERENCES_PER_PARAGRAPH
    paragraphs = MAX_FOOTNOTE_REFERENCES // per
    # English words with no space between them and their notes: one long unbreakable run per paragraph.
    footnotes = "\n\n".join("Text" + "".join(f"word[^{(p * per + i) % 500 + 1}]" for i in range(per))
                             for p in range(paragraphs)) + "\n\n" + "\n".join(f"[^{n}]: note" for n in range(1, 501))
    nesting = "\n".join("    " * depth + "- item" for depth in range(MAX_NESTING // 2))
    rows = MAX_TABLE_CELLS // 4 - 1
    table = "| a | b | c | d |\n|---|---|---|---|\n" + "".join(f"| {n} | x | y | z |\n" for n in range(rows))
    per_square, all_square = MAX_SQUARE_BRACKETS
    # The patterns Python-Markdown reads slowest: unfinished reference links and unclosed tags.
    squares = "\n\n".join("x " + "[a][" * (per_square // 2) for _ in range(all_square // per_square))
    angles = "x " + "<a " * MAX_UNCLOSED_TAGS
    return {"footnote references": footnotes, "nesting": nesting, "table cells": table,
            "'[' (Markdown)": squares, "'<' (Markdown)": angles}


def limits() -> None:
    from weasyprint import HTML

    from generator.handouts import to_html
    from generator.markup import audit

    print(f"\n{'heaviest brief check allows':35} {'check':>8} {'handout':>8}")
    for name, body in heaviest_briefs().items():
        start = time.perf_counter()
        assert audit(body, "brief.en.md", 1) == [], name
        checked = time.perf_counter() - start
        start = time.perf_counter()
        HTML(string=f"<html lang='en'><body>{to_html(body)}</body></html>").write_pdf()
        print(f"{name:35} {checked:>8.2f} {time.perf_counter() - start:>8.2f}")


if __name__ == "__main__":
    main()
    limits()
