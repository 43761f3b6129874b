#!/usr/bin/env python
"""Sample the sbs tutorial's random 5-unit Boltzmann machine with LIF neurons
==========================================================================

As in the sbs tutorial's ``sample_network()``: random symmetric weights
W = (A + Aᵀ)/2 with A ~ N(0, 1) and a zero diagonal, biases b ~ N(0, 1), the
tutorial neuron calibrated once (3 kHz Poisson noise) and used, frozen, by
every unit.  The same network is sampled twice, with the same seed, with the
two synapse types of :mod:`sklearn_sbs.synapses` (PyNN's standard synapse
models and parameter names):

- ``StaticSynapse()``: plain exponential conductance synapses, where a spike
  arriving while the previous PSP is still up adds to it;
- ``TsodyksMarkramSynapse()``: short-term depression with U = 1 and
  ``tau_rec=None``, i.e. tau_rec = the receiving neuron's tau_syn, where such a
  spike renews the PSP instead -- closer to the Boltzmann interaction of a unit
  that stays "on" (Petrovici et al. 2016).  This is the machine's default,
  ``synapse="renewing"``; ``synapse="static"`` is the other shorthand, and
  ``synapse__tau_rec`` etc. are nested parameters like any other.

It prints the target and sampled marginals and DKL(target ‖ sampled) of the
joint for both, and writes ``joint.png`` (target and sampled joint of the 32
states, one panel per synapse type), ``marginals.png`` and ``weights.png``
(theoretical weights and the translated synaptic weights in µS).

Run ``python sample_network.py`` (1e5 ms of network time per synapse type,
about 20 s) or with ``--quick``.
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import make_random_network  # noqa: E402
from sklearn_sbs.plotting import (  # noqa: E402
    JointDistributionDisplay, MarginalsDisplay, WeightsDisplay,
)
from sklearn_sbs.synapses import StaticSynapse, TsodyksMarkramSynapse  # noqa: E402

NAME = "sample_network"  # the default output folder
# name -> synapse object; TsodyksMarkramSynapse(U=1.0, tau_rec=None, tau_facil=0.0)
SYNAPSES = {"static": StaticSynapse(), "renewing": TsodyksMarkramSynapse()}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=42141412, help="seed of network and noise")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")



def calibrate(quick, seed, n_jobs):
    cal = LIFSamplerCalibrator(duration=500.0 if quick else 6000.0, n_points=16 if quick else 64,
                               random_state=seed, n_jobs=n_jobs)
    return cal.fit()


def sample(weights, biases, cal, name, quick, seed, n_jobs):
    """Fit (translate units; the frozen calibrator is used as it is) and sample."""
    bm = SpikingBoltzmannMachine(
        weights, biases, calibrator=FrozenEstimator(cal), synapse=SYNAPSES[name],
        duration=2000.0 if quick else 1e5, random_state=seed, n_jobs=n_jobs,
    ).fit()
    states = bm.sample()
    t0, t1 = bm.sampled_run_.window
    print(f"{name} synapses, {bm.synapse!r}: sampled {states.shape[0]} states from "
          f"{t0:g} to {t1:g} ms (one per tau_on = {bm.tau_on_.min():g} ms)")
    return bm


def report(machines):
    first = machines["static"]
    print("\nunit  v_rest (mV)  target p(z=1)  " + "  ".join(f"{s:>8s}" for s in machines))
    sampled = {s: bm.sampled_marginals() for s, bm in machines.items()}
    for i, (v, t) in enumerate(zip(first.v_rest_, first.target_marginals())):
        print(f"{i:4d}  {v:11.3f}  {t:13.4f}  " + "  ".join(f"{sampled[s][i]:8.4f}" for s in machines))
    print("DKL(target || sampled), joint: "
          + ", ".join(f"{s} {-bm.score():.4f}" for s, bm in machines.items()))


def plot(machines, output_dir):
    fig, axes = plt.subplots(len(machines), 1, figsize=(12, 4 * len(machines)), layout="constrained")
    for ax, (synapse, bm) in zip(axes, machines.items()):
        JointDistributionDisplay.from_estimator(bm, ax=ax, name=f"{synapse} synapses")
    save(fig, output_dir, "joint.png")

    fig, axes = plt.subplots(1, len(machines), figsize=(6 * len(machines), 4), layout="constrained",
                             sharey=True)
    for ax, (synapse, bm) in zip(axes, machines.items()):
        MarginalsDisplay.from_estimator(bm, ax=ax, name=f"{synapse} synapses")
    save(fig, output_dir, "marginals.png")

    bm = machines["renewing"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    WeightsDisplay.from_estimator(bm, "theo", ax=left, include_values=True)
    WeightsDisplay.from_estimator(bm, "bio", ax=right, include_values=True, values_format=".1e")
    save(fig, output_dir, "weights.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    weights, biases = make_random_network(5, args.seed)
    print("weights (theo):\n" + np.array2string(weights, precision=3, suppress_small=True))
    print("biases (theo): " + np.array2string(biases, precision=3))
    cal = calibrate(args.quick, args.seed, args.n_jobs)
    print(f"calibration: v_p05 = {cal.v_p05_:.3f} mV, alpha = {cal.alpha_:.3f} mV")
    machines = {s: sample(weights, biases, cal, s, args.quick, args.seed + 1, args.n_jobs)
                for s in SYNAPSES}
    report(machines)
    plot(machines, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
