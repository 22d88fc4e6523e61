r"""Claims on data processing with noise (Goldfeld et al., ICML 2019; Cover & Thomas, ch. 2).

Output-only noise, I_sigma(A; B) = I(A; B + sigma eps): for any deterministic f, g,
I_sigma(X; g(f(X))) = I_sigma(f(X); g(f(X))) = h(g(f(X)) + sigma eps) - h(sigma eps)
(proofs/noisy_equality.py): no strict data-processing inequality, and an expanding g even
raises I_sigma(X; .) above I_sigma(X; f(X)).

Noise injected at every layer, T1 = A X + s1 e1, T2 = B T1 + s2 e2 (a Markov chain
X -> T1 -> T2): the ordinary DPI I(X; T2) <= I(X; T1) holds, strictly for s2 > 0, and on
linear-Gaussian chains both sides are closed forms.
"""

from __future__ import annotations

import numpy as np
import torch
from nflows.transforms import CompositeTransform

from revinfo import dist, estimate, exact, flows
from revinfo.claims._stats import agree, sub_seed
from revinfo.claims.registry import claim
from revinfo.exact.noisy import linear_map


def output_noise_sides(f, g, dim: int, sigma: float, seed: int, n: int = 1500) -> dict:
    """Both sides of I_sigma(X; g(f(X))) = I_sigma(f(X); g(f(X))) for X ~ N(0, I), f linear.

    Left: ``exact.mi_noisy`` of the base N(0, I) through the composite g o f. Right: the
    same machinery on the base f(X) = N(b, A A^T) (f linear, so f(X) is Gaussian) through g
    alone. Different bases, flows and seeds; equal only through the identity.
    """
    lin = linear_map(f, dim)
    if lin is None:
        raise ValueError("f must be linear (the right side needs the law of f(X) in closed form)")
    a, b = (t.numpy() for t in lin)
    lhs = exact.mi_noisy(dist.standard_normal(dim), CompositeTransform([f, g]), sigma,
                         n=n, inner="auto", n_entropy=20 * n, seed=sub_seed(seed, 0), method="mc")
    rhs = exact.mi_noisy(dist.gaussian(b, a @ a.T), g, sigma, n=n, inner="auto", n_entropy=20 * n,
                         seed=sub_seed(seed, 1), method="mc")
    ok, diff, tol = agree(lhs.value, rhs.value, lhs.stderr, rhs.stderr)
    return {"I_sigma_x": lhs.value, "I_sigma_x_stderr": lhs.stderr, "I_sigma_fx": rhs.value,
            "I_sigma_fx_stderr": rhs.stderr, "difference": diff, "tolerance": tol, "holds": ok}


def sample_propagation_sides(x: torch.Tensor, f, g, sigma: float, seed: int) -> tuple[float, float]:
    """The sample-propagation estimate of both sides: it sees only samples of g(f(X)),
    computed once from x and once from the samples of f(X), so the two agree to rounding."""
    with torch.no_grad():
        z_from_x = CompositeTransform([f, g])(x)[0]
        z_from_t = g(f(x)[0])[0]
    return (estimate.mi_noisy(z_from_x.numpy(), sigma, seed=seed).value,
            estimate.mi_noisy(z_from_t.numpy(), sigma, seed=seed).value)


@claim("no-strict-dpi-output-noise",
       "With output-only noise, I_sigma(X; g(f(X))) = I_sigma(f(X); g(f(X))) for any "
       "deterministic f, g (linear f, elementwise asinh/sinh network g, 2-D), and an expanding g raises "
       "I_sigma(X; .) above I_sigma(X; f(X))",
       "identity", proof="noisy_equality")
def check_output_noise(seed: int):
    dim, sigma = 2, 0.3
    f = flows.build("linear", dim, 2, seed=sub_seed(seed, 10))
    g = flows.build("elementwise", dim, 2, seed=sub_seed(seed, 11), maps=("asinh", "sinh"))
    ev = output_noise_sides(f, g, dim, sigma, sub_seed(seed, 12))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(sub_seed(seed, 13))
        x = torch.randn(2000, dim, dtype=torch.float64)
    sp_x, sp_fx = sample_propagation_sides(x, f, g, sigma, sub_seed(seed, 14))
    ev.update({"sp_I_sigma_x": sp_x, "sp_I_sigma_fx": sp_fx, "sp_difference": sp_x - sp_fx})
    # no DPI: g = 3 * identity after f; both closed forms (linear flows on a Gaussian)
    a = linear_map(f, dim)[0].numpy()
    before = exact.mi_gaussian_channel(a, np.eye(dim), sigma)
    after = exact.mi_gaussian_channel(3.0 * a, np.eye(dim), sigma)
    ev.update({"I_sigma_x_fx": before, "I_sigma_x_3fx": after, "dpi_violated": after > before})
    return ev["holds"] and after > before, ev


def layer_noise_chain(cov_x, a, s1: float, b, s2: float) -> dict:
    """I(X; T1) and I(X; T2) for T1 = A X + s1 e1, T2 = B T1 + s2 e2, X ~ N(0, cov_x).

    I(X; T2) twice: the channel formula with the noise covariance s1^2 B B^T + s2^2 I, and
    the joint-covariance formula of ``exact.mi_gaussian`` (an independent computation).
    """
    s = np.asarray(cov_x, dtype=np.float64)
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    i1 = exact.mi_gaussian_channel(a, s, s1)
    noise2 = s1**2 * b @ b.T + s2**2 * np.eye(b.shape[0])
    signal2 = b @ a @ s @ a.T @ b.T
    i2 = 0.5 * (np.linalg.slogdet(signal2 + noise2)[1] - np.linalg.slogdet(noise2)[1])
    cross = s @ a.T @ b.T
    joint = np.block([[s, cross], [cross.T, signal2 + noise2]])
    i2_joint = exact.mi_gaussian(joint, s.shape[0])
    return {"I_x_t1": i1, "I_x_t2": float(i2), "I_x_t2_joint": i2_joint, "gap": i1 - float(i2)}


def random_chain(rng: np.random.Generator) -> tuple:
    """A random linear-Gaussian chain: dims 1..4, SPD cov, Gaussian A and B, s in [0.1, 2]."""
    dx, d1, d2 = (int(v) for v in rng.integers(1, 5, size=3))
    m = rng.normal(size=(dx, dx))
    cov = m @ m.T + 0.1 * np.eye(dx)
    return (cov, rng.normal(size=(d1, dx)), float(rng.uniform(0.1, 2.0)),
            rng.normal(size=(d2, d1)), float(rng.uniform(0.1, 2.0)))


ROUNDING = 1e-9  # relative; the two I(X;T2) formulas agree to this, and a strict gap exceeds it


@claim("strict-dpi-layer-noise",
       "With noise at every layer (X -> T1 -> T2, linear-Gaussian), I(X; T2) < I(X; T1) "
       "strictly (200 random chains, exact closed forms)",
       "inequality", proof="gaussian_channel")
def check_layer_noise(seed: int, count: int = 200):
    rng = np.random.default_rng(sub_seed(seed, 0))
    rows = [layer_noise_chain(*random_chain(rng)) for _ in range(count)]
    gaps = np.array([r["gap"] for r in rows])
    scale = np.array([1.0 + r["I_x_t1"] for r in rows])
    formula = np.array([abs(r["I_x_t2"] - r["I_x_t2_joint"]) for r in rows]) / scale
    strict = bool(np.all(gaps > ROUNDING * scale))
    return strict and bool(formula.max() <= ROUNDING), {
        "chains": count, "min_gap": gaps.min(), "min_relative_gap": (gaps / scale).min(),
        "median_gap": float(np.median(gaps)), "max_formula_disagreement": formula.max(),
        "rounding_tolerance": ROUNDING, "all_strict": strict,
    }
