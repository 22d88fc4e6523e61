r"""Claim: usable information can be created by computation (Xu et al., ICLR 2020).

Z ~ N(0, I_2), Y ~ Bernoulli(sigmoid(k (z2 + z1^2 - c))): the label boundary is a parabola,
out of reach of a linear probe on Z. The additive coupling (NICE) layer
T = (z1, z2 + z1^2) is a bijection (volume preserving), so I(T; Y) = I(Z; Y), while in T
the boundary is the line t2 = c and the linear-probe V-information rises.
I(Z; Y) = H(Y) - E h_b(sigmoid(.)) by Monte Carlo over Z (exact conditional law).
"""

from __future__ import annotations

import math

import numpy as np

from revinfo import estimate
from revinfo.claims._stats import agree, combined, mean_se, sub_seed
from revinfo.claims.registry import claim


def _binary_entropy(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-300, 1 - 1e-16)
    return -(p * np.log(p) + (1 - p) * np.log1p(-p))


@claim("usable-information-created",
       "Linear-probe V-information I_V(T -> Y) exceeds I_V(Z -> Y) for the bijective additive "
       "coupling T = (z1, z2 + z1^2), while Shannon I(T; Y) = I(Z; Y) stays fixed",
       "inequality")
def check(seed: int, n: int = 20_000, k: float = 4.0, c: float = 1.0):
    rng = np.random.default_rng(sub_seed(seed, 0))
    z = rng.normal(size=(n, 2))
    t = np.column_stack([z[:, 0], z[:, 1] + z[:, 0] ** 2])
    p = 1.0 / (1.0 + np.exp(-k * (t[:, 1] - c)))
    y = (rng.uniform(size=n) < p).astype(np.int64)
    # Shannon I(Z;Y) = I(T;Y): the same p(y|z) = p(y|t), so one computation serves both
    p_bar = float(p.mean())
    h_y_given, h_y_given_se = mean_se(_binary_entropy(p))
    p_se = float(p.std(ddof=1) / math.sqrt(n))
    h_y = float(_binary_entropy(np.array([p_bar]))[0])
    h_y_se = abs(math.log((1 - p_bar) / p_bar)) * p_se
    shannon, shannon_se = h_y - h_y_given, combined(h_y_se, h_y_given_se)
    vz = estimate.v_information(z, y, seed=sub_seed(seed, 1))
    vt = estimate.v_information(t, y, seed=sub_seed(seed, 1))
    rises = vt.value - vz.value > 5 * combined(vz.stderr, vt.stderr)
    within, _, tol = agree(min(vt.value, shannon), shannon, vt.stderr, shannon_se)
    return bool(rises and within), {
        "I_shannon": shannon, "I_shannon_stderr": shannon_se,
        "I_V_z": vz.value, "I_V_z_stderr": vz.stderr, "I_V_t": vt.value, "I_V_t_stderr": vt.stderr,
        "rise": vt.value - vz.value, "rise_tolerance": 5 * combined(vz.stderr, vt.stderr),
        "I_V_t_not_above_shannon": within, "shannon_tolerance": tol,
    }
