"""Stage 1, load: read the YAML files under data/ into trees that remember lines.

Entry point: `load_data(data_dir) -> RawData`. Nothing here judges the content;
it only turns text into `Mapping`, `Sequence` and `Scalar` nodes, each with the
line it stands on, and records what could not be read as `Problem`s. Objects are
never constructed from YAML tags and aliases are refused, so a hostile file can
neither run code nor expand into billions of nodes.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Union

import yaml

from .model import Problem

MAX_FILE_BYTES = 2 * 1024 * 1024  # a hand-written data file is a few KB

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

    @property
    def is_date(self) -> bool:
        return self.tag == "tag:yaml.org,2002:timestamp"


@dataclass(frozen=True)
class Rejected(Scalar):
    """A value whose YAML tag was refused; the refusal is its only message."""


@dataclass(frozen=True)
class Mapping:
    entries: tuple[tuple[str, int, "Node"], ...]  # (key, line of the key, value)
    line: int  # the line of the key that holds this mapping, or its own first line

    def keys(self) -> list[str]:
        return [key for key, _, _ in self.entries]

    def get(self, key: str) -> "Node | None":
        for entry_key, _, value in self.entries:
            if entry_key == key:
                return value
        return None

    def key_line(self, key: str) -> int:
        for entry_key, line, _ in self.entries:
            if entry_key == key:
                return line
        return self.line

    def items(self) -> Iterator[tuple[str, int, "Node"]]:
        return iter(self.entries)


@dataclass(frozen=True)
class Sequence:
    items: tuple["Node", ...]
    line: int


Node = Union[Scalar, Mapping, Sequence]


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
class RawData:
    data_dir: str
    actors: Document | None
    sources: Document | None
    dyads: tuple[Document, ...]
    problems: tuple[Problem, ...]
    events: Document | None = None
    briefs: tuple[RawBrief, ...] = ()
    dyad_files: tuple[str, ...] = ()  # every dyad file's name, read or not, so briefs can refer to it


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

    def __init__(self, path: str):
        self.path = path
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
        return Scalar(value=value, raw=node.value, tag=tag, line=line)

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


def read_document(file: Path, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file; return its tree, or None with the reasons it could not be read."""
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    shown_as,
                    1,
                    f"the file is {size / 1024 / 1024:.1f} MB, over the {MAX_FILE_BYTES // 1024 // 1024} MB "
                    "allowed for a data file; split it or remove what does not belong",
                )
            ]
        data = file.read_bytes()
    except OSError as error:
        return None, [Problem(shown_as, 1, f"the file cannot be read ({error.strerror}); check that it exists and is readable")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [
            Problem(
                shown_as,
                line,
                f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it with UTF-8 encoding",
            )
        ]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [Problem(shown_as, line, "the file holds a NUL byte, so it is not a text file; save it as plain UTF-8 text")]
    return parse_text(text, shown_as)


BRIEF_LANGUAGES = ("zh-TW", "en")


def read_brief(file: Path, shown_as: str) -> tuple[RawBrief | None, list[Problem]]:
    """A brief is `---` YAML front matter `---` followed by Markdown."""
    name = file.name
    stem, _, _ = name.rpartition(".md")
    slug, _, lang = stem.rpartition(".")
    if lang not in BRIEF_LANGUAGES or not slug:
        return None, [
            Problem(shown_as, 1, f"a brief's file name ends in .zh-TW.md or .en.md; rename {name}, e.g. {stem}.zh-TW.md")
        ]
    try:
        data = file.read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(shown_as, line, f"the file is not UTF-8 text (byte 0x{data[error.start]:02x}); save it with UTF-8 encoding")]
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---" or "---" not in [line.strip() for line in lines[1:]]:
        return None, [Problem(shown_as, 1, "a brief starts with front matter between two '---' lines (title, author, date, ...)")]
    end = 1 + [line.strip() for line in lines[1:]].index("---")
    front_text = "\n" * 1 + "\n".join(lines[1:end])  # keep file line numbers
    front, problems = parse_text(front_text, shown_as)
    if front is None:
        return None, problems
    body = "\n".join(lines[end + 1:])
    return RawBrief(shown_as, slug, lang, front, body, end + 2), problems


_FAST_MAX_INDENT = 200  # deeper than any data file; libyaml's composer recurses without a limit


def _compose_fast(text: str) -> yaml.Node | None:
    """libyaml's composer for plain files: 20 times faster than PyYAML's own.

    Only where it cannot differ from the careful path: no anchors or aliases (it
    would share an aliased node, not refuse it), no deep nesting, and no error
    (the careful path then words the message). None means "use the careful path".
    """
    if not getattr(yaml, "__with_libyaml__", False) or "&" in text or "*" in text or "\t" in text:
        return None
    if text.count("[") + text.count("{") > _FAST_MAX_INDENT:
        return None
    if any(len(line) - len(line.lstrip(" ")) > _FAST_MAX_INDENT for line in text.split("\n")):
        return None
    try:
        return yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def parse_text(text: str, shown_as: str) -> tuple[Document | None, list[Problem]]:
    """YAML text into a line-numbered tree, or None with the reasons it could not be read."""
    too_deep = [Problem(shown_as, 1, "the file is nested too deeply to be data; flatten it")]
    composed = _compose_fast(text)
    try:
        if composed is None:
            composed = yaml.compose(text, Loader=_ComposingLoader)
    except _AliasRefused as refused:
        return None, [
            Problem(shown_as, refused.line, "YAML aliases (*name) are not allowed in data files; write the value out in full")
        ]
    except yaml.YAMLError as error:
        return None, [_yaml_problem(shown_as, error)]
    except RecursionError:
        return None, too_deep
    if composed is None:
        return Document(shown_as, None), []
    builder = _Builder(shown_as)
    try:
        root = builder.build(composed)
    except RecursionError:
        return None, too_deep
    return Document(shown_as, root), builder.problems


def load_briefs(docs_dir: str | Path) -> tuple[tuple[RawBrief, ...], list[Problem]]:
    folder = Path(docs_dir) / "briefs"
    briefs, problems = [], []
    if folder.is_dir():
        for file in sorted(folder.glob("*.md")):
            brief, found = read_brief(file, str(Path(docs_dir, "briefs", file.name)))
            problems.extend(found)
            if brief is not None:
                briefs.append(brief)
    return tuple(briefs), problems


def load_data(data_dir: str | Path, docs_dir: str | Path | None = None) -> RawData:
    """Read data/actors.yaml, data/sources.yaml and data/dyads/*.yaml."""
    shown_dir = str(data_dir)
    base = Path(data_dir)
    problems: list[Problem] = []

    def shown(*parts: str) -> str:
        return str(Path(shown_dir, *parts))

    if not base.is_dir():
        problems.append(
            Problem(shown_dir, 1, "the data folder does not exist; run the command from the project folder or pass --data DIR")
        )
        return RawData(shown_dir, None, None, (), tuple(problems))

    def read_required(name: str) -> Document | None:
        file = base / name
        if not file.is_file():
            problems.append(Problem(shown(name), 1, f"{name} is missing; every data folder needs one"))
            return None
        document, found = read_document(file, shown(name))
        problems.extend(found)
        return document

    actors = read_required("actors.yaml")
    sources = read_required("sources.yaml")
    events = None
    if (base / "events.yaml").is_file():  # optional: a data folder may have no events yet
        events, found = read_document(base / "events.yaml", shown("events.yaml"))
        problems.extend(found)
    dyads: list[Document] = []
    dyad_files: list[str] = []
    dyad_dir = base / "dyads"
    if dyad_dir.is_dir():
        for file in sorted(dyad_dir.iterdir()):
            if file.name.startswith("."):
                continue
            if file.suffix in (".yaml", ".yml"):
                dyad_files.append(file.stem)
            if file.suffix == ".yml":
                problems.append(
                    Problem(shown("dyads", file.name), 1, f"dyad files end in .yaml; rename {file.name} to {file.stem}.yaml")
                )
                continue
            if file.suffix != ".yaml" or not file.is_file():
                continue
            document, found = read_document(file, shown("dyads", file.name))
            problems.extend(found)
            if document is not None:
                dyads.append(document)
    briefs: tuple[RawBrief, ...] = ()
    if docs_dir is not None:
        briefs, found = load_briefs(docs_dir)
        problems.extend(found)
    return RawData(shown_dir, actors, sources, tuple(dyads), tuple(problems), events, briefs, tuple(dyad_files))
