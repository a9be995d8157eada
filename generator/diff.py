"""`briefing diff BASE [HEAD]`: what a change does to the analysis, for a pull-request comment.

Entry point: `diff_revisions(repo, base, head) -> AnalysisDiff`, then `to_markdown` or
`to_json`. Each revision's data/ and docs/ are read straight from git (HEAD
defaults to the working tree), analysed with the same stages as a build, and
compared verdict by verdict.
"""
from __future__ import annotations

import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .charts import triad_key
from .classify import classify
from .framework import FRAMEWORK
from .inputs import MAX_ASSET_BYTES
from .load import load_data
from .model import AllianceType, Analysis, DataError, DyadResult
from .validate import validate


class DiffError(Exception):
    """A revision cannot be read or analysed; the message says what to do."""


@dataclass(frozen=True)
class Change:
    field: str  # e.g. "type", "RUS.external"
    before: str
    after: str


@dataclass(frozen=True)
class ItemChange:
    id: str
    title: str  # "俄中關係 / Russia–China"
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class AnalysisDiff:
    base: str
    head: str
    dyads_added: tuple[str, ...]
    dyads_removed: tuple[str, ...]
    dyads_changed: tuple[ItemChange, ...]
    triads_added: tuple[str, ...]
    triads_removed: tuple[str, ...]
    triads_changed: tuple[ItemChange, ...]
    briefs_added: tuple[str, ...]
    briefs_removed: tuple[str, ...]
    briefs_changed: tuple[str, ...]
    sources_added: tuple[str, ...]
    sources_removed: tuple[str, ...]
    sources_changed: tuple[str, ...]

    @property
    def verdicts_changed(self) -> tuple[tuple[ItemChange, Change], ...]:
        return tuple((item, change) for item in self.dyads_changed for change in item.changes if change.field == "type")

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__ if name not in ("base", "head"))


def git(repo: Path, *args: str, binary: bool = False):
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, timeout=120)
    if result.returncode != 0:
        return None
    return result.stdout if binary else result.stdout.decode("utf-8").strip()


def analysis_at(repo: Path, revision: str | None, folder: Path) -> Analysis:
    """The analysis of data/ and docs/ at a revision (None: the working tree)."""
    if revision is None:
        data, docs = repo / "data", repo / "docs"
    else:
        commit = git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        if not commit:
            raise DiffError(f"unknown revision '{revision}'; give a branch, tag or commit of this repository "
                            "(e.g. origin/main or HEAD~1)")
        present = [name for name in ("data", "docs") if git(repo, "cat-file", "-e", f"{commit}:{name}") is not None]
        refuse_large_files(repo, commit, present, revision)
        target = Path(tempfile.mkdtemp(dir=folder))  # its own folder, even when both revisions are the same
        if present:
            archive = target.with_suffix(".tar")  # on disk: a revision may hold more than memory should
            with archive.open("wb") as handle:
                result = subprocess.run(["git", "archive", "--format=tar", commit, *present], cwd=repo,
                                        stdout=handle, stderr=subprocess.PIPE, timeout=300)
            if result.returncode != 0:
                raise DiffError(f"git cannot read data/ and docs/ at {revision}: "
                                f"{result.stderr.decode('utf-8', 'replace').strip()}")
            extract(archive, target, revision)
        data, docs = target / "data", target / "docs"
    try:
        return classify(validate(load_data(data, docs if docs.exists() else None)))
    except DataError as error:
        where = f"at {revision}" if revision else "in the working tree"
        first = error.problems[0]
        raise DiffError(f"the data {where} has {len(error.problems)} problem(s), e.g. "
                        f"{Path(first.path).name}:{first.line}: {first.message}; run briefing check there") from None


def refuse_large_files(repo: Path, commit: str, folders: list[str], revision: str) -> None:
    """Before unpacking: no file larger than `briefing check` would read (a 3 GB blob compresses to 17 MB)."""
    if not folders:
        return
    listing = git(repo, "ls-tree", "-r", "-l", "-z", commit, "--", *folders, binary=True) or b""
    for entry in listing.split(b"\0"):
        details, _, path = entry.partition(b"\t")
        fields = details.split()
        if len(fields) == 4 and fields[1] == b"blob" and fields[3].isdigit() and int(fields[3]) > MAX_ASSET_BYTES:
            raise DiffError(f"{path.decode('utf-8', 'replace')} at {revision} is {int(fields[3]) / 1024 / 1024:.1f} MB, "
                            "more than briefing check reads; run briefing check there")


def extract(archive: Path, target: Path, revision: str) -> None:
    """Unpack data/ and docs/ of a revision: plain files and folders only, as `briefing check` accepts them."""
    with tarfile.open(archive) as tar:
        members = tar.getmembers()
        for member in members:
            if not (member.isfile() or member.isdir()):
                kind = "a symbolic link" if member.issym() or member.islnk() else "not a plain file"
                raise DiffError(f"{member.name} at {revision} is {kind}, which briefing check refuses; "
                                "run briefing check there")
        try:
            tar.extractall(target, members=members, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise DiffError(f"the files at {revision} cannot be unpacked ({error}); run briefing check there") from None


def both(text) -> str:
    return f"{text.zh_tw} / {text.en}"


def dyad_fields(result: DyadResult) -> dict[str, str]:
    fields: dict[str, str] = {}
    for position in result.positions:
        fields[f"{position.actor}.external"] = position.external
        fields[f"{position.actor}.internal"] = position.internal
        fields[f"{position.actor}.cell"] = position.cell
        fields[f"{position.actor}.strategy"] = position.strategy
    fields.update(type=result.type.key, commitment=result.commitment, cohesion=result.cohesion,
                  robust="yes" if result.robust else "no")
    return fields


def compare_fields(before: dict[str, str], after: dict[str, str]) -> tuple[Change, ...]:
    return tuple(Change(name, before.get(name, "—"), after.get(name, "—"))
                 for name in dict.fromkeys([*before, *after]) if before.get(name) != after.get(name))


def compare(base: Analysis, head: Analysis, base_name: str, head_name: str) -> AnalysisDiff:
    old = {r.dyad.id: r for r in base.dyads}
    new = {r.dyad.id: r for r in head.dyads}
    dyads_changed = []
    for dyad_id in sorted(old.keys() & new.keys()):
        changes = compare_fields(dyad_fields(old[dyad_id]), dyad_fields(new[dyad_id]))
        if changes:
            dyads_changed.append(ItemChange(dyad_id, both(new[dyad_id].dyad.title), changes))
    old_triads = {triad_key(t): t for t in base.triads}
    new_triads = {triad_key(t): t for t in head.triads}
    triads_changed = []
    for key in sorted(old_triads.keys() & new_triads.keys()):
        fields = ("trilateral_balancing", "commitment", "cohesion_ceiling")
        before = {f: str(getattr(old_triads[key], f)).lower() for f in fields}
        after = {f: str(getattr(new_triads[key], f)).lower() for f in fields}
        changes = compare_fields(before, after)
        if changes:
            triads_changed.append(ItemChange(key, key.upper(), changes))
    old_briefs = {(b.slug, b.lang): b for b in base.dataset.briefs}
    new_briefs = {(b.slug, b.lang): b for b in head.dataset.briefs}
    old_sources = {s.id: s for s in base.dataset.sources}
    new_sources = {s.id: s for s in head.dataset.sources}

    def key_names(keys) -> tuple[str, ...]:
        return tuple(sorted(f"{slug}.{lang}" for slug, lang in keys))

    def same_source(a, b) -> bool:
        return (a.author, a.year, a.title, a.publisher, a.url, a.date, a.title_en) == (
            b.author, b.year, b.title, b.publisher, b.url, b.date, b.title_en)

    def same_brief(a, b) -> bool:
        return (a.title, a.author, a.affiliation, a.date, a.summary, a.lead_image, a.dyads, a.body) == (
            b.title, b.author, b.affiliation, b.date, b.summary, b.lead_image, b.dyads, b.body)

    return AnalysisDiff(
        base=base_name,
        head=head_name,
        dyads_added=tuple(sorted(new.keys() - old.keys())),
        dyads_removed=tuple(sorted(old.keys() - new.keys())),
        dyads_changed=tuple(dyads_changed),
        triads_added=tuple(sorted(new_triads.keys() - old_triads.keys())),
        triads_removed=tuple(sorted(old_triads.keys() - new_triads.keys())),
        triads_changed=tuple(triads_changed),
        briefs_added=key_names(new_briefs.keys() - old_briefs.keys()),
        briefs_removed=key_names(old_briefs.keys() - new_briefs.keys()),
        briefs_changed=key_names(k for k in old_briefs.keys() & new_briefs.keys()
                                 if not same_brief(old_briefs[k], new_briefs[k])),
        sources_added=tuple(sorted(new_sources.keys() - old_sources.keys())),
        sources_removed=tuple(sorted(old_sources.keys() - new_sources.keys())),
        sources_changed=tuple(sorted(k for k in old_sources.keys() & new_sources.keys()
                                     if not same_source(old_sources[k], new_sources[k]))),
    )


def diff_revisions(repo: str | Path, base: str, head: str | None = None) -> AnalysisDiff:
    root = Path(repo).resolve()
    if git(root, "rev-parse", "--git-dir") is None:
        raise DiffError(f"{root} is not a git repository; run briefing diff inside the project's clone")
    with tempfile.TemporaryDirectory() as folder:
        before = analysis_at(root, base, Path(folder))
        after = analysis_at(root, head, Path(folder))
    return compare(before, after, base, head or "working tree")


# ---- output ---------------------------------------------------------------------------------


def label(value: str) -> str:
    """A rule id in both languages: balancing-hedging -> 抗衡—避險同盟 / balancing–hedging alliance."""
    try:
        alliance = AllianceType.parse(value, FRAMEWORK.strategy_ids)
    except ValueError:
        pass  # not a type: a strategy, degree or level, or a value of its own
    else:
        return f"{FRAMEWORK.type_label(alliance, 'zh-TW')} / {FRAMEWORK.type_label(alliance, 'en')}"
    for table in (FRAMEWORK.strategies, FRAMEWORK.degrees, FRAMEWORK.levels):
        for item in table:
            if item.id == value:
                return both(item.label)
    return value


MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def markdown_text(text: str) -> str:
    """Text from the data as plain text in the Markdown summary: a title cannot add a link, a picture or
    emphasis to what reviewers read."""
    return MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def headline(diff: AnalysisDiff, escape=lambda text: text) -> str:
    verdicts = diff.verdicts_changed
    if verdicts:
        count = len(verdicts)
        items = "; ".join(f"{escape(item.title.split(' / ')[-1])} {change.before} → {change.after}"
                          for item, change in verdicts)
        return f"{count} verdict{'s' if count != 1 else ''} changed: {items}"
    if diff.empty:
        return "No change to the analysis"
    return "No verdict changed"


def to_markdown(diff: AnalysisDiff) -> str:
    lines = [f"### 分析變動 Analysis changes: `{diff.base}` → `{diff.head}`", "",
             f"**{headline(diff, markdown_text)}**", ""]
    sections = [
        ("新增雙邊關係 Dyads added", diff.dyads_added), ("移除雙邊關係 Dyads removed", diff.dyads_removed),
        ("新增三邊關係 Triads added", diff.triads_added), ("移除三邊關係 Triads removed", diff.triads_removed),
        ("新增評析 Briefs added", diff.briefs_added), ("移除評析 Briefs removed", diff.briefs_removed),
        ("修改評析 Briefs edited", diff.briefs_changed), ("新增文獻 Sources added", diff.sources_added),
        ("移除文獻 Sources removed", diff.sources_removed), ("修改文獻 Sources edited", diff.sources_changed),
    ]
    for item in diff.dyads_changed + diff.triads_changed:
        lines += [f"#### {markdown_text(item.title)} (`{item.id}`)", "", "| 項目 Field | 原本 Before | 現在 After |",
                  "| --- | --- | --- |"]
        lines += [f"| {change.field} | {label(change.before)} | {label(change.after)} |" for change in item.changes]
        lines.append("")
    for title, names in sections:
        if names:
            lines += [f"- {title}: " + ", ".join(f"`{name}`" for name in names)]
    if any(names for _, names in sections):
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_json(diff: AnalysisDiff) -> dict:
    def item(change: ItemChange) -> dict:
        return {"id": change.id, "title": change.title,
                "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in change.changes]}

    return {
        "base": diff.base, "head": diff.head, "headline": headline(diff),
        "verdicts_changed": [{"id": i.id, "before": c.before, "after": c.after} for i, c in diff.verdicts_changed],
        "dyads": {"added": list(diff.dyads_added), "removed": list(diff.dyads_removed),
                  "changed": [item(c) for c in diff.dyads_changed]},
        "triads": {"added": list(diff.triads_added), "removed": list(diff.triads_removed),
                   "changed": [item(c) for c in diff.triads_changed]},
        "briefs": {"added": list(diff.briefs_added), "removed": list(diff.briefs_removed), "changed": list(diff.briefs_changed)},
        "sources": {"added": list(diff.sources_added), "removed": list(diff.sources_removed),
                    "changed": list(diff.sources_changed)},
    }
