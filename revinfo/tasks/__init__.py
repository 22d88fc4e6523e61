"""Problems with a known I(X;Y): Gaussian pairs, pairs pushed through bijections, heavy
tails, noisy channels, deterministic layers, discrete inputs and weight-noise channels
(one module per family, registered by :mod:`revinfo.tasks.families`)."""

from revinfo.tasks.base import Task
from revinfo.tasks.registry import alias, get, names, register

__all__ = ["Task", "alias", "get", "names", "register"]
