r"""The Gaussian channel: for X ~ N(mu, S) and eps ~ N(0, I) independent,
I(X; AX + sigma eps) = (1/2) log det(I + A S A^T / sigma^2).

Source: Cover & Thomas, Elements of Information Theory, 2nd ed., ch. 8 (Gaussian entropy,
Theorem 8.4.1, which gives the pair formula I(X;Y) = (1/2) log(det S_X det S_Y / det S_joint))
and ch. 9 (the Gaussian channel). Units: nats.

Assumed (not derived here): the Gaussian pair formula above, which follows from
I = h(X) + h(Y) - h(X, Y) and the Gaussian entropy (proofs.gaussian_entropy).

Steps:
1. d = 1, a, sigma, v = Var X symbolic: the joint covariance [[v, a v], [a v, a^2 v + sigma^2]],
   the pair formula gives (1/2) log(1 + a^2 v / sigma^2), also equal to h(Y) - h(Y|X).
2. d = 2, A a general symbolic 2x2 matrix, S = L L^T a general SPD 2x2 matrix (L symbolic
   Cholesky factor): (X - mu, Y - A mu) = B (u, eps) with B = [[L, 0], [A L, sigma I]] and
   (u, eps) standard, so the joint covariance is B B^T; its blocks are checked to be
   S, S A^T, A S A^T + sigma^2 I, and det(B B^T) = det(S) sigma^4 (Schur complement), so the
   ratio det S_X det S_Y / det S_joint equals det(I + A S A^T / sigma^2) exactly.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, show


def one_dimensional() -> dict[str, str]:
    """Step 1: the scalar channel."""
    a = sp.symbols("a", real=True)
    v, sigma = sp.symbols("v sigma", positive=True)
    joint = sp.Matrix([[v, a * v], [a * v, a**2 * v + sigma**2]])
    var_y = joint[1, 1]
    mi = sp.log(v * var_y / joint.det()) / 2
    target = sp.log(1 + a**2 * v / sigma**2) / 2
    expect_equal("1-D: pair formula = (1/2) log(1 + a^2 v / sigma^2)", mi, target)
    h_y = sp.log(2 * sp.pi * sp.E * var_y) / 2
    h_y_given_x = sp.log(2 * sp.pi * sp.E * sigma**2) / 2
    expect_equal("1-D: h(Y) - h(Y|X) agrees", h_y - h_y_given_x, target)
    return {"mi_1d": str(target), "det_joint_1d": str(sp.factor(joint.det()))}


def two_dimensional() -> dict[str, str]:
    """Step 2: a general 2x2 channel with a general SPD input covariance."""
    a11, a12, a21, a22, s12 = sp.symbols("a11 a12 a21 a22 s12", real=True)
    s11, s22, sigma = sp.symbols("s11 s22 sigma", positive=True)
    mat = sp.Matrix([[a11, a12], [a21, a22]])
    cov = sp.Matrix([[s11, s12], [s12, s22]])
    chol = sp.Matrix([[sp.sqrt(s11), 0], [s12 / sp.sqrt(s11), sp.sqrt(s22 - s12**2 / s11)]])
    eye = sp.eye(2)
    mixing = sp.Matrix(sp.BlockMatrix([[chol, sp.zeros(2)], [mat * chol, sigma * eye]]))
    joint = (mixing * mixing.T).applyfunc(sp.expand)
    blocks = {
        "S_X = S": (joint[:2, :2], cov),
        "Cov(X, Y) = S A^T": (joint[:2, 2:], cov * mat.T),
        "S_Y = A S A^T + sigma^2 I": (joint[2:, 2:], mat * cov * mat.T + sigma**2 * eye),
    }
    for step, (got, want) in blocks.items():
        expect_equal(f"2-D: {step}", (got - want).applyfunc(sp.expand).norm() ** 2, 0, sp.expand)
    det_joint = sp.expand(joint.det())
    expect_equal("2-D: det S_joint = det S sigma^4", det_joint, cov.det() * sigma**4, sp.expand)
    det_y = joint[2:, 2:].det()
    ratio = joint[:2, :2].det() * det_y / det_joint  # the pair formula's argument
    target = (eye + mat * cov * mat.T / sigma**2).det()
    expect_equal(
        "2-D: det S_X det S_Y / det S_joint = det(I + A S A^T / sigma^2)",
        ratio,
        target,
        sp.simplify,
    )
    return {"mi_2d": str(sp.log(sp.factor(target)) / 2)}


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    return {**one_dimensional(), **two_dimensional()}


if __name__ == "__main__":
    show(prove())
