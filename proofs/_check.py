"""Shared step checks for the sympy proofs: a step that does not simplify fails loudly."""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp


def _simplify_logs(expr: sp.Expr) -> sp.Expr:
    """Expand logarithms as far as the symbols' sign assumptions allow, then simplify."""
    return sp.simplify(sp.expand(sp.expand_log(expr)))


def simplify_logs_positive(expr: sp.Expr) -> sp.Expr:
    """Like the default, but splits every log as if its argument were positive.

    Sound only where every log argument in ``expr`` is known positive (a density, |det A|
    with det A != 0); a step using it says why.
    """
    return sp.simplify(sp.expand(sp.expand_log(expr, force=True)))


def expect_zero(
    step: str, expr: sp.Expr, simplify: Callable[[sp.Expr], sp.Expr] = _simplify_logs
) -> None:
    """Raise ``AssertionError`` naming ``step`` unless ``expr`` simplifies to exactly 0."""
    residual = simplify(expr)
    if residual != 0:
        raise AssertionError(f"step '{step}' failed: residual {residual} does not simplify to 0")


def expect_equal(
    step: str,
    lhs: sp.Expr,
    rhs: sp.Expr,
    simplify: Callable[[sp.Expr], sp.Expr] = _simplify_logs,
) -> None:
    """Raise ``AssertionError`` naming ``step`` unless ``lhs - rhs`` simplifies to 0."""
    expect_zero(step, lhs - rhs, simplify)


def expect_true(step: str, condition: bool, detail: object = "") -> None:
    """Raise ``AssertionError`` naming ``step`` unless ``condition`` holds."""
    if not condition:
        raise AssertionError(f"step '{step}' failed {detail}".rstrip())


def strip_convergence(expr: sp.Expr, condition: sp.Basic | None = None) -> sp.Expr:
    """The value of a sympy ``Piecewise`` integral/sum whose first branch is the convergent one.

    Fails loudly if the first branch is the unevaluated fallback, or if ``condition`` is
    given and is not the first branch's condition (the caller has shown that it holds).
    """
    if isinstance(expr, sp.Piecewise):
        value, branch_condition = expr.args[0]
        if value.has(sp.Integral, sp.Sum):
            raise AssertionError(f"sympy left the first branch unevaluated: {expr}")
        if condition is not None and branch_condition != condition:
            raise AssertionError(f"convergence needs {branch_condition}, shown was {condition}")
        return value
    return expr


def integrate_real_line(integrand: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """Integral over the real line; fails loudly if sympy cannot evaluate it."""
    value = strip_convergence(sp.integrate(integrand, (x, -sp.oo, sp.oo)))
    if value.has(sp.Integral):
        raise AssertionError(f"sympy could not evaluate the integral of {integrand}")
    return value


def show(results: dict[str, str]) -> None:
    """Print a proof's key expressions, one per line."""
    width = max(map(len, results), default=0)
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")
