"""MkDocs hook: runs the generator inside `mkdocs build` and `mkdocs serve`.

mkdocs.yml names this file under `hooks:`, so plain MkDocs builds the whole
site too. The stages stay in their own modules; this file only connects them to
MkDocs' events:

- on_config: load, validate, classify, draw charts, render pages (once per build)
- on_files: swap the hand-written brief sources for their rendered language
  versions and add the generated pages, charts, fonts and downloads
- on_page_context: give the theme the page's language, counterpart and labels
- on_post_build: index the built site for search (Pagefind) and print the handouts

In an incremental build (generator/site.py build_site) the site folder starts as
hard links to the live site; on_files unlinks whatever MkDocs is about to write.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import clean_directory

from generator.inputs import ASSET_SUFFIXES
from generator.markup import sanitize
from generator.urls import THEME_OUTPUTS
from generator.site import (
    SITE_MARKER,
    STATE_FILE,
    SiteState,
    content_security_policy,
    finish_site,
    prepare_site,
    quiet_dirty_warning,
    read_state,
)

log = logging.getLogger("mkdocs.briefing")
_current: dict = {}  # MkDocs gives hooks no other place to keep state between events


def on_config(config):
    quiet_dirty_warning()
    forget_state_of(config.site_dir, Path(config.config_file_path).resolve().parent)
    _current["site"] = prepare_site(config)
    return config


def forget_state_of(site_dir: str, project: Path) -> None:
    """A plain `mkdocs build` into the folder `briefing build` last made: its record no longer holds.

    (`briefing build` itself writes into a staging folder, never into the recorded one.)
    """
    state_file = project / "build" / STATE_FILE
    if read_state(state_file).get("site") == str(Path(site_dir).resolve()):
        state_file.unlink(missing_ok=True)


def on_files(files: Files, config) -> Files:
    site = _current["site"]
    kept = [file for file in files if not site.replaces(file.src_uri) and publishable(file, config)]
    kept += [theme for file in files if (theme := shadowed_theme_file(file, config)) is not None]
    result = Files(kept)
    for page in site.plan.pages:
        result.append(File.generated(config, page.src_uri, abs_src_path=str(site.pages_dir / page.src_uri),
                                     inclusion=InclusionLevel.INCLUDED))
    for uri, path in site.static_files():
        result.append(File.generated(config, uri, abs_src_path=str(path)))
    for uri, _ in site.plan.files:
        result.append(File.generated(config, uri, abs_src_path=str(site.pages_dir / uri)))
    previous = previous_build(config)
    _current["made"] = made = {"layout": layout(result, site), "sources": {
        file.dest_uri: file.abs_src_path for file in result if not file.is_documentation_page()}}
    if previous is not None:
        prepare_incremental(result, config.site_dir, previous, made)
    _current["files"] = result
    return result


def publishable(file: File, config) -> bool:
    """A second line of defence behind `briefing check`: from docs/, only Markdown pages, pictures and PDFs,
    and nothing in place of a theme file (MkDocs lets docs/ override the theme)."""
    docs = Path(config.docs_dir).resolve()
    source = Path(file.abs_src_path or "")
    if docs not in source.parents:
        return True
    if file.is_documentation_page():
        return True
    return source.suffix.lower() in ASSET_SUFFIXES and shadowed_theme_file(file, config) is None


def shadowed_theme_file(file: File, config) -> File | None:
    """The theme's own file that a docs/ file of the same name would have replaced."""
    docs = Path(config.docs_dir).resolve()
    if file.is_documentation_page() or docs not in Path(file.abs_src_path or "").parents:
        return None
    for folder in config.theme.dirs:
        if (Path(folder) / file.src_uri).is_file() and not file.src_uri.endswith(".html"):
            return File(file.src_uri, str(folder), config.site_dir, config.use_directory_urls)
    return None


def on_page_content(html: str, page, config, files) -> str:
    """Every page's content passes the allowlist after Markdown and before the theme."""
    return sanitize(html)


def layout(files: Files, site: SiteState) -> str:
    """The page set and the web fonts: when either changes, every page is built again."""
    pages = sorted(file.src_uri for file in files if file.is_documentation_page())
    return hashlib.sha256(json.dumps([pages, site.fonts]).encode()).hexdigest()


def prepare_incremental(files: Files, site_dir: str, previous: dict, made: dict) -> None:
    """The staging folder holds hard links to the live site: unlink every file MkDocs will write.

    MkDocs writes into existing files, which would change the live site through the
    link. A static file counts as changed when its source path differs from last
    time (charts live in content-addressed cache folders) or it is newer.
    """
    site = Path(site_dir)
    if previous.get("layout") != made["layout"]:
        # A full build after all. Unlinking leaves the live site untouched; the hidden site marker stays.
        clean_directory(str(site))
        return
    sources = previous.get("sources", {})
    for file in files:
        changed = not file.is_documentation_page() and sources.get(file.dest_uri) != file.abs_src_path
        if changed or file.is_modified():
            Path(file.abs_dest_path).unlink(missing_ok=True)
    for name in THEME_OUTPUTS:  # written on every build
        (site / name).unlink(missing_ok=True)


def remove_stale(files: Files, site_dir: str) -> None:
    """Files a previous build made that this one does not (handouts and the index manage their own)."""
    site = Path(site_dir)
    wanted = {file.dest_uri for file in files} | set(THEME_OUTPUTS) | {SITE_MARKER}
    for folder, _, names in os.walk(site):
        relative = Path(folder).relative_to(site)
        if relative.parts[:1] in (("pagefind",), ("pdf",)):
            continue
        for name in names:
            if (relative / name).as_posix() not in wanted:
                (Path(folder) / name).unlink()


def on_page_context(context, page, config, nav):
    context.update(_current["site"].page_context(page.file.src_uri))
    if serving(config):
        context["content_security_policy"] = content_security_policy(serving=True)
    return context


def serving(config) -> bool:
    """`mkdocs serve` (and so `briefing serve`) points site_url at the address it serves, and injects an
    inline live-reload script into every page it serves; a build never does either."""
    address = config.dev_addr
    return bool(config.site_url) and config.site_url.startswith(f"http://{address.host}:{address.port}/")


def previous_build(config) -> dict | None:
    """What the site folder holds from the last build, when this build may reuse it.

    `briefing build` passes it in; `briefing serve` rebuilds into the same folder
    and keeps it in a file, since MkDocs loads this hook afresh for every rebuild.
    """
    if config.extra.get("briefing_previous") is not None:
        return config.extra["briefing_previous"]
    state_file = config.extra.get("briefing_serve_state")
    if not state_file:
        return None
    state = read_state(Path(state_file))
    return state if state.get("site") == config.site_dir else None


def on_post_build(config):
    previous = previous_build(config)
    if previous is not None:
        remove_stale(_current["files"], config.site_dir)
    made = {**_current["made"], **finish_site(_current["site"], config.site_dir, previous)}
    config.extra["briefing_made"] = made
    if config.extra.get("briefing_serve_state"):
        Path(config.extra["briefing_serve_state"]).write_text(
            json.dumps({"site": config.site_dir, **made}, sort_keys=True), encoding="utf-8")
