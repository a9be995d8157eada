"""The hostile-input corpus: one exact message per problem, exit 1, no traceback,
and the previously built site left byte for byte as it was."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import briefing  # noqa: E402
from corpus_base import write_base  # noqa: E402

CORPUS = HERE / "corpus"
CASES = sorted(path.name for path in CORPUS.iterdir() if path.is_dir())
GENERATED = {"fifty-megabyte-file": ("data/sources.yaml", 50 * 1024 * 1024)}


def lay_out(case: str, root: Path) -> None:
    """The base project with the case's files laid over it."""
    write_base(root)
    if case in GENERATED:
        name, size = GENERATED[case]
        with (root / name).open("ab") as handle:
            handle.write(b"# " + b"x" * (size - 3) + b"\n")
        return
    for path in sorted((CORPUS / case).rglob("*")):
        if path.is_dir() or path.name == "expected.txt":
            continue
        relative = path.relative_to(CORPUS / case)
        target = root / relative
        if path.name.endswith(".delete"):
            target.with_name(path.name.removesuffix(".delete")).unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def check(root: Path):
    return briefing("check", "--data", "data", "--docs", "docs", cwd=root)


def expected(case: str) -> str:
    if case in GENERATED:
        return ("data/sources.yaml:1: the file is 50.0 MB, over the 2 MB allowed for a data file; "
                "split it or remove what does not belong\n"
                "briefing: 1 problem in data; fix them and run again\n")
    return (CORPUS / case / "expected.txt").read_text(encoding="utf-8")


def test_the_corpus_has_at_least_forty_cases():
    assert len(CASES) + len(GENERATED) >= 40


@pytest.mark.parametrize("case", CASES + sorted(GENERATED))
def test_each_hostile_input_gets_its_exact_message(case, tmp_path):
    lay_out(case, tmp_path)
    result = check(tmp_path)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout, result.stderr) == (1, "", expected(case))


def test_a_hostile_input_leaves_the_previous_site_untouched(tmp_path):
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    (site / "index.html").write_text("<p>published</p>", encoding="utf-8")
    (site / "en" / "index.html").write_text("<p>published</p>", encoding="utf-8")
    before = {path: path.read_bytes() for path in site.rglob("*") if path.is_file()}
    for case in ("alias-bomb", "python-object-tag", "brief-image-outside-repository", "non-utf8-bytes"):
        lay_out(case, tmp_path / case)
        result = briefing("build", "--data", str(tmp_path / case / "data"), "--docs", str(tmp_path / case / "docs"),
                          "--out", str(site), cwd=tmp_path)
        assert result.returncode == 1, case
        assert "Traceback" not in result.stderr, case
    assert {path: path.read_bytes() for path in site.rglob("*") if path.is_file()} == before
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("site")) == ["site"]


if __name__ == "__main__" and sys.argv[1:2] == ["--show"]:
    import tempfile

    for name in sys.argv[2:] or CASES:
        with tempfile.TemporaryDirectory() as folder:
            lay_out(name, Path(folder))
            print(f"== {name}\n{check(Path(folder)).stderr}")
