r"""Small-noise expansion in 1-D: I_sigma(X; f(X)) = h(f(X)) - (1/2) log(2 pi e sigma^2)
+ (sigma^2 / 2) J(f(X)) + o(sigma^2), J the Fisher information (exact for Gaussian X, linear f).

Source: de Bruijn's identity, Cover & Thomas, Elements of Information Theory, 2nd ed.,
Sec. 17.7 (d/dt h(Z + sqrt(t) eps) = (1/2) J(Z + sqrt(t) eps)); the I_sigma relaxation of
Goldfeld et al., ICML 2019. Units: nats.

Part A, proved exactly (X ~ N(m, v), f(x) = a x + b with a != 0, all symbolic):
  J(Z) = 1/(a^2 v) for Z = f(X) by the integral int (p'/p)^2 p; the remainder
  I_sigma - [h(Z) - (1/2) log(2 pi e sigma^2)] equals (1/2) log(1 + sigma^2/(a^2 v)), whose
  series is (sigma^2/2) J(Z) - (sigma^4/4) J(Z)^2 + O(sigma^6); and
  I_sigma(X; f(X)) - I_sigma(X; X) -> log|a| = E log|f'(X)| as sigma -> 0 (sympy limit).
  I_sigma = (1/2) log(1 + a^2 v / sigma^2) is taken from proofs.gaussian_channel.
Part B, the general smooth density, proved symbolically up to stated assumptions:
  B1. the heat kernel phi_t = N(0, t) solves d/dt phi = (1/2) d^2/dx^2 phi (checked), so
      p_t = p * phi_t, the density of Z_t = Z + sqrt(t) eps, solves it too (ASSUMED:
      differentiation under the convolution integral);
  B2. pointwise, for any positive p(x, t) solving the heat equation,
      -d/dt (p log p) = -(1/2) d/dx[p_x (1 + log p)] + (1/2) p_x^2 / p (checked), so
      d/dt h(Z_t) = (1/2) J(Z_t) (ASSUMED: the boundary term p_x (1 + log p) vanishes at
      +-infinity and d/dt commutes with the integral);
  B3. with t = sigma^2, h(Z_t) = h(Z) + int_0^t J(Z_s)/2 ds = h(Z) + (t/2) J(Z) + O(t^2)
      (sympy series of the integral; ASSUMED: s -> J(Z_s) is differentiable at 0 — mere
      continuity gives o(t)), and I_sigma(X; f(X)) = h(Z_t) - (1/2) log(2 pi e t) exactly by
      proofs.noisy_equality, which gives the expansion;
  B4. de Bruijn checked exactly for Gaussian Z ~ N(mu, v): N(mu, v + t) solves the heat
      equation with the right initial density (identifying it with Z_t ASSUMES uniqueness
      of that solution), its entropy's t-derivative equals half its Fisher information
      computed by the integral, for every t >= 0.
Not proved here: the assumptions marked above for a general density, and any d > 1.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, integrate_real_line, show


def _normal(x: sp.Expr, mean: sp.Expr, var: sp.Expr) -> sp.Expr:
    return sp.exp(-((x - mean) ** 2) / (2 * var)) / sp.sqrt(2 * sp.pi * var)


def _fisher_information(density: sp.Expr, x: sp.Symbol) -> sp.Expr:
    score = sp.simplify(sp.diff(density, x) / density)
    return sp.simplify(integrate_real_line(score**2 * density, x))


def gaussian_linear() -> dict[str, str]:
    """Part A: the exact expansion for Gaussian X and linear f."""
    z, m, b = sp.symbols("z m b", real=True)
    a = sp.symbols("a", real=True, nonzero=True)
    v, sigma = sp.symbols("v sigma", positive=True)
    var_z = a**2 * v
    # Integrate with w = Var Z = a^2 v as a positive symbol (sympy mishandles sqrt(a^2)).
    w = sp.symbols("w", positive=True)
    fisher = _fisher_information(_normal(z, a * m + b, w), z).subs(w, var_z)
    expect_equal("J(aX + b) = 1/(a^2 v)", fisher, 1 / var_z, sp.simplify)
    mi = sp.log(1 + var_z / sigma**2) / 2  # proofs.gaussian_channel, 1-D
    h_z = sp.log(2 * sp.pi * sp.E * var_z) / 2
    remainder = mi - (h_z - sp.log(2 * sp.pi * sp.E * sigma**2) / 2)
    expect_equal(
        "remainder = (1/2) log(1 + sigma^2/(a^2 v))", remainder, sp.log(1 + sigma**2 / var_z) / 2
    )
    series = sp.series(sp.log(1 + sigma**2 / var_z) / 2, sigma, 0, 6).removeO()
    expect_equal(
        "remainder = (sigma^2/2) J - (sigma^4/4) J^2 + O(sigma^6)",
        series,
        sigma**2 / 2 * fisher - sigma**4 / 4 * fisher**2,
        sp.simplify,
    )
    mi_identity = sp.log(1 + v / sigma**2) / 2  # f = identity, a = 1
    limit = sp.limit(mi - mi_identity, sigma, 0, "+")
    expect_equal(
        "I_sigma(X; f(X)) - I_sigma(X; X) -> log|a|", limit, sp.log(sp.Abs(a)), sp.simplify
    )
    return {
        "J_Z": str(fisher),
        "remainder_series": str(series) + " + O(sigma**6)",
        "geometry_limit": str(sp.simplify(limit)),
    }


def de_bruijn() -> dict[str, str]:
    """Part B: heat equation, the integration-by-parts step, and the Gaussian check."""
    x, mu = sp.symbols("x mu", real=True)
    t, v = sp.symbols("t v", positive=True)
    kernel = _normal(x, 0, t)
    expect_equal(
        "heat kernel solves d/dt phi = (1/2) phi_xx",
        sp.diff(kernel, t),
        sp.diff(kernel, x, 2) / 2,
        sp.simplify,
    )

    p = sp.Function("p", positive=True)(x, t)
    p_t = sp.diff(p, x, 2) / 2  # the heat equation
    lhs = -(p_t * sp.log(p) + p_t)  # -d/dt (p log p) with d/dt p = p_t
    boundary = sp.diff(p, x) * (1 + sp.log(p))
    rhs = -sp.diff(boundary, x) / 2 + sp.diff(p, x) ** 2 / (2 * p)
    expect_equal(
        "-d/dt(p log p) = -(1/2) d/dx[p_x (1 + log p)] + (1/2) p_x^2/p", lhs, rhs, sp.simplify
    )

    s = sp.symbols("s", positive=True)
    fisher_path = sp.Function("J")
    taylor = sp.series(sp.Integral(fisher_path(s) / 2, (s, 0, t)), t, 0, 2).removeO()
    expect_equal("int_0^t J(Z_s)/2 ds = (t/2) J(Z) + O(t^2)", taylor, t * fisher_path(0) / 2)

    smoothed = _normal(x, mu, v + t)
    expect_equal(
        "N(mu, v + t) solves the heat equation",
        sp.diff(smoothed, t),
        sp.diff(smoothed, x, 2) / 2,
        sp.simplify,
    )
    expect_equal(
        "N(mu, v + t) at t = 0 is N(mu, v)",
        sp.limit(smoothed, t, 0, "+"),
        _normal(x, mu, v),
        sp.simplify,
    )
    entropy = sp.log(2 * sp.pi * sp.E * (v + t)) / 2  # proofs.gaussian_entropy
    w = sp.symbols("w", positive=True)  # w = v + t, positive, speeds up the integral
    fisher = _fisher_information(_normal(x, mu, w), x).subs(w, v + t)
    expect_equal("J(N(mu, v + t)) = 1/(v + t)", fisher, 1 / (v + t), sp.simplify)
    expect_equal("Gaussian: d/dt h(Z_t) = (1/2) J(Z_t)", sp.diff(entropy, t), fisher / 2)
    return {
        "J_Z_t_gaussian": str(fisher),
        "h_Z_t_taylor": f"h(Z) + {taylor} + O(t**2), J(s) = J(Z_s)",
    }


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    return {**gaussian_linear(), **de_bruijn()}


if __name__ == "__main__":
    show(prove())
