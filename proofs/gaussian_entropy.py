r"""The differential entropy of a Gaussian is h(N(mu, S)) = (1/2) log((2 pi e)^d det S).

Source: Cover & Thomas, Elements of Information Theory, 2nd ed., Theorem 8.4.1.
Units: nats.

Steps:
1. d = 1: normalisation, variance and entropy by the integral -int p log p over the real
   line, with mu, s symbolic (s > 0).
2. d = 2: -log p(x) = log(2 pi) + (1/2) log det S + (1/2) y^T S^-1 y with y = x - mu, so
   h = log(2 pi) + (1/2) log det S + (1/2) E[y^T S^-1 y]. For a general SPD
   S = [[a, b], [b, c]] (a > 0, det S > 0) write y = L u with L the symbolic Cholesky factor
   and E[u u^T] = I, so E[y y^T] = L L^T = S (checked) and
   E[y^T S^-1 y] = tr(S^-1 E[y y^T]) = tr(S^-1 S) = d = 2 (checked symbolically).
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, integrate_real_line, show


def one_dimensional() -> dict[str, str]:
    """Step 1: the 1-D entropy by direct integration."""
    x, mu = sp.symbols("x mu", real=True)
    s = sp.symbols("s", positive=True)
    density = sp.exp(-((x - mu) ** 2) / (2 * s**2)) / sp.sqrt(2 * sp.pi * s**2)
    neg_log_density = sp.log(2 * sp.pi * s**2) / 2 + (x - mu) ** 2 / (2 * s**2)
    expect_equal("1-D: -log p written out", -sp.log(density), neg_log_density)
    expect_equal("1-D: density integrates to 1", integrate_real_line(density, x), 1)
    variance = integrate_real_line((x - mu) ** 2 * density, x)
    expect_equal("1-D: variance is s^2", variance, s**2)
    entropy = sp.simplify(integrate_real_line(neg_log_density * density, x))
    target = sp.log(2 * sp.pi * sp.E * s**2) / 2
    expect_equal("1-D: -int p log p = (1/2) log(2 pi e s^2)", entropy, target)
    return {"h_1d": str(entropy), "h_1d_target": str(target)}


def two_dimensional() -> dict[str, str]:
    """Step 2: the trace argument for a general symbolic SPD 2x2 covariance."""
    a = sp.symbols("a", positive=True)
    b = sp.symbols("b", real=True)
    c = sp.symbols("c", positive=True)
    d = 2
    cov = sp.Matrix([[a, b], [b, c]])
    chol = sp.Matrix([[sp.sqrt(a), 0], [b / sp.sqrt(a), sp.sqrt(c - b**2 / a)]])
    second_moment = chol * chol.T  # E[y y^T] = L E[u u^T] L^T with E[u u^T] = I
    for i in range(d):
        for j in range(d):
            expect_equal(f"2-D: E[y y^T][{i},{j}] = S[{i},{j}]", second_moment[i, j], cov[i, j])
    # E[y^T S^-1 y] = sum_ij (S^-1)_ij E[y_i y_j] = tr(S^-1 E[y y^T])
    quadratic_mean = sp.simplify((cov.inv() * second_moment).trace())
    expect_equal("2-D: E[y^T S^-1 y] = tr(S^-1 S) = d", quadratic_mean, d)
    det = cov.det()
    det_s = sp.symbols("D", positive=True)  # stands for det S = a c - b^2 > 0 (S is SPD)
    entropy = d * sp.log(2 * sp.pi) / 2 + sp.log(det_s) / 2 + quadratic_mean / 2
    target = sp.log((2 * sp.pi * sp.E) ** d * det_s) / 2
    expect_equal("2-D: h = (1/2) log((2 pi e)^2 det S)", entropy, target)
    return {
        "E_quadratic_2d": str(quadratic_mean),
        "det_S": str(det),
        "h_2d": str(target.subs(det_s, det)),
    }


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    return {**one_dimensional(), **two_dimensional()}


if __name__ == "__main__":
    show(prove())
