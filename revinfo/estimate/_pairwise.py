"""Chunked log-sum-exp over pairwise squared distances, shared by the KDE bounds and
sample propagation. Memory is O(chunk x n): the n x n matrix is never formed."""

from __future__ import annotations

import torch

# Numbers (rows x centres) in one block: 2^22 float64 = 32 MiB. Measured for
# entropy_noisy at n = 2e4, d = 10 on 2 heavily shared CPU cores (load ~9, so noisy):
# blocks of 2^16 / 2^18 / 2^20 / 2^21 / 2^22 / 2^23 / 2^25 numbers took
# 66 / 95 / 29 / 16 / 6.2 / 14 / 13 s. Small blocks lose 4x+ (tiny matmuls, Python loop);
# 2^22 was the fastest; larger blocks only add memory.
# `python benchmarks/bench_entropy_noisy.py --chunks` repeats the measurement.
BLOCK_ELEMENTS = 2**22
# exp() of float64 overflows above ~709; below this bound the shifted sum is safe.
_EXP_SAFE = 600.0
# Largest rounding error (nats) allowed in an exponent computed by the expansion
# |q|^2 + |c|^2 - 2 q.c; past it (far-out points, tiny sigma) the distances are computed
# directly (torch.cdist without matmul: ~1.5x slower per block, same O(chunk x n) memory).
EXPANSION_TOL = 1e-9


def default_chunk(n_centres: int) -> int:
    """Rows per block so that a block holds about :data:`BLOCK_ELEMENTS` numbers."""
    return max(1, BLOCK_ELEMENTS // max(1, n_centres))


def logsumexp_sqdist(
    queries: torch.Tensor,
    centres: torch.Tensor,
    scale: float,
    *,
    base: torch.Tensor | None = None,
    own: torch.Tensor | None = None,
    chunk: int | None = None,
) -> torch.Tensor:
    r"""For each query row r: :math:`\log \sum_j \exp(-a(\|q_r - c_j\|^2 - b_r))`.

    ``a = scale``, ``b = base`` (zeros if None). Where ``own`` is given, the term
    ``(r, own[r])`` is set to exactly 0 (its true value when ``b_r`` is the squared distance
    to that centre), so the result is >= 0 in floating point too. Runs on the device of
    ``queries``; both inputs must share device and dtype.

    One matmul per block on augmented rows gives every exponent at once:
    :math:`[2a q, -a, -a(|q|^2 - b)] \cdot [c, |c|^2, 1]`. With ``own`` the exponents are
    bounded by :math:`a b_r`, so when that is small the sum is taken without the max shift
    (three passes over the block instead of six). Where the expansion's rounding error,
    about :math:`a\,\epsilon\,(d + 2)(\max|q|^2 + \max|c|^2)`, could exceed
    :data:`EXPANSION_TOL`, each block's distances are computed directly instead (the
    expansion cancels: at |x| = 1e9 it moved mi_kde([1e9, 0, 1], 1) from 0.7826 to 0.6365).
    """
    m, n = queries.shape[0], centres.shape[0]
    rows = default_chunk(n) if chunk is None else chunk
    shift = centres.mean(dim=0, keepdim=True)  # centring limits cancellation
    c = centres - shift
    ones = torch.ones_like(c[:, :1])
    c_aug = torch.cat([c, (c * c).sum(dim=1, keepdim=True), ones], dim=1)
    q = queries - shift
    row = (q * q).sum(dim=1) if base is None else (q * q).sum(dim=1) - base
    q_aug = torch.cat([2.0 * scale * q, -scale * torch.ones_like(q[:, :1]), -scale * row[:, None]], 1)
    fast = own is not None and (base is None or float(base.max()) * scale < _EXP_SAFE)
    direct = not _expansion_error(q, c, scale) <= EXPANSION_TOL  # NaN (overflow): direct
    out = torch.empty(m, dtype=queries.dtype, device=queries.device)
    for start in range(0, m, rows):
        stop = min(start + rows, m)
        if direct:
            expo = _direct_exponents(queries[start:stop], centres, scale,
                                     None if base is None else base[start:stop])
        else:
            expo = q_aug[start:stop] @ c_aug.T
        if own is not None:
            expo[torch.arange(stop - start, device=expo.device), own[start:stop]] = 0.0
        if fast:  # every exponent <= a b_r + rounding, and the own term is exp(0) = 1
            out[start:stop] = expo.exp_().sum(dim=1).log_()
        else:
            out[start:stop] = torch.logsumexp(expo, dim=1)
    return out


def _expansion_error(q: torch.Tensor, c: torch.Tensor, scale: float) -> float:
    """A bound on the rounding error of ``a (|q|^2 + |c|^2 - 2 q.c)`` over all pairs."""
    eps = torch.finfo(q.dtype).eps
    big = float((q * q).sum(1).max()) + float((c * c).sum(1).max())
    return scale * eps * (q.shape[1] + 2) * big


def _direct_exponents(
    q: torch.Tensor, c: torch.Tensor, scale: float, base: torch.Tensor | None
) -> torch.Tensor:
    """``-a (|q_r - c_j|^2 - b_r)`` from the differences themselves (no cancellation)."""
    sq = torch.cdist(q, c, compute_mode="donot_use_mm_for_euclid_dist").square_()
    if base is not None:
        sq -= base[:, None]
    return sq.mul_(-scale)
