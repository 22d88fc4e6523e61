"""The result type every information quantity in revinfo is returned as."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from scipy.stats import norm

LN2 = math.log(2.0)


@dataclass(frozen=True)
class Estimate:
    """An information quantity in nats, with the error bar of the method that produced it.

    Attributes:
        value: the number, in nats (``math.inf`` where the quantity is infinite).
        stderr: standard error of ``value`` from the method's own Monte Carlo; ``None``
            where the value is exact. For an estimator it does not include the sampling
            variability of the data (calibration measures that across seeds).
        method: how the number was computed (e.g. ``"closed-form gaussian"``).
        n: samples used, or ``None``.
        seconds: wall time spent computing it.
        extra: anything else worth keeping (training curves, per-layer parts, ...).
    """

    value: float
    stderr: float | None = None
    method: str = ""
    n: int | None = None
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))
        if self.stderr is not None:
            object.__setattr__(self, "stderr", float(self.stderr))
            if not (self.stderr >= 0.0):
                raise ValueError(f"stderr must be >= 0 or None, got {self.stderr}")
        if math.isnan(self.value):
            raise ValueError(f"Estimate value is NaN (method={self.method!r})")

    def __float__(self) -> float:
        return self.value

    @property
    def bits(self) -> float:
        """The value in bits (value / ln 2)."""
        return self.value / LN2

    def ci(self, level: float = 0.95) -> tuple[float, float]:
        """Two-sided normal confidence interval from ``stderr``; (value, value) if exact."""
        if not 0.0 < level < 1.0:
            raise ValueError(f"level must be in (0, 1), got {level}")
        if self.stderr is None:
            return (self.value, self.value)
        half = float(norm.ppf(0.5 + level / 2.0)) * self.stderr
        return (self.value - half, self.value + half)

    def __str__(self) -> str:
        if self.stderr is None:
            return f"{self.value:.6g} nats ({self.method})"
        return f"{self.value:.6g} ± {self.stderr:.2g} nats ({self.method})"
