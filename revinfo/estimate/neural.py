r"""Neural variational lower bounds on mutual information (DV/MINE, NWJ, InfoNCE, SMILE):
:func:`mi_neural`, which trains a critic (:mod:`revinfo.estimate.critics`) on a bound
(:mod:`revinfo.estimate.bounds`, whose names this module re-exports).

The bounds, their score-matrix convention and their references (MINE's moving-average
gradient correction among them) are documented once, in :mod:`revinfo.estimate.bounds`.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import torch
from torch import Tensor

from revinfo import _validate
from revinfo.estimate.bounds import (
    BOUNDS,
    _log_mean_exp,
    _off_diagonal,
    bound_dv,
    bound_infonce,
    bound_js,
    bound_nwj,
    bound_smile,
    bound_value,
)
from revinfo.estimate.critics import CRITICS, held_out_values, make_critic
from revinfo.registry import estimator
from revinfo.result import Estimate

__all__ = [
    "BOUNDS",
    "CRITICS",
    "bound_dv",
    "bound_infonce",
    "bound_js",
    "bound_nwj",
    "bound_smile",
    "bound_value",
    "mi_neural",
]


@estimator("mi_neural", inputs="xy", quantity="mi", probe={"steps": 1})
def mi_neural(
    x: Any,
    y: Any,
    bound: str = "dv",
    *,
    critic: str = "separable",
    hidden: int = 64,
    layers: int = 2,
    embed: int = 32,
    steps: int = 2000,
    batch_size: int = 128,
    lr: float = 1e-3,
    tau: float = 5.0,
    ema: float | None = None,
    val_fraction: float = 0.2,
    patience: int | None = 20,
    eval_every: int = 50,
    standardize: bool = True,
    seed: int | None = 0,
    device: str | torch.device = "cpu",
) -> Estimate:
    r"""Estimate I(X;Y) in nats by training a critic network on a variational lower bound.

    The bound (one of :data:`BOUNDS`) is the one computed by :func:`bound_dv`,
    :func:`bound_nwj`, :func:`bound_infonce` or :func:`bound_smile` on B x B critic
    score matrices. Training maximises it with Adam on random batches of the training
    split, except SMILE, which trains on :func:`bound_js` and reports the clipped DV value
    (Song & Ermon 2020). With ``ema`` (DV only) the gradient of the log-partition term
    uses MINE's moving average of E_Q e^f in the denominator (Belghazi et al. 2018,
    sec. 3.2); ``ema`` is the weight of the newest batch, m <- (1-ema) m + ema * batch.

    Procedure: the samples are shuffled and split into a training part and a held-out
    part (``val_fraction``). Every ``eval_every`` steps the bound is evaluated on the
    held-out part, cut into k = n_val // B_e disjoint batches of B_e = min(batch_size,
    n_val // 2) pairs (so k >= 2). Training stops after ``steps`` steps, or earlier when
    the held-out value has not improved for ``patience`` evaluations (``None``: never).
    The critic is *not* rolled back to its best checkpoint: picking the maximum of noisy
    held-out values would bias the estimate upward.

    The returned ``value`` is the mean of the k held-out batch values at the final
    critic; ``stderr`` is their standard deviation / sqrt(k). It covers only the
    evaluation noise of the held-out samples given the trained critic, not the
    randomness of training (initialisation, batch order) nor of the data; for DV, SMILE
    and InfoNCE each batch value is also biased for finite B_e (InfoNCE is capped at
    log B_e, reported as ``extra["log_batch_size"]``).

    Training runs in float32 (inputs are validated in float64 and then cast); all
    tensors live on ``device``. With ``standardize`` each coordinate of x and y is centred
    and scaled by the training-split mean and standard deviation (MI is invariant to
    this). Weights are initialised from a CPU ``torch.Generator`` seeded with ``seed``
    and batches are drawn from a generator on ``device`` seeded with ``seed``; the
    global torch RNG is not touched. Same seed and inputs on CPU give the same value
    bit for bit.

    Arguments:
        x: samples of X, shape (n, dx) (1-D means d = 1), NumPy or torch.
        y: samples of Y, shape (n, dy), the same n.
        bound: "dv", "nwj", "infonce" or "smile".
        critic: "separable" (f = g(x).h(y), ``embed``-dimensional) or "concat"
            (f = MLP([x, y]), B^2 evaluations per batch).
        hidden: width of each hidden layer of each ReLU MLP.
        layers: number of hidden layers of each ReLU MLP.
        steps: maximum number of Adam steps; batch_size: pairs per training batch.
        lr: Adam learning rate; tau: SMILE clip (> 0); ema: None or a rate in (0, 1].
        val_fraction: fraction held out, in (0, 1); patience, eval_every: early stopping.
        seed: int or None; device: where to train (e.g. "cuda").

    Returns:
        An :class:`~revinfo.result.Estimate` with ``extra`` keys ``bound``, ``critic``,
        ``curve`` (list of dicts ``step``, ``train``, ``val``: the training-batch and
        held-out bound at each evaluation), ``stopped_at`` (the last step trained),
        ``early_stopped`` (bool), ``best_val``, ``best_step``, ``eval_batch_size``,
        ``eval_batches``, ``log_batch_size``, ``n_train``, ``n_val``, ``batch_values``.
    """
    t0 = time.perf_counter()
    bound = _validate.choice(bound, "bound", BOUNDS)
    critic = _validate.choice(critic, "critic", CRITICS)
    xa = _validate.samples(x, "x", min_n=2)
    ya = _validate.samples(y, "y", min_n=2)
    _validate.same_length(xa, ya)
    hidden = _validate.integer(hidden, "hidden", low=1)
    layers = _validate.integer(layers, "layers", low=0)
    embed = _validate.integer(embed, "embed", low=1)
    steps = _validate.integer(steps, "steps", low=1)
    lr = _validate.positive(lr, "lr")
    tau = _validate.positive(tau, "tau")
    val_fraction = _validate.fraction(val_fraction, "val_fraction")
    if ema is not None:
        ema = _validate.positive(ema, "ema")
        if ema > 1.0:
            raise ValueError(f"ema must be None or in (0, 1], got {ema!r}")
        if bound != "dv":
            raise ValueError(
                f"ema (MINE's moving average) applies only to bound='dv', got bound={bound!r}"
            )
    if patience is not None:
        patience = _validate.integer(patience, "patience", low=1)
    eval_every = _validate.integer(eval_every, "eval_every", low=1)
    standardize = _validate.flag(standardize, "standardize")
    seed = _validate.seed(seed)
    device = _validate.device(device)

    n = xa.shape[0]
    n_val = int(round(val_fraction * n))
    n_train = n - n_val
    if n_val < 4:
        raise ValueError(
            f"val_fraction={val_fraction} holds out {n_val} of n={n} samples; need >= 4 "
            "(two held-out batches of >= 2)"
        )
    batch_size = _validate.integer(batch_size, "batch_size", low=2)
    if batch_size > n_train:
        raise ValueError(f"batch_size must be <= the {n_train} training samples, got {batch_size}")
    eval_batch = min(batch_size, n_val // 2)

    gen_cpu = _validate.torch_generator(seed, "cpu")
    perm = torch.randperm(n, generator=gen_cpu).numpy()
    tr, va = perm[:n_train], perm[n_train:]
    if standardize:
        mx, sx = xa[tr].mean(0), xa[tr].std(0)
        my, sy = ya[tr].mean(0), ya[tr].std(0)
        sx[sx == 0] = 1.0
        sy[sy == 0] = 1.0
        xa, ya = (xa - mx) / sx, (ya - my) / sy

    def to_dev(a: np.ndarray) -> Tensor:
        return torch.from_numpy(np.ascontiguousarray(a)).to(device=device, dtype=torch.float32)

    xt, yt, xv, yv = to_dev(xa[tr]), to_dev(ya[tr]), to_dev(xa[va]), to_dev(ya[va])
    dx, dy = xa.shape[1], ya.shape[1]
    net = make_critic(critic, dx, dy, hidden, layers, embed, gen_cpu).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    # Batches come from a generator on `device`, seeded from the CPU stream.
    gen_dev = torch.Generator(device=device)
    gen_dev.manual_seed(int(torch.randint(0, 2**62, (1,), generator=gen_cpu).item()))

    log_m: Tensor | None = None  # log of MINE's moving average of E_Q e^f
    curve: list[dict[str, float]] = []
    best_val, best_step, since_best = -math.inf, 0, 0
    early = False
    step = 0
    for step in range(1, steps + 1):
        idx = torch.randperm(n_train, generator=gen_dev, device=device)[:batch_size]
        scores = net(xt[idx], yt[idx])
        if bound == "smile":
            objective = bound_js(scores)
        elif bound == "dv" and ema is not None:
            lme = _log_mean_exp(_off_diagonal(scores))
            cur = lme.detach()
            if log_m is None or ema == 1.0:
                log_m = cur
            else:
                log_m = torch.logaddexp(log_m + math.log1p(-ema), cur + math.log(ema))
            # Surrogate whose gradient is E_P grad f - E_Q[e^f grad f] / m (MINE, sec. 3.2).
            objective = scores.diagonal().mean() - torch.exp(lme - log_m)
        else:
            objective = bound_value(bound, scores, tau)
        opt.zero_grad(set_to_none=True)
        (-objective).backward()
        opt.step()
        if step % eval_every == 0 or step == steps:
            with torch.no_grad():
                train_val = float(bound_value(bound, scores.detach(), tau).item())
            val = float(held_out_values(net, xv, yv, bound, tau, eval_batch).mean())
            curve.append({"step": step, "train": train_val, "val": val})
            if val > best_val:
                best_val, best_step, since_best = val, step, 0
            else:
                since_best += 1
                if patience is not None and since_best >= patience:
                    early = True
                    break

    values = held_out_values(net, xv, yv, bound, tau, eval_batch)
    k = values.size
    value = float(values.mean())
    if not math.isfinite(value):
        raise FloatingPointError(
            f"mi_neural({bound!r}) diverged to {value} on held-out data; lower lr or use "
            "bound='smile'/'infonce'"
        )
    stderr = float(values.std(ddof=1) / math.sqrt(k))
    return Estimate(
        value=value,
        stderr=stderr,
        method=f"neural-{bound}" + ("-ema" if ema is not None else ""),
        n=n,
        seconds=time.perf_counter() - t0,
        extra={
            "bound": bound,
            "critic": critic,
            "curve": curve,
            "stopped_at": step,
            "early_stopped": early,
            "best_val": best_val,
            "best_step": best_step,
            "eval_batch_size": eval_batch,
            "eval_batches": k,
            "log_batch_size": math.log(eval_batch),
            "n_train": n_train,
            "n_val": n_val,
            "batch_values": values.tolist(),
            "tau": tau if bound == "smile" else None,
            "ema": ema,
            "dtype": "float32",
            "device": str(device),
            "stderr_covers": "held-out evaluation batches only (std/sqrt(k))",
        },
    )
