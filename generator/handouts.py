"""Stage 7, handouts: one A4 PDF per brief and per dyad, in each language.

Entry point: `render_handouts(analysis, charts, settings, site_dir) -> tuple[Handout, ...]`.

WeasyPrint lays the pages out from a print template (templates/print/), with
the same web-font subset the site uses, the charts as vector SVG, and the
organisation's masthead and footer from mkdocs.yml. Dates come from the data,
so the same commit always gives the same bytes.
"""
from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
import markdown
from markdown.extensions.toc import TocExtension, slugify_unicode

from .charts import ChartSet
from .framework import LABELS
from .model import LANGUAGES, Analysis
from .parallel import run_parallel
from .pages import (
    CITATION,
    Context,
    Settings,
    brief_markdown,
    contested,
    environment,
    evidence_numbers,
    lead_image,
    pdf_path,
    reasoning,
    sensitivity,
    url_of,
)

PRINT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "print"
DYAD_CHARTS = ("matrix", "curve", "diagram", "sensitivity", "timeline")


@dataclass(frozen=True)
class Handout:
    kind: str  # "brief" or "dyad"
    name: str
    lang: str
    path: str  # relative to the site folder
    title: str


class PrintContext(Context):
    """Links point at the published site; pictures at the built files."""

    def __init__(self, *args, site_dir: Path, chart_dir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_dir = site_dir
        self.chart_dir = chart_dir

    def link(self, key: str) -> str:
        return self.settings.site_url + url_of(key, self.lang)

    def asset(self, path: str) -> str:
        if path.startswith("charts/"):  # the print variant: its text is set in the embedded font
            return (self.chart_dir / (path.removesuffix(".svg") + ".print.svg")).as_uri()
        return (self.site_dir / path).as_uri()


def css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def print_environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PRINT_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["css"] = css_string
    return env


def to_html(text: str) -> str:
    # The same Markdown extensions as mkdocs.yml, so a brief reads alike on screen and paper.
    converter = markdown.Markdown(extensions=[
        TocExtension(slugify=slugify_unicode), "footnotes", "tables", "attr_list", "md_in_html", "sane_lists",
    ])
    return converter.convert(text)


def common(ctx: PrintContext, site_dir: Path, title: str, author: str, date) -> dict:
    org = ctx.settings.organisation
    before, rest = LABELS("page_of", ctx.lang).split("{page}")
    middle, after = rest.split("{pages}")
    fonts = [{"weight": 700 if "-bold-" in path.name else 400, "url": path.as_uri()}
             for path in sorted((site_dir / "assets" / "fonts").glob("*.woff2"))]
    return {
        "lang": ctx.lang, "title": title, "author": author, "date": date.isoformat(),
        "date_text": ctx.date(date), "fonts": fonts, "stylesheet": (PRINT_TEMPLATES / "print.css").as_uri(),
        "t": ctx.t, "page_of_before": before, "page_of_middle": middle, "page_of_after": after,
        **{f"org_{key}": value.get(ctx.lang) if isinstance(value, dict) else value for key, value in org.items()},
    }


@dataclass(frozen=True)
class HandoutJob:
    handout: Handout
    html: str


def plan_handouts(analysis: Analysis, charts: ChartSet, settings: Settings, site_dir: str | Path,
                  chart_dir: str | Path) -> list[HandoutJob]:
    """The print HTML of every handout: one per brief file, and one per dyad in each language."""
    site, chart_root = Path(site_dir).resolve(), Path(chart_dir).resolve()
    env, page_env = print_environment(), environment()
    dataset = analysis.dataset
    sources = {source.id: source for source in dataset.sources}
    jobs = []

    def context(lang: str, key: str) -> PrintContext:
        return PrintContext(analysis, charts, settings, lang, url_of(key, lang), site_dir=site, chart_dir=chart_root)

    for brief in dataset.briefs:
        ctx = context(brief.lang, f"brief:{brief.slug}")
        cited = list(dict.fromkeys(CITATION.findall(brief.body)))
        body = to_html(brief_markdown(ctx, page_env, brief, citation=lambda source, c=ctx: c.cite(source)))
        html = env.get_template("brief.html").render(
            **common(ctx, site, brief.title, brief.author, brief.date), brief=brief, body=body,
            lead=lead_image(ctx, brief), works=[sources[source_id] for source_id in cited],
            description=brief.summary, online=ctx.link(f"brief:{brief.slug}"),
        )
        handout = Handout("brief", brief.slug, brief.lang, pdf_path("brief", brief.slug, brief.lang), brief.title)
        jobs.append(HandoutJob(handout, html))

    for result in analysis.dyads:
        for lang in LANGUAGES:
            dyad = result.dyad
            ctx = context(lang, f"dyad:{dyad.id}")
            title = dyad.title.get(lang)
            verdict = page_env.get_template("_verdict.html").render(c=ctx, result=result, headline=False)
            figures = [{"src": ctx.asset(chart.path), "alt": chart.alt, "title": chart.title}
                       for chart in (ctx.chart(kind, dyad.id) for kind in DYAD_CHARTS)]
            html = env.get_template("dyad.html").render(
                **common(ctx, site, title, ctx.text_org("name"), dyad.as_of), dyad=dyad, verdict=verdict,
                reasoning=reasoning(ctx, result), contested=contested(ctx, result), flips=sensitivity(ctx, result),
                numbered=evidence_numbers(result), sources=sources, names=ctx.names, charts=figures,
                description=dyad.summary.get(lang), online=ctx.link(f"dyad:{dyad.id}"),
            )
            jobs.append(HandoutJob(Handout("dyad", dyad.id, lang, pdf_path("dyad", dyad.id, lang), title), html))
    return jobs


def write_handout(job: HandoutJob, site_dir: str | Path, fonts=None) -> Path:
    """Lay out one handout with WeasyPrint, as a tagged PDF (PDF/UA)."""
    from weasyprint import HTML

    site = Path(site_dir).resolve()
    target = site / job.handout.path
    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=job.html, base_url=str(site)).write_pdf(target, font_config=fonts, pdf_variant="pdf/ua-1")
    return target


def handout_key(job: HandoutJob) -> str:
    """The print HTML plus every file it points at (stylesheet, fonts, charts) and the WeasyPrint version."""
    import weasyprint

    digest = hashlib.sha256(job.html.encode("utf-8"))
    digest.update(weasyprint.__version__.encode())
    for uri in sorted(set(re.findall(r'file://[^"\')\s]+', job.html))):
        path = Path(unquote(urlsplit(uri).path))
        digest.update(uri.encode() + (path.read_bytes() if path.is_file() else b"missing"))
    return digest.hexdigest()[:24]


def render_handouts(analysis: Analysis, charts: ChartSet, settings: Settings, site_dir: str | Path,
                    chart_dir: str | Path, cache_dir: str | Path | None = None, workers: int | None = None,
                    progress=None) -> tuple[Handout, ...]:
    """Lay out every handout; unchanged ones come from the cache, the rest are made in parallel."""
    from weasyprint.text.fonts import FontConfiguration

    site = Path(site_dir).resolve()
    jobs = plan_handouts(analysis, charts, settings, site, chart_dir)
    cache = Path(cache_dir) if cache_dir else None
    missing = []
    for job in jobs:
        cached = cache / f"{handout_key(job)}.pdf" if cache else None
        if cached and cached.exists():
            target = site / job.handout.path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, target)
        else:
            missing.append(job)
    fonts = FontConfiguration()  # each worker keeps its own copy, loading each font once

    def make(job: HandoutJob) -> str:
        write_handout(job, site, fonts)
        if cache:
            cache.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(site / job.handout.path, cache / f"{handout_key(job)}.pdf")
        return job.handout.path

    run_parallel(missing, make, workers, progress)
    return tuple(job.handout for job in jobs)
