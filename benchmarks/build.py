"""Build benchmark: `python benchmarks/build.py [--sizes 10,100,1000] [--compare-converted]`.

For each size, makes a synthetic archive (N dyads among N/2 actors in a ring with
chords, so triads grow linearly; sources; two events per dyad; one brief per ten
dyads in both languages) in a project folder of its own, then measures in separate
processes, side by side:

- cold: `briefing build` with empty caches
- no change: the same build again
- one-dyad edit: one threat level changed, then built
- floor: plain `mkdocs build` of the same generated pages, with the charts and PDFs
  already present and a theme that only prints the page (no hook, no navigation)

It prints wall time, peak memory (RSS) and the ratio to the floor, the cold build's
stages (from build/timings.json), the output size and how pages, charts and PDFs split
by language (generator/languages.yaml), and writes benchmarks/results.json. With
--compare-converted it also builds the same archive cold with the written languages
only (the project's copy of languages.yaml without the converted ones, zh-Hans): what
the converted edition costs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LEVEL_PATTERNS = [("high", "low"), ("medium", "low"), ("low", "medium"), ("high", "medium"), ("medium", "high"),
                  ("low", "low"), ("high", "high")]


def write_archive(project: Path, dyads: int) -> None:
    data = project / "data"
    (data / "dyads").mkdir(parents=True)
    count = max(3, dyads // 2)
    actors = [(f"{chr(65 + i // 676)}{chr(65 + i // 26 % 26)}{chr(65 + i % 26)}", f"第{i + 1}國", f"State {i + 1}")
              for i in range(count)]
    external = ("ZZZ", "外部強權", "Outside Power")
    (data / "actors.yaml").write_text(yaml.safe_dump(
        [{"id": c, "name": {"zh-TW": z, "en": e}} for c, z, e in actors + [external]], allow_unicode=True), "utf-8")
    sources = [{"id": f"author-{n:03d}", "author": f"Author, A{n}.", "year": 2020 + n % 6, "title": f"Report number {n}",
                "publisher": "Test Press", "url": f"https://example.org/{n}"} for n in range(20)]
    (data / "sources.yaml").write_text(yaml.safe_dump(sources, allow_unicode=True), "utf-8")
    pairs = []
    for i in range(count):
        for step in (1, 2):
            pairs.append((i, (i + step) % count))
    pairs = pairs[:dyads]
    events = []
    for index, (a, b) in enumerate(pairs):
        (ca, za, ea), (cb, zb, eb) = actors[a], actors[b]
        dyad_id = f"d{index:04d}-{ca.lower()}-{cb.lower()}"
        threats = {}
        for offset, code in enumerate((ca, cb)):
            ext, internal = LEVEL_PATTERNS[(index + 3 * offset) % len(LEVEL_PATTERNS)]
            threats[code] = {"external": ext, "internal": internal,
                             "rationale": {"zh-TW": f"{za}與{zb}的判斷理由。", "en": f"Why {ea} and {eb} sit here."},
                             "evidence": [sources[(index + offset) % 20]["id"]]}
        document = {"id": dyad_id, "actors": [ca, cb], "external": external[0], "as_of": "2025-06-30",
                    "title": {"zh-TW": f"{za}{zb}關係", "en": f"{ea}–{eb}"},
                    "summary": {"zh-TW": "合成資料的摘要。", "en": "A summary of synthetic data."}, "threats": threats}
        (data / "dyads" / f"{dyad_id}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                                                         "utf-8")
        for month in (3, 9):
            events.append({"date": f"{2019 + index % 6}-{month:02d}-{1 + index % 28:02d}",
                           "title": {"zh-TW": f"{za}與{zb}舉行會談", "en": f"{ea} and {eb} hold talks"},
                           "source": sources[index % 20]["id"], "actors": [ca, cb]})
        if index % 10 == 0:
            for lang, title, body in (("zh-TW", f"評析：{za}與{zb}", "本文討論兩國關係。"),
                                      ("en", f"Brief: {ea} and {eb}", "This brief discusses the two states.")):
                brief = project / "docs" / "briefs" / f"brief-{index:04d}.{lang}.md"
                brief.parent.mkdir(parents=True, exist_ok=True)
                brief.write_text(
                    f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nauthor: Desk\naffiliation: Desk\n"
                    f"date: 2025-0{1 + index % 9}-15\nsummary: {json.dumps(body, ensure_ascii=False)}\n"
                    f"dyads: [{dyad_id}]\n---\n\n{body}[^1]\n\n[[verdict: {dyad_id}]]\n\n"
                    f"[^1]: [@{sources[index % 20]['id']}]\n", "utf-8")
    (data / "events.yaml").write_text(yaml.safe_dump(events, allow_unicode=True, sort_keys=False), "utf-8")
    (project / "docs").mkdir(exist_ok=True)


def make_project(folder: Path, dyads: int, written_only: bool = False) -> Path:
    """A project folder with its own copy of the code; `written_only`: its languages table without the converted
    languages (a table entry is all a language is, so this is the site without them)."""
    project = folder / f"project-{dyads}{'-written' if written_only else ''}"
    project.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for name in ("templates", "generator"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    if written_only:
        table = project / "generator" / "languages.yaml"
        raw = yaml.safe_load(table.read_text("utf-8"))
        dropped = {language["code"] for language in raw["languages"] if "from" in language}
        raw["languages"] = [language for language in raw["languages"] if "from" not in language]
        table.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), "utf-8")
        labels = project / "generator" / "labels.yaml"  # a label may give a converted language its own text
        wording = yaml.safe_load(labels.read_text("utf-8"))
        for texts in wording.values():
            for code in dropped:
                texts.pop(code, None)
        labels.write_text(yaml.safe_dump(wording, allow_unicode=True), "utf-8")
    write_archive(project, dyads)
    return project


def languages() -> list[dict]:
    return yaml.safe_load((ROOT / "generator" / "languages.yaml").read_text("utf-8"))["languages"]


def by_language(site: Path) -> dict[str, dict[str, int]]:
    """Pages (by the language's prefix), charts and PDFs (by the language in their names), per language."""
    table = languages()
    prefixes = sorted((language["prefix"] for language in table if language["prefix"]), key=len, reverse=True)
    split = {}
    for language in table:
        code, prefix = language["code"], language["prefix"]
        pages = [path for path in site.rglob("*.html") if not path.relative_to(site).as_posix().startswith(
            ("embed/", "pagefind/")) and (path.relative_to(site).as_posix().startswith(prefix) if prefix else
                                         not path.relative_to(site).as_posix().startswith(tuple(prefixes)))]
        split[code] = {"pages": len(pages),
                       "charts": sum(1 for _ in (site / "charts").rglob(f"*.{code}*.svg")),
                       "pdfs": sum(1 for _ in (site / "pdf").glob(f"*.{code}.pdf"))}
    return split


def measure(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Wall time and peak RSS of one command and everything it starts."""
    start = time.perf_counter()
    # stderr goes to a file: a pipe read only at the end fills up and stalls the build.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=log)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        log.seek(0)
        stderr = log.read().decode("utf-8", "replace")
    if status != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr}")
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def build(project: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(project), SOURCE_DATE_EPOCH="1751328000")
    result = measure([sys.executable, "-m", "generator", "build"], project, env)
    result["stages"] = json.loads((project / "build" / "timings.json").read_text("utf-8"))["seconds"]
    return result


def floor(project: Path) -> dict:
    """Plain MkDocs over the same pages: the generated Markdown written out, charts and PDFs in place."""
    plain = project / "floor"
    docs = plain / "docs"
    # The last build left every page's Markdown in build/pages (in a process of its own,
    # importing that project's copy of the code).
    shutil.copytree(project / "build" / "pages", docs)
    for name in ("charts", "pdf", "assets", "downloads"):
        if (project / "site" / name).exists():
            shutil.copytree(project / "site" / name, docs / name, dirs_exist_ok=True)
    (plain / "theme").mkdir()
    (plain / "theme" / "main.html").write_text(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{{ page.title }}</title></head>"
        "<body>{{ page.content }}</body></html>\n", "utf-8")
    config = yaml.safe_load((project / "mkdocs.yml").read_text("utf-8").replace("!!python/name:", ""))
    (plain / "mkdocs.yml").write_text(yaml.safe_dump({
        "site_name": "floor", "docs_dir": "docs", "site_dir": "site", "use_directory_urls": False,
        "theme": {"name": None, "custom_dir": "theme"}, "plugins": [],
        "markdown_extensions": ["toc", "footnotes", "tables", "attr_list", "md_in_html", "sane_lists"],
    }), "utf-8")
    del config
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return measure([str(mkdocs), "build", "--quiet"], plain)


def size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1024 / 1024, 1)


def run(dyads: int, folder: Path, compare: bool = False) -> dict:
    project = make_project(folder, dyads)
    result = {"dyads": dyads, "actors": max(3, dyads // 2)}
    result["cold"] = build(project)
    result["output_mb"] = size_mb(project / "site")
    result["pages"] = sum(1 for _ in (project / "site").rglob("*.html"))
    result["charts"] = sum(1 for _ in (project / "site" / "charts").rglob("*.svg"))
    result["pdfs"] = sum(1 for _ in (project / "site" / "pdf").glob("*.pdf"))
    result["by_language"] = by_language(project / "site")
    if compare:  # the same archive, cold, without the converted languages
        written = make_project(folder, dyads, written_only=True)
        result["cold_written_only"] = build(written)
        result["cold_written_only"]["output_mb"] = size_mb(written / "site")
        shutil.rmtree(written)
    result["no_change"] = build(project)
    # The third dyad file, as every earlier run edited (its index was once len(result) % 3 with eight keys in
    # result; the by-language keys would have moved it to a dyad with neither level to edit).
    dyad = sorted((project / "data" / "dyads").glob("*.yaml"))[2]
    text = dyad.read_text("utf-8")
    dyad.write_text(text.replace("external: high", "external: medium", 1) if "external: high" in text
                    else text.replace("external: low", "external: high", 1), "utf-8")
    result["one_dyad_edit"] = build(project)
    result["floor"] = floor(project)
    floor_seconds = result["floor"]["seconds"]
    result["cold"]["ratio_to_floor"] = round(result["cold"]["seconds"] / floor_seconds, 1)
    result["pages_vs_floor"] = round((result["cold"]["stages"]["pages"] + result["cold"]["stages"]["layout"]) /
                                     floor_seconds, 2)
    result["ms_per_chart"] = round(1000 * result["cold"]["stages"]["charts"] / max(result["charts"], 1), 1)
    result["s_per_pdf"] = round(result["cold"]["stages"]["handouts"] / max(result["pdfs"], 1), 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--compare-converted", action="store_true",
                        help="also build each archive cold without the converted languages (zh-Hans)")
    args = parser.parse_args()
    results = []
    out = Path(args.out)
    earlier = json.loads(out.read_text("utf-8"))["results"] if out.exists() else []
    previous = {row["dyads"]: row for row in earlier}
    with tempfile.TemporaryDirectory() as folder:
        for dyads in (int(size) for size in args.sizes.split(",")):
            result = run(dyads, Path(folder), args.compare_converted)
            if dyads in previous:  # the last measurement of this size, printed beside this one
                result["previous"] = {name: previous[dyads][name]["seconds"]
                                      for name in ("cold", "no_change", "one_dyad_edit", "floor")}
            results.append(result)
            print(f"\n{dyads} dyads: {result['pages']} pages, {result['charts']} charts, "
                  f"{result['pdfs']} PDFs, {result['output_mb']} MB")
            print(f"  {'build':16} {'seconds':>8} {'peak RSS':>9} {'÷ floor':>8} {'previous':>9}")
            for name in ("cold", "no_change", "one_dyad_edit", "floor"):
                row = result[name]
                before = result.get("previous", {}).get(name)
                print(f"  {name:16} {row['seconds']:>8.1f} {row['peak_rss_mb']:>7.0f}MB "
                      f"{row['seconds'] / result['floor']['seconds']:>8.1f} "
                      f"{f'{before:.1f}' if before is not None else '—':>9}")
            stages = ", ".join(f"{k} {v:.1f}" for k, v in result["cold"]["stages"].items())
            print(f"  cold stages (s): {stages}")
            print(f"  charts {result['ms_per_chart']} ms each (wall, web and print SVG), PDFs {result['s_per_pdf']} s each")
            split = "; ".join(f"{code} {row['pages']} pages, {row['charts']} charts, {row['pdfs']} PDFs"
                              for code, row in result["by_language"].items())
            print(f"  by language: {split}")
            if "cold_written_only" in result:
                alone, both = result["cold_written_only"], result["cold"]
                stages = ", ".join(f"{k} {both['stages'][k] - v:+.1f}" for k, v in alone["stages"].items()
                                   if k in both["stages"])
                print(f"  cold without the converted languages: {alone['seconds']:.1f} s, {alone['output_mb']} MB; "
                      f"the converted edition adds {both['seconds'] - alone['seconds']:.1f} s "
                      f"({100 * (both['seconds'] / alone['seconds'] - 1):.0f} %), by stage (s): {stages}")
    # Sizes measured in earlier runs stay; this run's sizes replace theirs.
    measured = {result["dyads"] for result in results}
    merged = sorted([r for r in earlier if r["dyads"] not in measured] + results, key=lambda r: r["dyads"])
    document = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
                "results": merged}
    Path(args.out).write_text(json.dumps(document, indent=2) + "\n", "utf-8")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
