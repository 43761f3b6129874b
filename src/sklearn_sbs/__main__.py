"""Command line: ``python -m sklearn_sbs <command> [options]`` (``--help`` for each)."""

import argparse
import sys
import time

import numpy as np


def _random_network(n_units, seed):
    """The sbs tutorial's random network: W = (A + A')/2, A ~ N(0, 1), zero diagonal; b ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n_units, n_units))
    weights = (a + a.T) / 2
    np.fill_diagonal(weights, 0.0)
    return weights, rng.normal(size=n_units)


def _cmd_exact(args):
    from .boltzmann import gibbs_sample, joint_distribution, marginals
    from .metrics import dkl

    weights, biases = _random_network(args.units, args.seed)
    t0 = time.perf_counter()
    joint = joint_distribution(weights, biases)
    t_exact = time.perf_counter() - t0
    print(f"Random Boltzmann machine, {args.units} units, seed {args.seed}")
    print("weights:\n" + np.array2string(weights, precision=3, suppress_small=True))
    print("biases: " + np.array2string(biases, precision=3))
    n_show = min(joint.size, args.show)
    order = np.argsort(joint.ravel())[::-1][:n_show]
    print(f"\n{n_show} most probable states (of {joint.size}):")
    for flat in order:
        state = "".join(str(int(bit)) for bit in np.unravel_index(flat, joint.shape))
        print(f"  z = {state}   p = {joint.ravel()[flat]:.5f}")

    t0 = time.perf_counter()
    samples = gibbs_sample(weights, biases, args.samples, random_state=args.seed)
    t_gibbs = time.perf_counter() - t0
    codes = samples @ (1 << np.arange(args.units)[::-1])
    empirical = np.bincount(codes, minlength=joint.size) / args.samples
    print("\nunit   exact p(z=1)   Gibbs p(z=1)")
    for unit, (p_exact, p_gibbs) in enumerate(zip(marginals(weights, biases), samples.mean(axis=0))):
        print(f"{unit:4d}   {p_exact:12.4f}   {p_gibbs:12.4f}")
    print(f"\nDKL(exact || Gibbs, {args.samples} samples) = {dkl(joint, empirical.reshape(joint.shape), eps=1e-12):.2e}")
    print(f"exact joint: {t_exact * 1e3:.2f} ms; Gibbs sampler: {args.samples / t_gibbs / 1e6:.2f} M samples/s")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_sbs",
        description="Spike-based sampling with LIF neurons: command-line tools.",
    )
    parser.add_argument("--debug", action="store_true", help="show full tracebacks on errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")
    exact = commands.add_parser(
        "exact",
        help="exact distribution of a random Boltzmann machine beside the reference Gibbs sampler",
        description="Print the exact joint and marginals of a random Boltzmann machine (the sbs "
                    "tutorial's), compare with the reference Gibbs sampler and time both.",
    )
    exact.add_argument("--units", type=int, default=5, help="number of units (1-24, default 5)")
    exact.add_argument("--seed", type=int, default=0, help="seed of the network and the sampler")
    exact.add_argument("--samples", type=int, default=100_000, help="Gibbs samples (default 1e5)")
    exact.add_argument("--show", type=int, default=8, help="most probable states to list")
    exact.set_defaults(run=_cmd_exact)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (ValueError, TypeError, RuntimeError, OSError) as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
