"""Tests of sklearn_sbs.boltzmann (the exact enumeration kernel and the Gibbs sampler).

Everything is compared with a brute-force reference written here in plain numpy:
enumerate all 2**n states (unit 0 is the most significant bit of the C-order flat
index), compute their energies 1/2 z'Wz + b'z directly and normalise with a
log-sum-exp.
"""

import os
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_sbs.boltzmann import (
    empirical_distribution,
    gibbs_sample,
    joint_distribution,
    log_partition,
    marginals,
    second_moments,
)
from sklearn_sbs.metrics import dkl

ENUMERATORS = [log_partition, joint_distribution, marginals, second_moments]
PROB_ATOL = 1e-10
# examples per hypothesis test; raise it (SBS_MAX_EXAMPLES=2000) for a longer hunt
MAX_EXAMPLES = int(os.environ.get("SBS_MAX_EXAMPLES", "50"))


# --------------------------------------------------------------------------- #
# brute-force reference
# --------------------------------------------------------------------------- #
def all_states(n, start=0, stop=None):
    """Rows z of the states with flat indices start..stop-1; unit 0 = most significant bit."""
    stop = 2**n if stop is None else stop
    idx = np.arange(start, stop, dtype=np.int64)
    return ((idx[:, None] >> (n - 1 - np.arange(n))) & 1).astype(np.float64)


def energies(W, b, Z):
    return 0.5 * np.sum((Z @ W) * Z, axis=1) + Z @ b


def logsumexp(x):
    m = np.max(x)
    return float(m + np.log(np.sum(np.exp(x - m))))


def clamp_to_dict(clamped, n):
    if clamped is None:
        return {}
    if isinstance(clamped, dict):
        return {int(k): int(v) for k, v in clamped.items()}
    arr = np.asarray(clamped, dtype=float)
    return {i: int(arr[i]) for i in range(n) if not np.isnan(arr[i])}


def reference(W, b, clamped=None, chunk=1 << 16):
    """Brute force: (log Z, joint of shape (2,)*n, marginals, second moments).

    With ``clamped`` the sums run over the states consistent with the clamp only,
    and the joint is zero elsewhere.
    """
    W = np.asarray(W, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    n = b.shape[0]
    clamp = clamp_to_dict(clamped, n)
    N = 2**n
    E = np.empty(N)
    for s in range(0, N, chunk):
        E[s:s + chunk] = energies(W, b, all_states(n, s, min(N, s + chunk)))
    idx = np.arange(N, dtype=np.int64)
    ok = np.ones(N, dtype=bool)
    for unit, value in clamp.items():
        ok &= ((idx >> (n - 1 - unit)) & 1) == value
    log_z = logsumexp(E[ok])
    p = np.zeros(N)
    p[ok] = np.exp(E[ok] - log_z)
    moments = np.zeros((n, n))
    for s in range(0, N, chunk):
        Z = all_states(n, s, min(N, s + chunk))
        moments += Z.T @ (p[s:s + chunk, None] * Z)
    return log_z, p.reshape((2,) * n), np.diag(moments).copy(), moments


def energy_scale(W, b):
    return 1.0 + 0.5 * np.abs(W).sum() + np.abs(b).sum()


def assert_log_z_close(got, want, W, b):
    assert isinstance(got, float)
    assert np.isfinite(got)
    # rounding in the energies grows with the size of the terms summed
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-13 * energy_scale(W, b))


def assert_prob_close(got, want):
    got = np.asarray(got)
    assert got.shape == want.shape
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, rtol=0, atol=PROB_ATOL)


def check_all(W, b, clamped=None):
    """Compare all four enumerating functions with the reference."""
    n = len(b)
    log_z, joint, marg, mom = reference(W, b, clamped)
    assert_log_z_close(log_partition(W, b, clamped), log_z, W, b)
    if n <= 24:
        p = joint_distribution(W, b, clamped)
        assert p.shape == (2,) * n
        assert p.dtype == np.float64
        assert np.all(p >= 0)
        np.testing.assert_allclose(p.sum(), 1.0, atol=1e-12)
        assert_prob_close(p, joint)
    m = marginals(W, b, clamped)
    assert m.shape == (n,)
    assert np.all((m >= 0) & (m <= 1 + 1e-12))
    assert_prob_close(m, marg)
    M = second_moments(W, b, clamped)
    assert M.shape == (n, n)
    np.testing.assert_array_equal(M, M.T)
    assert_prob_close(M, mom)


def random_machine(n, scale, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n)) * scale
    W = np.triu(A, 1)
    W = W + W.T
    b = rng.normal(size=n) * scale
    return W, b


def test_reference_sanity():
    """The reference itself, on a case worked out by hand."""
    W = np.array([[0.0, 2.0], [2.0, 0.0]])
    b = np.array([-1.0, 0.5])
    # states 00, 01, 10, 11 have energies 0, 0.5, -1, -1 + 0.5 + 2
    e = np.array([0.0, 0.5, -1.0, 1.5])
    log_z, joint, marg, mom = reference(W, b)
    assert log_z == pytest.approx(np.log(np.exp(e).sum()), rel=1e-14)
    np.testing.assert_allclose(joint.ravel(), np.exp(e) / np.exp(e).sum(), rtol=1e-14)
    np.testing.assert_allclose(marg, [joint[1].sum(), joint[:, 1].sum()], rtol=1e-14)
    assert mom[0, 1] == pytest.approx(joint[1, 1], rel=1e-14)
    log_zc, joint_c, marg_c, _ = reference(W, b, {1: 1})
    assert log_zc == pytest.approx(np.log(np.exp(0.5) + np.exp(1.5)), rel=1e-14)
    assert joint_c[0, 0] == 0 and joint_c[1, 0] == 0
    assert marg_c[1] == 1.0


# --------------------------------------------------------------------------- #
# hypothesis strategies
# --------------------------------------------------------------------------- #
@st.composite
def machines(draw, min_n=1, max_n=14, magnitudes=(0.01, 1.0, 10.0, 100.0, 300.0)):
    """(W, b): either drawn element by element by hypothesis, or from a seeded RNG."""
    n = draw(st.integers(min_n, max_n))
    mag = draw(st.sampled_from(magnitudes))
    if draw(st.booleans()):
        elements = st.floats(-mag, mag, allow_nan=False, allow_infinity=False)
        upper = draw(hnp.arrays(np.float64, n * (n - 1) // 2, elements=elements))
        b = draw(hnp.arrays(np.float64, n, elements=elements))
        W = np.zeros((n, n))
        W[np.triu_indices(n, 1)] = upper
        W = W + W.T
    else:
        W, b = random_machine(n, mag, draw(st.integers(0, 2**32 - 1)))
    return W, b


@st.composite
def machines_and_clamps(draw, **kwargs):
    W, b = draw(machines(**kwargs))
    n = len(b)
    codes = draw(st.lists(st.sampled_from([-1, -1, 0, 1]), min_size=n, max_size=n))
    values = np.array([np.nan if c < 0 else float(c) for c in codes])
    as_dict = draw(st.booleans())
    if as_dict:
        clamped = {i: int(v) for i, v in enumerate(values) if not np.isnan(v)}
    else:
        clamped = values
    return W, b, clamped


HYP = settings(max_examples=MAX_EXAMPLES, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@HYP
@given(machines())
def test_matches_reference(machine):
    W, b = machine
    check_all(W, b)


@HYP
@given(machines_and_clamps())
def test_matches_reference_clamped(data):
    W, b, clamped = data
    check_all(W, b, clamped)
    # clamped units keep their values
    values = clamp_to_dict(clamped, len(b))
    m = marginals(W, b, clamped)
    for unit, value in values.items():
        assert m[unit] == value


@settings(max_examples=max(1, MAX_EXAMPLES // 2), deadline=None)
@given(machines(min_n=1, max_n=10, magnitudes=(1000.0, 1e4)))
def test_huge_magnitudes_finite_and_correct(machine):
    W, b = machine
    check_all(W, b)


# --------------------------------------------------------------------------- #
# specific sizes and cases
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("b0", [0.0, 1.5, -3.0, 300.0, -300.0, 800.0, -800.0])
def test_single_unit(b0):
    W = np.zeros((1, 1))
    b = np.array([b0])
    s = 0.5 * (1.0 + np.tanh(0.5 * b0))        # sigmoid, without overflow
    assert log_partition(W, b) == pytest.approx(np.logaddexp(0.0, b0), rel=1e-14, abs=1e-14)
    np.testing.assert_allclose(joint_distribution(W, b), [1 - s, s], atol=1e-15)
    np.testing.assert_allclose(marginals(W, b), [s], atol=1e-15)
    np.testing.assert_allclose(second_moments(W, b), [[s]], atol=1e-15)
    # clamped: the single state, with its own energy
    assert log_partition(W, b, {0: 1}) == b0
    assert log_partition(W, b, {0: 0}) == 0.0
    np.testing.assert_array_equal(joint_distribution(W, b, {0: 1}), [0.0, 1.0])
    np.testing.assert_array_equal(joint_distribution(W, b, [0.0]), [1.0, 0.0])
    np.testing.assert_array_equal(marginals(W, b, {0: 0}), [0.0])


@pytest.mark.parametrize("n", [11, 12, 13, 14, 16])
@pytest.mark.parametrize("scale", [0.5, 3.0, 100.0])
def test_sizes_around_block_split(n, scale):
    """The kernel enumerates 12 low units as a block; n >= 16 runs several threads."""
    W, b = random_machine(n, scale, seed=1000 * n + int(scale * 10))
    check_all(W, b)


@pytest.mark.parametrize("n", [13, 16])
def test_sizes_around_block_split_clamped(n):
    W, b = random_machine(n, 2.0, seed=n)
    clamped = np.full(n, np.nan)
    clamped[[0, n // 2, n - 1]] = [1, 0, 1]
    check_all(W, b, clamped)


@pytest.mark.parametrize("scale", [0.3, 150.0])
def test_n20_against_joint_and_reference(scale):
    """20 units: several Gray-code blocks per chunk (and rescaling at large scale)."""
    n = 20
    W, b = random_machine(n, scale, seed=20 + int(scale))
    log_z, joint_ref, marg_ref, mom_ref = reference(W, b)
    p = joint_distribution(W, b)
    assert p.shape == (2,) * n
    assert_prob_close(p, joint_ref)
    m = marginals(W, b)
    from_joint = np.array([
        p.sum(axis=tuple(j for j in range(n) if j != i))[1] for i in range(n)
    ])
    np.testing.assert_allclose(m, from_joint, atol=PROB_ATOL)
    assert_prob_close(m, marg_ref)
    M = second_moments(W, b)
    np.testing.assert_allclose(M[3, 17], p[(slice(None),) * 3 + (1,) + (slice(None),) * 13 + (1,)].sum(),
                               atol=PROB_ATOL)
    assert_prob_close(M, mom_ref)
    assert_log_z_close(log_partition(W, b), log_z, W, b)


def test_rescaling_with_rising_energies():
    """Energies rising by hundreds from one Gray block to the next (in both directions)."""
    n = 20
    b = np.zeros(n)
    b[:8] = [700.0, -650.0, 900.0, 640.0, -710.0, 605.0, 1200.0, -599.0]   # high units
    b[8:] = np.linspace(-3, 3, 12)
    W, _ = random_machine(n, 1.0, seed=7)
    check_all(W, b)


def test_ferromagnetic_ties():
    """Two degenerate ground states of huge energy: mass splits exactly in half."""
    n = 14
    J = 300.0
    W = np.full((n, n), J)
    np.fill_diagonal(W, 0.0)
    b = np.full(n, -J * (n - 1) / 2)      # E(all on) = E(all off) = 0, others far lower
    p = joint_distribution(W, b)
    assert p.ravel()[0] == pytest.approx(0.5, abs=1e-12)
    assert p.ravel()[-1] == pytest.approx(0.5, abs=1e-12)
    np.testing.assert_allclose(marginals(W, b), 0.5, atol=1e-12)
    assert log_partition(W, b) == pytest.approx(np.log(2.0), rel=1e-12)
    check_all(W, b)


def test_larger_n_consistent_with_clamping():
    """22 free units (no brute force): log Z and marginals agree with clamping unit 0."""
    n = 22
    W, b = random_machine(n, 0.5, seed=22)
    lz = log_partition(W, b)
    lz0 = log_partition(W, b, {0: 0})
    lz1 = log_partition(W, b, {0: 1})
    assert lz == pytest.approx(np.logaddexp(lz0, lz1), rel=1e-12)
    m = marginals(W, b)
    assert m[0] == pytest.approx(np.exp(lz1 - lz), abs=1e-12)
    # law of total probability for another unit
    m0 = marginals(W, b, {0: 0})
    m1 = marginals(W, b, {0: 1})
    np.testing.assert_allclose(m, (1 - m[0]) * m0 + m[0] * m1, atol=1e-12)
    M = second_moments(W, b)
    np.testing.assert_allclose(M[0], m1 * m[0], atol=1e-12)


def test_many_units_with_few_free():
    """40 units of which 34 are clamped: limits count free units, not all units."""
    n = 40
    W, b = random_machine(n, 1.0, seed=40)
    clamped = np.full(n, np.nan)
    free = np.array([0, 7, 13, 22, 31, 39])
    rng = np.random.default_rng(0)
    rest = np.setdiff1d(np.arange(n), free)
    clamped[rest] = rng.integers(0, 2, size=rest.size)
    # reference on the reduced machine: fold the clamped units into the biases
    zc = clamped[rest]
    Wf = W[np.ix_(free, free)]
    bf = b[free] + W[np.ix_(free, rest)] @ zc
    const = 0.5 * zc @ W[np.ix_(rest, rest)] @ zc + b[rest] @ zc
    lz_f, _, marg_f, mom_f = reference(Wf, bf)
    assert_log_z_close(log_partition(W, b, clamped), const + lz_f, W, b)
    m = marginals(W, b, clamped)
    np.testing.assert_allclose(m[free], marg_f, atol=PROB_ATOL)
    np.testing.assert_array_equal(m[rest], zc)
    M = second_moments(W, b, clamped)
    np.testing.assert_allclose(M[np.ix_(free, free)], mom_f, atol=PROB_ATOL)
    np.testing.assert_allclose(M[np.ix_(free, rest)], np.outer(marg_f, zc), atol=PROB_ATOL)
    with pytest.raises(ValueError, match="24"):
        joint_distribution(W, b, clamped)


def test_threaded_results_are_deterministic():
    W, b = random_machine(18, 1.0, seed=18)
    first = (log_partition(W, b), marginals(W, b), second_moments(W, b))
    for _ in range(3):
        again = (log_partition(W, b), marginals(W, b), second_moments(W, b))
        assert again[0] == first[0]
        np.testing.assert_array_equal(again[1], first[1])
        np.testing.assert_array_equal(again[2], first[2])


@pytest.mark.parametrize("n", [1, 4, 13])
def test_all_units_clamped(n):
    W, b = random_machine(n, 5.0, seed=n)
    rng = np.random.default_rng(n)
    z = rng.integers(0, 2, size=n)
    as_dict = {i: int(v) for i, v in enumerate(z)}
    as_array = z.astype(float)
    energy = 0.5 * z @ W @ z + b @ z
    for clamped in (as_dict, as_array):
        assert log_partition(W, b, clamped) == pytest.approx(energy, rel=1e-12, abs=1e-12)
        p = joint_distribution(W, b, clamped)
        expected = np.zeros((2,) * n)
        expected[tuple(z)] = 1.0
        np.testing.assert_array_equal(p, expected)
        np.testing.assert_array_equal(marginals(W, b, clamped), z)
        np.testing.assert_array_equal(second_moments(W, b, clamped), np.outer(z, z))


@HYP
@given(machines_and_clamps(max_n=10))
def test_dict_and_nan_array_clamps_agree(data):
    W, b, clamped = data
    n = len(b)
    as_dict = clamp_to_dict(clamped, n)
    as_array = np.full(n, np.nan)
    for unit, value in as_dict.items():
        as_array[unit] = value
    assert log_partition(W, b, as_dict) == log_partition(W, b, as_array)
    np.testing.assert_array_equal(joint_distribution(W, b, as_dict), joint_distribution(W, b, as_array))
    np.testing.assert_array_equal(marginals(W, b, as_dict), marginals(W, b, as_array))
    np.testing.assert_array_equal(second_moments(W, b, as_dict), second_moments(W, b, as_array))
    # a list works as well as an array
    np.testing.assert_array_equal(marginals(W, b, list(as_array)), marginals(W, b, as_array))


@HYP
@given(machines_and_clamps(max_n=10, magnitudes=(0.1, 1.0, 3.0)))
def test_conditional_is_restricted_renormalised_joint(data):
    W, b, clamped = data
    n = len(b)
    values = clamp_to_dict(clamped, n)
    joint = joint_distribution(W, b)
    index = tuple(values.get(i, slice(None)) for i in range(n))
    mass = joint[index].sum()
    expected = np.zeros_like(joint)
    expected[index] = joint[index] / mass
    assert_prob_close(joint_distribution(W, b, clamped), expected)
    # log Z(clamp) - log Z = log p(clamped configuration)
    np.testing.assert_allclose(log_partition(W, b, clamped) - log_partition(W, b), np.log(mass),
                               rtol=1e-9, atol=1e-9)


def test_docstring_examples():
    assert round(log_partition(np.zeros((2, 2)), np.zeros(2)), 6) == 1.386294
    np.testing.assert_allclose(marginals(np.zeros((2, 2)), [0.0, np.log(3.0)]), [0.5, 0.75])
    W = np.array([[0.0, 50.0], [50.0, 0.0]])
    np.testing.assert_allclose(marginals(W, [-25.0, 0.0], clamped={0: 1}), [1.0, 1.0])
    np.testing.assert_allclose(second_moments(np.zeros((2, 2)), np.zeros(2)),
                               [[0.5, 0.25], [0.25, 0.5]])


def test_inputs_not_modified_and_lists_accepted():
    W, b = random_machine(5, 1.0, seed=3)
    W0, b0 = W.copy(), b.copy()
    clamped = np.array([np.nan, 1.0, np.nan, np.nan, 0.0])
    c0 = clamped.copy()
    for f in ENUMERATORS:
        f(W, b, clamped)
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(b, b0)
    np.testing.assert_array_equal(clamped, c0)
    assert log_partition(W.tolist(), b.tolist()) == log_partition(W, b)
    # integer and Fortran-ordered inputs
    Wi = np.array([[0, 1, -2], [1, 0, 3], [-2, 3, 0]])
    bi = np.array([1, 0, -1])
    check_all(Wi.astype(float), bi.astype(float))
    assert log_partition(Wi, bi) == log_partition(Wi.astype(float), bi.astype(float))
    np.testing.assert_array_equal(marginals(np.asfortranarray(W), b), marginals(W, b))


# --------------------------------------------------------------------------- #
# Gibbs sampling
# --------------------------------------------------------------------------- #
def _empirical_joint(samples):
    n = samples.shape[1]
    index = samples.astype(np.int64) @ (1 << (n - 1 - np.arange(n)))
    return np.bincount(index, minlength=2**n).reshape((2,) * n) / samples.shape[0]


def test_gibbs_matches_exact_distribution():
    W, b = random_machine(5, 1.0, seed=5)
    samples = gibbs_sample(W, b, 300_000, burn_in=100, random_state=1234)
    assert samples.shape == (300_000, 5)
    assert samples.dtype == np.uint8
    assert set(np.unique(samples)) <= {0, 1}
    exact = joint_distribution(W, b)
    empirical = _empirical_joint(samples)
    assert dkl(exact, empirical) < 1e-3
    # and the first moments
    np.testing.assert_allclose(samples.mean(axis=0), marginals(W, b), atol=0.01)


def test_empirical_distribution_counts_the_rows():
    samples = gibbs_sample(*random_machine(6, 1.0, seed=7), 5000, random_state=3)
    np.testing.assert_array_equal(empirical_distribution(samples), _empirical_joint(samples))
    assert empirical_distribution([[1, 0, 1]])[1, 0, 1] == 1.0
    with pytest.raises(ValueError, match="binary"):
        empirical_distribution([[0.5, 1.0]])
    with pytest.raises(ValueError, match="2-d"):
        empirical_distribution([0, 1])
    with pytest.raises(ValueError, match="limited to 24"):
        empirical_distribution(np.zeros((2, 25)))


def test_gibbs_with_thinning_and_burn_in_matches_exact():
    W, b = random_machine(5, 1.0, seed=6)
    samples = gibbs_sample(W, b, 150_000, burn_in=500, thin=2, random_state=99)
    assert samples.shape == (150_000, 5)
    assert dkl(joint_distribution(W, b), _empirical_joint(samples)) < 2e-3


def test_gibbs_a_wrong_distribution_is_detected():
    """The dkl criterion above can fail: samples of another network are rejected."""
    W, b = random_machine(5, 1.0, seed=5)
    samples = gibbs_sample(W, b + 0.3, 100_000, random_state=1)
    assert dkl(joint_distribution(W, b), _empirical_joint(samples)) > 1e-2


def test_gibbs_reproducible():
    W, b = random_machine(6, 1.0, seed=8)
    a = gibbs_sample(W, b, 2000, random_state=42)
    c = gibbs_sample(W, b, 2000, random_state=42)
    np.testing.assert_array_equal(a, c)
    d = gibbs_sample(W, b, 2000, random_state=43)
    assert not np.array_equal(a, d)
    # an int seed and a Generator made from it agree
    g = gibbs_sample(W, b, 2000, random_state=np.random.default_rng(42))
    np.testing.assert_array_equal(a, g)
    # RandomState works and is reproducible
    r1 = gibbs_sample(W, b, 2000, random_state=np.random.RandomState(5))
    r2 = gibbs_sample(W, b, 2000, random_state=np.random.RandomState(5))
    np.testing.assert_array_equal(r1, r2)
    # without a seed, two runs differ (2000 x 6 bits: a collision is impossible in practice)
    assert not np.array_equal(gibbs_sample(W, b, 2000), gibbs_sample(W, b, 2000))


def test_gibbs_thin_and_burn_in_follow_one_chain():
    """The sampler uses one stream of uniforms, sweep after sweep: a thinned chain is
    every thin-th state of the unthinned one, and burn-in drops the first sweeps."""
    W, b = random_machine(4, 1.5, seed=9)
    full = gibbs_sample(W, b, 3000, burn_in=0, thin=1, random_state=7)
    thinned = gibbs_sample(W, b, 1000, burn_in=0, thin=3, random_state=7)
    np.testing.assert_array_equal(thinned, full[2::3])
    burnt = gibbs_sample(W, b, 2000, burn_in=1000, thin=1, random_state=7)
    np.testing.assert_array_equal(burnt, full[1000:])
    both = gibbs_sample(W, b, 500, burn_in=500, thin=5, random_state=7)
    np.testing.assert_array_equal(both, full[500 + 4::5])


def test_gibbs_thinning_reduces_autocorrelation():
    W = np.array([[0.0, 4.0], [4.0, 0.0]])       # sticky: 00 and 11 favoured
    b = np.array([-2.0, -2.0])
    def lag1_agreement(z):
        return np.mean(np.all(z[1:] == z[:-1], axis=1))
    slow = gibbs_sample(W, b, 20_000, thin=1, random_state=0)
    fast = gibbs_sample(W, b, 20_000, thin=50, random_state=0)
    p = joint_distribution(W, b).ravel()
    independent = np.sum(p**2)            # agreement of independent draws
    assert lag1_agreement(slow) > independent + 0.2
    assert abs(lag1_agreement(fast) - independent) < 0.05


def test_gibbs_deterministic_limits_and_edge_sizes():
    # huge fields: the state is fixed after one sweep, whatever the start
    z = gibbs_sample(np.zeros((3, 3)), [800.0, -800.0, 40.0], 100, burn_in=0, random_state=3)
    np.testing.assert_array_equal(z, np.tile([1, 0, 1], (100, 1)))
    # one unit
    z = gibbs_sample([[0.0]], [0.0], 10_000, random_state=0)
    assert z.shape == (10_000, 1)
    assert 0.47 < z.mean() < 0.53
    # no samples
    z = gibbs_sample(np.zeros((3, 3)), np.zeros(3), 0, random_state=0)
    assert z.shape == (0, 3) and z.dtype == np.uint8


def test_gibbs_docstring_example():
    z = gibbs_sample(np.zeros((3, 3)), [0.0, 5.0, -5.0], 2000, random_state=0)
    assert z.shape == (2000, 3)
    np.testing.assert_allclose(z.mean(axis=0), [0.5, 1.0, 0.0], atol=0.05)


# --------------------------------------------------------------------------- #
# invalid input
# --------------------------------------------------------------------------- #
def _gibbs(W, b, clamped=None):
    return gibbs_sample(W, b, 5, random_state=0)


ALL_FUNCTIONS = ENUMERATORS + [_gibbs]

BAD_MACHINES = [
    pytest.param([[0.0, 1.0], [2.0, 0.0]], [0.0, 0.0], "weights", id="asymmetric"),
    pytest.param([[0.0, 1.0], [1.0 + 1e-6, 0.0]], [0.0, 0.0], "weights", id="slightly-asymmetric"),
    pytest.param([[1.0, 0.0], [0.0, 0.0]], [0.0, 0.0], "weights", id="diagonal"),
    pytest.param([[0.0, 0.0], [0.0, -1e-300]], [0.0, 0.0], "weights", id="tiny-diagonal"),
    pytest.param(np.zeros((3, 3)), [0.0, 0.0], "weights", id="shape-mismatch"),
    pytest.param(np.zeros((2, 3)), [0.0, 0.0], "weights", id="not-square"),
    pytest.param([0.0, 0.0], [0.0, 0.0], "weights", id="weights-1d"),
    pytest.param(np.zeros((2, 2, 1)), [0.0, 0.0], "weights", id="weights-3d"),
    pytest.param(np.zeros((2, 2)), [[0.0, 0.0]], "biases", id="biases-2d"),
    pytest.param(np.zeros((2, 2)), 0.0, "biases", id="biases-scalar"),
    pytest.param([[0.0, np.nan], [np.nan, 0.0]], [0.0, 0.0], "weights", id="nan-weights"),
    pytest.param([[0.0, np.inf], [np.inf, 0.0]], [0.0, 0.0], "weights", id="inf-weights"),
    pytest.param(np.zeros((2, 2)), [0.0, np.nan], "biases", id="nan-biases"),
    pytest.param(np.zeros((2, 2)), [-np.inf, 0.0], "biases", id="inf-biases"),
    pytest.param([["a", "b"], ["b", "a"]], [0.0, 0.0], "weights", id="string-weights"),
    pytest.param(np.zeros((2, 2)), ["x", "y"], "biases", id="string-biases"),
    pytest.param([[0.0, 1j], [1j, 0.0]], [0.0, 0.0], "weights", id="complex-weights"),
    pytest.param([[0.0, 1.0], [1.0]], [0.0, 0.0], "weights", id="ragged-weights"),
    pytest.param(np.array([[None, 1], [1, None]]), [0.0, 0.0], "weights", id="object-weights"),
    pytest.param(np.zeros((0, 0)), [], "biases", id="empty"),
    pytest.param(np.zeros((2, 2)), [], "weights|biases", id="empty-biases-mismatch"),
    # energies float64 cannot hold (1.7e308 gave NaN), or hold without their differences
    pytest.param(np.zeros((2, 2)), [1.7e308, 1.7e308], "^biases must keep the energies",
                 id="biases-overflow"),
    pytest.param(np.zeros((2, 2)), [1e16, 1.0], "^biases .* = 1e\\+16", id="biases-1e16"),
    pytest.param([[0.0, 1e300], [1e300, 0.0]], [0.0, 0.0], "^weights must keep", id="weights-huge"),
    pytest.param([[0.0, 6e11], [6e11, 0.0]], [6e11, 0.0], "^weights and biases must keep",
                 id="together-too-large"),
]


@pytest.mark.parametrize("func", ALL_FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("W, b, match", BAD_MACHINES)
def test_invalid_machine(func, W, b, match):
    with pytest.raises((ValueError, TypeError), match=match):
        func(W, b)


def test_energy_scale_up_to_the_bound_is_exact():
    # 1e12 is the bound: a bias of 1 beside one of 1e12 keeps its effect
    W = np.zeros((2, 2))
    m = marginals(W, [1e12 - 1.0, 1.0])
    assert m[0] == 1.0 and m[1] == pytest.approx(1 / (1 + np.exp(-1.0)), rel=1e-12)
    assert np.isfinite(log_partition(W, [1e12 - 1.0, 1.0]))


def test_asymmetry_from_rounding_is_accepted():
    W, b = random_machine(4, 1.0, seed=1)
    W2 = W.copy()
    W2[0, 1] = np.nextafter(W2[0, 1], np.inf)
    assert log_partition(W2, b) == pytest.approx(log_partition(W, b), rel=1e-14)


BAD_CLAMPS = [
    pytest.param({0: 2}, id="dict-value-2"),
    pytest.param({0: 0.5}, id="dict-value-half"),
    pytest.param({0: -1}, id="dict-value-negative"),
    pytest.param({0: np.nan}, id="dict-value-nan"),
    pytest.param({3: 1}, id="dict-key-too-large"),
    pytest.param({-1: 1}, id="dict-key-negative"),
    pytest.param({1.0: 1}, id="dict-key-float"),
    pytest.param({"a": 1}, id="dict-key-string"),
    pytest.param({True: 1}, id="dict-key-bool"),
    pytest.param([np.nan, 2.0, np.nan], id="array-value-2"),
    pytest.param([np.nan, np.inf, np.nan], id="array-value-inf"),
    pytest.param([np.nan, -1.0, 0.0], id="array-value-negative"),
    pytest.param([np.nan, 0.0], id="array-too-short"),
    pytest.param([np.nan, 0.0, 1.0, 1.0], id="array-too-long"),
    pytest.param([[np.nan, 0.0, 1.0]], id="array-2d"),
    pytest.param(["a", "b", "c"], id="array-strings"),
    pytest.param("abc", id="string"),
    pytest.param(1.0, id="scalar"),
]


@pytest.mark.parametrize("func", ENUMERATORS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("clamped", BAD_CLAMPS)
def test_invalid_clamp(func, clamped):
    W, b = random_machine(3, 1.0, seed=0)
    with pytest.raises((ValueError, TypeError), match="clamped"):
        func(W, b, clamped)


@pytest.mark.parametrize("value", ["a", [0, 1], 1 + 0j], ids=["string", "list", "complex"])
def test_invalid_clamp_dict_value_type_names_clamped(value):
    """A non-numeric value in a clamp dict must be reported as a bad ``clamped``
    (like the same value in an array is), not by a bare numpy conversion error."""
    W, b = random_machine(3, 1.0, seed=0)
    for func in ENUMERATORS:
        with pytest.raises((ValueError, TypeError), match="clamped"):
            func(W, b, {0: value})


def _assert_fast_and_small(call, match):
    tracemalloc.start()
    try:
        t0 = time.perf_counter()
        with pytest.raises(ValueError, match=match):
            call()
        elapsed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 1.0
    assert peak < 16 * 2**20          # far below 2**25 doubles (256 MiB)


def test_joint_too_many_units_raises_before_allocating():
    W, b = random_machine(25, 1.0, seed=25)
    _assert_fast_and_small(lambda: joint_distribution(W, b), "24")
    # clamping does not lift the limit: the output would still hold 2**25 entries
    clamped = {i: 0 for i in range(24)}
    _assert_fast_and_small(lambda: joint_distribution(W, b, clamped), "24")


@pytest.mark.parametrize("func", [log_partition, marginals, second_moments], ids=lambda f: f.__name__)
def test_enumeration_too_many_free_units_raises_immediately(func):
    W, b = random_machine(31, 1.0, seed=31)
    _assert_fast_and_small(lambda: func(W, b), "30")
    W, b = random_machine(33, 1.0, seed=33)
    _assert_fast_and_small(lambda: func(W, b, {0: 1, 5: 0}), "30")   # 31 free


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"n_samples": -1}, ValueError, "n_samples"),
    ({"n_samples": 2.5}, TypeError, "n_samples"),
    ({"n_samples": "10"}, TypeError, "n_samples"),
    ({"n_samples": True}, TypeError, "n_samples"),
    ({"n_samples": None}, TypeError, "n_samples"),
    ({"burn_in": -1}, ValueError, "burn_in"),
    ({"burn_in": 1.5}, TypeError, "burn_in"),
    ({"thin": 0}, ValueError, "thin"),
    ({"thin": -2}, ValueError, "thin"),
    ({"thin": 2.0}, TypeError, "thin"),
    ({"random_state": "seed"}, TypeError, "random_state"),
    ({"random_state": 1.5}, TypeError, "random_state"),
    ({"random_state": True}, TypeError, "random_state"),
    ({"random_state": [1, 2]}, TypeError, "random_state"),
])
def test_gibbs_invalid_arguments(kwargs, exc, match):
    args = {"n_samples": 10, "burn_in": 10, "thin": 1, "random_state": 0}
    args.update(kwargs)
    n_samples = args.pop("n_samples")
    with pytest.raises(exc, match=match):
        gibbs_sample(np.zeros((2, 2)), np.zeros(2), n_samples, **args)


def test_gibbs_accepts_numpy_integers():
    z = gibbs_sample(np.zeros((2, 2)), np.zeros(2), np.int64(7), burn_in=np.int32(3),
                     thin=np.uint8(2), random_state=np.int64(1))
    assert z.shape == (7, 2)
