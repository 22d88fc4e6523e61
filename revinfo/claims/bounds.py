r"""Claims on variational MI bounds (Poole et al., ICML 2019; Belghazi et al. 2018).

InfoNCE never exceeds log B, whatever the critic: each term f_ii - log sum_j e^{f_ij} is a
log-softmax entry, <= 0. Checked with an unclamped float64 formula of our own (the
estimator clamps rounding) over many critics, including the exact one at I > log B.
At the exact critic f* = log p(x, y) / (p(x) p(y)) the DV bound equals I(X;Y) (large B;
proofs/dv_optimum.py), as does NWJ (unbiased for a fixed critic): the batch means over
independent batches are compared with the closed form within Z standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from revinfo.claims._stats import agree, mean_se, sub_seed
from revinfo.claims.registry import claim
from revinfo.estimate.neural import bound_dv, bound_infonce, bound_nwj


def gaussian_pmi_scores(x: np.ndarray, y: np.ndarray, rho: float) -> np.ndarray:
    """scores[i, j] = log p(x_i, y_j) / (p(x_i) p(y_j)) for independent coordinate pairs
    (x_k, y_k) standard normal with correlation rho."""
    q = 1.0 - rho**2
    xx = (x**2).sum(1)[:, None]
    yy = (y**2).sum(1)[None, :]
    xy = x @ y.T
    d = x.shape[1]
    return -0.5 * d * math.log(q) - (rho**2 * (xx + yy) - 2 * rho * xy) / (2 * q)


def infonce_unclamped(scores: np.ndarray) -> float:
    """log B + mean_i (f_ii - logsumexp_j f_ij), in float64, without any clamp."""
    m = scores.max(1, keepdims=True)
    lse = (m + np.log(np.exp(scores - m).sum(1, keepdims=True)))[:, 0]
    return math.log(scores.shape[0]) + float((np.diag(scores) - lse).mean())


def pair_samples(rng: np.random.Generator, b: int, d: int, rho: float):
    x = rng.normal(size=(b, d))
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=(b, d))
    return x, y


@claim("infonce-dv-bounds",
       "InfoNCE <= log B for any critic (random, scaled and exact critics); at the exact critic "
       "log p/(p p), DV and NWJ equal I(X;Y) (Gaussian pairs, closed-form I)",
       "inequality", proof="dv_optimum")
def check(seed: int, critics: int = 200, batches: int = 40, b: int = 512):
    rng = np.random.default_rng(sub_seed(seed, 0))
    # (a) InfoNCE <= log B over many critics, batch size 64, some with I > log B
    worst, worst_clamped, worst_scale = -math.inf, -math.inf, 0.0
    for i in range(critics):
        bb, d = 64, int(rng.integers(1, 4))
        rho = float(rng.uniform(0.0, 0.999))
        x, y = pair_samples(rng, bb, d, rho)
        kind = i % 3
        if kind == 0:
            scores = rng.normal(scale=10.0 ** rng.uniform(-2, 3), size=(bb, bb))
        elif kind == 1:
            scores = float(rng.uniform(0.1, 50)) * gaussian_pmi_scores(x, y, rho) + rng.normal()
        else:
            scores = gaussian_pmi_scores(x, y, rho)
        excess = infonce_unclamped(scores) - math.log(bb)
        rounding = 64 * np.finfo(float).eps * (1.0 + np.abs(scores).max())
        if excess / rounding > worst / max(worst_scale, 1e-300) or i == 0:
            worst, worst_scale = excess, rounding
        worst_clamped = max(worst_clamped,
                            float(bound_infonce(torch.as_tensor(scores))) - math.log(bb))
    nce_ok = worst <= worst_scale and worst_clamped <= 0.0
    # (b) DV and NWJ at the exact critic, rho = 0.8 per pair, d = 2
    d, rho = 2, 0.8
    truth = -0.5 * d * math.log(1 - rho**2)
    dv, nwj, nce = [], [], []
    for _ in range(batches):
        x, y = pair_samples(rng, b, d, rho)
        s = torch.as_tensor(gaussian_pmi_scores(x, y, rho))
        dv.append(float(bound_dv(s)))
        nwj.append(float(bound_nwj(s)))
        nce.append(float(bound_infonce(s)))
    dv_m, dv_se = mean_se(dv)
    nwj_m, nwj_se = mean_se(nwj)
    dv_ok, _, dv_tol = agree(dv_m, truth, dv_se)
    nwj_ok, _, nwj_tol = agree(nwj_m, truth, nwj_se)
    return bool(nce_ok and dv_ok and nwj_ok), {
        "critics": critics, "infonce_max_excess_over_log_B": worst,
        "rounding_tolerance_at_max": worst_scale, "estimator_max_excess": worst_clamped,
        "I_true": truth, "batch_size": b, "DV_exact_critic": dv_m, "DV_stderr": dv_se,
        "DV_tolerance": dv_tol, "NWJ_exact_critic": nwj_m, "NWJ_stderr": nwj_se,
        "NWJ_tolerance": nwj_tol, "InfoNCE_exact_critic": float(np.mean(nce)),
        "log_B": math.log(b),
    }
