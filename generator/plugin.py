"""The MkDocs plugin: lays out the pages a build has made; it makes nothing itself.

`briefing build` hands its `Build` to the plugin (`plugin.build`) before MkDocs
runs. Run as plain `mkdocs build` or `mkdocs serve` (mkdocs.yml names the plugin),
the plugin makes a build of its own at `on_config`, runs the plan's steps up to
the layout there and the rest after MkDocs has written the pages, into the
folder MkDocs builds.

Events: on_config (the plan, when MkDocs runs alone); on_files (the generated
pages in place of the brief sources, docs/ files filtered, and in an incremental
build every file MkDocs will write unlinked first); on_nav (the build's date on
every page); on_page_content (the HTML allowlist); on_page_context (the
theme's language, counterpart, labels and share tags); on_template_context (the
hreflang clusters in sitemap.xml); on_post_build (the rest of the plan,
when MkDocs runs alone).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.utils import clean_directory

from .inputs import ASSET_SUFFIXES
from .markup import sanitize
from .pages import number_figures
from .typography import set_html
from .urls import THEME_OUTPUTS

if TYPE_CHECKING:
    from .build import Build


class BriefingConfig(base.Config):
    data_dir = c.Type(str, default="data")  # the analysts' data, relative to mkdocs.yml
    handouts = c.Type(bool, default=True)  # make the PDF handouts too


class BriefingPlugin(BasePlugin[BriefingConfig]):
    def __init__(self):
        super().__init__()
        self.build: Build | None = None  # the Build whose plan MkDocs lays out
        self.standalone = False  # True when MkDocs runs on its own (plain mkdocs build / serve)
        self.written: set[str] = set()

    def current(self) -> Build:
        if self.build is None:
            from mkdocs.exceptions import PluginError

            raise PluginError("the briefing plugin lays out a build's pages, and was given none")
        return self.build

    # -- MkDocs on its own: the plugin makes the build

    def on_config(self, config):
        if self.build is None:
            from .build import PLAN, Build, Record, Settings

            project = Path(config.config_file_path).resolve().parent
            settings = Settings.of(config.config_file_path, project / self.config.data_dir, config.docs_dir,
                                   config.site_dir, handouts=self.config.handouts)
            build = Build(settings)
            build.site_dir = Path(config.site_dir).resolve()
            build.outputs["config"] = config
            if Record.load(settings.record_file).out == str(build.site_dir):
                settings.record_file.unlink(missing_ok=True)  # MkDocs writes into the folder the record describes
            try:
                for step in PLAN[: [step.name for step in PLAN].index("layout")]:
                    build.run_step(step)
            except Exception as error:
                raise _abort(error) from None
            self.build, self.standalone = build, True
        return config

    def on_post_build(self, config):
        if not config.site_url:
            # A sitemap lists absolute addresses; with no site_url MkDocs writes an empty one, so none is published.
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                Path(config.site_dir, name).unlink(missing_ok=True)
        if not self.standalone:
            return
        from .build import PLAN

        build = self.current()
        build.outputs["html"] = frozenset(self.written)
        try:
            for step in PLAN[[step.name for step in PLAN].index("layout") + 1:]:
                build.run_step(step)
        except Exception as error:
            raise _abort(error) from None
        import logging

        for notice in build.notices:
            logging.getLogger("mkdocs.plugins.briefing").info(notice.removeprefix("briefing: "))

    # -- laying out the pages

    def on_files(self, files: Files, config) -> Files:
        from .site import site_context

        build = self.current()
        context = site_context(build)
        pages_dir = build.settings.project / "build" / "pages"
        kept = [file for file in files if not context.replaces(file.src_uri) and publishable(file, config)]
        kept += [theme for file in files if (theme := shadowed_theme_file(file, config)) is not None]
        result = Files(kept)
        for page in context.plan.pages:
            result.append(File.generated(config, page.src_uri, abs_src_path=str(pages_dir / page.src_uri),
                                         inclusion=InclusionLevel.INCLUDED))
        self.written = {file.dest_uri for file in result}
        if build.incremental and not self.standalone:
            prepare_incremental(result, Path(config.site_dir), build.previous.layout == build.record.layout)
        return result

    def on_nav(self, nav, config, files):
        # The sitemap's date, never the clock, on every page: in an incremental layout MkDocs skips the
        # page events of the pages it keeps, but writes all of them into the sitemap.
        date = self.current().source_date().isoformat()
        for file in files.documentation_pages():
            if file.page is not None:
                file.page.update_date = date
        return nav

    def on_page_content(self, html: str, page, config, files) -> str:
        """Every page's content passes the allowlist after Markdown, then is set in its language's typography."""
        from .site import site_context

        lang = site_context(self.current()).text_lang(page.file.src_uri)
        return set_html(number_figures(sanitize(html), lang), lang)

    def on_page_context(self, context, page, config, nav):
        from .site import site_context

        context.update(site_context(self.current()).page_context(page.file.src_uri, serving=serving(config)))
        return context

    def on_template_context(self, context, template_name, config):
        """sitemap.xml lists each page's hreflang cluster beside it."""
        if template_name == "sitemap.xml":
            from .site import site_context

            context["alternates"] = site_context(self.current()).sitemap_alternates()
        return context


def _abort(error: Exception):
    """A problem in the data or the build, said the way MkDocs ends a build."""
    from mkdocs.exceptions import Abort

    from .model import DataError

    if isinstance(error, DataError):
        import logging

        log = logging.getLogger("mkdocs.plugins.briefing")
        for problem in error.problems:
            log.error(str(problem))
        return Abort(f"{len(error.problems)} problem(s) in the data; fix them and run again")
    return Abort(f"the site was not built: {error}")


def serving(config) -> bool:
    """`mkdocs serve` points site_url at the address it serves and injects an inline live-reload script
    into every page it serves; a build never does either."""
    address = config.dev_addr
    return bool(config.site_url) and config.site_url.startswith(f"http://{address.host}:{address.port}/")


def publishable(file: File, config) -> bool:
    """A second line of defence behind `briefing check`: from docs/, only Markdown pages, pictures and PDFs,
    and nothing in place of a theme file (MkDocs lets docs/ override the theme)."""
    docs = Path(config.docs_dir).resolve()
    source = Path(file.abs_src_path or "")
    if docs not in source.parents or file.is_documentation_page():
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


def prepare_incremental(files: Files, site: Path, same_pages: bool) -> None:
    """The staging folder holds hard links to the live site: unlink every file MkDocs will write.

    MkDocs writes into existing files, which would change the live site through the
    link. When the page set changed, every page is laid out again: the folder is
    emptied (the links only; the hidden site marker stays).
    """
    if not same_pages:
        clean_directory(str(site))
        return
    for file in files:
        # Static files are copied again whatever their dates say (MkDocs goes by dates, and a copy written
        # into a kept file would go through the link); pages are laid out again when their Markdown changed.
        if not file.is_documentation_page() or file.is_modified():
            Path(file.abs_dest_path).unlink(missing_ok=True)
    for name in THEME_OUTPUTS:  # written on every build
        (site / name).unlink(missing_ok=True)
