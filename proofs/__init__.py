"""Sympy derivations of the identities behind revinfo's claims, one module each.

Run one with ``python -m proofs.<name>``; each module exposes ``prove() -> dict[str, str]``
and raises ``AssertionError`` naming the step that fails to simplify. ``PROOFS`` maps each
module name to its claim, the first paragraph of its docstring joined into one line (read
from the source, so importing this package does not import sympy); the claims registry links
to it.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

_HERE = Path(__file__).parent


def _first_line(name: str) -> str:
    source = (_HERE / f"{name}.py").read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    return " ".join(doc.split("\n\n")[0].split())


def proof_names() -> list[str]:
    """The proof modules in this package (private modules, ``_*``, excluded)."""
    return sorted(m.name for m in pkgutil.iter_modules([str(_HERE)]) if not m.name.startswith("_"))


def prover(name: str) -> Callable[[], dict[str, str]]:
    """The ``prove`` function of proof module ``name``."""
    if name not in PROOFS:
        raise KeyError(f"unknown proof {name!r}; known: {', '.join(PROOFS)}")
    return importlib.import_module(f"{__name__}.{name}").prove


PROOFS: dict[str, str] = {name: _first_line(name) for name in proof_names()}

__all__ = ["PROOFS", "proof_names", "prover"]
