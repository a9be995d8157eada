"""Stage 1, load: read the YAML files under data/ into trees that remember lines.

Entry point: `load_data(data_dir) -> RawData`. Nothing here judges the content;
it only turns text into `Mapping`, `Sequence` and `Scalar` nodes, each with the
line it stands on, and records what could not be read as `Problem`s. Objects are
never constructed from YAML tags and aliases are refused, so a hostile file can
neither run code nor expand into billions of nodes.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .characters import character_problem, described
from .framework import LABELS_PATH, RULES_PATH
from .inputs import (
    ASSET_SUFFIXES,
    MARKDOWN_SUFFIXES,
    MAX_ASSET_BYTES,
    MAX_DATA_BYTES,
    MAX_TEXT_BYTES,
    TEMPLATES,
    InputFile,
    content_problem,
    read_text_file,
    scan,
    size_problem,
)
from .languages import TABLE
from .model import Problem

TREATIES_FILE = "treaties.yaml"  # under the data folder

_STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


@dataclass(frozen=True)
class Scalar:
    value: object  # str, int, float, bool or None; dates stay as their text
    raw: str  # exactly what the analyst typed
    tag: str
    line: int
    # A text written over several lines: (offset in raw, file line) where each of its lines begins.
    line_starts: tuple[tuple[int, int], ...] = ()

    @property
    def is_date(self) -> bool:
        return self.tag == "tag:yaml.org,2002:timestamp"

    def line_at(self, offset: int) -> int:
        """The file line that holds raw[offset]."""
        line = self.line
        for start, start_line in self.line_starts:
            if start > offset:
                break
            line = start_line
        return line


@dataclass(frozen=True)
class Rejected(Scalar):
    """A value whose YAML tag was refused; the refusal is its only message."""


@dataclass(frozen=True)
class Mapping:
    entries: tuple[tuple[str, int, Node], ...]  # (key, line of the key, value)
    line: int  # the line of the key that holds this mapping, or its own first line

    def keys(self) -> list[str]:
        return [key for key, _, _ in self.entries]

    def get(self, key: str) -> Node | None:
        for entry_key, _, value in self.entries:
            if entry_key == key:
                return value
        return None

    def key_line(self, key: str) -> int:
        for entry_key, line, _ in self.entries:
            if entry_key == key:
                return line
        return self.line

    def items(self) -> Iterator[tuple[str, int, Node]]:
        return iter(self.entries)


@dataclass(frozen=True)
class Sequence:
    items: tuple[Node, ...]
    line: int


Node = Scalar | Mapping | Sequence


@dataclass(frozen=True)
class Document:
    path: str  # as shown in messages: the data folder as given, joined with the file's place in it
    root: Node | None  # None for an empty file


@dataclass(frozen=True)
class RawBrief:
    """A brief's front matter (as a tree) and its Markdown body."""

    path: str
    slug: str
    lang: str
    front: Document
    body: str
    body_line: int  # the file line the body starts on


@dataclass(frozen=True)
class RawPage:
    """A hand-written Markdown page under docs/ (not a brief), split as MkDocs splits it."""

    path: str  # as shown in messages
    relative: str  # its place under docs/, e.g. "about.md"
    front: Document | None  # YAML front matter between '---' lines
    settings: tuple[tuple[str, str, int], ...]  # or MultiMarkdown 'key: value' lines at the top: (key, value, line)
    body: str
    body_line: int


def read_page(file: InputFile, text: str) -> tuple[RawPage | None, list[Problem]]:
    """What MkDocs takes from a page before its text: YAML front matter, or else `key: value` lines at the top
    (mkdocs.utils.meta). Both are read here with the careful loader, so no alias or tag reaches MkDocs unchecked."""
    from mkdocs.utils.meta import META_MORE_RE, META_RE, YAML_RE

    if match := YAML_RE.match(text):
        front, problems = parse_text("\n" + match.group(1), file.shown)
        body_line = match.group(0).count("\n") + 1
        if front is None:
            return None, problems
        return RawPage(file.shown, file.relative, front, (), text[match.end():], body_line), problems
    settings: list[tuple[str, str, int]] = []
    lines = text.replace("\r\n", "\n").split("\n")
    number = 0
    while number < len(lines) and lines[number].strip():
        if key := META_RE.match(lines[number]):
            settings.append((key["key"].lower(), key["value"].strip(), number + 1))
        elif not (META_MORE_RE.match(lines[number]) and settings):
            break
        number += 1
    body_from = number if settings else 0
    return RawPage(file.shown, file.relative, None, tuple(settings), "\n".join(lines[body_from:]), body_from + 1), []


@dataclass(frozen=True)
class RawData:
    data_dir: str
    actors: Document | None
    sources: Document | None
    dyads: tuple[Document, ...]
    problems: tuple[Problem, ...]
    events: Document | None = None
    briefs: tuple[RawBrief, ...] = ()
    dyad_files: tuple[str, ...] = ()  # every dyad file's name, read or not, so briefs can refer to it
    pages: tuple[RawPage, ...] = ()  # hand-written pages under docs/
    assets: tuple[InputFile, ...] = ()  # pictures and PDFs under docs/, published as they are
    wording: tuple[Document, ...] = ()  # the rule and label tables, whose texts every page shows too
    docs_files: frozenset[str] = frozenset()  # every file under docs/, published or refused, by its place there
    treaties: Document | None = None  # data/treaties.yaml, optional: formal obligations by dyad
    terms: tuple[tuple[str, Document], ...] = ()  # (converted language, its terms file) where the data has one


class _AliasRefused(Exception):
    def __init__(self, line: int):
        self.line = line


class _ComposingLoader(yaml.SafeLoader):
    """Composes nodes only; an alias stops the read before it can be expanded."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise _AliasRefused(self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


class _Builder:
    """Walks a composed YAML node graph into our nodes, noting problems as it goes."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self.constructor = yaml.constructor.SafeConstructor()

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))

    def build(self, node: yaml.Node, owner_line: int | None = None) -> Node:
        line = node.start_mark.line + 1
        if node.tag not in _STANDARD_TAGS:
            self.problem(
                line,
                f"the YAML tag '{_short_tag(node.tag)}' is not allowed in data files; "
                "remove the tag and write a plain value",
            )
            return Rejected(value=None, raw="", tag=node.tag, line=owner_line or line)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, owner_line or line)
        if isinstance(node, yaml.SequenceNode):
            items = tuple(self.build(item) for item in node.value)
            return Sequence(items, owner_line or line)
        if not isinstance(node, yaml.ScalarNode):  # composing makes only the three kinds of node
            raise TypeError(f"unexpected YAML node {type(node).__name__}")
        return self._scalar(node, line)

    def _scalar(self, node: yaml.ScalarNode, line: int) -> Scalar:
        tag = node.tag if node.tag in _STANDARD_TAGS else "tag:yaml.org,2002:str"
        if tag in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:str"):
            value: object = node.value
        else:
            try:
                value = self.constructor.construct_object(
                    yaml.ScalarNode(tag, node.value, node.start_mark, node.end_mark)
                )
            except (ValueError, yaml.constructor.ConstructorError):
                value = node.value
        starts: tuple[tuple[int, int], ...] = ()
        if node.end_mark.line > node.start_mark.line and isinstance(node.value, str):
            starts = _line_starts(node.value, self.text[node.start_mark.index:node.end_mark.index], line)
        return Scalar(value=value, raw=node.value, tag=tag, line=line, line_starts=starts)

    def _mapping(self, node: yaml.MappingNode, line: int) -> Mapping:
        entries: list[tuple[str, int, Node]] = []
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_line, "a key here is not a plain name; write keys as simple words such as 'title'")
                continue
            key = key_node.value
            if key in first_seen:
                self.problem(
                    key_line,
                    f"the key '{key}' appears twice in the same block (first on line {first_seen[key]}); "
                    "keep only one of them",
                )
                continue
            first_seen[key] = key_line
            entries.append((key, key_line, self.build(value_node, owner_line=key_line)))
        return Mapping(tuple(entries), line)


def _line_starts(value: str, written: str, first_line: int) -> tuple[tuple[int, int], ...]:
    """Where each file line of a text written over several lines begins in its value.

    YAML folds the line breaks and drops the indentation, quotes and block indicator, but keeps every other
    character in order; so the value's visible characters are found one by one in what was written.
    """
    starts: list[tuple[int, int]] = []
    line, position = first_line, 0
    for offset, character in enumerate(value):
        if character.isspace():
            continue
        found = written.find(character, position)
        if found < 0:  # an escape such as \u00e9: the lines found so far stand
            break
        line += written.count("\n", position, found)
        position = found + 1
        if not starts or starts[-1][1] != line:
            starts.append((offset, line))
    return tuple(starts)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _yaml_problem(path: str, error: yaml.YAMLError) -> Problem:
    mark = getattr(error, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(error, "problem", None) or str(error)
    if "'\\t'" in problem or "\t" in problem:
        return Problem(path, line, "a tab character is used for indentation; YAML needs spaces, so replace the tab with spaces")
    if problem == "mapping values are not allowed here":
        return Problem(
            path,
            line,
            "a colon followed by a space inside a text starts a new key; put the whole text in quotes "
            "or reword it without ': '",
        )
    context = getattr(error, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return Problem(path, line, f"this is not valid YAML: {detail}; check the indentation and quotes on this line")


def read_document(file: InputFile, trusted: bool = False) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file; return its tree, or None with the reasons it could not be read."""
    text, problems = read_text_file(file, MAX_DATA_BYTES, "a data file")
    if text is None:
        return None, problems
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(file.shown, line,
                              "the file holds a NUL byte, so it is not a text file; save it as plain UTF-8 text")]
    return parse_text(text, file.shown, trusted)


BRIEF_NAME = re.compile(r"^(?P<slug>.*)\.(?P<lang>[^.]*)\.md\Z")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")


def read_brief(file: InputFile) -> tuple[RawBrief | None, list[Problem]]:
    """A brief is `---` YAML front matter `---` followed by Markdown."""
    name = file.name
    match = BRIEF_NAME.match(name)
    slug, lang = (match["slug"], match["lang"]) if match else ("", "")
    if lang not in TABLE.written or not slug:
        stem = name.removesuffix(".md")
        endings = " or ".join(f".{code}.md" for code in TABLE.written)
        return None, [
            Problem(file.shown, 1, f"a brief's file name ends in {endings}; rename {name}, e.g. {stem}.{TABLE.written[0]}.md")
        ]
    if not SLUG.match(slug):
        return None, [Problem(file.shown, 1, f"the brief's name '{slug}' is not lower-case words and digits joined by "
                                             f"hyphens, which its web address and PDF need; rename the file, "
                                             f"e.g. {suggested_slug(slug)}.{lang}.md")]
    text, problems = read_text_file(file, MAX_TEXT_BYTES, "a brief")
    if text is None:
        return None, problems
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [line.strip() for line in lines[1:]]:
        return None, [Problem(file.shown, 1,
                              "a brief starts with front matter between two '---' lines (title, author, date, ...)")]
    end = 1 + [line.strip() for line in lines[1:]].index("---")
    front_text = "\n" * 1 + "\n".join(lines[1:end])  # keep file line numbers
    front, problems = parse_text(front_text, file.shown)
    if front is None:
        return None, problems
    body = "\n".join(lines[end + 1:])
    return RawBrief(file.shown, slug, lang, front, body, end + 2), problems


def suggested_slug(text: str) -> str:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(words) or "my-brief"


_FAST_MAX_INDENT = 200  # deeper than any data file; libyaml's composer recurses without a limit


def _compose_fast(text: str, trusted: bool = False) -> yaml.Node | None:
    """libyaml's composer for plain files: 20 times faster than PyYAML's own.

    Only where it cannot differ from the careful path: no anchors or aliases (it
    would share an aliased node, not refuse it), no deep nesting, and no error
    (the careful path then words the message). None means "use the careful path".
    """
    if not getattr(yaml, "__with_libyaml__", False) or "&" in text or "*" in text or "\t" in text:
        return None
    if not trusted and text.count("[") + text.count("{") > _FAST_MAX_INDENT:
        return None  # it might nest deeper than libyaml's composer can recurse
    if any(len(line) - len(line.lstrip(" ")) > _FAST_MAX_INDENT for line in text.split("\n")):
        return None
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def parse_text(text: str, shown_as: str, trusted: bool = False) -> tuple[Document | None, list[Problem]]:
    """YAML text into a line-numbered tree, or None with the reasons it could not be read.

    `trusted`: the project's own tables (many flow mappings, never deep), which may take the fast path.
    """
    too_deep = [Problem(shown_as, 1, "the file is nested too deeply to be data; flatten it")]
    composed = _compose_fast(text, trusted)
    try:
        if composed is None:
            composed = yaml.compose(text, Loader=_ComposingLoader)
    except _AliasRefused as refused:
        return None, [
            Problem(shown_as, refused.line, "YAML aliases (*name) are not allowed in data files; write the value out in full")
        ]
    except yaml.reader.ReaderError as error:  # a character YAML refuses outright, such as a control character
        character = chr(error.character) if isinstance(error.character, int) else str(error.character)
        line = text.count("\n", 0, error.position) + 1
        message = character_problem(character, None) or (
            f"the text holds {described(character)}, which a YAML file may not contain; remove it")
        return None, [Problem(shown_as, line, message)]
    except yaml.YAMLError as error:
        return None, [_yaml_problem(shown_as, error)]
    except RecursionError:
        return None, too_deep
    if composed is None:
        return Document(shown_as, None), []
    builder = _Builder(shown_as, text)
    try:
        root = builder.build(composed)
    except RecursionError:
        return None, too_deep
    return Document(shown_as, root), builder.problems


def load_docs(docs_dir: str | Path) -> tuple[tuple[RawBrief, ...], tuple[RawPage, ...], tuple[InputFile, ...],
                                            frozenset[str], list[Problem]]:
    """docs/: briefs under briefs/, hand-written Markdown pages, and pictures and PDFs to publish as they are."""
    briefs: list[RawBrief] = []
    pages: list[RawPage] = []
    assets: list[InputFile] = []
    problems: list[Problem] = []
    root = Path(docs_dir)
    refused = refused_root(root, str(docs_dir))
    if refused or not root.is_dir():
        return (), (), (), frozenset(), [refused] if refused else []
    listing = scan(root, str(docs_dir), skip_hidden=False)
    problems.extend(listing.problems)
    for folder in listing.folders:
        if folder.startswith("briefs/") and folder.lower().endswith(".md"):
            problems.append(Problem(str(Path(docs_dir, folder)), 1, "is a folder, but a brief is one file; "
                                    "rename or remove the folder"))
    for file in listing.files:
        suffix = file.suffix
        in_briefs = file.relative.startswith("briefs/") and file.relative.count("/") == 1
        if in_briefs and file.name.startswith(".") and suffix.lower() == ".md":
            match = BRIEF_NAME.match(file.name)
            lang = match["lang"] if match and match["lang"] in TABLE.written else TABLE.written[0]
            example = f"{suggested_slug(match['slug'] if match else '')}.{lang}.md"
            problems.append(Problem(file.shown, 1, "the name starts with '.', which hides the brief from the site; "
                                                   f"rename it, e.g. {example}"))
            continue
        if mkdocs_excludes(file.relative):
            continue
        if suffix.lower() in MARKDOWN_SUFFIXES and suffix != ".md":
            problems.append(Problem(file.shown, 1, f"Markdown files end in .md in lower case; rename {file.name} "
                                                   f"to {file.name[: -len(suffix)]}.md"))
        elif suffix == ".md" and in_briefs:
            brief, found = read_brief(file)
            problems.extend(found)
            if brief is not None:
                briefs.append(brief)
        elif suffix == ".md":
            text, found = read_text_file(file, MAX_TEXT_BYTES, "a page")
            problems.extend(found)
            page, found = read_page(file, text) if text is not None else (None, [])
            problems.extend(found)
            if page is not None:
                pages.append(page)
        elif suffix.lower() in ASSET_SUFFIXES:
            refused = size_problem(file, MAX_ASSET_BYTES, "a picture or PDF")
            if refused is None and (mismatch := content_problem(file.path, suffix)):
                refused = Problem(file.shown, 1, mismatch)
            if refused:
                problems.append(refused)
            else:
                assets.append(file)
        else:
            problems.append(Problem(file.shown, 1, refused_type(file)))
    return tuple(briefs), tuple(pages), tuple(assets), frozenset(file.relative for file in listing.files), problems


REFUSED_TYPES = {
    ".html": "an HTML file could run script on the published site; write the page in Markdown (.md) instead",
    ".htm": "an HTML file could run script on the published site; write the page in Markdown (.md) instead",
    ".svg": "an SVG picture can carry script; export it as PNG instead",
    ".js": "a script file could run on the published site or replace the theme's own; remove it",
    ".css": "a stylesheet could restyle or replace the theme's own; remove it (the look of the site lives in templates/)",
}


def refused_type(file: InputFile) -> str:
    reason = REFUSED_TYPES.get(file.suffix.lower())
    allowed = ", ".join(ASSET_SUFFIXES)
    if reason:
        return f"files of type {file.suffix.lower()} are not published from docs/: {reason}"
    kind = f"type {file.suffix}" if file.suffix else "without a type"
    return (f"files {kind} are not published from docs/; docs/ holds Markdown pages (.md) and pictures or PDFs "
            f"({allowed}); remove it or convert it")


def mkdocs_excludes(relative: str) -> bool:
    """MkDocs never publishes hidden files or docs/templates/ (its default exclude_docs)."""
    return any(part.startswith(".") for part in relative.split("/")) or relative.startswith("templates/")


def refused_root(folder: Path, shown: str) -> Problem | None:
    if folder.is_symlink():
        return Problem(shown, 1, "is a symbolic link; copy the folder here instead "
                                 "(links are not followed, so nothing outside the project is published)")
    return None


def load_data(data_dir: str | Path, docs_dir: str | Path | None = None,
              templates_dir: str | Path | None = TEMPLATES) -> RawData:
    """Read data/actors.yaml, data/sources.yaml, data/events.yaml, data/dyads/*.yaml and docs/.

    templates/ is only listed: a link or special file there is refused too.
    """
    shown_dir = str(data_dir)
    base = Path(data_dir)
    problems: list[Problem] = []
    refused = refused_root(base, shown_dir)
    if refused or not base.is_dir():
        problems.append(refused or Problem(
            shown_dir, 1, "the data folder does not exist; run the command from the project folder or pass --data DIR"))
        return RawData(shown_dir, None, None, (), tuple(problems))
    listing = scan(base, shown_dir)
    problems.extend(listing.problems)

    def read_optional(name: str) -> Document | None:
        file = listing.file(name)
        if file is None:
            return None
        document, found = read_document(file)
        problems.extend(found)
        return document

    for name in ("actors.yaml", "sources.yaml"):  # every data folder needs these two
        shown = str(Path(shown_dir, name))
        if name in listing.folders:
            problems.append(Problem(shown, 1, f"is a folder, but {name} is one file; rename or remove the folder"))
        elif listing.file(name) is None and not any(problem.path == shown for problem in problems):
            problems.append(Problem(shown, 1, f"{name} is missing; every data folder needs one"))
    actors = read_optional("actors.yaml")
    sources = read_optional("sources.yaml")
    events = read_optional("events.yaml")  # optional: a data folder may have no events yet
    treaties = read_optional(TREATIES_FILE)  # optional: formal obligations, from ATOP and analysts
    if TREATIES_FILE in listing.folders:
        problems.append(Problem(str(Path(shown_dir, TREATIES_FILE)), 1,
                                f"is a folder, but {TREATIES_FILE} is one file; rename or remove the folder"))
    # Optional: the desk's own conversions of single terms, one file per converted language (languages.yaml).
    terms = tuple((language.code, document) for language in TABLE.derived if language.terms
                  if (document := read_optional(language.terms)) is not None)
    dyads: list[Document] = []
    dyad_files: list[str] = []
    for folder in listing.folders:
        if folder.startswith("dyads/") and folder.count("/") == 1 and folder.lower().endswith((".yaml", ".yml")):
            problems.append(Problem(str(Path(shown_dir, folder)), 1, "is a folder, but a dyad is one file; "
                                    "rename or remove the folder"))
    for file in listing.files:
        if not file.relative.startswith("dyads/") or file.relative.count("/") != 1:
            continue
        stem, suffix = file.name[: -len(file.suffix)] if file.suffix else file.name, file.suffix
        if suffix.lower() in (".yaml", ".yml"):
            dyad_files.append(stem)
        if suffix.lower() == ".yml":
            problems.append(Problem(file.shown, 1, f"dyad files end in .yaml; rename {file.name} to {stem}.yaml"))
        elif suffix.lower() == ".yaml" and suffix != ".yaml":
            problems.append(Problem(file.shown, 1, f"dyad files end in .yaml in lower case; rename {file.name} "
                                                   f"to {stem}.yaml"))
        elif suffix == ".yaml":
            document, found = read_document(file)
            problems.extend(found)
            if document is not None:
                dyads.append(document)
    briefs: tuple[RawBrief, ...] = ()
    pages: tuple[RawPage, ...] = ()
    assets: tuple[InputFile, ...] = ()
    docs_files: frozenset[str] = frozenset()
    if docs_dir is not None:
        briefs, pages, assets, docs_files, found = load_docs(docs_dir)
        problems.extend(found)
    if templates_dir is not None and Path(templates_dir).is_dir():
        problems.extend(scan(templates_dir, display_path(Path(templates_dir)), skip_hidden=False).problems)
    wording = []
    for table in (RULES_PATH, LABELS_PATH):
        document, found = read_document(InputFile(table, display_path(table), table.name, table.stat().st_size),
                                        trusted=True)
        problems.extend(found)
        wording += [document] if document is not None else []
    return RawData(shown_dir, actors, sources, tuple(dyads), tuple(problems), events, briefs, tuple(dyad_files),
                   pages, assets, tuple(wording), docs_files, treaties, terms)


def display_path(path: Path) -> str:
    """A path as short as it can be said: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
