"""Cold start: the command line from a fresh process against a bare PyNN script.

    python benchmarks/cold_start.py [--quick] [--report PATH]

``python -m sklearn_sbs sample cal.json --random 5 --duration 1e4`` (its default fit,
the correction included, and its outputs) timed from the outside, interleaved with a
fresh process that imports PyNN and builds, runs and records the same network (the
fitted machine's weights and resting potentials: :func:`_harness.bare_pynn`).  The
ratio of the medians is what starting the library costs over starting PyNN.
"""

import os
import subprocess
import sys
import tempfile
import time

import _harness as H

TARGET = 1.5


def _command(cal_path, out_path, duration):
    return [sys.executable, "-m", "sklearn_sbs", "sample", cal_path, "--random", "5",
            "--duration", f"{duration:g}", "-q", "--plot", "", "-o", out_path]


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
        walls = {"command line": [], "bare PyNN": []}
        for _ in range(repeat):
            start = time.perf_counter()
            subprocess.run(_command(cal_path, out_path, duration), check=True,
                           stdout=subprocess.DEVNULL)
            walls["command line"].append(time.perf_counter() - start)
            walls["bare PyNN"].append(H.fresh("_harness:bare_pynn", net)[1])
    cli, bare = H.median(walls["command line"]), H.median(walls["bare PyNN"])
    report.section(f"Fresh processes, 5 units, {duration:g} ms; median of {repeat}, interleaved")
    report.table(["command line s", "bare PyNN s", "ratio"], [[f"{cli:.2f}", f"{bare:.2f}", f"{cli / bare:.2f}x"]])
    report.targets([("cold command line / bare PyNN", f"<= {TARGET}x", f"{cli / bare:.2f}x", cli / bare <= TARGET)])
    report.close()


if __name__ == "__main__":
    main()
