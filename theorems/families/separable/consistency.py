"""GD and heavy ball are first-order discretizations of the gradient flow along their own runs.

Why this test exists. The direction claim judges GD's limit direction on the exponential-loss
flow that continues each GD / heavy-ball run from its last iterate to log(1/L) = 1e10 (see
:mod:`.gd`). That flow's limit direction is w_hat from ANY start, so the continuation alone cannot
see what GD did: a GD with the labels dropped from its gradient, a point missing, a wrong step or
its momentum ignored would still be "confirmed". The continuation stands for GD only if GD follows
the flow: this module measures that, on the same instance, for each of the four variants, and a
variant that does not follow it makes the instance inconclusive (never a pass).

The test (step-size refinement, matched flow time). Each variant (loss l, step eta, momentum beta)
is run at eta and at eta/2 for twice the steps (the same flow time) and compared with the gradient
flow of the same loss from the same w0 (:func:`models.separable.gradient_flow`, an independent
integration of dw/dt = -grad L(w)) at matched flow time t = eta k / (1 - beta) after k steps:

    D(h) = max over the checkpoints with tau >= tau_end^(1/2) of ||w_h(t) - w_flow(t)||.

A consistent first-order scheme has D(h) = a h + O(h^2) (the global error of explicit Euler on a
convex gradient flow stays O(h): two flow solutions never move apart, so the local errors
O(h^2 ||Hess L grad L||), whose sum over the run is finite, add up without amplification; heavy
ball with fixed beta is first order in the same clock, its velocity lagging the flow by
O(h beta/(1 - beta)^2)). So the observed order p = log2(D(eta)/D(eta/2)) -> 1. A scheme that
converges to another flow (a wrong or missing gradient term) or runs on another clock (a step off
by a factor, momentum not applied) has D(h) -> c > 0 as h -> 0, i.e. p -> 0. Matching in flow time
(rather than in loss level) is what makes a wrong step or clock visible: at matched loss levels a
GD with 1.5 eta follows the same path.

Threshold. The variant is consistent if p >= P_MIN = 1/2. With D(h) = a h + c, p < 1/2 as soon as
c > (1 - 2^(-1/2)) / (2^(1/2) - 1) a eta = 0.71 a eta: the test sees any departure from the flow
larger than ~0.7 of the scheme's own first-order error at eta. Measured on correct GD (150 random
draws of the strategy, eta_frac in [0.3, 0.9], beta in [0, 0.8]): p between 0.955 and 2.0 (above 1
where the step is large against the curvature and the O(h^2) term has the other sign); Soudry et
al.'s Fig. 1 with momentum 0.9 (heavy ball on the logistic loss moves the flow time by 40 per step):
0.76; with momentum 0.99: 0.59 (near what the test accepts: larger momenta may be inconclusive). Wrong schemes on 60 other draws (a label flipped in the gradient, the first point dropped,
1.5 x the step, momentum ignored where beta >= 0.05): every one caught on every draw, the least
order over the variants between -0.6 and 0.01 (a large-step heavy-ball/logistic variant, whose own
error is O(1), can stay above 1/2; the other variants of the same run catch the bug).
tests/test_separable_check_power.py patches these bugs into the dynamics and asserts it.
The early transient (tau < tau_end^(1/2)) is left out: there heavy ball with eta times the initial
curvature ~ 1.8 is far from asymptotic (orders 0.5-0.8 even at eta/16), while the curvature decays
like 1/tau afterwards. D(eta/2) must be above FLOOR (1e3 x the flow's tolerance) or the order is
not measurable: inconclusive.
"""
from __future__ import annotations

import math

import numpy as np

from models.separable import gradient_flow
from solvers.svm import signed_data

from ...contract import Figure, Series
from ...memo import memo
from .common import thin, w0_of, weights_of
from .gd_runs import VARIANTS, gd_runs

P_MIN = 0.5  # the least observed order of D(eta)/D(eta/2) of a consistent scheme (see module doc)
LATE = 0.5  # D is the max over tau >= tau_end^LATE
FLOW_RTOL, FLOW_ATOL = 1e-11, 1e-12
FLOOR = 1e3 * FLOW_RTOL


@memo
def consistency(inst, tau_end, max_steps):
    """Per variant: D(eta), D(eta/2), order p, ok; the overall verdict and a note (memoized,
    statement-independent). The runs are :func:`.gd_runs.gd_runs` at refine 1 (the run the
    direction claim continues) and 2."""
    runs = [gd_runs(inst, tau_end, max_steps, refine=k) for k in (1, 2)]
    Z = signed_data(inst["X"], inst["y"])
    c = weights_of(inst)
    s2 = float(np.linalg.norm(Z if c is None else np.sqrt(c)[:, None] * Z, 2)) ** 2
    # flow time t = tau / s2 (tau is the dimensionless eta k s2 / (1 - beta) of gd_runs)
    times: dict[str, list] = {"exp": [], "logistic": []}
    for run, eff in runs:
        for b, (loss, _) in enumerate(VARIANTS):
            tau = run.t * eff[b]
            times[loss].append(tau[tau >= tau[-1] ** LATE] / s2)
    flows = {loss: gradient_flow(Z, w0_of(inst), np.concatenate(ts), loss, c, FLOW_RTOL, FLOW_ATOL)
             for loss, ts in times.items()}
    rows, ok_all, notes, curves = [], True, [], []
    for b, (loss, opt) in enumerate(VARIANTS):
        fl = flows[loss]
        D, cur = [], []
        for (run, eff), h in zip(runs, ("eta", "eta/2")):
            tau = run.t * eff[b]
            late = tau >= tau[-1] ** LATE
            Wf = fl.w[np.searchsorted(fl.t, tau[late] / s2)]
            dev = np.linalg.norm(run.w[late, b] - Wf, axis=1)
            D.append(float(dev.max()))
            cur.append((tau[late], dev))
        p = math.log2(D[0] / D[1]) if D[1] > 0 else math.inf
        measurable = D[1] > FLOOR * (1.0 + float(np.max(np.linalg.norm(fl.w, axis=1)))) and fl.info["success"]
        ok = measurable and p >= P_MIN
        ok_all &= ok
        rows.append({"variant": f"{opt}/{loss}", "D_eta": D[0], "D_eta_half": D[1], "order": p, "ok": ok})
        curves.append((f"{opt}/{loss}", cur))
        if not measurable:
            notes.append(f"{opt}/{loss}: deviation from the flow at eta/2, {D[1]:.1e}, at the flow's own error floor "
                         f"(or the flow failed: {fl.info['message']}): the order cannot be measured")
        elif not ok:
            notes.append(f"{opt}/{loss} does not follow the gradient flow: max ||w - w_flow|| on tau >= tau_end^{LATE:g} is "
                         f"{D[0]:.3g} at eta and {D[1]:.3g} at eta/2, order {p:.2f} < {P_MIN} (a consistent first-order "
                         f"scheme: -> 1; a wrong gradient, point, step or clock: -> 0; a correct scheme can fall short "
                         f"only with a step far beyond the first-order regime)")
    return {"ok": ok_all, "rows": rows, "note": "; ".join(notes), "curves": curves}


def consistency_summary(res) -> str:
    worst = min(res["rows"], key=lambda r: r["order"])
    return (f"GD / heavy ball follow the gradient flow at first order (orders of max ||w - w_flow|| from eta to eta/2: "
            + ", ".join(f"{r['variant']} {r['order']:.2f}" for r in res["rows"])
            + f"; least {worst['order']:.2f} >= {P_MIN})")


def consistency_figure(res) -> Figure:
    """||w_h - w_flow|| against tau at h = eta and eta/2 (x2: on top of the eta curve when first order)."""
    series = []
    for name, ((t1, d1), (t2, d2)) in res["curves"]:
        series.append(Series(f"{name}, eta", thin(t1).tolist(), thin(np.maximum(d1, 1e-17)).tolist()))
        series.append(Series(f"{name}, eta/2 (x2)", thin(t2).tolist(), thin(np.maximum(2 * d2, 1e-17)).tolist()))
    return Figure("separable-gd-flow-consistency", "GD / heavy ball vs the gradient flow at matched flow time "
                  "(first order: the eta/2 curve x2 lies on the eta curve)", "flow time tau", "||w_GD - w_flow||",
                  tuple(series), "log", "log")
