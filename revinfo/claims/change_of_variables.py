r"""Claim: the change of variables h(f(X)) = h(X) + E log|det J_f(X)| (Cover & Thomas, ch. 8),
checked against an independent density estimate of f(X).

The right side is ``exact.entropy`` (closed-form h(X) plus the Monte Carlo mean of the
flow's exact log-det). The left side is the Kozachenko–Leonenko kNN entropy of samples of
f(X), which never sees a log-det; its spread is measured over independent sample sets and
its mean compared within Z combined standard errors. The check is discriminating only if
E log|det J| is well outside the tolerance (``evidence["discriminating"]``).
"""

from __future__ import annotations

import torch

from revinfo import dist, estimate, exact, flows
from revinfo.claims._stats import agree, mean_se, sub_seed
from revinfo.claims.registry import claim

REPEATS = 8
N_KNN = 20_000


def knn_vs_change_of_variables(base, flow, seed: int, *, repeats: int = REPEATS,
                               n: int = N_KNN) -> dict:
    """KL kNN entropy of f(X) over ``repeats`` sample sets vs h(X) + E log|det J|."""
    truth = exact.entropy(base, flow, n=50_000, seed=sub_seed(seed, 0))
    values = []
    for r in range(repeats):
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(sub_seed(seed, 1, r))
            x = base.sample((n,))
        with torch.no_grad():
            z = flow(x)[0]
        values.append(estimate.entropy_knn(z.numpy(), k=3, seed=sub_seed(seed, 2, r)).value)
    knn, knn_se = mean_se(values)
    ok, diff, tol = agree(knn, truth.value, knn_se, truth.stderr)
    h_x = exact.entropy(base).value
    return {"h_change_of_variables": truth.value, "h_change_of_variables_stderr": truth.stderr,
            "h_knn": knn, "h_knn_stderr": knn_se, "difference": diff, "tolerance": tol,
            "h_x": h_x, "E_logabsdet": truth.value - h_x,
            "discriminating": abs(truth.value - h_x) > tol, "holds": ok}


@claim("change-of-variables",
       "h(f(X)) = h(X) + E log|det J_f(X)|, against an independent kNN entropy of f(X) "
       "(1-D elementwise network and 2-D affine coupling network, Gaussian base)",
       "identity", proof="affine_entropy")
def check(seed: int):
    cases = {
        "elementwise_1d": (dist.standard_normal(1),
                           flows.build("elementwise", 1, 3, seed=sub_seed(seed, 10),
                                       maps=("asinh", "leaky"))),
        "affine_2d": (dist.standard_normal(2),
                      flows.build("affine", 2, 3, seed=sub_seed(seed, 11), weight_scale=2.5)),
    }
    evidence, holds = {}, True
    for label, (base, flow) in cases.items():
        r = knn_vs_change_of_variables(base, flow, sub_seed(seed, 20))
        holds = holds and r["holds"]
        evidence.update({f"{label}.{k}": v for k, v in r.items()})
    return holds, evidence
