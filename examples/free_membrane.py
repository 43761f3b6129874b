#!/usr/bin/env python
"""The free membrane potential of the sbs tutorial neuron against theory
=====================================================================

With its threshold out of reach, a LIF neuron under strong Poisson noise is in
the high-conductance state (HCS): its membrane potential is approximately
Gaussian, with the mean and standard deviation the free-membrane theory
predicts (Petrovici et al., Phys. Rev. E 94, 042312, 2016), and it follows its
synaptic input closely because the effective time constant tau_eff = cm / g_tot
is short.  As in the sbs tutorial's ``vmem_dist()``, this script records one
trace of the tutorial neuron (IF_cond_exp, 3 kHz excitatory and inhibitory noise
of 0.001 µS) and writes

- ``free_membrane_histogram.png``: the histogram and the theory's Gaussian
  (:class:`sklearn_sbs.plotting.FreeMembraneDisplay`);
- ``membrane_autocorrelation.png``: the trace's autocorrelation and the HCS
  theory's (:class:`sklearn_sbs.plotting.MembraneAutocorrelationDisplay`) --
  it decays with tau_syn = 10 ms, not with tau_eff < 1 ms;
- ``membrane_trace.png``: the first 200 ms of the trace.

It prints the measured mean, standard deviation and autocorrelation time
beside the theory's.  No calibration is needed: the neuron is recorded at its
``v_rest`` (-50 mV, where the theory puts the mean at the threshold).

Run ``python free_membrane.py`` (a 1e5 ms recording, a few seconds) or with
``--quick``.
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator  # noqa: E402
from sklearn_sbs.plotting import FreeMembraneDisplay, MembraneAutocorrelationDisplay  # noqa: E402
from sklearn_sbs.sources import PoissonNoise  # noqa: E402

NAME = "free_membrane"  # the default output folder

TUTORIAL_NEURON = {
    "cm": 0.2, "tau_m": 1.0, "e_rev_E": 0.0, "e_rev_I": -100.0, "v_thresh": -50.0,
    "tau_syn_E": 10.0, "tau_syn_I": 10.0, "v_rest": -50.0, "v_reset": -50.01,
    "tau_refrac": 10.0, "i_offset": 0.0,
}
MAX_LAG = 60.0      # ms shown in the autocorrelation


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


def record(quick, seed):
    """One free-membrane recording (threshold disabled) at the neuron's v_rest."""
    cal = LIFSamplerCalibrator("IF_cond_exp", TUTORIAL_NEURON, PoissonNoise(), dt=0.1,
                               random_state=seed)
    trace = cal.measure_free_membrane(duration=1000.0 if quick else 1e5, record_dt=0.1)
    return cal, trace


def correlation_time(lags, acf):
    """First lag at which the autocorrelation drops below 1/e (linear interpolation)."""
    below = np.flatnonzero(acf < np.exp(-1.0))
    if below.size == 0:
        return float("nan")
    k = below[0]
    return float(np.interp(np.exp(-1.0), [acf[k], acf[k - 1]], [lags[k], lags[k - 1]]))


def plot_and_report(cal, trace, output_dir):
    stats = trace.theory
    print(f"free membrane of the tutorial neuron at v_rest = {trace.v_rest:.2f} mV, "
          f"{trace.times[-1] - trace.times[0]:.0f} ms recorded every "
          f"{trace.times[1] - trace.times[0]:g} ms")
    print(f"  mean = {trace.v.mean():8.3f} mV   (theory {stats.mean:8.3f} mV)")
    print(f"  std  = {trace.v.std():8.3f} mV   (theory {stats.std:8.3f} mV)")
    print(f"  g_tot = {stats.g_tot:.3f} µS, tau_eff = cm / g_tot = {stats.tau_eff:.3f} ms")

    fig, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
    FreeMembraneDisplay.from_trace(trace, v_thresh=TUTORIAL_NEURON["v_thresh"], ax=ax)
    ax.set_title("free membrane potential: histogram and HCS theory")
    save(fig, output_dir, "free_membrane_histogram.png")

    fig, ax = plt.subplots(figsize=(6.5, 4.5), layout="constrained")
    acf = MembraneAutocorrelationDisplay.from_trace(trace, cal, max_lag=MAX_LAG, ax=ax)
    ax.set_title("autocorrelation of the free membrane potential")
    save(fig, output_dir, "membrane_autocorrelation.png")
    measured = correlation_time(acf.lags, acf.autocorrelation)
    theory = correlation_time(acf.lags, acf.theory_autocorrelation)
    print(f"  autocorrelation time (1/e) = {measured:.2f} ms   (HCS theory {theory:.2f} ms; "
          f"tau_syn = {TUTORIAL_NEURON['tau_syn_E']:g} ms)")

    fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
    shown = trace.times < trace.times[0] + 200.0
    ax.plot(trace.times[shown], trace.v[shown], linewidth=0.8)
    ax.axhline(stats.mean, color="0.3", linestyle="--", linewidth=1.0, label="theory mean")
    ax.set(xlabel="time (ms)", ylabel="membrane potential (mV)", title="free membrane potential")
    ax.legend(loc="upper right", fontsize="small")
    save(fig, output_dir, "membrane_trace.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    cal, trace = record(args.quick, args.seed)
    plot_and_report(cal, trace, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
