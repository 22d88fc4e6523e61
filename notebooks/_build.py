"""Build the teaching notebooks from their sources, execute them and save them with outputs.

Each notebook's source is a Python file in ``notebooks/_src/`` in the "percent" format:
``# %%`` starts a code cell, ``# %% [markdown]`` a markdown cell whose lines are comments
(``# `` stripped). This script turns each into an nbformat v4 notebook, runs it top to
bottom with nbclient on a kernel that uses this Python (``sys.executable``, so the venv's
revinfo and torch), and writes ``notebooks/<name>.ipynb`` with its outputs.

Usage::

    python notebooks/_build.py                 # all notebooks, REVINFO_NOTEBOOK_SIZE=full
    python notebooks/_build.py 03 06 --size small

``tests/test_notebooks.py`` uses :func:`kernel` and :func:`execute` from here, and checks that
the committed notebooks' code matches their sources.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = Path(__file__).resolve().parent
SRC = HERE / "_src"
KERNEL_NAME = "revinfo-notebooks"


def sources() -> list[Path]:
    """The notebook sources, in order (``_src/NN_name.py``)."""
    return sorted(SRC.glob("[0-9][0-9]_*.py"))


def parse(text: str) -> list[tuple[str, str]]:
    """Split a percent-format file into ``(kind, source)`` cells, kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        if line.startswith("# %%"):
            cells.append(("markdown" if "[markdown]" in line else "code", []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip():
            raise ValueError(f"text before the first '# %%' marker: {line!r}")
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [ln[2:] if ln.startswith("# ") else ln.lstrip("#") for ln in lines]
        body = "\n".join(lines).strip("\n")
        if body:
            out.append((kind, body))
    return out


def notebook(src: Path) -> nbformat.NotebookNode:
    """An unexecuted nbformat v4 notebook from one source file."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"
    }
    nb.metadata["language_info"] = {"name": "python"}
    for kind, body in parse(src.read_text()):
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(new(body))
    return nb


@contextlib.contextmanager
def kernel() -> Iterator[str]:
    """A kernelspec that runs ``sys.executable`` (found first on JUPYTER_PATH); yields its name.

    The ``python3`` spec a venv installs says ``python`` and depends on PATH; a user-level
    spec could point at another interpreter. This one cannot.
    """
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        spec.joinpath("kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": "revinfo", "language": "python"})
        )
        old = os.environ.get("JUPYTER_PATH")
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [tmp, old]))
        try:
            yield KERNEL_NAME
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


def execute(
    nb: nbformat.NotebookNode,
    kernel_name: str,
    size: str,
    *,
    timeout: int = 600,
    threads: int | None = None,
) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in place with REVINFO_NOTEBOOK_SIZE=size; raises on an error."""
    env = dict(os.environ, REVINFO_NOTEBOOK_SIZE=size)
    if threads is not None:
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel_name,
        resources={"metadata": {"path": str(HERE)}},
    )
    client.execute(env=env)
    return nb


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="notebook name prefixes (default: all)")
    parser.add_argument("--size", default=os.environ.get("REVINFO_NOTEBOOK_SIZE", "full"))
    args = parser.parse_args(argv)
    chosen = [s for s in sources() if not args.only or s.stem.startswith(tuple(args.only))]
    failed = []
    with kernel() as name:
        for src in chosen:
            t0 = time.perf_counter()
            try:
                nb = execute(notebook(src), name, args.size)
            except CellExecutionError as err:  # report, keep the old file, go on
                print(f"{src.stem}: FAILED\n{str(err)[-3000:]}", flush=True)
                failed.append(src.stem)
                continue
            out = HERE / f"{src.stem}.ipynb"
            nbformat.write(nb, out)
            kb = out.stat().st_size / 1024
            print(f"{out.name}: {time.perf_counter() - t0:.1f} s, {kb:.0f} KB", flush=True)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
