"""Stage timings and progress: a bar on a terminal, one line per stage in CI logs."""
from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path


class Stages:
    """Times each stage of a build; the benchmark reads what `save` writes."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.seconds: dict[str, float] = {}
        self.notes: dict[str, str] = {}
        self.marks: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield self
        finally:
            self.finish(name, time.perf_counter() - start)

    def mark(self, name: str) -> None:
        self.marks[name] = time.perf_counter()

    def since(self, mark: str, name: str) -> None:
        self.finish(name, time.perf_counter() - self.marks.pop(mark, time.perf_counter()))

    def finish(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        note = f" ({self.notes[name]})" if name in self.notes else ""
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(f"briefing: {name} {seconds:.1f} s{note}\n")
        self.stream.flush()

    def bar(self, name: str):
        """A callback for long stages: draws a bar on a terminal, stays silent in logs."""

        def update(done: int, total: int) -> None:
            if not self.tty or total <= 0:
                return
            filled = int(30 * done / total)
            self.stream.write(f"\r\x1b[Kbriefing: {name} [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}")
            self.stream.flush()

        return update

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"seconds": self.seconds, "notes": self.notes}, indent=2, sort_keys=True) + "\n",
                        encoding="utf-8")
