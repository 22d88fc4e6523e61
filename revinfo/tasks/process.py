r"""Process tasks (inputs "sequence"): a (source, target) pair of time series of length n
whose truth is the transfer entropy :math:`T_{X\to Y}` with histories k = l = 1 and source
lag 1 (the defaults of :func:`revinfo.estimate.transfer_entropy`), in nats.

* ``var1-c0.3``, ``var2-c0.3``: stable Gaussian VAR(1)/VAR(2) on R^4, source = components
  0, 1, target = 2, 3; the target's equation reads the source's past with a coupling
  strength c (swept over :data:`COUPLINGS`; c = 0 gives T = 0), the source ignores the
  target. The coefficient matrices are block lower triangular, so the VAR is stable for
  every c (its companion eigenvalues are those of the two uncoupled blocks).
* ``var1-c0.6+affine``...: the same process with a fixed bijection applied at every time
  step to each sub-process separately, :math:`X_t \to f(X_t)`, :math:`Y_t \to g(Y_t)`
  (separately seeded networks of every kind). The transfer entropy is a conditional MI of
  the blocks :math:`Y_{t+1}`, :math:`X_t`, :math:`Y_t`; f and g act on each block
  separately and bijectively, so it is unchanged (:mod:`revinfo.tasks.conditional`).
* ``ar-activations-linear`` / ``ar-activations-tanh``: the hidden states of a small fixed
  autoregressive (recurrent) network :math:`h_t = W h_{t-1} + U e_t`, e_t ~ N(0, I_4)
  (the innovations, e.g. token embeddings), W a fixed dense random 4 x 4 matrix of
  spectral radius 0.9, units 0, 1 the source and 2, 3 the target (coupled both ways).
  The hidden state is linear-Gaussian, a VAR(1) with A = W, Q = U U^T, so its transfer
  entropy is exact. ``-tanh`` observes the activations :math:`a_t = \tanh(h_t)` instead: a
  fixed per-unit injective nonlinearity applied to the outputs only (it does not feed back
  into the recursion), hence a bijection of each block onto its image, and the same
  argument leaves the transfer entropy unchanged. (The units have standard deviations about
  1; in float64 tanh rounds to +-1 only for |h| > 19: no ties in practice.)

Sampling starts from the exact stationary law (:func:`revinfo.exact.sample_var`), so the
series are stationary from the first step. Truths: :func:`revinfo.exact.transfer_entropy_var`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from revinfo.result import Estimate
from revinfo.tasks._common import fmt, push, task_seed
from revinfo.tasks._flow_kinds import DEPTH, FLOW_KINDS
from revinfo.tasks.base import Task
from revinfo.tasks.registry import register

SOURCE, TARGET = [0, 1], [2, 3]
COUPLINGS = (0.0, 0.1, 0.3, 0.6, 1.0)
PUSHED = {1: (0.6, FLOW_KINDS), 2: (0.6, ("affine", "spline"))}  # order: (c, kinds)
TAGS = ("process", "gaussian", "closed-form", "transfer-entropy")

# Uncoupled blocks (lag 1, lag 2) and the coupling pattern (target from source).
_SRC = (np.array([[0.5, 0.2], [-0.2, 0.4]]), np.array([[-0.2, 0.0], [0.0, -0.2]]))
_TGT = (np.array([[0.4, -0.1], [0.3, 0.3]]), np.array([[-0.1, 0.0], [0.1, -0.2]]))
_CPL = (np.array([[0.6, 0.0], [0.3, 0.5]]), np.array([[0.3, 0.0], [0.0, -0.3]]))


def var_coefficients(order: int, c: float) -> np.ndarray:
    """The (order, 4, 4) coefficients of the coupled VAR (module docstring)."""
    a = np.zeros((order, 4, 4))
    for i in range(order):
        a[i, :2, :2], a[i, 2:, 2:], a[i, 2:, :2] = _SRC[i], _TGT[i], c * _CPL[i]
    return a


def _te_truth(a: np.ndarray, q: np.ndarray, why: str) -> Callable[[], Estimate]:
    def truth() -> Estimate:
        from revinfo import exact

        e = exact.transfer_entropy_var(a, q, SOURCE, TARGET, k=1, l=1)
        return Estimate(e.value, None, f"{e.method} ({why})" if why else e.method, extra=e.extra)

    return truth


def _split(readout: Callable[[np.ndarray], np.ndarray] | None, maps: list[Any] | None):
    """A map of the (n, 4) states to (source, target): per-unit ``readout``, then per
    sub-process ``maps`` (each optional)."""

    def out(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if readout is not None:
            s = readout(s)
        src, tgt = s[:, SOURCE], s[:, TARGET]
        if maps is not None:
            src, tgt = push(maps[0], src), push(maps[1], tgt)
        return src, tgt

    return out


def process_task(
    task_name: str, description: str, a: np.ndarray, q: np.ndarray, tags: tuple[str, ...],
    *, readout: Callable[[np.ndarray], np.ndarray] | None = None, kind: str | None = None,
    why: str = "",
) -> Task:
    """A sequence task on the VAR (a, q); optionally a per-unit readout and per-sub-process
    networks of ``kind`` (seeded from the name)."""
    maps = None
    if kind is not None:
        from revinfo import flows

        seed = task_seed(task_name)
        maps = [flows.build(kind, 2, DEPTH, seed=seed), flows.build(kind, 2, DEPTH, seed=seed + 1)]
    split = _split(readout, maps)

    def sampler(n: int, rng: np.random.Generator):
        from revinfo import exact

        return split(exact.sample_var(a, q, n, seed=rng))

    return Task(name=task_name, description=description, dims=(2, 2), sampler=sampler,
                truth_fn=_te_truth(a, q, why), tags=tags, cheap_truth=True, inputs="sequence")


def var_name(order: int, c: float, kind: str | None = None) -> str:
    base = f"var{order}-c{fmt(c)}"
    return base if kind is None else f"{base}+{kind}"


def var_task(order: int, c: float, kind: str | None = None) -> Task:
    what = (f"Gaussian VAR({order}) on R^4, source units 0-1 drive target units 2-3 with "
            f"coupling {fmt(c)}; TE source -> target, k = l = 1")
    if kind is not None:
        what += f"; per-step depth-{DEPTH} {kind} networks on source and target (TE unchanged)"
    return process_task(var_name(order, c, kind), what, var_coefficients(order, c), np.eye(4),
                        _var_tags(kind), kind=kind,
                        why="" if kind is None else "invariant under per-step bijections")


def _var_tags(kind: str | None) -> tuple[str, ...]:
    return TAGS if kind is None else (*TAGS, "pushed", "flow", kind)


def network() -> tuple[np.ndarray, np.ndarray]:
    """(W, U U^T) of the fixed recurrent network of the activations tasks."""
    rng = np.random.default_rng(task_seed("ar-activations"))
    w = rng.standard_normal((4, 4))
    w *= 0.9 / np.max(np.abs(np.linalg.eigvals(w)))
    u = rng.standard_normal((4, 4)) / 4.0  # unit standard deviations about 1
    return w, u @ u.T


def activations_task(readout: str) -> Task:
    w, q = network()
    fn = np.tanh if readout == "tanh" else None
    what = ("hidden states of a fixed linear recurrent network h_t = W h_{t-1} + U e_t "
            "(spectral radius 0.9) driven by Gaussian innovations; TE units 0-1 -> 2-3, k = l = 1")
    if fn is not None:
        what += "; observed through tanh per unit (TE unchanged)"
    tags = (*TAGS, "activations", readout)
    return process_task(f"ar-activations-{readout}", what, w, q, tags, readout=fn,
                        why="" if fn is None else "invariant under a per-unit readout")


for _o in (1, 2):
    for _c in COUPLINGS:
        register(var_name(_o, _c), lambda o=_o, c=_c: var_task(o, c), _var_tags(None))
    _c, _kinds = PUSHED[_o]
    for _k in _kinds:
        register(var_name(_o, _c, _k), lambda o=_o, c=_c, k=_k: var_task(o, c, k), _var_tags(_k))
for _r in ("linear", "tanh"):
    register(f"ar-activations-{_r}", lambda r=_r: activations_task(r),
             (*TAGS, "activations", _r))
