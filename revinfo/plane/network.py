"""The network whose layers the information plane follows: an MLP classifier in the style of
Saxe et al., "On the information bottleneck theory of deep learning", ICLR 2018 (a narrowing
stack of tanh or ReLU layers, softmax output), trained with Adam on minibatches; each layer's
activations on the N training points are recorded at chosen epochs.

The widths: Saxe et al. (after Shwartz-Ziv & Tishby 2017) used 12-10-7-5-4-3-2 on 12-bit
inputs and 2 classes; for the 64 pixels and 10 classes of digits the same hidden stack ends in
a 10-way softmax: 64-12-10-7-5-4-3-10 (:data:`HIDDEN`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from revinfo import _validate as v
from revinfo.plane.progress import bar_disabled

HIDDEN = (12, 10, 7, 5, 4, 3)
ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}


@dataclass
class Recording:
    """Per recorded epoch: every layer's activations on the training rows (hidden layers, then
    the softmax output), the training loss and the train / test accuracy."""

    epochs: list[int]
    layers: list[str]
    activations: dict[int, list[np.ndarray]] = field(default_factory=dict)
    loss: dict[int, float] = field(default_factory=dict)
    train_accuracy: dict[int, float] = field(default_factory=dict)
    test_accuracy: dict[int, float] = field(default_factory=dict)


def mlp(sizes: tuple[int, ...] | list[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Linear layers between consecutive ``sizes``, ``activation`` after all but the last."""
    mods: list[nn.Module] = []
    for i, (a, b) in enumerate(itertools.pairwise(sizes)):
        mods.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            mods.append(activation())
    return nn.Sequential(*mods)


def build_mlp(d_in: int, n_classes: int, hidden: tuple[int, ...], activation: str,
              seed: int | None) -> nn.Sequential:
    """Linear + activation per hidden width, then a linear layer to the class logits (float64);
    PyTorch's default initialisation, seeded inside a forked RNG (the global one is untouched)."""
    act = ACTIVATIONS[v.choice(activation, "activation", ACTIVATIONS)]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(v.concrete_seed(seed))
        return mlp((d_in, *hidden, n_classes), act).double()


def layer_outputs(net: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """The activation after every hidden layer, then the softmax output."""
    outs = []
    h = x
    for mod in net:
        h = mod(h)
        if not isinstance(mod, nn.Linear):
            outs.append(h)
    outs.append(torch.softmax(h, dim=1))
    return outs


def default_epochs(epochs: int) -> list[int]:
    """0, 1, 2, 4, ... (powers of two) and the last epoch."""
    marks = {0, epochs}
    k = 1
    while k < epochs:
        marks.add(k)
        k *= 2
    return sorted(marks)


def train_and_record(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    *,
    activation: str = "tanh",
    hidden: tuple[int, ...] = HIDDEN,
    epochs: int = 256,
    record_at: list[int] | None = None,
    batch_size: int = 64,
    lr: float = 3e-3,
    seed: int | None = 0,
    device: str | torch.device = "cpu",
    progress: bool | None = None,
) -> Recording:
    """Train the MLP (cross-entropy, Adam, shuffled minibatches) and record each layer's
    activations on ``x_train`` at the epochs ``record_at`` (default :func:`default_epochs`;
    epoch 0 is the initial network). Same seed, same numbers."""
    x = v.samples(x_train, "x_train", min_n=2)
    y = np.asarray(y_train, dtype=np.int64)
    if y.shape != (x.shape[0],):
        raise ValueError(f"y_train must have shape ({x.shape[0]},), got {y.shape}")
    epochs = v.integer(epochs, "epochs", low=0)
    marks = default_epochs(epochs) if record_at is None else sorted(set(record_at))
    if marks and (marks[0] < 0 or marks[-1] > epochs):
        raise ValueError(f"record_at must lie in [0, epochs={epochs}], got {marks}")
    batch_size = v.integer(batch_size, "batch_size", low=1)
    lr = v.positive(lr, "lr")
    seed = v.concrete_seed(seed)
    dev = torch.device(device)
    n_classes = int(y.max()) + 1 if y_test is None or len(y_test) == 0 else int(
        max(y.max(), np.max(y_test))) + 1
    net = build_mlp(x.shape[1], n_classes, tuple(hidden), activation, seed).to(dev)
    xt = torch.from_numpy(x).to(dev)
    yt = torch.from_numpy(y).to(dev)
    test = None
    if x_test is not None and len(x_test):
        test = (torch.from_numpy(v.samples(x_test, "x_test")).to(dev),
                torch.from_numpy(np.asarray(y_test, dtype=np.int64)).to(dev))
    rec = Recording(marks, [f"{i + 1}" for i in range(len(hidden))] + ["out"])
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    from tqdm.auto import tqdm

    for epoch in tqdm(range(epochs + 1), desc=f"train {activation}", unit="epoch",
                      disable=bar_disabled(progress), leave=False):
        if epoch > 0:
            for idx in torch.randperm(x.shape[0], generator=gen).split(batch_size):
                idx = idx.to(dev)
                opt.zero_grad()
                nn.functional.cross_entropy(net(xt[idx]), yt[idx]).backward()
                opt.step()
        if epoch in marks:
            _record(rec, epoch, net, xt, yt, test)
    return rec


def _record(rec: Recording, epoch: int, net, xt, yt, test) -> None:
    with torch.no_grad():
        outs = layer_outputs(net, xt)
        logits = net(xt)
        rec.activations[epoch] = [o.cpu().numpy() for o in outs]
        rec.loss[epoch] = float(nn.functional.cross_entropy(logits, yt))
        rec.train_accuracy[epoch] = float((logits.argmax(1) == yt).double().mean())
        if test is not None:
            rec.test_accuracy[epoch] = float((net(test[0]).argmax(1) == test[1]).double().mean())
