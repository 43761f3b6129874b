"""Threads: one network on 1 and on 2 cores (NEST threads), side by side.

    python benchmarks/threads.py [--quick] [--report PATH]

For 600- and 1000-unit sparse networks (10 % connectivity, renewing synapses),
``sample()`` of one chain with ``n_jobs=1`` (one NEST thread) and ``n_jobs=2`` (two
threads: fewer simulations than cores), interleaved, median wall time of each and
their ratio; then the same two settings' marginals, which must agree within their
sampling noise (other thread counts draw other, equally valid, spikes).  Run on a
machine whose two cores are free: the ratio is what the second core buys.
"""

import numpy as np

import _harness as H
from scaling import sparse_network

TARGET = 1.7


def main():
    args = H.parse(__doc__)
    report = H.Report("threads: one network on 1 and 2 cores", args)
    cal, machine = H.calibrated(report, args.quick)
    sizes, duration, repeat = ((100,), 1e3, 1) if args.quick else ((600, 1000), 5e3, 3)
    rows, targets = [], []
    for n in sizes:
        W, b = sparse_network(n, n)
        machines = {jobs: machine(W, b, synapse="renewing", duration=duration, n_jobs=jobs,
                                  correction_rounds=0, random_state=3) for jobs in (1, 2)}
        for bm in machines.values():             # warm: workers started, NEST imported
            bm.sample()
        runs = H.interleaved({jobs: bm.sample for jobs, bm in machines.items()}, repeat)
        one, two = H.median(runs[1]), H.median(runs[2])
        gap = np.abs(machines[1].sampled_marginals() - machines[2].sampled_marginals())
        rows.append([n, f"{duration:g}", f"{one:.2f}", f"{two:.2f}", f"{one / two:.2f}x",
                     f"{np.sqrt(np.mean(gap ** 2)):.4f}"])
        targets.append((f"{n} units: sample() on 2 cores vs 1", f">= {TARGET}x", f"{one / two:.2f}x",
                        one / two >= TARGET))
    report.section(f"One chain, n_jobs=1 vs n_jobs=2 (NEST threads); median of {repeat}, interleaved")
    report.table(["units", "ms", "1 core s", "2 cores s", "speed-up", "RMS marginal difference"], rows)
    report.targets(targets)
    report.close()


if __name__ == "__main__":
    main()
