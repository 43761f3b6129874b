"""Ctrl-C stops the work, a frozen worker is replaced, nothing hangs (real NEST runs).

Every test abandons a run far longer than the test (5000x a run it measures first,
so that it cannot end on its own however slow the machine) and checks that the processes running it are gone and that the next call
does not wait for it.  No absolute time limits: the next call is compared with
what the abandoned run still had to do.
"""

import _thread
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest
from joblib.externals.loky import get_reusable_executor

import sklearn_sbs._simulation._runner as runner
from sklearn_sbs import LIFSamplerCalibrator, SimulationError, SpikingBoltzmannMachine
from sklearn_sbs._simulation import NetworkSession, NetworkTask, SynapseSpec

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/stat"),
                                reason="process states are read from /proc")

W = np.array([[0.0, 0.6], [0.6, 0.0]])
MEDIUM = 2e4               # ms: a run measured to estimate the abandoned one
LONG = 1e8                 # ms: 5000x MEDIUM, abandoned
WATCH_TIMEOUT = 120.0      # s: how long a watcher looks for the running simulation


def _stat(pid):
    """Fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def gone(pid):
    fields = _stat(pid)
    return fields is None or fields[0] in ("Z", "X")      # a zombie has ended


def cpu_seconds(pid):
    fields = _stat(pid)
    return 0.0 if fields is None else (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid):
    """Pids of all living descendants of ``pid``."""
    parent_of = {}
    for entry in os.listdir("/proc"):
        fields = _stat(entry) if entry.isdigit() else None
        if fields is not None and fields[0] not in ("Z", "X"):
            parent_of[int(entry)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parent_of.items() if parent in frontier} - found
        found |= frontier
    return found


def command_line(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            return file.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_for_simulation(find_pids, cpu=0.5):
    """Pids from ``find_pids()`` once one of them has used ``cpu`` s of CPU since it
    was first seen (it is simulating, past its start-up); None after the timeout."""
    seen = {}
    deadline = time.monotonic() + WATCH_TIMEOUT
    while time.monotonic() < deadline:
        try:
            pids = set(find_pids())
        except RuntimeError:                  # a dict changed while we read it
            continue
        for pid in pids:
            seen.setdefault(pid, cpu_seconds(pid))
            if cpu_seconds(pid) - seen[pid] >= cpu:
                return pids
        time.sleep(0.05)
    return None


def pool_workers_running_tasks():
    """Pids of this process's pool workers running a task (see _runner._PoolRun)."""
    for run in list(runner._LIVE_RUNS):
        for index in list(run.pending.values()):
            pid = run._worker_of(index)
            if pid is not None:
                yield pid


class Watcher(threading.Thread):
    """In the background: once a simulation runs, remember its pids and act on them
    (``action(pids)``); without one before the timeout, act anyway (the caller
    must not stay blocked in a run of minutes)."""

    def __init__(self, action, find_pids=pool_workers_running_tasks):
        super().__init__(daemon=True)
        self.action, self.find_pids = action, find_pids
        self.pids, self.acted_at = None, None

    def run(self):
        self.pids = wait_for_simulation(self.find_pids)
        self.acted_at = time.perf_counter()
        self.action(self.pids or set())


def interrupt(pids):
    _thread.interrupt_main()           # KeyboardInterrupt in the main thread, as Ctrl-C


def timed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def sampler(calibrator, duration):
    bm = SpikingBoltzmannMachine(W, [0.1, -0.2], calibrator=calibrator, duration=duration,
                                 correction_rounds=0, random_state=0).fit()
    return bm.sample


def calibration(calibrator, duration):
    cal = LIFSamplerCalibrator(duration=duration, random_state=0)
    return lambda: cal.fit([[-53.0], [-50.5], [-48.0]])


@pytest.mark.parametrize("make", [sampler, calibration], ids=["sample", "calibrate"])
def test_interrupt_stops_the_simulation_and_the_next_call_does_not_wait(frozen_calibrator,
                                                                         make):
    medium, long = make(frozen_calibrator, MEDIUM), make(frozen_calibrator, LONG)
    medium_seconds = timed(medium)                   # also warms the pool
    watcher = Watcher(interrupt)
    watcher.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        long()
    returned = time.perf_counter()
    watcher.join()
    assert watcher.pids, "no worker was seen simulating"
    # the workers of the abandoned run are killed, not left simulating
    assert all(gone(pid) for pid in watcher.pids)
    next_seconds = timed(medium)
    abandoned_left = (LONG / MEDIUM) * medium_seconds - (returned - started)
    assert next_seconds < abandoned_left / 10
    assert returned - watcher.acted_at < abandoned_left / 10     # the interrupt was prompt


def test_a_stopped_worker_is_a_clear_error_and_the_next_call_works(frozen_calibrator,
                                                                   monkeypatch):
    monkeypatch.setattr(runner, "FROZEN_SAFETY_FACTOR", 0.0)     # patience: the floor only
    monkeypatch.setattr(runner, "FROZEN_FLOOR_SECONDS", 1.0)
    medium, long = sampler(frozen_calibrator, MEDIUM), sampler(frozen_calibrator, LONG)
    medium()
    watcher = Watcher(lambda pids: [os.kill(pid, signal.SIGSTOP) for pid in pids])
    watcher.start()
    try:
        with pytest.raises(SimulationError, match=r"sampling: worker process \d+ has been stopped "
                                                  r"for .* s, running task 1 of 1 \(NetworkTask"):
            long()
        watcher.join()
        assert watcher.pids and all(gone(pid) for pid in watcher.pids)
    finally:
        for pid in watcher.pids or ():
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
    medium()                                                  # on a fresh pool


def test_workers_stopped_while_idle_do_not_hang_the_next_call(frozen_calibrator, monkeypatch):
    monkeypatch.setattr(runner, "FROZEN_SAFETY_FACTOR", 0.0)
    monkeypatch.setattr(runner, "FROZEN_FLOOR_SECONDS", 1.0)
    medium = sampler(frozen_calibrator, MEDIUM)
    medium()
    pool = get_reusable_executor(max_workers=runner._pool_size)     # the same pool
    idle = [process.pid for process in runner._pool_processes(pool)]
    for pid in idle:
        os.kill(pid, signal.SIGSTOP)
    try:
        with pytest.raises(SimulationError, match=r"stopped for .* s, while task 1 of 1 "
                                                  r"\(NetworkTask.*\) waits to start"):
            medium()
        assert idle and all(gone(pid) for pid in idle)
    finally:
        for pid in idle:
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)
    medium()


def test_a_slow_worker_is_never_taken_for_frozen(frozen_calibrator, monkeypatch):
    # patience far below the run's duration: a running worker still finishes
    monkeypatch.setattr(runner, "FROZEN_SAFETY_FACTOR", 0.0)
    monkeypatch.setattr(runner, "FROZEN_FLOOR_SECONDS", 0.01)
    states = sampler(frozen_calibrator, MEDIUM)()
    assert states.shape[1] == 2


def _session_task(n_units):
    """Units above threshold without noise: they spike, cheaply."""
    return NetworkTask(groups=(("IF_curr_exp", (), tuple(range(n_units))),),
                       v_rest=(-40.0,) * n_units, noise=((),) * n_units, pre=(), post=(),
                       weight=(), synapse=SynapseSpec("StaticSynapse"), connection_params=(),
                       delay=0.1, dt=0.1, t_stop=10.0, seed=1)


def test_a_stopped_session_server_is_a_clear_error_and_the_next_session_works(monkeypatch):
    monkeypatch.setattr(runner, "FROZEN_SAFETY_FACTOR", 0.0)
    monkeypatch.setattr(runner, "FROZEN_FLOOR_SECONDS", 1.0)
    session = NetworkSession(_session_task(50), "frozen network")
    server = session._server[0].pid
    stopper = Watcher(lambda pids: [os.kill(pid, signal.SIGSTOP) for pid in pids],
                      find_pids=lambda: [server])
    stopper.start()
    try:
        with pytest.raises(SimulationError, match=r"frozen network: server process \d+ has "
                                                  r"been stopped for .* its 'run' command"):
            session.run(1e8)
        stopper.join()
        assert stopper.pids == {server} and gone(server)
    finally:
        if not gone(server):
            os.kill(server, signal.SIGKILL)
    with NetworkSession(_session_task(1)) as fresh:
        assert fresh.run(20.0)["times"].size > 0


def test_an_interrupted_session_kills_its_server():
    with NetworkSession(_session_task(1)) as warm:
        medium_seconds = timed(lambda: warm.run(MEDIUM))
    session = NetworkSession(_session_task(1))
    server = session._server[0].pid
    watcher = Watcher(interrupt, find_pids=lambda: [server])
    watcher.start()
    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        session.run(LONG)
    returned = time.perf_counter()
    watcher.join()
    assert watcher.pids == {server} and gone(server)
    abandoned_left = (LONG / MEDIUM) * medium_seconds - (returned - started)
    with NetworkSession(_session_task(1)) as fresh:                  # a fresh server
        assert timed(lambda: fresh.run(MEDIUM)) < abandoned_left / 10


LEARNING = """
import numpy as np
from sklearn.frozen import FrozenEstimator
from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine

cal = FrozenEstimator(LIFSamplerCalibrator(duration=500.0, n_points=10, random_state=0).fit())
X = (np.random.RandomState(0).rand(20, 2) > 0.5).astype(float)
def learner(step):
    return SpikingBoltzmannMachine(calibrator=cal, learning="spiking", n_iter=1000,
                                   batch_size=20, step_duration=step, random_state=0)
print("ready", flush=True)
try:
    learner(5000.0).fit(X)
except KeyboardInterrupt:
    print("interrupted", flush=True)
learner(50.0).set_params(n_iter=1).fit(X)
print("learned again", flush=True)
"""


def test_ctrl_c_during_learning_is_quiet_and_the_next_fit_works():
    # Ctrl-C in a terminal sends SIGINT to the whole process group: the caller,
    # its pool workers and the learning server
    caller = subprocess.Popen([sys.executable, "-c", textwrap.dedent(LEARNING)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        assert caller.stdout.readline().strip() == "ready"

        def servers():
            return [pid for pid in descendants(caller.pid)
                    if "sklearn_sbs._simulation._server" in command_line(pid)]

        # the learning server has imported NEST and is simulating
        running = wait_for_simulation(servers, cpu=1.5)
        assert running, "no learning server was seen simulating"
        os.killpg(caller.pid, signal.SIGINT)
        out, err = caller.communicate(timeout=300)
    finally:
        if caller.poll() is None:
            os.killpg(caller.pid, signal.SIGKILL)
    assert caller.returncode == 0, err
    lines = out.splitlines()
    assert "interrupted" in lines and lines[-1] == "learned again", out
    assert "Traceback" not in err and "Error" not in err, err
    assert all(gone(pid) for pid in running)


def test_interrupt_on_a_dask_cluster_stops_the_simulations(frozen_calibrator):
    dask = pytest.importorskip("dask")
    distributed = pytest.importorskip("dask.distributed")
    from joblib import parallel_config

    def sampling(duration):
        bm = SpikingBoltzmannMachine(W, [0.1, -0.2], calibrator=frozen_calibrator,
                                     duration=duration, correction_rounds=0, n_chains=2,
                                     n_jobs=2, random_state=0).fit()
        return bm.sample

    # non-daemonic workers run each task in a child process, which can be stopped
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                           dashboard_address=None)
    me = os.getpid()

    def simulating_children_of_workers():
        return [pid for pid in descendants(me)
                if "LokyProcess" in command_line(pid) and (_stat(pid) or [0, me])[1] != str(me)]

    with cluster, distributed.Client(cluster), parallel_config(backend="dask"):
        medium_seconds = timed(sampling(MEDIUM))        # also starts the workers' children
        watcher = Watcher(interrupt, find_pids=simulating_children_of_workers)
        watcher.start()
        started = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            sampling(LONG)()
        returned = time.perf_counter()
        watcher.join()
        assert watcher.pids, "no simulation was seen on the cluster"
        abandoned_left = (LONG / MEDIUM) * medium_seconds - (returned - started)
        deadline = returned + abandoned_left / 10
        while not all(gone(pid) for pid in watcher.pids) and time.perf_counter() < deadline:
            time.sleep(0.1)
        # the cluster stopped them (cancelled futures), long before their end
        assert all(gone(pid) for pid in watcher.pids)
        assert timed(sampling(MEDIUM)) < abandoned_left / 10
