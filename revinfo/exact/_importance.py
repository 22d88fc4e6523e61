"""The nested Monte Carlo machinery of ``mi_noisy`` and ``mi_weight_noise``, one concept per
module; this module re-exports their names for older imports:

* :mod:`revinfo.exact._prior`: the base distribution p_X (draws, log density, its derivatives);
* :mod:`revinfo.exact._proposal`: the Gaussian posterior approximation and the defensive mixture;
* :mod:`revinfo.exact._log_mean`: per-point inner log-means (:class:`WeightSums`);
* :mod:`revinfo.exact._control_variates`: the control-variate outer mean and Laplace controls;
* :mod:`revinfo.exact._nested`: the driver (:class:`NestedProblem`, the doubling check, the
  adaptive inner schedule, :class:`InnerDrawWarning`).
"""

from __future__ import annotations

from revinfo.exact import _nested
from revinfo.exact._control_variates import cv_mean, laplace_controls
from revinfo.exact._log_mean import WeightSums, log_mean
from revinfo.exact._nested import (
    AUTO_START,
    CHOICE_POINTS,
    ESS_TARGET,
    INNER_ROWS,
    MAX_INNER,
    NEGLIGIBLE,
    PILOT,
    Z_CHECK,
    InnerDrawWarning,
    NestedProblem,
    inner_check,
    inner_plan,
    summarize,
)
from revinfo.exact._prior import (
    LOG_2PI,
    gaussian_params,
    log_prob,
    prior_terms,
    sample_base,
    standard_normal,
)
from revinfo.exact._proposal import (
    MIXTURE,
    WIDEN,
    gaussian_posterior,
    mixture_log_q,
    sample_mixture,
)

__all__ = [
    "AUTO_START", "CHOICE_POINTS", "ESS_TARGET", "INNER_ROWS", "LOG_2PI", "MAX_INNER", "MIXTURE",
    "NEGLIGIBLE", "PILOT", "WIDEN", "Z_CHECK", "InnerDrawWarning", "NestedProblem", "WeightSums",
    "cv_mean", "gaussian_params", "gaussian_posterior", "inner_check", "inner_plan",
    "laplace_controls", "log_mean", "log_prob", "mixture_log_q", "nested_value", "prior_terms",
    "sample_base", "sample_mixture", "standard_normal", "summarize",
]


def nested_value(*args, **kwargs) -> tuple[float, float, dict]:
    """:func:`revinfo.exact._nested.nested_value` of ``NestedProblem(*args, **kwargs)`` (the
    problem's fields in its order), or of the one :class:`NestedProblem` given."""
    if len(args) == 1 and not kwargs and isinstance(args[0], NestedProblem):
        return _nested.nested_value(args[0])
    return _nested.nested_value(NestedProblem(*args, **kwargs))
