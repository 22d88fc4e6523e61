"""The layering in ARCHITECTURE.md: estimators cannot see the truths, truths never use
estimators. Checked in a fresh interpreter, from the modules actually loaded."""

import json
import subprocess
import sys

import pytest


def _loaded_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {m for m in json.loads(out.stdout) if m.startswith("revinfo")}


def test_bare_import_reaches_the_submodules():
    code = "import revinfo; print(revinfo.exact.entropy.__name__, revinfo.flows.build.__name__)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["entropy", "build"]


@pytest.mark.parametrize("module, forbidden", [
    ("revinfo.estimate", ("revinfo.exact", "revinfo.tasks", "revinfo.flows", "revinfo.dist")),
    ("revinfo.exact", ("revinfo.estimate",)),
    ("revinfo.flows", ("revinfo.estimate", "revinfo.exact")),
])
def test_layering(module, forbidden):
    loaded = _loaded_after_import(module)
    leaked = sorted(m for m in loaded if m.startswith(forbidden))
    assert not leaked, f"importing {module} loaded {leaked}"
