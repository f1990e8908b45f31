"""The gradient-flow path to log(1/L) = 1e10: direction gap = C / log(1/L), known to ~1e-15.

Claim (Soudry et al. 2018, JMLR, Thm 3, for the exponential-loss flow, data in general position):
w(s) = w_hat s + rho(s), rho -> rho_inf exponentially fast in s = log(1/L), so with
x(s) = tan angle(w(s), w_hat) = ||P_perp rho|| / (||w_hat|| s + <rho, u>) the direction gap
||w/||w|| - u|| = 2 sin(atan(x)/2) is C/(s + b) + O(1/s^3) and x(s) = C/(s + b) up to exponentially
small terms.

The check (:func:`check_far_flow`). The flow is followed in the frame co-moving with w_hat
(:func:`models.separable.exp_loss_flow_comoving`, long-double right-hand side) to s_end = 1e10 and
cross-checked by the same integration at 10x looser tolerances. x(s) is measured against the statement's direction u (angles to ~1e-19
from the co-moving state, without forming w), C and b are fitted on s in [s_end^(1/3), s_end^(1/2)]
= [2.2e3, 1e5] (1/x^(1/k) linear in s; k = 1 is the theorem) and C/(s_end + b)^k is compared with the
measured x(s_end) ~ 5e-11. gap = |x(s_end) - C/(s_end + b)^k|, an angle. Its budget, measured on the
run and independent of the statement (computed against the certified w_hat): the ODE error (LSODA vs
the looser integration at s_end), the fit's own relative residual on its window carried to s_end, the remainder's
movement after the window, and the float64 round-off of the certified direction (its distance to the
long-double refinement the frame uses, + 8 ulp). When x is at that round-off on the whole fit window
(C = 0: w_tilde parallel to w_hat, e.g. symmetric support vectors with equal duals, as in Soudry et
al.'s Fig. 1) the law is x = 0 and the prediction is 0. A predicted limit moved by r shows as x(s_end) ~ r
against a prediction of ~5e-11 (refuted down to r ~ 1e-12); an order off by r misses by ~r log(1e5).
"""
from __future__ import annotations

import math
import time

import numpy as np

from solvers.certify.svm import hard_margin_svm
from solvers.svm import signed_data

from ...contract import Claim, Evidence, Figure, Mutant, Resolution, Series
from ...resolution import perturb_limit
from ...strategies.separable import separable_instances
from .common import (A_DISTINCT, A_GP, A_SEP, A_SHAPES, F_BASE, FAR_S_END, SOURCE, chord_and_tan, far_flow, frame_of,
                     normalize, svm_of, thin, unit, w0_of, weights_of)
from .gd import l1_max_margin_direction, svm_direction

FIT = (1 / 3, 1 / 2)  # the fit window [s_end^(1/3), s_end^(1/2)] in s = log(1/L)
EPS = np.finfo(float).eps


def _fit(s, x, k, window):
    """C, b of x = C/(s + b)^k by a linear fit of x^(-1/k) on the window; returns (coef, residual)."""
    A = np.vstack([s[window], np.ones(int(window.sum()))]).T
    coef = np.linalg.lstsq(A, x[window] ** (-1.0 / k), rcond=None)[0]
    base = coef[0] * s + coef[1]
    model = np.where(base > 0, np.abs(base) ** (-k), np.inf)
    resid = float(np.max(np.abs(x[window] - model[window]) / x[window]))
    return coef, model, resid


def check_far_flow(inst, stmt):
    Z = signed_data(inst["X"], inst["y"])
    f = frame_of(inst)
    t0 = time.perf_counter()
    run = far_flow(Z, w0_of(inst), weights_of(inst), f)
    chk = far_flow(Z, w0_of(inst), weights_of(inst), f, loose=True)
    t1 = time.perf_counter()
    w_lim, cert = stmt["limit"](inst)
    t2 = time.perf_counter()
    k = float(stmt["order"])
    s, R = run.t, run.info["r"]
    win = (s >= FAR_S_END ** FIT[0]) & (s <= FAR_S_END ** FIT[1])
    chord, x = chord_and_tan(R, s, f, unit(w_lim))
    coef, model, _ = _fit(s, x, k, win)
    pred = float(model[-1])
    gap = abs(float(x[-1]) - pred)
    # the budget, against the certified direction (statement-independent)
    w_hat = svm_of(inst)[0]
    fu = np.asarray(f, float) / np.linalg.norm(np.asarray(f, float))
    _, x_hat = chord_and_tan(R, s, f, fu)
    _, x_chk = chord_and_tan(chk.info["r"][-1:], chk.t[-1:], f, fu)
    roundoff = float(np.linalg.norm(unit(w_hat) - fu)) + 8 * EPS
    zero_c = bool(np.max(x_hat[win]) <= 100.0 * roundoff)
    if zero_c:
        # C = 0: w_tilde is parallel to w_hat (e.g. symmetric support vectors with equal duals), the direction
        # gap decays exponentially in s and is at round-off on the whole fit window; the law is x = 0
        pred, resid, model_hat = 0.0, 0.0, np.zeros_like(x_hat)
        gap = abs(float(x[-1]))
    else:
        _, model_hat, resid = _fit(s, x_hat, 1.0, win)
    hi = int(np.flatnonzero(win)[-1])
    dr = R[-1] - R[hi]
    budget = {
        "ODE error (LSODA at rtol 1e-11 vs 1e-10) at s_end": abs(float(x_hat[-1]) - float(x_chk[0])),
        "C/(s+b) fit residual on its window, carried to s_end": resid * float(model_hat[-1]),
        "remainder movement after the fit window": float(np.linalg.norm(dr - (dr @ fu) * fu)) / (float(s[-1]) * float(np.linalg.norm(f.astype(float)))),
        "float64 round-off of the certified direction": roundoff,
    }
    tol = float(sum(budget.values()))
    C = float(abs(coef[0]) ** (-k)) if coef[0] != 0 else math.inf
    fig = Figure(
        "separable-flow-far-loss", "Gradient flow to log(1/L) = 1e10: tan of the angle to the predicted direction",
        "s = log(1/L)   (s = 1e10 is L = 10^(-4.3e9))", "tan angle(w, u)",
        (Series("flow (co-moving frame, LSODA)", thin(s).tolist(), thin(np.maximum(x, 1e-300)).tolist()),
         Series(f"fit C/(s+b)^{k:g} on s in [{s[win][0]:.3g}, {s[win][-1]:.3g}]", thin(s).tolist(),
                thin(np.minimum(model, 1e300)).tolist())),
        xscale="log", yscale="log")
    return Evidence(
        gap=gap, tolerance=tol,
        tolerance_reason=(f"|x(s_end) - C/(s_end+b)^{k:g}|, x = tan angle(w, u), C, b fitted on s in [s_end^(1/3), s_end^(1/2)]; "
                          "budget: " + ", ".join(f"{n} {v:.1e}" for n, v in budget.items())),
        certificates=[cert],
        converged=bool(run.info["success"] and chk.info["success"] and s[-1] >= FAR_S_END * (1 - 1e-9)
                       and run.info["clock_drift"] < 1e-6),
        convergence_note=(f"reached log(1/L) = {s[-1]:.4g} (L = 10^-{s[-1] / math.log(10):.3g}); clock drift "
                          f"|s - log(1/L(w(s)))|/s = {run.info['clock_drift']:.1e}; {run.info['message']}"),
        timings={"dynamics": t1 - t0, "reference": t2 - t1},
        figures=[fig],
        details={"C_fit": C, "b_fit": float(coef[1] / coef[0]) if coef[0] else math.nan, "x_far": float(x[-1]),
                 "predicted_far": pred, "direction_gap_far": float(chord[-1]), "fit_residual": resid, "C_is_zero": zero_c,
                 "mu": svm_of(inst)[3], "nfev": run.info["nfev"]},
        reference={"w": w_lim},
        run_budget=budget,
    )


# a limit moved by r shows as x(s_end) ~ r against ~5e-11 predicted, and the budget is ~1e-15
FLOW_RESOLUTION = Resolution(1e-8, "relative perturbation of the predicted limit direction (w_hat) in a fixed random direction",
                             perturb_limit("limit"))

CLAIMS = (
    Claim(
        id="separable-flow-far-loss",
        title="The gradient-flow path to log(1/L) = 1e10: direction gap = C / log(1/L)",
        statement=("gradient flow on the exp loss, time-changed to s = log(1/L) (dw/ds = q/||q||^2, q = Z^T softmax(-Zw)), "
                   "data in general position: w/||w|| -> u = w_hat/||w_hat|| and tan angle(w(s), u) = C/(s + b) + o(1/s^k) "
                   "for every k, C, b fitted on s in [s_end^(1/3), s_end^(1/2)], checked at s_end = 1e10 (loss 10^(-4.3e9))"),
        source=SOURCE + "; the time change s = log(1/L): this suite's design",
        assumptions=(A_SHAPES, A_DISTINCT, A_SEP, A_GP),
        fields=F_BASE,
        strategy=lambda: separable_instances(),
        check=check_far_flow,
        params={"limit": svm_direction, "order": 1.0},
        mutants=(
            Mutant("order-2", "direction gap C/log^2(1/L)", {"order": 2.0}),
            Mutant("order-half", "direction gap C/sqrt(log(1/L))", {"order": 0.5}),
            Mutant("l1-max-margin", "limit direction argmin ||w||_1 s.t. margins >= 1", {"limit": l1_max_margin_direction}),
        ),
        kind="asymptotic",
        family="separable",
        examples={"quick": 6, "thorough": 40},
        resolution=FLOW_RESOLUTION,
        verify=hard_margin_svm,
        normalize=normalize,
    ),
)
