"""revinfo: ground truth for information measures on invertible networks.

Units are nats throughout; every information quantity is an :class:`Estimate`.
"""

import importlib

from revinfo.result import Estimate

__version__ = "0.1.0"
__all__ = ["Estimate", "__version__"]

_SUBMODULES = ("calibrate", "claims", "dist", "estimate", "exact", "flows", "plane", "registry",
               "tasks", "weights")


def __getattr__(name: str):
    """``revinfo.exact`` etc. after a bare ``import revinfo``, imported on first use (PEP 562),
    so that ``import revinfo`` stays light."""
    if name in _SUBMODULES:
        return importlib.import_module(f"revinfo.{name}")
    raise AttributeError(f"module 'revinfo' has no attribute {name!r}")
