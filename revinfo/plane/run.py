"""``revinfo plane``'s logic as a function of plain arguments: train, record, measure every
(seed, activation, epoch, layer, method, sigma) row not already in the folder's store, then
write the tidy table (CSV + JSON) and the figure."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from revinfo import _validate as v
from revinfo.plane import data, measures
from revinfo.plane.network import ACTIVATIONS, HIDDEN, default_epochs, train_and_record
from revinfo.plane.plot import plot_plane
from revinfo.plane.progress import bar_disabled
from revinfo.plane.store import Store

COLUMNS = ("seed", "activation", "epoch", "layer", "width", "method", "sigma", "i_xt",
           "i_xt_stderr", "i_yt", "i_yt_stderr", "seconds", "loss", "train_accuracy",
           "test_accuracy", "n_rows")
FULL = {"n": None, "epochs": 256, "n_draws": 2**15}
SMALL = {"n": 300, "epochs": 8, "n_draws": 1000}  # --small: seconds, for tests

def _config(dataset, activations, seeds, epochs, n, sigmas, methods, bins, n_draws, hidden):
    return {"dataset": dataset, "activations": list(activations), "seeds": list(seeds),
            "epochs": epochs, "n": n, "sigmas": list(sigmas), "methods": list(methods),
            "bins": bins, "n_draws": n_draws, "hidden": list(hidden)}

def _validated(activations, seeds, sigmas, methods, bins, dataset):
    acts = [v.choice(a, "activation", ACTIVATIONS) for a in activations]
    seeds = [v.integer(s, "seed", low=0) for s in seeds]
    sigmas = [v.noise_scale(s, "sigma") for s in sigmas]
    methods = [v.choice(m, "method", measures.METHODS) for m in methods]
    bins = v.integer(bins, "bins", low=1)
    v.choice(dataset, "dataset", ("digits", "clusters"))
    if not (acts and seeds and methods) or (set(methods) & set(measures.NOISY) and not sigmas):
        raise ValueError("plane needs at least one activation, seed, method, and a sigma for "
                         f"the noisy methods {measures.NOISY}")
    return acts, seeds, sigmas, methods, bins

def _measure(method, t, y, sigma, bins, value_range, n_draws, seed, device):
    if method == "exact":
        return measures.exact_plane(t, y, sigma, n_draws=n_draws, seed=seed, device=device)
    if method == "binned":
        return measures.binned_plane(t, y, bins, value_range)
    if method == "kde":
        return measures.kde_plane(t, y, sigma)
    return measures.sp_plane(t, y, sigma, seed=seed)

def _jobs(rec, methods, sigmas):
    for epoch in rec.epochs:
        for li, layer in enumerate(rec.layers):
            for method in methods:
                for sigma in (sigmas if method in measures.NOISY else [None]):
                    yield epoch, li, layer, method, sigma

def run_plane(
    out: str | Path,
    *,
    dataset: str = "digits",
    activations: Sequence[str] = ("tanh", "relu"),
    seeds: Sequence[int] = (0,),
    sigmas: Sequence[float] = (0.02, 0.1, 0.5),
    methods: Sequence[str] = measures.METHODS,
    bins: int = 30,
    small: bool = False,
    epochs: int | None = None,
    n: int | None = None,
    n_draws: int | None = None,
    hidden: Sequence[int] = HIDDEN,
    device: str = "cpu",
    progress: bool | None = None,
) -> dict[str, Any]:
    """Information plane of the MLP (:mod:`revinfo.plane.network`) per layer and epoch, in
    the folder ``out``: ``table.csv`` and ``table.json`` (one row per seed, activation, epoch,
    layer, method, sigma; nats) and ``plane.png``. Resumable: rows already in ``out``'s store
    (:mod:`revinfo.plane.store`) are not recomputed, the activations not retrained.

    ``small=True`` uses 300 rows, 8 epochs and 1000 draws (a test-sized run); ``epochs``,
    ``n`` (rows of the data set, None = all) and ``n_draws`` override either size. The data
    set is split 80/20 (seeded by the run's seed); activations are those of the training rows.
    Returns a summary: the paths, rows computed and reused, seconds.
    """
    t0 = time.perf_counter()
    acts, seeds, sigmas, methods, bins = _validated(activations, seeds, sigmas, methods, bins,
                                                    dataset)
    size = SMALL if small else FULL
    epochs = size["epochs"] if epochs is None else v.integer(epochs, "epochs", low=0)
    n = size["n"] if n is None else v.integer(n, "n", low=10)
    n_draws = size["n_draws"] if n_draws is None else v.integer(n_draws, "n_draws", low=1)
    hidden = tuple(v.integer(w, "hidden width", low=1) for w in hidden)
    store = Store(out, _config(dataset, acts, seeds, epochs, n, sigmas, methods, bins, n_draws,
                               hidden))
    computed = reused = 0
    from tqdm.auto import tqdm

    for seed in seeds:
        x, y = data.digits(n, seed=seed) if dataset == "digits" else data.clusters(
            n or 1000, seed=seed)
        x_tr, y_tr, x_te, y_te = data.split(x, y, 0.2, seed)
        for act in acts:
            rec = store.load_recording(act, seed)
            if rec is None:
                rec = train_and_record(x_tr, y_tr, x_te, y_te, activation=act, hidden=hidden,
                                       epochs=epochs, record_at=default_epochs(epochs),
                                       seed=seed, device=device, progress=progress)
                store.save_recording(act, seed, rec)
            ranges = [(min(float(rec.activations[e][li].min()) for e in rec.epochs),
                       max(float(rec.activations[e][li].max()) for e in rec.epochs))
                      for li in range(len(rec.layers))]
            jobs = list(_jobs(rec, methods, sigmas))
            bar = tqdm(jobs, desc=f"plane {act} seed {seed}", unit="row",
                       disable=bar_disabled(progress))
            for epoch, li, layer, method, sigma in bar:
                key = (seed, act, epoch, layer, method, sigma)
                if store.has(key):
                    reused += 1
                    continue
                t1 = time.perf_counter()
                t = rec.activations[epoch][li]
                (ix, ix_se), (iy, iy_se) = _measure(method, t, y_tr, sigma, bins, ranges[li],
                                                    n_draws, seed, device)
                store.add({"seed": seed, "activation": act, "epoch": epoch, "layer": layer,
                           "width": int(t.shape[1]), "method": method, "sigma": sigma,
                           "i_xt": ix, "i_xt_stderr": ix_se, "i_yt": iy, "i_yt_stderr": iy_se,
                           "seconds": time.perf_counter() - t1, "loss": rec.loss[epoch],
                           "train_accuracy": rec.train_accuracy[epoch],
                           "test_accuracy": rec.test_accuracy.get(epoch),
                           "n_rows": int(t.shape[0])})
                computed += 1
    rows = [store.rows[k] for k in sorted(store.rows, key=_sortable)]
    paths = write_table(rows, Path(out))
    paths["figure"] = str(plot_plane(rows, Path(out) / "plane.png"))
    return {"out": str(out), **paths, "rows": len(rows), "computed": computed,
            "reused": reused, "seconds": time.perf_counter() - t0}

def write_table(rows: list[dict[str, Any]], folder: Path) -> dict[str, str]:
    """``table.csv`` and ``table.json`` (the same rows, :data:`COLUMNS`)."""
    csv_path, json_path = folder / "table.csv", folder / "table.json"
    with csv_path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({c: ("" if r.get(c) is None else r.get(c)) for c in COLUMNS})
    json_path.write_text(json.dumps([{c: r.get(c) for c in COLUMNS} for r in rows], indent=1))
    return {"csv": str(csv_path), "json": str(json_path)}

def _sortable(key: tuple) -> tuple:
    seed, act, epoch, layer, method, sigma = key
    return (seed, act, epoch, int(layer) if str(layer).isdigit() else 10**6, method,
            -1.0 if sigma is None else sigma)

def table(out: str | Path) -> list[dict[str, Any]]:
    """The rows of a finished run's ``table.json``."""
    return json.loads((Path(out) / "table.json").read_text())

__all__ = ["COLUMNS", "run_plane", "table", "write_table"]
