"""Converting a text into a language made from another (languages.yaml's `from`), by phrase, with OpenCC.

Entry point: `convert(text, config, terms) -> text`. `tw2sp` turns Traditional Chinese as Taiwan writes it into
Simplified Chinese as the mainland writes it, phrase by phrase (軟體 → 软件, 網路 → 网络, 資訊 → 信息), where a
character table would give 软体, 网路 and 资讯. The desk's own choices for a term (`Terms`, from the data's
terms file, e.g. data/zh-hans-terms.yaml) win over OpenCC's: each such term is set aside before OpenCC converts
the rest of the text, and put back as the desk wrote it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, cached_property


@dataclass(frozen=True)
class Terms:
    """The desk's conversions of single terms: (term as the source language writes it, what to write instead)."""

    entries: tuple[tuple[str, str], ...] = ()

    @cached_property
    def _pattern(self) -> re.Pattern | None:
        if not self.entries:
            return None
        # The longest term first, so 北韓政府 is not cut at 北韓 when both are listed.
        terms = sorted((term for term, _ in self.entries), key=lambda term: (-len(term), term))
        return re.compile("(" + "|".join(map(re.escape, terms)) + ")")

    @cached_property
    def _table(self) -> dict[str, str]:
        return dict(self.entries)

    def pieces(self, text: str) -> list[tuple[str, bool]]:
        """The text cut at the desk's terms: (piece, is a term) in order."""
        if self._pattern is None:
            return [(text, False)]
        return [(piece, index % 2 == 1) for index, piece in enumerate(self._pattern.split(text)) if piece]

    def replacement(self, term: str) -> str:
        return self._table[term]


NO_TERMS = Terms()


@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def convert(text: str, config: str, terms: Terms = NO_TERMS) -> str:
    """The text converted by OpenCC's `config`, the desk's terms as the desk wrote them."""
    if not text:
        return text
    converter = _converter(config)
    return "".join(terms.replacement(piece) if term else converter.convert(piece) for piece, term in terms.pieces(text))


def opencc_version() -> str:
    """What a conversion is made with, for cache keys: the binding's version (its dictionaries ship with it)."""
    from importlib.metadata import version

    return f"opencc {version('opencc')}"
