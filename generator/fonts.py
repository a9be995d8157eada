"""The bundled fonts, one face per script (SIL Open Font License): Noto Sans CJK TC for Traditional Chinese
and English, Noto Sans SC for Simplified Chinese (generator/languages.yaml names each language's face).

They come from PyPI packages installed with the project, so no chart, page or
handout depends on the fonts a machine happens to have. Each face also carries
Latin glyphs. Noto Sans SC comes as a variable font; it is set at each weight
(HarfBuzz instancing, a fraction of a second) into a private folder once per
machine and package version.

Handouts embed the full font (WeasyPrint subsets what each PDF uses). The web
font, `web_fonts(store, texts)`, is cut along fixed slice boundaries: the font's
characters in a fixed order (Latin, punctuation and symbols, then the Han
characters Taiwanese text uses most, `font-order.txt`, in slices of 100, then the
rest by code point), each slice holding only the characters of the site's text
that fall in it, declared in `assets/fonts/fonts.css` with exactly those
characters as its unicode-range. A browser fetches only the slices whose
characters a page shows, with no glyph the site never uses.

No page refers to a slice, only the stylesheet does, so a new character changes
no page: it changes one slice (cut in milliseconds) and that slice's rule.
"""
from __future__ import annotations

import hashlib
import importlib
import io
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .languages import TABLE, Font

CSS_WEIGHT = {"regular": 400, "bold": 700}
ORDER_FILE = Path(__file__).with_name("font-order.txt")
# Slices: the scripts every page uses, then frequent Han characters in small slices (a page's few hundred
# characters fall in a few dozen of them), then the rest of the font in larger ones.
FIXED_RANGES = (("latin", ((0x0000, 0x024F),)),
                ("cjk-punctuation", ((0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF))),
                ("symbols", ((0x2000, 0x2BFF),)),
                ("other-scripts", ((0x0250, 0x1FFF),)))
FREQUENT_SLICE = 100
FREQUENT_COUNT = 4000  # explicit in the stylesheet; rarer Han characters are declared by span
RARE_SLICE = 600


class FontMissing(Exception):
    pass


@cache
def packaged_file(font: Font, weight: str) -> Path:
    """The font file as its package installs it (a variable font before it is set at a weight)."""
    entry = font.file(weight)
    try:
        module = importlib.import_module(entry.package)
    except ImportError:
        raise FontMissing(
            f"the font {font.family} ({weight}) is not installed; run `pip install .` in the project folder"
        ) from None
    folder = Path(module.__file__).parent if module.__file__ else None
    found = ([] if folder is None else sorted(folder.glob(entry.file)) if "*" in entry.file
             else [folder / entry.file] if (folder / entry.file).is_file() else [])
    if not found:
        raise FontMissing(f"the {entry.package} package holds no font file {entry.file}; "
                          f"reinstall it with `pip install --force-reinstall {entry.package.replace('_', '-')}`")
    return found[0]


@cache
def font_path(font: Font, weight: str = "regular") -> Path:
    """The font file of a face at a weight: the package's own, or a variable font set at that weight."""
    source = packaged_file(font, weight)
    wght = font.file(weight).wght
    if wght is None:
        return source
    # Made once per machine and version in a folder only this user can write; the name says what it is made from.
    folder = Path(tempfile.gettempdir()) / f"briefing-fonts-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    status = folder.lstat()
    if folder.is_symlink() or status.st_uid != os.getuid() or status.st_mode & 0o022:
        raise FontMissing(f"{folder} is not a folder of this user's own; remove it and run again")
    target = folder / f"{font.slices}-{weight}-{font_identity(font, weight).replace(' ', '-')}.ttf"
    if not target.is_file():
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(instanced(source, wght, font.family, weight))
        temporary.replace(target)
    return target


def instanced(source: Path, wght: int, family: str, weight: str) -> bytes:
    """A variable font set at one weight, as a static font named for its family and weight."""
    import uharfbuzz
    from fontTools.ttLib import TTFont

    face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(source)))
    request = uharfbuzz.SubsetInput()
    request.sets(uharfbuzz.SubsetInputSets.UNICODE).invert()  # every character and every feature: the whole font
    request.sets(uharfbuzz.SubsetInputSets.LAYOUT_FEATURE_TAG).invert()
    request.sets(uharfbuzz.SubsetInputSets.NAME_ID).invert()
    request.pin_axis_location(face, "wght", wght)
    # No timestamp of today: the same package gives the same bytes, wherever and whenever it is set.
    font = TTFont(io.BytesIO(uharfbuzz.subset(face, request).blob.data), lazy=True, recalcTimestamp=False)
    # The variable font's names are its default instance's (Thin): name the instance for what it is.
    style = "Bold" if weight == "bold" else "Regular"
    postscript = f"{family.replace(' ', '')}-{style}"
    for name_id, value in ((1, family), (2, style), (4, f"{family} {style}"), (6, postscript), (16, family),
                           (17, style)):
        font["name"].setName(value, name_id, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@cache
def register_with_matplotlib() -> tuple[str, ...]:
    """Make every bundled face known to matplotlib; return their family names."""
    from matplotlib import font_manager

    for font in TABLE.fonts:
        for weight in font.weights:
            font_manager.fontManager.addfont(str(font_path(font, weight)))
    return tuple(font.family for font in TABLE.fonts)


@dataclass(frozen=True)
class Slice:
    font: Font
    weight: str
    number: int
    points: tuple[int, ...]  # the characters cut into it, sorted

    def holding(self, used: set[int]) -> Slice | None:
        """This slice with only the characters of `used`; None if it holds none of them."""
        kept = tuple(point for point in self.points if point in used)
        return Slice(self.font, self.weight, self.number, kept) if kept else None

    @property
    def name(self) -> str:
        digest = hashlib.sha256(repr((self.points, font_identity(self.font, self.weight))).encode()).hexdigest()[:10]
        return f"{self.font.slices}-{self.weight}-{self.number:03d}-{digest}.woff2"

    def unicode_range(self) -> str:
        """The code points as CSS ranges: U+4E00-4E05, U+4E0D, …"""
        ranges, start, previous = [], self.points[0], self.points[0]
        for point in self.points[1:] + (-1,):
            if point != previous + 1:
                ranges.append(f"U+{start:X}" if start == previous else f"U+{start:X}-{previous:X}")
                start = point
            previous = point
        return ", ".join(ranges)


@cache
def font_identity(font: Font, weight: str) -> str:
    """Which font file a slice is cut from: its package version and size (and the weight it is set at)."""
    from importlib.metadata import version

    entry = font.file(weight)
    identity = f"{version(entry.package.replace('_', '-'))} {packaged_file(font, weight).stat().st_size}"
    return identity if entry.wght is None else f"{identity} wght {entry.wght}"


@cache
def font_order(font: Font) -> tuple[int, ...]:
    """The Han characters by how often they are used, for the face's script: font-order.txt is ranked from
    Taiwanese text, so a Simplified face takes each character as OpenCC converts it, in the same rank."""
    from .convert import convert

    ranked = ORDER_FILE.read_text(encoding="utf-8").replace("\n", "")
    if font.order_conversion:
        ranked = "".join(convert(character, font.order_conversion) for character in ranked)
    return tuple(dict.fromkeys(ord(character) for character in ranked))


@cache
def slices(font: Font, weight: str) -> tuple[Slice, ...]:
    """The font's characters in their fixed slices, the same for every site and every build."""
    from .characters import font_coverage

    covered = set(font_coverage(weight, font))
    plan: list[list[int]] = []
    for _, ranges in FIXED_RANGES:
        group = sorted(point for point in covered if any(low <= point <= high for low, high in ranges))
        covered -= set(group)
        plan.append(group)
    frequent = [point for point in font_order(font) if point in covered][:FREQUENT_COUNT]
    covered -= set(frequent)
    plan += [sorted(frequent[start:start + FREQUENT_SLICE]) for start in range(0, len(frequent), FREQUENT_SLICE)]
    rest = sorted(covered)
    plan += [rest[start:start + RARE_SLICE] for start in range(0, len(rest), RARE_SLICE)]
    return tuple(Slice(font, weight, number, tuple(points)) for number, points in enumerate(plan) if points)


def font_css(pieces: list[Slice]) -> str:
    """A rule per slice, with exactly the characters it holds as its unicode-range; then, where the languages
    use more than one face, the rule that sets each language's text in its own."""
    rules = []
    for piece in pieces:
        rules.append(f'@font-face {{ font-family: "{piece.font.web_family}"; font-style: normal; '
                     f"font-weight: {CSS_WEIGHT[piece.weight]}; font-display: swap; "
                     f'src: url("{piece.name}") format("woff2"); unicode-range: {piece.unicode_range()}; }}')
    if len(TABLE.fonts) > 1:  # each language in its face, also inside a page of another (the language switch)
        for language in TABLE.languages:
            rules.append(f':lang({language.code}) {{ font-family: "{language.font.web_family}", '
                         f"{language.font.fallbacks}; }}")
    return "\n".join(rules) + "\n"


def slicing_digest() -> str:
    """What a slice is made from besides its code points: this module, the order, the tools' versions."""
    from importlib.metadata import version

    from .convert import opencc_version

    digest = hashlib.sha256(Path(__file__).read_bytes() + ORDER_FILE.read_bytes() + opencc_version().encode())
    for package in ("uharfbuzz", "fonttools", "brotli"):
        digest.update(f"{package} {version(package)}".encode())
    return digest.hexdigest()


BROTLI_QUALITY = 9  # 11, fontTools' default, takes 9 times as long for 7 % smaller slices


class _FontBrotli:
    """Brotli as fontTools' WOFF2 writer calls it, at BROTLI_QUALITY."""

    MODE_FONT = 1
    MODE_TEXT = 2

    def __init__(self, library):
        self.library = library

    def compress(self, data: bytes, mode: int = 0, **_) -> bytes:
        return self.library.compress(data, mode=mode, quality=BROTLI_QUALITY)

    def decompress(self, data: bytes) -> bytes:
        return self.library.decompress(data)


def cut(piece: Slice) -> bytes:
    """One slice as WOFF2: HarfBuzz cuts it (in milliseconds), fontTools compresses it."""
    import brotli
    import uharfbuzz
    from fontTools.ttLib import TTFont, woff2

    face = _face(piece.font, piece.weight)
    request = uharfbuzz.SubsetInput()
    for point in piece.points:
        request.unicode_set.add(point)
    request.sets(uharfbuzz.SubsetInputSets.LAYOUT_FEATURE_TAG).invert()  # every OpenType feature: vert, palt, …
    request.sets(uharfbuzz.SubsetInputSets.NAME_ID).invert()
    subset = uharfbuzz.subset(face, request)
    font = TTFont(io.BytesIO(subset.blob.data))
    font.flavor = "woff2"
    out = io.BytesIO()
    # fontTools' writer takes no quality setting; it is lent ours for this one call.
    library, woff2.brotli = woff2.brotli, _FontBrotli(brotli)
    try:
        font.save(out, reorderTables=False)
    finally:
        woff2.brotli = library
    return out.getvalue()


@cache
def _face(font: Font, weight: str):
    import uharfbuzz

    return uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font_path(font, weight))))


@dataclass(frozen=True)
class FontSet:
    css: str
    files: tuple[tuple[str, object], ...]  # (site path, store entry) of each slice the site's text needs


def web_fonts(store, texts: dict[str, str], workers: int | None = None, progress=None) -> FontSet:
    """Each face's slices cut to the characters of its text (`texts`: by the face's key, the text of the pages
    set in it), from the store or cut now; and their stylesheet."""
    from .parallel import run_parallel

    key_base = slicing_digest()
    needed = []
    for font in TABLE.fonts:
        used = {ord(character) for character in texts.get(font.key, "")}
        needed += [(held, hashlib.sha256(f"{key_base}\0{held.name}".encode()).hexdigest()[:24])
                   for weight in font.weights for piece in slices(font, weight)
                   if (held := piece.holding(used)) is not None]
    missing = [held for held, key in needed if store.get("fonts", key, ("font.woff2",)) is None]
    keys = {held.name: key for held, key in needed}

    def make(held: Slice) -> str:
        store.put("fonts", keys[held.name], {"font.woff2": cut(held)})
        return held.name

    run_parallel(missing, make, workers, progress)
    files = []
    for held, key in needed:
        entry = store.get("fonts", key, ("font.woff2",)) or store.put("fonts", key, {"font.woff2": cut(held)})
        files.append((f"assets/fonts/{held.name}", entry))
    return FontSet(font_css([held for held, _ in needed]), tuple(files))
