"""GD and heavy ball on separable data: the limit direction, the 1/log t rates, the margin-gap order.

Theorem (Soudry et al. 2018, JMLR, Thm 3; Srebro, 'Implicit bias' lecture slides, notes 001-003):
for linearly separable data, exp or logistic loss, GD with eta < 2/(beta_l sigma_max(Z)^2) from any
w0: w(t)/||w(t)|| -> w_hat/||w_hat||, w_hat = argmin ||w|| s.t. y_i <w, x_i> >= 1; in general
position w(t) = w_hat log t + rho(t) with rho bounded, so the direction and margin gaps are
Theta(1/log t) and the loss Theta(1/t). Momentum: the same limit direction (Gunasekar et al. 2018a,
sec. 3; Nacson et al. 2019).

The limit direction (:func:`check_direction`) is judged where 1/log t no longer limits it. Beyond
step T, GD is an explicit Euler scheme of the gradient flow whose steps shrink like 1/t: the sum of
its local errors, ~ sum_t eta^2 L(w_t)^2 ||Z||^4 ~ sum_t 1/t^2, is finite, so GD's path from w_T and
the flow's from w_T stay a bounded distance apart (heavy ball likewise once its velocity ~ 1/t; the
logistic loss's weights differ from the exponential loss's by a factor 1 + O(L) whose integral is
finite), and a bounded difference does not move the limit direction. So GD's limit direction from
w0 is the flow's from w_T: each of the four variants (exp/logistic x GD/heavy ball, one batched run
to flow time 1e3) is continued from its own last iterate by the exponential-loss flow in the frame
co-moving with w_hat up to log(1/L) = 1e10. There the limit direction is estimated by the secant
over the last decade of log(1/L), with an error bound read off the run (the secant's movement from
the previous decade + the ODE error) that uses neither w_hat nor the statement: ~1e-17 in general
position, instead of the ~1/log t ~ 0.1 of the GD run itself; a flow that lands elsewhere is a
counterexample. That is also what lets a slowly settling instance (a small settling exponent mu,
e.g. Soudry et al.'s Fig. 1 with mu = 1/4) be judged instead of refused.

The flow's limit direction is w_hat from ANY start, so the continuation alone cannot see GD: the
argument above needs GD to be a consistent discretization of the flow, and that is measured on the
same instance (:mod:`.consistency`: each variant at eta and eta/2 against the gradient flow of its
loss from w0 at matched flow time, the deviation shrinking at order >= 1/2, ~1 measured). A GD with
a wrong gradient, a missing point, a wrong step or its momentum ignored fails it, and the instance
is inconclusive (never a pass). The margin-gap erratum (:func:`check_margin_order`) is judged the
same way, on the flow continuing each GD run.

The rates (:func:`check_rate`) are statements about GD's own path at finite t: they stay on the GD
run (see :mod:`.gd_runs`) and declare what 1/log t allows.
"""
from __future__ import annotations

import math
import time

import numpy as np

from solvers.certificate import Certificate
from solvers.certify.svm import hard_margin_svm
from solvers.svm import signed_data

from ...contract import Assumption, Claim, Evidence, Figure, Mutant, Resolution, Series, Verdict
from ...resolution import perturb_limit, shift
from ...strategies.separable import separable_instances
from .common import (A_BETA, A_DISTINCT, A_ETA, A_GP, A_SEP, A_SHAPES, F_GD, FAR_S_END, GD_NAMES, SOURCE,
                     chord_and_tan, far_flow, frame_of, lp_reference, normalize, svm_of, thin, unit, vtv, weights_of)
from .consistency import consistency, consistency_figure, consistency_summary
from .degenerate import _perp, margin_gap
from .gd_runs import SHARE_CAP, TAU_END, VARIANTS, WIN, carry_factor, gd_runs, horizon_status, settled_runs, windows

DIRECTION_TAU = 1e3  # flow time of the GD runs the far flow continues (GD's part of the direction claim)
DIRECTION_STEPS = 60_000
LOSS_ORDER_MARGIN = 0.1  # stated margin on the fitted loss order (a faster 1/t^2 is 1.0 away)
GD_EXAMPLES = {"quick": 4, "thorough": 24}


# ---- predicted limits (statement parts a mutant can override) ----------------------------------

def svm_direction(inst):
    """The theorem: w_hat = argmin ||w||_2 s.t. y_i <w, x_i> >= 1."""
    w, a, cert, mu = svm_of(inst)
    return w, cert


def l1_max_margin_direction(inst):
    """Mutant (wrong norm): argmin ||w||_1 s.t. margins >= 1."""
    return lp_reference(inst["X"], inst["y"], 1)


def linf_max_margin_direction(inst):
    """Mutant (wrong norm): argmin ||w||_inf s.t. margins >= 1."""
    return lp_reference(inst["X"], inst["y"], np.inf)


def mean_signed_point(inst):
    """Mutant: the 'Hebbian' direction mean_i y_i x_i (what one GD step from 0 points to)."""
    return signed_data(inst["X"], inst["y"]).mean(0), Certificate("closed form", {}, 0.0)


# ---- claim 1: the limit direction, GD continued by the flow to log(1/L) = 1e10 ---------------------

EPS = np.finfo(float).eps
LD = np.longdouble


def _decade(S, k):
    """Index of the output point nearest to s_end / 10^k."""
    return int(np.argmin(np.abs(np.log(S) - (np.log(S[-1]) - k * math.log(10.0)))))


def _secant_unit(S, R, f, a, b):
    """unit(w(s_b) - w(s_a)) in long double (w = s f + r: the difference is (s_b - s_a) f + r_b - r_a)."""
    W = (R[b] - R[a]).astype(LD) + LD(S[b] - S[a]) * np.asarray(f).astype(LD)
    return (W / np.sqrt(W @ W)).astype(float)


def _secant_chord(S, R, f, a, b, u):
    """||unit(w(s_b) - w(s_a)) - u||, without forming w (angles ~1e-17 keep their digits)."""
    return float(chord_and_tan((R[b] - R[a])[None, :], np.array([S[b] - S[a]]), f, u)[0][0])


def far_direction(inst, w_start, u_stmt):
    """The limit direction of the flow from ``w_start``, estimated at log(1/L) = 1e10.

    Estimator: the secant u_1 = unit(w(s_end) - w(s_end/10)) over the last decade of s = log(1/L).
    With w(s) = s v + r(s), v the limit velocity, its error is ||P_perp(r(s_end) - r(s_end/10))|| /
    (0.9 s_end ||v||): r converges (general position) or grows like w_tilde log s (degenerate data),
    so the error shrinks by ~10x per decade. Its remaining error is bounded by the movement of the
    secant from the previous decade, ||u_1 - u_2||, u_2 = unit(w(s_end/10) - w(s_end/100)): if the
    error shrinks at least 2x per decade, err(u_1) <= ||u_1 - u_2||. That premise is tested on the
    run (||u_2 - u_3|| >= 2 ||u_1 - u_2||, above round-off). Neither the estimate nor its error bound
    uses w_hat or the statement: a flow (or a GD) that lands elsewhere is refuted, not excused.
    Round-off: the statement's float64 direction vs the long-double frame the flow is computed in
    (the certified direction's own distance to its refinement) + 8 ulp.

    ODE error: the same secant on the flow integrated at 10x looser tolerances (its distance to the
    default run's bounds the default run's error from above); it also floors the premise test.

    Returns (gap, movement, previous movement, ODE error, round-off, far-end gap, run)."""
    Z = signed_data(inst["X"], inst["y"])
    f = frame_of(inst)
    run = far_flow(Z, np.asarray(w_start, float), weights_of(inst), f)
    chk = far_flow(Z, np.asarray(w_start, float), weights_of(inst), f, loose=True)
    S, R = run.t, run.info["r"]
    end, d1, d2, d3 = len(S) - 1, _decade(S, 1), _decade(S, 2), _decade(S, 3)
    u1 = _secant_unit(S, R, f, d1, end)
    gap = _secant_chord(S, R, f, d1, end, u_stmt)
    move = _secant_chord(S, R, f, d2, d1, u1)
    prev = _secant_chord(S, R, f, d3, d2, _secant_unit(S, R, f, d2, d1))
    Sc, Rc = chk.t, chk.info["r"]
    ode = _secant_chord(Sc, Rc, f, _decade(Sc, 1), len(Sc) - 1, u1) if chk.info["success"] else math.inf
    fu = np.asarray(f, float) / np.linalg.norm(np.asarray(f, float))
    roundoff = float(np.linalg.norm(unit(svm_of(inst)[0]) - fu)) + 8 * EPS
    at_end = float(chord_and_tan(R[-1:], S[-1:], f, u_stmt)[0][0])
    return gap, move, prev, ode, roundoff, at_end, run


def check_direction(inst, stmt):
    t0 = time.perf_counter()
    run, eff = gd_runs(inst, DIRECTION_TAU, DIRECTION_STEPS)
    cons = consistency(inst, DIRECTION_TAU, DIRECTION_STEPS)
    t1 = time.perf_counter()
    w_lim, cert = stmt["limit"](inst)
    t2 = time.perf_counter()
    w_hat = svm_of(inst)[0]
    u = unit(w_lim)
    worst, series, ok, notes, gd_gaps, far_gaps = None, [], True, [], {}, {}
    for b, (loss, opt) in enumerate(VARIANTS):
        W = run.w[:, b]
        gd_gap = np.linalg.norm(W / np.linalg.norm(W, axis=1)[:, None] - unit(w_hat), axis=1)
        gd_gaps[f"{opt}/{loss}"] = float(gd_gap[-1])
        stable = bool(np.isfinite(run.loss[-1, b]) and run.loss[-1, b] < run.loss[0, b])
        gap, move, prev, ode, roundoff, at_end, far = far_direction(inst, W[-1], u)
        far_gaps[f"{opt}/{loss}"] = at_end
        settled = move <= 0.5 * prev + 16 * EPS + 2.0 * ode
        ok &= stable and settled and far.info["success"] and far.t[-1] >= 1e10 * (1 - 1e-9)
        if not stable:
            notes.append(f"{opt}/{loss}: GD loss did not decrease ({run.loss[0, b]:.3g} -> {run.loss[-1, b]:.3g})")
        if not settled:
            notes.append(f"{opt}/{loss}: the secant direction still turns (movement {move:.2e} over the last decade vs "
                         f"{prev:.2e} over the one before: less than the 2x decay its error bound assumes)")
        tol = move + ode + roundoff
        rec = (gap / tol if tol > 0 else math.inf, gap, move, ode, roundoff, loss, opt, float(run.t[-1] * eff[b]))
        if worst is None or rec[0] > worst[0]:
            worst = rec
        tau = run.t * eff[b]
        chord, _ = chord_and_tan(far.info["r"], far.t, frame_of(inst), u)
        series.append(Series(f"{opt}, {loss} loss (GD to tau = {tau[-1]:.3g}, then the flow)",
                             thin(np.r_[tau, tau[-1] * far.t / far.t[0]]).tolist(),
                             thin(np.maximum(np.r_[np.linalg.norm(W / np.linalg.norm(W, axis=1)[:, None] - u, axis=1), chord],
                                             1e-17)).tolist()))
    if not cons["ok"]:
        ok = False
        notes.append("the continuation does not stand for GD: " + cons["note"])
    _, gap, move, ode, roundoff, loss, opt, tau_end = worst
    reason = (f"the limit direction estimated by the secant unit(w(s_end) - w(s_end/10)), s_end = log(1/L) = 1e10, of the flow "
              f"continuing GD from its last iterate (tau = {tau_end:.3g}); its error <= the secant's movement from the previous "
              f"decade ({move:.1e}) + the ODE error (the same secant at 10x looser tolerances, {ode:.1e}) + float64 round-off of "
              f"the predicted direction vs the long-double frame ({roundoff:.1e}); "
              f"worst variant {opt}/{loss}")
    fig = Figure("separable-direction-gap", "GD on separable data, continued by the flow: direction gap to the predicted limit",
                 "flow time tau (GD), then tau_end x s/s_switch (flow, s = log(1/L))", "||w/||w|| - u||",
                 tuple(series), xscale="log", yscale="log")
    return Evidence(
        gap=gap, tolerance=move + ode + roundoff, tolerance_reason=reason, certificates=[svm_of(inst)[2], cert],
        converged=ok, convergence_note="; ".join(notes) or ("every variant's GD loss decreased; " + consistency_summary(cons)
                                                             + "; flows reached log(1/L) = 1e10, secant directions settled"),
        timings={"dynamics": t1 - t0, "reference": t2 - t1, "flow": time.perf_counter() - t2},
        figures=[fig, consistency_figure(cons)],
        details={"gd_steps": int(run.t[-1]), "mu": svm_of(inst)[3], "gd_direction_gap_at_T": gd_gaps,
                 "flow_direction_gap_at_s_end": far_gaps,
                 "gd_flow_consistency": {r["variant"]: {k: v for k, v in r.items() if k != "variant"} for r in cons["rows"]},
                 "secant_movement": move, "ode_error": ode, "roundoff": roundoff, "variants": len(VARIANTS)},
        reference={"w": w_lim},
        run_budget={"secant movement over the previous decade": move, "ODE error (LSODA at rtol 1e-11 vs 1e-10)": ode,
                    "float64 round-off of the predicted direction": roundoff},
    )


# ---- claim 2: rates (two-sided), on GD's own path ----------------------------------------------

def log_rate(tau):
    return 1.0 / np.log(tau)


def log2_rate(tau):
    return 1.0 / np.log(tau) ** 2


def inv_rate(tau):
    return 1.0 / tau


def bounded(tau):
    return np.ones_like(tau)


def check_rate(inst, stmt):
    t0 = time.perf_counter()
    w_hat, a, cert, mu = svm_of(inst)
    t1 = time.perf_counter()
    runs = settled_runs(inst)
    t2 = time.perf_counter()
    Z = signed_data(inst["X"], inst["y"])
    u = unit(w_hat)
    gamma_hat = 1.0 / float(np.linalg.norm(w_hat))
    worst = (-math.inf, None)
    share = max(r[5].get("carry_share", 0.0) for r in runs)  # statement-independent (gd_runs.carry_share)
    figs_dir, figs_marg, figs_loss, figs_rho = [], [], [], []
    details = {"mu": mu, "horizon_factors": {f"{o}/{l}": r[4] for (l, o), r in zip(VARIANTS, runs)}}
    for b, (loss, opt) in enumerate(VARIANTS):
        tau, W, L = runs[b][0], runs[b][1], runs[b][2]
        nW = np.linalg.norm(W, axis=1)
        # each quantity is a norm of a vector V (direction: ||w/||w|| - u||_2; margin gap: the max
        # over the active points of gamma_hat - y_i<w,x_i>/||w||, 1-Lipschitz in the max norm;
        # rho: ||w - w_hat log tau||_2); the carry bounds the remaining movement of V/rate, so the
        # allowance uses the path length of V/rate in that norm (>= the quantity's own variation)
        # the points attaining the min margin somewhere in the judged windows (the max of the
        # per-point gaps there is a max over these only)
        early, late = windows(tau)
        active = np.unique(np.argmin((W @ Z.T)[early | late], axis=1))
        vecs = {
            "direction gap": (W / nW[:, None] - u, 2, stmt["direction_rate"]),
            "margin gap": (gamma_hat - (W @ Z.T)[:, active] / nW[:, None], np.inf, stmt["margin_rate"]),
            "||rho||": (W - np.outer(np.log(tau), w_hat), 2, stmt["rho_rate"]),
        }
        quantities = {
            name: ((np.max(V, axis=1) if ord_ == np.inf else np.linalg.norm(V, axis=1)), ord_, V, rate)
            for name, (V, ord_, rate) in vecs.items()
        }
        early, late = windows(tau)
        carry = carry_factor(tau[-1], mu)
        # loss: the order p of L ~ tau^-p fitted on the later part (asymptotic kind: fit + stated margin)
        (p_fit, _), cov = np.polyfit(np.log(tau[late]), -np.log(L[late]), 1, cov=True)
        se = float(np.sqrt(cov[0, 0]))
        loss_score = abs(p_fit - stmt["loss_order"]) / (LOSS_ORDER_MARGIN + 2.0 * se)
        details[f"{opt}/{loss}: fitted loss order"] = float(p_fit)
        if loss_score > worst[0]:
            worst = (loss_score, f"loss order for {opt}, {loss} loss: fitted {p_fit:.3f} +- {se:.1e} vs {stmt['loss_order']:g} "
                                 f"(margin {LOSS_ORDER_MARGIN} + 2 se)")
        for name, (q, ord_, V, rate) in quantities.items():
            r_t = rate(tau)
            ratio = q / r_t
            allow = carry * vtv((V / r_t[:, None])[early], ord_)
            upper = float(ratio[early].max()) + allow
            score = float(ratio[late].max()) / upper
            details[f"{opt}/{loss}: {name} ratio early max"] = upper - allow
            details[f"{opt}/{loss}: {name} ratio late max"] = float(ratio[late].max())
            if score > worst[0]:
                worst = (score, f"{name} / rate for {opt}, {loss} loss: later max {ratio[late].max():.3g} vs early "
                                f"bound {upper:.3g} (early max + carry {carry:.2f} x early path length {allow / max(carry, 1e-300):.3g}; "
                                f"tau_end {tau[-1]:.3g})")
        lab = f"{opt}, {loss}"
        figs_dir.append(Series(lab, thin(tau).tolist(), thin(quantities["direction gap"][0]).tolist()))
        figs_marg.append(Series(lab, thin(tau).tolist(), thin(np.maximum(quantities["margin gap"][0], 1e-17)).tolist()))
        figs_loss.append(Series(lab, thin(tau).tolist(), thin(L).tolist()))
        figs_rho.append(Series(lab, thin(tau).tolist(), thin(quantities["||rho||"][0]).tolist()))
    tau_ref = np.geomspace(max(math.e, TAU_END ** WIN[0]), TAU_END, 50)
    g0 = figs_dir[0].y[-1] * math.log(TAU_END)
    figs_dir.append(Series("predicted C / log tau", tau_ref.tolist(), (g0 / np.log(tau_ref)).tolist()))
    l0 = figs_loss[0].y[-1] * TAU_END
    figs_loss.append(Series("predicted C / tau", tau_ref.tolist(), (l0 / tau_ref).tolist()))
    figures = [
        Figure("separable-rate-direction", "Direction gap vs flow time (predicted slope 1/log tau)", "tau", "direction gap",
               tuple(figs_dir), "log", "log"),
        Figure("separable-rate-margin", "Margin gap 1/||w_hat|| - min_i y_i<w,x_i>/||w|| vs tau", "tau", "margin gap",
               tuple(figs_marg), "log", "log"),
        Figure("separable-rate-loss", "Training loss vs tau (predicted slope -1)", "tau", "L(w)", tuple(figs_loss), "log", "log"),
        Figure("separable-rho", "||rho(t)|| = ||w(t) - w_hat log tau|| (bounded)", "tau", "||rho||", tuple(figs_rho), "log", "linear"),
    ]
    return Evidence(
        gap=worst[0], tolerance=1.0,
        tolerance_reason=("max over quantities of (later max of quantity/rate) / (early-window bound), and of "
                          "|fitted loss order - predicted| / (0.1 + 2 se); bound = early max "
                          "+ carry x early path length of the vector whose norm is the quantity (divided by the rate), "
                          f"carry = rho_w/(1-rho_w), rho_w = tau_end^(-mu/8), mu = {mu:.2f}; runs that failed the "
                          "statement-independent regime test re-run with tau_end x10 or at once to the horizon the flow continuing "
                          "them forecasts (x100 at most; a forecast beyond that is reported, not run); "
                          "worst: " + (worst[1] or "")),
        certificates=[cert],
        converged=horizon_status(runs)[0],
        convergence_note=horizon_status(runs)[1],
        timings={"dynamics": t2 - t1, "reference": t1 - t0},
        figures=figures,
        details={**details, "carry_share": share},
        reference={"w": w_hat},
        run_budget={"carry allowance share of the early-window bound": share},
    )


# ---- the margin-gap order (erratum of the catalogue) ------------------------------------------------


# ---- the margin-gap order with one support vector (erratum of the catalogue), on the far flow -------

MARGIN_FIT_REL_TOL = 0.10  # stated fit margin (the O(1/s^2) corrections are ~1e-7 on the fit window)

def _margin_fit(inst, w_start, k, f, w_hat):
    """(miss, ode_err, s, g, pred, ok) of the K/(s + c)^k fit on the flow from ``w_start`` (see check_margin_order)."""
    Z = signed_data(inst["X"], inst["y"])
    run = far_flow(Z, w_start, weights_of(inst), f)
    chk = far_flow(Z, w_start, weights_of(inst), f, loose=True)
    g = margin_gap(inst, run, {"w_hat_ld": f}, *_perp(run, w_hat))
    g2 = margin_gap(inst, chk, {"w_hat_ld": f}, *_perp(chk, w_hat))
    s = run.t
    win = (s >= FAR_S_END ** (1 / 3)) & (s <= FAR_S_END ** 0.5)
    ok = bool(run.info["success"] and chk.info["success"] and s[-1] >= FAR_S_END * (1 - 1e-9) and np.all(g[win] > 0))
    if not ok:
        return math.inf, math.inf, s, g, math.nan, False
    coef = np.polyfit(s[win], g[win] ** (-1.0 / k), 1)
    base = float(np.polyval(coef, s[-1]))
    pred = abs(base) ** (-k) if base > 0 else math.inf
    miss = abs(float(g[-1]) - pred) / float(g[-1])
    ode_err = abs(float(g[-1]) - float(g2[-1])) / float(g[-1])
    return miss, ode_err, s, g, pred, ok


def check_margin_order(inst, stmt):
    """Fit margin gap = K / (s + c)^k on s = log(1/L) in [s_end^(1/3), s_end^(1/2)] (a linear fit of
    gap^(-1/k) in s), predict s_end = 1e10; gap = relative miss, the worst over the four variants.

    Each variant (exp/logistic x GD/heavy ball) is run to flow time 1e3 and continued from its last
    iterate by the exponential-loss flow to s_end, as in :func:`check_direction` (the margin-gap
    order at log(1/L) ~ 1e5 is out of any GD run's reach; the flow from GD's last iterate is GD's path
    in the eta -> 0 limit, the same orders). The continuation stands for GD only because GD is shown,
    on the same instance, to follow the gradient flow at first order (:mod:`.consistency`); a variant
    that does not makes the instance inconclusive.

    With one support vector z (w_hat = z/||z||^2) and w = s w_hat + r, the support vector's margin is
    gamma (1 + ||P_perp r||^2 / N^2)^(-1/2), N = s ||w_hat|| + <r, u>: margin gap = gamma ||P_perp r||^2 /
    (2 N^2) (1 + O(1/s^2)) with r settled exponentially fast in s, i.e. K/(s + c)^2; k = 1 extrapolated
    over log(s_end / 1e5) = 11.5 misses by far more than the 10% fit margin."""
    t0 = time.perf_counter()
    run, eff = gd_runs(inst, DIRECTION_TAU, DIRECTION_STEPS)
    cons = consistency(inst, DIRECTION_TAU, DIRECTION_STEPS)
    t1 = time.perf_counter()
    f = frame_of(inst)
    w_hat, a, cert, mu = svm_of(inst)
    k = float(stmt["margin_order"])
    fits = [_margin_fit(inst, run.w[-1, b], k, f, w_hat) for b in range(len(VARIANTS))]
    b = int(np.argmax([fi[0] for fi in fits]))
    miss, _, s, g, pred, _ = fits[b]
    ode_err = max(fi[1] for fi in fits)
    converged = all(fi[5] for fi in fits) and cons["ok"]
    note = (f"reached log(1/L) = {s[-1]:.3g} from every variant's last GD iterate; margin gap at the far end {g[-1]:.3g} "
            f"({VARIANTS[b][1]}/{VARIANTS[b][0]}); " + (consistency_summary(cons) if cons["ok"] else
                                                    "the continuation does not stand for GD: " + cons["note"]))
    if not all(fi[5] for fi in fits):
        note = "a continuation flow failed or a margin gap vanished on the fit window; " + note
    th = thin(np.arange(len(s)), 150)
    return Evidence(
        gap=miss, tolerance=MARGIN_FIT_REL_TOL + ode_err,
        tolerance_reason=(f"|gap(s_end) - K/(s_end + c)^{k:g}| / gap(s_end), K, c fitted on s = log(1/L) in [s_end^(1/3), "
                          f"s_end^(1/2)] of the flow continuing each GD / heavy-ball run to s_end = {s[-1]:.3g} (worst variant "
                          f"{VARIANTS[b][1]}/{VARIANTS[b][0]}): the 10% fit margin + the ODE error {ode_err:.1e} "
                          f"(LSODA at rtol 1e-11 vs 1e-10)"),
        certificates=[cert],
        converged=converged,
        convergence_note=note,
        timings={"dynamics": t1 - t0, "reference": time.perf_counter() - t1},
        figures=[Figure("separable-margin-gap-order", "Margin gap x log^k(1/L) along the flow continuing GD (one support vector)",
                        "s = log(1/L)", "margin gap x s^k",
                        (Series(f"flow from {VARIANTS[b][1]}/{VARIANTS[b][0]}: gap x s^{k:g}", s[th].tolist(),
                                (g * s**k)[th].tolist()),), "log", "log")],
        details={"miss": miss, "order": k, "support_vectors": int(np.sum(a > 0)), "margin_gap_far": float(g[-1]),
                 "predicted_far": pred, "ode_error": ode_err, "misses": {f"{o}/{l}": fi[0] for (l, o), fi in zip(VARIANTS, fits)},
                 "gd_flow_consistency": {r["variant"]: r["order"] for r in cons["rows"]}},
        reference={"w": w_hat},
        run_budget={"ODE error (LSODA at rtol 1e-11 vs 1e-10)": ode_err},
    )


# ---- assumptions and claims ------------------------------------------------------------------------

def _unequal_duals(inst):
    if A_SHAPES.test(inst) or A_SEP.test(inst):
        return "not separable"
    a = svm_of(inst)[1]
    aS = a[a > 0]
    spread = float(aS.max() / aS.min() - 1.0) if aS.size else 0.0
    return None if spread >= 0.05 else f"support-vector duals equal to {spread:.0%} (margin gap is then O(1/log^2 t))"


def _single_sv(inst):
    if A_SHAPES.test(inst) or A_SEP.test(inst):
        return "not separable"
    return None if int(np.sum(svm_of(inst)[1] > 0)) == 1 else "more than one support vector"


A_UNEQUAL = Assumption("support-vector duals not all equal (max/min >= 1.05)", _unequal_duals)
A_SINGLE = Assumption("exactly one support vector", _single_sv)

LIMIT_MUTANTS = (
    Mutant("l1-max-margin", "limit direction argmin ||w||_1 s.t. margins >= 1 (wrong norm)", {"limit": l1_max_margin_direction}),
    Mutant("linf-max-margin", "limit direction argmin ||w||_inf s.t. margins >= 1 (wrong norm)", {"limit": linf_max_margin_direction}),
    Mutant("mean-direction", "limit direction mean_i y_i x_i (the first GD step from 0)", {"limit": mean_signed_point}),
)
# the secant direction over the last decade to log(1/L) = 1e10 is known to its movement (~1e-17 in general
# position, ~2.4e-9 ||w_tilde||/||w_hat|| on degenerate data, whose r grows like log s) + the float64 round-off
# of the predicted direction (<~1e-14): a limit moved by 1e-8 is outside on every data set whose log log term
# is not 4x longer than w_hat (degenerate instance files beyond that are inconclusive, the budget exceeding the cap)
DIRECTION_RESOLUTION = Resolution(1e-8, "relative perturbation of the predicted limit direction (w_hat) in a fixed random direction",
                                  perturb_limit("limit"))
# the loss order is fitted to +-(0.1 + 2 se): an exponent off by 0.2 is outside. The run budget is the
# carry allowance's share of an early-window bound (gap units are ratios to that bound): the slowest wrong
# rate, 1/log^2 t, grows by log(tau_end)/log(tau_end^(3/4)) = 4/3 from the early window to the end, so an
# allowance above 1 - 3/4 = 1/4 of the bound could absorb it
RATE_RESOLUTION = Resolution(0.2, "exponent p of the loss rate L ~ t^-p off by r", shift("loss_order"), cap=SHARE_CAP)
# one support vector: gap^(-1/k) is fitted linearly in s on [2e3, 1e5] and extrapolated to 1e10; an order off
# by r misses by ~ r log(1e5) ~ 11.5 r relative at the end, against the 10% fit margin: r = 0.05 is outside.
# The run budget (the ODE error, a relative miss) may use at most half that margin
MARGIN_ORDER_RESOLUTION = Resolution(0.05, "order k of the margin gap K/(log t + c)^k off by r (applied to the corrected k = 2)",
                                     shift("margin_order"), cap=0.05)
COMMON = dict(fields=F_GD, family="separable", normalize=normalize, examples=GD_EXAMPLES)

CLAIMS = (
    Claim(
        id="gd-separable-svm-direction",
        title="GD (and heavy ball) on separable data turns to the hard-margin SVM direction",
        statement=("separable data, exp or logistic loss, GD / heavy ball with eta < 2/(beta_l sigma_max^2), any w0: "
                   "w(t)/||w(t)|| -> w_hat/||w_hat||, w_hat = argmin ||w||_2 s.t. y_i <w, x_i> >= 1"),
        source=SOURCE + "; momentum: Gunasekar et al. 2018a, sec. 3",
        assumptions=(A_SHAPES, A_DISTINCT, A_SEP, A_ETA, A_BETA),
        strategy=lambda: separable_instances(GD_NAMES),
        check=check_direction,
        params={"limit": svm_direction},
        mutants=LIMIT_MUTANTS,
        kind="limit",
        resolution=DIRECTION_RESOLUTION,
        verify=hard_margin_svm,
        **COMMON,
    ),
    Claim(
        id="gd-separable-rate",
        title="GD on separable data: ||rho|| bounded, direction and margin gap Theta(1/log t), loss Theta(1/t)",
        statement=("w(t) = w_hat log t + rho(t), ||rho(t)|| bounded; ||w/||w|| - w_hat/||w_hat|||| and "
                   "1/||w_hat|| - min_i y_i<w,x_i>/||w|| are O(1/log t) (and not faster: 1/log^2 t, 1/t rejected; "
                   ">= 2 support vectors with unequal duals, see separable-margin-gap-single-sv); L(w(t)) = Theta(1/t)"),
        source=SOURCE + "; rates: notes 001 'Convergence to the max margin'",
        assumptions=(A_SHAPES, A_DISTINCT, A_SEP, A_GP, A_ETA, A_BETA, A_UNEQUAL),
        strategy=lambda: separable_instances(GD_NAMES, k_range=(2, 5)),
        check=check_rate,
        params={"direction_rate": log_rate, "margin_rate": log_rate, "loss_order": 1.0, "rho_rate": bounded},
        mutants=(
            Mutant("direction-log2", "direction gap O(1/log^2 t)", {"direction_rate": log2_rate}),
            Mutant("direction-inv-t", "direction gap O(1/t)", {"direction_rate": inv_rate}),
            Mutant("margin-log2", "margin gap O(1/log^2 t)", {"margin_rate": log2_rate}),
            Mutant("margin-inv-t", "margin gap O(1/t)", {"margin_rate": inv_rate}),
            Mutant("loss-inv-t2", "loss Theta(1/t^2)", {"loss_order": 2.0}),
            Mutant("rho-shrinks", "rho(t) = O(1/log t) (w(t)/log t -> w_hat with no O(1) offset)", {"rho_rate": log_rate}),
        ),
        kind="rate",
        resolution=RATE_RESOLUTION,
        verify=hard_margin_svm,
        **COMMON,
    ),
    Claim(
        id="separable-margin-gap-single-sv",
        title="The margin gap is Theta(1/log t) for all separable data (false with one support vector)",
        statement=("(catalogue entry 3) margin gap 1/||w_hat|| - min_i y_i<w(t),x_i>/||w(t)|| = Theta(1/log t), "
                   "checked two-sided on data with a single support vector"),
        source=SOURCE + "; the statement catalogue, entry 3 ('direction gap and margin gap Theta(1/log t)')",
        assumptions=(A_SHAPES, A_DISTINCT, A_SEP, A_GP, A_SINGLE, A_ETA, A_BETA),
        strategy=lambda: separable_instances(GD_NAMES, k_range=(1, 1)),
        check=check_margin_order,
        params={"margin_order": 1.0},
        mutants=(Mutant("margin-log2-corrected", "the corrected statement: margin gap = K/(log t + c)^2 (one support vector)",
                        {"margin_order": 2.0}, must=Verdict.CONFIRMED),),
        expected="fails",
        erratum=("margin gap = Theta(1/log t) only when the support-vector duals differ: to first order it is "
                 "(weighted mean - min over support vectors of <z_i, w_tilde>) / (||w_hat|| log t), which vanishes for a "
                 "single support vector (or equal duals); then the margin gap is Theta(1/log^2 t). The notes (001) say "
                 "O(1/log t), which holds."),
        kind="asymptotic",
        resolution=MARGIN_ORDER_RESOLUTION,
        verify=hard_margin_svm,
        **COMMON,
    ),
)
