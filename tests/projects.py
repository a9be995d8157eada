"""Copies of the project that a test may change, built as an analyst builds them."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PROJECT = ("mkdocs.yml", "data", "docs", "templates", "generator")
EPOCH = "1751328000"  # the date every test site is stamped with


def checkout(folder: Path, cache_from: Path | None = None) -> Path:
    """The project's files in `folder`. `cache_from`: a project whose build cache this one starts with,
    as hard links (the store only ever adds or removes entries, never writes into a file)."""
    folder.mkdir(parents=True)
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, folder / name)
    if cache_from is not None and (cache_from / "build" / "cache").is_dir():
        shutil.copytree(cache_from / "build" / "cache", folder / "build" / "cache", copy_function=os.link)
    return folder


def environment(folder: Path) -> dict[str, str]:
    # The copy's own generator package is imported, so its code (and its templates) are what runs.
    return dict(os.environ, PYTHONPATH=str(folder), SOURCE_DATE_EPOCH=EPOCH)


def build(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", "build", *args], cwd=folder, env=environment(folder),
                          capture_output=True, text=True, timeout=900)


def built(folder: Path, *args: str) -> Path:
    result = build(folder, *args)
    if result.returncode != 0:
        raise AssertionError(result.stderr)
    return folder / "site"


def tree(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def stage_line(stderr: str, stage: str) -> str:
    return next(line for line in stderr.splitlines() if line.startswith(f"briefing: {stage} "))


def differences(first: dict[str, bytes], second: dict[str, bytes]) -> list[str]:
    return sorted(name for name in set(first) | set(second) if first.get(name) != second.get(name))
