#!/usr/bin/env python
"""Sample digits from a BernoulliRBM with spiking neurons
======================================================

scikit-learn's 8×8 digits, pixels binarized (> 7 of 16), teach a
``sklearn.neural_network.BernoulliRBM`` (32 hidden units).
``SpikingBoltzmannMachine.from_bernoulli_rbm`` builds the same machine from
LIF neurons (64 visible units, then the 32 hidden ones; the tutorial neuron,
calibrated once and frozen); ``fit`` translates it and corrects the
translation in the loop (``correction_rounds``, 5 by default), so that the
network samples the RBM like an ideal sampler.  The network then samples, and
a Gibbs chain of the same RBM (:func:`sklearn_sbs.boltzmann.gibbs_sample`)
draws as many states.

It prints the RMS error of the 64 pixel marginals p(pixel on) of both against
a long Gibbs reference and writes ``sample_digits.png``: visible states of the
spiking network (left) and of the Gibbs chain (right), spread evenly over each
run, drawn with :class:`sklearn_sbs.plotting.StatesImageDisplay`.

Run ``python sample_digits.py`` (1e5 ms of network time, after 5 correction
rounds, 2.33e5 ms in all: about 5 minutes on two cores) or with ``--quick`` (2e3 ms,
one round, a shorter calibration: seconds).
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import gibbs_sample  # noqa: E402
from sklearn_sbs.plotting import StatesImageDisplay  # noqa: E402

NAME = "sample_digits"  # the default output folder
IMAGE_SHAPE = (8, 8)
N_IMAGES = 36


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="seed of RBM, network and chains")
    parser.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: one)")
    return parser.parse_args(argv)


def rms(a, b):
    return float(np.sqrt(np.mean((np.asarray(a, float) - np.asarray(b, float)) ** 2)))


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    X = (load_digits().data > 7).astype(float)
    rbm = BernoulliRBM(n_components=32, learning_rate=0.05, batch_size=20, n_iter=20,
                       random_state=args.seed).fit(X)
    n_visible = X.shape[1]
    print(f"BernoulliRBM: {n_visible} visible, {rbm.n_components} hidden units, fitted on "
          f"{X.shape[0]} binarized digits")

    cal = LIFSamplerCalibrator(duration=500.0 if args.quick else 6000.0,
                               n_points=16 if args.quick else 64, random_state=args.seed).fit()
    print(f"calibration: v_p05 = {cal.v_p05_:.3f} mV, alpha = {cal.alpha_:.3f} mV")
    duration = 2000.0 if args.quick else 1e5
    bm = SpikingBoltzmannMachine.from_bernoulli_rbm(
        rbm, calibrator=FrozenEstimator(cal), duration=duration,
        correction_rounds=1 if args.quick else 5, random_state=args.seed + 1, n_jobs=args.n_jobs,
    )
    t = time.perf_counter()
    bm.fit()
    print(f"spiking machine: {bm.n_units_} units, translation corrected in "
          f"{bm.correction_rounds} round(s), {time.perf_counter() - t:.1f} s")

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 5.4), layout="constrained")
    t = time.perf_counter()
    StatesImageDisplay.from_estimator(bm, IMAGE_SHAPE, n_images=N_IMAGES, ax=left,
                                      name="spiking network (LIF neurons)")
    spiking = bm.sampled_run_.states()[:, :n_visible]       # the states just drawn
    print(f"sampled {spiking.shape[0]} states, one per tau_on = {bm.tau_on_.min():g} ms, "
          f"in {time.perf_counter() - t:.1f} s")

    W, b = bm.weights_theo_, bm.biases_theo_
    gibbs = gibbs_sample(W, b, spiking.shape[0], burn_in=1000,
                         random_state=args.seed + 2)[:, :n_visible]
    StatesImageDisplay.from_states(gibbs, IMAGE_SHAPE, n_images=N_IMAGES, ax=right,
                                   name="Gibbs sampling (same RBM)")
    n_reference = 30_000 if args.quick else 300_000
    reference = gibbs_sample(W, b, n_reference, burn_in=1000,
                             random_state=args.seed + 3)[:, :n_visible].mean(axis=0)
    err_spiking, err_gibbs = rms(spiking.mean(axis=0), reference), rms(gibbs.mean(axis=0),
                                                                       reference)
    print(f"RMS error of the {n_visible} pixel marginals against {n_reference} Gibbs sweeps, "
          f"{spiking.shape[0]} states each:")
    print(f"  spiking network  {err_spiking:.4f}")
    print(f"  Gibbs sampling   {err_gibbs:.4f}   (spiking / Gibbs = {err_spiking / err_gibbs:.2f})")
    print(f"  data vs reference {rms(X.mean(axis=0), reference):.4f}   (how well the RBM fits)")

    path = os.path.join(args.output_dir, "sample_digits.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
