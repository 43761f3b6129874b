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

Abandoned work stops.  When a call stops waiting before its tasks are done
(Ctrl-C, a failed task, a frozen worker), the pool's workers are killed if any
of its tasks was still running, and the next call starts on a fresh pool; it
does not queue behind a simulation nobody waits for.  Under dask the call's
futures are cancelled, and a task running in a child of a dask worker stops
with it; one running in a daemonic worker itself cannot be stopped and runs to
its end on the cluster.

Frozen workers: a worker seen stopped (SIGSTOP, a tracer: state ``T`` in
``/proc``) for longer than its task's :func:`patience` is killed with its pool,
and the call raises :class:`SimulationError` naming the task and the time
waited.  A running worker is never killed, however slow.  Without ``/proc``
(not Linux) nothing is taken for frozen.
"""

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import replace

import joblib
from joblib.externals.loky import get_reusable_executor
from joblib.parallel import LokyBackend, get_active_backend

from .._logging import report

#: How long a worker may stay stopped before it is taken for frozen:
#: ``patience(cost) = max(FROZEN_FLOOR_SECONDS, FROZEN_SAFETY_FACTOR *
#: (START_UP_SECONDS + cost * SECONDS_PER_NEURON_MS))`` for a task of ``cost``
#: neuron-milliseconds.  A sampler network with its Poisson noise simulates about
#: 1.5e-5 s per neuron-ms at dt = 0.1 ms on this project's machines; the bound
#: below is generous, and the factor covers dt = 0.01 ms and busy machines.
SECONDS_PER_NEURON_MS = 2e-5
START_UP_SECONDS = 30.0           # spawning a worker, importing PyNN/NEST, building
FROZEN_SAFETY_FACTOR = 10.0
FROZEN_FLOOR_SECONDS = 60.0
#: How often a waiting call looks at its workers (and notices Ctrl-C).
POLL_SECONDS = 0.5


class SimulationError(RuntimeError):
    """A simulation failed in its worker process (the caller is unaffected)."""


def patience(cost):
    """Seconds a process running ``cost`` neuron-ms may stay stopped before it is
    taken for frozen (see the module constants)."""
    expected = START_UP_SECONDS + float(cost) * SECONDS_PER_NEURON_MS
    return max(FROZEN_FLOOR_SECONDS, FROZEN_SAFETY_FACTOR * expected)


def is_stopped(pid):
    """Whether process ``pid`` is stopped (signal or tracer), as ``/proc`` says;
    False where it says nothing (no such process, no ``/proc``)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read()
    except OSError:
        return False
    # the command name, in parentheses, may hold spaces: the state follows the last ")"
    return fields[fields.rindex(b")") + 2:][:1] in (b"T", b"t")


class StopWatch:
    """How long each watched process has been seen stopped, without a break."""

    def __init__(self):
        self._since = {}

    def stopped_for(self, pid):
        now = time.monotonic()
        if not is_stopped(pid):
            self._since.pop(pid, None)
            return 0.0
        return now - self._since.setdefault(pid, now)


def _execute(task):
    """Worker side: run one task; the simulator is imported on first use."""
    from . import _backend

    return task.run(_backend)


def _execute_reporting(task, pid_path):
    """Worker side: say which process runs the task (the caller watches it), run it."""
    with open(pid_path + ".tmp", "w") as file:
        file.write(str(os.getpid()))
    os.replace(pid_path + ".tmp", pid_path)       # never read half-written
    return _execute(task)


def _import_simulator():
    """Worker side: import PyNN and NEST now, so that the first task finds them."""
    from . import _backend

    _backend._simulator()


def _dask_task_cancelled():
    """Whether this process is a dask worker whose current task was cancelled
    (its caller stopped waiting); False outside dask or if dask cannot say."""
    if "distributed" not in sys.modules:      # not a dask worker: never import dask
        return False
    try:
        from distributed import get_worker
        from distributed.worker import thread_state

        state = get_worker().state.tasks.get(thread_state.key)
    except Exception:              # not in a dask task, or another dask layout
        return False
    return state is None or state.state in ("cancelled", "released", "forgotten")


def _execute_isolated(task):
    """Run ``task`` in a child process if this process may have children."""
    if multiprocessing.current_process().daemon:
        return _execute(task), "in the worker process (daemonic: no child processes)"
    result = _run_on_pool([task], 1, _SILENT, "simulation", should_stop=_dask_task_cancelled)
    return result[0], "in a child process"


def _failure(description, exc):
    if isinstance(exc, SimulationError):
        return exc
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


_SILENT = _Progress("", (), 0)
_pool_size = 0     # the reusable pool only grows: resizing kills warm workers
_LIVE_RUNS = set()  # pool runs in progress in this process (threads may run several)


def _pool_processes(executor):
    """The pool's worker processes (loky keeps them as ``_processes``)."""
    return list(getattr(executor, "_processes", {}).values())


def kill_pool(executor):
    """End the pool now: its workers get SIGKILL (which also ends a stopped
    process) and are reaped; the next ``get_reusable_executor`` starts afresh."""
    workers = _pool_processes(executor)
    executor.shutdown(wait=False, kill_workers=True)
    for process in workers:
        try:
            os.kill(process.pid, signal.SIGKILL)     # loky's processes have no kill()
        except OSError:                               # already gone
            pass
    for process in workers:
        process.join(timeout=10)


def _describe(task):
    return f"{type(task).__name__} of {getattr(task, 'cost', 0.0):.3g} neuron-ms"


class _PoolRun:
    """One call's tasks on the pool: which are in flight and which worker runs
    each (every task writes its worker's pid to a file of its own)."""

    def __init__(self, executor, tasks, description):
        self.executor = executor
        self.tasks = tasks
        self.description = description
        self.results = [None] * len(tasks)
        self.pending = {}                  # future -> task index
        self.stopwatch = StopWatch()
        self.pid_dir = tempfile.mkdtemp(prefix="sklearn-sbs-")

    def _pid_path(self, index):
        return os.path.join(self.pid_dir, str(index))

    def _submit(self, index):
        future = self.executor.submit(_execute_reporting, self.tasks[index], self._pid_path(index))
        self.pending[future] = index

    def _worker_of(self, index):
        try:
            with open(self._pid_path(index)) as file:
                return int(file.read())
        except (OSError, ValueError):      # not started yet
            return None

    def run(self, n_workers, progress, should_stop=None):
        queue = list(range(len(self.tasks)))[::-1]
        while queue or self.pending:
            while queue and len(self.pending) < n_workers:
                self._submit(queue.pop())
            # a timeout, so that the call keeps watching its workers (and a
            # KeyboardInterrupt raised between signals is seen)
            done, _ = wait(self.pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                index = self.pending.pop(future)
                self.results[index] = future.result()
                progress.update(self.tasks[index])
            self._check_frozen()
            if should_stop is not None and should_stop():
                raise SimulationError(f"{self.description}: cancelled by its caller")
        return self.results

    def _watched(self):
        """[(pid, task index, whether it runs that task)] of the workers this call
        waits on: those running its tasks, or, while none of them has started,
        every worker of the pool (a stopped idle worker may keep them waiting)."""
        indices = sorted(self.pending.values())
        running = [(self._worker_of(index), index, True) for index in indices]
        running = [entry for entry in running if entry[0] is not None]
        if running or not indices:
            return running
        return [(process.pid, indices[0], False) for process in _pool_processes(self.executor)]

    def _check_frozen(self):
        for pid, index, runs_it in self._watched():
            stopped = self.stopwatch.stopped_for(pid)
            task = self.tasks[index]
            if stopped > patience(getattr(task, "cost", 0.0)):
                which = f"task {index + 1} of {len(self.tasks)} ({_describe(task)})"
                doing = f"running {which}" if runs_it else f"while {which} waits to start"
                raise SimulationError(
                    f"{self.description}: worker process {pid} has been stopped for "
                    f"{stopped:.1f} s, {doing}; taken for frozen and killed"
                )

    def abandon(self):
        """Cancel what has not started; True if some task was still running."""
        still_running = False
        for future in self.pending:
            if not future.cancel() and not future.done():
                still_running = True
        return still_running

    def close(self):
        shutil.rmtree(self.pid_dir, ignore_errors=True)


def _run_on_pool(tasks, n_workers, progress, description, should_stop=None):
    """Run tasks on loky's reusable pool with at most ``n_workers`` in flight.

    The pool keeps the largest size asked for in this process, so that a call
    with fewer workers does not shut down warm ones (each new worker pays the
    PyNN/NEST import); ``n_workers`` is honoured by what is in flight.  If the
    call ends with tasks still running (interrupted, failed, frozen, or
    ``should_stop()``), the pool is killed: nothing goes on simulating for a
    caller that no longer waits.
    """
    global _pool_size
    _pool_size = max(_pool_size, n_workers)
    executor = get_reusable_executor(max_workers=_pool_size)
    run = _PoolRun(executor, tasks, description)
    _LIVE_RUNS.add(run)
    try:
        return run.run(n_workers, progress, should_stop)
    except BaseException:
        if run.abandon():
            kill_pool(executor)
        raise
    finally:
        _LIVE_RUNS.discard(run)
        run.close()


def _dask_futures(backend):
    """The dask futures a joblib dask backend holds (for cancelling), or an
    empty set for other backends or another joblib layout."""
    holder = getattr(backend, "_results", None)
    if getattr(backend, "client", None) is None or not isinstance(holder, dict):
        return set()
    return set(holder)


def _cancel_dask(backend, before):
    """Cancel the dask futures this call submitted: joblib only forgets them on
    an abort, and dask would run them to their end."""
    futures = _dask_futures(backend) - before
    if futures:
        try:
            backend.client.cancel(list(futures))
        except Exception:          # the cluster may be gone already
            pass


def _run_on_backend(tasks, n_jobs, backend, description):
    """Run tasks through ``joblib.Parallel`` on the active (non-loky) backend."""
    before = _dask_futures(backend)
    try:
        return joblib.Parallel(n_jobs=n_jobs)(
            joblib.delayed(_execute_isolated)(task) for task in tasks
        )
    except BaseException as exc:
        _cancel_dask(backend, before)
        # children this process started for the tasks (the threading backend,
        # a sequential run, an in-process cluster) would go on simulating
        _kill_local_pool()
        if not isinstance(exc, Exception):
            raise
        raise _failure(description, exc) from exc


def _kill_local_pool():
    """Kill the pool of the pool runs in progress in this process, if any."""
    executors = {id(run.executor): run.executor for run in list(_LIVE_RUNS)}
    for executor in executors.values():
        kill_pool(executor)


def prestart(n_jobs=None):
    """Start the pool's workers, and their PyNN/NEST import, without waiting: a
    caller that will simulate soon (the command line) calls this first and does its
    own imports and translation meanwhile.  Only on the default (loky) backend; the
    pool keeps the size the next run asks for (no restart of warm workers)."""
    global _pool_size
    backend, _ = get_active_backend()
    if not isinstance(backend, LokyBackend):
        return
    n_workers = max(1, joblib.effective_n_jobs(n_jobs))
    _pool_size = max(_pool_size, n_workers)
    executor = get_reusable_executor(max_workers=_pool_size)
    for _ in range(n_workers):
        executor.submit(_import_simulator)


def stop_workers():
    """End the pool's idle workers now, for a caller that is done with simulations
    (the command line): loky's own shutdown at exit waits ~0.3 s for each worker to
    tear down NEST and Python.  Nothing is started if there is no pool."""
    if _pool_size and not _LIVE_RUNS:
        get_reusable_executor(max_workers=_pool_size).shutdown(wait=True, kill_workers=True)


def threads_per_task(n_jobs, n_tasks):
    """NEST threads for each of ``n_tasks`` simulations given ``n_jobs`` cores (as in
    joblib): processes first, one per simulation; the cores left over go to each
    simulation's threads (``cores // simulations``), so that one network alone
    still uses every core it is given."""
    cores = max(1, joblib.effective_n_jobs(n_jobs))
    return max(1, cores // max(1, min(cores, n_tasks)))


def with_threads(tasks, threads):
    """The tasks, each to run on ``threads`` NEST threads."""
    return [replace(task, threads=threads) if getattr(task, "threads", threads) != threads
            else task for task in tasks]


def run_tasks(tasks, n_jobs=None, verbose=0, description="simulation", threads=True):
    """Run every task in a worker process; return their results in task order.

    Parameters
    ----------
    tasks : list of task specs (see ``_tasks``)
    n_jobs : int or None
        Cores, as in joblib (None: 1 unless a ``parallel_config`` says otherwise;
        -1: all): a worker process per task, up to ``n_jobs`` at once, and each
        task on ``n_jobs // workers`` NEST threads (see :func:`threads_per_task`;
        under another joblib backend, one thread).  NEST's random streams are
        per thread: a task's spikes depend on its seed and its thread count.
    verbose : int
        A progress bar with an ETA on stderr; 2 and more: also the executor's line
        (always logged at INFO on ``"sklearn_sbs"``).
    description : str
        What the tasks are, for progress and error messages.
    threads : bool, default=True
        Whether tasks may run on several NEST threads when there are fewer of
        them than cores.  False keeps one thread each: results that depend on
        the seeds only, not on ``n_jobs`` nor on where the tasks run.

    Raises
    ------
    SimulationError
        If a task raised, its worker died, or its worker was frozen; carries
        the worker's message.  On any exception (KeyboardInterrupt included)
        the tasks still running are stopped.
    """
    tasks = list(tasks)
    if not tasks:
        return []
    n_workers = max(1, min(joblib.effective_n_jobs(n_jobs), len(tasks)))
    progress = _Progress(description, tasks, verbose)
    backend, _ = get_active_backend()
    if isinstance(backend, LokyBackend):
        # on a cluster a worker's cores are its own business: threads only here
        if threads:
            tasks = with_threads(tasks, threads_per_task(n_jobs, len(tasks)))
        report(verbose > 1, f"[sklearn-sbs] {description}: {len(tasks)} on the local process pool, "
                            f"{n_workers} at once, {getattr(tasks[0], 'threads', 1)} NEST thread(s) each")
        try:
            return _run_on_pool(tasks, n_workers, progress, description)
        except Exception as exc:
            raise _failure(description, exc) from exc
        finally:
            progress.close()
    try:
        outputs = _run_on_backend(tasks, n_jobs, backend, description)
    except BaseException:
        progress.close()
        raise
    for task in tasks:
        progress.update(task)
    progress.close()
    for where in sorted({where for _, where in outputs}):
        report(verbose, f"[sklearn-sbs] {description}: {len(tasks)} on joblib's "
                        f"{type(backend).__name__}, ran {where}")
    return [result for result, _ in outputs]
