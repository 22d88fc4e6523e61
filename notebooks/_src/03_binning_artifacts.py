# %% [markdown]
# # 3. Binning artifacts: the binned "MI" measures geometry
#
# The information-plane plots of Shwartz-Ziv & Tishby (2017) bin each layer's activations
# into 30 equal cells and report H(bin(T_l)) as I(X; T_l) (X uniform over the training
# samples, so T_l is a function of X). For a network that is injective on the samples the
# true value is log N at every layer. The binned value is not: for a density,
#
#     H(bin_Delta(T)) = h(T) - d log Delta + o(1)     (Cover & Thomas, Thm 8.3.1),
#
# so it follows the differential entropy h(T_l) (how tightly the layer packs its
# points) shifted by the bin width, until it saturates at log N. Part 1 checks this
# against revinfo's exact entropy profile of an invertible network; part 2 reproduces the
# tanh-vs-ReLU "compression" debate (Saxe et al. 2018) on random networks. Units: nats.

# %%
import os

SIZE = os.environ.get("REVINFO_NOTEBOOK_SIZE", "full")  # "small" in CI, "full" for readers
N = {"small": 10_000, "full": 50_000}[SIZE]  # samples (X uniform over them)
N_MLP = {"small": 2_000, "full": 5_000}[SIZE]  # samples for the tanh / ReLU networks

import matplotlib.pyplot as plt
import numpy as np
import torch

from revinfo import dist, estimate, exact, flows

plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80})
torch.manual_seed(0)  # X.sample(...) draws from torch's global generator
print(f"SIZE={SIZE}: N={N}, N_MLP={N_MLP}")

# %% [markdown]
# ## Part 1: binned "MI" per layer of an invertible network, at several bin widths
# An untrained 6-layer network of elementwise bijections (asinh, sinh, x sqrt|x|, leaky)
# with random diagonal affine maps, on X ~ N(0, I_2). It squeezes volume: its exact
# entropy falls by several nats with depth, while every layer stays invertible.

# %%
d, depth = 2, 6
X = dist.standard_normal(d)
f = flows.build("elementwise", d, depth, seed=0)
prof = exact.entropy_profile(X, f, n=5 * N, seed=1)
h = np.array([e.value for e in prof])
h_err = np.array([e.stderr or 0.0 for e in prof])

x = X.sample((N,))
with torch.no_grad():
    layers = [t.numpy() for t, _ in flows.trace(f, x)]
distinct = [len(np.unique(t, axis=0)) for t in layers]
true_I = np.log(distinct)  # I(X; T_l) = H(T_l) = log N: no two samples ever merge

widths = [1.0, 0.5, 0.25, 0.125, 0.0625]
binned = np.array([[estimate.entropy_binned(t, bin_width=w).value for t in layers]
                   for w in widths])
predicted = np.array([h - d * np.log(w) for w in widths])
print("h(T_l)        ", np.round(h, 3))
print("true I(X;T_l) ", np.round(true_I, 3))
for w, b, p in zip(widths, binned, predicted):
    print(f"Delta={w:6.4f} binned", np.round(b, 3), "\n              h - d log Delta", np.round(p, 3))

assert np.allclose(true_I, np.log(N))  # constant in depth
assert np.all(binned <= np.log(N) + 1e-9)
drop_h = h[0] - h[-1]
drop_binned = binned[:, 0] - binned[:, -1]
assert drop_h > 3 * 4 * h_err[-1] and drop_h > 3.0  # the network squeezes by > 3 nats
assert np.all(drop_binned[:3] > 2.0)  # every coarse-to-mid grid shows a > 2-nat "compression"
err = np.abs(binned - predicted)
unsaturated = predicted < np.log(N) - 2  # away from the log N ceiling
assert err[-1][unsaturated[-1]].max() < err[0][unsaturated[0]].max()  # finer bins, closer
assert err[-1][unsaturated[-1]].max() < 0.3

# %%
fig, ax = plt.subplots(figsize=(7.5, 4.5))
ll = np.arange(depth + 1)
for i, w in enumerate(widths):
    (line,) = ax.plot(ll, binned[i], "o-", label=f"binned, Delta={w}")
    ax.plot(ll, predicted[i], "--", color=line.get_color(), alpha=0.7)
ax.plot(ll, true_I, "k-", lw=2.5, label="true I(X; T_l) = log N")
ax.plot([], [], "k--", alpha=0.7, label="h(T_l) - d log Delta (exact)")
ax.set(xlabel="layer l", ylabel="'I(X; T_l)' (nats)",
       title="Binned MI follows h(T_l) - d log Delta, capped at log N")
ax.legend(fontsize=8, loc="lower left")
ax.grid(alpha=0.3)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Part 2: tanh vs ReLU
# Random 6-layer networks of width 8 on 2-D inputs, T_l = act(W_l T_{l-1}) with
# W_l ~ N(0, s^2 / fan_in), at weight scales s = 1, 3, 10. Both are injective on the
# samples here (we count the distinct outputs), so the true I(X; T_l) is log N throughout.
#
# * **tanh** saturates: larger weights push activations to +-1, into the two end cells of
#   the 30-bin grid, and the binned value "compresses".
# * **ReLU** is positively homogeneous, relu(s W t) = s relu(W t): the weight scale only
#   rescales each layer, so 30 bins spread over the data range see the same picture at every
#   scale, while bins of a fixed width see more cells as the layer grows.

# %%
def mlp(act, scale, x, width=8, depth=6, seed=1):
    rng = np.random.default_rng(seed)
    out, t = [x], x
    for _ in range(depth):
        w = rng.standard_normal((width, t.shape[1])) * scale / np.sqrt(t.shape[1])
        t = act(t @ w.T)
        out.append(t)
    return out


acts = {"tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0)}
mlp_scales = [1.0, 3.0, 10.0]
x_mlp = np.random.default_rng(0).standard_normal((N_MLP, 2))
res = {}
for name, act in acts.items():
    for s in mlp_scales:
        ts = mlp(act, s, x_mlp)
        res[name, s] = dict(
            bins30=np.array([estimate.entropy_binned(t, bins=30).value for t in ts]),
            fixed=np.array([estimate.entropy_binned(t, bin_width=0.1).value for t in ts]),
            distinct=np.array([len(np.unique(t, axis=0)) for t in ts]),
        )
        r = res[name, s]
        print(f"{name} s={s:4.1f}: 30 bins", np.round(r["bins30"], 2),
              "| width 0.1", np.round(r["fixed"], 2), "| distinct", r["distinct"].min())

logN = np.log(N_MLP)
for r in res.values():
    assert np.all(r["distinct"] == N_MLP)  # injective on the data: true I = log N everywhere
tanh_drop = res["tanh", 1.0]["bins30"][-1] - res["tanh", 10.0]["bins30"][-1]
assert tanh_drop > 1.5, tanh_drop  # saturation "compresses" by > 1.5 nats
relu_spread = max(np.abs(res["relu", s]["bins30"] - res["relu", 1.0]["bins30"]).max()
                  for s in mlp_scales)
assert relu_spread < 0.02, relu_spread  # adaptive bins are blind to the ReLU weight scale
relu_fixed = [res["relu", s]["fixed"][-1] for s in mlp_scales]
assert relu_fixed[2] > relu_fixed[0] + 2.0  # fixed-width bins: bigger weights, "more MI"

# %%
fig, ax = plt.subplots(1, 3, figsize=(14, 4.2), sharey=True)
ll = np.arange(7)
panels = [("tanh", "bins30", "tanh, 30 bins over the range"),
          ("relu", "bins30", "ReLU, 30 bins over the range"),
          ("relu", "fixed", "ReLU, bins of width 0.1")]
for a, (name, key, title) in zip(ax, panels):
    for s in mlp_scales:
        a.plot(ll, res[name, s][key], "o-", ms=4, label=f"weight scale {s}")
    a.axhline(logN, color="k", ls="--", lw=1.2, label="true I(X; T_l) = log N")
    a.set(title=title, xlabel="layer l")
    a.grid(alpha=0.3)
ax[0].set_ylabel("binned 'I(X; T_l)' (nats)")
ax[0].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What to take away
# - X uniform on N samples and an injective network: the true I(X; T_l) is log N at every
#   layer (checked by counting distinct outputs), so any change across layers in a binned
#   curve is an artifact.
# - The binned value follows h(T_l) - d log Delta from revinfo's exact entropy profile, with
#   its error shrinking as the bins shrink (below 0.3 nats at Delta = 1/16 away from the
#   log N ceiling) and never exceeding log N.
# - An invertible network that squeezes volume (h falls by > 3 nats here) shows a binned
#   "compression" of more than 2 nats at every bin width from 1 to 1/4: that is geometry.
# - tanh networks "compress" under binning because saturation piles activations into the
#   end cells (> 1.5 nats lower at weight scale 10 than at 1, same true information);
#   ReLU networks show no scale effect with range-adaptive bins (within 0.02 nats, by
#   positive homogeneity) and a growing one with fixed-width bins (> 2 nats from scale 1 to
#   10). The curve depends on the activation's geometry and the binning rule, not on
#   information.
