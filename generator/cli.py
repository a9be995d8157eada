"""The `briefing` command: check, classify and (in later stages) build the site.

Every failure an analyst can cause ends in `path:line: message` lines, a count,
and exit status 1; never a traceback.
"""
from __future__ import annotations

import argparse
import errno
import json
import os
import shutil
import sys
import unicodedata
from dataclasses import asdict
from pathlib import Path

from . import __version__
from .characters import printable
from .classify import analysis_as_json, classify
from .framework import FRAMEWORK
from .languages import TABLE
from .load import load_data
from .model import Analysis, DataError, Problem
from .validate import today, validate

EXIT_OK, EXIT_PROBLEMS, EXIT_INTERNAL = 0, 1, 2


def analyse(data_dir: str, docs_dir: str | None = None) -> Analysis:
    """load -> validate -> classify; raises DataError with every problem found."""
    return classify(validate(load_data(data_dir, docs_dir), today()))


def annotation(problem: Problem) -> str:
    """A GitHub Actions workflow command, so the problem shows on the pull request's diff."""

    def escape(text: str, *, property_: bool = False) -> str:
        # Quoted data shows its line breaks as \n, as on the terminal; the message is one annotation.
        text = printable(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return text.replace(":", "%3A").replace(",", "%2C") if property_ else text

    kind = "warning" if problem.severity == "warning" else "error"
    return f"::{kind} file={escape(problem.path, property_=True)},line={problem.line}::{escape(problem.message)}"


def report(problems: list[Problem] | tuple[Problem, ...], stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems:
        print(problem, file=stream)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for problem in problems:
            print(annotation(problem))


def say(message: str) -> None:
    """One line on stderr; whatever it quotes (a file name, a library's message) cannot break it or forge another."""
    print(printable(message), file=sys.stderr)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def fail(error: DataError, data_dir: str) -> int:
    report(error.problems)
    say(f"briefing: {plural(len(error.problems), 'problem')} in {data_dir}; fix them and run again")
    return EXIT_PROBLEMS


# ---- check ----------------------------------------------------------------------


def checked(run):
    """Wrap a command so it gets a clean Analysis, or the problems are reported and it exits 1."""

    def command(args) -> int:
        try:
            analysis = analyse(args.data, args.docs)
        except DataError as error:
            return fail(error, args.data)
        report(analysis.warnings)
        return run(args, analysis)

    return command


@checked
def run_check(args, analysis: Analysis) -> int:
    return EXIT_OK


# ---- classify -------------------------------------------------------------------


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def table(rows: list[list[str]]) -> str:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        lines.append("  ".join(pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


HEADINGS = {
    "en": {
        "dyad": "Dyad", "actors": "Actors", "external": "Facing", "cells": "Cells", "type": "Type",
        "commitment": "Commitment", "cohesion": "Cohesion", "robust": "Robust", "triads": "Triads",
        "yes": "yes", "no": "no", "flip": "if {actor}'s {kind} moved {before} -> {after}: {type}",
        "feasible": "trilateral balancing alliance feasible", "infeasible": "no trilateral balancing alliance",
        "ceiling": "cohesion at most", "commit": "commitment", "readings": "holds under all readings",
        "contested": "changes under another reading", "none": "No dyads in the data.", "no_triads": "none",
    },
    "zh-TW": {
        "dyad": "雙邊關係", "actors": "成員", "external": "外部行為者", "cells": "表 2 格", "type": "同盟型態",
        "commitment": "承諾", "cohesion": "凝聚力", "robust": "穩健", "triads": "三邊關係",
        "yes": "是", "no": "否", "flip": "若{actor}的{kind}由{before}變為{after}：{type}",
        "feasible": "可形成三方抗衡同盟", "infeasible": "無法形成三方抗衡同盟",
        "ceiling": "凝聚力至多", "commit": "承諾", "readings": "各種解讀下皆成立",
        "contested": "其他解讀下會改變", "none": "資料中沒有雙邊關係。", "no_triads": "無",
    },
}


def degree(value: str, lang: str) -> str:
    return FRAMEWORK.degree(value).label.get(lang)


def level(value: str, lang: str) -> str:
    return value if FRAMEWORK.level_ids.count(value) == 0 else FRAMEWORK.level_label(value, lang)


def classify_text(analysis: Analysis, lang: str) -> str:
    # A converted language's headings are its source's, converted (the written languages' are above).
    words = {key: TABLE.complete({code: HEADINGS[code][key] for code in HEADINGS})[lang] for key in HEADINGS["en"]}
    if not analysis.dyads:
        return words["none"]
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    rows = [[words[key] for key in ("dyad", "actors", "external", "cells", "type", "commitment", "cohesion", "robust")]]
    notes = []
    for result in analysis.dyads:
        dyad = result.dyad
        rows.append(
            [
                dyad.title.get(lang),
                " / ".join(names[actor] for actor in dyad.actors),
                names[dyad.external],
                " ".join(f"{position.cell}" for position in result.positions),
                FRAMEWORK.type_label(result.type, lang),
                degree(result.commitment, lang),
                degree(result.cohesion, lang),
                words["yes"] if result.robust else words["no"],
            ]
        )
        holds = words["readings"] if result.holds_under_all_readings else words["contested"]
        notes.append(f"  {dyad.title.get(lang)}: " + holds)
        for flip in result.flips:
            notes.append(
                "    " + words["flip"].format(
                    actor=names[flip.actor],
                    kind=FRAMEWORK.kind_label(flip.level, lang),
                    before=FRAMEWORK.level_label(flip.from_level, lang),
                    after=FRAMEWORK.level_label(flip.to_level, lang),
                    type=FRAMEWORK.type_label(flip.type, lang),
                )
            )
    lines = [table(rows), "", *notes, "", words["triads"] + ":"]
    if not analysis.triads:
        lines.append("  " + words["no_triads"])
    for triad in analysis.triads:
        members = " / ".join(names[actor] for actor in triad.actors)
        feasible = words["feasible"] if triad.trilateral_balancing else words["infeasible"]
        if triad.cohesion_ceiling != "undetermined":
            ceiling = level(triad.cohesion_ceiling, lang)
        else:
            ceiling = degree("undetermined", lang)
        lines.append(
            f"  {members} ({words['external']}: {names[triad.external]}): {feasible}; "
            f"{words['commit']} {degree(triad.commitment, lang)}; "
            f"{words['ceiling']} {ceiling}"
        )
    return "\n".join(lines)


@checked
def run_classify(args, analysis: Analysis) -> int:
    if args.json:
        print(json.dumps(analysis_as_json(analysis), ensure_ascii=False, indent=2))
    else:
        print(classify_text(analysis, args.lang))
    return EXIT_OK


# ---- build ----------------------------------------------------------------------


def write_json(path: Path, document) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")


@checked
def run_charts(args, analysis: Analysis) -> int:
    from .build import SITE_MARKER, Build, Settings, output_refusal, project_lock, swap_in
    from .charts import render_charts, write_charts  # matplotlib only where charts are drawn
    from .model import ChartError

    out = Path(args.out)
    settings = Settings.of(args.config, args.data, args.docs, out)
    refusal = output_refusal(out, settings.project, settings.data_dir, settings.docs_dir)
    if refusal:
        say(f"briefing charts: --out {args.out}: {refusal}; give a folder of its own, such as charts")
        return EXIT_PROBLEMS
    build = Build(settings, analysis, say=say)
    staging = settings.staging
    try:
        with project_lock(settings, say):
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            (staging / SITE_MARKER).write_text("Made by `briefing charts`.\n", encoding="utf-8")
            chart_set = render_charts(analysis, build.store, build.code, progress=build.stages.bar("charts"))
            write_charts(chart_set, staging)
            write_json(staging / "charts.json", [{**asdict(chart), "path": chart.path.removeprefix("charts/")}
                                                 for chart in chart_set.charts])  # paths relative to --out
            swap_in(staging, out)  # the old charts stay until the new ones are complete
    except ChartError as error:
        say(f"briefing: {error}")
        return EXIT_PROBLEMS
    except OSError as error:
        say(f"briefing charts: the charts were not drawn: {disk_error(error)}")
        return EXIT_PROBLEMS
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"briefing charts: wrote {len(chart_set.charts)} charts to {out}")
    return EXIT_OK


def disk_error(error: OSError) -> str:
    """An operating-system error in the analyst's words: what happened, to which file, what to do."""
    # A copy names its source first and its target second; the target is where the write failed.
    target = error.filename2 if error.errno in (errno.ENOSPC, errno.EDQUOT) and error.filename2 else error.filename
    where = f" ({printable(str(target))})" if target else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk is full{where}; free some space and build again"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}; make the folder writable and build again"
    if error.errno == errno.EROFS:
        return f"the folder is on a read-only disk{where}; build into another folder with --out"
    return f"{error.strerror or error}{where}"


@checked
def run_build(args, analysis: Analysis) -> int:
    from .build import Build, Busy, OutputRefused, Settings, SiteNotBuilt
    from .model import ChartError
    from .parallel import WorkerFailed
    from .store import BadEntry

    settings = Settings.of(args.config, args.data, args.docs, args.out, clean=args.clean, wait=not args.no_wait)
    try:
        for attempt in range(3):
            try:
                build = Build(settings, analysis, say=say)
                site = build.run()
                break
            except BadEntry as damaged:  # a cache file changed while this build used it: it is gone now
                if attempt == 2:
                    raise SiteNotBuilt(f"the build cache keeps changing under the build ({damaged}); "
                                       "is another program writing into build/cache?") from None
                say(f"briefing: a cached file changed while it was used ({damaged}); building again without it")
    except OutputRefused as error:
        say(f"briefing build: --out {args.out}: {error}, and a build replaces its output folder entirely; "
            "give a folder of its own, such as site; nothing was changed")
        return EXIT_PROBLEMS
    except Busy as error:
        say(f"briefing: {error}")
        return EXIT_PROBLEMS
    except SiteNotBuilt as error:
        report(error.problems)
        say(f"briefing: the site was not built: {error.reason}; the previous site is unchanged")
        return EXIT_PROBLEMS
    except (ChartError, WorkerFailed) as error:
        say(f"briefing: the site was not built: {error}; the previous site is unchanged")
        return EXIT_PROBLEMS
    except OSError as error:
        say(f"briefing: the site was not built: {disk_error(error)}; the previous site is unchanged")
        return EXIT_PROBLEMS
    pages = sum(1 for path in site.rglob("*.html") if not path.relative_to(site).as_posix().startswith("embed/"))
    print(
        f"briefing build: wrote {site} ({pages} pages in {TABLE.series(list(TABLE.codes))}, "
        f"{plural(len(analysis.dyads), 'dyad')}, {plural(len(analysis.triads), 'triad')}, "
        f"{plural(sum(brief.lang in TABLE.written for brief in analysis.dataset.briefs), 'brief file')})"
    )
    for notice in build.notices:
        say(notice)
    return EXIT_OK


def serve_address(text: str) -> tuple[str, int] | None:
    """HOST:PORT as MkDocs' local server takes it: localhost or an IPv4 address in full (127.0.0.1, not 127.1)."""
    import ipaddress

    host, colon, port = text.rpartition(":")
    if not colon or not port.isascii() or not port.isdigit() or not 0 < int(port) <= 65535:
        return None
    if host != "localhost":
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return None
    return host, int(port)


def run_serve(args) -> int:
    # The address is checked before the data, so a typo costs nothing.
    if serve_address(args.addr) is None:
        say(f"briefing serve: --addr '{args.addr}' is not an IPv4 address (or localhost) and a port from 1 to "
            "65535; e.g. --addr 127.0.0.1:8000")
        return EXIT_PROBLEMS
    return serve_checked(args)


def serve_checked(args) -> int:
    import socket
    import time

    from .build import Settings, output_refusal
    from .serve import Server

    settings = Settings.of(args.config, args.data, args.docs, args.out)
    refusal = output_refusal(settings.out, settings.project, settings.data_dir, settings.docs_dir)
    if refusal:
        say(f"briefing serve: --out {args.out}: {refusal}; give a folder of its own, such as site")
        return EXIT_PROBLEMS
    host, port = serve_address(args.addr)  # type: ignore[misc]
    for attempt in range(20):  # after a restart, the address may take a moment to come free
        try:
            with socket.create_server((host, port)):
                break
        except OSError as error:
            if error.errno != errno.EADDRINUSE or attempt == 19:
                say(f"briefing serve: cannot serve at {args.addr}: {error.strerror}; pick another address with --addr")
                return EXIT_PROBLEMS
            time.sleep(0.25)
    Server(settings, (host, port), say, lambda: analyse(args.data, args.docs)).run()  # shows its own problems
    return EXIT_OK


def run_import_atop(args) -> int:
    from .treaties import SHOWN_PROBLEMS, ImportRefused, import_atop

    try:
        imported = import_atop(args.table, args.data, args.atop_version, args.source)
    except DataError as error:
        return fail(error, args.data)
    except ImportRefused as error:
        report(error.problems[:SHOWN_PROBLEMS])
        if len(error.problems) > SHOWN_PROBLEMS:
            say(f"… and {len(error.problems) - SHOWN_PROBLEMS:,} more like these")
        say(f"briefing import-atop: {plural(len(error.problems), 'problem')} in {error.shown}; nothing was written, "
            "fix them and import again")
        return EXIT_PROBLEMS
    except OSError as error:
        say(f"briefing import-atop: nothing was written: {disk_error(error)}")
        return EXIT_PROBLEMS
    report(imported.warnings)
    ranges = sum(len(spans) for _, spans in imported.spans)
    first, last = imported.years
    print(f"briefing import-atop: wrote {imported.path} (ATOP {args.atop_version}, {first}–{last}, "
          f"{imported.rows:,} rows read; {plural(len(imported.spans), 'dyad')}, {plural(ranges, 'obligation range')}; "
          "the analyst part kept as it was)")
    return EXIT_OK


def run_diff(args) -> int:
    from .diff import DiffError, diff_revisions, to_json, to_markdown

    try:
        difference = diff_revisions(args.repo, args.base, args.head)
    except DiffError as error:
        say(f"briefing diff: {error}")
        return EXIT_PROBLEMS
    if args.format == "json":
        print(json.dumps(to_json(difference), ensure_ascii=False, indent=2))
    else:
        print(to_markdown(difference), end="")
    return EXIT_OK


# ---- entry point ----------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="briefing",
        description="Check alliance data, classify dyads with Weitsman's framework, and build the briefing site.",
    )
    main_parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str, run) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--data", default="data", metavar="DIR", help="the data folder (default: data)")
        sub.add_argument("--docs", default="docs", metavar="DIR", help="the hand-written pages and briefs (default: docs)")
        sub.set_defaults(run=run)
        return sub

    command("check", "validate every data file and report each problem as path:line: message", run_check)
    classify_parser = command("classify", "show each dyad's cell, strategy, type, commitment and cohesion", run_classify)
    classify_parser.add_argument("--json", action="store_true", help="print the results as JSON")
    classify_parser.add_argument("--lang", choices=TABLE.codes, default="en", help="language of the table")
    charts_parser = command("charts", "draw every chart in both languages as SVG", run_charts)
    charts_parser.add_argument("--out", default="charts", metavar="DIR",
                               help="the folder of charts, replaced whole (default: charts)")
    charts_parser.add_argument("--config", default="mkdocs.yml", metavar="FILE", help="the MkDocs configuration")
    build_parser = command("build", "build the whole site: check, classify, charts, pages, search", run_build)
    build_parser.add_argument("--out", default="site", metavar="DIR", help="the site folder (default: site)")
    build_parser.add_argument("--clean", action="store_true",
                              help="build every page again instead of only those whose sources changed")
    build_parser.add_argument("--config", default="mkdocs.yml", metavar="FILE", help="the MkDocs configuration")
    build_parser.add_argument("--no-wait", action="store_true",
                              help="if another build is running in this folder, stop (exit 1) instead of waiting")
    diff_parser = commands.add_parser("diff", help="what a change does to the analysis, between two git revisions",
                                      description="Compare the analysis at two git revisions (HEAD: the working tree).")
    diff_parser.add_argument("base", metavar="BASE", help="the revision to compare from, e.g. origin/main")
    diff_parser.add_argument("head", metavar="HEAD", nargs="?", help="the revision to compare to (default: the working tree)")
    diff_parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    diff_parser.add_argument("--repo", default=".", metavar="DIR", help="the git repository (default: here)")
    diff_parser.set_defaults(run=run_diff)
    atop_parser = commands.add_parser(
        "import-atop", help="write data/treaties.yaml's ATOP part from ATOP's directed dyad-year table",
        description="Read ATOP's directed dyad-year table (stateA, stateB, year, defense, offense, neutral, nonagg, "
                    "consul) and write each dyad's formal obligations by year into data/treaties.yaml, keeping its "
                    "analyst-coded part.")
    atop_parser.add_argument("table", metavar="FILE", help="ATOP's directed dyad-year table (CSV)")
    atop_parser.add_argument("--data", default="data", metavar="DIR", help="the data folder (default: data)")
    atop_parser.add_argument("--atop-version", default="5.1", metavar="VERSION",
                             help="the ATOP version of the table (default: 5.1)")
    atop_parser.add_argument("--source", default="leeds-2002", metavar="ID",
                             help="the id of ATOP's citation in sources.yaml (default: leeds-2002)")
    atop_parser.set_defaults(run=run_import_atop)
    serve_parser = command("serve", "serve the site locally and rebuild when data or pages change", run_serve)
    serve_parser.add_argument("--config", default="mkdocs.yml", metavar="FILE", help="the MkDocs configuration")
    serve_parser.add_argument("--addr", default="127.0.0.1:8000", metavar="HOST:PORT", help="where to serve")
    serve_parser.add_argument("--out", default="site", metavar="DIR", help="the site folder (default: site)")
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not (epoch.isascii() and epoch.isdigit()):
        say(f"briefing: SOURCE_DATE_EPOCH is '{epoch}', not a number of seconds since 1970; set it to one "
            "(e.g. the last commit's: git log -1 --format=%ct) or unset it")
        return EXIT_PROBLEMS
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug of ours: say so in one line, not a traceback
        if os.environ.get("BRIEFING_DEBUG"):
            raise
        say(f"briefing: internal error ({type(error).__name__}: {error}); "
            "this is a bug in briefing, not in your data. Rerun with BRIEFING_DEBUG=1 and report the output.")
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
