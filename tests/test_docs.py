"""The documentation: the site builds strictly, its API reference lists every public name, the
worked examples of docs/extending.md run, the docstring examples pass as doctests, and nothing
in the repository points outside it."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# The packages with an API page, docs/api/<name>.md: "revinfo" itself and its subpackages.
API_PAGES = ("revinfo", "dist", "flows", "exact", "estimate", "tasks", "calibrate", "claims",
             "registry", "weights", "plane")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


# ----------------------------------------------------------------------------- the site

def _missing(modules: tuple[str, ...]) -> list[str]:
    out = []
    for m in modules:
        try:
            found = importlib.util.find_spec(m) is not None
        except ModuleNotFoundError:  # a parent package is missing
            found = False
        if not found:
            out.append(m)
    return out


_MISSING = _missing(("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python"))
needs_mkdocs = pytest.mark.skipif(
    bool(_MISSING),
    reason=f"{', '.join(_MISSING)} not installed (pip install -e '.[docs]' to build the docs)",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """``mkdocs build --strict`` into a temporary folder: any warning (a broken link, an
    unresolved cross-reference, a docstring griffe cannot read) fails it."""
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(out)],
        cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout}\n{proc.stderr}"
    return out


@needs_mkdocs
def test_mkdocs_build_strict(site):
    assert (site / "index.html").is_file()
    for page in ("contract", "references", "extending", "notebooks", "benchmarks"):
        assert (site / page / "index.html").is_file(), page


def _public_names(module) -> list[str]:
    """``__all__`` without dunders; for a module without one, what it defines and does not
    start with ``_`` (imports of other modules' names excluded)."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n, obj in vars(module).items()
                 if not n.startswith("_") and getattr(obj, "__module__", None) == module.__name__]
    return sorted(n for n in names if not n.startswith("__"))


@needs_mkdocs
@pytest.mark.parametrize("page", API_PAGES)
def test_api_reference_lists_every_public_name(site, page):
    name = "revinfo" if page == "revinfo" else f"revinfo.{page}"
    module = importlib.import_module(name)
    html = (site / "api" / page / "index.html").read_text(encoding="utf-8")
    missing = [n for n in _public_names(module) if f'id="{name}.{n}"' not in html]
    assert not missing, f"docs/api/{page}.md does not render {missing} of {name}"


def test_every_public_package_has_an_api_page():
    import revinfo

    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted(set(revinfo._SUBMODULES) | {"revinfo"}):
        assert page in API_PAGES, f"revinfo.{page} has no API page"
        name = "revinfo" if page == "revinfo" else f"revinfo.{page}"
        text = (DOCS / "api" / f"{page}.md").read_text(encoding="utf-8")
        assert re.search(rf"^::: {re.escape(name)}$", text, re.MULTILINE), page
        assert f"api/{page}.md" in config, f"docs/api/{page}.md is not in mkdocs.yml's nav"


@needs_mkdocs
def test_docstring_rewrite_for_markdown():
    """docs/griffe_rst.py: what mkdocstrings is given in place of the reST constructs."""
    spec = importlib.util.spec_from_file_location("griffe_rst", DOCS / "griffe_rst.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = ("Sum.\n\n.. math:: I = h(X)\n          - h(X|Y)\n\nSee :func:`~revinfo.exact.entropy`"
            " and :math:`\\log m\n  + 1`.\n\nExample:\n    >>> 1 + 1\n    2\n")
    assert mod.rewrite(text) == (
        "Sum.\n\n```text\nI = h(X)\n- h(X|Y)\n```\n\nSee `revinfo.exact.entropy` and"
        " `\\log m + 1`.\n\nExamples:\n    >>> 1 + 1\n    2"
    )


def test_notebook_gallery_lists_every_notebook():
    gallery = (DOCS / "notebooks.md").read_text(encoding="utf-8")
    notebooks = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    assert [n for n in notebooks if n not in gallery] == []


# ----------------------------------------------------------------------------- extending.md

_FENCE = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_PENDING = re.compile(r'^!!! warning "Pending: (.*)"\n(?:    .*\n|\n)*\Z', re.MULTILINE)


def _snippets() -> list[tuple[str, str, str | None]]:
    """(section slug, code, pending reason or None) per ```python block of docs/extending.md,
    in page order."""
    text = (DOCS / "extending.md").read_text(encoding="utf-8")
    out, section, last = [], "top", 0
    for m in _FENCE.finditer(text):
        gap = text[last:m.start()]
        headings = re.findall(r"^## (.+)$", gap, re.MULTILINE)
        if headings:
            section = re.sub(r"[^a-z0-9]+", "-", headings[-1].lower()).strip("-")
        pending = _PENDING.search(gap)
        out.append((section, m.group(1), pending.group(1) if pending else None))
        last = m.end()
    return out


SNIPPETS = _snippets()
SECTIONS = sorted({s for s, _, _ in SNIPPETS})

# Runs the blocks in one fresh interpreter: each section in its own namespace, in order; a
# pending block on a copy of it, so that what it defines or breaks does not reach later blocks.
_DRIVER = """
import json, sys, traceback
blocks = json.loads(sys.stdin.read())
spaces, results = {}, []
for section, code, pending in blocks:
    ns = spaces.setdefault(section, {"__name__": "__main__"})
    try:
        exec(compile(code, "docs/extending.md: " + section, "exec"), dict(ns) if pending else ns)
        results.append(None)
    except BaseException:
        results.append(traceback.format_exc())
print("\\n@@results@@" + json.dumps(results))
"""


@pytest.fixture(scope="module")
def snippet_results(tmp_path_factory) -> list[str | None]:
    """The traceback of each block of SNIPPETS, None where it ran."""
    proc = subprocess.run(
        [sys.executable, "-c", _DRIVER], input=json.dumps(SNIPPETS),
        cwd=tmp_path_factory.mktemp("extending"), env=_env(), capture_output=True, text=True, timeout=600, check=False,
    )
    _, sep, tail = proc.stdout.rpartition("@@results@@")
    assert sep, f"the snippets did not run to the end:\n{proc.stdout}\n{proc.stderr}"
    return json.loads(tail)


def test_extending_has_one_example_per_extension_point():
    assert {"an-estimator", "a-task", "a-claim", "a-flow-layer"} <= set(SECTIONS)


@pytest.mark.parametrize("section", SECTIONS)
def test_extending_snippets_run(section, snippet_results):
    failed = [(code, err) for (sec, code, pending), err in zip(SNIPPETS, snippet_results)
              if sec == section and pending is None and err is not None]
    assert not failed, "\n\n".join(f"{code}\n{err}" for code, err in failed)
    pending = [(why, err) for (sec, _, why), err in zip(SNIPPETS, snippet_results)
               if sec == section and why is not None]
    now_run = [why for why, err in pending if err is None]
    assert not now_run, f"blocks marked pending now run ({now_run}): remove their notes"
    if pending:
        pytest.xfail("pending: " + "; ".join(f"{why} ({err.strip().splitlines()[-1]})"
                                             for why, err in pending))


# ----------------------------------------------------------------------------- doctests


def _modules() -> list[str]:
    """Every module of revinfo and proofs, from the files (nothing imported to list them)."""
    out = []
    for pkg in ("revinfo", "proofs"):
        for path in sorted((ROOT / pkg).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue  # running it is the command line
            out.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return out


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    failures: list[str] = []
    for test in finder.find(module, name):
        if test.examples:
            runner.run(test, out=failures.append)
    assert runner.failures == 0, "".join(failures)


def test_doctests_find_the_examples():
    """The collection above sees the docstring examples (a finder that sees none passes)."""
    import revinfo.flows.build

    tests = doctest.DocTestFinder().find(revinfo.flows.build)
    assert sum(len(t.examples) for t in tests) >= 3


# ----------------------------------------------------------------------------- pointers


def _tracked_files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [ROOT / p for p in out.decode().split("\0") if p]


# Assembled so that this file does not match itself.
_OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "/work/" + "shared", "shared/" + "[A-Z]",
                                "CONTRACT" + r"\.md", "REFERENCES" + r"\.md"]))


def test_nothing_points_outside_the_repository():
    hits = []
    for path in _tracked_files():
        if not path.is_file() or path.suffix in {".png", ".jpg", ".pdf"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for i, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                hits.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()[:100]}")
    assert not hits, "pointers outside the repository:\n" + "\n".join(hits)
