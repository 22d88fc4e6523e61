"""Every teaching notebook in ``notebooks/`` runs top to bottom at REVINFO_NOTEBOOK_SIZE=small.

Each notebook asserts its own claims in code cells, so a notebook that raises fails here.
The kernel is a temporary kernelspec running this interpreter (``sys.executable``), from
``notebooks/_build.py``: the ``python3`` spec a venv installs runs whatever ``python`` is on
PATH. One torch/OpenMP thread per kernel, as in conftest (pytest-xdist runs two at once).
The committed notebooks must also match their sources in ``notebooks/_src/`` (regenerate
with ``python notebooks/_build.py``) and keep their outputs for readers.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("notebooks_build", ROOT / "notebooks" / "_build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

SOURCES = build.sources()
CELL_TIMEOUT = 300  # seconds, per cell


def _has_figure(nb) -> bool:
    return any(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


def _takeaway(nb) -> str:
    last = nb.cells[-1]
    assert last.cell_type == "markdown", "the last cell must be markdown"
    return last.source


def test_there_are_seven_notebooks():
    assert len(SOURCES) >= 7
    for src in SOURCES:
        assert (src.parent.parent / f"{src.stem}.ipynb").exists(), f"{src.stem}.ipynb not built"


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_committed_notebook_matches_source_and_has_outputs(src):
    committed = nbformat.read(src.parent.parent / f"{src.stem}.ipynb", as_version=4)
    fresh = build.notebook(src)
    assert [(c.cell_type, c.source) for c in committed.cells] == [
        (c.cell_type, c.source) for c in fresh.cells
    ], f"{src.stem}.ipynb is stale: run python notebooks/_build.py {src.stem[:2]}"
    assert _has_figure(committed), "the committed notebook lost its figures"
    assert "What to take away" in _takeaway(committed)
    size = (src.parent.parent / f"{src.stem}.ipynb").stat().st_size
    assert size < 1_000_000, f"{size} bytes"


@pytest.mark.parametrize("src", SOURCES, ids=[s.stem for s in SOURCES])
def test_notebook_runs_small(src):
    nb = build.notebook(src)
    t0 = time.perf_counter()
    with build.kernel() as kernel_name:
        build.execute(nb, kernel_name, "small", timeout=CELL_TIMEOUT, threads=1)
    print(f"{src.stem}: {time.perf_counter() - t0:.1f} s at size small")
    assert _has_figure(nb), "no figure output"
    takeaway = _takeaway(nb)
    assert takeaway.lstrip("# ").startswith("What to take away")
    assert takeaway.count("\n- ") >= 2, "the take-away cell should list its statements"
