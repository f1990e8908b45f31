"""The training trajectory of a wide ReLU net and the smoothing spline (Jin & Montufar 2023, Remark 5
and Appendix N; note 002 "Optimization trajectory in function space").

Statement, made precise (derived in :mod:`solvers.smoothing_spline`). Loss L = 1/2 sum_j (f(x_j) -
y_j)^2 (a sum, with 1/2), full-batch GD with step eta = eta_bar / n on all layers of a width-n net
from f(., theta_0) = 0, the linear part at its least-squares optimum (unpenalized, as in Thm 5).
Then at every step t:

(a) f(., theta_t) -> g_t, the infinite-width kernel-GD spline trajectory, with error O(n^-1/2);
(b) the smoothing spline s_lam, lam = 1/(eta_bar t) (the pinned normalization; with the mean loss
    it is M/(eta_bar t), without the 1/2 it is 1/(2 eta_bar t)), tracks it:
    ||P(g_t(X) - s_lam(X))|| <= delta(t) ||P g_t(X)||, delta(t) = max_j (1 - rho_j(t)), rho_j the ratio of
    the Tikhonov to the GD spectral filter (-> 0 as t -> 0 and t -> infinity, <= ~0.23 in between).

The check, per instance: nets of every width x seed trained with eta = eta_bar / n (eta_bar =
step_frac / mu_max of the projected limit kernel) and recorded at the chosen steps. (a): e(n) =
max_t ||P(f_n(X, theta_t) - g_t(X))|| / ||P y||; the log-log slope over widths vs -1/2 within
t_0.999 SE + 0.1 (stated margin, as for Thm 5). (b) at the largest width, per seed and t:
D_t = ||P(f_n - s_lam)(X)|| / ||P f_n(X)|| against B_t = delta(t) ||P g_t(X)|| / ||P f_n(X)|| + e_t,
e_t = ||P(f_n - g_t)(X)|| / ||P f_n(X)|| (the triangle inequality: what (b) allows plus the measured
width error, the run's own budget, capped at the resolution), plus the references' solve errors
(their certificate tolerances x ||y|| / ||P f_n||). D_t / B_t near 1 is expected when one spectral
component dominates (the inequality is then tight). Gap = max(|p + 1/2| / tol_p, max D_t / B_t),
tolerance 1. The smoothing spline is the statement: its constant c in lam = c/(eta_bar t) is what
the resolution measures (early times pin it: there D_t ~ |1 - 1/c| while delta(t) ~ eta_bar t mu_max / 2).

Width. e_t is measured relative to ||P f_n||, the units of D_t (a relative change r of the constant
moves the early-time spline by ~r of ||P f_n||), so it is the run's budget against the cap 0.1. It is
largest at early times, where P f_n ~ eta_bar t K_n P y: if P y lies mostly along the small eigenvalues
of the limit kernel, ||K P y|| << mu_max ||P y|| while the O(n^-1/2) kernel fluctuation (of size ~ mu_max)
acts on all of P y, and the relative error is amplified by mu_max ||P y|| / ||K P y||. A thorough draw
(sb = 1.756, M = 6) had 3.0% of P y on the top eigenvector (mu = 0.174, 0.020, 0.0041, 0.0016), ||K P y||
= mu_max / 16, and e_1 = 0.27 at n = 8192 (rms over 8 seeds: 0.17 at 8192, 0.053 at 32768, 0.018 at
131072): inconclusive. So the sweep doubles the width beyond the instance's largest while the largest
nets' e_t exceeds the cap, up to ``max_width`` (default 2^17, ~4 s a run); that instance resolves at
32768 (e = 0.086, gap 0.87, 1.6 s), and one still over the cap at ``max_width`` stays inconclusive
with the n^-1/2 prediction of the width it needs in ``details["width_needed_for_cap"]``.
"""
from __future__ import annotations

import time
from functools import partial

import numpy as np

from models.wide_net import init_wide, train_recorded
from solvers.certify.neurons import curvature_spline_kkt
from solvers.curvature_spline_k import zeta_gaussian_k
from solvers.smoothing_spline import filter_ratio, kernel_gd_trajectory, projected_spectrum, smoothing_spline

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...strategies.neurons import RECORD_STEPS, TRAJ_WIDTHS, trajectory_instances
from .common import (A_DATA, A_GAUSS, A_START, A_WIDTHS, F_NSEEDS, F_SB, F_SEED, F_START, F_SW, F_X, F_Y, FAMILY, JM,
                     JM_NOTE, gaussian_units, slope_fit, widths_field)


# 2^17: a width-131072 run of the 256 recorded steps takes ~4 s on one core; the thorough instance
# with P y nearly orthogonal to the top eigenvector needed 32768 (module docstring)
MAX_WIDTH = 131072


def pinned_lambda(eta_bar, t, M):
    """L = 1/2 sum (f - y)^2, eta = eta_bar / n: lam = 1/(eta_bar t)."""
    return 1.0 / (eta_bar * t)


def _sorted(inst):
    x, y = np.asarray(inst["x"], float), np.asarray(inst["y"], float)
    o = np.argsort(x)
    return x[o], y[o]


def _projector(x):
    Q, _ = np.linalg.qr(np.vander(x, 2, increasing=True))
    return np.eye(x.size) - Q @ Q.T


@memo
def _sweep(x, y, sw, sb, start, seed, widths, n_seeds, eta_bar, steps, grid):
    out = []
    for n in widths:
        for s in range(n_seeds):
            rng = np.random.default_rng([seed, n, s])
            W, b = gaussian_units(n, 1, sw, sb, rng)
            net = init_wide(W, b, ("zero", "antisymmetric")[start], 1, rng)
            t0 = time.perf_counter()
            tr = train_recorded(net, x, y, eta_bar / n, steps, grid)
            out.append({"n": n, "seed": s, "data": np.array(tr.data_values), "grid": np.array(tr.values),
                        "seconds": time.perf_counter() - t0})
    return out


@memo
def _limit(x, y, sw, sb, step_frac, steps):
    zeta = partial(zeta_gaussian_k, sw=sw, sb=sb, k=1)
    mu, _ = projected_spectrum(x, zeta, 1)
    eta_bar = step_frac / float(mu[0])
    gts, cert = kernel_gd_trajectory(x, y, zeta, eta_bar, steps)
    return mu, eta_bar, gts, cert


@memo
def _smoothing(x, y, sw, sb, lams):
    zeta = partial(zeta_gaussian_k, sw=sw, sb=sb, k=1)
    return [smoothing_spline(x, y, zeta, lam) for lam in lams]


def check(inst, stmt) -> Evidence:
    x, y = _sorted(inst)
    sw, sb = float(inst["sw"]), float(inst["sb"])
    steps = tuple(int(s) for s in np.asarray(inst["record_steps"], int))
    widths = tuple(int(n) for n in np.asarray(inst["widths"], int))
    grid = np.linspace(x[0], x[-1], 101)
    t0 = time.perf_counter()
    mu, eta_bar, gts, kcert = _limit(x, y, sw, sb, float(inst["step_frac"]), steps)
    args = (x, y, sw, sb, int(inst["start"]), int(inst["seed"]))
    runs = list(_sweep(*args, widths, int(inst["n_seeds"]), eta_bar, steps, grid))
    t1 = time.perf_counter()
    lams = tuple(float(stmt["lam"](eta_bar, t, x.size)) for t in steps)
    splines = _smoothing(x, y, sw, sb, lams)
    t2 = time.perf_counter()
    P = _projector(x)
    Py = float(np.linalg.norm(P @ y))
    gX = [g(x) for g in gts]
    sX = [s(x) for s, _ in splines]
    delta = [float(np.max(1.0 - filter_ratio(mu, eta_bar, t, 1.0 / (eta_bar * t)))) for t in steps]
    # the references' own errors: relative residuals of their linear solves (certificate tolerances), in ||P y|| units
    ref_err = max([kcert.tolerance] + [c.tolerance for _, c in splines]) * max(float(np.linalg.norm(y)), 1e-300)

    def relation(big):
        """(b) at the largest width: D_t / B_t per seed and t, the worst width error e_t, the table."""
        ratios, worst, table = [], 0.0, []
        for r in big:
            for k, t in enumerate(steps):
                fn = r["data"][k]
                nf = max(float(np.linalg.norm(P @ fn)), 1e-300)
                D = float(np.linalg.norm(P @ (fn - sX[k]))) / nf
                e_t = float(np.linalg.norm(P @ (fn - gX[k]))) / nf
                B = delta[k] * float(np.linalg.norm(P @ gX[k])) / nf + e_t + ref_err / nf
                ratios.append(D / B)
                worst = max(worst, e_t)
                table.append({"t": t, "seed": r["seed"], "D": D, "bound": B, "delta": delta[k], "width_error": e_t})
        return ratios, worst, table

    # the width error relative to ||P f_n|| is largest at early times, where f_n ~ eta_bar t K_n P y: when
    # P y lies mostly along the small eigenvalues of the limit kernel, ||K P y|| << mu_max ||P y|| while the
    # kernel's O(n^-1/2) fluctuation acts on all of P y (module docstring). The sweep then doubles the width
    # beyond the instance's largest until that error fits the cap, up to max_width.
    cap = RESOLUTION.budget_cap
    ratios, worst_e, table = relation([r for r in runs if r["n"] == max(widths)])
    extended, t_ext = [], 0.0
    n_top = max(widths)
    while worst_e > cap and 2 * n_top <= int(inst.get("max_width", MAX_WIDTH)):
        n_top *= 2
        t3 = time.perf_counter()
        new = _sweep(*args, (n_top,), int(inst["n_seeds"]), eta_bar, steps, grid)
        t_ext += time.perf_counter() - t3
        runs += new
        extended.append(n_top)
        ratios, worst_e, table = relation(new)
    # (a) width convergence to the limit trajectory, over every width run
    e_n = np.array([max(float(np.linalg.norm(P @ (r["data"][k] - gX[k]))) for k in range(len(steps))) / Py for r in runs])
    fit = slope_fit([r["n"] for r in runs], e_n, -0.5)
    ratio_b = max(ratios)
    ratio_a = fit["gap"] / fit["tol"]
    r0 = next(r for r in runs if r["n"] == n_top)
    # width the n^-1/2 law predicts for the largest nets' error to fit the cap (reported when max_width stops short)
    needed = n_top if worst_e <= cap else int(2 ** np.ceil(np.log2(n_top * (worst_e / cap) ** 2)))
    curves = []
    for k, t in enumerate(steps):
        curves.append(Series(f"net n = {r0['n']}, t = {t}", grid, r0["grid"][k]))
        curves.append(Series(f"smoothing spline lam = {lams[k]:.3g}", grid, splines[k][0](grid), "dashed"))
    curves.append(Series("data", x, y, "scatter"))
    fig_f = Figure("relu-trajectory-vs-smoothing-spline", "Training trajectory vs smoothing splines lam = 1/(eta_bar t)",
                   "x", "f(x)", tuple(curves))
    fig_w = Figure("relu-trajectory-width-error", "Trajectory: max_t ||P(f_n - g_t)(X)|| / ||P y|| vs width", "width n",
                   "width error", (Series("runs", [r["n"] for r in runs], e_n, "scatter"),
                                   Series(f"fitted slope {fit['slope']:.3f} +- {fit['se']:.3f}", fit["widths"],
                                          np.exp(fit["intercept"]) * fit["widths"] ** fit["slope"])),
                   xscale="log", yscale="log")
    certs = [kcert] + [c for _, c in splines]
    return Evidence(
        gap=max(ratio_a, ratio_b), tolerance=1.0,
        tolerance_reason=f"max of |width slope {fit['slope']:.3f} + 1/2| / (t_0.999 {fit['tq']:.2f} SE {fit['se']:.3f} + 0.1) "
                         f"and max_t D_t / (delta(t) ||P g_t|| / ||P f_n|| + e_t + reference error) at n = {n_top} (delta = Tikhonov "
                         f"vs GD filter mismatch, e_t the measured width error; the bound is the triangle inequality, tight "
                         f"when one eigencomponent dominates)",
        certificates=certs, timings={"training": t1 - t0 + t_ext, "reference": t2 - t1},
        figures=[fig_f, fig_w],
        details={"eta_bar": eta_bar, "steps": list(steps), "lambda": list(lams), "delta": delta, "width_slope": fit["slope"],
                 "width_slope_se": fit["se"], "part_ratios": {"width_order": ratio_a, "smoothing_relation": ratio_b},
                 "relation_at_max_width": table[:len(steps)], "largest_width": n_top, "extended_widths": extended,
                 "width_needed_for_cap": needed},
        reference={"k": 1, "splines": [{"alpha": s.alpha, "beta": s.beta, "lam": s.lam} for s, _ in splines]},
        run_budget={"width error of the largest nets (relative to ||P f_n||)": worst_e})


def _steps_ok(inst):
    s = np.asarray(inst["record_steps"], int)
    if s.size < 2 or np.any(s < 1) or np.any(np.diff(s) <= 0):
        return "record_steps must be >= 2 increasing step counts >= 1"
    f = float(inst["step_frac"])
    return None if 0.0 < f < 1.0 else "step_frac (eta_bar mu_max) must be in (0, 1)"


# cap: the run budget is the width error relative to ||P f_n||, in the same units as D_t; a relative
# change r of lam moves the early-time smoothing spline by about r relative, so a width error above
# 0.1 would hide the declared 10% error of the constant: such a run is inconclusive, not a pass
RESOLUTION = Resolution(
    0.1, "relative error r of the constant in lam(t) = (1 + r)/(eta_bar t)",
    lambda stmt, r: {"lam": lambda eta_bar, t, M, f=stmt["lam"]: (1.0 + r) * f(eta_bar, t, M)},
    cap=0.1)

CLAIMS = (
    Claim(
        id="relu-smoothing-spline-trajectory",
        title="Training trajectory = smoothing splines with lam = 1/(eta_bar t) (up to the GD/Tikhonov filter mismatch), width error O(n^-1/2)",
        statement="L = 1/2 sum_j (f(x_j) - y_j)^2, eta = eta_bar/n: f(., theta_t) -> g_t (kernel-GD spline) at O(n^-1/2), and "
                  "s_lam = argmin sum (g(x_j) - y_j)^2 + lam int (g'' - f0'')^2/zeta with lam = 1/(eta_bar t) satisfies "
                  "||P(g_t - s_lam)(X)|| <= delta(t) ||P g_t(X)||, delta(t) = max_j (1 - rho_j(t)) -> 0 at both ends",
        source=f"{JM}, Remark 5 and Appendix N (problem (168)); {JM_NOTE}; normalization derived",
        assumptions=(A_DATA, A_GAUSS, A_WIDTHS, A_START, Assumption("record steps and step fraction", _steps_ok)),
        fields=(F_X, F_Y, F_SW, F_SB, F_START, F_SEED, widths_field(TRAJ_WIDTHS), F_NSEEDS,
                Field("step_frac", 0, "eta_bar mu_max (mu_max of the projected limit kernel); eta = eta_bar / n", default=0.05),
                Field("record_steps", 1, "GD steps at which the function is recorded", integer=True,
                      default=np.array(RECORD_STEPS)),
                Field("max_width", 0, "the sweep doubles the width beyond the largest of widths, up to this, while the largest "
                      "nets' width error exceeds the resolution cap", integer=True, default=MAX_WIDTH)),
        strategy=trajectory_instances, check=check, params={"lam": pinned_lambda},
        mutants=(Mutant("mean-loss", "lam = M/(eta_bar t) (the normalization of a mean-squared-error loss applied to the sum)",
                        {"lam": lambda eta_bar, t, M: M / (eta_bar * t)}),
                 Mutant("no-half", "lam = 1/(2 eta_bar t) (the loss without the 1/2)", {"lam": lambda eta_bar, t, M: 0.5 / (eta_bar * t)}),
                 Mutant("interpolant-throughout", "the net is the interpolating spline g* at every t (lam -> 0)",
                        {"lam": lambda eta_bar, t, M: 1e-12})),
        kind="asymptotic", family=FAMILY, resolution=RESOLUTION, verify=curvature_spline_kkt,
        examples={"quick": 1, "thorough": 5}, mutant_instances=1),
)
