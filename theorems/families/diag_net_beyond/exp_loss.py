"""Diagonal nets on the exponential / logistic loss: the exact path, the l1 max-margin limit, the l2 -> l1
transition at log(1/eps) ~ alpha^2, and depth-D KKT points of the l_{2/D} max margin.

Derivations (re-done; Moroshko et al. 2020; note 004):
* path identity (solvers/q_margin.py): beta(t) = argmin Q_alpha s.t. Z beta >= Z beta(t) at every t, exp and
  logistic loss alike (only p_n = -l'(m_n) > 0 is used).
* scaling: Q_alpha(s b) = s Q_{alpha/sqrt(s)}(b), so the direction at loss level s = log(1/L) is the
  direction of argmin Q_{alpha_eff}(b) s.t. Z b >= m(s)/s with alpha_eff^2 = alpha^2 / s: the kernel (l2)
  regime while s << alpha^2, the rich (l1) regime once s >> alpha^2, the transition at s ~ alpha^2
  (Moroshko's mu = alpha^2 / log(1/eps)): log(1/eps*) = kappa alpha^2 asymptotically.
* l1 rate: with lambda-bar the l1 dual (||Z^T lambda-bar||_inf = 1), off-support coordinates of b are
  ~ (s/alpha^2)^(-(1 - |(Z^T lambda-bar)_j|)): the direction gap to beta_1 decays like a sum of such powers.
* depth D >= 3: w+^(2-D) = alpha^(2-D) - D(D-2) Z^T Lambda keeps |u| < 1, so the dual stays bounded and
  the early multipliers of non-support points never wash out; the direction is set by the tail weights,
  b_j ~ (z_j^T tau)^(-D/(D-2)), i.e. (2/D)|b_j|^(2/D - 1) sign b_j = (Z^T tau)_j: a KKT point of the l_{2/D}
  max margin (Lyu & Li 2020), not the l1 max margin.
"""
from __future__ import annotations

import time

import numpy as np

from models.diag_net_exp import exp_loss_flow, weights
from solvers.certify.diagk import l1_max_margin_pair, margin_q_alpha
from solvers.margin_lp import l1_max_margin, l2_max_margin, lp_kkt_residual, off_support_exponents
from solvers.q_margin import argmin_q_alpha_margin, argmin_q_margin

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, far, near
from ...fitting import loglog_slope
from ...memo import memo
from ...resolution import moved, perturb_limit, shift
from ...strategies.diagk import separable_system
from .common import A_ALPHA, A_CLASS, A_LOSS, F_ALPHA, F_CLASS, F_LOSS, FAMILY, LOSSES, SRC_EXP

EPS = np.finfo(float).eps
PATH_S = np.array([1.0, 3.0, 10.0, 30.0, 100.0, 1000.0])
S_FAR = 1700 * np.log(10.0)  # loss 1e-1700 (the notes' depth-2 panel)
S_FAR3 = 4300 * np.log(10.0)  # loss 1e-4300 (the notes' depth-3 panel)


def _loss(inst):
    return LOSSES[int(inst.get("loss", 0))]


@memo
def _flow(X, y, alpha, s_out, loss, depth=2):
    d = X.shape[1]
    return exp_loss_flow(X, y, np.full(d, alpha), np.full(d, alpha), s_out, depth=depth, loss=loss)


# ---- the exact path ----------------------------------------------------------------------------

def path_q_alpha(X, y, m, alpha):
    b, c, sol = argmin_q_alpha_margin(X, y, m, alpha)
    return b, c, sol


def path_no_factor_2(X, y, m, alpha):
    """Mutant: beta = alpha^2 sinh(Z^T lambda) (the 2 of 2 alpha^2 sinh dropped)."""
    la = np.log(alpha**2 / 2.0)
    return argmin_q_margin(X, y, m, la, la)


def path_alpha_not_squared(X, y, m, alpha):
    """Mutant: Q_alpha with alpha in place of alpha^2 (scale alpha, not alpha^2)."""
    la = np.log(alpha)
    return argmin_q_margin(X, y, m, la, la)


def check_path(inst, stmt) -> Evidence:
    X, y, alpha = inst["X"], inst["y"], float(inst["alpha"])
    Z = y[:, None] * X
    t0 = time.perf_counter()
    run = _flow(X, y, alpha, PATH_S, _loss(inst))
    t1 = time.perf_counter()
    gaps, budget, certs, refs, ms = [], [], [], [], []
    for j in range(run.s.size):
        wp, wm, beta = run.w_plus[j], run.w_minus[j], run.beta[j]
        m = Z @ beta
        ref, cert, sol = stmt["limit"](X, y, m, alpha)
        certs.append(cert)
        refs.append(ref)
        ms.append(m)
        scale = float(np.linalg.norm(ref))
        gaps.append(float(np.linalg.norm(beta - ref)) / scale)
        # defects of the run w.r.t. the exact manifold w+- = alpha exp(+-Z^T lambda / 2), lambda >= 0
        d1 = np.log(wp * wm) - 2.0 * np.log(alpha)
        u = np.log(wp / wm)
        lam = np.maximum(np.linalg.lstsq(Z.T, u, rcond=None)[0], 0.0)
        e = u - Z.T @ lam
        curv = wp * wp + wm * wm
        dbeta = np.abs(beta) * np.abs(d1) + curv * np.abs(e)
        H = curv
        S = (H[:, None] * Z.T) @ np.linalg.inv((Z * H) @ Z.T)
        amp = 1.0 + float(np.linalg.norm(S @ Z, 2))
        budget.append(amp * float(np.linalg.norm(dbeta)) / float(np.linalg.norm(beta))
                      + 10.0 * cert.worst * float(np.linalg.cond((Z * H) @ Z.T)) ** 0.5)
    k = int(np.argmax(np.array(gaps) - np.array(budget)))
    tol = max(budget) + 64 * EPS
    return Evidence(
        gap=max(gaps), tolerance=tol,
        tolerance_reason=("max over loss levels s in {1, 3, 10, 30, 100, 1000} of (1 + ||S Z||) ||dbeta|| / ||beta|| "
                          "(dbeta: the run's defect off the manifold w+- = alpha exp(+-Z^T lambda/2), lambda >= 0; S Z the "
                          "argmin's response to the margins) + the reference's KKT residual x sqrt(cond)"),
        certificates=certs, converged=bool(run.info["success"] and run.info["clock_drift"] < 1e-8),
        convergence_note=f"loss-level drift {run.info['clock_drift']:.1e}",
        timings={"flow": t1 - t0}, details={"gaps": gaps, "budgets": budget, "worst_level": float(run.s[k]),
                                             "loss": _loss(inst)},
        reference={"beta": np.array(refs), "m": np.array(ms)},
        run_budget={"manifold defect and reference residual": max(budget)})


# ---- l1 max margin as the loss -> 0 ------------------------------------------------------------

def dir_l1(X, y):
    b, lam, cert = l1_max_margin(X, y)
    return b, lam, cert


def dir_l2(X, y):
    """Mutant: the l2 max margin (hard-margin SVM) direction."""
    b, cert = l2_max_margin(X, y)
    return b, np.zeros(X.shape[0]), cert


def check_l1(inst, stmt) -> Evidence:
    X, y, alpha = inst["X"], inst["y"], float(inst["alpha"])
    s_out = np.geomspace(10.0, S_FAR, 40)
    t0 = time.perf_counter()
    run = _flow(X, y, alpha, s_out, _loss(inst))
    t1 = time.perf_counter()
    b_pred, lam, cert = stmt["direction"](X, y)
    b1, lam1, _ = dir_l1(X, y)
    ex = off_support_exponents(X, y, b1, lam1)
    u = b_pred / np.sum(np.abs(b_pred))
    B = run.beta / np.sum(np.abs(run.beta), axis=1, keepdims=True)
    gaps = np.sum(np.abs(B - u), axis=1)
    tail = run.s >= run.s[-1] / 30.0
    fit = loglog_slope(run.s[tail] / alpha**2, gaps[tail])
    order = -fit.slope
    lo, hi = (float(np.min(ex)) if ex.size else 1.0), 1.0
    margin = 0.15
    decreasing = bool(np.all(np.diff(gaps[tail]) < 0))
    gap = 0.0 if lo - margin <= order <= hi + margin else min(abs(order - lo), abs(order - hi))
    if not decreasing:
        gap = max(gap, 1.0)
    fig = Figure("diag-net-exp-l1-gap", "Exp/logistic loss: direction gap to the l1 max margin vs loss level",
                 "log(1/L)", "||beta/||beta||_1 - beta_1/||beta_1||_1||_1",
                 (Series(f"alpha={alpha:.2g} ({_loss(inst)})", run.s.tolist(), np.maximum(gaps, 1e-17).tolist()),), "log", "log")
    return Evidence(
        gap=gap, tolerance=3.0 * fit.se,
        tolerance_reason=(f"the local order of the gap in s/alpha^2 over s in [{run.s[-1] / 30:.0f}, {run.s[-1]:.0f}] must lie in "
                          f"[min_j e_j, 1] = [{lo:.3f}, 1] widened by 0.15 (pre-asymptotic margin) and the gap must decrease; "
                          f"gap = distance of the fitted order {order:.3f} outside that band, held to 3 standard errors"),
        certificates=[cert], converged=bool(run.info["success"]),
        convergence_note=f"loss-level drift {run.info['clock_drift']:.1e}", timings={"flow": t1 - t0}, figures=[fig],
        details={"fitted_order": order, "se": fit.se, "exponents": ex.tolist(), "final_gap": float(gaps[-1]),
                 "decreasing": decreasing, "s_end": float(run.s[-1])},
        reference={"beta1": b1, "lam": lam1})


# ---- the transition ----------------------------------------------------------------------------

T_ALPHAS = np.array([2.0, 2.0 * 2**0.5, 4.0, 4.0 * 2**0.5])
T_RATIO = 100.0


@memo
def _transition(X, y, loss):
    b1, _, c1 = l1_max_margin(X, y)
    b2, c2 = l2_max_margin(X, y)
    u1, u2 = b1 / np.linalg.norm(b1), b2 / np.linalg.norm(b2)
    curves = []
    for a in T_ALPHAS:
        s = np.geomspace(0.5, T_RATIO * a * a, 120)
        r = _flow(X, y, float(a), s, loss)
        U = r.beta / np.linalg.norm(r.beta, axis=1, keepdims=True)
        e1, e2 = np.linalg.norm(U - u1, axis=1), np.linalg.norm(U - u2, axis=1)
        curves.append((r.s, e2 / (e1 + e2), bool(r.info["success"])))
    # the level: half of the index reached at s = T_RATIO alpha^2 at the largest alpha (capped at 1/2)
    level = min(0.5, 0.5 * float(curves[-1][1][-1]))
    sstar = []
    for s, tau, _ in curves:
        up = np.flatnonzero((tau[:-1] < level) & (tau[1:] >= level))
        if up.size == 0:
            sstar.append(np.nan)
            continue
        j = up[-1]
        sstar.append(float(np.exp(np.interp(level, [tau[j], tau[j + 1]], np.log(s[j:j + 2])))))
    return np.array(sstar), level, curves, [c1, c2]


def check_transition(inst, stmt) -> Evidence:
    X, y = inst["X"], inst["y"]
    t0 = time.perf_counter()
    sstar, level, curves, certs = _transition(X, y, _loss(inst))
    t1 = time.perf_counter()
    ok = bool(np.all(np.isfinite(sstar)))
    fit = loglog_slope(T_ALPHAS, sstar) if ok else None
    expo = fit.slope if ok else np.nan
    gap = abs(expo - float(stmt["exponent"])) if ok else np.inf
    kappa = float(np.exp(fit.intercept)) if ok else np.nan
    a_line = np.geomspace(1.5, 8.0, 20)
    figs = [Figure("diag-net-exp-transition-map", "l2 -> l1 transition: loss level of the transition vs alpha",
                   "log(1/eps)", "alpha",
                   (Series(f"transition (index {level:.2f})", sstar.tolist(), T_ALPHAS.tolist(), "scatter"),
                    Series(f"fit log(1/eps*) = {kappa:.3g} alpha^{expo:.2f}", (kappa * a_line**expo).tolist() if ok else [],
                           a_line.tolist() if ok else []),
                    Series("alpha^2 law", (kappa * a_line**2).tolist() if ok else [], a_line.tolist() if ok else [])),
                   "log", "log")]
    return Evidence(
        gap=gap, tolerance=(3.0 * fit.se + 0.1) if ok else 0.0,
        tolerance_reason=("3 x standard error of the log-log slope of log(1/eps*) against alpha + 0.1 (O(1/alpha^2) "
                          "shifts of the support-vector margins at alpha >= 2); eps* = the loss level where the "
                          "direction's index ||u - u2|| / (||u - u1|| + ||u - u2||) (u1, u2: l1, l2 max-margin directions) "
                          "last crosses the instance's level (half the index at log(1/eps) = 100 alpha^2, alpha = 5.7)"),
        certificates=list(certs), converged=ok and all(c[2] for c in curves),
        convergence_note="" if ok else "the index never crossed the level at some alpha",
        timings={"flows": t1 - t0}, figures=figs,
        details={"fitted_exponent": expo, "se": fit.se if ok else None, "s_star": sstar.tolist(), "level": level,
                 "kappa": kappa, "kernel_horizon_T_alpha": sstar.tolist()},
        reference=dict(zip(("beta1", "lam"), _l1_pair(X, y))))


@memo
def _l1_pair(X, y):
    b, lam, _ = l1_max_margin(X, y)
    return b, lam




# ---- depth D >= 3: KKT of the l_{2/D} max margin --------------------------------------------------

def check_kkt(inst, stmt) -> Evidence:
    X, y, alpha, D = inst["X"], inst["y"], float(inst["alpha"]), int(inst["depth"])
    p = float(stmt["p"](D))
    t0 = time.perf_counter()
    run = _flow(X, y, alpha, np.array([10.0, 100.0, 1000.0, S_FAR3]), _loss(inst), D)
    t1 = time.perf_counter()
    point = stmt["point"]
    if point == "flow":
        beta = run.beta[-1]
    elif point == "l1":
        beta = l1_max_margin(X, y)[0]
    else:
        beta = l2_max_margin(X, y)[0]
    res = lp_kkt_residual(X, y, beta, p)
    hist = [lp_kkt_residual(X, y, b, p)["stationarity"] for b in run.beta]
    gap = max(res["stationarity"], res["complementarity"])
    fig = Figure("deep-diag-net-exp-kkt", "Depth D >= 3, exp loss: l_{2/D} KKT residual vs loss level", "log(1/L)",
                 "KKT residual", (Series(f"D={D}, alpha={alpha:.2g}", run.s.tolist(), np.maximum(hist, 1e-17).tolist()),),
                 "log", "log")
    return Evidence(gap=gap, tolerance=0.1,
                    tolerance_reason="calibration threshold 0.1 on the relative KKT residual at loss 1e-4300",
                    converged=bool(run.info["success"]), timings={"flow": t1 - t0}, figures=[fig],
                    details={"stationarity": res["stationarity"], "complementarity": res["complementarity"],
                             "history": hist, "p": p, "point": point})


# ---- claims ------------------------------------------------------------------------------------

def _depth(inst):
    return None if int(inst["depth"]) >= 3 else f"depth = {inst['depth']} < 3"


CLAIMS = (
    Claim("diag-net-exp-loss-path", "Exp/logistic loss: beta(t) = argmin Q_alpha s.t. margins >= current margins, at every t",
          "beta = w+^2 - w-^2 from alpha 1, gradient flow on sum_n l(y_n <beta, x_n>), l = exp or logistic: at every t, "
          "beta(t) = argmin Q_alpha(beta) s.t. y_n <beta, x_n> >= m_n(t) (the current margins)", SRC_EXP,
          A_CLASS + (A_ALPHA, A_LOSS), F_CLASS + (F_ALPHA, F_LOSS),
          lambda: separable_system(alpha_lo=0.1, alpha_hi=3.0), check_path, {"limit": path_q_alpha},
          (Mutant("no-factor-2", "beta = alpha^2 sinh(Z^T lambda) (Q for alpha^2/2)", {"limit": path_no_factor_2}),
           Mutant("alpha-not-squared", "scale alpha in place of alpha^2", {"limit": path_alpha_not_squared})),
          kind="identity", family=FAMILY, examples={"quick": 4, "thorough": 30}, mutant_instances=2,
          resolution=Resolution(1e-8, "relative perturbation of the predicted argmin in a fixed random direction",
                                perturb_limit("limit")),
          verify=margin_q_alpha),
    Claim("diag-net-exp-loss-l1-max-margin", "Exp/logistic loss: the direction -> the l1 max margin for every alpha",
          "beta(eps)/||beta(eps)|| -> argmin ||beta||_1 s.t. y_n <beta, x_n> >= 1 (normalized) as the loss eps -> 0, for "
          "every alpha; the gap decays at a local order in log(1/eps)/alpha^2 between min_j (1 - |(Z^T lambda)_j|) "
          "(off-support j, lambda the l1 dual) and 1; followed to loss 1e-1700", SRC_EXP,
          A_CLASS + (A_ALPHA, A_LOSS), F_CLASS + (F_ALPHA, F_LOSS),
          lambda: separable_system(alpha_lo=0.05, alpha_hi=0.5), check_l1, {"direction": dir_l1},
          (Mutant("l2-max-margin", "the l2 max-margin (SVM) direction", {"direction": dir_l2}),),
          kind="asymptotic", family=FAMILY, examples={"quick": 3, "thorough": 20}, mutant_instances=2,
          resolution=Resolution(0.5, "relative perturbation of the predicted l1 direction (resolved only once the run's own "
                                "gap is below it: the local order of a plateau is ~0)",
                                lambda stmt, r: {"direction": (lambda X, y, f=stmt["direction"]: (
                                    moved(f(X, y)[0], r, "l1"),) + tuple(f(X, y)[1:]))}),
          verify=l1_max_margin_pair),
    Claim("diag-net-exp-loss-transition", "The l2 -> l1 transition happens at log(1/eps) ~ alpha^2",
          "the loss level eps*(alpha) at which the exp-loss direction leaves the l2 max margin for the l1 max margin "
          "(index ||u - u2|| / (||u - u1|| + ||u - u2||) crossing a fixed level) obeys log(1/eps*) ~ kappa alpha^2",
          SRC_EXP, A_CLASS + (A_LOSS,), F_CLASS + (F_LOSS,),
          lambda: separable_system(n_max=4, extra_max=4, with_alpha=False, with_loss=False), check_transition,
          {"exponent": 2.0},
          (Mutant("exponent-1", "log(1/eps*) ~ alpha", {"exponent": 1.0}),
           Mutant("exponent-4", "log(1/eps*) ~ alpha^4", {"exponent": 4.0})),
          kind="asymptotic", family=FAMILY, examples={"quick": 2, "thorough": 8}, mutant_instances=2,
          resolution=Resolution(0.2, "shift of the predicted exponent", shift("exponent")),
          verify=l1_max_margin_pair),
    Claim("deep-diag-net-exp-loss-kkt", "Depth D >= 3, exp loss: the direction approaches a KKT point of the l_{2/D} max margin",
          "beta = w+^D - w-^D, D >= 3, exp/logistic loss: beta(eps)/||beta(eps)|| -> a KKT point of min ||beta||_{2/D} "
          "s.t. y_n <beta, x_n> >= 1; measured: the relative KKT residual (NNLS multipliers on the active margins) at "
          "loss 1e-4300 (open: the theorem gives no rate, and the limit KKT point depends on the path)", SRC_EXP,
          A_CLASS + (A_ALPHA, A_LOSS, Assumption("depth >= 3", _depth)),
          F_CLASS + (F_ALPHA, F_LOSS, Field("depth", 0, "depth D >= 3", integer=True, default=3)),
          lambda: separable_system(alpha_lo=0.2, alpha_hi=1.0, depth=0), check_kkt,
          {"p": lambda D: 2.0 / D, "point": "flow"},
          (near("l1-vertex-is-kkt", "the certified l1 max-margin LP solution, held to the l1 KKT conditions (a known KKT point)",
                {"p": lambda D: 1.0, "point": "l1"}),
           far("svm-is-not-l2d-kkt", "the l2 max-margin (SVM) direction, held to the l_{2/D} KKT conditions",
               {"point": "l2"})),
          expected="open", kind="asymptotic", family=FAMILY, examples={"quick": 3, "thorough": 15}, mutant_instances=3),
)
