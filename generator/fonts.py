"""The bundled Traditional Chinese font (Noto Sans CJK TC, SIL Open Font License).

It comes from PyPI packages installed with the project, so no chart, page or
handout depends on the fonts a machine happens to have. The font also carries
Latin glyphs, so both languages are set in one family.

Handouts embed the full font (WeasyPrint subsets what each PDF uses). The web
font, `web_fonts(store, text)`, is cut along fixed slice boundaries: the font's
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
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FAMILY = "Noto Sans CJK TC"
WEB_FAMILY = "Briefing Sans TC"
_PACKAGES = {"regular": "cvttf_NotoSansCJK_Regular", "bold": "cvttf_NotoSansCJK_Bold"}
FONT_WEIGHTS = tuple(_PACKAGES)
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
def font_path(weight: str = "regular") -> Path:
    package = _PACKAGES[weight]
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise FontMissing(
            f"the Traditional Chinese font ({FAMILY}, {weight}) is not installed; "
            "run `pip install .` in the project folder"
        ) from None
    found = sorted(Path(module.__file__).parent.glob("*.otf")) if module.__file__ else []
    if not found:
        raise FontMissing(f"the {package} package holds no font file; "
                          f"reinstall it with `pip install --force-reinstall {package}`")
    return found[0]


@cache
def register_with_matplotlib() -> str:
    """Make the bundled font known to matplotlib; return its family name."""
    from matplotlib import font_manager

    for weight in _PACKAGES:
        font_manager.fontManager.addfont(str(font_path(weight)))
    return FAMILY


@dataclass(frozen=True)
class Slice:
    weight: str
    number: int
    points: tuple[int, ...]  # the characters cut into it, sorted

    def holding(self, used: set[int]) -> Slice | None:
        """This slice with only the characters of `used`; None if it holds none of them."""
        kept = tuple(point for point in self.points if point in used)
        return Slice(self.weight, self.number, kept) if kept else None

    @property
    def name(self) -> str:
        digest = hashlib.sha256(repr((self.points, font_identity(self.weight))).encode()).hexdigest()[:10]
        return f"noto-sans-tc-{self.weight}-{self.number:03d}-{digest}.woff2"

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
def font_identity(weight: str) -> str:
    """Which font file a slice is cut from: its package version and size."""
    from importlib.metadata import version

    return f"{version(_PACKAGES[weight].replace('_', '-'))} {font_path(weight).stat().st_size}"


@cache
def slices(weight: str) -> tuple[Slice, ...]:
    """The font's characters in their fixed slices, the same for every site and every build."""
    from .characters import font_coverage

    covered = set(font_coverage(weight))
    plan: list[list[int]] = []
    for _, ranges in FIXED_RANGES:
        group = sorted(point for point in covered if any(low <= point <= high for low, high in ranges))
        covered -= set(group)
        plan.append(group)
    ranked = [ord(character) for character in ORDER_FILE.read_text(encoding="utf-8").replace("\n", "")]
    frequent = [point for point in ranked if point in covered][:FREQUENT_COUNT]
    covered -= set(frequent)
    plan += [sorted(frequent[start:start + FREQUENT_SLICE]) for start in range(0, len(frequent), FREQUENT_SLICE)]
    rest = sorted(covered)
    plan += [rest[start:start + RARE_SLICE] for start in range(0, len(rest), RARE_SLICE)]
    return tuple(Slice(weight, number, tuple(points)) for number, points in enumerate(plan) if points)


def font_css(pieces: list[Slice]) -> str:
    """A rule per slice, with exactly the characters it holds as its unicode-range."""
    rules = []
    for piece in pieces:
        rules.append(f'@font-face {{ font-family: "{WEB_FAMILY}"; font-style: normal; '
                     f"font-weight: {CSS_WEIGHT[piece.weight]}; font-display: swap; "
                     f'src: url("{piece.name}") format("woff2"); unicode-range: {piece.unicode_range()}; }}')
    return "\n".join(rules) + "\n"


def slicing_digest() -> str:
    """What a slice is made from besides its code points: this module, the order, the tools' versions."""
    from importlib.metadata import version

    digest = hashlib.sha256(Path(__file__).read_bytes() + ORDER_FILE.read_bytes())
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

    face = _face(piece.weight)
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
def _face(weight: str):
    import uharfbuzz

    return uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(font_path(weight))))


@dataclass(frozen=True)
class FontSet:
    css: str
    files: tuple[tuple[str, object], ...]  # (site path, store entry) of each slice the site's text needs


def web_fonts(store, text: str, workers: int | None = None, progress=None) -> FontSet:
    """Each slice cut to the characters of `text` it holds, from the store or cut now; and their stylesheet."""
    from .parallel import run_parallel

    used = {ord(character) for character in text}
    key_base = slicing_digest()
    needed = [(held, hashlib.sha256(f"{key_base}\0{held.name}".encode()).hexdigest()[:24])
              for weight in FONT_WEIGHTS for piece in slices(weight) if (held := piece.holding(used)) is not None]
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
