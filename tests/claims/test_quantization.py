"""The quantization conjecture: g(L) against a brute-force average over offsets, the limits
against an independent quadrature, the enumeration against a second algorithm, the judge
(it must reject a wrong limit or a slower convergence), and the claim's verdict."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtr

from revinfo import claims
from revinfo.claims import quantization as q
from tests.strategies import seeds

Z = 5.0


def offset_entropies(length: float, offsets: np.ndarray) -> np.ndarray:
    """Exact entropy of the pieces of [u, u + L) cut at the integers, one u per row: the cut
    points are listed, clipped into the interval, and differenced (independent of g)."""
    u = offsets[:, None]
    inner = np.clip(np.arange(1, math.ceil(length) + 2)[None, :], u, u + length)
    pieces = np.diff(np.hstack([u, inner, u + length]), axis=1) / length
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pieces > 0, -pieces * np.log(pieces), 0.0)
    return terms.sum(axis=1)


@given(length=st.floats(min_value=0.02, max_value=12.0), seed=seeds)
def test_g_matches_a_monte_carlo_average_over_offsets(length: float, seed: int) -> None:
    h = offset_entropies(length, np.random.default_rng(seed).uniform(size=50_000))
    se = h.std(ddof=1) / math.sqrt(h.size)
    assert abs(q.mean_cut_entropy(length) - h.mean()) <= Z * se + 1e-12, (length, se)


@pytest.mark.parametrize("length", [0.3, 1.0, 1.5, 2.3, 7.9])
def test_g_matches_a_fine_midpoint_average_over_offsets(length: float) -> None:
    # midpoint rule on K and 2K offsets: for an error falling at least like 1/K, the
    # difference of the two bounds the finer one's error
    k = 400_000
    coarse = offset_entropies(length, (np.arange(k) + 0.5) / k).mean()
    fine = offset_entropies(length, (np.arange(2 * k) + 0.5) / (2 * k)).mean()
    assert abs(q.mean_cut_entropy(length) - fine) <= abs(coarse - fine) + 1e-12
    assert abs(q.mean_cut_entropy(length) - fine) < 1e-6


def test_g_closed_form_values_and_validation() -> None:
    assert q.mean_cut_entropy(1.0) == 0.5
    assert q.mean_cut_entropy(0.5) == 0.25
    assert q.mean_cut_entropy(2.0) == pytest.approx(math.log(2) + 0.25, abs=1e-15)
    lengths = np.geomspace(1e-3, 1e3, 101)
    assert np.all(q.mean_cut_entropy(lengths) >= np.log(lengths))
    with pytest.raises(ValueError, match="length"):
        q.mean_cut_entropy(0.0)
    with pytest.raises(ValueError, match="length"):
        q.mean_cut_entropy(np.array([1.0, np.nan]))
    with pytest.raises(TypeError, match="length"):
        q.mean_cut_entropy("1")


def _pdf(x):
    return mpmath.npdf(x)


def test_asinh_and_half_cube_limits_by_an_independent_quadrature() -> None:
    # mpmath's tanh-sinh quadrature of the closed-form integrands (g written out by hand)
    with mpmath.workdps(30):
        asinh = mpmath.quad(lambda x: _pdf(x) * (mpmath.log(1 + x * x) / 2
                                                 + 1 / (2 * mpmath.sqrt(1 + x * x))),
                            [-mpmath.inf, 0, mpmath.inf])
    value, err = q.MAPS["asinh"].limit()
    assert abs(value - float(asinh)) <= err + 1e-14, (value, float(asinh), err)

    def half_cube(x):  # 1/|f'| = 1 / (1.5 sqrt x) on x > 0; >= 1 for x <= 4/9
        inv = 1 / (mpmath.mpf(3) / 2 * mpmath.sqrt(x))
        return _pdf(x) * (mpmath.log(inv) + 1 / (2 * inv) if x <= mpmath.mpf(4) / 9 else inv / 2)

    with mpmath.workdps(30):
        half = 2 * mpmath.quad(half_cube, [0, mpmath.mpf(4) / 9, mpmath.inf])
    value, err = q.MAPS["half-cube"].limit()
    assert abs(value - float(half)) <= err + 1e-14, (value, float(half), err)


def test_aligned_limit_of_leaky_and_its_equidistributed_contrast() -> None:
    value, err = q.MAPS["leaky"].limit()
    assert err == 0 and value == pytest.approx(0.5 * math.log(2), abs=1e-15)
    # were the offsets equidistributed: P(X<0) g(2) + P(X>0) g(1) = log(2)/2 + 3/8
    _, ev = q.judge_1d("leaky", q.conditional_entropies_1d("leaky"))
    assert ev["leaky.equidistributed_value"] == pytest.approx(0.5 * math.log(2) + 0.375, abs=1e-15)
    with pytest.raises(ValueError, match="slope"):
        q.aligned_limit(((0.0, 1.0, 0.3),))


def _by_f_cells(f, preimage, bits: int) -> float:
    """A second algorithm: per f-cell j, its x-interval and the x-grid cells it meets."""
    scale, lim = 2.0**bits, q.LIMIT
    ys = np.arange(math.floor(f(np.array([-lim]))[0] * scale),
                   math.ceil(f(np.array([lim]))[0] * scale) + 1) / scale
    pre = preimage(ys)
    bounds = np.concatenate([[-lim], np.sort(pre[np.isfinite(pre) & (np.abs(pre) < lim)]), [lim]])
    total = 0.0
    for a, b in itertools.pairwise(bounds):
        cuts = np.concatenate([[a], np.arange(math.floor(a * scale) + 1, math.ceil(b * scale))
                               / scale, [b]])
        p = np.diff(ndtr(cuts))
        pj = p.sum()
        if pj > 0:
            p = p[p > 0] / pj
            total += pj * float(-(p * np.log(p)).sum())
    return total


@pytest.mark.parametrize("name", list(q.MAPS))
def test_enumeration_equals_a_per_f_cell_algorithm(name: str) -> None:
    m = q.MAPS[name]
    for bits in (3, 6):
        fast = q.conditional_entropy_1d(m.f, m.preimage, bits, odd=m.odd)
        assert fast == pytest.approx(_by_f_cells(m.f, m.preimage, bits), abs=1e-11), bits


@pytest.mark.parametrize("name", ["asinh", "half-cube"])
def test_odd_maps_half_line_shortcut_equals_the_full_line(name: str) -> None:
    m = q.MAPS[name]
    full = q.conditional_entropy_1d(m.f, m.preimage, 12)
    assert q.conditional_entropy_1d(m.f, m.preimage, 12, odd=True) == pytest.approx(full, abs=1e-12)


def test_relu_is_collapse_mass_times_the_conditional_cell_entropy() -> None:
    # ReLU is the identity on x > 0 (aligned, entropy 0) and sends x < Delta to f-cell 0
    bits = 9
    scale = 2.0**bits
    edges = np.arange(-q.LIMIT * scale, 2) / scale  # x-cells of (-9, Delta)
    p = np.diff(ndtr(edges))
    mass = p.sum()
    expected = float(-(p * np.log(p)).sum() + mass * math.log(mass))
    m = q.MAPS["relu"]
    assert q.conditional_entropy_1d(m.f, m.preimage, bits) == pytest.approx(expected, abs=1e-12)


def test_tail_tolerance_is_exact_for_a_geometric_sequence_and_fails_a_slower_one() -> None:
    bits = np.arange(5, 21)
    a = 0.5
    v = 3.0 * 2.0 ** (-a * bits)  # limit 0, increments exactly on the envelope
    ok, distance, tol, _ = q.converges_to(v, bits, 0.0, a)
    assert ok and np.allclose(tol, np.abs(distance), rtol=1e-12)
    assert not q.converges_to(v, bits, 0.01, a)[0]  # a wrong limit
    slow = 1.0 / bits  # converges to 0, but like 1/n, not 2^{-n/2}
    assert not q.converges_to(slow, bits, 0.0, a)[0]
    growing = np.log(bits)  # unbounded, judged against a limit it passes on the way (n = 12)
    assert not q.converges_to(growing, bits, math.log(12), a)[0]
    with pytest.raises(ValueError, match="exponent"):
        q.tail_tolerance(v, bits, 0.0)
    with pytest.raises(ValueError, match="window"):
        q.tail_tolerance(v[5:], bits[5:], a, start=10)


def test_judge_rejects_the_wrong_limits() -> None:
    bits = np.asarray(range(2, 15))
    h = q.conditional_entropies_1d("asinh", bits)
    value, err = q.MAPS["asinh"].limit()
    exponent = q.CHECKED_FRACTION * q.MAPS["asinh"].theory_exponent
    assert q.converges_to(h, bits, value, exponent, err)[0]
    assert not q.converges_to(h, bits, value + 0.05, exponent, err)[0]
    assert not q.converges_to(h, bits, value - 0.05, exponent, err)[0]
    leaky = q.conditional_entropies_1d("leaky")
    _, ev = q.judge_1d("leaky", leaky)
    assert not q.converges_to(leaky, np.asarray(q.MAPS["leaky"].bits),
                              ev["leaky.equidistributed_value"], 1.5)[0]


@pytest.fixture(scope="module")
def result():
    (r,) = claims.run(["quantization-conjecture"], seed=0)
    return r


def test_claim_holds_with_each_limit_within_its_tolerance_at_the_largest_n(result) -> None:
    ev = result.evidence
    assert result.holds, {k: v for k, v in ev.items() if k.endswith("holds")}
    for name in ("asinh", "half-cube", "leaky"):
        h, limit = ev[f"{name}.H_cond_nats"], ev[f"{name}.limit"]
        assert ev[f"{name}.bits"][-1] == ev[f"{name}.window_bits"][-1]
        assert abs(h[-1] - limit) <= ev[f"{name}.tolerance"][-1] + ev[f"{name}.limit_quad_error"]
    assert ev["asinh.bits"][-1] == 20
    slope, target = ev["relu.slope"][-1], ev["relu.limit"]
    assert target == pytest.approx(0.5 * math.log(2), abs=1e-15)
    assert abs(slope - target) <= ev["relu.tolerance"][-1]
    # leaky's leading term is exactly -Delta^2 / 16 (module docstring): (H_n - limit) 4^n is
    # -1/16 up to O(4^-n) and the sums' float64 rounding (~1e-13, the odd-shortcut test's
    # scale) times 4^n <= 4^16: 1e-3 covers both
    assert np.allclose(ev["leaky.scaled_distance"], -1 / 16, atol=1e-3)
