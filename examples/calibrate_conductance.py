#!/usr/bin/env python
"""Calibrate the sbs tutorial neuron (IF_cond_exp) into a logistic sampler
=======================================================================

The neuron -- a fast membrane (tau_m = 1 ms) with slow conductance synapses
(tau_syn = 10 ms) and a 10 ms refractory period as its on-time -- is bombarded
by 3 kHz excitatory and inhibitory Poisson noise of 0.001 µS each, as in the
original sbs tutorial's ``calibration()``.  The calibrator measures the
fraction of time the neuron is "on" at many resting potentials and fits

    p_on(v_rest) = 1 / (1 + exp(-(v_rest - v_p05) / alpha)).

This script

- prints the fitted v_p05 and alpha beside the free-membrane theory's
  prediction (Petrovici et al., Phys. Rev. E 94, 042312, 2016) and the fit's
  score (minus the mean Bernoulli KL divergence of measured vs fitted
  activation, 0 for a perfect logistic);
- saves the calibration as JSON, loads it back and checks it is unchanged;
- writes ``activation.png`` (measured activation, fitted logistic, theory) and
  ``residuals.png`` (measured minus fitted activation) to the output folder.

Run ``python calibrate_conductance.py`` (about 20 s) or with ``--quick`` (a
rough calibration for smoke tests).
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator  # noqa: E402
from sklearn_sbs.plotting import ActivationDisplay, ActivationResidualsDisplay  # noqa: E402
from sklearn_sbs.sources import PoissonNoise  # noqa: E402

NAME = "calibrate_conductance"  # the default output folder

# the sbs tutorial neuron (also sklearn_sbs' default parameters); v_rest is
# what the calibration varies
TUTORIAL_NEURON = {
    "cm": 0.2, "tau_m": 1.0, "e_rev_E": 0.0, "e_rev_I": -100.0, "v_thresh": -50.0,
    "tau_syn_E": 10.0, "tau_syn_I": 10.0, "v_rest": -50.0, "v_reset": -50.01,
    "tau_refrac": 10.0, "i_offset": 0.0,
}
# the tutorial's background: 3 kHz excitatory and inhibitory, 0.001 µS each
TUTORIAL_NOISE = PoissonNoise(rate_exc=3000.0, rate_inh=3000.0, weight_exc=0.001, weight_inh=0.001)


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


def calibrate(quick, seed, n_jobs):
    """Fit the activation function of the tutorial neuron under the tutorial noise."""
    cal = LIFSamplerCalibrator(
        "IF_cond_exp", TUTORIAL_NEURON, TUTORIAL_NOISE,
        dt=0.1,
        duration=500.0 if quick else 2e4,       # ms measured per resting potential
        n_points=16 if quick else 100,
        random_state=seed, n_jobs=n_jobs,
    )
    return cal.fit()


def report(cal):
    # the fitted values: noise_ and neuron_params_ (what was simulated, defaults filled in)
    noise = ", ".join(f"{i.receptor} {i.rate:g} Hz x {i.weight:g} µS" for i in cal.noise_.inputs())
    membrane = ", ".join(f"{k} = {cal.neuron_params_[k]:g}" for k in ("cm", "tau_m", "tau_syn_E"))
    print(f"IF_cond_exp, tutorial neuron ({membrane}); noise: {noise}")
    print(f"  v_p05 = {cal.v_p05_:8.3f} ± {cal.v_p05_err_:.3f} mV   (theory {cal.theory_v_p05_:8.3f} mV)")
    print(f"  alpha = {cal.alpha_:8.3f} ± {cal.alpha_err_:.3f} mV   (theory {cal.theory_alpha_:8.3f} mV)")
    print(f"  score = {cal.score():.2e}  (minus mean Bernoulli KL, measured vs logistic)")
    print(f"  {cal.v_rest_.size} resting potentials from {cal.v_rest_.min():.2f} to "
          f"{cal.v_rest_.max():.2f} mV, {cal.n_rounds_} bracketing round(s), tau_on = {cal.tau_on_:g} ms")
    biases = [-2.0, 0.0, 2.0]
    v_rest = cal.bias_to_v_rest(biases)
    print("  bias -> v_rest: " + ", ".join(f"{b:+.0f} -> {v:.2f} mV" for b, v in zip(biases, v_rest)))


def save_and_reload(cal, output_dir):
    """Write the calibration as JSON and check that loading it gives the same neuron."""
    path = os.path.join(output_dir, "calibration.json")
    cal.save(path)
    loaded = LIFSamplerCalibrator.load(path)
    assert (loaded.v_p05_, loaded.alpha_) == (cal.v_p05_, cal.alpha_)
    print(f"wrote {path} (reloaded: v_p05 = {loaded.v_p05_:.3f} mV, alpha = {loaded.alpha_:.3f} mV)")


def plot(cal, output_dir):
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    ActivationDisplay.from_estimator(cal, ax=ax)
    ax.set_title("IF_cond_exp (sbs tutorial neuron): activation function")
    save(fig, output_dir, "activation.png")

    fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
    ActivationResidualsDisplay.from_estimator(cal, ax=ax)
    ax.set_title("measured minus fitted activation")
    save(fig, output_dir, "residuals.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    cal = calibrate(args.quick, args.seed, args.n_jobs)
    report(cal)
    save_and_reload(cal, args.output_dir)
    plot(cal, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
