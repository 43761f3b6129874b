#!/usr/bin/env python
"""Time-varying noise rates: piecewise-constant and sinusoidal Poisson backgrounds
===============================================================================

The sbs tutorial's ``sample_network_var_poisson_rate()`` and
``sample_network_sinusoidal_poisson_rate()`` sample networks whose Poisson
background changes its rate over time.  Here

- :class:`sklearn_sbs.sources.PiecewisePoissonNoise`: the excitatory rate
  switches between 2 and 4 kHz every 250 ms, the inhibitory one stays at 3 kHz;
- :class:`sklearn_sbs.sources.SinusoidalPoissonNoise`: 3 kHz ± 1 kHz
  excitatory and 3 kHz ± 200 Hz inhibitory, modulated at 5 Hz;

both with independent trains per neuron.  The tutorial neuron is calibrated
under each background (the activation is then a time average: a logistic
blurred by the modulation) and beside constant 3 kHz Poisson noise; the
tutorial's random 5-unit network is then sampled under each background with
its own calibration.  The network's activity follows the modulation, so the
sampled distribution is a time average too.

The script prints v_p05 and alpha of each calibration, the sampled DKL and the
modulation depth of the network activity, and writes ``activation.png``,
``marginals.png`` and ``activity.png`` (mean network activity against the
phase of the modulation).

Run ``python modulated_noise.py`` (about 30 s) or with ``--quick``.
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
from sklearn_sbs.plotting import ActivationDisplay, MarginalsDisplay  # noqa: E402
from sklearn_sbs.sources import (  # noqa: E402
    PiecewisePoissonNoise, PoissonNoise, SinusoidalPoissonNoise,
)

NAME = "modulated_noise"  # the default output folder
PIECE = 250.0                # ms per piece of the piecewise-constant rate
RATES_EXC = (2000.0, 4000.0)  # Hz, alternating
FREQUENCY = 5.0              # Hz, sinusoidal modulation
BURN_IN = 500.0              # ms


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=424242, help="random seed")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")



def piecewise_noise(t_stop):
    """Excitatory rate alternating every PIECE ms until t_stop; inhibitory constant."""
    times = np.arange(0.0, t_stop, PIECE)
    times[0] = 0.1                      # rates start after t = 0
    rates_exc = np.resize(RATES_EXC, times.size)
    return PiecewisePoissonNoise(times, rates_exc, np.full(times.size, 3000.0))


def excitatory_rate(name, noise, t):
    """The excitatory rate (Hz) at times t (ms), for the activity plot."""
    if name == "piecewise":
        k = np.searchsorted(np.asarray(noise.times), t, side="right") - 1
        return np.asarray(noise.rates_exc)[np.clip(k, 0, None)]
    phase = 2 * np.pi * noise.frequency * t * 1e-3 + np.deg2rad(noise.phase)
    return noise.rate_exc + noise.amplitude_exc * np.sin(phase)


def calibrate(noise, quick, seed, n_jobs):
    cal = LIFSamplerCalibrator("IF_cond_exp", None, noise, duration=500.0 if quick else 6000.0,
                               n_points=16 if quick else 48, random_state=seed, n_jobs=n_jobs)
    return cal.fit()


def phase_folded_activity(states, period, step):
    """Mean fraction of units on against the phase (ms) of a modulation of this period."""
    t = BURN_IN + step * np.arange(states.shape[0])
    phase = np.round(np.mod(t, period) / step).astype(int)
    n_bins = int(round(period / step))
    activity = states.mean(axis=1)
    mean = np.bincount(phase % n_bins, weights=activity, minlength=n_bins)
    count = np.bincount(phase % n_bins, minlength=n_bins)
    return step * np.arange(n_bins), mean / np.maximum(count, 1)


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


def plot_activity(machines, noises, states, output_dir):
    fig, axes = plt.subplots(1, len(machines), figsize=(6 * len(machines), 4), layout="constrained")
    depth = {}
    for ax, (name, bm) in zip(axes, machines.items()):
        period = 2 * PIECE if name == "piecewise" else 1000.0 / FREQUENCY
        step = float(bm.tau_on_.min())
        phase, activity = phase_folded_activity(states[name], period, step)
        depth[name] = activity.max() - activity.min()
        ax.plot(phase, activity, "o-", label="mean activity of the 5 units")
        ax.set(xlabel="phase of the modulation (ms)", ylabel="fraction of units on",
               title=f"{name} noise (period {period:g} ms)")
        rate_ax = ax.twinx()
        grid = np.linspace(0.0, period, 400, endpoint=False)
        # a time with phase 0 after the burn-in, so that the pieces line up
        t0 = period * np.ceil(BURN_IN / period)
        rate_ax.plot(grid, excitatory_rate(name, noises[name], t0 + grid), color="0.5",
                     linestyle="--", label="excitatory noise rate")
        rate_ax.set_ylabel("excitatory noise rate (Hz)")
        lines = ax.get_legend_handles_labels()
        more = rate_ax.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize="small")
    save(fig, output_dir, "activity.png")
    return depth


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    duration = 2000.0 if args.quick else 5e4
    noises = {
        "constant": PoissonNoise(),
        "piecewise": piecewise_noise(BURN_IN + max(duration, 6000.0)),
        "sinusoidal": SinusoidalPoissonNoise(rate_exc=3000.0, rate_inh=3000.0, amplitude_exc=1000.0,
                                             amplitude_inh=200.0, frequency=FREQUENCY),
    }
    cals = {name: calibrate(noise, args.quick, args.seed, args.n_jobs) for name, noise in noises.items()}
    print("noise        v_p05 (mV)  alpha (mV)   (theory sees the mean rates: "
          f"v_p05 {cals['constant'].theory_v_p05_:.2f}, alpha {cals['constant'].theory_alpha_:.3f})")
    for name, cal in cals.items():
        print(f"{name:11s} {cal.v_p05_:11.3f} {cal.alpha_:11.3f}")

    weights, biases = make_random_network(5, args.seed)
    machines, states = {}, {}
    for name in ("piecewise", "sinusoidal"):
        bm = SpikingBoltzmannMachine(weights, biases, calibrator=FrozenEstimator(cals[name]),
                                     duration=duration, burn_in=BURN_IN, random_state=args.seed + 1,
                                     n_jobs=args.n_jobs).fit()
        states[name] = bm.sample()
        machines[name] = bm

    fig, ax = plt.subplots(figsize=(12, 5), layout="constrained")
    for k, (name, cal) in enumerate(cals.items()):
        ActivationDisplay.from_estimator(cal, ax=ax, name=name, plot_theory=k == 0,
                                         vline_kw={"alpha": 0.4})
    tidy_legend(ax)
    ax.set_title("tutorial neuron: activation under constant and modulated noise")
    save(fig, args.output_dir, "activation.png")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained", sharey=True)
    for ax, (name, bm) in zip(axes, machines.items()):
        MarginalsDisplay.from_estimator(bm, ax=ax, name=f"{name} noise")
    save(fig, args.output_dir, "marginals.png")
    depth = plot_activity(machines, noises, states, args.output_dir)

    print(f"\n5-unit network, {duration:g} ms, each with its own calibration:")
    print("noise        DKL(target || sampled)   activity modulation (max - min)")
    for name, bm in machines.items():
        print(f"{name:11s} {-bm.score():23.4f} {depth[name]:24.3f}")
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
