"""The author's loop on the shipped site: `python benchmarks/author.py [--before REV] [--runs 3]`.

Builds copies of the shipped project (mkdocs.yml, data/, docs/, templates/ and the
generator's code) from this working tree ("now") and, side by side in the same run,
from an earlier revision ("before", default: the last commit before the build core
was rewritten), each in a process of its own, and prints the median of `--runs`:

- cold: `briefing build` with no cache and no site, PDFs included
- no change: the same build again
- brief text edit: a sentence added to a Chinese brief, then built
- new character: the same with a character no page had before (龘)
- level edit: one threat level in a dyad changed, then built
- serve, page: with `briefing serve` running, from saving the edit until the
  browser is told to reload (pages published; the search index and PDFs follow)
- floor: plain `mkdocs build` of the same generated pages (no plugin, a theme that
  only prints the page): what MkDocs alone costs

Targets (issue 13) are printed beside each figure; `benchmarks/author.json` keeps them.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from build import floor, measure  # noqa: E402

PROJECT = ("mkdocs.yml", "data", "docs", "templates", "generator")
BEFORE = "9ce2a86"  # issue 12's last commit: one web-font subset, the MkDocs hook, no store
BRIEF = "docs/briefs/three-dyads.zh-TW.md"
DYAD = "data/dyads/russia-china.yaml"
TARGETS = {"cold": 10.0, "no_change": 0.5, "text_edit": 1.0, "new_character": 1.0, "level_edit": 2.0,
           "serve_text_edit": 1.0, "serve_new_character": 1.0, "serve_level_edit": 2.0}


def copy_project(source: Path, folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in PROJECT:
        if (source / name).is_dir():
            shutil.copytree(source / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source / name, folder / name)
    return folder


def environment(project: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(project), SOURCE_DATE_EPOCH="1751328000")


def build(project: Path) -> float:
    return measure([sys.executable, "-m", "generator", "build"], project, environment(project))["seconds"]


def edit(project: Path, kind: str, run: int) -> None:
    if kind in ("text_edit", "new_character"):
        brief = project / BRIEF
        extra = "龘" if kind == "new_character" else ""
        brief.write_text(brief.read_text("utf-8") + f"\n\n補充說明第 {run} 次{extra}。\n", "utf-8")
    else:
        dyad = project / DYAD
        text = dyad.read_text("utf-8")
        high = "    external: medium\n" in text
        dyad.write_text(text.replace("    external: medium\n", "    external: high\n", 1) if high
                        else text.replace("    external: high\n", "    external: medium\n", 1), "utf-8")


def build_figures(source: Path, folder: Path, runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {name: [] for name in ("cold", "no_change", "text_edit", "new_character",
                                                              "level_edit")}
    for run in range(runs):
        project = copy_project(source, folder / f"build-{run}")
        figures["cold"].append(build(project))
        figures["no_change"].append(build(project))
        for kind in ("text_edit", "new_character", "level_edit"):
            edit(project, kind, run)
            figures[kind].append(build(project))
        if run == 0:
            figures["floor"] = [floor(project)["seconds"]]
    return figures


def serve_figures(source: Path, folder: Path, runs: int) -> dict[str, list[float]]:
    """From saving an edit until `briefing serve` has published the pages (its state's generation moves)."""
    project = copy_project(source, folder / "serve")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (folder / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--addr", f"127.0.0.1:{port}"],
                              cwd=project, env=environment(project), stdout=log, stderr=subprocess.STDOUT)

    def generation() -> int:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/__briefing__/state", timeout=5) as response:
                return json.loads(response.read())["generation"]
        except OSError:
            return -1

    def settled(previous: int, seconds: float = 300) -> int:
        """Wait until both the pages and the rest are published after `previous`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if generation() >= previous + 2:
                return generation()
            time.sleep(0.05)
        raise SystemExit((folder / "serve.log").read_text("utf-8"))

    figures: dict[str, list[float]] = {"serve_text_edit": [], "serve_new_character": [], "serve_level_edit": []}
    try:
        current = settled(0)
        for run in range(runs):
            for kind in ("text_edit", "new_character", "level_edit"):
                started = time.perf_counter()
                edit(project, kind, run + 100)
                while generation() <= current:
                    time.sleep(0.01)
                figures[f"serve_{kind}"].append(round(time.perf_counter() - started, 2))
                current = settled(current)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    return figures


def median(values: list[float]) -> float:
    return round(statistics.median(values), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=BEFORE, help="the revision to compare with (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "author.json"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        before_tree = Path(folder) / "before-tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(before_tree), args.before], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            before = build_figures(before_tree, Path(folder) / "before", args.runs)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before_tree)], cwd=ROOT, capture_output=True)
        now = build_figures(ROOT, Path(folder) / "now", args.runs)
        now.update(serve_figures(ROOT, Path(folder), args.runs))
    rows = {name: {"before": median(before[name]) if name in before else None, "now": median(values),
                   "target": TARGETS.get(name)} for name, values in now.items()}
    print(f"shipped site, {os.cpu_count()} cores, median of {args.runs} runs; before = {args.before}")
    print(f"  {'':22} {'before':>8} {'now':>8} {'target':>8} {'÷ floor':>8}")
    for name, row in rows.items():
        before_text = f"{row['before']:.2f}" if row["before"] is not None else "—"
        target = f"≤ {row['target']:.1f}" if row["target"] is not None else ""
        ratio = f"{row['now'] / rows['floor']['now']:.1f}"
        print(f"  {name:22} {before_text:>8} {row['now']:>8.2f} {target:>8} {ratio:>8}")
    Path(args.out).write_text(json.dumps({"cores": os.cpu_count(), "runs": args.runs, "before": args.before,
                                          "seconds": rows}, indent=2) + "\n", "utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
