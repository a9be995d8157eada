"""`briefing serve`: the site on a local address, rebuilt as the author types.

Entry point: `Server(settings, address, say).run()`. A watcher polls the project's
inputs; on a change it builds the pages first (`Build(pages_only=True)`), tells the
browser to reload, then builds the rest (search index, PDFs) in the background. A
newer change cancels that background build at its next step. Every problem is
printed as `path:line: message` and shown over the page in the browser, which keeps
showing the last good site. A change to the generator's own code restarts the
command, which reuses every output the store holds.

The pages get one extra script, `/__briefing__/live.js`, added as they are served
(never into the site folder): it polls `/__briefing__/state` and reloads or shows the
problems. It is loaded from the site's own address, so the pages' policy allows it.
"""
from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .build import Build, Cancelled, Settings, SiteNotBuilt
from .model import DataError, Problem

LIVE_SCRIPT = b"""(() => {
  let seen = null;
  const show = (problems) => {
    let box = document.getElementById("briefing-problems");
    if (!problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "briefing-problems";
      Object.assign(box.style, {position: "fixed", left: "0", right: "0", bottom: "0", maxHeight: "50vh",
        overflow: "auto", background: "#fff4f4", color: "#5c0000", borderTop: "3px solid #b00020",
        padding: "0.75rem 1rem", font: "14px/1.5 " + getComputedStyle(document.body).fontFamily,
        zIndex: "1000", whiteSpace: "pre-wrap"});  // the site's own font: no system font may be there for Chinese
      document.body.appendChild(box);
    }
    const heading = document.createElement("strong");
    heading.textContent = problems.heading;
    Object.assign(heading.style, {display: "block", fontSize: "15px", marginBottom: "0.4rem"});
    box.replaceChildren(heading, problems.join("\\n"));
  };
  const poll = async () => {
    try {
      const state = await (await fetch("/__briefing__/state", {cache: "no-store"})).json();
      if (seen !== null && state.generation !== seen) { location.reload(); return; }
      seen = state.generation;
      const lang = document.documentElement.lang;
      state.problems.heading = state.headings[lang] || Object.values(state.headings)[0];
      show(state.problems);
    } catch (error) { /* the server is restarting */ }
    setTimeout(poll, 400);
  };
  poll();
})();
"""
WATCHED = ("data", "docs", "templates")
POLL_SECONDS = 0.25


@dataclass
class ServeState:
    """What the browser asks for: which site it shows and what is wrong with the latest edit."""

    generation: int = 0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def as_json(self) -> bytes:
        from .framework import LABELS
        from .model import LANGUAGES

        with self.lock:
            headings = {lang: LABELS("serve_problems", lang, count=len(self.problems)) for lang in LANGUAGES}
            return json.dumps({"generation": self.generation, "problems": self.problems, "headings": headings},
                              ensure_ascii=False).encode("utf-8")

    def published(self) -> None:
        with self.lock:
            self.generation += 1
            self.problems = []

    def failed(self, problems: list[str]) -> None:
        with self.lock:
            self.problems = problems


class Handler(SimpleHTTPRequestHandler):
    """The site folder as it is at each request, plus the live script and the state."""

    def __init__(self, *args, state: ServeState, site: Path, **kwargs):
        self.state = state
        self.site = site
        super().__init__(*args, directory=str(site), **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):
        if self.path.startswith("/__briefing__/"):
            self._answer(*{"/__briefing__/state": ("application/json", self.state.as_json()),
                           "/__briefing__/live.js": ("text/javascript", LIVE_SCRIPT)}
                         .get(self.path.split("?")[0], ("text/plain", b"")))
            return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            if not self.path.split("?")[0].endswith("/"):  # /en -> /en/, so relative links resolve from there
                self.send_response(301)
                self.send_header("Location", self.path.split("?")[0] + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes()
            page = page.replace(b"</body>", b'<script src="/__briefing__/live.js"></script></body>', 1)
            self._answer("text/html; charset=utf-8", page)
            return
        super().do_GET()

    def _answer(self, kind: str, body: bytes) -> None:
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def snapshot(settings: Settings) -> dict[str, tuple[int, int]]:
    """Every watched file by modification time and size."""
    folders = [settings.data_dir, settings.docs_dir, settings.project / "templates"]
    listing = {str(settings.config_file): _stat(settings.config_file)}
    for folder in folders:
        for root, _, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                listing[path] = _stat(Path(path))
    return listing


def code_snapshot() -> dict[str, tuple[int, int]]:
    folder = Path(__file__).resolve().parent
    return {str(path): _stat(path) for path in folder.glob("*.py")}


def _stat(path: Path) -> tuple[int, int]:
    try:
        info = path.stat()
    except OSError:
        return (0, -1)
    return (info.st_mtime_ns, info.st_size)


class Server:
    def __init__(self, settings: Settings, address: tuple[str, int], say, analyse):
        self.settings = settings
        self.address = address
        self.say = say
        self.analyse = analyse  # load -> validate -> classify, raising DataError
        self.state = ServeState()
        self.background: threading.Thread | None = None
        self.cancel = threading.Event()

    def rebuild(self) -> None:
        """Pages first, published at once; the rest in the background."""
        self.cancel.set()
        if self.background is not None:
            self.background.join()
        self.cancel = threading.Event()
        started = time.perf_counter()
        try:
            analysis = self.analyse()
            Build(self.settings, analysis, say=self.say, pages_only=True).run()
        except Exception as error:  # shown over the page: the last good site stays served
            self.problems(self.described(error))
            return
        self.state.published()
        self.say(f"briefing serve: pages rebuilt in {time.perf_counter() - started:.1f} s")
        self.background = threading.Thread(target=self.finish, args=(analysis, self.cancel), daemon=True)
        self.background.start()

    def finish(self, analysis, cancel: threading.Event) -> None:
        started = time.perf_counter()
        try:
            Build(self.settings, analysis, say=self.say, cancel=cancel).run()
        except Cancelled:
            return
        except Exception as error:  # shown, not fatal: the pages are already served
            self.problems(self.described(error))
            return
        self.state.published()
        self.say(f"briefing serve: search index and PDFs rebuilt in {time.perf_counter() - started:.1f} s")

    def described(self, error: Exception) -> list:
        """A failed build's problems as `briefing build` would word them."""
        from .cli import disk_error

        if isinstance(error, DataError):
            return list(error.problems)
        if isinstance(error, SiteNotBuilt):
            return list(error.problems) or [Problem(str(self.settings.config_file.name), 1, error.reason)]
        where = str(self.settings.out)
        if isinstance(error, OSError):
            return [Problem(where, 1, disk_error(error))]
        return [Problem(where, 1, f"the site was not built: {error}")]

    def problems(self, problems: list) -> None:
        for problem in problems:
            print(problem, file=sys.stderr)
        self.say(f"briefing serve: {len(problems)} problem{'s' if len(problems) != 1 else ''}; "
                 "the last good site is still served")
        self.state.failed([str(problem) for problem in problems])

    def run(self) -> None:
        handler = partial(Handler, state=self.state, site=self.settings.out)
        server = ThreadingHTTPServer(self.address, handler)
        inputs, code = snapshot(self.settings), code_snapshot()
        threading.Thread(target=server.serve_forever, daemon=True).start()
        host, port = self.address[0], server.server_address[1]
        self.say(f"briefing serve: serving http://{host}:{port}/ (Ctrl+C to stop)")
        self.rebuild()
        try:
            while True:
                time.sleep(POLL_SECONDS)
                if code_snapshot() != code:
                    self.say("briefing serve: the generator's code changed; restarting")
                    self.cancel.set()
                    if self.background is not None:
                        self.background.join()  # its workers hold the listening socket until they end
                    server.server_close()
                    os.execv(sys.executable, [sys.executable, "-m", "generator", *sys.argv[1:]])
                now = snapshot(self.settings)
                if now != inputs:
                    inputs = now
                    self.rebuild()
        finally:
            self.cancel.set()
            server.shutdown()
            server.server_close()
