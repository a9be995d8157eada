"""Chinese typography after the W3C "Requirements for Chinese Text Layout" (clreq), at build time.

Entry points:
- `set_text(text, lang) -> text`: a plain text (a chart label) set for its language;
- `set_html(html, lang) -> html`: the text nodes of a page or handout body set for the
  page's language, never inside code, addresses or attributes;
- `reference(source, ...) -> html`: one bibliography entry in its own language's style.

What is done here, in Traditional Chinese text only (English text passes unchanged):
- a quarter-em space between a Han character and an adjacent Latin letter or digit
  (「2024 年」, 「F-16 戰機」): the no-break space, which the bundled font draws a
  quarter em wide (224/1000) and which does not let 「第 9 條」 break after 「第」;
  spaces a writer typed there become that one space;
- the strategy-pair separator: a lone em dash between two Han characters (「抗衡—避險」),
  which reads as 「一」 and may start a line, becomes the en dash (half as wide, and a
  line may not start with it: Unicode line breaking class BA);
- 「...」 and a lone 「…」 become the six-dot ellipsis 「……」, which with the two-em
  dash 「——」 the renderers keep on one line (UAX #14 rules LB17 and LB22);
- adjacent full-width punctuation is compressed: of a closing bracket followed by a
  mark, or a mark followed by an opening bracket, the bracket is set half width (the
  font's `halt` feature, through `<span class="cjk-half">`), and the run is kept on one
  line with its neighbours (`<span class="cjk-keep">`), as is a strategy pair (抗衡–避險);
- a run of Latin text inside Chinese is marked `<span class="latin">`, which sets its
  quotes proportional (`pwid`: 「China’s」 not 「China’ s」) and its letter-spacing normal.
Line-start and line-end rules (no closing mark first, no opening mark last) are the
renderers' (Chromium, and Pango under WeasyPrint, both follow UAX #14); the
stylesheet asks for `line-break: strict` and `text-spacing-trim`; italics are
replaced by emphasis dots in the stylesheet, as Chinese has no italic.
"""
from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

from .markup import VOID_ELEMENTS
from .model import Source

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
LATIN = "A-Za-z0-9\u00c0-\u024f"
NO_BREAK_SPACE = "\u00a0"
PAIR_SEPARATOR = "\u2013"
OPENING = "「『（〔［｛〈《【〖"
CLOSING = "」』）〕］｝〉》】〗"
STOPS = "，、。：；！？"
MARKS = STOPS + OPENING + CLOSING

_SPACE_AFTER_HAN = re.compile(f"(?<=[{HAN}])[ \u00a0]*(?=[{LATIN}])")
_SPACE_BEFORE_HAN = re.compile(f"(?<=[{LATIN}])[ \u00a0]*(?=[{HAN}])")
_LONE_EM_DASH = re.compile(f"(?<=[{HAN}])\u2014(?=[{HAN}])")
_ELLIPSIS = re.compile(r"\.\.\.|…+")
# A strategy pair (抗衡–避險): two-character words joined by the dash stay on one line.
PAIR = f"[{HAN}]{{2}}{PAIR_SEPARATOR}[{HAN}]{{2}}"
_MARK_RUN = re.compile(f"[^{MARKS}\\s]?(?:[{CLOSING}][{MARKS}]|[{MARKS}][{OPENING}])[{MARKS}]*[^{MARKS}\\s]?")
# A run of Latin words (with their own spaces, quotes and light punctuation) inside Chinese text.
_LATIN_RUN = re.compile(f"[“‘]?[{LATIN}](?:[{LATIN}’‘“”'\".,:;!?&/\\- ]*[{LATIN}’”.])?")
_KEPT = re.compile(f"{_MARK_RUN.pattern}|{PAIR}")
_SKIPPED = frozenset({"code", "pre", "kbd", "samp", "script", "style", "svg", "math", "textarea", "title", "head"})
_RAW_TEXT = frozenset({"script", "style"})  # their text is passed on as it came, never escaped
# Addresses written in running text are left exactly as written.
# (An address is taken to end at the first character that is not printable ASCII: a link to a page
# with Chinese in its path is written percent-encoded, or set apart by spaces.)
_URL = re.compile(r"(?:https?://|mailto:|www\.)[!-~]*|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
                  re.IGNORECASE)
# Spans a text may gain: beyond this the text is only spaced, so a pathological paragraph cannot make
# WeasyPrint lay out thousands of inline boxes (4,000 spans took it a minute).
MAX_SPANS_PER_TEXT = 200


def is_chinese(lang: str) -> bool:
    return lang.lower().startswith("zh")


def set_text(text: str, lang: str) -> str:
    """A plain text (no markup) set for its language; addresses in it stay as written."""
    if not is_chinese(lang):
        return text
    parts = _URL.split(text)
    addresses = _URL.findall(text)
    return "".join(_set_words(part) + (addresses[index] if index < len(addresses) else "")
                   for index, part in enumerate(parts))


def _set_words(text: str) -> str:
    text = _SPACE_AFTER_HAN.sub(NO_BREAK_SPACE, text)
    text = _SPACE_BEFORE_HAN.sub(NO_BREAK_SPACE, text)
    text = _LONE_EM_DASH.sub(PAIR_SEPARATOR, text)
    return _ELLIPSIS.sub("……", text)


def _marked(text: str) -> str:
    """Escaped text with Latin runs and compressed punctuation marked for the stylesheet."""
    out = []
    position = 0
    for run in _LATIN_RUN.finditer(text):
        if not re.search("[’‘“” ]", run[0]) or _URL.search(run[0]):
            continue  # a single word or number needs nothing; an address is left as written
        out.append(_compressed(text[position:run.start()]))
        out.append(f'<span class="latin">{html.escape(run[0], quote=False)}</span>')
        position = run.end()
    out.append(_compressed(text[position:]))
    marked = "".join(out)
    return html.escape(text, quote=False) if marked.count("<span") > MAX_SPANS_PER_TEXT else marked


def _compressed(text: str) -> str:
    """A run of two or more marks, with the characters on either side, is kept on one line (WeasyPrint
    may break where one inline box ends, so a half-width bracket's own box must not end a line); in it,
    a closing bracket before a mark and an opening bracket after one are set half width."""
    out = []
    position = 0
    for run in _KEPT.finditer(text):
        out.append(html.escape(text[position:run.start()], quote=False))
        marks = run[0]
        inner = []
        for index, character in enumerate(marks):
            escaped = html.escape(character, quote=False)
            half = ((character in CLOSING and index + 1 < len(marks) and marks[index + 1] in MARKS)
                    or (character in OPENING and index > 0 and marks[index - 1] in MARKS))
            inner.append(f'<span class="cjk-half">{escaped}</span>' if half else escaped)
        out.append(f'<span class="cjk-keep">{"".join(inner)}</span>')
        position = run.end()
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


class _Setter(HTMLParser):
    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.frames: list[tuple[str, str, bool]] = [("", lang, False)]  # (tag, language, left alone) per open element

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")
        if tag in VOID_ELEMENTS:
            return
        _, lang, skipped = self.frames[-1]
        self.frames.append((tag, dict(attrs).get("lang") or lang, skipped or tag in _SKIPPED))

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if any(frame[0] == tag for frame in self.frames[1:]):  # a stray end tag closes nothing
            while self.frames.pop()[0] != tag:
                pass

    def handle_data(self, data):
        tag, lang, skipped = self.frames[-1]
        if tag in _RAW_TEXT:
            self.out.append(data)
        elif skipped or not is_chinese(lang):
            self.out.append(html.escape(data, quote=False))
        else:
            self.out.append(_marked(set_text(data, lang)))

    def handle_comment(self, data):
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.out.append(f"<!{decl}>")


# A footnote reference and the character before it: a line must not start with the reference (「安排」/「⁸，」).
_NOTE_REFERENCE = re.compile(r'([^\s<>;])(<sup id="fnref[^"]*"><a class="footnote-ref" href="[^"]*">[^<]*</a></sup>)')


def set_html(markup: str, lang: str) -> str:
    """The text of an HTML fragment set for `lang` (elements with their own `lang` keep theirs); in any language,
    a footnote reference is kept on the line of the character before it."""
    setter = _Setter(lang)
    setter.feed(markup)
    setter.close()
    return _NOTE_REFERENCE.sub(r'<span class="note-keep">\1\2</span>', "".join(setter.out))


# ---- references ------------------------------------------------------------------------------------

_AUTHOR_SEPARATOR = re.compile(r"\s*(?:;|；|、|&)\s*")


def _written_in_chinese(source: Source) -> bool:
    return re.search(f"[{HAN}]", source.title) is not None


def _stop(text: str) -> str:
    """The full stop after an English title or publisher, unless it ends a sentence itself
    ("Phantom Threat or Geopolitical Reality?", "Brookings Inst.")."""
    return "" if text.endswith((".", "?", "!")) else "."


def titled(source: Source, *, title_en: bool) -> str:
    """A work's title as a short reference list gives it after the citation, in its language's style:
    《標題》。 for a Chinese title, `Title.` (marked English) for another."""
    e = html.escape
    if _written_in_chinese(source):
        translated = f' <span lang="en">[{e(source.title_en)}]</span>' if title_en and source.title_en else ""
        return f"《{e(source.title.replace('《', '〈').replace('》', '〉'))}》{translated}。"
    translated = f" [{e(source.title_en)}]" if title_en and source.title_en else ""
    return f'<span lang="en">{e(source.title)}{translated}{_stop(translated or source.title)}</span>'


def readable_url(url: str) -> str:
    """An address as a reader reads it: percent-encoded words decoded (…/中國/…, not seven lines of %E4%B8%AD…),
    unless decoding would show a space, a control character or a quote or bracket of HTML. The link keeps the
    address as written."""
    try:
        shown = unquote(url, errors="strict")
    except UnicodeDecodeError:  # not UTF-8 underneath: keep the address as written
        return url
    if any(unicodedata.category(ch)[0] in "ZC" for ch in shown) or any(ch in shown for ch in "<>\"'`"):
        return url
    return shown


def reference(source: Source, *, link: bool, url_shown: bool, title_en: bool) -> str:
    """One bibliography entry as HTML, in the style of the language its title is in.

    Chinese: authors joined by 「、」, the year in full-width brackets, the title in
    《》 (a title inside it in 〈〉), the publisher and the date in Chinese.
    Other: APA (7th edition) as citeproc-py lays it out from the standard CSL style (`cite.english_reference`),
    with `lang="en"` around the entry.
    """
    e = html.escape
    if _written_in_chinese(source):
        authors = "、".join(_AUTHOR_SEPARATOR.split(source.author))
        title = source.title.replace("《", "〈").replace("》", "〉")
        title_html = f"《{e(title)}》"
        if link and source.url:
            title_html = f'<a href="{e(source.url)}">{title_html}</a>'
        translated = f' <span lang="en">[{e(source.title_en)}]</span>' if title_en and source.title_en else ""
        date = f"，{source.date.year} 年 {source.date.month} 月 {source.date.day} 日" if source.date else ""
        address = f' <a href="{e(source.url)}">{e(readable_url(source.url))}</a>' if url_shown and source.url else ""
        return f"{e(authors)}（{source.year}）。{title_html}{translated}。{e(source.publisher)}{date}。{address}"
    from .cite import english_reference  # citeproc-py lays it out; cite.py reads this module's helpers

    return english_reference(source, link=link, url_shown=url_shown, title_en=title_en)
