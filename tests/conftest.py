"""Shared fixtures: a small valid data folder whose line numbers tests rely on."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli

ROOT = Path(__file__).resolve().parent.parent

ACTORS = """\
- id: CHN
  name: {zh-TW: 中國, en: China}
- id: PRK
  name: {zh-TW: 北韓, en: North Korea}
- id: RUS
  name: {zh-TW: 俄羅斯, en: Russia}
- id: USA
  name: {zh-TW: 美國, en: United States}
"""

SOURCES = """\
- id: doe-2024
  author: Doe, J.
  year: 2024
  title: A Test Source
  publisher: Test Press
  url: https://example.org/doe
  date: 2024-05-01
"""

# Line numbers matter: the bad-input tests point at them.
DYAD = """\
id: russia-china
actors: [RUS, CHN]
external: USA
as_of: 2025-06-30
title: {zh-TW: 俄中關係, en: Russia–China}
summary: {zh-TW: 摘要。, en: Summary.}
threats:
  RUS:
    external: high
    internal: low
    rationale: {zh-TW: 理由。, en: Reason.}
    evidence: [doe-2024]
  CHN:
    external: medium
    internal: low
    rationale: {zh-TW: 理由。, en: Reason.}
    evidence: [doe-2024]
"""


def write_data(root: Path, actors: str = ACTORS, sources: str = SOURCES, dyads: dict[str, str] | None = None) -> Path:
    data = root / "data"
    (data / "dyads").mkdir(parents=True)
    (data / "actors.yaml").write_text(actors, encoding="utf-8")
    (data / "sources.yaml").write_text(sources, encoding="utf-8")
    for name, text in (dyads if dyads is not None else {"russia-china": DYAD}).items():
        (data / "dyads" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return data


# Fixtures that build a whole site, and modules that build, serve or browse: the slow tier.
SLOW_FIXTURES = {"site", "warm", "reference", "edited", "browser", "page", "served"}
SLOW_MODULES = {"test_build", "test_incremental", "test_determinism", "test_browser", "test_phone"}


def pytest_collection_modifyitems(items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or item.module.__name__ in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty project folder, made the current directory so messages say data/..."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def run(capsys):
    """Run `briefing ARGS` in-process; return (exit code, stdout, stderr)."""

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def briefing(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Run the installed `briefing` command as an analyst would."""
    script = Path(sys.executable).with_name("briefing")
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def warm(tmp_path_factory) -> Path:
    """A fresh checkout of the project, built once from nothing: its site is what a clean build gives,
    and its cache starts the other checkouts' caches (tests/projects.py)."""
    from projects import built, checkout

    project = checkout(tmp_path_factory.mktemp("warm") / "project")
    built(project)
    return project


@pytest.fixture(scope="session")
def site(warm, tmp_path_factory) -> Path:
    """The real project's site, built once for the whole session (a copy of the warm checkout's clean build,
    which the build tests compare against and must stay as built)."""
    import shutil

    out = tmp_path_factory.mktemp("built") / "site"
    shutil.copytree(warm / "site", out)
    return out


def build_in_process(config: Path, data: Path, docs: Path, out: Path, **options) -> Path:
    """`briefing build` without the command line: the Build the command runs, quietly."""
    from generator.build import Build, Settings

    return Build(Settings.of(config, data, docs, out, **options), say=lambda message: None).run()


def project_settings(folder: Path) -> Path:
    """mkdocs.yml and the templates in `folder`, so a build there keeps its cache and record there."""
    import shutil

    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "templates", folder / "templates")
    return folder / "mkdocs.yml"


def published_slices(site: Path) -> dict[str, tuple[int, set[int]]]:
    """The web-font slices `assets/fonts/fonts.css` declares: file name -> (CSS weight, code points)."""
    import re

    stylesheet = (site / "assets" / "fonts" / "fonts.css").read_text("utf-8")
    slices = {}
    for weight, name, ranges in re.findall(r'font-weight: (\d+);.*?url\("([^"]+)"\).*?unicode-range: ([^;]+);',
                                           stylesheet):
        points: set[int] = set()
        for part in ranges.split(", "):
            low, _, high = part.removeprefix("U+").partition("-")
            points |= set(range(int(low, 16), int(high or low, 16) + 1))
        slices[name] = (int(weight), points)
    return slices


def svg_smallest_text_pt(svg: bytes) -> float:
    """The smallest text in a web chart, read from the picture itself: its text is drawn as outlines, each run
    scaled by its size in points / 100 (matplotlib's units for text as paths)."""
    import re

    scales = [float(x) for x, y in re.findall(rb"scale\(([0-9.]+) -([0-9.]+)\)", svg) if x == y]
    return round(min(scales) * 100, 2)
