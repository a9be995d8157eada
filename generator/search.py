"""Stage 6b, search: the Pagefind index of the built pages, segmented so Chinese is found.

Entry point: `index_for_search(site_dir, store, code, previous_key) -> key`.

Pagefind 1.5 segments Chinese twice, with different dictionaries: jieba when it
indexes, the browser's Intl.Segmenter when it reads a query. Where the two cut
a phrase differently, a page holding the phrase is not found (on this site the
index found 1 of the 10 zh-TW pages holding 北韓). So the index and the query
are cut here, the same way on both sides: every Han character is a word of its
own. Pagefind then finds every page holding all of a query's characters, and
the search page (templates/theme/assets/search.js) keeps those that hold each
Chinese term as written, in order. `UNSPACED` below is the one definition of
the characters cut; the search page receives it from the theme.

Pagefind does not read the published pages: it reads a copy of each page's
indexed text (what the page marks `data-pagefind-body`, without what it marks
`data-pagefind-ignore`), cut as above, with its headings kept as headings so
they weigh more, and its title given whole as metadata.
"""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from .build import SiteNotBuilt
from .markup import SEARCH_WEIGHT, VOID_ELEMENTS
from .typography import HAN, is_chinese

# Han ideographs (with 々, 〇 and the Suzhou numerals) and kana: scripts written without spaces between words.
UNSPACED = "\u3005\u3007\u3021-\u3029\u3038-\u303b\u3041-\u3096\u30a1-\u30fa" + HAN

# Pagefind keeps "China–Japan" as one word; a reader looking for Japan expects to find it.
DASHES = "\u2012-\u2015"
_DASH = re.compile(f"([{DASHES}])")
# CJK punctuation: the search page takes out the index's spaces between it and Han characters.
PUNCTUATION = "\u3000-\u3004\u3008-\u3011\u3014-\u301f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_SPACES = re.compile(r"\s+")
_UNSPACED_CHARACTER = re.compile(f"([{UNSPACED}{PUNCTUATION}])")


def _for_script(characters: str) -> str:
    """A character class as a JavaScript RegExp with the u flag writes it."""
    return "".join(part if part == "-" else f"\\u{{{ord(part):x}}}" for part in characters)


# What the search page's script (templates/theme/assets/search.js) cuts: the same classes as the index.
SEARCH_PAGE_CLASSES = {"unspaced": _for_script(UNSPACED), "dashes": _for_script(DASHES),
                       "punctuation": _for_script(PUNCTUATION)}

# The class of the element that says who a page is about (templates/pages/dyad.html).
SUBJECT = "search-subject"
# Elements whose text a reader does not read as part of the page.
_NOT_TEXT = frozenset({"script", "style", "template", "noscript", "svg", "math", "button", "select", "textarea"})
# Elements that end a run of text: the words on either side must not run together ("Russia–ChinaOutside").
_BLOCKS = frozenset({"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
                     "figcaption", "figure", "footer", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
                     "section", "summary", "table", "td", "th", "tr", "ul"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


def segment(text: str) -> str:
    """Every Han character (or kana) and CJK punctuation mark a word of its own, and words joined by a dash two."""
    return _SPACES.sub(" ", _UNSPACED_CHARACTER.sub(r" \1 ", _DASH.sub(r" \1 ", text))).strip()


@dataclass(frozen=True)
class IndexedPage:
    """What Pagefind indexes of one page: its language, title and text, block by block."""
    lang: str
    title: str
    subject: str  # who the page is about (a dyad page's actors), which ranks it first for their names
    blocks: tuple[tuple[str, str, str], ...]  # (h1…h6 or p, the weight the page gives it or "", text)

    def ended(self, text: str) -> str:
        """A Chinese block that ends without punctuation ends with a full-width bar, so that an excerpt
        running from one table cell into the next does not read as one phrase (「沒有｜中度」)."""
        return text + "\uff5c" if is_chinese(self.lang) and not re.search(f"[{PUNCTUATION}]$", text) else text

    def source(self) -> str:
        """The page as Pagefind reads it: cut text, headings and weights kept, the title whole."""
        body = "\n".join(f"<{tag}{f' data-pagefind-weight={weight!r}' if weight else ''}>"
                         f"{html.escape(segment(self.ended(text)), quote=False)}</{tag}>"
                         for tag, weight, text in self.blocks)
        subject = (f'<span data-pagefind-meta="subject[data-subject]" data-subject="{html.escape(self.subject)}">'
                   '</span>' if self.subject else "")
        return (f'<!doctype html><html lang="{html.escape(self.lang)}"><head><meta charset="utf-8"></head>'
                f'<body><main data-pagefind-body><span data-pagefind-meta="title[data-title]" '
                f'data-title="{html.escape(self.title)}"></span>{subject}\n{body}\n</main></body></html>\n')


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.stack: list[tuple[str, bool, bool, str]] = []  # (tag, indexed, skipped, weight)
        self.blocks: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self.heading = ""
        self.title: list[str] | None = None
        self.found_title = ""
        self.subject: list[str] | None = None
        self.subject_depth = 0
        self.found_subject = ""
        self.has_body = False

    @property
    def indexed(self) -> bool:
        return bool(self.stack) and self.stack[-1][1] and not self.stack[-1][2]

    def flush(self, tag: str = "p") -> None:
        words = _SPACES.sub(" ", "".join(self.text)).strip()
        if words:
            self.blocks.append((tag, self.stack[-1][3] if self.stack else "", words))
        self.text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        indexed, skipped, weight = self.stack[-1][1:] if self.stack else (False, False, "")
        if "data-pagefind-body" in attributes:
            indexed, self.has_body = True, True
        if ("data-pagefind-ignore" in attributes or tag in _NOT_TEXT
                or (tag == "a" and "headerlink" in (attributes.get("class") or "").split())):
            skipped = True
        if indexed and not skipped and (tag in _BLOCKS or tag in _HEADINGS):
            self.flush(self.heading or "p")
            self.heading = tag if tag in _HEADINGS else self.heading
            if tag == "h1" and not self.found_title:
                self.title = []
        if tag in VOID_ELEMENTS:
            return
        if indexed and not skipped and SUBJECT in (attributes.get("class") or "").split() and not self.found_subject:
            self.subject, self.subject_depth = [], len(self.stack)
        given = attributes.get("data-pagefind-weight") or ""
        self.stack.append((tag, indexed, skipped, given if SEARCH_WEIGHT.fullmatch(given) else weight))

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching element; an end tag with no open element (</br>) closes nothing.
        if all(open_tag != tag for open_tag, *_ in self.stack):
            if tag == "br" and self.indexed:
                self.flush(self.heading or "p")
            return
        while self.stack:
            open_tag, indexed, skipped, _ = self.stack[-1]
            if indexed and not skipped and (open_tag in _BLOCKS or open_tag in _HEADINGS):
                self.flush(self.heading or "p")
                if open_tag in _HEADINGS:
                    self.heading = ""
                    if open_tag == "h1" and self.title is not None:
                        self.found_title = _SPACES.sub(" ", "".join(self.title)).strip()
                        self.title = None
            self.stack.pop()
            if self.subject is not None and len(self.stack) == self.subject_depth:
                self.found_subject = _SPACES.sub(" ", "".join(self.subject)).strip()
                self.subject = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.indexed:
            self.text.append(data)
            if self.title is not None:
                self.title.append(data)
            if self.subject is not None:
                self.subject.append(data)


def indexed_page(page_html: str) -> IndexedPage | None:
    """The indexed part of a built page, or None when the page marks no `data-pagefind-body`."""
    reader = _Reader()
    reader.feed(page_html)
    reader.close()
    reader.flush()
    if not reader.has_body:
        return None
    return IndexedPage(reader.lang, reader.found_title, reader.found_subject, tuple(reader.blocks))


def index_for_search(site_dir: Path, store, code: str, previous_key: str = "") -> str:
    """Pagefind indexes each language on its own (it reads <html lang>).

    The index depends only on the pages and this code: when they are unchanged, the
    index the previous site holds stays, or the store's copy is checked and copied out.
    Returns the index's key.
    """
    from importlib.metadata import version

    site = Path(site_dir)
    digest = hashlib.sha256(f"{version('pagefind')}\0{code}\0".encode())
    pages = sorted(path for path in site.rglob("*.html") if path.relative_to(site).parts[:1] != ("pagefind",))
    for page in pages:
        digest.update(page.relative_to(site).as_posix().encode() + b"\0" + page.read_bytes())
    key = digest.hexdigest()[:24]
    output = site / "pagefind"
    entry = store.get("search", key, None)  # Pagefind names its files; all are checked
    if key == previous_key and entry is not None and all((output / name).is_file() for name in entry.names):
        return key
    shutil.rmtree(output, ignore_errors=True)  # in an incremental build these are links to the live site
    if entry is not None:
        for name in entry.names:
            entry.copy_to(name, output / name)
        return key
    with tempfile.TemporaryDirectory(prefix="briefing-search-") as folder:
        sources = Path(folder) / "pages"
        for page in pages:
            indexed = indexed_page(page.read_text(encoding="utf-8", errors="replace"))
            if indexed is not None:
                target = sources / page.relative_to(site)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(indexed.source(), encoding="utf-8")
        _run_pagefind(sources, output)
    # Pagefind lists languages in hash-map order, which varies from run to run.
    listing = output / "pagefind-entry.json"
    listing.write_text(json.dumps(json.loads(listing.read_text(encoding="utf-8")), sort_keys=True, ensure_ascii=False,
                                  separators=(",", ":")), encoding="utf-8")
    store.put("search", key, {path.relative_to(output).as_posix(): path.read_bytes()
                              for path in sorted(output.rglob("*")) if path.is_file()})
    return key


def _run_pagefind(sources: Path, output: Path) -> None:
    # With no PAGEFIND_* settings and in the sources folder: no configuration file or variable can send it elsewhere.
    environment = {name: value for name, value in os.environ.items() if not name.upper().startswith("PAGEFIND")}
    result = subprocess.run([sys.executable, "-m", "pagefind", "--site", str(sources), "--output-path", str(output),
                             "--silent"], capture_output=True, text=True, cwd=sources, env=environment)
    if result.returncode != 0:
        raise SiteNotBuilt(f"Pagefind could not index the site: {result.stderr.strip() or result.stdout.strip()}")
