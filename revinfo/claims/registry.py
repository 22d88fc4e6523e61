"""The claims registry: ``@claim(name, statement, kind, proof=None)`` and :func:`run`.

A claim is a small function of ``seed`` returning ``(holds, evidence)``: whether the
numbers agree with the statement, and the numbers compared (a flat dict of floats, ints,
bools, strings or lists of them). Tolerances come from the standard errors of the numbers
(``revinfo.claims._stats``), never from a guess; a conjecture may come out false.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from revinfo import _validate
from revinfo.registry import CLAIMS

KINDS = ("identity", "inequality", "conjecture")

Check = Callable[[int], tuple[bool, dict[str, Any]]]


@dataclass(frozen=True)
class Claim:
    """A registered claim: its statement and the check that tests it."""

    name: str
    statement: str
    kind: str
    proof: str | None
    check: Check


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of one claim's check.

    Attributes:
        name, statement, kind, proof: as registered (``proof`` names a ``proofs`` module).
        holds: whether the numbers agree with the statement within their tolerance.
        evidence: the numbers compared (JSON-serialisable; non-finite floats as strings).
        seconds: wall time of the check.
    """

    name: str
    statement: str
    kind: str
    proof: str | None
    holds: bool
    evidence: dict[str, Any] = field(compare=False)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "statement": self.statement, "kind": self.kind,
                "proof": self.proof, "holds": self.holds, "seconds": self.seconds,
                "evidence": self.evidence}


def claim(name: str, statement: str, kind: str, proof: str | None = None) -> Callable[[Check], Check]:
    """Register ``fn(seed) -> (holds, evidence)`` as a claim; returns ``fn`` unchanged.

    The claim goes into :data:`revinfo.registry.CLAIMS` (packages can also plug claims in
    through the ``revinfo.claims`` entry-point group, with ``statement`` and ``kind`` in the
    function's ``__revinfo_meta__``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if proof is not None:
        import proofs

        if proof not in proofs.PROOFS:
            raise ValueError(f"proof {proof!r} is not a module of proofs/ ({sorted(proofs.PROOFS)})")

    def register(fn: Check) -> Check:
        CLAIMS.register(name, fn, statement=statement, kind=kind, proof=proof)
        return fn

    return register


def unregister(name: str) -> None:
    """Remove a claim (for tests that register a temporary one)."""
    CLAIMS.unregister(name)


def names() -> list[str]:
    """Registered claim names, in registration order."""
    return CLAIMS.names()


def get(name: str) -> Claim:
    """The claim registered under ``name`` (or a ``"package.module:function"`` reference)."""
    try:
        entry = CLAIMS.entry(name)
    except ValueError:
        raise ValueError(f"unknown claim {name!r}; expected one of {names()}") from None
    meta = entry.meta
    kind = meta.get("kind", "conjecture")
    if kind not in KINDS:
        raise ValueError(f"claim {name!r}: kind must be one of {KINDS}, got {kind!r}")
    statement = meta.get("statement") or (entry.obj.__doc__ or entry.name).strip()
    return Claim(entry.name, statement, kind, meta.get("proof"), entry.obj)


def jsonable(value: Any) -> Any:
    """Evidence as plain JSON: numpy/torch scalars to Python, non-finite floats to strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return jsonable(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return v if math.isfinite(v) else str(v)
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"evidence value of type {type(value).__name__} is not JSON-serialisable")


def run(names: Iterable[str] | str | None = None, *, seed: int | None = 0) -> list[ClaimResult]:
    """Run the named claims (all when None) with ``seed`` (None: a fresh one from the OS);
    unknown names are a ValueError."""
    if isinstance(names, str):
        names = [names]
    seed = _validate.concrete_seed(seed)
    chosen = [get(n) for n in (CLAIMS.names() if names is None else list(names))]
    out = []
    for c in chosen:
        t0 = time.perf_counter()
        holds, evidence = c.check(int(seed))
        out.append(ClaimResult(c.name, c.statement, c.kind, c.proof, bool(holds),
                               jsonable(evidence), time.perf_counter() - t0))
    return out
