"""The plane's own resumable store, one folder per run: ``config.json`` (the settings the
rows belong to), ``rows.jsonl`` (one finished (seed, activation, epoch, layer, method, sigma)
row per line, appended and flushed as it is computed) and one ``.npz`` of recorded activations
per (activation, seed), so that a resumed run neither retrains nor recomputes a row."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from revinfo.plane.network import Recording

KEY = ("seed", "activation", "epoch", "layer", "method", "sigma")


def row_key(row: dict[str, Any]) -> tuple:
    return tuple(row[k] for k in KEY)


class Store:
    """Rows already computed in ``folder``, and the appender for new ones."""

    def __init__(self, folder: str | Path, config: dict[str, Any]):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._check_config(config)
        self.path = self.folder / "rows.jsonl"
        self.rows: dict[tuple, dict[str, Any]] = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                if line.strip():
                    row = json.loads(line)
                    self.rows[row_key(row)] = row

    def _check_config(self, config: dict[str, Any]) -> None:
        path = self.folder / "config.json"
        if path.exists():
            old = json.loads(path.read_text())
            differ = sorted(k for k in set(old) | set(config) if old.get(k) != config.get(k))
            if differ:
                raise ValueError(f"{self.folder} holds a plane run with other settings "
                                 f"({', '.join(differ)}): use another folder or the same "
                                 f"settings to resume")
        else:
            path.write_text(json.dumps(config, indent=2, sort_keys=True))

    def has(self, key: tuple) -> bool:
        return key in self.rows

    def add(self, row: dict[str, Any]) -> None:
        clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                 for k, v in row.items()}
        self.rows[row_key(clean)] = clean
        with self.path.open("a") as fh:
            fh.write(json.dumps(clean) + "\n")

    def _npz(self, activation: str, seed: int) -> Path:
        return _npz(self.folder, activation, seed)

    def load_recording(self, activation: str, seed: int) -> Recording | None:
        return load_recording(self.folder, activation, seed)

    def save_recording(self, activation: str, seed: int, rec: Recording) -> None:
        meta = {"epochs": rec.epochs, "layers": rec.layers, "loss": rec.loss,
                "train_accuracy": rec.train_accuracy, "test_accuracy": rec.test_accuracy}
        arrays = {f"e{e}_l{i}": a for e in rec.epochs for i, a in enumerate(rec.activations[e])}
        tmp = self._npz(activation, seed).with_suffix(".tmp.npz")
        np.savez(tmp, meta=json.dumps(meta), **arrays)
        tmp.replace(self._npz(activation, seed))


def _npz(folder: Path, activation: str, seed: int) -> Path:
    return Path(folder) / f"activations_{activation}_seed{seed}.npz"


def load_recording(folder: str | Path, activation: str, seed: int) -> Recording | None:
    """The activations a run in ``folder`` recorded for (activation, seed), or None."""
    path = _npz(Path(folder), activation, seed)
    if not path.exists():
        return None
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        rec = Recording(meta["epochs"], meta["layers"])
        for e in rec.epochs:
            rec.activations[e] = [data[f"e{e}_l{i}"] for i in range(len(rec.layers))]
    for name in ("loss", "train_accuracy", "test_accuracy"):
        setattr(rec, name, {int(k): v for k, v in meta[name].items()})
    return rec
