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
    assert all(text.zh_tw.strip() and text.en.strip() for text in texts)


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
        (lambda r: r["levels"][0]["label"].pop("en"), "framework.yaml: level low needs exactly zh-TW and en texts"),
    ],
)
def test_a_broken_rules_file_is_refused(break_rules, message):
    rules = raw_rules()
    break_rules(rules)
    with pytest.raises(RulesError) as error:
        parse_rules(rules)
    assert str(error.value) == message
