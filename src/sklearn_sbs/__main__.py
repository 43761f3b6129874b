"""Command line: ``python -m sklearn_sbs <command> [options]`` (``--help`` for each).

Every option that sets an estimator parameter takes its default from the
estimator itself (its signature, or the parameter object's ``get_params``), so
that the command line and the library never disagree.
"""

import argparse
import contextlib
import importlib.util
import inspect
import io
import os
import signal
import sys
import time
import warnings

try:
    # numpy only: scikit-learn (through the package's modules) is imported after the
    # simulation workers have started (see _prestart_for), to overlap their imports
    import numpy as np
except KeyboardInterrupt:           # Ctrl-C while starting up: the one line, as later
    if __name__ == "__main__":
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    raise

_SYNAPSE_PARAMS = ("U", "tau_rec", "tau_facil")      # TsodyksMarkramSynapse, PyNN's names
_NOISE_PARAMS = ("rate_exc", "rate_inh", "weight_exc", "weight_inh")


def _defaults(estimator):
    """The default of every parameter of an estimator class, from its signature."""
    return {name: p.default for name, p in inspect.signature(estimator).parameters.items()}


def _cmd_exact(args):
    from .boltzmann import (empirical_distribution, gibbs_sample, joint_distribution,
                            make_random_network, marginals)
    from .metrics import dkl

    weights, biases = make_random_network(args.units, args.seed)
    t0 = time.perf_counter()
    joint = joint_distribution(weights, biases)
    t_exact = time.perf_counter() - t0
    print(f"Random Boltzmann machine, {args.units} units, seed {args.seed}")
    print("weights:\n" + np.array2string(weights, precision=3, suppress_small=True))
    print("biases: " + np.array2string(biases, precision=3))
    n_show = min(joint.size, args.show)
    order = np.argsort(joint.ravel())[::-1][:n_show]
    print(f"\n{n_show} most probable states (of {joint.size}):")
    for flat in order:
        state = "".join(str(int(bit)) for bit in np.unravel_index(flat, joint.shape))
        print(f"  z = {state}   p = {joint.ravel()[flat]:.5f}")

    t0 = time.perf_counter()
    samples = gibbs_sample(weights, biases, args.samples, random_state=args.seed)
    t_gibbs = time.perf_counter() - t0
    empirical = empirical_distribution(samples)
    print("\nunit   exact p(z=1)   Gibbs p(z=1)")
    for unit, (p_exact, p_gibbs) in enumerate(zip(marginals(weights, biases), samples.mean(axis=0))):
        print(f"{unit:4d}   {p_exact:12.4f}   {p_gibbs:12.4f}")
    print(f"\nDKL(exact || Gibbs, {args.samples} samples) = {dkl(joint, empirical, eps=1e-12):.2e}")
    print(f"exact joint: {t_exact * 1e3:.2f} ms; Gibbs sampler: {args.samples / t_gibbs / 1e6:.2f} M samples/s")


def _count(text):
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _load_array(path, name, ndmin=1):
    """A .npy or .csv (comma- or whitespace-separated) file as an array of finite
    floats; anything else is a ValueError naming the file."""
    if path.endswith(".npy"):
        values = _read_npy(path)
    elif path.endswith((".csv", ".txt")):
        values = _read_table(path, ndmin)
    else:
        raise ValueError(f"--{name} must be a .npy or .csv file, got {path!r}")
    if values.size == 0:
        raise ValueError(f"{path} holds no numbers")
    _refuse_where(path, ~np.isfinite(values), values, "the values must be finite (no NaN or inf)")
    return values


def _read_npy(path):
    try:
        values = np.load(path, allow_pickle=False)
        return np.asarray(values, dtype=float)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"{path} is not a .npy file of numbers: {exc}") from None


def _read_table(path, ndmin):
    from ._serialization import read_text

    text = read_text(path)
    if not text.strip():
        raise ValueError(f"{path} is empty")
    delimiter = "," if "," in text else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # "no data": reported below, in one line
            return np.loadtxt(io.StringIO(text), delimiter=delimiter, ndmin=ndmin)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def _refuse_where(path, bad, values, allowed):
    """A ValueError naming the file, the first bad value and where it is."""
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0]) if values.ndim else ()
        raise ValueError(f"{path}: {_position(where)} is {values[where]:g}; {allowed}")


def _position(where):
    """An array index in a message, counted from 1 as people count rows."""
    if len(where) == 1:
        return f"entry {where[0] + 1}"
    if len(where) == 2:
        return f"row {where[0] + 1}, column {where[1] + 1}"
    return f"the value at index {where}" if where else "its value"


def _load_binary_rows(path):
    """Learning data: a table of 0/1 rows, checked before any work."""
    X = _load_array(path, "data", ndmin=2)
    if X.ndim != 2:
        raise ValueError(f"{path}: learning data must be a 2-d table of binary rows, "
                         f"got shape {X.shape}")
    _refuse_where(path, (X != 0) & (X != 1), X, "learning data must be 0 or 1")
    return X


def _load_calibration(path):
    """A fitted calibrator from a calibration JSON file."""
    from . import LIFSamplerCalibrator

    cal = LIFSamplerCalibrator.load(path)
    if not hasattr(cal, "v_p05_"):
        raise ValueError(f"{path} holds no calibration (run 'calibrate' first)")
    return cal


def _parse_params(pairs):
    """NAME=VALUE pairs as a dict of floats."""
    out = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--param must look like NAME=VALUE, got {pair!r}")
        try:
            out[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--param {name}: {value!r} is not a number") from None
    return out


def _floats(text):
    """'3000' or '2000,1000' as a float or a list of floats."""
    values = [float(v) for v in text.split(",")]
    return values[0] if len(values) == 1 else values


def _given(args, names):
    return {k: getattr(args, k) for k in names if getattr(args, k) is not None}


def _noise_from_args(args):
    """None (the calibrator's default noise) or the model's default noise with the
    given rates and weights changed."""
    from .sources import default_noise

    given = _given(args, _NOISE_PARAMS)
    return default_noise(args.model).set_params(**given) if given else None


def _synapse_from_args(args):
    """The shorthand ("static", "renewing"), or a TsodyksMarkramSynapse with the
    parameters given."""
    from .synapses import TsodyksMarkramSynapse

    given = _given(args, _SYNAPSE_PARAMS)
    if not given:
        return args.synapse
    if args.synapse == "static":
        raise ValueError("--U, --tau-rec and --tau-facil set a Tsodyks-Markram synapse; "
                         "they do not go with --synapse static")
    return TsodyksMarkramSynapse(**given)


def _cmd_calibrate(args):
    from . import LIFSamplerCalibrator

    cal = LIFSamplerCalibrator(
        args.model, _parse_params(args.param) or None, _noise_from_args(args), dt=args.dt,
        duration=args.duration, burn_in=args.burn_in, n_points=args.points,
        random_state=args.seed, n_jobs=args.n_jobs, verbose=0 if args.quiet else 1,
    ).fit()
    cal.save(args.output)
    print(f"v_p05 = {cal.v_p05_:.4f} ± {cal.v_p05_err_:.4f} mV")
    print(f"alpha = {cal.alpha_:.4f} ± {cal.alpha_err_:.4f} mV")
    print(f"score = {cal.score():.3e}  (minus the mean Bernoulli KL, measured vs logistic)")
    print(f"wrote {args.output}")
    if args.plot:
        _save_figure(args.plot, lambda ax: _plotting().ActivationDisplay.from_estimator(cal, ax=ax))
        print(f"wrote {args.plot}")


def _plotting():
    import matplotlib

    matplotlib.use("Agg")
    from . import plotting

    return plotting


def _save_figure(path, draw, size=(6.4, 4.2)):
    """Draw a figure and write it atomically, in the format its extension names."""
    import matplotlib.pyplot as plt

    from ._serialization import write_atomic

    fig, ax = plt.subplots(figsize=size, layout="constrained")
    try:
        draw(ax)
        extension = os.path.splitext(path)[1][1:].lower()
        # a file handle: matplotlib neither appends an extension nor writes in place
        write_atomic(path, lambda handle: fig.savefig(handle, format=extension or None, dpi=120))
    finally:
        plt.close(fig)


def _check_output_file(option, path):
    """Fail before any work if ``path`` cannot be written; the error names it as given."""
    if not path:
        raise ValueError(f"{option} must name a file, got ''")
    if os.path.isdir(path):
        raise ValueError(f"{option} {path!r} is a folder; give a file name")
    real = os.path.realpath(path)              # a symlink's target is what gets written
    folder = os.path.dirname(real)
    shown = (f"{option} {path!r} links to {real!r}, whose folder" if os.path.islink(path)
             else f"{option} {path!r}: the folder {os.path.dirname(path) or '.'!r}")
    if not os.path.isdir(folder):
        raise ValueError(f"{shown} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"{shown} is not writable")


def _check_figure_file(option, path):
    """A figure also needs matplotlib and a format it writes."""
    _check_output_file(option, path)
    if not _has_matplotlib():
        raise ValueError(f"{option} {path!r} needs matplotlib (pip install 'sklearn-sbs[plot]'); "
                         f"give {option} '' for no figure")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    extension = os.path.splitext(path)[1][1:].lower()
    if extension and extension not in formats:
        raise ValueError(f"{option} {path!r}: matplotlib cannot write .{extension} files; "
                         f"formats: {', '.join(sorted(formats))}")


def _has_matplotlib():
    """Whether matplotlib can be imported (found without importing it: start-up time)."""
    try:
        return importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):        # a broken or blocked installation
        return False


class _DefaultPlot(str):
    """The default --plot: told apart from the same name given by the user."""


_DEFAULT_PLOT = _DefaultPlot("joint.png")


def _check_outputs(args):
    """Every output path of the command, checked before any calibration, sampling or learning."""
    outputs = []
    if getattr(args, "plot", None) is _DEFAULT_PLOT:
        # the default figure, only if it can be drawn (matplotlib is an extra)
        args.plot = _DEFAULT_PLOT if _has_matplotlib() else ""
    if getattr(args, "output", None) is not None:
        _check_output_file("-o", args.output)
        outputs.append(args.output)
    if getattr(args, "plot", None):
        _check_figure_file("--plot", args.plot)
        outputs.append(args.plot)
    if len({os.path.realpath(p) for p in outputs}) < len(outputs):
        raise ValueError(f"-o and --plot name the same file, {args.output!r}; give two names")


def _print_marginals(bm):
    print("\nunit   target p(z=1)   sampled p(z=1)   v_rest (mV)")
    for unit, (t, s, v) in enumerate(zip(bm.target_marginals(), bm.sampled_marginals(), bm.v_rest_)):
        print(f"{unit:4d}   {t:13.4f}   {s:14.4f}   {v:11.3f}")


_SIMULATING = ("calibrate", "sample", "demo")     # learn runs its own server


def _prestart_for(argv):
    """Start the simulation workers (and their PyNN/NEST import) for a command that
    simulates, before this process imports scikit-learn and builds its parser: both
    imports take 1.5-2 s and run side by side.  The arguments are only peeked at
    here (parsing needs the estimators' defaults, hence scikit-learn); a command
    line that fails to parse just leaves idle workers behind, which exit with us."""
    if not argv or argv[0] not in _SIMULATING or {"-h", "--help"} & set(argv):
        return
    n_jobs = None
    for k, arg in enumerate(argv):
        value = argv[k + 1] if arg == "--n-jobs" and k + 1 < len(argv) else (
            arg.partition("=")[2] if arg.startswith("--n-jobs=") else None)
        with contextlib.suppress(TypeError, ValueError):
            n_jobs = int(value)
    from ._simulation import prestart

    # only a head start: a value prestart refuses (n_jobs=0) is refused, by name,
    # when the command's own estimator validates it
    with contextlib.suppress(ValueError):
        prestart(n_jobs)


def _cmd_sample(args):
    from sklearn.frozen import FrozenEstimator

    from . import SpikingBoltzmannMachine
    from ._serialization import write_atomic
    from .boltzmann import make_random_network

    cal = _load_calibration(args.calibration)
    if args.random is not None:
        if args.weights or args.biases:
            raise ValueError("give either --random N or --weights and --biases, not both")
        weights, biases = make_random_network(args.random, args.network_seed)
    elif args.weights and args.biases:
        weights, biases = _load_array(args.weights, "weights"), _load_array(args.biases, "biases")
    else:
        raise ValueError("give --weights and --biases files, or --random N for a random network")
    from .synapses import as_synapse

    synapse = _synapse_from_args(args)
    bm = SpikingBoltzmannMachine(
        weights, biases, calibrator=FrozenEstimator(cal), synapse=synapse,
        duration=args.duration, burn_in=args.burn_in, n_chains=args.chains,
        correction_rounds=args.correction_rounds, random_state=args.seed, n_jobs=args.n_jobs,
        verbose=0 if args.quiet else 1,
    ).fit()
    states = bm.sample()
    run = bm.sampled_run_
    arrays = {"states": states, "weights_theo": bm.weights_theo_, "biases_theo": bm.biases_theo_,
              "weights_bio": bm.weights_bio_, "v_rest": bm.v_rest_, "window": run.window}
    for k, trains in enumerate(run.spikes):
        arrays[f"spike_times_{k}"], arrays[f"spike_ids_{k}"] = trains.times, trains.ids
    # through a file handle: numpy writes exactly args.output (no ".npz" appended)
    write_atomic(args.output, lambda handle: np.savez_compressed(handle, **arrays))
    print(f"synapse: {as_synapse(synapse)!r}")
    _print_marginals(bm)
    if bm.n_units_ <= 24:
        print(f"\nDKL(target || sampled) = {-bm.score():.4e}")
    print(f"wrote {args.output}")
    if args.plot and bm.n_units_ <= 10:
        _save_figure(args.plot, lambda ax: _plotting().JointDistributionDisplay.from_estimator(bm, ax=ax),
                     size=(max(6.4, 0.35 * 2 ** bm.n_units_), 4.2))
        print(f"wrote {args.plot}")
    elif args.plot:
        print(f"no plot written to {args.plot}: the joint of {bm.n_units_} units (over 10) has "
              f"{2 ** bm.n_units_} states, too many to draw")


def _cmd_learn(args):
    from sklearn.frozen import FrozenEstimator

    from . import SpikingBoltzmannMachine

    X = _load_binary_rows(args.data)
    cal = _load_calibration(args.calibration)
    bm = SpikingBoltzmannMachine(
        n_hidden=args.hidden, calibrator=FrozenEstimator(cal), learning=args.learning,
        learning_rate=args.learning_rate, batch_size=args.batch_size, n_iter=args.iter,
        n_chains=args.chains, step_duration=args.step_duration, duration=args.duration,
        random_state=args.seed, n_jobs=args.n_jobs, verbose=0 if args.quiet else 1,
    )
    print(f"learning {X.shape[1]} visible and {args.hidden} hidden units from {X.shape[0]} rows "
          f"(learning={args.learning!r}) ...")
    start = time.perf_counter()
    bm.fit(X)
    print(f"{bm.learning_steps_} steps in {time.perf_counter() - start:.1f} s; mean "
          f"pseudo-likelihood {bm.score_samples(X).mean():.3f}")
    if X.shape[1] <= 16:
        print(f"DKL(data || sampled, {args.duration:g} ms) = {-bm.score(X):.4e}")
    bm.save(args.output)
    print(f"wrote {args.output}")


_DEMO_FILES = ("calibration.json", "activation.png", "joint.png", "marginals.png", "weights.png")


def _prepare_output_dir(folder, names):
    """Create the demo's folder and check its files can be written, before any work."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ValueError(f"--output-dir {folder!r} is a file, not a folder")
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ValueError(f"--output-dir {folder!r} cannot be created: {exc.strerror}") from None
    for name in names:
        _check_output_file("--output-dir", os.path.join(folder, name))


def _cmd_demo(args):
    from sklearn.base import clone
    from sklearn.frozen import FrozenEstimator

    from . import LIFSamplerCalibrator, SpikingBoltzmannMachine
    from .boltzmann import empirical_distribution, gibbs_sample, make_random_network
    from .metrics import dkl

    verbose = 0 if args.quiet else 1
    _prepare_output_dir(args.output_dir, _DEMO_FILES)
    out = lambda name: os.path.join(args.output_dir, name)   # noqa: E731
    print("1. Calibrating the sbs tutorial neuron (IF_cond_exp, 3 kHz Poisson noise) ...")
    cal = LIFSamplerCalibrator(random_state=args.seed, n_jobs=args.n_jobs, verbose=verbose).fit()
    cal.save(out("calibration.json"))
    print(f"   v_p05 = {cal.v_p05_:.3f} mV, alpha = {cal.alpha_:.3f} mV "
          f"(theory: {cal.theory_v_p05_:.3f}, {cal.theory_alpha_:.3f})")
    weights, biases = make_random_network(5, args.seed)
    print(f"2. Sampling the tutorial's random 5-unit network for {args.duration:g} ms "
          f"({_defaults(SpikingBoltzmannMachine)['synapse']} synapses) ...")
    bm = SpikingBoltzmannMachine(weights, biases, calibrator=FrozenEstimator(cal),
                                 duration=args.duration, random_state=args.seed + 1,
                                 n_jobs=args.n_jobs, verbose=verbose).fit()
    bm.sample()
    _print_marginals(bm)
    analytic = clone(bm).set_params(correction_rounds=0, verbose=0).fit()
    n = int(args.duration / bm.tau_on_.min())          # samples of the spiking run
    gibbs = gibbs_sample(weights, biases, n, random_state=args.seed + 2)
    print(f"\nDKL(target || sampled) = {-bm.score():.4e} with the translation corrected in "
          f"{len(bm.correction_errors_)} rounds (the default); {-analytic.score():.4e} with the "
          f"analytic translation alone; {dkl(bm.target_joint(), empirical_distribution(gibbs), eps=0.5 / n):.4e} "
          f"for an ideal (Gibbs) sampler with the same {n} samples")
    plotting = _plotting()
    _save_figure(out("activation.png"), lambda ax: plotting.ActivationDisplay.from_estimator(cal, ax=ax))
    _save_figure(out("joint.png"), lambda ax: plotting.JointDistributionDisplay.from_estimator(bm, ax=ax),
                 size=(11.0, 4.2))
    _save_figure(out("marginals.png"), lambda ax: plotting.MarginalsDisplay.from_estimator(bm, ax=ax))
    _save_figure(out("weights.png"), lambda ax: plotting.WeightsDisplay.from_estimator(bm, kind="bio", ax=ax),
                 size=(5.2, 4.2))
    print(f"wrote {', '.join(_DEMO_FILES)} to {args.output_dir}/")
    _demo_inference(bm, weights, biases, args)
    _demo_learning(cal, weights, biases, args)


def _demo_inference(bm, weights, biases, args):
    from .boltzmann import marginals

    rows = np.array([[1, np.nan, np.nan, np.nan, np.nan], [np.nan, np.nan, 0, 1, np.nan]])
    duration = min(args.duration, _defaults(type(bm))["inference_duration"])
    print(f"3. Inference: posterior marginals with observed units clamped ({duration:g} ms, "
          "both rows in one simulation) ...")
    p_on = bm.set_params(inference_duration=duration).transform(rows)
    for row, sampled in zip(rows, p_on):
        exact = marginals(weights, biases, clamped=row)
        observed = " ".join("." if np.isnan(v) else str(int(v)) for v in row)
        print(f"   observed [{observed}]  sampled {np.round(sampled, 2)}  exact {np.round(exact, 2)}")


def _demo_learning(cal, weights, biases, args):
    from sklearn.frozen import FrozenEstimator

    from . import SpikingBoltzmannMachine
    from .boltzmann import empirical_distribution, gibbs_sample
    from .metrics import dkl

    X = gibbs_sample(weights, biases, 2000, thin=5, random_state=args.seed)
    print(f"4. Learning the same network from {X.shape[0]} samples, the spiking network in the "
          "loop (learning='spiking') ...")
    learner = SpikingBoltzmannMachine(
        calibrator=FrozenEstimator(cal), learning="spiking", learning_rate=0.5, batch_size=200,
        n_iter=5, n_chains=4, duration=min(args.duration, 2e4), random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    start = time.perf_counter()
    learner.fit(X)
    untrained = dkl(empirical_distribution(X), np.full((2,) * 5, 1 / 32))   # the uniform start
    print(f"   {learner.learning_steps_} steps in {time.perf_counter() - start:.1f} s; "
          f"DKL(data || sampled) = {-learner.score(X):.4e} (untrained: {untrained:.4e})")


def _default_text(value, unit=""):
    return "none" if value is None else f"{value:g}{' ' + unit if unit else ''}"


def _noise_help(name):
    """Help for one PoissonNoise parameter, its defaults read from default_noise."""
    from .neurons import NEURON_MODELS, get_model
    from .sources import default_noise

    quantity, receptor = name.split("_")
    receptor = {"exc": "excitatory", "inh": "inhibitory"}[receptor]
    defaults = {}               # "conductance" / "current" -> default with its unit
    for model in NEURON_MODELS:
        kind = "conductance" if get_model(model).conductance_based else "current"
        unit = "Hz" if quantity == "rate" else {"conductance": "µS", "current": "nA"}[kind]
        defaults.setdefault(kind, _default_text(getattr(default_noise(model), name), unit))
    if len(set(defaults.values())) == 1:
        default = next(iter(defaults.values()))
    else:
        default = " and ".join(f"{text} for {kind}-based models" for kind, text in defaults.items())
    unit = "Hz" if quantity == "rate" else "µS or nA"
    return (f"{receptor} noise {quantity} in {unit}, comma-separated for several inputs "
            f"(default, from sources.default_noise: {default})")


def build_parser():
    from . import LIFSamplerCalibrator, SpikingBoltzmannMachine
    from .neurons import NEURON_MODELS, get_model
    from .synapses import TsodyksMarkramSynapse

    cal = _defaults(LIFSamplerCalibrator)
    bm = _defaults(SpikingBoltzmannMachine)
    tm = TsodyksMarkramSynapse().get_params()

    parser = argparse.ArgumentParser(
        prog="python -m sklearn_sbs",
        description="Spike-based sampling with LIF neurons: command-line tools. Units are "
                    "PyNN's: ms, Hz, mV, nF, µS (conductances) or nA (currents).",
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    exact = commands.add_parser(
        "exact",
        help="exact distribution of a random Boltzmann machine beside the reference Gibbs sampler",
        description="Print the exact joint and marginals of a random Boltzmann machine (the sbs "
                    "tutorial's), compare with the reference Gibbs sampler and time both.",
    )
    exact.add_argument("--units", type=_count, default=5, help="number of units (1-24, default 5)")
    exact.add_argument("--seed", type=int, default=0, help="seed of the network and the sampler")
    exact.add_argument("--samples", type=_count, default=100_000, help="Gibbs samples (default 1e5)")
    exact.add_argument("--show", type=_count, default=8, help="most probable states to list")
    exact.set_defaults(run=_cmd_exact)

    def common(sub):
        sub.add_argument("-q", "--quiet", action="store_true", help="no progress output")
        sub.add_argument("--seed", type=int, default=0,
                         help="random seed, the estimators' random_state (default 0)")
        sub.add_argument("--n-jobs", type=int, default=cal["n_jobs"],
                         help="simulations in parallel worker processes (-1: all cores; "
                              f"default {cal['n_jobs']}: one)")

    calibrate = commands.add_parser(
        "calibrate", help="calibrate a LIF neuron under Poisson noise; write the calibration JSON",
        description="Measure the activation function of a LIF neuron under Poisson noise (NEST), "
                    "fit the logistic and write the calibration as JSON.",
    )
    calibrate.add_argument("--model", default=cal["neuron_model"],
                           help="PyNN neuron model: " + ", ".join(NEURON_MODELS)
                                + f" (default {cal['neuron_model']})")
    units = get_model(cal["neuron_model"]).units
    calibrate.add_argument("--param", action="append", metavar="NAME=VALUE",
                           help="neuron parameter in PyNN units, e.g. --param tau_m=1.0 "
                                f"(repeatable); {cal['neuron_model']}'s: "
                                + ", ".join(f"{k} ({u})" for k, u in units.items()))
    for name in _NOISE_PARAMS:
        calibrate.add_argument(f"--{name.replace('_', '-')}", type=_floats, default=None,
                               help=_noise_help(name))
    calibrate.add_argument("--dt", type=float, default=cal["dt"],
                           help=f"time step in ms (default {cal['dt']:g})")
    calibrate.add_argument("--duration", type=float, default=cal["duration"],
                           help=f"measured time per point in ms (default {cal['duration']:g})")
    calibrate.add_argument("--burn-in", type=float, default=cal["burn_in"],
                           help=f"time discarded in ms (default {cal['burn_in']:g})")
    calibrate.add_argument("--points", type=int, default=cal["n_points"],
                           help=f"resting potentials measured (default {cal['n_points']})")
    calibrate.add_argument("-o", "--output", default="calibration.json", help="JSON file to write")
    calibrate.add_argument("--plot", metavar="PNG", help="also write the activation plot")
    common(calibrate)
    calibrate.set_defaults(run=_cmd_calibrate)

    sample = commands.add_parser(
        "sample", help="sample a Boltzmann machine with calibrated LIF neurons; write spikes and states",
        description="Translate weights and biases with a calibration, run the spiking network "
                    "(NEST), print target vs sampled marginals and the DKL, write spikes and "
                    "states (.npz) and a plot of the joint distributions.",
    )
    sample.add_argument("calibration", help="calibration JSON written by 'calibrate'")
    sample.add_argument("--weights", help="theoretical weights, .npy or .csv (n x n, symmetric)")
    sample.add_argument("--biases", help="theoretical biases, .npy or .csv (n)")
    sample.add_argument("--random", type=_count, metavar="N",
                        help="instead: a random N-unit network as in the sbs tutorial")
    sample.add_argument("--network-seed", type=int, default=0, help="seed of the random network")
    sample.add_argument("--synapse", choices=("renewing", "static"), default=bm["synapse"],
                        help="static synapses, or renewing ones: Tsodyks-Markram with "
                             f"U = {tm['U']:g}, tau_rec = the receiving neuron's tau_syn "
                             f"(default {bm['synapse']}); --U, --tau-rec or --tau-facil make "
                             "it a TsodyksMarkramSynapse with those parameters")
    sample.add_argument("--U", type=float, default=None,
                        help="Tsodyks-Markram: fraction of the resources a spike uses, in (0, 1] "
                             f"(default {_default_text(tm['U'])})")
    renewing = "the receiving neuron's tau_syn_E or tau_syn_I, i.e. renewing"
    sample.add_argument("--tau-rec", type=float, default=None,
                        help="Tsodyks-Markram: recovery time constant in ms (default: "
                             + (renewing if tm["tau_rec"] is None else f"{tm['tau_rec']:g} ms")
                             + ")")
    sample.add_argument("--tau-facil", type=float, default=None,
                        help="Tsodyks-Markram: facilitation time constant in ms "
                             f"(default {_default_text(tm['tau_facil'], 'ms')}: none)")
    sample.add_argument("--duration", type=float, default=bm["duration"],
                        help=f"sampled time per chain in ms (default {bm['duration']:g})")
    sample.add_argument("--burn-in", type=float, default=bm["burn_in"],
                        help=f"time discarded in ms (default {bm['burn_in']:g})")
    sample.add_argument("--chains", type=int, default=bm["n_chains"],
                        help=f"independent chains (default {bm['n_chains']})")
    sample.add_argument("--correction-rounds", type=int, default=bm["correction_rounds"],
                        help="rounds of correcting the translation in the loop before sampling "
                             f"(default {bm['correction_rounds']}; 0: the analytic translation "
                             "alone)")
    sample.add_argument("-o", "--output", default="samples.npz", help=".npz file to write")
    sample.add_argument("--plot", metavar="PNG", default=_DEFAULT_PLOT,
                        help="plot of target vs sampled joint (default joint.png when matplotlib "
                             "is installed; '' for none)")
    common(sample)
    sample.set_defaults(run=_cmd_sample)

    learn = commands.add_parser(
        "learn", help="learn weights and biases from binary data; write the machine as JSON",
        description="Learn a Boltzmann machine's weights and biases from binary rows by maximum "
                    "likelihood, the model's statistics taken from the spiking network itself "
                    "(or exactly, or from Gibbs chains); print the pseudo-likelihood and, for "
                    "up to 16 visible units, DKL(data || sampled); write the machine (JSON).",
    )
    learn.add_argument("data", help="binary rows (n_samples x n_visible), .npy or .csv")
    learn.add_argument("calibration", help="calibration JSON written by 'calibrate'")
    learn.add_argument("--hidden", type=int, default=bm["n_hidden"],
                       help=f"hidden units (default {bm['n_hidden']})")
    learn.add_argument("--learning", choices=("spiking", "exact", "gibbs"), default=bm["learning"],
                       help=f"where the model's statistics come from (default {bm['learning']})")
    learn.add_argument("--learning-rate", type=float, default=bm["learning_rate"],
                       help=f"step size of the log-likelihood ascent (default {bm['learning_rate']:g})")
    learn.add_argument("--batch-size", type=int, default=bm["batch_size"],
                       help=f"rows per step (default {bm['batch_size']})")
    learn.add_argument("--iter", type=int, default=bm["n_iter"],
                       help=f"passes over the data (default {bm['n_iter']})")
    learn.add_argument("--chains", type=int, default=bm["n_chains"],
                       help=f"network copies (spiking) or Gibbs chains (default {bm['n_chains']})")
    learn.add_argument("--step-duration", type=float, default=bm["step_duration"],
                       help=f"sampled time per step in ms (default {bm['step_duration']:g})")
    learn.add_argument("--duration", type=float, default=bm["duration"],
                       help=f"sampled time for the final DKL in ms (default {bm['duration']:g})")
    learn.add_argument("-o", "--output", default="machine.json", help="JSON file to write")
    common(learn)
    learn.set_defaults(run=_cmd_learn)

    demo = commands.add_parser(
        "demo",
        help="the sbs tutorial end to end: calibrate, sample a 5-unit network, plot, infer, learn",
        description="Calibrate the tutorial neuron, sample the tutorial's random 5-unit "
                    "Boltzmann machine, print target vs sampled marginals and the DKL, "
                    "write the plots; then infer posterior marginals with units clamped and "
                    "learn the network back from samples with the spiking network in the loop.",
    )
    demo.add_argument("--duration", type=float, default=bm["duration"],
                      help=f"sampled time in ms (default {bm['duration']:g})")
    demo.add_argument("--output-dir", default="sbs-demo", help="folder for the plots and JSON")
    common(demo)
    demo.set_defaults(run=_cmd_demo)
    return parser


@contextlib.contextmanager
def _noting_interrupts():
    """Yield a list that records each Ctrl-C (SIGINT); it still raises KeyboardInterrupt.

    A library may catch that KeyboardInterrupt, and a worker process hit by the same
    Ctrl-C closes its pipe: the BrokenPipeError or EOFError that follows is the
    interrupt's doing, which only this record can tell.
    """
    seen = []

    def note(signum, frame):
        seen.append(signum)
        raise KeyboardInterrupt

    previous = None
    with contextlib.suppress(ValueError):         # not the main thread: nothing to note
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            previous = signal.signal(signal.SIGINT, note)
    try:
        yield seen
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _chain(exc):
    """The exception, its cause or context, and theirs."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _error_line(exc):
    """The message of an error; a bare pipe error says what it means here."""
    text = str(exc).strip()
    if isinstance(exc, (BrokenPipeError, EOFError)):
        what = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
        return f"a pipe to a worker process closed unexpectedly ({what})"
    return text or type(exc).__name__


def main(argv=None):
    args = None
    with _noting_interrupts() as interrupts:
        try:
            _prestart_for(sys.argv[1:] if argv is None else list(argv))
            args = build_parser().parse_args(argv)
            _check_outputs(args)
            args.run(args)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            return 130
        except Exception as exc:                 # one clear line; --debug for the traceback
            if interrupts or any(isinstance(e, KeyboardInterrupt) for e in _chain(exc)):
                print("interrupted", file=sys.stderr)
                return 130
            if args is None or args.debug:
                raise
            print(f"error: {_error_line(exc)}", file=sys.stderr)
            return 1
    return 0


def _run_as_command():
    code = main()
    if "sklearn_sbs._simulation" in sys.modules:     # done: no need to wait for idle workers
        with contextlib.suppress(Exception, KeyboardInterrupt):
            sys.modules["sklearn_sbs._simulation"].stop_workers()
    return code


if __name__ == "__main__":
    sys.exit(_run_as_command())
