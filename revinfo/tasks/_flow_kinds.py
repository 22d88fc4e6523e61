"""The networks that pushed tasks use: every flow kind, at one depth, defined once for the
transformed, conditional and process families. Every kind of :func:`revinfo.flows.kinds`,
spelled out so that listing task names imports no torch (a test checks the two agree); a
module that imports nothing, so any family can import it while the others are still being
registered."""

DEPTH = 4
FLOW_KINDS = ("additive", "affine", "spline", "linear", "orthogonal", "leaky-relu", "revnet",
              "elementwise")
