"""revinfo: ground truth for information measures on invertible networks.

Units are nats throughout; every information quantity is an :class:`Estimate`.
"""

from revinfo.result import Estimate

__version__ = "0.1.0"
__all__ = ["Estimate", "__version__"]
