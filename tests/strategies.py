"""Shared hypothesis strategies (one place, reused by every property test)."""

from __future__ import annotations

from hypothesis import strategies as st

from revinfo import flows
from revinfo.registry import FLOWS

# Each kind's smallest dimension, as the kind registered it (@flow_kind(..., min_dim=...)).
MIN_DIM = {e.name: int(e.meta.get("min_dim", 1)) for e in FLOWS.entries()}

kinds = st.sampled_from(flows.kinds())
seeds = st.integers(min_value=0, max_value=2**31 - 1)
depths = st.integers(min_value=1, max_value=4)


@st.composite
def flow_specs(draw, max_dim: int = 6, kind_strategy=kinds):
    """(kind, dim, depth, seed) for an arbitrary buildable network."""
    kind = draw(kind_strategy)
    dim = draw(st.integers(min_value=MIN_DIM.get(kind, 1), max_value=max_dim))
    return kind, dim, draw(depths), draw(seeds)


weight_scales = st.one_of(st.none(), st.floats(min_value=0.1, max_value=3.0))


# --- claims (tests/claims) ---------------------------------------------------------------

volume_preserving_kinds = st.sampled_from(["additive", "revnet", "orthogonal"])
sigmas = st.floats(min_value=0.1, max_value=2.0)
correlations = st.floats(min_value=-0.95, max_value=0.95)


@st.composite
def matrices(draw, rows: int, cols: int, scale: float = 2.0):
    """A rows x cols matrix with entries in [-scale, scale] (numpy, float64)."""
    import numpy as np

    entries = st.floats(min_value=-scale, max_value=scale, allow_nan=False)
    return np.array(draw(st.lists(entries, min_size=rows * cols, max_size=rows * cols)),
                    dtype=np.float64).reshape(rows, cols)


@st.composite
def linear_gaussian_chains(draw, max_dim: int = 4):
    """(cov_x, A, s1, B, s2) for X -> T1 = A X + s1 e1 -> T2 = B T1 + s2 e2."""
    import numpy as np

    dx, d1, d2 = (draw(st.integers(1, max_dim)) for _ in range(3))
    m = draw(matrices(dx, dx))
    cov = m @ m.T + 0.1 * np.eye(dx)
    return cov, draw(matrices(d1, dx)), draw(sigmas), draw(matrices(d2, d1)), draw(sigmas)


# --- conditional MI and processes (tests/exact/test_conditional.py, test_var.py) ---------

@st.composite
def gaussian_triples(draw, max_dim: int = 3, min_dz: int = 0):
    """(cov, x, y, z): an SPD covariance of (X, Y, Z) and the three index lists."""
    import numpy as np

    dx, dy = draw(st.integers(1, max_dim)), draw(st.integers(1, max_dim))
    dz = draw(st.integers(min_dz, max_dim))
    d = dx + dy + dz
    m = draw(matrices(d, d))
    cov = m @ m.T + 0.1 * np.eye(d)
    idx = list(range(d))
    return cov, idx[:dx], idx[dx:dx + dy], idx[dx + dy:]


@st.composite
def invertible_matrices(draw, d: int):
    """A well-conditioned invertible d x d matrix: diag(+-1) + M with ||M||_2 <= 0.7."""
    import numpy as np

    m = draw(matrices(d, d, scale=0.4))
    signs = np.diag(draw(st.lists(st.sampled_from([-1.0, 1.0]), min_size=d, max_size=d)))
    return signs + m / max(1.0, np.linalg.norm(m, 2) / 0.7)
