r"""Claims about conditional MI and transfer entropy, checked with exact quantities.

* chain rule :math:`I(X;Y,Z) = I(X;Z) + I(X;Y|Z)` (Cover & Thomas Thm 2.5.2), on random
  Gaussian covariances (closed forms) and random discrete pmfs (exact sums);
* invariance :math:`I(f(X); g(Y) | h(Z)) = I(X;Y|Z)` for bijections f, g, h: the four
  entropies of :math:`h(X',Z') + h(Y',Z') - h(Z') - h(X',Y',Z')` of the pushed vectors are
  computed by ``exact.entropy`` (change of variables through the product flows, exact
  log|det J|, Monte Carlo only over the base samples) and compared with the closed form of
  the unpushed triple within 5 combined standard errors. Each entropy moves by its own
  :math:`E\log|\det J|`; only the identity makes the moves cancel;
* TE = Granger / 2 for Gaussian VARs (Barnett, Barrett & Seth 2009): the log-det TE of
  ``exact.transfer_entropy_var`` against the Geweke log-ratio of the residual covariances of
  the two least-squares regressions, both exact, on random stable VAR(2)s;
* TE of independent processes is 0, while a lagged noisy copy :math:`Y_{t+1} = X_t +
  \sigma\eta` of an AR(1) X gives :math:`\tfrac12\log(\mathrm{Var}(Y_{t+1}|Y_t)/\sigma^2)`
  in closed form;
* conditioning can raise MI (XOR: 0 -> log 2 - h(q)) or lower it (common cause Z of
  X = Z + a, Y = Z + b: 1/2 log(4/3) -> 0), both exact.
"""

from __future__ import annotations

import math

import numpy as np

from revinfo import dist, exact, flows
from revinfo.claims._stats import agree, combined, sub_seed
from revinfo.claims.invariance import Product
from revinfo.claims.registry import claim

ROUNDING = 1e-10  # float64 log-det identities on well-conditioned matrices of size <= 12


def _random_cov(d: int, rng: np.random.Generator) -> np.ndarray:
    m = rng.standard_normal((d, d))
    return m @ m.T + 0.2 * np.eye(d)


@claim("cmi-chain-rule",
       "I(X;Y,Z) = I(X;Z) + I(X;Y|Z): 20 random Gaussian triples (dims 1-4 each) and 20 "
       "random discrete pmfs, exact", "identity")
def check_chain_rule(seed: int):
    rng = np.random.default_rng(sub_seed(seed, 0))
    worst_gauss = 0.0
    for _ in range(20):
        dx, dy, dz = rng.integers(1, 5, 3)
        cov = _random_cov(dx + dy + dz, rng)
        x, y, z = (list(range(dx)), list(range(dx, dx + dy)),
                   list(range(dx + dy, dx + dy + dz)))
        joint = exact.cmi_gaussian(cov, x, y + z).value
        parts = exact.cmi_gaussian(cov, x, z).value + exact.cmi_gaussian(cov, x, y, z).value
        worst_gauss = max(worst_gauss, abs(joint - parts))
    worst_disc = 0.0
    for _ in range(20):
        shape = tuple(int(s) for s in rng.integers(2, 5, 3))
        p = rng.dirichlet(np.ones(math.prod(shape))).reshape(shape)
        # I(X; (Y,Z)) as a CMI with a trivial condition: Y and Z merged into one axis
        joint = exact.cmi_discrete(p.reshape(shape[0], -1, 1)).value
        i_xz = exact.cmi_discrete(p.sum(1)[:, :, None]).value
        worst_disc = max(worst_disc, abs(joint - i_xz - exact.cmi_discrete(p).value))
    ok = worst_gauss <= ROUNDING and worst_disc <= ROUNDING
    return ok, {"max_abs_gap_gaussian": worst_gauss, "max_abs_gap_discrete": worst_disc,
                "tolerance": ROUNDING}


def _entropy(cov: np.ndarray, idx: list[int], flow, seed: int, n: int):
    sub = cov[np.ix_(idx, idx)]
    return exact.entropy(dist.gaussian(np.zeros(len(idx)), sub), flow, n=n, seed=seed)


@claim("cmi-invariance",
       "I(f(X); g(Y) | h(Z)) = I(X;Y|Z) for bijections f, g, h (the 2+2+2 Gaussian triple of "
       "the conditional tasks, I = -log(1 - 0.8^2), "
       "affine, spline and leaky-relu networks): four change-of-variables entropies vs the "
       "closed form", "identity")
def check_invariance(seed: int, n: int = 40_000):
    from revinfo.tasks.conditional import triple_cov

    d = 2
    cov = triple_cov(d, d, 0.8, sub_seed(seed, 1))
    x, y, z = [0, 1], [2, 3], [4, 5]
    f = flows.build("affine", d, 3, seed=sub_seed(seed, 2), weight_scale=2.0)
    g = flows.build("spline", d, 2, seed=sub_seed(seed, 3))
    h = flows.build("leaky-relu", d, 2, seed=sub_seed(seed, 4))
    parts = {
        "h_xz": _entropy(cov, x + z, Product(f, h, d), sub_seed(seed, 5), n),
        "h_yz": _entropy(cov, y + z, Product(g, h, d), sub_seed(seed, 6), n),
        "h_z": _entropy(cov, z, h, sub_seed(seed, 7), n),
        "h_xyz": _entropy(cov, x + y + z, Product(Product(f, g, d), h, 2 * d),
                          sub_seed(seed, 8), n),
    }
    pushed = parts["h_xz"].value + parts["h_yz"].value - parts["h_z"].value - parts["h_xyz"].value
    se = combined(*(e.stderr for e in parts.values()))
    truth = exact.cmi_gaussian(cov, x, y, z).value
    ok, diff, tol = agree(pushed, truth, se)
    moved = parts["h_z"].value - exact.entropy(dist.gaussian(np.zeros(d), cov[4:, 4:])).value
    return ok, {"I_closed_form": truth, "I_pushed": pushed, "I_pushed_stderr": se,
                "difference": diff, "tolerance": tol, "h_hz_minus_h_z": moved,
                **{k: e.value for k, e in parts.items()}}


def _stable_var2(rng: np.random.Generator, d: int) -> np.ndarray:
    """Random (2, d, d) coefficients scaled to companion spectral radius 0.9."""
    from revinfo.exact.var import spectral_radius

    a = rng.standard_normal((2, d, d)) / math.sqrt(d)
    s = 0.9 / spectral_radius(a)  # (s A1, s^2 A2) has every companion eigenvalue times s
    return a * np.array([s, s * s])[:, None, None]


def _granger(w: np.ndarray, future: list[int], full: list[int], restricted: list[int]) -> float:
    """Geweke's F = log det Sigma_restricted / det Sigma_full of the least-squares residual
    covariances of ``future`` on the two regressor sets (normal equations)."""

    def resid(regs: list[int]) -> np.ndarray:
        c = w[np.ix_(regs, future)]
        beta = np.linalg.solve(w[np.ix_(regs, regs)], c)
        return w[np.ix_(future, future)] - c.T @ beta

    return float(np.linalg.slogdet(resid(restricted))[1] - np.linalg.slogdet(resid(full))[1])


@claim("te-granger",
       "TE = Granger causality / 2 for Gaussian VARs (Barnett, Barrett & Seth 2009): exact "
       "log-det TE vs the exact regression log-ratio, 10 random stable VAR(2)s in R^4, "
       "histories k, l in 1..3", "identity")
def check_te_granger(seed: int):
    from revinfo.exact.var import var_autocov, window_cov

    rng = np.random.default_rng(sub_seed(seed, 9))
    d, src, tgt = 4, [0, 1], [2, 3]
    worst, rows = 0.0, []
    for _ in range(10):
        a = _stable_var2(rng, d)
        q = _random_cov(d, rng)
        k, l = (int(v) for v in rng.integers(1, 4, 2))
        m = 1 + max(k, l)
        w = window_cov(var_autocov(a, q, m - 1), m)
        fut = list(tgt)
        tgt_past = [lag * d + c for lag in range(1, k + 1) for c in tgt]
        src_past = [lag * d + c for lag in range(1, l + 1) for c in src]
        f = _granger(w, fut, tgt_past + src_past, tgt_past)
        te = exact.transfer_entropy_var(a, q, src, tgt, k=k, l=l).value
        worst = max(worst, abs(te - f / 2))
        rows.append(te)
    return worst <= ROUNDING, {"max_abs_te_minus_half_granger": worst, "tolerance": ROUNDING,
                               "te_values": rows}


@claim("te-independent-and-lagged-copy",
       "TE between independent VAR processes is 0; for Y_{t+1} = X_t + sigma eta with X an "
       "AR(1) it is 1/2 log(Var(Y_{t+1}|Y_t)/sigma^2) (closed form), the reverse TE 0",
       "identity")
def check_te_cases(seed: int):
    rng = np.random.default_rng(sub_seed(seed, 10))
    a = np.zeros((2, 4, 4))
    a[:, :2, :2] = _stable_var2(rng, 2)
    a[:, 2:, 2:] = _stable_var2(rng, 2)
    q = np.zeros((4, 4))
    q[:2, :2], q[2:, 2:] = _random_cov(2, rng), _random_cov(2, rng)
    independent = max(abs(exact.transfer_entropy_var(a, q, [0, 1], [2, 3], k=k, l=l).value)
                      for k in (1, 3) for l in (1, 2))
    ar, sigma = float(rng.uniform(-0.9, 0.9)), float(rng.uniform(0.3, 2.0))
    s2 = 1.0 / (1.0 - ar**2)
    vy = s2 + sigma**2
    closed = 0.5 * math.log((vy - (ar * s2) ** 2 / vy) / sigma**2)
    copy_a, copy_q = np.array([[ar, 0.0], [1.0, 0.0]]), np.diag([1.0, sigma**2])
    forward = exact.transfer_entropy_var(copy_a, copy_q, 0, 1).value
    reverse = exact.transfer_entropy_var(copy_a, copy_q, 1, 0).value
    ok = (independent <= ROUNDING and abs(forward - closed) <= ROUNDING
          and abs(reverse) <= ROUNDING)
    return ok, {"max_abs_te_independent": independent, "ar": ar, "sigma": sigma,
                "te_copy_exact": forward, "te_copy_closed_form": closed,
                "te_reverse": reverse, "tolerance": ROUNDING}


@claim("conditioning-raises-or-lowers-mi",
       "Conditioning can raise MI (XOR with flips q: I(X;Y) = 0 < I(X;Y|Z) = log 2 - h(q)) "
       "or lower it (common cause: I(X;Y) = 1/2 log(4/3) > I(X;Y|Z) = 0), exact",
       "inequality")
def check_conditioning(seed: int):
    from revinfo.tasks.conditional import xor_pmf

    q = 0.1
    p = xor_pmf(q)
    xor_cond = exact.cmi_discrete(p).value
    xor_plain = exact.cmi_discrete(p.sum(2)[:, :, None]).value
    h = -(q * math.log(q) + (1 - q) * math.log(1 - q))
    cov = np.array([[2.0, 1.0, 1.0], [1.0, 2.0, 1.0], [1.0, 1.0, 1.0]])  # X = Z+a, Y = Z+b
    cc_plain = exact.cmi_gaussian(cov, 0, 1).value
    cc_cond = exact.cmi_gaussian(cov, 0, 1, 2).value
    ok = (abs(xor_plain) <= ROUNDING and abs(xor_cond - (math.log(2) - h)) <= ROUNDING
          and abs(cc_plain - 0.5 * math.log(4 / 3)) <= ROUNDING and abs(cc_cond) <= ROUNDING
          and xor_cond > xor_plain and cc_cond < cc_plain)
    return ok, {"xor_I_xy": xor_plain, "xor_I_xy_given_z": xor_cond,
                "common_cause_I_xy": cc_plain, "common_cause_I_xy_given_z": cc_cond}
