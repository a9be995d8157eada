"""Stage 4, charts: draw the paper's figures from the analysis, in both languages.

Entry point: `render_charts(analysis, out_dir) -> ChartSet`.

Every word in a chart comes from the data (actor names, dyad titles, events) or
from the shared rule and label tables, so a new dyad or a fourth actor draws
without code changes. A chart carries no title: the page's numbered caption gives
it. Output is SVG with text turned into paths (the picture does not depend on the
reader's fonts), a fixed hash salt and no dates, so the same analysis always gives
the same bytes. One encoding throughout: a strategy is a colour with a hatch (for
grayscale print and colour-blind readers), an actor a shape.
"""
from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, Patch, Rectangle
from matplotlib.text import Text as TextArtist

from .fonts import register_with_matplotlib
from .framework import FRAMEWORK, LABELS, possessive
from .languages import TABLE
from .model import LANGUAGES, AllianceType, Analysis, ChartError, DyadResult, Event, Source, TriadResult
from .parallel import WorkerFailed, run_parallel
from .typography import CLOSING, OPENING, PAIR, PAIR_SEPARATOR, STOPS, set_text

if TYPE_CHECKING:
    from .store import Entry

A4_TEXT_WIDTH_IN = 6.3  # 160 mm: the printable width of an A4 page with home-printer margins
MIN_FONT_PT = 9  # nothing smaller, at the size the chart is drawn for
CSS_PX_PER_IN = 96
PT_PER_IN = 72
PX_PER_PT = CSS_PX_PER_IN / PT_PER_IN
PHONE_VIEWPORT_PX = 390  # the phone most readers use
FIGURE_INSET_PX = 42  # site.css: .content's padding (1.25rem a side) and a chart's 1-px border
# 348 CSS px: on a 390-px phone the narrow chart is shown at its own size, so 9-pt text reads as 12 px.
PHONE_WIDTH_IN = (PHONE_VIEWPORT_PX - FIGURE_INSET_PX) / CSS_PX_PER_IN
MIN_READABLE_PX = 11  # the smallest chart text a reader should have to read on a screen

# A strategy is a colour (Okabe–Ito) and a hatch, so that grayscale keeps them apart; an actor is a shape.
STRATEGY_STYLE = {
    "hedging": {"color": "#E69F00", "hatch": ""},
    "tethering": {"color": "#56B4E9", "hatch": "//"},
    "balancing": {"color": "#009E73", "hatch": ".."},
    "bandwagoning": {"color": "#CC79A7", "hatch": "xx"},
    "indeterminate": {"color": "#BBBBBB", "hatch": ""},
}
# The shape of a dyad's first and second actor (and spares): as a marker, and as a character in a label.
ACTOR_SHAPES = (("o", "●"), ("s", "■"), ("D", "◆"), ("^", "▲"))
INK = "#222222"
MUTED = "#6b6b6b"
FLIP_COLOR = "#D55E00"
COHESION_WIDTH = {"low": 1.2, "medium": 3.0, "high": 5.5, None: 1.2}


class LabelOverlapWarning(UserWarning):
    pass


@dataclass(frozen=True)
class Sheet:
    """A width a chart is drawn for. Every chart is drawn wide (the A4 text width: handouts and desktop
    screens) and narrow (a phone's column, with its layout reflowed: wrapped labels, fewer columns, taller)."""

    name: str  # "wide" or "narrow"
    width_in: float
    files: tuple[str, ...]  # what the chart's store entry holds: only the wide chart is printed

    @property
    def narrow(self) -> bool:
        return self.name == "narrow"

    @property
    def width_pt(self) -> float:
        return self.width_in * PT_PER_IN

    def path(self, wide_path: str) -> str:
        return wide_path if not self.narrow else wide_path.removesuffix(".svg") + ".narrow.svg"


# The wide chart is also a PNG, for slides and documents that take no SVG (the reuse links under each chart).
WIDE = Sheet("wide", A4_TEXT_WIDTH_IN, ("web.svg", "print.svg", "image.png"))
NARROW = Sheet("narrow", PHONE_WIDTH_IN, ("web.svg",))
SHEETS = (WIDE, NARROW)


@dataclass(frozen=True)
class Chart:
    kind: str  # alignment-map, curve, matrix, diagram, commitment, timeline, sensitivity
    subject: str  # a dyad id, a triad key, or "all-dyads"
    lang: str
    path: str  # relative to the output folder
    title: str
    alt: str
    texts: str = ""  # every character drawn, so the font subset for print can hold them
    variant: str = WIDE.name  # the Sheet it is drawn for
    width: int = 0  # its own size in CSS px, for the page's <img width height>
    height: int = 0
    min_font_pt: float = 0.0  # its smallest text: at its own size that is min_font_pt * 4/3 CSS px

    @property
    def print_path(self) -> str:
        """The same chart with text kept as text, for handouts that embed our font."""
        return self.path.removesuffix(".svg") + ".print.svg"

    @property
    def png_path(self) -> str:
        """The wide chart as a picture, published beside its SVG."""
        return self.path.removesuffix(".svg") + ".png"

    @property
    def csv_path(self) -> str:
        """The data the chart draws, published beside it."""
        return self.path.removesuffix(".svg") + ".csv"


@dataclass(frozen=True)
class ChartSet:
    charts: tuple[Chart, ...]
    cached: int = 0  # how many came from the store
    # Each chart's store entry (web.svg; a wide chart's also print.svg and image.png), by chart path. Entries are
    # content-addressed: their files are never rewritten, and each is checked before it is copied out or printed.
    entries: tuple[tuple[str, Entry, str], ...] = ()  # (chart path, store entry, store key)

    @cached_property
    def _entries(self) -> dict[str, tuple[Entry, str]]:
        return {path: (entry, key) for path, entry, key in self.entries}

    def entry(self, chart_path: str) -> Entry:
        return self._entries[chart_path][0]

    def key(self, chart_path: str) -> str:
        return self._entries[chart_path][1]

    def print_file(self, chart_path: str) -> Path:
        return self.entry(chart_path).path("print.svg")

    @cached_property
    def _by_folder(self) -> dict[Path, Entry]:
        return {entry.folder.resolve(): entry for _, entry, _ in self.entries}

    def entry_at(self, path: Path) -> Entry:
        """The entry a store file belongs to."""
        return self._by_folder[path.resolve().parent]

    @cached_property
    def _index(self) -> dict[tuple[str, str], list[Chart]]:
        index: dict[tuple[str, str], list[Chart]] = {}
        for chart in self.charts:
            index.setdefault((chart.subject, chart.lang), []).append(chart)
        return index

    def find(self, kind: str, subject: str, lang: str, variant: str = WIDE.name) -> Chart:
        for chart in self._index.get((subject, lang), ()):
            if chart.kind == kind and chart.variant == variant:
                return chart
        raise KeyError((kind, subject, lang, variant))

    def narrow(self, chart: Chart) -> Chart:
        """The phone variant of a (wide) chart."""
        return self.find(chart.kind, chart.subject, chart.lang, NARROW.name)

    def of_subject(self, subject: str, lang: str) -> tuple[Chart, ...]:
        return tuple(self._index.get((subject, lang), ()))


def narrow_media() -> str:
    """The screens a page serves the narrow charts to: those on which the wide chart, scaled to the column,
    would show its smallest text under MIN_READABLE_PX."""
    readable_from = math.ceil(WIDE.width_in * CSS_PX_PER_IN * MIN_READABLE_PX / (MIN_FONT_PT * PX_PER_PT))
    return f"(max-width: {readable_from + FIGURE_INSET_PX - 1}px)"


# ---- text helpers ----------------------------------------------------------------


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


NO_LINE_START = STOPS + CLOSING + PAIR_SEPARATOR  # the strategy pair's dash never starts a line either
NO_LINE_END = OPENING


def wrap(text: str, columns: int) -> str:
    """Wrap by display width. Chinese may break between any two characters; a
    Latin word or number is kept whole; closing punctuation never starts a line
    and opening punctuation never ends one."""
    if not any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text):
        return "\n".join(hyphenated(line, columns) for line in textwrap.wrap(text, columns, break_long_words=False)) or text
    suffix = "|".join(re.escape(LABELS("alliance_suffix", lang).strip()) for lang in LANGUAGES)
    tokens = re.findall(rf"{PAIR}(?:{suffix})?|[A-Za-z0-9.,'&()\-–]+|\s+|.", text)  # 抗衡–避險同盟 stays whole
    lines: list[list[str]] = [[]]
    for token in tokens:
        line = lines[-1]
        if line and width("".join(line) + token.rstrip()) > columns:
            carried: list[str] = []
            if token in NO_LINE_START and line:  # take the previous token along
                carried.insert(0, line.pop())
            while line and line[-1] in NO_LINE_END:
                carried.insert(0, line.pop())
            lines.append(carried)
            if token.isspace() and not carried:
                continue
        lines[-1].append(token)
    return "\n".join("".join(line).strip() for line in lines if "".join(line).strip())


def hyphenated(line: str, columns: int) -> str:
    """A word longer than a whole line is broken with a hyphen ("Philippi-/nes"), never silently."""
    if len(line) <= columns or columns < 4:
        return line
    pieces = []
    while len(line) > columns:
        pieces.append(line[:columns - 1] + "-")
        line = line[columns - 1:]
    return "\n".join([*pieces, line])


def join(items: list[str], lang: str) -> str:
    return LABELS("list_sep", lang).join(items)


def sentence(text: str, lang: str) -> str:
    end = LABELS("sentence_end", lang)
    if TABLE.language(lang).capitalise and text:
        text = text[0].upper() + text[1:]
    return text + end


def short_cite(source: Source, lang: str) -> str:
    """Author and year as a reader cites it: 張謙（2017）or Chang (2017)."""
    suffix = source.id[-1] if source.id[-1].isalpha() and source.id[-2].isdigit() else ""
    author = source.author
    if " (" in author and author.endswith(")"):
        native, romanised = author[:-1].split(" (", 1)
        author = native if TABLE.language(lang).authors == "native" else romanised
    if "," in author:  # "Cho, S. & Mastro, O. S." -> Cho & Mastro
        people = [part.strip() for part in author.replace(", &", " &").split(" & ")]
        surnames = [person.split(",")[0].strip() for person in people]
        if len(surnames) == 1 and author.count(",") > 2:  # "Frohman, B., Rafaelof, E., ..."
            surnames = [author.split(",")[0].strip(), "…"]
        # "Leeds, B. A., Ritter, J. M., … & Long, A. G.": several people before the "&" make three or more.
        several = people[0].count(",") > 1
        name = surnames[0] + " et al." if len(surnames) > 2 or "…" in surnames or several else " & ".join(surnames)
    else:
        name = author
    marks = TABLE.language(lang).punctuation
    return f"{name}{marks.open}{source.year}{suffix}{marks.close}"


def level(level_id: str, lang: str) -> str:
    return FRAMEWORK.level_label(level_id, lang)


def strategy(strategy_id: str, lang: str) -> str:
    return FRAMEWORK.strategy(strategy_id).label.get(lang)


def type_label(alliance: AllianceType, lang: str) -> str:
    return FRAMEWORK.reader_type_label(alliance, lang)


def pair_label(alliance: AllianceType, lang: str) -> str:
    """balancing-hedging -> 抗衡–避險 / balancing–hedging: the type without the word 'alliance'."""
    if "indeterminate" in alliance.strategies:
        return LABELS("type_open", lang)
    return PAIR_SEPARATOR.join(strategy(part, lang) for part in alliance.strategies)


def degree(degree_id: str, lang: str) -> str:
    return FRAMEWORK.degree(degree_id).label.get(lang)


# ---- figure set-up and checks ---------------------------------------------------------


def style(lang: str) -> dict:
    """The charts' look, with the text set in the language's face (generator/languages.yaml)."""
    register_with_matplotlib()
    return {
        "font.family": [TABLE.language(lang).font.family],
        "font.size": 9.5,
        "axes.titlesize": 11,
        "axes.labelsize": 9.5,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "legend.fontsize": 9,
        "axes.edgecolor": INK,
        "axes.labelcolor": INK,
        "text.color": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "hatch.linewidth": 0.8,
        "svg.fonttype": "path",
        "svg.hashsalt": "briefing-charts",
        "axes.unicode_minus": False,
        # Text is what the analyst wrote: "$5 and $6" is not a formula, and a formula's parse
        # error must not put the analyst's text into a message unescaped.
        "text.parse_math": False,
    }


class ChartFigure(Figure):
    """A figure that knows, for the layout check, which texts must stay inside which box and what each
    wrapped text was wrapped from."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owners: list[tuple[TextArtist, Patch]] = []
        self.sources: dict[int, str] = {}  # id of a Text -> the text before it was broken into lines

    def keep_inside(self, text: TextArtist, box: Patch) -> TextArtist:
        self.owners.append((text, box))
        return text

    def broken_from(self, text: TextArtist, source: str) -> TextArtist:
        self.sources[id(text)] = source
        return text

    def source_of(self, text: TextArtist) -> str | None:
        return self.sources.get(id(text))

    def retype(self, text: TextArtist, setter: Callable[[str], str]) -> None:
        """Apply the same typography to a text and to the source it was broken from."""
        if id(text) in self.sources:
            self.sources[id(text)] = setter(self.sources[id(text)])
        text.set_text(setter(text.get_text()))


def new_figure(height_in: float, sheet: Sheet = WIDE) -> ChartFigure:
    figure = ChartFigure(figsize=(sheet.width_in, height_in))
    FigureCanvasAgg(figure)
    return figure


def chart_figure(artist) -> ChartFigure:
    figure = artist.get_figure(root=True) if hasattr(artist, "get_figure") else artist.figure
    if not isinstance(figure, ChartFigure):
        raise TypeError("the chart was not made with new_figure, so its layout cannot be checked")
    return figure


def lines_text(axes, x: float, y: float, source: str, lines: str, **style) -> TextArtist:
    """Draw `lines`, a wrapping of `source`, and remember the source so the layout check can see each break."""
    text = axes.text(x, y, lines, **style)
    chart_figure(axes).broken_from(text, source)
    return text


def boxed_text(axes, box: Patch, x: float, y: float, words: str, source: str | None = None, **style) -> TextArtist:
    """Draw words that belong inside box (already added): the layout check fails if they leave it."""
    text = axes.text(x, y, words, **style)
    figure = chart_figure(axes)
    if source is not None:
        figure.broken_from(text, source)
    return figure.keep_inside(text, box)


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """How wide a line is drawn, in points, in the chart font (the style's, so call it while drawing)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(text, FontProperties(size=size, weight=weight), ismath=False)[0]


def fitted(text: str, width_pt: float, size: float, weight: str = "normal") -> str:
    """The text wrapped into as few lines as keep each line within width_pt, measured. Chinese wraps as `wrap`
    does; other text breaks at a space, then after a dash (balancing–/balancing), and a word wider than the
    line with a hyphen."""
    if any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text):
        for columns in range(max(width(text), 1), 1, -1):
            lines = wrap(text, columns)
            if all(text_width(line, size, weight) <= width_pt for line in lines.split("\n")):
                return lines
        return wrap(text, 2)

    def packed(pieces: list[str]) -> list[str]:
        broken = [""]
        for piece in pieces:
            if broken[-1] and text_width((broken[-1] + piece).rstrip(), size, weight) > width_pt:
                broken.append("")
            broken[-1] += piece
        return [line.strip() for line in broken if line.strip()]

    # Break at spaces; only a line still too wide breaks after a dash too (flips to: / balancing–balancing).
    spaced: list[str] = []
    for line in packed(re.split(r"(?<=\s)", text)):
        spaced.extend([line] if text_width(line, size, weight) <= width_pt else packed(re.split(r"(?<=[\s–])", line)))
    broken_lines: list[str] = []
    for line in spaced:
        # A word wider than the whole line is broken with a hyphen, at the last letter that fits.
        while text_width(line, size, weight) > width_pt and len(line) > 5:  # at least three letters on either side
            cut = next((n for n in range(len(line) - 3, 2, -1) if text_width(line[:n] + "-", size, weight) <= width_pt), 3)
            broken_lines.append(line[:cut] + "-")
            line = line[cut:]
        broken_lines.append(line)
    return "\n".join(broken_lines)


def lines_in(text: str) -> int:
    return text.count("\n") + 1


def point_axes(figure: Figure) -> Axes:
    """An invisible axes over the whole figure, in points from the top left: for layouts stacked line by line."""
    axes = figure.add_axes((0, 0, 1, 1))
    tidy_axes(axes)
    axes.set_xlim(0, figure.get_figwidth() * PT_PER_IN)
    axes.set_ylim(figure.get_figheight() * PT_PER_IN, 0)
    axes.patch.set_visible(False)
    return axes


def smallest_font(figure: Figure) -> float:
    return min((artist.get_fontproperties().get_size_in_points() for artist in visible_texts(figure)), default=0.0)


def visible_texts(figure: Figure) -> list[TextArtist]:
    texts = []
    for artist in figure.findobj(TextArtist):
        if artist.get_visible() and artist.get_text().strip() and artist.figure is figure:
            texts.append(artist)
    return texts


def check_layout(figure: Figure, name: str) -> None:
    """Warn about text that overlaps other text, leaves the picture, or is too small."""
    # Lays the figure out and measures text without painting pixels: a third of the cost of a full draw.
    figure.draw_without_rendering()
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError(f"{name}: the figure has no Agg canvas to measure its text with; make it with new_figure")
    renderer = canvas.get_renderer()
    page = figure.bbox
    boxes = []
    for artist in visible_texts(figure):
        if artist.get_fontproperties().get_size_in_points() < MIN_FONT_PT:
            warnings.warn(f"{name}: '{artist.get_text()}' is set below {MIN_FONT_PT} pt", LabelOverlapWarning, stacklevel=2)
        # The text alone: an annotation's own extent also covers its leader line.
        box = TextArtist.get_window_extent(artist, renderer).padded(-1.0)
        if box.x0 < page.x0 - 1 or box.y0 < page.y0 - 1 or box.x1 > page.x1 + 1 or box.y1 > page.y1 + 1:
            warnings.warn(f"{name}: '{artist.get_text()}' runs outside the picture", LabelOverlapWarning, stacklevel=2)
        boxes.append((artist.get_text(), box))
        for word in broken_words(artist.get_text(), figure.source_of(artist) if isinstance(figure, ChartFigure) else None):
            warnings.warn(f"{name}: '{word}' is broken across lines without a hyphen", LabelOverlapWarning, stacklevel=2)
    for index, (text, box) in enumerate(boxes):
        for other_text, other in boxes[index + 1:]:
            if box.overlaps(other):
                warnings.warn(f"{name}: '{text}' overlaps '{other_text}'", LabelOverlapWarning, stacklevel=2)
    for artist, owner in figure.owners if isinstance(figure, ChartFigure) else ():
        if not artist.get_visible():
            continue
        inner, outer = TextArtist.get_window_extent(artist, renderer), owner.get_window_extent(renderer)
        if inner.x0 < outer.x0 - 0.5 or inner.y0 < outer.y0 - 0.5 or inner.x1 > outer.x1 + 0.5 or inner.y1 > outer.y1 + 0.5:
            warnings.warn(f"{name}: '{artist.get_text()}' leaves its box", LabelOverlapWarning, stacklevel=2)


def is_word_character(character: str) -> bool:
    """A letter or digit of a script that breaks lines only between words (Latin, Cyrillic, ...), not Han or kana."""
    return character.isalnum() and unicodedata.east_asian_width(character) not in ("W", "F")


def broken_words(lines: str, source: str | None) -> list[str]:
    """The words `lines` breaks without a hyphen, as 'Philippi|nes'. `source` is the text before it was broken into
    lines (None: not recorded). A break is fine at a space of the source, where the source itself breaks, after a
    dash or an added hyphen, and next to Han. Without a source every break between two letters is reported: a
    wrapped text must say what it was wrapped from."""
    def word_at(before: str, after: str) -> str:
        left = re.search(r"\w*$", before)
        right = re.match(r"\w*", after)
        return f"{left.group() if left else ''}|{right.group() if right else ''}"

    if source is None:
        return [word_at(lines[:m.start()], lines[m.end():]) for m in re.finditer("\n", lines)
                if m.start() and is_word_character(lines[m.start() - 1]) and is_word_character(lines[m.end():m.end() + 1])]
    found = []
    i = j = 0
    while j < len(lines):
        character = lines[j]
        if i < len(source) and character == source[i]:
            i, j = i + 1, j + 1
        elif character == "\n" and i < len(source) and source[i].isspace():  # broken at a space
            while i < len(source) and source[i].isspace():
                i += 1
            j += 1
        elif character == "\n":  # broken between two characters
            if j and is_word_character(lines[j - 1]) and is_word_character(source[i:i + 1]):
                found.append(word_at(lines[:j], source[i:]))
            j += 1
        elif character == "-" and lines[j + 1:j + 2] == "\n":  # a hyphen the wrapping added
            j += 2
        else:
            return [f"{lines!r} (not a line breaking of {source!r})"]
    return found


SVG_FONTTYPE = {"web.svg": "path", "print.svg": "none"}  # the web's text as outlines, print's as text in our font
PNG_DPI = 200  # 1,260 px across: sharp on a slide or a page


def to_files(figure: Figure, name: str, files: tuple[str, ...] = WIDE.files) -> dict[str, bytes]:
    """The chart's files: the web SVG (text as outlines), for print the SVG with text as text, and the PNG."""
    check_layout(figure, name)
    outputs = {}
    for file in files:
        buffer = io.BytesIO()
        if file.endswith(".png"):  # no software or date in the file: the same chart gives the same bytes
            # Fast compression: a third less time than zlib's default for 10 % more bytes (56 against 85 ms a chart).
            figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None},
                           pil_kwargs={"compress_level": 1})
        else:
            with matplotlib.rc_context({"svg.fonttype": SVG_FONTTYPE[file]}):
                figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": "briefing"})
        outputs[file] = buffer.getvalue()
    return outputs


def tidy_axes(axes, *, frame: bool = False) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(frame)


# ---- 1. alignment map (Figure 1) -------------------------------------------------------


def draw_alignment_map(analysis: Analysis, triad: TriadResult, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    members = LABELS("name_sep", lang).join(names[a] for a in triad.actors)
    title = LABELS("chart_alignment_map", lang, members=members, external=names[triad.external])
    dyads = {tuple(sorted(r.dyad.actors)): r for r in analysis.dyads if r.dyad.id in triad.dyads}
    pairs = [(triad.actors[0], triad.actors[1]), (triad.actors[0], triad.actors[2]), (triad.actors[1], triad.actors[2])]
    sep = LABELS("list_sep", lang)

    def roles(result: DyadResult) -> list[str]:
        """Who plays which strategy in the pair, and under what external threat, in the order of its A–B label."""
        threat = {t.actor: t.external for t in result.dyad.threats}
        return [LABELS("actor_plays", lang, actor=names[p.actor], strategy=strategy(p.strategy, lang),
                       level=level(threat[p.actor], lang)) for p in result.positions]

    def cohesion_of(result: DyadResult) -> str:
        return LABELS("cohesion_is", lang, cohesion=degree(result.cohesion, lang))

    legend = LABELS("legend_cohesion", lang) + sep + LABELS("legend_external_link", lang)
    # The edges carry numbers and a key below the triangle says who plays what in each pair, under which external
    # threat: in the picture, three such labels crowd the triangle even at the page's width.
    margin, line = 6.0, 9 * 1.3
    key_width = sheet.width_pt - 2 * margin - 16
    pair_keys = []
    for pair in pairs:
        result = dyads[tuple(sorted(pair))]
        source = (result.dyad.title.get(lang) + LABELS("colon", lang) + LABELS("name_sep", lang).join(roles(result))
                  + sep + cohesion_of(result))
        pair_keys.append((source, fitted(source, key_width, 9)))
    legend_lines = fitted(legend, sheet.width_pt - 2 * margin, 9)
    triangle_pt = 210.0 if sheet.narrow else 235.0
    key_pt = sum(lines_in(key) * line + 5 for _, key in pair_keys)
    height_pt = triangle_pt + 6 + key_pt + 6 + lines_in(legend_lines) * line + margin
    figure = new_figure(height_pt / PT_PER_IN, sheet)
    axes = figure.add_axes((0, 1 - triangle_pt / height_pt, 1, triangle_pt / height_pt))
    tidy_axes(axes)
    if sheet.narrow:
        axes.set_xlim(-0.4, 2.8)
        axes.set_ylim(-0.4, 2.55)
        corners = {triad.actors[0]: (0.0, 0.0), triad.actors[1]: (2.4, 0.0), triad.actors[2]: (0.75, 1.75)}
        outside = (2.2, 2.1)
        node_size = 1500
    else:
        axes.set_xlim(-1.0, 4.6)
        axes.set_ylim(-0.35, 2.3)
        corners = {triad.actors[0]: (0.0, 0.0), triad.actors[1]: (2.4, 0.0), triad.actors[2]: (1.2, 1.95)}
        outside = (3.85, 1.95)
        node_size = 1900
    text = point_axes(figure)
    y = triangle_pt + 6
    for number, (source, key) in enumerate(pair_keys, start=1):
        text.text(margin + 7, y, str(number), ha="center", va="top", fontsize=9, fontweight="bold")
        lines_text(text, margin + 16, y, source, key, ha="left", va="top", fontsize=9, linespacing=1.3)
        y += lines_in(key) * line + 5
    lines_text(text, margin, y + 6, legend, legend_lines, ha="left", va="top", fontsize=9, color=MUTED, linespacing=1.3)
    for point in corners.values():
        axes.plot([point[0], outside[0]], [point[1], outside[1]], linestyle=(0, (4, 3)), color=MUTED, linewidth=1, zorder=1)
    edge_notes = []
    for index, pair in enumerate(pairs):
        result = dyads[tuple(sorted(pair))]
        (x0, y0), (x1, y1) = corners[pair[0]], corners[pair[1]]
        bound = FRAMEWORK.degree(result.cohesion).upper_bound
        line_style = (0, (1, 2)) if bound is None else "solid"
        axes.plot([x0, x1], [y0, y1], color=INK, linewidth=COHESION_WIDTH[bound], linestyle=line_style, zorder=2,
                  solid_capstyle="round")
        middle = ((x0 + x1) / 2, (y0 + y1) / 2)
        axes.scatter([middle[0]], [middle[1]], s=200, color="white", edgecolors=INK, linewidths=1, zorder=5)
        axes.text(middle[0], middle[1], str(index + 1), ha="center", va="center", fontsize=9, fontweight="bold", zorder=6)
        edge_notes.append(LABELS("alt_map_edge", lang, title=result.dyad.title.get(lang),
                                 type=type_label(result.type, lang), cohesion=degree(result.cohesion, lang)))
    for actor, (x, y) in corners.items():
        axes.scatter([x], [y], s=node_size, color="white", edgecolors=INK, linewidths=1.5, zorder=3)
        name = wrap(names[actor], 8)
        lines_text(axes, x, y, names[actor], name, ha="center", va="center", fontsize=9.5, fontweight="bold", zorder=4,
                   linespacing=1.1)
    axes.scatter([outside[0]], [outside[1]], s=node_size, color="#eeeeee", edgecolors=INK, linewidths=1.2,
                 linestyle="--", zorder=3)
    lines_text(axes, outside[0], outside[1], names[triad.external], wrap(names[triad.external], 8), ha="center",
               va="center", fontsize=9.5, fontweight="bold", zorder=4, linespacing=1.1)
    axes.text(outside[0], outside[1] - 0.5, LABELS("outside_alliance", lang), ha="center", va="center", fontsize=9,
              color=MUTED, zorder=5, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
    verdict_key = "alt_map_verdict_yes" if triad.trilateral_balancing else "alt_map_verdict_no"
    if triad.cohesion_ceiling in FRAMEWORK.level_ids:
        ceiling = level(triad.cohesion_ceiling, lang)
    else:
        ceiling = degree("undetermined", lang)
    verdict = LABELS(verdict_key, lang, commitment=degree(triad.commitment, lang), ceiling=ceiling)
    alt = sentence(join(edge_notes, lang), lang) + LABELS("sentence_gap", lang) + sentence(verdict, lang)
    return figure, title, alt


# ---- 2. threat and alignment curve (Figure 2) -------------------------------------------

CURVE_ORDER = ("hedging", "tethering", "balancing", "bandwagoning")


def curve_y(x: float) -> float:
    return 1 / (1 + math.exp(-1.6 * (x - 2.0)))


def draw_curve(analysis: Analysis, result: DyadResult | None, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    """Figure 2; with a dyad, its two actors placed on the curve."""
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    title = LABELS("chart_curve", lang, title=result.dyad.title.get(lang)) if result else LABELS("figure2_caption", lang)
    if sheet.narrow:  # no title (the page's caption), the axes across the phone's width
        figure = new_figure(3.3, sheet)
        axes = figure.add_axes((0.09, 0.28, 0.83, 0.68))
    else:
        figure = new_figure(3.2, sheet)
        axes = figure.add_axes((0.1, 0.22, 0.86, 0.74))
    xs = [i / 50 for i in range(0, 201)]
    axes.plot(xs, [curve_y(x) for x in xs], color=INK, linewidth=1.6)
    for boundary in (1, 2, 3):
        axes.axvline(boundary, color="#dddddd", linewidth=0.8, zorder=0)
    axes.set_xlim(0, 4)
    axes.set_ylim(-0.2 if sheet.narrow else -0.12, 1.12)  # a shorter picture: room for a label below a point
    ticks = [strategy(s, lang) for s in CURVE_ORDER]
    zone_pt = axes.get_position().width * sheet.width_pt / len(CURVE_ORDER)
    if max(text_width(tick, 9) for tick in ticks) > 0.8 * zone_pt:  # too close to read apart: every other one lower
        ticks = [("\n" if index % 2 else "") + tick for index, tick in enumerate(ticks)]
    axes.set_xticks([0.5, 1.5, 2.5, 3.5], ticks)
    axes.set_yticks([])
    axes.set_xlabel(LABELS("threat_level", lang) + " →")
    axes.set_ylabel(LABELS("alignment_tendency", lang) + " →")
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    places = []
    used: dict[float, int] = {}
    for index, position in enumerate(result.positions if result else ()):
        if position.strategy in CURVE_ORDER:
            x = CURVE_ORDER.index(position.strategy) + 0.5
        else:
            x = 2.0  # indeterminate: on the line between tethering and balancing
        shift = used.get(x, 0)
        used[x] = shift + 1
        x += 0.28 * shift
        y = curve_y(x)
        style_ = STRATEGY_STYLE[position.strategy]
        axes.scatter([x], [y], s=110, marker=ACTOR_SHAPES[index][0], color=style_["color"], edgecolors=INK,
                     linewidths=1.2, zorder=3)
        marks = TABLE.language(lang).punctuation
        label = f"{names[position.actor]}{marks.open}{position.cell}{marks.close}"
        # First actor above-left, second below-right, so two labels never meet;
        # near an edge the label turns back into the picture.
        above = index == 0
        rightward = x < 1.0 if above else x <= 3.0
        axes.annotate(label, (x, y), xytext=(12 if rightward else -12, 22 if above else -22), textcoords="offset points",
                      ha="left" if rightward else "right", va="center", fontsize=9.5,
                      arrowprops={"arrowstyle": "-", "color": MUTED, "linewidth": 0.8})
        places.append(LABELS("actor_place", lang, actor=names[position.actor], external=level(position.external, lang),
                             internal=level(position.internal, lang),
                             place=LABELS("cell_strategy", lang, cell=position.cell, strategy=strategy(position.strategy, lang))))
    figure.text(0.02, 0.025, LABELS("source_note", lang, source="Weitsman (2004: 20)"), fontsize=9, color=MUTED)
    if result is None:
        order = TABLE.language(lang).punctuation.arrow.join(strategy(s, lang) for s in CURVE_ORDER)
        return figure, title, sentence(LABELS("alt_curve_framework", lang, order=order), lang)
    alt = sentence(join(places + [LABELS("dyad_is", lang, type=type_label(result.type, lang))], lang), lang)
    return figure, title, alt


# ---- 3. the Table 2 matrix --------------------------------------------------------------


def draw_matrix(analysis: Analysis, result: DyadResult, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    """Table 2 with the dyad's actors in their cells. A cell's fill is its strategy; an actor's shape is the actor
    and its fill the strategy it plays; in a cell with a choice, the option each actor took is set in bold after
    its shape."""
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    title = LABELS("chart_matrix", lang, title=result.dyad.title.get(lang))
    footnote = LABELS("legend_main", lang) + LABELS("list_sep", lang) + LABELS("legend_other", lang)
    margin = 6.0
    if sheet.narrow:
        # The axis labels above and left, cells taller than wide (a choice cell lists its options one to a line),
        # the legend and the note on readings below, wrapped to the width.
        top, left, cell_height, legend_height = 38.0, 62.0, 84.0, 18.0
        cell_width = (sheet.width_pt - left - margin) / 3
        places_in_cell = {"id": 0.08, "words": 0.48, "marker": 0.85}
        marker_size = 110
    else:
        top, left, cell_height, legend_height = 40.0, 78.0, 80.0, 18.0
        cell_width = (sheet.width_pt - left - margin) / 3
        places_in_cell = {"id": 0.1, "words": 0.42, "marker": 0.78}
        marker_size = 150
    footnote_lines = fitted(footnote, sheet.width_pt - 2 * margin, 9)
    bottom = margin + lines_in(footnote_lines) * 9 * 1.3 + 6 + legend_height + 6
    height_pt = top + 3 * cell_height + bottom
    figure = new_figure(height_pt / PT_PER_IN, sheet)
    axes = figure.add_axes((left / sheet.width_pt, bottom / height_pt, 3 * cell_width / sheet.width_pt,
                            3 * cell_height / height_pt))
    legend_at = ((margin - left) / (3 * cell_width), -6 / (3 * cell_height))
    levels = FRAMEWORK.level_ids
    axes.set_xlim(0, 3)
    axes.set_ylim(3, 0)  # external low at the top, as Table 2 prints it
    line = 9 * 1.3 / cell_height  # a line of 9-pt text, in cells
    taken: dict[str, list[tuple[int, str]]] = {}  # cell id -> (actor index, strategy) of actors in a choice cell
    for index, position in enumerate(result.positions):
        if FRAMEWORK.cell(position.external, position.internal).strategy is None:
            taken.setdefault(position.cell, []).append((index, position.strategy))
    for cell in FRAMEWORK.cells:
        column, row = levels.index(cell.internal), levels.index(cell.external)
        if cell.strategy is None:
            fill, hatch, alpha = "#f2f2f2", "", 1.0
        else:
            look = STRATEGY_STYLE[cell.strategy]
            fill, hatch, alpha = look["color"], look["hatch"], 0.28
        axes.add_patch(Rectangle((column, row), 1, 1, facecolor=fill, alpha=alpha, edgecolor="none"))
        axes.add_patch(Rectangle((column, row), 1, 1, facecolor="none", hatch=hatch, edgecolor="#999999", linewidth=0))
        frame = axes.add_patch(Rectangle((column, row), 1, 1, facecolor="none", edgecolor=INK, linewidth=1))
        boxed_text(axes, frame, column + 0.07, row + places_in_cell["id"], cell.id, ha="left", va="top", fontsize=12,
                   fontweight="bold")
        options = []  # (words, lines, weight) of each option, stacked around the cell's word line
        for option in [cell.strategy] if cell.strategy else cell.choice:
            takers = [ACTOR_SHAPES[index][1] for index, chosen in taken.get(cell.id, ()) if chosen == option]
            words = ("".join(takers) + " " if takers else "") + strategy(option, lang)
            weight = "bold" if takers else "normal"
            options.append((words, fitted(words, cell_width - 8, 9, weight), weight))
        y = row + places_in_cell["words"] - sum(lines_in(lines) for _, lines, _ in options) * line / 2
        for words, lines, weight in options:
            boxed_text(axes, frame, column + 0.5, y, lines, words, ha="center", va="top", fontsize=9, linespacing=1.15,
                       fontweight=weight,
                       bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})
            y += lines_in(lines) * line
    axes.set_xticks([0.5, 1.5, 2.5], [level(level_id, lang) for level_id in levels])
    axes.set_yticks([0.5, 1.5, 2.5], [level(level_id, lang) for level_id in levels])
    axes.xaxis.set_ticks_position("top")
    axes.xaxis.set_label_position("top")
    for tick in axes.get_xticklabels():
        tick.set_verticalalignment("baseline")
    # The arrows point the way the levels rise: rightwards across, downwards (as Table 2 prints them) down.
    axes.set_xlabel(LABELS("internal_threat_axis", lang) + " →")
    axes.set_ylabel(LABELS("external_threat_axis", lang) + " →", rotation=270, va="center", ha="center")
    axes.yaxis.set_label_coords(-(left - margin - 5) / (3 * cell_width), 0.5)
    axes.tick_params(length=0)
    places = []
    handles = []
    for index, position in enumerate(result.positions):
        threat = result.dyad.threats[index]
        marker = ACTOR_SHAPES[index][0]
        colour = STRATEGY_STYLE[position.strategy]["color"]
        offset = 0.33 if index == 0 else 0.67
        column, row = levels.index(position.internal), levels.index(position.external)
        handle = axes.scatter([column + offset], [row + places_in_cell["marker"]], s=marker_size, marker=marker,
                              color=colour, edgecolors=INK, linewidths=1.2, zorder=4, label=names[position.actor])
        handles.append(handle)
        alternatives = []
        for external in (threat.external,) + threat.alternative_levels("external"):
            for internal in (threat.internal,) + threat.alternative_levels("internal"):
                if (external, internal) == (threat.external, threat.internal):
                    continue
                other = FRAMEWORK.cell(external, internal)
                axes.scatter([levels.index(internal) + offset], [levels.index(external) + places_in_cell["marker"]],
                             s=marker_size, marker=marker, facecolors="white", edgecolors=INK, linewidths=1.4, zorder=4)
                if other.strategy:
                    other_words = strategy(other.strategy, lang)
                else:
                    other_words = "／".join(strategy(s, lang) for s in other.choice)
                alternatives.append(LABELS("other_reading", lang,
                                           place=LABELS("cell_strategy", lang, cell=other.id, strategy=other_words)))
        places.append(LABELS("actor_place", lang, actor=names[position.actor], external=level(position.external, lang),
                             internal=level(position.internal, lang),
                             place=LABELS("cell_strategy", lang, cell=position.cell, strategy=strategy(position.strategy, lang))))
        places.extend(alternatives)
    legend = axes.legend(handles=handles, loc="upper left", bbox_to_anchor=legend_at, ncol=len(handles) + 1,
                         frameon=False, handletextpad=0.3, columnspacing=1.2)
    legend.set_in_layout(False)
    text = point_axes(figure)
    lines_text(text, margin, height_pt - margin, footnote, footnote_lines, ha="left", va="bottom", fontsize=9,
               color=MUTED, linespacing=1.3)
    alt = sentence(join(places + [LABELS("dyad_is", lang, type=type_label(result.type, lang))], lang), lang)
    return figure, title, alt


# ---- 4. dyad diagram (Figures 3-5) ------------------------------------------------------


def draw_diagram(analysis: Analysis, result: DyadResult, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    dyad = result.dyad
    title = LABELS("chart_diagram", lang, title=dyad.title.get(lang), external=names[dyad.external])
    if sheet.narrow:  # no title (the page's caption), taller, the members' boxes out to the edges
        figure = new_figure(3.3, sheet)
        axes = figure.add_axes((0.02, 0.02, 0.96, 0.96))
    else:
        figure = new_figure(3.4, sheet)
        axes = figure.add_axes((0.02, 0.03, 0.96, 0.95))
    tidy_axes(axes)
    axes.set_xlim(0, 10)
    axes.set_ylim(0, 6)
    # A box holds its actor's name on one line: as wide as the longest name needs, and never less than 2.5.
    unit = 0.96 * sheet.width_pt / 10
    half = max(2.5, max(text_width(names[actor], 10.5, "bold") for actor in (dyad.external, *dyad.actors)) / unit + 0.6) / 2
    if sheet.narrow:
        top, left, right = (5.0, 5.0), (half + 0.05, 1.0), (10 - half - 0.05, 1.0)
    else:
        top, left, right = (5.0, 4.9), (1.8, 1.2), (8.2, 1.2)
    axes.axhline(3.0, color=MUTED, linestyle=(0, (5, 4)), linewidth=1.2)
    axes.text(0.15, 3.2, LABELS("outside_alliance", lang), ha="left", va="bottom", fontsize=9, color=MUTED)
    axes.text(0.15, 2.8, LABELS("inside_alliance", lang), ha="left", va="top", fontsize=9, color=MUTED)
    boxes = ((top, dyad.external, "#eeeeee"), (left, dyad.actors[0], "white"), (right, dyad.actors[1], "white"))
    for (x, y), actor, fill in boxes:
        box = axes.add_patch(Rectangle((x - half, y - 0.45), 2 * half, 0.9, facecolor=fill, edgecolor=INK, linewidth=1.3,
                                       zorder=2))
        boxed_text(axes, box, x, y, names[actor], ha="center", va="center", fontsize=10.5, fontweight="bold", zorder=3)
    notes = []
    spots = (left, right)
    for index, position in enumerate(result.positions):
        start = spots[index]
        partner = spots[1 - index]
        weighs = FRAMEWORK.strategy(position.strategy).weighs
        label = strategy(position.strategy, lang)
        other = dyad.actors[1 - index]
        if weighs == "external":
            # On a phone the boxes reach the edges: the arrow leaves from their inner end, clear of the labels.
            reach = half - 0.4 if sheet.narrow else 0.5
            begin = (start[0] + (reach if index == 0 else -reach), start[1] + 0.5)
            end = (top[0] + (-0.9 if index == 0 else 0.9), top[1] - 0.5)
            text_at = (begin[0] + 0.2 * (end[0] - begin[0]) + (-0.25 if index == 0 else 0.25),
                       begin[1] + 0.2 * (end[1] - begin[1]))
            notes.append(LABELS("weighs_external", lang, actor=names[position.actor], other=names[dyad.external], strategy=label))
        elif weighs == "internal":
            lift = 0.22 if index == 0 else -0.22
            begin = (start[0] + (half + 0.05 if index == 0 else -half - 0.05), start[1] + lift)
            end = (partner[0] + (-half - 0.05 if index == 0 else half + 0.05), partner[1] + lift)
            text_at = ((begin[0] + end[0]) / 2, start[1] + (0.55 if index == 0 else -0.6))
            notes.append(LABELS("weighs_internal", lang, actor=names[position.actor], other=names[other], strategy=label))
        else:
            axes.text(start[0], start[1] + 0.95, f"? {label}", ha="center", va="center", fontsize=9.5, color=MUTED)
            notes.append(LABELS("weighs_nothing", lang, actor=names[position.actor],
                                actor_s=possessive(names[position.actor], lang)))
            continue
        look = STRATEGY_STYLE[position.strategy]
        axes.add_patch(FancyArrowPatch(begin, end, arrowstyle="-|>", mutation_scale=16, linewidth=2.2,
                                       color=look["color"], zorder=1))
        axes.add_patch(FancyArrowPatch(begin, end, arrowstyle="-|>", mutation_scale=16, linewidth=0.6, color=INK,
                                       zorder=1))
        ha = "right" if (weighs == "external" and index == 0) else "left" if weighs == "external" else "center"
        axes.text(text_at[0], text_at[1], f"{label}", ha=ha, va="center", fontsize=10,
                  bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": look["color"]})
    alt = sentence(join(notes + [LABELS("dyad_is", lang, type=type_label(result.type, lang))], lang), lang)
    return figure, title, alt


# ---- 5. commitment and cohesion across dyads -----------------------------------------


COMMITMENT_ROWS = 12  # dyads per commitment chart: a printed page, and a one-dyad edit redraws one part


def commitment_parts(analysis: Analysis) -> list[tuple[str, tuple[DyadResult, ...]]]:
    """The commitment overview in parts of at most COMMITMENT_ROWS dyads, as (subject, dyads).

    One part is the subject "all-dyads"; more are "all-dyads-1", "all-dyads-2", ...
    """
    results = analysis.dyads
    chunks = [results[start:start + COMMITMENT_ROWS] for start in range(0, len(results), COMMITMENT_ROWS)] or [()]
    if len(chunks) == 1:
        return [("all-dyads", chunks[0])]
    return [(f"all-dyads-{number}", chunk) for number, chunk in enumerate(chunks, start=1)]


def commitment_path(subject: str, lang: str) -> str:
    suffix = subject.removeprefix("all-dyads")
    return f"charts/commitment{suffix}.{lang}.svg"


def draw_commitment(analysis: Analysis, lang: str, part: int = 0, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    """Each dyad's commitment and cohesion as bars over the scale."""
    parts = commitment_parts(analysis)
    results = parts[part][1]
    title = LABELS("chart_commitment", lang)
    if len(parts) > 1:
        title = LABELS("chart_commitment_part", lang, title=title, part=part + 1, parts=len(parts))
    rows = [(r.dyad.title.get(lang), r.commitment, r.cohesion) for r in results]
    alt_rows = [LABELS("alt_commitment_row", lang, title=label, commitment=degree(commitment, lang),
                       cohesion=degree(cohesion, lang)) for label, commitment, cohesion in rows]
    return draw_degrees(rows, lang, sheet), title, sentence(join(alt_rows, lang), lang)


TRAJECTORY_ROWS = 12  # assessments in the trajectory, the latest: a printed page at a readable size


def trajectory_stages(result: DyadResult) -> tuple:
    """The assessments the trajectory draws: the latest TRAJECTORY_ROWS, oldest first (the page lists them all)."""
    return result.history[-TRAJECTORY_ROWS:]


def draw_trajectory(analysis: Analysis, result: DyadResult, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    """A dyad's assessments, oldest at the top: each one's date and type, and its commitment and cohesion as bars
    over the scale, so a change reads down the rows."""
    name = result.dyad.title.get(lang)
    stages = trajectory_stages(result)
    title = LABELS("chart_trajectory", lang, title=name)
    if len(stages) < len(result.history):
        title = LABELS("chart_trajectory_latest", lang, title=title, shown=len(stages), count=len(result.history))
    rows = [(LABELS("trajectory_row", lang, date=stage.as_of.isoformat(), type=pair_label(stage.type, lang)),
             stage.commitment, stage.cohesion) for stage in stages]
    alt_rows = [LABELS("alt_trajectory_row", lang, date=stage.as_of.isoformat(), type=type_label(stage.type, lang),
                       commitment=degree(stage.commitment, lang), cohesion=degree(stage.cohesion, lang))
                for stage in stages]
    alt = sentence(LABELS("alt_trajectory", lang, title=name, count=len(result.history), rows=join(alt_rows, lang)),
                   lang)
    return draw_degrees(rows, lang, sheet), title, alt


def draw_degrees(entries: list[tuple[str, str, str]], lang: str, sheet: Sheet) -> Figure:
    """Rows of (label, commitment, cohesion), each degree a bar over the scale. A degree with no fixed level
    (variable) or none that can be judged is a mark, not a bar: a bar would claim the whole scale."""
    rows = max(len(entries), 1)
    scale = [step.id for step in FRAMEWORK.scale]
    margin, line, bar_pt, top = 6.0, 9 * 1.3, 10.0, 22.0
    looks = {"commitment": ("#444444", ""), "cohesion": ("#bbbbbb", "////")}
    measures = {"commitment": 1, "cohesion": 2}  # where each measure sits in an entry
    shown = {FRAMEWORK.degree(entry[measures[measure]]) for entry in entries for measure in looks}
    notes = [LABELS(key, lang) for key, wanted in (("variable_note", any(d.variable for d in shown)),
                                                  ("undetermined_note", any(d.range is None and not d.variable
                                                                                for d in shown))) if wanted]
    note_lines = [fitted(note, sheet.width_pt - 2 * margin, 9) for note in notes]
    legend_pt = 18 + sum(lines_in(note) * line + 3 for note in note_lines)
    if sheet.narrow:
        # Each dyad's title on a line of its own above its two bars, which then take the whole width.
        titles = [fitted(entry[0], sheet.width_pt - 2 * margin, 9) for entry in entries]
        title_pt = max((lines_in(t) for t in titles), default=1) * line
        label_pt = 0.0
    else:
        label_pt = 0.3 * sheet.width_pt
        titles = [fitted(entry[0], label_pt - 10, 9) for entry in entries]
        title_pt = 0.0
    row_pt = max(title_pt + 2 * bar_pt + 20, max((lines_in(t) for t in titles), default=1) * line + 12)
    height_pt = top + rows * row_pt + 8 + legend_pt + margin
    figure = new_figure(height_pt / PT_PER_IN, sheet)
    plot_left = margin + label_pt
    axes = figure.add_axes((plot_left / sheet.width_pt, 1 - (top + rows * row_pt) / height_pt,
                            (sheet.width_pt - plot_left - margin) / sheet.width_pt, rows * row_pt / height_pt))
    bar = bar_pt / row_pt  # in rows
    centres = {"commitment": -0.5 + (title_pt + 8 + bar_pt / 2) / row_pt,
               "cohesion": -0.5 + (title_pt + 12 + 1.5 * bar_pt) / row_pt}
    axes.set_xlim(-0.5, len(scale) - 0.5)
    axes.set_ylim(rows - 0.5, -0.5)
    axes.set_xticks(range(len(scale)), [step.label.get(lang) for step in FRAMEWORK.scale])
    axes.xaxis.set_ticks_position("top")
    for tick in axes.get_xticklabels():  # on one baseline: "high" sat higher than "low" by its g's descender
        tick.set_verticalalignment("baseline")
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.tick_params(length=0)
    text = point_axes(figure)
    for row, ((label, _, _), lines) in enumerate(zip(entries, titles, strict=True)):
        row_top = top + row * row_pt
        if sheet.narrow:
            lines_text(text, margin, row_top + 3, label, lines, ha="left", va="top", fontsize=9,
                       fontweight="bold", linespacing=1.3)
        else:
            lines_text(text, plot_left - 10, row_top + row_pt / 2, label, lines, ha="right",
                       va="center", fontsize=9, linespacing=1.3)
        if row:
            text.plot([margin, sheet.width_pt - margin], [row_top, row_top], color="#e3e3e3", linewidth=0.8)
    for x in range(len(scale)):
        axes.axvline(x, color="#e3e3e3", linewidth=0.8, zorder=0)
    for row, entry in enumerate(entries):
        for measure, (colour, hatch) in looks.items():
            look = FRAMEWORK.degree(entry[measures[measure]])
            y = row + centres[measure]
            if look.range is not None:
                low, high = (FRAMEWORK.scale_rank(step) for step in look.range)
                axes.add_patch(Rectangle((low - 0.18, y - bar / 2), high - low + 0.36, bar, facecolor=colour,
                                         edgecolor=INK, hatch=hatch, linewidth=0.8))
                if look.variable:  # a level, but not a steady one: the mark before the bar
                    axes.text(low - 0.25, y, LABELS("variable_mark", lang), ha="right", va="center", fontsize=9)
            else:
                mark = LABELS(f"variable_{measure}" if look.variable else "undetermined_mark", lang)
                axes.text(-0.45, y, mark, ha="left", va="center", fontsize=9, color=INK if look.variable else MUTED,
                          bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none"})
    handles = [Rectangle((0, 0), 1, 1, facecolor=c, edgecolor=INK, hatch=h, label=LABELS(m, lang))
               for m, (c, h) in looks.items()]
    y = top + rows * row_pt + 8
    legend = text.legend(handles=handles, loc="upper left", bbox_to_anchor=(margin / sheet.width_pt, 1 - y / height_pt),
                         ncol=2, frameon=False, borderaxespad=0, borderpad=0)
    legend.set_in_layout(False)
    y += 18
    for note, lines in zip(notes, note_lines, strict=True):
        lines_text(text, margin, y, note, lines, ha="left", va="top", fontsize=9, color=MUTED, linespacing=1.3)
        y += lines_in(lines) * line + 3
    return figure


# ---- 6. evidence timeline ---------------------------------------------------------------


MAX_TIMELINE_EVENTS = 40  # a legible page; the layout check grows faster than the count (400 events took 7.7 s)


def timeline_events(dataset, result: DyadResult) -> tuple[tuple[Event, ...], int]:
    """The events a dyad's timeline numbers (the latest; the events page lists them all), and how many it has."""
    recorded: tuple[Event, ...] = dataset.events_of(result.dyad)
    return recorded[-MAX_TIMELINE_EVENTS:], len(recorded)


def spread(wanted: list[float], apart: float, low: float, high: float) -> list[float]:
    """Places as near to `wanted` (sorted) as they can be while at least `apart` from each other and within
    [low, high]: each run of crowded places is centred on the places it wants."""
    groups: list[list[float]] = []  # each: [start, count, sum of wanted]
    for x in wanted:
        groups.append([x, 1, x])
        while len(groups) > 1:
            before, current = groups[-2], groups[-1]
            current[0] = min(max(current[2] / current[1] - (current[1] - 1) * apart / 2, low),
                             high - (current[1] - 1) * apart)
            if before[0] + before[1] * apart <= current[0]:
                break
            before[1] += current[1]
            before[2] += current[2]
            groups.pop()
        last = groups[-1]
        last[0] = min(max(last[2] / last[1] - (last[1] - 1) * apart / 2, low), high - (last[1] - 1) * apart)
    return [start + n * apart for start, count, _ in groups for n in range(int(count))]


def draw_timeline(analysis: Analysis, result: DyadResult, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    """The strip of numbered events. Their dates, titles and sources are text beside the picture (the page's
    and the handout's list), where a reader can read, search and copy them at any width."""
    dataset = analysis.dataset
    events, count = timeline_events(dataset, result)
    title = LABELS("chart_timeline", lang, title=result.dyad.title.get(lang))
    head = 0.1
    strip_pt = 0.9 * sheet.width_pt
    if not events:
        figure = new_figure(head + 0.95, sheet)
        strip = figure.add_axes((0.06, 0.4 / figure.get_figheight(), 0.9, 0.55 / figure.get_figheight()))
        tidy_axes(strip)
        strip.text(0.5, 0.5, LABELS("no_events", lang), ha="center", va="center", fontsize=10, color=MUTED)
        alt = sentence(LABELS("alt_timeline_empty", lang, title=result.dyad.title.get(lang)), lang)
        return figure, title, alt
    first, last = events[0].date, events[-1].date
    start_year, end_year = first.year, last.year + 1
    span = (end_year - start_year) * 365.25
    dates = [((event.date - first.replace(month=1, day=1)).days) / span for event in events]
    # Each event is a dot at its date on the axis; its number sits in a row above, spread so that no two numbers
    # meet, with a leader down to the dot. Numbers that cannot all fit one row take turns in more rows.
    unit_pt = strip_pt / 1.04  # the strip's x runs from -0.02 to 1.02
    apart, radius = 18 / unit_pt, 8 / unit_pt  # a number's circle is 15 pt wide
    room = 1.04 - 2 * radius
    rows = max(1, math.ceil(len(events) * apart / room))
    places = [0.0] * len(events)
    for row in range(rows):
        members = list(range(row, len(events), rows))
        places_in_row = spread([dates[index] for index in members], apart, -0.02 + radius, 1.02 - radius)
        for index, place in zip(members, places_in_row, strict=True):
            places[index] = place
    strip_height = 0.3 + 0.24 * rows
    figure = new_figure(head + strip_height + 0.4, sheet)
    height = figure.get_figheight()
    strip = figure.add_axes((0.06, 0.4 / height, 0.9, strip_height / height))
    for spine in ("left", "right", "top"):
        strip.spines[spine].set_visible(False)
    strip.set_yticks([])
    strip.set_xlim(-0.02, 1.02)
    years = list(range(start_year, end_year + 1))
    step = max(1, math.ceil(len(years) / (strip_pt // 48)))  # a year label every 48 pt at most
    strip.set_xticks([(y - start_year) / (end_year - start_year) for y in years[::step]], [str(y) for y in years[::step]])
    strip.set_ylim(0, rows + 0.6)
    for number, (date_at, place) in enumerate(zip(dates, places, strict=True), start=1):
        row = (number - 1) % rows
        y = rows - row  # the first row highest, so leaders of lower rows stay short
        strip.plot([date_at, place], [0.05, y - 0.22], color=MUTED, linewidth=0.7, zorder=1)
        strip.scatter([date_at], [0.05], s=14, color=INK, zorder=2, clip_on=False)
        strip.scatter([place], [y], s=200, color="white", edgecolors=INK, linewidths=1, zorder=3, clip_on=False)
        strip.text(place, y, str(number), ha="center", va="center", fontsize=9, zorder=4)
    latest = events[-1]
    alt = sentence(LABELS("alt_timeline", lang, count=len(events), first=first.isoformat(), last=last.isoformat(),
                          latest_date=latest.date.isoformat(), latest=latest.title.get(lang)), lang)
    if count > len(events):
        alt += LABELS("sentence_gap", lang) + LABELS("timeline_latest_only", lang, shown=len(events), count=count)
    return figure, title, alt


# ---- 7. sensitivity --------------------------------------------------------------------------


def draw_sensitivity(analysis: Analysis, result: DyadResult, lang: str, sheet: Sheet = WIDE) -> tuple[Figure, str, str]:
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    dyad = result.dyad
    title = LABELS("chart_sensitivity", lang, title=dyad.title.get(lang))
    flips = {(f.actor, f.level, f.to_level): f for f in result.flips}
    rows = [(threat, kind) for threat in dyad.threats for kind in ("external", "internal")]
    levels = FRAMEWORK.level_ids
    steps = ((-1, LABELS("step_down", lang)), (1, LABELS("step_up", lang)))

    def row_label(threat, kind: str) -> str:
        return LABELS("level_of", lang, actor=names[threat.actor], kind=FRAMEWORK.kind_label(kind, lang),
                      level=level(getattr(threat, kind), lang))

    def step_box(threat, kind: str, step: int) -> tuple[str, str, str, str]:
        """What one step of one level does: (fill, hatch, words, text colour)."""
        current = getattr(threat, kind)
        index = levels.index(current) + step
        if not 0 <= index < len(levels):
            return "#f5f5f5", "", LABELS("no_step_down" if step < 0 else "no_step_up", lang), MUTED
        flip = flips.get((threat.actor, kind, levels[index]))
        arrow = f"{level(current, lang)} → {level(levels[index], lang)}"
        if flip:
            return "#fbe3d6", "////", f"{arrow}\n" + LABELS("flips_to", lang, type=pair_label(flip.type, lang)), INK
        return "white", "", f"{arrow}\n" + LABELS("type_unchanged", lang), MUTED

    def fit_box(look: tuple[str, str, str, str], box_pt: float) -> tuple[str, str, str, str, str]:
        """(fill, hatch, the words as lines, text colour, the words)"""
        face, hatch, words, colour = look
        return face, hatch, "\n".join(fitted(part, box_pt - 24, 9) for part in words.split("\n")), colour, words

    def draw_box(axes, x: float, y: float, w: float, h: float, look: tuple[str, str, str, str, str]) -> None:
        face, hatch, lines, colour, words = look
        box = axes.add_patch(Rectangle((x, y), w, h, facecolor=face, edgecolor=INK if hatch else "#cccccc", hatch=hatch,
                                       linewidth=1.2 if hatch else 0.8))
        boxed_text(axes, box, x + w / 2, y + h / 2, lines, words, ha="center", va="center", fontsize=9, color=colour,
                   linespacing=1.15,
                   bbox={"boxstyle": "round,pad=0.1", "facecolor": face, "edgecolor": "none"} if hatch else None)

    summary = LABELS("robust_yes", lang) if result.robust else ""
    if sheet.narrow:
        # One row per level, stacked: its label across the width, then the two steps side by side under it.
        margin, gap, line = 6.0, 8.0, 9 * 1.3
        box_width = (sheet.width_pt - 2 * margin - gap) / 2
        sources = [row_label(threat, kind) for threat, kind in rows]
        labels = [fitted(source, sheet.width_pt - 2 * margin, 9) for source in sources]
        looks = [[fit_box(step_box(threat, kind, step), box_width) for step, _ in steps] for threat, kind in rows]
        box_heights = [max(lines_in(look[2]) for look in row) * 9 * 1.15 * 1.2 + 12 for row in looks]
        summary_lines = fitted(summary, sheet.width_pt - 2 * margin, 9) if summary else ""
        height_pt = (margin + 22 + sum(lines_in(label) * line + 4 + box + 12 for label, box in zip(labels, box_heights,
                                                                                                   strict=True))
                     + (lines_in(summary_lines) * line + 4 if summary else 0) + margin)
        figure = new_figure(height_pt / PT_PER_IN, sheet)
        axes = point_axes(figure)
        columns = [margin + box_width / 2, margin + box_width + gap + box_width / 2]
        for column, (_, words) in zip(columns, steps, strict=True):
            axes.text(column, margin + 8, words, ha="center", va="center", fontsize=9.5, fontweight="bold")
        y = margin + 22
        for source, label, row_looks, box_height in zip(sources, labels, looks, box_heights, strict=True):
            lines_text(axes, margin, y, source, label, ha="left", va="top", fontsize=9, linespacing=1.3)
            y += lines_in(label) * line + 4
            for column, look in zip(columns, row_looks, strict=True):
                draw_box(axes, column - box_width / 2, y, box_width, box_height, look)
            y += box_height + 12
        if summary:
            lines_text(axes, margin, y, summary, summary_lines, ha="left", va="top", fontsize=9, color=MUTED,
                       linespacing=1.3)
    else:
        box_pt = 3.1 * 0.096 * sheet.width_pt
        looks = [[fit_box(step_box(threat, kind, step), box_pt) for step, _ in steps] for threat, kind in rows]
        most = max(lines_in(look[2]) for row_looks in looks for look in row_looks)
        pitch = 0.62 if most < 3 else 0.78  # a row as tall as its boxes need: three lines take more
        figure = new_figure(0.85 + pitch * len(rows), sheet)
        height = figure.get_figheight()
        axes = figure.add_axes((0.02, 0.35 / height, 0.96, 1 - 0.45 / height))
        tidy_axes(axes)
        axes.set_xlim(0, 10)
        axes.set_ylim(len(rows) + 0.9, 0)
        columns = [5.1, 8.3]
        for column, (_, words) in zip(columns, steps, strict=True):
            axes.text(column, 0.45, words, ha="center", va="center", fontsize=9.5, fontweight="bold")
        for row, ((threat, kind), row_looks) in enumerate(zip(rows, looks, strict=True), start=1):
            label = row_label(threat, kind)
            lines_text(axes, 0.1, row + 0.45, label, fitted(label, 0.33 * sheet.width_pt, 9), ha="left", va="center",
                       fontsize=9)
            for column, look in zip(columns, row_looks, strict=True):
                draw_box(axes, column - 1.55, row + 0.06, 3.1, 0.82, look)
        if summary:
            figure.text(0.02, 0.1 / height + 0.02, summary, fontsize=9, color=MUTED)
    names_flips = [
        LABELS("alt_flip", lang, actor=names[f.actor], actor_s=possessive(names[f.actor], lang),
               kind=FRAMEWORK.kind_label(f.level, lang), before=level(f.from_level, lang),
               after=level(f.to_level, lang), type=type_label(f.type, lang))
        for f in result.flips
    ]
    if result.robust:
        alt = LABELS("alt_sensitivity_robust", lang, title=dyad.title.get(lang), type=type_label(result.type, lang))
    else:
        alt = LABELS("alt_sensitivity_flips", lang, title=dyad.title.get(lang), type=type_label(result.type, lang),
                     count=len(result.flips), flips=join(names_flips, lang))
    return figure, title, sentence(alt, lang)


# ---- the data behind each chart ----------------------------------------------------------------


def chart_table(analysis: Analysis, chart: Chart) -> list[list[str]]:
    """The data a chart draws, as a table in the chart's language (its CSV download): the header, then a row per
    thing drawn."""
    lang = chart.lang
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}

    def header(*keys: str) -> list[str]:
        return [LABELS(f"csv_{key}", lang) for key in keys]

    def positions(result: DyadResult) -> list[list[str]]:
        return [[names[p.actor], level(p.external, lang), level(p.internal, lang), p.cell, strategy(p.strategy, lang)]
                for p in result.positions]

    if chart.kind == "curve" and chart.subject == "framework":
        return [header("order", "strategy"), *([str(n), strategy(s, lang)] for n, s in enumerate(CURVE_ORDER, 1))]
    if chart.kind == "commitment":
        results = dict(commitment_parts(analysis))[chart.subject]
        return [header("dyad", "type", "commitment", "cohesion"),
                *([r.dyad.title.get(lang), type_label(r.type, lang), degree(r.commitment, lang), degree(r.cohesion, lang)]
                  for r in results)]
    if chart.kind == "alignment-map":
        triad = next(t for t in analysis.triads if triad_key(t) == chart.subject)
        rows = [header("dyad", "actor", "external", "strategy", "cohesion")]
        for dyad_id in triad.dyads:
            result = analysis.dyad(dyad_id)
            rows.extend([result.dyad.title.get(lang), names[p.actor], level(p.external, lang), strategy(p.strategy, lang),
                         degree(result.cohesion, lang)] for p in result.positions)
        return rows
    result = analysis.dyad(chart.subject)
    if chart.kind == "trajectory":
        return [header("date_assessed", "type", "commitment", "cohesion"),
                *([stage.as_of.isoformat(), type_label(stage.type, lang), degree(stage.commitment, lang),
                   degree(stage.cohesion, lang)] for stage in trajectory_stages(result))]
    if chart.kind == "timeline":
        events, _ = timeline_events(analysis.dataset, result)
        return [header("number", "date", "event", "source"),
                *([str(n), e.date.isoformat(), e.title.get(lang), short_cite(analysis.dataset.source(e.source), lang)]
                  for n, e in enumerate(events, 1))]
    if chart.kind == "sensitivity":
        flips = {(f.actor, f.level, f.to_level): f for f in result.flips}
        rows = [header("actor", "threat", "level", "step_to", "result")]
        for threat in result.dyad.threats:
            for kind in ("external", "internal"):
                current = getattr(threat, kind)
                for step in (-1, 1):
                    index = FRAMEWORK.level_ids.index(current) + step
                    if 0 <= index < len(FRAMEWORK.level_ids):
                        to = FRAMEWORK.level_ids[index]
                        flip = flips.get((threat.actor, kind, to))
                        rows.append([names[threat.actor], FRAMEWORK.kind_label(kind, lang), level(current, lang),
                                     level(to, lang), type_label(flip.type, lang) if flip else LABELS("type_unchanged", lang)])
        return rows
    return [header("actor", "external", "internal", "cell", "strategy"), *positions(result)]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def chart_csv(analysis: Analysis, chart: Chart) -> bytes:
    """The chart's data as CSV: UTF-8 with a byte-order mark, which spreadsheet programs need to read Chinese."""
    import csv

    buffer = io.StringIO()
    # A cell a spreadsheet would read as a formula (an event titled "=HYPERLINK(…)") is kept as text.
    rows = [["'" + cell if cell[:1] in FORMULA_STARTS else cell for cell in row] for row in chart_table(analysis, chart)]
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# ---- the whole set --------------------------------------------------------------------------


def triad_key(triad: TriadResult) -> str:
    return "-".join(actor.lower() for actor in triad.actors) + "-" + triad.external.lower()


DYAD_CHARTS: tuple[tuple[str, Callable[[Analysis, DyadResult, str], tuple[Figure, str, str]]], ...] = (
    ("curve", draw_curve),
    ("matrix", draw_matrix),
    ("diagram", draw_diagram),
    ("timeline", draw_timeline),
    ("sensitivity", draw_sensitivity),
)


@dataclass(frozen=True)
class ChartJob:
    kind: str
    subject: str
    lang: str
    path: str
    draw: Callable[[], tuple[Figure, str, str]]
    inputs: str = ""  # a digest of everything the drawing reads, for the cache key
    sheet: Sheet = WIDE

    def placeholder(self, title: str = "", alt: str = "") -> Chart:
        """The chart's metadata without drawing it, for tests of what depends only on which charts exist."""
        return Chart(self.kind, self.subject, self.lang, self.path, title, alt, variant=self.sheet.name)


def digest(*parts: object) -> str:
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def plan(analysis: Analysis) -> list[ChartJob]:
    dataset = analysis.dataset
    # Jobs keep digests of their inputs, not the inputs' text: at 1,000 dyads the text would take a gigabyte.
    names = digest(dataset.actors)

    def dyad_inputs(result: DyadResult) -> str:
        events = dataset.events_of(result.dyad)
        return digest(result, names, events, [dataset.source(event.source) for event in events])

    def timeline_inputs(result: DyadResult) -> str:
        """What the strip of events reads: the dyad's title and its events with their sources, not its levels
        (a level edit draws the dyad's other charts again, not this one)."""
        events = dataset.events_of(result.dyad)
        return digest(result.dyad.id, result.dyad.title, events, [dataset.source(event.source) for event in events])

    jobs = []

    def add(kind: str, subject: str, lang: str, path: str, draw: Callable[..., tuple[Figure, str, str]],
            inputs: str = "") -> None:
        # Each chart in every width: the narrow one is another output of the same drawing, reflowed.
        for sheet in SHEETS:
            jobs.append(ChartJob(kind, subject, lang, sheet.path(path), partial(draw, sheet=sheet), inputs, sheet))

    for lang in LANGUAGES:
        for triad in analysis.triads:
            key = triad_key(triad)
            members = [analysis.dyad(dyad_id) for dyad_id in triad.dyads]
            add("alignment-map", key, lang, f"charts/triads/{key}/alignment-map.{lang}.svg",
                partial(draw_alignment_map, analysis, triad, lang), digest(triad, members, names))
        for result in analysis.dyads:
            inputs = dyad_inputs(result)
            for kind, draw in DYAD_CHARTS:
                add(kind, result.dyad.id, lang, f"charts/dyads/{result.dyad.id}/{kind}.{lang}.svg",
                    partial(draw, analysis, result, lang), timeline_inputs(result) if kind == "timeline" else inputs)
            if result.dyad.has_history:  # one assessment has no trajectory to draw
                add("trajectory", result.dyad.id, lang, f"charts/dyads/{result.dyad.id}/trajectory.{lang}.svg",
                    partial(draw_trajectory, analysis, result, lang), inputs)
        for part, (subject, results) in enumerate(commitment_parts(analysis)):
            add("commitment", subject, lang, commitment_path(subject, lang), partial(draw_commitment, analysis, lang, part),
                digest(results, len(analysis.dyads)))
        add("curve", "framework", lang, f"charts/framework-curve.{lang}.svg", partial(draw_curve, analysis, None, lang))
    return jobs


def render(job: ChartJob) -> tuple[Chart, dict[str, bytes]]:
    """The chart's metadata and its files (`job.sheet.files`)."""
    name = job.path
    with matplotlib.rc_context(style(job.lang)), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure, title, alt = job.draw()
        for artist in visible_texts(figure):  # Chinese typography, as on the pages (generator/typography.py)
            chart_figure(artist).retype(artist, partial(set_text, lang=job.lang))
        files = to_files(figure, name, job.sheet.files)
        texts = "".join(sorted({ch for artist in visible_texts(figure) for ch in artist.get_text()}))
        smallest = smallest_font(figure)
    for warning in caught:
        message = str(warning.message)
        if "missing from font" in message:
            raise ChartError(f"{name}: {message}; the bundled font lacks this character, so reword the text")
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    chart = Chart(job.kind, job.subject, job.lang, job.path, title, alt, texts, job.sheet.name,
                  round(figure.get_figwidth() * CSS_PX_PER_IN), round(figure.get_figheight() * CSS_PX_PER_IN),
                  round(smallest, 2))
    return chart, files


def cache_key(job: ChartJob, code: str) -> str:
    parts = [code, job.kind, job.subject, job.lang, job.inputs, job.sheet.name]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:24]


def chart_of(entry: Entry | None, job: ChartJob) -> Chart | None:
    """The chart an entry holds, if its metadata is a chart of this job (else the entry is not used)."""
    if entry is None:
        return None
    try:
        chart = Chart(**entry.meta)
    except TypeError:
        return None
    return chart if (chart.kind, chart.subject, chart.lang, chart.path, chart.variant) == (
        job.kind, job.subject, job.lang, job.path, job.sheet.name) else None


def render_charts(analysis: Analysis, store, code: str, workers: int | None = None, progress=None) -> ChartSet:
    """Every chart for every dyad and triad in both languages, from the store or drawn now.

    A chart's key covers what it is drawn from and `code` (the package and its libraries), so a
    changed input or a changed line of code draws it again. Missing charts are drawn in parallel,
    one process per core; each worker puts its charts in the store and returns only their metadata.
    """
    from .store import BadEntry

    jobs = plan(analysis)
    keys = [cache_key(job, code) for job in jobs]
    entries: dict[int, Entry] = {}
    charts: dict[int, Chart] = {}
    missing = []
    for index, key in enumerate(keys):
        entry = store.get("charts", key, jobs[index].sheet.files)
        chart = chart_of(entry, jobs[index])
        if entry is not None and chart is not None:
            entries[index], charts[index] = entry, chart
        else:
            missing.append(index)

    def draw(index: int) -> int:
        chart, files = render(jobs[index])
        store.put("charts", keys[index], files, asdict(chart))
        return index

    try:
        run_parallel(missing, draw, workers, progress)
    except WorkerFailed as error:
        raise ChartError(str(error)) from None
    for index in missing:
        entry = store.get("charts", keys[index], jobs[index].sheet.files)
        chart = chart_of(entry, jobs[index])
        if entry is None or chart is None:
            raise BadEntry(f"charts/{keys[index]}")
        entries[index], charts[index] = entry, chart
    made = tuple(charts[index] for index in range(len(jobs)))
    return ChartSet(made, cached=len(jobs) - len(missing),
                    entries=tuple((made[index].path, entries[index], keys[index]) for index in range(len(jobs))))


def write_charts(chart_set: ChartSet, out: Path) -> None:
    """The charts as files under out (`briefing charts`), each checked on its way out of the store."""
    for chart in chart_set.charts:
        chart_set.entry(chart.path).copy_to("web.svg", out / chart.path.removeprefix("charts/"))
