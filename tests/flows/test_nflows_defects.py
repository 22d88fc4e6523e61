"""Regression tests for the nflows 0.14 defects revinfo works around (see flows/*.py).
Each test fails if the workaround is removed."""

import warnings

import pytest
import torch
from nflows.transforms import AffineCouplingTransform, LULinear, NaiveLinear

from revinfo import flows
from revinfo.flows.linear import LU, DenseLinear


def test_nflows_affine_coupling_only_shrinks_ours_expands_and_shrinks():
    x = torch.randn(2000, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    ours = flows.build("affine", 4, 1, seed=3, weight_scale=3.0)
    _, ld = ours(x)
    assert ld.max() > 0.5 and ld.min() < -0.5  # both expands and shrinks volume
    # the upstream layer with the same conditioner cannot expand: scale <= 1.001 per coordinate
    layer = ours._transforms[0]
    upstream = AffineCouplingTransform(layer.identity_features.new_tensor([0, 1, 0, 1]),
                                       lambda i, o: layer.transform_net).double()
    _, ld_up = upstream(x)
    assert ld_up.max() <= 2 * torch.log(torch.tensor(1.001, dtype=torch.float64)) + 1e-12


def test_lu_inverse_has_no_deprecation_warnings_and_float64():
    lu = LU(5, identity_init=False).double()
    x = torch.randn(7, 5, dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        z, ld = lu(x)
        x_back, ld_inv = lu.inverse(z)
        w_inv = lu.weight_inverse()
    torch.testing.assert_close(x_back, x, rtol=0, atol=1e-12)
    torch.testing.assert_close(w_inv @ lu.weight(), torch.eye(5, dtype=torch.float64))
    assert w_inv.dtype == torch.float64


def test_upstream_lu_weight_inverse_is_broken_in_float64():
    # nflows builds its identity in float32: documents why LU overrides weight_inverse
    lu = LULinear(3, identity_init=False).double()
    with pytest.raises(RuntimeError):
        lu.weight_inverse()


def test_dense_linear_inverse_works_where_nflows_calls_removed_torch_solve():
    x = torch.randn(6, 4, dtype=torch.float64)
    upstream = NaiveLinear(4, orthogonal_initialization=False).double()
    with pytest.raises(RuntimeError, match="torch.solve"):
        upstream.inverse(upstream(x)[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = DenseLinear(4).double()
    z, ld = ours(x)
    x_back, ld_inv = ours.inverse(z)
    torch.testing.assert_close(x_back, x, rtol=0, atol=1e-12)
    torch.testing.assert_close(ld_inv, -ld)


def test_spline_accepts_inputs_far_outside_its_bound():
    f = flows.build("spline", 3, 2, seed=0, tail_bound=1.0)
    x = torch.tensor([[50.0, -80.0, 0.3], [-1e3, 2.0, 1e3]], dtype=torch.float64)
    z, ld = f(x)
    assert torch.isfinite(z).all() and torch.isfinite(ld).all()
    torch.testing.assert_close(f.inverse(z)[0], x, rtol=0, atol=1e-9)
