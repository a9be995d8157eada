"""Which characters a published text may hold.

Entry point: `text_problems(text) -> [(offset, message)]`, used by the validate
stage on every text an analyst writes (data values and keys, brief front matter
and bodies, hand-written pages) and by a test on the project's own labels.

A text is refused when it holds something a reader would not see as written:
- control characters and NUL, which corrupt pages, charts (invalid SVG) and terminal output;
- bidirectional embeddings and overrides (U+202A–U+202E), which make text display in
  another order than it is stored; isolates (U+2066–U+2069) are allowed when closed;
- lone surrogates and noncharacters, which are not characters at all;
- any character the bundled fonts have no glyph for, which would print as an empty box.
"""
from __future__ import annotations

import re
import unicodedata
from functools import cache

ALLOWED_CONTROLS = frozenset("\n\t\r")
EMBEDDINGS = {
    "\u202a": "left-to-right embedding",
    "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting",
    "\u202d": "left-to-right override",
    "\u202e": "right-to-left override",
}
ISOLATE_OPENERS = {"\u2066": "left-to-right isolate", "\u2067": "right-to-left isolate", "\u2068": "first-strong isolate"}
ISOLATE_CLOSER = "\u2069"
# Format characters that take no room on the page, so no glyph is needed for them.
INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff" + "".join(ISOLATE_OPENERS) + ISOLATE_CLOSER
                      + "".join(chr(code) for code in range(0xFE00, 0xFE10)))
CONTROL_NAMES = {"\x00": "NUL", "\x07": "bell", "\x08": "backspace", "\x0b": "vertical tab", "\x0c": "form feed",
                 "\x1b": "escape", "\x7f": "delete"}


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def described(character: str) -> str:
    """'😀' (U+1F600 GRINNING FACE), or U+001B (escape) for what cannot be shown."""
    name = unicodedata.name(character, "")
    if unicodedata.category(character) in ("Cc", "Cs", "Cn", "Co") or not name:
        return f"{code_point(character)}" + (f" ({CONTROL_NAMES[character]})" if character in CONTROL_NAMES else "")
    return f"'{character}' ({code_point(character)} {name})"


@cache
def font_coverage(weight: str = "regular", font=None) -> frozenset[int]:
    """Code points a bundled face has a glyph for (the default language's, unless `font` is given). The bold
    weight covers the very same characters (a test keeps it so), so reading one cmap is enough."""
    import uharfbuzz

    from .fonts import font_path
    from .languages import TABLE

    # HarfBuzz reads the cmap in under a millisecond; fontTools takes a tenth of a second per weight.
    path = font_path(font or TABLE.default.font, weight)
    return frozenset(uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(path))).unicodes)


def text_problems(text: str, fonts: bool = True) -> list[tuple[int, str]]:
    """Every problem in text as (offset, message); each distinct character is reported once."""
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return []  # most keys and values: decided without looking at the fonts
    covered = font_coverage() if fonts else None
    # Most texts are clean: decide that on the set of distinct characters, in C, before walking the text.
    distinct = set(text) - _PLAIN
    flagged = {character: message for character in distinct
               if (message := character_problem(character, covered)) is not None}
    # An override and the mark that ends it are one problem: report the first direction control only.
    embeddings = [character for character in text if character in flagged and character in EMBEDDINGS]
    for character in embeddings[1:]:
        flagged.pop(character, None)
    if not flagged and not distinct & _ISOLATES:
        return []
    found: list[tuple[int, str]] = []
    open_isolates: list[int] = []
    stray_closer = False
    for offset, character in enumerate(text):
        if character in ISOLATE_OPENERS:
            open_isolates.append(offset)
        elif character == ISOLATE_CLOSER:
            if open_isolates:
                open_isolates.pop()
            elif not stray_closer:
                stray_closer = True
                found.append((offset, "the text closes a direction isolate (U+2069) it never opened; remove it"))
        elif character in flagged:
            found.append((offset, flagged.pop(character)))
    for offset in open_isolates:
        opener = text[offset]
        found.append((offset, f"the text opens a {ISOLATE_OPENERS[opener]} ({code_point(opener)}) that is never closed; "
                              "end it with U+2069 or remove it"))
    return sorted(found)


_PLAIN = frozenset(chr(code) for code in range(0x20, 0x7F)) | ALLOWED_CONTROLS
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ISOLATES = frozenset(ISOLATE_OPENERS) | {ISOLATE_CLOSER}


@cache
def character_problem(character: str, covered: frozenset[int] | None) -> str | None:
    category = unicodedata.category(character)
    if character == "\x00":
        return "the text holds a NUL character (U+0000), which is not text; remove it"
    if category == "Cc":
        return (f"the text holds the control character {described(character)}, which would corrupt pages and charts; "
                "remove it")
    if character in EMBEDDINGS:
        return (f"the text holds a {EMBEDDINGS[character]} ({code_point(character)}), which makes it display in a "
                "different order from how it is written; remove it (to set a passage in another direction on purpose, "
                "wrap it in an isolate, U+2067 … U+2069)")
    if category == "Cs":
        return (f"the text holds {code_point(character)}, half of a UTF-16 surrogate pair and not a character; "
                "write the whole character or remove it")
    if category == "Cn" and (ord(character) & 0xFFFE == 0xFFFE or 0xFDD0 <= ord(character) <= 0xFDEF):
        return f"the text holds {code_point(character)}, which Unicode reserves as a noncharacter; remove it"
    if covered is not None and character not in INVISIBLE and ord(character) not in covered:
        return (f"the text holds {described(character)}, which the site's fonts cannot show: it would print as an "
                "empty box; remove it or use a character the fonts have")
    capital = character.upper()  # English sentences start with a capital, made from what was written
    if covered is not None and capital != character and any(ord(letter) not in covered for letter in capital):
        return (f"the text holds {described(character)}, whose capital {described(capital[0])} the site's fonts "
                "cannot show: at the start of a sentence it would print as an empty box; use another letter")
    return None


SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """text with every character that could break a terminal line or reorder it shown as an escape.

    Messages quote what the analyst wrote; a newline or a bidi override in a key
    must not forge a second `path:line` line or a workflow command.
    """
    out = []
    for character in text:
        if character in ("\n", "\r", "\t") or unicodedata.category(character) in ("Cc", "Cs") \
                or character in EMBEDDINGS or character in ISOLATE_OPENERS or character in (ISOLATE_CLOSER, "\u2028", "\u2029"):
            out.append(SHORT_ESCAPES.get(character, f"\\u{ord(character):04x}"))
        else:
            out.append(character)
    return "".join(out)
