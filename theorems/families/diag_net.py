"""Depth-2 diagonal linear networks: the Q_alpha implicit bias and the quartic R_alpha.

Woodworth, Gunasekar, Lee, Moroshko, Savarese, Golan, Soudry, Srebro 2020, "Kernel and rich
regimes in overparametrized models", Thm 1 and sec. 4 (notes 004 "linear diagonal net", 003).
beta = w+^2 - w-^2, gradient flow on L = sum_i (<beta, x_i> - y_i)^2 from w+ = w- = alpha 1:
beta(inf) = argmin Q_alpha(beta) s.t. X beta = y, Q_alpha = alpha^2 sum q(beta/alpha^2),
q(b) = 2 - sqrt(4 + b^2) + b asinh(b/2). Catalogue entries 4 and 5 (../shared/CLAIMS.md).

Limit checks run the flow (models.diag_net, LSODA + residual event) and the dual-Newton reference
(solvers.q_alpha, cross-checked by an independent primal route). Tolerance of a limit check:
the flow's final beta_T is (up to integration error) the argmin for its own right-hand side X beta_T,
so ||beta_T - beta*|| <= 2 ||H X^T (X H X^T)^{-1} r_T|| (first order x 2 for the second-order term,
H = curvature of the dual at the reference), plus an ODE error budget 2 sqrt(steps) rtol max|w|^2
sqrt(d) (local errors <= rtol |w| per step, random-walk accumulation, beta = w+^2 - w-^2), plus the
reference's own error bound; everything relative to ||beta*||.
"""
from __future__ import annotations

CATALOGUE_ENTRY = 4  # position in ../shared/CLAIMS.md: orders claims in lists and reports

import time

import numpy as np

from models.diag_net import (diag_net_gradient_descent, diag_net_gradient_flow, gd_step_bound,
                             tangent_kernel)
from solvers.certificate import Certificate
from solvers.min_norm import min_lp_distance_interpolant, min_norm_interpolant
from solvers.q_alpha import argmin_q_alpha, argmin_q_general, separable_interpolant_primal
from solvers.r_alpha import (R_alpha, r_certificate, argmin_r_alpha, quartic_largest_root, quartic_smallest_root, r_constrained_min,
                             r_param)

from ..contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Series, Verdict
from ..fitting import loglog_slope
from ..registry import register
from ..strategies.diag_net import diag_net_system, r_values

EPS = np.finfo(float).eps
SRC = "Woodworth et al. 2020, Thm 1 (notes 004 'linear diagonal net', 003); catalogue entry 4"
SRC_R = "Woodworth et al. 2020, sec. 4 (notes 004 'Is implicit bias of GD just l2 in param space?'); catalogue entry 5"
RTOL = 1e-12


# ---- starts and predicted limits (statement parts a mutant can replace) ------------------------

def _start(inst):
    if "w_plus0" in inst:
        return np.asarray(inst["w_plus0"], float), np.asarray(inst["w_minus0"], float)
    d = inst["X"].shape[1]
    a = float(inst["alpha"])
    return np.full(d, a), np.full(d, a)


def limit_q(X, y, inst):
    """The theorem: argmin sum gamma q(beta/gamma) - c beta (= Q_alpha at an alpha start)."""
    wp, wm = _start(inst)
    beta, certs, info = argmin_q_general(X, y, wp, wm)
    return beta, certs, info["error_bound"]


def limit_q_sqrt1(X, y, inst):
    """Mutant: q(b) = 1 - sqrt(1 + b^2) + b asinh(b) (flattened formula: beta = alpha^2 sinh(X^T nu))."""
    a2 = float(np.mean(np.abs(_start(inst)[0] * _start(inst)[1])))
    beta, pg = separable_interpolant_primal(
        X, y, lambda b: a2 * (1 - np.sqrt(1 + (b / a2) ** 2)) + b * np.arcsinh(b / a2),
        lambda b: np.arcsinh(b / a2), lambda b: 1.0 / np.sqrt(a2**2 + b * b))
    return beta, [Certificate("mutant primal route", {"projected_gradient": pg}, 1e-8)], 0.0


def limit_l1(X, y, inst):
    beta, cert = min_lp_distance_interpolant(X, y, np.zeros(X.shape[1]), 1)
    return beta, [cert], cert.tolerance * float(np.linalg.norm(beta))


def limit_l2(X, y, inst):
    beta, cert = min_norm_interpolant(X, y, np.zeros(X.shape[1]))
    return beta, [cert], cert.tolerance * float(np.linalg.norm(beta))


def limit_r(X, y, inst):
    """argmin R_alpha s.t. X beta = y (explicit l2 in parameter space)."""
    beta, cert = argmin_r_alpha(X, y, float(inst["alpha"]))
    return beta, [cert], 1e-8 * float(np.linalg.norm(beta))


def limit_q_no_shift(X, y, inst):
    """Mutant for general starts: forget c (use gamma only, as if w+0 = w-0 = sqrt(gamma))."""
    wp, wm = _start(inst)
    g = np.sqrt(np.abs(wp * wm))
    beta, certs, info = argmin_q_general(X, y, g, g, cross_check=False)
    return beta, certs, info["error_bound"]


def limit_q_mean_alpha(X, y, inst):
    """Mutant for general starts: a single alpha^2 = mean gamma (ignores the per-coordinate start)."""
    wp, wm = _start(inst)
    a = np.sqrt(np.mean(np.abs(wp * wm)))
    beta, certs, info = argmin_q_general(X, y, np.full(wp.size, a), np.full(wp.size, a), cross_check=False)
    return beta, certs, info["error_bound"]


# ---- the limit check --------------------------------------------------------------------------

def run_flow(inst, rtol=RTOL):
    X, y = inst["X"], inst["y"]
    wp, wm = _start(inst)
    floor = 64 * EPS * float(np.max(wp**2 + wm**2)) * float(np.linalg.norm(X, 2)) * np.sqrt(X.shape[1])
    target = max(1e-12 * float(np.linalg.norm(y)), floor)
    return diag_net_gradient_flow(X, y, wp, wm, residual_target=target, rtol=rtol)


def check_limit(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    t0 = time.perf_counter()
    run = run_flow(inst)
    t1 = time.perf_counter()
    beta_ref, certs, ref_err = stmt["limit"](X, y, inst)
    # the theorem's argmin (for the sensitivity bound, whatever the statement predicts)
    wp, wm = _start(inst)
    _, _, info = argmin_q_general(X, y, wp, wm, cross_check=False)
    t2 = time.perf_counter()
    beta = run.beta
    scale = max(float(np.linalg.norm(beta_ref)), 1e-300)
    gap = float(np.linalg.norm(beta - beta_ref)) / scale
    from solvers.q_alpha import interpolant_sensitivity
    sens = 2.0 * interpolant_sensitivity(X, info["curvature"], X @ beta - y)
    ode = 2.0 * np.sqrt(run.steps + 1.0) * RTOL * run.max_weight_sq * np.sqrt(X.shape[1])
    tol = (sens + ode + ref_err) / scale
    reason = (f"(2 x sensitivity x final residual {sens:.1e} + ODE budget 2 sqrt(steps) rtol max|w|^2 sqrt(d) "
              f"{ode:.1e} + reference bound {ref_err:.1e}) / ||beta*||; steps {run.steps}, rtol {RTOL:.0e}")
    dist = [max(float(np.linalg.norm(b - beta_ref)) / scale, 1e-17) for b in run.history_beta]
    ts = [max(t, 1e-6) for t in run.history_t]
    lbl = f"alpha={inst['alpha']:.3g}" if "alpha" in inst else "general start"
    fig = Figure("diag-net-flow-gap", "Diagonal net: gradient flow vs predicted limit", "time t",
                 "||beta(t) - beta*|| / ||beta*||", (Series(lbl, ts, dist),), "log", "log")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=certs, converged=run.converged,
        convergence_note=f"residual {run.residual:.1e} at t = {run.t:.3g} ({run.info.get('message', '')})",
        timings={"flow": t1 - t0, "reference": t2 - t1}, figures=[fig],
        details={"steps": run.steps, "t_end": run.t, "residual": run.residual, "m": X.shape[0], "d": X.shape[1],
                 "newton_iterations": info["newton_iterations"]},
    )


# ---- invariant ---------------------------------------------------------------------------------

def invariant_product(wp, wm):
    return wp * wm


def invariant_sum_squares(wp, wm):
    """Mutant: w+^2 + w-^2 (not conserved)."""
    return wp * wp + wm * wm


def check_invariant(inst, stmt) -> Evidence:
    wp0, wm0 = _start(inst)
    t0 = time.perf_counter()
    run = run_flow(inst)
    t1 = time.perf_counter()
    f = stmt["invariant"]
    I0 = f(wp0, wm0)
    # recover the weights' drift from the stored products via the final state and the history
    hist = run.history_product if f is invariant_product else None
    if hist is None:
        vals = [f(run.w_plus, run.w_minus)]
    else:
        vals = hist
    drift = max(float(np.max(np.abs(v - I0) / np.abs(I0))) for v in vals)
    tol = 4.0 * np.sqrt(run.steps + 1.0) * RTOL * 2.0
    reason = "4 sqrt(steps) x (relative local error 2 rtol of a product of two components); rtol 1e-12"
    return Evidence(gap=drift, tolerance=tol, tolerance_reason=reason, converged=run.converged,
                    convergence_note=f"residual {run.residual:.1e}", timings={"flow": t1 - t0},
                    details={"steps": run.steps, "max_relative_drift": drift})


# ---- asymptotics in alpha ----------------------------------------------------------------------

def _fit(x, y):
    f = loglog_slope(x, y)
    return f.slope, f.se


def check_large_alpha(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    alphas = np.array([2.0, 2.8, 4.0, 5.6, 8.0])
    l2, cert = min_norm_interpolant(X, y, np.zeros(X.shape[1]))
    n2 = float(np.linalg.norm(l2))
    dists, conv = [], True
    for a in alphas:
        run = run_flow({"X": X, "y": y, "alpha": float(a)})
        conv &= run.converged
        dists.append(float(np.linalg.norm(run.beta - l2)) / n2)
    slope, se = _fit(alphas, dists)
    gap = abs(slope - stmt["order"])
    tol = 3.0 * se + 0.25
    shrinks = all(dists[k + 1] < dists[k] for k in range(len(dists) - 1))
    # the whole path, from the certified reference argmin Q_alpha (dual Newton): l1 at small alpha, l2 at large
    l1, _ = min_lp_distance_interpolant(X, y, np.zeros(X.shape[1]), 1)
    grid = np.logspace(-3, 1, 25)
    path = [argmin_q_alpha(X, y, float(a), cross_check=False)[0] for a in grid]
    to_l1 = [float(np.linalg.norm(b - l1)) / float(np.linalg.norm(l1)) for b in path]
    to_l2 = [float(np.linalg.norm(b - l2)) / n2 for b in path]
    fig = Figure("diag-net-q-alpha-path", "Diagonal net: argmin Q_alpha moves from min-l1 (small alpha) to min-l2 (large alpha)",
                 "alpha", "relative distance",
                 (Series("argmin Q_alpha to min-l1", grid.tolist(), [max(v, 1e-17) for v in to_l1]),
                  Series("argmin Q_alpha to min-l2", grid.tolist(), [max(v, 1e-17) for v in to_l2]),
                  Series("gradient flow limit to min-l2", alphas.tolist(), dists, "scatter")),
                 "log", "log")
    return Evidence(gap=gap if shrinks else np.inf, tolerance=tol,
                    tolerance_reason="3 x standard error of the log-log slope + 0.25 (the next term, alpha^-8, "
                                     "biases the slope at alpha >= 2 by < 0.25)",
                    certificates=[cert], converged=conv, figures=[fig],
                    details={"fitted_order": slope, "se": se, "distances": dists, "shrinks": shrinks})


# ---- GD misses by O(eta) -----------------------------------------------------------------------

def check_gd_eta(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    wp, wm = _start(inst)
    beta_star, certs, info = argmin_q_general(X, y, wp, wm)
    base = gd_step_bound(X, wp, wm)
    fracs = np.array([0.4, 0.2, 0.1, 0.05])
    gaps, conv, inv, notes = [], True, [], []
    # stop at relative residual 1e-12 (loss 1e-24 ||y||^2): the miss measured is Theta(eta) ~ 1e-4, and
    # the float64 floor of the loss is ~1e-26 ||y||^2 (a tighter target is never reached at small eta)
    target = 1e-24 * max(float(y @ y), 1e-300)
    for fr in fracs:
        run = diag_net_gradient_descent(X, y, wp, wm, fr * base, loss_target=target)
        conv &= run.converged
        if not run.converged:
            notes.append(f"GD at eta = {fr} x bound stopped at loss {run.info['loss']:.1e} > {target:.1e} after {run.steps} steps")
        gaps.append(float(np.linalg.norm(run.beta - beta_star)) / float(np.linalg.norm(beta_star)))
        inv.append(float(np.max(np.abs(run.w_plus * run.w_minus - wp * wm) / np.abs(wp * wm))))
    slope, se = _fit(fracs * base, gaps)
    gap = abs(slope - stmt["order"])
    fig = Figure("diag-net-gd-eta", "Diagonal net: discrete GD limit vs argmin Q_alpha", "step size eta",
                 "||beta_GD - beta*|| / ||beta*||", (Series(f"alpha={inst['alpha']:.2g}", (fracs * base).tolist(), gaps,
                                                        "scatter"),), "log", "log")
    return Evidence(gap=gap, tolerance=3.0 * se + 0.15,
                    tolerance_reason="3 x standard error of the log-log slope + 0.15 (O(eta^2) term at eta <= 0.4 "
                                     "of the stability bound)",
                    certificates=certs, converged=conv, convergence_note="; ".join(notes), figures=[fig],
                    details={"fitted_order": slope, "se": se, "gaps": gaps, "invariant_break": inv})


# ---- tangent kernel ----------------------------------------------------------------------------

def check_kernel(inst, stmt) -> Evidence:
    X = inst["X"]
    wp, wm = _start(inst)
    a = float(inst["alpha"])
    h = 1e-3
    K = tangent_kernel(X, X, wp, wm, h)
    K_half = tangent_kernel(X, X, wp, wm, h / 2)
    pred = stmt["constant"] * a**2 * (X @ X.T)
    scale = float(np.linalg.norm(K))
    gap = float(np.linalg.norm(K - pred)) / scale
    tol = 10.0 * EPS * X.shape[1] * (a**2 + 1.0) / h
    # the measurement's own certificate: central differences are exact on a quadratic map, so two
    # step sizes must agree to round-off (a truncation error would show up here)
    cert = Certificate("finite-difference Jacobian: h vs h/2 agree", {"step_halving": float(np.linalg.norm(K - K_half)) / scale},
                       2.0 * tol)
    return Evidence(gap=gap, tolerance=tol, certificates=[cert],
                    tolerance_reason="central differences exact on a quadratic map: round-off 10 u d (alpha^2+1)/h",
                    details={"ratio_K_over_XXt": float(np.sum(K * (X @ X.T)) / np.sum((X @ X.T) ** 2)) / a**2,
                             "miss": gap})


# ---- R_alpha -----------------------------------------------------------------------------------

def check_r_identity(inst, stmt) -> Evidence:
    b = np.asarray(inst["b"], float)
    rp = r_param(b)
    rq = np.array([stmt["root"](float(v)) for v in b])
    rc = np.array([r_constrained_min(float(v))[0] for v in b])
    err = np.maximum(np.abs(rp - rq), np.abs(rp - rc)) / np.maximum(np.abs(rc), 1e-300)
    err[rc == 0] = np.maximum(np.abs(rp - rq), np.abs(rp - rc))[rc == 0]
    tol_each = 256 * EPS * (1.0 + np.sqrt(np.abs(b)))
    ratio = err / tol_each
    k = int(np.argmax(ratio))
    bb = np.sort(np.abs(b[b != 0]))
    fig = Figure("diag-net-q-vs-r", "q(b), r(b) and |b|", "|b|", "value",
                 (Series("r(b) (quartic root)", bb.tolist(), r_param(bb).tolist()),
                  Series("q(b)", bb.tolist(), __import__("solvers.q_alpha", fromlist=["q"]).q(bb).tolist()),
                  Series("|b|", bb.tolist(), bb.tolist())), "log", "log")
    return Evidence(gap=float(err[k]), tolerance=float(tol_each[k]),
                    tolerance_reason="256 u (1 + sqrt|b|): the parametrization loses sqrt|b| ulps as lam -> 1",
                    certificates=[r_certificate(b)], figures=[fig], details={"worst_b": float(b[k]), "max_ratio": float(ratio[k])})


def check_r_to_l1(inst, stmt) -> Evidence:
    b = np.asarray(inst["b"], float)
    beta = b[np.abs(b) > 1e-3][:8]
    if beta.size == 0:
        beta = np.array([1.0, -2.0])
    alphas = np.array([1e-3, 3e-3, 1e-2, 3e-2, 1e-1])
    l1 = float(np.sum(np.abs(beta)))
    d = [abs(R_alpha(beta, a) - l1) / l1 for a in alphas]
    slope, se = _fit(alphas, d)
    shrinks = all(d[k + 1] > d[k] for k in range(len(d) - 1))
    return Evidence(gap=abs(slope - stmt["order"]) if shrinks else np.inf, tolerance=3 * se + 0.1,
                    tolerance_reason="3 x slope standard error + 0.1 (next term 2 alpha^2 n vs 2 alpha sum sqrt|beta|)",
                    certificates=[r_certificate(np.concatenate([beta / a**2 for a in alphas]))],
                    details={"fitted_order": slope, "se": se, "relative_gaps": d})


# ---- registration ------------------------------------------------------------------------------

def _shapes(inst):
    m, d = inst["X"].shape
    if m >= d:
        return f"X is {m}x{d}, need m < d"
    return None if inst["y"].shape == (m,) else "y has the wrong length"


def _rank(inst):
    s = np.linalg.svd(inst["X"], compute_uv=False)
    return None if s[-1] > 1e-10 * s[0] else "X is rank-deficient"


def _alpha_pos(inst):
    return None if float(inst["alpha"]) > 0 else "alpha must be > 0"


def _nonzero_start(inst):
    return None if np.all(inst["w_plus0"] != 0) and np.all(inst["w_minus0"] != 0) else "a start weight is 0"


A_SYS = (Assumption("X is m x d with m < d, y has m entries", _shapes),
         Assumption("X has full row rank", _rank))
A_ALPHA = Assumption("alpha > 0", _alpha_pos)
F_SYS = (Field("X", 2, "design matrix m x d, m < d"), Field("y", 1, "targets, length m"))
F_ALPHA = Field("alpha", 0, "initialization scale: w+ = w- = alpha 1")
F_START = (Field("w_plus0", 1, "start of w+ (nonzero entries)"), Field("w_minus0", 1, "start of w- (nonzero entries)"))

Q_STATEMENT = ("gradient flow on sum_i(<w+^2 - w-^2, x_i> - y_i)^2 from alpha 1: beta(inf) = argmin Q_alpha s.t. "
               "X beta = y, Q_alpha = alpha^2 sum q(beta/alpha^2), q(b) = 2 - sqrt(4+b^2) + b asinh(b/2)")

register(
    Claim("diag-net-q-alpha", "Diagonal net gradient flow lands on argmin Q_alpha", Q_STATEMENT, SRC,
          A_SYS + (A_ALPHA,), F_SYS + (F_ALPHA,), lambda: diag_net_system(), check_limit, {"limit": limit_q},
          (Mutant("q-sqrt-1-plus-b2", "q(b) = 1 - sqrt(1+b^2) + b asinh(b) (beta = alpha^2 sinh, constant 1 not 2)",
                  {"limit": limit_q_sqrt1}),
           Mutant("l1-interpolant", "the min-l1 interpolant in place of argmin Q_alpha", {"limit": limit_l1}),
           Mutant("l2-interpolant", "the min-l2 interpolant in place of argmin Q_alpha", {"limit": limit_l2})),
          kind="limit", family="diag-net", examples={"quick": 6, "thorough": 40}, mutant_instances=4),
    Claim("diag-net-general-start", "General starts: the limit is argmin sum gamma q(beta/gamma) - c beta",
          "from (w+0, w-0): beta(inf) = argmin sum_j gamma_j q(beta_j/gamma_j) - c_j beta_j s.t. X beta = y, "
          "gamma = |w+0 w-0|, c = log|w+0/w-0| (beta = 2 gamma sinh(X^T nu + c))", SRC,
          A_SYS + (Assumption("start weights nonzero", _nonzero_start),), F_SYS + F_START,
          lambda: diag_net_system(general_start=True), check_limit, {"limit": limit_q},
          (Mutant("forgets-shift-c", "drop c (start w+0 = w-0 = sqrt(gamma))", {"limit": limit_q_no_shift}),
           Mutant("single-alpha", "one alpha^2 = mean gamma for every coordinate", {"limit": limit_q_mean_alpha})),
          kind="limit", family="diag-net", examples={"quick": 5, "thorough": 30}, mutant_instances=3),
    Claim("diag-net-invariant", "w+ o w- is invariant along the flow",
          "d/dt (w+_j w-_j) = 0 along gradient flow (so gamma = |w+0 w-0| is kept)", SRC,
          A_SYS + (Assumption("start weights nonzero", _nonzero_start),), F_SYS + F_START,
          lambda: diag_net_system(general_start=True), check_invariant, {"invariant": invariant_product},
          (Mutant("sum-of-squares", "w+^2 + w-^2 invariant instead", {"invariant": invariant_sum_squares}),),
          kind="identity", family="diag-net", examples={"quick": 4, "thorough": 30}, mutant_instances=2),
    Claim("diag-net-large-alpha-l2", "alpha -> inf: the flow limit -> min-l2 interpolant at order alpha^-4",
          "||beta_alpha(inf) - argmin_{X beta = y} ||beta||_2|| = Theta(alpha^-4) as alpha -> inf (kernel regime)", SRC,
          A_SYS, F_SYS, lambda: diag_net_system(m_max=4, extra_max=8, fixed_alpha=1.0), check_large_alpha,
          {"order": -4.0}, (Mutant("order-2", "order alpha^-2", {"order": -2.0}),),
          kind="asymptotic", family="diag-net", examples={"quick": 3, "thorough": 15}, mutant_instances=2),
    Claim("diag-net-gd-misses-by-eta", "Discrete GD misses argmin Q_alpha by Theta(eta)",
          "GD with step eta on w lands at distance Theta(eta) from argmin Q_alpha (only the flow is exact)", SRC,
          A_SYS + (A_ALPHA,), F_SYS + (F_ALPHA,), lambda: diag_net_system(m_max=4, extra_max=6, alpha_lo=0.3, alpha_hi=1.0),
          check_gd_eta, {"order": 1.0},
          (Mutant("exact", "GD lands exactly (order 0 => no eta dependence... fitted order 0)", {"order": 0.0}),
           Mutant("order-2", "GD misses by O(eta^2)", {"order": 2.0})),
          kind="asymptotic", family="diag-net", examples={"quick": 3, "thorough": 15}, mutant_instances=2),
    Claim("diag-net-tangent-kernel-8", "Tangent kernel at alpha 1 is 8<x, x'>",
          "K(x, x') = <grad_w f(w0, x), grad_w f(w0, x')> = 8 alpha^2 <x, x'> at w0 = alpha 1 (8<x,x'> at alpha = 1)",
          SRC, A_SYS, F_SYS + (F_ALPHA,), lambda: diag_net_system(fixed_alpha=1.0), check_kernel, {"constant": 8.0},
          (Mutant("notes-4", "the notes' 4<x,x'>", {"constant": 4.0}),),
          kind="identity", family="diag-net", examples={"quick": 4, "thorough": 20}, mutant_instances=2),
    Claim("diag-net-tangent-kernel-4", "Notes 004: tangent kernel 4<x, x'> (erratum)",
          "K_0(x, x') = 4<x, x'> at w0 = 1 (notes 004, 'Kernel Regime with NTK')",
          "notes 004 p. 'linear diagonal net', kernel regime", A_SYS, F_SYS + (F_ALPHA,),
          lambda: diag_net_system(fixed_alpha=1.0), check_kernel, {"constant": 4.0},
          (Mutant("corrected-8", "the corrected constant 8", {"constant": 8.0}, must=Verdict.CONFIRMED),),
          expected="fails", kind="identity", family="diag-net",
          erratum="K_0(x, x') = 8<x, x'>: both w+ and w- contribute 4<x, x'> (grad = (2 x, -2 x) at w = 1)",
          examples={"quick": 3, "thorough": 10}, mutant_instances=2),
    Claim("diag-net-r-alpha-quartic", "r(b) = smallest real root of the quartic = constrained minimum",
          "R_alpha(beta) = min{||w - alpha 1||^2 : w+^2 - w-^2 = beta} = alpha^2 sum r(beta/alpha^2), r(b) the smallest "
          "real root of r^4 - 6r^3 + (12-2b^2)r^2 - (8+10b^2)r + b^2 + b^4", SRC_R,
          (A_ALPHA,), (Field("b", 1, "values of b"), F_ALPHA), lambda: r_values(), check_r_identity,
          {"root": quartic_smallest_root},
          (Mutant("largest-root", "the largest real root of the quartic", {"root": quartic_largest_root}),),
          kind="identity", family="diag-net", examples={"quick": 6, "thorough": 50}, mutant_instances=3),
    Claim("diag-net-r-alpha-to-l1", "R_alpha(beta) -> ||beta||_1 as alpha -> 0, at order alpha",
          "R_alpha(beta) = ||beta||_1 - 2 alpha sum sqrt|beta_j| + O(alpha^2)", SRC_R,
          (A_ALPHA,), (Field("b", 1, "beta"), F_ALPHA), lambda: r_values(), check_r_to_l1, {"order": 1.0},
          (Mutant("order-2", "order alpha^2", {"order": 2.0}),),
          kind="asymptotic", family="diag-net", examples={"quick": 4, "thorough": 20}, mutant_instances=2),
    Claim("diag-net-r-alpha-is-not-q-alpha", "Implicit bias is not explicit l2 in parameter space",
          "gradient flow limit from alpha 1 = argmin R_alpha(beta) s.t. X beta = y (false: it is argmin Q_alpha)", SRC_R,
          A_SYS + (A_ALPHA,), F_SYS + (F_ALPHA,), lambda: diag_net_system(alpha_lo=0.1, alpha_hi=3.0), check_limit,
          {"limit": limit_r},
          (Mutant("q-alpha-control", "argmin Q_alpha (the theorem)", {"limit": limit_q}, must=Verdict.CONFIRMED),),
          expected="fails", kind="limit", family="diag-net",
          erratum="the flow limit is argmin Q_alpha, not argmin R_alpha",
          examples={"quick": 3, "thorough": 20}, mutant_instances=2),
)
