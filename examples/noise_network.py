#!/usr/bin/env python
"""A recurrent noise network as the samplers' background (sources.NoiseNetwork)
============================================================================

Jordan et al. ("Deterministic networks for probabilistic computing", Sci. Rep.
9, 18303, 2019) replace the samplers' private Poisson noise by the spikes of a
random recurrent network of excitatory and inhibitory LIF neurons: a finite,
shared background.  :class:`sklearn_sbs.sources.NoiseNetwork` builds such a
network (800 excitatory and 200 inhibitory current-based neurons by default)
next to the samplers; each sampler receives 100 random excitatory and 100
random inhibitory network neurons.

The script calibrates the tutorial neuron under the noise network (the
activation is measured, whatever the network's rate; the theory only has the
rough ``rate_estimate``) and under independent Poisson noise, samples the
tutorial's random 5-unit network under each background with its own
calibration, and prints v_p05, alpha and DKL(target ‖ sampled).  Samplers that
share network neurons receive correlated input, which the Poisson background
does not have.  It writes ``activation.png``, ``joint.png`` and
``marginals.png``.

Run ``python noise_network.py`` (about 40 s: the 1000-neuron network runs in
every simulation) or with ``--quick`` (a 250-neuron network, tiny durations).
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import make_random_network  # noqa: E402
from sklearn_sbs.plotting import (  # noqa: E402
    ActivationDisplay, JointDistributionDisplay, MarginalsDisplay,
)
from sklearn_sbs.sources import NoiseNetwork, PoissonNoise  # noqa: E402

NAME = "noise_network"  # the default output folder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny network and durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=2019, help="random seed")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")



def noise_network(quick):
    if quick:   # a quarter of the network, fewer but stronger inputs per sampler
        return NoiseNetwork(n_exc=200, n_inh=50, indegree_exc=50, indegree_inh=50,
                            weight_exc=0.003, weight_inh=0.003)
    return NoiseNetwork()   # Jordan et al.-like: 800 + 200 neurons, 100 + 100 inputs per sampler


def calibrate(noise, quick, seed, n_jobs):
    cal = LIFSamplerCalibrator("IF_cond_exp", None, noise, duration=500.0 if quick else 2000.0,
                               n_points=16 if quick else 32, random_state=seed, n_jobs=n_jobs)
    return cal.fit()


def sample(weights, biases, cal, duration, seed, n_jobs):
    bm = SpikingBoltzmannMachine(weights, biases, calibrator=FrozenEstimator(cal),
                                 duration=duration, random_state=seed, n_jobs=n_jobs).fit()
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
    for name, cal in cals.items():
        ActivationDisplay.from_estimator(cal, ax=ax, name=name, vline_kw={"alpha": 0.4})
    tidy_legend(ax)
    ax.set_title("tutorial neuron: noise network vs Poisson background")
    save(fig, output_dir, "activation.png")

    fig, axes = plt.subplots(len(machines), 1, figsize=(12, 4 * len(machines)), layout="constrained")
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
    network = noise_network(args.quick)
    print(f"noise network: {network.n_exc} excitatory + {network.n_inh} inhibitory neurons, "
          f"p = {network.connectivity:g}, g = {network.g:g}; per sampler "
          f"{network.indegree_exc} + {network.indegree_inh} inputs of "
          f"{network.weight_exc:g} / {network.weight_inh:g} µS")
    noises = {"noise network": network, "Poisson": PoissonNoise()}
    cals = {name: calibrate(noise, args.quick, args.seed, args.n_jobs) for name, noise in noises.items()}
    print("background      v_p05 (mV)  alpha (mV)   theory v_p05, alpha   score")
    for name, cal in cals.items():
        print(f"{name:14s} {cal.v_p05_:11.3f} {cal.alpha_:11.3f}   {cal.theory_v_p05_:8.2f}, "
              f"{cal.theory_alpha_:.3f}     {cal.score():.1e}")

    duration = 1000.0 if args.quick else 1e4
    weights, biases = make_random_network(5, args.seed)
    machines = {name: sample(weights, biases, cal, duration, args.seed + 1, args.n_jobs)
                for name, cal in cals.items()}
    print(f"\n5-unit network, {duration:g} ms, each background with its own calibration:")
    for name, bm in machines.items():
        print(f"  {name:14s} DKL(target || sampled) = {-bm.score():.4f}")
    plot(cals, machines, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
