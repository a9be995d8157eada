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
