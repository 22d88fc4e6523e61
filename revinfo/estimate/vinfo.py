r"""Predictive V-information with linear probes (Xu et al. 2020), in nats.

.. math:: I_V(Z \to Y) = H_V(Y) - H_V(Y \mid Z), \qquad
          H_V(Y \mid Z) = \inf_{f \in V} E[-\log f[Z](Y)],

where V is a family of predictors and H_V(Y) = H_V(Y | no input) uses the same family
with no input. Unlike Shannon information it can be created by computation (a
bijective layer leaves I(Z;Y) fixed while the linear-probe I_V can rise). Both terms are
estimated as held-out log losses of probes fitted on a training split.

References:
    Xu, Zhao, Song, Stewart & Ermon, "A Theory of Usable Information under Computational
    Constraints", ICLR 2020.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch
from scipy.optimize import minimize
from scipy.special import logsumexp

from revinfo import _validate
from revinfo.registry import estimator
from revinfo.result import Estimate

__all__ = ["PROBES", "TARGETS", "v_information"]

PROBES = ("linear",)
TARGETS = ("auto", "discrete", "continuous")
_LOG_2PI = math.log(2.0 * math.pi)


def _label_array(labels: Any) -> np.ndarray:
    if isinstance(labels, torch.Tensor):
        _validate._not_meta(labels, "labels")
        return labels.detach().cpu().numpy()
    if isinstance(labels, (np.ndarray, list, tuple)):
        return np.asarray(labels)
    raise TypeError(f"labels must be a numpy array or torch tensor, got {type(labels).__name__}")


def _discrete_split(
    codes: np.ndarray, val_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: each class puts round(val_fraction * count) samples in the
    held-out part but keeps at least one in training, so every held-out class was seen."""
    tr, va = [], []
    for c in range(int(codes.max()) + 1):
        idx = rng.permutation(np.flatnonzero(codes == c))
        k = min(int(round(val_fraction * idx.size)), idx.size - 1)
        va.append(idx[:k])
        tr.append(idx[k:])
    return np.sort(np.concatenate(tr)), np.sort(np.concatenate(va))


def _standardize(z_tr: np.ndarray, z_va: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = z_tr.mean(0), z_tr.std(0)
    std[std == 0] = 1.0
    return (z_tr - mean) / std, (z_va - mean) / std


def _softmax_nll(logits: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return logsumexp(logits, axis=1) - logits[np.arange(codes.size), codes]


def _fit_logistic(z: np.ndarray, codes: np.ndarray, n_classes: int, l2: float) -> np.ndarray:
    """Multinomial logistic regression by L-BFGS on the mean softmax log loss plus
    (l2 / 2) |W|^2 (the bias is not penalised). Returns the (d + 1, C) weights, bias last."""
    n, d = z.shape
    za = np.hstack([z, np.ones((n, 1))])
    onehot = np.zeros((n, n_classes))
    onehot[np.arange(n), codes] = 1.0
    # Start from the marginal (the bias-only optimum) so the fit only improves on it.
    w0 = np.zeros((d + 1, n_classes))
    w0[-1] = np.log(onehot.mean(0))

    def loss_grad(flat: np.ndarray) -> tuple[float, np.ndarray]:
        w = flat.reshape(d + 1, n_classes)
        logits = za @ w
        lse = logsumexp(logits, axis=1, keepdims=True)
        loss = float(np.mean(lse[:, 0] - logits[np.arange(n), codes]))
        grad = za.T @ (np.exp(logits - lse) - onehot) / n
        loss += 0.5 * l2 * float(np.sum(w[:-1] ** 2))
        grad[:-1] += l2 * w[:-1]
        return loss, grad.ravel()

    res = minimize(
        loss_grad, w0.ravel(), jac=True, method="L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-9}
    )
    return res.x.reshape(d + 1, n_classes)


_Fit = tuple[np.ndarray | None, np.ndarray | None, int, dict[str, Any]]


def _discrete(
    z: np.ndarray, labels: np.ndarray, val_fraction: float, rng: np.random.Generator, l2: float
) -> _Fit:
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"discrete labels must have shape (n,), got shape {labels.shape}")
    if labels.dtype.kind == "f" and not np.all(np.isfinite(labels)):
        raise ValueError("labels contains NaN or inf")
    classes, codes = np.unique(labels, return_inverse=True)
    if classes.size < 2:
        raise ValueError(f"labels needs at least 2 distinct values, got {classes.size}")
    tr, va = _discrete_split(codes, val_fraction, rng)
    if va.size < 2:
        raise ValueError(
            f"val_fraction={val_fraction} leaves {va.size} held-out samples; need >= 2"
        )
    ztr, zva = _standardize(z[tr], z[va])
    c = classes.size
    freq = np.bincount(codes[tr], minlength=c) / tr.size
    nll_marginal = -np.log(freq[codes[va]])
    w = _fit_logistic(ztr, codes[tr], c, l2)
    nll_cond = _softmax_nll(np.hstack([zva, np.ones((va.size, 1))]) @ w, codes[va])
    extra = {"classes": classes.tolist(), "probe_weights": w.tolist()}
    return nll_marginal, nll_cond, tr.size, extra


def _gaussian_nll(resid: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Per-sample -log N(r; 0, cov) in nats."""
    chol = np.linalg.cholesky(cov)
    sol = np.linalg.solve(chol, resid.T)
    logdet = 2.0 * np.sum(np.log(np.diag(chol)))
    return 0.5 * (resid.shape[1] * _LOG_2PI + logdet + np.sum(sol**2, axis=0))


def _continuous(
    z: np.ndarray, labels: np.ndarray, val_fraction: float, rng: np.random.Generator, l2: float
) -> _Fit:
    y = _validate.samples(labels, "labels")
    top = np.max(np.abs(y), axis=0)  # V-information is invariant to scaling y; at |y| ~ 1e300
    y = y / np.where(top > 0, top, 1.0)  # y'y overflowed into a NaN stderr
    n, k = y.shape
    perm = rng.permutation(n)
    n_val = int(round(val_fraction * n))
    if n_val < 2 or n - n_val < 2:
        raise ValueError(
            f"val_fraction={val_fraction} splits n={n} into {n - n_val} training and "
            f"{n_val} held-out samples; need >= 2 of each"
        )
    tr, va = np.sort(perm[n_val:]), np.sort(perm[:n_val])
    ztr, zva = _standardize(z[tr], z[va])
    y_mean = y[tr].mean(0)
    ytr, yva = y[tr] - y_mean, y[va] - y_mean
    cov_y = ytr.T @ ytr / tr.size
    scale = np.diag(cov_y)
    if np.any(scale <= 0):
        raise ValueError("labels has a constant column on the training split")
    # Ridge least squares on centred data: (Z'Z/n + l2 I) W = Z'Y/n, then the residual
    # covariance MLE.
    zbar = ztr.mean(0)
    zc = ztr - zbar
    w = np.linalg.solve(zc.T @ zc / tr.size + l2 * np.eye(z.shape[1]), zc.T @ ytr / tr.size)
    res_tr = ytr - zc @ w
    cov_res = res_tr.T @ res_tr / tr.size
    extra = {"probe_weights": w.tolist(), "residual_cov": cov_res.tolist()}
    if np.linalg.eigvalsh(cov_res / np.sqrt(np.outer(scale, scale))).min() <= 1e-12:
        return None, None, tr.size, extra
    nll_marginal = _gaussian_nll(yva, cov_y)
    nll_cond = _gaussian_nll(yva - (zva - zbar) @ w, cov_res)
    return nll_marginal, nll_cond, tr.size, extra


@estimator("v_information", inputs="xy", quantity="v-information")
def v_information(
    z: Any,
    labels: Any,
    probe: str = "linear",
    *,
    target: str = "auto",
    val_fraction: float = 0.3,
    seed: int | None = 0,
    l2: float = 1e-4,
) -> Estimate:
    r"""Linear-probe predictive V-information I_V(Z -> Y) = H_V(Y) - H_V(Y|Z), in nats.

    Discrete labels (integer, bool or string dtype, or ``target="discrete"``): V is the
    multinomial logistic family softmax(W z + b), fitted by L-BFGS on the training split's
    mean log loss plus (l2/2)|W|^2; H_V(Y) is the same family with no input, whose
    optimum is the training split's label frequencies. The split is stratified so every
    held-out class occurs in training.

    Continuous targets (float dtype, shape (n,) or (n, k), or ``target="continuous"``):
    V is the linear-Gaussian family N(W z + b, S), fitted by ridge least squares (penalty
    l2 on W) with S the residual covariance MLE; H_V(Y) uses N(mean, covariance) of the
    training targets. If the residual covariance is singular (y an exact linear function
    of z, with l2 = 0) the value is ``math.inf``.

    Features are standardised with the training split's mean and std (this does not
    change the linear family, only what the l2 penalty means). The value is the mean over
    the held-out samples of d_i = -log q(y_i) + log p(y_i | z_i), the difference of the
    two held-out log losses; ``stderr`` = std(d_i) / sqrt(n_val), the error of that mean
    over held-out samples for the fitted probes (not the variability of the fit itself).
    A held-out estimate can be slightly negative when Z carries no usable information.

    Arguments:
        z: features, shape (n, d) or (n,).
        labels: targets, shape (n,) (discrete or continuous) or (n, k) (continuous).
        probe: "linear" (the only family implemented).
        target: "auto" (by dtype), "discrete" or "continuous".
        val_fraction: held-out fraction in (0, 1); seed: int or None (the split);
        l2: ridge penalty (>= 0) on the probe's weights.

    Returns:
        An :class:`~revinfo.result.Estimate` with ``extra`` keys ``target``,
        ``h_marginal`` (H_V(Y)), ``h_conditional`` (H_V(Y|Z)), ``n_train``, ``n_val`` and
        the fitted ``probe_weights``.
    """
    t0 = time.perf_counter()
    probe = _validate.choice(probe, "probe", PROBES)
    target = _validate.choice(target, "target", TARGETS)
    za = _validate.samples(z, "z", min_n=4)
    lab = _label_array(labels)
    if lab.ndim == 0 or lab.shape[0] != za.shape[0]:
        raise ValueError(
            "z and labels must have the same number of samples, got "
            f"{za.shape[0]} and {lab.shape[0] if lab.ndim else 'a scalar'}"
        )
    val_fraction = _validate.fraction(val_fraction, "val_fraction")
    l2 = _validate.positive(l2, "l2", allow_zero=True)
    rng = _validate.rng(seed)
    if target == "auto":
        kind = lab.dtype.kind
        if kind in "iubUS":
            target = "discrete"
        elif kind in "fc":
            target = "continuous"
        else:
            raise TypeError(
                f"labels dtype {lab.dtype} is neither integer/bool nor float; pass "
                "target='discrete' or target='continuous'"
            )
    fit = _discrete if target == "discrete" else _continuous
    nll_marginal, nll_cond, n_train, extra = fit(za, lab, val_fraction, rng, l2)
    extra = {"target": target, "probe": probe, "n_train": n_train, "l2": l2, **extra}
    method = f"v-information {probe}-{'logistic' if target == 'discrete' else 'gaussian'}"
    if nll_marginal is None:
        extra["note"] = "residual covariance singular: labels linear in z"
        return Estimate(math.inf, None, method, za.shape[0], time.perf_counter() - t0, extra)
    diff = nll_marginal - nll_cond
    extra.update(
        h_marginal=float(nll_marginal.mean()),
        h_conditional=float(nll_cond.mean()),
        n_val=int(diff.size),
    )
    return Estimate(
        value=float(diff.mean()),
        stderr=float(diff.std(ddof=1) / math.sqrt(diff.size)),
        method=method,
        n=za.shape[0],
        seconds=time.perf_counter() - t0,
        extra=extra,
    )
