"""The hostile-input corpus: one exact message per problem, exit 1, no traceback,
and the previously built site left byte for byte as it was."""
from __future__ import annotations

import os
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
BRIEF_HEAD = "---\ntitle: 測試\nauthor: 編輯部\naffiliation: 研究室\ndate: 2025-07-01\nsummary: 摘要。\n---\n\n"
SYMLINK = "is a symbolic link; copy the file here instead (links are not followed, so nothing outside the project is published)"


def made(setup, *messages: str):
    """A case that cannot be committed as files (links, pipes, huge files): made at test time."""
    count = len(messages)
    return setup, "".join(f"{message}\n" for message in messages) + \
        f"briefing: {count} problem{'s' if count != 1 else ''} in data; fix them and run again\n"


def write(relative: str, text: str | bytes):
    def setup(root: Path) -> None:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return setup


def link(relative: str, target: str):
    def setup(root: Path) -> None:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, root / relative)
    return setup


def folder(relative: str):
    return lambda root: (root / relative).mkdir(parents=True)


def sized(relative: str, size: int, head: bytes = b""):
    def setup(root: Path) -> None:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as handle:
            handle.write(head)
            handle.truncate(size)  # sparse: no disk is spent on it
    return setup


def moved_to_a_link(name: str):
    def setup(root: Path) -> None:
        (root / name).rename(root / f"real-{name}")
        os.symlink(root / f"real-{name}", root / name)
    return setup


def png(relative: str, width: int, height: int):
    """A valid PNG whose header claims width × height pixels: a few hundred bytes that decode to gigabytes."""
    def setup(root: Path) -> None:
        import struct
        import zlib

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 4097))
                           + chunk(b"IEND", b""))
    return setup


def every_pair(count: int):
    """count actors, every two of them a dyad facing USA: triads grow with the cube of count."""
    def setup(root: Path) -> None:
        codes = [f"A{chr(65 + n // 26)}{chr(65 + n % 26)}" for n in range(count)]
        (root / "data" / "actors.yaml").write_text("".join(
            f"- id: {code}\n  name: {{zh-TW: 國{n}, en: State {n}}}\n" for n, code in enumerate(codes + ["USA"])),
            encoding="utf-8")
        (root / "data" / "dyads" / "russia-china.yaml").unlink()
        (root / "docs" / "briefs" / "test-brief.zh-TW.md").unlink()
        (root / "data" / "events.yaml").unlink()
        threat = "    external: high\n    internal: low\n    rationale: {zh-TW: 理由。, en: Reason.}\n    evidence: [doe-2024]\n"
        for i, first in enumerate(codes):
            for second in codes[i + 1:]:
                name = f"{first}-{second}".lower()
                (root / "data" / "dyads" / f"{name}.yaml").write_text(
                    f"id: {name}\nactors: [{first}, {second}]\nexternal: USA\nas_of: 2025-06-30\n"
                    f"title: {{zh-TW: 關係, en: Pair}}\nsummary: {{zh-TW: 摘要。, en: Summary.}}\nthreats:\n"
                    f"  {first}:\n{threat}  {second}:\n{threat}", encoding="utf-8")
    return setup


def fifo(relative: str):
    return lambda root: os.mkfifo(root / relative)


MADE = {
    "fifty-megabyte-file": made(
        sized("data/sources.yaml", 50 * 1024 * 1024, b"# "),
        "data/sources.yaml:1: the file is 50.0 MB, over the 2 MB allowed for a data file; split it or remove what "
        "does not belong"),
    "sixty-megabyte-brief": made(
        sized("docs/briefs/big.zh-TW.md", 60 * 1024 * 1024, BRIEF_HEAD.encode("utf-8")),
        "docs/briefs/big.zh-TW.md:1: the file is 60.0 MB, over the 256 KB allowed for a brief; split it or remove "
        "what does not belong"),
    "eleven-megabyte-picture": made(
        sized("docs/pictures/map.png", 11 * 1024 * 1024, b"\x89PNG\r\n\x1a\n"),
        "docs/pictures/map.png:1: the file is 11.0 MB, over the 10 MB allowed for a picture or PDF; split it or "
        "remove what does not belong"),
    "link-to-the-environment": made(link("docs/env.txt", "/proc/self/environ"), f"docs/env.txt:1: {SYMLINK}"),
    "picture-linked-to-dev-zero": made(link("docs/zero.png", "/dev/zero"), f"docs/zero.png:1: {SYMLINK}"),
    "brief-linked-to-dev-zero": made(link("docs/briefs/z.en.md", "/dev/zero"), f"docs/briefs/z.en.md:1: {SYMLINK}"),
    "dyad-linked-outside": made(link("data/dyads/evil.yaml", "/etc/passwd"), f"data/dyads/evil.yaml:1: {SYMLINK}"),
    "treaties-linked-outside": made(link("data/treaties.yaml", "/etc/passwd"), f"data/treaties.yaml:1: {SYMLINK}"),
    "treaties-named-pipe": made(fifo("data/treaties.yaml"), "data/treaties.yaml:1: is not a plain file (a pipe, "
                                                             "socket or device); remove it"),
    "dangling-link": made(link("data/dyads/gone.yaml", "nowhere.yaml"), f"data/dyads/gone.yaml:1: {SYMLINK}"),
    "link-hidden-in-a-dot-folder": made(link("docs/.cache/env", "/proc/self/environ"),
                                        f"docs/.cache/env:1: {SYMLINK}"),
    "data-folder-is-a-link": made(moved_to_a_link("data"), "data:1: is a symbolic link; copy the folder here instead "
                                  "(links are not followed, so nothing outside the project is published)"),
    "docs-folder-is-a-link": made(moved_to_a_link("docs"), "docs:1: is a symbolic link; copy the folder here instead "
                                  "(links are not followed, so nothing outside the project is published)"),
    "named-pipe-in-docs": made(fifo("docs/pipe.png"),
                               "docs/pipe.png:1: is not a plain file (a pipe, socket or device); remove it"),
    "folder-named-like-a-dyad": made(folder("data/dyads/extra.yaml"),
                                     "data/dyads/extra.yaml:1: is a folder, but a dyad is one file; rename or remove "
                                     "the folder"),
    "folder-named-like-a-brief": made(folder("docs/briefs/extra.en.md"),
                                      "docs/briefs/extra.en.md:1: is a folder, but a brief is one file; rename or "
                                      "remove the folder"),
    "file-name-with-a-newline": made(write("docs/a\n::error file=x::forged.png", b"\x89PNG"),
                                     "docs/a\\n::error file=x::forged.png:1: the name holds a control or "
                                     "text-direction character; rename it with plain letters, digits and hyphens"),
    "page-named-like-an-address": made(write("docs/https:evil.example/login.md", b"# Login\n"),
                                       "docs/https:evil.example:1: the name holds ':', which a web address reads as "
                                       "more than a name (a page named 'https:site/x' would link off the site); "
                                       "rename it with plain letters, digits and hyphens"),
    "ten-thousand-footnote-references": made(
        write("docs/briefs/notes.zh-TW.md", BRIEF_HEAD + "正文" + "見[^1]" * 10_000 + "\n\n[^1]: 註。\n"),
        "docs/briefs/notes.zh-TW.md:9: a paragraph holds 10000 footnote references, more than the 100 a handout "
        "can lay out in reasonable time; split the paragraph or merge the notes"),
    "table-of-twelve-thousand-rows": made(
        write("docs/briefs/table.en.md", BRIEF_HEAD + "| a | b | c | d |\n|---|---|---|---|\n"
              + "".join(f"| {n} | x | y | z |\n" for n in range(12_000))),
        "docs/briefs/table.en.md:8: the brief's tables have 48004 cells, more than the 5000 a handout can lay out in "
        "reasonable time; shorten them or offer the table as a download"),
    "two-thousand-references-in-many-paragraphs": made(
        write("docs/briefs/notes.zh-TW.md", BRIEF_HEAD + "\n\n".join("段落" + "見[^1]" * 50 for _ in range(40))
              + "\n\n[^1]: 註。\n"),
        "docs/briefs/notes.zh-TW.md:8: the brief has 2000 footnote references, more than the 1000 a handout can "
        "lay out in reasonable time; merge some of them"),
    "brackets-markdown-reads-slowly": made(
        write("docs/briefs/brackets.en.md", BRIEF_HEAD + "Text " + "[" * 60_000 + "\n"),
        "docs/briefs/brackets.en.md:9: a paragraph holds 60000 '[', more than the 500 Markdown can read in "
        "reasonable time; split the paragraph (a blank line between list items splits a list)"),
    "unclosed-tags-in-many-paragraphs": made(
        write("docs/briefs/angles.en.md", BRIEF_HEAD + "\n\n".join("Text " + "<a " * 100 for _ in range(12))),
        "docs/briefs/angles.en.md:8: the brief has 1200 HTML tags without their closing '>' (such as '<a'), more "
        "than the 1000 Markdown can read in reasonable time; close or remove them (write a literal '<' as &lt;)"),
    "picture-of-billions-of-pixels": made(
        png("docs/pictures/bomb.png", 60_000, 60_000),
        "docs/pictures/bomb.png:1: the PNG picture is far too large to draw; make it at most 25 million pixels"),
    "picture-of-169-million-pixels": made(
        png("docs/pictures/big.png", 13_000, 13_000),
        "docs/pictures/big.png:1: the PNG picture is 13000 × 13000 pixels, more than the 25 million a page or "
        "handout can draw; make it smaller (2,000 pixels wide is plenty for print)"),
    "brief-of-thousands-of-different-characters": made(
        write("docs/briefs/characters.zh-TW.md", BRIEF_HEAD + "".join(chr(code) for code in range(0x4E00, 0x5A00))),
        "docs/briefs/characters.zh-TW.md:8: the brief uses 3073 different characters, more than the 3000 the web "
        "fonts can be cut to in reasonable time; shorten it"),
    "brackets-in-a-list-without-blank-lines": made(
        write("docs/briefs/list.en.md", BRIEF_HEAD + "x\n" + "\n".join(["- " + "[a](b) " * 40] * 16)),
        "docs/briefs/list.en.md:9: a paragraph holds 640 '[', more than the 500 Markdown can read in reasonable "
        "time; split the paragraph (a blank line between list items splits a list)"),
    "dyads-forming-too-many-triads": made(
        every_pair(20),
        "data/dyads:1: the dyads form 1,140 triads (three actors paired with one another, facing the same outside "
        "actor), more than the 1,000 the site can draw and publish in reasonable time; keep the pairs the analysis "
        "needs"),
    "three-hundred-kilobyte-brief": made(
        write("docs/briefs/long.en.md", BRIEF_HEAD + "Words. " * 45_000),
        "docs/briefs/long.en.md:1: the file is 307 KB, over the 256 KB allowed for a brief; split it or remove "
        "what does not belong"),
    "six-hundred-footnotes": made(
        write("docs/briefs/notes.zh-TW.md", BRIEF_HEAD + "\n\n".join(
            "段落" + "".join(f"[^{n}]" for n in range(start, start + 50)) for start in range(1, 601, 50))
            + "\n\n" + "\n".join(f"[^{n}]: 註。" for n in range(1, 601)) + "\n"),
        "docs/briefs/notes.zh-TW.md:8: the brief has 600 footnotes, more than the 500 a handout can lay out; "
        "merge some of them"),
}


def lay_out(case: str, root: Path) -> None:
    """The base project with the case's files laid over it."""
    write_base(root)
    if case in MADE:
        MADE[case][0](root)
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
    if case in MADE:
        return MADE[case][1]
    return (CORPUS / case / "expected.txt").read_text(encoding="utf-8")


def test_the_corpus_has_at_least_a_hundred_cases():
    assert len(CASES) + len(MADE) >= 165


@pytest.mark.parametrize("case", CASES + sorted(MADE))
def test_each_hostile_input_gets_its_exact_message(case, tmp_path, monkeypatch, run):
    """In-process, as the fast tier runs it; the command's own process is tested below and in test_cli."""
    lay_out(case, tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run("check", "--data", "data", "--docs", "docs")
    assert "Traceback" not in err
    assert (code, out, err) == (1, "", expected(case))


@pytest.mark.slow
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
