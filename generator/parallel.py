"""Run independent jobs on every core without sending their output through pipes.

Each worker takes a fixed share of the jobs, does them (writing its files itself) and
hands back only small JSON results through a file. Streaming large results back
through a multiprocessing pool can stall once the pipes fill, so nothing large
crosses a process boundary here.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


class WorkerFailed(Exception):
    """A job raised in a worker; the message is the job's own error."""


def run_parallel(jobs: Sequence[Job], work: Callable[[Job], Result], workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 finish: Callable[[], None] | None = None) -> list[Result]:
    """`work(job)` for every job, in order; results must be JSON-serialisable (from a worker they
    come back as JSON gives them, so return plain values: str, int, lists and dicts of them).

    `finish()` runs in each worker after its last job: a worker ends with os._exit, which runs
    no finalizer, so what `work` leaves behind (temporary files) is cleared there."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if workers == 1 or len(jobs) <= 4:
        in_order: list[Result] = []
        for done, job in enumerate(jobs, 1):
            try:
                in_order.append(work(job))
            except OSError:
                raise
            except Exception as error:  # as a worker reports it, however many jobs there are
                raise WorkerFailed(str(error) or traceback.format_exc()) from error
            if progress:
                progress(done, len(jobs))
        return in_order
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    with tempfile.TemporaryDirectory(prefix="briefing-") as folder:
        shares = [list(range(start, len(jobs), workers)) for start in range(workers)]

        def worker(number: int) -> None:
            outcome: dict = {"results": {}}
            try:
                for index in shares[number]:
                    outcome["results"][index] = work(jobs[index])
                    with counter.get_lock():
                        counter.value += 1
            except OSError as error:  # a full disk or a permission: the parent raises it again as it was
                outcome["os_error"] = [error.errno, error.strerror, error.filename, None, error.filename2]
            except Exception as error:  # reported to the parent, which raises it there
                outcome["error"] = str(error) if isinstance(error, Exception) and str(error) else traceback.format_exc()
            if finish is not None:
                try:
                    finish()
                except OSError:
                    pass  # leftovers in the temporary folder never stop a build
            Path(folder, f"{number}.json").write_text(json.dumps(outcome), encoding="utf-8")
            os._exit(0)

        processes = [context.Process(target=worker, args=(number,)) for number in range(workers)]
        for process in processes:
            process.start()
        while any(process.is_alive() for process in processes):
            if progress:
                progress(counter.value, len(jobs))
            time.sleep(0.2)
        for process in processes:
            process.join()
        results: dict[int, Result] = {}
        for number, process in enumerate(processes):
            report = Path(folder, f"{number}.json")
            if not report.exists():
                raise WorkerFailed(f"a worker stopped without finishing (exit code {process.exitcode})")
            outcome = json.loads(report.read_text(encoding="utf-8"))
            if "os_error" in outcome:
                raise OSError(*outcome["os_error"])
            if "error" in outcome:
                raise WorkerFailed(outcome["error"])
            results.update({int(index): value for index, value in outcome["results"].items()})
        if progress:
            progress(len(jobs), len(jobs))
        return [results[index] for index in range(len(jobs))]
