"""`briefing import-atop`: formal treaty obligations from ATOP's directed dyad-year table into data/treaties.yaml.

Entry point: `import_atop(table, data_dir, version, source_id) -> Imported`, raising `ImportRefused` with every
problem when nothing may be written.

The table (ATOP 5.1's `atop5_1ddyr`, or the subset of its columns that peacesciencer distributes) has a row per
directed pair of states and year in which they shared an alliance: `stateA` and `stateB` (Correlates of War state
codes), `year`, and a 0/1 column per kind of obligation (framework.yaml `obligations`), 1 when an alliance in force
binds state A to it towards state B. It is read as a stream, row by row; only the rows of the data's dyads are kept.

The codes are mapped to the data's ISO 3166 alpha-3 ids with country_converter. It has no COW classification, only
Gleditsch and Ward's (GW), whose numbers are the COW numbers for nearly every state (Russia/the Soviet Union 365,
China 710, North Korea 731, the United States 2). Where a COW code has no GW entry there (states of the past such
as Bavaria, 245; Germany's own 255; Yugoslavia's 345), its rows are left out with a warning: no actor of the data
can be such a code. Three codes that country_converter does map are read by it as another state than COW means
(`MISREAD`), and are left out the same way, so South Vietnam's alliances never become Vietnam's.

What the import writes replaces the `atop:` part of data/treaties.yaml; the `analyst:` part (obligations analysts
code by hand after ATOP's last year) is kept byte for byte, with the comment lines right above it. The same table
and data always give the same bytes.
"""
from __future__ import annotations

import contextlib
import csv
import logging
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .framework import FRAMEWORK
from .load import TREATIES_FILE, Mapping, load_data
from .model import DataError, Dataset, Problem
from .validate import BOTH, validate

STATE_COLUMNS = ("stateA", "stateB", "year")
# COW codes that country_converter's GW column maps to today's state of the same name, where COW means another.
MISREAD = (
    (315, "Czechoslovakia", "CZE"),
    (680, "the People's Democratic Republic of Yemen (South Yemen)", "YEM"),
    (817, "the Republic of Vietnam (South Vietnam)", "VNM"),
)
VERSION_SHAPE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,19}\Z")
SHOWN_PROBLEMS = 100  # a table that is not ATOP's at all would otherwise print a line per row


class ImportRefused(Exception):
    """The table or the data has problems: nothing was written."""

    def __init__(self, problems: list[Problem], shown: str):
        super().__init__(f"{len(problems)} problem(s) in {shown}")
        self.problems = problems
        self.shown = shown


@dataclass(frozen=True)
class Span:
    """Consecutive years with the same obligations of one member towards the other (or of both)."""

    start: int
    end: int
    by: str  # BOTH or an actor id
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Imported:
    path: Path  # the file written
    text: str
    warnings: tuple[Problem, ...]
    rows: int
    years: tuple[int, int]
    spans: tuple[tuple[str, tuple[Span, ...]], ...]  # (dyad id, its spans), by dyad id


@dataclass(frozen=True)
class Table:
    """What the import keeps of the table: each wanted (dyad, member)'s obligations by year."""

    years: dict[tuple[str, str], dict[int, tuple[str, ...]]]
    first: int
    last: int
    rows: int
    warnings: tuple[Problem, ...]


def import_atop(table: str, data_dir: str, version: str = "5.1", source_id: str = "leeds-2002") -> Imported:
    """Read the table, merge with data/treaties.yaml's analyst part and write the file; see the module's text."""
    if not VERSION_SHAPE.match(version):
        raise ImportRefused([Problem("--atop-version", 1, f"'{version}' is not a version number; write it as ATOP "
                                                          "numbers it, e.g. 5.1")], "the command")
    refused = not_a_table(table)
    if refused:
        raise ImportRefused([refused], table)
    dataset, kept = read_data(data_dir, source_id)
    wanted: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for dyad in dataset.dyads:
        first, second = dyad.actors
        wanted.setdefault((first, second), []).append((dyad.id, first))
        wanted.setdefault((second, first), []).append((dyad.id, second))
    read = read_table(table, wanted)
    spans = tuple((dyad.id, dyad_spans(dyad.actors, read.years, dyad.id)) for dyad in dataset.dyads)
    text = treaties_text(version, source_id, (read.first, read.last), spans, kept)
    target = Path(data_dir) / TREATIES_FILE
    write_atomically(target, text)
    return Imported(target, text, read.warnings, read.rows, (read.first, read.last), spans)


def not_a_table(table: str) -> Problem | None:
    """The analyst names the table on the command line, so it may be anywhere; but it must be a plain file."""
    try:
        info = os.stat(table)
    except OSError as error:
        return Problem(table, 1, f"the table cannot be read ({error.strerror}); give the path of ATOP's directed "
                                 "dyad-year table, a .csv file")
    if not stat.S_ISREG(info.st_mode):
        return Problem(table, 1, "is not a plain file (a folder, pipe or device); give the path of ATOP's directed "
                                 "dyad-year table, a .csv file")
    return None


def read_data(data_dir: str, source_id: str) -> tuple[Dataset, str]:
    """The data's dyads and sources, checked as `check` does (less treaties.yaml, whose ATOP part is about to be
    replaced), and the analyst part of treaties.yaml to keep."""
    raw = load_data(data_dir)
    dataset = validate(replace(raw, treaties=None))  # DataError: the data's own problems, as `check` words them
    path = Path(data_dir) / TREATIES_FILE
    problems: list[Problem] = []
    if source_id not in {source.id for source in dataset.sources}:
        problems.append(Problem(str(Path(data_dir, "sources.yaml")), 1,
                                f"there is no source '{source_id}' to cite for ATOP; add ATOP's citation (see the "
                                "README, Data) or name its id with --source"))
    kept = ""
    if raw.treaties is not None and raw.treaties.root is not None:
        root = raw.treaties.root
        if not isinstance(root, Mapping):
            problems.append(Problem(raw.treaties.path, root.line, "this file should be a block of keys (atop, "
                                                                  "analyst); fix it before importing, so nothing "
                                                                  "written there is lost"))
        else:
            unknown = [(key, line) for key, line, _ in root.items() if key not in ("atop", "analyst")]
            problems.extend(Problem(raw.treaties.path, line, f"unknown key '{key}' (the keys are atop and analyst); "
                                                             "fix it before importing, so nothing written there is "
                                                             "lost") for key, line in unknown)
            if not unknown and "analyst" in root.keys():
                kept = analyst_part(path.read_text(encoding="utf-8-sig"), root)
    if problems:
        raise DataError(problems)
    return dataset, kept


def analyst_part(text: str, root: Mapping) -> str:
    """The `analyst:` key and its block as written, with the comment lines right above it."""
    lines = text.splitlines(keepends=True)
    start = root.key_line("analyst") - 1
    following = [line for key, line, _ in root.items() if line - 1 > start]
    end = min(following) - 1 if following else len(lines)
    while start > 0 and lines[start - 1].lstrip().startswith("#"):
        start -= 1
    kept = "".join(lines[start:end]).rstrip("\n")
    return kept + "\n"


@contextlib.contextmanager
def quiet(logger_name: str) -> Iterator[None]:
    """country_converter logs each code it cannot find; the import words those itself, once per code."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def utf8_lines(handle, shown: str, problems: list[Problem]) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8, or holds a NUL byte, is reported and read as empty."""
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(shown, number, f"the line is not UTF-8 text (byte 0x{raw[error.start]:02x}); "
                                                   "save the table as UTF-8 (ATOP's own is plain ASCII)"))
            line = "\n"
        if "\x00" in line:
            problems.append(Problem(shown, number, "the line holds a NUL byte, so the file is not a text table; "
                                                   "give ATOP's CSV file"))
            line = "\n"
        yield line


def read_table(table: str, wanted: dict[tuple[str, str], list[tuple[str, str]]]) -> Table:
    """Every row checked, the rows of the wanted pairs kept by year; ImportRefused with every malformed row."""
    import country_converter  # pandas under it: loaded only by the import

    converter = country_converter.CountryConverter()
    misread = {code: (name, iso) for code, name, iso in MISREAD}
    iso_of: dict[int, str | None] = {}
    unmapped: dict[int, list[int]] = {}  # code -> [first line, rows]
    problems: list[Problem] = []
    kinds = FRAMEWORK.obligations
    years: dict[tuple[str, str], dict[int, tuple[str, ...]]] = {}
    seen: dict[tuple[int, int, int], int] = {}  # a kept row's (stateA, stateB, year) -> its line
    first, last, rows = 0, 0, 0

    def state(code: int) -> str | None:
        if code not in iso_of:
            found = converter.convert(code, src="GWcode", to="ISO3", not_found="")
            iso_of[code] = found if isinstance(found, str) and re.fullmatch("[A-Z]{3}", found) and \
                code not in misread else None
        return iso_of[code]

    with open(table, "rb") as handle, quiet("country_converter.country_converter"):
        reader = csv.reader(utf8_lines(handle, table, problems))
        try:
            header = next(reader, [])
        except csv.Error as error:
            raise ImportRefused([Problem(table, 1, f"the first line is not a CSV header ({error}); give ATOP's "
                                                   "directed dyad-year table")], table) from None
        if not header and not problems:
            raise ImportRefused([Problem(table, 1, "the file is empty; give ATOP's directed dyad-year table")], table)
        columns = (*STATE_COLUMNS, *(kind.atop for kind in kinds))
        positions = {name: index for index, name in enumerate(header)}
        missing = [name for name in columns if name not in positions]
        if missing:
            written = {name.lower(): name for name in header}
            for name in missing:
                found = written.get(name.lower())
                hint = f"write '{found}' as {name}" if found else "is this ATOP's directed dyad-year table?"
                problems.append(Problem(table, 1, f"the table has no column '{name}' (ATOP's directed dyad-year "
                                                  f"table names {', '.join(columns)}); {hint}"))
            raise ImportRefused(problems, table)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                problems.append(Problem(table, reader.line_num, f"the line cannot be read as CSV ({error}); "
                                                                "check its quotes and commas"))
                continue
            line = reader.line_num
            if not row:
                continue
            if len(row) != len(header):
                problems.append(Problem(table, line, f"the row has {len(row)} values where the header names "
                                                     f"{len(header)} columns; "
                                                     + ("a value is missing" if len(row) < len(header)
                                                        else "check for a comma inside a value")))
                continue
            values = {name: row[positions[name]].strip() for name in columns}
            bad = False
            for name in ("stateA", "stateB"):
                if not (values[name].isascii() and values[name].isdigit()):
                    problems.append(Problem(table, line, f"{name} '{values[name]}' is not a Correlates of War state "
                                                         "code; write the whole number, e.g. 365"))
                    bad = True
            if not (values["year"].isascii() and values["year"].isdigit() and len(values["year"]) == 4):
                problems.append(Problem(table, line, f"year '{values['year']}' is not a year; write four digits, "
                                                     "e.g. 1961"))
                bad = True
            flags = []
            for kind in kinds:
                if values[kind.atop] not in ("0", "1"):
                    problems.append(Problem(table, line, f"{kind.atop} is '{values[kind.atop]}', but ATOP codes each "
                                                         "obligation as 0 (none) or 1 (in force)"))
                    bad = True
                flags.append(values[kind.atop] == "1")
            if bad:
                continue
            rows += 1
            code_a, code_b, when = int(values["stateA"]), int(values["stateB"]), int(values["year"])
            first, last = (when, when) if rows == 1 else (min(first, when), max(last, when))
            state_a, state_b = state(code_a), state(code_b)
            for code, iso in ((code_a, state_a), (code_b, state_b)):
                if iso is None:
                    unmapped.setdefault(code, [line, 0])[1] += 1
            if state_a is None or state_b is None or (state_a, state_b) not in wanted:
                continue
            if (code_a, code_b, when) in seen:
                problems.append(Problem(table, line, f"stateA {code_a}, stateB {code_b}, year {when} is already on "
                                                     f"line {seen[code_a, code_b, when]}; ATOP's table has one row "
                                                     "per directed pair and year: remove one"))
                continue
            seen[code_a, code_b, when] = line
            bound = tuple(kind.id for kind, flag in zip(kinds, flags, strict=True) if flag)
            for key in wanted[state_a, state_b]:
                held = years.setdefault(key, {})
                # Two COW codes of one ISO state in the same year: it was bound by both.
                held[when] = tuple(kind.id for kind in kinds if kind.id in bound or kind.id in held.get(when, ()))
    if rows == 0 and not problems:
        problems.append(Problem(table, 1, "the table has a header but no rows; give ATOP's full table"))
    if problems:
        raise ImportRefused(problems, table)
    warnings = tuple(unmapped_warning(table, code, first_line, count, misread.get(code))
                     for code, (first_line, count) in sorted(unmapped.items(), key=lambda item: (item[1][0], item[0])))
    return Table(years, first, last, rows, warnings)


def unmapped_warning(table: str, code: int, line: int, count: int, misread: tuple[str, str] | None) -> Problem:
    rows = f"{count:,} row{'s' if count != 1 else ''}"
    if misread:
        name, iso = misread
        message = (f"COW state code {code} ({rows}, the first here) is {name}, which country_converter reads as "
                   f"{iso}, today's state; its rows are left out so they are not read as {iso}'s")
    else:
        message = (f"COW state code {code} ({rows}, the first here) has no ISO 3166 code in country_converter (a "
                   "state of the past, or a code it numbers otherwise), so its rows are left out; if it is the code "
                   "of one of your actors, that actor's ATOP obligations are incomplete (see the README)")
    return Problem(table, line, message, severity="warning")


def member_spans(held: dict[int, tuple[str, ...]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Consecutive years with the same obligations, as (first year, last year, kinds); years bound to nothing
    (all five columns 0) end a span."""
    spans: list[tuple[int, int, tuple[str, ...]]] = []
    for when in sorted(held):
        kinds = held[when]
        if not kinds:
            continue
        if spans and spans[-1][1] == when - 1 and spans[-1][2] == kinds:
            spans[-1] = (spans[-1][0], when, kinds)
        else:
            spans.append((when, when, kinds))
    return spans


def dyad_spans(actors: tuple[str, str], years: dict[tuple[str, str], dict[int, tuple[str, ...]]],
               dyad_id: str) -> tuple[Span, ...]:
    """Each member's spans; one that both members have, the same years and kinds, is written once as both."""
    first, second = (member_spans(years.get((dyad_id, actor), {})) for actor in actors)
    shared = set(first) & set(second)
    spans = [Span(start, end, BOTH, kinds) for start, end, kinds in first if (start, end, kinds) in shared]
    for actor, own in zip(actors, (first, second), strict=True):
        spans += [Span(start, end, actor, kinds) for start, end, kinds in own if (start, end, kinds) not in shared]
    order = (BOTH, *actors)
    return tuple(sorted(spans, key=lambda span: (span.start, order.index(span.by))))


ANALYST_DEFAULT = """\
# Analyst-coded obligations: the years after ATOP's last, written by hand, each with the id of the source in
# sources.yaml that supports it, e.g.
#   - dyad: russia-north-korea
#     from: 2024            # to: the last year, if it has ended
#     by: both              # or the id of the one member bound towards the other
#     kinds: [defense]
#     source: <source id>
#     note: {zh-TW: …, en: …}   # optional: what it was read from
# `briefing import-atop` keeps this part as it is.
analyst: []
"""


def treaties_text(version: str, source_id: str, years: tuple[int, int], spans, kept: str) -> str:
    kinds = ", ".join(FRAMEWORK.obligation_ids)
    lines = [
        "# Formal treaty obligations between the members of each dyad, by year.",
        "#",
        "# The atop part is written by `briefing import-atop` from ATOP's directed dyad-year table; the next import",
        "# replaces it, so do not edit it by hand. An entry: from and to (years, both included), by (both, or the",
        f"# one member bound towards the other) and kinds ({kinds}).",
        "# A dyad with no entries ([]) had no alliance obligation in ATOP in those years.",
        "",
        "atop:",
        f"  version: '{version}'",
        f"  source: {source_id}",
        f"  years: {{from: {years[0]}, to: {years[1]}}}",
        "  dyads:" if spans else "  dyads: {}",
    ]
    for dyad_id, found in spans:
        if not found:
            lines.append(f"    {dyad_id}: []")
            continue
        lines.append(f"    {dyad_id}:")
        lines += [f"      - {{from: {span.start}, to: {span.end}, by: {span.by}, kinds: [{', '.join(span.kinds)}]}}"
                  for span in found]
    return "\n".join(lines) + "\n\n" + (kept or ANALYST_DEFAULT)


def write_atomically(target: Path, text: str) -> None:
    """Written beside the target and moved over it: an interrupted import leaves the old file whole."""
    temporary = target.with_name(f".{target.name}.importing")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
