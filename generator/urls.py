"""Where everything the site publishes lives: one definition for pages, handouts and checks.

Every page exists in each language: Traditional Chinese at the site root and
English under en/. Links are relative and end in .html, so the built site also
works when opened from disk. validate uses `published_by_site` and the functions
here to refuse a brief, dyad or docs file that would overwrite another output.
"""
from __future__ import annotations

import posixpath

PREFIX = {"zh-TW": "", "en": "en/"}

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
              "actor": "actors/{name}.md"}
# Folders the build fills itself; nothing from docs/ may be published inside them.
GENERATED_FOLDERS = ("charts/", "pdf/", "downloads/", "pagefind/", "assets/fonts/")
THEME_OUTPUTS = ("404.html", "sitemap.xml", "sitemap.xml.gz")
SITE_DOWNLOADS = ("downloads/analysis.json",)


def page_uri(key: str, lang: str) -> str:
    kind, _, name = key.partition(":")
    path = FIXED_PAGES[kind][0] if kind in FIXED_PAGES else ITEM_PAGES[kind].format(name=name)
    return PREFIX[lang] + path


def actor_key(actor_id: str) -> str:
    """An actor's page key: its id in lower case (ids are upper-case ISO codes, so no two meet), actor:chn."""
    return f"actor:{actor_id.lower()}"


def url_of(key: str, lang: str) -> str:
    return page_uri(key, lang)[: -len(".md")] + ".html"


def pdf_path(kind: str, name: str, lang: str) -> str:
    return f"pdf/{kind}-{name}.{lang}.pdf" if kind == "dyad" else f"pdf/{name}.{lang}.pdf"


def dyad_downloads(dyad_id: str) -> tuple[str, str]:
    return f"downloads/{dyad_id}.yaml", f"downloads/{dyad_id}.json"


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
