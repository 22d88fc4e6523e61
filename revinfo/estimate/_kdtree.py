r"""A compiled (numba) KD-tree for the max-norm queries of the KSG estimator.

Two queries, both over every row of the data the tree was built on, in parallel:

* :func:`kth_distance`: the distance from each row to its k-th nearest row (the row itself
  counts as its own nearest, at distance 0), in the max-norm;
* :func:`count_within`: #{j : max_c |a_jc - a_ic| <= r_i} for each row i (the row itself
  included).

Each node keeps the tight bounding box of its rows and its row count. Counting adds whole
nodes whose box lies inside the query box and skips nodes outside it, so it visits only
the nodes that cut the box's surface instead of enumerating every neighbour (as
``cKDTree.query_ball_point(..., return_length=True)`` does). The box tests use the same
floating-point differences as the per-row test (``|a_j - q|`` in float64, monotone in
``a_j``), so a node is taken whole only if every one of its rows would pass the row test:
the counts equal a brute-force count exactly, ties included.

Rows are stored in tree order, and queries run in tree order (neighbouring queries touch
the same nodes, which keeps them in cache); results are returned in the input order.
Splits are at the median of the widest coordinate (Friedman, Bentley & Finkel, ACM TOMS 3
(1977)).
"""

from __future__ import annotations

import threading

import numba as nb
import numpy as np

LEAF = 32  # rows per leaf at most; of 8..128, best or within 10% of it for the 10-D joint
# search and the 5-D counts at n = 2e4 and 2e5 (measured on the 2-core machine, under load)
BLOCK = 256  # queries per parallel task (consecutive in tree order)
_LAUNCH = threading.Lock()  # numba's workqueue layer aborts on concurrent parallel launches
STACK = 256  # traversal stack; depth <= log2(n) + 1 since splits are at the median


class Tree:
    """The flattened tree: rows in tree order and the node arrays."""

    def __init__(self, a: np.ndarray, leaf: int = LEAF) -> None:
        a = np.ascontiguousarray(a, dtype=np.float64)
        self.perm, self.start, self.end, self.left, self.lo, self.hi = _build(a, leaf)
        self.cols = np.ascontiguousarray(a[self.perm].T)  # (d, n): a leaf's coordinate c is
        self.width = int(np.max(self.end - self.start))  # contiguous (the scans vectorise)


@nb.njit(cache=True)
def _box(points, perm, s, e, lo, hi):
    d = points.shape[1]
    for c in range(d):
        lo[c] = np.inf
        hi[c] = -np.inf
    for t in range(s, e):
        p = perm[t]
        for c in range(d):
            lo[c] = min(lo[c], points[p, c])
            hi[c] = max(hi[c], points[p, c])


@nb.njit(cache=True)
def _split(points, perm, s, e, c):
    """Reorder perm[s:e] so that the rows before the middle have coordinate c <= median <=
    the rows after it; returns the middle position."""
    m = e - s
    mid = s + m // 2
    keys = np.empty(m)
    for t in range(m):
        keys[t] = points[perm[s + t], c]
    pivot = np.partition(keys, m // 2)[m // 2]
    seg = perm[s:e].copy()
    t = s
    for u in range(m):  # rows below the pivot, then rows at the pivot, then rows above
        if keys[u] < pivot:
            perm[t] = seg[u]
            t += 1
    for u in range(m):
        if keys[u] == pivot:
            perm[t] = seg[u]
            t += 1
    for u in range(m):
        if keys[u] > pivot:
            perm[t] = seg[u]
            t += 1
    return mid


@nb.njit(cache=True)
def _build(points, leaf):
    n, d = points.shape
    cap = 4 * (n // leaf) + 8
    perm = np.arange(n)
    start = np.empty(cap, np.int64)
    end = np.empty(cap, np.int64)
    left = np.full(cap, -1, np.int64)  # children of node i: left[i], left[i] + 1
    lo = np.empty((cap, d))
    hi = np.empty((cap, d))
    start[0], end[0] = 0, n
    count = 1
    todo = np.empty(STACK, np.int64)
    todo[0] = 0
    top = 1
    while top > 0:
        top -= 1
        i = todo[top]
        s, e = start[i], end[i]
        _box(points, perm, s, e, lo[i], hi[i])
        if e - s <= leaf:
            continue
        c = int(np.argmax(hi[i] - lo[i]))
        if hi[i, c] == lo[i, c]:  # all rows equal: one big leaf
            continue
        mid = _split(points, perm, s, e, c)
        left[i] = count
        start[count], end[count] = s, mid
        start[count + 1], end[count + 1] = mid, e
        todo[top], todo[top + 1] = count, count + 1
        top += 2
        count += 2
    return perm, start[:count], end[:count], left[:count], lo[:count], hi[:count]


@nb.njit(cache=True)
def _box_distance(q, lo, hi):
    """Max-norm distance from q to the box [lo, hi] (0 inside)."""
    r = 0.0
    for c in range(q.shape[0]):
        r = max(r, lo[c] - q[c], q[c] - hi[c])
    return r


@nb.njit(cache=True)
def _leaf_distances(cols, s, e, q, dist):
    """dist[:e - s] = max-norm distances from q to rows s..e-1 (branch-free, vectorised)."""
    m = e - s
    for j in range(m):
        dist[j] = 0.0
    for c in range(cols.shape[0]):
        qc = q[c]
        col = cols[c]
        for j in range(m):
            dist[j] = max(dist[j], abs(col[s + j] - qc))


@nb.njit(cache=True)
def _kth_one(cols, start, end, left, lo, hi, q, k, best, todo, gap, dist):
    """k-th smallest max-norm distance from q to the rows (best: k sorted slots)."""
    for t in range(k):
        best[t] = np.inf
    todo[0] = 0
    gap[0] = 0.0
    top = 1
    while top > 0:
        top -= 1
        i = todo[top]
        if gap[top] >= best[k - 1]:
            continue
        if left[i] < 0:
            s = start[i]
            _leaf_distances(cols, s, end[i], q, dist)
            for j in range(end[i] - s):
                r = dist[j]
                if r < best[k - 1]:  # insert into the sorted slots
                    t = k - 1
                    while t > 0 and best[t - 1] > r:
                        best[t] = best[t - 1]
                        t -= 1
                    best[t] = r
            continue
        a, b = left[i], left[i] + 1
        ga = _box_distance(q, lo[a], hi[a])
        gb = _box_distance(q, lo[b], hi[b])
        if ga > gb:  # push the farther child first, so the nearer one is searched first
            a, b, ga, gb = b, a, gb, ga
        todo[top], gap[top] = b, gb
        todo[top + 1], gap[top + 1] = a, ga
        top += 2
    return best[k - 1]


@nb.njit(parallel=True, cache=True)
def _kth_all(cols, perm, start, end, left, lo, hi, k, width):
    d, n = cols.shape
    out = np.empty(n)
    blocks = (n + BLOCK - 1) // BLOCK
    for blk in nb.prange(blocks):
        best = np.empty(k)
        todo = np.empty(STACK, np.int64)
        gap = np.empty(STACK)
        dist = np.empty(width)
        q = np.empty(d)
        for t in range(blk * BLOCK, min(n, blk * BLOCK + BLOCK)):
            for c in range(d):
                q[c] = cols[c, t]
            out[perm[t]] = _kth_one(cols, start, end, left, lo, hi, q, k, best, todo, gap, dist)
    return out


@nb.njit(cache=True)
def _count_one(cols, start, end, left, lo, hi, q, r, todo, dist):
    d = cols.shape[0]
    total = 0
    todo[0] = 0
    top = 1
    while top > 0:
        top -= 1
        i = todo[top]
        inside = True
        outside = False
        for c in range(d):
            below = q[c] - lo[i, c]  # |a_j - q| for the extreme rows of the node
            above = hi[i, c] - q[c]
            if -below > r or -above > r:
                outside = True
                break
            if below > r or above > r:
                inside = False
        if outside:
            continue
        if inside:
            total += end[i] - start[i]
        elif left[i] >= 0:
            todo[top] = left[i]
            todo[top + 1] = left[i] + 1
            top += 2
        else:
            _leaf_distances(cols, start[i], end[i], q, dist)
            for j in range(end[i] - start[i]):
                total += dist[j] <= r
    return total


@nb.njit(parallel=True, cache=True)
def _count_all(cols, perm, start, end, left, lo, hi, radius, width):
    d, n = cols.shape
    out = np.empty(n, np.int64)
    blocks = (n + BLOCK - 1) // BLOCK
    for blk in nb.prange(blocks):
        todo = np.empty(STACK, np.int64)
        dist = np.empty(width)
        q = np.empty(d)
        for t in range(blk * BLOCK, min(n, blk * BLOCK + BLOCK)):
            for c in range(d):
                q[c] = cols[c, t]
            p = perm[t]
            out[p] = _count_one(cols, start, end, left, lo, hi, q, radius[p], todo, dist)
    return out


def _threads(workers: int) -> int:
    return nb.config.NUMBA_NUM_THREADS if workers == -1 else min(workers,
                                                                   nb.config.NUMBA_NUM_THREADS)


def kth_distance(tree: Tree, k: int, workers: int) -> np.ndarray:
    """Max-norm distance from each row to its k-th nearest row (itself being the first)."""
    with _LAUNCH:
        nb.set_num_threads(_threads(workers))
        return _kth_all(tree.cols, tree.perm, tree.start, tree.end, tree.left, tree.lo, tree.hi,
                        k, tree.width)


def count_within(tree: Tree, radius: np.ndarray, workers: int) -> np.ndarray:
    """#{j : max_c |a_jc - a_ic| <= radius_i} for each row i (i itself included)."""
    r = np.ascontiguousarray(radius, dtype=np.float64)
    with _LAUNCH:
        nb.set_num_threads(_threads(workers))
        return _count_all(tree.cols, tree.perm, tree.start, tree.end, tree.left, tree.lo,
                          tree.hi, r, tree.width)
