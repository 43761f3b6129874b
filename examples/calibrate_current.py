#!/usr/bin/env python
"""Calibrate current-based LIF samplers: IF_curr_exp and IF_curr_alpha
===================================================================

The sbs tutorial's ``calibration_curr()`` calibrates the tutorial neuron with
current synapses.  Here both current-based PyNN models, with the tutorial
neuron's parameters (there are no reversal potentials), are calibrated under
sklearn_sbs' default background for current-based neurons: 3 kHz excitatory
and inhibitory Poisson input of 0.05 nA each
(``sources.default_noise(model)``, what ``noise=None`` also means).  With current
synapses the free-membrane theory is exact for the membrane (tau_eff = tau_m);
the alpha kernel (peak 1 at t = tau_syn) carries e times the charge of the
exponential one, so the same noise gives a wider activation.

This script prints v_p05 and alpha of each model beside the theory's
prediction, saves one calibration JSON per model, and writes
``activation.png`` and ``residuals.png`` (one panel per model) to the output
folder.

Run ``python calibrate_current.py`` (about 15 s) or with ``--quick``.
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator  # noqa: E402
from sklearn_sbs.plotting import ActivationDisplay, ActivationResidualsDisplay  # noqa: E402
from sklearn_sbs.sources import default_noise  # noqa: E402

NAME = "calibrate_current"  # the default output folder
MODELS = ("IF_curr_exp", "IF_curr_alpha")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for plots and JSON (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


def calibrate(model, quick, seed, n_jobs):
    """Calibrate one model: tutorial neuron (the defaults), default current noise."""
    cal = LIFSamplerCalibrator(
        model, neuron_params=None, noise=default_noise(model),       # = noise=None
        duration=500.0 if quick else 1e4,
        n_points=16 if quick else 64,
        random_state=seed, n_jobs=n_jobs,
    )
    return cal.fit()


def report(cals):
    print("model            v_p05 (mV)          theory   alpha (mV)       theory   score")
    for model, cal in cals.items():
        print(f"{model:14s} {cal.v_p05_:8.3f} ± {cal.v_p05_err_:.3f} {cal.theory_v_p05_:9.3f}  "
              f"{cal.alpha_:6.3f} ± {cal.alpha_err_:.3f} {cal.theory_alpha_:8.3f}   {cal.score():.1e}")
    for model, cal in cals.items():     # noise_: the noise the fit used
        inputs = ", ".join(f"{i.receptor} {i.rate:g} Hz x {i.weight:g} nA" for i in cal.noise_.inputs())
        print(f"{model} noise: {inputs}")


def plot(cals, output_dir):
    fig, axes = plt.subplots(1, len(cals), figsize=(6.5 * len(cals), 4.5), layout="constrained")
    for ax, (model, cal) in zip(axes, cals.items()):
        ActivationDisplay.from_estimator(cal, ax=ax)
        ax.set_title(f"{model}: activation function")
    save(fig, output_dir, "activation.png")

    fig, axes = plt.subplots(1, len(cals), figsize=(6.5 * len(cals), 3.5), layout="constrained",
                             sharey=True)
    for ax, (model, cal) in zip(axes, cals.items()):
        ActivationResidualsDisplay.from_estimator(cal, ax=ax)
        ax.set_title(f"{model}: measured minus fitted")
    save(fig, output_dir, "residuals.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    cals = {model: calibrate(model, args.quick, args.seed, args.n_jobs) for model in MODELS}
    report(cals)
    for model, cal in cals.items():
        path = os.path.join(args.output_dir, f"calibration_{model}.json")
        cal.save(path)
        print(f"wrote {path}")
    plot(cals, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
