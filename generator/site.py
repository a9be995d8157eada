"""Stage 6, site: the pages laid out by MkDocs and the site's other files.

Entry points, each a step of the build plan (generator/build.py): `layout(build)`
runs MkDocs over the rendered pages through our plugin (generator/plugin.py),
`place_files(build)` copies charts, font slices and downloads out of the store,
`remove_stale(build)` clears what this build no longer makes (the search index
is generator/search.py). `SiteContext` is what the theme sees for one page.
"""
from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .build import SITE_MARKER, SiteNotBuilt
from .cards import FILE as CARD_FILE
from .cards import HEIGHT_PX as CARD_HEIGHT
from .cards import WIDTH_PX as CARD_WIDTH
from .cards import CardSet
from .charts import WIDE
from .feeds import feed_title
from .framework import LABELS
from .languages import TABLE
from .model import LANGUAGES, Analysis, Problem
from .pages import DEFAULT_LICENCE, Licence, Settings, SitePage, SitePlan
from .search import SEARCH_PAGE_CLASSES
from .store import write_new
from .urls import FEEDS, THEME_OUTPUTS, absolute_url, card_path, docs_output, dyad_downloads, feed_path, href, url_of

BRIEF_SOURCE = re.compile(rf"^briefs/[^/]+\.({'|'.join(map(re.escape, TABLE.written))})\.md$")
NAV = ("home", "briefs", "dyads", "framework", "events", "bibliography", "search", "guide")
NAV_LABEL = {"home": "nav_home", "briefs": "nav_briefs", "dyads": "nav_dyads", "framework": "nav_framework",
             "events": "nav_events", "bibliography": "nav_bibliography", "search": "nav_search", "guide": "nav_guide"}

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
    """The policy as a meta tag's content. `mkdocs serve` injects an inline live-reload script into
    every page it serves (never into the built site), so only its pages allow inline script."""
    policy = dict(CONTENT_SECURITY_POLICY)
    if serving:
        policy["script-src"] += " 'unsafe-inline'"
    return "; ".join(f"{directive} {sources}" for directive, sources in policy.items())


# ---- what the theme sees ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteContext:
    plan: SitePlan
    organisation: dict
    licence: Licence = DEFAULT_LICENCE
    site_url: str = ""  # mkdocs.yml's, ending in a slash; without one, no tag needing an absolute address
    cards: CardSet = field(default_factory=CardSet)

    def replaces(self, src_uri: str) -> bool:
        """Hand-written files the generator renders itself (briefs) or overrides."""
        return bool(BRIEF_SOURCE.match(src_uri)) or self.plan.by_src(src_uri) is not None

    def page_context(self, src_uri: str, serving: bool = False) -> dict:
        page = self.plan.by_src(src_uri)
        if page is None:  # a hand-written page outside the plan: in the default language
            page = SitePage("other", TABLE.default.code, src_uri, "other", "", "")
        lang = page.lang
        counterparts = self.plan.counterparts(page) if page.key != "other" else ()
        nav = [
            {"label": LABELS(NAV_LABEL[key], lang), "href": href(page.url, url_of(key, lang)),
             "current": page.key == key or page.key.startswith(key.rstrip("s") + ":")}
            for key in NAV
        ]
        return {
            "lang": lang,
            "site_page": page,
            "brief_lang": self._brief_lang(page),
            # The language switch: the same page in every other language, each named in itself.
            "switch": [{"lang": other.lang, "name": TABLE.language(other.lang).name, "url": href(page.url, other.url)}
                       for other in counterparts],
            "converted_note": self.converted_note(page),
            "home_url": href(page.url, url_of("home", lang)),
            "nav_items": nav,
            "org": {key: (value.get(lang) if isinstance(value, dict) else value)
                    for key, value in self.organisation.items()},
            "t": lambda key, **values: LABELS(key, lang, **values),
            "asset": lambda path: href(page.url, path),
            "content_security_policy": content_security_policy(serving),
            "licence_html": LABELS("footer_licence", lang, licence=f'<a href="{html.escape(self.licence.url)}" rel="license">'
                                                                   f"{html.escape(self.licence.name)}</a>"),
            "search_classes": SEARCH_PAGE_CLASSES,
            "description": page.description or self.organisation["tagline"][lang],
            "share": self.share(page),
        }

    def converted_note(self, page: SitePage) -> str:
        """On a page of a converted language: that it was converted automatically, linking the page it was
        converted from (HTML)."""
        source = TABLE.language(page.lang).source
        if source is None or page.key == "other":
            return ""
        original = self.plan.page(page.key, source)
        link = (f'<a href="{html.escape(href(page.url, original.url))}" hreflang="{source}">'
                f'{html.escape(LABELS("converted_original", page.lang))}</a>')
        return LABELS("converted_note", page.lang, original=link)

    def absolute(self, path: str) -> str:
        return absolute_url(self.site_url, path)

    def alternates(self, page: SitePage) -> list[tuple[str, str]]:
        """The page's hreflang cluster: itself and every other language, and x-default (the first language)."""
        if page.key == "other":
            return []  # a hand-written page: its counterpart is not known
        cluster = [(lang, self.absolute(self.plan.page(page.key, lang).url)) for lang in LANGUAGES]
        return cluster + [("x-default", cluster[0][1])]

    def share(self, page: SitePage) -> dict | None:
        """What a page's head says for sharing and for search engines: the address of record, the hreflang
        cluster, the feeds, Open Graph and Twitter card tags. All need absolute addresses: none without site_url."""
        if not self.site_url:
            return None
        lang = page.lang
        description = page.description or self.organisation["tagline"][lang]
        url = self.absolute(page.url if page.key != "other" else docs_output(page.src_uri))
        card = card_path(page.key, lang)
        image, alt = self.absolute(card), self.cards.alt(card)
        # og:title and twitter:title are the page's title as MkDocs has it (a hand-written page's too): the theme's.
        open_graph = [("og:type", "article" if page.kind == "brief" else "website"),
                      ("og:site_name", self.organisation["series"][lang]), ("og:description", description),
                      ("og:url", url), ("og:image", image), ("og:image:type", "image/png"),
                      ("og:image:width", str(CARD_WIDTH)), ("og:image:height", str(CARD_HEIGHT)),
                      ("og:image:alt", alt), ("og:locale", TABLE.language(lang).og_locale)]
        open_graph += [("og:locale:alternate", TABLE.language(other).og_locale) for other in TABLE.others(lang)]
        twitter = [("twitter:card", "summary_large_image"), ("twitter:description", description),
                   ("twitter:image", image), ("twitter:image:alt", alt)]
        feeds = [(feed_title(name, self.organisation, lang), self.absolute(feed_path(name, lang))) for name in FEEDS]
        return {"canonical": url, "alternates": self.alternates(page), "feeds": feeds, "open_graph": open_graph,
                "twitter": twitter}

    def sitemap_alternates(self) -> dict[str, list[tuple[str, str]]]:
        """Each page's hreflang cluster by its source path, for sitemap.xml's xhtml:link elements."""
        if not self.site_url:
            return {}
        return {page.src_uri: self.alternates(page) for page in self.plan.pages}

    def text_lang(self, src_uri: str) -> str:
        """The language a page's content is written in (an untranslated brief shows the original)."""
        page = self.plan.by_src(src_uri)
        return self._brief_lang(page) if page is not None else TABLE.default.code

    def _brief_lang(self, page: SitePage) -> str:
        return page.lang if page.translated else page.text_lang


def site_config(build):
    """mkdocs.yml, read once per build, with the build's folders put in."""
    if "config" not in build.outputs:
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        warnings = _MkDocsWarnings()
        logging.getLogger("mkdocs").addHandler(warnings)
        try:
            build.outputs["config"] = load_config(config_file=str(build.settings.config_file),
                                                  site_dir=str(build.site_dir), docs_dir=str(build.settings.docs_dir))
        except MkDocsException:
            problems = [Problem(str(build.settings.config_file), 1, message) for message in warnings.messages]
            raise SiteNotBuilt(f"{build.settings.config_file.name} has "
                               f"{len(problems) or 'a'} problem{'s' if len(problems) != 1 else ''}; "
                               "fix the settings named above", tuple(problems)) from None
        finally:
            logging.getLogger("mkdocs").removeHandler(warnings)
    return build.outputs["config"]


def site_licence(config) -> Licence:
    """`extra.licence` in mkdocs.yml ({name, url}), CC BY 4.0 when it is not set."""
    given = config.extra.get("licence")
    if given is None:
        return DEFAULT_LICENCE
    name = given.get("name") if isinstance(given, dict) else None
    url = given.get("url") if isinstance(given, dict) else None
    if not (isinstance(name, str) and name.strip() and isinstance(url, str) and url.startswith("https://")):
        path = str(config.config_file_path or "mkdocs.yml")
        raise SiteNotBuilt("mkdocs.yml has a problem; fix the setting named above", (Problem(
            path, line_of(path, "licence:"),
            "extra.licence needs a name and an https address, e.g. {name: CC BY 4.0, url: "
            "https://creativecommons.org/licenses/by/4.0/}; leave it out for CC BY 4.0"),))
    return Licence(name.strip(), url)


DEFAULT_RECENT_DAYS = 90


def site_recent_days(config) -> int:
    """`extra.recent_days` in mkdocs.yml: how many days before the site's date a verdict change is marked on the
    home page as recent."""
    given = config.extra.get("recent_days", DEFAULT_RECENT_DAYS)
    if type(given) is not int or not 0 < given <= 3660:
        path = str(config.config_file_path or "mkdocs.yml")
        raise SiteNotBuilt("mkdocs.yml has a problem; fix the setting named above", (Problem(
            path, line_of(path, "recent_days:"),
            f"extra.recent_days is how many days a verdict change counts as recent on the home page; write a whole "
            f"number of days from 1 to 3660, e.g. 90, or leave it out for {DEFAULT_RECENT_DAYS}"),))
    return given


def line_of(path: str, text: str) -> int:
    """The line of a settings file that holds text (1 when it cannot be read or found)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    return next((number for number, line in enumerate(lines, 1) if text in line), 1)


def organisation(config) -> dict:
    """mkdocs.yml's `extra.organisation`, each text in every language: a converted language's converted."""
    return TABLE.complete_each(config.extra["organisation"])


def site_settings(build) -> Settings:
    config = site_config(build)
    return Settings(organisation=organisation(config), site_url=config.site_url or "",
                    licence=site_licence(config), build_date=build.source_date(), handouts=build.settings.handouts,
                    recent_days=site_recent_days(config))


def site_context(build) -> SiteContext:
    config = site_config(build)
    return SiteContext(build.outputs["plan"], organisation(config),
                       site_licence(config), config.site_url or "", build.outputs.get("cards") or CardSet())


def write_sources(plan: SitePlan, folder: Path) -> set[str]:
    """Write each page's Markdown under folder, leaving unchanged files untouched.

    An untouched file keeps its modification time, which is how an incremental
    MkDocs build knows the page needs no rebuilding. Returns the paths written.
    """
    wanted = {page.src_uri: page.markdown.encode("utf-8") for page in plan.pages}
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


def layout_key(build) -> str:
    """What every page's layout depends on besides its own Markdown: the set of pages, mkdocs.yml, the theme,
    the hand-written pages and files in docs/ (their links are checked against each other) and the date
    stamped on them. When it changes, every page is laid out again; when it does not, only pages whose
    Markdown changed are."""
    from .build import files_digest

    config, plan = site_config(build), build.outputs["plan"]
    digest = hashlib.sha256(json.dumps(sorted(page.src_uri for page in plan.pages)).encode())
    digest.update(build.settings.config_file.read_bytes() + build.source_date().isoformat().encode())
    for folder in config.theme.dirs:
        digest.update(files_digest(Path(folder)).encode())
    docs = build.settings.docs_dir
    for path in sorted(docs.rglob("*")):
        relative = path.relative_to(docs).as_posix()
        if path.is_file() and not path.is_symlink() and not BRIEF_SOURCE.match(relative):
            digest.update(relative.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


# ---- the steps ---------------------------------------------------------------------------------------


def layout(build) -> frozenset[str]:
    """MkDocs lays out the pages into the staging folder; returns every file it wrote or kept there."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import MkDocsException

    config = site_config(build)
    plugin = config.plugins["briefing"]
    plugin.build = build  # the plugin lays out this build's plan; it makes nothing itself
    build.record.layout = layout_key(build)
    incremental = build.incremental and build.previous.layout == build.record.layout
    warnings = _MkDocsWarnings()
    logging.getLogger("mkdocs").addHandler(warnings)
    try:
        with quiet_dirty_warning(incremental):
            mkdocs_build(config, dirty=incremental)
    except MkDocsException as error:
        problems = tuple(warnings.problems(build.analysis, build.settings.docs_dir))
        reason = (f"MkDocs stopped on {len(problems)} problem{'s' if len(problems) != 1 else ''} (strict mode)"
                  if problems and "strict mode" in str(error) else str(error))
        raise SiteNotBuilt(reason, problems) from None
    finally:
        logging.getLogger("mkdocs").removeHandler(warnings)
    return frozenset(plugin.written)


def place_files(build) -> dict[str, str]:
    """Charts, share cards, font slices, data downloads and feeds, copied into the site from the store (checked on
    the way).

    A file the previous site already holds under the same key stays as it is. Returns every
    placed file's key.
    """
    site, previous = build.site_dir, build.previous.files if build.incremental else {}
    charts, plan = build.outputs["charts"], build.outputs["plan"]
    placed: dict[str, str] = {}

    def place(path: str, key: str, write) -> None:
        placed[path] = key
        if previous.get(path) == key and (site / path).is_file():
            return
        write(site / path)

    for chart in charts.charts:
        place(chart.path, charts.key(chart.path),
              lambda target, chart=chart: charts.entry(chart.path).copy_to("web.svg", target))
        if chart.variant == WIDE.name:  # the picture the reuse links offer
            place(chart.png_path, charts.key(chart.path),
                  lambda target, chart=chart: charts.entry(chart.path).copy_to("image.png", target))
    for card in build.outputs["cards"].cards:
        place(card.path, card.key, lambda target, card=card: card.entry.copy_to(CARD_FILE, target))
    fonts = build.outputs["fonts"]
    for path, entry in fonts.files:
        place(path, entry.folder.name, lambda target, entry=entry: entry.copy_to("font.woff2", target))
    downloads = [(path, content) for path, content in plan.files]
    downloads.append(("assets/fonts/fonts.css", fonts.css.encode("utf-8")))
    for result in build.analysis.dyads:
        downloads.append((dyad_downloads(result.dyad.id)[0],
                          (build.settings.data_dir / "dyads" / f"{result.dyad.id}.yaml").read_bytes()))
    for path, content in downloads:
        place(path, hashlib.sha256(content).hexdigest()[:24], lambda target, content=content: write_new(target, content))
    build.record.files.update(placed)
    return placed


# What Markdown's smarty extension makes of "--", "---" and "...": characters no source holds.
TYPOGRAPHY = "\u00a0\u2013\u2014\u2026"  # what generator/typography.py may add to a text


def site_texts(build) -> dict[str, str]:
    """Every character the web pages show, as they show it (a character reference as its character), by the
    face it is set in (generator/languages.yaml): the generated pages, the hand-written ones, the labels, the
    languages' names (the language switch sets each in its own face), mkdocs.yml's texts."""
    config = site_config(build)
    plan: SitePlan = build.outputs["plan"]
    docs = build.settings.docs_dir
    texts: dict[str, list[str]] = {font.key: [] for font in TABLE.fonts}
    for page in plan.pages:
        texts[TABLE.language(page.lang).font.key].append(page.markdown)
    for path in sorted(docs.rglob("*.md")):
        relative = path.relative_to(docs).as_posix()
        if path.is_file() and not path.is_symlink() and not BRIEF_SOURCE.match(relative):
            texts[TABLE.language(TABLE.by_prefix(relative)).font.key].append(
                path.read_text(encoding="utf-8", errors="replace"))
    shared = (TYPOGRAPHY + json.dumps(dict(config.extra), ensure_ascii=False, default=str) + (config.copyright or "")
              + (config.site_name or ""))
    for language in TABLE.languages:
        own = texts[language.font.key]
        own.append("".join(LABELS(key, language.code) for key, _ in LABELS.texts) + language.name)
        own.append("".join(text for text in organisation(config).values() for text in
                           ([text.get(language.code, "")] if isinstance(text, dict) else [])))
    return {key: html.unescape("".join(parts)) + shared for key, parts in texts.items()}


def remove_stale(build) -> None:
    """Files a previous site held that this build does not make (the search index and handouts included)."""
    site = build.site_dir
    wanted = (set(build.outputs.get("html", ())) | set(build.record.files) | set(build.record.handouts)
              | set(THEME_OUTPUTS) | {SITE_MARKER})
    for folder, _, names in os.walk(site, topdown=False):
        relative = Path(folder).relative_to(site)
        if relative.parts[:1] == ("pagefind",):
            continue
        for name in names:
            if (relative / name).as_posix() not in wanted:
                (Path(folder) / name).unlink()
        if folder != str(site) and not any(Path(folder).iterdir()):
            Path(folder).rmdir()  # as a clean build would not make it


# ---- MkDocs' own warnings --------------------------------------------------------------------------


class _QuietDirty(logging.Filter):
    """MkDocs warns that a dirty build may leave stale navigation and links; in strict mode that aborts.

    Ours cannot go stale: every page is rendered again, only byte-identical sources
    are skipped, and a change to the page set, the theme or the code lays out all pages.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


@contextmanager
def quiet_dirty_warning(active: bool):
    build_log = logging.getLogger("mkdocs.commands.build")
    quiet = _QuietDirty()
    if active:
        build_log.addFilter(quiet)
    try:
        yield
    finally:
        build_log.removeFilter(quiet)


class _MkDocsWarnings(logging.Handler):
    """MkDocs' own warnings during a build, so a strict-mode abort can say what they were and where."""

    LINK = re.compile(r"^Doc file '(?P<page>[^']+)' contains (?:a|an absolute|an unrecognized relative) link "
                      r"'(?P<link>[^']*)'")
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
            lang = {language.prefix: language.code for language in TABLE.languages}.get(brief["prefix"])
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
