"""Every kind is an exact bijection with an exact log|det J| (checked against autograd)."""

import torch
from hypothesis import given
from hypothesis import strategies as st

from revinfo import flows
from revinfo.flows.adapters import jacobian_logabsdet
from tests.strategies import flow_specs, weight_scales


def _inputs(dim: int, seed: int, n: int = 16) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return 2.0 * torch.randn(n, dim, generator=g, dtype=torch.float64)


@given(flow_specs(), weight_scales)
def test_round_trip_and_exact_logabsdet(spec, weight_scale):
    kind, dim, depth, seed = spec
    f = flows.build(kind, dim, depth, seed=seed, weight_scale=weight_scale)
    x = _inputs(dim, seed)
    with torch.no_grad():
        z, ld = f(x)
        x_back, ld_inv = f.inverse(z)
    assert ld.shape == (x.shape[0],) and ld.dtype == torch.float64
    torch.testing.assert_close(x_back, x, rtol=0, atol=1e-9)
    torch.testing.assert_close(ld_inv, -ld, rtol=0, atol=1e-9)
    ld_autograd = jacobian_logabsdet(lambda v: f(v)[0], x)
    torch.testing.assert_close(ld, ld_autograd, rtol=0, atol=1e-8)


@given(flow_specs(max_dim=4))
def test_same_seed_same_weights_bit_for_bit(spec):
    kind, dim, depth, seed = spec
    x = _inputs(dim, 0)
    z1, ld1 = flows.build(kind, dim, depth, seed=seed)(x)
    z2, ld2 = flows.build(kind, dim, depth, seed=seed)(x)
    assert torch.equal(z1, z2) and torch.equal(ld1, ld2)


def test_seed_none_gives_fresh_weights():
    a, b = (flows.build("affine", 3, 2, seed=None) for _ in range(2))
    assert any(not torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@given(flow_specs(max_dim=4))
def test_trace_matches_forward(spec):
    kind, dim, depth, seed = spec
    f = flows.build(kind, dim, depth, seed=seed)
    x = _inputs(dim, seed)
    steps = flows.trace(f, x)
    assert len(steps) == depth + 1
    assert torch.equal(steps[0][0], x) and torch.equal(steps[0][1], torch.zeros(len(x), dtype=x.dtype))
    z, ld = f(x)
    torch.testing.assert_close(steps[-1][0], z, rtol=0, atol=1e-12)
    torch.testing.assert_close(steps[-1][1], ld, rtol=0, atol=1e-12)


@given(st.sampled_from(["additive", "orthogonal", "revnet"]), st.integers(2, 6), st.integers(0, 99))
def test_volume_preserving_kinds_have_zero_logabsdet(kind, dim, seed):
    f = flows.build(kind, dim, 3, seed=seed)
    assert flows.has_constant_logabsdet(f)
    z, ld = f(_inputs(dim, seed))
    assert torch.equal(ld, torch.zeros_like(ld))


def test_elementwise_affine_copies_its_parameters():
    """A later edit of the caller's scale cannot bring a zero scale (an infinite log-det) in."""
    from revinfo.flows.elementwise import ElementwiseAffine

    scale, shift = torch.tensor([2.0, -0.5], dtype=torch.float64), torch.zeros(2, dtype=torch.float64)
    layer = ElementwiseAffine(scale, shift)
    scale[0] = 0.0
    x = torch.ones(3, 2, dtype=torch.float64)
    y, ld = layer(x)
    assert y[:, 0].tolist() == [2.0, 2.0, 2.0]
    torch.testing.assert_close(ld, torch.zeros(3, dtype=torch.float64), rtol=0, atol=1e-15)  # log 2 + log 0.5
