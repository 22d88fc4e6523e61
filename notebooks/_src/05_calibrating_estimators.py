# %% [markdown]
# # 5. Calibrating estimators against exact truths
#
# Every estimator in `revinfo.estimate` is implemented as its paper defines it and never sees
# the truth. `revinfo.tasks` supplies problems whose answer is known (closed forms, or exact
# Monte Carlo with a stderr), and `revinfo.calibrate.run` runs estimators x tasks x sample
# sizes x seeds into one table with an `error = estimate - truth` column. This notebook
# measures:
#
# 1. error vs sample size n: KSG, the Gaussian (CCA) estimator and binning, on a Gaussian
#    pair and on the same pair pushed through a bijection (same true MI);
# 2. error vs dimension: KSG for MI and Kozachenko-Leonenko (KL) for entropy;
# 3. the noisy-channel estimators, sample propagation (SP) and the KDE pairwise-distance
#    bounds, against the exact I_sigma of a flow;
# 4. neural bounds (DV/MINE, NWJ, InfoNCE, SMILE), with their error split, by the exact
#    critic f* = log p(x, y) / (p(x) p(y)), into bound gap and optimisation error.
#
# Units: nats.

# %%
import os

SIZE = os.environ.get("REVINFO_NOTEBOOK_SIZE", "full")  # "small" in CI, "full" for readers
NS = {"small": [250, 1000, 4000], "full": [250, 500, 1000, 2000, 4000, 8000]}[SIZE]
SEEDS = {"small": [0, 1], "full": [0, 1, 2]}[SIZE]
STEPS = {"small": 200, "full": 1000}[SIZE]  # neural critic training steps
N_MC = {"small": 500, "full": 4_000}[SIZE]  # outer draws of the exact noisy-MI truth

import warnings

import matplotlib.pyplot as plt
import numpy as np
import torch

from revinfo import calibrate, diagnostics, dist, estimate, exact, flows, tasks

plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80})
torch.manual_seed(0)  # X.sample(...) draws from torch's global generator
print(f"SIZE={SIZE}: n in {NS}, seeds {SEEDS}, {STEPS} critic steps")

# %% [markdown]
# ## 1. Error vs n
# `gaussian-d2-rho0.8-dense`: X, Y in R^2, jointly Gaussian. `...+spiral`: the same pair
# with a spiral bijection applied to each side, so the true MI is identical (MI is invariant
# under bijections), but the estimators see a different geometry.

# %%
pair = ["gaussian-d2-rho0.8-dense", "gaussian-d2-rho0.8-dense+spiral"]
for name in pair:
    print(f"{name}: {tasks.get(name).description}; truth {tasks.get(name).truth}")
estimators = ["mi_ksg", "mi_gaussian", "mi_binned"]
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # tie-jitter notices
    df = calibrate.run(estimators, pair, NS, SEEDS, workers=1, progress=False)
summary = df.groupby(["task", "estimator", "n"])["error"].agg(["mean", "std"]).reset_index()
print(summary.pivot(index=["task", "estimator"], columns="n", values="mean").round(3))

truths = df.groupby("task")["truth"].first()
assert abs(truths[pair[0]] - truths[pair[1]]) < 1e-12  # same truth, by invariance
last = summary[summary.n == NS[-1]].set_index(["task", "estimator"])["mean"]
first = summary[summary.n == NS[0]].set_index(["task", "estimator"])["mean"]
assert abs(last[pair[0], "mi_ksg"]) < 0.06 and abs(last[pair[1], "mi_ksg"]) < 0.35
assert abs(last[pair[1], "mi_ksg"]) < abs(first[pair[1], "mi_ksg"])  # improving with n
assert abs(last[pair[0], "mi_gaussian"]) < 0.06  # exact model: unbiased
assert last[pair[1], "mi_gaussian"] < -0.5  # wrong model after the bijection: far too low
assert (summary[summary.estimator == "mi_binned"]["mean"] > 0.5).all()  # 30 bins: too high

# %%
fig, ax = plt.subplots(1, 2, figsize=(13, 4.2), sharey=True)
for a, name in zip(ax, pair):
    for est in estimators:
        s = summary[(summary.task == name) & (summary.estimator == est)]
        a.errorbar(s.n, s["mean"], yerr=s["std"].fillna(0), fmt="o-", capsize=3, label=est)
    a.axhline(0, color="k", lw=0.8)
    a.set(xscale="log", xlabel="samples n", title=f"{name} (truth {truths[name]:.3f} nats)")
    a.set_yscale("symlog", linthresh=0.1)
    a.grid(alpha=0.3)
ax[0].set_ylabel("error = estimate - truth (nats)")
ax[0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 2. Error vs dimension
# MI: `gaussian-d{d}-rho0.5-sparse`, one correlated coordinate pair (rho = 0.5) among d, so
# the truth, -(1/2) log(1 - 0.25) = 0.288 nats, is the same at every d: only the dimension
# changes. Entropy: h(f(X)) for X ~ N(0, I_d) through a 2-layer affine network, exact from
# `exact.entropy`, against the KL estimate from samples of f(X).

# %%
dims = [2, 5, 10, 25]
n_dim = min(NS[-1], 4000)
ksg_err, kl_err, kl_truth = [], [], []
for d in dims:
    task = tasks.get(f"gaussian-d{d}-rho0.5-sparse")
    errs = []
    for seed in SEEDS:
        x, y = task.sample(n_dim, seed=seed)
        errs.append(estimate.mi_ksg(x, y).value - task.truth.value)
    ksg_err.append(np.mean(errs))
    X = dist.standard_normal(d)
    f = flows.build("affine", d, 2, seed=0)
    h = exact.entropy(X, f, n=20 * n_dim, seed=1)
    with torch.no_grad():
        z = f(X.sample((n_dim,)))[0].numpy()
    kl_err.append(estimate.entropy_knn(z).value - h.value)
    kl_truth.append(h.value)
    print(f"d={d:2d}: MI truth {task.truth.value:.3f}, KSG error {ksg_err[-1]:+.3f}; "
          f"h(f(X)) = {h.value:.3f}, KL error {kl_err[-1]:+.3f}")
ksg_err, kl_err = np.array(ksg_err), np.array(kl_err)
assert abs(ksg_err[0]) < 0.06
assert ksg_err[-1] < -0.15  # at d = 25 KSG loses most of the 0.288 nats
assert abs(kl_err[0]) < 0.1 and abs(kl_err[-1]) > 5 * abs(kl_err[0])

# %%
fig, ax = plt.subplots(1, 2, figsize=(12, 4))
ax[0].plot(dims, ksg_err, "o-", label=f"KSG (k=3), n={n_dim}")
ax[0].axhline(-0.2877, color="gray", ls=":", label="-truth (estimate 0)")
ax[0].set(xlabel="dimension d of X and of Y", ylabel="MI error (nats)",
          title="KSG on a fixed 0.288-nat signal")
ax[1].plot(dims, kl_err, "s-", color="C1", label=f"Kozachenko-Leonenko (k=3), n={n_dim}")
ax[1].set(xlabel="dimension d", ylabel="entropy error (nats)", title="KL entropy of f(X)")
for a in ax:
    a.axhline(0, color="k", lw=0.8)
    a.legend(fontsize=8)
    a.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 3. Noisy channel: sample propagation and KDE bounds
# Truth: I_sigma(X; f(X)) for a 4-layer affine flow on N(0, I_2), sigma = 0.5, from the
# flow's exact density (`exact.mi_noisy`). The estimators see n samples of Z = f(X):
# SP estimates h(Z + sigma eps) by the Gaussian mixture on the samples (never above log n);
# the Kolchinsky-Tracey KDE bounds (upper: KL distances; lower: Bhattacharyya) bracket the
# mixture's entropy (the estimator of Saxe et al. 2018).

# %%
X = dist.standard_normal(2)
f = flows.build("affine", 2, 4, seed=0)
sigma = 0.5
truth = exact.mi_noisy(X, f, sigma, n=N_MC, seed=2)
print("truth", truth)
rows = []
for n in NS:
    for seed in SEEDS:
        with torch.no_grad():
            z = f(X.sample((n,)))[0].numpy()
        rows.append((n, estimate.mi_noisy(z, sigma, seed=seed).value,
                     estimate.mi_kde(z, sigma).value, estimate.mi_kde(z, sigma, bound="lower").value))
rows = np.array(rows)
by_n = np.array([rows[rows[:, 0] == n, 1:].mean(0) for n in NS])  # columns: SP, upper, lower
for n, (sp, up, lo) in zip(NS, by_n):
    print(f"n={n:5d}: SP {sp:.3f}  KDE upper {up:.3f}  KDE lower {lo:.3f}  (truth {truth.value:.3f})")
assert np.all(rows[:, 3] <= rows[:, 2])  # lower <= upper, sample by sample
assert np.all(rows[:, 1] <= np.log(rows[:, 0]) + 1e-9)
assert abs(by_n[-1, 0] - truth.value) < 0.1 + 4 * truth.stderr  # SP converges
assert abs(by_n[-1, 0] - truth.value) < abs(by_n[0, 0] - truth.value)
assert by_n[-1, 2] < truth.value < by_n[-1, 1]  # the KDE pair brackets the truth here

# %%
fig, ax = plt.subplots(figsize=(7, 4.2))
for j, label in enumerate(["sample propagation", "KDE upper (KL)", "KDE lower (Bhattacharyya)"]):
    ax.plot(NS, by_n[:, j], "o-", label=label)
ax.axhspan(truth.value - 2 * truth.stderr, truth.value + 2 * truth.stderr, color="k", alpha=0.2)
ax.axhline(truth.value, color="k", lw=1, label="exact I_sigma (2 stderr band)")
ax.set(xscale="log", xlabel="samples n", ylabel="I_sigma(X; f(X)) (nats)",
       title=f"noisy channel, sigma = {sigma}")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Neural bounds and the exact-critic split
# Task `gaussian-d5-rho0.8-dense` (truth 2.554 nats). Each bound is trained with
# `estimate.mi_neural` (batch 128) and then evaluated again at the exact critic f* on
# batches of the same size (`diagnostics.split_error`). The error splits exactly:
#
#     truth - estimate = bound gap (truth - bound at f*) + optimisation error (bound at f* - estimate).
#
# InfoNCE can never exceed log 128 = 4.85 nats, even at f*; DV and SMILE at f* can sit
# slightly *above* the truth on a finite batch (Jensen), and the optimisation error is
# whatever the training left on the table.

# %%
task = tasks.get("gaussian-d5-rho0.8-dense")
x, y = task.sample(max(NS[-1], 4000), seed=0)
splits = {}
for bound in ["dv", "nwj", "infonce", "smile"]:
    est = estimate.mi_neural(x, y, bound=bound, steps=STEPS, seed=0)
    splits[bound] = diagnostics.split_error(est, task, bound, seed=1)
    s = splits[bound]
    print(f"{bound:8s} estimate {s['estimate']:.3f}  bound at f* {s['exact_critic']:.3f}"
          f" +- {s['exact_critic_stderr']:.3f}  gap {s['bound_gap']:+.3f}"
          f"  optimisation {s['optimisation_error']:+.3f}  sampling {s['sampling_error']:.3f}")
for s in splits.values():
    assert abs(s["error"] + s["bound_gap"] + s["optimisation_error"]) < 1e-9  # exact split
    assert abs(s["truth"] - task.truth.value) < 1e-12
nce = splits["infonce"]
logB = np.log(nce["batch_size"])
assert nce["exact_critic"] <= logB and nce["estimate"] <= logB
assert nce["bound_gap"] > 3 * nce["bound_gap_stderr"]  # InfoNCE is biased low even at f*
for b in ["dv", "nwj"]:  # at f* these bounds are within 4 stderr of the truth
    assert abs(splits[b]["bound_gap"]) < 4 * splits[b]["bound_gap_stderr"] + 0.05

# %%
fig, ax = plt.subplots(figsize=(8, 4.3))
names = list(splits)
gap = np.array([splits[b]["bound_gap"] for b in names])
opt = np.array([splits[b]["optimisation_error"] for b in names])
samp = np.array([splits[b]["sampling_error"] for b in names])
ax.bar(names, gap, label="bound gap (truth - bound at f*)", color="C0")
ax.bar(names, opt, bottom=np.where(opt >= 0, np.maximum(gap, 0), np.minimum(gap, 0)),
       label="optimisation error (bound at f* - estimate)", color="C1")
ax.errorbar(names, gap + opt, yerr=2 * samp, fmt="k.", capsize=4,
            label="truth - estimate, +- 2 x sampling error")
ax.axhline(0, color="k", lw=0.8)
ax.set(ylabel="truth - estimate (nats)",
       title=f"Neural bounds on {task.name}, {STEPS} training steps, batch 128")
ax.legend(fontsize=8)
ax.grid(alpha=0.3, axis="y")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What to take away
# - MI truths are invariant under bijections (the Gaussian pair and its spiral image share
#   the same truth to 1e-12); estimators are not. KSG is within 0.06 nats on the Gaussian
#   pair at the largest n but only within 0.35 after the spiral (improving with n); the
#   Gaussian (CCA) estimator is unbiased on the Gaussian pair but more than 0.5 nats too
#   low after the spiral.
# - Binning with 30 bins per coordinate overestimates by more than 0.5 nats at every n tried.
# - Dimension hurts: with the same 0.288-nat signal, KSG's error goes from under 0.06 nats at
#   d = 2 to below -0.15 at d = 25; the KL entropy error grows more than fivefold from
#   d = 2 to d = 25.
# - Sample propagation converges to the exact I_sigma (within 0.1 nats at the largest n, and
#   closer than at the smallest) and never exceeds log n; the KDE upper and lower bounds
#   bracket the truth here, lower below upper on every sample.
# - For neural bounds, truth - estimate = bound gap + optimisation error exactly (to 1e-9).
#   InfoNCE stays below log 128 and has a positive bound gap even at the exact critic; DV
#   and NWJ at the exact critic are within their stderr (+0.05) of the truth, so their
#   errors are optimisation error.
