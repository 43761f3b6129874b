"""Cold start: the command line from a fresh process against a bare PyNN script.

    python benchmarks/cold_start.py [--quick] [--report PATH]

``python -m sklearn_sbs sample cal.json --random 5 --duration 1e4`` (its default fit,
the correction included, and its outputs) timed from the outside, interleaved with a
fresh process that imports PyNN and builds, runs and records the same network (the
fitted machine's weights and resting potentials: :func:`_harness.bare_pynn`).  The
ratio of the medians is what starting the library costs over starting PyNN.  The same
command with ``--correction-rounds 0`` (the analytic translation: the bare script's
simulated time, where the default fit simulates 2.5 runs more) separates the start-up
from the correction's cost.
"""

import os
import subprocess
import sys
import tempfile
import time

import _harness as H

TARGET = 1.5


def _command(cal_path, out_path, duration, *extra):
    return [sys.executable, "-m", "sklearn_sbs", "sample", cal_path, "--random", "5",
            "--duration", f"{duration:g}", "-q", "--plot", "", "-o", out_path, *extra]


def main():
    from sklearn_sbs.boltzmann import make_random_network

    args = H.parse(__doc__)
    report = H.Report("cold start: command line vs bare PyNN", args)
    cal, machine = H.calibrated(report, args.quick, duration=5e3, n_points=30)
    duration, repeat = (1e3, 1) if args.quick else (1e4, 5)
    with tempfile.TemporaryDirectory(prefix="sbs-cold-") as tmp:
        cal_path, out_path = os.path.join(tmp, "cal.json"), os.path.join(tmp, "out.npz")
        cal.save(cal_path)
        bm = machine(*make_random_network(5, 0), duration=duration)     # the CLI's network
        net = H.network_of(bm, duration, seed=1)
        commands = {"default": (), "--correction-rounds 0": ("--correction-rounds", "0")}
        walls = {"bare PyNN": [], **{name: [] for name in commands}}
        for _ in range(repeat):
            for name, extra in commands.items():
                start = time.perf_counter()
                subprocess.run(_command(cal_path, out_path, duration, *extra), check=True,
                               stdout=subprocess.DEVNULL)
                walls[name].append(time.perf_counter() - start)
            walls["bare PyNN"].append(H.fresh("_harness:bare_pynn", net)[1])
    bare = H.median(walls["bare PyNN"])
    report.section(f"Fresh processes, 5 units, {duration:g} ms; median of {repeat}, interleaved")
    report.table(["command line", "simulated ms", "s", "bare PyNN s", "ratio"],
                 [[name, f"{simulated:g}", f"{H.median(walls[name]):.2f}", f"{bare:.2f}",
                   f"{H.median(walls[name]) / bare:.2f}x"]
                  for name, simulated in (("default", 3.5 * duration), ("--correction-rounds 0", duration))])
    ratio = H.median(walls["default"]) / bare
    report.targets([("cold command line / bare PyNN", f"<= {TARGET}x", f"{ratio:.2f}x", ratio <= TARGET)])
    report.close()


if __name__ == "__main__":
    main()
