"""A network kept alive in a server process between runs (learning in the loop).

``run_tasks`` builds a fresh network for every task.  Learning changes the
weights and resting potentials every few hundred ms of simulated time, so a
:class:`NetworkSession` builds the network once in a server process and then
only sends the new values and the time to run.  The server is a plain
``python -m`` subprocess talking over two private pipes (NEST writes to
stdout, so that stays out of the protocol); it never imports the caller's
``__main__``, and it also starts from daemonic processes (Dask workers).
Idle servers are reused by later sessions: each pays the PyNN/NEST import once.

The caller decides when a server ends: it ignores Ctrl-C (SIGINT) and leaves
quietly when its pipes close.  A call interrupted while waiting for its answer
(Ctrl-C) kills the server at once, and a server stopped (SIGSTOP) for longer
than the step's ``patience`` (see ``_runner``) is killed and reported as a
:class:`SimulationError`; the next session starts a fresh one.
"""

import atexit
import os
import subprocess
import sys
import weakref
from multiprocessing.connection import Connection

from ._runner import (POLL_SECONDS, SimulationError, StopWatch, is_stopped, patience,
                      threads_per_task, with_threads)

_IDLE = []          # warm servers of this process, (owner pid, process, to_server, from_server)


def _start_server():
    to_child, to_server = os.pipe()
    from_server, from_child = os.pipe()
    process = subprocess.Popen(
        [sys.executable, "-m", "sklearn_sbs._simulation._server", str(to_child), str(from_child)],
        pass_fds=(to_child, from_child), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )
    os.close(to_child)
    os.close(from_child)
    return process, Connection(to_server, readable=False), Connection(from_server, writable=False)


def _take_server():
    while _IDLE:
        owner, *server = _IDLE.pop()
        # a forked child inherits the list, but the servers talk to the parent
        if owner != os.getpid() or server[0].poll() is not None:
            continue
        if is_stopped(server[0].pid):     # frozen while idle: of no use
            _stop(server, kill=True)
            continue
        return tuple(server)
    return _start_server()


def _release(server, reusable):
    """Back to the idle list (its network is freed first), or ended."""
    process, send, recv = server
    if reusable and process.poll() is None:
        try:
            send.send(("release", None))
            if _answer(server, patience(0.0), "its 'release' command")[0] == "ok":
                _IDLE.append((os.getpid(), *server))
                return
        except (OSError, EOFError, SimulationError):     # dead or frozen: it goes
            pass
        except BaseException:          # interrupted while it answers
            _stop(server, kill=True)
            raise
    _stop(server)


def _stop(server, kill=False):
    """End the server: closed pipes tell it to leave; ``kill`` (or a stopped
    server, which cannot leave) does not wait for that."""
    process, send, recv = server
    for conn in (send, recv):
        conn.close()
    if not kill and not is_stopped(process.pid):
        try:
            process.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            pass
    process.kill()
    process.wait()


def _answer(server, seconds, what):
    """The server's next message.  Waits in short polls, so that Ctrl-C is seen
    and a server stopped for longer than ``seconds`` is taken for frozen."""
    process, _, recv = server
    stopwatch = StopWatch()
    while not recv.poll(POLL_SECONDS):
        if process.poll() is not None:
            raise EOFError("the server process ended")
        stopped = stopwatch.stopped_for(process.pid)
        if stopped > seconds:
            raise SimulationError(
                f"server process {process.pid} has been stopped for {stopped:.1f} s, making "
                f"no progress on {what}; taken for frozen and killed"
            )
    return recv.recv()


@atexit.register
def _stop_idle():
    while _IDLE:
        owner, *server = _IDLE.pop()
        if owner == os.getpid():
            _stop(server)


class NetworkSession:
    """A network built once in a server process; each :meth:`run` may first
    change its weights and resting potentials.

    Parameters
    ----------
    task : NetworkTask
        The network; ``t_stop`` is ignored (runs say how long).
    description : str
        What the network is for, in error messages.
    n_jobs : int, default=None
        Cores for the network, as in joblib: it runs on that many NEST threads
        (None: 1).  The same seed gives the same spikes for the same n_jobs.
    """

    def __init__(self, task, description="network session", n_jobs=None):
        self.description = description
        self._n_units = len(task.v_rest)
        self._server = _take_server()
        self._finalizer = weakref.finalize(self, _release, self._server, True)
        self._call("build", with_threads([task], threads_per_task(n_jobs, 1))[0])

    def _discard(self, kill=False):
        """End the server instead of reusing it."""
        if self._finalizer.detach() is not None:
            _stop(self._server, kill)

    def _call(self, command, payload, cost=0.0):
        """Send one command, return the server's answer; ``cost`` (neuron-ms) sets
        how long the server may stay stopped before it is taken for frozen."""
        process, send, recv = self._server
        if not self._finalizer.alive:
            raise SimulationError(f"{self.description}: the session is closed")
        try:
            send.send((command, payload))
            status, reply = _answer(self._server, patience(cost), f"its {command!r} command")
        except SimulationError as exc:
            self._discard(kill=True)
            raise SimulationError(f"{self.description}: {exc}") from None
        except (OSError, EOFError) as exc:
            self._discard()
            raise SimulationError(
                f"{self.description}: the server process died (exit code {process.poll()})"
            ) from exc
        except BaseException:
            # interrupted between question and answer: a reused server would
            # answer out of step, and nobody waits for the run it is doing
            self._discard(kill=True)
            raise
        if status != "ok":
            self.close()
            raise SimulationError(f"{self.description} failed in its server process: {reply}")
        return reply

    def run(self, duration, weight=None, tau_rec=None, v_rest=None, connections=None):
        """Set the given values, simulate ``duration`` ms more, return that step's
        spikes as ``{"times": ..., "ids": ...}`` (ms, unit indices) and where the
        server's time went, ``"seconds": {"update", "simulate", "read"}``.

        ``weight`` and ``tau_rec`` are per connection of the task, in its order, or
        with ``connections`` (indices into that order) for those connections only."""
        return self._call("run", dict(duration=float(duration), weight=weight, tau_rec=tau_rec,
                                      v_rest=v_rest, connections=connections),
                          cost=self._n_units * float(duration))

    def close(self):
        """Free the network; the server waits for the next session."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
