"""Problems with a known I(X;Y): Gaussian pairs, pairs pushed through bijections, heavy
tails, noisy channels, deterministic layers and discrete inputs."""

from revinfo.tasks.base import Task
from revinfo.tasks.registry import get, names, register

__all__ = ["Task", "get", "names", "register"]
