r"""The Donsker-Varadhan functional F(f) = E_P f - log E_Q e^f attains KL(P || Q) at
f* = log p/q, where its first variation vanishes; shown for P = N(m1, s1^2), Q = N(m2, s2^2).

Source: Donsker & Varadhan (1983), as used by Belghazi et al. 2018 (MINE) and Poole et al.,
ICML 2019, Sec. 2; closed-form Gaussian KL from Cover & Thomas ch. 8. Units: nats.

Steps (m1, m2 real, s1, s2 > 0 symbolic):
1. f*(x) = log p(x) - log q(x) is a quadratic polynomial in x (checked).
2. E_P f* by the integral equals the closed form
   KL = log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2.
3. q e^{f*} = p pointwise (checked), so E_Q e^{f*} = int p = 1 (integral) and F(f*) = KL.
4. First variation at f* in the direction of a general cubic h = c0 + c1 x + c2 x^2 + c3 x^3:
   d/deps F(f* + eps h) at eps = 0 is E_P h - E_Q[h e^{f*}] / E_Q[e^{f*}] (derivative
   under the integral sign: ASSUMED, not proved here); with q e^{f*} = p the tilted
   expectation is E_P h, computed symbolically term by term: the difference is 0. For a linear direction h = c0 + c1 x, F(f* + eps h)
   is computed exactly for all eps (no interchange needed); its eps-derivative at 0 is 0
   and its second derivative is -c1^2 s1^2 = -Var_P(h) < 0, so f* is a local maximum
   along that direction.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, expect_true, integrate_real_line, show


def _normal(x: sp.Symbol, mean: sp.Symbol, sd: sp.Symbol) -> sp.Expr:
    return sp.exp(-((x - mean) ** 2) / (2 * sd**2)) / (sp.sqrt(2 * sp.pi) * sd)


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    x, m1, m2 = sp.symbols("x m1 m2", real=True)
    s1, s2 = sp.symbols("s1 s2", positive=True)
    p, q = _normal(x, m1, s1), _normal(x, m2, s2)
    critic = sp.expand(sp.log(s2 / s1) - (x - m1) ** 2 / (2 * s1**2) + (x - m2) ** 2 / (2 * s2**2))
    expect_equal("f* = log p - log q", critic, sp.log(p) - sp.log(q))
    expect_true("f* is a quadratic in x", sp.Poly(critic, x).degree() == 2, critic)

    kl = sp.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - sp.Rational(1, 2)
    e_p_critic = sum(integrate_real_line(t * p, x) for t in sp.Add.make_args(critic))
    expect_equal("E_P f* = KL(P || Q) closed form", e_p_critic, kl)
    tilt = sp.exp(critic)  # e^{f*} written from the quadratic, not as p/q
    # Pointwise q e^{f*} = p (compared through logs: both sides are positive), so every
    # Q-expectation tilted by e^{f*} is a P-expectation.
    expect_equal("q e^{f*} = p pointwise", sp.log(q) + critic, sp.log(p))
    expect_equal("q e^{f*} = p pointwise (no logs)", q * tilt, p, sp.simplify)
    partition = integrate_real_line(p, x)
    expect_equal("E_Q e^{f*} = int p = 1", partition, 1)
    value = e_p_critic - sp.log(partition)
    expect_equal("F(f*) = KL(P || Q)", value, kl)

    c0, c1, c2, c3 = sp.symbols("c0:4", real=True)
    direction = c0 + c1 * x + c2 * x**2 + c3 * x**3
    e_p_h = sum(integrate_real_line(t * p, x) for t in sp.Add.make_args(direction))
    tilted_h = e_p_h  # E_Q[h e^{f*}] = int h q e^{f*} = int h p, by the pointwise identity
    first_variation = e_p_h - tilted_h / partition
    expect_equal("dF/deps at 0 = E_P h - E_Q[h e^f*] / E_Q e^f* = 0", first_variation, 0)

    eps = sp.symbols("epsilon", real=True)
    linear = c0 + c1 * x
    # E_Q e^{f* + eps h} = E_P e^{eps h}: the Gaussian moment generating function, integrated.
    mgf = integrate_real_line(p * sp.exp(eps * linear), x)
    log_mgf = eps * c0 + eps * c1 * m1 + eps**2 * c1**2 * s1**2 / 2
    expect_equal(
        "E_P e^{eps h} = exp(eps E_P h + eps^2 c1^2 s1^2 / 2)", mgf, sp.exp(log_mgf), sp.simplify
    )
    e_p_linear = e_p_h.subs({c2: 0, c3: 0})
    along = e_p_critic + eps * e_p_linear - log_mgf  # F(f* + eps h), every eps
    d1 = sp.diff(along, eps).subs(eps, 0)
    d2 = sp.diff(along, eps, 2).subs(eps, 0)
    expect_equal("linear direction: dF/deps at 0 = 0", d1, 0)
    expect_equal("linear direction: d2F/deps2 at 0 = -c1^2 s1^2", d2, -(c1**2) * s1**2)
    return {
        "critic": str(critic),
        "KL": str(kl),
        "E_Q_exp_critic": str(partition),
        "first_variation_cubic_h": str(sp.simplify(first_variation)),
        "F_along_linear_h": str(sp.collect(sp.expand(along), eps)),
        "second_variation_linear_h": str(d2),
    }


if __name__ == "__main__":
    show(prove())
