r"""Variational lower bounds on mutual information (DV/MINE, NWJ, InfoNCE, SMILE, JS) as
functions of a critic score matrix, and :func:`bound_value`, the one dispatch by name.

Every bound is written once, as a pure function of a critic score matrix
``scores[i, j] = f(x_i, y_j)`` of shape (B, B) whose diagonal holds the B joint pairs
(x_i, y_i) ~ P_XY and whose off-diagonal entries are B(B-1) pairs from P_X P_Y. Units
are nats. The same functions serve :func:`mi_neural` (a learned critic) and the
exact-critic diagnostics (pass ``scores = log p(x_i, y_j) / (p(x_i) p(y_j))``).

At the log density ratio ``log p(x, y) / (p(x) p(y))`` NWJ (as parameterised here) and DV
equal I(X;Y) in expectation (DV in the large-B limit, and for any added constant);
SMILE does too up to its clipping bias; InfoNCE approaches I only when I << log B,
since it never exceeds log B.

References:
    Belghazi et al., "Mutual Information Neural Estimation", ICML 2018 (MINE; DV bound and
    its moving-average gradient correction).
    Nguyen, Wainwright & Jordan, "Estimating divergence functionals and the likelihood
    ratio by convex risk minimization", IEEE Trans. Inf. Theory 2010 (NWJ).
    van den Oord, Li & Vinyals, "Representation learning with contrastive predictive
    coding", 2018 (InfoNCE); Poole et al., "On variational bounds of mutual information",
    ICML 2019 (the score-matrix formulation used here).
    Song & Ermon, "Understanding the limitations of variational mutual information
    estimators", ICLR 2020 (SMILE).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from revinfo import _validate

__all__ = [
    "BOUNDS", "bound_dv", "bound_infonce", "bound_js", "bound_nwj", "bound_smile", "bound_value",
]  # fmt: skip

BOUNDS = ("dv", "nwj", "infonce", "smile")


# --------------------------------------------------------------------------- bounds


def _square(scores: Tensor) -> int:
    if scores.ndim != 2 or scores.shape[0] != scores.shape[1] or scores.shape[0] < 2:
        raise ValueError(
            f"scores must be a square (B, B) matrix with B >= 2, got {tuple(scores.shape)}"
        )
    return int(scores.shape[0])


def _off_diagonal(scores: Tensor) -> Tensor:
    """The B(B-1) off-diagonal entries (the product-of-marginals pairs), flattened."""
    b = scores.shape[0]
    mask = ~torch.eye(b, dtype=torch.bool, device=scores.device)
    return scores[mask]


def _log_mean_exp(v: Tensor) -> Tensor:
    return torch.logsumexp(v, dim=0) - math.log(v.numel())


def bound_dv(scores: Tensor) -> Tensor:
    r"""Donsker–Varadhan bound (the MINE objective), in nats.

    .. math:: I_{DV} = \frac1B\sum_i f_{ii} - \log \frac{1}{B(B-1)}\sum_{i\ne j} e^{f_{ij}}

    Equals I(X;Y) in the large-B limit at ``f = log p(x,y)/(p(x)p(y)) + c`` for any c.
    At a fixed critic the batch value is biased *high* for finite B: E[log mean] <= log E
    (Jensen), and the log-mean enters with a minus sign.
    (Belghazi et al. 2018.)
    """
    _square(scores)
    return scores.diagonal().mean() - _log_mean_exp(_off_diagonal(scores))


def bound_nwj(scores: Tensor) -> Tensor:
    r"""Nguyen–Wainwright–Jordan bound, in nats, with the critic shifted so the optimum is
    the log density ratio itself.

    .. math:: I_{NWJ} = 1 + \frac1B\sum_i f_{ii} - \frac{1}{B(B-1)}\sum_{i\ne j} e^{f_{ij}}

    This is NWJ's :math:`E_P[g] - E_Q[e^{g-1}]` with :math:`g = f + 1`; it is unbiased for
    a fixed critic and equals I(X;Y) in expectation exactly at
    ``f = log p(x,y)/(p(x)p(y))`` (no free constant). (Nguyen, Wainwright & Jordan 2010;
    the "f - 1" form of Poole et al. 2019.)
    """
    _square(scores)
    return 1.0 + scores.diagonal().mean() - torch.exp(_log_mean_exp(_off_diagonal(scores)))


def bound_infonce(scores: Tensor) -> Tensor:
    r"""InfoNCE bound, in nats; never exceeds log B.

    .. math:: I_{NCE} = \log B + \frac1B\sum_i \Big(f_{ii} - \log\sum_j e^{f_{ij}}\Big)

    Each bracket is a log-softmax entry and so <= 0; it is clamped at 0, which only
    removes floating-point rounding. Adding log B in a low-precision dtype can still
    round above log B (in float32, log 2 rounds up), so the sum is finally clamped at
    the largest value of the scores' dtype that is <= ``math.log(B)``: the returned
    value is <= log B exactly. Close to I(X;Y) at the log density ratio when I << log B.
    (van den Oord et al. 2018; Poole et al. 2019.)
    """
    b = _square(scores)
    terms = torch.log_softmax(scores, dim=1).diagonal().clamp(max=0.0)
    return (terms.mean() + math.log(b)).clamp(max=_largest_at_most(math.log(b), scores.dtype))


def _largest_at_most(x: float, dtype: torch.dtype) -> float:
    """The largest value representable in floating ``dtype`` that is <= x."""
    t = torch.tensor(x, dtype=dtype)
    if t.item() > x:
        t = torch.nextafter(t, torch.tensor(-math.inf, dtype=dtype))
    return float(t.item())


def bound_js(scores: Tensor) -> Tensor:
    r"""f-GAN Jensen–Shannon objective (not an MI bound): the training loss of SMILE.

    .. math:: -\frac1B\sum_i \mathrm{sp}(-f_{ii})
              - \frac{1}{B(B-1)}\sum_{i\ne j}\mathrm{sp}(f_{ij})

    with sp the softplus; maximised at ``f = log p(x,y)/(p(x)p(y))``.
    (Nowozin et al. 2016, as used by Poole et al. 2019 and Song & Ermon 2020.)
    """
    _square(scores)
    joint = -torch.nn.functional.softplus(-scores.diagonal()).mean()
    marg = torch.nn.functional.softplus(_off_diagonal(scores)).mean()
    return joint - marg


def bound_smile(scores: Tensor, tau: float = 5.0) -> Tensor:
    r"""SMILE: the DV bound with the critic clipped to [-tau, tau] in the partition term.

    .. math:: I_{SMILE} = \frac1B\sum_i f_{ii}
              - \log \frac{1}{B(B-1)}\sum_{i\ne j} e^{\mathrm{clip}(f_{ij}, -\tau, \tau)}

    Clipping bounds the variance of the partition term (which for DV grows like e^I) at
    the price of a bias; tau = inf recovers :func:`bound_dv`. (Song & Ermon 2020.)
    """
    _square(scores)
    tau = _validate.positive(tau, "tau")
    clipped = _off_diagonal(scores).clamp(-tau, tau)
    return scores.diagonal().mean() - _log_mean_exp(clipped)


def bound_value(bound: str, scores: Tensor, tau: float = 5.0) -> Tensor:
    """The bound named ``bound`` (one of :data:`BOUNDS`) on a (B, B) score matrix; ``tau`` is
    SMILE's clip (unused by the others)."""
    if bound == "dv":
        return bound_dv(scores)
    if bound == "nwj":
        return bound_nwj(scores)
    if bound == "infonce":
        return bound_infonce(scores)
    if bound == "smile":
        return bound_smile(scores, tau)
    raise ValueError(f"bound must be one of {list(BOUNDS)}, got {bound!r}")
