"""Property tests: the identities behind claims 2, 4, 5, 6, 10, 11, 12 over drawn networks
and parameters (the registry checks one fixed instance each)."""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from revinfo import flows
from revinfo.claims import bounds, discrete, dpi, gaussian_channel, invariance, volume
from tests.strategies import (
    correlations,
    depths,
    flow_specs,
    linear_gaussian_chains,
    seeds,
    sigmas,
    volume_preserving_kinds,
)

SMOOTH = st.sampled_from(["affine", "additive", "linear", "orthogonal", "elementwise"])


@settings(max_examples=8)
@given(rho=correlations, f_seed=seeds, g_seed=seeds, kind=SMOOTH, seed=seeds)
def test_claim2_mi_invariance(rho, f_seed, g_seed, kind, seed) -> None:
    cov = np.array([[1.0, 0, rho, 0], [0, 1, 0, rho], [rho, 0, 1, 0], [0, rho, 0, 1]])
    f = flows.build(kind, 2, 2, seed=f_seed % 1000)
    g = flows.build("affine", 2, 2, seed=g_seed % 1000)
    r = invariance.transformed_mi(cov, 2, f, g, seed, n=20_000)
    assert r["holds"], r


@settings(max_examples=4)
@given(f_seed=seeds, g_seed=seeds, sigma=st.floats(0.3, 1.0), seed=seeds)
def test_claim4_output_noise_equality(f_seed, g_seed, sigma, seed) -> None:
    f = flows.build("linear", 2, 1, seed=f_seed % 1000)
    g = flows.build("elementwise", 2, 1, seed=g_seed % 1000, maps=("asinh",))
    r = dpi.output_noise_sides(f, g, 2, sigma, seed, n=800)
    assert r["holds"], r


@given(spec=flow_specs(max_dim=3), sigma=sigmas, seed=seeds)
def test_claim4_sample_propagation_sides_agree_to_rounding(spec, sigma, seed) -> None:
    kind, dim, depth, fseed = spec
    f = flows.build(kind, dim, depth, seed=fseed % 1000)
    g = flows.build("linear", dim, 1, seed=(fseed + 1) % 1000)
    x = torch.randn(200, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    a, b = dpi.sample_propagation_sides(x, f, g, sigma, seed % 1000)
    assert abs(a - b) <= 1e-9 * (1 + abs(a))


@given(chain=linear_gaussian_chains())
def test_claim5_strict_dpi_with_noise_at_every_layer(chain) -> None:
    r = dpi.layer_noise_chain(*chain)
    assert abs(r["I_x_t2"] - r["I_x_t2_joint"]) <= 1e-8 * (1 + r["I_x_t1"])
    # strict when T1 carries information about X (A != 0); else both sides are 0
    if r["I_x_t1"] > 1e-9:
        assert r["I_x_t2"] < r["I_x_t1"]
    assert r["I_x_t2"] <= r["I_x_t1"] + 1e-12


@given(spec=flow_specs(max_dim=4), scale=st.one_of(st.none(), st.floats(0.3, 2.0)),
       m=st.integers(2, 300), seed=seeds)
def test_claim6_discrete_mi_is_log_m_at_every_layer(spec, scale, m, seed) -> None:
    kind, dim, depth, fseed = spec
    f = flows.build(kind, dim, depth, seed=fseed % 1000, weight_scale=scale)
    points = np.random.default_rng(seed).normal(size=(m, dim))
    for t in discrete.layer_images(f, points):
        mi, h_t = discrete.exact_mi_of_encoder(t)
        assert discrete.distinct_rows(t) == m
        assert abs(mi - math.log(m)) <= 1e-12 and abs(h_t - math.log(m)) <= 1e-12


@given(b=st.integers(2, 64), scale=st.floats(1e-3, 1e3), seed=seeds)
def test_claim10_infonce_at_most_log_batch_for_any_critic(b, scale, seed) -> None:
    scores = np.random.default_rng(seed).normal(scale=scale, size=(b, b))
    excess = bounds.infonce_unclamped(scores) - math.log(b)
    assert excess <= 64 * np.finfo(float).eps * (1 + np.abs(scores).max())


@settings(max_examples=10)
@given(rho=st.floats(0.1, 0.9), seed=seeds)
def test_claim10_dv_at_exact_critic_equals_mi(rho, seed) -> None:
    rng = np.random.default_rng(seed)
    reps, b = 30, 256
    vals = []
    for _ in range(reps):
        x, y = bounds.pair_samples(rng, b, 1, rho)
        vals.append(float(bounds.bound_dv(torch.as_tensor(bounds.gaussian_pmi_scores(x, y, rho)))))
    m, se = np.mean(vals), np.std(vals, ddof=1) / math.sqrt(reps)
    # se is estimated from `reps` draws, so (m - E m)/se is Student t with reps - 1 dof: use
    # the t quantile with the two-sided tail of 5 sigma (2 * 2.87e-7), 6.37 at 29 dof, in
    # place of 5. E[DV] - I is the Jensen bias of -log(mean of e^{f_ij}, i != j); that mean
    # has mean 1 and, by Mehler's expansion of the density ratio r (E_Q r^2 = 1/(1-rho^2),
    # and only the (i,j),(j,i) pairs covary, by rho^4/(1-rho^4)), variance
    # v = (rho^2/(1-rho^2) + rho^4/(1-rho^4)) / (B(B-1)); the bias is v/2 to leading order
    # (delta method), <= 4.7e-5 at rho = 0.9, against se of 1e-3 (rho 0.1) to 1e-2 (rho 0.9).
    q = stats.t.ppf(1 - stats.norm.sf(5), reps - 1)
    bias = (rho**2 / (1 - rho**2) + rho**4 / (1 - rho**4)) / (2 * b * (b - 1))
    assert abs(m + 0.5 * math.log(1 - rho**2)) <= q * se + bias


@settings(max_examples=4)
@given(dim=st.integers(1, 3), fseed=seeds, sigma=st.floats(0.3, 1.5), seed=seeds)
def test_claim11_gaussian_channel_matches_monte_carlo(dim, fseed, sigma, seed) -> None:
    flow = flows.build("linear", dim, 2, seed=fseed % 1000)
    r = gaussian_channel.channel_sides(np.eye(dim), flow, sigma, seed % 1000, n=800)
    assert r["holds"], r


@given(kind=volume_preserving_kinds, dim=st.integers(2, 5), depth=depths, seed=seeds)
def test_claim12_volume_preserving_logdet_is_zero(kind, dim, depth, seed) -> None:
    assert volume.volume_preserving_logdet(kind, dim, depth, seed % 10_000, n=32) <= volume.ROUNDING


@given(dim=st.integers(2, 5), depth=depths, seed=seeds)
def test_claim12_affine_logdet_is_sum_of_log_scales(dim, depth, seed) -> None:
    assert volume.affine_log_scales(dim, depth, seed % 10_000, n=32) <= volume.ROUNDING
