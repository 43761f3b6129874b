"""Correction of the translation in the loop, side by side with the plain translation.

    python benchmarks/correction.py [--quick]

The sbs tutorial networks (5 units; W = (A + A.T)/2, A ~ N(0, 1), zero diagonal;
b ~ N(0, 1); seeds 0, 1, 2) with one careful calibration: DKL(target || sampled)
at 1e5 ms with renewing synapses, without correction and with
``correction_rounds`` rounds of ``correction_duration`` ms, and the wall time the
correction costs.
"""

import argparse
import time

import numpy as np
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs.boltzmann import make_random_network



def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    args = parser.parse_args()
    duration = 2e4 if args.quick else 1e5
    rounds, round_duration = (2, 1e4) if args.quick else (4, 5e4)
    cal = LIFSamplerCalibrator(n_points=100, duration=2e4, random_state=0, n_jobs=2).fit()
    print(f"# calibration: v_p05 {cal.v_p05_:.3f} mV, alpha {cal.alpha_:.4f} mV; sampling "
          f"{duration:g} ms, correction {rounds} x {round_duration:g} ms")
    print(f"{'network':>7} {'plain DKL':>10} {'corrected DKL':>14} {'correction s':>13}"
          "  max |moment gap| per round")
    plain, corrected = [], []
    for seed in (0, 1, 2):
        W, b = make_random_network(5, seed)
        kw = dict(calibrator=FrozenEstimator(cal), duration=duration, random_state=seed)
        bm = SpikingBoltzmannMachine(W, b, **kw).fit()
        bm.sample()
        t0 = time.perf_counter()
        bc = SpikingBoltzmannMachine(W, b, correction_rounds=rounds,
                                     correction_duration=round_duration, **kw).fit()
        cost = time.perf_counter() - t0
        bc.sample()
        plain.append(-bm.score())
        corrected.append(-bc.score())
        print(f"{seed:>7} {plain[-1]:>10.4f} {corrected[-1]:>14.4f} {cost:>13.1f}  "
              + " ".join(f"{e:.3f}" for e in bc.correction_errors_))
    print(f"{'median':>7} {np.median(plain):>10.4f} {np.median(corrected):>14.4f}")


if __name__ == "__main__":
    main()
