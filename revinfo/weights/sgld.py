r"""Stochastic gradient Langevin dynamics on the tempered local posterior of any torch model,
and the local learning coefficient (LLC) estimate.

The target, for a data set of n points, an average loss :math:`L_n(w)` (the mean negative
log-likelihood per sample, up to a constant), inverse temperature :math:`\beta` and
localization :math:`\gamma` around the trained weights :math:`w^*`, is

.. math:: q(w) \propto \exp\big(-n\beta\, L_n(w) - \tfrac\gamma2 \lVert w - w^*\rVert^2\big),

sampled with the step of Welling & Teh (ICML 2011) as localised by Lau, Furman, Wang, Murfet
& Wei, arXiv:2308.12108 (2023), in devinterp's conventions (``nbeta`` = n beta, a fixed step
eps, noise of variance eps):

.. math:: w \leftarrow w - \tfrac\epsilon2\big(n\beta\,\nabla L_B(w) + \gamma (w - w^*)\big)
          + N(0, \epsilon I),

:math:`L_B` the average loss on a minibatch B. The default :math:`\beta = 1/\log n` is
Watanabe's WBIC temperature with n the data-set size (devinterp's ``default_nbeta`` takes
n to be the batch size instead; pass ``nbeta`` to match it). The LLC estimate (Lau et al.,
eq. 12) is :math:`\hat\lambda = n\beta\,(\bar L - L_n(w^*))`, :math:`\bar L` the mean of the
minibatch losses at the draws after burn-in (an unbiased estimate of :math:`E_q L_n`), with
the standard error :math:`n\beta\,\mathrm{sd}/\sqrt{\mathrm{ESS}}` of that trace
(:mod:`revinfo.weights.ess`). The step is unadjusted: its stationary law differs from q by
O(eps) (on a Gaussian target the covariance is :math:`(P - \epsilon P^2/4)^{-1}`,
:func:`revinfo.weights.linear.ula_covariance`).
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader

from revinfo import _validate
from revinfo.weights.ess import effective_sample_size

MAX_DRAWS = 1000  # default thinning keeps at most this many draws
CHECK_EVERY = 100  # steps between checks that the losses are finite


@dataclass(frozen=True)
class SGLDResult:
    """Draws and diagnostics of one SGLD chain.

    Attributes:
        draws: (m, D) float64 flattened parameter vectors (``model.parameters()`` order),
            every ``thin``-th step after ``burn_in``, taken before the step.
        loss_trace: (steps,) minibatch loss L_B(w_t) at every step (burn-in included).
        init_loss: L_n(w*) on the whole data set.
        ess: (D,) effective sample size of each coordinate of ``draws``.
        loss_ess: ESS of the loss trace after burn-in.
        llc, llc_stderr: the LLC estimate n beta (mean loss - L_n(w*)) and its stderr.
        nbeta, gamma, step_size, n, batch_size, burn_in, thin, seconds, device: as run.
    """

    draws: np.ndarray
    loss_trace: np.ndarray
    init_loss: float
    ess: np.ndarray
    loss_ess: float
    llc: float
    llc_stderr: float
    nbeta: float
    gamma: float
    step_size: float
    n: int
    batch_size: int
    burn_in: int
    thin: int
    seconds: float
    device: str
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


class _Batches:
    """Minibatches from (X, y) tensors (without replacement within an epoch, seeded) or from a
    DataLoader (cycled; each pass started under a seed, so a shuffling loader repeats)."""

    def __init__(self, data: Any, batch_size: int | None, device: torch.device, seed: int):
        self.seed, self.epoch, self.device = seed, 0, device
        if isinstance(data, DataLoader):
            self.loader = data
            try:
                self.n = len(data.dataset)
            except TypeError as err:
                raise TypeError("data is a DataLoader over a dataset without len(): "
                                "n (for n beta) is unknown") from err
            if self.n == 0 or len(data) == 0:
                raise ValueError("data is an empty DataLoader (no batches)")
            if batch_size is not None:
                raise ValueError("batch_size is taken from the DataLoader; do not pass it")
            self.batch_size = int(data.batch_size or 1)
        elif isinstance(data, (tuple, list)) and len(data) == 2:
            self.loader = None
            x, y = data
            if not (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor)):
                raise TypeError("data must be a DataLoader or a pair (X, y) of torch tensors, "
                                f"got ({type(x).__name__}, {type(y).__name__})")
            if x.ndim == 0 or y.ndim == 0 or x.shape[0] != y.shape[0]:
                raise ValueError("data (X, y) must have the same number of rows, got shapes "
                                 f"{tuple(x.shape)} and {tuple(y.shape)}")
            self.n = int(x.shape[0])
            if self.n == 0:
                raise ValueError("data (X, y) is empty (0 rows)")
            self.x, self.y = x.to(device), y.to(device)
            bs = self.n if batch_size is None else _validate.integer(batch_size, "batch_size",
                                                                     low=1, high=self.n)
            self.batch_size = bs
        else:
            raise TypeError("data must be a torch DataLoader or a pair (X, y) of tensors, "
                            f"got {type(data).__name__}")
        self._it: Iterator | None = None
        self._gen = torch.Generator().manual_seed(seed)

    def _loader_pass(self) -> Iterator:
        """One pass of the loader; its sampler draws its shuffle from torch's global generator
        lazily, at the first batch, so that batch is taken under the pass's seed too."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(int(np.random.SeedSequence([self.seed, self.epoch])
                                  .generate_state(1)[0]))
            self.epoch += 1
            it = iter(self.loader)
            first = next(it)
        return itertools.chain([first], it)

    def _tensor_pass(self) -> Iterator:
        if self.batch_size == self.n:
            while True:
                yield self.x, self.y
        while True:
            perm = torch.randperm(self.n, generator=self._gen).to(self.device)
            for i in range(0, self.n - self.batch_size + 1, self.batch_size):
                idx = perm[i : i + self.batch_size]
                yield self.x[idx], self.y[idx]

    def next(self) -> tuple[Any, Any]:
        if self.loader is None:
            if self._it is None:
                self._it = self._tensor_pass()
            return next(self._it)
        if self._it is None:
            self._it = self._loader_pass()
        try:
            batch = next(self._it)
        except StopIteration:
            self._it = self._loader_pass()
            batch = next(self._it)
        return _to(batch, self.device)

    def full(self) -> Iterator[tuple[Any, Any, int]]:
        """Every point once: (inputs, targets, rows)."""
        if self.loader is None:
            for i in range(0, self.n, self.batch_size):
                xb, yb = self.x[i : i + self.batch_size], self.y[i : i + self.batch_size]
                yield xb, yb, int(xb.shape[0])
            return
        for batch in self.loader:
            xb, yb = _to(batch, self.device)
            yield xb, yb, len(yb)


def _to(batch: Any, device: torch.device) -> tuple[Any, Any]:
    if not (isinstance(batch, (tuple, list)) and len(batch) == 2):
        raise TypeError("each batch of the DataLoader must be a pair (inputs, targets)")
    return batch[0].to(device), batch[1].to(device)


def _loss(model: torch.nn.Module, loss_fn: Callable, xb: Any, yb: Any) -> torch.Tensor:
    out = loss_fn(model(xb), yb)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise TypeError("loss_fn(model(x), y) must return a scalar tensor (the mean loss)")
    return out.reshape(())


def full_loss(model: torch.nn.Module, loss_fn: Callable, batches: _Batches) -> float:
    """L_n(w) = (1/n) sum_i loss_i over the whole data set (batch means weighted by size)."""
    total, rows = 0.0, 0
    with torch.no_grad():
        for xb, yb, m in batches.full():
            total += float(_loss(model, loss_fn, xb, yb)) * m
            rows += m
    return total / rows


def _temperature(beta: float | None, nbeta: float | None, n: int) -> float:
    if beta is not None and nbeta is not None:
        raise ValueError("give beta or nbeta (= n * beta), not both")
    if nbeta is not None:
        return _validate.positive(nbeta, "nbeta")
    if beta is None:
        if n < 2:
            raise ValueError("the default beta = 1 / log n needs n >= 2 data points")
        return n / math.log(n)
    return n * _validate.positive(beta, "beta")


def _parameters(model: Any) -> list[torch.Tensor]:
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters (nothing to sample)")
    return params


def _check_finite(trace: torch.Tensor, start: int, stop: int, step_size: float) -> None:
    chunk = trace[start:stop]
    if not bool(torch.isfinite(chunk).all()):
        bad = start + int(torch.nonzero(~torch.isfinite(chunk))[0, 0])
        raise ValueError(f"the loss became non-finite at step {bad} (step_size={step_size}): "
                         "the chain diverged; use a smaller step_size or a larger gamma")


def sgld(
    model: torch.nn.Module,
    loss_fn: Callable[[Any, Any], torch.Tensor],
    data: Any,
    *,
    steps: int = 1000,
    step_size: float = 1e-4,
    beta: float | None = None,
    nbeta: float | None = None,
    gamma: float = 1.0,
    batch_size: int | None = None,
    burn_in: int = 0,
    thin: int | None = None,
    seed: int | None = 0,
    device: str | torch.device = "cpu",
    progress: bool = True,
) -> SGLDResult:
    r"""SGLD draws from the tempered local posterior around the model's current weights w*
    (module docstring), with the LLC estimate and acceptance-free diagnostics.

    Args:
        model: a torch module; it is copied (the caller's weights are not changed) and the
            copy moved to ``device``. Its trainable parameters are sampled.
        loss_fn: ``loss_fn(model(x), y)`` -> scalar mean loss over the batch; for the LLC to
            mean the LLC it must be the mean negative log-likelihood (e.g. squared error /
            (2 sigma^2) for Gaussian noise of sd sigma).
        data: a DataLoader of (inputs, targets) batches, or a pair (X, y) of tensors
            (minibatches of ``batch_size`` without replacement; default: the full batch).
        steps: SGLD steps in all (burn-in included). step_size: eps > 0.
        beta: inverse temperature > 0 (default 1 / log n), or ``nbeta`` = n beta directly.
        gamma: localization strength >= 0.
        burn_in: steps discarded before draws and the LLC average.
        thin: keep every ``thin``-th draw (default: at most 1000 draws).
        seed: seeds the noise (a torch.Generator on ``device``) and the minibatches.
        device: where the chain runs ("cpu" by default).
        progress: a tqdm bar (also off when not a terminal).

    Returns:
        :class:`SGLDResult`.
    """
    t0 = time.perf_counter()
    dev = torch.device(device)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be callable, got {type(loss_fn).__name__}")
    _parameters(model)
    steps = _validate.integer(steps, "steps", low=1)
    burn_in = _validate.integer(burn_in, "burn_in", low=0, high=steps - 4)
    eps = _validate.positive(step_size, "step_size")
    gamma = _validate.positive(gamma, "gamma", allow_zero=True)
    seed = _validate.concrete_seed(seed)
    kept = steps - burn_in
    thin = (max(1, math.ceil(kept / MAX_DRAWS)) if thin is None
            else _validate.integer(thin, "thin", low=1))
    batches = _Batches(data, batch_size, dev, seed)
    nb = _temperature(beta, nbeta, batches.n)

    net = copy.deepcopy(model).to(dev)
    params = _parameters(net)
    center = [p.detach().clone() for p in params]
    init_loss = full_loss(net, loss_fn, batches)
    if not math.isfinite(init_loss):
        raise ValueError(f"the loss at the initial weights w* is not finite ({init_loss})")
    sizes = [p.numel() for p in params]
    dim = sum(sizes)
    dtype = params[0].dtype
    gen = _validate.torch_generator(seed, dev)
    trace = torch.empty(steps, dtype=dtype, device=dev)
    draws = torch.empty((len(range(burn_in, steps, thin)), dim), dtype=dtype, device=dev)
    half, root = -0.5 * eps, math.sqrt(eps)

    from tqdm.auto import tqdm

    net.train()
    j = 0
    losses: list[torch.Tensor] = []
    with tqdm(total=steps, desc="sgld", unit="step", disable=True if not progress else None,
              mininterval=0.5) as bar:
        for t in range(steps):
            xb, yb = batches.next()
            loss = _loss(net, loss_fn, xb, yb)
            grads = torch.autograd.grad(loss, params, allow_unused=True, materialize_grads=True)
            losses.append(loss.detach())
            with torch.no_grad():
                if t >= burn_in and (t - burn_in) % thin == 0:
                    torch.cat([p.reshape(-1) for p in params], out=draws[j])
                    j += 1
                noise = torch.randn(dim, generator=gen, device=dev, dtype=dtype).split(sizes)
                if gamma:
                    pull = torch._foreach_sub(params, center)
                    torch._foreach_add_(params, pull, alpha=half * gamma)
                torch._foreach_add_(params, grads, alpha=half * nb)
                torch._foreach_add_(params, [z.view_as(p) for z, p in zip(noise, params)],
                                    alpha=root)
            if (t + 1) % CHECK_EVERY == 0 or t + 1 == steps:
                start = max(0, t + 1 - CHECK_EVERY)
                trace[start : t + 1] = torch.stack(losses[start : t + 1])
                _check_finite(trace, start, t + 1, eps)
                bar.update((t + 1) - bar.n)
    loss_np = trace.detach().to("cpu", torch.float64).numpy()
    draws_np = draws.detach().to("cpu", torch.float64).numpy()
    after = loss_np[burn_in:]
    loss_ess = float(effective_sample_size(after)[0])
    ess = (effective_sample_size(draws_np) if draws_np.shape[0] >= 4
           else np.full(dim, float(draws_np.shape[0])))
    llc = nb * (float(after.mean()) - init_loss)
    llc_se = nb * float(after.std(ddof=1)) / math.sqrt(loss_ess)
    return SGLDResult(draws_np, loss_np, init_loss, ess, loss_ess, llc, llc_se, nb, gamma, eps,
                      batches.n, batches.batch_size, burn_in, thin, time.perf_counter() - t0,
                      str(dev), {"seed": seed, "parameters": dim})
