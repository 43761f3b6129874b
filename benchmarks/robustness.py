"""Robustness: hostile inputs tried and classified, as a user who means harm would try them.

    python benchmarks/robustness.py [--quick] [--report PATH] [--groups params,cli,...]

Every case expects a refusal, except values that are legitimate for that parameter
(``LEGITIMATE``: a burn-in of 0, a phase of 0, one receptor without noise, a list of
rates = several inputs, ...), which must be accepted and give a result.  Outcomes:

- *clear*: the right answer -- a ValueError, TypeError, NotFittedError or SimulationError
  whose message names what the user gave (the parameter, its full nested path, the
  document field or the path), before any simulation when the input can be checked
  beforehand; for a legitimate value, a result;
- *unclear*: refused, but with another exception type or a message without that name;
- *silent*: accepted (a result came back);
- *crash*: the process died, or the command line printed a traceback;
- *hang*: no answer within the case's time limit;
- *data loss*: a file that existed before the case is damaged after it.

Classes: ``params`` (every parameter of the machine, the calibrator, each noise source and
synapse: wrong type, NaN, inf, out of range), ``documents`` (saved machine and calibrator,
corrupted field by field), ``functions`` (public functions), ``cli`` (command-line misuse),
``workers`` (interrupt, killed and frozen worker).  Progress goes to stderr.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import _thread

import numpy as np

import _harness as H

OUTCOMES = ("clear", "unclear", "silent", "crash", "hang", "data loss")
BAD_NUMBERS = {"nan": float("nan"), "inf": float("inf"), "negative": -1.0, "zero": 0.0,
               "huge": 1e300, "string": "abc", "list": [1.0, 2.0]}


#: (parameter, bad-value label) pairs whose value is legitimate, with why.
LEGITIMATE = {
    ("machine burn_in", "zero"): "no burn-in",
    ("documents calibrator calibration.neuron_params_.tau_refrac_virtual", "null"):
        "no virtual refractory period",
    ("calibrator burn_in", "zero"): "no burn-in",
    ("synapse tau_facil", "zero"): "no facilitation (the default)",
    ("calibrator noise PoissonNoise.rate_exc", "zero"): "inhibitory background only",
    ("calibrator noise PoissonNoise.rate_inh", "zero"): "excitatory background only",
    ("calibrator noise PoissonNoise.weight_exc", "zero"): "inhibitory background only",
    ("calibrator noise PoissonNoise.weight_inh", "zero"): "excitatory background only",
    ("calibrator noise PoissonNoise.rate_exc", "list"): "two excitatory inputs",
    ("calibrator noise PoissonNoise.rate_inh", "list"): "two inhibitory inputs",
    ("calibrator noise SinusoidalPoissonNoise.amplitude_exc", "zero"): "no modulation",
    ("calibrator noise SinusoidalPoissonNoise.amplitude_inh", "zero"): "no modulation",
    ("calibrator noise SinusoidalPoissonNoise.frequency", "zero"): "a constant rate",
    ("calibrator noise SinusoidalPoissonNoise.phase", "zero"): "the default",
    ("calibrator noise SinusoidalPoissonNoise.phase", "negative"): "-1 degree",
    ("calibrator noise SinusoidalPoissonNoise.weight_exc", "zero"): "inhibitory background only",
    ("calibrator noise SinusoidalPoissonNoise.weight_inh", "zero"): "excitatory background only",
    ("calibrator noise PoissonPoolNoise.weight_exc", "zero"): "inhibitory background only",
    ("calibrator noise PoissonPoolNoise.weight_inh", "zero"): "excitatory background only",
    ("calibrator noise SpikeTrainNoise.spike_times_exc", "list"): "a train of two spikes",
    ("calibrator noise SpikeTrainNoise.spike_times_inh", "list"): "a train of two spikes",
    ("calibrator noise SpikeTrainNoise.weight_inh", "zero"): "the inhibitory train without effect",
}
#: machine parameters used only when learning: tried with fit(X)
LEARNING_PARAMS = {"learning", "learning_rate", "batch_size", "n_iter", "step_duration", "n_chains"}


def _legitimate(case, label):
    return (case, label) in LEGITIMATE


def _accepted(result):
    return True


def log(text):
    print(text, file=sys.stderr, flush=True)


class Tally:
    def __init__(self):
        self.rows = {}              # class -> {outcome: count}
        self.bad = []               # (class, case, outcome, message) of every non-clear case

    def add(self, group, case, outcome, message=""):
        self.rows.setdefault(group, dict.fromkeys(OUTCOMES, 0))[outcome] += 1
        if outcome != "clear":
            self.bad.append((group, case, outcome, message[:160].replace("\n", " ")))


def _refused_clearly(exc, names):
    from sklearn.exceptions import NotFittedError

    from sklearn_sbs import SimulationError

    clear_types = (ValueError, TypeError, NotFittedError, SimulationError)
    text = str(exc)
    return isinstance(exc, clear_types) and any(name in text for name in names)


@contextlib.contextmanager
def time_limit(seconds):
    """KeyboardInterrupt in the main thread after ``seconds`` (a hang detector)."""
    timer = threading.Timer(seconds, _thread.interrupt_main)
    timer.start()
    try:
        yield
    finally:
        timer.cancel()


def try_case(tally, group, case, call, names, seconds=120.0, correct=None):
    """Run ``call``; a refusal naming one of ``names`` is clear.  For ``correct`` given,
    the case expects an answer instead: ``correct(result)`` true is the clear outcome,
    false a silently wrong one."""
    start = time.perf_counter()
    try:
        with time_limit(seconds):
            result = call()
    except KeyboardInterrupt:
        tally.add(group, case, "hang", f"no answer in {seconds:g} s")
        return
    except Exception as exc:                     # classified, never re-raised
        outcome = "clear" if correct is None and _refused_clearly(exc, names) else "unclear"
        tally.add(group, case, outcome, f"{type(exc).__name__}: {exc}")
        return
    if correct is not None:
        tally.add(group, case, "clear" if correct(result) else "silent", f"wrong answer {result!r}"[:160])
    else:
        tally.add(group, case, "silent", f"accepted in {time.perf_counter() - start:.1f} s")


# --- parameters ----------------------------------------------------------------------

def _machine(calibrator, **params):
    from sklearn.frozen import FrozenEstimator

    from sklearn_sbs import SpikingBoltzmannMachine
    from sklearn_sbs.boltzmann import make_random_network

    W, b = make_random_network(3, random_state=0)
    base = dict(weights=W, biases=b, calibrator=FrozenEstimator(calibrator), duration=200.0,
                correction_rounds=0, random_state=0)
    return SpikingBoltzmannMachine(**(base | params))


def params(tally, calibrator, quick):
    from sklearn_sbs import LIFSamplerCalibrator, sources, synapses

    machine_params = _machine(calibrator).get_params(deep=False)
    skip = {"calibrator", "weights", "biases", "random_state", "memory", "verbose", "n_jobs"}
    X = np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], dtype=float)
    for name in sorted(set(machine_params) - skip):
        for label, value in BAD_NUMBERS.items():
            def call(name=name, value=value):
                if name in LEARNING_PARAMS:
                    learner = dict(weights=None, biases=None, n_iter=1, step_duration=50.0,
                                   learning="spiking") | {name: value}
                    return _machine(calibrator, **learner).fit(X)
                return _machine(calibrator, **{name: value}).fit().sample()
            case = f"machine {name}"
            try_case(tally, "params", f"{case}={label}", call, [name],
                     correct=_accepted if _legitimate(case, label) else None)
    # delays and durations off the time grid (dt = 0.1 ms)
    for name, value in (("delay", 0.05), ("delay", 0.15), ("duration", 200.05), ("burn_in", 10.05),
                        ("correction_duration", 100.05), ("step_duration", 10.05),
                        ("inference_duration", 100.05)):
        extra = {"correction_rounds": 1} if name == "correction_duration" else {}
        try_case(tally, "params", f"machine {name}={value} off the 0.1 ms grid",
                 lambda name=name, value=value, extra=extra: _machine(calibrator, **{name: value}, **extra).fit(),
                 [name])
    try_case(tally, "params", "machine noise=PoissonNoise (the class)",
             lambda: _machine(calibrator, noise=sources.PoissonNoise).fit(), ["noise"])
    try_case(tally, "params", "machine noise rate_exc=0",
             lambda: _machine(calibrator, noise=sources.PoissonNoise(rate_exc=0.0)).fit().sample(),
             ["rate_exc"])
    try_case(tally, "params", "machine random_state=-1", lambda: _machine(calibrator, random_state=-1).fit(),
             ["random_state"])
    try_case(tally, "params", "machine biases huge", lambda: _machine(calibrator).set_params(
        biases=[3e4, 0.0, 0.0]).fit(), ["biases"])
    try_case(tally, "params", "sample(duration=100.05)",
             lambda: _machine(calibrator).fit().sample(duration=100.05), ["duration"])
    for synapse_param in ("U", "tau_rec", "tau_facil"):
        for label, value in BAD_NUMBERS.items():
            case = f"synapse {synapse_param}"
            try_case(tally, "params", f"{case}={label}",
                     lambda p=synapse_param, v=value: _machine(
                         calibrator, synapse=synapses.TsodyksMarkramSynapse(**{p: v})).fit(),
                     [f"synapse__{synapse_param}"],
                     correct=_accepted if _legitimate(case, label) else None)
    noise_sources = [sources.PoissonNoise(), sources.SinusoidalPoissonNoise(), sources.PoissonPoolNoise(),
                     sources.SpikeTrainNoise(spike_times_exc=[1.0, 2.0], spike_times_inh=[1.5])]
    cal_base = dict(duration=200.0, n_points=4, burn_in=10.0, random_state=0)
    for noise in noise_sources:
        for name in sorted(noise.get_params(deep=False)):
            labels = list(BAD_NUMBERS)[:3] if quick else list(BAD_NUMBERS)
            for label in labels:
                value = BAD_NUMBERS[label]
                bad = type(noise)(**(noise.get_params(deep=False) | {name: value}))
                case = f"calibrator noise {type(noise).__name__}.{name}"
                try_case(tally, "params", f"{case}={label}",
                         lambda bad=bad: LIFSamplerCalibrator(noise=bad, **cal_base).fit(),
                         [f"noise__{name}", f"{name}="],     # or noise=Class(name=value)
                         correct=_accepted if _legitimate(case, label) else None)
    cal_params = LIFSamplerCalibrator().get_params(deep=False)
    for name in sorted(set(cal_params) - {"noise", "neuron_params", "random_state", "verbose", "n_jobs"}):
        for label, value in BAD_NUMBERS.items():
            case = f"calibrator {name}"
            try_case(tally, "params", f"{case}={label}",
                     lambda name=name, value=value: LIFSamplerCalibrator(**(cal_base | {name: value})).fit(),
                     [name], correct=_accepted if _legitimate(case, label) else None)
    for key, value in (("tau_refrac", 0.05), ("tau_m", 1e-9), ("i_offset", 1e6), ("tau_m", "abc"),
                       ("cm", -1.0), ("v_thresh", float("nan")), ("no_such_parameter", 1.0)):
        try_case(tally, "params", f"calibrator neuron_params {key}={value!r}",
                 lambda key=key, value=value: LIFSamplerCalibrator(
                     neuron_params={key: value}, **cal_base).fit(), [key])
    try_case(tally, "params", "calibrator dt=20", lambda: LIFSamplerCalibrator(**(cal_base | {"dt": 20.0})).fit(),
             ["dt"])


# --- documents -----------------------------------------------------------------------

def _corruptions(value):
    """Wrong type, NaN, wrong shape, out of range, missing: for one field's value."""
    out = {"null": None, "string": "abc", "missing": ...}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        out |= {"nan": float("nan"), "list": [value, value]}
        if value > 0:           # a negative value of a field that holds one is no corruption
            out["negative"] = -value
    elif isinstance(value, list):
        flat = np.asarray(value, dtype=float) if value and not isinstance(value[0], dict) else None
        if flat is not None and flat.size:
            nan = flat.copy()
            nan.flat[0] = float("nan")
            out |= {"nan": nan.tolist(), "short": flat[:-1].tolist() if flat.ndim == 1 else flat[:-1, :-1].tolist()}
            if flat.ndim == 2 and flat.shape[0] > 1:
                asym = flat.copy()
                asym[0, 1] += 0.5
                out["asymmetric"] = asym.tolist()
    elif isinstance(value, dict):
        out |= {"list": [1, 2]}
    return out


def _walk(doc, path=()):
    """(path, value) of every leaf-ish field (dicts entered, lists as values)."""
    for key, value in doc.items():
        if isinstance(value, dict) and value and key not in ("params",):
            yield from _walk(value, path + (key,))
        yield path + (key,), value


def _set(doc, path, value):
    doc = json.loads(json.dumps(doc))
    node = doc
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def documents(tally, calibrator, quick):
    from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine

    machine = _machine(calibrator).fit()
    kinds = [("machine", SpikingBoltzmannMachine, json.loads(machine.to_json())),
             ("calibrator", LIFSamplerCalibrator, json.loads(calibrator.to_json()))]
    for kind, cls, doc in kinds:
        for path, value in _walk(doc):
            if path[-1] in ("format",):
                continue
            for label, bad in _corruptions(value).items():
                text = json.dumps(_set(doc, path, bad))

                def call(cls=cls, text=text):
                    obj = cls.from_json(text)
                    if cls is SpikingBoltzmannMachine:
                        obj.sample(duration=100.0)
                    else:
                        obj.predict(np.array([[-55.0]]))
                field = ".".join(path)
                if label == "asymmetric" and field in ("fitted.weights_bio", "fitted.weights_effective"):
                    # per receiving unit, not symmetric: the translation check must see it
                    names = ["is not the translation"]
                elif (kind, field, label) == ("calibrator", "calibration", "missing"):
                    names = ["not fitted"]          # an unfitted calibrator's document
                else:
                    names = [path[-1]]
                legitimate = _legitimate(f"documents {kind} {field}", label)
                try_case(tally, "documents", f"{kind} {field} {label}", call, names,
                         correct=_accepted if legitimate else None)
        for label, text in (("not JSON", "{not json"), ("empty", ""), ("a list", "[1, 2]"),
                            ("binary", "\x00\x01\x02")):
            try_case(tally, "documents", f"{kind} document {label}", lambda cls=cls, text=text: cls.from_json(text),
                     ["JSON", "document", "format"])


# --- public functions ----------------------------------------------------------------

def functions(tally, calibrator, quick):
    from sklearn_sbs import boltzmann, metrics

    W, b = boltzmann.make_random_network(3, random_state=0)
    p = np.array([0.5, 0.5 + 1e-9, 0.0, 0.0])      # sums to 1 within the tolerance
    cases = [
        ("dkl of p summing to 1 within rounding", lambda: metrics.dkl(p, [0.25] * 4), ["p"], lambda d: d >= 0),
        ("dkl of negative q", lambda: metrics.dkl([0.5, 0.5], [1.5, -0.5]), ["q"]),
        ("log_partition with biases 1.7e308", lambda: boltzmann.log_partition(W, [1.7e308, 1.7e308, 0]),
         ["biases"]),
        ("joint_distribution of asymmetric W", lambda: boltzmann.joint_distribution(W + np.triu(W, 1), b),
         ["weights"]),
        ("joint_distribution of 40 units", lambda: boltzmann.joint_distribution(np.zeros((40, 40)), np.zeros(40)),
         ["units", "n_units", "24"]),
        ("gibbs_sample n_samples=-1", lambda: boltzmann.gibbs_sample(W, b, -1), ["n_samples"]),
        ("gibbs_sample random_state=-1", lambda: boltzmann.gibbs_sample(W, b, 10, random_state=-1),
         ["random_state"]),
        ("gibbs_sample NaN bias", lambda: boltzmann.gibbs_sample(W, [np.nan, 0, 0], 10), ["biases"]),
        ("empirical_distribution of 0.5", lambda: boltzmann.empirical_distribution([[0.5, 1.0]]), ["states"]),
        ("weights and biases of other sizes", lambda: boltzmann.joint_distribution(W, b[:2]), ["biases"]),
    ]
    for case, call, names, *correct in cases:
        try_case(tally, "functions", case, call, names, correct=correct[0] if correct else None)


# --- command line --------------------------------------------------------------------

def _cli(args, cwd, timeout=300.0):
    return subprocess.run([sys.executable, "-m", "sklearn_sbs", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def cli(tally, calibrator, quick):
    folder = tempfile.mkdtemp(prefix="sbs-robustness-")
    cal_path = os.path.join(folder, "cal.json")
    calibrator.save(cal_path)
    old = os.path.join(folder, "old.npz")
    np.savez(old, a=np.arange(10))
    old_bytes = open(old, "rb").read()
    for name, text in (("empty.csv", ""), ("nan.csv", "1,0\nnan,1\n"), ("half.csv", "1,0\n0.5,1\n"),
                       ("notjson.json", "not json at all"), ("binary.json", "\x00\xff\xfe")):
        with open(os.path.join(folder, name), "w", encoding="latin-1") as handle:
            handle.write(text)
    base = ["sample", cal_path, "--random", "3", "--duration", "200"]
    cases = [
        ("exact --show=-1", ["exact", "--show=-1"], ["show"], None),
        ("exact --units 0", ["exact", "--units", "0"], ["units"], None),
        ("sample -o into a missing folder", base + ["-o", os.path.join(folder, "no", "x.npz")], ["no"], None),
        ("sample -o a directory", base + ["-o", folder], [folder], None),
        ("sample --duration -5", base[:-2] + ["--duration", "-5", "-o", os.path.join(folder, "y.npz")],
         ["duration"], None),
        ("sample, calibration not JSON", ["sample", os.path.join(folder, "notjson.json"),
                                          "--random", "3", "-o", os.path.join(folder, "z.npz")],
         ["notjson.json"], None),
        ("sample, calibration binary", ["sample", os.path.join(folder, "binary.json"),
                                        "--random", "3", "-o", os.path.join(folder, "z.npz")],
         ["binary.json"], None),
        ("sample, calibration missing", ["sample", os.path.join(folder, "none.json"),
                                         "--random", "3", "-o", os.path.join(folder, "z.npz")],
         ["none.json"], None),
        ("sample over an existing npz under a 1 KiB file-size limit", base + ["-o", old], ["old.npz", "File"],
         "fsize"),
        ("learn on an empty CSV", ["learn", os.path.join(folder, "empty.csv"), cal_path,
                                   "-o", os.path.join(folder, "m.json")], ["empty.csv"], None),
        ("learn on NaN data", ["learn", os.path.join(folder, "nan.csv"), cal_path,
                               "-o", os.path.join(folder, "m.json")], ["nan.csv"], None),
        ("learn on data with 0.5", ["learn", os.path.join(folder, "half.csv"), cal_path,
                                    "-o", os.path.join(folder, "m.json")], ["half.csv", "0.5"], None),
        ("learn -o into a missing folder", ["learn", os.path.join(folder, "half.csv"), cal_path,
                                            "-o", os.path.join(folder, "no", "m.json")], ["no"], None),
        ("calibrate --duration abc", ["calibrate", "--duration", "abc", "-o", os.path.join(folder, "c.json")],
         ["duration"], None),
        ("no command", [], ["command"], None),
    ]
    for case, args, names, limit in cases:
        try:
            if limit == "fsize":
                import resource

                def preexec():
                    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
                result = subprocess.run([sys.executable, "-m", "sklearn_sbs", *args], cwd=folder,
                                        capture_output=True, text=True, timeout=300, preexec_fn=preexec)
            else:
                result = _cli(args, folder)
        except subprocess.TimeoutExpired:
            tally.add("cli", case, "hang")
            continue
        message = (result.stderr.strip().splitlines() or [""])[-1]
        if limit == "fsize" and open(old, "rb").read() != old_bytes:
            tally.add("cli", case, "data loss", message)
        elif result.returncode < 0 or "Traceback" in result.stderr:
            tally.add("cli", case, "crash", message)
        elif result.returncode == 0:
            tally.add("cli", case, "silent", result.stdout[-160:])
        elif any(name in message for name in names):       # one line saying it (argparse's too)
            tally.add("cli", case, "clear")
        else:
            tally.add("cli", case, "unclear", message)


# --- workers -------------------------------------------------------------------------

def _children():
    """Pids of this process's descendants (the simulation workers), from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError), open(f"/proc/{entry}/stat") as handle:
                parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _is_resource_tracker(pid):
    with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as handle:
        return b"resource_tracker" in handle.read()
    return False


def _signal_workers_later(signum, delay):
    """Signal the simulation workers (not loky's resource tracker, which a user who
    kills a worker leaves alone: killed, it would be relaunched and print KeyErrors)."""
    def send():
        for pid in _children() - {p for p in _children() if _is_resource_tracker(p)}:
            with contextlib.suppress(OSError):
                os.kill(pid, signum)
    timer = threading.Timer(delay, send)
    timer.start()
    return timer


def workers(tally, calibrator, quick):
    """Ctrl-C mid-run, then a short call that must answer as fast as ever; a worker
    killed (SIGKILL) and one frozen (SIGSTOP) mid-run: a clear error, and the next call
    works."""
    short = _machine(calibrator).fit()
    short.sample()                                          # warm
    t0 = time.perf_counter()
    short.sample()
    warm = time.perf_counter() - t0
    long = _machine(calibrator, duration=3e5).fit()
    try:
        with time_limit(3.0):
            long.sample()
    except KeyboardInterrupt:
        pass
    in_time = lambda limit: (lambda elapsed: elapsed <= limit)      # noqa: E731
    try_case(tally, "workers", "a short sample() right after Ctrl-C of a long one",
             lambda: _elapsed(short.sample), [], correct=in_time(10 * warm + 5.0))
    for name, signum, seconds in (("killed", signal.SIGKILL, 120.0), ("frozen", signal.SIGSTOP, 900.0)):
        _signal_workers_later(signum, 3.0)
        try_case(tally, "workers", f"sample() of a worker {name} mid-run", long.sample,
                 ["worker", "simulation"], seconds=seconds)
        try_case(tally, "workers", f"a short sample() after the {name} worker",
                 lambda: _elapsed(short.sample), [], correct=in_time(10 * warm + 30.0))


def _elapsed(call):
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


GROUPS = {"params": params, "documents": documents, "functions": functions, "cli": cli,
          "workers": workers}


def main():
    args = H.parse(__doc__, lambda parser: parser.add_argument(
        "--groups", default=",".join(GROUPS), help="classes to try, comma-separated"))
    from sklearn_sbs import LIFSamplerCalibrator

    report = H.Report("robustness: hostile inputs, classified", args)
    calibrator = LIFSamplerCalibrator(duration=1000.0, n_points=10, random_state=0).fit()
    tally = Tally()
    for group in args.groups.split(","):
        run = GROUPS[group]
        t0 = time.perf_counter()
        log(f"{group} ...")
        run(tally, calibrator, args.quick)
        log(f"  ({group}: {sum(tally.rows.get(group, {}).values())} cases, {time.perf_counter() - t0:.0f} s)")
    rows = [[group, sum(counts.values()), *(counts[o] for o in OUTCOMES)] for group, counts in tally.rows.items()]
    totals = [sum(r[i] for r in rows) for i in range(1, len(OUTCOMES) + 2)]
    report.section("Hostile inputs by class (tried / outcome)")
    report.table(["class", "tried", *OUTCOMES], rows + [["all", *totals]])
    if tally.bad:
        report.section("Cases not refused clearly")
        report.table(["class", "case", "outcome", "message"], [list(b) for b in tally.bad])
    report.close()


if __name__ == "__main__":
    main()
