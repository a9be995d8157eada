"""Which characters a text may hold, and how messages quote what an analyst wrote."""
from __future__ import annotations

import pytest
import yaml
from conftest import ROOT

from generator.characters import font_coverage, printable, text_problems
from generator.model import Problem


@pytest.mark.parametrize("text, found", [
    ("俄中關係 Russia–China “quoted” 2024 年（表 2）", []),
    ("tab\tand\nnew line", []),
    ("a\x1bb", [(1, "the text holds the control character U+001B (escape), which would corrupt pages and charts; "
                    "remove it")]),
    ("\x00", [(0, "the text holds a NUL character (U+0000), which is not text; remove it")]),
    ("a\u202eb\u202c", [(1, "the text holds a right-to-left override (U+202E), which makes it display in a different "
                           "order from how it is written; remove it (to set a passage in another direction on "
                           "purpose, wrap it in an isolate, U+2067 … U+2069)")]),
    ("as \u2067quoted\u2069 here", []),
    ("open \u2068x", [(5, "the text opens a first-strong isolate (U+2068) that is never closed; end it with U+2069 or "
                          "remove it")]),
    ("close\u2069", [(5, "the text closes a direction isolate (U+2069) it never opened; remove it")]),
    ("\ud800", [(0, "the text holds U+D800, half of a UTF-16 surrogate pair and not a character; write the whole "
                    "character or remove it")]),
    ("\ufffe", [(0, "the text holds U+FFFE, which Unicode reserves as a noncharacter; remove it")]),
    ("🙂🙂", [(0, "the text holds '🙂' (U+1F642 SLIGHTLY SMILING FACE), which the site's fonts cannot show: it would "
                  "print as an empty box; remove it or use a character the fonts have")]),
    ("soft\u00adhyphen zero\u200bwidth", []),
])
def test_text_problems(text, found):
    assert text_problems(text) == found


def test_a_message_is_always_one_line_whatever_it_quotes():
    problem = Problem("data/x\n.yaml", 3, "unknown key 'a\n::error::b\u202e\x1b'")
    assert str(problem) == "data/x\\n.yaml:3: unknown key 'a\\n::error::b\\u202e\\u001b'"
    assert printable("俄中 – “ok”") == "俄中 – “ok”"


def test_every_character_of_the_sites_own_wording_has_a_glyph():
    """Labels and rules are checked by `briefing check` too; the organisation's texts live in mkdocs.yml."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", ""),
                       Loader=yaml.SafeLoader)
    texts = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, str):
            texts.append(value)

    walk(config["extra"])
    walk({"site_name": config["site_name"], "site_description": config["site_description"],
          "copyright": config["copyright"]})
    assert [(text, text_problems(text)) for text in texts if text_problems(text)] == []


def test_both_weights_cover_the_same_characters_as_the_check():
    covered = font_coverage()
    assert font_coverage("bold") == covered
    assert len(covered) > 40_000
    assert ord("國") in covered and ord("—") in covered and 0x1F600 not in covered
