"""MkDocs hook: runs the generator inside `mkdocs build` and `mkdocs serve`.

mkdocs.yml names this file under `hooks:`, so plain MkDocs builds the whole
site too. The stages stay in their own modules; this file only connects them to
MkDocs' events:

- on_config: load, validate, classify, draw charts, render pages (once per build)
- on_files: swap the hand-written brief sources for their rendered language
  versions and add the generated pages, charts, fonts and downloads
- on_page_context: give the theme the page's language, counterpart and labels
- on_post_build: index the built site for search (Pagefind) and print the handouts
"""
from __future__ import annotations

import logging

from mkdocs.structure.files import File, Files, InclusionLevel

from generator.site import SiteState, finish_site, prepare_site

log = logging.getLogger("mkdocs.briefing")
_current: dict[str, SiteState] = {}  # MkDocs gives hooks no other place to keep state between events


def on_config(config):
    _current["site"] = prepare_site(config)
    return config


def on_files(files: Files, config) -> Files:
    site = _current["site"]
    kept = [file for file in files if not site.replaces(file.src_uri)]
    result = Files(kept)
    for page in site.plan.pages:
        result.append(File.generated(config, page.src_uri, content=page.markdown, inclusion=InclusionLevel.INCLUDED))
    for uri, path in site.static_files():
        result.append(File.generated(config, uri, abs_src_path=str(path)))
    for uri, content in site.plan.files:
        result.append(File.generated(config, uri, content=content))
    return result


def on_page_context(context, page, config, nav):
    context.update(_current["site"].page_context(page.file.src_uri))
    return context


def on_post_build(config):
    finish_site(_current["site"], config.site_dir)
