r"""Claim: the small-noise degeneracy of I_sigma(X; f(X)) = I(X; f(X) + sigma eps)
(Goldfeld et al., ICML 2019; proofs/small_noise.py).

For continuous X and a smooth injective f on R^d,
I_sigma(X; f(X)) = h(f(X)) - (d/2) log(2 pi e sigma^2) + O(sigma^2): it grows like
-(d/2) log sigma^2 with the finite offset h(f(X)) - (d/2) log(2 pi e), and
I_sigma(X; f(X)) - I_sigma(X; X) -> E log|det J_f| (geometry, not information).

Check: ``exact.mi_noisy`` (exact-density nested Monte Carlo, an independent seed per sigma)
on a grid of small sigma; weighted least-squares fits with the O(sigma^2) term free give
the slope, the offset and the limit of the difference with their standard errors, each
compared with ``exact.entropy`` within Z combined standard errors.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from revinfo import dist, exact, flows
from revinfo.claims._stats import agree, sub_seed, wls
from revinfo.claims.registry import claim

SIGMAS = (0.2, 0.1414, 0.1, 0.0707, 0.05)


@claim("small-noise-degeneracy",
       "I_sigma(X; f(X)) = h(f(X)) - (d/2) log(2 pi e sigma^2) + O(sigma^2): slope -(d/2) in "
       "log sigma^2, offset h(f(X)) - (d/2) log(2 pi e), and I_sigma(X;f(X)) - I_sigma(X;X) "
       "-> E log|det J_f| (2-D affine coupling network, Gaussian base)",
       "identity", proof="small_noise")
def check(seed: int, sigmas=SIGMAS, n: int = 2000):
    d = 2
    base = dist.standard_normal(d)
    f = flows.build("affine", d, 2, seed=sub_seed(seed, 10))
    h_z = exact.entropy(base, f, n=100_000, seed=sub_seed(seed, 11))
    h_x = exact.entropy(base).value
    s = np.asarray(sigmas, dtype=np.float64)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est = [exact.mi_noisy(base, f, float(sg), n=n, inner="auto", seed=sub_seed(seed, 12, i))
               for i, sg in enumerate(s)]
    mi = np.array([e.value for e in est])
    se = np.array([e.stderr for e in est])
    log_s2, s2, one = np.log(s**2), s**2, np.ones_like(s)
    # slope: I = a + slope log sigma^2 + b sigma^2
    (_, slope, _), (_, slope_se, _) = wls([one, log_s2, s2], mi, se)
    ok_slope, d_slope, tol_slope = agree(slope, -d / 2, slope_se)
    # offset: I + (d/2) log sigma^2 = offset + b sigma^2
    (offset, _), (offset_se, _) = wls([one, s2], mi + 0.5 * d * log_s2, se)
    target = h_z.value - 0.5 * d * math.log(2 * math.pi * math.e)
    ok_off, d_off, tol_off = agree(offset, target, offset_se, h_z.stderr)
    # geometry: I_sigma(X; f(X)) - I_sigma(X; X) = c + b sigma^2, I_sigma(X;X) closed form
    mi_xx = 0.5 * d * np.log1p(1.0 / s2)
    (limit, _), (limit_se, _) = wls([one, s2], mi - mi_xx, se)
    ok_lim, d_lim, tol_lim = agree(limit, h_z.value - h_x, limit_se, h_z.stderr)
    return ok_slope and ok_off and ok_lim, {
        "sigmas": s, "I_sigma": mi, "I_sigma_stderr": se,
        "slope": slope, "slope_stderr": slope_se, "slope_expected": -d / 2,
        "slope_tolerance": tol_slope,
        "offset": offset, "offset_stderr": offset_se, "offset_expected": target,
        "offset_tolerance": tol_off,
        "difference_limit": limit, "difference_limit_stderr": limit_se,
        "E_logabsdet": h_z.value - h_x, "difference_tolerance": tol_lim,
        "inner_draw_warnings": sum("inner draws" in str(w.message) for w in caught),
        "slope_holds": ok_slope, "offset_holds": ok_off, "difference_holds": ok_lim,
    }
