"""The bundled Traditional Chinese font (Noto Sans CJK TC, SIL Open Font License).

It comes from PyPI packages installed with the project, so no chart, page or
handout depends on the fonts a machine happens to have. The font also carries
Latin glyphs, so both languages are set in one family.
"""
from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

FAMILY = "Noto Sans CJK TC"
_PACKAGES = {"regular": "cvttf_NotoSansCJK_Regular", "bold": "cvttf_NotoSansCJK_Bold"}
FONT_WEIGHTS = tuple(_PACKAGES)


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
            "run `pip install -e .` in the project folder"
        ) from None
    folder = Path(module.__file__).parent
    found = sorted(folder.glob("*.otf"))
    if not found:
        raise FontMissing(f"the {package} package holds no font file; reinstall it with `pip install --force-reinstall {package}`")
    return found[0]


@cache
def register_with_matplotlib() -> str:
    """Make the bundled font known to matplotlib; return its family name."""
    from matplotlib import font_manager

    for weight in _PACKAGES:
        font_manager.fontManager.addfont(str(font_path(weight)))
    return FAMILY


# Always keep ASCII and the punctuation the templates add, even if no page uses them yet.
BASE_CHARACTERS = "".join(chr(code) for code in range(0x20, 0x7F)) + "，。、：；！？「」『』（）《》〈〉—–…・→×©•◦‘’“”"


def web_font(text: str, out_dir, cache_dir) -> list:
    """Subset the bundled font to the characters in `text`, as WOFF2, for the site and handouts.

    The full font is 16 MB; a subset of the few thousand characters a site uses
    is a few hundred KB. Subsets are cached by their character set, the font
    file and the fontTools version, so a stale subset is never reused.
    """
    import hashlib
    import shutil
    from pathlib import Path

    import fontTools
    from fontTools import subset

    characters = "".join(sorted(set(text + BASE_CHARACTERS) - {"\n", "\r", "\t"}))
    out, cache = Path(out_dir), Path(cache_dir)
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    made = []
    for weight in _PACKAGES:
        source = font_path(weight)
        key = hashlib.sha256(
            "|".join([characters, source.name, str(source.stat().st_size), fontTools.version]).encode()
        ).hexdigest()[:12]
        name = f"noto-sans-tc-{weight}-{key}.woff2"
        cached = cache / name
        if not cached.exists():
            options = subset.Options()
            options.flavor = "woff2"
            options.layout_features = ["*"]
            options.name_IDs = ["*"]
            options.notdef_outline = True
            font = subset.load_font(str(source), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(text=characters)
            subsetter.subset(font)
            temporary = cached.with_suffix(".tmp")
            subset.save_font(font, str(temporary), options)
            temporary.replace(cached)
        shutil.copyfile(cached, out / name)
        made.append(out / name)
    return made
