"""Limits of the depth-2 diagonal net's gradient flow (argmin Q_alpha; general starts) and its invariant.

Woodworth et al. 2020, Thm 1 (notes 004 "linear diagonal net", 003). From w+ = w- = alpha 1 the flow's
limit is argmin Q_alpha s.t. X beta = y; from a general start (w+0, w-0) it is argmin sum_j gamma_j
q(beta_j/gamma_j) - c_j beta_j, gamma = |w+0 w-0|, c = log|w+0/w-0| (beta = 2 gamma sinh(X^T nu + c)),
because d/dt (w+_j w-_j) = 0 along the flow (the invariant claim).

Limit checks run the flow (models.diag_net: LSODA on (w+, w-) with a residual event; at d > 200
its exact m-dimensional reduction) and the dual-Newton reference (solvers.q_alpha). The tolerance
is derived from the run, and every term measured on the run is in ``Evidence.run_budget`` (capped at
the declared resolution, 1e-8 relative):
* remaining motion: the end point beta_T is the argmin for its own right-hand side X beta_T as long
  as it lies on the flow's exact manifold, so ||beta_T - beta*|| <= 2 ||H X^T (X H X^T)^-1 r_T||
  (first order x 2, H the curvature of the dual at the reference);
* manifold defect: the ODE's drift e off that manifold {log(w+/w+0) = -log(w-/w-0) in row X},
  mapped to beta (d beta/d log w+- = +-2 w+-^2), times 1 + ||H X^T (X H X^T)^-1 X|| (the nearest
  manifold point leaves the residual r_T + X e for the rest of the path); zero by construction for
  the reduced flow;
* rounding of beta = w+^2 - w-^2: 2 u max(w+^2 + w-^2) sqrt(d);
plus the reference's own error bound. Every limit claim hands its reference to an independent
certificate (solvers.certify.diag_net: X beta = y and asinh(beta/(2 gamma)) - c in row X,
recomputed from X, y and the start).
"""
from __future__ import annotations

import time

import numpy as np

from models.diag_net import diag_net_gradient_flow, diag_net_gradient_flow_reduced, manifold_defect_beta
from solvers.certificate import Certificate
from solvers.certify.diag_net import q_interpolant
from solvers.min_norm import min_norm_interpolant
from solvers.q_alpha import interpolant_sensitivity, separable_interpolant_primal

from ...contract import Claim, Evidence, Figure, Mutant, Series
from ...memo import memo
from ...strategies.diag_net import diag_net_system
from .common import (A_ALPHA, A_START, A_SYS, COMMON, EPS, F_ALPHA, F_START, F_SYS, FLOOR_ULPS, REDUCED_ABOVE_D,
                     RES_INVARIANT, RES_LIMIT, RTOL, SRC, _lp, _q_general, _start)


# ---- predicted limits (statement parts a mutant can replace) ------------------------------------

def limit_q(X, y, inst):
    """The theorem: argmin sum gamma q(beta/gamma) - c beta (= Q_alpha at an alpha start).
    The independent primal route cross-checks the dual Newton answer up to d = 200."""
    wp, wm = _start(inst)
    beta, certs, info = _q_general(X, y, wp, wm, X.shape[1] <= REDUCED_ABOVE_D)
    return beta, certs, info["error_bound"]


@memo
def _separable(X, y, a2):
    return separable_interpolant_primal(
        X, y, lambda b: a2 * (1 - np.sqrt(1 + (b / a2) ** 2)) + b * np.arcsinh(b / a2),
        lambda b: np.arcsinh(b / a2), lambda b: 1.0 / np.sqrt(a2**2 + b * b))


def limit_q_sqrt1(X, y, inst):
    """Mutant: q(b) = 1 - sqrt(1 + b^2) + b asinh(b) (flattened formula: beta = alpha^2 sinh(X^T nu))."""
    a2 = float(np.mean(np.abs(_start(inst)[0] * _start(inst)[1])))
    beta, pg = _separable(X, y, a2)
    return beta, [Certificate("mutant primal route", {"projected_gradient": pg}, 1e-8)], 0.0


def limit_l1(X, y, inst):
    beta, cert = _lp(X, y, 1)
    return beta, [cert], cert.tolerance * float(np.linalg.norm(beta))


def limit_l2(X, y, inst):
    beta, cert = min_norm_interpolant(X, y, np.zeros(X.shape[1]))
    return beta, [cert], cert.tolerance * float(np.linalg.norm(beta))


def limit_q_no_shift(X, y, inst):
    """Mutant for general starts: forget c (use gamma only, as if w+0 = w-0 = sqrt(gamma))."""
    wp, wm = _start(inst)
    g = np.sqrt(np.abs(wp * wm))
    beta, certs, info = _q_general(X, y, g, g, False)
    return beta, certs, info["error_bound"]


def limit_q_mean_alpha(X, y, inst):
    """Mutant for general starts: a single alpha^2 = mean gamma (ignores the per-coordinate start)."""
    wp, wm = _start(inst)
    a = np.sqrt(np.mean(np.abs(wp * wm)))
    beta, certs, info = _q_general(X, y, np.full(wp.size, a), np.full(wp.size, a), False)
    return beta, certs, info["error_bound"]


# ---- the limit check --------------------------------------------------------------------------

@memo
def run_flow(inst, rtol=RTOL):
    """The gradient flow from the instance's start to ||X beta - y|| <= max(1e-12 ||y||, round-off
    floor FLOOR_ULPS x EPS max(w+^2 + w-^2) ||X|| sqrt(d)); the reduced flow at d > 200 (its path accuracy does not move the end point, which is on
    the exact manifold by construction and stopped by the residual event, so it runs at rtol 1e-8)."""
    X, y = inst["X"], inst["y"]
    wp, wm = _start(inst)
    if X.shape[1] > REDUCED_ABOVE_D:
        target = 1e-12 * float(np.linalg.norm(y))
        return diag_net_gradient_flow_reduced(X, y, wp, wm, residual_target=target, rtol=max(rtol, 1e-8))
    floor = FLOOR_ULPS * EPS * float(np.max(wp**2 + wm**2)) * float(np.linalg.norm(X, 2)) * np.sqrt(X.shape[1])
    target = max(1e-12 * float(np.linalg.norm(y)), floor)
    return diag_net_gradient_flow(X, y, wp, wm, residual_target=target, rtol=rtol)


def flow_error_terms(inst, run, curvature) -> dict[str, float]:
    """The run's own error budget, absolute in beta (module docstring)."""
    X, y = inst["X"], inst["y"]
    wp0, wm0 = _start(inst)
    sens = 2.0 * interpolant_sensitivity(X, curvature, X @ run.beta - y)
    defect = 0.0
    if not run.info.get("reduced"):
        # a defect e moves the end point by e and leaves the residual r_T + X e to the rest of the path
        P = (curvature[:, None] * X.T) @ np.linalg.solve((X * curvature) @ X.T, X)
        defect = (1.0 + float(np.linalg.norm(P, 2))) * float(np.linalg.norm(manifold_defect_beta(X, run, wp0, wm0)))
    rounding = 0.0 if run.info.get("reduced") else 2.0 * EPS * float(np.max(run.w_plus**2 + run.w_minus**2)) * np.sqrt(X.shape[1])
    return {"remaining motion (2 x sensitivity x final residual)": sens, "manifold defect x (1 + ||H X^T (X H X^T)^-1 X||)": defect,
            "rounding of w+^2 - w-^2": rounding}


def check_limit(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    t0 = time.perf_counter()
    run = run_flow(inst)
    t1 = time.perf_counter()
    beta_ref, certs, ref_err = stmt["limit"](X, y, inst)
    # the theorem's argmin (for the sensitivity bound, whatever the statement predicts)
    wp, wm = _start(inst)
    _, _, info = _q_general(X, y, wp, wm, False)
    t2 = time.perf_counter()
    beta = run.beta
    scale_ = max(float(np.linalg.norm(beta_ref)), 1e-300)
    gap = float(np.linalg.norm(beta - beta_ref)) / scale_
    terms = flow_error_terms(inst, run, info["curvature"])
    budget = {k: v / scale_ for k, v in terms.items()}
    tol = sum(budget.values()) + ref_err / scale_
    reason = ("(" + " + ".join(f"{k} {v:.1e}" for k, v in terms.items()) + f" + reference bound {ref_err:.1e}) / ||beta*||"
              f"; {'reduced flow' if run.info.get('reduced') else 'LSODA'} steps {run.steps}, rtol {run.info['rtol']:.0e}")
    dist = [max(float(np.linalg.norm(b - beta_ref)) / scale_, 1e-17) for b in run.history_beta]
    ts = [max(t, 1e-6) for t in run.history_t]
    lbl = f"alpha={inst['alpha']:.3g}" if "alpha" in inst else "general start"
    fig = Figure("diag-net-flow-gap", "Diagonal net: gradient flow vs predicted limit", "time t",
                 "||beta(t) - beta*|| / ||beta*||", (Series(lbl, ts, dist),), "log", "log")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=list(certs), converged=run.converged,
        convergence_note=f"residual {run.residual:.1e} at t = {run.t:.3g} ({run.info.get('message', '')})",
        timings={"flow": t1 - t0, "reference": t2 - t1}, figures=[fig],
        details={"steps": run.steps, "t_end": run.t, "residual": run.residual, "m": X.shape[0], "d": X.shape[1],
                 "newton_iterations": info["newton_iterations"], "reduced_flow": bool(run.info.get("reduced"))},
        reference={"beta": beta_ref}, run_budget=budget,
    )


# ---- invariant ---------------------------------------------------------------------------------

def invariant_product(wp, wm, exponent=1.0):
    """w+ o w-^p (sign kept): conserved for p = 1."""
    return wp * np.sign(wm) * np.abs(wm) ** exponent


def invariant_sum_squares(wp, wm, exponent=1.0):
    """Mutant: w+^2 + w-^2 (not conserved)."""
    return wp * wp + wm * wm


def check_invariant(inst, stmt) -> Evidence:
    wp0, wm0 = _start(inst)
    t0 = time.perf_counter()
    run = run_flow(inst)
    t1 = time.perf_counter()
    f, p = stmt["invariant"], float(stmt.get("exponent", 1.0))
    I0 = f(wp0, wm0, p)
    drift = max(float(np.max(np.abs(f(a, b, p) - I0) / np.abs(I0))) for a, b in run.history_w)
    ode = 8.0 * np.sqrt(run.steps + 1.0) * RTOL
    moved = max(float(np.max(np.abs(np.log(np.abs(b / wm0))))) for _, b in run.history_w)
    return Evidence(gap=drift, tolerance=ode, converged=run.converged,
                    tolerance_reason="4 sqrt(steps) x (relative local error 2 rtol of a product of two components); rtol 1e-12",
                    convergence_note=f"residual {run.residual:.1e}", timings={"flow": t1 - t0},
                    details={"steps": run.steps, "max_relative_drift": drift, "max_abs_log_change_w_minus": moved},
                    run_budget={"integration error budget": ode})


# ---- claims ------------------------------------------------------------------------------------

Q_STATEMENT = ("gradient flow on sum_i(<w+^2 - w-^2, x_i> - y_i)^2 from alpha 1: beta(inf) = argmin Q_alpha s.t. "
               "X beta = y, Q_alpha = alpha^2 sum q(beta/alpha^2), q(b) = 2 - sqrt(4+b^2) + b asinh(b/2)")


def _claims():
    return (
        Claim("diag-net-q-alpha", "Diagonal net gradient flow lands on argmin Q_alpha", Q_STATEMENT, SRC,
              A_SYS + (A_ALPHA,), F_SYS + (F_ALPHA,), lambda: diag_net_system(), check_limit, {"limit": limit_q},
              (Mutant("q-sqrt-1-plus-b2", "q(b) = 1 - sqrt(1+b^2) + b asinh(b) (beta = alpha^2 sinh, constant 1 not 2)",
                      {"limit": limit_q_sqrt1}),
               Mutant("l1-interpolant", "the min-l1 interpolant in place of argmin Q_alpha", {"limit": limit_l1}),
               Mutant("l2-interpolant", "the min-l2 interpolant in place of argmin Q_alpha", {"limit": limit_l2})),
              kind="limit", examples={"quick": 6, "thorough": 40}, mutant_instances=4,
              resolution=RES_LIMIT, verify=q_interpolant, **COMMON),
        Claim("diag-net-general-start", "General starts: the limit is argmin sum gamma q(beta/gamma) - c beta",
              "from (w+0, w-0): beta(inf) = argmin sum_j gamma_j q(beta_j/gamma_j) - c_j beta_j s.t. X beta = y, "
              "gamma = |w+0 w-0|, c = log|w+0/w-0| (beta = 2 gamma sinh(X^T nu + c))", SRC,
              A_SYS + (A_START,), F_SYS + F_START,
              lambda: diag_net_system(general_start=True), check_limit, {"limit": limit_q},
              (Mutant("forgets-shift-c", "drop c (start w+0 = w-0 = sqrt(gamma))", {"limit": limit_q_no_shift}),
               Mutant("single-alpha", "one alpha^2 = mean gamma for every coordinate", {"limit": limit_q_mean_alpha})),
              kind="limit", examples={"quick": 5, "thorough": 30}, mutant_instances=3,
              resolution=RES_LIMIT, verify=q_interpolant, **COMMON),
        Claim("diag-net-invariant", "w+ o w- is invariant along the flow",
              "d/dt (w+_j w-_j) = 0 along gradient flow (so gamma = |w+0 w-0| is kept)", SRC,
              A_SYS + (A_START,), F_SYS + F_START,
              lambda: diag_net_system(general_start=True), check_invariant, {"invariant": invariant_product, "exponent": 1.0},
              (Mutant("sum-of-squares", "w+^2 + w-^2 invariant instead", {"invariant": invariant_sum_squares}),),
              kind="identity", examples={"quick": 4, "thorough": 30}, mutant_instances=2, resolution=RES_INVARIANT, **COMMON),
    )
