# %% [markdown]
# # 1. The degeneracy: I(X; f(X)) is infinite
#
# Take a continuous input X and a deterministic network Z = f(X). Given X, Z is a point
# mass, so h(Z | X) = -inf and **I(X; Z) = +inf**, whatever the weights, whatever the layer.
# Information-plane analyses of deep networks still report finite numbers for it. They come
# from one of three relaxations, each of which measures something else:
#
# | relaxation | what the number is |
# | --- | --- |
# | bin Z into cells of width Delta | H(bin(Z)) = h(Z) - d log Delta + o(1): set by the bin width |
# | add noise, Z + sigma eps | I_sigma = h(Z + sigma eps) - (d/2) log(2 pi e sigma^2): set by sigma |
# | make X discrete (m points) | log m, at every layer of an injective network |
#
# This notebook computes all three, **for one network**, against revinfo's exact answers.
# Units are nats throughout (1 bit = ln 2 = 0.693 nats).

# %%
import os

SIZE = os.environ.get("REVINFO_NOTEBOOK_SIZE", "full")  # "small" in CI, "full" for readers
N = {"small": 5_000, "full": 50_000}[SIZE]  # samples of X for binning and estimators
N_MC = {"small": 300, "full": 2_000}[SIZE]  # outer draws of the exact noisy-MI Monte Carlo
N_SP = {"small": 2_000, "full": 5_000}[SIZE]  # samples for sample propagation (cost ~ n^2)

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from revinfo import dist, estimate, exact, flows

plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80})
torch.manual_seed(0)  # X.sample(...) draws from torch's global generator
print(f"SIZE={SIZE}: N={N}, N_MC={N_MC}")

# %% [markdown]
# ## The network
# An untrained RealNVP network (4 affine coupling layers) on R^2, with X ~ N(0, I_2).
# It is a bijection with an exact log|det J|, so revinfo knows h(f(X)) = h(X) + E log|det J|.

# %%
d = 2
X = dist.standard_normal(d)
f = flows.build("affine", dim=d, depth=4, seed=0)

h_x = exact.entropy(X)
h_z = exact.entropy(X, f, n=20 * N, seed=1)
print("h(X)    =", h_x)
print("h(f(X)) =", h_z)

x = X.sample((N,))
with torch.no_grad():
    z, _ = f(x)
    x_back, _ = f.inverse(z)
recon_error = (x_back - x).abs().max().item()
print(f"max |f^-1(f(x)) - x| = {recon_error:.1e}: nothing is lost")

I_exact = exact.mi_noisy(X, f, 0.0)
print("I(X; f(X)) =", I_exact.value, f"({I_exact.method})")
assert math.isinf(I_exact.value) and I_exact.value > 0
assert recon_error < 1e-9

# %% [markdown]
# ## Relaxation 1: binning
# Binning applied to a network treats X as uniform over the N samples. Then Z is a
# function of X and the binned "I(X; Z)" is H(bin(Z)), the plug-in entropy of the cells
# (Shwartz-Ziv & Tishby 2017). For a density, H(bin_Delta(Z)) = h(Z) - d log Delta + o(1)
# (Cover & Thomas, Thm 8.3.1), until every sample sits in its own cell and the value
# stops at log N. We use cells aligned on multiples of Delta = 2, 1, 1/2, ...: each grid
# refines the previous one, so the value can only grow as Delta shrinks.

# %%
z_np = z.numpy()
widths = 2.0 ** np.arange(1, -15, -1)
binned = np.array([estimate.entropy_binned(z_np, bin_width=w).value for w in widths])
predicted = h_z.value - d * np.log(widths)
for w, b, p in zip(widths, binned, predicted):
    print(f"Delta={w:8.4f}  binned={b:6.3f}  h(Z) - d log Delta={p:6.3f}  log N={np.log(N):.3f}")

i_mid = int(np.flatnonzero(widths == 0.25)[0])
tol_mid = 0.1  # plug-in bias (occupied cells / 2N) + o(1) of a cell of width 1/4
assert abs(binned[i_mid] - predicted[i_mid]) < tol_mid
assert np.all(np.diff(binned) >= -1e-12)  # refinement never lowers a plug-in entropy
assert binned[-1] > np.log(N) - 0.01  # finest bins: every sample alone, the value is log N
assert binned[0] < binned[-1] - 3.0  # the answer moves by nats with the bin width alone

# %% [markdown]
# ## Relaxation 2: noise
# I_sigma(X; f(X)) = I(X; f(X) + sigma eps) with eps ~ N(0, I) is finite. revinfo computes
# it from the flow's exact density (`exact.mi_noisy`, a nested Monte Carlo with its
# stderr). As sigma -> 0 it grows without bound like
# h(f(X)) - (d/2) log(2 pi e sigma^2): d nats per factor e in 1/sigma.
# The sample-propagation estimator (`estimate.mi_noisy`, Goldfeld et al. 2019) sees only
# n = N_SP samples of Z and can never exceed log n.

# %%
sigmas = np.array([1.0, 0.3, 0.1, 0.03, 0.01])
I_sig = [exact.mi_noisy(X, f, s, n=N_MC, inner=32, seed=2) for s in sigmas]
I_sp = np.array([estimate.mi_noisy(z_np[:N_SP], s, seed=3).value for s in sigmas])
small_noise = h_z.value - 0.5 * d * np.log(2 * np.pi * np.e * sigmas**2)
for s, e, sp, a in zip(sigmas, I_sig, I_sp, small_noise):
    print(f"sigma={s:5.2f}  exact {e}   sample-propagation {sp:6.3f}   small-noise formula {a:6.3f}")

vals = np.array([e.value for e in I_sig])
errs = np.array([e.stderr for e in I_sig])
gap = abs(vals[-1] - small_noise[-1])
assert gap < 4 * math.hypot(errs[-1], h_z.stderr) + 0.02, gap
assert np.all(np.diff(vals) > 4 * np.hypot(errs[1:], errs[:-1]))  # grows as sigma shrinks
slope = (vals[-1] - vals[-2]) / np.log(sigmas[-2] / sigmas[-1])  # nats per unit of log(1/sigma)
assert abs(slope - d) < 0.1, slope
assert np.all(I_sp <= np.log(N_SP) + 1e-9)

# %% [markdown]
# ## Relaxation 3: discrete X
# If X is uniform on m distinct points, an injective f keeps them distinct at every layer,
# so I(X; T_l) = H(X) = log m exactly: finite, constant through the network, and a
# statement about the data set size, not about what the network does.

# %%
ms = [10, 100, 1000, N]
per_layer = {}
for m in ms:
    with torch.no_grad():
        layers = flows.trace(f, x[:m])
    H = []
    for t, _ in layers:
        _, counts = np.unique(t.numpy(), axis=0, return_counts=True)
        p = counts / m
        H.append(float(-(p * np.log(p)).sum()))  # I(X; T_l) = H(T_l) for X uniform on m points
    per_layer[m] = H
    print(f"m={m:6d}: I(X; T_l) per layer =", np.round(H, 6), f" log m = {np.log(m):.6f}")
    assert np.allclose(H, np.log(m), atol=1e-12)

# %% [markdown]
# ## Side by side

# %%
fig, ax = plt.subplots(1, 3, figsize=(14, 4.2), sharey=True)
ax[0].plot(widths, binned, "o-", label="binned H(bin(Z))")
ax[0].plot(widths, predicted, "k--", label="h(Z) - d log Delta")
ax[0].axhline(np.log(N), color="gray", ls=":", label=f"log N (N={N})")
ax[0].set(xscale="log", xlabel="bin width Delta", ylabel="'I(X; Z)' (nats)",
          title="binning: set by the bin width")
ax[0].invert_xaxis()
ax[1].errorbar(sigmas, vals, yerr=2 * errs, fmt="o-", label="exact I_sigma (2 stderr)")
ax[1].plot(sigmas, small_noise, "k--", label="h(Z) - (d/2) log(2 pi e sigma^2)")
ax[1].plot(sigmas, I_sp, "s:", label=f"sample propagation ({N_SP} samples)")
ax[1].axhline(np.log(N_SP), color="gray", ls=":", label=f"log {N_SP}")
ax[1].set(xscale="log", xlabel="noise sigma", title="noise: set by sigma")
ax[1].invert_xaxis()
for layer in range(len(per_layer[ms[0]])):
    ax[2].plot(ms, [per_layer[m][layer] for m in ms], "o", ms=8 - layer, alpha=0.6,
               label="layers 0-4" if layer == 0 else None)
ax[2].plot(ms, np.log(ms), "k--", label="log m")
ax[2].set(xscale="log", xlabel="number of input points m", title="discrete X: log m at every layer")
for a in ax:
    a.legend(fontsize=8)
    a.grid(alpha=0.3)
fig.suptitle("One network, three finite stand-ins for I(X; f(X)) = +inf (units: nats)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What to take away
# - For continuous X and an invertible network, I(X; f(X)) = +inf: `exact.mi_noisy` at
#   sigma = 0 says so, and f inverts back to X to 1e-9.
# - Binning turns it into h(f(X)) - d log Delta (within 0.1 nats at Delta = 1/4), which
#   grows as the bins shrink until it reaches log N: in this network it moves by more than
#   3 nats with the bin width alone.
# - Noise turns it into I_sigma, finite but growing by d nats per unit of log(1/sigma)
#   (slope within 0.1 of d = 2), and equal to h(f(X)) - (d/2) log(2 pi e sigma^2) at
#   sigma = 0.01 within its error bar. The sample-propagation estimate never exceeds log n.
# - Discrete X turns it into log m at every layer, exactly: a count of the data points.
# - None of the three numbers is "the information in the layer"; each is a property of the
#   relaxation (Delta, sigma, m) plus, for the first two, the geometry h(f(X)).
