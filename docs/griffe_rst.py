"""A griffe extension (mkdocs.yml loads it) that reads revinfo's docstrings as Napoleon does.

revinfo's docstrings are Google style with a few reStructuredText constructs. mkdocstrings
renders Markdown, so before griffe parses a docstring this rewrites, in memory only:

- an ``Example:`` section header to ``Examples:`` (Napoleon accepts both; griffe only the
  plural, and would otherwise render the doctest as Markdown paragraphs);
- a role, ``:func:`revinfo.exact.entropy``` or ``:math:`\\log m```, to a code span;
- a ``.. math::`` or ``.. code-block:: LANG`` directive and its indented body to a fenced
  code block.

The source files are not touched; the doctests run on the docstrings as written.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_ROLE = re.compile(r":[a-z]+(?::[a-z]+)?:`~?([^`]+)`")
_DIRECTIVE = re.compile(r"^(\s*)\.\. (math|code-block)::\s*(.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _fence_directives(text: str) -> str:
    """``.. math:: first`` + indented lines -> a fenced block at the directive's indent."""
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _DIRECTIVE.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        pad, kind, arg = m.groups()
        lang = arg.strip() if kind == "code-block" else "text"
        head = [arg.strip()] if kind == "math" and arg.strip() else []
        rest: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or _indent(lines[i]) > len(pad)):
            rest.append(lines[i])
            i += 1
        while rest and not rest[-1].strip():
            rest.pop()
        while rest and not rest[0].strip():
            rest.pop(0)
        cut = min((_indent(r) for r in rest if r.strip()), default=0)
        body = head + [r[cut:] for r in rest]
        if out and out[-1].strip():
            out.append("")
        out += [f"{pad}```{lang}", *(f"{pad}{b}" if b.strip() else "" for b in body), f"{pad}```"]
        if i < len(lines) and lines[i].strip():
            out.append("")
    return "\n".join(out)


def rewrite(text: str) -> str:
    """The Markdown-friendly form of one docstring (see the module docstring)."""
    text = _EXAMPLE.sub(r"\1Examples:", text)
    text = _fence_directives(text)
    # one line per span: a continuation line starting with "+" would read as a list item
    return _ROLE.sub(lambda m: "`" + " ".join(m.group(1).split()) + "`", text)


class NapoleonDocstrings(griffe.Extension):
    """Rewrite every docstring once, when griffe creates its object."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)
