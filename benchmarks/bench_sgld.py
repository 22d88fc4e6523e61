"""SGLD speed and LLC estimates: revinfo.weights.sgld against devinterp (when it imports) on
the same models, next to the exact answers.

    python benchmarks/bench_sgld.py                 # speed + LLC table
    python benchmarks/bench_sgld.py --json --steps 10000 --threads 2

Speed (the issue's goal): 10^4 SGLD steps of an MLP with about 10^4 parameters (10-100-90-1,
10,281 parameters, float32, minibatches of 64 from n = 10^4) in under 60 s on 2 cores; the
ratio printed is the time over the 60 s goal, and devinterp's time on the same model, steps,
batch size and step (its ``estimate_learning_coeff_with_summary``, one chain, a DataLoader).

LLC: on (a) the regular linear-Gaussian model (d = 3; truth d/2 and the exact expectation of
the estimator at the chosen gamma and step, ``weights.expected_llc``) and (b) the normal-
crossing model a*b*x at 0 (the exact finite-t target ``weights.expected_llc_normal_crossing``;
the learning coefficient is 1/2), both samplers with the same nbeta, step and localization.
devinterp's loss at w* is passed in exactly (its default estimates it from a few batches).
"""

from __future__ import annotations

import argparse
import math
import os
import time
import warnings

import numpy as np
import torch

from _util import emit
from revinfo import weights
from revinfo.claims.weights import _NormalCrossing, normal_crossing_data

GOAL_S = 60.0


def _devinterp():
    try:
        from devinterp.optim.sgld import SGLD
        from devinterp.slt.sampler import estimate_learning_coeff_with_summary
    except ImportError:
        return None
    return SGLD, estimate_learning_coeff_with_summary


def _devinterp_llc(model, loss, x, y, batch, eps, nbeta, gamma, steps, burn_in, init_loss,
                   seed):
    di = _devinterp()
    if di is None:
        return None
    sgld_cls, estimate = di
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=batch,
                                         shuffle=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t0 = time.perf_counter()
        out = estimate(model, loader, evaluate=lambda m, data: loss(m(data[0]), data[1]),
                       sampling_method=sgld_cls,
                       optimizer_kwargs={"lr": eps, "nbeta": nbeta, "localization": gamma},
                       num_draws=steps - burn_in, num_chains=1, num_burnin_steps=burn_in,
                       init_loss=init_loss, seed=seed, verbose=False)
        return out["llc/mean"], time.perf_counter() - t0


def mlp_problem(seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(10_000, 10, generator=g)
    y = torch.tanh(x @ torch.randn(10, 1, generator=g))[:, 0] + 0.1 * torch.randn(10_000,
                                                                                 generator=g)
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(10, 100), torch.nn.Tanh(),
                                torch.nn.Linear(100, 90), torch.nn.Tanh(),
                                torch.nn.Linear(90, 1))

    def loss(out, target):
        return ((out[:, 0] - target) ** 2).mean() / (2 * 0.1**2)

    return model, loss, x, y


def speed(steps: int, seed: int) -> dict:
    model, loss, x, y = mlp_problem(seed)
    params = sum(p.numel() for p in model.parameters())
    t0 = time.perf_counter()
    r = weights.sgld(model, loss, (x, y), steps=steps, step_size=1e-6, batch_size=64,
                     gamma=100.0, thin=max(1, steps // 100), seed=seed, progress=False)
    ours = time.perf_counter() - t0
    out = {"mlp parameters": params, "steps": steps, "revinfo s": ours,
           "revinfo s per 1e4 steps / 60 s goal": ours / GOAL_S * (1e4 / steps)}
    di = _devinterp_llc(model, loss, x, y, 64, 1e-6, r.nbeta, 100.0, steps, 0, r.init_loss,
                        seed)
    if di is not None:
        out["devinterp s"] = di[1]
        out["devinterp s / revinfo s"] = di[1] / ours
    return out


def llc_table(steps: int, seed: int) -> dict:
    out: dict = {}
    # (a) regular: linear-Gaussian, d = 3
    rng = np.random.default_rng(seed)
    n, sd, gamma = 500, 0.5, 1.0
    xn = rng.normal(size=(n, 3))
    yn = xn @ [1.0, 0.25, -0.5] + sd * rng.normal(size=n)
    lin = torch.nn.Linear(3, 1, bias=False).double()
    with torch.no_grad():
        lin.weight.copy_(torch.from_numpy(np.linalg.lstsq(xn, yn, rcond=None)[0])[None])

    def lin_loss(o, t):
        return ((o[:, 0] - t) ** 2).mean() / (2 * sd**2)

    beta = 1 / math.log(n)
    post = weights.linear_posterior(xn, yn, sd, beta, gamma)
    eps = 0.05 / np.linalg.eigvalsh(np.linalg.inv(post.cov)).max()
    x, y = torch.from_numpy(xn), torch.from_numpy(yn)
    r = weights.sgld(lin, lin_loss, (x, y), steps=steps, step_size=eps, beta=beta, gamma=gamma,
                     burn_in=300, seed=seed, progress=False)
    out["regular: truth d/2"] = 1.5
    out["regular: exact E[estimator] at gamma, step"] = weights.expected_llc(
        xn, yn, sd, beta, gamma, step_size=eps)
    out["regular: revinfo llc"] = r.llc
    out["regular: revinfo stderr"] = r.llc_stderr
    di = _devinterp_llc(lin, lin_loss, x, y, n, eps, r.nbeta, gamma, steps, 300, r.init_loss,
                        seed)
    if di is not None:
        out["regular: devinterp llc"] = di[0]
    # (b) singular: a*b*x at 0
    xs, ys = normal_crossing_data(seed, 300)
    beta = 1 / math.log(300)
    t = 300 * beta * float(xs @ xs) / 600

    def nc_loss(o, tt):
        return ((o - tt) ** 2).mean() / 2

    r = weights.sgld(_NormalCrossing(), nc_loss, (xs, ys), steps=steps, step_size=1e-3,
                     beta=beta, gamma=1.0, burn_in=500, seed=seed, progress=False)
    out["singular: learning coefficient"] = 0.5
    out["singular: exact finite-t target"] = weights.expected_llc_normal_crossing(t, 1.0)
    out["singular: revinfo llc"] = r.llc
    out["singular: revinfo stderr"] = r.llc_stderr
    di = _devinterp_llc(_NormalCrossing(), nc_loss, xs, ys, 300, 1e-3, r.nbeta, 1.0, steps,
                        500, r.init_loss, seed)
    if di is not None:
        out["singular: devinterp llc"] = di[0]
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--llc-steps", type=int, default=20_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--skip-llc", action="store_true")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    res = {"threads": args.threads, "load_1min_before": os.getloadavg()[0],
           "devinterp": _devinterp() is not None}
    res.update(speed(args.steps, args.seed))
    if not args.skip_llc:
        res.update(llc_table(args.llc_steps, args.seed))
    emit(res, args.json)


if __name__ == "__main__":
    main()
