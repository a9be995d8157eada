"""Stage 5, pages: turn the analysis, charts and briefs into the site's pages.

Entry point: `render_pages(analysis, charts, settings) -> SitePlan`.

Every page exists in each language of generator/languages.yaml: Traditional
Chinese at the site root and English under en/. Each page knows its counterparts,
so the language switch always lands on the same page. Links are relative and end in .html, so the
built site also works when opened from disk.
"""
from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
from dataclasses import dataclass, field
from functools import cached_property

import jinja2
from markdown.extensions.toc import slugify_unicode
from markupsafe import Markup

from . import cite
from .charts import WIDE, Chart, ChartSet, chart_csv, commitment_parts, narrow_media, short_cite, timeline_events, triad_key
from .classify import analysis_as_json, dyad_as_csv, dyad_as_json
from .framework import FRAMEWORK, LABELS, capitalised, long_date, possessive
from .inputs import TEMPLATES
from .languages import TABLE
from .markup import FOOTNOTE_DEFINITION, FOOTNOTES_HERE
from .model import LANGUAGES, AllianceType, Analysis, Brief, Dataset, DyadResult, Event, Obligation, Source, TriadResult
from .model import Strategy as StrategyId
from .typography import reference, set_html, titled
from .urls import (
    CITATION_FORMATS,
    SITE_DOWNLOADS,
    actor_key,
    assessment_name,
    cite_downloads,
    dyad_downloads,
    embed_path,
    generated_page,
    href,
    page_uri,
    pdf_path,
    url_of,
)
from .validate import CITATION, EMBED

FIGURE = re.compile(r"(<figure\b[^>]*>)(.*?)(</figure>)", re.S)
FIGURE_NUMBER = re.compile(r'<span class="figure-number">[^<]*</span>')


def number_figures(markup: str, lang: str) -> str:
    """Each figure's caption, in the order the page (or handout) shows them, begins with its number: 圖 1, Figure 1.
    Numbers already there are replaced, so a handout whose figure moves is numbered again."""
    count = 0

    def numbered(match: re.Match) -> str:
        nonlocal count
        if "<figcaption>" not in match.group(2):
            return match.group(0)
        count += 1
        label = LABELS("figure_number", lang, n=count)
        caption = FIGURE_NUMBER.sub("", match.group(2))
        caption = caption.replace("<figcaption>", f'<figcaption><span class="figure-number">{label}</span>', 1)
        return match.group(1) + caption + match.group(3)

    return FIGURE.sub(numbered, markup)

@dataclass(frozen=True)
class Licence:
    """The terms a reader may reuse the site's text, charts and data under (mkdocs.yml `extra.licence`)."""

    name: str
    url: str


DEFAULT_LICENCE = Licence("CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class Settings:
    """What the pages need from mkdocs.yml: the organisation, the site address and the licence."""

    organisation: dict
    site_url: str = ""
    licence: Licence = DEFAULT_LICENCE
    build_date: dt.date = dt.date(2025, 1, 1)  # from SOURCE_DATE_EPOCH or the data, never the clock
    handouts: bool = False  # link PDF handouts only when the build makes them
    recent_days: int = 90  # a verdict changed this many days before build_date or later is marked on the home page

    def recent(self, changed: dt.date | None) -> bool:
        return changed is not None and (self.build_date - changed).days <= self.recent_days

    def __post_init__(self) -> None:
        # mkdocs.yml gives the written languages' texts; a converted language's are converted here, once.
        object.__setattr__(self, "organisation", TABLE.complete_each(self.organisation))


@dataclass(frozen=True)
class SitePage:
    key: str  # the same in every language, e.g. "dyad:russia-china"
    lang: str
    src_uri: str  # where MkDocs sees it, e.g. "en/dyads/russia-china.md"
    kind: str
    title: str
    markdown: str
    translated: bool = True  # False when a brief is shown in another language
    text_lang: str = ""  # the language its text is shown in when not translated (the brief's own)
    pdf: str | None = None  # the handout's path, where one is made
    description: str = ""  # a sentence or two on what the page holds: its meta description and share text

    @property
    def url(self) -> str:
        return self.src_uri[: -len(".md")] + ".html"


@dataclass(frozen=True)
class SitePlan:
    pages: tuple[SitePage, ...]
    files: tuple[tuple[str, bytes], ...] = field(default=())  # extra output files (data downloads)

    @cached_property
    def _index(self) -> dict:
        return {**{(page.key, page.lang): page for page in self.pages}, **{page.src_uri: page for page in self.pages}}

    def page(self, key: str, lang: str) -> SitePage:
        return self._index[(key, lang)]

    def by_src(self, src_uri: str) -> SitePage | None:
        return self._index.get(src_uri)

    def counterparts(self, page: SitePage) -> tuple[SitePage, ...]:
        """The same page in every other language, in the table's order."""
        return tuple(self.page(page.key, other) for other in TABLE.others(page.lang))


# ---- what templates can call ---------------------------------------------------------


class Context:
    """The helpers a template sees for one page in one language."""

    def __init__(self, analysis: Analysis, charts: ChartSet, settings: Settings, lang: str, url: str,
                 names: dict[str, str] | None = None, in_text: dict[str, str] | None = None):
        self.analysis = analysis
        self.charts = charts
        self.settings = settings
        self.lang = lang
        self.language = TABLE.language(lang)
        self.punctuation = self.language.punctuation  # 「（」 or " (": templates set the language's marks
        self.url = url
        # Made once per language by render_pages and shared: made per page, they cost pages × actors.
        self.names = names if names is not None else {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
        # Inside a sentence: with its article where the language needs one (the United States).
        self.in_text = in_text if in_text is not None else {
            actor.id: actor.in_sentence(lang) for actor in analysis.dataset.actors}

    def t(self, key: str, **values) -> str:
        return LABELS(key, self.lang, **values)

    def t_html(self, key: str, **values) -> Markup:
        """A label as HTML: its values escaped, except links made here (a cell letter to its rule)."""
        return Markup(LABELS(key, self.lang)).format(**values)

    def cell_link(self, cell: str) -> Markup:
        """A Table 2 cell letter, linked to the cell on the framework page."""
        return Markup('<a class="rule-link" href="{}#cell-{}">{}</a>').format(self.link("framework"), cell, cell)

    def row_link(self, row: int) -> Markup:
        """A Table 3 row number (from 1), linked to the row on the framework page."""
        return Markup('<a class="rule-link" href="{}#table3-row-{}">{}</a>').format(self.link("framework"), row, row)

    def link(self, key: str) -> str:
        return href(self.url, url_of(key, self.lang))

    def link_to(self, key: str, text: str, fragment: str = "") -> Markup:
        """A link to one of the site's pages (at an anchor of it), as HTML for a sentence of `t_html`."""
        return Markup('<a href="{}">{}</a>').format(self.link(key) + (f"#{fragment}" if fragment else ""), text)

    def actor_link(self, actor_id: str, text: str | None = None) -> Markup:
        """An actor's name (or `text`), linked to the actor's page; on that page itself, the name alone."""
        target = url_of(actor_key(actor_id), self.lang)
        shown = self.names[actor_id] if text is None else text
        if target == self.url:
            return Markup.escape(shown)
        return Markup('<a class="actor-link" href="{}">{}</a>').format(self.link(actor_key(actor_id)), shown)

    def actor_links(self, actor_ids) -> Markup:
        """Actors' names, each linked to its page, as a list of names gives them: 中國、北韓."""
        return Markup.escape(self.t("name_sep")).join(self.actor_link(actor_id) for actor_id in actor_ids)

    def file_link(self, path: str, text: str) -> Markup:
        """A link to a published file (a download or a handout), as HTML for a sentence of `t_html`."""
        return Markup('<a href="{}">{}</a>').format(self.asset(path), text)

    def series(self, items, last: str = "series_and") -> str:
        """Items as a sentence lists them: 「低度、中度或高度」, "low, medium or high" (`last`: series_or)."""
        items = list(items)
        if len(items) < 2:
            return "".join(items)
        return self.t("series_sep").join(items[:-1]) + self.t(last) + items[-1]

    def asset(self, path: str) -> str:
        return href(self.url, path)

    def level(self, level_id: str) -> str:
        return FRAMEWORK.level_label(level_id, self.lang)

    def strategy(self, strategy_id: str) -> str:
        return FRAMEWORK.strategy(strategy_id).label.get(self.lang)

    def degree(self, degree_id: str) -> str:
        return FRAMEWORK.degree(degree_id).label.get(self.lang)

    def type_label(self, alliance: AllianceType) -> str:
        return FRAMEWORK.reader_type_label(alliance, self.lang)

    def type_label_of(self, strategies: tuple[StrategyId, StrategyId]) -> str:
        return FRAMEWORK.reader_type_label(AllianceType(*strategies), self.lang)

    def kind(self, kind: str) -> str:
        return FRAMEWORK.kind_label(kind, self.lang)

    def pair_reading(self, result: DyadResult | None) -> str:
        """How an A–B label reads, worked through on a dyad of the data."""
        if result is None or result.table3_row is None:
            return self.t("reading_pair_generic")
        first, second = result.positions
        return self.t("reading_pair", label=self.type_label(result.type), title=result.dyad.title.get(self.lang),
                      first=self.in_text[first.actor], first_s=possessive(self.in_text[first.actor], self.lang),
                      second=self.in_text[second.actor], second_s=possessive(self.in_text[second.actor], self.lang),
                      first_strategy=self.strategy(first.strategy), second_strategy=self.strategy(second.strategy))

    def who(self, actor_id: str) -> dict[str, str]:
        """An actor as a sentence names it: `actor` (the United States) and `actor_s` (the United States')."""
        name = self.in_text[actor_id]
        return {"actor": name, "actor_s": possessive(name, self.lang)}

    def robustness(self, result: DyadResult) -> str:
        """How firm the verdict is, in words: the first single step that would change it, and how many more."""
        if result.robust:
            return self.t("robust_short_yes")
        flip = result.flips[0]
        said = self.t("robust_flip", **self.who(flip.actor), kind=self.kind(flip.level),
                      before=self.level(flip.from_level), after=self.level(flip.to_level), type=self.type_label(flip.type))
        more = len(result.flips) - 1
        if more:
            said += self.t("sentence_gap") + self.t(
                "robust_more_one" if more == 1 else "robust_more_many", count=more)
        return capitalised(said)

    def explain(self, result: DyadResult) -> str:
        """The verdict in plain words: what each side wants, and what to expect in a crisis."""
        external = self.in_text[result.dyad.external]
        said = FRAMEWORK.explain(result.type, self.lang,
                                 {position.strategy: self.in_text[position.actor] for position in result.positions},
                                 external)
        if said is not None:
            return capitalised(said)
        open_actors = [position.actor for position in result.positions if position.strategy == "indeterminate"]
        if open_actors:
            return capitalised(self.t("explain_undetermined", **self.who(open_actors[0]), external=external))
        first, second = (self.strategy(position.strategy) for position in result.positions)
        return capitalised(self.t("explain_no_row", first=first, second=second, external=external))

    # ---- formal obligations (data/treaties.yaml) ----

    def obligations(self, dyad_id: str) -> tuple[Obligation, ...] | None:
        return self.analysis.dataset.obligations_of(dyad_id)

    def obligation_years(self, obligation: Obligation) -> str:
        if obligation.end is None:
            return self.t("years_from", start=obligation.start)
        if obligation.start == obligation.end:
            return self.t("years_one", year=obligation.start)
        return self.t("years_range", start=obligation.start, end=obligation.end)

    def obligation_who(self, obligation: Obligation) -> str:
        if obligation.mutual:
            return self.t("obligation_mutual")
        bound = obligation.by[0]
        partner = next(actor for actor in self.analysis.dataset.dyad(obligation.dyad).actors if actor != bound)
        return self.t("obligation_one_way", actor=self.names[bound], partner=self.names[partner])

    def obligation_coder(self, obligation: Obligation) -> str:
        atop = self.analysis.dataset.atop
        if obligation.coded_by == "atop" and atop is not None:
            return self.t("coded_atop", version=atop.version)
        return self.t("coded_analyst")

    def obligation_line(self, obligation: Obligation, key: str = "obligation_item") -> Markup:
        """One span of obligations in words: its years, kinds, who is bound and who coded it. Each part is kept on
        one line (a narrow card broke 「分析者編碼」 and 「雙方互負」 in two); lines break between parts."""
        def kept(text: str) -> Markup:
            return Markup('<span class="obligation-part">{}</span>').format(text)

        kinds = Markup.escape(self.t("name_sep")).join(
            kept(FRAMEWORK.obligation(kind).label.get(self.lang)) for kind in obligation.kinds)
        return self.t_html(key, years=kept(self.obligation_years(obligation)), kinds=kinds,
                           who=kept(self.obligation_who(obligation)), coder=kept(self.obligation_coder(obligation)))

    def latest_obligations(self, dyad_id: str, as_of: dt.date | None = None) -> tuple[Obligation, ...]:
        """What a verdict card shows: every analyst-coded obligation and ATOP's last spans for the dyad, newest
        first (the dyad page lists them all). Given the assessment's date, none that began after its year: an
        earlier assessment's card shows what was promised by then."""
        found = [obligation for obligation in self.obligations(dyad_id) or ()
                 if as_of is None or obligation.start <= as_of.year]
        last = max((obligation.end or 0 for obligation in found if obligation.coded_by == "atop"), default=None)
        shown = [obligation for obligation in found if obligation.coded_by != "atop" or obligation.end == last]
        return tuple(sorted(shown, key=lambda obligation: -obligation.start))

    def obligations_covered(self, dyad_id: str) -> bool:
        """Whether the ATOP part covers the dyad (and so speaks for its years up to ATOP's last)."""
        atop = self.analysis.dataset.atop
        return atop is not None and dyad_id in atop.dyads

    def obligations_none(self, short: bool = False) -> str:
        atop = self.analysis.dataset.atop
        if atop is None:
            return ""
        return self.t("obligations_none_short" if short else "obligations_none", version=atop.version,
                      start=atop.start, end=atop.end)

    def obligations_lede(self, dyad_id: str, reference: Markup) -> Markup:
        """What the list is, where its years come from (`reference`: ATOP's numbered citation) and how it differs
        from the verdict's commitment."""
        link = self.link_to("framework", self.t("obligations_link"), "obligations")
        atop = self.analysis.dataset.atop
        if atop is None or not self.obligations_covered(dyad_id):
            return self.t_html("obligations_uncoded", link=link)
        coverage = Markup.escape(self.t("atop_coverage", version=atop.version, start=atop.start, end=atop.end))
        return self.t_html("obligations_lede", coverage=coverage + reference, link=link)

    def atop_coverage(self) -> str:
        atop = self.analysis.dataset.atop
        if atop is None:
            return self.t("atop_coverage_unknown")
        return self.t("atop_coverage_framework", version=atop.version, end=atop.end)

    def chart(self, kind: str, subject: str) -> Chart:
        return self.charts.find(kind, subject, self.lang)

    def narrow(self, chart: Chart) -> Chart | None:
        """The phone variant a page serves beside a chart (a handout keeps the wide chart alone)."""
        return self.charts.narrow(chart)

    def reuse(self, chart: Chart) -> dict[str, str]:
        """What a reader may take from a chart: the SVG, the PNG, the data as CSV and, on a site with an
        address, the code that embeds its minimal page in another site."""
        links = {"svg": self.asset(chart.path), "png": self.asset(chart.png_path), "csv": self.asset(chart.csv_path),
                 "embed": ""}
        if self.settings.site_url:
            narrow = self.charts.narrow(chart)
            height = max(chart.height, narrow.height) + 80  # room for the caption under the picture
            src = self.settings.site_url.rstrip("/") + "/" + embed_path(chart.path)
            # Code another site pastes: the title is the analyst's text, so it is escaped here as in a page.
            links["embed"] = (f'<iframe src="{html.escape(src)}" title="{html.escape(chart.title)}" width="100%" '
                              f'height="{height}" style="border:0" loading="lazy"></iframe>')
        return links

    def timeline(self, dyad_id: str) -> tuple[tuple[Event, ...], int]:
        """The events a dyad's timeline numbers, and how many it has: the list beside the picture."""
        return timeline_events(self.analysis.dataset, self.analysis.dyad(dyad_id))

    def embedded_charts(self, target: str, dyad_ids: tuple[str, ...]) -> list[Chart]:
        """The charts a brief's `[[chart: target]]` or `chart:target` lead image names."""
        if target == "commitment":
            return self.commitment_charts(dyad_ids)
        subject, _, kind = target.partition("/")
        return [self.chart("alignment-map", kind) if subject == "triad" else self.chart(kind, subject)]

    def commitment_charts(self, dyad_ids: tuple[str, ...] = ()) -> list[Chart]:
        """The parts of the commitment overview holding these dyads (all parts when none are named)."""
        return [self.chart("commitment", subject) for subject, results in commitment_parts(self.analysis)
                if not dyad_ids or any(result.dyad.id in dyad_ids for result in results)]

    def cite(self, source: Source) -> str:
        return short_cite(source, self.lang)

    def date(self, value: dt.date) -> str:
        return long_date(value, self.lang)

    def text(self, value) -> str:
        return value.get(self.lang)

    def text_org(self, key: str) -> str:
        return self.settings.organisation[key][self.lang]


def cite_box(ctx: Context, work: cite.Work, heading: str) -> dict:
    """What a page's cite box shows: the reference in each style, and the files for reference managers."""
    files = cite_downloads(work.kind, work.name, work.lang)
    return {"heading": ctx.t(heading),
            "styles": [(ctx.t(f"cite_style_{style}"), Markup(cite.formatted(work, style))) for style in cite.STYLES],
            "files": [(ctx.t(f"cite_format_{form}"), ctx.t("cite_file_title", format=ctx.t(f"cite_format_{form}")),
                       ctx.asset(files[form])) for form in CITATION_FORMATS]}




def after_notes(markdown: str, markup: str) -> str:
    """A brief's Markdown with HTML after its text and its notes (the cite box after the endnotes)."""
    marker = f"\n\n{FOOTNOTES_HERE}\n" if FOOTNOTE_DEFINITION.search(markdown) else ""
    return f"{markdown.rstrip()}\n{marker}\n{markup}"


def anchor(text: str) -> str:
    return slugify_unicode(text, "-")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "pages")),
        autoescape=True,  # everything from data is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(reference=reference, titled=titled, framework=FRAMEWORK, anchor=anchor, triad_key=triad_key,
                       source_anchor=lambda source_id: f"src-{source_id}", narrow_media=narrow_media())
    return env


def front_matter(title: str, description: str = "", work: cite.Work | None = None) -> str:
    """The page's front matter: its title; its description, which the head shows but the text may not (a
    brief's summary); and, for a brief or a dyad, what the theme puts in the page's head for citation (the
    `citation_*` tags and the JSON-LD). All of it is in the page's Markdown, so an incremental layout lays a page
    out again when any of it changed. JSON strings are valid YAML, so any title survives the round trip."""
    lines = [f"title: {json.dumps(title, ensure_ascii=False)}"]
    if description:
        lines.append(f"description: {json.dumps(description, ensure_ascii=False)}")
    if work is not None:
        lines.append(f"citation: {json.dumps(cite.highwire(work), ensure_ascii=False)}")
        lines.append(f"linked_data: {json.dumps(cite.json_ld(work), ensure_ascii=False)}")
    return "---\n" + "\n".join(lines) + "\n---\n\n"


def compact(markup: str) -> str:
    """Raw HTML for Markdown: no blank lines inside, so it stays one HTML block."""
    return "\n".join(line for line in markup.splitlines() if line.strip()) + "\n"


# ---- the pages ---------------------------------------------------------------------------


def reasoning(ctx: Context, result: DyadResult) -> list[str]:
    steps = []
    space = ctx.t("sentence_gap")
    for position in result.positions:
        steps.append(
            ctx.t_html("reasoning_levels", **ctx.who(position.actor), external=ctx.level(position.external),
                       internal=ctx.level(position.internal), cell=ctx.cell_link(position.cell))
            + space
            + ctx.t_html(f"decided_{position.decided_by.replace('-', '_')}", cell=ctx.cell_link(position.cell),
                         **ctx.who(position.actor),
                    strategy=ctx.strategy(position.strategy),
                    kind=ctx.kind(result.dyad.threat_of(position.actor).lean or "external"))
        )
    first, second = (ctx.strategy(p.strategy) for p in result.positions)
    if result.table3_row is None:
        steps.append(ctx.t_html("reasoning_pair_none", first=first, second=second,
                                explain=FRAMEWORK.undetermined_pair.get(ctx.lang)))
    else:
        row = FRAMEWORK.pairs[result.table3_row]
        steps.append(ctx.t_html("reasoning_pair", first=first, second=second, row=ctx.row_link(result.table3_row + 1),
                           source=row.source.get(ctx.lang), commitment=ctx.degree(result.commitment),
                           cohesion=ctx.degree(result.cohesion)))
    return [capitalised(step) for step in steps]


def contested(ctx: Context, result: DyadResult) -> list[str]:
    main = result.readings[0]
    lines = []
    for reading in result.readings[1:]:
        changes = [
            ctx.t("contested_change", **ctx.who(actor), kind=ctx.kind(kind), level=ctx.level(level))
            for (actor, kind, level), (_, _, before) in zip(reading.levels, main.levels, strict=True)
            if level != before
        ]
        lines.append(ctx.t("contested_reading", changes=ctx.punctuation.and_.join(changes),
                           type=ctx.type_label(reading.type)))
    return lines


def sensitivity(ctx: Context, result: DyadResult) -> list[str]:
    return [
        ctx.t("sensitivity_item", **ctx.who(flip.actor), kind=ctx.kind(flip.level), before=ctx.level(flip.from_level),
              after=ctx.level(flip.to_level), type=ctx.type_label(flip.type))
        for flip in result.flips
    ]


def evidence_numbers(result: DyadResult, dataset: Dataset | None = None) -> list[str]:
    """Every source the dyad cites, numbered in order of first citation: the evidence of the threats, then (given
    the dataset) what its formal obligations cite: ATOP's citation where the ATOP part covers the dyad, and the
    source of each analyst-coded obligation."""
    numbered: list[str] = []
    for threat in result.dyad.threats:
        for source_id in threat.evidence:
            if source_id not in numbered:
                numbered.append(source_id)
    if dataset is not None:
        cited = [dataset.atop.source] if dataset.atop is not None and result.dyad.id in dataset.atop.dyads else []
        cited += [found.source for found in dataset.obligations_of(result.dyad.id) or () if found.coded_by != "atop"]
        numbered += [source_id for source_id in dict.fromkeys(cited) if source_id not in numbered]
    return numbered


def history(ctx: Context, result: DyadResult) -> list[dict]:
    """A reassessed dyad's assessments, oldest first: each one's date and address, its verdict, the levels that
    moved since the one before, and the analyst's account of what changed and why."""
    entries = []
    for index, stage in enumerate(result.history):
        at = result.assessed(index)
        moved = []
        if index:
            before = result.assessed(index - 1).dyad
            for threat in at.dyad.threats:
                earlier = before.threat_of(threat.actor)
                moved += [ctx.t("history_level", **ctx.who(threat.actor), kind=ctx.kind(kind),
                                before=ctx.level(getattr(earlier, kind)), after=ctx.level(getattr(threat, kind)))
                          for kind in ("external", "internal") if getattr(earlier, kind) != getattr(threat, kind)]
        if not index:
            summary = ctx.t("history_first")
        elif stage.verdict == result.history[index - 1].verdict:
            summary = ctx.t("history_same")
        else:
            summary = ""
        entries.append({
            "date": ctx.date(stage.as_of),
            "link": ctx.link(f"assessment:{assessment_name(at.dyad.id, stage.as_of)}"),
            "verdict": ctx.t("history_verdict", type=ctx.type_label(stage.type), commitment=ctx.degree(stage.commitment),
                             cohesion=ctx.degree(stage.cohesion)),
            "summary": summary,
            "moved": [capitalised(line) for line in moved],
            "why": ctx.t("history_why", change=stage.change.get(ctx.lang)) if stage.change else "",
        })
    return entries


def triad_history(ctx: Context, triad: TriadResult) -> str:
    """When the triad's verdict last changed, and what it was before; empty when it never has."""
    if triad.verdict_changed_on is None:
        return ""
    before = triad.history[-2]
    stage = ctx.t("triad_history_stage", date=ctx.date(before.as_of),
                  feasible=ctx.t("triad_feasible_short" if before.trilateral_balancing else "triad_infeasible_short"),
                  commitment=ctx.degree(before.commitment),
                  ceiling=ctx.degree(before.cohesion_ceiling))
    return ctx.t("triad_history", date=ctx.date(triad.verdict_changed_on), before=stage)


def triad_commitment_reason(ctx: Context, triad: TriadResult, dyads: list[DyadResult]) -> str:
    if triad.commitment == "undetermined":
        return ctx.t("triad_commitment_undetermined")
    if len({d.commitment for d in dyads}) == 1:
        return ctx.t("triad_commitment_same")
    return ctx.t("triad_commitment_differs")


def cited_in(analysis: Analysis, lang: str) -> dict[str, list[tuple[str, str]]]:
    """Which pages cite each source: (page key, title)."""
    places: dict[str, list[tuple[str, str]]] = {}
    for result in analysis.dyads:
        for source_id in evidence_numbers(result, analysis.dataset):
            places.setdefault(source_id, []).append((f"dyad:{result.dyad.id}", result.dyad.title.get(lang)))
        for earlier in result.earlier:  # the dyad page cites the latest assessment's sources; each earlier one its own
            dyad = earlier.dyad
            title = LABELS("assessment_title", lang, title=dyad.title.get(lang), date=long_date(dyad.as_of, lang))
            for source_id in evidence_numbers(earlier):
                places.setdefault(source_id, []).append((f"assessment:{assessment_name(dyad.id, dyad.as_of)}", title))
    for brief in analysis.dataset.briefs_in(lang):
        for source_id in dict.fromkeys(CITATION.findall(brief.body)):
            places.setdefault(source_id, []).append((f"brief:{brief.slug}", brief.title))
    return places


def brief_markdown(ctx: Context, env: jinja2.Environment, brief: Brief, citation=None) -> str:
    """The brief's own Markdown with embeds turned into HTML and citations into links.

    `citation(source) -> str` replaces the default link into the bibliography (handouts print plain text).
    """

    def embed(match: re.Match) -> str:
        kind, target = match.group(1), match.group(2).strip()
        if kind == "verdict":
            result = ctx.analysis.dyad(target)
            return "\n" + compact(env.get_template("_verdict.html").render(c=ctx, result=result, headline=True)) + "\n"
        return "".join("\n" + compact(env.get_template("_figure.html").render(c=ctx, chart=chart)) + "\n"
                       for chart in ctx.embedded_charts(target, brief.dyads))

    def cite(match: re.Match) -> str:
        source = ctx.analysis.dataset.source(match.group(1))
        if citation is not None:
            return citation(source)
        # A Markdown link to the .md source, so MkDocs checks it (and its anchor) in strict mode.
        target = href(ctx.url, page_uri("bibliography", ctx.lang) + f"#src-{source.id}")
        return f"[{ctx.cite(source)}]({target})"

    body = EMBED.sub(embed, brief.body)
    return CITATION.sub(cite, body)


# A Markdown link's or picture's target that is a path (no scheme, not an anchor, not from the root).
MARKDOWN_TARGET = re.compile(r"(\]\()(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)\s]+)")


def files_beside_briefs(markdown: str, url: str) -> str:
    """A brief's links to what docs/ publishes once (a picture, a PDF, a hand-written page), as its page at `url`
    reaches them: from zh-hans/briefs/x.html, map.png is ../../briefs/map.png. A link to one of the generator's
    pages stays as written: each language has its own."""
    def rebased(match: re.Match) -> str:
        path, hash_, anchor = match.group(2).partition("#")
        target = posixpath.normpath(posixpath.join("briefs", path))
        if not path or generated_page(target):
            return match.group(0)
        if target.endswith(".md"):  # MkDocs checks a link to a page's source; it is published at the root
            return match.group(1) + href(url.removesuffix(".html") + ".md", target) + hash_ + anchor
        return match.group(1) + href(url, target) + hash_ + anchor

    return MARKDOWN_TARGET.sub(rebased, markdown)


def lead_image(ctx: Context, brief: Brief) -> dict | None:
    if brief.lead_image is None:
        return None
    src = brief.lead_image.src
    if src.startswith("chart:"):
        chart = ctx.embedded_charts(src.removeprefix("chart:"), brief.dyads)[0]
        return {"src": ctx.asset(chart.path), "alt": chart.alt, "chart": chart, "narrow": ctx.narrow(chart)}
    return {"src": ctx.asset(src), "alt": brief.lead_image.caption, "chart": None, "narrow": None}


def example_dyad(analysis: Analysis) -> DyadResult | None:
    """The dyad the guide page works through: the plainest the data has. First a pair Table 3 covers, then
    two different strategies (so the order of a type label shows), then cells that fix both strategies
    (no lean to explain); among equals, the first in the site's order."""
    def plainness(indexed: tuple[int, DyadResult]) -> tuple[bool, bool, bool, int]:
        index, result = indexed
        return (result.table3_row is None, result.type.first == result.type.second,
                any(position.decided_by != "cell" for position in result.positions), index)

    return min(enumerate(analysis.dyads), key=plainness)[1] if analysis.dyads else None


def example_triad(analysis: Analysis, example: DyadResult | None) -> TriadResult | None:
    """The triad the guide page quotes: one the example dyad is part of, else the first."""
    held = [triad for triad in analysis.triads if example is not None and example.dyad.id in triad.dyads]
    if held:
        return held[0]
    return analysis.triads[0] if analysis.triads else None


def guide_values(ctx: Context, analysis: Analysis) -> dict:
    """What the guide page shows beyond its labels, all from the data and the rule data: the example dyad,
    its reasoning and downloads, the triad it quotes, and Table 2 summed up (how many cells, which leave
    a choice, the strategies a cell can give)."""
    example = example_dyad(analysis)
    triad = example_triad(analysis, example)
    cells = FRAMEWORK.cells
    given = {strategy for cell in cells for strategy in (cell.strategy, *cell.choice) if strategy}
    downloads = {"site": SITE_DOWNLOADS[0], "pdf": None}
    if example is not None:
        downloads["yaml"], downloads["json"], downloads["csv"] = dyad_downloads(example.dyad.id)
        if ctx.settings.handouts:
            downloads["pdf"] = pdf_path("dyad", example.dyad.id, ctx.lang)
    return {
        "example": example,
        "steps": reasoning(ctx, example) if example is not None else [],
        "triad": triad,
        "triad_members": ctx.series(ctx.in_text[actor] for actor in triad.actors) if triad is not None else "",
        "levels": ctx.series((level.label.get(ctx.lang) for level in FRAMEWORK.levels), "series_or"),
        "table2": {"count": str(len(cells)), "first": cells[0].id, "last": cells[-1].id,
                   "choices": ctx.series(cell.id for cell in cells if cell.has_choice),
                   "strategies": ctx.series((ctx.strategy(s.id) for s in FRAMEWORK.strategies if s.id in given),
                                            "series_or"),
                   "level": ctx.level(FRAMEWORK.overwhelmed_requires_internal),
                   "overwhelmed": ctx.strategy(FRAMEWORK.overwhelmed_strategy)},
        "downloads": downloads,
    }


def render_pages(analysis: Analysis, charts: ChartSet, settings: Settings) -> SitePlan:
    env = environment()
    dataset = analysis.dataset
    pages: list[SitePage] = []
    briefs_of: dict[str, list[Brief]] = {}
    for brief in dataset.briefs:
        for dyad_id in brief.dyads:
            briefs_of.setdefault(dyad_id, []).append(brief)
    names = {lang: {actor.id: actor.name.get(lang) for actor in dataset.actors} for lang in LANGUAGES}
    in_text = {lang: {actor.id: actor.in_sentence(lang) for actor in dataset.actors} for lang in LANGUAGES}

    def context(lang: str, url: str) -> Context:
        return Context(analysis, charts, settings, lang, url, names[lang], in_text[lang])

    def add(page_key: str, lang: str, kind: str, title: str, template: str, translated: bool = True,
            pdf: str | None = None, markdown: str = "", description: str = "", work: cite.Work | None = None,
            text_lang: str = "", **values) -> None:
        """Render a page's HTML from its template; `markdown` (a brief's text) follows it. `work`: what the
        page is cited as (its head's citation tags)."""
        url = url_of(page_key, lang)
        ctx = context(lang, url)
        pdf = pdf if settings.handouts else None
        values = dict(c=ctx, title=title, pdf=pdf and href(url, pdf), **values)
        body = compact(env.get_template(template).render(**values))
        body += "\n" + markdown
        description = description or LABELS(f"description_{kind}", lang)
        pages.append(SitePage(page_key, lang, page_uri(page_key, lang), kind, title,
                              front_matter(title, description, work) + body, translated=translated,
                              text_lang=text_lang or lang, pdf=pdf, description=description))

    works: list[cite.Work] = []

    for lang in LANGUAGES:
        t = lambda key, lang=lang, **v: LABELS(key, lang, **v)  # noqa: E731
        add("home", lang, "home", t("home_title"), "home.html", briefs=dataset.briefs_in(lang)[:4],
            description=settings.organisation["tagline"][lang])
        add("dyads", lang, "dyads", t("dyads_title"), "dyads.html")
        for result in analysis.dyads:
            ctx = context(lang, url_of(f"dyad:{result.dyad.id}", lang))
            work = cite.dyad_work(result, lang, settings)
            works.append(work)
            add(f"dyad:{result.dyad.id}", lang, "dyad", result.dyad.title.get(lang), "dyad.html",
                pdf=pdf_path("dyad", result.dyad.id, lang), work=work, result=result, reasoning=reasoning(ctx, result),
                contested=contested(ctx, result), flips=sensitivity(ctx, result),
                numbered=evidence_numbers(result, dataset), events=dataset.events_of(result.dyad),
                description=result.dyad.summary.get(lang), cite=cite_box(ctx, work, "cite_heading"),
                related=dataset.related_briefs(lang, (result.dyad.id,), result.dyad.actors),
                history=history(ctx, result) if result.dyad.has_history else [])
            # A dyad reassessed keeps a page and handout per assessment, at addresses no later one changes.
            for index in range(len(result.history) if result.dyad.has_history else 0):
                at = result.assessed(index)
                name = assessment_name(at.dyad.id, at.dyad.as_of)
                key = f"assessment:{name}"
                dated = context(lang, url_of(key, lang))
                work = cite.assessment_work(at, lang, settings, dated.explain(at))
                works.append(work)
                add(key, lang, "assessment", work.title, "assessment.html", pdf=pdf_path("assessment", name, lang),
                    work=work, result=at, current=result, index=index, reasoning=reasoning(dated, at),
                    numbered=evidence_numbers(at), description=dated.explain(at),
                    cite=cite_box(dated, work, "cite_heading_assessment"))
        for triad in analysis.triads:
            key = triad_key(triad)
            ctx = context(lang, url_of(f"triad:{key}", lang))
            members = [ctx.names[a] for a in triad.actors]
            dyads = [analysis.dyad(dyad_id) for dyad_id in triad.dyads]
            title = t("triad_title", members=t("name_sep").join(members), external=ctx.names[triad.external])
            blocking = [d.dyad.title.get(lang) for d in dyads if d.type != AllianceType("balancing", "balancing")]
            add(f"triad:{key}", lang, "triad", title, "triad.html", triad=triad, key=key, dyads=dyads,
                blocking=t("name_sep").join(blocking), commitment_reason=triad_commitment_reason(ctx, triad, dyads),
                changed=triad_history(ctx, triad),
                description=t("triad_feasible" if triad.trilateral_balancing else "triad_infeasible"))
        # Each actor's page lists what it is in; the indexes behind dyads_with, triads_with, briefs_about and
        # events_with are made once, so the pages together cost what the archive holds, not actors × archive.
        add("actors", lang, "actors", t("actors_title"), "actors.html",
            actors=[(actor, sum(map(len, analysis.dyads_with(actor.id)))) for actor in dataset.actors])
        for actor in dataset.actors:
            member, external = analysis.dyads_with(actor.id)
            add(actor_key(actor.id), lang, "actor", names[lang][actor.id], "actor.html", actor=actor, member=member,
                description=t("description_actor", name=actor.in_sentence(lang)),
                external=external, triads=analysis.triads_with(actor.id), briefs=dataset.briefs_about(actor.id, lang),
                events=dataset.events_with(actor.id))
        add("framework", lang, "framework", t("framework_title"), "framework.html", example=example_dyad(analysis),
            description=t("framework_intro"), atop_source=dataset.source(dataset.atop.source) if dataset.atop else None)
        add("guide", lang, "guide", t("guide_title"), "guide.html", description=t("guide_lede"),
            **guide_values(context(lang, url_of("guide", lang)), analysis))
        briefs = dataset.briefs_in(lang)
        by_dyad = [(result, [brief for brief in briefs_of.get(result.dyad.id, ()) if brief.lang == lang])
                   for result in analysis.dyads]
        add("briefs", lang, "briefs", t("briefs_title"), "briefs.html", briefs=briefs,
            by_dyad=[(result, related) for result, related in by_dyad if related])
        for slug in dict.fromkeys(brief.slug for brief in dataset.briefs):
            found = dataset.brief_shown(slug, lang)  # another language's, with a notice, if it has none
            if found is None:  # the slug is one of the briefs', so one language has it
                raise KeyError(f"brief:{slug}")
            brief = found
            translated = brief.lang == lang
            url = url_of(f"brief:{slug}", lang)
            ctx = context(lang, url)
            body = files_beside_briefs(brief_markdown(ctx, env, brief), url)
            # A brief is cited as the work it is, in its own language (an untranslated page's box is the original's).
            work = cite.brief_work(brief, settings)
            if translated:
                works.append(work)
            own = context(brief.lang, url)
            box = env.get_template("_cite.html").render(c=own, cite=cite_box(own, work, "cite_heading_brief"))
            related = dataset.related_briefs(lang, brief.dyads, dataset.brief_members(brief), exclude=slug)
            closing = compact(box) + "\n" + compact(env.get_template("_related_briefs.html").render(c=ctx, related=related))
            add(f"brief:{slug}", lang, "brief", brief.title, "brief.html", translated=translated, text_lang=brief.lang,
                pdf=pdf_path("brief", slug, brief.lang), markdown=after_notes(body, closing), work=work, brief=brief,
                lead=lead_image(ctx, brief), description=brief.summary)
        add("bibliography", lang, "bibliography", t("bibliography_title"), "bibliography.html",
            sources=sorted(dataset.sources, key=lambda s: (s.author.lower(), s.year, s.id)), cited=cited_in(analysis, lang))
        add("events", lang, "events", t("events_title"), "events.html")
        add("search", lang, "search", t("search_title"), "search.html")

    licence = {"license": {"name": settings.licence.name, "url": settings.licence.url}}  # schema.org's spelling

    def as_json(document: dict) -> bytes:
        return (json.dumps(document | licence, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")

    files = [(SITE_DOWNLOADS[0], as_json(analysis_as_json(analysis)))]
    for result in analysis.dyads:
        _, json_path, csv_path = dyad_downloads(result.dyad.id)
        files.append((json_path, as_json(dyad_as_json(result, dataset.obligations_of(result.dyad.id)))))
        files.append((csv_path, dyad_as_csv(result)))
    for chart in charts.charts:  # each chart's data and, given the site's address, the page that embeds it elsewhere
        if chart.variant == WIDE.name:
            files.append((chart.csv_path, chart_csv(analysis, chart)))
            if settings.site_url:  # without one no embed code is shown, and nothing would lead to the page
                files.append((embed_path(chart.path), embed_page(env, context(chart.lang, embed_path(chart.path)),
                                                                 chart)))
    for work in works:
        paths = cite_downloads(work.kind, work.name, work.lang)
        files.extend((paths[form], text.encode("utf-8")) for form, text in cite.downloads(work).items())
    return SitePlan(tuple(pages), tuple(files))


# An embed page runs no script and loads nothing but the site's own pictures, stylesheets and font slices (the
# caption in its language's face, as on the site).
EMBED_POLICY = ("default-src 'none'; img-src 'self'; style-src 'self'; font-src 'self'; base-uri 'none'; "
                "form-action 'none'")


def embed_page(env: jinja2.Environment, ctx: Context, chart: Chart) -> bytes:
    """One chart on a page of its own, with its caption, credit and licence: what an <iframe> elsewhere shows."""
    page = env.get_template("embed.html").render(c=ctx, chart=chart, narrow=ctx.narrow(chart),
                                                 narrow_media=narrow_media(), policy=EMBED_POLICY)
    return set_html(page, ctx.lang).encode("utf-8")

