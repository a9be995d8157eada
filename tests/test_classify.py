"""The classification engine against Tables 2 and 3 and the seed paper's verdicts."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ROOT

from generator.classify import (
    analysis_as_json,
    classify,
    classify_dyad,
    classify_triads,
    place,
    verdict,
)
from generator.cli import analyse
from generator.model import Dataset, Dyad, Origin, Text, ThreatAssessment

TEXT = Text.of({"zh-TW": "文字", "en": "text"})


def threat(actor="AAA", external="low", internal="low", **extra) -> ThreatAssessment:
    return ThreatAssessment(actor, external, internal, TEXT, ("doe-2024",), **extra)


def dyad(first: ThreatAssessment, second: ThreatAssessment, external="ZZZ", dyad_id=None) -> Dyad:
    return Dyad(
        id=dyad_id or f"{first.actor}-{second.actor}".lower(),
        actors=(first.actor, second.actor),
        external=external,
        as_of=dt.date(2025, 6, 30),
        title=TEXT,
        summary=TEXT,
        threats=(first, second),
        origin=Origin("test", 1),
    )


# ---- Table 2 -------------------------------------------------------------------

TABLE_2 = [
    # external, internal, cell, strategy without a lean, how it was decided
    ("low", "low", "A", "hedging", "cell"),
    ("low", "medium", "B", "tethering", "cell"),
    ("low", "high", "C", "tethering", "cell"),
    ("medium", "low", "D", "hedging", "cell"),
    ("medium", "medium", "E", "indeterminate", "tie"),
    ("medium", "high", "F", "tethering", "stronger-internal"),
    ("high", "low", "G", "balancing", "cell"),
    ("high", "medium", "H", "balancing", "stronger-external"),
    ("high", "high", "I", "indeterminate", "tie"),
]


@pytest.mark.parametrize("external, internal, cell, strategy, decided_by", TABLE_2)
def test_every_table_2_cell_without_a_lean(external, internal, cell, strategy, decided_by):
    position = place(threat(external=external, internal=internal))
    assert (position.cell, position.strategy, position.decided_by) == (cell, strategy, decided_by)


@pytest.mark.parametrize("external, internal", [("medium", "medium"), ("medium", "high"), ("high", "medium"), ("high", "high")])
@pytest.mark.parametrize("lean, strategy", [("external", "balancing"), ("internal", "tethering")])
def test_a_lean_decides_every_cell_with_a_choice(external, internal, lean, strategy):
    position = place(threat(external=external, internal=internal, lean=lean))
    assert (position.strategy, position.decided_by) == (strategy, "lean")


@pytest.mark.parametrize("external, internal, fixed", [("low", "low", "hedging"), ("low", "medium", "tethering"),
                                                        ("low", "high", "tethering"), ("medium", "low", "hedging"),
                                                        ("high", "low", "balancing")])
@pytest.mark.parametrize("lean", ["external", "internal"])
def test_a_lean_does_not_override_a_fixed_cell(external, internal, fixed, lean):
    assert place(threat(external=external, internal=internal, lean=lean)).strategy == fixed


@pytest.mark.parametrize("external", ["low", "medium", "high"])
def test_overwhelmed_by_a_high_internal_threat_means_bandwagoning(external):
    position = place(threat(external=external, internal="high", overwhelmed=True, lean="external"))
    assert (position.strategy, position.decided_by) == ("bandwagoning", "overwhelmed")


# ---- Table 3 -------------------------------------------------------------------

TABLE_3 = [
    ("hedging", "hedging", "low", "low", 0),
    ("hedging", "balancing", "low-medium", "low-medium", 1),
    ("hedging", "bandwagoning", "low-medium", "low-medium", 2),
    ("tethering", "hedging", "low", "low", 3),
    ("tethering", "tethering", "variable", "none-low", 4),
    ("tethering", "balancing", "variable", "low-medium", 5),
    ("balancing", "balancing", "high", "high", 6),
    ("balancing", "bandwagoning", "high-variable", "medium", 7),
]


@pytest.mark.parametrize("first, second, commitment, cohesion, row", TABLE_3)
def test_every_table_3_row_in_either_order(first, second, commitment, cohesion, row):
    assert verdict(first, second) == (commitment, cohesion, row)
    assert verdict(second, first) == (commitment, cohesion, row)


@pytest.mark.parametrize(
    "first, second",
    [
        ("tethering", "bandwagoning"),
        ("bandwagoning", "bandwagoning"),
        ("indeterminate", "balancing"),
        ("hedging", "indeterminate"),
        ("indeterminate", "indeterminate"),
    ],
)
def test_pairs_outside_table_3_are_undetermined(first, second):
    assert verdict(first, second) == ("undetermined", "undetermined", None)


def test_an_indeterminate_actor_gives_an_undetermined_dyad_not_a_crash():
    result = classify_dyad(dyad(threat("AAA", "high", "high"), threat("BBB", "high", "low")))
    assert (result.type.key, result.commitment, result.cohesion, result.table3_row) == (
        "indeterminate-balancing",
        "undetermined",
        "undetermined",
        None,
    )


def test_type_follows_the_order_of_actors():
    result = classify_dyad(dyad(threat("BBB", "medium", "low"), threat("AAA", "high", "low")))
    assert result.type.key == "hedging-balancing"
    assert (result.commitment, result.cohesion) == ("low-medium", "low-medium")


# ---- sensitivity and alternative readings -----------------------------------------


def flips_of(result):
    return [(f.actor, f.level, f.from_level, f.to_level, f.type.key) for f in result.flips]


def test_sensitivity_lists_every_single_step_that_changes_the_type():
    result = classify_dyad(dyad(threat("RUS", "high", "low"), threat("CHN", "medium", "low")))
    assert flips_of(result) == [
        ("RUS", "external", "high", "medium", "hedging-hedging"),
        ("CHN", "external", "medium", "high", "balancing-balancing"),
        ("CHN", "internal", "low", "medium", "balancing-indeterminate"),
    ]
    assert result.robust is False


def test_a_dyad_with_no_flipping_step_is_robust():
    # Both lean external deep inside the balancing region: no single step leaves it.
    first = threat("AAA", "high", "medium", lean="external")
    second = threat("BBB", "high", "medium", lean="external")
    result = classify_dyad(dyad(first, second))
    assert (result.type.key, result.flips, result.robust) == ("balancing-balancing", (), True)


def test_overwhelmed_counts_only_while_the_internal_threat_stays_high():
    first = threat("AAA", "high", "high", overwhelmed=True)
    second = threat("BBB", "high", "low")
    result = classify_dyad(dyad(first, second))
    assert result.type.key == "bandwagoning-balancing"
    assert (result.commitment, result.cohesion) == ("high-variable", "medium")
    assert ("AAA", "internal", "high", "medium", "balancing-balancing") in flips_of(result)
    # Moving the external level keeps the internal threat high, so bandwagoning holds.
    assert not [flip for flip in flips_of(result) if flip[:2] == ("AAA", "external")]


def test_every_combination_of_alternatives_is_classified():
    first = threat("AAA", "high", "low", alternatives=(("external", ("medium",)),))
    second = threat("BBB", "medium", "low", alternatives=(("external", ("low", "high")),))
    result = classify_dyad(dyad(first, second))
    assert [(r.levels, r.type.key) for r in result.readings] == [
        ((("AAA", "external", "high"), ("AAA", "internal", "low"), ("BBB", "external", "medium"), ("BBB", "internal", "low")),
         "balancing-hedging"),
        ((("AAA", "external", "high"), ("AAA", "internal", "low"), ("BBB", "external", "low"), ("BBB", "internal", "low")),
         "balancing-hedging"),
        ((("AAA", "external", "high"), ("AAA", "internal", "low"), ("BBB", "external", "high"), ("BBB", "internal", "low")),
         "balancing-balancing"),
        ((("AAA", "external", "medium"), ("AAA", "internal", "low"), ("BBB", "external", "medium"), ("BBB", "internal", "low")),
         "hedging-hedging"),
        ((("AAA", "external", "medium"), ("AAA", "internal", "low"), ("BBB", "external", "low"), ("BBB", "internal", "low")),
         "hedging-hedging"),
        ((("AAA", "external", "medium"), ("AAA", "internal", "low"), ("BBB", "external", "high"), ("BBB", "internal", "low")),
         "hedging-balancing"),
    ]
    assert result.holds_under_all_readings is False


def test_a_type_that_survives_every_reading_holds():
    first = threat("AAA", "high", "low")
    second = threat("BBB", "medium", "low", alternatives=(("external", ("low",)),))
    assert classify_dyad(dyad(first, second)).holds_under_all_readings is True


# ---- triads ----------------------------------------------------------------------


def triad_of(pairs):
    results = tuple(
        classify_dyad(dyad(threat(a, *levels_a), threat(b, *levels_b), dyad_id=f"{a}-{b}".lower()))
        for (a, levels_a), (b, levels_b) in pairs
    )
    return classify_triads(results)


BALANCER = ("high", "low")
HEDGER = ("medium", "low")
TETHERER = ("low", "medium")


def test_three_balancing_dyads_make_a_feasible_trilateral_alliance():
    (result,) = triad_of([(("AAA", BALANCER), ("BBB", BALANCER)), (("AAA", BALANCER), ("CCC", BALANCER)),
                          (("BBB", BALANCER), ("CCC", BALANCER))])
    assert (result.actors, result.trilateral_balancing, result.commitment, result.cohesion_ceiling) == (
        ("AAA", "BBB", "CCC"), True, "high", "high")


def test_mixed_dyads_make_commitment_variable_and_cap_cohesion_at_the_lowest_bound():
    (result,) = triad_of([(("AAA", BALANCER), ("BBB", HEDGER)), (("AAA", BALANCER), ("CCC", BALANCER)),
                          (("BBB", HEDGER), ("CCC", HEDGER))])
    # balancing-hedging (low-medium), balancing-balancing (high), hedging-hedging (low)
    assert (result.trilateral_balancing, result.commitment, result.cohesion_ceiling) == (False, "variable", "low")


def test_agreeing_commitments_are_kept():
    (result,) = triad_of([(("AAA", HEDGER), ("BBB", HEDGER)), (("AAA", HEDGER), ("CCC", HEDGER)),
                          (("BBB", HEDGER), ("CCC", HEDGER))])
    assert (result.commitment, result.cohesion_ceiling) == ("low", "low")


def test_none_low_cohesion_caps_at_low():
    (result,) = triad_of([(("AAA", TETHERER), ("BBB", TETHERER)), (("AAA", BALANCER), ("CCC", BALANCER)),
                          (("BBB", BALANCER), ("CCC", BALANCER))])
    assert result.cohesion_ceiling == "low"


def test_an_undetermined_dyad_makes_the_triad_undetermined():
    tied = ("high", "high")
    (result,) = triad_of([(("AAA", tied), ("BBB", BALANCER)), (("AAA", BALANCER), ("CCC", BALANCER)),
                          (("BBB", BALANCER), ("CCC", BALANCER))])
    assert (result.commitment, result.cohesion_ceiling, result.trilateral_balancing) == (
        "undetermined", "undetermined", False)


def test_no_triad_without_all_three_dyads_or_with_different_external_actors():
    assert triad_of([(("AAA", BALANCER), ("BBB", BALANCER)), (("AAA", BALANCER), ("CCC", BALANCER))]) == ()
    results = (
        classify_dyad(dyad(threat("AAA", *BALANCER), threat("BBB", *BALANCER), external="XXX")),
        classify_dyad(dyad(threat("AAA", *BALANCER), threat("CCC", *BALANCER), external="XXX")),
        classify_dyad(dyad(threat("BBB", *BALANCER), threat("CCC", *BALANCER), external="YYY")),
    )
    assert classify_triads(results) == ()


def test_a_fourth_actor_makes_every_complete_triad():
    actors = ["AAA", "BBB", "CCC", "DDD"]
    pairs = [((a, BALANCER), (b, BALANCER)) for i, a in enumerate(actors) for b in actors[i + 1:]]
    assert [result.actors for result in triad_of(pairs)] == [
        ("AAA", "BBB", "CCC"), ("AAA", "BBB", "DDD"), ("AAA", "CCC", "DDD"), ("BBB", "CCC", "DDD")]


# ---- the seed paper ------------------------------------------------------------------


def test_the_shipped_data_reproduces_the_seed_paper():
    result = analysis_as_json(analyse(str(ROOT / "data")))
    verdicts = {
        d["id"]: (d["actors"], d["external"], {a: (p["cell"], p["strategy"]) for a, p in d["positions"].items()},
                  d["type"], d["commitment"], d["cohesion"])
        for d in result["dyads"]
    }
    assert verdicts == {
        "russia-china": (["RUS", "CHN"], "USA", {"RUS": ("G", "balancing"), "CHN": ("D", "hedging")},
                         "balancing-hedging", "low-medium", "low-medium"),
        "north-korea-china": (["PRK", "CHN"], "USA", {"PRK": ("H", "balancing"), "CHN": ("B", "tethering")},
                              "balancing-tethering", "variable", "low-medium"),
        "russia-north-korea": (["RUS", "PRK"], "USA", {"RUS": ("G", "balancing"), "PRK": ("G", "balancing")},
                               "balancing-balancing", "high", "high"),
    }
    assert result["triads"] == [
        {"actors": ["CHN", "PRK", "RUS"], "external": "USA",
         "dyads": ["north-korea-china", "russia-china", "russia-north-korea"],
         "trilateral_balancing": False, "commitment": "variable", "cohesion_ceiling": "medium",
         "history": [{"as_of": "2025-06-30", "trilateral_balancing": False, "commitment": "variable",
                      "cohesion_ceiling": "medium"}]}
    ]


def test_chinas_contested_external_level_does_not_change_the_russia_china_type():
    russia_china = analyse(str(ROOT / "data")).dyad("russia-china")
    assert [reading.type.key for reading in russia_china.readings] == ["balancing-hedging", "balancing-hedging"]
    assert russia_china.holds_under_all_readings is True
    assert {"actor": "RUS", "level": "external", "from": "high", "to": "medium", "type": "hedging-hedging"} in (
        analysis_as_json(analyse(str(ROOT / "data")))["dyads"][1]["flips"])


def test_classify_json_has_the_documented_shape(run, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run("classify", "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert set(document) == {"dyads", "triads", "atop"}
    assert document["atop"] == {"version": "5.1", "source": "leeds-2002", "from": 1815, "to": 2018}
    first = document["dyads"][0]
    assert {"id", "actors", "external", "positions", "type", "commitment", "cohesion", "robust", "flips",
            "history", "obligations"} <= set(first)
    assert set(first["obligations"][0]) == {"from", "to", "by", "kinds", "coded_by", "source"}
    assert set(first["flips"][0]) == {"actor", "level", "from", "to", "type"}
    assert first["history"] == [{"as_of": first["as_of"], "type": first["type"], "commitment": first["commitment"],
                                 "cohesion": first["cohesion"]}]
    assert {"actors", "external", "dyads", "trilateral_balancing", "commitment", "cohesion_ceiling", "history"} == set(
        document["triads"][0])


def test_classification_needs_no_shared_state():
    # Two runs over the same frozen dataset give equal results.
    dataset = Dataset(actors=(), sources=(), dyads=(dyad(threat("AAA", *BALANCER), threat("BBB", *HEDGER)),))
    assert classify(dataset) == classify(dataset)
