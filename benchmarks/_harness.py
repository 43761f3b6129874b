"""The benchmarks' shared harness: options, timing, tables, worker processes and THE
bare-PyNN reference.

Every script does ``args = _harness.parse(__doc__)`` (``--quick``, ``--report``),
prints through a :class:`Report` (markdown tables, as RESULTS.md keeps them) and
compares against :func:`bare_pynn`, the one plain PyNN script of the project.  Only
the standard library is imported at module level: a fresh process that runs the
bare reference must not pay for (or be helped by) anything else.
"""

import argparse
import importlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))


# --- options ---------------------------------------------------------------------

def parse(doc, add_arguments=None):
    """Arguments shared by every script: ``--quick`` (well under a minute) and
    ``--report PATH`` (the tables as markdown); ``add_arguments(parser)`` adds more."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="tiny durations, few repetitions: proves the script works (< 1 min)")
    parser.add_argument("--report", metavar="PATH", help="also write the tables (markdown) to PATH")
    if add_arguments is not None:
        add_arguments(parser)
    return parser.parse_args()


# --- timing ----------------------------------------------------------------------

def timed(fn, *args):
    """(fn(*args), wall seconds)."""
    t0 = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t0


def best_time(fn, repeat):
    """Best wall time of ``repeat`` calls (the least disturbed by other load)."""
    return min(timed(fn)[1] for _ in range(max(1, repeat)))


def median(values):
    return float(statistics.median(values)) if values else float("nan")


def interleaved(candidates, repeat):
    """Run the callables of ``candidates`` (name -> fn) in turn, ``repeat`` rounds:
    {name: [wall s, ...]}.  On a shared machine only ratios of runs interleaved like
    this mean anything."""
    runs = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            runs[name].append(timed(fn)[1])
    return runs


def ratio(runs, a, b):
    """(median ratio, best ratio) of the wall times ``runs[a] / runs[b]``."""
    return median(runs[a]) / median(runs[b]), min(runs[a]) / min(runs[b])


def _children_cpu():
    """{pid: user + system CPU s} of this process's children (the simulation workers)."""
    import psutil

    out = {}
    for child in psutil.Process().children(recursive=True):
        try:
            t = child.cpu_times()
            out[child.pid] = t.user + t.system
        except psutil.Error:
            pass
    return out


def timed_cpu(fn):
    """Run fn(): (wall s, this process's CPU s, [CPU s of each busy child, largest first])."""
    before = _children_cpu()
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    wall, own = time.perf_counter() - t0, time.process_time() - c0
    after = _children_cpu()
    busy = [after[p] - before.get(p, 0.0) for p in after]
    return wall, own, sorted((t for t in busy if t > 0.01), reverse=True)


def peak_memory_kb(pids=None):
    """Largest peak resident memory (VmHWM, kB) of ``pids`` (default: the children)."""
    if pids is None:
        import psutil
        pids = [c.pid for c in psutil.Process().children(recursive=True)]
    peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
            peak = max(peak, int(fields["VmHWM"].split()[0]))
        except (OSError, KeyError, ValueError):
            pass
    return peak


def own_peak_memory_kb():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# --- report ----------------------------------------------------------------------

def load_average():
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def fmt_time(seconds):
    return f"{seconds:.2f}" if seconds >= 0.1 else f"{seconds * 1e3:.1f} ms"


class Report:
    """Prints as it goes and keeps the text for ``--report``."""

    def __init__(self, title, args):
        self.args, self.lines, self.t0 = args, [], time.perf_counter()
        import numpy as np
        self.note(f"# {title}{' (--quick)' if args.quick else ''}: {platform.machine()}, "
                  f"{os.cpu_count()} cores, python {platform.python_version()}, numpy "
                  f"{np.__version__}, load average at start {load_average()}")

    def note(self, text=""):
        print(text, flush=True)
        self.lines.append(text)

    def section(self, title):
        self.note(f"\n## {title}\n")

    def table(self, headers, rows):
        rows = [[str(c) for c in r] for r in rows]
        widths = [max([len(str(h))] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
        line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
        self.note("\n".join([line([str(h) for h in headers]),
                             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
                            + [line(r) for r in rows]))

    def targets(self, rows):
        """rows of (target, goal, measured, met?)."""
        self.section("Targets")
        self.table(["target", "goal", "measured", ""],
                   [(t, g, m, "met" if ok else "NOT met") for t, g, m, ok in rows])

    def close(self):
        self.note(f"\nWall time: {time.perf_counter() - self.t0:.0f} s; load average at the end "
                  f"{load_average()}.")
        if self.args.report:
            with open(self.args.report, "w") as f:
                f.write("\n".join(self.lines) + "\n")


# --- worker processes ------------------------------------------------------------

class Worker:
    """A persistent fresh Python process running functions ``"module:name"`` of the
    benchmarks folder on JSON arguments; one JSON request and reply per line.  Its
    stdout is a private copy: whatever NEST or PyNN print goes to a log."""

    def __init__(self):
        self.log = tempfile.TemporaryFile()
        self.started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "_harness.py"), "--_serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     text=True, bufsize=1)

    @property
    def pid(self):
        return self.proc.pid

    def send(self, fn, *args):
        self.proc.stdin.write(json.dumps({"fn": fn, "args": args}) + "\n")
        self.proc.stdin.flush()

    def receive(self):
        line = self.proc.stdout.readline()
        reply = json.loads(line) if line else {"error": "the worker died"}
        if "error" in reply:
            self.log.seek(0)
            raise RuntimeError(f"{reply['error']}\n{self.log.read().decode()[-3000:]}")
        return reply["result"]

    def call(self, fn, *args):
        self.send(fn, *args)
        return self.receive()

    def close(self):
        """Ends the process; its lifetime in wall seconds, start to exit."""
        self.proc.stdin.close()
        self.proc.wait(timeout=120)
        self.log.close()
        return time.perf_counter() - self.started


def fresh(fn, *args):
    """Run ``fn`` ("module:name") once in a fresh process: (its result, wall s of the
    whole process from the outside: start, imports, the call, exit)."""
    worker = Worker()
    try:
        out = worker.call(fn, *args)
    except BaseException:
        worker.proc.kill()
        raise
    return out, worker.close()


def _serve():
    reply = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.path.insert(0, HERE)
    for line in sys.stdin:
        request = json.loads(line)
        module, name = request["fn"].split(":")
        try:
            out = {"result": getattr(importlib.import_module(module), name)(*request["args"])}
        except Exception:
            out = {"error": traceback.format_exc()}
        reply.write(json.dumps(out) + "\n")
        reply.flush()


# --- the library's side ----------------------------------------------------------

def calibrated(report, quick, duration=5e4, n_points=100, neuron_model="IF_cond_exp"):
    """One calibration of ``neuron_model`` (its default noise) shared by a script's
    networks (quick: 24 points x 2e3 ms) and ``machine(W, b, fit=True, **params)``: a
    SpikingBoltzmannMachine on it, frozen (fitted unless ``fit=False``)."""
    from sklearn.frozen import FrozenEstimator

    from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine

    params = dict(duration=2e3, n_points=24) if quick else dict(duration=duration, n_points=n_points)
    cal, wall = timed(LIFSamplerCalibrator(neuron_model, random_state=0, n_jobs=2, **params).fit)
    report.note(f"\nCalibration of {neuron_model} ({cal.n_points} points x {cal.duration:.0e} ms, "
                f"n_jobs=2): {wall:.1f} s; v_p05 = {cal.v_p05_:.3f} ± {cal.v_p05_err_:.3f} mV, "
                f"alpha = {cal.alpha_:.3f} ± {cal.alpha_err_:.3f} mV.  Shared by every network below.")

    def machine(W, b, fit=True, **kw):
        bm = SpikingBoltzmannMachine(W, b, calibrator=FrozenEstimator(cal), **kw)
        return bm.fit() if fit else bm

    return cal, machine


# --- the network, as plain data --------------------------------------------------

def network_of(bm, duration, seed):
    """The network a fitted SpikingBoltzmannMachine simulates, from its public fitted
    attributes, as JSON-able data in PyNN units (µS, mV, ms) for :func:`bare_pynn`."""
    import numpy as np

    from sklearn_sbs.synapses import StaticSynapse, as_synapse

    cal = bm.calibrators_[0]
    assert all(c.neuron_model == cal.neuron_model for c in bm.calibrators_), "one neuron model"
    params = dict(cal.neuron_params_)
    dt = float(bm.dt if bm.dt is not None else cal.dt)
    noise = bm.noise if bm.noise is not None else cal.noise_
    pre, post = np.nonzero(bm.weights_bio_)
    weight = bm.weights_bio_[pre, post]
    synapse = as_synapse(bm.synapse)
    tau_syn = np.array([[c.neuron_params_["tau_syn_E"] for c in bm.calibrators_],
                        [c.neuron_params_["tau_syn_I"] for c in bm.calibrators_]])
    shared = {"U": 1.0, "tau_facil": 0.0, **synapse.shared_params()}
    tau_rec = synapse.connection_params(weight, post, tau_syn).get("tau_rec", np.zeros(pre.size))
    return {
        "model": cal.neuron_model,
        "params": {k: v for k, v in params.items() if k not in ("v_rest", "tau_refrac_virtual")},
        "v_rest": np.asarray(bm.v_rest_, dtype=float).tolist(),
        "noise": [(i.rate, i.weight, i.receptor) for i in noise.inputs()],
        "pre": pre.tolist(), "post": post.tolist(), "weight": weight.tolist(),
        "synapse": "static" if isinstance(synapse, StaticSynapse) else "renewing",
        "U": float(shared["U"]), "tau_rec": np.asarray(tau_rec, dtype=float).tolist(),
        "tau_fac": float(shared["tau_facil"]),
        "delay": float(bm.delay if bm.delay is not None else dt), "dt": dt,
        "t_stop": float(bm.burn_in + duration), "seed": int(seed),
    }


# --- THE bare-PyNN reference -----------------------------------------------------

_PYNN = None


def _import_pynn(naive=False):
    """pyNN.nest, once per process.  Unless ``naive``, PyNN's attempt to compile its
    optional NEST extensions is skipped (as sklearn_sbs does), so both pay one import."""
    global _PYNN
    if _PYNN is None:
        os.environ.setdefault("PYNEST_QUIET", "1")
        import warnings

        import pyNN.core
        real_find = pyNN.core.find
        if not naive:
            pyNN.core.find = lambda c: "" if c == "nest-config" else real_find(c)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pyNN.nest as sim
        finally:
            pyNN.core.find = real_find
        warnings.filterwarnings("ignore", module=r"nest(\.|$)")
        warnings.filterwarnings("ignore", module=r"pyNN(\.|$)")
        _PYNN = sim
    return _PYNN


def bare_pynn(net, naive=False):
    """Build, run and record ``net`` (:func:`network_of`) as a user would with plain
    PyNN: one Population, one ``SpikeSourcePoisson`` cell per input and neuron
    (``OneToOneConnector``: independent noise), unit-to-unit synapses by
    ``FromListConnector`` (``StaticSynapse`` or ``TsodyksMarkramSynapse``), spikes by
    ``record``/``get_data``.  Imports neither sklearn_sbs nor scikit-learn; call it in
    a :class:`Worker`.  Returns timings (s), spike count, peak memory (kB)."""
    t0 = time.perf_counter()
    sim = _import_pynn(naive)
    import numpy as np

    t_import = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()

    dt, n = net["dt"], len(net["v_rest"])
    sim.setup(timestep=dt, min_delay=dt, rng_seed=net["seed"], spike_precision="on_grid",
              verbosity="error")
    v_rest = np.asarray(net["v_rest"])
    pop = sim.Population(n, getattr(sim, net["model"])(v_rest=v_rest, **net["params"]))
    pop.initialize(v=v_rest)
    for rate, weight, receptor in net["noise"]:
        if rate > 0 and weight > 0:
            source = sim.Population(n, sim.SpikeSourcePoisson(rate=rate))
            sim.Projection(source, pop, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=weight, delay=dt), receptor_type=receptor)
    for receptor, sign, tau_syn in (("excitatory", 1.0, net["params"]["tau_syn_E"]),
                                    ("inhibitory", -1.0, net["params"]["tau_syn_I"])):
        # PyNN's TsodyksMarkramSynapse is NEST's tsodyks_synapse, whose update divides by
        # tau_psc - tau_rec (tau_psc = tau_syn): at tau_rec = tau_syn every weight is NaN
        # and the network falls silent, so tau_rec moves by 1 us
        conns = [(i, j, sign * w, net["delay"], r + 1e-3 if abs(r - tau_syn) < 1e-6 else r)
                 for i, j, w, r in zip(net["pre"], net["post"], net["weight"], net["tau_rec"]) if sign * w > 0]
        if not conns:
            continue
        if net["synapse"] == "renewing":
            synapse = sim.TsodyksMarkramSynapse(U=net["U"], tau_facil=net["tau_fac"])
            connector = sim.FromListConnector(conns, column_names=["weight", "delay", "tau_rec"])
        else:
            synapse = sim.StaticSynapse()
            connector = sim.FromListConnector([c[:4] for c in conns], column_names=["weight", "delay"])
        sim.Projection(pop, pop, connector, synapse, receptor_type=receptor)
    pop.record("spikes")
    t1 = time.perf_counter()
    sim.run(net["t_stop"])
    t2 = time.perf_counter()
    trains = pop.get_data("spikes", clear=True).segments[0].spiketrains
    n_spikes = int(sum(len(st) for st in trains))
    sim.end()
    t3 = time.perf_counter()
    return {"import": t_import, "build": t1 - t0, "run": t2 - t1, "collect": t3 - t2,
            "total": t3 - t0, "cpu": time.process_time() - c0, "n_spikes": n_spikes,
            "maxrss_kb": own_peak_memory_kb()}


if __name__ == "__main__" and sys.argv[1:] == ["--_serve"]:
    _serve()
