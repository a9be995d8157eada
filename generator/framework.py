"""The framework's rules, read once from framework.yaml.

Both the classification engine and the pages that explain the framework use
`FRAMEWORK`, so Table 2, Table 3 and their labels exist in one place only.
"""
from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Generic, TypeVar

from .languages import TABLE, read_code_table
from .model import AllianceType, Level, Text
from .model import Strategy as StrategyId
from .typography import PAIR_SEPARATOR

Id = TypeVar("Id", bound=str)

RULES_PATH = Path(__file__).with_name("framework.yaml")


class RulesError(Exception):
    """framework.yaml itself is inconsistent: a developer's mistake, not an analyst's."""


@dataclass(frozen=True)
class Labelled(Generic[Id]):
    id: Id
    label: Text
    explain: Text | None = None


@dataclass(frozen=True)
class Strategy:
    id: StrategyId
    label: Text
    alliance: Text
    explain: Text
    weighs: str | None  # "internal", "external", or None where nothing can be said


@dataclass(frozen=True)
class Degree:
    id: str
    label: Text
    upper_bound: Level | None  # a threat level, or None where no bound can be named
    range: tuple[str, str] | None  # (lowest, highest) on the scale, or None
    variable: bool


@dataclass(frozen=True)
class Cell:
    id: str
    external: Level
    internal: Level
    strategy: StrategyId | None  # fixed strategy, or None for a cell with a choice
    choice: tuple[StrategyId, ...]
    cohesion: Text

    @property
    def has_choice(self) -> bool:
        return self.strategy is None


@dataclass(frozen=True)
class PairRow:
    index: int  # 0-based row of Table 3
    strategies: tuple[StrategyId, StrategyId]  # as the table prints them
    source: Text
    commitment: str
    cohesion: str
    explain: Text  # in plain words; {<strategy id>} is the actor playing it, {external} the outside actor

    @property
    def key(self) -> tuple[StrategyId, StrategyId]:
        first, second = sorted(self.strategies)
        return first, second


@dataclass(frozen=True)
class ObligationKind:
    """A kind of formal treaty obligation, as ATOP codes it."""

    id: str
    atop: str  # the column of ATOP's directed dyad-year table that records it
    label: Text
    explain: Text  # what a state bound by it promises, as the end of a sentence


@dataclass(frozen=True)
class Framework:
    citation: Text
    levels: tuple[Labelled[Level], ...]
    threat_kinds: tuple[Labelled[str], ...]
    strategies: tuple[Strategy, ...]
    degrees: tuple[Degree, ...]
    scale: tuple[Labelled[str], ...]  # none < low < medium < high, for commitment and cohesion
    cells: tuple[Cell, ...]
    lean_strategy: tuple[tuple[str, StrategyId], ...]  # (("external", "balancing"), ...)
    overwhelmed_strategy: StrategyId
    overwhelmed_requires_internal: Level
    pairs: tuple[PairRow, ...]
    undetermined_pair: Text
    theories: tuple[Text, ...]  # Table 1 columns
    theory_aspects: tuple[tuple[Text, tuple[Text, ...]], ...]  # Table 1 rows: (aspect, one text per theory)
    obligations: tuple[ObligationKind, ...] = ()  # the kinds of formal treaty obligation, in ATOP's order

    # ---- look-ups ----
    @property
    def level_ids(self) -> tuple[Level, ...]:
        return tuple(level.id for level in self.levels)

    @property
    def strategy_ids(self) -> tuple[StrategyId, ...]:
        return tuple(strategy.id for strategy in self.strategies)

    @property
    def obligation_ids(self) -> tuple[str, ...]:
        return tuple(kind.id for kind in self.obligations)

    def obligation(self, kind_id: str) -> ObligationKind:
        return _by_id(self.obligations, kind_id)

    def level_rank(self, level: str) -> int:
        return self.level_ids.index(level)

    def level_label(self, level: str, lang: str) -> str:
        return _by_id(self.levels, level).label.get(lang)

    def kind_label(self, kind: str, lang: str) -> str:
        return _by_id(self.threat_kinds, kind).label.get(lang)

    def threat_explain(self, kind: str, lang: str) -> str:
        explain = _by_id(self.threat_kinds, kind).explain
        return explain.get(lang) if explain else ""

    def strategy(self, strategy_id: str) -> Strategy:
        return _by_id(self.strategies, strategy_id)

    def degree(self, degree_id: str) -> Degree:
        return _by_id(self.degrees, degree_id)

    def cell(self, external: str, internal: str) -> Cell:
        for cell in self.cells:
            if cell.external == external and cell.internal == internal:
                return cell
        raise KeyError((external, internal))

    def cell_by_id(self, cell_id: str) -> Cell:
        return _by_id(self.cells, cell_id)

    def pair_row(self, first: StrategyId, second: StrategyId) -> PairRow | None:
        key = tuple(sorted((first, second)))
        for row in self.pairs:
            if row.key == key:
                return row
        return None

    def explain(self, alliance: AllianceType, lang: str, actors: dict[str, str], external: str) -> str | None:
        """The Table 3 row in plain words, with the actors named; None when no row covers the pair.
        `actors` maps each strategy to the name of the actor playing it."""
        row = self.pair_row(*alliance.strategies)
        return None if row is None else row.explain.get(lang).format(external=external, **actors)

    def reader_type_label(self, alliance: AllianceType, lang: str) -> str:
        """The type as a reader sees it: an open strategy makes no kind of alliance, so it says so
        (the analyst's tools keep balancing–indeterminate, which tells which side is open)."""
        if "indeterminate" in alliance.strategies:
            return LABELS("type_open", lang)
        return self.type_label(alliance, lang)

    def explain_row(self, row: PairRow, lang: str) -> str:
        """A Table 3 row in plain words with each actor named by its role (the balancing side)."""
        roles = {strategy: LABELS("role_side", lang, strategy=self.strategy(strategy).label.get(lang))
                 for strategy in row.strategies}
        return capitalised(row.explain.get(lang).format(external=LABELS("role_external", lang), **roles))

    def scale_rank(self, step: str) -> int:
        return [item.id for item in self.scale].index(step)

    def lean_to(self, lean: str) -> StrategyId:
        return dict(self.lean_strategy)[lean]

    def type_label(self, alliance: AllianceType, lang: str) -> str:
        """balancing-hedging -> '抗衡–避險同盟' / 'balancing–hedging alliance' (the en dash in both:
        generator/typography.py says why)."""
        parts = [self.strategy(part).label.get(lang) for part in alliance.strategies]
        return PAIR_SEPARATOR.join(parts) + LABELS("alliance_suffix", lang)


def _by_id(items, item_id):
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


def _text(raw, where: str) -> Text:
    # Every written language's text; a converted language's only where conversion would not do (a code).
    if not isinstance(raw, dict) or not set(TABLE.written) <= set(raw) <= set(TABLE.codes):
        raise RulesError(f"{RULES_PATH.name}: {where} needs a text in each of {TABLE.series(list(TABLE.written))}, "
                         "and may give a converted language its own")
    return Text.of({code: str(text) for code, text in raw.items()})


def parse_rules(raw: dict) -> Framework:
    levels = tuple(Labelled(item["id"], _text(item["label"], f"level {item['id']}")) for item in raw["levels"])
    level_ids = {level.id for level in levels}
    kinds = tuple(
        Labelled(item["id"], _text(item["label"], item["id"]), _text(item["explain"], item["id"]))
        for item in raw["threat_kinds"]
    )
    strategies = tuple(
        Strategy(
            item["id"],
            _text(item["label"], item["id"]),
            _text(item["alliance"], item["id"]),
            _text(item["explain"], item["id"]),
            item["weighs"],
        )
        for item in raw["strategies"]
    )
    strategy_ids = {strategy.id for strategy in strategies}
    scale = tuple(Labelled(step, _text(raw["scale_labels"][step], f"scale {step}")) for step in raw["scale"])
    degrees = tuple(
        Degree(
            item["id"],
            _text(item["label"], item["id"]),
            item["upper_bound"],
            tuple(item["range"]) if item["range"] else None,
            bool(item["variable"]),
        )
        for item in raw["degrees"]
    )
    degree_ids = {degree.id for degree in degrees}
    scale_ids = {step.id for step in scale}
    for degree in degrees:
        if degree.range and set(degree.range) - scale_ids:
            raise RulesError(f"degree {degree.id} has a range outside the scale")
    cells = []
    for item in raw["cells"]:
        cell = Cell(
            id=item["id"],
            external=item["external"],
            internal=item["internal"],
            strategy=item.get("strategy"),
            choice=tuple(item.get("choice", ())),
            cohesion=_text(item["cohesion"], f"cell {item['id']}"),
        )
        if (cell.strategy is None) == (not cell.choice):
            raise RulesError(f"cell {cell.id} needs either a strategy or a choice, not both or neither")
        if {cell.external, cell.internal} - level_ids:
            raise RulesError(f"cell {cell.id} names a level that is not in levels")
        if (set(cell.choice) | {cell.strategy}) - {None} - strategy_ids:
            raise RulesError(f"cell {cell.id} names a strategy that is not in strategies")
        cells.append(cell)
    grid = {(cell.external, cell.internal) for cell in cells}
    if len(cells) != len(levels) ** 2 or len(grid) != len(cells):
        raise RulesError("Table 2 needs exactly one cell for each pair of external and internal levels")
    pairs = []
    for index, item in enumerate(raw["pairs"]):
        row = PairRow(
            index=index,
            strategies=tuple(item["strategies"]),
            source=_text(item["source"], f"Table 3 row {index + 1}"),
            commitment=item["commitment"],
            cohesion=item["cohesion"],
            explain=_text(item.get("explain"), f"Table 3 row {index + 1} explain"),
        )
        if set(row.strategies) - strategy_ids or {row.commitment, row.cohesion} - degree_ids:
            raise RulesError(f"Table 3 row {index + 1} names an unknown strategy or degree")
        # An actor is named by its strategy, which says who is who only when the two differ.
        allowed = {"external"} | (set(row.strategies) if row.strategies[0] != row.strategies[1] else set())
        for _, lang_text in row.explain.values:
            named = {name for _, name, _, _ in string.Formatter().parse(lang_text) if name}
            if named - allowed:
                raise RulesError(f"Table 3 row {index + 1} explain names {', '.join(sorted(named - allowed))}; "
                                 f"it may name {', '.join(sorted(allowed))}")
        pairs.append(row)
    if len({row.key for row in pairs}) != len(pairs):
        raise RulesError("Table 3 lists the same pair of strategies twice")
    theories = tuple(_text(name, "theory name") for name in raw["theories"]["names"])
    aspects = tuple(
        (_text(item["label"], "theory aspect"), tuple(_text(cell, "theory cell") for cell in item["cells"]))
        for item in raw["theories"]["aspects"]
    )
    if any(len(cells) != len(theories) for _, cells in aspects):
        raise RulesError("every row of Table 1 needs one text per theory")
    obligations = tuple(
        ObligationKind(item["id"], item["atop"], _text(item["label"], f"obligation {item['id']}"),
                       _text(item["explain"], f"obligation {item['id']}"))
        for item in raw.get("obligations", ())
    )
    if len({kind.id for kind in obligations}) != len(obligations) or \
            len({kind.atop for kind in obligations}) != len(obligations):
        raise RulesError("obligations lists a kind or an ATOP column twice")
    return Framework(
        citation=_text(raw["citation"], "citation"),
        levels=levels,
        threat_kinds=kinds,
        strategies=strategies,
        degrees=degrees,
        scale=scale,
        cells=tuple(cells),
        lean_strategy=tuple(sorted(raw["lean_strategy"].items())),
        overwhelmed_strategy=raw["overwhelmed_strategy"],
        overwhelmed_requires_internal=raw["overwhelmed_requires_internal"],
        pairs=tuple(pairs),
        undetermined_pair=_text(raw["undetermined_pair"], "undetermined_pair"),
        theories=theories,
        theory_aspects=aspects,
        obligations=obligations,
    )


LABELS_PATH = Path(__file__).with_name("labels.yaml")


@dataclass(frozen=True)
class Labels:
    """Interface wording (chart titles, axis names, headings) in both languages."""

    texts: tuple[tuple[str, Text], ...]

    @cached_property
    def _table(self) -> dict[str, Text]:
        return dict(self.texts)

    def __call__(self, key: str, lang: str, **values: object) -> str:
        text = self._table[key].get(lang)
        return text.format(**values) if values else text


def parse_labels(raw: dict) -> Labels:
    return Labels(tuple((key, _text(value, f"label {key}")) for key, value in sorted(raw.items())))


@cache
def load_labels() -> Labels:
    return parse_labels(read_code_table(LABELS_PATH))


@cache
def load_rules() -> Framework:
    return parse_rules(read_code_table(RULES_PATH))


FRAMEWORK = load_rules()
LABELS = load_labels()


def long_date(value, lang: str) -> str:
    """A date as a sentence gives it: 2025 年 6 月 30 日, 30 June 2025."""
    month_name = LABELS("month_names", lang).split()[value.month - 1]
    return LABELS("date_long", lang, year=value.year, month=value.month, day=value.day, month_name=month_name)


def capitalised(sentence: str) -> str:
    """A sentence that opens with a name in text ("the United States …") or a role starts with a capital."""
    return sentence[:1].upper() + sentence[1:]


def possessive(name: str, lang: str) -> str:
    """A name as the owner of what follows: Russia's, the Philippines' (俄羅斯的)."""
    return LABELS("possessive_after_s" if name.endswith("s") else "possessive", lang, name=name)
