"""The device= paths on a GPU (skipped without CUDA; CI has none, the lent GPU machine runs
them): the fused no-grad flow and exact.mi_noisy give the CPU's numbers."""

from __future__ import annotations

import warnings

import pytest
import torch

from revinfo import dist, flows
from revinfo.exact import _importance as imp
from revinfo.exact import mi_noisy

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.mark.parametrize("kind", ["affine", "additive", "spline", "revnet"])
def test_flow_on_cuda_matches_cpu(kind):
    f = flows.build(kind, 16, 4, seed=1, weight_scale=1.5)
    g = flows.build(kind, 16, 4, seed=1, weight_scale=1.5, device="cuda")
    x = torch.randn(4096, 16, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    with torch.no_grad():
        for (a, la), (b, lb) in [(f(x), g(x.cuda())), (f.inverse(x), g.inverse(x.cuda()))]:
            torch.testing.assert_close(b.cpu(), a, rtol=1e-10, atol=1e-10)
            torch.testing.assert_close(lb.cpu(), la, rtol=1e-10, atol=1e-10)


def test_mi_noisy_on_cuda_agrees_with_cpu():
    base, f = dist.standard_normal(8), flows.build("affine", 8, 3, seed=2)
    # a fixed inner count, so both runs consume the same seeded CPU draws; they then differ
    # only by rounding (float64 densities; the proposal's float32 Jacobian, ~1e-7 relative)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", imp.InnerDrawWarning)
        cpu = mi_noisy(base, f, 0.5, n=3000, seed=4, inner=64)
        gpu = mi_noisy(base, f, 0.5, n=3000, seed=4, inner=64, device="cuda")
    assert abs(cpu.value - gpu.value) < 1e-5, (cpu, gpu)
    assert abs(cpu.stderr - gpu.stderr) < 1e-5 and cpu.stderr < 0.05
