"""The build plan, its cache and its swap: whatever state the cache or the site folder is in, a build
gives what a clean build of a fresh checkout gives."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from projects import build, built, checkout, differences, environment, stage_line, tree

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def reference(warm):
    """A clean build of a fresh checkout: the site every other build here must equal, and a warm cache."""
    return warm, tree(warm / "site")


def damage(path: Path, how: str) -> None:
    if how == "truncate":
        path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])
    elif how == "delete":
        path.unlink()
    else:  # the same size, other bytes: only the digest can tell
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["truncate", "delete", "corrupt"])
def test_a_damaged_cache_gives_the_clean_build(reference, tmp_path, how):
    source, expected = reference
    project = checkout(tmp_path / "project")
    shutil.copytree(source / "build" / "cache", project / "build" / "cache")  # copies: damage stays here
    damaged = []
    for kind in sorted((project / "build" / "cache").iterdir()):
        entries = sorted(path for path in kind.iterdir() if path.is_dir())
        for entry in (entries[0], entries[-1]):
            for name in sorted(path.relative_to(entry).as_posix() for path in entry.rglob("*") if path.is_file()):
                if (name == "entry.json") == (entry == entries[-1]):
                    damage(entry / name, how)
                    damaged.append(f"{kind.name}/{entry.name[:6]}/{name}")
                    break
    assert {name.split("/")[0] for name in damaged} == {"charts", "fonts", "handouts", "references", "search"}
    result = build(project, "--clean")
    assert result.returncode == 0, result.stderr
    assert differences(tree(project / "site"), expected) == []
    # The damaged entries were made again: a second clean build takes everything from the cache.
    again = build(project, "--clean")
    assert "0 from the cache" not in stage_line(again.stderr, "charts")
    assert differences(tree(project / "site"), expected) == []


def test_two_builds_started_together_leave_the_clean_build(reference, tmp_path):
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    command = [sys.executable, "-m", "generator", "build"]
    first, second = (subprocess.Popen(command, cwd=project, env=environment(project), stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True) for _ in range(2))
    outputs = [process.communicate(timeout=600) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert differences(tree(project / "site"), expected) == []
    waited = [err for _, err in outputs if "another build is running in this folder; waiting for it to finish" in err]
    later = [err for _, err in outputs if "nothing changed since the last build" in err]
    assert len(waited) == 1 and later == waited  # the second waited, then found the site up to date
    assert sorted(path.name for path in project.iterdir() if path.name.startswith("site")) == ["site"]


def test_a_deleted_or_altered_published_file_is_restored(reference, tmp_path):
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    site = built(project)
    (site / "index.html").unlink()
    (site / "pdf" / "three-dyads.zh-TW.pdf").unlink()
    shutil.rmtree(site / "pagefind")
    (site / "charts" / "dyads" / "russia-china" / "matrix.en.svg").write_text("<svg/>", "utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert "nothing changed" not in result.stderr
    assert differences(tree(site), expected) == []


KILL = textwrap.dedent("""
    import os, sys
    from generator import build, cli

    point = sys.argv[1]
    real_exchange, real_rmtree, real_rename = build.exchange, build.shutil.rmtree, build.Path.rename

    def exchange(first, second):
        if point == "before exchange":
            os._exit(9)
        if point == "no exchange":
            return False
        done = real_exchange(first, second)
        if point == "after exchange":
            os._exit(9)
        return done

    renames = []

    def rename(self, target):
        if build.Path(target).name not in ("site", "site.old"):  # the store renames its entries too
            return real_rename(self, target)
        renames.append(target)
        if point == "between renames" and len(renames) == 2:
            os._exit(9)
        result = real_rename(self, target)
        if point == "after renames" and len(renames) == 2:
            os._exit(9)
        return result

    build.exchange = exchange
    build.Path.rename = rename
    if point in ("between renames", "after renames"):
        build.exchange = lambda first, second: False
    sys.exit(cli.main(["build"]))
""")


@pytest.mark.parametrize("point", ["before exchange", "after exchange", "between renames", "after renames"])
def test_a_build_killed_during_the_swap_leaves_a_complete_site(reference, tmp_path, point):
    """`between renames` is the fallback where the system cannot exchange two folders: the old site is
    aside as site.old at that instant, and the next build puts it back before anything else."""
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    shutil.copytree(source / "site", project / "site")  # the published site, as a copy (no record: a full build)
    old = tree(project / "site")
    dyad = project / "data" / "dyads" / "russia-china.yaml"
    dyad.write_text(dyad.read_text("utf-8").replace("    external: medium\n", "    external: high\n", 1), "utf-8")
    killed = subprocess.run([sys.executable, "-c", KILL, point], cwd=project, env=environment(project),
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == 9, killed.stderr
    if point != "between renames":
        assert tree(project / "site") in (old, tree_after_edit(reference, tmp_path))
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in project.iterdir() if path.name.startswith("site")) == ["site"]
    assert differences(tree(project / "site"), tree_after_edit(reference, tmp_path)) == []


_EDITED: dict[str, dict[str, bytes]] = {}


def tree_after_edit(reference, tmp_path) -> dict[str, bytes]:
    """A clean build with Russia–China edited as the kill test edits it (made once)."""
    if "site" not in _EDITED:
        source, _ = reference
        project = checkout(tmp_path / "edited", cache_from=source)
        dyad = project / "data" / "dyads" / "russia-china.yaml"
        dyad.write_text(dyad.read_text("utf-8").replace("    external: medium\n", "    external: high\n", 1), "utf-8")
        _EDITED["site"] = tree(built(project, "--clean"))
    return _EDITED["site"]


def test_a_change_to_the_chart_labels_draws_the_charts_again(reference, tmp_path):
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    labels = project / "generator" / "labels.yaml"
    text = labels.read_text("utf-8")
    assert text.count('en: "filled: main reading"') == 1  # drawn under every matrix
    labels.write_text(text.replace('en: "filled: main reading"', 'en: "solid: main reading"', 1), "utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert stage_line(result.stderr, "charts").endswith("(108 charts, 0 from the cache)")
    changed = differences(tree(project / "site"), expected)
    assert "charts/dyads/russia-china/matrix.en.svg" in changed
    assert "charts/dyads/russia-china/matrix.zh-TW.svg" not in changed


def test_a_change_to_a_page_template_lays_out_the_pages_again(reference, tmp_path):
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    template = project / "templates" / "pages" / "framework.html"
    template.write_text(template.read_text("utf-8") + "\n<!-- a template edit -->\n", "utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert stage_line(result.stderr, "staging").endswith("(full build)")
    changed = differences(tree(project / "site"), expected)
    assert "framework.html" in changed and "en/framework.html" in changed


def test_a_second_build_is_told_another_is_running_and_exits_1_when_asked_not_to_wait(reference, tmp_path):
    import fcntl

    source, _ = reference
    project = checkout(tmp_path / "project", cache_from=source)
    (project / "build").mkdir(exist_ok=True)
    with (project / "build" / "lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = build(project, "--no-wait")
    assert result.returncode == 1
    assert result.stderr == "briefing: another build is running in this folder; try again when it has finished\n"
    assert not (project / "site").exists()


def test_a_character_new_to_the_site_changes_only_its_brief_its_pdf_the_index_and_its_font_slices(reference, tmp_path):
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    built(project)
    brief = project / "docs" / "briefs" / "three-dyads.zh-TW.md"
    assert "龘" not in "".join(path.read_text("utf-8") for path in (project / "site").rglob("*.html"))
    brief.write_text(brief.read_text("utf-8") + "\n龘。\n", "utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert stage_line(result.stderr, "pages").endswith("(63 pages, 2 changed)")  # the brief and its zh-Hans page
    changed = differences(tree(project / "site"), expected)
    # The stylesheet and, per weight, the one slice whose boundaries hold the character: cut again under a new name.
    slices = {name.rsplit("-", 2)[0] + "-" + name.rsplit("-", 2)[1] for name in changed
              if name.startswith("assets/fonts/") and name.endswith(".woff2")}
    # The character is in both faces, and on the zh-Hans page too (OpenCC leaves it as it is).
    assert sorted(slice.rsplit("-", 1)[0] for slice in slices) == [
        "assets/fonts/noto-sans-sc-bold", "assets/fonts/noto-sans-sc-regular", "assets/fonts/noto-sans-tc-bold",
        "assets/fonts/noto-sans-tc-regular"]
    assert "assets/fonts/fonts.css" in changed
    assert sorted(name for name in changed if not name.startswith(("pagefind/", "assets/fonts/"))) == [
        "briefs/three-dyads.html", "pdf/three-dyads.zh-Hans.pdf", "pdf/three-dyads.zh-TW.pdf",
        "zh-hans/briefs/three-dyads.html"]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    if old not in text:
        raise AssertionError(f"{old!r} not in {path}")
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_what_every_page_shows_besides_its_own_text_lays_every_page_out_again(reference, tmp_path):
    """mkdocs.yml, the hand-written pages and files in docs/: an incremental build equals a clean one."""
    source, _ = reference
    project = checkout(tmp_path / "project", cache_from=source)
    site = built(project)
    edit(project / "mkdocs.yml", "copyright: © 2025 Alliance Briefs", "copyright: © 2025 Alliance Briefs Desk")
    (project / "docs" / "about.md").write_text("# 關於本站\n\n說明...\n", "utf-8")
    brief = project / "docs" / "briefs" / "three-dyads.zh-TW.md"
    brief.write_text(brief.read_text("utf-8") + "\n見[關於本站](../about.md)。\n", "utf-8")
    assert build(project).returncode == 0
    pages = [path.read_text("utf-8") for path in site.rglob("*.html") if path.name != "404.html"]
    assert len(pages) == 64 and all("© 2025 Alliance Briefs Desk" in page for page in pages)
    # A page the brief links to goes away: the strict link check sees it, as in a clean build.
    (project / "docs" / "about.md").unlink()
    result = build(project)
    assert result.returncode == 1
    assert "three-dyads.zh-TW.md:" in result.stderr and "the link '../about.md' points to a page" in result.stderr


def test_a_replaced_picture_is_published_whatever_its_date(reference, tmp_path):
    import os

    from PIL import Image

    source, _ = reference
    project = checkout(tmp_path / "project", cache_from=source)
    picture = project / "docs" / "briefs" / "map.png"
    Image.new("RGB", (8, 8), "red").save(picture)
    brief = project / "docs" / "briefs" / "three-dyads.zh-TW.md"
    brief.write_text(brief.read_text("utf-8") + "\n![地圖](map.png)\n", "utf-8")
    site = built(project)
    Image.new("RGB", (8, 8), "blue").save(picture)
    os.utime(picture, (946684800, 946684800))  # older than the published copy
    assert build(project).returncode == 0
    assert (site / "briefs" / "map.png").read_bytes() == picture.read_bytes()


@pytest.mark.parametrize("damage_kind", ["empty listing", "file in its place", "other metadata"])
def test_an_entry_with_an_odd_listing_is_made_again(reference, tmp_path, damage_kind):
    import json

    source, expected = reference
    project = checkout(tmp_path / "project")
    shutil.copytree(source / "build" / "cache", project / "build" / "cache")
    entries = sorted(path for path in (project / "build" / "cache" / "charts").iterdir())
    for entry in entries[:3]:
        if damage_kind == "empty listing":
            (entry / "entry.json").write_text('{"files": {}}', "utf-8")
        elif damage_kind == "file in its place":
            shutil.rmtree(entry)
            entry.write_text("not a folder", "utf-8")
        else:  # valid JSON, other words: the checksum in entry.json no longer matches
            meta = json.loads((entry / ".meta.json").read_text("utf-8"))
            meta["alt"] = "CORRUPTED"
            (entry / ".meta.json").write_text(json.dumps(meta), "utf-8")
    result = build(project, "--clean")
    assert result.returncode == 0, result.stderr
    assert stage_line(result.stderr, "charts").endswith("(108 charts, 105 from the cache)")
    assert differences(tree(project / "site"), expected) == []


def test_an_incremental_build_stamps_every_page_with_the_data_date_not_the_clock(reference, tmp_path):
    source, expected = reference
    project = checkout(tmp_path / "project", cache_from=source)
    environment_without_epoch = {name: value for name, value in environment(project).items()
                                 if name != "SOURCE_DATE_EPOCH"}
    settings = project / "mkdocs.yml"  # a sitemap needs the site's address
    settings.write_text(settings.read_text("utf-8") + "site_url: https://alliances.example/\n", "utf-8")
    command = [sys.executable, "-m", "generator", "build"]
    for _ in range(2):
        brief = project / "docs" / "briefs" / "three-dyads.en.md"
        brief.write_text(brief.read_text("utf-8") + "\nOne more line.\n", "utf-8")
        result = subprocess.run(command, cwd=project, env=environment_without_epoch, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
    sitemap = (project / "site" / "sitemap.xml").read_text("utf-8")
    dates = set(re.findall(r"<lastmod>([^<]+)</lastmod>", sitemap))
    assert len(dates) == 1 and dates != {dt.date.today().isoformat()}, dates
