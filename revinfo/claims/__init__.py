"""Theory claims as executable checks: ``names()``, ``run(names=None, *, seed=0)``.

Each claim is a small function of ``seed`` returning whether it holds and the numbers
compared (``ClaimResult.evidence``), with tolerances from standard errors; a conjecture may
come out false. One concept per module; ``proof`` names the ``proofs/`` module behind a claim.
"""

# importing registers the claims, in the order of issue 5
from revinfo.claims import change_of_variables  # noqa: F401, I001
from revinfo.claims import invariance  # noqa: F401
from revinfo.claims import noise  # noqa: F401
from revinfo.claims import dpi  # noqa: F401
from revinfo.claims import discrete  # noqa: F401
from revinfo.claims import binning  # noqa: F401
from revinfo.claims import quantization  # noqa: F401
from revinfo.claims import usable_info  # noqa: F401
from revinfo.claims import bounds  # noqa: F401
from revinfo.claims import gaussian_channel  # noqa: F401
from revinfo.claims import volume  # noqa: F401
from revinfo.claims import weights  # noqa: F401
from revinfo.claims import conditional  # noqa: F401
from revinfo.claims.registry import KINDS, Claim, ClaimResult, claim, get, names, run, unregister

__all__ = ["KINDS", "Claim", "ClaimResult", "claim", "get", "names", "run", "unregister"]
