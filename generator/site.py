"""Stage 6, site: everything a MkDocs build needs from the generator.

`prepare_site(mkdocs_config) -> SiteState` runs load -> validate -> classify ->
charts -> pages and subsets the web font; `index_for_search(site_dir)` runs
Pagefind over the built site. generator/hooks.py calls both from MkDocs' events.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from mkdocs.exceptions import Abort

from .charts import ChartSet, render_charts
from .classify import classify
from .fonts import web_font
from .framework import LABELS
from .handouts import render_handouts
from .load import load_data
from .model import LANGUAGES, Analysis, DataError
from .pages import SitePage, SitePlan, Settings, href, render_pages, url_of
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

    def replaces(self, src_uri: str) -> bool:
        """Hand-written files the generator renders itself (briefs) or overrides."""
        return bool(BRIEF_SOURCE.match(src_uri)) or self.plan.by_src(src_uri) is not None

    def static_files(self) -> list[tuple[str, Path]]:
        files = [(chart.path, self.generated_dir / chart.path) for chart in self.charts.charts]
        files += [(f"assets/fonts/{path.name}", path) for path in sorted((self.generated_dir / "fonts").glob("*.woff2"))]
        files += [(f"downloads/{result.dyad.id}.yaml", self.data_dir / "dyads" / f"{result.dyad.id}.yaml")
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
            "fonts": sorted(path.name for path in (self.generated_dir / "fonts").glob("*.woff2")),
        }

    def _brief_lang(self, page: SitePage) -> str:
        if page.kind != "brief" or page.translated:
            return page.lang
        return "en" if page.lang == "zh-TW" else "zh-TW"


def pin_source_date(project: Path, analysis: Analysis) -> None:
    """Dates in the output (sitemap, PDFs) come from SOURCE_DATE_EPOCH, never the clock.

    Unless the caller set it, it is the last commit's date, or outside git the
    newest date in the data, so the same commit always builds the same bytes.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project, capture_output=True, text=True,
                                timeout=30)
        stamp = result.stdout.strip() if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        stamp = ""
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
            analysis = classify(validate(load_data(data_dir, config.docs_dir)))
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
        stages.notes["pages"] = f"{len(plan.pages)} pages"
    with stages.stage("fonts"):
        text = "".join(page.markdown for page in plan.pages) + "".join(chart.texts for chart in charts.charts) + "".join(
            LABELS(key, lang) for key, _ in LABELS.texts for lang in LANGUAGES) + repr(config.extra["organisation"])
        web_font(text, generated / "fonts", cache / "fonts")
    stages.mark("mkdocs")
    return SiteState(analysis, charts, plan, generated, data_dir, config.extra["organisation"], config.extra["languages"],
                     settings, stages, project)


def finish_site(state: SiteState, site_dir: str) -> None:
    """After MkDocs has written the pages: the search index, then the PDF handouts."""
    stages = state.stages
    stages.since("mkdocs", "mkdocs")
    with stages.stage("search index"):
        index_for_search(site_dir, state.project / "build" / "cache" / "pagefind")
    with stages.stage("pdfs"):
        made = render_handouts(state.analysis, state.charts, state.settings, site_dir, state.generated_dir,
                               state.project / "build" / "cache" / "pdf", progress=stages.bar("pdfs"))
        stages.notes["pdfs"] = f"{len(made)} handouts"
    stages.save(state.project / "build" / "timings.json")


def index_for_search(site_dir: str, cache_dir: Path | None = None) -> None:
    """Pagefind indexes each language on its own (it reads <html lang>).

    The index depends only on the pages, so for unchanged pages it comes from the cache.
    """
    site = Path(site_dir)
    key = None
    if cache_dir is not None:
        from importlib.metadata import version

        digest = hashlib.sha256(version("pagefind").encode())
        for page in sorted(site.rglob("*.html")):
            digest.update(str(page.relative_to(site)).encode() + b"\0" + page.read_bytes())
        key = Path(cache_dir) / digest.hexdigest()[:24]
        if key.is_dir():
            shutil.copytree(key, site / "pagefind", dirs_exist_ok=True)
            return
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", site_dir, "--silent"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Abort(f"Pagefind could not index the site: {result.stderr.strip() or result.stdout.strip()}")
    # Pagefind lists languages in hash-map order, which varies from run to run.
    entry = Path(site_dir) / "pagefind" / "pagefind-entry.json"
    entry.write_text(json.dumps(json.loads(entry.read_text(encoding="utf-8")), sort_keys=True, ensure_ascii=False,
                                separators=(",", ":")), encoding="utf-8")
    if key is not None:
        shutil.copytree(site / "pagefind", key, dirs_exist_ok=True)


def mkdocs_config(config_file: str | Path, data_dir: str | Path, docs_dir: str | Path, site_dir: str | Path):
    """Load mkdocs.yml with the analyst's folders put in."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(config_file), site_dir=str(Path(site_dir).resolve()),
                         docs_dir=str(Path(docs_dir).resolve()))
    config.extra["data_dir"] = str(Path(data_dir).resolve())
    return config


def build_site(config_file: str | Path, data_dir: str | Path, docs_dir: str | Path, out_dir: str | Path) -> Path:
    """Build the whole site into a staging folder; swap it into out_dir only if everything succeeded."""
    from mkdocs.commands.build import build

    out = Path(out_dir)
    staging = out.with_name(out.name + ".tmp")
    if staging.exists():
        shutil.rmtree(staging)
    try:
        build(mkdocs_config(config_file, data_dir, docs_dir, staging))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, out)
    return out


def swap_in(staging: Path, target: Path) -> None:
    """Replace target with staging: the old folder is moved aside first and removed only afterwards."""
    previous = target.with_name(target.name + ".old")
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    staging.rename(target)
    shutil.rmtree(previous, ignore_errors=True)
