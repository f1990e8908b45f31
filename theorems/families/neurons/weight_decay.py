"""Weight decay on 1-D two-layer ReLU nets: Savarese et al. 2019's minimum cost, and what trained
nets reach.

``relu-weight-decay-min-cost`` (an identity). The least cost (1/2) sum (a_i^2 + w_i^2) of an
infinite-width net interpolating 1-D data is R_min = max(V, (V + |S|)/2) (V the total change of the
data slopes, S the first plus the last slope), and V with a free linear part (derived in
:mod:`solvers.min_cost_interpolation` from Savarese et al.'s R(f) = max(int |f''|, |f'(-inf) +
f'(+inf)|)). The check compares the closed form with the optimal value of the LP over a knot
dictionary (HiGHS), whose dual is feasible for every knot in R, so the LP value is the infinite-width
minimum, certified: gap = |closed form - LP| / LP, tolerance = the LP's own duality gap and dual
infeasibility + 64 u M (round-off of the closed form). The linear spline with linear extrapolation
(cost max(V, |S|)) is not the minimizer when |S| > V (mutant).

``relu-weight-decay-trained-net`` (open). A width-n net trained by GD on 1/2 sum (f - y)^2 +
(lam/2) sum (a^2 + w^2) from a small start. Whatever the run reaches, its cost is at least the min
cost of interpolating its own fitted values v = f(X): C(theta) >= sum |a_i w_i| >= R(f) >=
R_min(x, v) (AM-GM, Savarese et al.'s theorem, the closed form) -- certified on every run, a
violation would be a bug. Whether GD reaches that minimum as n grows and lam -> 0 is not a theorem
(non-convex training: Savarese et al. characterize the global minimum, not what GD finds), so the
claim is ``open``: it measures the relative excess (C(theta) - R_min(x, v)) / R_min(x, v) at the
largest width and smallest decay, against a stated threshold of 0.1. Calibrations: the same
measurement on the certified LP optimum written as a net (known-true: excess 0) and on the linear
spline with linear extrapolation written as a net (kinks at the interior data, its linear part s_1 x
as the unit pair s_1([x]_+ - [-x]_+), cost V + 2|s_1|), on data with slopes within 0.2 of a
trend >= 3 (known-false: the excess is then about 1).

Each run is measured where GD lands, not where its step budget ends: from ``steps`` the run is
continued, doubling, until the excess moved by at most SETTLE = 1e-3 (1% of the threshold) over the
last doubling; if the measured run is still moving at ``max_steps`` the instance is inconclusive (the
sweep's other runs, drawn in the figure, report their last motion). (At a fixed 8000
steps the excess was still falling 3-10x per doubling on most drawn data.) Measured: settled runs
reach the least cost (excess < 1e-3) on most data; on steep data (|S| well above V) GD can settle at a
stationary point whose cost is the linear spline's cost max(V, |S|) of its own fit -- 70% above the
least cost on the thorough profile's worst instance, at widths 64 and 256 alike (reported per run as
``linear_spline_excess``; tests/test_weight_decay_settling.py).
"""
from __future__ import annotations

import time

import numpy as np

from models.weight_decay_net import WDNet, init_small, train_weight_decay
from solvers.certify.neurons import min_cost_certificate
from solvers.min_cost_interpolation import linear_spline_cost, min_cost_closed_form, min_cost_lp

from ...contract import Assumption, Claim, Evidence, Field, Figure, Resolution, Series, far, near
from ...contract import Mutant
from ...memo import memo
from ...strategies.neurons import min_cost_instances, wd_trained_instances
from .common import A_DATA, F_SEED, FAMILY, SAVARESE, distinct_1d

U = np.finfo(float).eps / 2
THRESHOLD = 0.1  # the open claim's stated threshold on the relative excess cost
# a trained run is measured once its excess moved by at most 1% of the threshold over its last doubling
# of steps: at 8000 steps the excess was still falling 3-10x per doubling on most drawn data (0.09 ->
# 0.04 -> 0.008 -> 0.0007), so an unsettled run measured the optimizer's budget, not where GD lands
SETTLE = 0.01 * THRESHOLD


# ---- the identity ------------------------------------------------------------------------------

def closed_form(x, y, free_linear):
    return min_cost_closed_form(x, y, free_linear)["value"]


def closed_form_ignoring_skip(x, y, free_linear):
    """Mutant: max(V, (V + |S|)/2) even with a free linear part."""
    return min_cost_closed_form(x, y, False)["value"]


@memo
def _lp(x, y, free_linear):
    return min_cost_lp(x, y, free_linear=free_linear)  # knots at the data: the dual covers every other t


def check_min_cost(inst, stmt) -> Evidence:
    x, y, fl = np.asarray(inst["x"], float), np.asarray(inst["y"], float), bool(int(inst["free_linear"]))
    t0 = time.perf_counter()
    net, nu, cert = _lp(x, y, fl)
    t1 = time.perf_counter()
    lp_value = net.cost
    pred = float(stmt["value"](x, y, fl))
    scale = max(abs(lp_value), 1e-300)
    gap = abs(pred - lp_value) / scale
    tol = cert.residuals["duality_gap"] + cert.residuals["dual_infeasibility"] + 64.0 * U * x.size
    cf = min_cost_closed_form(x, y, fl)
    xs = np.sort(x)
    span = xs[-1] - xs[0]
    grid = np.linspace(xs[0] - 0.5 * span, xs[-1] + 0.5 * span, 201)
    s = np.diff(y[np.argsort(x)]) / np.diff(xs)
    ys = y[np.argsort(x)]
    lin = np.interp(grid, xs, ys) + np.where(grid < xs[0], s[0] * (grid - xs[0]), 0.0) \
        + np.where(grid > xs[-1], s[-1] * (grid - xs[-1]), 0.0)
    fig = Figure("relu-weight-decay-min-cost-interpolant",
                 "Least weight-decay cost interpolant (LP) vs the linear spline with linear extrapolation", "x", "f(x)",
                 (Series(f"min-cost interpolant (cost {lp_value:.3f})", grid, net(grid)),
                  Series(f"linear spline, linear extrapolation (cost {linear_spline_cost(x, y, fl):.3f})", grid, lin, "dashed"),
                  Series("data", xs, ys, "scatter")))
    return Evidence(
        gap=gap, tolerance=tol,
        tolerance_reason=f"LP duality gap {cert.residuals['duality_gap']:.1e} + dual infeasibility "
                         f"{cert.residuals['dual_infeasibility']:.1e} + 64 u M (closed-form round-off)",
        certificates=[cert], timings={"lp": t1 - t0}, figures=[fig],
        details={"closed_form": cf["value"], "lp_value": lp_value, "V": cf["V"], "S": cf["S"], "statement": pred,
                 "linear_spline_cost": linear_spline_cost(x, y, fl), "free_linear": fl, "S_exceeds_V": abs(cf["S"]) > cf["V"]},
        reference={"value": lp_value, "nu": nu, "free_linear": fl})


# ---- trained nets (open) -----------------------------------------------------------------------

def _lp_net(net_lp) -> WDNet:
    """The LP's network as balanced units: [x - t]_+ with a = sign(alpha) sqrt|alpha|, w = sqrt|alpha|, b = -w t."""
    al, be, t = net_lp.alpha, net_lp.beta, net_lp.knots
    k1, k2 = np.abs(al) > 0, np.abs(be) > 0
    w = np.concatenate([np.sqrt(np.abs(al[k1])), -np.sqrt(np.abs(be[k2]))])
    a = np.concatenate([np.sign(al[k1]) * np.sqrt(np.abs(al[k1])), np.sign(be[k2]) * np.sqrt(np.abs(be[k2]))])
    b = -w * np.concatenate([t[k1], t[k2]])
    return WDNet(a, w, b, net_lp.c, net_lp.u)


def _settled(net, x, y, lam, eta, steps, max_steps):
    """GD from ``net`` for ``steps``, then doubled (continuing) until the measured excess moved by at
    most SETTLE over the last doubling, or ``max_steps``. Returns (result, total steps, last motion)."""
    r = train_weight_decay(net, x, y, lam, eta, steps, record_every=steps)
    total, prev, motion = steps, _excess(r.net, x)[0], np.inf
    while total < max_steps:
        r = train_weight_decay(r.net, x, y, lam, eta, total, record_every=total)
        total *= 2
        e = _excess(r.net, x)[0]
        motion, prev = abs(e - prev), e
        if motion <= SETTLE:
            break
    return r, total, motion


@memo
def _sweep(x, y, widths, lams, steps, max_steps, eta, scale, seed):
    """Every (width, decay) run; the measured one (largest width, smallest decay) gets ``max_steps``,
    the others, drawn in the figure only, a quarter of it."""
    out = []
    measured = (max(widths), min(lams))
    for n in widths:
        for lam in lams:
            net = init_small(int(n), x, float(scale), np.random.default_rng([int(seed), int(n)]))
            t0 = time.perf_counter()
            budget = int(max_steps) if (n, lam) == measured else int(max_steps) // 4
            r, total, motion = _settled(net, x, y, float(lam), float(eta), int(steps), max(budget, int(steps)))
            out.append({"n": int(n), "lam": float(lam), "net": r.net, "residual": r.max_residual, "grad": r.grad_norm,
                        "steps": total, "motion": float(motion), "seconds": time.perf_counter() - t0})
    return out


def linear_spline_net(x, y) -> WDNet:
    """The linear spline with linear extrapolation as balanced units: a kink s_i - s_{i-1} at each interior
    data point and its linear part s_1 x as the pair s_1 ([x]_+ - [-x]_+)."""
    o = np.argsort(x)
    xs, ys = np.asarray(x, float)[o], np.asarray(y, float)[o]
    s = np.diff(ys) / np.diff(xs)
    k = np.diff(s)
    r = np.sqrt(abs(s[0]))
    a = np.concatenate([np.sign(k) * np.sqrt(np.abs(k)), [np.sign(s[0]) * r, -np.sign(s[0]) * r]])
    w = np.concatenate([np.sqrt(np.abs(k)), [r, -r]])
    b = np.concatenate([-np.sqrt(np.abs(k)) * xs[1:-1], [0.0, 0.0]])
    return WDNet(a, w, b, float(ys[0] - s[0] * xs[0]))


def _excess(net: WDNet, x):
    v = net(x)
    R = min_cost_closed_form(x, v)["value"]
    return (net.cost - R) / max(R, 1e-300), R, v


def check_trained(inst, stmt) -> Evidence:
    x, y = np.asarray(inst["x"], float), np.asarray(inst["y"], float)
    t0 = time.perf_counter()
    source = stmt["net_source"]
    certs = []
    if source == "trained":
        runs = _sweep(x, y, tuple(np.asarray(inst["widths"], int)), tuple(np.asarray(inst["lams"], float)),
                      int(inst["steps"]), int(inst["max_steps"]), float(inst["eta"]), float(inst["scale"]),
                      int(inst["seed"]))
    elif source == "linear-spline":
        runs = [{"n": 0, "lam": 0.0, "net": linear_spline_net(x, y), "residual": 0.0, "grad": 0.0, "steps": 0,
                 "motion": 0.0, "seconds": 0.0}]
    else:
        net_lp, _, cert = min_cost_lp(x, y)
        certs.append(cert)
        runs = [{"n": int(np.sum(np.abs(net_lp.alpha) > 0) + np.sum(np.abs(net_lp.beta) > 0)), "lam": 0.0,
                 "net": _lp_net(net_lp), "residual": 0.0, "grad": 0.0, "steps": 0, "motion": 0.0, "seconds": 0.0}]
    t1 = time.perf_counter()
    rows = []  # one per run, with the keys of details["sweep"]
    for r in runs:
        ex, R, v = _excess(r["net"], x)
        rows.append({"n": r["n"], "lam": r["lam"], "excess": ex, "R_min_of_fit": R, "max_residual": r["residual"],
                     "linear_spline_excess": (linear_spline_cost(x, v, 0) - R) / max(R, 1e-300), "steps": r["steps"],
                     "last_motion": r["motion"], "grad_norm": r["grad"]})
    worst_lower = min(0.0, min(q["excess"] for q in rows))
    # measured: the largest width at the smallest decay (whatever order the sweep lists them in); it must have
    # settled, the others are drawn in the figure with their last motion reported
    final = max(rows, key=lambda q: (q["n"], -q["lam"]))
    settled = final["last_motion"] <= SETTLE
    if worst_lower < -1e-9:
        note = f"certified lower bound C(theta) >= R_min(x, f(X)) violated by {worst_lower:.1e} (a bug)"
    elif not settled:
        note = (f"GD had not settled: at width {final['n']}, lam {final['lam']:g} the excess still moved by "
                f"{final['last_motion']:.1e} (> {SETTLE:g}) over its last doubling, to {final['steps']} steps (max_steps): "
                "that would measure the step budget, not where GD lands")
    else:
        note = ""
    widths = sorted({q["n"] for q in rows})
    series = [Series(f"width {n}", [q["lam"] for q in rows if q["n"] == n],
                     [max(q["excess"], 1e-6) for q in rows if q["n"] == n], "scatter") for n in widths]
    fig = Figure("relu-weight-decay-trained-excess", "Trained nets with weight decay: relative excess cost over R_min of their own fit",
                 "weight decay lam", "(C(theta) - R_min(x, f(X))) / R_min", tuple(series), xscale="log", yscale="log")
    return Evidence(
        gap=float(final["excess"]), tolerance=THRESHOLD,
        tolerance_reason=f"stated threshold {THRESHOLD} on the relative excess cost at the largest width and smallest decay "
                         "(an open statement: measured, not judged)",
        certificates=certs,
        converged=bool(worst_lower >= -1e-9 and settled),
        convergence_note=note,
        timings={"training": t1 - t0}, figures=[fig],
        details={"source": source, "excess_of_linear_spline_cost": final["linear_spline_excess"], "steps": final["steps"],
                 "grad_norm": final["grad_norm"], "sweep": rows,
                 "R_min_of_data": min_cost_closed_form(x, y)["value"]})


# ---- claims ------------------------------------------------------------------------------------

FIELDS_1D = (Field("x", 1, "inputs x_j (distinct)"), Field("y", 1, "targets y_j"),
             Field("free_linear", 0, "1: a free linear term u x (skip connection), 0: none", integer=True, default=0))
MIN_COST_STATEMENT = ("min over interpolating infinite-width nets of (1/2) sum (a_i^2 + w_i^2) = max(V, (V + |S|)/2) "
                      "(V = sum |s_{i+1} - s_i|, S = s_1 + s_{M-1}); = V with a free linear part")

CLAIMS = (
    Claim(
        id="relu-weight-decay-min-cost",
        title="Least weight-decay cost of an interpolating 1-D ReLU net: max(V, (V + |S|)/2) (V with a free linear part)",
        statement=MIN_COST_STATEMENT, source=f"{SAVARESE} (R(f) = max(int |f''|, |f'(-inf) + f'(+inf)|)); closed form derived",
        assumptions=(Assumption("data: 1-D, distinct finite inputs (repeated knots are not a function)",
                                lambda i: distinct_1d(i, min_points=2)),
                     Assumption("free_linear in {0, 1}", lambda i: None if int(i["free_linear"]) in (0, 1) else "free_linear must be 0 or 1")),
        fields=FIELDS_1D, strategy=min_cost_instances, check=check_min_cost, params={"value": closed_form},
        mutants=(Mutant("linear-spline-cost", "the linear spline with linear extrapolation is the minimizer: max(V, |S|)",
                        {"value": linear_spline_cost}),
                 Mutant("v-only", "R_min = V (the free-linear value) without the skip connection",
                        {"value": lambda x, y, fl: min_cost_closed_form(x, y, True)["value"]}),
                 Mutant("half-sum", "R_min = (V + |S|)/2 always", {"value": lambda x, y, fl: 0.5 * (
                     min_cost_closed_form(x, y)["V"] + abs(min_cost_closed_form(x, y)["S"]))}),
                 Mutant("skip-ignored", "max(V, (V + |S|)/2) also with a free linear part", {"value": closed_form_ignoring_skip})),
        kind="identity", family=FAMILY,
        resolution=Resolution(1e-8, "relative error of the closed-form value", lambda stmt, r: {
            "value": lambda x, y, fl, f=stmt["value"]: f(x, y, fl) * (1.0 + r)}),
        verify=min_cost_certificate, examples={"quick": 10, "thorough": 60}, mutant_instances=6,
        # |S| = 4.6 > V = 1.6: the least-cost interpolant (cost 3.1, not 4.6) bends its outer slopes toward each other
        showcase=lambda: {"x": np.array([-1.5, -0.5, 0.5, 1.5]), "y": np.array([-3.0, -0.6, 0.9, 3.1]), "free_linear": 0}),
    Claim(
        id="relu-weight-decay-trained-net",
        title="Wide nets trained by GD with small weight decay: how close to the least cost (measured, open)",
        statement="GD on 1/2 sum (f - y)^2 + lam/2 sum (a^2 + w^2) from a small start: the weight cost approaches "
                  "R_min(x, f(X)) from above as the width grows and lam -> 0 (the lower bound is certified on every run)",
        source=f"{SAVARESE}; the training statement is open (non-convex)",
        assumptions=(A_DATA, Assumption("a sweep of widths and decays", lambda i: None if (
            np.asarray(i["widths"]).size >= 1 and np.all(np.asarray(i["lams"]) > 0) and int(i["steps"]) >= 1
            and int(i["max_steps"]) <= 10**7 and float(i["eta"]) > 0)
            else "need widths, positive decays lams, steps >= 1, max_steps <= 1e7 and eta > 0")),
        fields=(Field("x", 1, "inputs x_j (distinct)"), Field("y", 1, "targets y_j"),
                Field("widths", 1, "widths n", integer=True, default=np.array([64, 256])),
                Field("lams", 1, "weight decays lam (the smallest is measured)", default=np.array([1e-2, 1e-3])),
                Field("steps", 0, "GD steps before the first settling test", integer=True, default=8000),
                Field("max_steps", 0, "GD step budget of the measured run (doubling from steps until the excess "
                      "settles); the sweep's other runs get a quarter", integer=True, default=1024000),
                Field("eta", 0, "GD step", default=0.05), Field("scale", 0, "scale of the small start", default=0.1), F_SEED),
        strategy=wd_trained_instances, check=check_trained, params={"net_source": "trained"},
        mutants=(near("lp-optimum", "the same measurement on the certified LP optimum written as a net (excess 0)",
                      {"net_source": "lp-optimum"}),
                 far("linear-spline", "the same measurement on the linear spline with linear extrapolation written as a net "
                     "(linear part as a unit pair), steep data (excess about 1)", {"net_source": "linear-spline"},
                     strategy=lambda: wd_trained_instances(steep=True))),
        expected="open", kind="limit", family=FAMILY, examples={"quick": 1, "thorough": 4}, mutant_instances=2),
)
