"""Input checks shared by every public function: clear ValueError/TypeError messages
that name the argument and what was expected (see the contract's conventions)."""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
import torch


def _numeric_array(x: Any, name: str) -> np.ndarray:
    """``x`` (a numpy array, list or tuple) as float64; complex, ragged and non-numeric input
    are TypeErrors naming ``name``. Negative-stride views (``x[::-1]``, ``np.flip``) are copied
    (torch cannot wrap them), other arrays are returned as they are."""
    try:
        complex_ = np.iscomplexobj(x)  # converts lists: a ragged one raises here
        if not complex_:
            arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as err:
        why = "ragged (rows of different lengths)" if "inhomogeneous" in str(err) else "not numeric"
        raise TypeError(f"{name} must be a numeric array-like, got {type(x).__name__} that is "
                        f"{why}") from err
    if complex_:
        raise TypeError(f"{name} must be real, got complex values")
    if any(s < 0 for s in arr.strides):
        arr = arr.copy()
    return arr


def _not_meta(x: torch.Tensor, name: str) -> None:
    if x.device.type == "meta":
        raise ValueError(f"{name} is a tensor on the 'meta' device (a shape without values)")


def float64_tensor(value: Any, name: str) -> torch.Tensor:
    """A float64 CPU copy of ``value`` (never a view); complex, ragged or non-numeric input is
    a TypeError naming ``name``; negative-stride views (``np.flip``) are fine."""
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            raise TypeError(f"{name} must be real, got a complex tensor")
        _not_meta(value, name)
        return value.detach().to("cpu", torch.float64).clone()
    if value is None or isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a numeric array-like, got {type(value).__name__}")
    return torch.from_numpy(np.array(_numeric_array(value, name), dtype=np.float64))


def samples(x: Any, name: str = "x", *, min_n: int = 1) -> np.ndarray:
    """Return ``x`` as a float64 array of shape (n, d); a 1-D array means d = 1.

    Raises TypeError for non-array input, ValueError for a wrong shape, fewer than
    ``min_n`` rows, or any NaN/inf.
    """
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise TypeError(f"{name} must be real, got a complex tensor")
        _not_meta(x, name)
        arr = x.detach().to("cpu", torch.float64).numpy()
    elif isinstance(x, (np.ndarray, list, tuple)):
        arr = _numeric_array(x, name)
    else:
        raise TypeError(f"{name} must be a numpy array or torch tensor, got {type(x).__name__}")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (n, d) or (n,), got shape {arr.shape}")
    if arr.shape[0] < min_n:
        raise ValueError(f"{name} needs at least {min_n} samples (rows), got {arr.shape[0]}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def tensor_samples(
    x: Any, name: str = "x", *, min_n: int = 1, dtype: torch.dtype = torch.float64
) -> torch.Tensor:
    """Like :func:`samples` but returns a torch tensor, kept on the input's device."""
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise TypeError(f"{name} must be real, got a complex tensor")
        _not_meta(x, name)
        t = x.detach().to(dtype)
        if t.ndim == 1:
            t = t[:, None]
        if t.ndim != 2:
            raise ValueError(f"{name} must have shape (n, d) or (n,), got shape {tuple(t.shape)}")
        if t.shape[0] < min_n:
            raise ValueError(f"{name} needs at least {min_n} samples (rows), got {t.shape[0]}")
        if t.shape[1] < 1:
            raise ValueError(f"{name} must have at least one column, got {tuple(t.shape)}")
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"{name} contains NaN or inf")
        return t
    return torch.from_numpy(samples(x, name, min_n=min_n)).to(dtype)


def same_length(x: Any, y: Any, names: tuple[str, str] = ("x", "y")) -> None:
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same number of samples, "
            f"got {x.shape[0]} and {y.shape[0]}"
        )


def positive(value: Any, name: str, *, allow_zero: bool = False) -> float:
    """A finite real number > 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    v = float(value)
    ok = v >= 0 if allow_zero else v > 0
    if not (ok and math.isfinite(v)):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be finite and {bound}, got {value!r}")
    return v


def noise_scale(value: Any, name: str = "sigma", *, allow_zero: bool = False) -> float:
    """A noise standard deviation: :func:`positive`, and (unless 0) between 1e-150 and 1e150,
    so that sigma^2 and 1/sigma^2 are normal float64 numbers."""
    v = positive(value, name, allow_zero=allow_zero)
    if v != 0.0 and not 1e-150 <= v <= 1e150:
        raise ValueError(f"{name} must be between 1e-150 and 1e150 (sigma^2 must not under- or "
                         f"overflow in float64), got {value!r}")
    return v


def flag(value: Any, name: str) -> bool:
    """A bool (numpy's bool too); anything else is a TypeError naming ``name``."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__}")
    return bool(value)


def threads(value: Any, name: str = "workers") -> int:
    """A thread count: >= 1, or -1 for all cores."""
    v = integer(value, name, low=-1)
    if v == 0:
        raise ValueError(f"{name} must be >= 1, or -1 for all cores; got 0")
    return v


def fraction(value: Any, name: str) -> float:
    """A real number in the open interval (0, 1)."""
    v = positive(value, name)
    if not v < 1.0:
        raise ValueError(f"{name} must be in (0, 1), got {value!r}")
    return v


def integer(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """An int in [low, high] (bounds inclusive, None = unbounded)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{name} must be >= {low}, got {v}")
    if high is not None and v > high:
        raise ValueError(f"{name} must be <= {high}, got {v}")
    return v


def choice(value: Any, name: str, options: Iterable[Any]) -> Any:
    opts = list(options)
    if not isinstance(value, Hashable):  # an array would compare elementwise
        raise TypeError(f"{name} must be one of {opts}, got {type(value).__name__}")
    if value not in opts:
        raise ValueError(f"unknown {name} {value!r}; expected one of {opts}")
    return value


def seed(value: Any, name: str = "seed") -> int | None:
    if value is None:
        return None
    return integer(value, name, low=0)


def concrete_seed(value: Any, name: str = "seed") -> int:
    """``seed=`` as an int: the value itself, or a fresh one from the OS when None."""
    v = seed(value, name)
    return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1) if v is None else v


def rng(value: Any) -> np.random.Generator:
    """A NumPy generator from ``seed=`` (int or None)."""
    return np.random.default_rng(seed(value))


def torch_generator(value: Any, device: str | torch.device = "cpu") -> torch.Generator:
    """A torch generator from ``seed=``; None draws a fresh seed from the OS."""
    s = seed(value)
    g = torch.Generator(device=device)
    if s is None:
        g.seed()
    else:
        g.manual_seed(s)
    return g


def paired(
    x: Any, y: Any, names: tuple[str, str] = ("x", "y"), *, min_n: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Two sample arrays (see :func:`samples`) that must have the same number of rows."""
    xa = samples(x, names[0], min_n=min_n)
    ya = samples(y, names[1], min_n=min_n)
    same_length(xa, ya, names)
    return xa, ya


def available_devices() -> list[str]:
    """The torch devices this machine can compute on: ``cpu``, ``cuda:0`` ..., ``mps``."""
    out = ["cpu"] + [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        out.append("mps")
    return out


def device(value: Any, name: str = "device") -> torch.device:
    """``value`` as a ``torch.device`` this machine has, else a ValueError (TypeError for a
    non-device type) that names ``name`` and lists :func:`available_devices`.
    ``"cuda"`` means the current CUDA device."""
    if isinstance(value, bool) or not isinstance(value, (str, torch.device)):
        raise TypeError(f"{name} must be a str or torch.device, got {type(value).__name__}")
    have = available_devices()
    try:
        dev = torch.device(value)
    except (RuntimeError, TypeError, ValueError) as err:
        raise ValueError(f"{name}={value!r} is not a torch device; this machine has {have}") from err
    if dev.type == "cuda":
        ok = torch.cuda.is_available() and (dev.index or 0) < torch.cuda.device_count()
    else:
        ok = dev.type in have
    if not ok:
        raise ValueError(f"{name}={value!r} is not available: this machine has {have}")
    return dev


_DTYPE_NAMES = {"float64": torch.float64, "double": torch.float64, "float32": torch.float32,
                "float": torch.float32, "float16": torch.float16, "half": torch.float16,
                "bfloat16": torch.bfloat16}


def float_dtype(value: Any, name: str = "dtype") -> torch.dtype:
    """A floating torch dtype from a ``torch.dtype`` or its name (``"float64"``,
    ``"torch.float32"``); anything else is a TypeError naming ``name``."""
    if isinstance(value, str):
        key = value.removeprefix("torch.")
        if key not in _DTYPE_NAMES:
            raise TypeError(f"{name}={value!r} is not a floating dtype name; "
                            f"expected one of {sorted(_DTYPE_NAMES)}")
        return _DTYPE_NAMES[key]
    if not isinstance(value, torch.dtype) or not value.is_floating_point:
        raise TypeError(f"{name} must be a floating torch dtype (e.g. torch.float64 or "
                        f"'float64'), got {value!r}")
    return value
