r"""Kolchinsky–Tracey pairwise-distance bounds on the entropy of a Gaussian mixture
centred on the samples (a Gaussian KDE), and the MI form Saxe et al. used for a
deterministic layer with additive Gaussian noise."""

from __future__ import annotations

import math
import time
from typing import Any

import torch

from revinfo import _validate as v
from revinfo.estimate._pairwise import logsumexp_sqdist
from revinfo.registry import estimator
from revinfo.result import Estimate

# Scale a in exp(-a ||mu_i - mu_j||^2): KL divergence between N(mu_i, s^2 I) and
# N(mu_j, s^2 I) is ||.||^2 / (2 s^2) (upper bound); Bhattacharyya is ||.||^2 / (8 s^2)
# (lower bound).
BOUNDS = {"upper": 0.5, "lower": 0.125}


def noise_entropy(d: int, sigma: float) -> float:
    """h(sigma * eps) = (d/2) log(2 pi e sigma^2), eps ~ N(0, I_d), in nats."""
    return 0.5 * d * math.log(2.0 * math.pi * math.e * sigma * sigma)


def _pairwise_term(x: Any, sigma: Any, bound: Any, chunk: Any, name: str):
    """-(1/n) sum_i log (1/n) sum_j exp(-D_ij), the bound minus H(X|C)."""
    t = v.tensor_samples(x, name, min_n=2)
    s = v.noise_scale(sigma, "sigma")
    v.choice(bound, "bound", BOUNDS)
    if chunk is not None:
        chunk = v.integer(chunk, "chunk", low=1)
    n = t.shape[0]
    own = torch.arange(n, device=t.device)
    lse = logsumexp_sqdist(t, t, BOUNDS[bound] / (s * s), own=own, chunk=chunk)
    return math.log(n) - float(lse.mean()), t.shape[1], n, s


@estimator("entropy_kde", inputs="z_sigma", quantity="entropy")
def entropy_kde(
    x: Any, sigma: float, bound: str = "upper", *, chunk: int | None = None
) -> Estimate:
    r"""Pairwise-distance bound on the entropy of :math:`\frac1n\sum_i N(x_i, \sigma^2 I)`.

    .. math:: \hat H_D = \frac d2 \log(2\pi e\sigma^2)
              - \frac1n \sum_i \log \frac1n \sum_j e^{-D(p_i\|p_j)}

    With D the KL divergence, :math:`\|x_i-x_j\|^2/(2\sigma^2)`, it is an upper bound
    (``bound="upper"``); with the Bhattacharyya distance, :math:`\|x_i-x_j\|^2/(8\sigma^2)`,
    a lower bound (``"lower"``). Both lie in [H(X|C), H(X|C) + log n]. This mixture is
    the law of X' + sigma eps with X' uniform on the samples: the quantity sample
    propagation (:func:`~revinfo.estimate.entropy_noisy`) estimates by Monte Carlo.
    Source: Kolchinsky & Tracey, "Estimating mixture entropy with pairwise distances",
    Entropy 19, 361 (2017).

    Computed in float64 torch on the device of ``x`` (numpy input: CPU), in blocks of
    ``chunk`` rows: memory O(chunk x n). The default chunk holds ~2^22 numbers per block
    (see ``revinfo/estimate/_pairwise.py`` for the measurement).

    Example:
        >>> import numpy as np
        >>> x = np.array([0.0, 10.0])  # far apart: H = h(N(0, 1)) + log 2 almost exactly
        >>> bool(abs(entropy_kde(x, 1.0).value - (0.5 * np.log(2 * np.pi * np.e) + np.log(2))) < 1e-6)
        True
    """
    t0 = time.perf_counter()
    term, d, n, s = _pairwise_term(x, sigma, bound, chunk, "x")
    return Estimate(
        noise_entropy(d, s) + term, None, f"kde-{bound} (kolchinsky-tracey)", n,
        time.perf_counter() - t0, {"sigma": s, "bound": bound},
    )


@estimator("mi_kde", inputs="z_sigma", quantity="mi")
def mi_kde(z: Any, sigma: float, bound: str = "upper", *, chunk: int | None = None) -> Estimate:
    r"""KDE bound on I(X; Z + sigma eps) for Z = f(X) deterministic, X uniform on the samples.

    I(X; T) = H(T) - H(T|X) with T = Z + sigma eps and H(T|X) = h(sigma eps), the entropy
    of the noise; with H(T) from :func:`entropy_kde`:

    .. math:: \hat I = -\frac1n \sum_i \log \frac1n \sum_j
              \exp\!\Big(-\frac{\|z_i - z_j\|^2}{2\sigma^2}\Big) \le \log n

    (``bound="upper"``; ``"lower"`` uses :math:`8\sigma^2`). This is the estimator of
    Saxe et al., "On the information bottleneck theory of deep learning", ICLR 2018.

    Example:
        >>> import numpy as np
        >>> z = np.arange(4.0) * 100  # well separated: I = log 4
        >>> bool(abs(mi_kde(z, 1.0).value - np.log(4)) < 1e-9)
        True
    """
    t0 = time.perf_counter()
    term, _, n, s = _pairwise_term(z, sigma, bound, chunk, "z")
    return Estimate(
        term, None, f"kde-{bound} mi (saxe et al.)", n, time.perf_counter() - t0,
        {"sigma": s, "bound": bound},
    )
