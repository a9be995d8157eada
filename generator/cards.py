"""Share cards: the picture a page shows when it is shared (Open Graph, Twitter), 1200 × 630 PNG.

Entry point: `render_cards(analysis, organisation, site_url, store, code) -> CardSet`.

One card per dyad and per brief in each language, and one for the site (every other page):
the title, the dyad's verdict in words or the start of the brief's summary, and the
series' name, set in the bundled font as the charts are (generator/fonts.py). The card's
own wording is the page's language (labels.yaml); a brief not yet translated keeps its
title and summary as written. Every text is wrapped by measured width with the charts'
`fitted` (Chinese by character, Latin by word), cut with an ellipsis where it would take
more lines than its place has, and shrunk as a whole where the card is still too full;
the charts' layout check then fails on text that leaves the card's margins or meets
other text. Cards are drawn only when mkdocs.yml sets site_url: a share tag needs the
picture's absolute address, so without one nothing would point at them.

PNG from matplotlib's Agg with no software or date metadata: the same text gives the
same bytes. Cards are kept in the store like charts, under a key of their text and the code.
"""
from __future__ import annotations

import bisect
import dataclasses
import hashlib
import io
import math
import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .framework import FRAMEWORK, LABELS, long_date
from .languages import TABLE
from .model import LANGUAGES, Analysis, ChartError
from .parallel import WorkerFailed, run_parallel
from .urls import card_path

if TYPE_CHECKING:
    from .store import Entry

WIDTH_PX, HEIGHT_PX, DPI = 1200, 630, 100
WIDTH_PT, HEIGHT_PT = WIDTH_PX / DPI * 72, HEIGHT_PX / DPI * 72
MARGIN_PT = 54.0  # left and right: 75 px
TOP_PT, BOTTOM_PT = 44.0, 40.0  # inside the 2:1 crop some sites make of a 1.91:1 card (15 px off each edge)
BAND_PT = 12.0  # the coloured band across the top
GAP_PT = 14.0
LINE_SPACING = 1.3  # from one baseline to the next, in em
ASCENT, DESCENT = 0.88, 0.25  # of a line, in em: the font's Han glyphs reach 0.88 above the baseline, Latin 0.25 below
SHRINK = (1.0, 0.92, 0.84, 0.76, 0.68)  # the card's type scaled as a whole until everything fits
INK, MUTED = "#222222", "#5f5f5f"  # MUTED: 6.4:1 on white
FILE = "card.png"


@dataclass(frozen=True)
class Block:
    """A text on the card: at most `lines` lines of `size` pt, cut with an ellipsis beyond them."""

    text: str
    lang: str  # the language it is written in (an untranslated brief's title is not the card's)
    size: float
    lines: int = 1
    weight: str = "normal"
    color: str = INK


@dataclass(frozen=True)
class CardJob:
    key: str  # the page key it is for ("dyad:russia-china", "brief:three-dyads", "site")
    lang: str  # the card's language: its labels, and the ellipsis
    path: str
    header: Block
    blocks: tuple[Block, ...]
    footer: Block | None
    address: str  # the site's address as a reader types it, in the corner
    band: tuple[tuple[str, str], ...]  # (colour, hatch) of each part of the top band, left to right

    def key_for(self, code: str) -> str:
        return hashlib.sha256(f"{code}\0{self!r}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Card:
    path: str
    alt: str  # what the card says, for og:image:alt
    key: str
    entry: Entry  # its store entry, checked when copied out


@dataclass(frozen=True)
class CardSet:
    cards: tuple[Card, ...] = ()
    cached: int = 0

    @cached_property
    def _alts(self) -> dict[str, str]:
        return {card.path: card.alt for card in self.cards}

    def alt(self, path: str) -> str:
        return self._alts.get(path, "")


# ---- what each card says -----------------------------------------------------------------------


def shown_address(site_url: str) -> str:
    """https://example.org/briefs/ -> example.org/briefs"""
    parts = urlsplit(site_url)
    return (parts.netloc + parts.path).rstrip("/")


def plan_cards(analysis: Analysis, organisation: dict, site_url: str) -> list[CardJob]:
    from .charts import STRATEGY_STYLE, type_label

    dataset = analysis.dataset
    address = shown_address(site_url)
    plain = ((INK, ""),)
    # The site's card carries the four strategies' colours, as every chart and verdict card draws them.
    strategies = tuple((look["color"], look["hatch"]) for strategy, look in STRATEGY_STYLE.items()
                       if strategy != "indeterminate")
    organisation = TABLE.complete_each(organisation)  # mkdocs.yml gives the written languages' texts
    jobs = []
    for lang in LANGUAGES:
        series = organisation["series"][lang]
        header = Block(series, lang, 20, weight="bold", color=MUTED)
        jobs.append(CardJob("site", lang, card_path("site", lang), Block(organisation["name"][lang], lang, 20,
                                                                          weight="bold", color=MUTED),
                            (Block(series, lang, 60, lines=2, weight="bold"),
                             Block(organisation["tagline"][lang], lang, 28, lines=2),
                             Block(organisation["about"][lang], lang, 22, lines=3, color=MUTED)),
                            None, address, strategies))
        names = {actor.id: actor.name.get(lang) for actor in dataset.actors}
        for result in analysis.dyads:
            dyad = result.dyad
            first, second = (names[actor] for actor in dyad.actors)
            degrees = LABELS("card_degrees", lang, commitment=FRAMEWORK.degree(result.commitment).label.get(lang),
                             cohesion=FRAMEWORK.degree(result.cohesion).label.get(lang))
            jobs.append(CardJob(
                f"dyad:{dyad.id}", lang, card_path(f"dyad:{dyad.id}", lang), header,
                (Block(dyad.title.get(lang), lang, 52, lines=2, weight="bold"),
                 Block(LABELS("dyad_actors", lang, first=first, second=second, external=names[dyad.external]), lang,
                       22, lines=2, color=MUTED),
                 Block(type_label(result.type, lang), lang, 40, lines=2, weight="bold"),
                 Block(degrees, lang, 26, lines=2)),
                Block(LABELS("as_of", lang, date=long_date(dyad.as_of, lang)), lang, 20, color=MUTED), address,
                tuple((STRATEGY_STYLE[p.strategy]["color"], STRATEGY_STYLE[p.strategy]["hatch"])
                      for p in result.positions)))
        for slug in dict.fromkeys(brief.slug for brief in dataset.briefs):
            brief = dataset.brief_shown(slug, lang)
            if brief is None:
                continue
            jobs.append(CardJob(
                f"brief:{slug}", lang, card_path(f"brief:{slug}", lang), header,
                (Block(brief.title, brief.lang, 44, lines=3, weight="bold"),
                 Block(brief.summary, brief.lang, 24, lines=4, color=MUTED)),
                Block(LABELS("card_byline", lang, author=brief.author, date=long_date(brief.date, lang)), lang, 20,
                      color=MUTED),
                address, plain))
    return jobs


# ---- drawing --------------------------------------------------------------------------------------


TRIM = " \u00a0,，、;；:：.。-–—"  # what a cut text sheds before its ellipsis


def cut_to(text: str, width_pt: float, size: float, weight: str, lines: int, ellipsis: str) -> tuple[str, str]:
    """(the text as drawn, what it was wrapped from): wrapped by `fitted` within `lines` lines of width_pt, measured.
    A text too long is cut where a line may break (between Han characters, at a space, never inside a Latin word)
    and ends with the ellipsis.

    `fitted` measures every line it tries (a few milliseconds each in this font), so it is given only texts about
    as long as the lines can hold: the cut starts where the text, set on one line, would fill all of them, and
    steps back by what spilled over until the wrapped text fits."""
    from .charts import fitted, is_word_character, lines_in, text_width

    def fits(drawn: str) -> bool:
        return lines_in(drawn) <= lines and all(text_width(line, size, weight) <= width_pt for line in drawn.split("\n"))

    if text_width(text, size, weight) <= lines * width_pt:  # else it cannot fit, whatever the breaks
        drawn = fitted(text, width_pt, size, weight)
        if fits(drawn):
            return drawn, text
    cuts = [i for i in range(1, len(text)) if not (is_word_character(text[i - 1]) and is_word_character(text[i]))]
    low, high = 0, len(cuts) - 1  # the longest cut whose text, on one line, is no wider than all the lines
    while low <= high:
        middle = (low + high) // 2
        if text_width(text[:cuts[middle]].rstrip(TRIM) + ellipsis, size, weight) <= lines * width_pt:
            low = middle + 1
        else:
            high = middle - 1
    index = high
    while index >= 0:
        source = text[:cuts[index]].rstrip(TRIM) + ellipsis
        drawn = fitted(source, width_pt, size, weight)
        if fits(drawn):
            return drawn, source
        spilled = max(1, len("".join(drawn.split("\n")[lines:])))
        index = min(index - 1, bisect.bisect_right(cuts, cuts[index] - spilled) - 1)
    return ellipsis, ellipsis


def draw_card(job: CardJob) -> tuple[bytes, str]:
    """The card's PNG and what it says (its alt text)."""
    import matplotlib

    from .charts import style

    # Unhinted text: drawn as wide as `fitted` measures it (hinting at 100 dpi rounds each advance to a pixel).
    with matplotlib.rc_context({**style(job.lang), "hatch.linewidth": 2.0, "text.hinting": "none"}):
        for scale in SHRINK:
            with warnings.catch_warnings(record=True) as caught:  # only the layout that is kept is checked
                warnings.simplefilter("always")
                figure, said, fits = lay_out(job, scale)
            if fits:
                break
        else:
            raise ChartError(f"{job.path}: the card's texts do not fit even at {SHRINK[-1]:.0%} of their size")
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    for warning in caught:
        message = str(warning.message)
        if "missing from font" in message:
            raise ChartError(f"{job.path}: {message}; the bundled font lacks this character, so reword the text")
        warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)
    alt = LABELS("card_alt", job.lang, text=LABELS("card_alt_sep", job.lang).join(said))
    return buffer.getvalue(), alt


def lay_out(job: CardJob, scale: float):
    """The card with its texts at `scale` of their size: (figure, what it says in reading order, whether it fits).
    Each line is its own text on a baseline of its own, so lines are evenly spaced whatever their letters."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Rectangle

    from .charts import ChartFigure, LabelOverlapWarning, broken_words, check_layout, point_axes, text_width
    from .typography import set_text

    width = WIDTH_PT - 2 * MARGIN_PT
    figure = ChartFigure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.patch.set_facecolor("white")
    axes = point_axes(figure)
    part = WIDTH_PT / len(job.band)
    for index, (colour, hatch) in enumerate(job.band):
        axes.add_patch(Rectangle((index * part, 0), part, BAND_PT, facecolor=colour, edgecolor=INK, hatch=hatch,
                                 linewidth=0))
    # Every text must stay inside the margins: the layout check fails on one that leaves this box.
    margins = Rectangle((MARGIN_PT - 1, TOP_PT - 1), width + 2, HEIGHT_PT - TOP_PT - BOTTOM_PT + 2, fill=False,
                        edgecolor="none", linewidth=0)
    axes.add_patch(margins)
    said: dict[int, str] = {}  # what each text says as drawn, by its place in the reading order

    def place(block: Block, baseline: float, order: int, *, ha: str = "left", room: float = width,
              size: float = 0.0) -> float:
        """Draw the block's lines from the first baseline down; return the last baseline."""
        size = size or block.size * scale
        drawn, source = cut_to(set_text(block.text, block.lang), room, size, block.weight, block.lines,
                               LABELS("ellipsis", block.lang))
        for word in broken_words(drawn, source):
            warnings.warn(f"{job.path}: '{word}' is broken across lines without a hyphen", LabelOverlapWarning,
                          stacklevel=2)
        x = MARGIN_PT if ha == "left" else WIDTH_PT - MARGIN_PT
        for line in drawn.split("\n"):
            artist = axes.text(x, baseline, line, ha=ha, va="baseline", fontsize=size, fontweight=block.weight,
                               color=block.color)
            figure.keep_inside(artist, margins)
            baseline += size * LINE_SPACING
        if order >= 0:
            said[order] = source
        return baseline - size * LINE_SPACING

    foot_size = job.header.size
    foot = HEIGHT_PT - BOTTOM_PT - DESCENT * foot_size  # the footer's baseline
    limit = foot - ASCENT * foot_size - GAP_PT  # where the blocks above must end
    size = job.header.size * scale
    baseline = place(job.header, TOP_PT + ASCENT * size, 0, size=size) + DESCENT * size + 2 * GAP_PT * scale
    for order, block in enumerate(job.blocks, 1):
        size = block.size * scale
        first = baseline + ASCENT * size
        if order == len(job.blocks):  # the last block takes the lines left above the footer, up to its own
            left = 1 + math.floor((limit - first - DESCENT * size) / (size * LINE_SPACING))
            block = dataclasses.replace(block, lines=max(1, min(block.lines, left)))
        baseline = place(block, first, order) + DESCENT * size + GAP_PT * scale
    last = baseline - GAP_PT * scale  # the bottom of the last block
    place(Block(job.address, job.lang, foot_size, color=MUTED), foot, -1, ha="right", size=foot_size)
    if job.footer is not None:
        room = width - text_width(job.address, foot_size) - 3 * GAP_PT
        place(job.footer, foot, len(job.blocks) + 1, room=room, size=job.footer.size)
    check_layout(figure, job.path)
    return figure, [said[order] for order in sorted(said)], last <= limit


def render_cards(analysis: Analysis, organisation: dict, site_url: str, store, code: str, workers: int | None = None,
                 progress=None) -> CardSet:
    """Every share card, from the store or drawn now (in parallel, each worker putting its cards in the store)."""
    from .store import BadEntry

    jobs = plan_cards(analysis, organisation, site_url)
    keys = [job.key_for(code) for job in jobs]
    missing = [index for index, key in enumerate(keys) if store.get("cards", key, (FILE,)) is None]

    def draw(index: int) -> int:
        png, alt = draw_card(jobs[index])
        store.put("cards", keys[index], {FILE: png}, {"path": jobs[index].path, "alt": alt})
        return index

    try:
        run_parallel(missing, draw, workers, progress)
    except WorkerFailed as error:
        raise ChartError(str(error)) from None
    cards = []
    for job, key in zip(jobs, keys, strict=True):
        entry = store.get("cards", key, (FILE,))
        if entry is None or entry.meta.get("path") != job.path:
            raise BadEntry(f"cards/{key}")
        cards.append(Card(job.path, str(entry.meta.get("alt", "")), key, entry))
    return CardSet(tuple(cards), cached=len(jobs) - len(missing))
