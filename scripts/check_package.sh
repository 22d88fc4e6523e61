#!/usr/bin/env bash
# Build revinfo's wheel and sdist, install each into a clean virtual environment (no system
# site-packages, outside the repository) and smoke-test it: import, `revinfo --help`,
# `revinfo entropy ... --json`. Also fails when the build log has a setuptools deprecation
# warning or the archives carry files they should not.
#   bash scripts/check_package.sh            # PYTHON=python3.11, TORCH_SPEC as in install.sh
# Needs the network for PyPI (the build backend and revinfo's dependencies) and `build`
# (pip install build) in $PYTHON's environment. Takes a few minutes, mostly installing.
set -euo pipefail
# a clean environment: nothing on the import path but what the venvs install
unset PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONUSERBASE
cd "$(dirname "$0")/.."
ROOT="$PWD"
PY="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/revinfo-package.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
fail() { echo "check_package: $*" >&2; exit 1; }

echo "== build (log: $WORK/build.log)"
"$PY" -m build --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
  || { cat "$WORK/build.log" >&2; fail "python -m build failed"; }
if grep -n -i -E "deprecat|SetuptoolsWarning" "$WORK/build.log"; then
  fail "the build log has the warnings above"
fi
WHEEL="$(ls "$WORK"/dist/revinfo-*.whl)"
SDIST="$(ls "$WORK"/dist/revinfo-*.tar.gz)"

echo "== contents of $(basename "$WHEEL") and $(basename "$SDIST")"
"$PY" - "$WHEEL" "$SDIST" "$ROOT" <<'PYEOF'
import sys, tarfile, zipfile
from pathlib import Path

wheel, sdist, root = sys.argv[1], sys.argv[2], Path(sys.argv[3])
sources = {str(p.relative_to(root)) for pkg in ("revinfo", "proofs")
           for p in (root / pkg).rglob("*.py")}
names = set(zipfile.ZipFile(wheel).namelist())
top = {n.split("/")[0] for n in names}
assert {t for t in top if not t.endswith(".dist-info")} == {"revinfo", "proofs"}, top
missing = sorted(sources - names)
assert not missing, f"wheel lacks {missing}"
meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
assert "License-Expression: MIT" in meta, "wheel metadata has no SPDX License-Expression"
members = {m.split("/", 1)[1] for m in tarfile.open(sdist).getnames() if "/" in m}
junk = sorted(m for m in members if m.split("/")[0] in
              {"tests", "benchmarks", "notebooks", "docs", "scripts", ".ci"})
assert not junk, f"sdist carries {junk[:10]}"
assert not sorted(sources - members), f"sdist lacks {sorted(sources - members)}"
print(f"wheel: {len(names)} files, sdist: {len(members)} entries; no tests/benchmarks")
PYEOF

smoke() {  # $1: what to install
  local venv="$WORK/venv"
  rm -rf "$venv"
  "$PY" -m venv "$venv"  # --system-site-packages off: nothing from the build environment
  "$venv/bin/python" -m pip install --quiet "$TORCH_SPEC"
  "$venv/bin/python" -m pip install --quiet "$1"
  (
    cd "$WORK"  # away from the repository, so that only the installed package can be imported
    "$venv/bin/python" - "$venv" <<'PYEOF'
import sys
import revinfo, proofs
assert revinfo.__file__.startswith(sys.argv[1]), revinfo.__file__
assert proofs.__file__.startswith(sys.argv[1]), proofs.__file__
print("import revinfo", revinfo.__version__, "from", revinfo.__file__)
PYEOF
    "$venv/bin/revinfo" --help >"$WORK/help.txt"
    grep -q "entropy" "$WORK/help.txt" || fail "revinfo --help does not list entropy"
    "$venv/bin/revinfo" entropy --flow linear --dim 3 --depth 2 --json >"$WORK/entropy.json"
    "$venv/bin/python" - "$WORK/entropy.json" <<'PYEOF'
import json, math, sys
out = json.load(open(sys.argv[1]))
layers = out["layers"]
h0 = 1.5 * math.log(2 * math.pi * math.e)  # h(N(0, I_3)), closed form
assert len(layers) == 3 and abs(layers[0]["h_nats"] - h0) < 1e-12, layers[0]
total = h0 + sum(layer["layer_E_logabsdet"] for layer in layers)
assert abs(layers[-1]["h_nats"] - total) < 1e-9, (layers[-1], total)
print("revinfo entropy --json: h =", [round(layer["h_nats"], 6) for layer in layers])
PYEOF
  )
}

echo "== install the wheel into a clean venv"
smoke "$WHEEL"
echo "== install the sdist into a clean venv"
smoke "$SDIST"
echo "check_package: OK"
