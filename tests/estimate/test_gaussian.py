"""mi_gaussian against the Gaussian pair formula."""

from __future__ import annotations

import numpy as np
import pytest

from revinfo.estimate import mi_gaussian


def tolerance(rho2: float, dx: int, dy: int, n: int) -> float:
    """5-sigma bound on |I_hat - I| for jointly Gaussian data; rho2 = sum of rho_i^2.

    rho2 > 0: delta-method sd of -1/2 sum log(1 - rho_i^2) is sqrt(rho2 / n), plus the
    positive small-sample bias, which is dx*dy/(2n) to first order (exactly
    1/2 [c(dx) + c(dy) - c(dx+dy)], c(p) = sum_{i<=p} psi((n-i)/2) + p log(2/(n-1)),
    from E log det of a Wishart matrix; independent of the rho_i).
    rho2 = 0: 2n I_hat ~ chi^2 with dx*dy degrees of freedom: mean + 5 sd of that law.
    Checked by simulation (20000 seeds at n = 2000, 4000 at n = 20000): the sd of
    I_hat matches sqrt(rho2 / n) within 1.5 % and the mean bias the Wishart value within
    its standard error (plus 1e-5 at rho = 0, d = 3, n = 2000: 0.002264 vs 0.002255).
    """
    df = dx * dy
    if rho2 == 0:
        return (df + 5 * np.sqrt(2 * df)) / (2 * n)
    return 5 * np.sqrt(rho2 / n) + df / (2 * n)


# n = 20000: 5 sd is tighter than the earlier guessed 0.09 for every case (at n = 2000 it
# would be 0.101 for rho = 0.9 and 0.118 for d = 3). Tolerances: rho = 0: 2.0e-4 (sd 3.5e-5);
# rho = 0.5: 0.0177 (sd 0.0035); rho = 0.9: 0.0318 (sd 0.0064); d = 3, rho = 0.6: 0.0370.
@pytest.mark.parametrize("d,rho", [(1, 0.0), (1, 0.5), (1, 0.9), (3, 0.6)])
def test_gaussian_pairs(d: int, rho: float) -> None:
    n = 20_000
    g = np.random.default_rng(5).standard_normal((n, 2 * d))
    x = g[:, :d]
    y = rho * x + np.sqrt(1 - rho**2) * g[:, d:]
    # d canonical correlations, all equal to rho
    tol = tolerance(d * rho**2, d, d, n)
    assert abs(mi_gaussian(x, y).value + 0.5 * d * np.log(1 - rho**2)) < tol


def test_gaussian_channel_and_invariance() -> None:
    n = 200_000
    rng = np.random.default_rng(6)
    a = np.array([[2.0, 0.5], [0.0, 1.0], [1.0, 1.0]])
    x = rng.standard_normal((n, 2))
    y = x @ a.T + 0.5 * rng.standard_normal((n, 3))
    truth = 0.5 * np.linalg.slogdet(np.eye(3) + a @ a.T / 0.25)[1]
    # squared canonical correlations: eigenvalues of A^T (A A^T + 0.25 I)^-1 A, 0.827 and
    # 0.960 (their -1/2 sum log(1 - rho_i^2) equals truth); sd = sqrt(1.788 / n) = 0.0030
    # (simulated over 300 seeds: 0.0029); tol = 5 sd + 2*3/(2n) = 0.0150
    rho2 = np.linalg.eigvalsh(a.T @ np.linalg.solve(a @ a.T + 0.25 * np.eye(3), a))
    assert -0.5 * np.sum(np.log1p(-rho2)) == pytest.approx(truth, rel=1e-12)
    e = mi_gaussian(x, y)
    assert abs(e.value - truth) < tolerance(float(rho2.sum()), 2, 3, n)
    b = rng.standard_normal((2, 2)) + 3 * np.eye(2)
    assert mi_gaussian(x @ b + 7, y).value == pytest.approx(e.value, abs=1e-9)


@pytest.mark.parametrize("which", ["x", "y", "(x, y)"])
def test_singular_covariance_names_the_argument(which: str) -> None:
    g = np.random.default_rng(7).standard_normal((100, 3))
    x, y = g[:, :2], g[:, 2:]
    if which == "x":
        x = np.column_stack([x[:, 0], 2 * x[:, 0]])
    elif which == "y":
        y = np.column_stack([y[:, 0], np.ones(100)])
    else:
        y = x[:, :1] + x[:, 1:]
    with pytest.raises(ValueError, match=f"covariance of {which.replace('(', '.').replace(')', '.')}"):
        mi_gaussian(x, y)
