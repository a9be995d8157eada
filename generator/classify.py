"""Stage 3, classify: apply Weitsman's framework to every dyad and triad.

Entry point: `classify(dataset) -> Analysis`. Every rule comes from FRAMEWORK
(framework.yaml); this module only says how the rules combine.
"""
from __future__ import annotations

import itertools
from dataclasses import replace

from .framework import FRAMEWORK, Framework
from .model import (
    AllianceType,
    Analysis,
    AssessmentResult,
    Dataset,
    Dyad,
    DyadResult,
    Flip,
    Level,
    Obligation,
    Position,
    Problem,
    Reading,
    Strategy,
    ThreatAssessment,
    TriadResult,
    TriadStage,
    triangles,
)

KINDS = ("external", "internal")
UNDETERMINED = "undetermined"
VARIABLE = "variable"


def place(threat: ThreatAssessment, rules: Framework = FRAMEWORK) -> Position:
    """An actor's Table 2 cell and the strategy it leads to."""
    cell = rules.cell(threat.external, threat.internal)

    def position(strategy: Strategy, decided_by: str) -> Position:
        return Position(threat.actor, threat.external, threat.internal, cell.id, strategy, decided_by)

    if threat.overwhelmed and threat.internal == rules.overwhelmed_requires_internal:
        return position(rules.overwhelmed_strategy, "overwhelmed")
    if cell.strategy is not None:  # a cell without a choice
        return position(cell.strategy, "cell")
    if threat.lean:
        return position(rules.lean_to(threat.lean), "lean")
    external, internal = rules.level_rank(threat.external), rules.level_rank(threat.internal)
    if external > internal:
        return position(rules.lean_to("external"), "stronger-external")
    if internal > external:
        return position(rules.lean_to("internal"), "stronger-internal")
    return position("indeterminate", "tie")


def verdict(first: Strategy, second: Strategy, rules: Framework = FRAMEWORK) -> tuple[str, str, int | None]:
    """Commitment, cohesion and Table 3 row for a pair of strategies."""
    row = rules.pair_row(first, second)
    if row is None:
        return UNDETERMINED, UNDETERMINED, None
    return row.commitment, row.cohesion, row.index


def type_of(threats: tuple[ThreatAssessment, ...], rules: Framework = FRAMEWORK) -> AllianceType:
    first, second = threats
    return AllianceType(place(first, rules).strategy, place(second, rules).strategy)


def with_level(threat: ThreatAssessment, kind: str, level: Level) -> ThreatAssessment:
    """The threat with its external or internal level replaced."""
    if kind == "external":
        return replace(threat, external=level)
    if kind == "internal":
        return replace(threat, internal=level)
    raise ValueError(f"unknown kind of threat '{kind}'")


def sensitivity(dyad: Dyad, base_type: AllianceType, rules: Framework = FRAMEWORK) -> tuple[Flip, ...]:
    """Every single one-step move of one level that changes the dyad's type."""
    flips = []
    levels = rules.level_ids
    for index, threat in enumerate(dyad.threats):
        for kind in KINDS:
            current = rules.level_rank(getattr(threat, kind))
            for step in (-1, 1):
                if not 0 <= current + step < len(levels):
                    continue
                moved = with_level(threat, kind, levels[current + step])
                threats = tuple(moved if i == index else other for i, other in enumerate(dyad.threats))
                new_type = type_of(threats, rules)
                if new_type != base_type:
                    flips.append(Flip(threat.actor, kind, levels[current], levels[current + step], new_type))
    return tuple(flips)


def readings(dyad: Dyad, rules: Framework = FRAMEWORK) -> tuple[Reading, ...]:
    """The dyad under every combination of main and alternative levels, main reading first."""
    slots = []
    for threat in dyad.threats:
        for kind in KINDS:
            options = (getattr(threat, kind),) + threat.alternative_levels(kind)
            slots.append([(threat.actor, kind, level) for level in options])
    found = []
    for combination in itertools.product(*slots):
        chosen = {(actor, kind): level for actor, kind, level in combination}
        threats = tuple(
            replace(threat, external=chosen[threat.actor, "external"], internal=chosen[threat.actor, "internal"])
            for threat in dyad.threats
        )
        reading_type = type_of(threats, rules)
        commitment, cohesion, _ = verdict(reading_type.first, reading_type.second, rules)
        found.append(Reading(tuple(combination), reading_type, commitment, cohesion))
    return tuple(found)


def classify_dyad(dyad: Dyad, rules: Framework = FRAMEWORK) -> DyadResult:
    """The dyad's verdict, its latest assessment's; each earlier assessment is classified once, oldest first, as a
    verdict of its own (its page and handout show it whole), and each result carries those before it."""
    results: list[DyadResult] = []
    for index in range(len(dyad.earlier)):
        results.append(classify_assessment(dyad.as_assessed(index), tuple(results), rules))
    return classify_assessment(dyad, tuple(results), rules)


def classify_assessment(dyad: Dyad, earlier: tuple[DyadResult, ...], rules: Framework = FRAMEWORK) -> DyadResult:
    """The verdict of a dyad's latest assessment, given the results of the ones before it."""
    first, second = (place(threat, rules) for threat in dyad.threats)
    commitment, cohesion, row = verdict(first.strategy, second.strategy, rules)
    dyad_type = AllianceType(first.strategy, second.strategy)
    latest = AssessmentResult(dyad.as_of, (first, second), dyad_type, commitment, cohesion, dyad.change)
    return DyadResult(
        dyad=dyad,
        positions=(first, second),
        type=dyad_type,
        commitment=commitment,
        cohesion=cohesion,
        table3_row=row,
        flips=sensitivity(dyad, dyad_type, rules),
        readings=readings(dyad, rules),
        history=(*(result.history[-1] for result in earlier), latest),
        earlier=earlier,
    )


def lean_warnings(dyad: Dyad, rules: Framework = FRAMEWORK) -> list[Problem]:
    """A lean matters only in a cell with a choice; say so where none is reachable."""
    warnings = []
    for threat in dyad.threats:
        if not threat.lean:
            continue
        externals = (threat.external,) + threat.alternative_levels("external")
        internals = (threat.internal,) + threat.alternative_levels("internal")
        cells = {rules.cell(external, internal) for external in externals for internal in internals}
        if not any(cell.has_choice for cell in cells):
            origin = threat.lean_origin or threat.origin
            names = ", ".join(sorted(cell.id for cell in cells))
            warnings.append(
                Problem(
                    origin.path,
                    origin.line,
                    f"lean for {threat.actor} decides nothing: its levels only reach cell {names}, "
                    "which fixes the strategy; remove the lean or check the levels",
                    severity="warning",
                )
            )
    return warnings


def upper_bound(degree: str, rules: Framework = FRAMEWORK) -> Level | None:
    return rules.degree(degree).upper_bound


def classify_triads(results: tuple[DyadResult, ...], rules: Framework = FRAMEWORK) -> tuple[TriadResult, ...]:
    by_pair: dict[tuple[tuple[str, str], str], DyadResult] = {}
    for result in results:
        first, second = sorted(result.dyad.actors)
        by_pair[((first, second), result.dyad.external)] = result
    triads = []
    for external in sorted({result.dyad.external for result in results}):
        pairs = [result.dyad.actors for result in results if result.dyad.external == external]
        for trio in triangles(pairs):
            found = [by_pair[(pair, external)] for pair in itertools.combinations(trio, 2)]
            triads.append(triad(trio, external, found, rules))
    return tuple(triads)


def triad_verdict(dyads: list[AssessmentResult], rules: Framework = FRAMEWORK) -> tuple[bool, str, str]:
    """Whether the three can balance together, their commitment and their cohesion ceiling, from the three
    dyads' verdicts."""
    commitments = {result.commitment for result in dyads}
    if UNDETERMINED in commitments:
        # Calling it "variable" would claim knowledge Table 3 does not give.
        commitment = UNDETERMINED
    elif len(commitments) == 1:
        commitment = commitments.pop()
    else:
        commitment = VARIABLE
    bounds = [upper_bound(result.cohesion, rules) for result in dyads]
    known = [bound for bound in bounds if bound is not None]
    ceiling = UNDETERMINED if len(known) < len(bounds) else min(known, key=rules.level_rank)
    balancing = all(result.type == AllianceType("balancing", "balancing") for result in dyads)
    return balancing, commitment, ceiling


def triad_history(dyads: list[DyadResult], rules: Framework = FRAMEWORK) -> tuple[TriadStage, ...]:
    """The triad's verdict at every date one of its dyads was assessed, from the first date all three had
    been, keeping only the dates it changed: each dyad counts with its latest assessment by then."""
    start = max(result.history[0].as_of for result in dyads)
    dates = sorted({stage.as_of for result in dyads for stage in result.history if stage.as_of >= start})
    stages: list[TriadStage] = []
    for date in dates:
        current = [[stage for stage in result.history if stage.as_of <= date][-1] for result in dyads]
        stage = TriadStage(date, *triad_verdict(current, rules))
        if not stages or stages[-1].verdict != stage.verdict:
            stages.append(stage)
    return tuple(stages)


def triad(trio: tuple[str, str, str], external: str, dyads: list[DyadResult], rules: Framework = FRAMEWORK) -> TriadResult:
    balancing, commitment, ceiling = triad_verdict([result.history[-1] for result in dyads], rules)
    first, second, third = sorted(result.dyad.id for result in dyads)
    return TriadResult(
        actors=trio,
        external=external,
        dyads=(first, second, third),
        trilateral_balancing=balancing,
        commitment=commitment,
        cohesion_ceiling=ceiling,
        history=triad_history(dyads, rules),
    )


def classify(dataset: Dataset, rules: Framework = FRAMEWORK) -> Analysis:
    results = tuple(classify_dyad(dyad, rules) for dyad in dataset.dyads)
    leans = [warning for dyad in dataset.dyads for warning in lean_warnings(dyad, rules)]
    # By file and line; on one line, in the order the text has them (a stable sort).
    warnings = tuple(sorted([*dataset.warnings, *leans], key=lambda warning: (warning.path, warning.line)))
    return Analysis(dataset=dataset, dyads=results, triads=classify_triads(results, rules), warnings=warnings)


# ---- plain data for --json and for pages ---------------------------------------


def obligation_as_json(obligation: Obligation) -> dict:
    """One span of formal obligations: its years (to: null while in force with no end named), the members it
    binds (both, or the one bound towards the other), its kinds, who coded it and the source."""
    found: dict = {"from": obligation.start, "to": obligation.end, "by": list(obligation.by),
                   "kinds": list(obligation.kinds), "coded_by": obligation.coded_by, "source": obligation.source}
    if obligation.note is not None:
        found["note"] = obligation.note.as_dict()
    return found


def dyad_as_json(result: DyadResult, obligations: tuple[Obligation, ...] | None = None) -> dict:
    """`obligations`: the dyad's formal obligations (Dataset.obligations_of); None, shown as null, when nobody
    coded them."""
    dyad = result.dyad
    return {
        "id": dyad.id,
        "title": dyad.title.as_dict(),
        "actors": list(dyad.actors),
        "external": dyad.external,
        "as_of": dyad.as_of.isoformat(),
        "positions": {
            position.actor: {
                "external": position.external,
                "internal": position.internal,
                "cell": position.cell,
                "strategy": position.strategy,
                "decided_by": position.decided_by,
            }
            for position in result.positions
        },
        "type": result.type.key,
        "commitment": result.commitment,
        "cohesion": result.cohesion,
        "history": [{"as_of": stage.as_of.isoformat(), "type": stage.type.key, "commitment": stage.commitment,
                     "cohesion": stage.cohesion} for stage in result.history],
        "robust": result.robust,
        "flips": [
            {"actor": flip.actor, "level": flip.level, "from": flip.from_level, "to": flip.to_level, "type": flip.type.key}
            for flip in result.flips
        ],
        "holds_under_all_readings": result.holds_under_all_readings,
        "readings": [
            {
                "levels": {
                    actor: {kind: level for a, kind, level in reading.levels if a == actor}
                    for actor in dyad.actors
                },
                "type": reading.type.key,
                "commitment": reading.commitment,
                "cohesion": reading.cohesion,
            }
            for reading in result.readings
        ],
        "obligations": None if obligations is None else [obligation_as_json(found) for found in obligations],
    }


def triad_as_json(result: TriadResult) -> dict:
    return {
        "actors": list(result.actors),
        "external": result.external,
        "dyads": list(result.dyads),
        "trilateral_balancing": result.trilateral_balancing,
        "commitment": result.commitment,
        "cohesion_ceiling": result.cohesion_ceiling,
        "history": [{"as_of": stage.as_of.isoformat(), "trilateral_balancing": stage.trilateral_balancing,
                     "commitment": stage.commitment, "cohesion_ceiling": stage.cohesion_ceiling}
                    for stage in result.history],
    }


DYAD_CSV_COLUMNS = ("dyad", "as_of", "external_actor", "actor", "external_threat", "internal_threat", "cell", "strategy",
                    "decided_by", "type", "commitment", "cohesion")


def dyad_as_csv(result: DyadResult) -> bytes:
    """A dyad's verdict as CSV, a row per actor, in the data's own ids (language-neutral, like the JSON)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DYAD_CSV_COLUMNS)
    dyad = result.dyad
    for position in result.positions:
        writer.writerow([dyad.id, dyad.as_of.isoformat(), dyad.external, position.actor, position.external,
                         position.internal, position.cell, position.strategy, position.decided_by, result.type.key,
                         result.commitment, result.cohesion])
    return buffer.getvalue().encode("utf-8")


def treaty_coding_as_json(analysis: Analysis) -> dict | None:
    """What the ATOP part of the obligations covers, or None without one."""
    coding = analysis.dataset.atop
    if coding is None:
        return None
    return {"version": coding.version, "source": coding.source, "from": coding.start, "to": coding.end}


def analysis_as_json(analysis: Analysis) -> dict:
    dataset = analysis.dataset
    return {
        "dyads": [dyad_as_json(result, dataset.obligations_of(result.dyad.id)) for result in analysis.dyads],
        "triads": [triad_as_json(result) for result in analysis.triads],
        "atop": treaty_coding_as_json(analysis),
    }
