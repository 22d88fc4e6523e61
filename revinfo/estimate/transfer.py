r"""Transfer entropy between two time series, as a conditional MI of delay-embedded vectors.

.. math:: T_{X\to Y} = I\big(Y_{t+1};\ X^{(l)}_{t+1-u}\ \big|\ Y^{(k)}_t\big), \qquad
          Y^{(k)}_t = (Y_t, \dots, Y_{t-k+1}),\ X^{(l)}_{t+1-u} = (X_{t+1-u}, \dots,
          X_{t+2-u-l})

(Schreiber, PRL 85, 461, 2000; the source lag u = ``delay`` as in Wibral et al., PLoS ONE 8,
e55809, 2013, u = 1 being Schreiber's form). The embedded triples of every admissible t (of
every sequence in a batch) go to a conditional-MI estimator of :mod:`.conditional`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from revinfo import _validate as v
from revinfo.estimate.conditional import cmi_binned, cmi_gaussian, cmi_ksg
from revinfo.registry import estimator
from revinfo.result import Estimate

METHODS = {"ksg": cmi_ksg, "gaussian": cmi_gaussian, "binned": cmi_binned}
MIN_EMBEDDED = 2  # rows the CMI estimators need at the least


def sequences(a: Any, name: str) -> np.ndarray:
    """A (T,) or (T, d) sequence, or a (B, T, d) batch, as a float64 (B, T, d) array (each
    sequence checked by :func:`revinfo._validate.samples`)."""
    if getattr(a, "ndim", np.ndim(a) if isinstance(a, (list, tuple)) else None) == 3:
        seqs = [v.samples(s, name) for s in a]
        if len({s.shape for s in seqs}) != 1:
            raise ValueError(f"{name}: the sequences of a batch must share one (T, d) shape")
        return np.stack(seqs)
    try:
        return v.samples(a, name)[None]
    except ValueError as err:
        if "must have shape" in str(err):
            raise ValueError(f"{name} must have shape (T,), (T, d) or (B, T, d), got "
                             f"{np.shape(a)}") from None
        raise


def first_time(k: int, l: int, delay: int) -> int:
    """The first t whose target history Y_t..Y_{t-k+1} and source history
    X_{t+1-u}..X_{t+2-u-l} lie inside the sequence (0-based)."""
    return max(k - 1, delay + l - 2, 0)


def embed(
    source: Any, target: Any, k: int = 1, l: int = 1, delay: int = 1,
    *, min_rows: int = MIN_EMBEDDED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(future, source past, target past): rows Y_{t+1}, X^{(l)}_{t+1-u}, Y^{(k)}_t for
    every admissible t of every sequence, shapes (N, dy), (N, l dx), (N, k dy).

    Validates both sequences (same batch size and length, no NaN), k, l, delay >= 1 and a
    length that leaves at least ``min_rows`` embedded rows per sequence (ValueError naming
    the argument)."""
    k = v.integer(k, "k", low=1)
    l = v.integer(l, "l", low=1)
    delay = v.integer(delay, "delay", low=1)
    xs, ys = sequences(source, "source"), sequences(target, "target")
    if xs.shape[:2] != ys.shape[:2]:
        raise ValueError(
            f"source and target must have the same batch size and length, got (B, T) = "
            f"{xs.shape[:2]} and {ys.shape[:2]}"
        )
    length = xs.shape[1]
    t0 = first_time(k, l, delay)
    if length - 1 - t0 < min_rows:
        raise ValueError(
            f"source and target of length {length} are too short for the histories k={k}, "
            f"l={l}, delay={delay}: need at least {t0 + 1 + min_rows} time steps"
        )
    ts = np.arange(t0, length - 1)
    future = ys[:, ts + 1]
    tgt_past = np.concatenate([ys[:, ts - j] for j in range(k)], axis=-1)
    src_past = np.concatenate([xs[:, ts + 1 - delay - j] for j in range(l)], axis=-1)
    return tuple(a.reshape(-1, a.shape[-1]) for a in (future, src_past, tgt_past))


@estimator("transfer_entropy", inputs="sequence", quantity="te")
def transfer_entropy(
    source: Any,
    target: Any,
    k: int = 1,
    l: int = 1,
    delay: int = 1,
    method: str = "ksg",
    *,
    neighbours: int = 3,
    **options: Any,
) -> Estimate:
    r"""Transfer entropy :math:`T_{X\to Y}` from ``source`` to ``target`` in nats (module
    docstring), estimated by a conditional-MI estimator on the embedded vectors.

    Arguments:
        source: the source sequence X, of shape (T,) or (T, d), or a batch (B, T, d) of
            independent sequences of the same process (their embedded rows are pooled);
            numpy or torch.
        target: the target sequence Y, shaped like ``source`` (same T and B).
        k: target history length (>= 1); l: source history length (>= 1);
        delay: source lag u (>= 1; u = 1 pairs X_t with Y_{t+1}).
        method: ``"ksg"`` (:func:`~revinfo.estimate.cmi_ksg`, Frenzel–Pompe),
            ``"gaussian"`` (:func:`~revinfo.estimate.cmi_gaussian`, i.e. half the
            Granger log-ratio) or ``"binned"`` (:func:`~revinfo.estimate.cmi_binned`).
        neighbours: the neighbour order of ``"ksg"``.
        options: passed to the CMI estimator (``bins=``, ``standardize=``, ``workers=``...).

    Returns:
        An :class:`~revinfo.Estimate`; ``n`` is the number of embedded rows,
        ``extra["cmi"]`` the estimator's own result.

    Example:
        >>> import numpy as np
        >>> g = np.random.default_rng(0).standard_normal((2, 20_000))
        >>> x = g[0]; y = np.r_[0.0, x[:-1]] + g[1]  # Y_{t+1} = X_t + noise: T = 1/2 log 2
        >>> bool(abs(transfer_entropy(x, y, method="gaussian").value - 0.5 * np.log(2)) < 0.02)
        True
    """
    t0 = time.perf_counter()
    fn = METHODS[v.choice(method, "method", METHODS)]
    min_rows = MIN_EMBEDDED
    if method == "ksg":
        options = {"k": v.integer(neighbours, "neighbours", low=1), **options}
        min_rows = max(min_rows, options["k"] + 1)
    future, src_past, tgt_past = embed(source, target, k, l, delay, min_rows=min_rows)
    cmi = fn(future, src_past, tgt_past, **options)
    return Estimate(
        cmi.value, cmi.stderr, f"transfer entropy ({cmi.method})", future.shape[0],
        time.perf_counter() - t0, {"k": k, "l": l, "delay": delay, "cmi": cmi},
    )
