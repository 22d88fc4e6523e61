"""Cells pass a task's sample to each estimator as the estimator's registered ``inputs`` say:
(x, y) on I(X;Y) tasks, (z, sigma) on noisy channels, (x, y, z) on conditional tasks; pairs
that do not fit are skipped, an estimator that fits nothing is refused before any work."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from calibrate_helpers import corr_mi

import revinfo.estimate as est
from revinfo import calibrate, registry, tasks
from revinfo.calibrate import data_seed, estimator_seed
from revinfo.calibrate import estimators as cal_est
from revinfo.result import Estimate

NOISY = "noisy-affine-d2-sigma1"  # not sigma0.5: test_cli_tasks checks that truth stays lazy
GAUSS = "gaussian-1d-rho0.5"


def test_every_registered_estimator_is_resolved_through_the_registry():
    names = cal_est.estimator_names()
    assert {"mi_ksg", "mi_gaussian", "mi_binned", "mi_neural", "mi_noisy", "mi_kde"} <= set(names)
    assert not {"entropy_knn", "entropy_binned"} & set(names)  # "x": no task has an entropy
    spec = cal_est.resolve_estimator("mi_kde")
    assert (spec.inputs, spec.quantity, spec.fn) == ("z_sigma", "mi", est.mi_kde)
    ref = cal_est.resolve_estimator("revinfo.estimate.knn:mi_ksg")  # a registered object
    assert ref.label == "mi_ksg" and ref.fn is est.mi_ksg


def test_z_sigma_estimators_get_the_noiseless_channel_output():
    df = calibrate.run(["mi_noisy", ("mi_kde", {"bound": "lower"}), "mi_gaussian"],
                       [GAUSS, NOISY], [120], 2, workers=1, progress=False)  # fmt: skip
    pairs = df[["task", "estimator"]].drop_duplicates().values.tolist()
    assert pairs == [[GAUSS, "mi_gaussian"], [NOISY, "mi_noisy"],
                     [NOISY, "mi_kde(bound='lower')"], [NOISY, "mi_gaussian"]]  # fmt: skip
    task = tasks.get(NOISY)
    for row in df[df["task"] == NOISY].itertuples():
        d_seed = data_seed(NOISY, row.n, row.seed)
        z, sigma = task.sample_channel(row.n, seed=d_seed)
        assert sigma == 1.0
        if row.estimator == "mi_noisy":
            e_seed = estimator_seed(NOISY, row.estimator, row.n, row.seed)
            assert row.estimate == est.mi_noisy(z, sigma, seed=e_seed).value
        elif row.estimator.startswith("mi_kde"):
            assert row.estimate == est.mi_kde(z, sigma, bound="lower").value
        else:
            assert row.estimate == est.mi_gaussian(*task.sample(row.n, seed=d_seed)).value


def test_channel_is_the_same_draw_as_the_sample():
    # Y = Z + sigma eps: with the generator of the same seed, eps is the draw after X's
    task = tasks.get(NOISY)
    x, y = task.sample(500, seed=7)
    z, sigma = task.sample_channel(500, seed=7)
    rng = np.random.default_rng(7)
    np.testing.assert_array_equal(rng.standard_normal((500, 2)), x)
    np.testing.assert_allclose((y - z) / sigma, rng.standard_normal((500, 2)), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="is not a noisy channel"):
        tasks.get(GAUSS).sample_channel(10)


@pytest.mark.parametrize(("estimator", "match"), [
    ("mi_noisy", "estimator 'mi_noisy' takes inputs 'z_sigma'.*noisy-channel"),
    ("entropy_knn", "estimator 'entropy_knn' takes inputs 'x'"),
    ("entropy_noisy", "estimator 'entropy_noisy' takes inputs 'z_sigma' .* estimates 'entropy'"),
])  # fmt: skip
def test_an_estimator_that_fits_no_task_is_refused(estimator, match):
    with pytest.raises(ValueError, match=match):
        calibrate.make_grid([estimator], [GAUSS, NOISY] if estimator != "mi_noisy" else [GAUSS],
                            [50], 1)  # fmt: skip


def test_conditional_tasks_get_xyz_estimators():
    seen = []

    @registry.estimator("revinfo_test_cmi", inputs="xyz", quantity="cmi")
    def fake_cmi(x, y, z):
        seen.append((x, y, z))
        return float(np.mean(x * y * z))

    def sampler(n, rng):
        return tuple(rng.standard_normal((n, 1)) for _ in range(3))

    cond = tasks.Task("cond-test", "three independent normals", (1, 1, 1), sampler,
                      lambda: Estimate(0.0, None, "closed-form"), inputs="xyz")  # fmt: skip
    try:
        df = calibrate.run(["revinfo_test_cmi", "mi_gaussian"], [cond, GAUSS], [30], 1,
                           workers=1, progress=False)  # fmt: skip
    finally:
        registry.ESTIMATORS.unregister("revinfo_test_cmi")
    assert df[["task", "estimator"]].values.tolist() == [["cond-test", "revinfo_test_cmi"],
                                                          [GAUSS, "mi_gaussian"]]  # fmt: skip
    x, y, z = cond.sample(30, seed=data_seed("cond-test", 30, 0))
    assert df["estimate"].iloc[0] == float(np.mean(x * y * z))
    np.testing.assert_array_equal(seen[-1][2], z)


def test_probe_uses_registered_overrides_only_for_options_left_at_default():
    calls = []

    @registry.estimator("revinfo_test_probe", probe={"steps": 1})
    def slow(x, y, steps=1000, seed=0):
        calls.append((x.shape, y.shape, steps))
        if steps < 1:
            raise ValueError(f"steps must be >= 1, got {steps}")
        return 0.0

    try:
        calibrate.make_grid(["revinfo_test_probe"], [tasks.get(NOISY)], [64, 32], 1)
        assert calls == [((32, 2), (32, 2), 1)]  # a dummy of the task's shape at the smallest n
        calibrate.make_grid([("revinfo_test_probe", {"steps": 7})], [GAUSS], [40], 1)
        assert calls[-1] == ((40, 1), (40, 1), 7)
        with pytest.raises(ValueError, match=r"revinfo_test_probe\(steps=0\)' rejects its options"):
            calibrate.make_grid([("revinfo_test_probe", {"steps": 0})], [GAUSS], [40], 1)
    finally:
        registry.ESTIMATORS.unregister("revinfo_test_probe")


def test_module_function_reference_runs_unregistered():
    df = calibrate.run(["calibrate_helpers:corr_mi"], [GAUSS], [60], 1, workers=1,
                       progress=False)  # fmt: skip
    x, y = tasks.get(GAUSS).sample(60, seed=data_seed(GAUSS, 60, 0))
    assert df["estimator"].tolist() == ["calibrate_helpers:corr_mi"]
    assert df["estimate"].iloc[0] == corr_mi(x, y)


def test_grid_is_validated_once_and_run_takes_it():
    grid = calibrate.make_grid(["mi_gaussian"], [GAUSS], [40], 2)
    df = calibrate.run(grid, workers=1, progress=False)
    assert df["seed"].tolist() == [0, 1]
    with pytest.raises(ValueError, match="takes the grid alone"):
        calibrate.run(grid, [GAUSS], [40], 2)


def test_the_dimension_rule_skips_ksg_and_binned_on_images_only():
    from revinfo import tasks
    from revinfo.calibrate.estimators import fits, resolve_estimator

    small, image = tasks.get("gaussian-d1-rho0.5"), tasks.get("image-blob16-k2-rho0.8")
    for name in ("mi_ksg", "mi_binned"):
        spec = resolve_estimator(name)
        assert fits(spec, small) and not fits(spec, image)
    assert fits(resolve_estimator("mi_gaussian"), image)  # no dimension rule for it


@pytest.mark.parametrize("bad", [torch.tensor(2.0), np.array(2.0)])
def test_a_zero_dim_tensor_or_array_of_estimators_is_a_type_error(bad):
    """A 0-d tensor/array is Iterable but cannot be iterated (found by tests/test_fuzz.py:
    it leaked "iteration over a 0-d tensor", naming no argument)."""
    with pytest.raises(TypeError, match="estimators must be a list"):
        calibrate.make_grid(bad, [GAUSS], [40], 1)


def test_an_array_backend_is_a_type_error():
    """``backend in BACKENDS`` compared an array elementwise (found by tests/test_fuzz.py: "The
    truth value of an empty array is ambiguous", naming no argument)."""
    with pytest.raises(TypeError, match="backend must be one of"):
        calibrate.run(["mi_gaussian"], [GAUSS], [40], 1, backend=np.array([]), progress=False)
