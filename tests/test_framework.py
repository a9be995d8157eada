"""The rule tables themselves: complete, consistent, bilingual, and guarded."""
from __future__ import annotations

import copy
from typing import get_args

import pytest
import yaml

from generator.framework import FRAMEWORK, RULES_PATH, RulesError, parse_rules
from generator.model import AllianceType, Level, Strategy


def test_table_2_has_one_cell_per_pair_of_levels():
    assert [(cell.id, cell.external, cell.internal) for cell in FRAMEWORK.cells] == [
        ("A", "low", "low"), ("B", "low", "medium"), ("C", "low", "high"),
        ("D", "medium", "low"), ("E", "medium", "medium"), ("F", "medium", "high"),
        ("G", "high", "low"), ("H", "high", "medium"), ("I", "high", "high"),
    ]


def test_only_e_f_h_i_leave_a_choice():
    assert [cell.id for cell in FRAMEWORK.cells if cell.has_choice] == ["E", "F", "H", "I"]


def test_every_label_exists_in_both_languages():
    texts = [level.label for level in FRAMEWORK.levels]
    texts += [strategy.label for strategy in FRAMEWORK.strategies] + [s.alliance for s in FRAMEWORK.strategies]
    texts += [degree.label for degree in FRAMEWORK.degrees] + [cell.cohesion for cell in FRAMEWORK.cells]
    texts += [row.source for row in FRAMEWORK.pairs]
    assert all(value.strip() for text in texts for _, value in text.values)


def test_type_labels_read_naturally_in_both_languages():
    assert FRAMEWORK.type_label(AllianceType("balancing", "tethering"), "zh-TW") == "抗衡–籠絡同盟"
    assert FRAMEWORK.type_label(AllianceType("balancing", "tethering"), "en") == "balancing–tethering alliance"


def test_the_level_and_strategy_types_name_what_framework_yaml_defines():
    assert get_args(Level) == FRAMEWORK.level_ids
    assert get_args(Strategy) == FRAMEWORK.strategy_ids


def test_an_alliance_type_reads_back_from_its_key():
    for first in FRAMEWORK.strategy_ids:
        for second in FRAMEWORK.strategy_ids:
            alliance = AllianceType(first, second)
            assert AllianceType.parse(alliance.key, FRAMEWORK.strategy_ids) == alliance
    assert AllianceType("balancing", "hedging").key == "balancing-hedging"


@pytest.mark.parametrize("key", ["balancing", "balancing-", "-hedging", "none-low", "balancing-hedging-tethering",
                                 "Balancing-hedging", "balancing–hedging"])
def test_anything_but_two_strategies_is_no_alliance_type(key):
    with pytest.raises(ValueError):
        AllianceType.parse(key, FRAMEWORK.strategy_ids)


def raw_rules():
    return yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))


def test_the_shipped_rules_parse_to_the_framework_in_use():
    assert parse_rules(raw_rules()) == FRAMEWORK


@pytest.mark.parametrize(
    "break_rules, message",
    [
        (lambda r: r["cells"].pop(), "Table 2 needs exactly one cell for each pair of external and internal levels"),
        (lambda r: r["pairs"].append(copy.deepcopy(r["pairs"][0])), "Table 3 lists the same pair of strategies twice"),
        (lambda r: r["pairs"][0].update(commitment="huge"), "Table 3 row 1 names an unknown strategy or degree"),
        (lambda r: r["cells"][0].update(strategy="appeasing"), "cell A names a strategy that is not in strategies"),
        (lambda r: r["cells"][4].update(strategy="hedging"), "cell E needs either a strategy or a choice, not both or neither"),
        (lambda r: r["levels"][0]["label"].pop("en"),
         "framework.yaml: level low needs a text in each of zh-TW and en, and may give a converted language its own"),
    ],
)
def test_a_broken_rules_file_is_refused(break_rules, message):
    rules = raw_rules()
    break_rules(rules)
    with pytest.raises(RulesError) as error:
        parse_rules(rules)
    assert str(error.value) == message


EXPLAINED = {
    ("hedging", "hedging"): (
        "雙方都不願明確選邊，只求保留迴旋空間；若與美國爆發危機，彼此都難以倚靠對方，共同目標也很少。",
        "Neither side wants to take sides; each keeps its options open. In a crisis with the United States, neither "
        "can rely on the other, and they share few goals."),
    ("hedging", "balancing"): (
        "乙想與夥伴聯手對抗美國，甲則只求保留迴旋空間；危機時的相互支援為低度到中度，目標只部分重合。",
        "B wants to join forces against the United States, while A keeps its options open. In a crisis, expect low "
        "to medium support, with goals only partly shared."),
    ("hedging", "bandwagoning"): (
        "乙受夥伴壓制而依附對方，甲則保留迴旋空間；危機時的相互支援為低度到中度，團結有限。",
        "B, pressed by its partner, follows it, while A keeps its options open. In a crisis, expect low to medium "
        "support and limited unity."),
    ("tethering", "hedging"): (
        "甲想藉同盟約束夥伴，乙則不願被綁住；若與美國爆發危機，彼此都難以倚靠對方，凝聚力低。",
        "A wants the alliance to restrain its partner; B does not want to be tied down. In a crisis with the United "
        "States, neither can rely on the other, and cohesion is low."),
    ("tethering", "tethering"): (
        "雙方結盟主要是為了約束對方、管理彼此的衝突，而非對抗美國；危機時是否相挺難以預料，幾乎談不上團結。",
        "Each side allies mainly to restrain the other and manage their disputes, not to face the United States. "
        "Whether they stand together in a crisis is hard to predict, and there is little or no unity."),
    ("tethering", "balancing"): (
        "乙想與夥伴聯手對抗美國，甲更在意約束夥伴；危機時能否相挺因時而異，團結為低度到中度。",
        "B wants to join forces against the United States; A cares more about restraining its partner. Whether they "
        "stand together in a crisis varies, and unity is low to medium."),
    ("balancing", "balancing"): (
        "雙方都想聯手對抗美國；危機時可預期彼此相挺，目標與威脅認知也相近。",
        "Both sides want to join forces against the United States. In a crisis, each can expect the other to stand "
        "by it, and they share goals and threat perceptions."),
    ("balancing", "bandwagoning"): (
        "甲想與夥伴聯手對抗美國，乙則因夥伴帶來的威脅而依附對方；危機時承諾雖高，卻可能動搖，團結為中度。",
        "A wants to join forces against the United States; B, threatened by its partner, follows it. In a crisis, "
        "commitment is high but may waver, and unity is medium."),
}


def test_every_table_3_row_is_explained_in_plain_words_in_both_languages():
    assert {row.strategies for row in FRAMEWORK.pairs} == set(EXPLAINED)
    for (first, second), (chinese, english) in EXPLAINED.items():
        alliance = AllianceType(first, second)
        for lang, text, names in (("zh-TW", chinese, ("甲", "乙", "美國")), ("en", english, ("A", "B", "the United States"))):
            actors = {second: names[1], first: names[0]}
            assert FRAMEWORK.explain(alliance, lang, actors, names[2]) == text, (first, second, lang)
    assert FRAMEWORK.explain(AllianceType("tethering", "bandwagoning"), "en", {}, "the United States") is None


def test_an_explanation_may_name_only_the_actors_its_row_tells_apart():
    raw = raw_rules()
    raw["pairs"][0]["explain"]["en"] = "{hedging} keeps its options open."  # both hedge: which one?
    with pytest.raises(RulesError, match="Table 3 row 1 explain names hedging; it may name external"):
        parse_rules(raw)
