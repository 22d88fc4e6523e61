"""Shared hypothesis strategies (one place, reused by every property test)."""

from __future__ import annotations

from hypothesis import strategies as st

from revinfo import flows

MIN_DIM = {"additive": 2, "affine": 2, "spline": 2, "revnet": 2}

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
