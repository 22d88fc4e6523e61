"""The fused fast paths compute the same function as their reference definitions:
MLP.forward (grad and no-grad) vs its nn.Sequential, sliced coupling split vs nflows' gather."""

import torch
from hypothesis import given
from hypothesis import strategies as st
from nflows.transforms.coupling import CouplingTransform

from revinfo import flows
from revinfo.flows.coupling import _as_slice
from revinfo.flows.nets import MLP, reinit_linear_layers


@given(st.integers(1, 6), st.integers(1, 6), st.integers(1, 16), st.integers(0, 3),
       st.floats(0.1, 3.0), st.integers(0, 2**31 - 1))
def test_mlp_forward_matches_its_sequential(d_in, d_out, hidden, layers, scale, seed):
    g = torch.Generator().manual_seed(seed)
    net = MLP(d_in, d_out, hidden, layers).double()
    reinit_linear_layers(net, scale, g)
    with torch.no_grad():  # a non-zero bias, so the bias folding is exercised
        for m in net.modules():
            if isinstance(m, torch.nn.Linear):
                m.bias.copy_(torch.randn(m.bias.shape, generator=g, dtype=torch.float64))
    x = 3.0 * torch.randn(32, d_in, generator=g, dtype=torch.float64)
    reference = net.net(x)
    torch.testing.assert_close(net(x), reference, rtol=1e-13, atol=1e-13)
    with torch.no_grad():
        torch.testing.assert_close(net(x), reference, rtol=1e-13, atol=1e-13)


@given(st.sampled_from(["affine", "additive", "spline"]), st.integers(2, 7), st.integers(0, 99))
def test_sliced_coupling_matches_nflows_gather(kind, dim, seed):
    layer = flows.build(kind, dim, 2, seed=seed, weight_scale=1.5)._transforms[1]
    x = 2.0 * torch.randn(16, dim, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    with torch.no_grad():
        for ours, upstream in [(layer.forward, CouplingTransform.forward),
                               (layer.inverse, CouplingTransform.inverse)]:
            y, ld = ours(x)
            y_ref, ld_ref = upstream(layer, x)
            torch.testing.assert_close(y, y_ref, rtol=1e-13, atol=1e-13)
            torch.testing.assert_close(ld, ld_ref, rtol=1e-13, atol=1e-13)


def test_as_slice_only_for_arithmetic_progressions():
    assert _as_slice(torch.tensor([1, 3, 5])) == slice(1, 6, 2)
    assert _as_slice(torch.tensor([4])) == slice(4, 5)
    irregular = torch.tensor([0, 1, 3])
    assert _as_slice(irregular) is irregular
    empty = torch.tensor([], dtype=torch.long)
    assert _as_slice(empty) is empty


def test_irregular_mask_coupling_matches_nflows_gather():
    from revinfo.flows.coupling import AffineCoupling
    from revinfo.flows.nets import MLP

    layer = AffineCoupling(torch.tensor([1, 0, 0, 1, 0]), lambda i, o: MLP(i, o, 8, 1)).double()
    x = torch.randn(9, 5, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        y, ld = layer(x)
        y_ref, ld_ref = CouplingTransform.forward(layer, x)
    torch.testing.assert_close(y, y_ref, rtol=1e-13, atol=1e-13)
    torch.testing.assert_close(ld, ld_ref, rtol=1e-13, atol=1e-13)
