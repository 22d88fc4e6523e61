r"""Affine coupling (x1, x2) -> (x1, x2 * exp(s(x1)) + t(x1)) has a block-triangular Jacobian
with det = exp(sum_i s_i(x1)); additive coupling (x1, x2) -> (x1, x2 + t(x1)) has det = 1.

Source: Dinh et al. 2015 (NICE, additive coupling) and Dinh et al. 2017 (RealNVP, affine
coupling), Sec. 3.3. Units: log|det J| in nats.

Done for d = 4 split 2 + 2, with s = (s_1, s_2) and t = (t_1, t_2) arbitrary real sympy Functions
of (x_1, x_2): the full 4x4 Jacobian is computed, its upper-right block is checked to be zero,
the diagonal blocks to be I and diag(exp(s)), the determinant to be exp(s_1 + s_2) (and 1
for additive coupling), and the inverse map to undo the forward map.
"""

from __future__ import annotations

import sympy as sp

from proofs._check import expect_equal, expect_true, show


def _coupling(additive: bool) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix, sp.Matrix]:
    """Forward map, input vector, scale vector s(x1) and shift vector t(x1)."""
    xs = sp.symbols("x_1:5", real=True)
    x1, x2 = sp.Matrix(xs[:2]), sp.Matrix(xs[2:])
    scale = sp.Matrix([sp.Function(f"s_{i}", real=True)(*x1) for i in (1, 2)])
    shift = sp.Matrix([sp.Function(f"t_{i}", real=True)(*x1) for i in (1, 2)])
    if additive:
        scale = sp.zeros(2, 1)
    y2 = sp.Matrix([x2[i] * sp.exp(scale[i]) + shift[i] for i in range(2)])
    return sp.Matrix.vstack(x1, y2), sp.Matrix(xs), scale, shift


def _check_coupling(name: str, additive: bool) -> dict[str, str]:
    forward, x, scale, shift = _coupling(additive)
    jac = forward.jacobian(x)
    expect_true(f"{name}: upper-right block is zero", jac[:2, 2:] == sp.zeros(2, 2), jac)
    expect_true(f"{name}: upper-left block is I", jac[:2, :2] == sp.eye(2), jac)
    diag = sp.diag(*[sp.exp(v) for v in scale])
    expect_true(f"{name}: lower-right block is diag(exp(s))", jac[2:, 2:] == diag, jac)
    det = sp.simplify(jac.det())
    expected = sp.exp(sum(scale))
    expect_equal(f"{name}: det J = exp(sum s)", det, expected, sp.simplify)
    log_det = sp.simplify(sp.expand_log(sp.log(det)))  # s real: log(exp(s)) = s
    expect_equal(f"{name}: log det J = sum s", log_det, sum(scale), sp.simplify)
    # The inverse x2 = (y2 - t(y1)) * exp(-s(y1)), with y1 = x1, undoes the forward map.
    back = sp.Matrix([(forward[2 + i] - shift[i]) * sp.exp(-scale[i]) for i in range(2)])
    for i in range(2):
        expect_equal(
            f"{name}: inverse undoes forward, coordinate {i}", back[i], x[2 + i], sp.simplify
        )
    return {
        f"{name}_jacobian": str(jac.tolist()),
        f"{name}_det": str(det),
        f"{name}_log_det": str(log_det),
    }


def prove() -> dict[str, str]:
    """Run every step; raise ``AssertionError`` naming the first step that fails."""
    return {**_check_coupling("affine", False), **_check_coupling("additive", True)}


if __name__ == "__main__":
    show(prove())
