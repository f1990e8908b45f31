"""Steepest descent w.r.t. ||.||_p on separable data: the l_p max margin (Gunasekar et al. 2018a, Thm 5).

Claim (Gunasekar, Lee, Soudry, Srebro 2018a, Thm 5; Srebro, 'Implicit bias' lecture slides, note
001): steepest descent w.r.t. ||.||_p on the exponential loss with eta_t <= 1/(B^2 L(w_t)), B = max_i
||z_i||_* (p = 1: greedy coordinate descent; p = inf: sign descent) drives the l_p-normalized margin
min_i <z_i, w> / ||w||_p to the l_p max margin, max over ||w||_p <= 1 of min_i <z_i, w>.

The run (:func:`models.separable.steepest_descent_log_domain`) is the sequential algorithm itself,
in the log domain, as a handful of numpy calls per step (~7-9 us); its cost is the number of steps,
~ s_end B^2 / (c gamma_p^2) (a step moves w by c gamma_p / B^2 while log(1/L) ~ gamma_p ||w||_p):
2e4 to 1e6 steps at s_end = 100 on the strategy's instances. Each run's step budget is the number of
steps within which it provably reaches s_end (:func:`sd_step_bound`), capped at SD_STEP_CAP (~10 s); a run
stopped by the cap is judged at the level it reached (at least SD_MIN_S = 30). Runs are memoized, so
mutants and the resolution ladder only redo the comparison.
"""
from __future__ import annotations

import math
import time

import numpy as np
from scipy.special import logsumexp

from models.separable import steepest_descent_log_domain
from solvers.certify.svm import l1_max_margin, linf_max_margin
from solvers.svm import signed_data

from ...contract import Claim, Evidence, Figure, Mutant, Resolution, Series, Verdict
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.separable import separable_instances
from .common import A_DISTINCT, A_SEP, A_SHAPES, F_BASE, SD_SOURCE, lp_reference, normalize, thin, unit, w0_of, weights_of
from .gd import l1_max_margin_direction, linf_max_margin_direction, svm_direction

SD_S_END = 100.0
# step eta_t = c / (B^2 L(w_t)). Thm 5's bound allows c up to 1, but the limit is only reached as the
# step shrinks: with c = 1/2 greedy coordinate descent can stall at an O(c) margin deficit (found by the
# thorough profile; `steepest-descent-l1-fixed-step` documents it on that instance). c = 1/20 is used
# for the claims expected to hold.
SD_C = 0.05
SD_C_LARGE = 0.5
SD_MARGIN = 2.0

# the instance the thorough profile found: l1 max-margin margin 0.100988; with c = 1/2 the l1 margin
# stalls 4.0e-4 below it (direction gap 0.51 in l1 at log(1/L) = 1e4), with c = 1/20 it keeps closing
# (6e-6 at log(1/L) = 3e3).
SD_STALL_INSTANCE = {
    "X": [[-0.1505397, -0.26269191, -0.10735022, -0.12374439, 0.14156288],
          [-0.37318026, 0.09494406, 0.22887515, -0.40263752, -0.29454389],
          [0.000696, 0.62284157, -0.0095945, 0.14151673, -0.20583081],
          [0.25220354, 0.32913411, -0.0318717, 0.19638353, -0.28385572],
          [-0.21454302, -0.27505873, -0.24158631, 0.31012191, -0.29883803],
          [0.17347564, -0.46364784, 0.09347052, -0.11053203, -0.01585501],
          [0.30263501, -0.0374293, -0.17844505, 0.26344712, -0.30736658]],
    "y": [1.0, -1.0, -1.0, -1.0, 1.0, 1.0, -1.0],
    "w0": [0.0, 0.0, 0.0, 0.0, 0.0],
}


def sd_stall_instance() -> dict:
    return {k: np.array(v, float) for k, v in SD_STALL_INSTANCE.items()}
# a run stops at log(1/L) = SD_S_END or after its step budget (sd_step_bound, at most SD_STEP_CAP), whichever
# comes first; it is judged at the level s_e it reached if s_e >= SD_MIN_S, where a wrong limit still grows
# gap*s by s_e^(1/4) >= 2.34 > SD_MARGIN over the judged window; below it is inconclusive.
# A fixed budget of 2.5e5 steps stopped an instance with B/gamma_1 = 18.1 at log(1/L) = 37.8, where the
# early-window rate term (x 1/s_e) was still above the claim's resolution; it needed 6.9e5 steps (~5 s).
SD_STEP_CAP = 1_200_000
SD_MIN_S = 30.0


def sd_step_bound(Z, w0, weights, p, c, gamma_p, s_end=SD_S_END) -> float:
    """Number of steps within which steepest descent (step eta_t = c / (B^2 L)) reaches log(1/L) = s_end.

    One step moves w by v = (c / B^2) ||q||_* d, ||d||_p = 1, <q, d> = ||q||_*, q = sum_i pi_i z_i
    (pi = softmax(log c_i - z), a convex combination, so ||q||_* <= B). Each margin moves by
    x_i = <z_i, v>, |x_i| <= B ||v||_p <= c, and with exp(-x) <= 1 - x + e^|x| x^2 / 2
        L_new / L = sum_i pi_i exp(-x_i) <= 1 - <q, v> + (e^c / 2) sum_i pi_i x_i^2
                  <= 1 - (c ||q||_*^2 / B^2) (1 - c e^c / 2),
    so log(1/L) grows by at least kappa = c (1 - c e^c / 2) ||q||_*^2 / B^2 per step. And ||q||_* >=
    <q, u> = sum_i pi_i <z_i, u> >= gamma_p for the l_p max-margin direction u (||u||_p = 1). Hence the
    run reaches s_end within (s_end - s_0) B^2 / (c (1 - c e^c / 2) gamma_p^2) steps, s_0 = log(1/L(w0))
    (the descent-lemma count of Gunasekar et al. 2018a, Thm 5's proof; tight as ||q||_* -> gamma_p)."""
    dual = {1: np.inf, 2: 2, np.inf: 1}[p]
    B = float(np.max(np.linalg.norm(Z, dual, axis=1)))
    lc = np.zeros(len(Z)) if weights is None else np.log(np.asarray(weights, float))
    s0 = float(-logsumexp(lc - Z @ np.asarray(w0, float)))
    return max(s_end - s0, 0.0) * B**2 / (c * (1.0 - c * np.exp(c) / 2.0) * gamma_p**2)


def sd_instances():
    """The strategy's instances within the loop's reach: d <= 4, m <= 6. The step count grows like
    (B/gamma_p)^2, which grows with d: on 150 draws at d <= 3, m <= 6 the largest predicted count to
    log(1/L) = 30 was 1.4e5 (p95 5e4), at d <= 4, m <= 8 it was 2.6e5; at d <= 3 the l1 and l_inf answers
    often coincide (a vertex), so d <= 4 keeps the wrong-norm mutants refutable. Larger
    instances are checked with --instance and judged at the level their run reaches, or inconclusive
    with the number of steps it would take."""
    return separable_instances(m_range=(2, 6), d_range=(2, 4))


@memo
def sd_run(Z, w0, weights, p, c, max_steps):
    return steepest_descent_log_domain(Z, w0, p, SD_S_END, c=c, max_steps=max_steps, weights=weights)


def check_steepest(inst, stmt):
    """Thm 5 (Gunasekar et al. 2018a) is a statement about margins: the l_p-normalized margin
    gamma(s) = min_i <z_i, w> / ||w||_p tends to the l_p max margin gamma_p. The check holds the
    relative margin gap delta(s) = |gamma_pred - gamma(s)| / gamma_pred, gamma_pred the margin of the
    predicted direction, to the rate seen on the early window: delta(s_end) <= 2 C / s_end with
    C = max delta(s) s over s in [s_end^0.5, s_end^0.75] (a wrong limit leaves delta constant, so
    delta s grows by s_end / s_win = 3.2 > 2: refuted). The direction is reported, not judged: a
    unique but ill-conditioned l_p max-margin solution (polyhedral norms) lets the direction lag far
    behind the margin (seen on an instance with optimal-face sensitivity ~700)."""
    p = stmt["norm"]
    Z = signed_data(inst["X"], inst["y"])
    t0 = time.perf_counter()
    c = float(stmt["c"])
    q = p if p == 1 or p == np.inf else 2
    # the certified l_p max margin (the theorem's answer, independent of the statement under test) sets the budget
    u_ref = unit(lp_reference(inst["X"], inst["y"], p)[0], q)
    g_ref = float(np.min(Z @ u_ref))
    need = sd_step_bound(Z, w0_of(inst), weights_of(inst), p, c, g_ref)
    run = sd_run(Z, w0_of(inst), weights_of(inst), p, c, int(min(math.ceil(1.001 * need) + 1, SD_STEP_CAP)))
    t1 = time.perf_counter()
    w_lim, cert = stmt["limit"](inst)
    t2 = time.perf_counter()
    u = unit(w_lim, q)
    gamma_pred = float(np.min(Z @ u))
    s, W = run.t, run.w
    margins = np.min(W @ Z.T, axis=1) / np.linalg.norm(W, q, axis=1)
    delta = np.abs(gamma_pred - margins) / gamma_pred
    dir_gap = np.linalg.norm(W / np.linalg.norm(W, q, axis=1)[:, None] - u, q, axis=1)
    s_e = float(s[-1])
    early = (s >= s_e ** 0.5) & (s <= s_e ** 0.75)
    if stmt.get("judge", "margin") == "direction":  # a statement about the direction itself
        measured, what = dir_gap, "direction gap"
        # one step moves w by c ||q||_* / B^2 <= c / B in the p-norm: the direction jitters by twice that
        jitter = 2.0 * c / (run.info["B"] * float(np.linalg.norm(W[-1], q)))
    else:
        measured, what = delta, "margin gap"
        # ... and the normalized margin by about B times that, relative to gamma_pred
        jitter = 2.0 * c / (float(np.linalg.norm(W[-1], q)) * gamma_pred)
    C = float(np.max(measured[early] * s[early]))
    rate_term = SD_MARGIN * C / s[-1]
    # the run budget is the same allowance for the certified l_p max-margin direction (the theorem's
    # answer), so it does not depend on the statement under test
    if stmt.get("judge", "margin") == "direction":
        m_ref = np.linalg.norm(W / np.linalg.norm(W, q, axis=1)[:, None] - u_ref, q, axis=1)
        jit_ref = jitter
    else:
        m_ref = np.abs(g_ref - margins) / g_ref
        jit_ref = 2.0 * c / (float(np.linalg.norm(W[-1], q)) * g_ref)
    budget_ref = SD_MARGIN * float(np.max(m_ref[early] * s[early])) / s[-1]
    tol = rate_term + jitter
    name = f"l_{'inf' if p == np.inf else int(p)}"
    fig = Figure("separable-steepest-descent", "Steepest descent on separable data: relative gap to the l_p max margin",
                 "log(1/L)", "|gamma_p - gamma(w)| / gamma_p",
                 (Series(f"{name} steepest descent (c = {c:g})", thin(s).tolist(), thin(np.maximum(delta, 1e-17)).tolist()),),
                 "log", "log")
    return Evidence(
        gap=float(measured[-1]), tolerance=tol,
        tolerance_reason=(f"{what} ~ C/log(1/L): C = max gap*s on s in [s_end^0.5, s_end^0.75] = {C:.3g}, x{SD_MARGIN:g} "
                          f"(a wrong limit keeps the gap constant, so gap*s grows by s_end/s_win = {s_e ** 0.25:.2f}) "
                          f"+ step jitter = {jitter:.1e}"),
        certificates=[cert],
        converged=bool(run.info["reached"] >= SD_MIN_S and early.sum() >= 3),
        convergence_note=(f"log(1/L) reached {run.info['reached']:.1f} (target {SD_S_END:g}, judged from {SD_MIN_S:g}) in "
                          f"{run.info['steps']} steps" + ("" if run.info["reached"] >= SD_S_END else
                          f"; reaching {SD_S_END:g} takes up to {need:.3g} steps ((s_end - s_0) B^2 / (c (1 - c e^c/2) "
                          f"gamma_p^2), gamma_p = {g_ref:.3g}, B = {run.info['B']:.3g}), beyond the {SD_STEP_CAP} of this check")),
        timings={"dynamics": t1 - t0, "reference": t2 - t1},
        figures=[fig],
        details={"steps": run.info["steps"], "step_bound": need, "C": C, "jitter": jitter, "gamma_pred": gamma_pred,
                 "margin_end": float(margins[-1]), "direction_gap_end": float(dir_gap[-1]),
                 "seconds_per_step": run.seconds / max(run.info["steps"], 1)},
        reference={"w": w_lim},
        run_budget={f"early-window rate x{SD_MARGIN:g} (certified l_p direction)": budget_ref, "step jitter": jit_ref},
    )


# ---- assumptions ---------------------------------------------------------------------------------


# the margin is judged against the early-window rate: a predicted direction moved by r lowers its margin by
# ~r (the l_p max margin is a maximum, so to first order along a face, else linearly) against a tolerance of
# ~2 C/s_e, 1e-3 to 1e-2 at s_e = 30-100: 3e-2 is what log(1/L) <= 100 resolves on every instance
SD_RESOLUTION = Resolution(3e-2, "relative perturbation of the predicted l_p max-margin direction in a fixed random direction",
                           perturb_limit("limit"))
# judged on the direction (the erratum): the direction gap at log(1/L) = 100 is C/100 ~ 0.03-0.15 and the
# tolerance twice that (0.06-0.3, the run budget, capped at 0.5: the erratum's stall is a direction gap of 0.5),
# so a limit moved by r is seen when r exceeds ~0.1-0.3: what log(1/L) = 100 resolves
SD_DIRECTION_RESOLUTION = Resolution(0.3, "relative perturbation of the predicted l1 max-margin direction (applied to the "
                                     "corrected step c = 1/20)", perturb_limit("limit"), cap=0.5)
SD_COMMON = dict(assumptions=(A_SHAPES, A_DISTINCT, A_SEP), fields=F_BASE, family="separable", source=SD_SOURCE,
                 normalize=normalize, resolution=SD_RESOLUTION)

CLAIMS = (
    Claim(
        id="steepest-descent-l1-max-margin",
        title="Steepest descent w.r.t. l1 (greedy coordinate descent) reaches the l1 max margin",
        statement=("exp loss, w <- w - eta_t ||g||_inf sign(g_j) e_j, j = argmax |g_j|, eta_t = c/(B^2 L), c = 1/20, B = max ||x_i||_inf: "
                   "min_i y_i <w, x_i> / ||w||_1 -> the l1 max margin 1/||w_1||_1, w_1 = argmin ||w||_1 s.t. y_i <w, x_i> >= 1 "
                   "(the margin gap closing like 1/log(1/L))"),
        strategy=sd_instances,
        check=check_steepest,
        params={"norm": 1, "limit": l1_max_margin_direction, "c": SD_C},
        mutants=(Mutant("l2-max-margin", "limit: the l2 (SVM) direction", {"limit": svm_direction}),
                 Mutant("linf-max-margin", "limit: the l_inf max-margin direction", {"limit": linf_max_margin_direction})),
        kind="limit",
        examples={"quick": 4, "thorough": 24},
        verify=l1_max_margin,
        **SD_COMMON,
    ),
    Claim(
        id="steepest-descent-linf-max-margin",
        title="Steepest descent w.r.t. l_inf (sign descent) reaches the l_inf max margin",
        statement=("exp loss, w <- w - eta_t ||g||_1 sign(g), eta_t = c/(B^2 L), c = 1/20, B = max ||x_i||_1: min_i y_i <w, x_i> / ||w||_inf -> the l_inf max margin, "
                   "w_inf = argmin ||w||_inf s.t. y_i <w, x_i> >= 1"),
        strategy=sd_instances,
        check=check_steepest,
        params={"norm": np.inf, "limit": linf_max_margin_direction, "c": SD_C},
        mutants=(Mutant("l2-max-margin", "limit: the l2 (SVM) direction", {"limit": svm_direction}),
                 Mutant("l1-max-margin", "limit: the l1 max-margin direction", {"limit": l1_max_margin_direction})),
        kind="limit",
        examples={"quick": 4, "thorough": 24},
        verify=linf_max_margin,
        **SD_COMMON,
    ),
    Claim(
        id="steepest-descent-l1-fixed-step",
        title="Greedy coordinate descent with the largest allowed step (c = 1/2) reaches the l1 max-margin direction",
        statement=("exp loss, greedy coordinate descent (steepest descent w.r.t. l1) with eta_t = c/(B^2 L), c = 1/2 "
                   "(within Thm 5's eta_t <= 1/(B^2 L)): w/||w||_1 -> w_1/||w_1||_1, w_1 = argmin ||w||_1 s.t. margins >= 1"),
        strategy=sd_instances,
        check=check_steepest,
        params={"norm": 1, "limit": l1_max_margin_direction, "c": SD_C_LARGE, "judge": "direction"},
        mutants=(Mutant("small-step-c-1-20", "the same check with c = 1/20 (the step of steepest-descent-l1-max-margin)",
                        {"c": SD_C}, must=Verdict.CONFIRMED),),
        expected="fails",
        erratum=("a fixed step c = 1/2 is not enough: the l1 margin can stall O(c) below the max margin (4e-4 on the "
                 "recorded instance, direction gap 0.5) while c = 1/20 converges; the l1 limit holds as the step shrinks"),
        kind="limit",
        showcase=sd_stall_instance,
        examples={"quick": 2, "thorough": 8},
        mutant_instances=1,
        verify=l1_max_margin,
        **{**SD_COMMON, "source": SD_SOURCE + "; the failing instance was found by this suite's thorough profile",
           "resolution": SD_DIRECTION_RESOLUTION},
    ),
)
