"""The same commit builds byte-identical sites in two different checkout folders."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PROJECT = ("mkdocs.yml", "data", "docs", "templates", "generator")


def checkout(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in PROJECT:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, folder / name)
    return folder


def build(folder: Path) -> Path:
    # The copy's own generator package is imported, so the code's location differs too.
    env = dict(os.environ, PYTHONPATH=str(folder), SOURCE_DATE_EPOCH="1751328000")
    result = subprocess.run([sys.executable, "-m", "generator", "build"], cwd=folder, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    return folder / "site"


def tree(site: Path) -> dict[str, bytes]:
    return {str(path.relative_to(site)): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def test_two_checkouts_build_identical_sites(tmp_path):
    first = tree(build(checkout(tmp_path / "one" / "briefs")))
    second = tree(build(checkout(tmp_path / "elsewhere" / "deeper" / "copy")))
    assert sorted(first) == sorted(second)
    differing = [name for name in first if first[name] != second[name]]
    assert differing == []
    kinds = {name.rsplit(".", 1)[-1] for name in first}
    assert {"html", "svg", "pdf", "xml", "gz", "woff2", "pf_index", "pf_meta", "json", "yaml"} <= kinds
    assert b"<lastmod>2025-07-01</lastmod>" in first["sitemap.xml"]
    assert str(tmp_path).encode() not in b"".join(first.values())
