"""Speed of revinfo's exact entropy, with ratios against references measured in the same run.

1. Exact log-det vs autograd Jacobian log-det (batched sum trick, and torch.func.vmap(jacrev);
   and a per-sample autograd loop on a subsample) at d = 16, depth 8, affine coupling.
   Goal: exact >= 20x faster than the fastest autograd route.
2. revinfo's per-layer pass (flows.trace) vs calling the nflows CompositeTransform directly.
   Goal: ratio < 1.1.
3. n = 10^6, d = 8, depth 8, float64 exact entropy vs a plain float32 forward pass over the
   same samples; chunk sizes swept. Goal: ratio <= 3, peak memory < 2 GB.

Run: python benchmarks/bench_exact_entropy.py [--json] [--n 1000000] [--device cpu]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import best_time, emit  # noqa: E402

from revinfo import dist, exact, flows  # noqa: E402
from revinfo.flows.adapters import jacobian_logabsdet  # noqa: E402


def bench_vs_autograd(device: str, n: int = 2048) -> dict:
    f = flows.build("affine", 16, 8, seed=0, device=device)
    x = torch.randn(n, 16, dtype=torch.float64, device=device)
    fwd = lambda v: f(v)[0]  # noqa: E731

    def single(v):
        return fwd(v.unsqueeze(0)).squeeze(0)

    with torch.no_grad():
        t_exact = best_time(lambda: f(x))
    t_sum = best_time(lambda: jacobian_logabsdet(fwd, x))
    t_vmap = best_time(lambda: torch.linalg.slogdet(torch.func.vmap(torch.func.jacrev(single))(x)))
    m = 64  # per-sample loop on a subsample, scaled to n
    t_loop = best_time(lambda: [torch.linalg.slogdet(torch.autograd.functional.jacobian(single, x[i]))
                                for i in range(m)], repeat=1) * n / m
    fastest = min(t_sum, t_vmap)
    return {"autograd: n": n, "exact logdet s": t_exact, "autograd sum-trick s": t_sum,
            "autograd vmap(jacrev) s": t_vmap, "autograd per-sample loop s (scaled)": t_loop,
            "speedup vs fastest autograd (goal >= 20)": fastest / t_exact,
            "speedup vs per-sample loop": t_loop / t_exact}


def bench_forward_overhead(device: str, n: int = 65536) -> dict:
    f = flows.build("affine", 8, 8, seed=0, device=device)
    x = torch.randn(n, 8, dtype=torch.float64, device=device)
    with torch.no_grad():
        t_direct = best_time(lambda: f(x), repeat=5)
        t_trace = best_time(lambda: flows.trace(f, x), repeat=5)
    return {"nflows direct forward s": t_direct, "revinfo trace s": t_trace,
            "trace / direct (goal < 1.1)": t_trace / t_direct}


def bench_large_n(device: str, n: int) -> dict:
    b = dist.standard_normal(8)
    f = flows.build("affine", 8, 8, seed=0, device=device)
    f32 = flows.build("affine", 8, 8, seed=0, dtype=torch.float32, device=device)
    out: dict = {"large: n": n}
    chunk32 = 1 << 16
    with torch.no_grad(), torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        t0 = time.perf_counter()
        for start in range(0, n, chunk32):
            m = min(chunk32, n - start)
            f32(torch.randn(m, 8, dtype=torch.float32, device=device))
        t_f32 = time.perf_counter() - t0
    out["float32 forward pass s"] = t_f32
    best = None
    for chunk in (1 << 12, 1 << 14, 1 << 16, 1 << 18):
        t0 = time.perf_counter()
        e = exact.entropy(b, f, n=n, seed=0, chunk=chunk)
        t = time.perf_counter() - t0
        out[f"exact entropy chunk={chunk} s"] = t
        best = t if best is None else min(best, t)
    out["h (nats)"] = e.value
    out["stderr (nats)"] = e.stderr
    out["best exact / float32 forward (goal <= 3)"] = best / t_f32
    out["peak RSS MB (goal < 2048)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--n", type=int, default=1_000_000)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    res = {"torch threads": torch.get_num_threads(), "device": a.device}
    res |= bench_vs_autograd(a.device)
    res |= bench_forward_overhead(a.device)
    res |= bench_large_n(a.device, a.n)
    emit(res, a.json)


if __name__ == "__main__":
    main()
