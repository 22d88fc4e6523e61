"""Weights as random: the tempered local posterior around trained weights, the information
in the weights, an SGLD sampler with the local learning coefficient, and truths for
I(X; g(W X)) under that posterior. Units: nats."""

from revinfo.weights.linear import (
    GaussianPosterior,
    expected_llc,
    gaussian_kl,
    information_in_weights,
    linear_posterior,
    regular_learning_coefficient,
    ula_covariance,
)

__all__ = [
    "GaussianPosterior", "expected_llc", "gaussian_kl", "information_in_weights",
    "linear_posterior", "regular_learning_coefficient", "ula_covariance",
]
from revinfo.weights.ess import autocorrelation, effective_sample_size, mean_and_stderr
from revinfo.weights.sgld import SGLDResult, full_loss, sgld

__all__ += ["SGLDResult", "autocorrelation", "effective_sample_size", "full_loss",
            "mean_and_stderr", "sgld"]
from revinfo.weights.channel import mi_posterior_channel

__all__ += ["mi_posterior_channel"]
from revinfo.weights.normal_crossing import expected_llc_normal_crossing

__all__ += ["expected_llc_normal_crossing"]
