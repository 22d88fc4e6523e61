r"""Claims for discrete X (uniform on m points) through an injective network.

T_l = f_l(...f_1(X)) is an injective function of X, so I(X; T_l) = H(X) = log m at every
layer, for almost all weights (Saxe et al. 2018; Goldfeld et al. 2019): constant in depth.
The binned estimate H(bin(T_l)) instead moves with the bin width and the weights.
Deterministic IB (Strouse & Schwab 2017): for a deterministic encoder T = e(X) on discrete X,
I(X; T) = H(T); checked on the binned encoders by exact enumeration of the joint law.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from revinfo import estimate, flows
from revinfo.claims._stats import sub_seed
from revinfo.claims.registry import claim


def distinct_rows(t: np.ndarray) -> int:
    return int(np.unique(t, axis=0).shape[0])


def layer_images(flow, points: np.ndarray) -> list[np.ndarray]:
    """The images of the m points after every layer (entry 0 the points)."""
    with torch.no_grad():
        return [z.numpy() for z, _ in flows.trace(flow, torch.as_tensor(points))]


def exact_mi_of_encoder(codes: np.ndarray) -> tuple[float, float]:
    """(I(X; T), H(T)) for X uniform on the m rows and T = codes (a deterministic encoder),
    from the exact joint law: p(x, t) = 1/m on the m pairs (x_i, codes_i)."""
    m = codes.shape[0]
    _, t_idx = np.unique(codes, axis=0, return_inverse=True)
    p_t = np.bincount(t_idx.ravel()) / m
    h_t = float(-(p_t * np.log(p_t)).sum())
    joint = np.column_stack([np.arange(m), t_idx.ravel()])
    _, j_idx = np.unique(joint, axis=0, return_inverse=True)
    p_j = np.bincount(j_idx.ravel()) / m
    h_xt = float(-(p_j * np.log(p_j)).sum())
    return math.log(m) + h_t - h_xt, h_t


NETWORKS = (("affine", None), ("affine", 2.0), ("leaky-relu", 0.5), ("revnet", 1.5))
BINS = (4, 10, 30)


@claim("discrete-constant-mi",
       "X uniform on m = 512 points in R^2 through injective networks: I(X; T_l) = log m at "
       "every layer (all images distinct), while the binned estimate moves with the bin "
       "count and the weights",
       "identity")
def check_constant(seed: int, m: int = 512):
    rng = np.random.default_rng(sub_seed(seed, 0))
    points = rng.normal(size=(m, 2))
    distinct, binned = [], []
    for i, (kind, scale) in enumerate(NETWORKS):
        f = flows.build(kind, 2, 4, seed=sub_seed(seed, 1, i), weight_scale=scale)
        for t in layer_images(f, points):
            distinct.append(distinct_rows(t))
            binned.extend(estimate.entropy_binned(t, bins=b).value for b in BINS)
    constant = min(distinct) == m
    binned = np.array(binned)
    moves = bool(binned.max() - binned.min() > 0.0)
    return constant and moves, {
        "m": m, "log_m": math.log(m), "min_distinct_images": min(distinct),
        "layers_checked": len(distinct), "binned_min": binned.min(), "binned_max": binned.max(),
        "binned_mean": binned.mean(), "bins": list(BINS), "binned_moves": moves,
    }


@claim("deterministic-ib",
       "For a deterministic encoder T = bin(f(X)) on discrete X, I(X; T) = H(T) (exact "
       "enumeration, m = 512 points, several bin counts)",
       "identity")
def check_dib(seed: int, m: int = 512):
    rng = np.random.default_rng(sub_seed(seed, 0))
    points = rng.normal(size=(m, 2))
    f = flows.build("affine", 2, 3, seed=sub_seed(seed, 1), weight_scale=2.0)
    t = layer_images(f, points)[-1]
    worst, rows = 0.0, []
    for b in BINS:
        lo, hi = t.min(0), t.max(0)
        codes = np.minimum(((t - lo) / (hi - lo) * b).astype(np.int64), b - 1)
        mi, h_t = exact_mi_of_encoder(codes)
        worst = max(worst, abs(mi - h_t))
        rows.append((mi, h_t))
    tol = 64 * np.finfo(float).eps * math.log(m)
    return worst <= tol, {"I_x_t": [r[0] for r in rows], "H_t": [r[1] for r in rows],
                          "bins": list(BINS), "max_difference": worst, "rounding_tolerance": tol}
