"""The Simplified-Chinese edition's conversion: OpenCC's tw2sp by phrase, and the desk's terms file (fast tier)."""
from __future__ import annotations

import pytest
from conftest import ROOT, write_data

from generator.convert import Terms, convert

# Each Taiwanese phrase, what tw2sp makes of it, and what a character table makes of it (each character
# converted alone, as OpenCC's t2s converts a single character): the table keeps Taiwan's word in Simplified
# characters, or gets the character wrong (乾隆 is a reign name; 乾 becomes 干 only in 乾燥).
PHRASES = [
    ("軟體", "软件", "软体"),
    ("網路", "网络", "网路"),
    ("資訊", "信息", "资讯"),
    ("程式", "程序", "程式"),
    ("列印", "打印", "列印"),
    ("滑鼠", "鼠标", "滑鼠"),
    ("記憶體", "内存", "记忆体"),
    ("影片", "视频", "影片"),
    ("螢幕", "屏幕", "萤幕"),
    ("乾隆", "乾隆", "干隆"),
    ("瞭解", "了解", "瞭解"),
    ("著急", "着急", "著急"),
    ("硬碟", "硬盘", "硬碟"),
    ("印表機", "打印机", "印表机"),
    ("網際網路", "互联网", "网际网路"),
    ("部落格", "博客", "部落格"),
    ("計程車", "出租车", "计程车"),
    ("伺服器", "服务器", "伺服器"),
    ("資料庫", "数据库", "资料库"),
    ("檔案", "文件", "档案"),
    ("光碟", "光盘", "光碟"),
    ("雷射", "激光", "雷射"),
    ("演算法", "算法", "演算法"),
    ("簡訊", "短信", "简讯"),
    ("晶片", "芯片", "晶片"),
    ("紐西蘭", "新西兰", "纽西兰"),
    ("寮國", "老挝", "寮国"),
    ("義大利", "意大利", "义大利"),
    ("泡麵", "方便面", "泡面"),
]

# Where the same character goes two ways by the phrase it is in, and where the table is right too.
IN_CONTEXT = [("乾燥", "干燥"), ("乾隆", "乾隆"), ("著名", "著名"), ("著作", "著作"), ("著急", "着急"),
              ("頭髮", "头发"), ("後台", "后台"), ("北韓", "北韩"), ("俄羅斯", "俄罗斯"), ("同盟", "同盟")]


def by_character(text: str) -> str:
    return "".join(convert(character, "t2s") for character in text)


@pytest.mark.parametrize(("taiwan", "mainland", "table"), PHRASES, ids=[phrase for phrase, _, _ in PHRASES])
def test_a_phrase_is_converted_as_a_phrase_not_character_by_character(taiwan, mainland, table):
    assert convert(taiwan, "tw2sp") == mainland
    assert by_character(taiwan) == table
    assert table != mainland


def test_at_least_twenty_phrases_need_the_phrase_table():
    assert len(PHRASES) >= 20


@pytest.mark.parametrize(("taiwan", "simplified"), IN_CONTEXT, ids=[phrase for phrase, _ in IN_CONTEXT])
def test_a_character_is_converted_by_the_phrase_around_it(taiwan, simplified):
    assert convert(taiwan, "tw2sp") == simplified


def test_the_desks_terms_win_over_opencc_and_the_longest_term_first():
    terms = Terms((("普丁", "普京"), ("北韓", "朝鲜"), ("北韓政府", "北韩当局")))
    assert convert("普丁與北韓的軟體", "tw2sp") == "普丁与北韩的软件"
    assert convert("普丁與北韓的軟體", "tw2sp", terms) == "普京与朝鲜的软件"
    assert convert("北韓政府與北韓", "tw2sp", terms) == "北韩当局与朝鲜"
    assert convert("", "tw2sp", terms) == ""


def test_the_shipped_terms_file_passes_check_and_its_entries_reach_the_pages():
    from generator.load import load_data
    from generator.validate import validate

    dataset = validate(load_data(ROOT / "data", ROOT / "docs"))
    assert not [warning for warning in dataset.warnings if "zh-hans-terms" in warning.path]
    texts = " ".join(event.title.get("zh-Hans") for event in dataset.events)
    assert "普京" in texts and "普丁" not in texts  # the desk's transliteration, where OpenCC keeps Taiwan's
    assert "北韩" in texts and "朝鲜" not in texts  # the desk's name for the state, as the file says why
    brief = dataset.brief("three-dyads", "zh-Hans")
    assert brief is not None and brief.origin.path.endswith("three-dyads.zh-TW.md")
    assert brief.title == convert(dataset.brief("three-dyads", "zh-TW").title, "tw2sp")


TERMS_PATH = "data/zh-hans-terms.yaml"


@pytest.mark.parametrize(("text", "expected"), [
    ("- 普丁\n", [f"{TERMS_PATH}:1: this file should map each term, as the Traditional Chinese texts write it, to "
                  "what the Simplified Chinese edition writes instead, one a line, e.g. '普丁: 普京'"]),
    ("普丁: 普京\n北韩: 朝鲜\n", [
        f"{TERMS_PATH}:2: '北韩' is written in Simplified Chinese, so no Traditional Chinese text holds it; write the "
        "term as the Traditional Chinese texts write it (北韓), and after the colon what the Simplified Chinese "
        "edition writes instead"]),
    ("北韓:\n", [f"{TERMS_PATH}:1: the term '北韓' needs what the Simplified Chinese edition writes instead, as text "
                 "on the same line, e.g. '北韓: …'"]),
    ("Putin: 普京\n", [f"{TERMS_PATH}:1: 'Putin' is not a term of Chinese characters without spaces; write one term "
                       "a line, as the Traditional Chinese texts write it"]),
    ("普丁: 普京\n普丁: 普丁\n", [f"{TERMS_PATH}:2: the key '普丁' appears twice in the same block (first on line 1); "
                                  "keep only one of them"]),
], ids=["a-list", "simplified-term", "no-replacement", "not-chinese", "twice"])
def test_a_bad_terms_file_is_refused_with_its_line(workdir, run, text, expected):
    data = write_data(workdir)
    (data / "zh-hans-terms.yaml").write_text(text, encoding="utf-8")
    noun = "problem" if len(expected) == 1 else "problems"
    assert run("check") == (1, "", "".join(line + "\n" for line in expected)
                            + f"briefing: {len(expected)} {noun} in data; fix them and run again\n")


def test_a_terms_entry_that_changes_nothing_is_a_warning(workdir, run):
    data = write_data(workdir)
    (data / "zh-hans-terms.yaml").write_text("# the desk's terms\n軟體: 软件\n", encoding="utf-8")
    assert run("check") == (0, "", f"{TERMS_PATH}:2: warning: OpenCC already converts '軟體' to '软件'; "
                                   "the entry changes nothing\n")
