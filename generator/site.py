"""Stage 6, site: everything a MkDocs build needs from the generator.

`prepare_site(mkdocs_config) -> SiteState` runs load -> validate -> classify ->
charts -> pages and subsets the web font; `index_for_search(site_dir)` runs
Pagefind over the built site. generator/hooks.py calls both from MkDocs' events.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import Abort

from .charts import ChartSet, render_charts
from .classify import classify
from .fonts import web_font
from .framework import LABELS
from .handouts import render_handouts
from .load import load_data
from .inputs import TEMPLATES
from .model import LANGUAGES, Analysis, DataError, Problem
from .pages import SitePage, SitePlan, Settings, render_pages
from .urls import PREFIX, dyad_downloads, href, url_of
from .progress import Stages
from .validate import validate

log = logging.getLogger("mkdocs.briefing")
BRIEF_SOURCE = re.compile(r"^briefs/[^/]+\.(zh-TW|en)\.md$")
NAV = ("home", "briefs", "dyads", "framework", "events", "bibliography", "search")
NAV_LABEL = {"home": "nav_home", "briefs": "nav_briefs", "dyads": "nav_dyads", "framework": "nav_framework",
             "events": "nav_events", "bibliography": "nav_bibliography", "search": "nav_search"}


@dataclass(frozen=True)
class SiteState:
    analysis: Analysis
    charts: ChartSet
    plan: SitePlan
    generated_dir: Path  # charts and fonts for this build
    data_dir: Path
    organisation: dict
    languages: dict
    settings: Settings
    stages: Stages
    project: Path
    pages_dir: Path  # the rendered page sources, rewritten only when they change

    @property
    def fonts(self) -> list[str]:
        return sorted(path.name for path in (self.generated_dir / "fonts").glob("*.woff2"))

    def replaces(self, src_uri: str) -> bool:
        """Hand-written files the generator renders itself (briefs) or overrides."""
        return bool(BRIEF_SOURCE.match(src_uri)) or self.plan.by_src(src_uri) is not None

    def static_files(self) -> list[tuple[str, Path]]:
        files = [(chart.path, self.charts.web_file(chart)) for chart in self.charts.charts]
        files += [(f"assets/fonts/{path.name}", path) for path in sorted((self.generated_dir / "fonts").iterdir())]
        files += [(dyad_downloads(result.dyad.id)[0], self.data_dir / "dyads" / f"{result.dyad.id}.yaml")
                  for result in self.analysis.dyads]
        return files

    def page_context(self, src_uri: str) -> dict:
        page = self.plan.by_src(src_uri)
        if page is None:  # a hand-written page outside the plan: treat it as Chinese
            page = SitePage("other", "zh-TW", src_uri, "other", "", "")
        lang = page.lang
        other = "en" if lang == "zh-TW" else "zh-TW"
        counterpart = self.plan.counterpart(page) if page.key != "other" else None
        nav = [
            {"label": LABELS(NAV_LABEL[key], lang), "href": href(page.url, url_of(key, lang)),
             "current": page.key == key or page.key.startswith(key.rstrip("s") + ":")}
            for key in NAV
        ]
        return {
            "lang": lang,
            "site_page": page,
            "brief_lang": self._brief_lang(page),
            "other_lang": other,
            "other_lang_name": self.languages[other]["name"],
            "counterpart_url": href(page.url, counterpart.url) if counterpart else None,
            "home_url": href(page.url, url_of("home", lang)),
            "nav_items": nav,
            "org": {key: (value.get(lang) if isinstance(value, dict) else value) for key, value in self.organisation.items()},
            "t": lambda key, **values: LABELS(key, lang, **values),
            "asset": lambda path: href(page.url, path),
            "content_security_policy": content_security_policy(),
        }

    def _brief_lang(self, page: SitePage) -> str:
        if page.kind != "brief" or page.translated:
            return page.lang
        return "en" if page.lang == "zh-TW" else "zh-TW"


# What a published page may load and run: only the site's own files, and no inline
# script or style at all (the theme has none; briefs are sanitised). Pagefind
# compiles its WebAssembly search index, which needs 'wasm-unsafe-eval'.
CONTENT_SECURITY_POLICY = {
    "default-src": "'none'",
    "script-src": "'self' 'wasm-unsafe-eval'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # Pagefind's stylesheet draws its search icon as a data: SVG
    "font-src": "'self'",
    "connect-src": "'self'",
    "base-uri": "'none'",
    "form-action": "'none'",
}


def content_security_policy(serving: bool = False) -> str:
    """The policy as a meta tag's content. `briefing serve` injects an inline live-reload script into
    every page it serves (never into the built site), so only its pages allow inline script."""
    policy = dict(CONTENT_SECURITY_POLICY)
    if serving:
        policy["script-src"] += " 'unsafe-inline'"
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


def font_stylesheet(fonts: list[Path]) -> str:
    """@font-face rules for the web fonts, as a file: the policy allows no inline style."""
    rules = [f'@font-face {{ font-family: "Briefing Sans TC"; font-style: normal; '
             f'font-weight: {700 if "-bold-" in path.name else 400}; font-display: swap; '
             f'src: url("{path.name}") format("woff2"); }}' for path in sorted(fonts)]
    return "\n".join(rules) + "\n"


def commit_date(project: Path) -> str:
    """The last commit's date as seconds since 1970, or "" outside git."""
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project, capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def pin_source_date(project: Path, analysis: Analysis) -> None:
    """Dates in the output (sitemap, PDFs) come from SOURCE_DATE_EPOCH, never the clock.

    Unless the caller set it, it is the last commit's date, or outside git the
    newest date in the data, so the same commit always builds the same bytes.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return
    stamp = commit_date(project)
    if not stamp.isdigit():
        newest = build_date(analysis)
        stamp = str(int(dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.timezone.utc).timestamp()))
    os.environ["SOURCE_DATE_EPOCH"] = stamp


def build_date(analysis: Analysis) -> dt.date:
    """SOURCE_DATE_EPOCH when set, else the newest date in the data: never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    dates = [d.as_of for d in analysis.dataset.dyads] + [b.date for b in analysis.dataset.briefs]
    return max(dates, default=dt.date(2025, 1, 1))


def prepare_site(config) -> SiteState:
    project = Path(config.config_file_path).resolve().parent
    data_dir = (project / config.extra.get("data_dir", "data")).resolve()
    stages = Stages()
    cache = project / "build" / "cache"
    try:
        with stages.stage("validate+classify"):
            # `briefing build` has just checked the data and hands its analysis over; MkDocs on its own has not.
            analysis = config.extra.get("briefing_analysis") or classify(validate(load_data(data_dir, config.docs_dir)))
    except DataError as error:
        for problem in error.problems:
            log.error(str(problem).replace(str(project) + os.sep, ""))
        raise Abort(f"{len(error.problems)} problem(s) in the data; fix them and run again") from None
    pin_source_date(project, analysis)
    generated = project / "build" / "generated"
    if generated.exists():
        shutil.rmtree(generated)
    with stages.stage("charts"):
        charts = render_charts(analysis, generated, cache / "charts", progress=stages.bar("charts"))
        stages.notes["charts"] = f"{len(charts.charts)} charts, {charts.cached} from the cache"
    settings = Settings(organisation=config.extra["organisation"], site_url=config.site_url or "",
                        build_date=build_date(analysis), handouts=True)
    with stages.stage("pages"):
        plan = render_pages(analysis, charts, settings)
        written = write_sources(plan, project / "build" / "pages")
        changed = sum(1 for page in plan.pages if page.src_uri in written)
        stages.notes["pages"] = f"{len(plan.pages)} pages, {changed} changed"
    with stages.stage("fonts"):
        # As pages show it: a character reference (&#x4E00;) needs the character it stands for.
        text = html.unescape("".join(page.markdown for page in plan.pages)) + "".join(
            chart.texts for chart in charts.charts) + "".join(
            LABELS(key, lang) for key, _ in LABELS.texts for lang in LANGUAGES) + repr(config.extra["organisation"])
        fonts = web_font(text, generated / "fonts", cache / "fonts")
        (generated / "fonts" / "fonts.css").write_text(font_stylesheet(fonts), encoding="utf-8")
    stages.mark("mkdocs")
    return SiteState(analysis, charts, plan, generated, data_dir, config.extra["organisation"], config.extra["languages"],
                     settings, stages, project, project / "build" / "pages")


def write_sources(plan: SitePlan, folder: Path) -> set[str]:
    """Write each page's Markdown and each download under folder, leaving unchanged files untouched.

    An untouched file keeps its modification time, which is how an incremental
    MkDocs build knows the page needs no rebuilding. Returns the paths written.
    """
    wanted = {page.src_uri: page.markdown.encode("utf-8") for page in plan.pages}
    wanted.update(dict(plan.files))
    written = set()
    for uri, content in wanted.items():
        target = folder / uri
        try:
            if target.read_bytes() == content:
                continue
        except OSError:
            target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(target.name + ".tmp")
        temporary.write_bytes(content)
        temporary.replace(target)
        written.add(uri)
    if folder.is_dir():
        for path in folder.rglob("*"):
            if path.is_file() and path.relative_to(folder).as_posix() not in wanted:
                path.unlink()
    return written


def finish_site(state: SiteState, site_dir: str, previous: dict | None = None) -> dict:
    """After MkDocs has written the pages: the search index, then the PDF handouts.

    `previous` describes the site the build started from (incremental builds):
    an index or handout whose key is unchanged is left as it is. Returns what
    this build made, for the next one.
    """
    previous = previous or {}
    stages = state.stages
    stages.since("mkdocs", "mkdocs")
    with stages.stage("search index"):
        search_key = index_for_search(site_dir, state.project / "build" / "cache" / "pagefind", previous.get("pagefind"))
    with stages.stage("pdfs"):
        handouts = render_handouts(state.analysis, state.charts, state.settings, site_dir,
                                   state.project / "build" / "cache" / "pdf", progress=stages.bar("pdfs"),
                                   previous=previous.get("handouts"))
        stages.notes["pdfs"] = f"{len(handouts)} handouts"
    stages.save(state.project / "build" / "timings.json")
    return {"pagefind": search_key, "handouts": handouts}


def index_for_search(site_dir: str, cache_dir: Path | None = None, previous_key: str | None = None) -> str:
    """Pagefind indexes each language on its own (it reads <html lang>).

    The index depends only on the pages: when they are unchanged, the index already
    in the site (previous_key) or in the cache is used. Returns the pages' key.
    """
    from importlib.metadata import version

    site = Path(site_dir)
    digest = hashlib.sha256(version("pagefind").encode())
    for page in sorted(site.rglob("*.html")):
        digest.update(str(page.relative_to(site)).encode() + b"\0" + page.read_bytes())
    key = digest.hexdigest()[:24]
    output = site / "pagefind"
    if key == previous_key and output.is_dir():
        return key
    shutil.rmtree(output, ignore_errors=True)  # in an incremental build these are links to the live site
    cached = Path(cache_dir) / key if cache_dir is not None else None
    if cached is not None and cached.is_dir():
        shutil.copytree(cached, output)
        return key
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", site_dir, "--silent"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Abort(f"Pagefind could not index the site: {result.stderr.strip() or result.stdout.strip()}")
    # Pagefind lists languages in hash-map order, which varies from run to run.
    entry = output / "pagefind-entry.json"
    entry.write_text(json.dumps(json.loads(entry.read_text(encoding="utf-8")), sort_keys=True, ensure_ascii=False,
                                separators=(",", ":")), encoding="utf-8")
    if cached is not None:
        shutil.copytree(output, cached, dirs_exist_ok=True)
    return key


def mkdocs_config(config_file: str | Path, data_dir: str | Path, docs_dir: str | Path, site_dir: str | Path):
    """Load mkdocs.yml with the analyst's folders put in."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), site_dir=str(Path(site_dir).resolve()),
                         docs_dir=str(Path(docs_dir).resolve()))
    config.extra["data_dir"] = str(Path(data_dir).resolve())
    return config


STATE_FILE = "state.json"  # in build/: what the site in site_dir was built from


class _QuietDirty(logging.Filter):
    """MkDocs warns that a dirty build may leave stale navigation and links.

    Ours cannot: every page is rendered again and only byte-identical sources are
    skipped, and any change to the page set, fonts, theme or code makes a full build.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def quiet_dirty_warning() -> None:
    """Called from the hook's on_config, which runs just before MkDocs warns (strict mode would abort)."""
    build_log = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(existing, _QuietDirty) for existing in build_log.filters):
        build_log.addFilter(_QuietDirty())


def build_fingerprint(config_file: Path) -> str:
    """What every page's HTML depends on besides its own source: theme, templates, code, config, libraries."""
    from importlib.metadata import version

    project = config_file.parent
    digest = hashlib.sha256(config_file.read_bytes())
    for folder in (project / "templates", Path(__file__).resolve().parent):
        hash_files(digest, folder)
    for package in ("mkdocs", "markdown", "jinja2", "pagefind", "weasyprint", "matplotlib", "fonttools",
                    "cvttf-NotoSansCJK-Regular", "cvttf-NotoSansCJK-Bold"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()


def inputs_digest(config_file: Path, data_dir: Path, docs_dir: Path, fingerprint: str) -> str:
    """Every file a build reads (data, docs, and through the fingerprint the code, theme and config),
    their folders, and the date the build stamps on its output."""
    digest = hashlib.sha256(fingerprint.encode())
    stamp = os.environ.get("SOURCE_DATE_EPOCH", "") or commit_date(config_file.parent)
    digest.update(f"{data_dir.resolve()}\0{docs_dir.resolve()}\0{stamp}\0".encode())
    for folder in (data_dir, docs_dir):
        hash_files(digest, folder)
    return digest.hexdigest()


def hash_files(digest, folder: Path) -> None:
    """Every file under folder, by its path there and its bytes (compiled Python aside)."""
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())


def link_tree(source: Path, target: Path, skip: str = "") -> int:
    """Recreate source under target with hard links: a copy of a large site in a fraction of a second.

    Every later write into target must replace a file, never write into it, or the
    live site would change too; the build unlinks each file before writing it.
    """
    count = 0
    for folder, _, names in os.walk(source):
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in names:
            if relative == Path(".") and name == skip:
                continue
            os.link(Path(folder) / name, target / relative / name)
            count += 1
    return count


class SiteNotBuilt(Exception):
    """The build stopped; `problems` say why, where they can point at a file and line."""

    def __init__(self, reason: str, problems: tuple[Problem, ...] = ()):
        super().__init__(reason)
        self.reason = reason
        self.problems = problems


class OutputRefused(Exception):
    """The output folder may not be replaced; nothing was touched."""


SITE_MARKER = ".briefing-site"  # in every site this tool builds: only such a folder is ever replaced


def output_refusal(out: Path, project: Path, data_dir: Path, docs_dir: Path) -> str | None:
    """Why `out` may not be replaced by a build, or None. The build replaces the whole folder."""
    out = out.resolve()
    guarded = [(project, "the project folder"), (project / ".git", "the project's git repository"),
               (Path(data_dir), "the data folder"), (Path(docs_dir), "the docs folder"),
               (project / "templates", "the templates folder"), (TEMPLATES, "the templates folder"),
               (Path(__file__).resolve().parent, "the generator's code"), (project / "build", "the build cache")]
    for folder, name in guarded:
        folder = folder.resolve()
        if out == folder:
            return f"it is {name}"
        if out in folder.parents:
            return f"it holds {name}"
        if folder in out.parents and folder != project:
            return f"it is inside {name}"
    if out.exists() and not out.is_dir():
        return "it is a file"
    for folder in (out, out.with_name(out.name + ".tmp"), out.with_name(out.name + ".old")):
        if folder.is_dir() and any(folder.iterdir()) and not (folder / SITE_MARKER).is_file() \
                and read_state(project / "build" / STATE_FILE).get("site") != str(folder):
            return (f"{folder} holds files that no build of this tool made (if an interrupted build left it, "
                    "remove it)" if folder != out else "it holds files that no build of this tool made")
    return None


def build_site(config_file: str | Path, data_dir: str | Path, docs_dir: str | Path, out_dir: str | Path,
               clean: bool = False, analysis: Analysis | None = None) -> Path:
    """Build the whole site into a staging folder; swap it into out_dir only if everything succeeded.

    When out_dir was made by the last build of this project with the same theme,
    code and configuration, the staging folder starts as hard links to it and
    MkDocs rebuilds only pages whose sources changed (clean=True forces a full build).
    Raises OutputRefused before touching anything, or SiteNotBuilt, leaving out_dir as it was.
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    config_path = Path(config_file).resolve()
    out = Path(out_dir).resolve()
    refusal = output_refusal(out, config_path.parent, Path(data_dir), Path(docs_dir))
    if refusal:
        raise OutputRefused(f"--out {out_dir}: {refusal}, and a build replaces its output folder entirely; "
                            "give a folder of its own, such as site")
    staging = out.with_name(out.name + ".tmp")
    state_file = config_path.parent / "build" / STATE_FILE
    started = time.perf_counter()
    if staging.exists():
        shutil.rmtree(staging)
    fingerprint = build_fingerprint(config_path)
    previous = read_state(state_file)
    incremental = (not clean and out.is_dir() and previous.get("site") == str(out)
                   and previous.get("fingerprint") == fingerprint)
    inputs = inputs_digest(config_path, Path(data_dir), Path(docs_dir), fingerprint)
    if incremental and previous.get("inputs") == inputs:
        # Nothing the site is made from has changed since it was built: it is already this build's output.
        stages = Stages()
        stages.notes["inputs check"] = "nothing changed since the last build; the site is up to date"
        stages.finish("inputs check", time.perf_counter() - started)
        stages.save(config_path.parent / "build" / "timings.json")
        return out
    config = mkdocs_config(config_path, data_dir, docs_dir, staging)
    config.extra["briefing_previous"] = previous if incremental else None
    config.extra["briefing_analysis"] = analysis
    started = time.perf_counter()
    warnings = _MkDocsWarnings()
    logging.getLogger("mkdocs").addHandler(warnings)
    try:
        # The marker first: a staging folder left by a killed build is still recognisably ours.
        staging.mkdir(parents=True)
        (staging / SITE_MARKER).write_text("Made by `briefing build`, which replaces this folder on every build.\n",
                                          encoding="utf-8")
        linked = link_tree(out, staging, skip=SITE_MARKER) if incremental else 0
        staging_seconds = time.perf_counter() - started
        build(config, dirty=incremental)
    except MkDocsException as error:
        shutil.rmtree(staging, ignore_errors=True)
        problems = tuple(warnings.problems(analysis, docs_dir))
        reason = (f"MkDocs stopped on {len(problems)} problem{'s' if len(problems) != 1 else ''} (strict mode)"
                  if problems and "strict mode" in str(error) else str(error))
        raise SiteNotBuilt(reason, problems) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        logging.getLogger("mkdocs").removeHandler(warnings)
    made = dict(config.extra.get("briefing_made") or {})
    started = time.perf_counter()
    state_file.unlink(missing_ok=True)  # between the swap and the new state, no build may trust the old one
    try:
        swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    state_file.parent.mkdir(parents=True, exist_ok=True)
    state_file.write_text(json.dumps({"site": str(out), "fingerprint": fingerprint, "inputs": inputs, **made},
                                     sort_keys=True),
                          encoding="utf-8")
    report_staging(config_path.parent / "build" / "timings.json", staging_seconds + time.perf_counter() - started,
                   f"{linked} files linked from the previous site" if incremental else "full build")
    return out


class _MkDocsWarnings(logging.Handler):
    """MkDocs' own warnings during a build, so a strict-mode abort can say what they were and where."""

    LINK = re.compile(r"^Doc file '(?P<page>[^']+)' contains (?:a|an absolute|an unrecognized relative) link "
                      r"'(?P<link>[^']*)'")

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def problems(self, analysis: Analysis | None, docs_dir) -> list[Problem]:
        found = []
        for message in self.messages:
            path, line = self.source_of(message, analysis, docs_dir)
            found.append(Problem(path, line, self.in_words(message)))
        return sorted(set(found))

    WORDINGS = (
        (re.compile(r"contains a link '(?P<link>[^']*)', but the target '(?P<target>[^']*)' is not found among "
                    r"documentation files\."),
         "the link '{link}' points to a page or file the site does not have; check the path "
         "(links in a brief are relative to docs/briefs/)"),
        (re.compile(r"contains a link '(?P<link>[^']*)', but the doc '(?P<target>[^']*)' does not contain an anchor "
                    r"'(?P<anchor>[^']*)'\."),
         "the link '{link}' points to a heading {anchor} that {target} does not have; check the anchor"),
        (re.compile(r"contains an absolute link '(?P<link>[^']*)'"),
         "the link '{link}' starts with '/', which breaks when the site is opened from disk or moved; "
         "write it relative, e.g. ../framework.md"),
    )

    def in_words(self, message: str) -> str:
        for pattern, wording in self.WORDINGS:
            match = pattern.search(message)
            if match:
                return wording.format(**match.groupdict())
        return f"MkDocs: {message}"

    def source_of(self, message: str, analysis: Analysis | None, docs_dir) -> tuple[str, int]:
        """The brief or page (and line) a warning is about; MkDocs names only the generated page."""
        match = self.LINK.match(message)
        if not match:
            return "mkdocs", 1
        page, link = match["page"], match["link"]
        brief = re.fullmatch(r"(?P<prefix>(?:[^/]+/)?)briefs/(?P<slug>[^/]+)\.md", page)
        if brief and analysis is not None:
            lang = {prefix: code for code, prefix in PREFIX.items()}.get(brief["prefix"])
            candidates = [b for b in analysis.dataset.briefs if b.slug == brief["slug"]]
            chosen = next((b for b in candidates if b.lang == lang), candidates[0] if candidates else None)
            if chosen is not None:
                lines = chosen.body.split("\n")
                number = next((i for i, text in enumerate(lines) if link and link in text), 0)
                return chosen.origin.path, chosen.body_line + number
        source = Path(docs_dir) / page
        if source.is_file() and not source.is_symlink():
            lines = source.read_text(encoding="utf-8", errors="replace").split("\n")
            number = next((i for i, text in enumerate(lines) if link and link in text), 0)
            return str(source), number + 1
        return "mkdocs", 1


def read_state(state_file: Path) -> dict:
    """The record of the last build; anything unreadable or odd in it just means a full build."""
    try:
        state = json.loads(state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    kinds = {"site": str, "layout": str, "pagefind": str, "sources": dict, "handouts": dict}
    if not isinstance(state, dict) or any(not isinstance(state.get(key), kind) for key, kind in kinds.items()):
        return {}
    return state


def report_staging(timings_file: Path, seconds: float, note: str) -> None:
    """Linking the previous site in and swapping the new one in: a stage of its own in the timings."""
    stages = Stages()
    stages.notes["staging"] = note
    stages.finish("staging", seconds)
    try:
        timings = json.loads(timings_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    timings["seconds"]["staging"] = seconds
    timings["notes"]["staging"] = note
    timings_file.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def swap_in(staging: Path, target: Path) -> None:
    """Replace target with staging: the old folder is moved aside first and removed only afterwards.

    If the new folder cannot be moved in, the old one is moved back.
    """
    previous = target.with_name(target.name + ".old")
    shutil.rmtree(previous, ignore_errors=True)
    moved = False
    if target.exists():
        target.rename(previous)
        moved = True
    try:
        staging.rename(target)
    except OSError:
        if moved:
            previous.rename(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)
