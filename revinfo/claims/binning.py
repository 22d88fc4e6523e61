r"""Claim: binned MI of a deterministic layer measures geometry (Goldfeld et al. 2019;
Saxe et al. 2018; Cover & Thomas Thm 8.3.1; proofs/quantization_entropy.py).

For T = f(X) deterministic and X uniform over the n samples, the binned
I(X; bin(T)) = H(Q_Delta(T)) (the same number, to rounding), and
H(Q_Delta(T)) = h(T) - d log Delta + O(Delta^2), so across the layers of a reversible
network it follows the entropy profile h(T_l), not I(X; T_l) = inf.

Check per layer: the gap H(Q_Delta T_l) + d log Delta - h(T_l) on a grid of Delta, fitted
as a + b Delta^2 by weighted least squares; a must be 0 within Z standard errors, the
errors of the plug-in entropy sd(log p_cell)/sqrt(n) (Miller–Madow corrected; each Delta
on its own sample set, so the points are independent) and of ``exact.entropy_profile``.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from revinfo import dist, estimate, exact, flows
from revinfo.claims._stats import agree, sub_seed, wls
from revinfo.claims.registry import claim

DELTAS = (0.2, 0.15, 0.1, 0.075)


def plugin_entropy_se(t: np.ndarray, delta: float) -> float:
    """Standard error of the plug-in entropy of the Delta-cells: sd(-log p_cell) / sqrt(n)."""
    _, idx, counts = np.unique(np.floor(t / delta).astype(np.int64), axis=0,
                               return_inverse=True, return_counts=True)
    surprise = -np.log(counts[idx.ravel()] / t.shape[0])
    return float(surprise.std(ddof=1) / math.sqrt(t.shape[0]))


@claim("binning-tracks-entropy",
       "For a deterministic layer, binned I(X; T) = H(Q_Delta(T)) -> h(T) - d log Delta as "
       "Delta -> 0, so across a reversible network's layers it follows h(T_l) (2-D "
       "elementwise asinh/sinh network, Gaussian base)",
       "identity", proof="quantization_entropy")
def check(seed: int, n: int = 120_000, depth: int = 3):
    d = 2
    base = dist.standard_normal(d)
    f = flows.build("elementwise", d, depth, seed=sub_seed(seed, 0), maps=("asinh", "sinh"))
    profile = exact.entropy_profile(base, f, n=100_000, seed=sub_seed(seed, 1))
    samples = []
    for i in range(len(DELTAS)):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(sub_seed(seed, 2, i))
            x = base.sample((n,))
        with torch.no_grad():
            samples.append([z.numpy() for z, _ in flows.trace(f, x)])
    ev, holds = {"deltas": list(DELTAS), "h_profile": [p.value for p in profile]}, True
    worst_equal = 0.0
    for layer in range(depth + 1):
        gaps, ses = [], []
        for i, delta in enumerate(DELTAS):
            t = samples[i][layer]
            h_q = estimate.entropy_binned(t, bin_width=delta, correction="miller-madow").value
            gaps.append(h_q + d * math.log(delta) - profile[layer].value)
            ses.append(plugin_entropy_se(t, delta))
        (a, _), (a_se, _) = wls([np.ones(len(DELTAS)), np.square(DELTAS)], gaps, ses)
        ok, _, tol = agree(a, 0.0, a_se, profile[layer].stderr)
        holds = holds and ok
        ev.update({f"layer{layer}.gaps": gaps, f"layer{layer}.limit": a,
                   f"layer{layer}.limit_tolerance": tol, f"layer{layer}.holds": ok})
    # I(X; bin T) with X the sample index equals H(bin T) (deterministic T)
    t = samples[-1][-1]
    index = np.arange(t.shape[0], dtype=np.float64)
    mi = estimate.mi_binned(index, t, bin_width=DELTAS[-1]).value
    h = estimate.entropy_binned(t, bin_width=DELTAS[-1]).value
    worst_equal = abs(mi - h)
    rounding = 64 * np.finfo(float).eps * math.log(n)
    ev.update({"binned_mi_last_layer": mi, "binned_entropy_last_layer": h,
               "mi_minus_entropy": worst_equal, "rounding_tolerance": rounding})
    return holds and worst_equal <= rounding, ev
