# %% [markdown]
# # 10. The information plane, exactly
#
# The information plane (Shwartz-Ziv & Tishby 2017) plots, for every layer T of a trained
# network, I(X; T) against I(Y; T) over the epochs; its "compression phase", I(X; T) falling
# late in training, was read off binned estimates, and Saxe et al. (2018) showed that binning
# and KDE can make it appear or vanish. For a deterministic network I(X; T) is infinite or, on a
# finite data set, log N; it is finite and meaningful once noise is added:
#
#     I_sigma(X; T) = I(X; T + sigma eps),   X uniform on the N training rows.
#
# Then T + sigma eps is an N-component Gaussian mixture and I_sigma(X; T), I_sigma(Y; T) are
# exact up to a Monte Carlo stderr (`revinfo.exact.mi_noisy_empirical`, the construction of
# Goldfeld et al. 2019). This notebook trains the MLP 64-12-10-7-5-4-3-10 (tanh and ReLU) on
# scikit-learn's bundled digits and asks:
#
# 1. Does compression show up in the exact I_sigma?
# 2. Where does binning invent it (or hide it)?
# 3. For a 20-bit stochastic binary autoencoder trained with a DV/MINE regulariser, how does the
#    regulariser's estimate compare with the exact I(X; Z) (`revinfo.exact.mi_binary_code`)?

# %%
import os
import tempfile

SIZE = os.environ.get("REVINFO_NOTEBOOK_SIZE", "full")  # "small" in CI, "full" for readers
CFG = {
    "small": {"n": 300, "epochs": 8, "n_draws": 1000, "sigmas": (0.05, 0.2),
              "ae_n": 300, "ae_epochs": 6, "ae_every": 3},
    "full": {"n": None, "epochs": 128, "n_draws": 2**13, "sigmas": (0.05, 0.2),
             "ae_n": None, "ae_epochs": 30, "ae_every": 5},
}[SIZE]

import math

import matplotlib.pyplot as plt
import numpy as np
import torch

from revinfo.plane import digits, run_plane, table
from revinfo.plane.autoencoder import train_autoencoder
from revinfo.plane.measures import binned_plane
from revinfo.plane.store import load_recording

torch.set_num_threads(1)
plt.rcParams.update({"figure.dpi": 80, "savefig.dpi": 80})
OUT = tempfile.mkdtemp(prefix="plane_")
print(f"SIZE={SIZE}: {CFG}")

# %% [markdown]
# ## 1. The plane: exact values next to binning, KDE and sample propagation
# One seed, tanh and ReLU, every layer at the recorded epochs (0, 1, 2, 4, ..., last), the
# exact values at two sigmas. `run_plane` writes the tidy table and the figure to a folder
# (the same as `revinfo plane --out DIR`).

# %%
summary = run_plane(OUT, activations=("tanh", "relu"), seeds=(0,), sigmas=CFG["sigmas"],
                    epochs=CFG["epochs"], n=CFG["n"], n_draws=CFG["n_draws"], progress=False)
rows = table(OUT)
N = rows[0]["n_rows"]
print(f"{summary['rows']} rows in {summary['seconds']:.0f} s; N = {N} training rows")


def pick(method, act, layer, sigma=None):
    sel = [r for r in rows if r["method"] == method and r["activation"] == act
           and r["layer"] == layer and r["sigma"] == sigma]
    return sorted(sel, key=lambda r: r["epoch"])


# Checks against independent facts: the KDE upper bound bounds the exact value from above;
# sample propagation estimates the same mixture (one draw a row): within 5 stderr.
for r in rows:
    if r["method"] != "kde":
        continue
    key = (r["activation"], r["layer"], r["sigma"])
    e = next(x for x in pick("exact", *key) if x["epoch"] == r["epoch"])
    sp = next(x for x in pick("sp", *key) if x["epoch"] == r["epoch"])
    assert r["i_xt"] >= e["i_xt"] - 5 * e["i_xt_stderr"]
    assert abs(sp["i_xt"] - e["i_xt"]) < 5 * math.hypot(sp["i_xt_stderr"], e["i_xt_stderr"])
    assert e["i_xt"] <= math.log(N) and e["i_yt"] <= e["i_xt"] + 5 * (
        e["i_xt_stderr"] + e["i_yt_stderr"])
acc = {a: pick("exact", a, "out", CFG["sigmas"][0])[-1]["test_accuracy"] for a in ("tanh", "relu")}
print("test accuracy at the last epoch:", acc)

# %%
fig, axes = plt.subplots(2, 3, figsize=(14, 8))
for i, act in enumerate(("tanh", "relu")):
    panels = [("exact", CFG["sigmas"][0]), ("exact", CFG["sigmas"][1]), ("binned", None)]
    for j, (method, sigma) in enumerate(panels):
        ax = axes[i][j]
        for layer in ["1", "2", "3", "4", "5", "6", "out"]:
            pts = pick(method, act, layer, sigma)
            xs, ys = [p["i_xt"] for p in pts], [p["i_yt"] for p in pts]
            ax.plot(xs, ys, "-", color="0.7", lw=0.8)
            sc = ax.scatter(xs, ys, c=[p["epoch"] for p in pts], cmap="viridis", s=16)
            ax.annotate(layer, (xs[-1], ys[-1]), fontsize=8)
        label = "binned (30 bins)" if sigma is None else f"exact, sigma = {sigma}"
        ax.set(title=f"{act}: {label}", xlabel="I(X;T) nats", ylabel="I(Y;T) nats")
fig.colorbar(sc, ax=axes, label="epoch", shrink=0.6)
plt.show()

# %% [markdown]
# ## 2. Compression: the drop of I(X; T) from its peak to the last epoch
# For the exact values the drop comes with a stderr (the two values' errors combined): a drop
# counts as compression only when it exceeds 5 of them. Binning has no error bar at all.

# %%
def drop(method, act, layer, sigma=None):
    pts = pick(method, act, layer, sigma)
    peak = max(pts, key=lambda p: p["i_xt"])
    last = pts[-1]
    se = math.hypot(peak["i_xt_stderr"] or 0.0, last["i_xt_stderr"] or 0.0)
    return peak["i_xt"] - last["i_xt"], se, peak["epoch"]


print(f"{'act':5s} {'layer':5s} " + " ".join(f"{'exact s=' + str(s):>22s}" for s in CFG["sigmas"])
      + f" {'binned':>8s}")
compression = {}
for act in ("tanh", "relu"):
    for layer in ["1", "2", "3", "4", "5", "6", "out"]:
        cells = []
        for s in CFG["sigmas"]:
            d, se, peak = drop("exact", act, layer, s)
            compression[(act, layer, s)] = d > 5 * se
            cells.append(f"{d:8.3f} ± {se:.3f} (ep {peak:3d})")
        b, _, _ = drop("binned", act, layer)
        compression[(act, layer, "binned")] = b > 0.05
        print(f"{act:5s} {layer:5s} " + " ".join(f"{c:>22s}" for c in cells) + f" {b:8.3f}")

# %% [markdown]
# ## 3. Binning's answer depends on the bins
# The same recorded activations, binned with 10, 30 and 100 bins over each layer's range: the
# binned I(X; T) is H(B(T)), a different curve per bin count, capped by log N, while the exact
# I_sigma(X; T) is one number per sigma with its error bar.

# %%
rec = load_recording(OUT, "tanh", 0)
fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for ax, layer in zip(axes, ["2", "4", "6"]):
    li = rec.layers.index(layer)
    lo = min(float(rec.activations[e][li].min()) for e in rec.epochs)
    hi = max(float(rec.activations[e][li].max()) for e in rec.epochs)
    y_dummy = np.zeros(rec.activations[0][li].shape[0], dtype=int)
    for bins in (10, 30, 100):
        vals = [binned_plane(rec.activations[e][li], y_dummy, bins, (lo, hi))[0][0]
                for e in rec.epochs]
        ax.plot(rec.epochs, vals, "o-", label=f"binned, {bins} bins")
        assert max(vals) <= math.log(N) + 1e-12
    for s in CFG["sigmas"]:
        pts = pick("exact", "tanh", layer, s)
        ax.errorbar([p["epoch"] for p in pts], [p["i_xt"] for p in pts],
                    yerr=[2 * p["i_xt_stderr"] for p in pts], fmt="s--", label=f"exact, sigma={s}")
    ax.axhline(math.log(N), color="k", lw=0.8, ls=":", label="log N")
    ax.set_xscale("symlog", linthresh=1)
    ax.set(xlim=(0, None), xlabel="epoch", ylabel="I(X;T) nats", title=f"tanh, layer {layer}")
    ax.legend(fontsize=7)
plt.show()

# %% [markdown]
# ## 4. The MI-regularised binary autoencoder: the regulariser's estimate vs the truth
# A 20-bit code with Bernoulli(sigmoid) bits (straight-through gradients), trained with
# reconstruction loss + beta x the DV (MINE) bound of a critic trained alongside. At every
# recorded epoch: the DV value on all rows and the exact I(X; Z) (Monte Carlo at 20 bits, with
# its stderr).

# %%
x_ae, _ = digits(CFG["ae_n"], seed=0)
ae = {b: train_autoencoder(x_ae, beta=b, epochs=CFG["ae_epochs"], record_every=CFG["ae_every"],
                           n_draws=CFG["n_draws"], seed=1, progress=False)
      for b in (0.0, 0.01, 0.1)}
for b, run in ae.items():
    for r in run.rows():
        print(f"beta={b:<5} epoch {r['epoch']:3d}: exact I(X;Z) = {r['exact']:.3f} ± "
              f"{r['exact_stderr']:.3f}, DV estimate = {r['dv']:.3f}, "
              f"reconstruction = {r['reconstruction']:.3f}")
free, strong = ae[0.0], ae[0.1]
assert free.exact[-1] - strong.exact[-1] > 5 * math.hypot(free.exact_stderr[-1],
                                                          strong.exact_stderr[-1])
assert all(v <= math.log(x_ae.shape[0]) + 1e-12 for run in ae.values() for v in run.exact)

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 4), sharey=True)
for ax, (b, run) in zip(axes, ae.items()):
    ax.errorbar(run.epochs, run.exact, yerr=2 * np.array(run.exact_stderr), fmt="o-",
                label="exact I(X;Z)")
    ax.plot(run.epochs, run.dv, "s--", label="DV regulariser's estimate")
    ax.axhline(math.log(x_ae.shape[0]), color="k", lw=0.8, ls=":", label="log N")
    ax.set(title=f"beta = {b}", xlabel="epoch", ylabel="nats")
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## What to take away
# - On a finite data set the plane has exact coordinates: I_sigma(X; T) and I_sigma(Y; T) are
#   Gaussian-mixture integrals with a stderr, checked here against two independent facts on
#   every row (the KDE upper bound is never below them; sample propagation, the same mixture
#   with one draw a row, agrees within 5 stderr).
# - Compression in the exact I_sigma depends on sigma. In the full-size run (seed 0, all
#   digits, 128 epochs), at sigma = 0.05 the two deepest tanh layers drop from their epoch-8
#   peak (layer 5 by 0.16 ± 0.01, layer 6 by 0.77 ± 0.01 nats) and so does the ReLU net's
#   softmax output (0.31 ± 0.01); at sigma = 0.2 no layer of either net drops: every one peaks
#   at the last epoch.
# - Binning invents compression where the exact values show none: 30 bins report drops for
#   tanh layers 3 and 4 (0.10, 0.08 nats) and the tanh softmax output (1.21 nats) whose exact
#   I_sigma rises to the last epoch at both sigmas, and they exaggerate the real drops (1.83
#   vs 0.77 at tanh layer 6). The binned I(X; T) is H(B(T)): it moves with the number of bins
#   and saturates at log N.
# - The DV regulariser of the binary autoencoder can be read against the truth. In the
#   full-size run (all 1797 digits, 30 epochs) the unregularised code reaches an exact
#   I(X; Z) = 5.69 ± 0.01 nats while the DV estimate says 1.80, under a third of it, and
#   wanders (1.19 to 1.99 over the recorded epochs) while the truth rises at every one;
#   beta = 0.01 leaves the code where it was (5.75 ± 0.01), beta = 0.1 collapses it to 0.
#   A regulariser that sees a third of the information it penalises is not measuring it.
