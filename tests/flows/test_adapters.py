"""Bijections from elsewhere work wherever revinfo takes a flow: zuko flows,
torch.distributions transforms, and plain torch functions (autograd log-det, flagged slow)."""

import math

import pytest
import torch
from torch import distributions as D

from revinfo import dist, exact, flows
from revinfo.flows.adapters import jacobian_logabsdet

zuko = pytest.importorskip("zuko")


def _check_exact(f, x):
    z, ld = f(x)
    x_back, ld_inv = f.inverse(z)
    torch.testing.assert_close(x_back, x, rtol=0, atol=1e-9)
    torch.testing.assert_close(ld_inv, -ld, rtol=0, atol=1e-9)
    torch.testing.assert_close(ld, jacobian_logabsdet(lambda v: f(v)[0], x), rtol=0, atol=1e-8)


def test_zuko_flow_is_exact_through_the_adapter():
    torch.manual_seed(0)
    f = flows.as_flow(zuko.flows.NSF(features=3, transforms=2).double())
    with torch.no_grad():
        _check_exact(f, torch.randn(8, 3, dtype=torch.float64))
    assert any(p.requires_grad for p in f.parameters())  # zuko's weights stay trainable


def test_torch_distributions_transform_matches_closed_form_entropy():
    # y = 1 + 2x elementwise: h(Y) = h(X) + d log 2; an affine map is detected as closed form
    t = D.AffineTransform(torch.tensor(1.0, dtype=torch.float64), 2.0, event_dim=0)
    f = flows.as_flow(t)
    _check_exact(f, torch.randn(5, 2, dtype=torch.float64))
    e = exact.entropy(dist.standard_normal(2), f, n=1000)
    assert e.stderr is None and e.method.startswith("closed-form")
    assert e.value == pytest.approx(float(dist.standard_normal(2).entropy()) + 2 * math.log(2), abs=1e-12)
    # a composition of affine maps and an inverse one: h(X) + d (log 3 - log 2)
    composed = D.ComposeTransform([D.AffineTransform(1.0, 3.0), D.AffineTransform(0.0, 2.0).inv])
    e = exact.entropy(dist.standard_normal(2), composed)
    assert e.stderr is None
    assert e.value == pytest.approx(float(dist.standard_normal(2).entropy()) + 2 * math.log(1.5), abs=1e-12)
    # a nonlinear one stays Monte Carlo
    assert exact.entropy(dist.standard_normal(2), D.ExpTransform(), n=100).stderr > 0


def test_trace_takes_every_kind_of_flow():
    x = torch.randn(6, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    for obj in (D.ExpTransform(), lambda v: v + 0.5 * torch.tanh(v)):
        steps = flows.trace(obj, x)
        z, ld = flows.as_flow(obj)(x)
        assert len(steps) == 2
        torch.testing.assert_close(steps[1][0], z, rtol=0, atol=0)
        torch.testing.assert_close(steps[1][1], ld, rtol=0, atol=0)


def test_plain_function_uses_autograd_and_is_flagged_slow():
    fn = lambda v: v + 0.5 * torch.tanh(v)  # noqa: E731  (derivative 1 + 0.5 sech^2 > 0)
    f = flows.as_flow(fn)
    x = torch.randn(64, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    _, ld = f(x)
    expected = torch.log(1 + 0.5 / torch.cosh(x) ** 2).sum(1)
    torch.testing.assert_close(ld, expected, rtol=0, atol=1e-12)
    e = exact.entropy(dist.standard_normal(2), fn, n=2000, seed=0)
    assert "autograd" in e.method and e.stderr > 0


def test_unsupported_object_is_a_type_error():
    with pytest.raises(TypeError, match="flow must be"):
        flows.as_flow(42)
