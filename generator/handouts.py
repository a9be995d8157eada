"""Stage 7, handouts: one A4 PDF per brief and per dyad, in each language.

Entry point: `render_handouts(analysis, charts, settings, site_dir) -> {handout path: key}`.

WeasyPrint lays the pages out from a print template (templates/print/), with
the same web-font subset the site uses, the charts as vector SVG, and the
organisation's masthead and footer from mkdocs.yml. Dates come from the data,
so the same commit always gives the same bytes.
"""
from __future__ import annotations

import hashlib
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from .charts import WIDE, ChartSet
from .fonts import CSS_WEIGHT, font_identity, font_path
from .framework import LABELS, long_date
from .inputs import TEMPLATES
from .languages import TABLE
from .markup import VOID_ELEMENTS, markdown_converter, sanitize
from .model import LANGUAGES, Analysis
from .pages import (
    CITATION,
    Context,
    Settings,
    brief_markdown,
    contested,
    environment,
    evidence_numbers,
    history,
    lead_image,
    number_figures,
    reasoning,
    sensitivity,
)
from .parallel import run_parallel
from .typography import reference, set_html, set_text
from .urls import absolute_url, assessment_name, pdf_path, url_of

PRINT_TEMPLATES = TEMPLATES / "print"
DYAD_CHARTS = ("matrix", "curve", "diagram", "sensitivity", "timeline")


@dataclass(frozen=True)
class Handout:
    kind: str  # "brief", "dyad" or "assessment"
    name: str
    lang: str
    path: str  # relative to the site folder
    title: str


class PrintContext(Context):
    """Links point at the published site; pictures at the built files."""

    def __init__(self, *args, site_dir: Path, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_dir = site_dir

    def link(self, key: str) -> str:
        return self.settings.site_url + url_of(key, self.lang)

    def narrow(self, chart):
        return None  # a handout prints the wide chart

    def cell_link(self, cell: str) -> Markup:
        # Linked only when the site has an address to link to; a handout's link must leave the file.
        return super().cell_link(cell) if self.settings.site_url else Markup.escape(cell)

    def row_link(self, row: int) -> Markup:
        return super().row_link(row) if self.settings.site_url else Markup.escape(str(row))

    def actor_link(self, actor_id: str, text: str | None = None) -> Markup:
        if self.settings.site_url:
            return super().actor_link(actor_id, text)
        return Markup.escape(self.names[actor_id] if text is None else text)

    def link_to(self, key: str, text: str, fragment: str = "") -> Markup:
        # As for a cell letter: without the site's address the link would lead into the build's folder.
        return super().link_to(key, text, fragment) if self.settings.site_url else Markup.escape(text)

    def asset(self, path: str) -> str:
        if path.startswith("charts/"):  # the print variant: its text is set in the embedded font
            return self.charts.print_file(path).as_uri()  # an absolute path (render_charts)
        return (self.site_dir / path).as_uri()


class TextPrintContext(PrintContext):
    """For a brief's text, which passes the allowlist: that lets a picture come only from inside the site
    (never a file:// address), so a chart there is named by its path in the site until print_charts."""

    def asset(self, path: str) -> str:
        return path


_CHART_SRC = re.compile(r' src="(charts/[^"]+)"')


def print_charts(html: str, charts: ChartSet, known: frozenset[str]) -> str:
    """The charts a brief's text embeds, pointed at their print variants (`known`: the charts' paths)."""
    return _CHART_SRC.sub(lambda match: f' src="{charts.print_file(match[1]).as_uri()}"' if match[1] in known
                          else match[0], html)


_HREF = re.compile(r' href="([^"]*)"')


def published_links(html: str, page_url: str, site_url: str) -> str:
    """A brief's relative links as the published site has them, so a PDF points at the site, never at a
    file:// path on the machine that built it. Without a site_url they are left out."""

    def published(match: re.Match) -> str:
        target = match.group(1)
        if target.startswith("#") or urlsplit(target).scheme:
            return match.group(0)
        if not site_url:
            return ""
        path, _, anchor = target.partition("#")
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page_url), path)).lstrip("/")
        if resolved.endswith(".md"):
            resolved = resolved[: -len(".md")] + ".html"  # as MkDocs writes the link on the page
        if resolved.startswith(".."):
            return ""
        return f' href="{site_url.rstrip("/")}/{resolved}' + (f"#{anchor}" if anchor else "") + '"'

    return _HREF.sub(published, html)


class _Paragraphs(HTMLParser):
    """Where each paragraph of a body's running text ends: a paragraph of its own, not one inside a card,
    a list or the notes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.ends: list[tuple[int, int]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_ELEMENTS:
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1
        if tag == "p" and self.depth == 0:
            line, column = self.getpos()
            self.ends.append((line, column + len("</p>")))


# Where a brief's lead figure may go in print: after a paragraph of the text (slot n: after the nth).
# Page 1 opens with the text, as a printed commentary does, and the figure follows the first paragraph;
# one that does not fit there opens page 2 while the text fills page 1, as a float would (write_handout).
LEAD_ID = "handout:lead"
_SLOT = re.compile(r'<div id="handout:slot-(\d+)"></div>')


def slot_id(n: int) -> str:
    return f"handout:slot-{n}"


def with_slots(body: str) -> str:
    """The body with an empty slot after each of its paragraphs (slot 1 at the start if it has none)."""
    reader = _Paragraphs()
    reader.feed(body)
    reader.close()
    starts = [0, *(len(line) + 1 for line in body.split("\n"))]  # the parser counts lines by "\n" only
    offsets = [sum(starts[:line]) + column for line, column in reader.ends] or [0]
    pieces = [body[start:end] for start, end in pairwise([0, *offsets, len(body)])]
    return "".join(piece + f'<div id="{slot_id(n)}"></div>' for n, piece in enumerate(pieces[:-1], 1)) + pieces[-1]


def slots(html: str) -> list[int]:
    return [int(n) for n in _SLOT.findall(html)]


def placed(html: str, figure: str, slot: int, lang: str) -> str:
    """The handout with its lead figure in one slot and the other slots gone, its figures numbered in order."""
    return number_figures(_SLOT.sub(lambda match: figure if int(match.group(1)) == slot else "", html), lang)


# A running head gives a title without its subtitle: up to a question mark that more text follows
# (kept), or up to a colon (dropped). The stylesheet still cuts a long one to a line with an ellipsis.
_SUBTITLE = re.compile(r"(?<=[?？])\s*(?=\S)|[:：]\s*(?=\S)")


def running_title(title: str) -> str:
    match = _SUBTITLE.search(title)
    return title[: match.start()].rstrip() if match else title


def css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def print_environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(PRINT_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["css"] = css_string
    env.globals["reference"] = reference
    return env


def to_html(text: str) -> str:
    """A brief's Markdown as the site renders it, held to the same allowlist as the site's pages."""
    return sanitize(markdown_converter().convert(text))


def converted_note(ctx: PrintContext, kind: str, name: str) -> Markup:
    """On a converted language's handout: that it was converted automatically, naming the handout it was
    converted from (linked on a site with an address; a PDF never links a file of the machine that built it)."""
    source = TABLE.language(ctx.lang).source
    if source is None:
        return Markup("")
    original = pdf_path(kind, name, source)
    label = LABELS("converted_original", ctx.lang)
    if ctx.settings.site_url:
        target = absolute_url(ctx.settings.site_url, original)
        named = Markup('<a href="{}" hreflang="{}">{}</a>').format(target, source, label)
    else:
        named = Markup("{}（{}）").format(label, posixpath.basename(original))
    before, _, after = LABELS("converted_note", ctx.lang, original="\x00").partition("\x00")
    return Markup.escape(before) + named + Markup.escape(after)


def common(ctx: PrintContext, site_dir: Path, title: str, author: str, date, kind: str, name: str) -> dict:
    org = ctx.settings.organisation
    before, rest = LABELS("page_of", ctx.lang).split("{page}")
    middle, after = rest.split("{pages}")
    # The full bundled font: WeasyPrint embeds only what each handout uses, so no handout depends on the
    # characters of any other page.
    font = TABLE.language(ctx.lang).font
    fonts = [{"weight": CSS_WEIGHT[weight], "url": font_path(font, weight).as_uri()} for weight in font.weights]
    return {
        "lang": ctx.lang, "converted_note": converted_note(ctx, kind, name),
        "title_en": TABLE.language(ctx.lang).title_en, "title": title,
        "running_title": set_text(running_title(title), ctx.lang),
        "licence": ctx.settings.licence,
        "author": author, "date": date.isoformat(),
        "date_text": ctx.date(date),
        "fonts": fonts, "font_family": font.family, "font_web_family": font.web_family,
        "stylesheet": (PRINT_TEMPLATES / "print.css").as_uri(),
        "t": ctx.t, "page_of_before": before, "page_of_middle": middle, "page_of_after": after,
        **{f"org_{key}": value.get(ctx.lang) if isinstance(value, dict) else value for key, value in org.items()},
    }


@dataclass(frozen=True)
class HandoutJob:
    handout: Handout
    html: str
    slotted: str = ""  # a brief with a lead figure: its HTML with a slot after each paragraph, and no figure
    figure: str = ""


def plan_handouts(analysis: Analysis, charts: ChartSet, settings: Settings, site_dir: str | Path) -> list[HandoutJob]:
    """The print HTML of every handout: one per brief file, and one per dyad in each language."""
    site = Path(site_dir).resolve()
    env, page_env = print_environment(), environment()
    dataset = analysis.dataset
    sources = {source.id: source for source in dataset.sources}
    jobs = []

    names = {lang: {actor.id: actor.name.get(lang) for actor in dataset.actors} for lang in LANGUAGES}
    in_text = {lang: {actor.id: actor.in_sentence(lang) for actor in dataset.actors} for lang in LANGUAGES}

    def context(lang: str, key: str, kind: type[PrintContext] = PrintContext) -> PrintContext:
        return kind(analysis, charts, settings, lang, url_of(key, lang), names[lang], in_text[lang], site_dir=site)

    known = frozenset(chart.path for chart in charts.charts)

    for brief in dataset.briefs:
        ctx = context(brief.lang, f"brief:{brief.slug}")
        text = context(brief.lang, f"brief:{brief.slug}", TextPrintContext)
        cited = list(dict.fromkeys(CITATION.findall(brief.body)))
        body = to_html(brief_markdown(text, page_env, brief, citation=lambda source, c=text: c.cite(source)))
        body = print_charts(body, charts, known)
        body = published_links(body, url_of(f"brief:{brief.slug}", brief.lang), settings.site_url)
        values = common(ctx, site, brief.title, brief.author, brief.date, "brief", brief.slug)
        html = set_html(env.get_template("brief.html").render(
            **values, brief=brief, body=with_slots(body), works=[sources[source_id] for source_id in cited],
            description=brief.summary, online=ctx.link(f"brief:{brief.slug}") if settings.site_url else "",
        ), brief.lang)
        lead = lead_image(ctx, brief)
        figure = ""
        if lead:
            figure = set_html(env.get_template("lead.html").render(**values, brief=brief, lead=lead, id=LEAD_ID),
                              brief.lang)
        handout = Handout("brief", brief.slug, brief.lang, pdf_path("brief", brief.slug, brief.lang), brief.title)
        jobs.append(HandoutJob(handout, placed(html, figure, 1, brief.lang), html if figure else "", figure))

    for result in analysis.dyads:
        for lang in LANGUAGES:
            dyad = result.dyad
            ctx = context(lang, f"dyad:{dyad.id}")
            title = dyad.title.get(lang)
            verdict = page_env.get_template("_verdict.html").render(c=ctx, result=result, headline=False)
            numbered = evidence_numbers(result, dataset)
            obligations = page_env.get_template("_obligations.html").render(c=ctx, dyad=dyad, numbered=numbered,
                                                                            linked=False)
            kinds = (*DYAD_CHARTS, "trajectory") if dyad.has_history else DYAD_CHARTS
            shown = {kind: ctx.chart(kind, dyad.id) for kind in kinds}
            figures = {kind: {"src": ctx.asset(chart.path), "alt": chart.alt, "title": chart.title}
                       for kind, chart in shown.items()}
            events, count = ctx.timeline(dyad.id)  # the timeline's numbered events, as text under its strip
            timeline = [{"date": event.date.isoformat(), "title": event.title.get(lang),
                         "cite": ctx.cite(dataset.source(event.source))} for event in events]
            more = ctx.t("timeline_latest_only", shown=len(events), count=count) if count > len(events) else ""
            html = env.get_template("dyad.html").render(
                **common(ctx, site, title, ctx.text_org("name"), dyad.as_of, "dyad", dyad.id), dyad=dyad, verdict=verdict,
                reasoning=reasoning(ctx, result), contested=contested(ctx, result), flips=sensitivity(ctx, result),
                numbered=numbered, sources=sources, names=ctx.names, charts=figures, obligations=obligations,
                timeline=timeline, timeline_more=more, history=history(ctx, result) if dyad.has_history else [],
                description=dyad.summary.get(lang), online=ctx.link(f"dyad:{dyad.id}") if settings.site_url else "",
            )
            jobs.append(HandoutJob(Handout("dyad", dyad.id, lang, pdf_path("dyad", dyad.id, lang), title),
                                   set_html(number_figures(html, lang), lang)))
            # A reassessed dyad's dated assessments, each a handout of its own that a later one never changes.
            for index in range(len(result.history) if dyad.has_history else 0):
                at = result.assessed(index)
                name = assessment_name(dyad.id, at.dyad.as_of)
                key = f"assessment:{name}"
                dated = context(lang, key)
                dated_title = LABELS("assessment_title", lang, title=title, date=long_date(at.dyad.as_of, lang))
                status = "assessment_current" if index == len(result.history) - 1 else "assessment_superseded"
                html = env.get_template("assessment.html").render(
                    **common(dated, site, dated_title, dated.text_org("name"), at.dyad.as_of, "assessment", name), dyad=at.dyad,
                    verdict=page_env.get_template("_verdict.html").render(c=dated, result=at, headline=False),
                    status=LABELS(status, lang, link=title), reasoning=reasoning(dated, at),
                    numbered=evidence_numbers(at), sources=sources, names=dated.names,
                    description=dated.explain(at), online=dated.link(key) if settings.site_url else "",
                )
                jobs.append(HandoutJob(Handout("assessment", name, lang, pdf_path("assessment", name, lang),
                                               dated_title), set_html(html, lang)))
    return jobs


def readable(site: Path, charts: ChartSet) -> tuple[tuple[Path, ...], frozenset[Path]]:
    """What a handout may read: pictures in the site being built, the print stylesheet, the fonts, the charts."""
    files = {charts.print_file(chart.path).resolve() for chart in charts.charts if chart.variant == WIDE.name}
    files |= {(PRINT_TEMPLATES / "print.css").resolve()}
    files |= {font_path(font, weight).resolve() for font in TABLE.fonts for weight in font.weights}
    return (site,), frozenset(files)


def write_handout(job: HandoutJob, site_dir: str | Path, allowed, fonts=None) -> Path:
    """Lay out one handout with WeasyPrint, as a tagged PDF (PDF/UA), reading only what `allowed` names."""
    from weasyprint import HTML

    from .fetch import LocalFetcher

    site = Path(site_dir).resolve()
    target = site / job.handout.path
    target.parent.mkdir(parents=True, exist_ok=True)
    options = {"pdf_variant": "pdf/ua-1", "attachments": []}

    def layout(html: str):
        return HTML(string=html, base_url=str(site), url_fetcher=LocalFetcher(*allowed)).render(
            font_config=fonts, **options)

    document = layout(job.html)
    if job.figure and LEAD_ID not in document.pages[0].anchors:
        # The figure did not fit on page 1 after the first paragraph, and left the rest of the page empty: it
        # opens page 2 instead, after the last paragraph that ends on page 1 when laid out without it.
        on_first_page = layout(number_figures(job.slotted, job.handout.lang)).pages[0].anchors
        last = max((n for n in slots(job.slotted) if slot_id(n) in on_first_page), default=1)
        if last != 1:
            document = layout(placed(job.slotted, job.figure, last, job.handout.lang))
    document.write_pdf(target, **options)
    return target


def handout_key(job: HandoutJob, file_digest, code: str) -> str:
    """The print HTML, every file it points at (stylesheet, fonts, charts, pictures) and the code."""
    digest = hashlib.sha256(job.html.encode("utf-8") + code.encode())
    for uri in sorted(set(re.findall(r'file://[^"\')\s]+', job.html))):
        digest.update(uri.encode() + file_digest(Path(unquote(urlsplit(uri).path))))
    return digest.hexdigest()[:24]


def file_digests(store_root: Path):
    """A digest of each file a handout reads, once per build. A file in the store is named by the digest of
    what made it, and a bundled font by its package version, so neither is read again."""
    known: dict[Path, bytes] = {}
    root = store_root.resolve()
    fonts = {font_path(font, weight).resolve(): font_identity(font, weight).encode()
             for font in TABLE.fonts for weight in font.weights}

    def file_digest(path: Path) -> bytes:
        if path not in known:
            if root in path.parents:
                known[path] = b"content-addressed"
            elif path in fonts:
                known[path] = fonts[path]
            elif path.is_file():
                known[path] = hashlib.sha256(path.read_bytes()).digest()
            else:
                known[path] = b"missing"
        return known[path]

    return file_digest


def render_handouts(analysis: Analysis, charts: ChartSet, settings: Settings, site_dir: str | Path, store,
                    code: str, workers: int | None = None, progress=None,
                    previous: dict[str, str] | None = None) -> dict[str, str]:
    """Lay out every handout: one already in the site (same key) stays, one in the store is copied out
    (checked on the way), the rest are laid out in parallel and put in the store.

    `previous` maps what the site folder already holds to its key. Returns each handout's key.
    """
    from weasyprint.text.fonts import FontConfiguration

    site = Path(site_dir).resolve()
    jobs = plan_handouts(analysis, charts, settings, site)
    file_digest = file_digests(store.folder)
    previous = previous or {}
    keys = {job.handout.path: handout_key(job, file_digest, code) for job in jobs}
    missing = []
    for job in jobs:
        path = job.handout.path
        target = site / path
        if previous.get(path) == keys[path] and target.exists():
            continue  # the site already holds this very handout (a link the record vouched for)
        entry = store.get("handouts", keys[path], ("handout.pdf",))
        if entry is not None:
            entry.copy_to("handout.pdf", target)  # never written through a link to the live site
        else:
            target.unlink(missing_ok=True)
            missing.append(job)
    for job in missing:  # the charts a handout prints are checked before WeasyPrint reads them
        for chart_uri in re.findall(r'file://[^"\')\s]+', job.html):
            chart_file = Path(unquote(urlsplit(chart_uri).path))
            if chart_file.name == "print.svg":
                charts.entry_at(chart_file).read("print.svg")
    fonts = FontConfiguration()  # each worker keeps its own copy, loading each font once
    allowed = readable(site, charts)

    def make(job: HandoutJob) -> str:
        target = write_handout(job, site, allowed, fonts)
        store.put("handouts", keys[job.handout.path], {"handout.pdf": target.read_bytes()})
        return job.handout.path

    # WeasyPrint copies the fonts (64 MB) into a temporary folder it removes when the configuration is
    # collected, which never happens in a worker that ends with os._exit: 1,662 were left in /tmp.
    run_parallel(missing, make, workers, progress, finish=fonts.__del__)
    return dict(sorted(keys.items()))
