"""Run simulation tasks in worker processes, never in the caller's.

By default tasks go to loky's reusable process pool (the one joblib uses), also
for ``n_jobs=1`` -- joblib itself would run that inline, and NEST's global state
must never live in the caller's process.  Workers are reused between calls;
every task starts with ``sim.setup``, which resets the NEST kernel, so a task's
result depends only on its spec.

Under a backend chosen with ``joblib.parallel_config`` (e.g. ``"dask"``), tasks
go through ``joblib.Parallel`` on that backend instead, and each runs in a fresh
child process where the executing process may start one; where it may not (a
daemonic dask worker), it runs in that process after the kernel reset, and
``verbose`` says so.
"""

import multiprocessing
import sys
from concurrent.futures import FIRST_COMPLETED, wait

import joblib
from joblib.externals.loky import get_reusable_executor
from joblib.parallel import LokyBackend, get_active_backend


class SimulationError(RuntimeError):
    """A simulation failed in its worker process (the caller is unaffected)."""


def _execute(task):
    """Worker side: run one task; the simulator is imported on first use."""
    from . import _backend

    return task.run(_backend)


def _execute_isolated(task):
    """Run ``task`` in a child process if this process may have children."""
    if multiprocessing.current_process().daemon:
        return _execute(task), "in the worker process (daemonic: no child processes)"
    return get_reusable_executor(max_workers=1).submit(_execute, task).result(), "in a child process"


def _failure(description, exc):
    name = type(exc).__name__
    if name in ("TerminatedWorkerError", "BrokenProcessPool"):
        return SimulationError(f"{description}: the worker process died ({exc})")
    return SimulationError(f"{description} failed in its worker process: {name}: {exc}")


class _Progress:
    """A tqdm progress bar on stderr, one step per finished simulation; silent
    unless ``verbose``."""

    def __init__(self, description, tasks, verbose):
        self.bar = None
        if verbose:
            from tqdm.auto import tqdm        # a dependency, imported only when shown

            self.bar = tqdm(total=len(tasks), desc=f"[sklearn-sbs] {description}",
                            unit="sim", file=sys.stderr, leave=False)

    def update(self, task):
        if self.bar is not None:
            self.bar.update(1)
            if self.bar.n == self.bar.total:
                self.close()

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None


_pool_size = 0     # the reusable pool only grows: resizing kills warm workers


def _run_on_pool(tasks, n_workers, progress):
    """Run tasks on loky's reusable pool with at most ``n_workers`` in flight.

    The pool keeps the largest size asked for in this process, so that a call
    with fewer workers does not shut down warm ones (each new worker pays the
    PyNN/NEST import); ``n_workers`` is honoured by what is in flight.
    """
    global _pool_size
    _pool_size = max(_pool_size, n_workers)
    executor = get_reusable_executor(max_workers=_pool_size)
    results = [None] * len(tasks)
    pending = {}
    queue = list(enumerate(tasks))[::-1]
    try:
        while queue or pending:
            while queue and len(pending) < n_workers:
                index, task = queue.pop()
                pending[executor.submit(_execute, task)] = index
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                index = pending.pop(future)
                results[index] = future.result()
                progress.update(tasks[index])
    except BaseException:
        for future in pending:
            future.cancel()
        raise
    return results


def run_tasks(tasks, n_jobs=None, verbose=0, description="simulation"):
    """Run every task in a worker process; return their results in task order.

    Parameters
    ----------
    tasks : list of task specs (see ``_tasks``)
    n_jobs : int or None
        Worker processes, as in joblib (None: 1 unless a ``parallel_config``
        says otherwise; -1: all cores).
    verbose : int
        Print progress with an ETA to stderr.
    description : str
        What the tasks are, for progress and error messages.

    Raises
    ------
    SimulationError
        If a task raised or its worker died; carries the worker's message.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    n_workers = max(1, min(joblib.effective_n_jobs(n_jobs), len(tasks)))
    progress = _Progress(description, tasks, verbose)
    backend, _ = get_active_backend()
    if isinstance(backend, LokyBackend):
        try:
            return _run_on_pool(tasks, n_workers, progress)
        except Exception as exc:
            raise _failure(description, exc) from exc
        finally:
            progress.close()
    try:
        outputs = joblib.Parallel(n_jobs=n_jobs)(
            joblib.delayed(_execute_isolated)(task) for task in tasks
        )
    except Exception as exc:
        progress.close()
        raise _failure(description, exc) from exc
    for task in tasks:
        progress.update(task)
    progress.close()
    if verbose:
        for where in sorted({where for _, where in outputs}):
            print(f"[sklearn-sbs] {description} ran {where}", file=sys.stderr, flush=True)
    return [result for result, _ in outputs]
