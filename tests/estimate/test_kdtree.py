"""The compiled max-norm tree (revinfo.estimate._kdtree) against brute force and cKDTree.

The counts and k-th distances must be *equal* (integers, and distances that are the same
float64 differences), on random data and on tied data: integer grids with duplicate rows
and radii that are exactly pairwise distances, where a < vs <= slip changes the count.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial import cKDTree

from revinfo.estimate import _kdtree
from revinfo.estimate.knn import _count_within
from tests.strategies import seeds


def max_norm_matrix(a: np.ndarray) -> np.ndarray:
    return np.max(np.abs(a[:, None, :] - a[None, :, :]), axis=2)


def brute_counts(a: np.ndarray, r: np.ndarray) -> np.ndarray:
    return np.sum(max_norm_matrix(a) <= r[:, None], axis=1)


def datasets(kind: str, n: int, d: int, seed: int) -> np.ndarray:
    g = np.random.default_rng(seed)
    if kind == "random":
        return g.standard_normal((n, d))
    return g.integers(-3, 4, (n, d)).astype(float)  # a 7^d grid: duplicates and ties


def radii(a: np.ndarray, seed: int) -> np.ndarray:
    """Radii that are exactly distances between rows (a count's boundary case), some 0."""
    dm = max_norm_matrix(a)
    g = np.random.default_rng(seed)
    return dm[np.arange(a.shape[0]), g.integers(0, a.shape[0], a.shape[0])]


@pytest.mark.parametrize("kind", ["random", "tied"])
@pytest.mark.parametrize("d", [1, 2, 3, 5])
@pytest.mark.parametrize("leaf", [1, 4, 32])
def test_count_within_equals_brute_force(kind: str, d: int, leaf: int) -> None:
    a = datasets(kind, 400, d, seed=d)
    r = radii(a, seed=leaf)
    got = _kdtree.count_within(_kdtree.Tree(a, leaf), r, workers=1)
    assert np.array_equal(got, brute_counts(a, r))
    # the strict convention (KSG1): "< eps" as "<= the previous double", as before (for
    # eps = 0 that is "<= 0", the row and its duplicates)
    strict = _kdtree.count_within(_kdtree.Tree(a, leaf), np.nextafter(r, 0.0), workers=2)
    below = np.sum(max_norm_matrix(a) < r[:, None], axis=1)
    assert np.array_equal(strict, np.where(r > 0, below, brute_counts(a, r)))


@pytest.mark.parametrize("kind", ["random", "tied"])
@pytest.mark.parametrize("strict", [True, False])
def test_counts_equal_the_old_ckdtree_counts(kind: str, strict: bool) -> None:
    # The implementation this replaced (cKDTree.query_ball_point), on a tree deep enough
    # that whole nodes are added (n = 6000, 5-D).
    a = datasets(kind, 6000, 5, seed=3)
    eps = cKDTree(a).query(a, k=4, p=np.inf)[0][:, 3]
    r = np.nextafter(eps, 0.0) if strict else eps
    old = cKDTree(a).query_ball_point(a, r, p=np.inf, return_length=True) - 1
    assert np.array_equal(_count_within(a, eps, strict, workers=-1), old)


@pytest.mark.parametrize("kind", ["random", "tied"])
@pytest.mark.parametrize("d", [1, 2, 4, 10])
@pytest.mark.parametrize("k", [1, 2, 4, 9])
def test_kth_distance_equals_brute_force_and_ckdtree(kind: str, d: int, k: int) -> None:
    a = datasets(kind, 500, d, seed=10 * d + k)
    got = _kdtree.kth_distance(_kdtree.Tree(a, 8), k, workers=2)
    assert np.array_equal(got, np.sort(max_norm_matrix(a), axis=1)[:, k - 1])
    assert np.array_equal(got, cKDTree(a).query(a, k=[k], p=np.inf)[0][:, 0])


@given(
    n=st.integers(min_value=1, max_value=120),
    d=st.integers(min_value=1, max_value=4),
    levels=st.integers(min_value=1, max_value=5),
    leaf=st.integers(min_value=1, max_value=20),
    seed=seeds,
)
def test_tree_queries_property(n: int, d: int, levels: int, leaf: int, seed: int) -> None:
    # Few distinct values per coordinate: all-equal nodes, duplicate rows, tied distances.
    a = np.random.default_rng(seed).integers(0, levels, (n, d)) * 0.1
    tree = _kdtree.Tree(a, leaf)
    assert sorted(tree.perm.tolist()) == list(range(n))
    r = radii(a, seed)
    assert np.array_equal(_kdtree.count_within(tree, r, workers=1), brute_counts(a, r))
    k = 1 + seed % n
    assert np.array_equal(_kdtree.kth_distance(tree, k, workers=1),
                          np.sort(max_norm_matrix(a), axis=1)[:, k - 1])


def test_workers_do_not_change_the_counts() -> None:
    a = datasets("random", 3000, 3, seed=0)
    tree = _kdtree.Tree(a)
    r = np.full(3000, 0.3)
    one = _kdtree.count_within(tree, r, workers=1)
    assert np.array_equal(one, _kdtree.count_within(tree, r, workers=2))
    assert np.array_equal(_kdtree.kth_distance(tree, 4, 1), _kdtree.kth_distance(tree, 4, -1))
