"""Asymptotics of the depth-2 diagonal net: alpha -> inf (the kernel regime) and GD's O(eta) miss.

Woodworth et al. 2020, Thm 1 and the kernel regime (notes 004 "linear diagonal net"; catalogue entry 4).
Large alpha: q(b) = b^2/4 + O(b^4), so alpha^2 Q_alpha(beta) = ||beta||_2^2 / 4 (1 + O(alpha^-4)) and the
flow limit beta_alpha = argmin Q_alpha tends to the min-l2 interpolant beta_l2 with
beta_alpha - beta_l2 = alpha^-4 d1 + alpha^-8 d2 + ...: order -4, next term relatively alpha^-4.
Discrete GD with step eta: a step multiplies w+_j and w-_j by 1 -+ 4 eta g_j (g = X^T r), so w+_j w-_j
by 1 - 16 eta^2 g_j^2; over the O(1/eta) steps of the run the invariant of the flow breaks by O(eta)
and GD lands at c1 eta + c2 eta^2 + ... from argmin Q_alpha: order 1 (only the flow is exact).

Both claims fit the order by Richardson extrapolation of the local log-log slopes
(:func:`.common.richardson_order`); the tolerance is the measured correction (the size of the
next-order term) + the runs' own error as a slope error + the stated margin ORDER_MARGIN, and the
measured parts are the run budget.

GD's ladder (eta = 0.2, 0.1, 0.05, 0.025 x the step bound at the start) is extended one halving at a time,
at most 3, while that budget exceeds half the resolution (1e-2). The step bound is taken at the start, so
where the weights grow along the run the ladder's etas are large against the curvature at the limit and the
eta^2 term is still big there: the thorough profile drew two points in R^5 (alpha 0.459, X's singular values
1 and 0.111, y 1.41 along the weak one) with ||beta*|| = 13.4 and max w+^2 + w-^2 going 0.42 -> 10.8 (25.8x);
local slopes 0.874, 0.941, 0.972, 0.986, 0.993 (1 - s halving per halving), correction 3.0e-2 on the base
ladder (over the cap 2e-2, inconclusive) -> 1.4e-2 -> 7.0e-3 after 2 halvings (eta down to 0.00625 x bound,
8.3e4 steps; ~1.8 s), order 1.0001. Typical instances stop on the base ladder (correction <= 3e-3).
"""
from __future__ import annotations

import numpy as np

from models.diag_net import diag_net_gradient_descent, gd_step_bound
from solvers.certify.diag_net import min_l2_interpolant, q_interpolant
from solvers.min_norm import min_norm_interpolant
from solvers.q_alpha import argmin_q_alpha, interpolant_sensitivity

from ...contract import Claim, Evidence, Figure, Mutant, Series
from ...memo import memo
from ...strategies.diag_net import diag_net_system
from .common import (A_ALPHA, A_SYS, COMMON, F_ALPHA, F_SYS, ORDER_MARGIN, RES_ORDER, SRC, _lp, _q_general, _start,
                     richardson_order)
from .limits import flow_error_terms, run_flow


# ---- asymptotics in alpha ----------------------------------------------------------------------

LARGE_ALPHAS = 4.0 * np.sqrt(2.0) ** np.arange(5)  # 4 ... 16: the alpha^-8 term biases the slope by < 0.01


@memo
def _large_alpha_runs(X, y):
    l2, cert = min_norm_interpolant(X, y, np.zeros(X.shape[1]))
    out = []
    for a in LARGE_ALPHAS:
        inst = {"X": X, "y": y, "alpha": float(a)}
        run = run_flow(inst)
        _, _, info = _q_general(X, y, *_start(inst), False)
        out.append((run, sum(flow_error_terms(inst, run, info["curvature"]).values())))
    return l2, cert, out


@memo
def _q_alpha_path(X, y):
    l1, _ = _lp(X, y, 1)
    grid = np.logspace(-3, 1, 25)
    return l1, grid, [argmin_q_alpha(X, y, float(a), cross_check=False)[0] for a in grid]


def check_large_alpha(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    l2, cert, runs = _large_alpha_runs(X, y)
    n2 = float(np.linalg.norm(l2))
    dists = np.array([float(np.linalg.norm(r.beta - l2)) / n2 for r, _ in runs])
    conv = all(r.converged for r, _ in runs)
    rel = [e / n2 / max(dd, 1e-300) for (_, e), dd in zip(runs, dists)]
    # beta_alpha - beta_l2 = alpha^-4 d1 + alpha^-8 d2 + ...: relative next term alpha^-4, q = sqrt(2)^4 = 4
    order, corr, ferr, local, slope = richardson_order(LARGE_ALPHAS, dists, 4.0, rel, at="end")
    gap = abs(order - stmt["order"])
    shrinks = bool(np.all(np.diff(dists) < 0))
    budget = {"Richardson correction (next-order term)": corr, "flow error as slope error": ferr}
    tol = sum(budget.values()) + ORDER_MARGIN
    # the whole path, from the certified reference argmin Q_alpha (dual Newton): l1 at small alpha, l2 at large
    l1, grid, path = _q_alpha_path(X, y)
    to_l1 = [float(np.linalg.norm(b - l1)) / float(np.linalg.norm(l1)) for b in path]
    to_l2 = [float(np.linalg.norm(b - l2)) / n2 for b in path]
    fig = Figure("diag-net-q-alpha-path", "Diagonal net: argmin Q_alpha moves from min-l1 (small alpha) to min-l2 (large alpha)",
                 "alpha", "relative distance",
                 (Series("argmin Q_alpha to min-l1", grid.tolist(), [max(v, 1e-17) for v in to_l1]),
                  Series("argmin Q_alpha to min-l2", grid.tolist(), [max(v, 1e-17) for v in to_l2]),
                  Series("gradient flow limit to min-l2", LARGE_ALPHAS.tolist(), dists.tolist(), "scatter")),
                 "log", "log")
    return Evidence(gap=gap if shrinks else np.inf, tolerance=tol,
                    tolerance_reason=(f"order = Richardson extrapolation (4 s_last - s_prev)/3 of the local slopes over alpha = "
                                      f"4..16 (ratio sqrt 2; next term relatively alpha^-4); tol = |correction| {corr:.1e} + flow "
                                      f"error {ferr:.1e} + margin {ORDER_MARGIN}"),
                    certificates=[cert], converged=conv, figures=[fig],
                    details={"extrapolated_order": order, "fitted_order": slope, "local_slopes": local.tolist(),
                             "distances": dists.tolist(), "shrinks": shrinks},
                    reference={"beta": l2}, run_budget=budget)


# ---- GD misses by O(eta) -----------------------------------------------------------------------

GD_FRACTIONS = np.array([0.2, 0.1, 0.05, 0.025])
# the ladder is extended one halving at a time (the Richardson correction is O(eta): it halves per
# halving; the stop error as a slope error ~ 1/miss ~ 1/eta doubles but is ~1e-6) while the run budget
# exceeds half the resolution: an order off by r = RES_ORDER (0.02) then has gap >= r - (second-order
# error, ~correction^2) > budget + ORDER_MARGIN and is refuted wherever the run is conclusive. At most
# 3 halvings (down to 0.2 / 64 x bound, ~1.7e5 steps): below that the 1e-24 loss target sits at the
# float64 floor and is not reached within max_steps (the probe at 0.2 / 128 stopped at 2e6 steps).
GD_EXTRA_HALVINGS = 3
GD_BUDGET_TARGET = RES_ORDER.budget_cap / 2


@memo
def _gd_run(X, y, wp, wm, fraction):
    base = gd_step_bound(X, wp, wm)
    # stop at relative residual 1e-12 (loss 1e-24 ||y||^2): the miss measured is Theta(eta) ~ 1e-4, and
    # the float64 floor of the loss is ~1e-26 ||y||^2 (a tighter target is never reached at small eta)
    target = 1e-24 * max(float(y @ y), 1e-300)
    return diag_net_gradient_descent(X, y, wp, wm, float(fraction) * base, loss_target=target)


def _gd_fit(X, y, wp, wm, beta_star, curvature, fractions):
    """Richardson order from the three smallest steps of the ladder, and its run budget."""
    base = gd_step_bound(X, wp, wm)
    runs = [_gd_run(X, y, wp, wm, float(fr)) for fr in fractions]
    nb = float(np.linalg.norm(beta_star))
    gaps = np.array([float(np.linalg.norm(r.beta - beta_star)) / nb for r in runs])
    etas = fractions * base
    local = np.diff(np.log(gaps)) / np.diff(np.log(etas))
    # the miss is c1 eta + c2 eta^2 + ...: local slopes are 1 + O(eta), so the two smallest extrapolate
    # (Richardson) to the order with an O(eta^2) error; the correction itself is the measured term
    order = 2.0 * local[-1] - local[-2]
    correction = abs(local[-1] - local[-2])
    stop = [2.0 * interpolant_sensitivity(X, curvature, X @ r.beta - y) / nb / g for r, g in zip(runs, gaps)]
    stop_slope = 2.0 * (stop[-1] + stop[-2]) / np.log(2.0) + (stop[-2] + stop[-3]) / np.log(2.0)
    budget = {"Richardson correction": correction, "stop error as slope error": float(stop_slope)}
    return runs, gaps, etas, local, order, budget


def check_gd_eta(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    wp, wm = _start(inst)
    beta_star, certs, info = _q_general(X, y, wp, wm, True)
    fractions = GD_FRACTIONS
    for k in range(GD_EXTRA_HALVINGS + 1):
        if k:
            fractions = np.append(fractions, fractions[-1] / 2.0)
        runs, gaps, etas, local, order, budget = _gd_fit(X, y, wp, wm, beta_star, info["curvature"], fractions)
        if sum(budget.values()) <= GD_BUDGET_TARGET:
            break
    correction, stop_slope = budget["Richardson correction"], budget["stop error as slope error"]
    conv = all(r.converged for r in runs)
    notes = [f"GD at eta = {fr:g} x bound stopped at loss {r.info['loss']:.1e} after {r.steps} steps"
             for fr, r in zip(fractions, runs) if not r.converged]
    gap = abs(order - stmt["order"])
    tol = sum(budget.values()) + ORDER_MARGIN
    fig = Figure("diag-net-gd-eta", "Diagonal net: discrete GD limit vs argmin Q_alpha", "step size eta",
                 "||beta_GD - beta*|| / ||beta*||",
                 (Series(f"alpha={inst['alpha']:.2g}", etas.tolist(), gaps.tolist(), "scatter"),), "log", "log")
    return Evidence(gap=gap, tolerance=tol,
                    tolerance_reason=(f"order = Richardson extrapolation 2 s(eta/2, eta) - s(eta, 2 eta) of the local slopes at "
                                      f"eta = {np.array2string(fractions[-3:])} x 1/smoothness (ladder halved "
                                      f"{len(fractions) - len(GD_FRACTIONS)} times beyond {GD_FRACTIONS[-1]} until the budget is "
                                      f"<= {GD_BUDGET_TARGET}); tol = |correction| {correction:.1e} + stop error "
                                      f"{stop_slope:.1e} + margin {ORDER_MARGIN}"),
                    certificates=list(certs), converged=conv, convergence_note="; ".join(notes), figures=[fig],
                    details={"extrapolated_order": order, "local_slopes": local.tolist(), "gaps": gaps.tolist(),
                             "fractions": fractions.tolist(),
                             "invariant_break": [float(np.max(np.abs(r.w_plus * r.w_minus - wp * wm) / np.abs(wp * wm)))
                                                 for r in runs]},
                    reference={"beta": beta_star}, run_budget=budget)


# ---- claims ------------------------------------------------------------------------------------

def _claims():
    return (
        Claim("diag-net-large-alpha-l2", "alpha -> inf: the flow limit -> min-l2 interpolant at order alpha^-4",
              "||beta_alpha(inf) - argmin_{X beta = y} ||beta||_2|| = Theta(alpha^-4) as alpha -> inf (kernel regime)", SRC,
              A_SYS, F_SYS, lambda: diag_net_system(m_max=4, extra_max=8, fixed_alpha=1.0), check_large_alpha,
              {"order": -4.0}, (Mutant("order-2", "order alpha^-2", {"order": -2.0}),),
              kind="asymptotic", examples={"quick": 3, "thorough": 15}, mutant_instances=2,
              resolution=RES_ORDER, verify=min_l2_interpolant, **COMMON),
        Claim("diag-net-gd-misses-by-eta", "Discrete GD misses argmin Q_alpha by Theta(eta)",
              "GD with step eta on w lands at distance Theta(eta) from argmin Q_alpha (only the flow is exact)", SRC,
              A_SYS + (A_ALPHA,), F_SYS + (F_ALPHA,), lambda: diag_net_system(m_max=4, extra_max=6, alpha_lo=0.3, alpha_hi=1.0),
              check_gd_eta, {"order": 1.0},
              (Mutant("exact", "GD lands exactly (order 0 => no eta dependence... fitted order 0)", {"order": 0.0}),
               Mutant("order-2", "GD misses by O(eta^2)", {"order": 2.0})),
              kind="asymptotic", examples={"quick": 3, "thorough": 15}, mutant_instances=2,
              resolution=RES_ORDER, verify=q_interpolant, **COMMON),
    )
