r"""Quantization entropy tracks differential entropy: H(Q_Delta X) - (h(X) - log Delta) -> 0 as
Delta -> 0, shown in closed form for X ~ Exponential(lambda), where the gap is
(lambda Delta)^2 / 24 + O(Delta^4).

Source: Cover & Thomas, Elements of Information Theory, 2nd ed., Theorem 8.3.1 (the general
statement for a Riemann-integrable density). Units: nats.

Steps (lambda > 0, Delta > 0 symbolic; Q_Delta x = floor(x / Delta), bins [k Delta, (k+1) Delta)):
1. h(Exp(lambda)) = -int_0^oo p log p = 1 - log lambda, by the integral.
2. p_k = int over bin k of lambda e^{-lambda x} = q^k (1 - q) with q = e^{-lambda Delta}.
3. sum_k p_k = 1 and sum_k k p_k = q / (1 - q) by sympy's geometric series (|q| < 1 holds
   since lambda Delta > 0), so, with log p_k = -k lambda Delta + log(1 - q),
   H(Q_Delta X) = lambda Delta q / (1 - q) - log(1 - q).
4. the gap H(Q_Delta X) - (1 - log lambda - log Delta) is A(u) - log B(u) - 1 with
   u = lambda Delta, A = u q / (1 - q), B = (1 - q) / u (checked); sympy's limit gives
   A -> 1 and B -> 1 as u -> 0+, so the gap -> 0 (limit laws, log continuous at 1); the
   series of the gap in u gives the rate.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, expect_true, show, strip_convergence


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    lam, delta = sp.symbols("lambda Delta", positive=True)
    x = sp.symbols("x", positive=True)
    k = sp.symbols("k", integer=True, nonnegative=True)
    q = sp.symbols("q", positive=True)
    density = lam * sp.exp(-lam * x)

    h_x = sp.simplify(sp.integrate(-density * sp.log(density), (x, 0, sp.oo)))
    expect_equal("h(Exp(lambda)) = 1 - log lambda", h_x, 1 - sp.log(lam))

    q_value = sp.exp(-lam * delta)
    p_k = sp.integrate(density, (x, k * delta, (k + 1) * delta))
    expect_equal("p_k = q^k (1 - q)", p_k, (q**k * (1 - q)).subs(q, q_value), sp.simplify)

    # 0 < q = e^{-lambda Delta} < 1 because the exponent is negative.
    expect_true("|q| < 1 for lambda Delta > 0", bool((-lam * delta).is_negative))
    p_k_q = q**k * (1 - q)
    # The constant factor (1 - q) is taken out of each sum (linearity).
    total = (1 - q) * strip_convergence(sp.summation(q**k, (k, 0, sp.oo)), q < 1)
    expect_equal("sum_k p_k = 1", total, 1, sp.simplify)
    mean_k = (1 - q) * strip_convergence(sp.summation(k * q**k, (k, 0, sp.oo)), q < 1)
    expect_equal("sum_k k p_k = q / (1 - q)", mean_k, q / (1 - q), sp.simplify)
    expect_equal(
        "log p_k = -k lambda Delta + log(1 - q)",
        sp.log(p_k_q).subs(q, q_value),
        -k * lam * delta + sp.log(1 - q_value),
        lambda e: sp.simplify(sp.expand_log(e, force=True)),  # q^k > 0 and 1 - q > 0
    )
    entropy = (lam * delta * mean_k - sp.log(1 - q) * total).subs(q, q_value)

    gap = entropy - (h_x - sp.log(delta))
    # The gap depends on lambda Delta only: gap = A(u) - log B(u) - 1 with u = lambda Delta,
    # A(u) = u q / (1 - q), B(u) = (1 - q) / u, q = e^{-u} (1 - q > 0 and u > 0 in the logs).
    u = sp.symbols("u", positive=True)
    q_u = sp.exp(-u)
    part_a, part_b = u * q_u / (1 - q_u), (1 - q_u) / u
    expect_equal(
        "gap = A(lambda Delta) - log B(lambda Delta) - 1",
        gap,
        (part_a - sp.log(part_b) - 1).subs(u, lam * delta),
        lambda e: sp.simplify(sp.expand_log(e, force=True)),
    )
    # Limit laws and continuity of log at 1; sympy's limit of the whole gap is the same but
    # several times slower.
    lim_a, lim_b = sp.limit(part_a, u, 0, "+"), sp.limit(part_b, u, 0, "+")
    expect_equal("lim A(u) = 1 as u -> 0+", lim_a, 1)
    expect_equal("lim B(u) = 1 as u -> 0+", lim_b, 1)
    limit = lim_a - sp.log(lim_b) - 1
    expect_equal("lim_{Delta -> 0+} H(Q_Delta X) - (h(X) - log Delta) = 0", limit, 0)
    series = sp.series(part_a - sp.log(part_b) - 1, u, 0, 4).removeO().subs(u, lam * delta)
    expect_equal("gap = (lambda Delta)^2 / 24 + O(Delta^4)", series, (lam * delta) ** 2 / 24)
    return {
        "h_X": str(h_x),
        "H_Q": str(sp.simplify(entropy)),
        "gap_limit": str(limit),
        "gap_series": str(series) + " + O(Delta**4)",
    }


if __name__ == "__main__":
    show(prove())
