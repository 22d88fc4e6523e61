"""The fused coupling pass (revinfo.flows.fused) computes the same function as the layers'
own forward, its log-det equals autograd's, and it declines the flows it does not cover."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from nflows.transforms import AffineCouplingTransform, CompositeTransform

from revinfo import dist, exact, flows
from revinfo.flows import fused
from revinfo.exact.sampling import base_chunks
from revinfo.flows.adapters import jacobian_logabsdet
from revinfo.flows.coupling import AffineCoupling
from revinfo.flows.nets import MLP
from revinfo.flows.structure import logdet_pass


def _with_random_biases(flow, seed: int):
    """Random non-zero biases (build's are 0), so the fused bias folding is exercised."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in flow.modules():
            if isinstance(m, torch.nn.Linear):
                m.bias.copy_(torch.randn(m.bias.shape, generator=g, dtype=m.bias.dtype))
    return flow


@given(st.sampled_from(["affine", "additive"]), st.integers(2, 9), st.integers(1, 4),
       st.integers(1, 12), st.integers(0, 3), st.floats(0.2, 2.5), st.floats(0.5, 4.0),
       st.integers(0, 2**31 - 1))
def test_fused_pass_matches_the_layers(kind, dim, depth, hidden, layers, scale, clamp, seed):
    opts = {"scale_clamp": clamp} if kind == "affine" else {}
    f = _with_random_biases(flows.build(kind, dim, depth, seed=seed % 1000, hidden=hidden,
                                        layers=layers, weight_scale=scale, **opts), seed)
    x = 2.0 * torch.randn(64, dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    plan = fused.plan(f)
    assert plan is not None
    z, per_layer = plan(x)
    steps = flows.trace(f, x)
    torch.testing.assert_close(z, steps[-1][0], rtol=1e-11, atol=1e-11)
    cumulative = torch.stack([cum for _, cum in steps[1:]], 1)
    torch.testing.assert_close(per_layer.cumsum(1), cumulative, rtol=1e-11, atol=1e-11)
    # and against an independent truth: log|det| of the autograd Jacobian
    torch.testing.assert_close(per_layer.sum(1), jacobian_logabsdet(lambda v: f(v)[0], x),
                               rtol=0, atol=1e-8)
    assert torch.equal(x, steps[0][0])  # the input is not modified


def test_fused_pass_in_float32_matches_the_layers():
    f = _with_random_biases(flows.build("affine", 6, 3, seed=2, dtype=torch.float32), 2)
    x = torch.randn(128, 6, dtype=torch.float32)
    z, per_layer = fused.plan(f)(x)
    with torch.no_grad():
        z_ref, ld_ref = f(x)
    assert z.dtype == per_layer.dtype == torch.float32
    torch.testing.assert_close(z, z_ref, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(per_layer.sum(1), ld_ref, rtol=1e-5, atol=1e-5)


def test_plan_declines_what_it_does_not_cover():
    assert fused.plan(flows.build("spline", 4, 2)) is None
    assert fused.plan(flows.build("linear", 4, 2)) is None
    assert fused.plan(flows.build("revnet", 4, 2)) is None
    mixed = CompositeTransform([flows.build("affine", 4, 1), flows.build("orthogonal", 4, 1)])
    assert fused.plan(mixed) is None
    upstream = AffineCouplingTransform(torch.tensor([0, 1, 0, 1]), lambda i, o: MLP(i, o, 8, 1))
    assert fused.plan(upstream) is None  # nflows' own affine coupling (its scale differs)
    irregular = AffineCoupling(torch.tensor([1, 0, 0, 1, 0]), lambda i, o: MLP(i, o, 8, 1))
    assert fused.plan(irregular) is None  # a mask that is not a basic slice
    other_net = AffineCoupling(torch.tensor([0, 1, 0, 1]),
                               lambda i, o: torch.nn.Sequential(torch.nn.Linear(i, o)))
    assert fused.plan(other_net) is None
    assert fused.plan(flows.build("affine", 4, 1)._transforms[0]) is not None  # a bare layer


def test_logdet_pass_falls_back_to_trace():
    f = flows.build("spline", 3, 2, seed=1)
    x = torch.randn(32, 3, dtype=torch.float64)
    z, cumulative = logdet_pass(f)(x)
    with torch.no_grad():
        steps = flows.trace(f, x)
    assert torch.equal(z, steps[-1][0])
    assert torch.equal(cumulative, torch.stack([cum for _, cum in steps[1:]], 1))


def test_fused_pass_rejects_a_wrong_width():
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        fused.plan(flows.build("affine", 4, 2))(torch.zeros(3, 5, dtype=torch.float64))


def test_entropy_with_the_fused_pass_equals_the_traced_mean():
    """exact.entropy (fused) = h(X) + the mean of nflows' own log-det over the same draws."""
    base, f = dist.standard_normal(5), flows.build("affine", 5, 4, seed=3, weight_scale=2.0)
    e = exact.entropy(base, f, n=4000, seed=7, chunk=1000)
    with torch.no_grad():
        lds = torch.cat([f(x)[1] for x in base_chunks(base, 4000, 7, 1000)])
    assert e.value == pytest.approx(exact.base_entropy(base) + float(lds.mean()), abs=1e-12)


def test_fused_pass_in_blocks_matches_one_block_and_the_layers():
    """Past block_rows samples the pass runs block by block; every row is the same as when
    that row is evaluated on its own, and as the layers' own forward."""
    f = _with_random_biases(flows.build("affine", 6, 3, seed=4, hidden=64), 4)
    plan = fused.plan(f)
    x = torch.randn(9000, 6, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    with torch.no_grad():
        rows = fused.block_rows(plan.width, x)
        assert rows < x.shape[0]  # so this test crosses at least one block boundary
        z, per_layer = plan(x)
        z_ref, ld_ref = f(x)
    torch.testing.assert_close(z, z_ref, rtol=1e-11, atol=1e-11)
    torch.testing.assert_close(per_layer.sum(1), ld_ref, rtol=1e-11, atol=1e-11)
    edge = slice(rows - 3, rows + 3)  # rows on both sides of the first boundary
    z_edge, ld_edge = plan(x[edge])
    torch.testing.assert_close(z[edge], z_edge, rtol=1e-13, atol=1e-13)
    torch.testing.assert_close(per_layer[edge], ld_edge, rtol=1e-13, atol=1e-13)


def test_block_rows_rule():
    x64, x32 = torch.zeros(1, dtype=torch.float64), torch.zeros(1, dtype=torch.float32)
    threads = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert fused.block_rows(32, x64) == 4096  # 1 MiB / (32 rows * 8 bytes)
        assert fused.block_rows(32, x32) == 8192
        assert fused.block_rows(1024, x64) == 2048  # clamped below
        assert fused.block_rows(2, x64) == 8192  # clamped above
        torch.set_num_threads(2)
        assert fused.block_rows(64, x64) == 4096
    finally:
        torch.set_num_threads(threads)


@pytest.mark.parametrize("n", [1, 2, 4097])
def test_fused_pass_leaves_its_input_alone(n):
    """A (1, d) input's transpose counts as contiguous, so .contiguous() would not copy it and
    the in-place pass would overwrite the caller's x (also a one-row last block)."""
    f = _with_random_biases(flows.build("affine", 4, 3, seed=5), 5)
    x = torch.randn(n, 4, generator=torch.Generator().manual_seed(n), dtype=torch.float64)
    x_before = x.clone()
    z, per_layer = fused.plan(f)(x)
    assert torch.equal(x, x_before)
    with torch.no_grad():
        z_ref, ld_ref = f(x)
    torch.testing.assert_close(z, z_ref, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(per_layer.sum(1), ld_ref, rtol=1e-12, atol=1e-12)
