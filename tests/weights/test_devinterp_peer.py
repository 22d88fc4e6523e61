"""devinterp (the peer, in the benchmark extra) on the regular linear-Gaussian model with the
same nbeta, step and localization: its LLC and ours both within 5 stderr of the exact
expectation of the estimator (ours gives the stderr; devinterp's one chain reports none, so
ours is used for both). Skipped when devinterp is not installed."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from revinfo import weights

devinterp_sampler = pytest.importorskip("devinterp.slt.sampler")
devinterp_sgld = pytest.importorskip("devinterp.optim.sgld")


@pytest.mark.slow
def test_devinterp_and_revinfo_agree_with_the_exact_llc():
    rng = np.random.default_rng(0)
    n, sd, gamma = 400, 0.5, 1.0
    x = rng.normal(size=(n, 2))
    y = x @ [1.0, -0.5] + sd * rng.normal(size=n)
    model = torch.nn.Linear(2, 1, bias=False).double()
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(np.linalg.lstsq(x, y, rcond=None)[0])[None])

    def loss(o, t):
        return ((o[:, 0] - t) ** 2).mean() / (2 * sd**2)

    beta = 1 / math.log(n)
    post = weights.linear_posterior(x, y, sd, beta, gamma)
    eps = 0.05 / np.linalg.eigvalsh(np.linalg.inv(post.cov)).max()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    ours = weights.sgld(model, loss, (tx, ty), steps=6000, step_size=eps, beta=beta,
                        gamma=gamma, burn_in=200, seed=1, progress=False)
    truth = weights.expected_llc(x, y, sd, beta, gamma, step_size=eps)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tx, ty), batch_size=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = devinterp_sampler.estimate_learning_coeff_with_summary(
            model, loader, evaluate=lambda m, data: loss(m(data[0]), data[1]),
            sampling_method=devinterp_sgld.SGLD,
            optimizer_kwargs={"lr": eps, "nbeta": ours.nbeta, "localization": gamma},
            num_draws=5800, num_chains=1, num_burnin_steps=200, init_loss=ours.init_loss,
            seed=2, verbose=False)["llc/mean"]
    assert abs(ours.llc - truth) < 5 * ours.llc_stderr, (ours.llc, ours.llc_stderr, truth)
    assert abs(theirs - truth) < 5 * ours.llc_stderr, (theirs, ours.llc_stderr, truth)
