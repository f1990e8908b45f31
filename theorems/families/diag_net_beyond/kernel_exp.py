"""The kernel regime under the exp loss: how long the lazy net follows its tangent model. A REPORTED measurement of
the claim ``kernel-regime-tangent-interpolant`` (no verdict rests on it).

Source: Chizat, Oyallon & Bach 2019 (sec. 2: on a fixed time horizon the scaled model stays within O(1/alpha) of its
linearization for any smooth loss; uniformly in time only for the square loss, Thm 2.4); note 004 "Squared Loss vs
Logistic/Exp Loss": for the logistic loss, for every t, lim_{alpha -> inf} sup_{tau < t} ||w_alpha(tau)/alpha^(D-1) -
w_K(tau)|| = 0 -- kernel behaviour only up to a time T(alpha). Model and flows: :mod:`models.lazy_exp` (the same net,
start and 1/alpha^2 scaling as the square-loss claim, exp loss on the labels s = sign(y), y = 0 -> +1; K0 nonsingular
on X, an assumption of the claim, makes every labelling separable for the tangent model).

Definition. D(t) = ||f_net(t) - f_lin(t)|| / ||f_lin(t)|| on Z = the training points and the claim's 16 test points,
f_net = alpha h(theta(t)), f_lin the tangent model's predictor under the same flow; T(alpha) = the first t with
D(t) >= THRESHOLD = 0.1 (an event of the integration, located by the solver's root finding).

Heuristic prediction (derived here, not a theorem). The tangent model's flow does not depend on alpha; on separable
data its parameter grows like u_lin(t) = log(t) u_mm + O(1) (Soudry et al. 2018's rate for a linear model, here in
the tangent features), u_mm the max-margin parameter min ||u|| s.t. s o (J0 u) >= 1, rho = ||u_mm||. The net's
parameter motion is ||theta - theta0|| = ||u|| / alpha ~ rho log(t) / alpha. The gap is an even function of 1/alpha
at every t (the antisymmetric-start argument of the claim's docstring holds for any loss), so at leading order
D ~ C (rho log t / alpha)^2, and D(T) = THRESHOLD gives
    log T(alpha) ~ (alpha / rho) sqrt(THRESHOLD / C):
T grows exponentially in alpha (log T linear in alpha; the log-log slope of log T against alpha tends to 1), and the
tangent model's motion at the break, ||u_lin(T)|| / alpha, tends to an instance constant. Contrast: under the square
loss the gap is O(alpha^-2) uniformly in time (there is no T).

Ladder. alpha = rho k, k = 1, 2, 4, 8, 16 (the square-loss check's convention alpha = rho / eps: a fixed alpha range
puts instances at very different laziness -- on the quick instance with rho = 41.6, alpha = 1 and 4 break before the
tangent model classifies the labels (its least margin at T -0.25 and -0.30), and from alpha = 16 to 32 log T grows by
5.88 -> 7.59, a log-log slope of 0.37, far from the asymptotic law). Reported per alpha: T, log T, the motions at T,
the tangent model's log loss and least margin at T; fitted: the
local log-log slopes q_j = log2(log T_(j+1) / log T_j) (heuristic: -> 1, slowly: q_j = 1 + O(b / (c alpha))), the ratios
of successive increments of log T along the ladder (heuristic: -> 2, as log T = c alpha + b makes the increments
c rho k_j), and the slope c = d log T / d alpha of the last pair with its intercept b, also as c rho (per unit alpha/rho).
"""
from __future__ import annotations

import time

import numpy as np

from models.lazy_exp import lazy_exp_flow
from solvers.svm import hard_margin_svm
from solvers.tangent_kernel import tangent_features

from ...contract import Figure, Series
from ...memo import memo

THRESHOLD = 0.1
LADDER = (1.0, 2.0, 4.0, 8.0, 16.0)  # alpha / rho
# log(1 + t) limit of a run: T up to e^700 stays in float range; the weights exp(sigma - m) are stable there
SIGMA_MAX = 700.0
RTOL = 1e-9  # T moved by < 1e-8 in log T from rtol 1e-7 to 1e-11 on the quick instances


def labels(y) -> np.ndarray:
    return np.where(np.asarray(y, float) >= 0.0, 1.0, -1.0)


@memo
def exp_loss_times(X, y, Z, a0, W0):
    """T(alpha) on the ladder alpha = rho k (module docstring); returns a dict of plain numbers and lists."""
    t0 = time.perf_counter()
    s = labels(y)
    u_mm, cert = hard_margin_svm(tangent_features(X, a0, W0, "tanh"), s)
    rho = float(np.linalg.norm(u_mm))
    rows = [lazy_exp_flow(X, s, a0, W0, rho * k, Z, threshold=THRESHOLD, sigma_max=SIGMA_MAX, rtol=RTOL)
            for k in LADDER]
    alphas = np.array([r.alpha for r in rows])
    log_T = np.array([float(np.log(np.expm1(r.sigma))) for r in rows])
    crossed = [r.crossed for r in rows]
    ok = np.array(crossed) & (log_T > 0.0)  # q and the fit need T > 1 and a crossing (else T is a lower bound)
    q = [float(np.log2(log_T[j + 1] / log_T[j])) if ok[j] and ok[j + 1] else float("nan") for j in range(len(rows) - 1)]
    slope = float((log_T[-1] - log_T[-2]) / (alphas[-1] - alphas[-2])) if ok[-1] and ok[-2] else float("nan")
    inc = np.diff(log_T)
    ratios = [float(inc[j + 1] / inc[j]) if ok[j:j + 3].all() else float("nan") for j in range(len(inc) - 1)]
    return {"threshold": THRESHOLD, "rho": rho, "svm_certificate_valid": bool(cert.valid), "alpha_over_rho": list(LADDER),
            "alphas": alphas.tolist(), "T": [r.t for r in rows], "log_T": log_T.tolist(), "crossed": crossed,
            "lin_motion_at_T": [r.lin_motion / r.alpha for r in rows], "net_motion_at_T": [r.param_motion for r in rows],
            "log_loss_at_T": [r.log_loss_lin for r in rows],
            "min_margin_at_T": [r.info["min_margin_lin"] for r in rows], "local_loglog_slopes": q, "increment_ratios": ratios,
            "slope_logT_per_alpha": slope, "slope_logT_per_alpha_over_rho": slope * rho,
            "intercept": float(log_T[-1] - slope * alphas[-1]), "steps": [r.steps for r in rows],
            "seconds": time.perf_counter() - t0}


def exp_loss_report(m: dict, label: str) -> tuple[dict, Figure]:
    """Evidence details (flat keys exp_loss_*) and the figure kernel-regime-exp-loss-time."""
    details = {f"exp_loss_{k}": v for k, v in m.items() if k != "seconds"}
    lt, a = np.array(m["log_T"]), np.array(m["alphas"])
    details["exp_loss_summary"] = (
        f"exp loss, T = first t with ||f_net - f_lin|| / ||f_lin|| >= {m['threshold']:g} on the data and test points: "
        f"log T = {np.round(lt, 3).tolist()} at alpha / rho = {list(m['alpha_over_rho'])} (rho = {m['rho']:.3g}); local "
        f"log-log slopes of log T vs alpha {np.round(m['local_loglog_slopes'], 3).tolist()} (heuristic -> 1: T ~ exp(c alpha)); "
        f"increments of log T per doubling of alpha grow by {np.round(m['increment_ratios'], 3).tolist()} (heuristic -> 2); "
        f"last pair: log T = {m['slope_logT_per_alpha_over_rho']:.4g} alpha / rho + {m['intercept']:.4g}; tangent-model motion at T "
        f"{np.round(m['lin_motion_at_T'], 3).tolist()}")
    fig = Figure("kernel-regime-exp-loss-time", f"Lazy regime, exp loss: time until the net leaves its tangent model by "
                 f"{m['threshold']:g}", "alpha", "log T(alpha)",
                 (Series(label, a.tolist(), lt.tolist(), "scatter"),
                  Series("log T proportional to alpha (heuristic, through the last point)", a.tolist(),
                         (lt[-1] * a / a[-1]).tolist())), "log", "log")
    return details, fig


__all__ = ["LADDER", "THRESHOLD", "exp_loss_report", "exp_loss_times", "labels"]
