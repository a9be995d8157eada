"""Where everything the site publishes lives: one definition for pages, handouts and checks.

Every page exists in each language, under the language's prefix (generator/languages.yaml):
Traditional Chinese at the site root, English under en/. Links are relative and end in .html, so the built site also
works when opened from disk. validate uses `published_by_site` and the functions
here to refuse a brief, dyad or docs file that would overwrite another output.
"""
from __future__ import annotations

import posixpath
from urllib.parse import quote

from .languages import TABLE

# The site's own pages, by key, with their place and how messages name them.
FIXED_PAGES = {
    "home": ("index.md", "the home page"),
    "dyads": ("dyads/index.md", "the list of dyads"),
    "framework": ("framework.md", "the framework page"),
    "briefs": ("briefs/index.md", "the list of briefs"),
    "bibliography": ("bibliography.md", "the bibliography"),
    "events": ("events.md", "the list of events"),
    "search": ("search.md", "the search page"),
    "guide": ("guide.md", "the guide page"),
    "actors": ("actors/index.md", "the list of actors"),
}
ITEM_PAGES = {"dyad": "dyads/{name}.md", "triad": "triads/{name}.md", "brief": "briefs/{name}.md",
              "actor": "actors/{name}.md", "assessment": "dyads/{name}.md"}
# Folders the build fills itself; nothing from docs/ may be published inside them.
GENERATED_FOLDERS = ("charts/", "pdf/", "downloads/", "pagefind/", "assets/fonts/", "embed/", "feeds/", "cards/")
THEME_OUTPUTS = ("404.html", "sitemap.xml", "sitemap.xml.gz")
SITE_DOWNLOADS = ("downloads/analysis.json",)


# The Atom feeds, one of each per language (made only when mkdocs.yml sets site_url: a feed needs absolute addresses).
FEEDS = ("briefs", "verdicts")
# A page's share card: its own for a brief or a dyad, the site's for every other page.
CARD_KINDS = {"brief": "briefs", "dyad": "dyads"}


def page_uri(key: str, lang: str) -> str:
    kind, _, name = key.partition(":")
    path = FIXED_PAGES[kind][0] if kind in FIXED_PAGES else ITEM_PAGES[kind].format(name=name)
    return TABLE.language(lang).prefix + path


def generated_page(path: str) -> bool:
    """Whether a page path (under the site's root, e.g. framework.md) is one the generator writes in every
    language; any other Markdown page is hand-written in docs/ and published once, where it is."""
    return path.endswith(".md") and (path in {place for place, _ in FIXED_PAGES.values()}
                                     or any(path.startswith(pattern.split("{")[0]) for pattern in ITEM_PAGES.values()))


def actor_key(actor_id: str) -> str:
    """An actor's page key: its id in lower case (ids are upper-case ISO codes, so no two meet), actor:chn."""
    return f"actor:{actor_id.lower()}"


def assessment_name(dyad_id: str, as_of) -> str:
    """A dated assessment's permanent name, `<dyad id>/<YYYY-MM-DD>`: its page is dyads/<id>/<date>.html, which
    a later reassessment never changes."""
    return f"{dyad_id}/{as_of.isoformat()}"


def url_of(key: str, lang: str) -> str:
    return page_uri(key, lang)[: -len(".md")] + ".html"


def pdf_path(kind: str, name: str, lang: str) -> str:
    """A handout: pdf/<brief>.<lang>.pdf, pdf/dyad-<id>.<lang>.pdf, and a dated assessment's
    pdf/dyad-<id>/<date>.<lang>.pdf."""
    return f"pdf/dyad-{name}.{lang}.pdf" if kind in ("dyad", "assessment") else f"pdf/{name}.{lang}.pdf"


def feed_path(name: str, lang: str) -> str:
    return f"feeds/{name}.{lang}.xml"


def card_path(key: str, lang: str) -> str:
    """The share card (1200 × 630 PNG) a page shows when it is shared."""
    kind, _, name = key.partition(":")
    return f"cards/{CARD_KINDS[kind]}/{name}.{lang}.png" if kind in CARD_KINDS else f"cards/site.{lang}.png"


def absolute_url(site_url: str, path: str) -> str:
    """A published path as a full address under site_url (which MkDocs ends with a slash)."""
    return site_url + quote(path, safe="/#")


def dyad_downloads(dyad_id: str) -> tuple[str, str, str]:
    """A dyad's data at stable addresses: the analyst's file, the verdict as JSON, and its positions as CSV."""
    return f"downloads/{dyad_id}.yaml", f"downloads/{dyad_id}.json", f"downloads/{dyad_id}.csv"


def embed_path(chart_path: str) -> str:
    """The minimal page that shows one chart, for an <iframe> on another site."""
    return "embed/" + chart_path.removeprefix("charts/").removesuffix(".svg") + ".html"


# A page's reference for reference managers, one file per format: BibTeX, RIS and CSL-JSON.
CITATION_FORMATS = ("bib", "ris", "csl.json")


def cite_downloads(kind: str, name: str, lang: str) -> dict[str, str]:
    """Where a brief's or dyad's reference files are published, by format. Named like its handout (a dyad's
    with `dyad-` in front), so a brief and a dyad of the same name, refused for the handout, never share one."""
    stem = f"dyad-{name}" if kind in ("dyad", "assessment") else name
    return {form: f"downloads/cite/{stem}.{lang}.{form}" for form in CITATION_FORMATS}


def absolute(site_url: str, path: str) -> str:
    """A published path as an address on the web: only with mkdocs.yml's `site_url`; without it, none."""
    return f"{site_url.rstrip('/')}/{path}" if site_url else ""


def docs_output(relative: str) -> str:
    """Where MkDocs publishes a file from docs/ (use_directory_urls: false)."""
    folder, _, name = relative.rpartition("/")
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix == "md":
        name = "index.html" if stem.lower() in ("index", "readme") else f"{stem}.html"
    return f"{folder}/{name}" if folder else name


def href(from_url: str, to_url: str) -> str:
    """A relative link between two output paths (both relative to the site root)."""
    target, _, anchor = to_url.partition("#")
    if not target:
        relative = posixpath.basename(from_url)
    else:
        # Both paths are relative to the site root, so this is posixpath.relpath without its disk lookups.
        start = [part for part in posixpath.dirname(from_url).split("/") if part]
        parts = target.split("/")
        common = 0
        while common < len(start) and common < len(parts) - 1 and start[common] == parts[common]:
            common += 1
        relative = "/".join([".."] * (len(start) - common) + parts[common:])
    return relative + ("#" + anchor if anchor else "")
