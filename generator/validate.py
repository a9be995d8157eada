"""Stage 2, validate: check every file against the schema and build the `Dataset`.

Entry point: `validate(raw) -> Dataset`, raising `DataError` with every problem.

Each record is declared as a table of fields, one validator per field. A
validator either returns the clean value or raises `Invalid` with the line and a
message in the analyst's words; the record walker collects those and goes on, so
one run reports every problem instead of stopping at the first.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import html
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from .characters import printable, text_problems
from .convert import NO_TERMS, Terms, convert
from .framework import FRAMEWORK
from .inputs import ASSET_SUFFIXES, TEMPLATES
from .languages import TABLE
from .load import Document, Mapping, Node, RawBrief, RawData, RawPage, Rejected, Scalar, Sequence
from .markup import audit, prose, uncited_figures
from .model import (
    LANGUAGES,
    Actor,
    Assessment,
    Brief,
    DataError,
    Dataset,
    Dyad,
    Event,
    LeadImage,
    Obligation,
    Origin,
    Problem,
    Source,
    Text,
    ThreatAssessment,
    TreatyCoding,
    triangles,
)
from .typography import HAN
from .urls import (
    FIXED_PAGES,
    GENERATED_FOLDERS,
    SITE_DOWNLOADS,
    THEME_OUTPUTS,
    actor_key,
    assessment_name,
    cite_downloads,
    docs_output,
    dyad_downloads,
    pdf_path,
    url_of,
)
from .usage import mainland_usage

WRITTEN_IN = f"in {TABLE.series(list(TABLE.written))}"  # where a field asks for a text in each language
ACTOR_CODE = re.compile(r"^[A-Z]{3}$")
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_SHAPE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")  # ASCII digits only: \d takes ２０２５ and ٢٠٢٥ too
YEAR_SHAPE = re.compile(r"^[0-9]{4}\Z")  # YAML 1.1 reads 0x7E8, 2_0_2_4 and 33:44 as 2024 too


MAX_TEXT_CHARACTERS = 4000  # the longest rationale in the data is 465; a 250,000-character title made a 43 MB chart
MAX_TRIADS = 1000  # three actors all paired, facing one outside actor: they grow with the cube of the actors


class Invalid(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


INVALID = object()  # stands in for a value that failed, so later checks skip it


class AlreadyReported(Invalid):
    """The value was refused while loading; saying more about it would only repeat that."""

    def __init__(self, line: int):
        super().__init__(line, "")


@dataclass(frozen=True)
class Label:
    """Names a field in messages: `name 'value' for owner ...`."""

    name: str
    owner: str = ""

    def __str__(self) -> str:
        return f"{self.name} for {self.owner}" if self.owner else self.name

    def value(self, shown: str) -> str:
        suffix = f" for {self.owner}" if self.owner else ""
        return f"{self.name} '{shown}'{suffix}"


class Context:
    """Problems found in one file, plus what the cross-file checks need to know."""

    # None means "that file could not be read": references to it are not checked,
    # so one broken file yields one message rather than one per reference.
    def __init__(self, path: str, actor_ids: tuple[str, ...] | None = (), source_ids: tuple[str, ...] | None = ()):
        self.path = path
        self.problems: list[Problem] = []
        self.actor_ids = actor_ids
        self.source_ids = source_ids

    def problem(self, line: int, message: str) -> None:
        if message:  # an empty message means the problem was already reported
            self.problems.append(Problem(self.path, line, message))


Validator = Callable[[Node, Context, Label], Any]


@dataclass(frozen=True)
class Field:
    validate: Validator
    required: bool = True
    default: Any = None
    hint: str = ""  # what to write when the field is missing
    name: str = ""  # how messages name the field; the key itself when empty
    owner: str = ""  # whose field it is, e.g. "source davidson-2023" or "RUS"

    def label(self, key: str) -> Label:
        return Label(self.name or key, self.owner)


def nearest(word: str, choices) -> str | None:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not found:
        lowered = {choice.lower(): choice for choice in choices}
        return lowered.get(word.lower())
    return found[0]


def listing(items) -> str:
    return ", ".join(items)


# ---- field validators ---------------------------------------------------------


def shown(node: Node) -> str:
    return node.raw if isinstance(node, Scalar) else "(a list or block)"


def scalar_text(node: Node, label: Label) -> str:
    if isinstance(node, Rejected):
        raise AlreadyReported(node.line)
    if not isinstance(node, Scalar):
        raise Invalid(node.line, f"{label} should be a line of text, not a list or block")
    if node.value is None or node.raw.strip() == "":
        raise Invalid(node.line, f"{label} is empty; write the text")
    if len(node.raw) > MAX_TEXT_CHARACTERS:
        raise Invalid(node.line, f"{label} is {len(node.raw):,} characters long, more than the "
                                 f"{MAX_TEXT_CHARACTERS:,} a text may have (it is drawn into charts and cards); "
                                 "shorten it")
    return node.raw.strip()


def plain_text(node: Node, ctx: Context, label: Label) -> str:
    return scalar_text(node, label)


def bilingual_text(node: Node, ctx: Context, label: Label) -> Text:
    written = TABLE.written
    if not isinstance(node, Mapping):
        example = " and ".join(f"'{code}: …'" for code in written)
        raise Invalid(node.line, f"{label} needs a text in each language; write it as {example} on their own lines")
    texts: dict[str, str] = {}
    for key, key_line, value in node.items():
        if key not in written and " " in key.strip():
            ctx.problem(
                key_line,
                f"{label} has an unquoted comma inside {{ … }}, so the words after it ('{key}') were read as "
                "another key; put the text in quotes",
            )
            continue
        if key not in written:
            guess = nearest(key, written)
            hint = f"did you mean '{guess}'?" if guess else f"keep only {TABLE.series(list(written))}"
            ctx.problem(key_line, f"{label} has text in '{key}', a language the site does not publish; {hint}")
            continue
        try:
            texts[key] = scalar_text(value, Label(f"the {TABLE.language(key).english_name} text of {label}"))
        except Invalid as error:
            ctx.problem(error.line, error.message)
    for lang in written:
        if lang not in node.keys():
            language = TABLE.language(lang)
            ctx.problem(node.line, f"{label} has no {language.english_name} text; add {language.article} '{lang}:' line")
    if set(texts) != set(written):
        return INVALID  # type: ignore[return-value]
    return Text.of(texts)


def id_matching(pattern: re.Pattern, advice: str) -> Validator:
    """An id that must have a given shape; `advice` says what shape, with an example."""

    def check(node: Node, ctx: Context, label: Label) -> str:
        value = scalar_text(node, label)
        if not pattern.match(value):
            raise Invalid(node.line, advice.format(value=value))
        return value

    return check


def kebab_id(kind: str, example: str) -> Validator:
    return id_matching(
        KEBAB,
        kind + " id '{value}' is not kebab-case; use lower-case words and digits joined by hyphens, e.g. " + example,
    )


actor_code = id_matching(
    ACTOR_CODE, "actor id '{value}' is not a 3-letter upper-case code; use an ISO 3166 alpha-3 code such as RUS"
)


def known_actor(actor_id: str, line: int, ctx: Context, where: str) -> str:
    if ctx.actor_ids is None or actor_id in ctx.actor_ids:
        return actor_id
    guess = nearest(actor_id, ctx.actor_ids)
    hint = f"did you mean {guess}?" if guess else f"known actors are {listing(ctx.actor_ids) or 'none yet'}"
    raise Invalid(line, f"unknown actor '{actor_id}' in {where}; add it to actors.yaml or fix the id ({hint})")


def actor_reference(node: Node, ctx: Context, label: Label) -> str:
    if not isinstance(node, Scalar) or node.value is None:
        raise Invalid(node.line, f"{label} should be one actor id, e.g. USA")
    return known_actor(node.raw.strip(), node.line, ctx, str(label))


def dyad_actors(node: Node, ctx: Context, label: Label) -> tuple[str, str]:
    usage = "actors should list exactly two actor ids, e.g. [RUS, CHN]"
    if not isinstance(node, Sequence) or len(node.items) != 2:
        raise Invalid(node.line, usage)
    found = []
    for item in node.items:
        if not isinstance(item, Scalar) or item.value is None:
            raise Invalid(item.line, usage)
        found.append(known_actor(item.raw.strip(), item.line, ctx, "actors"))
    if found[0] == found[1]:
        raise Invalid(node.line, f"a dyad pairs two different actors, but actors lists {found[0]} twice")
    return found[0], found[1]


def threat_level(node: Node, ctx: Context, label: Label) -> str:
    levels = FRAMEWORK.level_ids
    if isinstance(node, Scalar) and node.raw in levels:
        return node.raw
    message = f"{label.value(shown(node))} is not one of {listing(levels)}"
    if isinstance(node, Scalar) and node.raw.lower() in levels:
        message += f"; write it in lower case: {node.raw.lower()}"
    raise Invalid(node.line, message)


def calendar_date(node: Node, ctx: Context, label: Label) -> dt.date:
    raw = node.raw.strip() if isinstance(node, Scalar) else ""
    if not DATE_SHAPE.match(raw):
        raise Invalid(node.line, f"{label.value(shown(node))} is not a date; write it as YYYY-MM-DD, e.g. 2025-06-30")
    year_, month, day = (int(part) for part in raw.split("-"))
    try:
        return dt.date(year_, month, day)
    except ValueError:
        raise Invalid(
            node.line, f"{label.value(raw)} is not a real calendar date; check the month and day (YYYY-MM-DD)"
        ) from None


def year(node: Node, ctx: Context, label: Label) -> int:
    if isinstance(node, Scalar) and type(node.value) is int and YEAR_SHAPE.match(node.raw) and 1000 <= node.value <= 2999:
        return node.value
    raise Invalid(node.line, f"{label.value(shown(node))} is not a year; write four digits, e.g. 2024")


def web_address(node: Node, ctx: Context, label: Label) -> str:
    value = scalar_text(node, label)
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (reading it checks that a port, if any, is a number)
    except ValueError:  # "http://[evil": an address no browser can open
        parts = urlsplit("")
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in value):
        raise Invalid(node.line, f"{label.value(value)} is not a web address; use a full http:// or https:// link")
    return value


def yes_no(node: Node, ctx: Context, label: Label) -> bool:
    # Only the words true and false: YAML 1.1 also reads yes, on, y and their capitals as booleans.
    if isinstance(node, Scalar) and isinstance(node.value, bool) and node.raw in ("true", "false"):
        return node.value
    raise Invalid(node.line, f"{label} must be true or false, not '{shown(node)}'")


def one_of(choices: tuple[str, ...]) -> Validator:
    def check(node: Node, ctx: Context, label: Label) -> str:
        if isinstance(node, Scalar) and node.raw in choices:
            return node.raw
        raise Invalid(node.line, f"{label.value(shown(node))} is not one of {listing(choices)}")

    return check


def evidence_list(node: Node, ctx: Context, label: Label) -> tuple[str, ...]:
    if not isinstance(node, Sequence):
        raise Invalid(node.line, f"{label} should be a list of source ids, e.g. [davidson-2023]")
    if not node.items:
        raise Invalid(node.line, f"{label} is empty; list at least one source id from sources.yaml")
    found: list[str] = []
    for item in node.items:
        if isinstance(item, Rejected):
            continue
        if not isinstance(item, Scalar) or item.value is None:
            ctx.problem(item.line, f"{label} should hold source ids only")
            continue
        source_id = item.raw.strip()
        if source_id in found:
            ctx.problem(item.line, f"source '{source_id}' is listed twice in {label}; list it once")
            continue
        if ctx.source_ids is not None and source_id not in ctx.source_ids:
            guess = nearest(source_id, ctx.source_ids)
            hint = f"did you mean '{guess}'?" if guess else "add it to sources.yaml first"
            ctx.problem(item.line, f"unknown source '{source_id}' in {label}; {hint}")
            continue
        found.append(source_id)
    if len(found) != len(node.items):
        return INVALID  # type: ignore[return-value]
    return tuple(found)


def passed_through(node: Node, ctx: Context, label: Label) -> Node:
    """For a block that a later, cross-field check reads itself."""
    return node


def line_of_key(node: Node, key: str) -> int:
    """The line of a key of a block, or of the node itself (a block that lacks the key, or no block)."""
    return node.key_line(key) if isinstance(node, Mapping) else node.line


def record(node: Node | None, ctx: Context, what: str, fields: dict[str, Field], *, line: int = 1) -> dict[str, Any]:
    """Check a block of keys against its fields; return the clean values (INVALID where one failed)."""
    if node is None:
        raise Invalid(line, f"{what} is empty; write its keys: {listing(fields)}")
    if not isinstance(node, Mapping):
        raise Invalid(node.line, f"{what} should be a block of keys ({listing(fields)}), not a single value or list")
    guessed = set()
    for key, key_line, _ in node.items():
        if key not in fields:
            guess = nearest(key, fields)
            hint = f"did you mean '{guess}'?" if guess else f"the keys allowed here are {listing(fields)}"
            ctx.problem(key_line, f"unknown key '{key}' in {what}; {hint}")
            guessed.add(guess)
    values: dict[str, Any] = {}
    for name, field in fields.items():
        value = node.get(name)
        if isinstance(value, Rejected):
            values[name] = INVALID
            continue
        if value is None:
            if field.required and name in guessed and name not in node.keys():
                values[name] = INVALID  # the typo's message already names this field
            elif field.required:
                hint = f" ({field.hint})" if field.hint else ""
                ctx.problem(node.line, f"{what} has no '{name}'; add it{hint}")
                values[name] = INVALID
            else:
                values[name] = field.default
            continue
        try:
            values[name] = field.validate(value, ctx, field.label(name))
        except Invalid as error:
            ctx.problem(error.line, error.message)
            values[name] = INVALID
    return values


def list_of_records(document: Document, noun: str, example: str) -> list[Node]:
    root = document.root
    if root is None:
        raise Invalid(1, f"the file is empty; list the {noun} here, each starting with '- id: {example}'")
    if not isinstance(root, Sequence):
        raise Invalid(root.line, f"this file should be a list of {noun}, each starting with '- id: {example}'")
    return list(root.items)


def _peek_id(node: Node) -> str | None:
    if isinstance(node, Mapping):
        value = node.get("id")
        if isinstance(value, Scalar) and value.value is not None:
            return value.raw.strip()
    return None


# ---- the three kinds of file --------------------------------------------------


def actor_fields(owner: str) -> dict[str, Field]:
    return {
        "id": Field(actor_code, hint="a 3-letter code such as RUS"),
        "name": Field(bilingual_text, hint=f"the name {WRITTEN_IN}", owner=owner),
        # how a sentence gives the name, with an article where the language needs one: the United States
        "in_text": Field(bilingual_text, required=False, hint=f"the name as a sentence gives it {WRITTEN_IN}",
                         owner=owner),
    }


def source_fields(owner: str) -> dict[str, Field]:
    return {
        "id": Field(kebab_id("source", "davidson-2023")),
        "author": Field(plain_text, owner=owner),
        "year": Field(year, owner=owner),
        "title": Field(plain_text, owner=owner),
        "publisher": Field(plain_text, owner=owner),
        "url": Field(web_address, required=False, owner=owner),
        "date": Field(calendar_date, required=False, owner=owner),
        "title_en": Field(plain_text, required=False, owner=owner),
    }


def assessment_fields(dated: bool = True) -> dict[str, Field]:
    """One assessment: its date, its threats, and (in a list, after the first) what changed since the one before."""
    fields = {
        "as_of": Field(calendar_date, hint="the date of the assessment, YYYY-MM-DD"),
        "threats": Field(passed_through, hint="one block per actor with its external and internal levels"),
    }
    if dated:
        fields["change"] = Field(bilingual_text, required=False, owner="the assessment",
                                 hint="what changed since the previous assessment and why, in zh-TW and en")
    return fields


def dyad_fields(history: bool = False) -> dict[str, Field]:
    """A dyad holds one assessment at its top level, or a list of them under `assessments`."""
    single = assessment_fields(dated=False)
    return {
        "id": Field(kebab_id("dyad", "russia-china")),
        "actors": Field(dyad_actors, hint="two actor ids, e.g. [RUS, CHN]"),
        "external": Field(actor_reference, hint="the outside actor, e.g. USA"),
        "as_of": single["as_of"] if not history else Field(passed_through, required=False),
        "title": Field(bilingual_text, hint=WRITTEN_IN),
        "summary": Field(bilingual_text, hint=WRITTEN_IN),
        "threats": single["threats"] if not history else Field(passed_through, required=False),
        "assessments": Field(passed_through, required=False,
                             hint="a list of dated assessments, oldest first, each with as_of and threats"),
    }


def threat_fields(actor: str) -> dict[str, Field]:
    # Levels are named the way the file nests them (RUS.external), so the
    # analyst can find the line from the message alone.
    return {
        "external": Field(threat_level, hint="low, medium or high", name="threat level", owner=f"{actor}.external"),
        "internal": Field(threat_level, hint="low, medium or high", name="threat level", owner=f"{actor}.internal"),
        "rationale": Field(bilingual_text, hint=f"why, {WRITTEN_IN}", owner=actor),
        "evidence": Field(evidence_list, hint="a list of source ids", name="evidence", owner=actor),
        "alternatives": Field(passed_through, required=False),
        "lean": Field(one_of(("external", "internal")), required=False, owner=actor),
        "overwhelmed": Field(yes_no, required=False, default=False, owner=actor),
    }


def check_list_file(document: Document | None, noun: str, example: str, fields_for, build):
    """Shared walk for actors.yaml and sources.yaml: a list of records with unique ids.

    Returns the valid records, the problems, and every id the file declares
    (None if the file could not be read), which references are checked against.
    """
    if document is None:
        return [], [], None
    ctx = Context(document.path)
    built = []
    first_line: dict[str, int] = {}
    try:
        entries = list_of_records(document, noun + "s", example)
    except Invalid as error:
        return [], [Problem(document.path, error.line, error.message)], None
    declared = tuple(sorted({found for found in map(_peek_id, entries) if found}))
    for node in entries:
        record_id = _peek_id(node)
        owner = f"{noun} {record_id}" if record_id else f"this {noun}"
        try:
            values = record(node, ctx, owner, fields_for(owner), line=node.line)
        except Invalid as error:
            ctx.problem(error.line, error.message)
            continue
        if values["id"] is INVALID:
            continue
        if values["id"] in first_line:
            ctx.problem(
                line_of_key(node, "id"),
                f"{noun} {values['id']} is defined twice (first on line {first_line[values['id']]}); keep one",
            )
            continue
        first_line[values["id"]] = line_of_key(node, "id")
        if INVALID not in values.values():
            built.append(build(values, Origin(document.path, node.line)))
    return built, ctx.problems, declared


def check_actors(document: Document | None) -> tuple[list[Actor], list[Problem], tuple[str, ...] | None]:
    return check_list_file(
        document, "actor", "RUS", actor_fields, lambda values, origin: Actor(origin=origin, **values)
    )


def check_sources(document: Document | None) -> tuple[list[Source], list[Problem], tuple[str, ...] | None]:
    return check_list_file(
        document, "source", "davidson-2023", source_fields, lambda values, origin: Source(origin=origin, **values)
    )


def actor_list(node: Node, ctx: Context, label: Label) -> tuple[str, ...]:
    if not isinstance(node, Sequence) or not node.items:
        raise Invalid(node.line, f"{label} should list at least one actor id, e.g. [RUS, PRK]")
    found: list[str] = []
    for item in node.items:
        if not isinstance(item, Scalar) or item.value is None:
            raise Invalid(item.line, f"{label} should list actor ids only")
        actor = known_actor(item.raw.strip(), item.line, ctx, str(label))
        if actor in found:
            raise Invalid(item.line, f"{label} lists {actor} twice; list it once")
        found.append(actor)
    return tuple(found)


def source_reference(node: Node, ctx: Context, label: Label) -> str:
    source_id = scalar_text(node, label)
    if ctx.source_ids is not None and source_id not in ctx.source_ids:
        guess = nearest(source_id, ctx.source_ids)
        hint = f"did you mean '{guess}'?" if guess else "add it to sources.yaml first"
        raise Invalid(node.line, f"unknown source '{source_id}' in {label}; {hint}")
    return source_id


def event_fields(owner: str) -> dict[str, Field]:
    return {
        "date": Field(calendar_date, owner=owner, hint="YYYY-MM-DD"),
        "title": Field(bilingual_text, owner=owner, hint=WRITTEN_IN),
        "source": Field(source_reference, owner=owner, hint="the id of the source that reports it"),
        "actors": Field(actor_list, owner=owner, hint="the actors involved, e.g. [RUS, PRK]"),
    }


def check_events(
    document: Document | None, actor_ids: tuple[str, ...] | None, source_ids: tuple[str, ...] | None
) -> tuple[list[Event], list[Problem]]:
    """data/events.yaml is optional: a list of dated events, each with a source."""
    if document is None:
        return [], []
    ctx = Context(document.path, actor_ids, source_ids)
    if document.root is None:
        return [], []
    if not isinstance(document.root, Sequence):
        return [], [Problem(document.path, document.root.line,
                            "this file should be a list of events, each starting with '- date: YYYY-MM-DD'")]
    events = []
    for node in document.root.items:
        owner = f"the event on line {node.line}"
        try:
            values = record(node, ctx, owner, event_fields(owner), line=node.line)
        except Invalid as error:
            ctx.problem(error.line, error.message)
            continue
        if INVALID not in values.values():
            events.append(Event(origin=Origin(document.path, node.line), **values))
    return events, ctx.problems


def check_threat(node: Node, ctx: Context, actor: str, line: int) -> ThreatAssessment | None:
    values = record(node, ctx, f"{actor} threats", threat_fields(actor), line=line)
    alternatives: Any = ()
    if values["alternatives"] is not None:
        alternatives = check_alternatives(values["alternatives"], ctx, actor, values)
    required = FRAMEWORK.overwhelmed_requires_internal
    if values["overwhelmed"] is True and values["internal"] not in (INVALID, required):
        ctx.problem(
            line_of_key(node, "overwhelmed"),
            f"overwhelmed is set for {actor}, but its internal threat is {values['internal']}; "
            f"'overwhelmed: true' applies only when the internal threat is {required}",
        )
        return None
    if INVALID in values.values() or alternatives is INVALID:
        return None
    return ThreatAssessment(
        actor=actor,
        external=values["external"],
        internal=values["internal"],
        rationale=values["rationale"],
        evidence=values["evidence"],
        alternatives=alternatives,
        lean=values["lean"],
        overwhelmed=values["overwhelmed"],
        origin=Origin(ctx.path, line),
        lean_origin=Origin(ctx.path, line_of_key(node, "lean")) if values["lean"] else None,
    )


def check_alternatives(node: Node, ctx: Context, actor: str, values: dict[str, Any]):
    kinds = ("external", "internal")
    where = f"alternatives for {actor}"
    if not isinstance(node, Mapping):
        ctx.problem(node.line, f"{where} should be a block such as 'external: [low]'")
        return INVALID
    result = []
    failed = False
    for kind, key_line, value in node.items():
        if kind not in kinds:
            guess = nearest(kind, kinds)
            hint = f"did you mean '{guess}'?" if guess else "use external or internal"
            ctx.problem(key_line, f"unknown key '{kind}' in {where}; {hint}")
            failed = True
            continue
        items = value.items if isinstance(value, Sequence) else (value,)
        if not items:
            ctx.problem(value.line, f"{where}.{kind} is empty; list at least one other reading or remove it")
            failed = True
            continue
        readings: list[str] = []
        for item in items:
            try:
                level = threat_level(item, ctx, Label("alternative threat level", f"{actor}.{kind}"))
            except Invalid as error:
                ctx.problem(error.line, error.message)
                failed = True
                continue
            if level == values.get(kind):
                ctx.problem(
                    item.line,
                    f"alternative reading '{level}' for {actor}.{kind} is the same as its main level; remove it",
                )
                failed = True
            elif level in readings:
                ctx.problem(item.line, f"alternative reading '{level}' for {actor}.{kind} is listed twice; list it once")
                failed = True
            else:
                readings.append(level)
        result.append((kind, tuple(sorted(readings, key=FRAMEWORK.level_rank))))
    if failed:
        return INVALID
    return tuple(sorted(result))


def check_dyad(
    document: Document, actor_ids: tuple[str, ...] | None, source_ids: tuple[str, ...] | None,
    today: dt.date | None = None,
) -> tuple[Dyad | None, list[Problem]]:
    ctx = Context(document.path, actor_ids, source_ids)
    stem = PurePath(document.path).stem
    # A misspelt `assessments:` is the list form too: its one message is the unknown key, not a missing as_of.
    history = isinstance(document.root, Mapping) and ("assessments" in document.root.keys()
                                                      or misspelt(document.root, "assessments"))
    try:
        values = record(document.root, ctx, f"dyad {stem}", dyad_fields(history))
    except Invalid as error:
        return None, [Problem(document.path, error.line, error.message)]
    root: Mapping = document.root  # type: ignore[assignment]
    if values["id"] is not INVALID and values["id"] != stem:
        ctx.problem(
            root.key_line("id"),
            f"dyad id '{values['id']}' does not match the file name {stem}.yaml; "
            f"rename the file to {values['id']}.yaml or change the id",
        )
    actors = values["actors"]
    if actors is not INVALID and values["external"] is not INVALID and values["external"] in actors:
        ctx.problem(
            root.key_line("external"),
            f"the external actor {values['external']} is also a member of this dyad; "
            "the external actor must be outside the pair",
        )
    if history:
        assessments = check_assessments(root, values, ctx, actors, today)
    else:
        threats = check_threats(values["threats"], ctx, actors, root.key_line("threats"))
        dated = values["as_of"] is not INVALID and check_not_future(values["as_of"], root.key_line("as_of"), ctx, today)
        assessments = [Assessment(values["as_of"], threats, None, Origin(document.path, root.key_line("as_of")))] if (
            threats is not None and dated) else None
    if ctx.problems or INVALID in values.values() or not assessments:
        return None, ctx.problems
    latest = assessments[-1]
    return (
        Dyad(
            id=values["id"],
            actors=actors,
            external=values["external"],
            as_of=latest.as_of,
            title=values["title"],
            summary=values["summary"],
            threats=latest.threats,
            origin=Origin(document.path, 1),
            earlier=tuple(assessments[:-1]),
            change=latest.change,
            as_of_origin=latest.origin,
        ),
        ctx.problems,
    )


def misspelt(node: Node, key: str) -> bool:
    """Whether a block lacks `key` but has a key the unknown-key message takes for it (one problem, one message)."""
    return isinstance(node, Mapping) and key not in node.keys() and any(
        nearest(other, (key,)) == key for other in node.keys())


def check_assessments(root: Mapping, values: dict[str, Any], ctx: Context, actors: Any,
                      today: dt.date | None) -> list[Assessment] | None:
    """A dyad's dated assessments, oldest first: each date once, none in the future, each after the first saying
    what changed. Dates are checked on every assessment whose date reads, whatever else is wrong with it."""
    for key in ("as_of", "threats"):
        if values[key] is not None:
            ctx.problem(root.key_line(key), f"{key} is given both at the top of the dyad and in its assessments list; "
                                            f"move it into the assessment it belongs to")
    node = values["assessments"]
    if node is INVALID or (node is None and "assessments" not in root.keys()):  # misspelt: its message is said
        return None
    if not isinstance(node, Sequence) or not node.items:
        line = root.key_line("assessments") if node is None else node.line
        ctx.problem(line, "assessments should be a list of dated assessments, oldest first, each starting with "
                               "'- as_of: YYYY-MM-DD' and holding its threats")
        return None
    found: list[Assessment] = []
    failed = False
    seen: dict[dt.date, int] = {}
    newest: dt.date | None = None
    for position, item in enumerate(node.items):
        try:
            fields = record(item, ctx, f"assessment {position + 1}", assessment_fields(), line=item.line)
        except Invalid as error:
            ctx.problem(error.line, error.message)
            failed = True
            continue
        line = line_of_key(item, "as_of")
        date = fields["as_of"]
        if date is not INVALID:
            shown_date = date.isoformat()
            if date in seen:
                ctx.problem(line, f"two assessments are dated {shown_date} (the other at line {seen[date]}); "
                                  "give each its own date, or merge them into one")
                failed = True
            elif newest is not None and date < newest:
                ctx.problem(line, f"the assessment of {shown_date} comes after the one of {newest.isoformat()}; "
                                  "list assessments oldest first")
                failed = True
            seen.setdefault(date, line)
            newest = max(newest or date, date)
            failed |= not check_not_future(date, line, ctx, today)
            if position == 0 and fields["change"] is not None:
                ctx.problem(line_of_key(item, "change"),
                            f"the first assessment ({shown_date}) has no earlier one to change from; remove its "
                            "change, or add the earlier assessment it describes")
                failed = True
            elif position > 0 and fields["change"] is None and not misspelt(item, "change"):
                ctx.problem(line, f"the assessment of {shown_date} does not say what changed since the one before; "
                                  "add change: with what changed and why, in zh-TW and en")
                failed = True
        threats = check_threats(fields["threats"], ctx, actors, line_of_key(item, "threats"))
        if threats is None or INVALID in fields.values():
            failed = True
            continue
        found.append(Assessment(date, threats, fields["change"], Origin(ctx.path, line)))
    return None if failed else found


def today() -> dt.date:
    """The latest date anywhere on Earth now (UTC+14): an assessment an analyst in Taipei dates today is not in the
    future for a build running in UTC, whatever the machine's time zone."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()


def check_not_future(date: dt.date, line: int, ctx: Context, today: dt.date | None) -> bool:
    if today is None or date <= today:
        return True
    ctx.problem(line, f"as_of {date.isoformat()} is after today ({today.isoformat()}); an assessment records what "
                      "was known on its date, so give the date it was made")
    return False


def check_threats(node: Any, ctx: Context, actors: Any, line: int):
    if node is INVALID or node is None:
        return None
    if not isinstance(node, Mapping):
        ctx.problem(node.line, "threats should hold one block per actor, e.g. 'RUS:' with its levels beneath")
        return None
    members = actors if actors is not INVALID else ()
    assessments: dict[str, ThreatAssessment] = {}
    for actor, key_line, value in node.items():
        if members and actor not in members:
            ctx.problem(
                key_line,
                f"threats names {actor}, which is not one of this dyad's actors ({listing(members)}); "
                "give levels only for the two members",
            )
            continue
        try:
            assessment = check_threat(value, ctx, actor, key_line)
        except Invalid as error:
            ctx.problem(error.line, error.message)
            continue
        if assessment is not None:
            assessments[actor] = assessment
    for actor in members:
        if actor not in node.keys():
            ctx.problem(line, f"threats has no entry for {actor}; add its external and internal levels under threats")
    if not members or set(assessments) != set(members):
        return None
    return tuple(assessments[actor] for actor in members)



# ---- formal obligations: data/treaties.yaml ------------------------------------------

BOTH = "both"  # `by: both`: the obligation binds each member towards the other


def years_text(start: int, end: int | None) -> str:
    return f"from {start}" if end is None else (str(start) if start == end else f"{start}–{end}")


def obligation_kinds(node: Node, ctx: Context, label: Label) -> tuple[str, ...]:
    """A list of kinds of obligation, in the order framework.yaml gives them, each once."""
    kinds = FRAMEWORK.obligation_ids
    example = f"[{kinds[0]}, {kinds[-1]}]"
    if not isinstance(node, Sequence):
        raise Invalid(node.line, f"{label} should be a list of kinds of obligation, e.g. {example}")
    if not node.items:
        raise Invalid(node.line, f"{label} is empty; list at least one of {listing(kinds)}")
    found: list[str] = []
    failed = False
    for item in node.items:
        if isinstance(item, Rejected) or not isinstance(item, Scalar) or item.value is None:
            if not isinstance(item, Rejected):
                ctx.problem(item.line, f"{label} should hold kinds of obligation only, e.g. {example}")
            failed = True
            continue
        kind = item.raw.strip()
        if kind not in kinds:
            guess = nearest(kind, kinds)
            hint = f"did you mean '{guess}'?" if guess else f"the kinds are {listing(kinds)}"
            ctx.problem(item.line, f"unknown obligation '{kind}' in {label}; {hint}")
            failed = True
        elif kind in found:
            ctx.problem(item.line, f"obligation '{kind}' is listed twice in {label}; list it once")
            failed = True
        else:
            found.append(kind)
    if failed:
        return INVALID  # type: ignore[return-value]
    return tuple(sorted(found, key=kinds.index))


def year_span(node: Node, ctx: Context, label: Label) -> tuple[int, int]:
    values = record(node, ctx, str(label), {"from": Field(year, owner=str(label)), "to": Field(year, owner=str(label))},
                    line=node.line)
    if INVALID in values.values():
        return INVALID  # type: ignore[return-value]
    if values["from"] > values["to"]:
        raise Invalid(node.line, f"{label} runs from {values['from']} to {values['to']}, backwards; "
                                 "write the earlier year under from")
    return values["from"], values["to"]


def bound_members(node: Node, ctx: Context, dyad_id: str, actors: tuple[str, str] | None, label: Label):
    """`by`: both members, or the one bound towards the other."""
    value = scalar_text(node, label)
    if value == BOTH:
        return actors if actors is not None else INVALID
    if actors is None or value in actors:
        return (value,) if actors is not None else INVALID
    raise Invalid(node.line, f"{label.value(value)} is neither both nor a member of dyad {dyad_id}; "
                             f"write both, {actors[0]} or {actors[1]}")


ATOP_ENTRY = "'- {from: 1961, to: 2018, by: both, kinds: [defense]}'"


def obligation_fields(owner: str, analyst: bool) -> dict[str, Field]:
    fields = {
        "from": Field(year, hint="the first year it was in force", owner=owner),
        "to": Field(year, required=not analyst, hint="the last year it was in force", owner=owner),
        "by": Field(passed_through, hint=f"{BOTH}, or the member bound towards the other"),
        "kinds": Field(obligation_kinds, hint=f"a list such as [{FRAMEWORK.obligation_ids[0]}]", owner=owner),
    }
    if analyst:
        fields = {"dyad": Field(plain_text, hint="the id of the dyad, e.g. russia-north-korea"), **fields,
                  "source": Field(source_reference, hint="the id of the source in sources.yaml that supports it",
                                  owner=owner),
                  "note": Field(bilingual_text, required=False, owner=owner)}
    return fields


class _Entry:
    """One obligation as read, with what the cross-entry checks need to name it."""

    def __init__(self, obligation: Obligation, owner: str):
        self.obligation = obligation
        self.owner = owner


def check_treaties(document: Document | None, dyads: list[Dyad], dyad_files: tuple[str, ...],
                   source_ids: tuple[str, ...] | None) -> tuple[TreatyCoding | None, list[Obligation], list[Problem]]:
    """data/treaties.yaml is optional: the ATOP part that `briefing import-atop` writes, and the obligations
    analysts code by hand for the years after ATOP's last."""
    if document is None or document.root is None:
        return None, [], []
    ctx = Context(document.path, source_ids=source_ids)
    members = {dyad.id: dyad.actors for dyad in dyads}
    known = set(members) | set(dyad_files)
    try:
        top = record(document.root, ctx, "this file", {"atop": Field(passed_through, required=False),
                                                       "analyst": Field(passed_through, required=False)})
    except Invalid as error:
        return None, [], [Problem(document.path, error.line, error.message)]
    root: Mapping = document.root  # type: ignore[assignment]
    entries: list[_Entry] = []

    def read_entry(node: Node, owner: str, dyad_id: str | None, analyst: bool) -> None:
        try:
            values = record(node, ctx, owner, obligation_fields(owner, analyst), line=node.line)
        except Invalid as error:
            ctx.problem(error.line, error.message)
            return
        if analyst and values["dyad"] is not INVALID:
            dyad_id = values["dyad"]
            if dyad_id not in known:
                ctx.problem(line_of_key(node, "dyad"), f"unknown dyad '{dyad_id}' in {owner}; "
                                                       f"{dyad_hint(dyad_id, known)}")
                return
        if dyad_id is None:
            return
        by: Any = INVALID
        if values["by"] is not INVALID:
            try:
                by = bound_members(values["by"], ctx, dyad_id, members.get(dyad_id), Label("by", owner))
            except Invalid as error:
                ctx.problem(error.line, error.message)
        start, end = values["from"], values["to"]
        if start is not INVALID and end not in (INVALID, None) and start > end:
            ctx.problem(line_of_key(node, "to"), f"{owner} runs from {start} to {end}, backwards; "
                                                 "write the earlier year under from")
            return
        if INVALID in values.values() or by is INVALID:
            return
        obligation = Obligation(dyad=dyad_id, start=start, end=end, by=by, kinds=values["kinds"],
                                coded_by="analyst" if analyst else "atop",
                                source=values["source"] if analyst else coding_source,
                                note=values["note"] if analyst else None, origin=Origin(document.path, node.line))
        entries.append(_Entry(obligation, owner))

    coding: TreatyCoding | None = None
    coding_source = ""
    atop = top["atop"]
    if atop is not None and atop is not INVALID:
        what = "the ATOP part"
        values: dict[str, Any]
        try:
            values = record(atop, ctx, what, {
                "version": Field(plain_text, hint="ATOP's version, e.g. '5.1'", owner=what),
                "source": Field(source_reference, hint="the id of ATOP's citation in sources.yaml", owner=what),
                "years": Field(year_span, hint="the years the table covers, e.g. {from: 1815, to: 2018}",
                               name="years", owner=what),
                "dyads": Field(passed_through, hint="each dyad's obligations under its id", owner=what),
            }, line=root.key_line("atop"))
        except Invalid as error:
            ctx.problem(error.line, error.message)
            values = {"version": INVALID, "source": INVALID, "years": INVALID, "dyads": INVALID}
        coding_source = values["source"] if values["source"] is not INVALID else ""
        covered: list[str] = []
        listed = values["dyads"]
        if listed is not INVALID and not isinstance(listed, Mapping):
            ctx.problem(listed.line, "dyads in the ATOP part should hold each dyad's obligations under its id, "
                                     f"e.g. 'russia-china:' with entries such as {ATOP_ENTRY} beneath")
        elif isinstance(listed, Mapping):
            for dyad_id, key_line, spans in listed.items():
                if dyad_id not in known:
                    ctx.problem(key_line, f"unknown dyad '{dyad_id}' in the ATOP part; {dyad_hint(dyad_id, known)} "
                                          "(import the table again after adding, renaming or removing a dyad)")
                    continue
                covered.append(dyad_id)
                if isinstance(spans, Scalar) and spans.value is None:
                    continue  # no entries: ATOP codes no obligation for the pair
                if not isinstance(spans, Sequence):
                    ctx.problem(spans.line, f"the ATOP obligations of dyad {dyad_id} should be a list of "
                                            f"entries such as {ATOP_ENTRY}")
                    continue
                for node in spans.items:
                    read_entry(node, f"the obligation on line {node.line}", dyad_id, analyst=False)
        if INVALID not in (values["version"], values["source"], values["years"], values["dyads"]):
            first_year, last_year = values["years"]
            coding = TreatyCoding(values["version"], values["source"], first_year, last_year, tuple(sorted(covered)))
    analyst = top["analyst"]
    if analyst is not None and analyst is not INVALID and not (isinstance(analyst, Scalar) and analyst.value is None):
        if not isinstance(analyst, Sequence):
            ctx.problem(analyst.line, "analyst should be a list of obligations, each starting with "
                                      "'- dyad: <dyad id>'")
        else:
            for node in analyst.items:
                read_entry(node, f"the analyst-coded obligation on line {node.line}", None, analyst=True)
    ctx.problems.extend(treaty_span_problems(document.path, entries, coding))
    if ctx.problems:
        return None, [], ctx.problems
    obligations = sorted((entry.obligation for entry in entries), key=lambda o: (o.dyad, o.start, len(o.by) == 1,
                                                                                   members.get(o.dyad, o.by).index(o.by[0])))
    return coding, obligations, []


def treaty_warnings(document: Document | None, coding: TreatyCoding | None, dyads: list[Dyad]) -> list[Problem]:
    """A dyad added after the last import has no ATOP entry: its pages would say nothing of ATOP."""
    if document is None or coding is None or not isinstance(document.root, Mapping):
        return []
    atop = document.root.get("atop")
    line = line_of_key(atop, "dyads") if atop is not None else 1
    return [Problem(document.path, line, f"dyad {dyad.id} is not in the ATOP part, so its pages show no ATOP "
                                         "obligations; import the table again (briefing import-atop)",
                    severity="warning")
            for dyad in sorted(dyads, key=lambda dyad: dyad.id) if dyad.id not in coding.dyads]


def treaty_span_problems(path: str, entries: list[_Entry], coding: TreatyCoding | None) -> list[Problem]:
    """Years against the ATOP part's span, and no two entries binding one member in the same year."""
    problems = []
    placed = []  # the entries whose years fit the ATOP part: only they are compared with each other
    for entry in entries:
        obligation = entry.obligation
        if coding is not None and obligation.coded_by == "atop" and not (
                coding.start <= obligation.start and obligation.end is not None and obligation.end <= coding.end):
            problems.append(Problem(path, obligation.origin.line, f"{entry.owner} "
                                    f"({years_text(obligation.start, obligation.end)}) lies outside the years the "
                                    f"ATOP part covers ({coding.start}–{coding.end}); import the table again"))
        elif coding is not None and obligation.coded_by == "analyst" and obligation.start <= coding.end:
            problems.append(Problem(path, obligation.origin.line, f"{entry.owner} starts in {obligation.start}, but "
                                    f"analyst-coded obligations begin after ATOP's last year ({coding.end}): ATOP's "
                                    f"coding stands for the years up to it; start it in {coding.end + 1} or later"))
        else:
            placed.append(entry)
    by_member: dict[tuple[str, str], list[_Entry]] = {}
    for entry in placed:
        for member in entry.obligation.by:
            by_member.setdefault((entry.obligation.dyad, member), []).append(entry)
    reported: set[tuple[int, int]] = set()
    for (_, member), held in sorted(by_member.items()):
        held.sort(key=lambda entry: (entry.obligation.start, entry.obligation.origin.line))
        latest = held[0]  # of the entries so far, the one that runs latest
        for entry in held[1:]:
            earlier, later = latest, entry
            first, second = earlier.obligation, later.obligation
            if first.end is not None and (second.end is None or second.end > first.end):
                latest = later
            if first.end is not None and second.start > first.end:
                continue
            if (first.origin.line, second.origin.line) in reported:
                continue
            reported.add((first.origin.line, second.origin.line))
            problems.append(Problem(path, second.origin.line, f"{later.owner} ({years_text(second.start, second.end)}) "
                                    f"overlaps {earlier.owner} ({years_text(first.start, first.end)}) for {member}; "
                                    "a member's obligations in a year are one entry: merge the two (listing every "
                                    "kind in one) or correct the years"))
    return problems


# ---- briefs ---------------------------------------------------------------------

EMBED_NAMES = ("verdict", "chart")  # what a brief can embed: [[verdict: <dyad>]], [[chart: <dyad>/<kind>]]
EMBED = re.compile(rf"\[\[({'|'.join(EMBED_NAMES)}):\s*([^\]]*?)\s*\]\]")
CITATION = re.compile(r"\[@([^\]\s]+)\]")
DYAD_CHART_KINDS = ("curve", "matrix", "diagram", "timeline", "sensitivity")


def triad_keys(dyads: list[Dyad]) -> set[str]:
    """The keys (e.g. chn-prk-rus-usa) of every triad the dyads make."""
    keys = set()
    for external in {dyad.external for dyad in dyads}:
        pairs = [dyad.actors for dyad in dyads if dyad.external == external]
        for trio in triangles(pairs):
            keys.add("-".join(actor.lower() for actor in trio) + "-" + external.lower())
    return keys


PICTURE_SUFFIXES = tuple(suffix for suffix in ASSET_SUFFIXES if suffix != ".pdf")


def lead_image(assets: frozenset[str], docs_files: frozenset[str], dyad_ids: set[str], triads: set[str] | None):
    """A chart of ours, or a picture under docs/ given by its path there (checked against the listing, not the disk)."""

    def check(node: Node, ctx: Context, label: Label) -> LeadImage:
        values = record(node, ctx, "lead_image", {
            "src": Field(plain_text, hint="an image path under docs/, or chart:<dyad>/<kind>"),
            "caption": Field(plain_text),
            "credit": Field(plain_text),
        }, line=node.line)
        src = values["src"]
        if src is not INVALID:
            source_node = node.get("src") if isinstance(node, Mapping) else node
            src_line = source_node.line if source_node is not None else node.line
            problem = None
            if src.startswith("chart:"):
                problem = embed_problem("chart", src.removeprefix("chart:"), dyad_ids, triads)
            elif src.startswith("/") or "://" in src or "\\" in src or posixpath.normpath(src).startswith(".."):
                problem = (f"lead_image src '{src}' points outside the docs folder; "
                           "put the image under docs/ and give its path from there")
            elif printable(src) != src:
                src = INVALID  # the character itself is already reported
            elif posixpath.normpath(src) in docs_files - assets:
                src = INVALID  # the file is there but refused, with its own message
            elif posixpath.normpath(src) not in assets:
                problem = f"lead_image src '{src}' does not exist under docs/; check the path"
            elif not src.lower().endswith(PICTURE_SUFFIXES):
                problem = (f"lead_image src '{src}' is not a picture; use a {', '.join(PICTURE_SUFFIXES)} file "
                           "or one of the charts (chart:<dyad>/<kind>)")
            if problem:
                ctx.problem(src_line, problem)
                src = INVALID
        if INVALID in (src, values["caption"], values["credit"]):
            return INVALID  # type: ignore[return-value]
        return LeadImage(src, values["caption"], values["credit"])

    return check


def dyad_hint(dyad_id: str, dyad_ids: set[str]) -> str:
    """The nearest dyad id, rather than every id: with many dyads a list hides the one meant."""
    guess = nearest(dyad_id, sorted(dyad_ids))
    return f"did you mean '{guess}'?" if guess else "add the dyad to data/dyads first"


def embed_problem(kind: str, target: str, dyad_ids: set[str], triads: set[str] | None) -> str | None:
    if kind == "verdict":
        if target not in dyad_ids:
            return (f"the brief embeds the verdict of dyad '{target}', which is not in data/dyads; "
                    f"{dyad_hint(target, dyad_ids)}")
        return None
    if target == "commitment":
        return None
    subject, _, chart = target.partition("/")
    if subject == "triad":
        if triads is not None and chart not in triads:
            return (f"the brief embeds the map of triad '{chart}', which the data does not make; "
                    f"use one of {', '.join(sorted(triads)) or 'none yet'}")
        return None
    if subject not in dyad_ids:
        return f"the brief embeds a chart of dyad '{subject}', which is not in data/dyads; {dyad_hint(subject, dyad_ids)}"
    if chart not in DYAD_CHART_KINDS:
        return f"the brief embeds an unknown chart '{chart}' of {subject}; use one of {', '.join(DYAD_CHART_KINDS)}"
    return None


def brief_actor_list(node: Node, ctx: Context, label: Label) -> tuple[str, ...]:
    """The states a brief is about beyond the members of its dyads, e.g. [USA]; an empty list names none."""
    if isinstance(node, Sequence) and not node.items:
        return ()
    return actor_list(node, ctx, label)


def check_brief(raw: RawBrief, assets: frozenset[str], docs_files: frozenset[str], dyad_ids: set[str],
                triads: set[str] | None, source_ids, actor_ids: tuple[str, ...] | None = ()
                ) -> tuple[Brief | None, list[Problem]]:
    ctx = Context(raw.path, actor_ids, source_ids)
    fields = {
        "title": Field(plain_text),
        "author": Field(plain_text),
        "affiliation": Field(plain_text),
        "date": Field(calendar_date, hint="YYYY-MM-DD"),
        "summary": Field(plain_text, hint="one or two sentences for the index and search results"),
        "lead_image": Field(lead_image(assets, docs_files, dyad_ids, triads), required=False),
        "dyads": Field(dyad_id_list(dyad_ids), required=False, default=()),
        "actors": Field(brief_actor_list, required=False, default=()),
    }
    try:
        values = record(raw.front.root, ctx, f"brief {raw.slug}", fields, line=1)
    except Invalid as error:
        return None, [Problem(raw.path, error.line, error.message)]
    # Over the whole body, as the pages replace them: an embed may run over two lines.
    for match in EMBED.finditer(raw.body):
        problem = embed_problem(match[1], match[2], dyad_ids, triads)
        if problem:
            ctx.problem(located(raw.body, match.start(), raw.body_line), problem)
    for match in CITATION.finditer(raw.body):
        source_id = match[1]
        if source_ids is not None and source_id not in source_ids:
            guess = nearest(source_id, source_ids)
            hint = f"did you mean '{guess}'?" if guess else "add it to data/sources.yaml first"
            ctx.problem(located(raw.body, match.start(), raw.body_line), f"the brief cites unknown source '{source_id}'; {hint}")
    for offset, message in unknown_forms(raw.body, source_ids):
        ctx.problem(located(raw.body, offset, raw.body_line), message)
    if ctx.problems or INVALID in values.values():
        return None, ctx.problems
    return Brief(slug=raw.slug, lang=raw.lang, body=raw.body, body_line=raw.body_line,
                 origin=Origin(raw.path, 1), **values), []


# Text that looks like an embed or a citation but is neither. Read in the prose (see markup.prose), so code
# spans and blocks, tags and link targets are never read. A zh-TW keyboard types a full-width colon.
EMBED_LIKE = re.compile(r"(?<!\\)\[\[\s*([^\[\]:：\n]+?)\s*[:：]\s*([^\[\]\n]*?)\s*\]\]")
BRACKETED = re.compile(r"(?<![\\\[\]!])\[\s*([^\[\]\n]+?)\s*\](?!\])")


def unknown_forms(body: str, source_ids) -> list[tuple[int, str]]:
    """(offset, message) for each embed- or citation-like text the pages would not replace: readers would see
    it as typed. A bracket followed by ( [ or : is a Markdown link, reference or definition, and left alone."""
    text = prose(body)
    found: list[tuple[int, str]] = []
    for match in EMBED_LIKE.finditer(text):
        name, target, written = match[1], match[2], match[0]
        if name in EMBED_NAMES:
            if not EMBED.fullmatch(written):
                found.append((match.start(), f"'{written}' is not read as an embed (check the spaces and the colon); "
                                             f"write [[{name}: {target}]]"))
            continue
        guess = nearest(name, EMBED_NAMES)
        advice = (f"did you mean [[{guess}: …]]?" if guess else
                  "the embeds are " + " and ".join(f"[[{known}: …]]" for known in EMBED_NAMES))
        found.append((match.start(), f"the brief embeds '{name}', which is not something a brief can embed; {advice}"))
    for match in BRACKETED.finditer(text):
        if body[match.end():match.end() + 1] in ("(", "[", ":"):
            continue
        inside = match[1]
        name, *target = re.split(r"\s*[:：]\s*", inside, maxsplit=1)
        if target and name.lower() in EMBED_NAMES:
            found.append((match.start(), f"'{match[0]}' has single brackets, so readers would see it as typed; "
                                         f"write [[{name.lower()}: {target[0]}]]"))
        elif source_ids is not None and inside in source_ids and not defines_link(body, inside):
            found.append((match.start(), f"'{match[0]}' names source {inside} but does not cite it, so readers would "
                                         f"see the brackets; write [@{inside}]"))
    return sorted(found)


def defines_link(body: str, label: str) -> bool:
    """Whether the body defines [label]: target, which makes a lone [label] a Markdown link."""
    return re.search(rf"^ {{0,3}}\[{re.escape(label)}\]:", body, re.MULTILINE | re.IGNORECASE) is not None


def dyad_id_list(dyad_ids: set[str]) -> Validator:
    def check(node: Node, ctx: Context, label: Label) -> tuple[str, ...]:
        if not isinstance(node, Sequence):
            raise Invalid(node.line, "dyads should be a list of dyad ids, e.g. [russia-china]")
        found = []
        for item in node.items:
            value = scalar_text(item, label)
            if value not in dyad_ids:
                guess = nearest(value, dyad_ids)
                hint = f"did you mean '{guess}'?" if guess else "add the dyad to data/dyads first"
                raise Invalid(item.line, f"the brief is related to unknown dyad '{value}'; {hint}")
            found.append(value)
        return tuple(found)

    return check


# ---- the whole data folder ------------------------------------------------------


def validate(raw: RawData, today: dt.date | None = None) -> Dataset:
    """Check everything; return the Dataset or raise DataError with every problem.

    `today` is the day the check runs, which no assessment may be dated after (None: not checked). It refuses
    data and never reaches the output, so the same commit still builds the same bytes."""
    problems = list(raw.problems)
    characters = [problem for document in (raw.actors, raw.sources, raw.events, raw.treaties, *raw.dyads,
                                           *(document for _, document in raw.terms),
                                           *(brief.front for brief in raw.briefs), *raw.wording,
                                           *(page.front for page in raw.pages))
                  for problem in character_problems(document)]
    actors, found, actor_ids = check_actors(raw.actors)
    problems.extend(found)
    sources, found, source_ids = check_sources(raw.sources)
    problems.extend(found)
    dyads: list[Dyad] = []
    for document in raw.dyads:
        dyad, found = check_dyad(document, actor_ids, source_ids, today)
        problems.extend(found)
        if dyad is not None:
            dyads.append(dyad)
    problems.extend(check_one_dyad_per_pair(dyads))
    events, found = check_events(raw.events, actor_ids, source_ids)
    problems.extend(found)
    atop, obligations, found = check_treaties(raw.treaties, dyads, raw.dyad_files, source_ids)
    problems.extend(found)
    briefs = []
    assets = frozenset(asset.relative for asset in raw.assets)
    dyad_ids = {dyad.id for dyad in dyads} | set(raw.dyad_files)
    # A dyad file that could not be read hides the triads it would make: its own message is enough.
    triads = triad_keys(dyads) if len(dyads) == len(raw.dyad_files) else None
    if triads is not None and len(triads) > MAX_TRIADS:
        problems.append(Problem(str(PurePath(raw.data_dir, "dyads")), 1,
                                f"the dyads form {len(triads):,} triads (three actors paired with one another, facing "
                                f"the same outside actor), more than the {MAX_TRIADS:,} the site can draw and publish "
                                "in reasonable time; keep the pairs the analysis needs"))
    for raw_brief in raw.briefs:
        problems.extend(markdown_problems(raw_brief.body, raw_brief.path, raw_brief.body_line, "brief"))
        brief, found = check_brief(raw_brief, assets, raw.docs_files, dyad_ids, triads, source_ids, actor_ids)
        problems.extend(found)
        if brief is not None:
            briefs.append(brief)
    for page in raw.pages:
        problems.extend(check_page(page))
    terms, found, term_warnings = check_terms(raw)
    problems.extend(found)
    if any(entry.entries for entry in terms.values()):  # the desk's terms, where OpenCC alone converted before
        actors, dyads, events = with_terms(actors, terms), with_terms(dyads, terms), with_terms(events, terms)
    briefs += converted_briefs(briefs, terms)
    # A value refused for its own reason (a date in Arabic-Indic digits) needs no second message for its characters.
    refused = {(problem.path, problem.line) for problem in problems}
    problems.extend(problem for problem in characters if (problem.path, problem.line) not in refused)
    if not problems:
        problems.extend(check_outputs(dyads, triads or set(), briefs, raw.pages, raw.assets, actors))
    if problems:
        raise DataError(problems)
    return Dataset(
        actors=tuple(actors),
        sources=tuple(sources),
        dyads=tuple(sorted(dyads, key=lambda dyad: dyad.id)),
        data_dir=raw.data_dir,
        events=tuple(sorted(events, key=lambda event: (event.date, event.title.get("en")))),
        briefs=tuple(sorted(briefs, key=lambda b: (-b.date.toordinal(), b.slug, b.lang))),
        atop=atop,
        obligations=tuple(obligations),
        warnings=tuple(sorted([*usage_warnings(raw), *citation_warnings(raw), *term_warnings,
                               *treaty_warnings(raw.treaties, atop, dyads)],
                              key=lambda warning: (warning.path, warning.line))),
    )


# ---- the converted languages --------------------------------------------------------


def check_terms(raw: RawData) -> tuple[dict[str, Terms], list[Problem], list[Problem]]:
    """Each converted language's terms file (languages.yaml `terms`, e.g. data/zh-hans-terms.yaml): a mapping
    of a term as the source language's texts write it to what the converted edition writes instead. Returns
    the terms by language, the problems and the warnings."""
    found: dict[str, Terms] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for code, document in raw.terms:
        language = TABLE.language(code)
        source = TABLE.language(language.source or "")
        root = document.root
        if root is None:
            continue  # an empty file: OpenCC's conversion throughout
        if not isinstance(root, Mapping):
            problems.append(Problem(document.path, root.line, (
                f"this file should map each term, as the {source.english_name} texts write it, to what the "
                f"{language.english_name} edition writes instead, one a line, e.g. '普丁: 普京'")))
            continue
        entries = []
        for term, line, value in root.items():
            instead = value.value if isinstance(value, Scalar) and not isinstance(value, Rejected) else None
            if not isinstance(instead, str) or not instead.strip():
                problems.append(Problem(document.path, line, (
                    f"the term '{term}' needs what the {language.english_name} edition writes instead, as text "
                    f"on the same line, e.g. '{term}: …'")))
                continue
            if not re.search(f"[{HAN}]", term) or term != term.strip() or any(c.isspace() for c in term):
                problems.append(Problem(document.path, line, (
                    f"'{term}' is not a term of Chinese characters without spaces; write one term a line, as the "
                    f"{source.english_name} texts write it")))
                continue
            written = convert(term, SIMPLIFIED_TO_TRADITIONAL)
            if written != term:
                problems.append(Problem(document.path, line, (
                    f"'{term}' is written in Simplified Chinese, so no {source.english_name} text holds it; write "
                    f"the term as the {source.english_name} texts write it ({written}), and after the colon what "
                    f"the {language.english_name} edition writes instead")))
                continue
            if convert(term, language.conversion or "") == instead:
                warnings.append(Problem(document.path, line, (
                    f"OpenCC already converts '{term}' to '{instead}'; the entry changes nothing"), severity="warning"))
            entries.append((term, instead))
        found[code] = Terms(tuple(entries))
    return found, problems, warnings


# What tells a term written in Simplified Chinese: converting it to Traditional changes it.
SIMPLIFIED_TO_TRADITIONAL = "s2tw"


def with_terms(values: list, terms: dict[str, Terms]) -> list:
    """Values from the data with every converted text converted again, with the desk's terms."""

    def again(value):
        if isinstance(value, Text):
            return value.converted(terms)
        if isinstance(value, tuple):
            return tuple(again(item) for item in value)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return dataclasses.replace(value, **{field.name: again(getattr(value, field.name))
                                                 for field in dataclasses.fields(value) if field.init})
        return value

    return [again(value) for value in values]


def converted_briefs(briefs: list[Brief], terms: dict[str, Terms]) -> list[Brief]:
    """Each brief written in a converted language's source, converted: 「x.zh-TW.md」 is also the zh-Hans brief x.
    Its Markdown is converted whole: ids, addresses and footnote labels are ASCII, which OpenCC leaves as they are."""
    made = []
    for language in TABLE.derived:
        def text(value: str, language=language) -> str:
            return convert(value, language.conversion or "", terms.get(language.code, NO_TERMS))

        for brief in briefs:
            if brief.lang != language.source:
                continue
            lead = brief.lead_image
            made.append(dataclasses.replace(
                brief, lang=language.code, title=text(brief.title), author=text(brief.author),
                affiliation=text(brief.affiliation), summary=text(brief.summary), body=text(brief.body),
                lead_image=LeadImage(lead.src, text(lead.caption), text(lead.credit)) if lead else None))
    return made


# ---- what a text may hold, and where things are published ----------------------------


# The texts of a brief's front matter that are its own prose. Its author, affiliation and the lead image's
# credit name people and organisations as they write themselves, like the bibliography.
BRIEF_PROSE = (("title",), ("summary",), ("lead_image", "caption"))


def citation_warnings(raw: RawData) -> list[Problem]:
    """Every brief paragraph that states a date or a figure without citing a source (markup.uncited_figures)."""
    return [warning for brief in raw.briefs for warning in uncited_figures(brief.body, brief.path, brief.body_line)]


def usage_warnings(raw: RawData) -> list[Problem]:
    """Mainland usage in every zh-TW text: the data's zh-TW values, the zh-TW briefs and the hand-written pages
    outside the site's English half (en/). The bibliography is left alone: a cited work's title and its
    publisher are quoted as published."""
    warnings: list[Problem] = []

    def warn(path: str, found: list[tuple[int, str]], line_at) -> None:
        warnings.extend(Problem(path, line_at(offset), message, severity="warning") for offset, message in found)

    def check(path: str, node: Node | None) -> None:
        if isinstance(node, Scalar) and not isinstance(node, Rejected):
            warn(path, mainland_usage(node.raw), node.line_at)

    def check_markdown(path: str, text: str, first_line: int) -> None:
        warn(path, mainland_usage(prose(text)), lambda offset: located(text, offset, first_line))

    for document in (raw.actors, raw.events, raw.treaties, *raw.dyads):
        if document is not None:
            for text in zh_tw_values(document):
                check(document.path, text)
    for brief in raw.briefs:
        if TABLE.language(brief.lang).checks_usage:
            for keys in BRIEF_PROSE:
                check(brief.path, value_at(brief.front.root, keys))
            check_markdown(brief.path, brief.body, brief.body_line)
    for page in raw.pages:
        if not TABLE.language(TABLE.by_prefix(page.relative)).checks_usage:
            continue
        if page.front is not None:
            check(page.path, value_at(page.front.root, ("title",)))
        for key, setting, line in page.settings:
            if key == "title":
                warn(page.path, mainland_usage(setting), lambda offset, line=line: line)
        check_markdown(page.path, page.body, page.body_line)
    return warnings


def zh_tw_values(document: Document) -> list[Scalar]:
    """Every value written under the key of a language whose usage is checked ('zh-TW:'), at any depth."""
    checked = {language.code for language in TABLE.languages if language.checks_usage}
    values: list[Scalar] = []
    stack: list[Node] = [document.root] if document.root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for key, _, value in node.items():
                if key in checked and isinstance(value, Scalar):
                    values.append(value)
                else:
                    stack.append(value)
        elif isinstance(node, Sequence):
            stack.extend(node.items)
    return values


def value_at(node: Node | None, keys: tuple[str, ...]) -> Node | None:
    """The value under a path of keys (lead_image, caption), or None."""
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def located(text: str, offset: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, offset)


def character_problems(document: Document | None) -> list[Problem]:
    """Control, bidi and unprintable characters in every key and value of a file."""
    problems: list[Problem] = []
    if document is None or document.root is None:
        return problems

    def check(text: str, line: int) -> None:
        problems.extend(Problem(document.path, located(text, offset, line), message)
                        for offset, message in text_problems(text))

    stack: list[Node] = [document.root]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            for key, key_line, value in node.items():
                check(key, key_line)
                stack.append(value)
        elif isinstance(node, Sequence):
            stack.extend(node.items)
        elif isinstance(node, Scalar) and isinstance(node.raw, str):
            check(node.raw, node.line)
    return problems


CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[A-Za-z][A-Za-z0-9]{1,31});")
MAX_DISTINCT_CHARACTERS = 3000  # a long commentary uses about 1,500; each new one costs the web font time


def referenced_characters(text: str) -> tuple[str, list[int]]:
    """The characters the text's character references stand for, as a browser reads them (a control
    character stays one), with the offset of the reference each comes from."""
    characters, offsets = [], []
    for match in CHARACTER_REFERENCE.finditer(text):
        reference = match[0]
        if reference.startswith("&#"):
            number = int(reference[3:-1], 16) if reference[2] in "xX" else int(reference[2:-1])
            decoded = chr(number) if number <= 0x10FFFF else "\ufffd"
        else:
            decoded = html.unescape(reference)
            if decoded == reference:
                continue  # not a reference a browser knows: shown as written
        characters.append(decoded)
        offsets.extend([match.start()] * len(decoded))
    return "".join(characters), offsets


def markdown_problems(text: str, path: str, first_line: int, kind: str) -> list[Problem]:
    """A brief's or page's Markdown: its characters, then what the site would not publish as written.

    A character reference (&#x202E;) is checked as the character it stands for: that is what a page shows.
    """
    problems = [Problem(path, located(text, offset, first_line), message) for offset, message in text_problems(text)]
    referenced, where = referenced_characters(text)
    reported = {problem.message for problem in problems}
    for offset, message in text_problems(referenced):
        if message not in reported:
            problems.append(Problem(path, located(text, where[offset], first_line), message))
    distinct = len(set(html.unescape(text)))
    if distinct > MAX_DISTINCT_CHARACTERS:
        problems.append(Problem(path, first_line, f"the {kind} uses {distinct} different characters, more than the "
                                                  f"{MAX_DISTINCT_CHARACTERS} the web fonts can be cut to in reasonable "
                                                  "time; shorten it"))
    return problems + audit(text, path, first_line, kind)


PAGE_SETTINGS = ("title",)  # what a hand-written page may set: MkDocs would also take 'template' and others


def check_page(page: RawPage) -> list[Problem]:
    """A hand-written page: its settings (only a title), then its Markdown like a brief's."""
    ctx = Context(page.path)
    if page.front is not None:
        try:
            record(page.front.root, ctx, "the page's front matter",
                   {name: Field(plain_text, required=False) for name in PAGE_SETTINGS}, line=2)
        except Invalid as error:
            ctx.problem(error.line, error.message)
    for key, value, line in page.settings:
        if key not in PAGE_SETTINGS:
            ctx.problem(line, f"MkDocs reads '{key}:' on the page's first lines as a setting, not as text, and pages "
                              f"may set only {', '.join(PAGE_SETTINGS)}; put a blank line above the text or reword it")
        ctx.problems.extend(Problem(page.path, line, message) for _, message in text_problems(value))
    return ctx.problems + markdown_problems(page.body, page.path, page.body_line, "page")


def check_outputs(dyads: list[Dyad], triads: set[str], briefs: list[Brief], pages: tuple[RawPage, ...],
                  assets, actors: list[Actor] | tuple[Actor, ...] = ()) -> list[Problem]:
    """Every published path has one owner: a brief, dyad or docs file may not overwrite another output."""
    owners: dict[str, tuple[str, str | None]] = {}  # output -> (how messages name its owner, the owner's file)
    problems: list[Problem] = []
    reported: set[str] = set()

    def claim(output: str, what: str, file: str | None, owner: str, advice: str = "rename the file") -> None:
        if output not in owners:
            owners[output] = (owner, file)
            return
        if file is None or file in reported:
            return
        reported.add(file)
        first, first_file = owners[output]
        where = f"as would {first} ({first_file})" if first_file else f"where {first} is"
        problems.append(Problem(file, 1, f"{what} would be published as {output}, {where}; {advice}"))

    for lang in LANGUAGES:
        for key, (_, name) in FIXED_PAGES.items():
            claim(url_of(key, lang), "", None, f"the site's {name.removeprefix('the ')}")
    for output in (*THEME_OUTPUTS, *SITE_DOWNLOADS, *theme_assets()):
        claim(output, "", None, "a file of the site's own")
    for dyad in dyads:
        file = dyad.origin.path
        advice = "give the dyad another id (and its file the same name)"
        for lang in LANGUAGES:
            claim(url_of(f"dyad:{dyad.id}", lang), "the dyad's page", file, f"the page of dyad {dyad.id}", advice)
            claim(pdf_path("dyad", dyad.id, lang), "the dyad's handout", file, f"the handout of dyad {dyad.id}", advice)
        for output in dyad_downloads(dyad.id):
            claim(output, "the dyad's data download", file, f"the download of dyad {dyad.id}", advice)
        for lang in LANGUAGES:
            for output in cite_downloads("dyad", dyad.id, lang).values():
                claim(output, "the dyad's reference file", file, f"the reference file of dyad {dyad.id}", advice)
        for assessment in dyad.assessments if dyad.has_history else ():
            name = assessment_name(dyad.id, assessment.as_of)
            what = f"the assessment of dyad {dyad.id} as of {assessment.as_of.isoformat()}"
            for lang in LANGUAGES:
                for output in (url_of(f"assessment:{name}", lang), pdf_path("assessment", name, lang),
                               *cite_downloads("assessment", name, lang).values()):
                    claim(output, f"{what}", file, what, advice)
    for key in sorted(triads):
        for lang in LANGUAGES:
            claim(url_of(f"triad:{key}", lang), "", None, f"the page of triad {key}")
    for actor in actors:
        for lang in LANGUAGES:
            claim(url_of(actor_key(actor.id), lang), "", None, f"the page of actor {actor.id}")
    ordered = sorted(briefs, key=lambda b: b.origin.path)
    for slug, brief in {brief.slug: brief for brief in reversed(ordered)}.items():
        for lang in LANGUAGES:  # a brief has a page in every language, translated or not
            claim(url_of(f"brief:{slug}", lang), "the brief's page", brief.origin.path, f"the page of brief {slug}")
    for brief in ordered:
        claim(pdf_path("brief", brief.slug, brief.lang), "the brief's handout", brief.origin.path,
              f"the handout of brief {brief.slug}")
        for output in cite_downloads("brief", brief.slug, brief.lang).values():
            claim(output, "the brief's reference file", brief.origin.path, f"the reference file of brief {brief.slug}")
    for page in pages:
        claim(docs_output(page.relative), "the page", page.path, "the page")
    for asset in assets:
        if asset.relative.startswith(GENERATED_FOLDERS):
            folder = asset.relative.split("/")[0] + "/" + ("fonts/" if asset.relative.startswith("assets/fonts/") else "")
            problems.append(Problem(asset.shown, 1, f"the build fills {folder} itself, so a file there from docs/ "
                                                    "would be overwritten; move it to another folder"))
            continue
        claim(asset.relative, "the file", asset.shown, "the file")
    return problems


def theme_assets() -> list[str]:
    """The theme's own files (stylesheet, script, icon): docs/ may not replace them."""
    folder = TEMPLATES / "theme"
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")
                  if path.is_file() and path.suffix != ".html")


def check_one_dyad_per_pair(dyads: list[Dyad]) -> list[Problem]:
    problems = []
    seen: dict[tuple, Dyad] = {}
    for dyad in sorted(dyads, key=lambda d: d.id):
        key = (tuple(sorted(dyad.actors)), dyad.external)
        if key in seen:
            first = seen[key]
            problems.append(
                Problem(
                    dyad.origin.path,
                    1,
                    f"dyads {first.id} and {dyad.id} both pair {' and '.join(key[0])} facing {dyad.external}; "
                    "keep one of them, or give one a different external actor",
                )
            )
        else:
            seen[key] = dyad
    return problems
