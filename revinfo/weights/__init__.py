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
