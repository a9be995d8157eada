"""Property-based tests: random but well-formed data never crashes the pipeline,
and the engine agrees with a direct reading of Tables 2 and 3."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.classify import classify
from generator.model import Actor, Dataset, Dyad, Origin, Source, Text, ThreatAssessment

LEVELS = ("low", "medium", "high")
RANK = {level: index for index, level in enumerate(LEVELS)}
# Tables 2 and 3 written out by hand, independently of framework.yaml.
FIXED = {("low", "low"): "hedging", ("low", "medium"): "tethering", ("low", "high"): "tethering",
         ("medium", "low"): "hedging", ("high", "low"): "balancing"}
PAIRS = {
    frozenset(["hedging"]): ("low", "low"),
    frozenset(["hedging", "balancing"]): ("low-medium", "low-medium"),
    frozenset(["hedging", "bandwagoning"]): ("low-medium", "low-medium"),
    frozenset(["tethering", "hedging"]): ("low", "low"),
    frozenset(["tethering"]): ("variable", "none-low"),
    frozenset(["tethering", "balancing"]): ("variable", "low-medium"),
    frozenset(["balancing"]): ("high", "high"),
    frozenset(["balancing", "bandwagoning"]): ("high-variable", "medium"),
}
TEXT = Text.of({"zh-TW": "文字", "en": "text"})


def expected_strategy(threat: ThreatAssessment) -> str:
    if threat.overwhelmed and threat.internal == "high":
        return "bandwagoning"
    if (threat.external, threat.internal) in FIXED:
        return FIXED[(threat.external, threat.internal)]
    if threat.lean:
        return {"external": "balancing", "internal": "tethering"}[threat.lean]
    difference = RANK[threat.external] - RANK[threat.internal]
    return "balancing" if difference > 0 else "tethering" if difference < 0 else "indeterminate"


@st.composite
def threats(draw, actor: str) -> ThreatAssessment:
    external, internal = draw(st.sampled_from(LEVELS)), draw(st.sampled_from(LEVELS))
    alternatives = []
    for kind, main in (("external", external), ("internal", internal)):
        others = draw(st.lists(st.sampled_from([level for level in LEVELS if level != main]), unique=True, max_size=2))
        if others:
            alternatives.append((kind, tuple(sorted(others, key=RANK.get))))
    return ThreatAssessment(
        actor, external, internal, TEXT, ("doe-2024",), tuple(alternatives),
        lean=draw(st.sampled_from([None, "external", "internal"])),
        overwhelmed=internal == "high" and draw(st.booleans()),
    )


@st.composite
def datasets(draw) -> Dataset:
    codes = ["AAA", "BBB", "CCC", "DDD", "EEE"]
    actors = tuple(Actor(code, Text.of({"zh-TW": code, "en": code}), Origin("x", 1)) for code in codes + ["ZZZ"])
    pairs = draw(st.lists(st.tuples(st.sampled_from(codes), st.sampled_from(codes)).filter(lambda p: p[0] != p[1]),
                          min_size=1, max_size=8, unique_by=lambda p: frozenset(p)))
    dyads = tuple(
        Dyad(f"d{index}", pair, "ZZZ", dt.date(2025, 1, 1), TEXT, TEXT,
             (draw(threats(pair[0])), draw(threats(pair[1]))), Origin("x", 1))
        for index, pair in enumerate(pairs)
    )
    source = Source("doe-2024", "Doe, J.", 2024, "A Source", "Press", None, None, None, Origin("x", 1))
    return Dataset(actors=actors, sources=(source,), dyads=dyads)


@settings(max_examples=300, deadline=None)
@given(datasets())
def test_classification_agrees_with_a_direct_table_lookup(dataset):
    analysis = classify(dataset)
    for result in analysis.dyads:
        strategies = [expected_strategy(threat) for threat in result.dyad.threats]
        assert [p.strategy for p in result.positions] == strategies
        assert result.type.key == "-".join(strategies)
        expected = PAIRS.get(frozenset(strategies), ("undetermined", "undetermined"))
        assert (result.commitment, result.cohesion) == expected
        assert result.robust == (not result.flips)
        assert result.readings[0].type == result.type
    for triad in analysis.triads:
        assert triad.trilateral_balancing == all(
            analysis.dyad(dyad_id).type.key == "balancing-balancing" for dyad_id in triad.dyads)


@settings(max_examples=40, deadline=None)
@given(datasets())
def test_well_formed_data_never_crashes_the_pages(dataset):
    from generator.charts import ChartSet
    from generator.classify import analysis_as_json

    analysis = classify(dataset)
    assert len(analysis_as_json(analysis)["dyads"]) == len(dataset.dyads)
    # Every dyad and triad page renders, with charts stood in by an empty set of real paths.
    from generator.charts import plan

    charts = ChartSet(tuple(job.placeholder("t", "a") for job in plan(analysis)))
    from generator.pages import Settings, render_pages

    site = render_pages(analysis, charts, Settings(organisation={
        key: {"zh-TW": key, "en": key} for key in ("name", "series", "tagline", "about", "address", "editor_note")
    } | {"phone": "1", "email": "e", "website": "w"}))
    assert len(site.pages) >= 2 * (len(dataset.dyads) + 7)
