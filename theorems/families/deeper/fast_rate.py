"""Aggressive (loss-normalized) steps close the l2 margin and direction gaps at O(1/t).

Schedule and rate: Ji & Telgarsky 2021 (ALT, PMLR 132), "Characterizing the implicit bias via a
primal-dual analysis" (abstract: "with a properly chosen but aggressive step size schedule, we prove
O(1/t) rates for both l2 margin maximization and implicit bias"); Nacson et al. 2019 (AISTATS),
"Convergence of gradient descent on separable data" (abstract: aggressive steps "that compensate for
the rapidly vanishing gradients" give log(t)/sqrt(t)). The stored text available to us gives the
abstracts, not the theorem statements, so the schedules are OURS, pinned by derivation:
eta_t = eta / L(w_t) with eta <= 1 / max_n ||x_n||^2 (exp loss). Derived: then w_{t+1} = w_t + eta q_t,
q_t = Z^T p_t, p_t = softmax(-Z w_t), and p_{t+1} is proportional to p_t exp(-eta Z q_t): entropic
mirror descent with a constant step on the dual f(p) = ||Z^T p||^2 / 2 (smooth: its l1->l_inf
Hessian bound is max ||z_n||^2), which converges at O(1/t); w_t / (eta t) = Z^T pbar_t + w_0/(eta t)
is the average, so the direction approaches w_hat/||w_hat|| at rate 1/t (the averaged dual's offset).
(The O(1/t) on f alone gives only ||Z^T pbar_t - q*|| = O(1/sqrt t); Theta(1/t) for the direction needs
sum_s ||q_s - q*|| < inf, which the linear local convergence of p_t to p* -- item 2 below -- supplies.)
Measured on 3000 steps: direction-gap slopes -0.98 to -0.99 in log t; margin gap -1 with >= 2
support vectors and -2 with ONE support vector (the first-order term vanishes, as for constant steps
in the separable family), so the margin part is one-sided (O(1/t)) and the direction part two-sided
(Theta(1/t)). The a = 1/2 schedule (eta (t+1)^(-1/2) / L, the slower Nacson-type one) and
constant-step GD run on the same data for the figure.

Regime (statement-independent; all three premises must hold on the window [T/30, T], else the run is
followed further, T -> 3T, up to T_MAX steps, and the instance is inconclusive beyond -- never a pass).
With q* = Z^T p* = w_hat/||w_hat||^2 = gamma u (p* = a/sum(a), a the certified SVM dual), write the
iterate as w_t = eta gamma t u + b_t: the offset b_t = w_0 + eta sum_{s<t} (q_s - q*) = beta_t u + c_t
(c_t perpendicular to u). The direction gap is EXACTLY a function of (t, b_t):
D_t = 2 sin(theta_t / 2), tan theta_t = |c_t| / (eta gamma t + beta_t), so t D_t -> |c_inf| / (eta gamma)
(Theta(1/t) as soon as b_t converges to a b_inf with c_inf != 0), and likewise the margin gap
(first order max_{n in S} (-z_n . c) / (eta gamma t)). Two pre-asymptotic terms bias the fitted slope:
 1. second order (a time shift): t D_t = (|c| / (eta gamma)) / (1 + tau / t) + O(t^-2), tau = beta / (eta gamma).
    beta_t is nondecreasing (q_s . u = sum_n p_n z_n . u >= gamma), and it is large when non-support points
    held weight for long, so tau can be ~ 10^2 steps. The premise: with b frozen at the run's b_T, the
    fitted slopes of log(t D) and log(t M) on the window's checkpoints (exact, computed from the closed forms)
    must be within RATE_MARGIN / 2 of 0 (direction, two-sided) and <= RATE_MARGIN / 2 (margin).
 2. relaxation of b_t: p_t -> p* linearly, the non-support weights at the rates eta gamma^2 (m_n - 1)
    (m_n = z_n . w_hat > 1: (z_n - z_sv) . q* = gamma^2 (m_n - 1)), the support block at the rates eta lambda,
    lambda the nonzero eigenvalues of Z_S^T (diag p* - p* p*^T) Z_S (linearizing p_{t+1} ~ p_t exp(-eta Z q_t)
    at p*); so the offset still to come after t_a is about rho_b = eta ||q_{t_a} - q*|| / (1 - exp(-r_min)).
    With rho = rho_b / |c_T|, log |c_t| moves by <= rho / (1 - rho) on the window, and a least-squares slope
    of such a term is bounded by kappa rho / (1 - rho), kappa = sum |x - xbar| / sum (x - xbar)^2 over the
    window's x = log t (~0.44). The premise: kappa rho / (1 - rho) <= RATE_MARGIN / 2.
    (A support point with zero multiplier, m_n = 1 and a_n = 0, has no linear rate: never premised.)
 3. the local slopes of log(direction gap) over the two halves of the window agree within REGIME_TOL.
Found by the thorough profile: X 5x2, eta_frac 0.5 (tests/test_fast_rate_regime.py) had t D = 10.96 at
t = 112 and 17.04 at t = 3000, fitted residual slope +0.14 on [100, 3000], while t D -> 17.83 (17.754 at
3e4, 17.828 at 3e5): tau = 139 steps and the slowest non-support point relaxes in 237 steps, so
[100, 3000] is pre-asymptotic; the premises move the window to [900, 27000], residual slope +0.033
(the frozen-offset model predicts +0.034). The check (two-sided rate): with rate(t) = t^-order (or
1/log t for the mutant), fit the slope of log(gap / rate) against log t over the window; the
direction's slope must be within RATE_MARGIN + 3 standard errors of 0 (neither growing nor decaying
against the rate), the margin's must be <= RATE_MARGIN + 3 SE. 1/log t (slope ~ -1) and 1/t^2
(slope +1) are refuted on the same run.
"""
from __future__ import annotations

import time

import numpy as np

from models.separable import gd_separable_batched
from models.step_schedules import margin_and_direction_gaps, normalized_gd
from solvers.svm import signed_data

from ...contract import Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...resolution import shift
from ...strategies.deeper import separable_with_start
from .common import A_LABELS, A_SEPARABLE, F_X, F_Y, in_range, svm_reference

T = 3000
T_MAX = 243000  # T, 3T, ..., 81T: the budget for following a pre-asymptotic run (~1.5 s of steps)
RATE_MARGIN = 0.1  # stated pre-asymptotic margin on the fitted slope (the mutants are 1.0 away)
REGIME_TOL = 0.1  # the two halves of the window must show the same power


@memo
def fast_run(X, y, w0, eta_frac, horizon):
    Z = signed_data(X, y)
    return normalized_gd(Z, w0, eta_frac / float(np.max(np.sum(Z**2, axis=1))), horizon, power=0.0)


@memo
def comparison_runs(X, y, w0, eta_frac):
    """The a = 1/2 schedule and constant-step GD on the same data (for the figure)."""
    Z = signed_data(X, y)
    eta = eta_frac / float(np.max(np.sum(Z**2, axis=1)))
    slow = normalized_gd(Z, w0, eta, T, power=0.5)
    s2 = float(np.linalg.norm(Z, 2)) ** 2
    L0 = float(np.sum(np.exp(-Z @ w0)))
    const = gd_separable_batched(Z, w0[None, :], [eta_frac * 2.0 / (max(L0, 1.0) * s2)], T, n_checkpoints=60)
    return slow, const


def _slope(t, g):
    A = np.vstack([np.log(t), np.ones_like(t)]).T
    coef, res, *_ = np.linalg.lstsq(A, g, rcond=None)
    r = g - A @ coef
    se = float(np.sqrt(np.sum(r**2) / max(len(t) - 2, 1) / np.sum((np.log(t) - np.log(t).mean()) ** 2)))
    return float(coef[0]), se


def regime(t, dg):
    """Statement-independent test that the run is in a power-law regime: the local slopes of
    log(direction gap) vs log t over the two equal-log halves of the window agree within REGIME_TOL."""
    mid = np.sqrt(t[0] * t[-1])
    a, b = t <= mid, t >= mid
    s1 = _slope(t[a], np.log(np.maximum(dg[a], 1e-300)))[0]
    s2 = _slope(t[b], np.log(np.maximum(dg[b], 1e-300)))[0]
    return abs(s1 - s2) <= REGIME_TOL, s1, s2


def relaxation_factor(Z, w_hat, a, eta) -> float:
    """1 / (1 - exp(-r_min)): the sum of exp(-r s) over s >= 0 for the slowest linear relaxation rate of
    the softmax weights at p* (module doc, item 2); inf when a point sits on the margin with a_n = 0."""
    g2 = 1.0 / float(w_hat @ w_hat)
    m = Z @ w_hat
    S = a > 0
    p = a[S] / a[S].sum()
    lam = np.linalg.eigvalsh(Z[S].T @ (np.diag(p) - np.outer(p, p)) @ Z[S])
    lam = lam[lam > 1e-9 * max(float(lam.max()), 1e-300)]  # zero modes do not move q = Z^T p
    rates = [eta * float(lam.min())] if lam.size else []
    if (~S).any():
        gap_n = float(np.min(m[~S] - 1.0))
        if gap_n <= 1e-9:
            return np.inf
        rates.append(eta * g2 * gap_n)
    return 1.0 / -np.expm1(-min(rates)) if rates else 1.0


def premises(Z, w_hat, eta, t, W, relax):
    """The window premises 1 and 2 of the module doc on the checkpoints t (the window) and iterates W."""
    g = 1.0 / float(np.linalg.norm(w_hat))
    u, q_star = w_hat * g, w_hat * g * g
    b = W[-1] - eta * t[-1] * q_star
    c = float(np.linalg.norm(b - (b @ u) * u))
    frozen = eta * g * t[:, None] * u[None, :] + b[None, :]
    mg, dg = margin_and_direction_gaps(Z, frozen, w_hat)
    geo_d = _slope(t, np.log(np.maximum(t * dg, 1e-300)))[0]
    geo_m = _slope(t, np.log(np.maximum(t * mg, 1e-300)))[0]
    v = Z @ W[0]
    e = np.exp(v.min() - v)
    rho = eta * float(np.linalg.norm(Z.T @ (e / e.sum()) - q_star)) * relax / max(c, 1e-300)
    x = np.log(t) - np.log(t).mean()
    drift = float(np.sum(np.abs(x)) / np.sum(x**2) * rho / (1.0 - rho)) if rho < 1.0 else np.inf
    ok = bool(abs(geo_d) <= RATE_MARGIN / 2 and geo_m <= RATE_MARGIN / 2 and drift <= RATE_MARGIN / 2)
    return ok, {"geometric_direction_bias": geo_d, "geometric_margin_bias": geo_m, "relaxation_bias": drift,
                "tau_second_order": float(b @ u) / (eta * g), "relaxation_steps": float(relax)}


def check(inst, stmt) -> Evidence:
    X, y, w0 = np.asarray(inst["X"], float), np.asarray(inst["y"], float), np.asarray(inst["w0"], float)
    t0 = time.perf_counter()
    w_hat, a, cert = svm_reference(X, y)
    Z = signed_data(X, y)
    eta = float(inst["eta_frac"]) / float(np.max(np.sum(Z**2, axis=1)))
    relax = relaxation_factor(Z, w_hat, a, eta)
    horizon = T
    while True:  # follow further while a premise fails, up to T_MAX
        fast = fast_run(X, y, w0, float(inst["eta_frac"]), horizon)
        mg, dg = margin_and_direction_gaps(Z, fast.w, w_hat)
        sel = fast.t >= horizon / 30
        t = fast.t[sel]
        window_ok, pre = premises(Z, w_hat, eta, t, fast.w[sel], relax)
        halves_ok, s1, s2 = regime(t, dg[sel])
        settled = window_ok and halves_ok
        if settled or 3 * horizon > T_MAX:
            break
        horizon *= 3
    t1 = time.perf_counter()
    lograte = (-stmt["order"] * np.log(t)) if stmt["rate"] == "power" else -np.log(np.log(t))
    sd, sed = _slope(t, np.log(np.maximum(dg[sel], 1e-300)) - lograte)
    sm, sem = _slope(t, np.log(np.maximum(mg[sel], 1e-300)) - lograte)
    tol_d = RATE_MARGIN + 3 * sed
    tol_m = RATE_MARGIN + 3 * sem
    gap = max(abs(sd) / tol_d, max(sm, 0.0) / tol_m)
    slow, const = comparison_runs(X, y, w0, float(inst["eta_frac"]))
    ms, ds = margin_and_direction_gaps(Z, slow.w, w_hat)
    mc, dc = margin_and_direction_gaps(Z, const.w[:, 0], w_hat)
    tf, tc = np.asarray(fast.t, float), np.asarray(const.t, float)
    k0 = int(np.searchsorted(tc, 2.0))  # 1/log t is anchored where log t > 0
    fig = Figure("deeper-fast-rate",
                 "Loss-normalized vs constant steps (guides c/t and c/log t)",
                 "step t", "gap (u_t = w_t / ||w_t||)",
                 (Series("eta/L(w_t): direction gap", tf.tolist(), np.maximum(dg, 1e-17).tolist()),
                  Series("eta/L(w_t): margin gap", tf.tolist(), np.maximum(mg, 1e-17).tolist()),
                  Series("eta (t+1)^-1/2 / L(w_t): margin gap", slow.t.tolist(), np.maximum(ms, 1e-17).tolist()),
                  Series("constant step: margin gap", tc.tolist(), np.maximum(mc, 1e-17).tolist()),
                  Series("guide c/t (through the first direction gap)", tf.tolist(),
                         (float(dg[0]) * tf[0] / tf).tolist()),
                  Series("guide c/log t (through the constant-step gap)", tc[k0:].tolist(),
                         (float(max(mc[k0], 1e-17)) * np.log(tc[k0]) / np.log(tc[k0:])).tolist())), "log", "log")
    return Evidence(
        gap=float(gap), tolerance=1.0,
        converged=settled,
        convergence_note=(f"window premises (module doc): frozen-offset slope biases direction "
                          f"{pre['geometric_direction_bias']:+.3f}, margin {pre['geometric_margin_bias']:+.3f} "
                          f"(tau = {pre['tau_second_order']:.3g} steps), relaxation bias <= {pre['relaxation_bias']:.3g} "
                          f"(each must be <= {RATE_MARGIN / 2}); local slopes of log(direction gap) on the two halves "
                          f"{s1:+.3f}, {s2:+.3f} (must agree within {REGIME_TOL}); horizon {horizon} steps (budget {T_MAX})"),
        tolerance_reason=(f"fitted slopes of log(gap/rate) vs log t on t in [{horizon // 30}, {horizon}]: direction {sd:+.3f} "
                          f"(|.| <= {RATE_MARGIN} + 3 SE = {tol_d:.3f}), margin {sm:+.3f} (<= {tol_m:.3f}); gap = the larger "
                          f"ratio to its bound (1 = at the bound)"),
        certificates=[cert], timings={"dynamics": t1 - t0}, figures=[fig],
        details={**pre, "horizon": horizon, "direction_slope_vs_rate": sd, "margin_slope_vs_rate": sm, "direction_gap_end": float(dg[-1]),
                 "margin_gap_end": float(mg[-1]), "support_vectors": int(np.sum(a > 0)), "s_end": float(fast.s[-1]),
                 "const_step_margin_gap_end": float(mc[-1]), "half_power_margin_gap_end": float(ms[-1])},
        reference={"w": w_hat},
        run_budget={"3 SE of the fitted slopes": 3.0 * max(sed, sem)},
    )


CLAIM = Claim(
    id="normalized-gd-fast-margin-rate",
    title="Loss-normalized steps eta/L(w_t) close the l2 margin and direction gaps at O(1/t)",
    statement=("GD on the exp loss with eta_t = eta / L(w_t), eta <= 1/max_n ||x_n||^2, separable data: the direction gap "
               "||w_t/||w_t|| - w_hat/||w_hat|||| = Theta(1/t) and the margin gap gamma - min_n y_n <w_t, x_n>/||w_t|| = O(1/t) "
               "(not 1/log t as for constant steps, not 1/t^2)"),
    source=("Ji & Telgarsky 2021 (ALT), 'Characterizing the implicit bias via a primal-dual analysis' (O(1/t) margin and "
            "bias rates with an aggressive schedule); Nacson et al. 2019 (AISTATS), 'Convergence of gradient descent on "
            "separable data' (aggressive steps); the schedule eta/L(w_t) and the mirror-descent argument: ours (module doc)"),
    assumptions=(A_LABELS, A_SEPARABLE, in_range("eta_frac", 1e-3, 1.0)),
    fields=(F_X, F_Y, Field("w0", 1, "start, length d"),
            Field("eta_frac", 0, "eta as a fraction of 1/max_n ||x_n||^2", default=1.0)),
    strategy=lambda: separable_with_start(("eta_frac",)),
    check=check,
    params={"rate": "power", "order": 1.0},
    mutants=(Mutant("one-over-log-t", "rate 1/log t (the constant-step rate)", {"rate": "log"}),
             Mutant("one-over-t-squared", "rate 1/t^2", {"order": 2.0})),
    kind="rate", family="deeper", examples={"quick": 4, "thorough": 20}, mutant_instances=3,
    # the fit's 3 SE is measured on the run: beyond resolution - stated margin it could absorb an order off by r
    resolution=Resolution(0.2, "order of the rate t^-order off by r", shift("order"), cap=0.2 - RATE_MARGIN),
)
