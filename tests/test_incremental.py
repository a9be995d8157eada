"""Incremental builds: only what changed is rebuilt, the result equals a clean build, the live site is never written through."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from projects import build, checkout, environment, stage_line, tree

pytestmark = pytest.mark.slow


def inodes(site: Path) -> dict[str, int]:
    return {str(path.relative_to(site)): path.stat().st_ino for path in site.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def edited(warm, tmp_path_factory):
    """A built checkout, then China's external threat in Russia–China raised and built again."""
    project = checkout(tmp_path_factory.mktemp("incremental") / "project", cache_from=warm)
    first = build(project)
    assert first.returncode == 0, first.stderr
    site = project / "site"
    before_bytes, before_inodes = tree(site), inodes(site)
    snapshot = project / "snapshot"  # links to the first site's files: any write through a link shows here
    shutil.copytree(site, snapshot, copy_function=os.link)
    dyad = project / "data" / "dyads" / "russia-china.yaml"
    dyad.write_text(dyad.read_text("utf-8").replace("    external: medium\n", "    external: high\n", 1), "utf-8")
    second = build(project)
    assert second.returncode == 0, second.stderr
    return project, second, before_bytes, before_inodes


def test_an_edit_rebuilds_only_the_pages_it_touches(edited):
    project, second, before, _ = edited
    assert "(63 pages, " in stage_line(second.stderr, "pages")
    changed = int(stage_line(second.stderr, "pages").split(", ")[1].split(" ")[0])
    # Russia–China in each language, the home and dyad index, the triad, the briefs that embed it, the pages of
    # its three actors, and the guide and framework pages, which work through it as their example.
    assert 6 <= changed <= 39
    after = tree(project / "site")
    assert after["dyads/russia-china.html"] != before["dyads/russia-china.html"]
    assert after["framework.html"] != before["framework.html"]
    assert after["bibliography.html"] == before["bibliography.html"]
    timings = json.loads((project / "build" / "timings.json").read_text("utf-8"))
    assert set(timings["seconds"]) == {"staging", "read", "charts", "pages", "fonts", "cards", "layout", "files",
                                       "search", "handouts", "publish"}
    linked = int(timings["notes"]["staging"].split(" ")[0])
    assert timings["notes"]["staging"] == f"{linked} files linked from the previous site" and linked > 100


def test_unchanged_files_are_kept_not_rewritten(edited):
    project, _, before_bytes, before_inodes = edited
    after = inodes(project / "site")
    kept = {name for name in after if after[name] == before_inodes.get(name)}
    # Pages, charts and handouts of the two untouched dyads are the very same files as before.
    for name in ("en/dyads/russia-north-korea.html", "charts/dyads/north-korea-china/matrix.en.svg",
                 "pdf/dyad-russia-north-korea.zh-TW.pdf", "events.html", "en/bibliography.html"):
        assert name in kept, name
    for name in ("dyads/russia-china.html", "charts/dyads/russia-china/matrix.zh-TW.svg",
                 "pdf/dyad-russia-china.en.pdf"):
        assert name not in kept, name


def test_the_previous_site_was_never_written_through_its_links(edited):
    project, _, before_bytes, _ = edited
    assert tree(project / "snapshot") == before_bytes


def test_the_incremental_result_equals_a_clean_build(warm, edited, tmp_path):
    project, _, _, _ = edited
    fresh = checkout(tmp_path / "fresh", cache_from=warm)
    shutil.copy(project / "data" / "dyads" / "russia-china.yaml", fresh / "data" / "dyads" / "russia-china.yaml")
    result = build(fresh, "--clean")
    assert result.returncode == 0, result.stderr
    incremental, clean = tree(project / "site"), tree(fresh / "site")
    assert sorted(incremental) == sorted(clean)
    assert [name for name in clean if clean[name] != incremental[name]] == []


def test_a_build_with_nothing_changed_leaves_the_site_alone(edited):
    project, _, _, _ = edited
    site = project / "site"
    before = inodes(site)
    (project / "data" / "events.yaml").touch()  # a newer file date alone is no change
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert stage_line(result.stderr, "inputs check").endswith(
        "(nothing changed since the last build; the site is up to date)")
    assert "briefing: pages" not in result.stderr
    assert inodes(site) == before
    # Any change of content counts, even a blank line added at the end.
    events = project / "data" / "events.yaml"
    events.write_text(events.read_text("utf-8") + "\n", "utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert "briefing: inputs check" not in result.stderr and "(63 pages, 0 changed)" in result.stderr


def test_a_change_to_the_theme_makes_a_full_build(edited):
    project, _, _, _ = edited
    theme = project / "templates" / "theme" / "main.html"
    theme.write_text(theme.read_text("utf-8").replace("</body>", "<!-- edited -->\n</body>"), "utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    site = project / "site"
    pages = list(site.rglob("*.html"))
    assert pages and all(b"<!-- edited -->" in page.read_bytes() for page in pages if page.name != "404.html")
    record = json.loads((project / "build" / "record.json").read_text("utf-8"))
    assert record["out"] == str(site.resolve()) and record["complete"] is True


def test_serve_prints_its_address_shows_problems_and_reloads_after_an_edit(warm, tmp_path):
    import socket
    import time
    import urllib.request

    project = checkout(tmp_path / "serve", cache_from=warm)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--addr", f"127.0.0.1:{port}"],
                              cwd=project, env=environment(project), stdout=log, stderr=subprocess.STDOUT)

    def fetch(path: str) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.read().decode("utf-8")

    def state() -> dict:
        return json.loads(fetch("/__briefing__/state"))

    def wait_for(condition, seconds: float = 240) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and server.poll() is None:
            try:
                if condition():
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError((tmp_path / "serve.log").read_text("utf-8"))

    page = "/en/dyads/russia-china.html"
    try:
        wait_for(lambda: "search index and PDFs rebuilt" in (tmp_path / "serve.log").read_text("utf-8"))
        served = fetch(page)
        assert "balancing–hedging" in served
        # The live script is added as pages are served, from the site's own address: the policy stays strict.
        assert served.endswith('<script src="/__briefing__/live.js"></script></body>\n</html>\n')
        assert "'unsafe-inline'" not in served
        assert b"live.js" not in (project / "site" / "en" / "dyads" / "russia-china.html").read_bytes()
        generation = state()["generation"]
        dyad = project / "data" / "dyads" / "russia-china.yaml"
        good = dyad.read_text("utf-8")
        dyad.write_text(good.replace("external: USA\n", "external: [USA\n", 1), "utf-8")
        wait_for(lambda: state()["problems"])
        assert state()["problems"][0].startswith("data/dyads/russia-china.yaml:4: this is not valid YAML")
        assert state()["headings"] == {"zh-TW": "資料或頁面有 1 個問題；目前顯示的是上次成功建置的網站。",
                                       "en": "1 problem(s) in the data or pages; this is the last site that built.",
                                       "zh-Hans": "数据或页面有 1 个问题；目前显示的是上次成功建置的网站。"}
        assert "balancing–hedging" in fetch(page)  # the last good site is still served
        dyad.write_text(good.replace("    external: high\n", "    external: low\n", 1), "utf-8")
        wait_for(lambda: state()["problems"] == [] and state()["generation"] > generation)
        assert "balancing–hedging" not in fetch(page)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text("utf-8")
    assert output.splitlines()[0] == f"briefing serve: serving http://127.0.0.1:{port}/ (Ctrl+C to stop)"
    assert "data/dyads/russia-china.yaml:4: this is not valid YAML" in output
    rebuilt = [line for line in output.splitlines() if line.startswith("briefing: pages ")]
    assert rebuilt[0].endswith("(63 pages, 63 changed)"), rebuilt
    # The edit changes Russia–China's type, which a score of pages show (with its actors' pages, and the guide and
    # framework pages, whose example it is); the rest are not laid out again.
    edited = [int(line.split(", ")[1].split(" ")[0]) for line in rebuilt[1:]]
    assert any(6 <= count <= 39 for count in edited), rebuilt
    assert "Traceback" not in output


def test_a_plain_mkdocs_build_into_the_site_makes_the_next_build_full(warm, tmp_path):
    project = checkout(tmp_path / "plain", cache_from=warm)
    assert build(project).returncode == 0
    assert (project / "build" / "record.json").exists()
    plain = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet"], cwd=project,
                           env=environment(project), capture_output=True, text=True, timeout=900)
    assert plain.returncode == 0, plain.stderr
    assert not (project / "build" / "record.json").exists()
    again = build(project)
    assert again.returncode == 0, again.stderr
    assert stage_line(again.stderr, "staging").endswith("(full build)")


def test_an_unreadable_build_record_means_a_full_build(warm, tmp_path):
    project = checkout(tmp_path / "record", cache_from=warm)
    assert build(project).returncode == 0
    for record in ("{not json", "[]", '{"site": 3}', '{"version": 2, "out": 7}'):
        (project / "build" / "record.json").write_text(record, "utf-8")
        again = build(project)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
        assert stage_line(again.stderr, "staging").endswith("(full build)"), record
