"""The only way the build reads a resource while laying out handouts.

Entry point: `LocalFetcher(folders, files)`, given to WeasyPrint as its URL
fetcher. It serves the given files (the build's own: charts, stylesheet), and
from inside the given folders only pictures and fonts whose bytes are what their
names say (after resolving links, so a link cannot lead out); nothing else: no network, no `file://` elsewhere, no
`data:` URLs. A refused address is logged and left out of the PDF; `briefing
check` refuses such addresses in briefs before a build ever gets here.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from .inputs import SIGNATURES, content_problem

log = logging.getLogger("briefing.fetch")
MAX_RESOURCE_BYTES = 64 * 1024 * 1024  # the largest font or chart is a few MB


class RefusedAddress(ValueError):
    """WeasyPrint catches this, logs it and lays the page out without the resource."""


class LocalFetcher(URLFetcher):
    def __init__(self, folders, files=frozenset()):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.folders = tuple(Path(folder).resolve() for folder in folders)
        self.files = frozenset(files)  # resolved paths
        self.refused: list[str] = []

    def allows(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        if path in self.files:
            return path if path.is_file() else None
        if not any(folder in path.parents for folder in self.folders) or not path.is_file():
            return None
        # A picture named .png that holds SVG would be drawn as SVG, with its text and its own fetches.
        if path.suffix.lower() not in SIGNATURES or content_problem(path, path.suffix) is not None:
            return None
        return path

    def fetch(self, url, headers=None):
        path = self.allows(url)
        if path is None:
            self.refused.append(url)
            log.warning("a handout asked for %s, which is outside the files the build may read; it was left out",
                        url[:200])
            raise RefusedAddress(f"the build reads only its own files, not {url[:200]}")
        if path.stat().st_size > MAX_RESOURCE_BYTES:
            raise RefusedAddress(f"{path.name} is larger than a handout resource may be")
        mime, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime or "application/octet-stream"})
