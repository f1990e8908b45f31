"""Batched GD / heavy-ball runs on separable data and the statement-independent regime test.

Theorem (Soudry et al. 2018, JMLR, Thm 3 and its proof): for linearly separable data in general
position, exp or logistic loss, GD with eta < 2/(beta_l sigma_max(Z)^2) from any w0:
    w(t) = w_hat log t + rho(t), rho bounded (rho -> w_tilde),
so the direction gap and the margin gap are Theta(1/log t) and the loss is Theta(1/t). Momentum:
the same limit direction (Gunasekar et al. 2018a, sec. 3; Nacson et al. 2019).

How the GD rate checks stay honest about 1/log t (nothing here is a tuned constant):

* time is the flow time tau = eta t / (1 - beta) sigma_max(Z)^2 (dimensionless); a run reaches
  tau_end = TAU_END or MAX_STEPS steps, whichever comes first;
* a constant "C" (the bound on rho, or on gap * log tau) is measured on an EARLY window
  tau in [tau_end^(1/2), tau_end^(3/4)] and held against the LATER part of the same run;
* the allowance for what is still moving: linearizing the flow around w_hat log t + w_tilde,
  the remainder r(t) obeys dr/dlog t ~ -M r with M = sum_S a_i z_i z_i^T, and the non-support
  vectors feed it like t^-delta; with mu = min(lambda_min(M), delta), both read off the certified
  SVM, ||r||^2 decays like t^-mu, so ||r|| like t^(-mu/2) (the conservative, Lyapunov-type
  exponent: the nonlinear phase far from w_tilde decays slower than the linearization's t^-mu).
  Over the equal-log window [tau_end^(1/2), tau_end^(3/4)] it shrinks by rho_w = tau_end^(-mu/8),
  so what is left to move after the window is at most carry = rho_w/(1 - rho_w) times the
  movement seen inside it. The movement is the PATH LENGTH OF THE VECTOR whose norm is the
  checked quantity (P_perp w for the direction; w/||w|| - u, the per-point margin gaps in the max
  norm, rho = w - w_hat log tau, each divided by the rate, for the rate claim): the decay bounds
  the vector's remaining movement, and its norm moves by at most that; the norm's own variation
  is smaller whenever the path turns (rho swinging past its closest point to 0), and was not a
  valid bound. A wrong limit / a faster rate makes the quantity grow linearly in log tau, i.e. it
  keeps moving by the full window movement: refuted.
* the carry's premise is tested on every run before anything is judged (:func:`regime_test`,
  statement-independent: w_hat comes from the certified SVM, not from the statement): rho's path
  length must shrink over the two halves of the window at least as the premise says, and its
  path length after the window must be <= carry x its path length inside it. A run failing
  this is still in a nonlinear transient (e.g. heavy ball overshooting a support vector's
  margin: that point's loss term is then exponentially small and rho relaxes slowly in log tau),
  which is not a refutation: that variant is re-run from w0 with 10x the steps (10x the flow
  time), at most twice (tau_end x 100) and within MAX_EXT_STEPS steps, and judged on the longer
  run. If it is still unsettled when the budget is spent, the evidence is not converged
  (inconclusive, never a pass). The checks report the horizon factor of each variant.
* how long the transient lasts is forecast (:func:`forecast`): the run continued by the gradient
  flow of its loss in the clock log tau (which GD follows to O(eff / tau_end)), sampled where the
  longer run will be (:func:`checkpoints`), tells at which horizon the regime test would pass; the
  re-run goes there at once, and a variant forecast to fail at the budget is reported as such (with
  the horizon and the step count it would need) instead of being re-run to no avail.
"""
from __future__ import annotations

import math

import numpy as np

from models.separable import gd_separable_batched, gradient_flow_log_time, log_checkpoints, log_inverse_loss
from solvers.svm import signed_data

from ...memo import memo
from .common import svm_of, vtv, w0_of, weights_of

TAU_END = 1e4
MAX_STEPS = 250_000
WIN = (0.5, 0.75)  # early window [tau_end^a, tau_end^b]; the later part is tau > tau_end^b
VARIANTS = (("exp", "gd"), ("logistic", "gd"), ("exp", "heavy-ball"), ("logistic", "heavy-ball"))


def _step_sizes(inst):
    """eta per variant: exp loss beta_l = L(w0) (Hessian <= L(w) Z^T C Z on the sublevel set),
    logistic beta_l = 1/4; eta = eta_frac * 2 / (beta_l sigma_max(C^(1/2) Z)^2), C = diag(weights)."""
    Z = signed_data(inst["X"], inst["y"])
    c = weights_of(inst)
    s2 = float(np.linalg.norm(Z if c is None else np.sqrt(c)[:, None] * Z, 2)) ** 2
    L0 = float(np.exp(-log_inverse_loss(Z, w0_of(inst), c)))
    fr = float(inst.get("eta_frac", 0.5))
    eta = {"exp": fr * 2.0 / (max(L0, 1e-300) * s2), "logistic": fr * 8.0 / s2}
    etas = np.array([eta[l] for l, _ in VARIANTS])
    betas = np.array([float(inst.get("beta", 0.0)) if o == "heavy-ball" else 0.0 for _, o in VARIANTS])
    return Z, s2, etas, betas


@memo
def gd_runs(inst, tau_end=TAU_END, max_steps=MAX_STEPS, refine=1):
    """The four variants (exp/logistic x GD/heavy-ball) in one batched run (memoized).

    ``refine`` = k runs the same variants with eta / k for k times the steps (the same flow time):
    the step-size refinement of :mod:`.consistency`. Returns (run, flow time per step)."""
    Z, s2, etas, betas = _step_sizes(inst)
    eff = etas / (1.0 - betas) * s2  # flow time per step, dimensionless
    T = int(min(max_steps, math.ceil(tau_end / eff.min())))
    w0 = np.tile(w0_of(inst), (len(VARIANTS), 1))
    run = gd_separable_batched(Z, w0, etas / refine, T * refine, losses=tuple(l for l, _ in VARIANTS), beta=betas,
                               weights=weights_of(inst))
    return run, eff / refine


# ---- adaptive horizon: is the run in the regime the carry assumes? ------------------------------

HORIZON_GROWTH = 10  # an unsettled variant is re-run with 10x the steps (10x the flow time) ...
MAX_HORIZON_FACTOR = 100  # ... at most twice (tau_end x 100) ...
MAX_EXT_STEPS = 2_500_000  # ... and never beyond this many steps for one variant (time budget)
SETTLE_FLOOR = 1e-9  # relative floor on remainder movement (round-off; far below any tolerance)
# the rate check's carry allowance may be at most this share of an early-window bound: the slowest wrong
# rate, 1/log^2 t, grows by log(tau_end)/log(tau_end^(3/4)) = 4/3 over the judged window, and
# (4/3)/(1 + allow/early) > 1 iff allow/(early + allow) < 1/4 (see gd.RATE_RESOLUTION)
SHARE_CAP = 0.25


def carry_share(tau, W, Z, w_hat, mu):
    """The largest share of an early-window bound of :func:`gd.check_rate` that is carry allowance,
    computed with the theorem's own rates (1/log tau for the direction and margin gaps, 1 for rho),
    so it does not depend on the statement under test."""
    early, late = windows(tau)
    nW = np.linalg.norm(W, axis=1)
    u = w_hat / np.linalg.norm(w_hat)
    margins = W @ Z.T
    active = np.unique(np.argmin(margins[early | late], axis=1))
    lt = np.log(tau)
    vecs = ((W / nW[:, None] - u, 2, lt), (1.0 / np.linalg.norm(w_hat) - margins[:, active] / nW[:, None], np.inf, lt),
            (W - np.outer(lt, w_hat), 2, np.ones_like(tau)))
    c, share = carry_factor(tau[-1], mu), 0.0
    for V, ord_, inv_rate in vecs:
        q = np.max(V, axis=1) if ord_ == np.inf else np.linalg.norm(V, axis=1)
        allow = c * vtv((V * inv_rate[:, None])[early], ord_)
        upper = float((q * inv_rate)[early].max()) + allow
        share = max(share, allow / upper if upper > 0 else math.inf)
    return share


def regime_test(tau, W, w_hat, mu, Z=None):
    """Statement-independent test of the carry hypothesis on one run (see module doc).

    rho(tau) = w - w_hat log tau (w_hat from the certified SVM, never from the statement under
    test). The carry assumes that inside the early window the remainder rho - w_tilde already
    decays like tau^(-mu/2). Two consequences are measured on the vector rho:
      (i)  decay inside the window: its path length over the second equal-log half of the
           window is <= tau_end^(-mu/16) (the premise's decay over half a window) x that over
           the first half;
      (ii) the carry's own prediction: its path length after the window is <= carry x its path
           length inside it.
    Returns (settled, info). A nonlinear transient (e.g. heavy ball overshooting a support
    vector's margin, whose loss term is then exponentially small and relaxes slowly in log tau)
    fails (i) or (ii): not yet asymptotic, which is not a refutation. (i) can also fail on a
    settled run whose path turns in the first half; that only costs a longer run.
    """
    R = W - np.outer(np.log(tau), w_hat)
    end = float(tau[-1])
    early, late = windows(tau)
    idx = np.flatnonzero(early)
    mid = end ** (0.5 * (WIN[0] + WIN[1]))
    k = int(np.searchsorted(tau[idx], mid))
    first, second = idx[: k + 1], idx[k:]
    tv1, tv2 = vtv(R[first]), vtv(R[second])
    tv_e = vtv(R[early])
    # the first late point continues the path from the last early one
    lidx = np.flatnonzero(late)
    tv_l = vtv(R[np.r_[idx[-1:], lidx]]) if len(idx) and len(lidx) else 0.0
    r_half = end ** (-(WIN[1] - WIN[0]) / 2.0 * mu / 2.0)
    carry = carry_factor(end, mu)
    floor = SETTLE_FLOOR * (1.0 + float(np.max(np.linalg.norm(R, axis=1))))
    carry_ok = tv_l <= carry * tv_e + floor
    info = {"tau_end": end, "rho_tv_first_half": tv1, "rho_tv_second_half": tv2, "half_decay_bound": r_half,
            "rho_tv_early": tv_e, "rho_tv_late": tv_l, "carry": carry}
    decay_ok = tv2 <= r_half * tv1 + floor
    share_ok = True
    if Z is not None:  # (iii) the carry allowance the rate check will use is within what it resolves
        info["carry_share"] = carry_share(tau, W, Z, w_hat, mu)
        share_ok = info["carry_share"] <= SHARE_CAP
    return bool(decay_ok and carry_ok and share_ok and len(first) > 1 and len(second) > 1), info


FORECAST_DECADES = 8  # how far beyond the first run the forecast looks (it only reports past the budget)
FORECAST_GRID = 4  # candidate horizons per decade
N_CHECKPOINTS = 150  # checkpoints of the first run (log-spaced steps)


def checkpoints(T, Text):
    """The checkpoint steps of a run of Text >= T steps: the first run's grid (log_checkpoints(T, 150),
    ratio r = T^(1/149)) continued with the same ratio beyond T, and Text. Every run of an instance
    samples the same grid, so a forecast (below) samples the path exactly where the run it forecasts
    will: the regime test compares path lengths of a sampled, turning path, which move by a few %
    with the sample."""
    base = log_checkpoints(T, N_CHECKPOINTS)
    r = math.log(max(T, 2)) / (N_CHECKPOINTS - 1)
    J = int(math.log(max(Text, 1) / T) / r) if Text > T else 0
    beyond = (T * np.exp(r * np.arange(1, J + 1))).astype(np.int64)
    return np.unique(np.r_[base[base <= Text], beyond[beyond <= Text], Text])


def forecast(inst, b, steps, W, cands):
    """The first of the candidate run lengths ``cands`` (steps, increasing, all > steps[-1]) whose run
    would pass :func:`regime_test`, forecast from the current run of variant b (``W`` at the
    checkpoint ``steps``): GD up to steps[-1], the gradient flow of its loss after, from its last
    iterate (:func:`models.separable.gradient_flow_log_time`), each candidate sampled at its own
    :func:`checkpoints`. inf: none passes; None: the flow failed.

    Why the flow forecasts GD: after step T, GD (heavy ball: once its velocity follows the gradient,
    v ~ eta grad / (1 - beta)) is a one-step scheme of that flow with a constant flow-time step eff
    while the flow's own time scale is tau, so its local errors ~ eff^2 ||w''|| ~ eff^2 / tau^2 sum
    to O(eff / tau_end) over the rest of the run (on the instance of
    tests/test_separable_rate_forecast.py, heavy ball with eff = 23.6 continued from tau_end = 2.65e5
    by 10x: 1.1e-4 = 1.3 eff / tau_end, while rho moves by O(1)). The transient this finds is the
    relaxation of rho = w - w_hat log tau, which in s = log tau obeys (exp loss, support vectors S,
    duals a)
        d rho/ds = sum_S (c_i exp(-<z_i, rho>) - a_i) z_i + (non-support terms ~ tau^-delta_j):
    linear near w_tilde (rate >= mu), but a support vector overshot by x_i = <z_i, rho> - log(c_i/a_i)
    >> 1 (heavy ball's first large steps) contributes only -a_i z_i and relaxes LINEARLY in s, at
    rate ~ a_i ||P z_i||^2 (P: off the other support vectors), i.e. for ~ x_i / (a_i ||P z_i||^2)
    e-folds of tau; the regime test needs that over before the early window tau_end^(1/2). The
    forecast only decides how far to run GD (and whether the budget can reach it): a variant is
    still judged on its own GD path."""
    run, eff = gd_runs(inst)
    T = int(run.t[-1])
    Z, s2, etas, betas = _step_sizes(inst)
    w_hat, a, cert, mu = svm_of(inst)
    steps = np.asarray(steps, np.int64)
    Tc = int(steps[-1])
    grid = checkpoints(T, int(cands[-1]))
    after = np.unique(np.r_[grid[grid > Tc], cands])
    flow = gradient_flow_log_time(Z, W[-1], Tc * eff[b], after * eff[b], VARIANTS[b][0], weights_of(inst), time_scale=s2)
    if not flow.info["success"] or len(flow.t) != len(after):
        return None
    for Text in cands:
        S = checkpoints(T, int(Text))
        mine, later = np.isin(steps, S), np.isin(after, S)
        tau = np.r_[steps[mine], after[later]] * eff[b]
        Ws = np.r_[W[mine], flow.w[later]]
        keep = tau > 1.0
        if regime_test(tau[keep], Ws[keep], w_hat, mu, Z)[0]:
            return int(Text)
    return math.inf


@memo
def settled_runs(inst):
    """Per variant: (tau, w, loss, settled, horizon_factor, regime_info) (memoized).

    Starts from :func:`gd_runs`; a variant failing :func:`regime_test` is re-run from w0 (same eta,
    beta: the same trajectory, followed further) to the first horizon (a grid of 4 per decade of tau,
    and the budget) at which its :func:`forecast` passes, or with HORIZON_GROWTH x the steps when the
    forecast failed, until it passes or tau_end has grown by MAX_HORIZON_FACTOR / the step budget
    MAX_EXT_STEPS is reached. A variant forecast to fail even at the budget is not run further (the
    horizon it would need is reported). Variants still unsettled are reported as not converged
    (inconclusive), never judged.
    """
    run, eff = gd_runs(inst)
    w_hat, a, cert, mu = svm_of(inst)
    Z, s2, etas, betas = _step_sizes(inst)
    T = int(run.t[-1])
    budget_steps = int(min(T * MAX_HORIZON_FACTOR, MAX_EXT_STEPS))
    grid = (T * 10.0 ** (np.arange(1, FORECAST_DECADES * FORECAST_GRID + 1) / FORECAST_GRID)).astype(np.int64)
    out, steps = [], []
    for b in range(len(VARIANTS)):
        tau = run.t * eff[b]
        keep = tau > 1.0
        ok, info = regime_test(tau[keep], run.w[keep, b], w_hat, mu, Z)
        out.append([tau[keep], run.w[keep, b], run.loss[keep, b], ok, 1, info])
        steps.append(run.t[keep].astype(np.int64))
    while True:
        pending, need = [], []
        for b in (b for b in range(len(VARIANTS)) if not out[b][3]):
            Tc, info = int(steps[b][-1]), out[b][5]
            if Tc >= budget_steps:
                continue
            cands = np.unique(np.r_[grid[grid > Tc], budget_steps])
            F = forecast(inst, b, steps[b], out[b][1], cands)
            if F is not None:
                info["forecast_steps"], info["forecast_factor"] = F, F / T  # relative to the first run
            if F is not None and F > budget_steps:
                info["out_of_reach"] = True
                continue
            pending.append(b)
            need.append(F if F is not None else min(Tc * HORIZON_GROWTH, budget_steps))
        if not pending:
            break
        Text = int(max(need))
        w0 = np.tile(w0_of(inst), (len(pending), 1))
        ext = gd_separable_batched(Z, w0, etas[pending], Text, losses=tuple(VARIANTS[b][0] for b in pending),
                                   beta=betas[pending], checkpoints=checkpoints(T, Text), weights=weights_of(inst))
        for j, b in enumerate(pending):
            tau = ext.t * eff[b]
            keep = tau > 1.0
            ok, info = regime_test(tau[keep], ext.w[keep, j], w_hat, mu, Z)
            out[b] = [tau[keep], ext.w[keep, j], ext.loss[keep, j], ok, round(Text / T, 1), info]
            steps[b] = ext.t[keep].astype(np.int64)
    return [tuple(o) for o in out]


def horizon_status(runs):
    """(converged, note) for check evidence from :func:`settled_runs`."""
    short = [f"{o}/{l}" for (l, o), r in zip(VARIANTS, runs) if r[0][-1] < TAU_END ** WIN[1]]
    unsettled = [(f"{o}/{l}", r) for (l, o), r in zip(VARIANTS, runs) if not r[3]]
    ext = [f"{o}/{l} x{r[4]}" for (l, o), r in zip(VARIANTS, runs) if r[4] > 1]
    parts = []
    if short:
        parts.append(f"flow time below {TAU_END ** WIN[1]:.3g} for {', '.join(short)}")
    for name, r in unsettled:
        i = r[5]
        parts.append(f"{name} still in a transient at tau_end = {i['tau_end']:.3g} (horizon x{r[4]}, budget "
                     f"x{MAX_HORIZON_FACTOR} / {MAX_EXT_STEPS} steps): rho path length second/first half of the early "
                     f"window {i['rho_tv_second_half']:.3g}/{i['rho_tv_first_half']:.3g} (decay bound "
                     f"{i['half_decay_bound']:.2f}), after/inside {i['rho_tv_late']:.3g}/{i['rho_tv_early']:.3g} "
                     f"(carry {i['carry']:.2f}), carry share of the rate bound {i.get('carry_share', 0.0):.2f} "
                     f"(<= {SHARE_CAP} needed)" + _forecast_note(i, r[0][-1] / r[4]))
    note = "; ".join(parts) if parts else ("asymptotic regime reached" + (f" (horizon extended: {', '.join(ext)})" if ext else ""))
    return not parts, note


def _forecast_note(info, tau_base):
    F = info.get("forecast_factor")
    if F is None:
        return ""
    when = (f"still unsettled at tau_end x1e{FORECAST_DECADES}" if not math.isfinite(F) else
            f"settles at tau_end ~ {tau_base * F:.2g} (horizon x{F:.3g}, ~{info['forecast_steps']:.2g} steps)")
    budget = ("the run at the budget would fail the regime test: not run further" if info.get("out_of_reach") else
              "the run at the budget was forecast to pass")
    return f"; forecast (the flow continuing this run): {when}, {budget}"


# ---- small helpers -----------------------------------------------------------------------------

def windows(tau):
    end = tau[-1]
    early = (tau >= end ** WIN[0]) & (tau <= end ** WIN[1])
    late = tau > end ** WIN[1]
    return early, late


def carry_factor(tau_end, mu):
    """rho_w / (1 - rho_w): how much of the early window's movement may still come (see module doc)."""
    r = tau_end ** (-(WIN[1] - WIN[0]) * mu / 2.0)
    return r / (1.0 - r)
