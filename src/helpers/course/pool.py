"""Run grading tasks in parallel: a local process pool, or an existing Dask cluster.

Results come back in completion order; the caller (the single coordinator) writes them. Tasks are
plain dicts and task functions never raise for a bad submission. If a worker process itself dies
(which would break a local pool), the unfinished tasks are resubmitted to a fresh pool once; a
task that breaks a pool twice gets ``on_failure(task, message)`` as its result.
"""
from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from tqdm import tqdm


def default_workers() -> int:
    return os.cpu_count() or 1


def _init_worker() -> None:
    """Worker start-up: PATH, quiet logs, and the heavy imports paid once per process, not per task
    (a forked worker inherits them from the coordinator, which calls this before forking)."""
    from helpers.course.config import ensure_interpreter_on_path
    from helpers.course.gradebook import quiet_nbgrader

    ensure_interpreter_on_path()
    quiet_nbgrader()
    import jupyter_client.manager  # noqa: F401
    import nbclient  # noqa: F401
    import nbgrader.api  # noqa: F401
    import nbgrader.preprocessors  # noqa: F401
    import nbgrader.utils  # noqa: F401
    import scipy.special  # noqa: F401  (trusted checks of trends, surveys and control charts)
    from nbconvert.exporters import HTMLExporter  # noqa: F401

    from helpers.course.cellmeta import CheckCellMetadata  # noqa: F401


def _start_worker() -> None:
    """A grading worker process's start (local pool and Dask): :func:`_init_worker`, and no parse cache.

    The trusted checks parse the case study themselves: a cached parse is a pickle, that is code, and a
    learner's process may be able to write the cache folder (``helpers.datafile.cached``)."""
    _init_worker()
    os.environ["CCW_PARSE_CACHE"] = "off"


def run_tasks(fn: Callable[[dict], dict], tasks: list[dict], *, workers: int | None = None,
              dask_scheduler: str | None = None, progress: bool = True, desc: str = "grading",
              on_failure: Callable[[dict, str], dict]) -> Iterator[dict]:
    """Yield ``fn(task)`` for every task, as each finishes, with a tqdm progress bar."""
    if not tasks:
        return
    bar = tqdm(total=len(tasks), desc=desc, unit="nb", disable=not progress, leave=True)
    try:
        source = (_dask(fn, tasks, dask_scheduler, on_failure) if dask_scheduler
                  else _local(fn, tasks, workers or default_workers(), on_failure))
        for result in source:
            bar.update(1)
            yield result
    finally:
        bar.close()


def _context():
    """fork where available: workers start instantly with nbgrader and nbformat already imported
    (importing them costs seconds per process). Safe here because workers never touch the
    coordinator's gradebook connection and pool workers leave through ``os._exit``."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _local(fn, tasks, workers, on_failure) -> Iterator[dict]:
    pending = list(enumerate(tasks))
    attempts = {i: 0 for i, _ in pending}
    ctx = _context()
    if ctx.get_start_method() == "fork":
        _init_worker()
    while pending:
        with ProcessPoolExecutor(max_workers=min(workers, len(pending)), mp_context=ctx,
                                 initializer=_start_worker) as pool:
            futures = {pool.submit(fn, task): (i, task) for i, task in pending}
            done_ids: set[int] = set()
            broken = False
            while futures and not broken:
                finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                for fut in finished:
                    i, task = futures.pop(fut)
                    try:
                        result = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        attempts[i] += 1
                        continue
                    except Exception as exc:  # fn raised: report, never stop the cohort
                        result = on_failure(task, f"{exc.__class__.__name__}: {exc}")
                    done_ids.add(i)
                    yield result
            if broken:
                for fut, (i, task) in futures.items():
                    if fut.done() and not fut.exception():
                        done_ids.add(i)
                        yield fut.result()
                    else:
                        attempts[i] += 1
        remaining = [(i, t) for i, t in pending if i not in done_ids]
        for i, task in [(i, t) for i, t in remaining if attempts[i] >= 2]:
            yield on_failure(task, "the grading worker process died twice on this notebook")
        pending = [(i, t) for i, t in remaining if attempts[i] < 2]


def _dask(fn, tasks, address, on_failure) -> Iterator[dict]:
    from distributed import Client, as_completed

    with Client(address, set_as_default=False) as client:
        client.run(_start_worker)
        futures = client.map(fn, tasks, pure=False)
        index = {f.key: t for f, t in zip(futures, tasks)}
        for fut in as_completed(futures, loop=client.loop):
            try:
                yield fut.result()
            except Exception as exc:  # worker lost, task raised
                yield on_failure(index[fut.key], f"{exc.__class__.__name__}: {exc}")
            fut.release()
