"""Ground truth: closed forms, the change of variables, exact-density Monte Carlo.
Never imports revinfo.estimate."""

from revinfo.exact.entropy import base_entropy, entropy, entropy_profile
from revinfo.exact.gaussian import mi_gaussian, mi_gaussian_channel

__all__ = ["base_entropy", "entropy", "entropy_profile", "mi_gaussian", "mi_gaussian_channel"]
