"""The trust boundary, end to end: what a pull request cannot make the build do.

Every case runs the real command or a real MkDocs build; the README's section
"What a contributor can and cannot make the build do" lists the same rules.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, briefing
from corpus_base import BRIEF, write_base
from pypdf import PdfReader
from test_determinism import checkout
from test_fetch import CountingHandler, loopback  # noqa: F401  (a fixture)


def tree_digest(folder: Path) -> str:
    """Every file and link under folder, .git included, by path, kind and bytes."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        relative = str(path.relative_to(folder)).encode()
        if path.is_symlink():
            digest.update(b"L" + relative + os.readlink(path).encode())
        elif path.is_file():
            digest.update(b"F" + relative + b"\0" + path.read_bytes())
        else:
            digest.update(b"D" + relative)
    return digest.hexdigest()


def run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=project, capture_output=True, text=True,
                          timeout=900, env=dict(os.environ, PYTHONPATH=str(project), SOURCE_DATE_EPOCH="1751328000",
                                                **env))


GIT = ["git", "-c", "user.email=test@example.org", "-c", "user.name=test"]


def commit(project: Path, message: str, *paths: str) -> None:
    """`git add` the paths (forced: ignored files too) and commit them, making the repository if need be."""
    if not (project / ".git").exists():
        subprocess.run([*GIT, "init", "-q"], cwd=project, check=True)
    subprocess.run([*GIT, "add", "-f", *paths], cwd=project, check=True)
    subprocess.run([*GIT, "commit", "-qm", message], cwd=project, check=True)


@pytest.fixture(scope="module")
def repository(tmp_path_factory) -> Path:
    """A copy of the project under git, with an uncommitted file an analyst would lose."""
    project = checkout(tmp_path_factory.mktemp("trust") / "project")
    commit(project, "base", ".")
    (project / "docs" / "draft-notes.md").write_text("# 草稿\n\n尚未提交的筆記。\n", encoding="utf-8")
    (project / "notes").mkdir()
    (project / "notes" / "todo.txt").write_text("not a site\n", encoding="utf-8")
    return project


@pytest.mark.parametrize("out, why", [
    (".", "it is the project folder"),
    ("..", "it holds the project folder"),
    (".git", "it is the project's git repository"),
    ("data", "it is the data folder"),
    ("docs", "it is the docs folder"),
    ("templates", "it is the templates folder"),
    ("generator", "it is the generator's code"),
    ("data/site", "it is inside the data folder"),
    ("notes", "it holds files that no build of this tool made"),
    ("mkdocs.yml", "it is a file"),
])
def test_build_refuses_an_output_folder_it_would_destroy(repository, out, why):
    before = tree_digest(repository)
    result = run(repository, "build", "--out", out)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"briefing build: --out {out}: {why}, and a build replaces its output folder entirely; "
                             "give a folder of its own, such as site; nothing was changed\n")
    assert tree_digest(repository) == before


def test_charts_refuses_to_replace_the_data_folder(repository):
    before = tree_digest(repository)
    result = run(repository, "charts", "--out", "data")
    assert result.returncode == 1
    assert result.stderr == "briefing charts: --out data: it is the data folder; give a folder of its own, such as charts\n"
    assert tree_digest(repository) == before


# ---- a gap in `check` is still closed by the build ------------------------------------------

PROBES = textwrap.dedent("""\
    正文<script>window.pwned=1</script>。<img src="x.png" alt="x" onerror="window.pwned=2">
    [javascript](javascript:alert(1)){{onclick="window.pwned=3"}} [vb](vbscript:x) [data](data:text/html,x) [far](//198.51.100.7/)
    <a rel="attachment" href="file:///proc/self/environ">environment</a> <a rel="attachment" href="../../.git/config">git</a>
    ![pixel]({server}/pixel.png) <img src="{server}/img.png" alt="y">

    <iframe src="{server}/frame"></iframe>
    <meta http-equiv="refresh" content="0;url={server}/refresh">
    <base href="{server}/">
    <link rel="stylesheet" href="{server}/style.css">
    <form action="{server}/form"><input name="password"></form>
    <span style="position:fixed">假公告</span>

    ## 標題<img src=y onerror="window.pwned=4">
    """)
FORBIDDEN = ("window.pwned", "onerror", "onclick", "javascript:", "vbscript:", "data:text", "198.51.100.7", "<iframe",
             'http-equiv="refresh"', "<base", "<form", "<input", "position:fixed", 'rel="attachment"', "127.0.0.1")


@pytest.mark.slow
def test_a_probe_that_check_missed_is_still_stripped_from_pages_and_handouts(tmp_path, monkeypatch, loopback):  # noqa: F811
    """Simulate a gap in the audit: the sanitiser, the theme and the fetcher must stop every probe on their own."""
    from conftest import build_in_process, project_settings

    from generator import load, validate

    monkeypatch.setenv("BRIEFING_PROBE_SECRET", "probe-secret-2718")
    monkeypatch.setattr(validate, "audit", lambda *args, **kwargs: [])
    monkeypatch.setattr(validate, "check_outputs", lambda *args, **kwargs: [])
    monkeypatch.setattr(load, "ASSET_SUFFIXES", (".png", ".html", ".js", ".css", ".svg"))
    monkeypatch.setattr(load, "content_problem", lambda *args: None)
    write_base(tmp_path)
    probes = PROBES.format(server=loopback)
    (tmp_path / "docs" / "briefs" / "test-brief.zh-TW.md").write_text(BRIEF.replace("正文。[^1]", probes + "\n[^1]"),
                                                                       encoding="utf-8")
    (tmp_path / "docs" / "about.md").write_text("# 關於\n\n" + probes, encoding="utf-8")
    (tmp_path / "docs" / "evil.html").write_text("<script>window.pwned=5</script>", encoding="utf-8")
    (tmp_path / "docs" / "assets").mkdir()
    (tmp_path / "docs" / "assets" / "search.js").write_text("window.pwned=6", encoding="utf-8")
    (tmp_path / "docs" / "assets" / "site.css").write_text("body{display:none}", encoding="utf-8")
    svg_as_png = '<svg xmlns="http://www.w3.org/2000/svg"><text y="20">FORGED-IN-PDF</text></svg>'
    (tmp_path / "docs" / "pic.png").write_text(svg_as_png, encoding="utf-8")
    (tmp_path / "docs" / "briefs" / "second.en.md").write_text(
        "---\ntitle: Second\nauthor: Desk\naffiliation: Desk\ndate: 2025-07-02\nsummary: S.\n"
        "lead_image: {src: pic.png, caption: c, credit: d}\n---\n\nText.\n", encoding="utf-8")
    site = build_in_process(project_settings(tmp_path), tmp_path / "data", tmp_path / "docs", tmp_path / "site")
    assert CountingHandler.requests == []
    assert not (site / "evil.html").exists()
    assert (site / "assets" / "search.js").read_bytes() == (ROOT / "templates/theme/assets/search.js").read_bytes()
    assert (site / "assets" / "site.css").read_bytes() == (ROOT / "templates/theme/assets/site.css").read_bytes()
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for forbidden in FORBIDDEN:
            assert forbidden not in text, (path.relative_to(site), forbidden)
    assert "假公告" in (site / "briefs" / "test-brief.html").read_text(encoding="utf-8")  # the text stays
    for pdf in (site / "pdf").glob("*.pdf"):
        reader = PdfReader(pdf)
        assert reader.attachments == {}, pdf.name
        assert all(annotation.get_object().get("/Subtype") != "/FileAttachment"
                   for page in reader.pages for annotation in page.get("/Annots", [])), pdf.name
        assert b"probe-secret-2718" not in pdf.read_bytes()
    text = subprocess.run(["pdftotext", str(site / "pdf" / "second.en.pdf"), "-"], capture_output=True, text=True)
    assert text.returncode == 0 and "Second" in text.stdout and "FORGED-IN-PDF" not in text.stdout


# ---- the published pages run only the theme's own script -------------------------------------


class Markup(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_scripts, self.styles, self.handlers, self.policies, self.sources = 0, 0, [], [], []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # JSON-LD is a data block: a browser never runs it (and the policy would refuse it if one tried).
        if tag == "script" and "src" not in attributes and attributes.get("type") != "application/ld+json":
            self.inline_scripts += 1
        if tag == "style" or "style" in attributes:
            self.styles += 1
        self.handlers += [name for name in attributes if name.startswith("on")]
        if tag == "meta" and attributes.get("http-equiv") == "Content-Security-Policy":
            self.policies.append(attributes["content"])
        self.sources += [value for name, value in attrs if name in ("src", "href") and value and "//" in value
                         and tag in ("script", "link", "img", "iframe")]


def test_every_page_has_the_policy_and_no_inline_script_style_or_handler(site):
    from generator.pages import EMBED_POLICY
    from generator.site import content_security_policy

    for path in site.rglob("*.html"):
        if path.name == "404.html":
            continue
        markup = Markup()
        markup.feed(path.read_text(encoding="utf-8"))
        where = path.relative_to(site)
        # A chart's embed page (published given a site address) runs no script at all.
        policy = EMBED_POLICY if where.parts[0] == "embed" else content_security_policy()
        assert markup.policies == [policy], where
        assert (markup.inline_scripts, markup.styles, markup.handlers, markup.sources) == (0, 0, [], []), where
    assert "script-src 'self' 'wasm-unsafe-eval';" in content_security_policy()
    assert "unsafe-inline" not in content_security_policy()


def test_no_published_handout_has_an_attachment(site):
    for pdf in sorted((site / "pdf").glob("*.pdf")):
        assert PdfReader(pdf).attachments == {}, pdf.name


# ---- the disk fills up, or the output folder cannot be written ---------------------------------

NAMESPACE = textwrap.dedent("""\
    set -e
    mount -t tmpfs -o size=20m tmpfs "$DISK"
    "$PYTHON" -m generator build --out "$DISK/site" >/dev/null 2>&1
    before=$(cd "$DISK/site" && find . -type f -exec sha256sum {} + | sort | sha256sum)
    set +e
    {second}
    echo "exit=$?" >&2
    after=$(cd "$DISK/site" && find . -type f -exec sha256sum {} + | sort | sha256sum)
    [ "$before" = "$after" ] && echo "site unchanged" >&2
    ls -a "$DISK" >&2
    """)


def in_namespace(project: Path, second: str) -> subprocess.CompletedProcess:
    """Run a build on a small disk of its own, in a private mount namespace (as root or through a user namespace)."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is needed to mount a small disk for this test")
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"this machine allows no private mount namespace: {probe.stderr.decode().strip()}")
    disk = project.parent / "disk"
    disk.mkdir(exist_ok=True)
    script = NAMESPACE.replace("{second}", second)
    env = dict(os.environ, PYTHONPATH=str(project), SOURCE_DATE_EPOCH="1751328000", DISK=str(disk),
               PYTHON=sys.executable)
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=project, env=env, capture_output=True,
                          text=True, timeout=900)


@pytest.mark.slow
def test_a_full_disk_is_said_plainly_and_leaves_the_previous_site(warm, tmp_path):
    project = checkout(tmp_path / "project", cache_from=warm)
    result = in_namespace(project, '"$PYTHON" -m generator build --clean --out "$DISK/site"')
    lines = result.stderr.splitlines()
    failure = next(line for line in lines if line.startswith("briefing: the site was not built"))
    # The file is named when the failed call names one (a write to an open file does not); where the small disk
    # fills depends on how much the build writes, which three editions changed.
    assert re.fullmatch(r"briefing: the site was not built: the disk is full(?: \(.*/disk/site\.tmp/.+\))?; "
                        r"free some space and build again; the previous site is unchanged", failure), failure
    assert "exit=1" in lines and "site unchanged" in lines
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert lines[-3:] == [".", "..", "site"]  # no site.tmp or site.old left behind


@pytest.mark.slow
def test_a_read_only_output_folder_is_said_plainly(warm, tmp_path):
    project = checkout(tmp_path / "project", cache_from=warm)
    result = in_namespace(project, 'mount -o remount,ro "$DISK" && "$PYTHON" -m generator build --clean --out "$DISK/site"')
    lines = result.stderr.splitlines()
    assert f"briefing: the site was not built: the folder is on a read-only disk ({tmp_path}/disk/site.tmp); build " \
           "into another folder with --out; the previous site is unchanged" in lines
    assert "exit=1" in lines and "site unchanged" in lines
    assert lines[-3:] == [".", "..", "site"]


# ---- MkDocs' own strict-mode warnings, said where they come from -----------------------------


@pytest.mark.slow
def test_a_broken_link_in_a_brief_is_reported_at_its_line(tmp_path):
    write_base(tmp_path)
    brief = tmp_path / "docs" / "briefs" / "test-brief.zh-TW.md"
    brief.write_text(BRIEF.replace("正文。[^1]", "正文，見[另一篇](another-brief.md)。[^1]"), encoding="utf-8")
    result = briefing("build", "--config", str(ROOT / "mkdocs.yml"), "--out", "site", cwd=tmp_path)
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if not re.match(r"briefing: [a-z +]+ [0-9.]+ s", line)] == [
        "docs/briefs/test-brief.zh-TW.md:12: the link 'another-brief.md' points to a page or file the site does not "
        "have; check the path (links in a brief are relative to docs/briefs/)",
        "briefing: the site was not built: MkDocs stopped on 1 problem (strict mode); the previous site is unchanged",
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["data", "docs"]  # no site, no site.tmp


# ---- commands given odd arguments ------------------------------------------------------------


@pytest.mark.parametrize("address", ["nonsense", "127.0.0.1:70000", "127.0.0.1:0", "127.0.0.1:８０", ":8000",
                                     "127.1:8000", "0x7f.0.0.1:8000", "[::1]:8000", "example.org:8000"])
def test_serve_refuses_an_address_before_building_anything(tmp_path, address):
    write_base(tmp_path)
    result = briefing("serve", "--addr", address, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"briefing serve: --addr '{address}' is not an IPv4 address (or localhost) and a port "
                             "from 1 to 65535; e.g. --addr 127.0.0.1:8000\n")
    assert not (tmp_path / "build").exists() and not (tmp_path / "site").exists()


def test_diff_of_a_revision_with_itself_is_no_change(repository):
    result = run(repository, "diff", "HEAD", "HEAD")
    assert (result.returncode, result.stderr) == (0, "")
    assert "No change to the analysis" in result.stdout


def test_diff_refuses_a_revision_that_holds_a_link(tmp_path):
    project = checkout(tmp_path / "project")
    commit(project, "base", "data", "docs")
    (project / "data" / "dyads" / "secret.yaml").symlink_to("/etc/passwd")
    commit(project, "link", "data")
    result = run(project, "diff", "HEAD~1", "HEAD")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("briefing diff: data/dyads/secret.yaml at HEAD is a symbolic link, which briefing check "
                             "refuses; run briefing check there\n")


def test_a_forged_line_in_a_key_stays_on_its_own_line_in_github_annotations(tmp_path):
    write_base(tmp_path)
    dyad = tmp_path / "data" / "dyads" / "russia-china.yaml"
    dyad.write_text(dyad.read_text(encoding="utf-8").replace(
        "as_of: 2025-06-30", 'as_of: 2025-06-30\n"x\\n::error file=README.md,line=1::forged\\r\\ny": 1'),
        encoding="utf-8")
    result = subprocess.run([str(Path(sys.executable).with_name("briefing")), "check"], cwd=tmp_path,
                            capture_output=True, text=True, env=dict(os.environ, GITHUB_ACTIONS="true"), timeout=600)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "::error file=data/dyads/russia-china.yaml,line=5::unknown key 'x\\n::error file=README.md,line=1::forged"
        "\\r\\ny' in dyad russia-china; the keys allowed here are id, actors, external, as_of, title, summary, threats, "
        "assessments"]
    assert [line for line in result.stderr.splitlines() if line.startswith("::")] == []
    assert len(result.stderr.splitlines()) == 2


# ---- templates/ too ----------------------------------------------------------------------------


def test_a_link_in_the_templates_is_refused(tmp_path):
    from generator.load import load_data

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    (templates / "theme" / "assets" / "env.txt").symlink_to("/proc/self/environ")
    write_base(tmp_path)
    raw = load_data(tmp_path / "data", tmp_path / "docs", templates)
    assert [str(problem) for problem in raw.problems] == [
        f"{templates}/theme/assets/env.txt:1: is a symbolic link; copy the file here instead (links are not "
        "followed, so nothing outside the project is published)"]



@pytest.mark.slow
def test_the_site_marker_survives_an_incremental_build_that_becomes_full(warm, tmp_path):
    project = checkout(tmp_path / "project", cache_from=warm)
    assert run(project, "build").returncode == 0
    brief = project / "docs" / "briefs" / "three-dyads.en.md"
    shutil.copy(brief, brief.with_name("another.en.md"))  # a new page: the page set changes
    second = run(project, "build")
    assert second.returncode == 0, second.stderr
    assert (project / "site" / ".briefing-site").is_file()
    assert (project / "site" / "en" / "briefs" / "another.html").is_file()


def test_diff_refuses_a_revision_with_a_file_too_large_to_read(tmp_path):
    project = checkout(tmp_path / "project")
    commit(project, "base", "data", "docs")
    with (project / "data" / ".cache.yaml").open("wb") as handle:
        handle.truncate(12 * 1024 * 1024)  # compresses to almost nothing in git
    commit(project, "large", "data")
    result = run(project, "diff", "HEAD~1", "HEAD")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == ("briefing diff: data/.cache.yaml at HEAD is 12.0 MB, more than briefing check reads; "
                             "run briefing check there\n")


def test_no_handout_links_to_a_file_on_the_machine_that_built_it(site):
    for pdf in sorted((site / "pdf").glob("*.pdf")):
        for page in PdfReader(pdf).pages:
            for annotation in page.get("/Annots", []):
                action = annotation.get_object().get("/A", {})
                assert not str(action.get("/URI", "")).startswith("file:"), pdf.name


def test_relative_links_in_a_handout_point_at_the_published_site():
    from generator.handouts import published_links

    html = ('<a href="../framework.md#表-2">f</a> <a href="other.md">o</a> <a href="#fn:1">1</a> '
            '<a href="https://example.org/">e</a> <a href="../../../../etc/passwd">p</a>')
    assert published_links(html, "en/briefs/three-dyads.html", "https://briefs.example.org/") == (
        '<a href="https://briefs.example.org/en/framework.html#表-2">f</a> '
        '<a href="https://briefs.example.org/en/briefs/other.html">o</a> <a href="#fn:1">1</a> '
        '<a href="https://example.org/">e</a> <a>p</a>')
    assert published_links(html, "briefs/three-dyads.html", "") == (
        '<a>f</a> <a>o</a> <a href="#fn:1">1</a> <a href="https://example.org/">e</a> <a>p</a>')
