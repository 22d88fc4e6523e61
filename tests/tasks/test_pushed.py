"""Student-t pairs pushed through bijections: the truth is the base's, the PMI at pushed
points is the base PMI at the points they came from (1e-10), and the samples are the base
samples pushed (same seed)."""

from __future__ import annotations

import numpy as np
import pytest

from revinfo import tasks
from revinfo.tasks import heavy_tail, pushed
from revinfo.tasks._common import push

NAMES = [f"{heavy_tail.name(d, df, r)}+{w}" for d, df, r, w in pushed.STUDENT_GRID]


def test_registered():
    assert set(NAMES) <= set(tasks.names("pushed"))
    assert "student-t-d1-df1+asinh" in NAMES  # benchmark-mi's asinh @ Student-t 1x1, df 1


@pytest.mark.parametrize("name", NAMES)
def test_student_t_push_keeps_truth_and_pmi(name):
    task = tasks.get(name)
    base = tasks.get(name.split("+")[0])
    assert task.truth.value == base.truth.value and task.has_pmi
    f, g = pushed.maps(name.split("+")[1], task.dims[0], name)
    x0, y0 = base.sample(400, seed=8)
    x, y = task.sample(400, seed=8)
    np.testing.assert_allclose(x, push(f, x0), rtol=1e-12, atol=0)
    np.testing.assert_allclose(y, push(g, y0), rtol=1e-12, atol=0)
    np.testing.assert_allclose(task.pmi(x, y), base.pmi(x0, y0), rtol=0, atol=1e-10)


def test_push_task_without_log_ratio_has_no_pmi():
    base = tasks.get("noisy-affine-d2-sigma1")
    f, g = pushed.maps("asinh", 2, "x")
    t = pushed.push_task(base, f, g, "noisy+asinh", "test", ("test",))
    assert not t.has_pmi
