"""Tests of sklearn_sbs.metrics against the formulas written out here."""

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_sbs.metrics import bernoulli_dkl, dkl, marginal_dkl

MAX_EXAMPLES = int(os.environ.get("SBS_MAX_EXAMPLES", "50"))
HYP = settings(max_examples=MAX_EXAMPLES, deadline=None)


def dkl_formula(p, q):
    """sum_i p_i log(p_i / q_i) with plain Python floats, 0 log 0 = 0."""
    total = 0.0
    for pi, qi in zip(np.ravel(p), np.ravel(q)):
        if pi == 0:
            continue
        if qi == 0:
            return math.inf
        total += pi * (math.log(pi) - math.log(qi))     # no overflow for subnormal q
    return total


def bernoulli_formula(p, q):
    out = 0.0
    for a, b in ((p, q), (1 - p, 1 - q)):
        if a == 0:
            continue
        if b == 0:
            return math.inf
        out += a * (math.log(a) - math.log(b))
    return out


@st.composite
def distributions(draw, size=None, zeros=True):
    size = draw(st.integers(1, 16)) if size is None else size
    w = draw(hnp.arrays(np.float64, size, elements=st.floats(0.0, 1.0) if zeros
                        else st.floats(1e-3, 1.0)))
    if w.sum() == 0:
        w[draw(st.integers(0, size - 1))] = 1.0
    return w / w.sum()


@st.composite
def distribution_pairs(draw):
    size = draw(st.integers(1, 16))
    return draw(distributions(size)), draw(distributions(size))


# --------------------------------------------------------------------------- #
# dkl
# --------------------------------------------------------------------------- #
def test_dkl_known_values():
    assert dkl([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3),
                                                          rel=1e-14)
    assert dkl([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.143841, abs=1e-6)
    assert dkl([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2), rel=1e-14)
    assert dkl([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]) == 0.0


@HYP
@given(distribution_pairs())
def test_dkl_matches_formula(pq):
    p, q = pq
    got = dkl(p, q)
    want = dkl_formula(p, q)
    assert isinstance(got, float)
    if math.isinf(want):
        assert got == math.inf
    else:
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
        assert got >= -1e-12          # Gibbs' inequality


@HYP
@given(distributions())
def test_dkl_of_a_distribution_with_itself_is_zero(p):
    assert dkl(p, p) == pytest.approx(0.0, abs=1e-15)


def test_dkl_shapes_and_joint_arrays():
    rng = np.random.default_rng(0)
    p = rng.random((2, 2, 2))
    p /= p.sum()
    q = rng.random((2, 2, 2))
    q /= q.sum()
    assert dkl(p, q) == pytest.approx(dkl_formula(p, q), rel=1e-12)
    assert dkl(p, q) == pytest.approx(dkl(p.ravel(), q.ravel()), rel=1e-15)
    assert dkl(p.tolist(), q.tolist()) == pytest.approx(dkl(p, q), rel=1e-15)
    # a joint of several units is compared as a whole, not axis by axis
    assert dkl(p, q) != pytest.approx(dkl(p.sum(axis=(1, 2)), q.sum(axis=(1, 2))), rel=1e-6)


def test_dkl_zero_terms():
    # p = 0 terms contribute nothing, even where q = 0
    assert dkl([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert dkl([0.0, 0.5, 0.5], [0.5, 0.25, 0.25]) == pytest.approx(math.log(2), rel=1e-14)
    # q = 0 where p > 0: infinite
    assert dkl([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert dkl([1e-300, 1 - 1e-300], [0.0, 1.0]) == math.inf


def test_dkl_eps_smoothing():
    p = np.array([0.5, 0.5])
    q = np.array([1.0, 0.0])
    eps = 1e-3
    got = dkl(p, q, eps=eps)
    qs = (q + eps) / (1 + eps * q.size)
    assert np.isfinite(got)
    assert got == pytest.approx(dkl_formula(p, qs), rel=1e-12)
    assert round(got, 3) == 2.762                    # docstring value
    # smoothing changes q everywhere, so even q = p gives a small positive divergence
    p3 = np.array([0.7, 0.2, 0.1])
    q3 = np.array([0.1, 0.2, 0.7])
    assert 0 < dkl(p3, p3, eps=0.01) < 1e-2
    assert dkl(p3, q3, eps=0.01) == pytest.approx(dkl_formula(p3, (q3 + 0.01) / 1.03), rel=1e-12)
    # smaller eps: closer to the unsmoothed value
    assert abs(dkl(p3, q3, eps=1e-9) - dkl(p3, q3)) < 1e-7


@HYP
@given(distribution_pairs(), st.floats(1e-9, 0.5))
def test_dkl_eps_matches_formula(pq, eps):
    p, q = pq
    qs = (q + eps) / (1 + eps * q.size)
    got = dkl(p, q, eps=eps)
    assert math.isfinite(got)
    assert got == pytest.approx(dkl_formula(p, qs), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("p, q, match", [
    ([0.5, 0.5], [0.2, 0.3, 0.5], "shape"),
    ([[0.5, 0.5]], [0.5, 0.5], "shape"),
    ([-0.5, 1.5], [0.5, 0.5], "p"),
    ([0.5, 0.5], [1.5, -0.5], "q"),
    ([0.5, 0.6], [0.5, 0.5], "p"),
    ([0.5, 0.5], [0.1, 0.1], "q"),
    ([0.0, 0.0], [0.5, 0.5], "p"),
    ([np.nan, 1.0], [0.5, 0.5], "p"),
    ([0.5, 0.5], [np.inf, 0.5], "q"),
    (["a", "b"], [0.5, 0.5], "p"),
    ([], [], "p"),
])
def test_dkl_invalid(p, q, match):
    with pytest.raises((ValueError, TypeError), match=match):
        dkl(p, q)


@pytest.mark.parametrize("eps, exc", [
    (0.0, ValueError), (-1e-3, ValueError), (np.nan, ValueError), (np.inf, ValueError),
    ("0.1", TypeError), ([0.1], TypeError),
])
def test_dkl_invalid_eps(eps, exc):
    with pytest.raises(exc, match="eps"):
        dkl([0.5, 0.5], [0.5, 0.5], eps=eps)


def test_dkl_accepts_rounding_in_the_normalisation():
    p = np.full(3, 1 / 3)
    assert dkl(p, [0.3333333, 0.3333333, 0.3333334]) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("deficit", [1e-9, 5e-7, -5e-7])
def test_dkl_normalises_inputs_within_the_tolerance(deficit):
    # p sums to 1 - deficit; unnormalised, DKL(p || p / sum) = S log S < 0 for S < 1
    p = np.array([0.5, 0.5 - deficit, 0.0, 0.0])
    assert dkl(p, p / p.sum()) == pytest.approx(0.0, abs=1e-15)
    assert dkl(p, [0.25] * 4) >= 0.0
    assert dkl(p / p.sum(), p) == pytest.approx(0.0, abs=1e-15)


# --------------------------------------------------------------------------- #
# bernoulli_dkl and marginal_dkl
# --------------------------------------------------------------------------- #
def test_bernoulli_known_values():
    np.testing.assert_allclose(bernoulli_dkl([0.5, 1.0], [0.5, 0.5]), [0.0, math.log(2)], atol=1e-15)
    assert bernoulli_dkl(0.3, 0.6) == pytest.approx(
        0.3 * math.log(0.3 / 0.6) + 0.7 * math.log(0.7 / 0.4), rel=1e-14)


@HYP
@given(hnp.arrays(np.float64, st.integers(1, 8), elements=st.floats(0.0, 1.0)),
       st.data())
def test_bernoulli_matches_formula(p, data):
    q = data.draw(hnp.arrays(np.float64, p.shape, elements=st.floats(0.0, 1.0)))
    got = bernoulli_dkl(p, q)
    assert got.shape == p.shape
    for g, a, b in zip(got, p, q):
        want = bernoulli_formula(a, b)
        if math.isinf(want):
            assert g == math.inf
        else:
            assert g == pytest.approx(want, rel=1e-9, abs=1e-12)
    total = marginal_dkl(p, q)
    assert isinstance(total, float)
    want_total = sum(bernoulli_formula(a, b) for a, b in zip(p, q))
    if math.isinf(want_total):
        assert total == math.inf
    else:
        assert total == pytest.approx(want_total, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("p, q, want", [
    (0.0, 0.0, 0.0),
    (1.0, 1.0, 0.0),
    (0.0, 0.5, math.log(2)),
    (1.0, 0.5, math.log(2)),
    (1.0, 0.0, math.inf),
    (0.0, 1.0, math.inf),
    (0.5, 0.0, math.inf),
    (0.5, 1.0, math.inf),
    (1.0, 0.25, math.log(4)),
    (0.0, 0.75, math.log(4)),
])
def test_bernoulli_extremes(p, q, want):
    got = float(bernoulli_dkl([p], [q])[0])
    assert not math.isnan(got)
    if math.isinf(want):
        assert got == math.inf
    else:
        assert got == pytest.approx(want, rel=1e-14, abs=1e-15)


def test_bernoulli_eps_clips_q():
    eps = 1e-3
    got = bernoulli_dkl([1.0, 0.0, 0.5], [0.0, 1.0, 0.5], eps=eps)
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, [-math.log(eps), -math.log(eps), 0.0], rtol=1e-12)
    # q inside [eps, 1 - eps] is untouched
    np.testing.assert_allclose(bernoulli_dkl([0.3], [0.6], eps=eps), bernoulli_dkl([0.3], [0.6]),
                               rtol=1e-15)
    assert marginal_dkl([1.0, 0.0], [0.0, 1.0], eps=eps) == pytest.approx(-2 * math.log(eps),
                                                                          rel=1e-12)


def test_marginal_dkl_known_value():
    assert marginal_dkl([0.5, 0.5], [0.5, 0.25]) == pytest.approx(
        0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75), rel=1e-14)
    assert marginal_dkl([0.5, 0.5], [0.5, 0.25]) == pytest.approx(0.143841, abs=1e-6)
    assert marginal_dkl([1.0, 0.2], [0.0, 0.2]) == math.inf


@pytest.mark.parametrize("func", [bernoulli_dkl, marginal_dkl])
@pytest.mark.parametrize("p, q, match", [
    ([0.5, 0.5], [0.5], "shape"),
    ([-0.1], [0.5], "p"),
    ([1.1], [0.5], "p"),
    ([0.5], [-0.1], "q"),
    ([0.5], [1.5], "q"),
    ([np.nan], [0.5], "p"),
    ([0.5], [np.nan], "q"),
    ([0.5], [np.inf], "q"),
])
def test_bernoulli_invalid(func, p, q, match):
    with pytest.raises(ValueError, match=match):
        func(p, q)


@pytest.mark.parametrize("func", [bernoulli_dkl, marginal_dkl])
@pytest.mark.parametrize("eps, exc", [
    (0.5, ValueError), (0.7, ValueError), (0.0, ValueError), (-0.1, ValueError),
    (np.nan, ValueError), ("0.1", TypeError),
])
def test_bernoulli_invalid_eps(func, eps, exc):
    with pytest.raises(exc, match="eps"):
        func([0.5], [0.5], eps=eps)
