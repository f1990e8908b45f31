"""Linear convolutional nets (full width, cyclic, one channel): DFT-sparse limit directions.

Theorem (Gunasekar, Lee, Soudry, Srebro 2018b, NeurIPS, "Implicit bias of gradient descent on linear
convolutional networks", the depth-2 and depth-L theorems; notes 000/001 "Linear Conv Nets"): exp loss, almost all separable
data and starts, steps with L -> 0, assuming the iterates and gradients converge in direction:
depth 2 -> beta/||beta|| -> the direction of argmin ||F beta||_1 s.t. y_n <beta, x_n> >= 1 (F the DFT,
complex moduli); depth L >= 3 -> a first-order stationary point of min ||F beta||_{2/L}.

Depth 2, the check. The flow is followed in s = log(1/L) (models.homogeneous.margin_flow on
models.conv_net.conv_model) against the certified SOCP (solvers.fourier_margin). Rate (derived):
in Fourier coordinates the depth-2 net is a complex diagonal net, d(F beta)_k/dt =
sqrt(delta_k^2 + 4 |(F beta)_k|^2) (F Z^T r)_k (delta_k = |w^_1k|^2 - |w^_2k|^2, conserved); like the
real diagonal net, an off-support frequency k grows like exp(2 |v_k| c) against exp(2c) on the
support (v = F Z^T lam / normalized dual, c ~ log s), so its relative size decays like
s^-(1 - |v_k|), and the support settles at 1/s: mu = min(1, 1 - kappa), kappa = max_{k off S} |v_k|
read off the certified dual (a conjugate pair shares one modulus and one rate; measured window
ratios converge to R^-mu, e.g. 0.155 vs 0.152 at s = 1e12). The allowance is the carry of
common.remaining_motion with that mu.

Regime (derived in solvers.fourier_margin.support_relaxation_rates): that power law holds only once
the active margins hold the support's moduli and phases, whose deviations relax like exp(-k_i s),
k_i the eigenvalues of K = 1/2 P^(1/2) G*^T Lt G* P^(1/2) (G* the active margins' Jacobian in the
support's log-moduli and phases); past s ~ 1/k_min a mode follows the off-support forcing
quasi-statically, with a local decay exponent off by at most 2/(k_min s). k_min is tiny when beta*
is nearly non-unique (G* nearly singular). Found by the thorough profile: an instance with
k_min = 5.9e-7 (sigma_min(G*) = 1.2e-3) whose gap rose from 1.2e-5 at s = 5e4 to 7.3e-5 at
s = 1.7e6 ~ 1/k_min before it decayed at the predicted rate, so at s = 1e8 the last decade's path
length equalled the previous one's (ratio 1.02 vs the predicted 0.15: inconclusive). The premise
is therefore (regime) k_slow s >= 2 log R / log SLACK at the start of the two windows the decay test
compares (R the window factor; the exponent error then stays within the test's slack), k_slow the
smallest of the k_i and the inactive margin gaps (those weights die like exp(-delta_n s)), and
(decay) the windowed path-length test. Without the regime test the decay test can pass before a
slow mode has moved (on that instance at s = 1e5, with a carry 7x short of the motion still to
come). The horizon is the first of HORIZONS whose windows meet the regime condition; while the
decay test fails the flow is followed a decade further (two power laws pointing different ways can
cancel in a window, a crossover: ratio 0.39 vs 0.19 at 1e8, 0.23 at 1e9 on another instance).
The flow is also followed further while its own budget exceeds RESOLUTION. S_MAX = 1e11 is the
budget. Beyond it, or for a degenerate dual (rates not derived), the instance is inconclusive, with
its rates. Also out of reach: a saddle passage. When a support frequency starts small and the flow
first fits a smaller support, the missing frequency grows only like s^g, g = its dual modulus at
that saddle - 1 (met once in ~400 thorough draws: g = 0.08, 38% of its limit modulus at s = 1e11,
90% projected near s ~ 5e15). The note names the frequency, its share and g. Mutants: the l2 SVM
(the fully connected answer) and the l1 max margin in signal space.

Depth L >= 3 is encoded as ``open``: the theorem gives a stationary point only, assumes directional
convergence, and states no rate, so there is nothing to derive a tolerance from. The claim measures
the KKT residual of min ||theta||^2 s.t. q_n(theta) >= 1 in parameter space (Lyu & Li 2020's
(eps, delta)-KKT; solvers.homogeneous_kkt; the problem the theorem's proof maps to the Fourier
l_(2/L) problem) at s = 1e5 and reports its decay along the run (fitted slope of log eps vs log s)
and the Fourier-space residual (solvers.fourier_margin.fourier_lp_kkt) as a detail. Why not the
Fourier residual as the gap: for p < 1 the limit is supported on about as many real Fourier
coordinates as there are active margins, so the stationarity equations on the support are a square
system that NNLS fits exactly at ANY direction with the right support (measured ~1e-16 even
against p = 2): it cannot discriminate. In parameter space the L D equations against m multipliers
are overdetermined. Calibrations: depth-2 runs (the depth-2 theorem gives their limit; must measure below the
threshold) and the l2 problem in beta space on the depth-L runs (must measure above it).

Depth 2 (the near calibration): a depth-2 run is a known-true case only once it is at its limit, so it
is measured where the depth-2 check (:func:`follow_depth2`) finds the run within RESOLUTION of the
DFT-l1 direction (the regime and decay premises met, carry + ODE error <= RESOLUTION), not at
S_END_DEEP; where that is out of the budget S_MAX the instance is inconclusive, with the depth-2 note.
Found by the thorough profile (eps = 6.0e-2 > 0.03 on a calibration instance at s = 1e5): a saddle
passage, the flow first fits the support without one of beta*'s frequencies (share 20% of its limit
modulus at s = 1e5, gap 0.73 to beta*), and the KKT residual of that non-limit point stays ~5e-2
(slope ~0 in log s); such a run does not reach beta* by s = 1e11 either (inconclusive). At the
depth-2 horizon the conclusive runs measure eps ~ 5e-4..3e-3 (decay ~ s^-0.3).
"""
from __future__ import annotations

import time

import numpy as np
from scipy.special import logsumexp

from models.conv_net import conv_model, end_to_end, is_cyclic_shape
from models.homogeneous import margin_flow
from solvers.fourier_margin import dft_l1_max_margin, fourier_lp_kkt, support_relaxation_rates
from solvers.homogeneous_kkt import homogeneous_kkt_residual

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, far, near
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.deeper import conv_instances
from .common import (A_LABELS, A_SEPARABLE, F_X, F_Y, SLACK, in_range, l1_max_margin_limit, l2_svm_limit, remaining_motion,
                     unit_rows)

S_END = 1e8
# the depth-2 flow is followed to the first of these whose windows lie in the asymptotic regime, and a
# decade further while the decay test fails; S_MAX is the budget: ~2-3x the cost of s = 1e8, and past
# it the margins q ~ s keep their O(1) differences only to s u ~ 1e-5 and the solver's steps shrink
# (measured: 7x the evaluations from 1e10 to 1e12)
HORIZONS = (1e8, 1e9, 1e10, 1e11)
# the depth-2 claim's declared resolution (= its run-budget cap); the flow is also followed further while its budget exceeds it
RESOLUTION = 1e-3
S_MAX = HORIZONS[-1]
S_END_DEEP = 1e5
KKT_THRESHOLD = 3e-2  # open claim: the calibration threshold on the relative KKT residual
SOURCE = ("Gunasekar, Lee, Soudry, Srebro 2018b (NeurIPS), 'Implicit bias of gradient descent on linear convolutional "
          "networks', the depth-2 and depth-L theorems; notes 000/001 'Linear Conv Nets'")


def _n_out(s_end: float) -> int:
    return int(round(4.3 * np.log10(s_end)))


@memo
def flow_run(X, y, depth, theta0, s_end=S_END):
    return margin_flow(conv_model(X, y, depth), theta0, s_end, n_out=_n_out(s_end))


@memo
def dft_reference(X, y):
    return dft_l1_max_margin(X, y)


@memo
def relaxation(X, y):
    beta, lam, _ = dft_reference(X, y)
    return support_relaxation_rates(X, y, beta, lam)


def dft_l1_limit(X, y):
    beta, lam, cert = dft_reference(X, y)
    return beta, cert


def _betas(inst, s_end=S_END):
    X, y = np.asarray(inst["X"], float), np.asarray(inst["y"], float)
    depth, D = int(inst["depth"]), X.shape[1]
    run = flow_run(X, y, depth, np.asarray(inst["theta0"], float), s_end)
    return run, np.array([end_to_end(th, depth, D) for th in run.theta])


def regime_threshold(window_factor: float) -> float:
    """k s needed at the start of the compared windows: the local exponent error 2/(k s) of a
    quasi-static mode within the decay test's slack, log(SLACK)/log(R)."""
    return 2.0 * np.log(window_factor) / np.log(SLACK)


def planned_windows(s_switch: float, s_end: float) -> tuple[float, float]:
    """(window factor R, start of the two compared windows) on margin_flow's checkpoint grid (what
    common.remaining_motion will take, up to the clock drift)."""
    step = (np.log(s_end) - np.log(s_switch)) / (_n_out(s_end) - 1)
    w = max(1, int(round(np.log(10.0) / step)))
    return float(np.exp(w * step)), float(np.exp(np.log(s_end) - 2 * w * step))


def first_horizon(rate: float, s_switch: float) -> float | None:
    """The first of HORIZONS whose compared windows meet k_slow s >= regime_threshold(R), or None."""
    for h in HORIZONS:
        if h > s_switch:
            R, s0 = planned_windows(s_switch, h)
            if rate * s0 >= regime_threshold(R):
                return h
    return None


def support_shares(U: np.ndarray, s: np.ndarray, beta_star: np.ndarray, w: int) -> tuple[int, float, float]:
    """(k, share, growth): the frequency k of beta*'s support whose modulus in the run's last unit
    direction (rows of U, at loss levels s) is the smallest fraction ``share`` of its modulus in
    beta*/||beta*||, and the exponent of its growth in s over the last ``w`` checkpoint intervals."""
    target = np.abs(np.fft.fft(beta_star / np.linalg.norm(beta_star), norm="ortho"))
    S = np.flatnonzero(target > 1e-6 * target.max())
    end, prev = (np.abs(np.fft.fft(U[i], norm="ortho"))[S] / target[S] for i in (-1, -1 - w))
    j = int(np.argmin(end))
    return int(S[j]), float(end[j]), float(np.log(end[j] / max(prev[j], 1e-300)) / np.log(s[-1] / s[-1 - w]))


def follow_depth2(inst) -> dict:
    """The depth-2 flow followed to the first horizon whose compared windows lie past the support's
    relaxation, and a decade further while the decay test fails or the run budget exceeds
    RESOLUTION, up to S_MAX (module docstring). ``conclusive``: the regime and decay premises hold
    and the carry + ODE error is within RESOLUTION, i.e. the run is within the depth-2 claim's
    resolution of its limit direction."""
    X, y = np.asarray(inst["X"], float), np.asarray(inst["y"], float)
    beta_star, lam, _ = dft_reference(X, y)
    rel = relaxation(X, y)
    rate = rel["slowest"]
    q0, _ = conv_model(X, y, 2)(np.asarray(inst["theta0"], float))
    s_switch = max(5.0, float(-logsumexp(-q0)) + 5.0)  # margin_flow's switch point
    start = first_horizon(rate, s_switch)
    # mu from the certified dual of the theorem's problem (statement-independent)
    bh = np.fft.fft(beta_star, norm="ortho")
    v = np.abs(np.fft.fft((y[:, None] * X).T @ lam, norm="ortho"))
    off = np.abs(bh) <= 1e-6 * np.abs(bh).max()
    kappa = float(v[off].max()) if off.any() else 0.0
    mu = max(min(1.0, 1.0 - kappa), 1e-3)
    for s_end in (h for h in HORIZONS if h >= (start or S_END)):
        run, B = _betas(inst, s_end)
        Ud = unit_rows(B)
        rm = remaining_motion(run.s, Ud, mu)
        regime_ok = start is not None and rate * rm["s_window_start"] >= regime_threshold(rm["window_factor"])
        ode = max(1e-9, 10.0 * run.info["clock_drift"])
        if start is None or (rm["premise_ok"] and regime_ok and rm["carry"] + ode <= RESOLUTION):
            break
    converged = bool(start is not None and rm["premise_ok"] and regime_ok)
    regime = (f"slowest support relaxation rate k_slow = {rate:.2g} per unit s (sigma_min of the active margins' Jacobian "
              f"{rel['sigma_min']:.2g}){'; ' + rel['degenerate'] if rel['degenerate'] else ''}")
    if start is None:
        R, s0 = planned_windows(s_switch, S_MAX)
        need = regime_threshold(R) * (S_MAX / s0) / max(rate, 1e-300)
        note = (f"out of reach: {regime}; the asymptotic regime needs k_slow s >= {regime_threshold(R):.3g} at the start of "
                f"the compared windows, i.e. a run to s ~ {need:.1e}, beyond the budget {S_MAX:.0e}")
    else:
        note = (f"s_end = {run.s[-1]:.1e}; regime k_slow s = {rate * rm['s_window_start']:.3g} at the windows' start "
                f"(needed {regime_threshold(rm['window_factor']):.3g}); path-length decay over the last window "
                f"{rm['decay_per_window']:.3f} vs predicted {rm['predicted_decay']:.3f} (allowed x{SLACK:g})")
        k, share, growth = support_shares(Ud, run.s, beta_star, rm["window_intervals"])
        if share < 0.9:  # diagnosis of a run far from beta*: a support frequency still missing (a saddle passage)
            pace = f"; at that pace it reaches 90% near s ~ {run.s[-1] * (0.9 / share) ** (1.0 / growth):.0e}" if growth > 0 else ""
            note += (f"; support frequency {k} holds {share:.0%} of its limit modulus at s_end and grows like s^{growth:.2g} over "
                     f"the last window (the flow fitted a smaller support first and is still escaping that saddle{pace})")
    return {"run": run, "B": B, "Ud": Ud, "rm": rm, "ode": ode, "rel": rel, "rate": rate, "regime": regime, "mu": mu,
            "kappa": kappa, "regime_ok": regime_ok, "converged": converged, "note": note,
            "conclusive": converged and rm["carry"] + ode <= RESOLUTION}


def check_depth2(inst, stmt) -> Evidence:
    X, y = np.asarray(inst["X"], float), np.asarray(inst["y"], float)
    t0 = time.perf_counter()
    beta_star, lam, cert_star = dft_reference(X, y)
    relaxation(X, y)
    t1 = time.perf_counter()
    f = follow_depth2(inst)
    run, Ud, rm, ode, rel, rate, regime, mu, kappa = (f[k] for k in ("run", "Ud", "rm", "ode", "rel", "rate", "regime", "mu",
                                                                       "kappa"))
    t2 = time.perf_counter()
    b_pred, cert = stmt["limit"](X, y)
    u = b_pred / np.linalg.norm(b_pred)
    gaps = np.linalg.norm(Ud - u[None, :], axis=1)
    tol = rm["carry"] + ode + cert.tolerance
    mod = np.abs(np.fft.fft(Ud[-1], norm="ortho"))
    ks = list(range(len(mod)))
    figs = [Figure("deeper-direction-gap", "Direction gap along the flow vs s = log(1/L)", "s = log(1/L)", "|| u(s) - u_limit ||",
                   (Series("conv net L=2 vs DFT-l1", run.s.tolist(), np.maximum(gaps, 1e-17).tolist()),), "log", "log"),
            Figure("deeper-conv-fourier", "Depth-2 conv net: |F beta| at the end of the run vs the DFT-l1 and l2 solutions",
                   "frequency k", "|(F u)_k|, u unit",
                   (Series("flow", ks, mod.tolist(), "scatter"),
                    Series("DFT-l1 max margin", ks,
                           np.abs(np.fft.fft(beta_star / np.linalg.norm(beta_star), norm="ortho")).tolist(), "scatter"),
                    Series("l2 SVM", ks,
                           np.abs(np.fft.fft(l2_svm_limit(X, y)[0] / np.linalg.norm(l2_svm_limit(X, y)[0]), norm="ortho")).tolist(),
                           "scatter")))]
    return Evidence(
        gap=float(gaps[-1]), tolerance=tol,
        tolerance_reason=(f"remaining motion after s = {run.s[-1]:.1e}: carry {rm['carry']:.1e} (r/(1-r) x the last window's path "
                          f"length, r = 1.5 x window factor^-mu, mu = min(1, 1 - kappa) = {mu:.3g}, kappa = {kappa:.3f} the largest "
                          f"off-support dual modulus; horizon chosen so that the windows lie past the support's relaxation, "
                          f"{regime}) + ODE error estimate {ode:.1e} + reference bound {cert.tolerance:.1e}"),
        certificates=[cert, cert_star] if cert is not cert_star else [cert],
        converged=f["converged"],
        convergence_note=f["note"],
        timings={"reference": t1 - t0, "dynamics": t2 - t1}, figures=figs,
        details={"D": X.shape[1], "kappa": kappa, "mu": mu, "decay_per_window": rm["decay_per_window"], "nfev": run.info["nfev"],
                 "s_end": float(run.s[-1]), "relaxation_rate": rate, "sigma_min": rel["sigma_min"],
                 "regime": rate * rm["s_window_start"]},
        reference={"beta": b_pred},
        run_budget={"remaining motion (carry)": rm["carry"], "ODE error estimate": ode},
    )


def check_deep_kkt(inst, stmt) -> Evidence:
    X, y = np.asarray(inst["X"], float), np.asarray(inst["y"], float)
    depth = int(inst["depth"])
    t0 = time.perf_counter()
    f = follow_depth2(inst) if depth == 2 else None  # a known-true case only at its limit (module doc)
    run, B = (f["run"], f["B"]) if f is not None else _betas(inst, S_END_DEEP)
    fun = conv_model(X, y, depth)
    Z = y[:, None] * X
    if stmt["problem"] == "parameter":  # min ||theta||^2 s.t. q_n >= 1: the problem the theorem's proof uses
        res = [homogeneous_kkt_residual(th, *fun(th), degree=depth) for th in run.theta]
    else:  # the l2 problem in beta-space (the fully connected answer): beta = sum lam_n z_n
        res = [homogeneous_kkt_residual(b, Z @ b, Z, degree=1.0) for b in B]
    r = np.array([x["eps"] for x in res])
    four = fourier_lp_kkt(X, y, B[-1], 2.0 / depth)
    sel = run.s >= run.s[-1] ** 0.5
    slope = float(np.polyfit(np.log(run.s[sel]), np.log(np.maximum(r[sel], 1e-300)), 1)[0])
    fig = Figure("deeper-conv-kkt", "Conv nets: KKT residual of the margin problem vs s", "s = log(1/L)",
                 "relative KKT residual eps", (Series(f"L={depth} ({stmt['problem']})", run.s.tolist(),
                                                      np.maximum(r, 1e-17).tolist()),), "log", "log")
    return Evidence(
        gap=float(r[-1]), tolerance=KKT_THRESHOLD,
        tolerance_reason=(f"open statement: calibration threshold {KKT_THRESHOLD:g} on the relative KKT residual eps of "
                          f"min ||theta||^2 s.t. q_n(theta) >= 1 at theta/q_min^(1/L) (NNLS multipliers on margins <= 1 + 1e-3); "
                          f"measured decay slope {slope:.2f} in log s; Fourier l_(2/L) residual {four['residual']:.1e} "
                          f"(support {four['support']} frequencies, {four['active']} near-active points)"),
        certificates=[], timings={"dynamics": time.perf_counter() - t0}, figures=[fig],
        converged=f is None or f["conclusive"],
        convergence_note=("" if f is None else
                          f"depth 2, measured where the depth-2 claim's run is within its resolution {RESOLUTION:g} of the "
                          f"DFT-l1 limit ({'reached' if f['conclusive'] else 'NOT reached'}: carry {f['rm']['carry']:.1e} + "
                          f"ODE {f['ode']:.1e}; {f['note']})"),
        details={"depth": depth, "problem": stmt["problem"], "decay_slope": slope, "eps_end": float(r[-1]), "s_end": float(run.s[-1]),
                 "delta_end": float(res[-1]["delta"]), "fourier_kkt_residual": float(four["residual"]),
                 "fourier_support": four["support"], "near_active": four["active"]},
    )


def _cyclic(inst):
    return is_cyclic_shape(np.asarray(inst["X"]), np.asarray(inst["theta0"]), int(inst["depth"]))


A_CYCLIC = Assumption("full-width cyclic net: X is m x D and theta0 has depth x D weights", _cyclic)
FIELDS = (F_X, F_Y, Field("depth", 0, "number of layers L", integer=True, default=2),
          Field("theta0", 1, "start: w_1, ..., w_L in R^D concatenated"))

DEPTH2 = Claim(
    id="linear-conv-net-dft-l1-max-margin",
    title="Depth-2 linear conv nets converge to the DFT-l1 max-margin direction",
    statement=("gradient flow on a depth-2 full-width cyclic linear conv net (exp loss, separable data): beta/||beta|| -> "
               "beta*/||beta*||, beta* = argmin sum_k |(F beta)_k| s.t. y_n <beta, x_n> >= 1 (complex moduli, unitary DFT)"),
    source=SOURCE,
    assumptions=(A_LABELS, A_SEPARABLE, A_CYCLIC, in_range("depth", 2, 2, True)),
    fields=FIELDS,
    strategy=lambda: conv_instances(depths=(2, 2)),
    check=check_depth2,
    params={"limit": dft_l1_limit},
    mutants=(Mutant("l2-svm", "limit the l2 SVM direction (the fully connected answer)", {"limit": l2_svm_limit}),
             Mutant("signal-l1", "limit argmin ||beta||_1 s.t. margins >= 1 (l1 in the signal domain, not the DFT)",
                    {"limit": l1_max_margin_limit})),
    kind="asymptotic", family="deeper", examples={"quick": 2, "thorough": 12}, mutant_instances=2,
    resolution=Resolution(RESOLUTION, "relative perturbation of the predicted limit beta* in a fixed random direction",
                          perturb_limit("limit")),
)

DEEP = Claim(
    id="linear-conv-net-deep-kkt",
    title="Deep linear conv nets (L >= 3): KKT residual of the margin problem along the flow (measured, open)",
    statement=("gradient flow on a depth-L (L = 3, 4) full-width cyclic linear conv net: beta(t)/||beta(t)|| approaches a "
               "first-order stationary point of min ||F beta||_(2/L) s.t. y_n <beta, x_n> >= 1 (assumes directional "
               "convergence; no rate is stated): the KKT residual at s = log(1/L) = 1e5 (parameter space; the Fourier residual reported), and its decay (measured: s^(-1/L))"),
    source=SOURCE,
    assumptions=(A_LABELS, A_SEPARABLE, A_CYCLIC, in_range("depth", 2, 6, True)),
    fields=FIELDS,
    strategy=lambda: conv_instances(depths=(3, 4)),
    check=check_deep_kkt,
    params={"problem": "parameter"},
    mutants=(near("depth-2", "depth-2 runs (the depth-2 theorem gives their limit, a global optimum of the convex DFT-l1 problem)",
                  {"problem": "parameter"}, strategy=lambda: conv_instances(depths=(2, 2))),
             far("l2-problem", "the depth-L runs measured against the l2 problem (beta = sum lam_n y_n x_n): not their limit",
                 {"problem": "l2"})),
    expected="open", kind="asymptotic", family="deeper", examples={"quick": 2, "thorough": 8}, mutant_instances=2,
)
