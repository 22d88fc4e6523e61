"""Every public estimator rejects bad input with a ValueError/TypeError naming the argument."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import revinfo.estimate as est
from revinfo.result import Estimate

G = np.random.default_rng(0).standard_normal((50, 2))
X, Y = G[:, :1], G[:, 1:]
NAN = X.copy()
NAN[3, 0] = np.nan
INF = X.copy()
INF[7, 0] = np.inf
EMPTY = np.empty((0, 1))
SHORT = Y[:-1]

# name -> (call with x only varying, call with y varying or None, options that must fail)
ONE_SAMPLE = {
    "entropy_knn": lambda x, **o: est.entropy_knn(x, **o),
    "entropy_binned": lambda x, **o: est.entropy_binned(x, **o),
    "entropy_kde": lambda x, **o: est.entropy_kde(x, **{"sigma": 0.5, **o}),
    "mi_kde": lambda x, **o: est.mi_kde(x, **{"sigma": 0.5, **o}),
    "entropy_noisy": lambda x, **o: est.entropy_noisy(x, **{"sigma": 0.5, **o}),
    "mi_noisy": lambda x, **o: est.mi_noisy(x, **{"sigma": 0.5, **o}),
}
TWO_SAMPLE = {
    "mi_ksg": lambda x, y, **o: est.mi_ksg(x, y, **o),
    "mi_binned": lambda x, y, **o: est.mi_binned(x, y, **o),
    "mi_gaussian": lambda x, y, **o: est.mi_gaussian(x, y, **o),
    "mi_neural": lambda x, y, **o: est.mi_neural(x, y, **{"steps": 2, **o}),
    "v_information": lambda x, y, **o: est.v_information(x, y[:, 0], **o),
}

# Options that must be rejected, per estimator: (kwargs, exception, words in the message).
BAD_OPTIONS = {
    "entropy_knn": [({"k": 50}, ValueError, "k"), ({"k": 0}, ValueError, "k"),
                    ({"workers": 0}, ValueError, "workers"),
                    ({"k": 2.5}, TypeError, "k"), ({"norm": "l7"}, ValueError, "norm"),
                    ({"ties": "ignore"}, ValueError, "ties")],
    "mi_ksg": [({"k": 50}, ValueError, "k"), ({"k": -1}, ValueError, "k"),
               ({"variant": 3}, ValueError, "variant"), ({"ties": "x"}, ValueError, "ties")],
    "entropy_binned": [({"bins": 0}, ValueError, "bins"), ({"bin_width": 0.0}, ValueError,
                       "bin_width"), ({"bin_width": -1.0}, ValueError, "bin_width"),
                       ({"bins": 3, "bin_width": 1.0}, ValueError, "bin_width"),
                       ({"correction": "jackknife"}, ValueError, "correction"),
                       ({"bins": "ten"}, TypeError, "bins")],
    "mi_binned": [({"bins": 0}, ValueError, "bins"), ({"bin_width": -0.1}, ValueError,
                  "bin_width"), ({"correction": "mm"}, ValueError, "correction")],
    "entropy_kde": [({"sigma": 0.0}, ValueError, "sigma"), ({"sigma": -1.0}, ValueError, "sigma"),
                    ({"sigma": 1e-200}, ValueError, "sigma"),
                    ({"bound": "middle"}, ValueError, "bound"), ({"chunk": 0}, ValueError, "chunk")],
    "mi_kde": [({"sigma": np.inf}, ValueError, "sigma"), ({"bound": "tight"}, ValueError, "bound")],
    "entropy_noisy": [({"sigma": 0.0}, ValueError, "sigma"), ({"sigma": "1"}, TypeError, "sigma"),
                      ({"n_mc": 0}, ValueError, "n_mc"), ({"seed": -3}, ValueError, "seed")],
    "mi_noisy": [({"sigma": -0.1}, ValueError, "sigma"), ({"chunk": -5}, ValueError, "chunk")],
    "mi_gaussian": [],
    "mi_neural": [({"bound": "magic"}, ValueError, "bound")],
    "v_information": [({"probe": "oracle"}, ValueError, "probe")],
}

DATA_CASES = [("nan", NAN, "contains NaN"), ("inf", INF, "NaN or inf"), ("empty", EMPTY, "at least")]
MINE = {"mi_ksg", "mi_binned", "mi_gaussian"}  # messages of the others are theirs to test

rows = []
for name, f in ONE_SAMPLE.items():
    for tag, bad, words in DATA_CASES:
        rows.append(pytest.param(lambda f=f, bad=bad: f(bad), ValueError, f"^(x|z) .*{words}",
                                 id=f"{name}-{tag}"))
    rows.append(pytest.param(lambda f=f: f("abc"), TypeError, "^(x|z) ", id=f"{name}-type"))
    rows.append(pytest.param(lambda f=f: f(X * (1 + 1j)), TypeError, "^(x|z) must be real",
                             id=f"{name}-complex"))
for name, f in TWO_SAMPLE.items():
    for tag, bad, words in DATA_CASES:
        rows.append(pytest.param(lambda f=f, bad=bad: f(bad, Y), ValueError,
                                 f"^x .*{words}" if name in MINE else None, id=f"{name}-x-{tag}"))
    rows.append(pytest.param(lambda f=f: f(X, NAN), ValueError,
                             "^y contains NaN" if name in MINE else None, id=f"{name}-y-nan"))
    rows.append(pytest.param(lambda f=f: f(X, SHORT), ValueError, "same number|length",
                             id=f"{name}-mismatch"))
for name, cases in BAD_OPTIONS.items():
    f1, f2 = ONE_SAMPLE.get(name), TWO_SAMPLE.get(name)
    for kw, exc, word in cases:
        call = (lambda f=f1, kw=kw: f(X, **kw)) if f1 else (lambda f=f2, kw=kw: f(X, Y, **kw))
        rows.append(pytest.param(call, exc, word, id=f"{name}-{'-'.join(map(str, kw))}"))


@pytest.mark.parametrize("call,exc,match", rows)
def test_bad_input_is_rejected(call, exc, match) -> None:
    with pytest.raises(exc, match=match) as info:
        call()
    assert str(info.value), "the message must say what was expected"


def test_data_errors_name_the_argument() -> None:
    with pytest.raises(ValueError, match="^x contains NaN"):
        est.mi_ksg(NAN, Y)
    with pytest.raises(ValueError, match="^y contains NaN"):
        est.mi_binned(X, NAN)
    with pytest.raises(ValueError, match="^z contains NaN"):
        est.entropy_noisy(torch.from_numpy(NAN), 1.0)
    with pytest.raises(ValueError, match="^k must be smaller"):
        est.entropy_knn(X[:3], k=3)


@pytest.mark.parametrize("name", sorted(ONE_SAMPLE) + ["mi_ksg", "mi_binned", "mi_gaussian"])
def test_results_are_estimates_in_nats(name: str) -> None:
    out = ONE_SAMPLE[name](X) if name in ONE_SAMPLE else TWO_SAMPLE[name](X, Y)
    assert isinstance(out, Estimate)
    assert np.isfinite(out.value) and out.n == 50 and out.seconds >= 0 and out.method
