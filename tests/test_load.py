"""Loading: libyaml's fast composer and PyYAML's careful one read every file alike."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from generator import load
from generator.load import parse_text

FILES = sorted((ROOT / "data").rglob("*.yaml")) + sorted((ROOT / "tests" / "corpus").rglob("*.yaml"))


@pytest.mark.parametrize("path", FILES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_fast_and_careful_readers_agree(path: Path, monkeypatch):
    text = path.read_bytes().decode("utf-8", "replace")
    fast_document, fast_problems = parse_text(text, "x.yaml")
    monkeypatch.setattr(load, "_compose_fast", lambda text, trusted=False: None)
    careful_document, careful_problems = parse_text(text, "x.yaml")
    assert fast_problems == careful_problems
    assert fast_document == careful_document  # the same tree, values and line numbers


def test_the_fast_reader_is_used_for_plain_files_and_never_for_anchors():
    assert load._compose_fast("a: 1\nb: [x, y]\n") is not None
    assert load._compose_fast("a: &x 1\nb: *x\n") is None
    assert load._compose_fast("a: [\n") is None  # broken: the careful reader words the message
    assert load._compose_fast("a:\n" + "".join(" " * (2 * depth) + f"k{depth}:\n" for depth in range(1, 150))) is None


def test_a_text_over_several_lines_knows_the_line_of_each_character():
    text = ("plain: 第一行\n"
            "  第二行普京\n"
            "folded: >\n"
            "  第一行\n"
            "  普京\n"
            "literal: |\n"
            "  第一行\n"
            "\n"
            "  普京\n"
            "quoted: \"第一行\n"
            "  普京\"\n"
            "single: 普京\n")
    document, problems = parse_text(text, "x.yaml")
    assert problems == []
    lines = {key: (value.line_at(0), value.line_at(value.raw.index("普京"))) for key, _, value in document.root.items()}
    assert lines == {"plain": (1, 2), "folded": (4, 5), "literal": (7, 9), "quoted": (10, 11), "single": (12, 12)}
