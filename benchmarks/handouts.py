"""Time each PDF handout of the shipped site: `python benchmarks/handouts.py`.

Builds the site once (charts, pages, fonts), then lays out every handout on its
own and prints the seconds each took. The target: a brief in under 3 s.
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

from generator.handouts import plan_handouts, readable, write_handout  # noqa: E402
from generator.site import build_site, mkdocs_config, prepare_site  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        site = build_site(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", Path(folder) / "site")
        state = prepare_site(mkdocs_config(ROOT / "mkdocs.yml", ROOT / "data", ROOT / "docs", site))
        jobs = plan_handouts(state.analysis, state.charts, state.settings, site)
        fonts = FontConfiguration()
        timings = []
        print(f"{'handout':45} {'pages':>5} {'seconds':>8}")
        for job in jobs:
            start = time.perf_counter()
            path = write_handout(job, site, readable(site, state.charts), fonts)
            seconds = time.perf_counter() - start
            pages = len(PdfReader(path).pages)
            timings.append((job.handout, seconds))
            print(f"{job.handout.path:45} {pages:>5} {seconds:>8.2f}")
        briefs = [s for h, s in timings if h.kind == "brief"]
        dyads = [s for h, s in timings if h.kind == "dyad"]
        print(f"\nbriefs: mean {statistics.mean(briefs):.2f} s, max {max(briefs):.2f} s (target < 3 s)")
        print(f"dyad reports: mean {statistics.mean(dyads):.2f} s, max {max(dyads):.2f} s")
        print(f"all {len(timings)} handouts: {sum(s for _, s in timings):.2f} s")


if __name__ == "__main__":
    main()
