"""One registry idiom for revinfo's four extension points: estimators, tasks, claims, flow kinds.

Each extension point is a :class:`Registry`, filled three ways:

1. a decorator at the definition, e.g. ``@estimator("mi_ksg", inputs="xy")``;
2. a Python entry point in the registry's group (``revinfo.estimators``, ``revinfo.tasks``,
   ``revinfo.claims``, ``revinfo.flows``): a user's package declares, in its pyproject.toml,

   .. code-block:: toml

       [project.entry-points."revinfo.estimators"]
       my_mi = "mypkg.estimators:my_mi"

   and ``my_mi`` appears in sweeps and on the command line without editing revinfo (loading the
   entry point imports ``mypkg.estimators``; if that import does not register the name through
   the decorator, the loaded object is registered under the entry point's name);
3. a ``"package.module:attribute"`` string wherever a registered name is accepted (a sweep
   file, the command line): the object is imported on demand and need not be registered.

Built-in entries are registered lazily: a registry imports its built-in modules on the first
lookup, so ``import revinfo`` stays light. This module imports nothing of revinfo's own (every
layer may use it, :mod:`revinfo.estimate` included).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

T = TypeVar("T")

#: What an estimator takes, by name (see :func:`estimator`):
#: ``"xy"``: paired samples ``f(x, y)`` -> I(X;Y);
#: ``"xyz"``: ``f(x, y, z)`` -> I(X;Y|Z);
#: ``"x"``: one sample ``f(x)`` -> h(X);
#: ``"z_sigma"``: ``f(z, sigma)`` -> a quantity of Z + sigma*eps, for a known noise scale;
#: ``"sequence"``: ``f(source, target)`` on (T, d) sequences -> a process quantity (e.g. TE).
INPUTS = ("xy", "xyz", "x", "z_sigma", "sequence")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered object with its metadata (read-only)."""

    name: str
    obj: T = field(repr=False)
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "meta", MappingProxyType(dict(self.meta)))


def _is_reference(name: str) -> bool:
    """``"package.module:attribute"``: a module path, one colon, an attribute path."""
    mod, sep, attr = name.partition(":")
    return bool(sep and mod and attr) and ":" not in attr and " " not in name


def import_reference(ref: str, what: str = "object") -> Any:
    """The object named by ``"package.module:attr.subattr"``; a ValueError that names ``ref``
    if the module cannot be imported or lacks the attribute."""
    if not isinstance(ref, str) or not _is_reference(ref):
        raise ValueError(f"{what} reference must look like 'package.module:attribute', got {ref!r}")
    mod_name, _, attr_path = ref.partition(":")
    try:
        obj: Any = importlib.import_module(mod_name)
    except ImportError as err:
        raise ValueError(f"{what} {ref!r}: cannot import module {mod_name!r} ({err})") from err
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise ValueError(f"{what} {ref!r}: module {mod_name!r} has no {attr_path!r}") from None
    return obj


class Registry(Generic[T]):
    """A name -> :class:`Entry` map for one extension point.

    Arguments:
        kind: what the entries are, for messages (``"estimator"``).
        group: the entry-point group scanned once, on first lookup (``"revinfo.estimators"``).
        builtins: modules imported on first lookup; importing them registers the built-ins.
        validate: ``validate(name, obj, meta)`` raises on a bad registration (optional).
        ordered: list names in registration order (built-ins first) instead of sorted.
    """

    def __init__(
        self,
        kind: str,
        group: str,
        builtins: Iterable[str] = (),
        validate: Callable[[str, Any, dict[str, Any]], None] | None = None,
        ordered: bool = False,
    ) -> None:
        self.kind = kind
        self.group = group
        self._builtins = tuple(builtins)
        self._validate = validate
        self._ordered = ordered
        self._entries: dict[str, Entry[T]] = {}
        self._loaded = False
        self._loading = False
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- registration

    def register(self, name: str, obj: T, *, replace: bool = False, **meta: Any) -> T:
        """Register ``obj`` under ``name`` with metadata ``meta``; returns ``obj``.

        A second registration of a taken name is a ValueError unless ``replace=True``.
        """
        if not isinstance(name, str) or not name or _is_reference(name):
            raise ValueError(f"{self.kind} name must be a non-empty str without ':', got {name!r}")
        if self._validate is not None:
            self._validate(name, obj, meta)
        with self._lock:
            if name in self._entries and not replace:
                raise ValueError(f"{self.kind} {name!r} is already registered")
            self._entries[name] = Entry(name, obj, meta)
        return obj

    def decorator(self, name: str | None = None, **meta: Any) -> Callable[[T], T]:
        """``@registry.decorator("name", key=value)``: register the decorated object."""

        def wrap(obj: T) -> T:
            self.register(name if name is not None else obj.__name__, obj, **meta)
            return obj

        return wrap

    def unregister(self, name: str) -> None:
        """Remove ``name`` (no error if absent); for tests that register temporary entries."""
        with self._lock:
            self._entries.pop(name, None)

    # ----------------------------------------------------------------- lookup

    def _load(self) -> None:
        """Import the built-in modules, then the entry points of ``group``, once."""
        if self._loaded or self._loading:
            return
        with self._lock:
            if self._loaded or self._loading:
                return
            self._loading = True
            try:
                for module in self._builtins:
                    importlib.import_module(module)
                for ep in importlib.metadata.entry_points(group=self.group):
                    self._load_entry_point(ep)
                self._loaded = True
            finally:
                self._loading = False

    def _load_entry_point(self, ep: importlib.metadata.EntryPoint) -> None:
        try:
            obj = ep.load()
        except Exception as err:  # noqa: BLE001 (a broken plug-in must not break revinfo)
            import warnings

            warnings.warn(
                f"{self.group} entry point {ep.name!r} = {ep.value!r} failed to load: {err}",
                RuntimeWarning, stacklevel=3,
            )
            return
        if ep.name not in self._entries:
            self.register(ep.name, obj, **dict(getattr(obj, "__revinfo_meta__", {})))

    def names(self, **where: Any) -> list[str]:
        """Registered names (sorted, or in registration order for an ``ordered`` registry);
        ``where`` keeps the entries whose meta has those values."""
        self._load()
        chosen = [
            n for n, e in self._entries.items()
            if all(e.meta.get(k) == v for k, v in where.items())
        ]
        return chosen if self._ordered else sorted(chosen)

    def entries(self) -> list[Entry[T]]:
        """All entries, in the order of :meth:`names`."""
        return [self._entries[n] for n in self.names()]

    def entry(self, name: str) -> Entry[T]:
        """The entry for a registered name or a ``"package.module:attribute"`` reference.

        A reference to an object that some registration holds returns that entry; otherwise an
        entry named by the reference, with the object's ``__revinfo_meta__`` (if any) as meta.
        """
        if not isinstance(name, str):
            raise TypeError(f"{self.kind} name must be a str, got {type(name).__name__}")
        self._load()
        if name in self._entries:
            return self._entries[name]
        if _is_reference(name):
            obj = import_reference(name, self.kind)
            for e in self._entries.values():
                if e.obj is obj:
                    return e
            meta = dict(getattr(obj, "__revinfo_meta__", {}))
            if self._validate is not None:
                self._validate(name, obj, meta)
            return Entry(name, obj, meta)
        raise ValueError(
            f"unknown {self.kind} {name!r}; expected one of {self.names()} "
            "or a 'package.module:attribute' reference"
        )

    def get(self, name: str) -> T:
        """The registered object (see :meth:`entry`)."""
        return self.entry(name).obj

    def __contains__(self, name: object) -> bool:
        self._load()
        return name in self._entries

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, group={self.group!r}, {len(self._entries)} entries)"


# --------------------------------------------------------------------------- protocols


@runtime_checkable
class Estimator(Protocol):
    """An estimator: arrays in (as its ``inputs`` says), an Estimate or a float in nats out."""

    def __call__(self, *arrays: Any, **options: Any) -> Any: ...


@runtime_checkable
class TaskFactory(Protocol):
    """Builds a :class:`revinfo.tasks.Task` (called lazily, once)."""

    def __call__(self) -> Any: ...


@runtime_checkable
class ClaimCheck(Protocol):
    """``check(seed) -> (holds, evidence)``."""

    def __call__(self, seed: int) -> tuple[bool, dict[str, Any]]: ...


@runtime_checkable
class FlowLayerFactory(Protocol):
    """``factory(dim, layer, options, generator) -> nflows Transform`` (one layer of a flow)."""

    def __call__(self, dim: int, layer: int, options: dict[str, Any], gen: Any) -> Any: ...


# --------------------------------------------------------------------------- the registries


def _check_estimator(name: str, obj: Any, meta: dict[str, Any]) -> None:
    if not callable(obj):
        raise TypeError(f"estimator {name!r} must be callable, got {type(obj).__name__}")
    inputs = meta.setdefault("inputs", "xy")
    if inputs not in INPUTS:
        raise ValueError(f"estimator {name!r}: inputs must be one of {INPUTS}, got {inputs!r}")


def _check_callable(kind: str) -> Callable[[str, Any, dict[str, Any]], None]:
    def check(name: str, obj: Any, meta: dict[str, Any]) -> None:
        if not callable(obj):
            raise TypeError(f"{kind} {name!r} must be callable, got {type(obj).__name__}")

    return check


ESTIMATORS: Registry[Estimator] = Registry(
    "estimator", "revinfo.estimators", ("revinfo.estimate",), _check_estimator
)
TASKS: Registry[TaskFactory] = Registry(
    "task", "revinfo.tasks", ("revinfo.tasks.families",), _check_callable("task")
)
CLAIMS: Registry[ClaimCheck] = Registry(
    "claim", "revinfo.claims", ("revinfo.claims",), _check_callable("claim"), ordered=True
)
FLOWS: Registry[FlowLayerFactory] = Registry(
    "flow kind", "revinfo.flows", ("revinfo.flows.build",), _check_callable("flow kind"),
    ordered=True,
)


def estimator(name: str | None = None, *, inputs: str = "xy", **meta: Any) -> Callable[[T], T]:
    """Register an estimator at its definition.

    ``inputs`` (one of :data:`INPUTS`) says what a calibration cell passes it, so that every
    estimator, whatever its argument names, is found by sweeps and the command line.
    The function also carries ``__revinfo_meta__`` so a ``"module:function"`` reference to it
    knows its inputs.
    """

    def wrap(fn: T) -> T:
        full = {"inputs": inputs, **meta}
        ESTIMATORS.register(name if name is not None else fn.__name__, fn, **full)
        try:
            fn.__revinfo_meta__ = full  # type: ignore[attr-defined]
        except (AttributeError, TypeError):
            pass
        return fn

    return wrap


def task(name: str, *, tags: tuple[str, ...] = (), **meta: Any) -> Callable[[T], T]:
    """Register a task factory ``() -> Task`` at its definition (built lazily, on first use)."""
    return TASKS.decorator(name, tags=tuple(tags), **meta)


def flow_kind(
    name: str, *, min_dim: int = 1, defaults: dict[str, Any] | None = None, **meta: Any
) -> Callable[[T], T]:
    """Register a flow layer factory ``(dim, layer, options, gen) -> Transform`` as a kind.

    ``revinfo.flows.build(name, dim, depth, **options)`` then calls it once per layer with the
    build options; ``defaults`` declares options of this kind beyond the built-in ones."""
    return FLOWS.decorator(name, min_dim=min_dim, defaults=dict(defaults or {}), **meta)
