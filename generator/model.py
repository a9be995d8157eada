"""The frozen values that pass from one stage of the build to the next.

load -> validate -> classify -> charts -> pages -> site and handouts. Each stage
takes these values and returns new ones; none is changed after it is made.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from .characters import printable
from .convert import Terms
from .languages import TABLE

LANGUAGES = TABLE.codes  # every published language, in the site's order (generator/languages.yaml)
MAX_SHOWN = 2000  # characters of one message line

# The threat levels and strategies framework.yaml defines, for the type checker. Code that needs
# the allowed values at run time takes them from FRAMEWORK; a test keeps the two the same.
Level = Literal["low", "medium", "high"]
Strategy = Literal["hedging", "tethering", "balancing", "bandwagoning", "indeterminate"]


@dataclass(frozen=True)
class Text:
    """A human-readable text in every published language: (language code, text) pairs in the table's order."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, texts: dict[str, str], terms: dict[str, Terms] | None = None) -> Text:
        """A text from its written languages' values, in the order of the languages table; each converted
        language's value is converted from its source's, with the desk's `terms` for that language."""
        done = TABLE.complete(texts, terms)
        return cls(tuple((code, done[code]) for code in TABLE.codes if code in done))

    def converted(self, terms: dict[str, Terms]) -> Text:
        """The same text with its converted languages converted again, with the desk's terms."""
        return Text.of({code: text for code, text in self.values if code in TABLE.written}, terms)

    def get(self, lang: str) -> str:
        for code, text in self.values:
            if code == lang:
                return text
        raise KeyError(lang)

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)


def triangles(pairs) -> list[tuple[str, str, str]]:
    """Every three actors all of whose pairs are in `pairs`, each sorted, in sorted order.

    Walks the graph (common neighbours of each pair) instead of trying every
    combination of three actors, which at 500 actors is 20 million tries.
    """
    neighbours: dict[str, set[str]] = {}
    for first, second in pairs:
        neighbours.setdefault(first, set()).add(second)
        neighbours.setdefault(second, set()).add(first)
    found = set()
    for first, second in pairs:
        for third in neighbours[first] & neighbours[second]:
            found.add(tuple(sorted((first, second, third))))
    return sorted(found)


@dataclass(frozen=True)
class Origin:
    """Where a value was written, for messages that point the analyst to it."""

    path: str
    line: int


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, said as `path:line: message`."""

    path: str
    line: int
    message: str
    severity: str = "error"  # "error" stops the build; "warning" does not

    def __str__(self) -> str:
        # Always one line: a newline or bidi control quoted from the data must not forge another message.
        prefix = "warning: " if self.severity == "warning" else ""
        line = printable(f"{self.path}:{self.line}: {prefix}{self.message}")
        # A message quotes what the analyst wrote; a key of a million characters needs no quoting in full.
        return line if len(line) <= MAX_SHOWN else f"{line[:MAX_SHOWN - 300]} … {line[-280:]}"


class DataError(Exception):
    """Raised by a stage when the data has problems; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the data")
        self.problems = sorted(problems)


@dataclass(frozen=True)
class Actor:
    id: str
    name: Text
    origin: Origin = field(repr=False)  # out of repr: cache keys are made from repr, and a path is no content
    in_text: Text | None = None  # the name inside a sentence ("the United States"), when it differs

    def in_sentence(self, lang: str) -> str:
        return (self.in_text or self.name).get(lang)


@dataclass(frozen=True)
class Source:
    id: str
    author: str
    year: int
    title: str
    publisher: str
    url: str | None
    date: dt.date | None
    title_en: str | None
    origin: Origin = field(repr=False)


@dataclass(frozen=True)
class Event:
    """A dated happening that bears on one or more dyads, with the source that reports it."""

    date: dt.date
    title: Text
    source: str
    actors: tuple[str, ...]
    origin: Origin = field(repr=False)

    def concerns(self, dyad: Dyad) -> bool:
        # An event belongs to a dyad's timeline when it involves a member and
        # nobody beyond the two members and their external actor.
        involved = set(dyad.actors) | {dyad.external}
        return bool(set(self.actors) & set(dyad.actors)) and set(self.actors) <= involved


@dataclass(frozen=True)
class ThreatAssessment:
    """What one member of a dyad perceives: the two threat levels and why."""

    actor: str
    external: Level
    internal: Level
    rationale: Text
    evidence: tuple[str, ...]
    alternatives: tuple[tuple[str, tuple[Level, ...]], ...] = ()  # (("external", ("low",)),)
    lean: str | None = None
    overwhelmed: bool = False
    origin: Origin = field(default=Origin("", 0), repr=False)
    lean_origin: Origin | None = field(default=None, repr=False)

    def alternative_levels(self, kind: str) -> tuple[Level, ...]:
        return dict(self.alternatives).get(kind, ())


@dataclass(frozen=True)
class Assessment:
    """A dated reading of a dyad's threats; a dyad's latest one is its verdict."""

    as_of: dt.date
    threats: tuple[ThreatAssessment, ThreatAssessment]  # in the order of the dyad's actors
    change: Text | None = None  # what changed since the previous assessment, and why; None for the first
    origin: Origin = field(default=Origin("", 0), repr=False)


@dataclass(frozen=True)
class Dyad:
    """A pair of states as its latest assessment reads them (`as_of`, `threats`, `change`), with the assessments
    before it (`earlier`, oldest first): the current form of a dyad file is one assessment with no earlier ones."""

    id: str
    actors: tuple[str, str]
    external: str
    as_of: dt.date
    title: Text
    summary: Text
    threats: tuple[ThreatAssessment, ThreatAssessment]  # in the order of `actors`
    origin: Origin = field(repr=False)
    earlier: tuple[Assessment, ...] = ()
    change: Text | None = None
    as_of_origin: Origin = field(default=Origin("", 0), repr=False)

    @property
    def assessments(self) -> tuple[Assessment, ...]:
        """Every assessment, oldest first; the last is the current verdict."""
        return (*self.earlier, Assessment(self.as_of, self.threats, self.change, self.as_of_origin))

    @property
    def has_history(self) -> bool:
        return bool(self.earlier)

    def as_assessed(self, index: int) -> Dyad:
        """The dyad as it stood at its `index`-th assessment: that one the latest, those after it not yet made."""
        chosen = self.assessments[index]
        return replace(self, as_of=chosen.as_of, threats=chosen.threats, change=chosen.change,
                       earlier=self.earlier[:index], as_of_origin=chosen.origin)

    def threat_of(self, actor: str) -> ThreatAssessment:
        for threat in self.threats:
            if threat.actor == actor:
                return threat
        raise KeyError(actor)


# Who coded a formal obligation: ATOP (written by `briefing import-atop`) or the site's analysts, by hand, for
# the years after ATOP's last. They are also the two parts of data/treaties.yaml.
CODERS = ("atop", "analyst")


@dataclass(frozen=True)
class Obligation:
    """What the treaties in force bound one or both members of a dyad to, over a span of years."""

    dyad: str
    start: int  # the first year
    end: int | None  # the last year; None: in force with no end its source names (analyst-coded only)
    by: tuple[str, ...]  # the members bound, each towards the other: both (in the dyad's order), or one
    kinds: tuple[str, ...]  # obligation kind ids, in the order framework.yaml lists them
    coded_by: str  # one of CODERS
    source: str  # a source id
    note: Text | None = None  # what the analyst read it from (analyst-coded only)
    origin: Origin = field(default=Origin("", 0), repr=False)

    @property
    def mutual(self) -> bool:
        return len(self.by) == 2


@dataclass(frozen=True)
class TreatyCoding:
    """What the ATOP part of data/treaties.yaml covers: its version and source, its years, and the dyads the
    import looked for (a dyad among them with no obligation had none in ATOP)."""

    version: str
    source: str
    start: int
    end: int
    dyads: tuple[str, ...]


@dataclass(frozen=True)
class LeadImage:
    src: str  # a path under docs/, or "chart:<subject>/<kind>" for one of our charts
    caption: str
    credit: str


@dataclass(frozen=True)
class Brief:
    """A commentary in one language: front matter plus its Markdown body."""

    slug: str
    lang: str
    title: str
    author: str
    affiliation: str
    date: dt.date
    summary: str
    lead_image: LeadImage | None
    dyads: tuple[str, ...]
    body: str
    body_line: int
    origin: Origin = field(repr=False)
    actors: tuple[str, ...] = ()  # states the front matter names, beyond the members of its dyads


@dataclass(frozen=True)
class Dataset:
    actors: tuple[Actor, ...]
    sources: tuple[Source, ...]
    dyads: tuple[Dyad, ...]  # sorted by id
    data_dir: str = "data"
    events: tuple[Event, ...] = ()  # sorted by date
    briefs: tuple[Brief, ...] = ()  # newest first, then by slug and language
    atop: TreatyCoding | None = None  # None: data/treaties.yaml has no ATOP part (or there is no such file)
    obligations: tuple[Obligation, ...] = ()  # by dyad, then by first year
    # What `check` says without refusing (mainland usage), where it was written: out of repr, like an Origin.
    warnings: tuple[Problem, ...] = field(default=(), repr=False)

    @cached_property
    def _events_by_actor(self) -> dict[str, tuple[int, ...]]:
        index: dict[str, list[int]] = {}
        for position, event in enumerate(self.events):
            for actor in event.actors:
                index.setdefault(actor, []).append(position)
        return {actor: tuple(positions) for actor, positions in index.items()}

    def events_of(self, dyad: Dyad) -> tuple[Event, ...]:
        # Only events naming a member can concern the dyad; the index finds them without scanning all.
        positions = sorted({p for actor in dyad.actors for p in self._events_by_actor.get(actor, ())})
        return tuple(self.events[p] for p in positions if self.events[p].concerns(dyad))

    @cached_property
    def _obligations_by_dyad(self) -> dict[str, tuple[Obligation, ...]]:
        index: dict[str, list[Obligation]] = {}
        for obligation in self.obligations:
            index.setdefault(obligation.dyad, []).append(obligation)
        return {dyad_id: tuple(found) for dyad_id, found in index.items()}

    def obligations_of(self, dyad_id: str) -> tuple[Obligation, ...] | None:
        """A dyad's formal obligations, oldest first; () when coded and none were found, None when nobody coded
        them (no ATOP import covered the dyad and no analyst added any)."""
        found = self._obligations_by_dyad.get(dyad_id, ())
        if not found and (self.atop is None or dyad_id not in self.atop.dyads):
            return None
        return found

    def events_with(self, actor: str) -> tuple[Event, ...]:
        """The events an actor is involved in, newest first."""
        return tuple(self.events[p] for p in reversed(self._events_by_actor.get(actor, ())))

    def briefs_in(self, lang: str) -> tuple[Brief, ...]:
        return tuple(brief for brief in self.briefs if brief.lang == lang)

    def brief_members(self, brief: Brief) -> tuple[str, ...]:
        """The states a brief is about: the members of its dyads, then those its front matter names."""
        members = (actor for dyad_id in brief.dyads for actor in self.dyad(dyad_id).actors)
        return tuple(dict.fromkeys((*members, *brief.actors)))

    # Briefs by what they are about, gathered in one pass: (lang, kind, id) -> positions in self.briefs, which
    # keeps them newest first. Kinds: "dyad"; "member" (brief_members); "actor" (the members, the outside actors
    # of its dyads, and those its front matter names: the briefs an actor's page lists).
    @cached_property
    def _briefs_by(self) -> dict[tuple[str, str, str], tuple[int, ...]]:
        index: dict[tuple[str, str, str], list[int]] = {}
        for position, brief in enumerate(self.briefs):
            members = self.brief_members(brief)
            outside = (self.dyad(dyad_id).external for dyad_id in brief.dyads)
            keys = [("dyad", dyad_id) for dyad_id in brief.dyads] + [("member", actor) for actor in members]
            keys += [("actor", actor) for actor in dict.fromkeys((*members, *outside))]
            for kind, name in keys:
                index.setdefault((brief.lang, kind, name), []).append(position)
        return {key: tuple(positions) for key, positions in index.items()}

    def briefs_about(self, actor: str, lang: str) -> tuple[Brief, ...]:
        """The briefs in a language about an actor, newest first: those concerning a dyad it is in (as a member
        or as the outside actor), and those whose front matter names it."""
        return tuple(self.briefs[p] for p in self._briefs_by.get((lang, "actor", actor), ()))

    def related_briefs(self, lang: str, dyads: Iterable[str], members: Iterable[str], exclude: str = "",
                       limit: int = 5) -> tuple[Brief, ...]:
        """Briefs in a language that share one of these dyads or member states, newest first, at most `limit`,
        without the brief `exclude` (a slug). An outside actor alone relates nothing: where every dyad faces the
        same one, every brief would be related to every other. Each index list is newest first, so the first
        `limit` of each (past the excluded brief) hold the newest of all: the work grows with the keys, not the
        archive."""
        found: set[int] = set()
        keys = [("dyad", dyad_id) for dyad_id in dyads] + [("member", actor) for actor in members]
        for kind, name in keys:
            taken = 0
            for position in self._briefs_by.get((lang, kind, name), ()):
                if taken == limit:
                    break
                if self.briefs[position].slug != exclude:
                    found.add(position)
                    taken += 1
        return tuple(self.briefs[p] for p in sorted(found)[:limit])

    # Lookups by id go through dictionaries: pages and charts call them thousands of times.
    @cached_property
    def _by_id(self) -> dict[str, dict]:
        return {
            "brief": {(brief.slug, brief.lang): brief for brief in self.briefs},
            "dyad": {dyad.id: dyad for dyad in self.dyads},
            "source": {source.id: source for source in self.sources},
            "actor": {actor.id: actor for actor in self.actors},
        }

    def brief(self, slug: str, lang: str) -> Brief | None:
        return self._by_id["brief"].get((slug, lang))

    def brief_shown(self, slug: str, lang: str) -> Brief | None:
        """The brief a page in `lang` shows: its own, or where it has none, the first of TABLE.fallbacks that is."""
        return next(filter(None, (self.brief(slug, code) for code in (lang, *TABLE.fallbacks(lang)))), None)

    def dyad(self, dyad_id: str) -> Dyad:
        return self._by_id["dyad"][dyad_id]

    def source(self, source_id: str) -> Source:
        return self._by_id["source"][source_id]

    def actor(self, actor_id: str) -> Actor:
        return self._by_id["actor"][actor_id]


# ---- classification results -------------------------------------------------


@dataclass(frozen=True)
class AllianceType:
    """A dyad's alliance type: the strategies of its two members, in the order of the dyad's actors."""

    first: Strategy
    second: Strategy

    @property
    def key(self) -> str:
        """The type as JSON, `briefing diff` and the tests write it: 'balancing-hedging'."""
        return f"{self.first}-{self.second}"

    @property
    def strategies(self) -> tuple[Strategy, Strategy]:
        return self.first, self.second

    @classmethod
    def parse(cls, key: str, strategies: Iterable[Strategy]) -> AllianceType:
        """'balancing-hedging' -> AllianceType('balancing', 'hedging'), given the strategies the framework defines.

        Raises ValueError for anything that is not two of those strategies joined by '-'.
        """
        known: dict[str, Strategy] = {strategy: strategy for strategy in strategies}
        first, dash, second = key.partition("-")
        if not dash or first not in known or second not in known:
            raise ValueError(f"'{key}' is not an alliance type (two strategies joined by '-')")
        return cls(known[first], known[second])


@dataclass(frozen=True)
class Position:
    """An actor's place in Table 2 and the strategy it leads to."""

    actor: str
    external: Level
    internal: Level
    cell: str
    strategy: Strategy
    decided_by: str  # "cell", "lean", "stronger-external", "stronger-internal", "tie", "overwhelmed"


@dataclass(frozen=True)
class Flip:
    """A single one-step change of one level that changes the dyad's type."""

    actor: str
    level: str  # "external" or "internal"
    from_level: Level
    to_level: Level
    type: AllianceType


@dataclass(frozen=True)
class Reading:
    """One combination of the main levels and the analyst's alternative readings."""

    levels: tuple[tuple[str, str, Level], ...]  # (actor, kind, level) for every actor and kind
    type: AllianceType
    commitment: str
    cohesion: str


@dataclass(frozen=True)
class AssessmentResult:
    """The verdict one dated assessment of a dyad gives."""

    as_of: dt.date
    positions: tuple[Position, Position]
    type: AllianceType
    commitment: str
    cohesion: str
    change: Text | None  # the analyst's account of what changed since the previous assessment

    @property
    def verdict(self) -> tuple[str, str, str]:
        return self.type.key, self.commitment, self.cohesion


@dataclass(frozen=True)
class DyadResult:
    dyad: Dyad
    positions: tuple[Position, Position]
    type: AllianceType
    commitment: str
    cohesion: str
    table3_row: int | None  # index into the framework's pairs; None when undetermined
    flips: tuple[Flip, ...]
    readings: tuple[Reading, ...]
    history: tuple[AssessmentResult, ...] = ()  # every assessment's verdict, oldest first; the last is this one
    earlier: tuple[DyadResult, ...] = field(default=(), repr=False)  # the earlier assessments' results, oldest first

    def assessed(self, index: int) -> DyadResult:
        """The result of the dyad's `index`-th assessment (oldest first; the last is this one)."""
        return self if index in (-1, len(self.earlier)) else self.earlier[index]

    @property
    def verdict_changed_on(self) -> dt.date | None:
        """The date of the assessment that gave the current verdict, when an earlier one gave another."""
        for before, after in zip(reversed(self.history[:-1]), reversed(self.history[1:]), strict=True):
            if before.verdict != after.verdict:
                return after.as_of
        return None

    @property
    def robust(self) -> bool:
        return not self.flips

    @property
    def holds_under_all_readings(self) -> bool:
        return all(reading.type == self.type for reading in self.readings)


@dataclass(frozen=True)
class TriadStage:
    """A triad's verdict from a date on: each of its dyads read at its latest assessment by then."""

    as_of: dt.date
    trilateral_balancing: bool
    commitment: str
    cohesion_ceiling: str

    @property
    def verdict(self) -> tuple[bool, str, str]:
        return self.trilateral_balancing, self.commitment, self.cohesion_ceiling


@dataclass(frozen=True)
class TriadResult:
    actors: tuple[str, str, str]  # sorted
    external: str
    dyads: tuple[str, str, str]  # dyad ids, sorted
    trilateral_balancing: bool
    commitment: str
    cohesion_ceiling: str
    # Each date its verdict began, oldest first: the first when all three dyads had been assessed, then one
    # per change. The last is the current verdict.
    history: tuple[TriadStage, ...] = ()

    @property
    def verdict_changed_on(self) -> dt.date | None:
        return self.history[-1].as_of if len(self.history) > 1 else None


@dataclass(frozen=True)
class Analysis:
    dataset: Dataset
    dyads: tuple[DyadResult, ...]
    triads: tuple[TriadResult, ...]
    warnings: tuple[Problem, ...] = field(default=())

    @cached_property
    def _results(self) -> dict[str, DyadResult]:
        return {result.dyad.id: result for result in self.dyads}

    @cached_property
    def _results_by_actor(self) -> dict[str, tuple[int, ...]]:
        index: dict[str, list[int]] = {}
        for position, result in enumerate(self.dyads):
            for actor in result.dyad.actors:
                index.setdefault(actor, []).append(position)
        return {actor: tuple(positions) for actor, positions in index.items()}

    def dyad(self, dyad_id: str) -> DyadResult:
        return self._results[dyad_id]

    @cached_property
    def _by_actor(self) -> dict[tuple[str, str], tuple]:
        """Each actor's dyads (as a member, as the outside actor) and triads, gathered in one pass over each."""
        index: dict[tuple[str, str], list] = {}
        for result in self.dyads:
            for actor in result.dyad.actors:
                index.setdefault(("member", actor), []).append(result)
            index.setdefault(("external", result.dyad.external), []).append(result)
        for triad in self.triads:
            for actor in (*triad.actors, triad.external):
                index.setdefault(("triad", actor), []).append(triad)
        return {key: tuple(found) for key, found in index.items()}

    def dyads_with(self, actor: str) -> tuple[tuple[DyadResult, ...], tuple[DyadResult, ...]]:
        """The dyads an actor is a member of, and those it is the outside actor of, in the site's order."""
        return self._by_actor.get(("member", actor), ()), self._by_actor.get(("external", actor), ())

    def triads_with(self, actor: str) -> tuple[TriadResult, ...]:
        """The triads an actor is one of the three of, or the outside actor of."""
        return self._by_actor.get(("triad", actor), ())

    def dyads_concerned_by(self, event: Event) -> tuple[DyadResult, ...]:
        """The dyads whose timeline holds this event, in dyad order (see Event.concerns)."""
        positions = sorted({p for actor in event.actors for p in self._results_by_actor.get(actor, ())})
        return tuple(self.dyads[p] for p in positions if event.concerns(self.dyads[p].dyad))


class ChartError(Exception):
    """A chart could not be drawn correctly (missing glyph, overlapping labels). Here rather than in
    charts.py, so catching it does not import matplotlib."""
