"""Packaging: the wheel and sdist hold the packages and nothing else, their build has no
deprecation warning, and (slow) they install into a clean venv and pass a smoke test."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
needs_build = pytest.mark.skipif(
    importlib.util.find_spec("build") is None,
    reason="the `build` package is not installed (pip install build; it is in the test extra)",
)


def _sources() -> set[str]:
    return {str(p.relative_to(ROOT)) for pkg in ("revinfo", "proofs")
            for p in (ROOT / pkg).rglob("*.py")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path, str]:
    """The wheel and sdist built from a copy of the tree (the repository is not written to),
    with this environment's setuptools (no download), and the build log."""
    work = tmp_path_factory.mktemp("package")
    src = work / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "MANIFEST.in"):
        shutil.copy2(ROOT / name, src / name)
    for pkg in ("revinfo", "proofs"):
        shutil.copytree(ROOT / pkg, src / pkg, ignore=shutil.ignore_patterns("__pycache__"))
    proc = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(work / "dist"),
         str(src)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log
    (wheel,) = (work / "dist").glob("revinfo-*.whl")
    (sdist,) = (work / "dist").glob("revinfo-*.tar.gz")
    return wheel, sdist, log


@needs_build
def test_build_log_has_no_deprecation_warning(built):
    _, _, log = built
    bad = [line for line in log.splitlines() if "deprecat" in line.lower()]
    assert not bad, "\n".join(bad)


@needs_build
def test_wheel_holds_the_packages_and_nothing_else(built):
    wheel, _, _ = built
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        entry_points = z.read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    top = {n.split("/")[0] for n in names if ".dist-info/" not in n}
    assert top == {"revinfo", "proofs"}
    assert sorted(_sources() - names) == []
    assert "License-Expression: MIT" in meta.splitlines()
    assert "revinfo = revinfo.cli:main" in entry_points


@needs_build
def test_sdist_holds_the_sources_and_no_tests_or_benchmarks(built):
    _, sdist, _ = built
    with tarfile.open(sdist) as t:
        members = {m.split("/", 1)[1] for m in t.getnames() if "/" in m}
    junk = sorted(m for m in members
                  if m.split("/")[0] in {"tests", "benchmarks", "notebooks", "docs", "scripts"})
    assert junk == []
    assert sorted(_sources() - members) == []
    assert {"pyproject.toml", "README.md"} <= members


@pytest.mark.slow
def test_clean_venv_install_smoke_test():
    """scripts/check_package.sh: build with an isolated backend, install the wheel and then
    the sdist into fresh venvs, run import / ``revinfo --help`` / ``revinfo entropy --json``."""
    if importlib.util.find_spec("build") is None:
        pytest.skip("the `build` package is not installed")
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check_package.sh")],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True, text=True, timeout=1800, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert "check_package: OK" in proc.stdout
