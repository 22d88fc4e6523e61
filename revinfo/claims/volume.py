r"""Claim: volume-preserving flows (additive coupling, RevNet, orthogonal) leave h unchanged;
affine coupling changes it by E sum of its log-scales (Dinh et al. 2015, 2017;
proofs/coupling_jacobian.py, proofs/affine_entropy.py).

The flows' own log-dets are not trusted: log|det J| is recomputed by autograd (the batched
sum trick, ``flows.adapters.jacobian_logabsdet``) at sample points. Volume preserving:
the autograd log|det J| is 0 to rounding at every point, so h(f(X)) = h(X). Affine
coupling: the log-scales read from the conditioners sum to the autograd log|det J| at every
point, and h(f(X)) - h(X) from ``exact.entropy`` equals their sample mean within Z
combined standard errors.
"""

from __future__ import annotations

import torch

from revinfo import dist, exact, flows
from revinfo.claims._stats import agree, mean_se, sub_seed
from revinfo.claims.registry import claim
from revinfo.flows.adapters import jacobian_logabsdet
from revinfo.flows.coupling import AffineCoupling

ROUNDING = 1e-9  # log|det J| by autograd + slogdet in float64 is accurate far below this


def autograd_logabsdet(flow, x: torch.Tensor) -> torch.Tensor:
    return jacobian_logabsdet(lambda v: flow(v)[0], x).detach()


def sum_log_scales(flow, x: torch.Tensor) -> torch.Tensor:
    """Sum of the affine couplings' log-scales along the forward pass (others contribute 0
    if volume preserving; any other layer is an error)."""
    total = x.new_zeros(x.shape[0])
    z = x
    with torch.no_grad():
        for layer in flows.layers(flow):
            if isinstance(layer, AffineCoupling):
                idn = layer.identity_features
                params = layer.transform_net(z[:, idn], None)
                log_scale, _ = layer._log_scale_and_shift(params)
                total = total + log_scale.sum(1)
            z = layer(z)[0]
    return total


def volume_preserving_logdet(kind: str, dim: int, depth: int, seed: int, n: int = 256) -> float:
    """max |autograd log|det J|| over n points for a volume-preserving network."""
    f = flows.build(kind, dim, depth, seed=seed)
    x = torch.randn(n, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    return float(autograd_logabsdet(f, x).abs().max())


def affine_log_scales(dim: int, depth: int, seed: int, n: int = 256) -> float:
    """max |sum of log-scales - autograd log|det J|| over n points for an affine network."""
    f = flows.build("affine", dim, depth, seed=seed, weight_scale=1.5)
    x = torch.randn(n, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    return float((sum_log_scales(f, x) - autograd_logabsdet(f, x)).abs().max())


@claim("volume-preservation",
       "Additive coupling, RevNet and orthogonal networks have log|det J| = 0 (autograd), so "
       "h(f(X)) = h(X); affine coupling changes h by E sum of log-scales (4-D networks)",
       "identity", proof="coupling_jacobian")
def check(seed: int, dim: int = 4, depth: int = 3):
    ev, holds = {"rounding_tolerance": ROUNDING}, True
    for i, kind in enumerate(("additive", "revnet", "orthogonal")):
        worst = volume_preserving_logdet(kind, dim, depth, sub_seed(seed, 1, i))
        ok = worst <= ROUNDING
        ev[f"{kind}.max_abs_logdet"] = worst
        holds = holds and ok
    ev["affine.max_log_scale_vs_autograd"] = affine_log_scales(dim, depth, sub_seed(seed, 2))
    holds = holds and ev["affine.max_log_scale_vs_autograd"] <= ROUNDING
    base = dist.standard_normal(dim)
    f = flows.build("affine", dim, depth, seed=sub_seed(seed, 3), weight_scale=1.5)
    h = exact.entropy(base, f, n=50_000, seed=sub_seed(seed, 4))
    x = torch.randn(
        20_000, dim, dtype=torch.float64, generator=torch.Generator().manual_seed(sub_seed(seed, 5)))
    scales, scales_se = mean_se(sum_log_scales(f, x).numpy())
    ok, diff, tol = agree(h.value - exact.entropy(base).value, scales, h.stderr, scales_se)
    ev.update({"affine.h_change": h.value - exact.entropy(base).value,
               "affine.h_change_stderr": h.stderr, "affine.E_sum_log_scales": scales,
               "affine.E_sum_log_scales_stderr": scales_se, "affine.difference": diff,
               "affine.tolerance": tol})
    return holds and ok, ev
