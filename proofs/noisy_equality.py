r"""With output-only noise there is no strict data processing: for any deterministic f, g,
I_sigma(X; g(f(X))) = I_sigma(f(X); g(f(X))) = h(g(f(X)) + sigma eps) - (d/2) log(2 pi e sigma^2).

Source: the output-noise relaxation I_sigma(A; B) = I(A; B + sigma eps) of Goldfeld et al.,
ICML 2019, "Estimating Information Flow in Deep Neural Networks" (Sec. 2). Units: nats.

Write Y = g(f(X)) + sigma eps, eps ~ N(0, I_d) independent of X. Both sides share the same
output Y, so I(X; Y) = h(Y) - h(Y | X) and I(f(X); Y) = h(Y) - h(Y | f(X)). Given X = x,
Y = c + sigma eps with the constant c = g(f(x)); given f(X) = z, Y = c + sigma eps with
c = g(z). The conditional density of Y in both cases is the N(c, sigma^2 I) density.

Proved symbolically:
1. h(c + sigma eps | c) = -int phi_sigma(y - c) log phi_sigma(y - c) dy
   = (d/2) log(2 pi e sigma^2), by the integral for d = 1 and by the double integral for
   d = 2, with c symbolic; its derivative in every c_i is 0.
2. The structural identity: with f, g arbitrary sympy Functions, the conditional entropy
   evaluated at c = g(f(x)) (conditioning on X) and at c = g(z) (conditioning on Z = f(X))
   is the same constant, so averaging it over any distribution of x or z gives that constant,
   and the two mutual informations, h(Y) minus it, coincide.
Assumed: h(Y) is finite (e.g. g(f(X)) has a finite second moment); the average of a
constant is the constant.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, expect_zero, integrate_real_line, show


def _normal_density(y: sp.Expr, c: sp.Expr, sigma: sp.Expr) -> sp.Expr:
    return sp.exp(-((y - c) ** 2) / (2 * sigma**2)) / sp.sqrt(2 * sp.pi * sigma**2)


def _neg_log_normal(y: sp.Expr, c: sp.Expr, sigma: sp.Expr) -> sp.Expr:
    return sp.log(2 * sp.pi * sigma**2) / 2 + (y - c) ** 2 / (2 * sigma**2)


def conditional_entropy(d: int) -> tuple[sp.Expr, list[sp.Symbol], sp.Symbol]:
    """Step 1: h(c + sigma eps | c) by integration in d = 1 or 2; returns (value, c, sigma)."""
    sigma = sp.symbols("sigma", positive=True)
    ys = sp.symbols(f"y_1:{d + 1}", real=True)
    cs = list(sp.symbols(f"c_1:{d + 1}", real=True))
    density = sp.Mul(*[_normal_density(y, c, sigma) for y, c in zip(ys, cs)])
    neg_log = sum(_neg_log_normal(y, c, sigma) for y, c in zip(ys, cs))
    expect_equal(f"d={d}: -log phi written out", -sp.log(density), neg_log)
    # Integrate term by term (linearity); expanding the exponent makes sympy far slower.
    value = 0
    for term in sp.Add.make_args(neg_log):
        piece = term * density
        for y in ys:
            piece = integrate_real_line(piece, y)
        value += piece
    value = sp.simplify(value)
    target = sp.Rational(d, 2) * sp.log(2 * sp.pi * sp.E * sigma**2)
    expect_equal(f"d={d}: h(c + sigma eps | c) = (d/2) log(2 pi e sigma^2)", value, target)
    for c in cs:
        expect_zero(f"d={d}: conditional entropy does not depend on {c}", sp.diff(value, c))
    return value, cs, sigma


def structural_identity(value: sp.Expr, cs: list[sp.Symbol], sigma: sp.Symbol) -> str:
    """Step 2: the same constant whether we condition on X or on Z = f(X)."""
    x, z = sp.symbols("x z", real=True)
    f = sp.Function("f", real=True)
    g = [sp.Function(f"g_{i + 1}", real=True) for i in range(len(cs))]
    given_x = value.subs({c: g[i](f(x)) for i, c in enumerate(cs)})
    given_z = value.subs({c: g[i](z) for i, c in enumerate(cs)})
    h_y = sp.Symbol("h_Y", real=True)  # h(g(f(X)) + sigma eps): the same Y on both sides
    mi_x, mi_z = h_y - given_x, h_y - given_z
    expect_equal("I(X; Y) = I(f(X); Y)", mi_x, mi_z, sp.simplify)
    target = h_y - sp.Rational(len(cs), 2) * sp.log(2 * sp.pi * sp.E * sigma**2)
    expect_equal("I(X; Y) = h(Y) - (d/2) log(2 pi e sigma^2)", mi_x, target)
    return str(target)


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    h1, _, _ = conditional_entropy(1)
    h2, cs, sigma = conditional_entropy(2)
    return {
        "h_cond_d1": str(h1),
        "h_cond_d2": str(h2),
        "I_sigma_both_d2": structural_identity(h2, cs, sigma),
    }


if __name__ == "__main__":
    show(prove())
