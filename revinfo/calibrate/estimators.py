"""Estimators of a sweep: what a user names, resolved through :data:`revinfo.registry.ESTIMATORS`,
and which tasks each one can be calibrated on.

An entry of ``estimators`` is a registered name (``"mi_ksg"``), a
``"package.module:function"`` reference, either with options (``("mi_ksg", {"k": 5})``,
labelled ``"mi_ksg(k=5)"``), a callable, ``(callable, options)`` or ``(label, callable)``.

What a cell passes an estimator follows the estimator's ``inputs`` (see
:data:`revinfo.registry.INPUTS`) and the task's:

===============  ==========================================  ====================================
estimator        task                                         call
===============  ==========================================  ====================================
``"xy"``         ``inputs="xy"`` (truth I(X;Y))               ``f(x, y)``
``"xyz"``        ``inputs="xyz"`` (truth I(X;Y|Z))            ``f(x, y, z)``
``"sequence"``   ``inputs="sequence"`` (e.g. transfer entr.)  ``f(source, target)``
``"z_sigma"``    a noisy channel Y = Z + sigma eps            ``f(z, sigma)``, Z the noiseless
                 (``"xy"`` with :attr:`Task.channel`)         output of the same draw
``"x"``          none (a task's truth is not an entropy)      --
===============  ==========================================  ====================================

An estimator that declares a ``quantity`` (``"mi"``, ``"cmi"``, ``"te"``, ``"entropy"`` ...)
is calibrated only on tasks whose truth is that quantity (:data:`TASK_QUANTITY`), so
``entropy_noisy(z, sigma)`` never meets a task whose truth is I(X;Y). A callable that does not
say (no ``__revinfo_meta__``) is taken as ``"xy"``. In a grid, a pair that does not fit is
skipped (documented in :func:`revinfo.calibrate.run`); an estimator that fits no task of the
grid, or a task no estimator fits, is a ValueError before any work. The dimension rule of
:mod:`revinfo.tasks.limits` is part of fitting: a registered estimator with a dimension limit
(binned, KSG) is skipped on tasks above it (images, 128-D and wider Gaussian pairs).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from revinfo.registry import ESTIMATORS, INPUTS
from revinfo.tasks import Task
from revinfo.tasks.limits import unsupported

#: The quantity a task's truth is, by the task's ``inputs``.
TASK_QUANTITY = {"xy": "mi", "xyz": "cmi", "sequence": "te"}
#: How many positional arrays (or values) an estimator of each ``inputs`` takes.
ARITY = {"xy": 2, "xyz": 3, "x": 1, "z_sigma": 2, "sequence": 2}
SIGNATURES = {"xy": "(x, y)", "xyz": "(x, y, z)", "x": "(x)", "z_sigma": "(z, sigma)",
              "sequence": "(source, target)"}  # fmt: skip


@dataclass(frozen=True)
class EstimatorSpec:
    """A resolved estimator: the row label, the function, its options and what it takes.

    ``fn(*arrays, **options)`` (plus ``seed=`` when ``takes_seed``) returns an
    :class:`~revinfo.result.Estimate` or a float in nats; ``arrays`` follow ``inputs``.
    ``name`` is the registry name (or reference) for a named estimator, None for a callable.
    """

    label: str
    fn: Callable[..., Any] = field(repr=False)
    options: dict[str, Any] = field(default_factory=dict)
    name: str | None = None
    takes_seed: bool = False
    inputs: str = "xy"
    quantity: str | None = None
    probe: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def options_json(self) -> str:
        return json.dumps(self.options, sort_keys=True, default=repr)

    @property
    def named(self) -> bool:
        """Resolved from the registry (a name or a reference): its options get probed."""
        return self.name is not None


def estimator_names() -> list[str]:
    """Registered estimators a sweep can calibrate (every ``inputs`` except ``"x"``)."""
    return [n for n in ESTIMATORS.names() if ESTIMATORS.entry(n).meta.get("inputs") != "x"]


def _lookup(name: str) -> tuple[str, Callable[..., Any], dict[str, Any]]:
    """(label, function, meta) of a registered name or a ``module:function`` reference."""
    entry = ESTIMATORS.entry(name)  # ValueError naming an unknown name or a bad reference
    return entry.name, entry.obj, dict(entry.meta)


def _meta_of(fn: Any) -> dict[str, Any]:
    meta = dict(getattr(fn, "__revinfo_meta__", None) or {})
    inner = getattr(fn, "func", None)  # functools.partial of a registered estimator
    if not meta and inner is not None:
        meta = dict(getattr(inner, "__revinfo_meta__", None) or {})
    meta.setdefault("inputs", "xy")
    if meta["inputs"] not in INPUTS:
        raise ValueError(f"estimator {fn!r}: inputs must be one of {INPUTS}, got {meta['inputs']!r}")
    return meta


def _callable_label(fn: Callable[..., Any]) -> str:
    inner = getattr(fn, "func", None)  # functools.partial
    if inner is not None and hasattr(fn, "keywords"):
        return _label(_callable_label(inner), dict(fn.keywords))
    return getattr(fn, "__name__", None) or type(fn).__name__


def _label(base: str, options: dict[str, Any]) -> str:
    if not options:
        return base
    return f"{base}({', '.join(f'{k}={v!r}' for k, v in sorted(options.items()))})"


def _check_signature(fn: Callable[..., Any], options: dict[str, Any], label: str,
                     inputs: str) -> bool:  # fmt: skip
    """Options bind to ``fn(*arrays, **options)``; returns whether ``fn`` takes ``seed=``."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):  # builtins without a signature: trust the caller
        return False
    try:
        sig.bind(*([None] * ARITY[inputs]), **options)
    except TypeError as err:
        raise ValueError(
            f"estimator {label!r}: options {sorted(options)} do not fit its signature "
            f"{sig} ({err})"
        ) from err
    seed_param = sig.parameters.get("seed")
    return seed_param is not None and seed_param.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


def resolve_estimator(entry: Any) -> EstimatorSpec:
    """One entry of ``estimators`` (see the module docstring); ValueError naming the entry."""
    name: str | None = None
    label: str | None = None
    options: dict[str, Any] = {}
    meta: dict[str, Any]
    if isinstance(entry, tuple) and len(entry) == 2:
        first, second = entry
        if isinstance(first, str) and callable(second):
            label, fn, meta = first, second, _meta_of(second)
        elif isinstance(second, dict) and (isinstance(first, str) or callable(first)):
            options = dict(second)
            if isinstance(first, str):
                name, fn, meta = _lookup(first)
            else:
                fn, meta = first, _meta_of(first)
        else:
            raise ValueError(
                f"estimator entry {entry!r}: expected (name, options), (callable, options) "
                "or (label, callable)"
            )
    elif isinstance(entry, str):
        name, fn, meta = _lookup(entry)
    elif callable(entry):
        fn, meta = entry, _meta_of(entry)
    else:
        raise ValueError(
            f"estimator entry {entry!r}: expected a registered estimator name, a "
            "'package.module:function' reference, (name, options) or a callable "
            "f(x, y) -> Estimate | float"
        )
    bad = [k for k in options if not isinstance(k, str)]
    if bad:
        raise ValueError(f"estimator entry {entry!r}: option names must be str, got {bad}")
    if label is None:
        label = _label(name if name is not None else _callable_label(fn), options)
    inputs = meta.get("inputs", "xy")
    takes_seed = _check_signature(fn, options, label, inputs) and "seed" not in options
    return EstimatorSpec(
        label=label, fn=fn, options=options, name=name, takes_seed=takes_seed, inputs=inputs,
        quantity=meta.get("quantity"), probe=dict(meta.get("probe") or {}),
    )  # fmt: skip


# --------------------------------------------------------------------------- estimator x task


def fits(spec: EstimatorSpec, task: Task) -> bool:
    """Whether a cell can pass ``task``'s sample to ``spec`` (and compare with its truth)."""
    if spec.quantity is not None and spec.quantity != TASK_QUANTITY.get(task.inputs):
        return False
    if spec.name is not None and unsupported(spec.name, task) is not None:
        return False
    if spec.inputs == "z_sigma":
        return task.inputs == "xy" and task.channel is not None
    return spec.inputs == task.inputs


def misfit(spec: EstimatorSpec, tasks: list[Task]) -> str:
    """Why ``spec`` fits none of ``tasks`` (for the error message)."""
    given = sorted({f"{t.inputs!r} ({TASK_QUANTITY.get(t.inputs, '?')})" for t in tasks})
    want = f"inputs {spec.inputs!r} {SIGNATURES[spec.inputs]}"
    if spec.quantity is not None:
        want += f" and estimates {spec.quantity!r}"
    hint = ""
    if spec.inputs == "z_sigma":
        hint = "; a noisy-channel task (tag 'noisy-channel') gives (z, sigma)"
    elif spec.inputs == "x":
        hint = "; calibration tasks carry an information between variables, not an entropy"
    return (f"estimator {spec.label!r} takes {want}, but no task of the sweep fits: they give "
            f"{', '.join(given)}{hint}")  # fmt: skip


def arguments(spec_inputs: str, task: Task, n: int, seed: int) -> tuple[Any, ...]:
    """What a cell passes an estimator of ``spec_inputs``: the task's sample of the cell, or,
    for ``"z_sigma"``, the noiseless Z of the same draw and sigma."""
    if spec_inputs == "z_sigma":
        return task.sample_channel(n, seed=seed)
    return task.sample(n, seed=seed)
