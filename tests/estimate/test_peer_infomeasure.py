"""Side by side with infomeasure (PyPI, the `benchmark` extra): its KSG conditional MI and
KSG transfer entropy on identical data. Skipped when infomeasure is not installed.

Where the definitions coincide they agree to rounding: infomeasure's KSG type I is the
Frenzel-Pompe estimator with strict counts, in nats with ``base="e"`` (its default), on raw
data (``normalize`` off, so ours with ``standardize=False``), and it adds Gaussian noise
unless ``noise_level=0``. Its TE embedding with ``dest_hist_len=k``, ``src_hist_len=l``,
``prop_time=p`` is ours with k, l and ``delay = p + 1`` (checked here, row for row through
the values).
"""

import numpy as np
import pytest

from revinfo import estimate, exact

im = pytest.importorskip("infomeasure")

RTOL = 1e-12


def test_ksg_cmi_agrees():
    g = np.random.default_rng(0).standard_normal((2000, 6))
    x, y, z = g[:, :2], g[:, 2:4] + 0.5 * g[:, :2], g[:, 4:] + g[:, :2]
    for k in (3, 4):
        ours = estimate.cmi_ksg(x, y, z, k=k, standardize=False).value
        theirs = im.cmi(x, y, cond=z, approach="ksg", k=k, noise_level=0, base="e")
        assert ours == pytest.approx(theirs, rel=RTOL)


@pytest.mark.parametrize("k, l, prop_time", [(1, 1, 0), (2, 1, 0), (1, 2, 0), (3, 2, 0),
                                              (1, 1, 1), (2, 2, 2)])
def test_ksg_te_agrees(k, l, prop_time):
    s = exact.sample_var([[0.7, 0.0], [0.8, 0.5]], np.eye(2), 2000, seed=1)
    ours = estimate.transfer_entropy(s[:, 0], s[:, 1], k=k, l=l, delay=prop_time + 1,
                                     neighbours=4, standardize=False).value
    theirs = im.te(s[:, 0], s[:, 1], approach="ksg", k=4, noise_level=0, base="e",
                   dest_hist_len=k, src_hist_len=l, prop_time=prop_time)
    assert ours == pytest.approx(theirs, rel=RTOL)
