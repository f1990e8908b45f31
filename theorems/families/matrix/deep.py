"""Deep products W = W_N ... W_1: Arora et al.'s singular-value ODE, and Razin & Cohen's 2 x 2 completion.

Singular values (Arora, Cohen, Hu, Luo 2019, "Implicit Regularization in Deep Matrix Factorization",
Thm 3; derived here). With balanced factors (W_{j+1}^T W_{j+1} = W_j W_j^T, conserved by the flow) the
end-to-end matrix obeys W' = -sum_j (W W^T)^((j-1)/N) G (W^T W)^((N-j)/N), G = grad L(W) (Arora et al.
2018), and u_r^T W' v_r = sigma_r' for a simple singular triple, so
    sigma_r' = -N (sigma_r^2)^(1 - 1/N) <G, u_r v_r^T>.
The check separates the statement from the run: the flow integrates I_r(t) = int_0^t <G, u_r v_r^T>
(statement-free), and a statement sigma' = -c (sigma^2)^q g integrates to
Phi_q(sigma_r(t)) - Phi_q(sigma_r(0)) = -c I_r(t), Phi_q(s) = s^(1-2q)/(1-2q) (log s at q = 1/2); the
predicted sigma_r(t) is compared with the SVD of W(t) at every recorded time.

Horizon and window. The identity holds at every t, so what is checked is a window [0, T*]. The run
stops at the residual 1e-3 ||y||, at t = 1e6, or where sigma_k leaves the product's resolution
(below). It need not reach the residual: from a balanced start det W_j keeps its sign, and a depth
N >= 3 flow can settle on a rank-deficient critical point with L > 0 (G = g u_k v_k^T, g > 0, so
sigma_k' = -N sigma_k^(2 - 2/N) g: sigma_k ~ t^(-N/(N-2)) -> 0; the thorough profile's 2 x 2 depth-4
sensing instance ends at residual 0.226, G = 0.0569 u_2 v_2^T, sigma_2 ~ 77/t^2).
No horizon reaches the residual there, and nothing is gained past the plateau but
error: ||G|| stays 0.057, so the balancedness term (iii) grows like t. T* is therefore the last
recorded time before the run's own budget (i)-(iii) exceeds the declared resolution (the whole run
if it never does; if it does at t = 0 the engine's cap makes the instance inconclusive). The window
must have power for a pass to count: the exponent shifted by the declared resolution must move the
prediction farther than the tolerance within [0, T*]; else a pass is inconclusive (a gap beyond the
tolerance refutes the statement whatever the power).

Resolved triples. The integrand <G, u_r v_r^T> is read off the SVD of the product W = W_N ... W_1
formed in floating point, whose error is ~ N k eps prod_j ||W_j||. A flow that settles on a rank-deficient
point from a start of the other det sign (det W_j keeps its sign) drives sigma_k -> 0 for ever (depth 2:
exponentially); once sigma_k is below that error, the sign of u_k v_k^T (u_k^T W v_k = sigma_k > 0) is
the sign of rounding noise, the integrand of I_k flips between +-<G, u_k v_k^T>, and the integrator at
rtol 1e-13 crawls (a 2 x 2 depth-2 completion instance: sigma_2 / sigma_1 ~ eps at t ~ 150; to t = 180
took 0.1 s, to t = 220 did not end in 100 s; the thorough profile spent 560 s on the claim). The
state no longer determines the identity's right-hand side there, so the run stops (terminal event,
``triple_resolved``) where sigma_k = 4 N k eps prod_j ||W_j||_F; that ends the window as the time limit
does, and nothing the window checks is changed.

Error budget, per singular value (sigma units, then / sigma_max), each nondecreasing in t.
(i) The end-to-end entries: 2 sqrt(steps) rtol N max|W_j|^N (Weyl: |delta sigma_r| <= ||delta W||).
(ii) The integral I_r: each step's local error is <= rtol |I_r| + atol, so by time t the accumulated
error is delta_r(t) = 2 sqrt(steps) (rtol max_{s<=t} |I_r(s)| + atol); it moves the prediction by
|pred(I_r +- delta_r) - pred(I_r)| ~ c pred_r^(2q) delta_r (d pred/dI = -c pred^(2q)), evaluated
exactly at every recorded t. The sensitivity is the singular value's own: a singular value decaying
to 0 has |I_r| growing like t while pred_r^(2q) delta_r -> 0. (Weighting max|I| by sigma_max^(2q)
charged that growth to sigma_1: 4.7e-6 at t = 1e6 on that instance, against a measured gap of 1.3e-11
at t = 1e6 and 1.5e-11 at t = 1e2; at rtol 1e-9 ... 1e-12 the measured gaps, 4e-9 ... 2e-10, stay
below this budget.) (iii) The drift off balancedness (the identity's hypothesis), the measured defect
D = max_j ||W_{j+1}^T W_{j+1} - W_j W_j^T|| times what it can do to sigma': N D ||G|| max sigma^((N-2)/N),
integrated (int ||G|| dt is recorded along the run).

Razin & Cohen 2020 ("Implicit Regularization in Deep Learning May Not Be Explainable by Norms",
Thm 1 and Cor. 1): 2 x 2 completion with observed w12 = b12, w21 = b21 > 0, w22 = 0 (theirs:
b12 = b21 = 1), depth N >= 2, det W(0) > 0: gradient flow preserves the sign of det W (each
d det(W_j)/dt is det(W_j) times a finite factor), so along the run w11 w22 > w12 w21 and, with
e = ||r|| = sqrt(2L): |w12 - b12|, |w21 - b21|, |w22| <= e give (derived)
    |w11| >= (b12 - e)(b21 - e) / e          (e < min(b12, b21)),
so |w11| -> infinity as L -> 0, while min ||W||_* over completions is at w11 = 0 (the singular
values satisfy s1 s2 = b12 b21 and s1^2 + s2^2 = w11^2 + b12^2 + b21^2). The notes' "GD on U, V ->
min nuclear norm" is therefore wrong as stated without its conditions (commuting measurements, or
the RIP setting of Li, Ma, Zhang 2018): encoded as ``matrix-completion-not-nuclear-norm``
(expected fails), whose control is the bound along the same trajectory. Loss nonincreasing and det
sign preserved make the bound at the last certified point a lower bound on |w11| for all later
times, so the predicted limit w11 = 0 is refuted by a certified margin. det > 0 is certified at a
recorded point only if every factor's determinant exceeds its rounding error 4u(|ad| + |bc|) and
their signs multiply to +1; the integration stops at the first point where that fails.

Where round-off breaks det > 0. det W = prod_j det W_j, and for balanced factors |det W_j| = |det W|^(1/N):
the sign is carried by each factor's smallest singular direction, of relative size rho = min_j
sigma_min(W_j) / ||W_j||_F = (sigma_2 / sigma_1)^(1/N) of W (so det W / ||W||^2 ~ rho^N). Along the run
rho falls with the loss; measured at depth 3 on four starts (razin-cohen-2x2's, the showcase, [[1e-3, 2e-4],
[-1e-4, 1e-3]], [[0.3, 0.1], [0.05, 0.2]]): rho ~ 10 L (1.0e-7 at L = 1e-8, 3.0e-8 at 3e-9, 4.0e-8 at 4.1e-9).
The rounding of det W_j itself (4u relative) is not what fails first: the integrator's local error,
rtol ||W_j|| per step, is rtol / rho relative to that direction, so the factors' determinants -- equal for
the exact flow -- drift apart, one crosses zero and det W flips (the auditor's start: the factors' |det|
disagreed by 0.8% at L = 4.6e-9, by 2x at 3.3e-10, det flipped at L = 1.9e-10 after 178,415 steps, 71-137 s;
99% of those steps were spent below L = 4.6e-9). So the integration stops (``razin_guard``) at the first of:
det > 0 not certified; the factors' |det W_j| disagreeing by more than DET_TIE = 1e-2 (``det_spread``, 0
for the exact flow); rho <= RHO_MIN = 1e4 rtol (the published razin-cohen-2x2 start stops there at L = 1.0e-9
after 30,520 steps, 13 s, its factors still agreeing to 4.5e-4). loss_min below LOSS_FLOOR = 1e-9 (where
rho ~ 10 L meets RHO_MIN) is refused. Every run reports the predicted breakdown loss (``predicted_breakdown``:
rho's power law in L on the run's tail, extrapolated to RHO_MIN), the measured one if the run reached it,
rho and the determinants' spread at the end (at the 1e-6 stop: 9.4e-10 on the showcase; 2.7e-10 on
razin-cohen-2x2, whose measured stop at RHO_MIN is L = 1.0e-9: the tail's slope steepens, so the prediction
is good to a factor ~4).
"""
from __future__ import annotations

import time

import numpy as np

from models.matrix_factorization import balancedness_defect, completion, deep_product_flow
from solvers.certify.completion_2x2 import bound_along_trajectory

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, Verdict
from ...memo import memo
from ...strategies.matrix_sensing import completion_2x2_instances, singular_value_instances
from .common import EPS, F_DEPTH, F_ISEED, F_W0, FAMILY, balanced_start, op_of

SRC_ARORA = "Arora, Cohen, Hu, Luo 2019, Implicit Regularization in Deep Matrix Factorization, Thm 3 (balanced init)"
SRC_RAZIN = ("Razin & Cohen 2020, Implicit Regularization in Deep Learning May Not Be Explainable by Norms, Thm 1 and "
             "Cor. 1 (2 x 2 completion, det W(0) > 0); notes 001 'Unconstrained matrix completion' (GD on U, V -> min "
             "nuclear norm)")
SV_RTOL = 1e-13
SV_RESOLUTION = 1e-8  # the declared resolution: a shift of the exponent q
SV_T_MAX = 1e6


# ---- the singular-value ODE ---------------------------------------------------------------------

def arora_power(N):
    """The theorem's exponent q in sigma' = -c (sigma^2)^q <G, u v^T>: q = 1 - 1/N."""
    return 1.0 - 1.0 / N


def arora_constant(N):
    return float(N)


def predict_sigma(s0, integral, q, c):
    """sigma(t) from Phi_q(sigma(t)) = Phi_q(s0) - c I(t), Phi_q(s) = s^k / k (k = 1 - 2q; log s at k = 0),
    in the form s0 exp(log1p(k x) / k), x = -c I s0^(-k), which is stable as k -> 0."""
    s0, integral = np.asarray(s0, float), np.asarray(integral, float)
    k = 1.0 - 2.0 * q
    x = -c * integral * s0 ** (-k)
    if abs(k) < 1e-300:
        return s0 * np.exp(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        return s0 * np.exp(np.log1p(k * x) / k)


def _inner_products(fs, W, G):
    """<G, u_r v_r^T> for each singular triple, and ||G||_F (statement-free integrands)."""
    U, s, Vt = np.linalg.svd(W, full_matrices=False)
    return np.concatenate([np.einsum("ir,ij,rj->r", U, G, Vt), [float(np.linalg.norm(G))]])


def triple_resolved(fs, W) -> float:
    """sigma_k(W) - 4 N k eps prod_j ||W_j||_F: > 0 while the product W = W_N..W_1, formed in floating
    point (error <= (N - 1) k eps prod_j ||W_j||: Higham, Accuracy and Stability of Numerical Algorithms,
    sec. 3.5; the SVD adds k eps ||W||), still determines the smallest singular triple (module docstring,
    'Resolved triples')."""
    s = np.linalg.svd(W, compute_uv=False)
    return float(s[-1] - 4.0 * len(fs) * s.size * EPS * np.prod([np.linalg.norm(F) for F in fs]))


@memo
def sv_run(A, y, W0, depth, seed):
    k = min(W0.shape)
    op = op_of({"A": A})
    target = 1e-3 * max(float(np.linalg.norm(y)), 1e-300)  # the identity holds at every t: a finite horizon
    return deep_product_flow(op, y, balanced_start(W0, depth, seed), target, rtol=SV_RTOL,
                             functional=_inner_products, n_functional=k + 1, t_max=SV_T_MAX,
                             stop_when=triple_resolved)


def _predicted(s0, integral, q, c):
    """predict_sigma with 0 where the statement's sigma has reached 0 (Phi_q(s0) - c I left Phi_q's range)."""
    pred = predict_sigma(s0, integral, q, c)
    return np.where(np.isfinite(pred), pred, 0.0)


def integral_error_effect(s0, integral, q, c, steps, rtol, atol):
    """|pred(I_r +- delta_r(t)) - pred(I_r(t))| at every recorded t (module docstring, budget (ii)):
    delta_r(t) = 2 sqrt(steps) (rtol max_{s<=t} |I_r(s)| + atol), the error the integral accumulated by t."""
    delta = 2.0 * np.sqrt(steps + 1.0) * (rtol * np.maximum.accumulate(np.abs(integral), axis=0) + atol)
    pred = _predicted(s0, integral, q, c)
    return np.maximum(np.abs(_predicted(s0, integral + delta, q, c) - pred),
                      np.abs(_predicted(s0, integral - delta, q, c) - pred))


def sv_budget(run, sig, q, c, N):
    """The run's own error budget at every recorded t, in sigma units over [0, t] (module docstring):
    (entries, integral, balancedness) as arrays, each nondecreasing in t."""
    k = sig.shape[1]
    integral = run.history_extra[:, :k]
    state = np.full(len(sig), 2.0 * np.sqrt(run.steps + 1.0) * SV_RTOL * N * run.max_abs ** N)
    integ = np.maximum.accumulate(np.max(integral_error_effect(sig[0][None, :], integral, q, c, run.steps, SV_RTOL,
                                                               float(run.info.get("atol", 0.0))), axis=1))
    # the drift off balancedness (the identity's hypothesis) times what it can do to sigma':
    # N ||G|| max sigma^((N-2)/N), integrated (int ||G|| dt is recorded)
    defect = np.maximum.accumulate([balancedness_defect(F) for F in run.history_factors])
    smax = np.maximum.accumulate(np.max(sig, axis=1))
    bal = N * defect * run.history_extra[:, k] * np.maximum(1.0, smax) ** max(0.0, (N - 2.0) / N)
    return state, integ, bal, defect


def check_singular_values(inst, stmt) -> Evidence:
    A, y, W0, N, seed = inst["A"], inst["y"], inst["W0"], int(inst["depth"]), int(inst.get("seed", 0))
    t0 = time.perf_counter()
    run = sv_run(A, y, W0, N, seed)
    t1 = time.perf_counter()
    k = min(W0.shape)
    q, c = float(stmt["power"](N)), float(stmt["constant"](N))
    sig_all = np.array([np.linalg.svd(X, compute_uv=False) for X in run.history_X])  # (T, k)
    state, integ, bal, defect = sv_budget(run, sig_all, q, c, N)
    # the window [0, T*]: up to the first recorded t where the run's own budget exceeds the resolution
    # (an identity at every t; past T* the run cannot resolve it -- module docstring)
    over = (state + integ + bal) / np.maximum.accumulate(np.max(sig_all, axis=1)) > SV_RESOLUTION
    w = len(over) if over[0] or not over.any() else int(np.argmax(over))
    sig, integral, i = sig_all[:w], run.history_extra[:w, :k], w - 1
    pred = _predicted(sig[0][None, :], integral, q, c)
    smax = float(np.max(sig))
    gap = float(np.max(np.abs(pred - sig))) / smax
    ode = state[i] + integ[i]
    tol = (ode + bal[i] + 64 * EPS * smax) / smax
    # power of the window: the exponent shifted by the declared resolution, against the tolerance
    power = float(np.max(np.abs(_predicted(sig[0][None, :], integral, q + SV_RESOLUTION, c) - pred))) / smax
    resolved = power > tol
    t_win = float(run.history_t[i])
    gint = float(run.history_extra[i, k])
    reason = (f"(ODE budget: entries 2 sqrt(steps) rtol N max|W_j|^N {state[i]:.1e} + integral 2 sqrt(steps) rtol "
              f"max|I_r| through each sigma_r's sensitivity {integ[i]:.1e}; balancedness drift {defect[i]:.1e} x N "
              f"int||G|| dt ({gint:.2g}) = {bal[i]:.1e}; + 64 ulps) / sigma_max over t <= {t_win:.3g}; rtol {SV_RTOL:.0e}, "
              f"{run.steps} steps")
    stop = "sigma_k no longer resolved by the product" if run.stop == "guard" else run.stop
    note = (f"residual {run.residual:.1e} at t = {run.t:.3g} ({stop}); window t <= {t_win:.3g}"
            + (" (past it the run's own budget exceeds the resolution)" if w < len(over) else "")
            + f"; window power {power:.1e} (exponent shifted by {SV_RESOLUTION:.0e}) {'>' if resolved else '<='} "
            f"tolerance {tol:.1e}")
    ts = np.maximum(run.history_t, 1e-3)
    fig = Figure("matrix-singular-values-over-time", "Singular values of the end-to-end matrix over time",
                 "time t", "singular value",
                 tuple(Series(f"depth {N}, sigma_{r + 1}", ts.tolist(), sig_all[:, r].tolist()) for r in range(k)) +
                 tuple(Series(f"depth {N}, ODE prediction sigma_{r + 1}", ts[:w:6].tolist(), pred[::6, r].tolist(), "scatter")
                       for r in range(k)),
                 "log", "log")
    return Evidence(
        # a window stopped by the time limit or where the smallest triple stops being resolved is a valid
        # window for an identity; power guards a pass
        # (a gap beyond the tolerance refutes whatever the window's power -- module docstring)
        gap=gap, tolerance=tol, tolerance_reason=reason,
        converged=(run.converged or run.stop in ("time", "guard")) and (resolved or not gap <= tol),
        convergence_note=note,
        timings={"flow": t1 - t0}, figures=[fig],
        details={"steps": run.steps, "t_end": run.t, "depth": N, "shape": list(W0.shape), "m": A.shape[0],
                 "balancedness_defect": float(defect[i]), "sigma_end": sig_all[-1].tolist(), "residual_end": run.residual,
                 "stop": run.stop, "window_t": t_win, "window_power": power},
        run_budget={"ODE error": ode / smax, "balancedness drift": bal[i] / smax},
    )


def shift_power(stmt, r):
    f = stmt["power"]
    g = (lambda N: f(N) + r)
    g.__name__ = f"power_plus_{r:g}"
    return {"power": g}


# ---- Razin & Cohen's 2 x 2 completion ----------------------------------------------------------

ROWS, COLS = np.array([0, 1, 1]), np.array([1, 0, 1])
TARGETS = np.array([1.0, 1.0, 0.0])


DET_TIE = 1e-2  # the claim's declared resolution: the factors' |det W_j| may disagree by this much (module docstring)
RAZIN_RTOL = 1e-12
LOSS_FLOOR = 1e-9  # measured: rho ~ 10 L on depth-3 runs, so rho reaches RHO_MIN at L ~ 1e-9 (module docstring)
RHO_MIN = 1e4 * RAZIN_RTOL  # stop where det W_j's direction is 1e4 rtol of ||W_j||: 1e2 steps' error then reach DET_TIE


def det_spread(fs) -> float:
    """max_j |det W_j| / min_j |det W_j| - 1: 0 along the exact balanced flow (equal singular values, so
    |det W_j| = |det W|^(1/N)); measured, it is the integration error in the factors' smallest singular values."""
    d = np.abs([F[0, 0] * F[1, 1] - F[0, 1] * F[1, 0] for F in fs])
    return float(np.max(d) / max(float(np.min(d)), 1e-300) - 1.0)


def razin_guard(fs, W=None) -> float:
    """> 0 while det W > 0 is certified (``det_margin``) *and* the factors' determinants agree to DET_TIE
    (``det_spread``); the integration stops where it reaches 0 (module docstring, 'Where round-off breaks det > 0')."""
    m = det_margin(fs)
    return min(np.sign(m) * min(abs(m) / max(abs(np.linalg.det(F)) for F in fs), 1.0), DET_TIE - det_spread(fs),
               factor_ratio(fs) / RHO_MIN - 1.0)


def factor_ratio(fs) -> float:
    """rho = min_j sigma_min(W_j) / ||W_j||_F: the relative size, in the stored state, of the direction that carries
    det W_j's sign (= (sigma_2 / sigma_1)^(1/N) of W for balanced factors)."""
    return float(min(np.linalg.svd(F, compute_uv=False)[-1] / np.linalg.norm(F) for F in fs))


def det_margin(fs, W=None) -> float:
    """Certified det W > 0 margin: min_j (|det W_j| - 4u(|ad| + |bc|)), negative if the signs multiply
    to -1 (det W = prod det W_j exactly)."""
    sign, margin = 1.0, np.inf
    for F in fs:
        ad, bc = F[0, 0] * F[1, 1], F[0, 1] * F[1, 0]
        d = ad - bc
        sign *= np.sign(d)
        margin = min(margin, abs(d) - 4.0 * EPS * (abs(ad) + abs(bc)))
    return float(margin if sign > 0 else -abs(margin) - 1e-300)


@memo
def razin_run(W0, depth, seed, targets, loss_min):
    op = completion(ROWS, COLS, (2, 2))
    return deep_product_flow(op, targets, balanced_start(W0, depth, seed), float(np.sqrt(2.0 * loss_min)),
                             rtol=RAZIN_RTOL, atol=1e-14, log_time=True, stop_when=razin_guard, t_max=1e14)


def predicted_breakdown(run, L):
    """The loss at which the factors' determinants stop agreeing to DET_TIE, predicted from the run (module docstring):
    rho = factor_ratio on the recorded tail (L <= 100 L_end, at least 4 points) fitted as a power of L, extrapolated to
    RHO_MIN (measured along depth-3 runs: rho ~ 10 L, so L* ~ 1e-9). Returns (L*, rho_end);
    L* is 0 when rho does not decrease with L along the tail (no breakdown in sight)."""
    rho = np.array([factor_ratio(fs) for fs in run.history_factors])
    tail = np.flatnonzero((L <= 100.0 * L[-1]) & (L > 0))
    tail = tail if tail.size >= 4 else np.arange(max(0, len(L) - 4), len(L))
    p, a = np.polyfit(np.log(L[tail]), np.log(np.maximum(rho[tail], 1e-300)), 1)
    star = RHO_MIN
    if rho[-1] <= star * (1.0 + 1e-6):
        return float(L[-1]), float(rho[-1])
    return (float(np.exp((np.log(star) - a) / p)) if p > 0 else 0.0), float(rho[-1])


def nuclear_norm_completion(targets):
    """The notes' statement: the limit is the min nuclear norm completion [[0, b12], [b21, 0]]."""
    return np.array([[0.0, targets[0]], [targets[1], 0.0]])


def check_completion(inst, stmt) -> Evidence:
    W0, N, seed = inst["W0"], int(inst["depth"]), int(inst.get("seed", 0))
    b = np.asarray(inst.get("targets", TARGETS), float)
    loss_min = float(inst.get("loss_min", 1e-6))
    t0 = time.perf_counter()
    run = razin_run(W0, N, seed, b, loss_min)
    t1 = time.perf_counter()
    W = run.history_X
    e = np.linalg.norm(W[:, [0, 1, 1], [1, 0, 1]] - b[None, :], axis=1)
    cert_ok = np.array([det_margin(F) > 0 for F in run.history_factors])
    usable = cert_ok & (e < 0.5 * min(b[0], b[1]))
    # the certified segment ends at the first point where det > 0 is no longer certified
    first_bad = int(np.argmax(~cert_ok)) if not cert_ok.all() else len(cert_ok)
    usable[first_bad:] = False
    idx = np.flatnonzero(usable)
    w11 = np.abs(W[:, 0, 0])
    bound = (b[0] - e) * (b[1] - e) / np.maximum(e, 1e-300)
    # ODE error of w11 (relative), rounding of the loss: both tiny against the margins measured
    ode = 2.0 * np.sqrt(run.steps + 1.0) * 1e-12 * N * run.max_abs ** N
    spread_end = det_spread(run.history_factors[-1])
    if not cert_ok.all():
        broke, why = float(0.5 * e[first_bad] ** 2), "det > 0 no longer certified"
    elif run.stop == "guard":  # the integration stopped where det > 0 or the factors' agreement on it ended
        broke = float(0.5 * e[-1] ** 2)
        rho_stop = factor_ratio(run.history_factors[-1])
        why = (f"the factors' |det W_j| disagree by {spread_end:.1e} > {DET_TIE:.0e}" if spread_end >= DET_TIE * (1 - 1e-6)
               else f"min_j sigma_min(W_j) / ||W_j||_F = {rho_stop:.1e} reached 1e4 rtol" if rho_stop <= RHO_MIN * (1 + 1e-6)
               else "det > 0 no longer certified")
    else:
        broke, why = None, ""
    predicted, rho_end = predicted_breakdown(run, 0.5 * e ** 2)
    note = (f"det > 0 certified down to L = {0.5 * e[idx[-1]] ** 2:.1e}" if idx.size else "no certified point with e < b/2") + \
        (f"; det > 0 stopped being resolved at L = {broke:.1e} ({why}; depth {N})" if broke is not None
         else f"; det > 0 held to the stop, L = {0.5 * e[-1] ** 2:.1e}") + \
        f"; predicted breakdown L ~ {predicted:.1e}"
    if not idx.size:
        return Evidence(gap=np.nan, tolerance=np.nan, tolerance_reason="no certified point", converged=False,
                        convergence_note=note, details={"depth": N})
    if stmt["kind"] == "bound":  # the corrected statement: |w11| >= factor (b12 - e)(b21 - e)/e along the run
        lower = float(stmt["factor"]) * bound[idx]
        viol = np.maximum(0.0, lower - w11[idx]) / lower
        gap = float(np.max(viol))
        tol = float(np.max(ode / lower)) + 16 * EPS
        reason = (f"ODE budget 2 sqrt(steps) rtol N max|W_j|^N = {ode:.1e} relative to the bound, + 16 ulps; the gap is the "
                  "largest relative violation of the bound over the certified points")
        reference = {"W": W[idx], "factors": [run.history_factors[i] for i in idx], "factor": float(stmt["factor"])}
    else:  # a limit: |w11(t)| >= bound(e_T) for all t >= T, so |w11(inf) - w11_pred| >= bound(e_T) - |w11_pred|
        Wp = stmt["limit"](b)
        scale = float(np.linalg.norm(Wp))
        gap = max(0.0, float(bound[idx[-1]]) - abs(float(Wp[0, 0]))) / scale
        tol = (ode + 16 * EPS * float(w11[idx[-1]])) / scale
        reason = ("certified lower bound on |w11(inf) - w11_pred| = (b12 - e)(b21 - e)/e - |w11_pred| at the last certified "
                  f"point (L nonincreasing, det sign preserved), / ||W_pred||; tolerance: ODE budget {ode:.1e}")
        reference = {}
    xs = 1.0 / np.maximum(0.5 * e[idx] ** 2, 1e-300)
    fig = Figure("matrix-completion-2x2-w11", "Razin-Cohen 2 x 2 completion: |w11| and the certified bound vs 1/L",
                 "1 / L", "|w11|",
                 (Series(f"|w11(t)|, depth {N}", xs.tolist(), w11[idx].tolist()),
                  Series(f"bound (1 - e)^2 / e, depth {N}", xs.tolist(), np.maximum(bound[idx], 1e-17).tolist(), "scatter")),
                 "log", "log")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, converged=run.stop in ("residual", "guard"),
        convergence_note=f"stopped by {run.stop} at t = {run.t:.3g}; " + note, timings={"flow": t1 - t0}, figures=[fig],
        details={"depth": N, "loss_end": float(0.5 * e[idx[-1]] ** 2), "w11_end": float(W[idx[-1], 0, 0]),
                 "w11_times_e_end": float(w11[idx[-1]] * e[idx[-1]]), "det_end": float(np.linalg.det(W[idx[-1]])),
                 "det_breakdown_loss": broke, "det_breakdown_reason": why, "det_breakdown_predicted_loss": predicted,
                 "factor_ratio_end": rho_end, "det_spread_end": spread_end, "certified_points": int(idx.size),
                 "steps": run.steps, "seconds": t1 - t0},
        reference=reference,
    )


def scale_bound(stmt, r):
    return {"kind": "bound", "factor": float(stmt.get("factor", 1.0)) * (1.0 + r)}


def _det_positive(inst):
    W0 = np.asarray(inst["W0"], float)
    if W0.shape != (2, 2):
        return f"W0 has shape {list(W0.shape)}, need 2 x 2"
    d = float(np.linalg.det(W0))
    return None if d > 0 else f"det W0 = {d:.3g} <= 0 (the theorem needs det W(0) > 0)"


def _targets(inst):
    b = np.asarray(inst.get("targets", TARGETS), float)
    if b.shape != (3,):
        return f"targets has shape {list(b.shape)}, need 3 numbers (w12, w21, w22)"
    return None if b[0] > 0 and b[1] > 0 and b[2] == 0 else f"targets {b.tolist()}: need w12 > 0, w21 > 0, w22 = 0"


def _loss_min(inst):
    v = float(inst.get("loss_min", 1e-6))
    return None if LOSS_FLOOR <= v <= 1e-2 else (f"loss_min = {v:g} not in [{LOSS_FLOOR:g}, 1e-2] (below {LOSS_FLOOR:g} "
                                                 "round-off breaks det > 0: module docstring)")


def _depth_range(lo, hi):
    return Assumption(f"depth N in {{{lo}, ..., {hi}}}",
                      lambda i: None if lo <= int(i["depth"]) <= hi else f"depth {i['depth']} not in [{lo}, {hi}]")


def _sv_shapes(inst):
    A, y, W0 = np.asarray(inst["A"]), np.asarray(inst["y"]), np.asarray(inst["W0"])
    if A.ndim != 3 or A.shape[0] < 1 or y.shape != (A.shape[0],) or W0.shape != A.shape[1:]:
        return f"A {list(A.shape)}, y {list(y.shape)}, W0 {list(W0.shape)}: need m x n1 x n2, m, n1 x n2"
    s = np.linalg.svd(W0, compute_uv=False)
    if s[-1] <= 1e-8 * s[0]:
        return "W0 is rank-deficient (the balanced factors then have a zero singular value)"
    if s.size > 1 and np.min(np.diff(s[::-1])) <= 1e-6 * s[0]:
        return "W0 has repeated singular values (the singular triples are not simple at t = 0)"
    return None


def _claims():
    sv = Claim(
        id="deep-matrix-factorization-singular-values",
        title="Deep matrix factorization, balanced start: sigma_r' = -N (sigma_r^2)^(1-1/N) <grad L(W), u_r v_r^T>",
        statement=("W = W_N ... W_1 with balanced factors (W_{j+1}^T W_{j+1} = W_j W_j^T), gradient flow on "
                   "1/2 ||A(W) - y||^2: every singular value of W obeys sigma_r' = -N (sigma_r^2)^(1 - 1/N) <grad L(W), u_r v_r^T>"),
        source=SRC_ARORA + "; derived from Arora et al. 2018's end-to-end dynamics",
        assumptions=(Assumption("shapes: A is m x n1 x n2, y has m entries, W0 is n1 x n2 with distinct non-zero singular values",
                                _sv_shapes), _depth_range(2, 5)),
        fields=(Field("A", 3, "measurement matrices A_i, m x n1 x n2 (Gaussian sensing or completion indicators)"),
                Field("y", 1, "measurements, length m"), F_W0, F_DEPTH, F_ISEED),
        strategy=lambda: singular_value_instances(),
        showcase=lambda: _sv_showcase(),
        check=check_singular_values,
        params={"power": arora_power, "constant": arora_constant},
        mutants=(Mutant("power-one", "sigma' = -N sigma^2 <G, u v^T> (exponent 1 instead of 1 - 1/N)", {"power": lambda N: 1.0}),
                 Mutant("depth-one", "sigma' = -<G, u v^T> (the depth-1 ODE)", {"power": lambda N: 0.0, "constant": lambda N: 1.0}),
                 Mutant("power-of-depth-plus-one", "exponent 1 - 1/(N+1)", {"power": lambda N: 1.0 - 1.0 / (N + 1)}),
                 Mutant("constant-n-minus-one", "constant N - 1 in place of N", {"constant": lambda N: N - 1.0})),
        kind="identity", family=FAMILY, examples={"quick": 6, "thorough": 30}, mutant_instances=3,
        resolution=Resolution(SV_RESOLUTION, "shift of the exponent 1 - 1/N of sigma^2", shift_power),
    )
    razin = Claim(
        id="matrix-completion-not-nuclear-norm",
        title="2 x 2 completion (Razin & Cohen): the flow does not approach the min nuclear norm completion; |w11| >= (1 - e)^2/e",
        statement=("(as the notes state it) gradient flow on the depth-N factorization from a small start lands on the minimum "
                   "nuclear norm completion [[0, 1], [1, 0]] of w12 = w21 = 1, w22 = 0, i.e. w11 -> 0"),
        source=SRC_RAZIN,
        assumptions=(Assumption("det W0 > 0, W0 is 2 x 2 (the theorem's hypothesis)", _det_positive),
                     Assumption("targets: w12 > 0, w21 > 0, w22 = 0", _targets),
                     Assumption("1e-9 <= loss_min <= 1e-2 (below 1e-9 round-off breaks det > 0)", _loss_min), _depth_range(2, 6)),
        fields=(Field("W0", 2, "end-to-end start W0 (2 x 2, det W0 > 0); balanced factors are built from it"),
                Field("depth", 0, "depth N >= 2", integer=True, default=3), F_ISEED,
                Field("targets", 1, "observed (w12, w21, w22); Razin & Cohen's instance is (1, 1, 0)", default=TARGETS.copy()),
                Field("loss_min", 0, "the run stops at L = 1/2 ||r||^2 <= loss_min (or where det > 0 is no longer certified)",
                      default=1e-6)),
        # search instances stop at L = 1e-6 (each is an integration of a slowly decaying flow, and Hypothesis
        # shrinks the refuting one); the showcase -- also a control and resolution instance -- goes to 1e-8
        strategy=lambda: completion_2x2_instances().map(lambda i: {**i, "targets": TARGETS.copy(), "loss_min": 1e-6}),
        showcase=lambda: {"W0": 1e-2 * np.array([[1.0, 0.3], [-0.2, 0.8]]), "depth": 3, "seed": 0,
                          "targets": TARGETS.copy(), "loss_min": 1e-8},
        check=check_completion,
        params={"kind": "limit", "limit": nuclear_norm_completion, "factor": 1.0},
        mutants=(Mutant("certified-bound", "(corrected statement) |w11(t)| >= (b12 - e)(b21 - e)/e, e = sqrt(2 L(t)), at every "
                        "point where det W > 0 is certified: |w11| -> infinity as L -> 0", {"kind": "bound", "factor": 1.0},
                        must=Verdict.CONFIRMED),),
        expected="fails", kind="limit", family=FAMILY, examples={"quick": 2, "thorough": 6}, mutant_instances=3,
        erratum=("GD/gradient flow on a factorization (U V^T or W_N..W_1, any depth >= 2) need not approach the min nuclear "
                 "norm solution: on Razin & Cohen's 2 x 2 completion with det W(0) > 0, |w11| >= (1 - e)^2/e -> infinity "
                 "(e = sqrt(2L)); the notes' 'GD on U, V -> min ||X||_*' needs commuting measurements (Gunasekar et al. "
                 "2017, Thm 1) or the RIP setting"),
        resolution=Resolution(1e-2, "the bound scaled by 1 + r (|w11| >= (1 + r)(1 - e)^2/e)", scale_bound),
        verify=bound_along_trajectory,
    )
    return sv, razin


def _sv_showcase():
    rng = np.random.default_rng(2019)
    n, m = 4, 10
    idx = rng.choice(n * n, size=m, replace=False)
    A = np.zeros((m, n, n))
    A[np.arange(m), idx // n, idx % n] = 1.0
    Z = rng.standard_normal((n, 1)) @ rng.standard_normal((1, n))
    Q1, _ = np.linalg.qr(rng.standard_normal((n, n)))
    Q2, _ = np.linalg.qr(rng.standard_normal((n, n)))
    W0 = 0.05 * (Q1 * np.array([1.0, 0.8, 0.6, 0.4])) @ Q2.T
    return {"A": A, "y": np.einsum("kij,ij->k", A, Z), "W0": W0, "depth": 2, "seed": 0}
