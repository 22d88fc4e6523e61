r"""The mean entropy of an interval of length L cut by the unit grid at a uniform random offset
is g(L) = L/2 for L <= 1 and log L + 1/(2L) for L >= 1 (nats), whatever floor(L) and frac(L)
are; g(1) = 1/2, g >= log L, and g is continuously differentiable at L = 1.

It is the per-cell limit of H(Q_N X | Q_N f(X)) where the offsets of the f-grid's preimages
modulo the x-grid equidistribute (revinfo/claims/quantization.py). Units: nats.

Steps (phi(t) = t log t, phi(0) = 0; the interval is [u, u + L) with u ~ U(0, 1)):
1. Pieces of lengths l_i with sum L: -sum (l_i/L) log(l_i/L) = log L - (1/L) sum phi(l_i),
   and whole unit pieces have phi(1) = 0; checked for two end pieces and m unit pieces.
2. int_a^b phi(t) dt = F(b) - F(a) with F(t) = t^2 log t / 2 - t^2 / 4 (F' = phi), and
   F(t) -> 0 as t -> 0+.
3. L = n + r, n >= 1 an integer, 0 <= r < 1. For u < 1 - r the pieces are 1 - u, n - 1 unit
   pieces and u + r; for u > 1 - r they are 1 - u, n unit pieces and u + r - 1 (the lengths
   sum to L in both). Substituting t = 1 - u, t = u + r and t = u + r - 1, the mean of
   sum phi(l_i) is int_0^1 phi + int_r^1 phi + int_0^r phi = -1/2, free of n and r, so
   g(L) = log L + 1 / (2L).
4. L < 1 (n = 0, r = L): for u < 1 - L one piece (entropy 0); for u > 1 - L the pieces are
   1 - u and u + L - 1, and the mean is (1/L) int_{1-L}^1 [L log L - phi(1-u) - phi(u+L-1)]
   du = L / 2.
5. Both branches give 1/2 and slope 1/2 at L = 1; g - log L is 1/(2L) > 0 for L >= 1 and
   L/2 - log L > 0 for 0 < L < 1 (log L < 0 there).
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, expect_true, show


def _phi(t: sp.Expr) -> sp.Expr:
    return t * sp.log(t)


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    big_l, a, b, t, u = sp.symbols("L a b t u", positive=True)
    m = sp.symbols("m", integer=True, nonnegative=True)
    n = sp.symbols("n", integer=True, positive=True)
    r = sp.symbols("r", nonnegative=True)

    # 1. entropy of the normalised piece lengths: two end pieces a, b and m unit pieces
    total = a + b + m
    entropy = -(a / total) * sp.log(a / total) - (b / total) * sp.log(b / total) \
        - m * (1 / total) * sp.log(1 / total)
    expect_equal("H(pieces) = log L - (1/L) sum phi(l_i), phi(1) = 0",
                 entropy, sp.log(total) - (_phi(a) + _phi(b) + m * _phi(sp.Integer(1))) / total,
                 lambda e: sp.simplify(sp.expand(sp.expand_log(e, force=True))))  # a, b, L > 0

    # 2. the antiderivative of phi and its value at 0+
    antider = t**2 * sp.log(t) / 2 - t**2 / 4
    expect_equal("F' = phi", sp.diff(antider, t), _phi(t))
    expect_equal("F(0+) = 0", sp.limit(antider, t, 0, "+"), 0)

    def int_phi(lo: sp.Expr, hi: sp.Expr) -> sp.Expr:
        lo_value = 0 if lo == 0 else antider.subs(t, lo)
        return antider.subs(t, hi) - lo_value

    expect_equal("int_0^1 phi = -1/4", int_phi(0, 1), sp.Rational(-1, 4))
    expect_equal("int_a^b phi by sympy's integral", sp.integrate(_phi(t), (t, a, b)),
                 int_phi(a, b), lambda e: sp.simplify(sp.expand(e)))

    # 3. L = n + r >= 1
    length = n + r
    expect_equal("u < 1 - r: (1 - u) + (n - 1) + (u + r) = L", (1 - u) + (n - 1) + (u + r), length)
    expect_equal("u > 1 - r: (1 - u) + n + (u + r - 1) = L", (1 - u) + n + (u + r - 1), length)
    # t = 1 - u maps u in (0, 1) onto (0, 1); t = u + r maps (0, 1 - r) onto (r, 1);
    # t = u + r - 1 maps (1 - r, 1) onto (0, r)
    sum_phi = int_phi(0, 1) + int_phi(r, 1) + int_phi(0, r)
    expect_equal("mean sum phi(l_i) = -1/2 for L >= 1, free of n and r",
                 sp.expand(sp.expand_log(sum_phi, force=True)), sp.Rational(-1, 2))  # r > 0
    g_big = sp.log(length) - sum_phi / length
    expect_equal("g(L) = log L + 1/(2L) for L >= 1", g_big,
                 sp.log(length) + 1 / (2 * length),
                 lambda e: sp.simplify(sp.expand(sp.expand_log(e, force=True))))
    # a check that does not use the substitutions: sympy integrates the branches directly
    # at one fractional part (n does not enter: the unit pieces have phi(1) = 0)
    r0 = sp.Rational(3, 10)
    direct = sp.integrate(_phi(1 - u) + _phi(u + r0), (u, 0, 1 - r0)) \
        + sp.integrate(_phi(1 - u) + _phi(u + r0 - 1), (u, 1 - r0, 1))
    expect_equal("direct integral at L = 2.3", direct, sp.Rational(-1, 2),
                 lambda e: sp.nsimplify(sp.N(e, 30), tolerance=1e-25))

    # 4. L < 1
    short = sp.integrate(big_l * sp.log(big_l) - _phi(1 - u) - _phi(u + big_l - 1),
                         (u, 1 - big_l, 1)) / big_l
    # sympy may return a Piecewise in L; its first branch holds for 0 < L < 1
    if isinstance(short, sp.Piecewise):
        short = short.args[0][0]
    via_parts = (big_l * big_l * sp.log(big_l) - 2 * int_phi(0, big_l)) / big_l
    expect_equal("L < 1: mean entropy by substitution = L/2", via_parts, big_l / 2,
                 lambda e: sp.simplify(sp.expand(sp.expand_log(e, force=True))))
    expect_equal("L < 1: sympy's integral = L/2", short.subs(big_l, sp.Rational(2, 5)),
                 sp.Rational(1, 5), lambda e: sp.nsimplify(sp.N(e, 30), tolerance=1e-25))
    g_small = big_l / 2

    # 5. continuity, slope, lower bound
    g_ge = sp.log(big_l) + 1 / (2 * big_l)
    expect_equal("g(1) = 1/2 (L >= 1 branch)", g_ge.subs(big_l, 1), sp.Rational(1, 2))
    expect_equal("g(1) = 1/2 (L <= 1 branch)", g_small.subs(big_l, 1), sp.Rational(1, 2))
    expect_equal("g'(1+) = g'(1-) = 1/2", sp.diff(g_ge, big_l).subs(big_l, 1),
                 sp.diff(g_small, big_l).subs(big_l, 1))
    expect_true("g - log L = 1/(2L) > 0 for L >= 1",
                bool(sp.simplify(g_ge - sp.log(big_l)).is_positive))
    below = sp.symbols("ell", positive=True)  # 0 < ell < 1 as ell = 1 / (1 + s), s > 0
    s = sp.symbols("s", positive=True)
    gap_small = (below / 2 - sp.log(below)).subs(below, 1 / (1 + s))
    expect_true("L/2 - log L > 0 for 0 < L < 1",
                bool(sp.expand_log(gap_small, force=True).is_positive), gap_small)
    return {"g(L), L >= 1": str(sp.simplify(g_ge)), "g(L), L <= 1": str(g_small),
            "g(1)": "1/2", "mean sum phi, L >= 1": "-1/2"}


if __name__ == "__main__":
    show(prove())
