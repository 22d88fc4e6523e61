"""The information-plane figure: one panel per (method, sigma), one row per (activation,
seed); in each panel a line per layer through its recorded epochs, points coloured by epoch.
Drawn on a bare matplotlib Figure (Agg, no display; pyplot's backend is left alone)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def panels(rows: list[dict[str, Any]]) -> list[tuple[str, float | None]]:
    """(method, sigma) pairs in the table, exact first, then binned, kde, sp."""
    order = {"exact": 0, "binned": 1, "kde": 2, "sp": 3}
    found = {(r["method"], r["sigma"]) for r in rows}
    return sorted(found, key=lambda p: (order.get(p[0], 9), p[1] or 0.0))


def plot_plane(rows: list[dict[str, Any]], path: str | Path) -> Path:
    """Draw the plane of ``rows`` (the tidy table) to ``path`` (PNG); returns the path."""
    import matplotlib
    from matplotlib.figure import Figure

    cols = panels(rows)
    runs = sorted({(r["activation"], r["seed"]) for r in rows})
    # a bare Figure renders with Agg and leaves pyplot's backend (a notebook's inline one) alone
    fig = Figure(figsize=(3.2 * len(cols), 3.0 * len(runs)), layout="constrained")
    axes = fig.subplots(len(runs), len(cols), squeeze=False)
    epochs = sorted({r["epoch"] for r in rows})
    norm = matplotlib.colors.Normalize(min(epochs), max(epochs))
    for i, (act, seed) in enumerate(runs):
        for j, (method, sigma) in enumerate(cols):
            ax = axes[i][j]
            sel = [r for r in rows if r["activation"] == act and r["seed"] == seed
                   and r["method"] == method and r["sigma"] == sigma]
            for layer in sorted({r["layer"] for r in sel}, key=_layer_order):
                pts = sorted((r for r in sel if r["layer"] == layer), key=lambda r: r["epoch"])
                xs, ys = [r["i_xt"] for r in pts], [r["i_yt"] for r in pts]
                ax.plot(xs, ys, "-", color="0.6", lw=0.8)
                ax.scatter(xs, ys, c=[r["epoch"] for r in pts], cmap="viridis", norm=norm, s=14)
                ax.annotate(layer, (xs[-1], ys[-1]), fontsize=7)
            label = method if sigma is None else f"{method}, sigma={sigma:g}"
            ax.set_title(f"{label}\n{act}, seed {seed}", fontsize=8)
            ax.set_xlabel("I(X;T) nats", fontsize=8)
            ax.set_ylabel("I(Y;T) nats", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap="viridis"), ax=axes, label="epoch",
                 shrink=0.6)
    out = Path(path)
    fig.savefig(out, dpi=90)
    return out


def _layer_order(name: str) -> tuple[int, str]:
    return (int(name), "") if name.isdigit() else (10**6, name)
