"""The small, valid project every corpus case is laid over."""
from __future__ import annotations

from pathlib import Path

from conftest import ACTORS, DYAD, SOURCES

EVENTS = """\
- date: 2024-06-19
  title: {zh-TW: 俄朝簽署條約, en: Russia and North Korea sign a treaty}
  source: doe-2024
  actors: [RUS, PRK]
"""

BRIEF = """\
---
title: 測試評析
author: 編輯部
affiliation: 研究室
date: 2025-07-01
summary: 一句摘要。
dyads: [russia-china]
---

## 本文

正文。[^1]

[[verdict: russia-china]]

[^1]: 見 [@doe-2024]。
"""

FILES = {
    "data/actors.yaml": ACTORS,
    "data/sources.yaml": SOURCES,
    "data/events.yaml": EVENTS,
    "data/dyads/russia-china.yaml": DYAD,
    "docs/briefs/test-brief.zh-TW.md": BRIEF,
}


def write_base(root: Path) -> None:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
