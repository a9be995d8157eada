"""Synthetic but well-formed data sets: many dyads, actors other than the seed's."""
from __future__ import annotations

import itertools
from pathlib import Path

import yaml

# Each pattern: external level, internal level, extra fields. Together they reach
# every strategy, including indeterminate and bandwagoning.
PATTERNS = [
    ("high", "low", {}),
    ("medium", "low", {}),
    ("low", "medium", {}),
    ("high", "medium", {}),
    ("medium", "medium", {}),
    ("high", "high", {"overwhelmed": True}),
    ("medium", "high", {}),
    ("low", "low", {"alternatives": {"external": ["medium"]}}),
    ("high", "high", {"lean": "external"}),
    ("low", "high", {}),
]

NAMED_ACTORS = [
    ("AUS", "澳洲", "Australia"),
    ("IND", "印度", "India"),
    ("JPN", "日本", "Japan"),
    ("KOR", "南韓", "South Korea"),
    ("VNM", "越南", "Vietnam"),
]


def numbered_actors(count: int) -> list[tuple[str, str, str]]:
    letters = (a + b + c for a, b, c in itertools.product("ABCDEFGHIJKLMNOPQRSTUVWXYZ", repeat=3))
    return [(code, f"第{index}國", f"State {index}") for index, code in zip(range(1, count + 1), letters, strict=False)]


def write_dataset(root: Path, actors: list[tuple[str, str, str]], external: tuple[str, str, str], dyad_count: int) -> Path:
    data = root / "data"
    (data / "dyads").mkdir(parents=True)
    everyone = actors + [external]
    (data / "actors.yaml").write_text(
        yaml.safe_dump([{"id": code, "name": {"zh-TW": zh, "en": en}} for code, zh, en in everyone], allow_unicode=True),
        encoding="utf-8",
    )
    (data / "sources.yaml").write_text(
        yaml.safe_dump([
            {"id": "doe-2024", "author": "Doe, J. & Roe, R.", "year": 2024, "title": "A Test Source",
             "publisher": "Test Press", "url": "https://example.org/doe"},
            {"id": "office-2025a", "author": "外交部 (Ministry of Foreign Affairs)", "year": 2025,
             "title": "記者會", "publisher": "外交部", "title_en": "Press Conference"},
        ], allow_unicode=True),
        encoding="utf-8",
    )
    names = {code: (zh, en) for code, zh, en in everyone}
    pairs = list(itertools.combinations([code for code, _, _ in actors], 2))[:dyad_count]
    events = []
    for index, (first, second) in enumerate(pairs):
        threats = {}
        for offset, actor in enumerate((first, second)):
            external_level, internal_level, extra = PATTERNS[(index * 3 + offset * 7) % len(PATTERNS)]
            threats[actor] = {
                "external": external_level,
                "internal": internal_level,
                "rationale": {"zh-TW": f"{names[actor][0]}的理由。", "en": f"Why {names[actor][1]} sits here."},
                "evidence": ["doe-2024"],
                **extra,
            }
        dyad_id = f"{names[first][1]}-{names[second][1]}".lower().replace(" ", "-")
        document = {
            "id": dyad_id,
            "actors": [first, second],
            "external": external[0],
            "as_of": "2025-06-30",
            "title": {"zh-TW": f"{names[first][0]}{names[second][0]}關係", "en": f"{names[first][1]}–{names[second][1]}"},
            "summary": {"zh-TW": "測試用摘要。", "en": "A summary for tests."},
            "threats": threats,
        }
        (data / "dyads" / f"{dyad_id}.yaml").write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False),
                                                       encoding="utf-8")
        # Two events per dyad, some on the same day, to crowd the timelines.
        for day in (f"{2019 + index % 6}-0{1 + index % 9}-15", "2025-05-08"):
            events.append({
                "date": day,
                "title": {"zh-TW": f"{names[first][0]}與{names[second][0]}舉行高層會談並發表聯合聲明，強調擴大合作",
                          "en": f"{names[first][1]} and {names[second][1]} hold senior talks "
                                "and issue a joint statement on wider cooperation"},
                "source": "office-2025a" if index % 2 else "doe-2024",
                "actors": [first, second],
            })
    (data / "events.yaml").write_text(yaml.safe_dump(events, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data
