r"""Conjecture: H(Q_N(X) | Q_N(f(X))), the bits needed to recover X to N bits given f(X) to
N bits, stays bounded as N grows for a smooth bijection f and grows linearly where f
collapses dimensions (ReLU: slope P(collapse) ln 2 nats per bit).

Q_N(x) = floor(2^N x) per coordinate. In 1-D (X ~ N(0, 1)) the joint law of
(Q_N X, Q_N f(X)) for a non-decreasing f is computed exactly from the normal CDF: the
x-grid and the preimages of the f-grid cut the line into intervals, each inside one
(x-cell, f-cell) pair; H(Q X | Q f X) = H(Q X, Q f X) - H(Q f X). The per-bit increments
are exact numbers; the growth rate is the mean increment over the last bits, its stderr
the scatter of those increments, compared with 0 (bounded) or P(collapse) ln 2 (linear).
``log_rate`` (the fitted geometric decay of increment - target per bit) is reported too:
a finite N cannot tell a slowly converging bounded sequence from slow growth.
In 2-D (X ~ N(0, I_2)) by plug-in entropies of large samples over independent sample
sets, with the slope's stderr from the spread across sets; at fixed n the plug-in
saturates near log n, so only small N are usable there.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from scipy.special import ndtr

from revinfo.claims._stats import agree, mean_se, sub_seed
from revinfo.claims.registry import claim

LIMIT = 9.0  # |x| beyond 9 carries probability < 3e-19

MAPS: dict[str, tuple[Callable, Callable, float]] = {
    # name: (f, preimage of a point of the f-grid (None: not a breakpoint), P(collapse))
    "asinh": (np.arcsinh, np.sinh, 0.0),
    "half-cube": (lambda x: x * np.sqrt(np.abs(x)),
                  lambda y: np.sign(y) * np.abs(y) ** (2.0 / 3.0), 0.0),
    "leaky": (lambda x: np.where(x < 0, 0.5 * x, x), lambda y: np.where(y < 0, 2.0 * y, y), 0.0),
    "relu": (lambda x: np.maximum(x, 0.0), lambda y: np.where(y > 0, y, np.nan), 0.5),
}


def _entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def conditional_entropy_1d(f: Callable, preimage: Callable, bits: int) -> float:
    """H(Q_N X | Q_N f(X)) in nats for X ~ N(0, 1) and a non-decreasing f, exactly."""
    scale = 2.0**bits
    xb = np.arange(math.floor(-LIMIT * scale), math.ceil(LIMIT * scale) + 1) / scale
    fl, fh = f(np.array([-LIMIT, LIMIT]))
    yb = np.arange(math.floor(fl * scale), math.ceil(fh * scale) + 1) / scale
    pre = preimage(yb)
    pre = pre[np.isfinite(pre) & (np.abs(pre) < LIMIT)]
    cuts = np.unique(np.concatenate([[-LIMIT, LIMIT], xb[np.abs(xb) < LIMIT], pre]))
    p = np.diff(ndtr(cuts))
    mid = 0.5 * (cuts[:-1] + cuts[1:])
    qx = np.floor(mid * scale).astype(np.int64)
    qy = np.floor(f(mid) * scale).astype(np.int64)
    # intervals are sorted and f non-decreasing: each (qx, qy) pair is one contiguous run
    new = np.r_[True, (np.diff(qx) != 0) | (np.diff(qy) != 0)]
    p_joint = np.add.reduceat(p, np.flatnonzero(new))
    p_y = np.add.reduceat(p, np.flatnonzero(np.r_[True, np.diff(qy) != 0]))
    return _entropy(p_joint) - _entropy(p_y)


def increments_1d(name: str, bits: range) -> np.ndarray:
    f, pre, _ = MAPS[name]
    return np.array([conditional_entropy_1d(f, pre, b) for b in bits])


def _codes(a: np.ndarray) -> np.ndarray:
    """One int64 code per row of a non-negative int array (cells as single keys)."""
    a = a - a.min(0)
    code = np.zeros(a.shape[0], dtype=np.int64)
    for j in range(a.shape[1]):
        code = code * (int(a[:, j].max()) + 1) + a[:, j]
    return code


def _plugin(codes: np.ndarray) -> float:
    """Miller–Madow corrected plug-in entropy of the cell codes, in nats."""
    counts = np.unique(codes, return_counts=True)[1]
    return _entropy(counts / codes.size) + (counts.size - 1) / (2 * codes.size)


def conditional_entropy_samples(x: np.ndarray, fx: np.ndarray, bits: int) -> float:
    """Plug-in (Miller–Madow) H(Q_N X | Q_N f(X)) from samples, in nats."""
    qx = np.floor(x * 2.0**bits).astype(np.int64)
    qy = np.floor(fx * 2.0**bits).astype(np.int64)
    return _plugin(_codes(np.hstack([qx, qy]))) - _plugin(_codes(qy))


def geometric_rate(values: np.ndarray) -> tuple[float, float]:
    """Fit log|v_N| = c + N log r over the sequence; (log r, its stderr from the scatter)."""
    y = np.log(np.maximum(np.abs(values), 1e-300))
    n = np.arange(y.size, dtype=np.float64)
    coef, res, *_ = np.polyfit(n, y, 1, full=True)[:2] + (None,)
    resid = y - np.polyval(coef, n)
    se = math.sqrt(float(resid @ resid) / (y.size - 2) / float(((n - n.mean()) ** 2).sum()))
    return float(coef[0]), se


BITS_1D = range(2, 15)
BITS_2D = (1, 2, 3)
TAIL = 8  # the last TAIL increments enter the rate fit


@claim("quantization-conjecture",
       "H(Q_N X | Q_N f(X)) stays bounded in N for bijections (asinh, half-cube, leaky) and "
       "grows by P(collapse) ln 2 nats per bit for ReLU (exact in 1-D from CDFs, N <= 14; 2-D "
       "ReLU by samples against the exact value)",
       "conjecture", proof="quantization_entropy")
def check(seed: int, n2d: int = 200_000, repeats: int = 4):
    ev, holds = {"bits_1d": list(BITS_1D)}, True
    for name, (_, _, p_collapse) in MAPS.items():
        h = increments_1d(name, BITS_1D)
        inc = np.diff(h)
        target = p_collapse * math.log(2)
        # bounded (target 0) or linear with slope target: the mean growth per bit over the
        # last TAIL bits equals the target within Z of its stderr (scatter of the increments)
        tail_mean, tail_se = mean_se(inc[-TAIL:])
        ok, _, tol = agree(tail_mean, target, tail_se)
        rate, rate_se = geometric_rate(inc[-TAIL:] - target)
        ev.update({f"{name}.H_cond_nats": h, f"{name}.increment_per_bit": inc,
                   f"{name}.target_slope": target, f"{name}.tail_slope": tail_mean,
                   f"{name}.tail_slope_stderr": tail_se, f"{name}.tolerance": tol,
                   f"{name}.log_rate": rate,
                   f"{name}.log_rate_stderr": rate_se, f"{name}.holds": ok})
        holds = holds and ok
    # 2-D by samples, f = ReLU on both coordinates of X ~ N(0, I_2): the coordinates are
    # independent and the quantizers act per coordinate, so the exact value is 2 x the 1-D one
    per_bit = {b: [] for b in BITS_2D}
    smooth = []
    rot = np.array([[0.8, -0.6], [0.6, 0.8]])
    for r in range(repeats):
        x = np.random.default_rng(sub_seed(seed, 5, r)).normal(size=(n2d, 2))
        for b in BITS_2D:
            per_bit[b].append(conditional_entropy_samples(x, np.maximum(x, 0.0), b))
        fx = np.arcsinh(x @ rot.T)
        smooth.append([conditional_entropy_samples(x, fx, b) for b in BITS_2D])
    for b in BITS_2D:
        m, se = mean_se(per_bit[b])
        target = 2 * conditional_entropy_1d(*MAPS["relu"][:2], b)
        ok, _, tol = agree(m, target, se)
        ev.update({f"2d.relu.bits{b}.samples": m, f"2d.relu.bits{b}.stderr": se,
                   f"2d.relu.bits{b}.exact": target, f"2d.relu.bits{b}.holds": ok})
        holds = holds and ok
    smooth = np.array(smooth)
    ev.update({"2d.asinh_rotation.H_cond_nats": smooth.mean(0),
               "2d.relu.sample_slope": (np.mean(per_bit[BITS_2D[-1]]) - np.mean(per_bit[BITS_2D[0]]))
               / (BITS_2D[-1] - BITS_2D[0]), "2d.relu.asymptotic_slope": math.log(2)})
    return holds, ev
