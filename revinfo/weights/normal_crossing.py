r"""The LLC estimator's exact target on the normal-crossing model :math:`f(x; a, b) = a b x`
at :math:`a = b = 0` (Lau et al., arXiv:2308.12108, sec. 5; Watanabe 2009, ch. 2).

With data whose empirical loss is exactly :math:`L_n(a, b) - L_n(0, 0) = \frac{S_{xx}}{2n\sigma^2}
a^2 b^2` (no term linear in ab: :math:`\sum x_i y_i = 0`), the estimator
:math:`n\beta(E_q L_n - L_n(w^*))` has the expectation

.. math:: \lambda(t) = E_q[t\, a^2 b^2], \quad q(a, b) \propto e^{-t a^2 b^2 - \gamma(a^2+b^2)/2},
          \quad t = n\beta S_{xx} / (2 n \sigma^2).

Integrating a out (Gaussian given b, variance :math:`1/(2\alpha)`, :math:`\alpha = t b^2 +
\gamma/2`): :math:`\lambda(t) = \int \phi(b)\,\alpha^{-1/2}\, t b^2 / (2\alpha)\,db \big/
\int \phi(b)\, \alpha^{-1/2}\, db`, :math:`\phi` the N(0, 1/gamma) density; one quadrature.
The learning coefficient of :math:`K = a^2 b^2` is 1/2 with multiplicity 2, so the free
energy is :math:`\tfrac12 \log t - \log\log t + O(1)` and :math:`\lambda(t) = \tfrac12 -
1/\log t + o(1/\log t)`: the estimate approaches 1/2 only logarithmically.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from revinfo import _validate


def expected_llc_normal_crossing(t: float, gamma: float = 1.0) -> float:
    """lambda(t) = E_q[t a^2 b^2] for the localised normal-crossing posterior (module
    docstring), by adaptive quadrature (relative error ~1e-10)."""
    t = _validate.positive(t, "t")
    gamma = _validate.positive(gamma, "gamma")
    top = 12.0 / math.sqrt(gamma)
    points = list(np.geomspace(1e-3 / math.sqrt(t * gamma + 1.0), top, 40)[:-1])

    def weight(b: float) -> float:
        return math.exp(-0.5 * gamma * b * b) / math.sqrt(t * b * b + 0.5 * gamma)

    def term(b: float) -> float:
        tb2 = t * b * b
        return weight(b) * tb2 / (2.0 * (tb2 + 0.5 * gamma))

    opts = {"points": points, "limit": 1000, "epsabs": 0.0, "epsrel": 1e-11}
    num = integrate.quad(term, 0.0, top, **opts)[0]
    den = integrate.quad(weight, 0.0, top, **opts)[0]
    return num / den
