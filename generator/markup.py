"""Markdown as the site renders it, and the HTML a brief or page may publish.

Entry points:
- `markdown_converter()`: the Markdown extensions mkdocs.yml configures (a test
  keeps the two equal), for handouts and for the audit below;
- `sanitize(html) -> html`: the allowlist, enforced with nh3 on every page's
  content after Markdown and before the theme, and on every handout body;
- `audit(markdown_text, path, first_line) -> [Problem]`: what `sanitize` would
  remove and what would make a handout stall, said as `path:line` before the build.

Briefs and pages arrive through pull requests, so their HTML is held to what a
commentary needs (headings, paragraphs, lists, tables, links, pictures,
figures, emphasis, footnotes): nothing that runs script, loads from elsewhere,
submits a form, restyles the page or attaches files to a PDF.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import markdown
from markdown.extensions.toc import slugify_unicode

from .model import Problem

# The same extensions and settings as mkdocs.yml `markdown_extensions`.
MARKDOWN_EXTENSIONS = ("toc", "footnotes", "tables", "attr_list", "md_in_html", "sane_lists", "smarty")
MARKDOWN_SETTINGS: dict[str, dict[str, Any]] = {
    "toc": {"slugify": slugify_unicode, "permalink": "#", "permalink_title": ""},
    "footnotes": {"BACKLINK_TITLE": ""},
    "smarty": {"smart_quotes": False},
}

# ---- the allowlist ---------------------------------------------------------------------

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp", "section", "small", "source",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul",
    "var", "wbr",
})
# data-pagefind-weight: how much a passage weighs in search (0–10), e.g. a dyad page's actor headings.
GLOBAL_ATTRIBUTES = frozenset({"id", "class", "lang", "title", "dir", "hidden", "aria-label", "data-pagefind-weight"})
SEARCH_WEIGHT = re.compile(r"10(\.0)?|[0-9](\.[0-9])?")  # 0 to 10, ASCII digits
ATTRIBUTES = {
    "a": frozenset({"href", "hreflang", "download"}),
    "img": frozenset({"src", "alt", "width", "height", "loading", "decoding"}),
    # A picture's other widths (the charts' phone variants): one picture per source, chosen by a media query.
    "source": frozenset({"srcset", "media", "width", "height", "type"}),
    "th": frozenset({"colspan", "rowspan", "scope", "headers"}),
    "td": frozenset({"colspan", "rowspan", "headers"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "time": frozenset({"datetime"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
URL_ATTRIBUTES = {("a", "href"): "link", ("img", "src"): "picture", ("source", "srcset"): "picture"}
# Elements that have no end tag and so hold no text (the HTML standard's void elements).
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                           "track", "wbr"})
REMOVED_WITH_CONTENT = frozenset({"script", "style"})  # their text is code, not prose
# Refused elements whose content is not prose: what is inside them is not reported again.
OPAQUE = frozenset({"script", "style", "template", "svg", "math", "iframe", "object", "form", "select", "noscript",
                    "canvas", "video", "audio", "textarea"})
DIRECTIONS = frozenset({"ltr", "rtl", "auto"})

# Work a handout can do in bounded time (WeasyPrint breaks a line with n footnote
# references in O(n²); 10,000 in one paragraph did not finish in 15 minutes).
MAX_FOOTNOTE_REFERENCES_PER_PARAGRAPH = 100
MAX_FOOTNOTE_REFERENCES = 1000
MAX_FOOTNOTES = 500
MAX_NESTING = 24  # elements inside elements; WeasyPrint's layout recurses per level
MAX_TABLE_CELLS = 5000  # a 48,000-cell table took WeasyPrint 39 s; 5,000 take about 4 s
# Python-Markdown reads a paragraph's links in time that grows with the square of its '[' (4,000 '[a][' in
# one paragraph took 6.8 s, 20,000 '[' 58 s), and a whole text's unclosed tags ('<x ' with no '>') with the
# square of their number (8,000 took 5.3 s). The limits keep a brief under half a second.
MAX_SQUARE_BRACKETS = (500, 4000)  # in a paragraph, in all
MAX_UNCLOSED_TAGS = 1000
UNCLOSED_TAG = re.compile(r"<[A-Za-z][^<>]*(?=<|\Z)")

# Python-Markdown sets table alignment as an inline style; the site's stylesheet has classes for it.
# Exactly what Markdown writes, so the pattern cannot backtrack over a long run of tags.
_ALIGN = re.compile(r'<(t[hd]) style="text-align: (left|center|right);"')


def markdown_converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=list(MARKDOWN_EXTENSIONS), extension_configs=MARKDOWN_SETTINGS)


def url_problem(tag: str, attribute: str, value: str) -> str | None:
    """Why a link or picture address may not be published, or None when it may."""
    kind = URL_ATTRIBUTES[(tag, attribute)]
    address = value.strip()
    if attribute == "srcset" and re.search(r"[\s,]", address):
        # A list of candidates would be read as one path here and as several addresses by a browser.
        return f"srcset='{address}' names more than one picture or a size; give the path of one picture"
    if any(ord(character) < 0x20 or character == "\\" for character in address):
        return (f"the {kind} address '{address}' holds a backslash or control character, which browsers read "
                "differently; write a plain address")
    try:
        parts = urlsplit(address)
        parts.port  # noqa: B018  (reading it checks that a port, if any, is a number)
    except ValueError:
        return f"the {kind} address '{address}' is not a valid address; check the brackets and the port"
    if kind == "picture":
        if parts.scheme or parts.netloc:
            if parts.scheme in ("http", "https") or (not parts.scheme and address.startswith("//")):
                return (f"the picture '{address}' is on another site; the site and its handouts never load from "
                        "the network, so save the picture under docs/ and give its path")
            return f"the picture '{address}' is not a path inside docs/; save the picture under docs/ and give its path"
        return None
    if address.startswith("//"):
        return f"the link '{address}' leaves out http: or https:; write the full address, e.g. https:{address}"
    if parts.scheme and parts.scheme.lower() not in LINK_SCHEMES:
        return (f"the link '{address}' is not allowed; links start with http://, https:// or mailto:, "
                "or are a path inside the site")
    if parts.scheme.lower() in ("http", "https") and not parts.netloc:
        return f"the link '{address}' has no site name after {parts.scheme}://; write the full address"
    return None


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if (tag, attribute) in URL_ATTRIBUTES:
        return None if url_problem(tag, attribute, value) else value
    if attribute == "dir" and value not in DIRECTIONS:
        return None
    if attribute == "data-pagefind-weight" and not SEARCH_WEIGHT.fullmatch(value):
        return None
    return value


def sanitize(html: str) -> str:
    """Keep only the allowlisted elements, attributes and addresses (nh3, the Rust ammonia sanitiser)."""
    import nh3

    html = _ALIGN.sub(lambda m: f'<{m[1]} class="align-{m[2]}"', html)
    return nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags=set(REMOVED_WITH_CONTENT | OPAQUE),
        attributes={"*": set(GLOBAL_ATTRIBUTES), **{tag: set(names) for tag, names in ATTRIBUTES.items()}},
        attribute_filter=_keep_attribute,
        strip_comments=True,
        link_rel=None,
        url_schemes=set(LINK_SCHEMES),
    )


# ---- the audit ----------------------------------------------------------------------------

ELEMENT_REASONS = (
    ({"script", "noscript", "template"}, "it could run script on the published site; remove it"),
    ({"iframe", "frame", "frameset", "object", "embed", "portal", "applet"},
     "it would show another page or program inside the site; link to it instead"),
    ({"form", "input", "button", "select", "textarea", "option", "label", "fieldset"},
     "it would ask readers for input; remove it"),
    ({"meta", "base", "link", "style", "head", "title", "html", "body"},
     "it would change how the whole page loads or looks; remove it"),
    ({"svg", "math", "canvas", "video", "audio", "track", "map", "area"},
     "save the picture as a .png or .jpg file under docs/ and show that instead"),
)


def element_reason(tag: str) -> str:
    for tags, reason in ELEMENT_REASONS:
        if tag in tags:
            return reason
    return ("briefs use headings, paragraphs, lists, tables, links, pictures, figures and emphasis; "
            "remove it or use one of those")


def attribute_reason(tag: str, attribute: str) -> str:
    if attribute.startswith("on"):
        return f"the attribute {attribute} on <{tag}> would run script; remove it"
    if attribute == "style":
        return f"inline styles are not published (the site's look lives in templates/); remove style from <{tag}>"
    if attribute == "rel":
        return f"the attribute rel on <{tag}> is not published (rel=attachment would put files into a handout); remove it"
    if attribute in ("src", "srcset", "href", "action", "formaction", "poster", "background", "data", "xlink:href"):
        return f"the attribute {attribute} on <{tag}> would load something from elsewhere; remove it"
    return f"the attribute {attribute} on <{tag}> is not allowed in briefs; remove it"


@dataclass(frozen=True)
class Finding:
    message: str
    needles: tuple[str, ...]  # texts to look for in the source, most telling first


@dataclass(frozen=True)
class Reading:
    findings: tuple[Finding, ...]
    deepest: int  # how many elements deep the HTML nests
    cells: int  # table cells in all


def _local(name: str) -> str:
    """`{http://www.w3.org/2000/svg}circle` -> `circle`: foreign elements keep their namespace in the tree."""
    return name.rpartition("}")[2]


def read_html(html: str) -> Reading:
    """Walk the HTML as a browser and nh3 parse it (the WHATWG algorithm, here tinyhtml5), noting what the
    allowlist refuses. A parser of another kind would disagree on input such as `<!-->`, and what it missed
    would reach the page unreported."""
    from tinyhtml5.parser import HTMLParser

    root = HTMLParser(namespace_html_elements=False).parse_fragment(html, container="div")
    findings: list[Finding] = []
    deepest = cells = 0
    pending = [(child, 1) for child in reversed(list(root))]
    while pending:  # iteratively: the nesting depth is what is being measured
        element, depth = pending.pop()
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = _local(element.tag)
        if tag not in TAGS:
            findings.append(Finding(f"the HTML element <{tag}> is not published: {element_reason(tag)}", (f"<{tag}",)))
            if tag in OPAQUE:
                continue  # what is inside goes with it
        else:
            deepest = max(deepest, depth)
            cells += tag in ("td", "th")
            findings.extend(_attribute_findings(tag, element.attrib))
        pending.extend((child, depth + 1) for child in reversed(list(element)))
    return Reading(tuple(findings), deepest, cells)


def _attribute_findings(tag: str, attributes: dict) -> list[Finding]:
    allowed = GLOBAL_ATTRIBUTES | ATTRIBUTES.get(tag, frozenset())
    found = []
    for qualified, value in attributes.items():
        name = _local(qualified)
        if name == "style" and tag in ("th", "td") and re.fullmatch(r"text-align: (left|center|right);", value):
            continue  # Markdown's table alignment, kept as a class
        if name not in allowed:
            found.append(Finding(attribute_reason(tag, name), (f"{name}=", name, f"<{tag}")))
        elif (tag, name) in URL_ATTRIBUTES:
            problem = url_problem(tag, name, value)
            if problem:
                found.append(Finding(problem, (value.strip(), f"<{tag}")))
        elif name == "dir" and value not in DIRECTIONS:
            found.append(Finding(f"dir='{value}' on <{tag}> is not a direction; use ltr, rtl or auto", ("dir=",)))
    return found


FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]\s]+\](?!:)")
FOOTNOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.MULTILINE)
# Where the footnotes extension puts a text's notes, when a paragraph holds it (its PLACE_MARKER, left at its
# default in mkdocs.yml and MARKDOWN_SETTINGS); without one they close the page.
FOOTNOTES_HERE = "///Footnotes Go Here///"
DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:")  # a footnote or link definition: read on its own, not inline


def blocks(text: str) -> list[tuple[int, str]]:
    """The text's paragraphs (lines between blank lines), each with its first line (0-based). Footnote and
    link definitions are read apart and left out. A list without blank lines between its items counts as one
    paragraph: Markdown may read it as one, so the count errs on the safe side."""
    found: list[tuple[int, list[str]]] = []
    joining = False
    for number, line in enumerate(text.split("\n")):
        if not line.strip() or DEFINITION.match(line):
            joining = False
            continue
        if joining:
            found[-1][1].append(line)
        else:
            found.append((number, [line]))
            joining = True
    return [(start, "\n".join(lines)) for start, lines in found]


def workload_problems(text: str, path: str, first_line: int, kind: str) -> list[Problem]:
    """What would make Markdown or WeasyPrint take minutes, counted in the source before either runs.

    One message per cause: a paragraph that is too crowded is named, and then not counted again in the totals.
    """
    problems = []
    per_paragraph, in_all = MAX_SQUARE_BRACKETS
    for start, block in blocks(text):
        references = len(FOOTNOTE_REFERENCE.findall(block))
        if references > MAX_FOOTNOTE_REFERENCES_PER_PARAGRAPH:
            problems.append(Problem(path, first_line + start,
                                    f"a paragraph holds {references} footnote references, more than the "
                                    f"{MAX_FOOTNOTE_REFERENCES_PER_PARAGRAPH} a handout can lay out in reasonable "
                                    "time; split the paragraph or merge the notes"))
        elif block.count("[") > per_paragraph:
            problems.append(Problem(path, first_line + start,
                                    f"a paragraph holds {block.count('[')} '[', more than the {per_paragraph} "
                                    "Markdown can read in reasonable time; split the paragraph (a blank line between "
                                    "list items splits a list)"))
    if problems:
        return problems
    references = len(FOOTNOTE_REFERENCE.findall(text))
    definitions = len(FOOTNOTE_DEFINITION.findall(text))
    unclosed = UNCLOSED_TAG.findall(text)
    if references > MAX_FOOTNOTE_REFERENCES:
        problems.append(Problem(path, first_line, f"the {kind} has {references} footnote references, more than the "
                                                  f"{MAX_FOOTNOTE_REFERENCES} a handout can lay out in reasonable time; "
                                                  "merge some of them"))
    elif definitions > MAX_FOOTNOTES:
        problems.append(Problem(path, first_line, f"the {kind} has {definitions} footnotes, more than the "
                                                  f"{MAX_FOOTNOTES} a handout can lay out; merge some of them"))
    elif text.count("[") > in_all:
        problems.append(Problem(path, first_line, f"the {kind} holds {text.count('[')} '[', more than the {in_all} "
                                                  "Markdown can read in reasonable time; shorten it"))
    if len(unclosed) > MAX_UNCLOSED_TAGS:
        problems.append(Problem(path, first_line, f"the {kind} has {len(unclosed)} HTML tags without their closing "
                                                  f"'>' (such as '{unclosed[0][:20].strip()}'), more than the "
                                                  f"{MAX_UNCLOSED_TAGS} Markdown can read in reasonable time; close "
                                                  "or remove them (write a literal '<' as &lt;)"))
    return problems


def audit(text: str, path: str, first_line: int, kind: str = "brief") -> list[Problem]:
    """Everything in a brief's or page's Markdown that the site would not publish as written.

    first_line is the file line the text starts on.
    """
    problems = workload_problems(text, path, first_line, kind)
    if problems:
        return problems  # rendering such a text is itself what would take minutes
    try:
        html = markdown_converter().convert(text)
    except RecursionError:
        return [Problem(path, first_line, f"the {kind} nests emphasis, lists or quotes too deeply to lay out; "
                                          "flatten it")]
    reading = read_html(html)
    problems = [Problem(path, first_line + line, finding.message) for finding, line in _located(reading.findings, text)]
    if reading.deepest > MAX_NESTING:
        problems.append(Problem(path, first_line, f"the {kind} nests lists, quotes or HTML elements "
                                                  f"{reading.deepest} deep, more than the {MAX_NESTING} a handout "
                                                  "can lay out; flatten it"))
    if reading.cells > MAX_TABLE_CELLS:
        problems.append(Problem(path, first_line, f"the {kind}'s tables have {reading.cells} cells, more than the "
                                                  f"{MAX_TABLE_CELLS} a handout can lay out in reasonable time; "
                                                  "shorten them or offer the table as a download"))
    return problems


def _located(findings: Sequence[Finding], text: str) -> list[tuple[Finding, int]]:
    """Each finding with the 0-based line of the source that holds it.

    Markdown keeps no line numbers, so each finding is looked for in the source by
    its most telling text; repeated findings take successive matches. A finding
    whose text Markdown changed (an entity, say) falls back to the first line.
    """
    lines = [line.lower() for line in text.split("\n")]
    next_from: dict[str, int] = {}
    located = []
    for finding in findings:
        line = 0
        for needle in finding.needles:
            key = needle.lower()
            if not key:
                continue
            start = next_from.get(key, 0)
            found = next((i for i in range(start, len(lines)) if key in lines[i]), None)
            if found is None and start:
                found = next((i for i in range(len(lines)) if key in lines[i]), None)
            if found is not None:
                next_from[key] = found + 1
                line = found
                break
        located.append((finding, line))
    return located



# ---- the prose of a brief or page -----------------------------------------------------------

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|[0-9]+[.)])[ \t]")
# What a reader does not see as running text. A pattern with a group named `hidden` hides only that group.
NOT_PROSE = (
    re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL),  # comments
    re.compile(r"<(code|pre|kbd|samp|script|style)\b[^>]*>.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE),
    re.compile(r"(?<![`\\])(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\1(?!`)", re.DOTALL),  # code spans, in a paragraph
    re.compile(r"</?[A-Za-z][^<>]*>"),  # tags with their attributes, and <https://…> links
    re.compile(r"\]\((?:[^()\n]|\([^()\n]*\))*\)"),  # the (target "title") of a link or picture
    re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:(?P<hidden>[^\n]*)", re.MULTILINE),  # [name]: target "title"
    re.compile(r"(?:https?|ftp|mailto):[^\s<>()\[\]\u3000-\u303f\uff01-\uff65]*"),  # bare addresses
    re.compile(r"\{:?[ \t]*(?:[#.][^{}\n]*|[\w-]+=[^{}\n]*)\}"),  # attribute lists: {: #id .class key=value }
)


def prose(text: str) -> str:
    """The text with everything that is not running text blanked out: code blocks and spans, HTML tags and
    their attributes, comments, link and picture targets, and addresses. Every other character keeps its
    place (and every line break its line), so an offset into the prose is an offset into the text."""
    kept = list(text)

    def blank(start: int, end: int) -> None:
        kept[start:end] = [character if character == "\n" else " " for character in kept[start:end]]

    for start, end in _code_blocks(text.split("\n")):
        blank(start, end)
    for pattern in NOT_PROSE:
        for match in pattern.finditer("".join(kept)):
            blank(*match.span("hidden" if "hidden" in pattern.groupindex else 0))
    return "".join(kept)


def _code_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """The (start, end) offsets of fenced and indented code blocks. Fenced blocks count as code even though
    the site's Markdown has no fenced-code extension: what the writer fenced off is not prose."""
    spans: list[tuple[int, int]] = []
    offset = 0
    fence = ""
    after_blank, in_code, in_list = True, False, False
    for line in lines:
        end = offset + len(line)
        opening = FENCE.match(line)
        indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
        if fence:
            spans.append((offset, end))
            if line.strip().startswith(fence) and set(line.strip()) == {fence[0]}:
                fence = ""
        elif opening:
            fence = opening[1]
            spans.append((offset, end))
        elif not line.strip():
            after_blank = True
        else:
            # Inside a list, text indented four spaces continues an item; code needs eight.
            if indent >= (8 if in_list else 4) and (after_blank or in_code):
                in_code = True
                spans.append((offset, end))
            else:
                in_code = False
                if LIST_ITEM.match(line):
                    in_list = True
                elif indent == 0 and after_blank:
                    in_list = False
            after_blank = False
        offset = end + 1
    return spans


# ---- dates and figures without a citation ----------------------------------------------------

CITED = re.compile(r"\[@[^\]\s]+\]")  # the same form as validate.CITATION: [@id] names a source
FOOTNOTE_NAME = re.compile(r"\[\^([^\]\s]+)\](?!:)")
FOOTNOTE_START = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:")
HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)")  # ATX headings and setext underlines
EMBED_LINE = re.compile(r"^ {0,3}\[\[[^\]\n]*\]\][ \t]*$")  # [[verdict: …]] and [[chart: …]] draw from the data
_MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
           "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
_UNITS_EN = ("percent|per cent|km|kilomet(?:re|er)s?|miles?|metres?|meters?|tonnes?|tons?|kg|troops|soldiers|"
             "people|missiles?|shells|rounds|containers?|warheads?|billion|million|thousand|dollars?|"
             "USD|US\\$|rubles?|roubles?|yuan|won")
# What states a date or a figure: a full date, a year, a sum of money, a percentage, or a number with a unit.
FIGURE = re.compile(
    r"(?<![0-9A-Za-z_.,-])(?:"  # not inside an id such as doe-2024
    r"\d{1,4}[ \t]*年[ \t]*\d{1,2}[ \t]*月(?:[ \t]*\d{1,2}[ \t]*日)?"  # 2024 年 6 月 19 日
    r"|\d{1,2}[ \t]*月[ \t]*\d{1,2}[ \t]*日"  # 6 月 19 日
    rf"|\d{{1,2}}[ \t]+(?:{_MONTHS})\b\.?(?:[ \t,]+\d{{4}})?"  # 19 June 2024
    rf"|(?:{_MONTHS})\b\.?[ \t]+\d{{1,2}}(?!\d)(?:,?[ \t]+\d{{4}})?"  # June 19, 2024
    r"|\d{4}-\d{2}-\d{2}"  # 2024-06-19
    r"|1[5-9]\d\d(?!\d)|20\d\d(?!\d)"  # a year
    r"|[$€£¥][ \t]?\d[\d,.]*"  # $5 billion
    r"|\d[\d,.]*[ \t]*(?:%|％)"  # 60%
    rf"|\d[\d,.]*[ \t]*(?:{_UNITS_EN})\b"  # 16,500 containers
    r"|\d[\d,.]*[ \t]*(?:萬|億|公里|公尺|公噸|噸|人|名|枚|架|艘|輛|個|發|美元|元|盧布|倍|成)"  # 1 萬 6,500 個
    r")",
    re.IGNORECASE,
)


def _citing_footnotes(text: str) -> set[str]:
    """The names of the footnotes whose note cites a source ([@id]), the note read to its next blank line."""
    citing: set[str] = set()
    name = ""
    for line in text.split("\n"):
        start = FOOTNOTE_START.match(line)
        if start:
            name = start[1]
        elif not line.strip():
            name = ""
        if name and CITED.search(line):
            citing.add(name)
    return citing


def uncited_figures(text: str, path: str, first_line: int) -> list[Problem]:
    """A warning for each paragraph (or list item) of a brief that states a date or a figure but cites no
    source: neither a [@id] of its own nor a footnote whose note cites one. Headings, code, comments, link
    targets, embeds and the notes themselves are not paragraphs."""
    citing = _citing_footnotes(text)
    found = []
    for start, block in blocks(prose(text)):
        items: list[tuple[int, list[str]]] = []
        for number, line in enumerate(block.split("\n")):
            if HEADING.match(line) or EMBED_LINE.match(line):
                items.append((start + number + 1, []))  # what follows a heading is a paragraph of its own
                continue
            if not items or LIST_ITEM.match(line):
                items.append((start + number, []))
            items[-1][1].append(line)
        for first, lines in items:
            paragraph = "\n".join(lines)
            figure = FIGURE.search(paragraph)
            if figure is None or CITED.search(paragraph):
                continue
            if any(name in citing for name in FOOTNOTE_NAME.findall(paragraph)):
                continue
            shown = " ".join(figure[0].split())
            found.append(Problem(path, first_line + first,
                                 f"this paragraph states a date or figure ({shown}) but cites no source; add a "
                                 "citation such as [@id], or a footnote [^1] whose note cites one", severity="warning"))
    return found
