"""The normal-crossing LLC target against a 2-D quadrature, its small-t limit t / gamma^2 and
its approach to 1/2 like 1/2 - 1/log t."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from revinfo.weights import expected_llc_normal_crossing


@pytest.mark.parametrize("t, gamma", [(3.0, 1.0), (20.0, 2.0)])
def test_against_two_dimensional_quadrature(t, gamma):
    r = 12 / math.sqrt(gamma)

    def dens(a, b):
        return math.exp(-t * a * a * b * b - 0.5 * gamma * (a * a + b * b))

    num = integrate.dblquad(lambda a, b: t * a * a * b * b * dens(a, b), -r, r, -r, r,
                            epsabs=0, epsrel=1e-9)[0]
    den = integrate.dblquad(dens, -r, r, -r, r, epsabs=0, epsrel=1e-9)[0]
    assert expected_llc_normal_crossing(t, gamma) == pytest.approx(num / den, rel=1e-6)


def test_limits():
    # t -> 0: E[t a^2 b^2] -> t E[a^2] E[b^2] = t / gamma^2
    assert expected_llc_normal_crossing(1e-6, 2.0) == pytest.approx(1e-6 / 4, rel=1e-5)
    ts = np.array([1e2, 1e4, 1e8, 1e16, 1e32, 1e64])
    lam = np.array([expected_llc_normal_crossing(t) for t in ts])
    assert np.all(np.diff(lam) > 0) and np.all(lam < 0.5)
    # (1/2 - lambda) log t -> multiplicity - 1 = 1, from below, monotonically, with a
    # 1/log t remainder: (1 - scaled) log t settles (to about 2.1-2.2 here)
    scaled = (0.5 - lam) * np.log(ts)
    assert np.all(np.diff(scaled) > 0) and np.all(scaled < 1.0), scaled
    rest = (1.0 - scaled) * np.log(ts)
    assert np.ptp(rest[-3:]) < 0.05 * rest[-1], rest
    with pytest.raises(ValueError, match="t must be"):
        expected_llc_normal_crossing(0.0)
