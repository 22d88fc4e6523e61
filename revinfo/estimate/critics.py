"""Critic networks f(x, y) for the variational MI bounds, and their held-out evaluation:
the training side of :func:`revinfo.estimate.neural.mi_neural` (the bounds themselves are in
:mod:`revinfo.estimate.bounds`)."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import Tensor, nn

from revinfo.estimate.bounds import bound_value

CRITICS = ("separable", "concat")


def _mlp(d_in: int, d_out: int, hidden: int, layers: int, gen: torch.Generator) -> nn.Sequential:
    """ReLU MLP with ``layers`` hidden layers; PyTorch's default Linear init drawn from
    ``gen`` (a CPU generator) so the global RNG is neither used nor advanced."""
    sizes = [d_in] + [hidden] * layers + [d_out]
    mods: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        lin = torch.nn.utils.skip_init(nn.Linear, a, b)
        with torch.no_grad():
            nn.init.kaiming_uniform_(lin.weight, a=math.sqrt(5), generator=gen)
            bound = 1.0 / math.sqrt(a)
            lin.bias.uniform_(-bound, bound, generator=gen)
        mods.append(lin)
        if i < len(sizes) - 2:
            mods.append(nn.ReLU())
    return nn.Sequential(*mods)


class SeparableCritic(nn.Module):
    """f(x, y) = g(x) . h(y): B + B network evaluations for a B x B score matrix."""

    def __init__(
        self, dx: int, dy: int, hidden: int, layers: int, embed: int, gen: torch.Generator
    ):
        super().__init__()
        self.g = _mlp(dx, embed, hidden, layers, gen)
        self.h = _mlp(dy, embed, hidden, layers, gen)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return self.g(x) @ self.h(y).T


class ConcatCritic(nn.Module):
    """f(x, y) = MLP([x, y]): B^2 network evaluations for a B x B score matrix."""

    def __init__(self, dx: int, dy: int, hidden: int, layers: int, gen: torch.Generator):
        super().__init__()
        self.net = _mlp(dx + dy, 1, hidden, layers, gen)

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        b = x.shape[0]
        pairs = torch.cat(
            [x[:, None, :].expand(b, b, x.shape[1]), y[None, :, :].expand(b, b, y.shape[1])],
            dim=2,
        )
        return self.net(pairs).squeeze(-1)


def make_critic(kind: str, dx: int, dy: int, hidden: int, layers: int, embed: int,
                gen: torch.Generator) -> nn.Module:  # fmt: skip
    """A ``"separable"`` (g(x) . h(y), ``embed``-dimensional) or ``"concat"`` (MLP([x, y]))
    critic, initialised from ``gen``."""
    if kind == "separable":
        return SeparableCritic(dx, dy, hidden, layers, embed, gen)
    return ConcatCritic(dx, dy, hidden, layers, gen)


def held_out_values(
    critic: nn.Module, xv: Tensor, yv: Tensor, bound: str, tau: float, eval_batch: int
) -> np.ndarray:
    """The bound on each of the disjoint consecutive held-out batches of size eval_batch."""
    k = xv.shape[0] // eval_batch
    out = np.empty(k)
    with torch.no_grad():
        for i in range(k):
            sl = slice(i * eval_batch, (i + 1) * eval_batch)
            out[i] = float(bound_value(bound, critic(xv[sl], yv[sl]), tau).item())
    return out
