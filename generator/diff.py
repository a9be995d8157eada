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
from dataclasses import dataclass, replace
from pathlib import Path

from .charts import triad_key
from .classify import classify
from .framework import FRAMEWORK, LABELS
from .inputs import MAX_ASSET_BYTES
from .languages import TABLE
from .load import load_data
from .model import AllianceType, Analysis, DataError, DyadResult, TriadResult
from .validate import today, validate


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
    name: str  # English, for the headline: "Russia–China"


@dataclass(frozen=True)
class AssessmentChange:
    """A dated assessment of a dyad both sides have: one added, removed, or whose verdict or levels changed. A dated
    assessment has a page and a handout of its own, so a change to an earlier one is a change readers can cite."""

    id: str
    title: str  # "俄朝關係 / Russia–North Korea"
    name: str  # English, for the headline
    as_of: str  # YYYY-MM-DD
    previous: str  # the date of the assessment before it on either side, or "—" when there is none
    changes: tuple[Change, ...] = ()  # for a changed assessment: its fields, as a dyad's are compared


FEASIBLE = "trilateral_balancing"  # the triad field that says whether the three can balance together


@dataclass(frozen=True)
class Verdict:
    """The whole verdict of a dyad or triad that one side of the diff has and the other has not."""

    id: str
    title: str  # "俄中關係 / Russia–China"
    name: str  # English, for the headline: "Russia–China", "China, Iran, Russia (facing United States)"
    fields: tuple[tuple[str, str], ...]  # (field, value) in the order of a changed item's table

    def get(self, field: str) -> str:
        return dict(self.fields)[field]


@dataclass(frozen=True)
class AnalysisDiff:
    base: str
    head: str
    dyads_added: tuple[Verdict, ...]
    dyads_removed: tuple[Verdict, ...]
    dyads_changed: tuple[ItemChange, ...]
    assessments_added: tuple[AssessmentChange, ...]
    assessments_removed: tuple[AssessmentChange, ...]
    assessments_changed: tuple[AssessmentChange, ...]  # earlier ones: the latest's changes are the dyad's
    triads_added: tuple[Verdict, ...]
    triads_removed: tuple[Verdict, ...]
    triads_changed: tuple[ItemChange, ...]
    obligations_changed: tuple[ItemChange, ...]  # by dyad: each span of years whose formal obligations changed
    briefs_added: tuple[str, ...]
    briefs_removed: tuple[str, ...]
    briefs_changed: tuple[str, ...]
    sources_added: tuple[str, ...]
    sources_removed: tuple[str, ...]
    sources_changed: tuple[str, ...]

    @property
    def verdicts_changed(self) -> tuple[tuple[ItemChange, Change], ...]:
        return tuple((item, change) for item in self.dyads_changed for change in item.changes if change.field == "type")

    def trilateral_alliances(self, feasible: bool) -> tuple[tuple[str, str], ...]:
        """The triads that became able (or unable) to form a trilateral balancing alliance, as (id, English
        name): new or removed triads, and triads whose dyads' change decided it."""
        value = "true" if feasible else "false"
        moved = self.triads_added if feasible else self.triads_removed
        return tuple([(triad.id, triad.name) for triad in moved if triad.get(FEASIBLE) == "true"] +
                     [(item.id, item.name) for item in self.triads_changed
                      if any(c.field == FEASIBLE and c.after == value for c in item.changes)])

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
        return classify(validate(load_data(data, docs if docs.exists() else None), today()))
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
    """A text in every written language, for reviewers: 俄中關係 / Russia–China."""
    return " / ".join(text.get(code) for code in TABLE.written)


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


def triad_fields(result: TriadResult) -> dict[str, str]:
    return {field: str(getattr(result, field)).lower() for field in (FEASIBLE, "commitment", "cohesion_ceiling")}


def triad_name(result: TriadResult, analysis: Analysis, lang: str = "en") -> str:
    """China, Iran, Russia (facing United States); zh-TW: 中國、伊朗、俄羅斯（面對美國）."""
    names = {actor.id: actor.name.get(lang) for actor in analysis.dataset.actors}
    marks = TABLE.language(lang).punctuation
    return (marks.list.join(names[actor] for actor in result.actors)
            + f"{marks.open}{LABELS('facing', lang, name=names[result.external])}{marks.close}")


def triad_title(result: TriadResult, analysis: Analysis) -> str:
    return " / ".join(triad_name(result, analysis, code) for code in TABLE.written)


def dyad_verdict(result: DyadResult) -> Verdict:
    return Verdict(result.dyad.id, both(result.dyad.title), result.dyad.title.get("en"), tuple(dyad_fields(result).items()))


def triad_verdict(result: TriadResult, analysis: Analysis) -> Verdict:
    return Verdict(triad_key(result), triad_title(result, analysis), triad_name(result, analysis),
                   tuple(triad_fields(result).items()))


def obligation_fields(dataset, dyad_id: str) -> dict[str, str]:
    """A dyad's formal obligations (data/treaties.yaml) by span: "1961–2018" -> "defense, nonagg · both · atop"."""
    fields = {}
    for found in dataset.obligations_of(dyad_id) or ():
        years = f"{found.start}–{found.end if found.end is not None else ''}"
        bound = "both" if found.mutual else found.by[0]
        fields[f"obligations {years}"] = f"{', '.join(found.kinds)} · {bound} · {found.coded_by} ({found.source})"
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
            dyads_changed.append(ItemChange(dyad_id, both(new[dyad_id].dyad.title), changes, new[dyad_id].dyad.title.get("en")))
    added, removed, changed = [], [], []
    for dyad_id in sorted(old.keys() & new.keys()):
        before = {stage.as_of: index for index, stage in enumerate(old[dyad_id].history)}
        after = {stage.as_of: index for index, stage in enumerate(new[dyad_id].history)}
        dates = sorted(before.keys() | after.keys())
        latest = new[dyad_id].dyad
        for position, date in enumerate(dates):
            item = AssessmentChange(dyad_id, both(latest.title), latest.title.get("en"), date.isoformat(),
                                    dates[position - 1].isoformat() if position else "—")
            if date not in before:
                added.append(item)
            elif date not in after:
                removed.append(item)
            elif date != latest.as_of:  # the latest assessment's changes are the dyad's own, listed with it
                fields = compare_fields(dyad_fields(old[dyad_id].assessed(before[date])),
                                        dyad_fields(new[dyad_id].assessed(after[date])))
                if fields:
                    changed.append(replace(item, changes=fields))
    old_triads = {triad_key(t): t for t in base.triads}
    new_triads = {triad_key(t): t for t in head.triads}
    triads_changed = []
    for key in sorted(old_triads.keys() & new_triads.keys()):
        changes = compare_fields(triad_fields(old_triads[key]), triad_fields(new_triads[key]))
        if changes:
            triads_changed.append(ItemChange(key, triad_title(new_triads[key], head), changes,
                                             triad_name(new_triads[key], head)))
    obligations_changed = []
    for dyad_id in sorted(old.keys() & new.keys()):
        changes = compare_fields(obligation_fields(base.dataset, dyad_id), obligation_fields(head.dataset, dyad_id))
        if changes:
            obligations_changed.append(ItemChange(dyad_id, both(new[dyad_id].dyad.title), changes,
                                                  new[dyad_id].dyad.title.get("en")))
    # The brief files a change touches: a converted language's briefs change with their source's.
    old_briefs = {(b.slug, b.lang): b for b in base.dataset.briefs if b.lang in TABLE.written}
    new_briefs = {(b.slug, b.lang): b for b in head.dataset.briefs if b.lang in TABLE.written}
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
        dyads_added=tuple(dyad_verdict(new[key]) for key in sorted(new.keys() - old.keys())),
        dyads_removed=tuple(dyad_verdict(old[key]) for key in sorted(old.keys() - new.keys())),
        dyads_changed=tuple(dyads_changed),
        assessments_added=tuple(added),
        assessments_removed=tuple(removed),
        assessments_changed=tuple(changed),
        triads_added=tuple(triad_verdict(new_triads[key], head) for key in sorted(new_triads.keys() - old_triads.keys())),
        triads_removed=tuple(triad_verdict(old_triads[key], base)
                             for key in sorted(old_triads.keys() - new_triads.keys())),
        triads_changed=tuple(triads_changed),
        obligations_changed=tuple(obligations_changed),
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
        return " / ".join(FRAMEWORK.type_label(alliance, code) for code in TABLE.written)
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


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' if count != 1 else ''}"


def headline(diff: AnalysisDiff, escape=lambda text: text) -> str:
    """The first line reviewers read: how many verdicts are new, changed and removed, and which."""
    changed = [f"{escape(item.name)} {change.before} → {change.after}" for item, change in diff.verdicts_changed]
    added = [f"new {escape(dyad.name)} {dyad.get('type')}" for dyad in diff.dyads_added]
    removed = [f"removed {escape(dyad.name)} {dyad.get('type')}" for dyad in diff.dyads_removed]
    # Three states balancing together is the finding a reviewer must not miss in a list of ids.
    alliances = [f"new feasible trilateral alliance: {escape(name)}" for _, name in diff.trilateral_alliances(True)]
    alliances += [f"trilateral alliance no longer feasible: {escape(name)}"
                  for _, name in diff.trilateral_alliances(False)]
    alliances += [f"new assessment of {escape(item.name)} as of {item.as_of}" for item in diff.assessments_added]
    alliances += [f"assessment of {escape(item.name)} as of {item.as_of} removed" for item in diff.assessments_removed]
    alliances += [f"earlier assessment of {escape(item.name)} as of {item.as_of} changed"
                  for item in diff.assessments_changed]
    alliances += [f"formal obligations of {escape(item.name)} changed" for item in diff.obligations_changed]
    if added or removed:
        counts = f"{plural(len(added), 'new verdict')}, {len(changed)} changed, {len(removed)} removed"
        return f"{counts}: " + "; ".join(added + changed + removed + alliances)
    if changed:
        return f"{plural(len(changed), 'verdict')} changed: " + "; ".join(changed + alliances)
    if diff.empty:
        return "No change to the analysis"
    return "; ".join(["No verdict changed", *alliances])


def shown(field: str, value: str) -> str:
    """A value in both languages for the tables."""
    if field == FEASIBLE and value in ("true", "false"):
        key = "triad_feasible" if value == "true" else "triad_infeasible"
        return " / ".join(LABELS(key, code) for code in TABLE.written)
    return label(value)


def to_markdown(diff: AnalysisDiff) -> str:
    lines = [f"### 分析變動 Analysis changes: `{diff.base}` → `{diff.head}`", "",
             f"**{headline(diff, markdown_text)}**", ""]
    sections = [
        ("新增評析 Briefs added", diff.briefs_added), ("移除評析 Briefs removed", diff.briefs_removed),
        ("修改評析 Briefs edited", diff.briefs_changed), ("新增文獻 Sources added", diff.sources_added),
        ("移除文獻 Sources removed", diff.sources_removed), ("修改文獻 Sources edited", diff.sources_changed),
    ]
    for title, items in (("新增評估 Assessments added", diff.assessments_added),
                         ("移除評估 Assessments removed", diff.assessments_removed)):
        if items:
            lines += [f"#### {title}", "", "| 雙邊關係 Dyad | 評估日期 As of | 前次評估 Previous |", "| --- | --- | --- |"]
            lines += [f"| {markdown_text(item.title)} (`{item.id}`) | {item.as_of} | {item.previous} |" for item in items]
            lines.append("")
    for earlier in diff.assessments_changed:
        lines += [f"#### 修改過往評估 Earlier assessment changed: {markdown_text(earlier.title)} (`{earlier.id}`), "
                  f"{earlier.as_of}", "", "| 項目 Field | 原本 Before | 現在 After |", "| --- | --- | --- |"]
        lines += [f"| {change.field} | {shown(change.field, change.before)} | {shown(change.field, change.after)} |"
                  for change in earlier.changes]
        lines.append("")
    for obligations in diff.obligations_changed:
        lines += [f"#### 條約義務 Formal obligations: {markdown_text(obligations.title)} (`{obligations.id}`)", "",
                  "| 年份 Years | 原本 Before | 現在 After |", "| --- | --- | --- |"]
        lines += [f"| {change.field.removeprefix('obligations ')} | {markdown_text(change.before)} | "
                  f"{markdown_text(change.after)} |" for change in obligations.changes]
        lines.append("")
    for item in diff.dyads_changed + diff.triads_changed:
        lines += [f"#### {markdown_text(item.title)} (`{item.id}`)", "", "| 項目 Field | 原本 Before | 現在 After |",
                  "| --- | --- | --- |"]
        lines += [f"| {change.field} | {shown(change.field, change.before)} | {shown(change.field, change.after)} |"
                  for change in item.changes]
        lines.append("")
    whole = [("新增雙邊關係 Dyad added", diff.dyads_added), ("移除雙邊關係 Dyad removed", diff.dyads_removed),
             ("新增三邊關係 Triad added", diff.triads_added), ("移除三邊關係 Triad removed", diff.triads_removed)]
    for title, verdicts in whole:
        for verdict in verdicts:
            lines += [f"#### {title}: {markdown_text(verdict.title)} (`{verdict.id}`)", "",
                      "| 項目 Field | 判斷 Verdict |", "| --- | --- |"]
            lines += [f"| {field} | {shown(field, value)} |" for field, value in verdict.fields]
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

    def dated(item: AssessmentChange) -> dict:
        return {"id": item.id, "as_of": item.as_of, "previous": None if item.previous == "—" else item.previous}

    def whole(verdict: Verdict) -> dict:
        return {"id": verdict.id, "title": verdict.title, "verdict": dict(verdict.fields)}

    return {
        "base": diff.base, "head": diff.head, "headline": headline(diff),
        "verdicts_new": [{"id": v.id, "type": v.get("type")} for v in diff.dyads_added],
        "verdicts_changed": [{"id": i.id, "before": c.before, "after": c.after} for i, c in diff.verdicts_changed],
        "verdicts_removed": [{"id": v.id, "type": v.get("type")} for v in diff.dyads_removed],
        "trilateral_alliances": {"feasible": [key for key, _ in diff.trilateral_alliances(True)],
                                 "no_longer_feasible": [key for key, _ in diff.trilateral_alliances(False)]},
        "dyads": {"added": [whole(v) for v in diff.dyads_added], "removed": [whole(v) for v in diff.dyads_removed],
                  "changed": [item(c) for c in diff.dyads_changed]},
        "assessments": {
            "added": [dated(a) for a in diff.assessments_added],
            "removed": [dated(a) for a in diff.assessments_removed],
            "changed": [dated(a) | {"changes": [{"field": c.field, "before": c.before, "after": c.after}
                                                for c in a.changes]} for a in diff.assessments_changed],
        },
        "triads": {"added": [whole(v) for v in diff.triads_added], "removed": [whole(v) for v in diff.triads_removed],
                   "changed": [item(c) for c in diff.triads_changed]},
        "obligations": {"changed": [item(c) for c in diff.obligations_changed]},
        "briefs": {"added": list(diff.briefs_added), "removed": list(diff.briefs_removed), "changed": list(diff.briefs_changed)},
        "sources": {"added": list(diff.sources_added), "removed": list(diff.sources_removed),
                    "changed": list(diff.sources_changed)},
    }
