#!/usr/bin/env bash
# Create .venv and install revinfo into it (editable), with optional extras.
#   bash scripts/install.sh              # the library and the `revinfo` command
#   bash scripts/install.sh test         # + what the test suite needs (notebooks, dask, docs)
# PyTorch is pinned to torch==2.13.0, a CPU wheel on this project's machines (on plain PyPI
# it is the CUDA build); set TORCH_SPEC, and pip's index options, for another build
# (pyproject.toml accepts torch>=2.1).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.13.0}"
EXTRAS=""
case "${1:-}" in
  "") ;;
  test) EXTRAS="[test,dask,notebooks,docs]" ;;
  all) EXTRAS="[all]" ;;
  *) echo "usage: $0 [test|all]" >&2; exit 2 ;;
esac
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "revinfo needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2; exit 2; }
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "$TORCH_SPEC"
.venv/bin/python -m pip install --quiet -e ".${EXTRAS}"
echo "revinfo installed in .venv (extras: ${EXTRAS:-none})"
