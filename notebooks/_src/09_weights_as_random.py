# %% [markdown]
# # 9. Weights as random: the tempered local posterior
#
# A deterministic network carries infinite information about a continuous input:
# Z = g(W* X) with W* the trained weights and g invertible is a bijection of X, so
# **I(X; Z) = +inf** (notebook 1). Binning and additive noise give finite numbers that
# measure the bin width or the noise scale. The way out that many researchers find most
# convincing is to treat the *weights* as random. Not the prior, and not the full Bayesian
# posterior: a **tempered local posterior** around w*,
#
#     q(w)  proportional to  exp( -n beta L_n(w) - (gamma / 2) |w - w*|^2 ),
#
# with L_n the average negative log-likelihood on the n training points, beta the inverse
# temperature and gamma the strength of a Gaussian localizer at w* (Lau, Furman, Wang, Murfet
# & Wei 2023, "The local learning coefficient"). For a linear-Gaussian layer q is a
# closed-form Gaussian (`weights.linear_posterior`), and then:
#
# 1. the *information in the weights* KL(q || prior) (Achille & Soatto 2018) is a closed
#    form (`weights.information_in_weights`);
# 2. I(X; g(W X)) with W drawn from q for each input is finite, and revinfo computes it
#    exactly, with a stderr (`weights.mi_posterior_channel`);
# 3. SGLD (`weights.sgld`) samples q for any torch model, and its *local learning
#    coefficient* (LLC) estimate n beta (E_q L_n - L_n(w*)) is d/2 on a regular model.
#
# Every number below is checked against an exact truth. Units: nats.

# %%
import os

SIZE = os.environ.get("REVINFO_NOTEBOOK_SIZE", "full")  # "small" in CI, "full" for readers
N_MC = {"small": 300, "full": 3_000}[SIZE]  # outer draws of the exact posterior-channel MI
STEPS = {"small": 2_500, "full": 20_000}[SIZE]  # SGLD steps per chain

import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from scipy import optimize

from revinfo import dist, exact, flows, weights
from revinfo.claims.weights import normal_crossing_data

plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80})
print(f"SIZE={SIZE}: N_MC={N_MC}, STEPS={STEPS}")


def fit_linear(x, y):
    """The trained weights w*: least squares (the minimum of L_n)."""
    return np.linalg.lstsq(x, y, rcond=None)[0]


def show(fig, axes):
    """Legends and grids on every panel, then draw."""
    for a in np.atleast_1d(axes):
        a.legend(fontsize=8)
        a.grid(alpha=0.3)
    fig.tight_layout()
    plt.show()


def ellipse(mean, cov, radius=2.0, m=200):
    """Points of the radius-sigma contour of N(mean, cov) in 2-D."""
    t = np.linspace(0, 2 * np.pi, m)
    return mean[:, None] + radius * np.linalg.cholesky(cov) @ np.stack([np.cos(t), np.sin(t)])


# %% [markdown]
# ## 1. The deterministic network: +inf
# A linear layer R^2 -> R^2 trained by least squares on 50 noisy pairs (X_train, Y_train),
# followed by an affine-coupling flow g. X ~ N(0, I_2). `exact.mi_weight_noise` with weight
# noise 0 is the deterministic layer; `exact.mi_noisy` with sigma = 0 is g alone; the
# posterior channel at beta = inf is the same deterministic network again.

# %%
rng = np.random.default_rng(0)
W_true = np.array([[1.0, 0.3], [-0.4, 0.8]])
noise_sd = 0.5
x_all = rng.normal(size=(800, 2))
y_all = x_all @ W_true.T + noise_sd * rng.normal(size=(800, 2))
x_tr, y_tr = x_all[:50], y_all[:50]
W_star = fit_linear(x_tr, y_tr).T  # (k, d) = (2, 2)
X = dist.standard_normal(2)
g = flows.build("affine", 2, 2, seed=1)

I_layer = exact.mi_weight_noise(X, W_star, 0.0, g)
I_flow = exact.mi_noisy(X, g, 0.0)
I_beta_inf = weights.mi_posterior_channel(X, x_tr, y_tr, noise_sd, math.inf, flow=g)
print("W* =", np.round(W_star, 3).tolist())
print(f"I(X; g(W* X))               = {I_layer.value}  ({I_layer.method})")
print(f"I(X; g(X))                  = {I_flow.value}  ({I_flow.method})")
print(f"posterior channel, beta=inf = {I_beta_inf.value}")
assert I_layer.value == I_flow.value == I_beta_inf.value == math.inf

# %% [markdown]
# ## 2. The tempered local posterior, and what beta and gamma mean
# For y_i = x_i^T w + N(0, sigma^2), L_n(w) = (1/n) sum_i (y_i - x_i^T w)^2 / (2 sigma^2), so
# q = N(mu, P^{-1}) with
#
#     P = beta X^T X / sigma^2 + gamma I,     mu = P^{-1} (beta X^T y / sigma^2 + gamma w*).
#
# * **beta** (inverse temperature) says how much the data count. beta = 1 is the Bayes
#   posterior for the localizing prior; beta -> 0 forgets the data (q = the localizer
#   N(w*, I/gamma)); beta -> inf collapses q onto w*: the deterministic network. Only
#   n beta enters, so more data at fixed beta also sharpens q. The LLC literature uses
#   Watanabe's WBIC temperature beta = 1/log n.
# * **gamma** (localization) is a Gaussian prior of precision gamma centred at w*. It keeps
#   the posterior local to the trained weights (a deep network's loss has many basins and
#   flat directions, where q would otherwise wander off), and it pulls mu towards w* when
#   w* is not the exact minimum of L_n (an early-stopped w*, say).
#
# First `linear_posterior` against a direct solve of the normal equations, then pictures on
# a small problem (n = 10, two weights) where the ellipses are visible.

# %%
x10, y10 = x_tr[:10], y_tr[:10, 0]
w_ls = fit_linear(x10, y10)
w_early = np.array([0.2, 0.8])  # a w* that is not the minimum: training stopped early
for beta, gamma, center in [(1.0, 1.0, None), (0.3, 5.0, w_early), (0.0, 2.0, w_early)]:
    post = weights.linear_posterior(x10, y10, noise_sd, beta, gamma, center)
    c = w_ls if center is None else center
    P = beta * x10.T @ x10 / noise_sd**2 + gamma * np.eye(2)
    mu = np.linalg.solve(P, beta * x10.T @ y10 / noise_sd**2 + gamma * c)
    err = max(abs(post.mean - mu).max(), abs(post.cov - np.linalg.inv(P)).max())
    print(f"beta={beta}, gamma={gamma}: mean {np.round(post.mean, 4)}, "
          f"max |difference| from the normal equations {err:.1e}")
    assert err < 1e-12
prior = weights.linear_posterior(x10, y10, noise_sd, 0.0, 2.0, w_early)  # beta = 0: localizer
assert np.allclose(prior.mean, w_early, atol=1e-14) and np.allclose(prior.cov, np.eye(2) / 2)

# %%
fig, ax = plt.subplots(1, 2, figsize=(12, 4.6))
for beta in [0.0, 0.02, 0.1, 1.0, 10.0]:
    post = weights.linear_posterior(x10, y10, noise_sd, beta, 1.0)
    ax[0].plot(*ellipse(post.mean, post.cov), label=f"beta = {beta}")
ax[0].plot(*w_ls, "k*", ms=12, label="w* (least squares)")
ax[0].set(title="temperature: q shrinks onto w* as beta grows (gamma = 1)",
          xlabel="w_1", ylabel="w_2")
for gamma in [0.1, 1.0, 10.0, 100.0]:
    post = weights.linear_posterior(x10, y10, noise_sd, 0.3, gamma, w_early)
    ax[1].plot(*ellipse(post.mean, post.cov), label=f"gamma = {gamma}")
    ax[1].plot(*post.mean, "k.", ms=5)
ax[1].plot(*w_early, "r*", ms=12, label="w* (stopped early)")
ax[1].plot(*w_ls, "k*", ms=12, label="minimum of L_n")
ax[1].set(title="localization: gamma pulls q towards w* (beta = 0.3)", xlabel="w_1")
for a in ax:
    a.set_aspect("equal")
show(fig, ax)

# %% [markdown]
# ## 3. The closed form against SGLD
# SGLD needs only gradients, so it samples q for any torch model: w <- w - (eps/2)
# (n beta grad L_B(w) + gamma (w - w*)) + N(0, eps I). Its step is unadjusted (no
# Metropolis test), so it samples a slightly wider law than q; on a Gaussian target that law
# is exact, N(mu, (P - eps P^2 / 4)^{-1}) (`weights.ula_covariance`). Two chains on a
# linear model with correlated inputs (n = 200, beta = 1/log n, gamma = 5), at a small
# step (eps lambda_max(P) = 0.3) and at a large one (1.0): means and covariances against the
# closed form, with stderrs from the effective sample size of the chain.

# %%
n, gamma = 200, 5.0
x200 = x_all[:n] @ np.array([[1.0, 0.5], [0.0, 0.7]])  # correlated columns
y200 = x200 @ np.array([1.0, 0.3]) + noise_sd * rng.normal(size=n)
beta = 1 / math.log(n)


def linear_model(w):
    model = torch.nn.Linear(len(w), 1, bias=False).double()
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(np.asarray(w))[None])
    return model


def gaussian_nll(out, target):
    return ((out[:, 0] - target) ** 2).mean() / (2 * noise_sd**2)


post = weights.linear_posterior(x200, y200, noise_sd, beta, gamma)
lam_max = np.linalg.eigvalsh(np.linalg.inv(post.cov)).max()
data = (torch.from_numpy(x200), torch.from_numpy(y200))
pairs = [(0, 0), (0, 1), (1, 1)]
chains = {}
for k, scale in enumerate([0.3, 1.0]):
    eps = scale / lam_max
    r = weights.sgld(linear_model(fit_linear(x200, y200)), gaussian_nll, data, steps=STEPS,
                     step_size=eps, beta=beta, gamma=gamma, burn_in=200, thin=1, seed=10 + k,
                     progress=False)
    m, m_se = weights.mean_and_stderr(r.draws)
    c = r.draws - post.mean
    cov_est = [weights.mean_and_stderr(c[:, i] * c[:, j]) for i, j in pairs]
    ula = weights.ula_covariance(x200, noise_sd, beta, gamma, eps)
    z_mean = (m - post.mean) / m_se
    z_ula = [float((v[0] - ula[i, j]) / s[0]) for (v, s), (i, j) in zip(cov_est, pairs)]
    z_exact = [float((v[0] - post.cov[i, j]) / s[0]) for (v, s), (i, j) in zip(cov_est, pairs)]
    chains[scale] = r
    print(f"eps*lambda_max = {scale}: {r.seconds:.1f} s, min ESS {r.ess.min():.0f} of "
          f"{len(r.draws)} draws")
    print(f"  mean - mu in stderr: {np.round(z_mean, 2)}")
    print(f"  cov entries - ULA law in stderr: {np.round(z_ula, 2)};  - exact q in stderr: "
          f"{np.round(z_exact, 2)}")
    print(f"  ULA variance inflation over q: {np.round(np.diag(ula) / np.diag(post.cov), 3)}")
    assert np.all(abs(z_mean) < 5) and np.all(np.abs(z_ula) < 5)
top = np.linalg.eigh(np.linalg.inv(post.cov))[1][:, -1]  # the stiffest direction of q
wide = weights.ula_covariance(x200, noise_sd, beta, gamma, 1.0 / lam_max)
infl = (top @ wide @ top) / (top @ post.cov @ top)
print(f"large step: variance along the stiffest direction x {infl:.4f} (1 / (1 - 1/4) = 4/3)")
assert abs(infl - 4 / 3) < 1e-9  # a real bias of the unadjusted step, not a sampling error

# %%
fig, ax = plt.subplots(1, 2, figsize=(12, 4.6), sharex=True, sharey=True)
for a, (scale, r) in zip(ax, chains.items()):
    eps = scale / lam_max
    a.plot(r.draws[::3, 0], r.draws[::3, 1], ".", ms=2, alpha=0.3, label="SGLD draws")
    a.plot(*ellipse(post.mean, post.cov), "k-", lw=2, label="closed-form q, 2 sigma")
    a.plot(*ellipse(post.mean, weights.ula_covariance(x200, noise_sd, beta, gamma, eps)),
           "r--", lw=1.5, label="exact law of the unadjusted step, 2 sigma")
    a.set(title=f"SGLD, eps lambda_max(P) = {scale}", xlabel="w_1")
    a.set_aspect("equal")
ax[0].set_ylabel("w_2")
show(fig, ax)

# %% [markdown]
# ## 4. Information in the weights, against beta
# With the localizer N(w*, I/gamma) as the prior and w* the least-squares fit, mu = w* and
# P = beta A + gamma I (A = X^T X / sigma^2, eigenvalues a_j), so
#
#     KL(q || prior) = (1/2) sum_j [ gamma / (beta a_j + gamma) - 1 + log(1 + beta a_j / gamma) ]:
#
# 0 at beta = 0, growing like (D/2) log beta for D weights, +inf at beta = inf. The a_j
# scale with n, so a larger training set moves the curve to smaller beta. Below: the 2 x 2
# layer of section 1 (D = 4 weights), for n = 10, 50 and 400 training points.

# %%
betas = np.geomspace(1e-3, 1e3, 25)
ns = [10, 50, 400]
kl = {}
for m in ns:
    xm, ym = x_all[:m], y_all[:m]
    a_j = np.linalg.eigvalsh(xm.T @ xm / noise_sd**2)
    kl[m] = np.array([weights.information_in_weights(xm, ym, noise_sd, b, 1.0).value
                      for b in betas])
    by_hand = np.array([2 * 0.5 * np.sum(1 / (b * a_j + 1) - 1 + np.log1p(b * a_j))
                        for b in betas])  # k = 2 outputs share P: twice the one-output KL
    assert np.allclose(kl[m], by_hand, rtol=1e-9, atol=1e-12)
    slope = (kl[m][-1] - kl[m][-2]) / np.log(betas[-1] / betas[-2])
    print(f"n={m:3d}: KL at beta=1e-3, 1, 1e3: {kl[m][0]:.4f}, {kl[m][12]:.3f}, "
          f"{kl[m][-1]:.3f} nats; slope per unit log beta at the top {slope:.4f} (D/2 = 2)")
    assert abs(slope - 2.0) < 0.01
assert np.all(np.diff(kl[50]) > 0)
kl_0 = weights.information_in_weights(x_all[:50], y_all[:50], noise_sd, 0.0, 1.0).value
assert abs(kl_0) < 1e-12  # beta = 0: q is the prior itself

# %% [markdown]
# ## 5. I(X; Z) under the posterior channel
# Now draw W ~ q afresh for every input and pass it through the network: Z = g(W X). Given
# X = x, W x ~ N(M x, (x^T Sigma x) I_k) exactly (M the posterior mean, Sigma = P^{-1}), and
# g is a bijection, so I(X; Z) is the information of a Gaussian channel whose noise scale
# grows with |x|. `weights.mi_posterior_channel` computes it by a nested Monte Carlo with
# the exact p(z | x) and reports its stderr (the value does not depend on g).
#
# It is finite for every beta < inf, and rises to the deterministic +inf as beta (or n)
# grows: once Sigma is small, Sigma ~ (beta A)^{-1} and the channel noise variance falls
# like 1/beta, so I grows by k/2 = 1 nat per unit of log beta (ln 10 = 2.30 nats a decade).
# Raising the temperature 1/beta spreads the weights and lowers I.

# %%
betas_I = np.array([0.01, 0.1, 1.0, 10.0, 100.0])
I_vs_beta = [weights.mi_posterior_channel(X, x_tr, y_tr, noise_sd, b, 1.0, flow=g, n=N_MC,
                                          seed=20 + i) for i, b in enumerate(betas_I)]
v_b = np.array([e.value for e in I_vs_beta])
s_b = np.array([e.stderr for e in I_vs_beta])
for b, e in zip(betas_I, I_vs_beta):
    print(f"beta={b:7.2f} (n=50): I(X; Z) = {e}")
assert np.all(np.diff(v_b) > 5 * np.hypot(s_b[1:], s_b[:-1]))  # strictly up, every step
decade = v_b[-1] - v_b[-2]
print(f"last decade of beta: +{decade:.3f} nats (k/2 ln 10 = {math.log(10):.3f})")
# 5 stderr, plus 0.01 for the O(1/beta) remainder of Sigma ~ (beta A)^{-1} at beta = 10
assert abs(decade - math.log(10)) < 5 * math.hypot(s_b[-1], s_b[-2]) + 0.01

ns_I = np.array([10, 40, 200, 800])
I_vs_n = [weights.mi_posterior_channel(X, x_all[:m], y_all[:m], noise_sd, 1.0, 1.0, flow=g,
                                       n=N_MC, seed=40 + i) for i, m in enumerate(ns_I)]
v_n = np.array([e.value for e in I_vs_n])
s_n = np.array([e.stderr for e in I_vs_n])
for m, e in zip(ns_I, I_vs_n):
    print(f"n={m:4d} (beta=1): I(X; Z) = {e}")
assert np.all(np.diff(v_n) > 5 * np.hypot(s_n[1:], s_n[:-1]))

# %%
fig, ax = plt.subplots(1, 2, figsize=(12, 4.4))
ax[0].errorbar(betas_I, v_b, yerr=2 * s_b, fmt="o-", label="I(X; g(W X)), W ~ q (2 stderr)")
ax[0].plot(betas, kl[50], "-", label="information in the weights KL(q || N(w*, I/gamma))")
for m, ls in [(10, ":"), (400, "--")]:
    ax[0].plot(betas, kl[m], ls, color="C1", alpha=0.6, lw=1, label=f"  the same at n = {m}")
ax[0].plot(betas_I[-2:], v_b[-1] + 0.5 * 2 * np.log(betas_I[-2:] / betas_I[-1]), "k--",
           label="slope k/2 = 1 nat per unit log beta")
ax[0].set(xscale="log", xlabel="inverse temperature beta (n = 50, gamma = 1)",
          ylabel="nats", title="both rise without bound as beta -> inf (deterministic: +inf)")
ax[1].errorbar(ns_I, v_n, yerr=2 * s_n, fmt="s-", color="C2", label="I(X; g(W X)), beta = 1")
ax[1].set(xscale="log", xlabel="training-set size n", ylabel="nats",
          title="more data sharpens q: I rises with n")
show(fig, ax)

# %% [markdown]
# ## 6. The local learning coefficient of a regular model: d/2
# The LLC estimate lambda_hat = n beta (mean of the SGLD losses - L_n(w*)) measures how fast
# the posterior mass near w* grows with the loss: for a regular model with d parameters it
# is d/2 (Watanabe 2009), whatever the data. On the linear model its expectation under q,
# and under the exact law of the unadjusted step, are closed forms (`weights.expected_llc`),
# so the SGLD numbers can be checked against the value they should have, step bias included.
# d = 3, n = 500, beta = 1/log n, gamma = 1, two step sizes.

# %%
n, d = 500, 3
rng3 = np.random.default_rng(3)
x3 = rng3.normal(size=(n, d))
y3 = x3 @ np.linspace(1.0, -0.5, d) + noise_sd * rng3.normal(size=n)
beta3 = 1 / math.log(n)
P3 = np.linalg.inv(weights.linear_posterior(x3, y3, noise_sd, beta3, 1.0).cov)
lam3 = np.linalg.eigvalsh(P3).max()
target = weights.regular_learning_coefficient(d)
exact_q = weights.expected_llc(x3, y3, noise_sd, beta3, 1.0)
scales = [0.2, 0.5]
llc = []
for k, scale in enumerate(scales):
    r = weights.sgld(linear_model(fit_linear(x3, y3)), gaussian_nll,
                     (torch.from_numpy(x3), torch.from_numpy(y3)), steps=STEPS,
                     step_size=scale / lam3, beta=beta3, gamma=1.0, burn_in=200, seed=30 + k,
                     progress=False)
    ex = weights.expected_llc(x3, y3, noise_sd, beta3, 1.0, step_size=scale / lam3)
    llc.append((r.llc, r.llc_stderr, ex))
    print(f"eps*lambda_max={scale}: SGLD LLC {r.llc:.3f} +- {r.llc_stderr:.3f}, exact "
          f"expectation at this step {ex:.3f}, ({(r.llc - ex) / r.llc_stderr:+.2f} stderr)")
    assert abs(r.llc - ex) < 5 * r.llc_stderr
print(f"exact expectation under q (eps -> 0): {exact_q:.4f}; d/2 = {target}")
gammas = [1.0, 0.1, 0.01]
at_gamma = [weights.expected_llc(x3, y3, noise_sd, beta3, gm) for gm in gammas]
print("exact expectation vs gamma:", dict(zip(gammas, np.round(at_gamma, 5))))
assert abs(exact_q - target) < 0.01 and abs(at_gamma[-1] - target) < 1e-4

# %% [markdown]
# ## 7. A singular model: y = a b x at a = b = 0
# At w* = (0, 0) the loss is L_n(a, b) - L_n(0, 0) = S_xx a^2 b^2 / (2n) (the data are
# chosen so there is no term linear in ab): a normal crossing, whose learning coefficient is
# 1/2 with multiplicity 2 (Lau et al. 2023, sec. 5), not d/2 = 1. With t = n beta S_xx / (2n)
# the estimator's expectation is lambda(t) = E_q[t a^2 b^2], one quadrature
# (`weights.expected_llc_normal_crossing`). Be warned: lambda(t) -> 1/2 only like
# 1/2 - 1/log t, so at any feasible n beta the LLC of this model is well below 1/2.
# SGLD at n = 300, beta = 1/log n, gamma = 1 is checked against lambda(t), not against 1/2.
# The target is not Gaussian, so the step bias has no closed form here: the step is kept
# small (eps = 1e-3: eps times the curvature 2 t a^2 in b is under 0.5 for |a| < 3, where
# the localizer keeps a, so the unadjusted step widens b by under 15% in the widest arms
# of the cross; at a step 3x larger, four 20,000-step chains, not run here, averaged
# 0.336 +- 0.010 against 0.318: a step bias of about +0.02).
# The ESS-based stderr is somewhat optimistic on this cross-shaped posterior (the chain
# switches slowly between the arms a ~ 0 and b ~ 0): in 12 trial chains, not run here, the
# spread of (LLC - lambda(t)) / stderr was 1.3 rather than 1. Hence the 5-stderr tolerance.

# %%
class NormalCrossing(torch.nn.Module):
    """f(x; a, b) = a b x, at a = b = 0."""

    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))
        self.b = torch.nn.Parameter(torch.zeros((), dtype=torch.float64))

    def forward(self, x):
        return self.a * self.b * x


def unit_nll(out, target):
    return ((out - target) ** 2).mean() / 2


n = 300
xs, ys = normal_crossing_data(7, n)
beta_s = 1 / math.log(n)
t = n * beta_s * float(xs @ xs) / (2 * n)
r = weights.sgld(NormalCrossing(), unit_nll, (xs, ys), steps=STEPS + 1_000,
                 step_size=1e-3, beta=beta_s, gamma=1.0, burn_in=300, seed=50, progress=False)
lam_t = weights.expected_llc_normal_crossing(t, 1.0)
print(f"t = {t:.1f}: SGLD LLC {r.llc:.3f} +- {r.llc_stderr:.3f}, exact lambda(t) = "
      f"{lam_t:.4f} ({(r.llc - lam_t) / r.llc_stderr:+.2f} stderr), 1/2 - lambda(t) = "
      f"{0.5 - lam_t:.3f}")
print("  (the unadjusted-step bias is not computed here: this target is not Gaussian)")
assert abs(r.llc - lam_t) < 5 * r.llc_stderr

ts = np.geomspace(1.0, 1e64, 60)
lam = np.array([weights.expected_llc_normal_crossing(v, 1.0) for v in ts])
scaled = (0.5 - lam) * np.log(ts)
assert np.all(np.diff(lam) > 0) and np.all(lam < 0.5)
assert np.all(np.diff(scaled[ts > 1e4]) > 0) and np.all(scaled < 1.0)  # 1/2 - lambda ~ 1/log t


def t_needed(level):
    return math.exp(optimize.brentq(
        lambda s: weights.expected_llc_normal_crossing(math.exp(s), 1.0) - level, 0.0, 147.0))


for level in [0.4, 0.45, 0.49]:
    print(f"lambda(t) = {level} needs t = {t_needed(level):.2g}")
sgld_t, sgld_llc, sgld_se = t, r.llc, r.llc_stderr

# %%
fig, ax = plt.subplots(1, 2, figsize=(12, 4.4))
ax[0].plot(ts, lam, "-", label="exact finite-t target lambda(t)")
ax[0].plot(ts[ts > 10], 0.5 - 1 / np.log(ts[ts > 10]), "k:", label="1/2 - 1/log t")
ax[0].axhline(0.5, color="k", ls="--", label="learning coefficient 1/2")
ax[0].errorbar([sgld_t], [sgld_llc], yerr=[2 * sgld_se], fmt="o", color="C3",
               label="SGLD LLC at n = 300, beta = 1/log n (2 stderr)")
ax[0].set(xscale="log", xlabel="t = n beta S_xx / (2 n)", ylabel="LLC",
          title="normal crossing: the LLC creeps up to 1/2", ylim=(0, 0.6))
ax[1].errorbar(scales, [v[0] for v in llc], yerr=[2 * v[1] for v in llc], fmt="o",
               label="SGLD LLC (2 stderr)")
fine = np.linspace(0.0, 0.6, 50)
ax[1].plot(fine, [weights.expected_llc(x3, y3, noise_sd, beta3, 1.0, step_size=s / lam3)
                  for s in fine], "-",
           label="exact expectation at this step")
ax[1].axhline(target, color="k", ls="--", label="d/2 = 1.5")
ax[1].set(xlabel="step size x lambda_max(P)", ylabel="LLC",
          title="regular model (d = 3): d/2, plus a step bias")
show(fig, ax)

# %% [markdown]
# ## What to take away
# - A deterministic network through an invertible map has I(X; Z) = +inf
#   (`exact.mi_weight_noise` at zero weight noise, `exact.mi_noisy` at sigma = 0, and the
#   posterior channel at beta = inf all say so). Drawing the weights from the tempered local
#   posterior makes it finite, and exactly computable for a linear-Gaussian layer.
# - beta is how much the data count (n beta together), gamma how tightly q is tied to w*;
#   `linear_posterior` matches the normal equations to 1e-12, and SGLD matches it within
#   5 ESS stderr, once its unadjusted-step law N(mu, (P - eps P^2/4)^{-1}) is used: at a
#   large step (eps lambda_max = 1) that law is 4/3 as wide as q along the stiffest direction.
# - The information in the weights KL(q || N(w*, I/gamma)) is 0 at beta = 0 and grows like
#   (D/2) log beta (slope within 0.01 of D/2 = 2 for the 4 weights); I(X; Z) under the
#   posterior channel rises strictly with beta and with n (every step > 5 stderr), by
#   k/2 ln 10 = 2.30 nats per decade of beta at the top: the deterministic +inf is the
#   beta -> inf limit of finite numbers, and the temperature sets where on that road we are.
# - The SGLD LLC equals its exact expectation at each step size within 5 stderr on a
#   regular model, and that expectation is d/2 = 1.5 up to a step bias (and a gamma bias
#   under 0.01 here).
# - On the singular normal-crossing model the SGLD LLC agrees, within 5 stderr, with the
#   exact finite-t target lambda(t) (0.318 at t = 23), not 1/2: lambda(t) approaches 1/2
#   only like 1/2 - 1/log t, and lambda = 0.49 would need t of order 1e42.
