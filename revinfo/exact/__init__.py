"""Ground truth: closed forms, the change of variables, exact-density Monte Carlo.
Never imports revinfo.estimate."""

from revinfo.exact.binary_code import mi_binary_code
from revinfo.exact.conditional import cmi_discrete, cmi_gaussian
from revinfo.exact.empirical import mi_noisy_empirical
from revinfo.exact.entropy import base_entropy, entropy, entropy_profile
from revinfo.exact.gaussian import mi_gaussian, mi_gaussian_channel
from revinfo.exact.mixture import GaussianMixture, mi_gaussian_mixture, pmi_mixture
from revinfo.exact.noisy import mi_noisy
from revinfo.exact.var import past_future_mi_var, sample_var, transfer_entropy_var, var_autocov
from revinfo.exact.weight_noise import mi_weight_noise

__all__ = [
    "base_entropy", "cmi_discrete", "cmi_gaussian", "entropy", "entropy_profile",
    "mi_binary_code", "mi_gaussian", "mi_gaussian_channel", "mi_noisy", "mi_noisy_empirical",
    "mi_weight_noise", "past_future_mi_var", "sample_var", "transfer_entropy_var", "var_autocov",
    "GaussianMixture", "mi_gaussian_mixture", "pmi_mixture",
]
