"""The networks that pushed tasks use: every flow kind, at one depth. The same values as in
:mod:`revinfo.tasks.transformed` (a test checks they agree), kept in a module that imports
nothing: a first import of ``transformed`` registers every family, the ones importing these
values included, while ``transformed`` is still half initialised."""

DEPTH = 4
FLOW_KINDS = ("additive", "affine", "spline", "linear", "orthogonal", "leaky-relu", "revnet",
              "elementwise")
