#!/usr/bin/env python
"""Fixed spike trains as background noise (sources.SpikeTrainNoise)
================================================================

The sbs tutorial's ``sample_network_fixed_spikes()`` replaces the Poisson
background of calibrated samplers by fixed spike trains of the same rate.
:class:`sklearn_sbs.sources.SpikeTrainNoise` does this: every neuron receives
the *same* given trains (one excitatory, one inhibitory here).  Two kinds of
trains at the tutorial's 3 kHz are compared with independent Poisson noise:

- "frozen Poisson": one Poisson train per receptor, drawn once with numpy;
- "regular": the tutorial's trains, one spike every 1/3 ms (inhibitory ones
  shifted by 1 ms) -- an almost constant conductance, hence hardly any noise.

For each background the script

1. measures the activation function of the tutorial neuron at the same
   resting potentials (``fit(X)``): frozen Poisson trains give a logistic much
   like independent Poisson noise; regular trains give an almost
   deterministic neuron, a step;
2. samples the tutorial's random 5-unit network with the *Poisson*
   calibration and that background (``SpikingBoltzmannMachine(noise=...)``):
   shared trains correlate the units, so the joint is off even where the
   marginals look right -- "the DKL etc will be horrible in this example (but
   that is not the point here)", as the tutorial says.

It prints v_p05, alpha and the fit's score of each activation, the DKL of each
sampled joint, and writes ``activation.png``, ``joint.png`` and
``marginals.png``.

Run ``python fixed_spike_trains.py`` (about 15 s) or with ``--quick``.
"""

import argparse
import os
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import make_random_network  # noqa: E402
from sklearn_sbs.plotting import (  # noqa: E402
    ActivationDisplay, JointDistributionDisplay, MarginalsDisplay,
)
from sklearn_sbs.sources import PoissonNoise, SpikeTrainNoise  # noqa: E402

NAME = "fixed_spike_trains"  # the default output folder
RATE = 3000.0            # Hz, as the tutorial's Poisson background
WEIGHT = 0.001           # µS
BURN_IN = 100.0          # ms, calibration and sampling


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=4212314, help="random seed")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")



def poisson_train(rate, t_stop, rng, t_start=1.0):
    """Spike times (ms) of a Poisson process in [t_start, t_stop), drawn once."""
    n = rng.poisson(rate * 1e-3 * (t_stop - t_start))
    return np.sort(rng.uniform(t_start, t_stop, size=n))


def backgrounds(t_stop, seed):
    """The three backgrounds, each long enough for every simulation of this script."""
    rng = np.random.default_rng(seed)
    regular = np.arange(1.0, t_stop, 1000.0 / RATE)
    return {
        "Poisson": PoissonNoise(RATE, RATE, WEIGHT, WEIGHT),
        "frozen Poisson": SpikeTrainNoise([poisson_train(RATE, t_stop, rng)],
                                          [poisson_train(RATE, t_stop, rng)], WEIGHT, WEIGHT),
        "regular": SpikeTrainNoise([regular], [regular + 1.0], WEIGHT, WEIGHT),
    }


def calibrate(noise, v_rest, duration, seed, n_jobs):
    """Measure the activation at the given resting potentials and fit the logistic."""
    cal = LIFSamplerCalibrator("IF_cond_exp", None, noise, duration=duration, burn_in=BURN_IN,
                               random_state=seed, n_jobs=n_jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cal.fit(v_rest[:, None])
    for w in caught:                      # a step is "poorly constrained": say so, briefly
        print(f"  note: {str(w.message).split(';')[0]}")
    return cal


def sample(weights, biases, cal, noise, duration, seed, n_jobs):
    bm = SpikingBoltzmannMachine(weights, biases, calibrator=FrozenEstimator(cal), noise=noise,
                                 duration=duration, burn_in=BURN_IN, random_state=seed,
                                 n_jobs=n_jobs).fit()
    bm.sample()
    return bm


def tidy_legend(ax):
    """One legend entry per curve (no v_p05 lines, one threshold), right of the axes."""
    seen, keep = set(), []
    for handle, label in zip(*ax.get_legend_handles_labels()):
        what = label.split(": ", 1)[-1]
        if what == "v_p05" or (what.startswith("v_thresh") and what in seen):
            continue
        seen.add(what)
        keep.append((handle, what if what.startswith("v_thresh") else label))
    ax.legend(*zip(*keep), loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small")


def plot(cals, machines, output_dir):
    fig, ax = plt.subplots(figsize=(12, 5), layout="constrained")
    for k, (name, cal) in enumerate(cals.items()):
        ActivationDisplay.from_estimator(cal, ax=ax, name=name, plot_theory=k == 0)
    tidy_legend(ax)
    ax.set_title("tutorial neuron, 3 kHz background of different kinds")
    save(fig, output_dir, "activation.png")

    fig, axes = plt.subplots(len(machines), 1, figsize=(12, 3.6 * len(machines)),
                             layout="constrained")
    for ax, (name, bm) in zip(axes, machines.items()):
        JointDistributionDisplay.from_estimator(bm, ax=ax, name=f"{name} background")
    save(fig, output_dir, "joint.png")

    fig, axes = plt.subplots(1, len(machines), figsize=(5.5 * len(machines), 4),
                             layout="constrained", sharey=True)
    for ax, (name, bm) in zip(axes, machines.items()):
        MarginalsDisplay.from_estimator(bm, ax=ax, name=name)
    save(fig, output_dir, "marginals.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    cal_duration = 500.0 if args.quick else 5000.0
    duration = 2000.0 if args.quick else 2e4
    noises = backgrounds(BURN_IN + max(cal_duration, duration), args.seed)
    v_rest = np.linspace(-54.0, -47.0, 16 if args.quick else 48)

    cals = {}
    print("background        v_p05 (mV)  alpha (mV)   score")
    for name, noise in noises.items():
        cals[name] = cal = calibrate(noise, v_rest, cal_duration, args.seed, args.n_jobs)
        print(f"{name:16s} {cal.v_p05_:10.3f} {cal.alpha_:11.3f}   {cal.score():.1e}")

    weights, biases = make_random_network(5, args.seed)
    machines = {name: sample(weights, biases, cals["Poisson"], noise, duration, args.seed + 1,
                             args.n_jobs)
                for name, noise in noises.items()}
    print(f"\n5-unit network, Poisson calibration, {duration:g} ms:")
    print("background        DKL(target || sampled)   max |marginal error|")
    for name, bm in machines.items():
        error = np.abs(bm.sampled_marginals() - bm.target_marginals()).max()
        print(f"{name:16s} {-bm.score():23.4f} {error:22.3f}")
    plot(cals, machines, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
