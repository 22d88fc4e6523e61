r"""Differential entropy under an invertible affine map: h(AX + b) = h(X) + log|det A|.

Source: Cover & Thomas, Elements of Information Theory, 2nd ed., Theorem 8.6.4 (and
Corollary for vectors). Units: nats.

Steps (d = 2, A a general symbolic 2x2 matrix with det A != 0, p_X an arbitrary positive
density as a sympy Function):
1. the inverse map: A^-1 (A x + b - b) = x, and the Jacobian of x -> A x + b is A;
2. change of variables: p_Y(y) = p_X(A^-1 (y - b)) / |det A|; at y = A x + b with
   dy = |det A| dx, the integrand -p_Y log p_Y dy becomes
   (-p_X(x) log p_X(x) + p_X(x) log|det A|) dx (pointwise identity, checked), and since
   int p_X = 1 the integral is h(X) + log|det A|. The only step not done by sympy is
   linearity of the integral (the integrand is split into two terms, the second a constant
   times the density);
3. check with X ~ N(mu, S), S a general symbolic SPD 2x2 matrix:
   det(A S A^T) = det(A)^2 det S, so the Gaussian entropy formula of AX + b gives exactly
   h(X) + log|det A|.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, show, simplify_logs_positive


def change_of_variables() -> dict[str, str]:
    """Steps 1-2: the pointwise change-of-variables identity for a general density."""
    x1, x2, b1, b2 = sp.symbols("x1 x2 b1 b2", real=True)
    a11, a12, a21, a22 = sp.symbols("a11 a12 a21 a22", real=True)
    p_x = sp.Function("p_X", positive=True)
    mat = sp.Matrix([[a11, a12], [a21, a22]])
    x = sp.Matrix([x1, x2])
    shift = sp.Matrix([b1, b2])
    y = mat * x + shift
    det = mat.det()
    back = sp.simplify(mat.inv() * (y - shift))
    for i in range(2):
        expect_equal(f"inverse map, coordinate {i}", back[i], x[i], sp.simplify)
    jac = y.jacobian(x)
    expect_equal("Jacobian of the affine map is A", (jac - mat).norm() ** 2, 0, sp.simplify)

    def p_y(point: sp.Matrix) -> sp.Expr:
        pre = mat.inv() * (point - shift)
        return p_x(*[sp.simplify(v) for v in pre]) / sp.Abs(det)

    dy_per_dx = sp.Abs(jac.det())
    expect_equal("density transforms to p_X", p_y(y) * dy_per_dx, p_x(x1, x2), sp.simplify)
    integrand = -p_y(y) * sp.log(p_y(y)) * dy_per_dx
    split = -p_x(x1, x2) * sp.log(p_x(x1, x2)) + p_x(x1, x2) * sp.log(sp.Abs(det))
    # Every log argument here is positive: p_X > 0 and |det A| > 0 (A invertible).
    expect_equal(
        "-p_Y log p_Y dy = (-p_X log p_X + p_X log|det A|) dx",
        integrand,
        split,
        simplify_logs_positive,
    )
    return {"integrand_dx": str(split), "log_abs_det_A": str(sp.log(sp.Abs(det)))}


def gaussian_check() -> dict[str, str]:
    """Step 3: the Gaussian entropy formula agrees for a symbolic A and SPD S."""
    a11, a12, a21, a22, s12 = sp.symbols("a11 a12 a21 a22 s12", real=True)
    s11, s22 = sp.symbols("s11 s22", positive=True)
    mat = sp.Matrix([[a11, a12], [a21, a22]])
    cov = sp.Matrix([[s11, s12], [s12, s22]])
    expect_equal(
        "det(A S A^T) = det(A)^2 det S",
        (mat * cov * mat.T).det(),
        mat.det() ** 2 * cov.det(),
        sp.expand,
    )

    # Positive stand-ins: D = det S > 0 (S is SPD), r = |det A| > 0 with det(A)^2 = r^2.
    det_s, abs_det_a = sp.symbols("D r", positive=True)
    expect_equal("det(A)^2 = |det A|^2", mat.det() ** 2, sp.Abs(mat.det()) ** 2, sp.expand)

    def gaussian_h(det_cov: sp.Expr) -> sp.Expr:
        return sp.log((2 * sp.pi * sp.E) ** 2 * det_cov) / 2

    h_x = gaussian_h(det_s)
    h_y = gaussian_h(abs_det_a**2 * det_s)
    difference = sp.simplify(sp.expand_log(h_y - h_x))
    expect_equal("h(AX+b) - h(X) = log|det A|", difference, sp.log(abs_det_a))
    return {
        "gaussian_h_difference": str(difference.subs(abs_det_a, sp.Abs(mat.det()))),
    }


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    return {**change_of_variables(), **gaussian_check()}


if __name__ == "__main__":
    show(prove())
