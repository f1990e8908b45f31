"""Depth-D diagonal linear networks: the exact limit argmin Q_D, the l1 limit, the notes' h_D.

Theorem (Woodworth et al. 2020, "Kernel and rich regimes in overparametrized models", sec. 5 / Thm 3;
note 004 "Deep Diagonal Linear Net"; catalogue entry 6). beta = w+^D - w-^D, w+(0) = w-(0) = alpha 1,
gradient flow on ||X beta - y||^2. For D >= 3 (p = D/(D-2)):
    beta(inf) = alpha^D h_D(X^T nu),  h_D(u) = (1-u)^(-p) - (1+u)^(-p),  |X^T nu| < 1,
              = argmin Q_D(beta) s.t. X beta = y,  Q_D(beta) = sum_j q_D(beta_j / alpha^D),  q_D' = h_D^(-1);
for D = 2, h_2(u) = 2 sinh(u) (the Q_alpha of note 004). As alpha -> 0, beta(inf) -> argmin ||beta||_1.
(derivation: solvers/q_depth.py)

Claims
* ``deep-diag-net-q-d`` (limit): the flow's end point equals argmin Q_D, D in {2, 3, 4, 5}.
  Tolerance (derived from the run, not from the statement): a point that lies on the flow's exact
  manifold {w+^(2-D) - alpha^(2-D) = -(w-^(2-D) - alpha^(2-D)) in row X} and interpolates IS the limit,
  so the end point is within (remaining motion, first-order Gauss-Newton step from the residual at the
  event, x2 for second-order terms) + (manifold defect e: the ODE's numerical drift off the invariants,
  mapped to beta, times 1 + ||M X^T (X M X^T)^-1 X|| because the nearest manifold point leaves the
  residual r_T + X e to the rest of the path) + the reference's forward-error estimate + 64 ulps of
  max(|w|^D). These terms are the run budget (capped at the declared 1e-8).
* ``deep-diag-net-l1-limit`` (asymptotic): for D = 2, 3, 4, 5 along a geometric sequence of alpha the
  certified argmin Q_D approaches the min-l1 interpolant beta_1 at the order
      D for D >= 3 (off-support beta_j = alpha^D h_D(lambda_j) + ..., support error of the same order),
      for D = 2, between 2 (1 - max_j |lambda_j|) and 2 (1 - min_j |lambda_j|) over j not in S
      (beta_j ~ c_j alpha^(2(1 - |lambda_j|)): a sum of close powers with unequal prefactors, whose
      local slope sits inside that interval; the thorough profile refuted the single-exponent
      prediction 2 (1 - max_j |lambda_j|) on an instance with exponents 1.657 and 1.696, fitted 1.690),
  lambda the l1 dual certificate X_S^(-T) sign(beta_1,S). The fit uses only alphas where float64
  certifies the reference (forward-error estimate <= 1% of the distance); the precision floor is the
  rounding of u = X^T nu near the barrier, ~ eps / (1 - |u|) ~ eps / alpha^(D-2).
  Tolerance on |fitted - predicted order|: 3 standard errors of the slope + the drift of the local
  slope across the fit window (the measured size of the next-order correction) + 0.02 stated margin.
  The measured parts are the depth's run budget, capped at the declared resolution (0.2): a depth
  whose window is too pre-asymptotic to resolve 0.2 on an instance (D = 5, whose certifiable alphas
  stop at ~3e-2; D = 2 when two exponents cross over inside the window) is reported as unresolved
  there and not judged; an instance with no resolved depth is inconclusive.
  The flow itself is not run here (affordable only at the top of the alpha range): that the flow
  lands on argmin Q_D is the claim above.
* ``deep-diag-net-notes-h-d`` (expected fails): the notes' h_D (exponent -1/(D-2), the exponent of w,
  not of w^D, and an extra alpha^D factor) does not give the flow's limit; control: the derived h_D.
"""
from __future__ import annotations

CATALOGUE_ENTRY = 6  # catalogue entry (the order of families in lists and reports)

import time

import numpy as np

from models.deep_diag_net import (deep_diag_net_gradient_flow, manifold_defect_beta, remaining_motion,
                                  remaining_motion_operator_norm)
from solvers.min_norm import min_norm_interpolant
from solvers.certify.diag_net import min_l1_interpolant, q_depth_interpolant
from solvers.q_depth import Barrier, argmin_q, depth_barrier, min_l1_vertex

from ..contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, Verdict
from ..fitting import loglog_slope, order_interval_test
from ..memo import memo
from ..registry import register
from ..resolution import perturb_limit
from ..strategies.deep_diag_net import deep_diag_instances, l1_vertex_instances

FAMILY = "deep-diag-net"
EPS = np.finfo(float).eps
SOURCE = ("Woodworth et al. 2020, Kernel and rich regimes, sec. 5 (deep diagonal nets, Thm 3); "
          "note 004 'Deep Diagonal Linear Net'; catalogue entry 6")

# ---- predicted limits (statement parts a mutant can override) -------------------------------------


@memo
def _argmin_q(X, y, barrier, cross_check):
    return argmin_q(X, y, barrier, cross_check=cross_check)


def qd_limit(X, y, depth, alpha, cross_check=True):
    """The theorem: argmin Q_D s.t. X beta = y, beta = alpha^D h_D(X^T nu)."""
    b, cert, _ = _argmin_q(X, y, depth_barrier(depth, alpha), cross_check)
    return b, cert


def _scaled(factor_fn):
    def limit(X, y, depth, alpha):
        bar = depth_barrier(depth, alpha)
        b, cert, _ = _argmin_q(X, y, Barrier(bar.p, factor_fn(depth, alpha) * bar.scale), False)
        return b, cert
    return limit


wrong_constant_limit = _scaled(lambda D, a: 2.0)  # beta = 2 alpha^D h_D
stray_alpha_limit = _scaled(lambda D, a: a**D)  # beta = alpha^(2D) h_D (the notes' extra alpha^D)


def w_exponent_limit(X, y, depth, alpha):
    """Mutant: exponent -1/(D-2) (of w, not of w^D), scale alpha^D. At D = 2 there is no such exponent."""
    if depth == 2:
        return qd_limit(X, y, depth, alpha, cross_check=False)
    b, cert, _ = _argmin_q(X, y, Barrier(1.0 / (depth - 2.0), alpha**depth), False)
    return b, cert


def notes_h_limit(X, y, depth, alpha):
    """The notes' statement: beta = alpha^D h(z), h(z) = alpha^D [(1 + c z)^(-1/(D-2)) - (1 - c z)^(-1/(D-2))],
    c = alpha^(D-2) D (D-2); with u = -c z this is beta = alpha^(2D) [(1-u)^(-1/(D-2)) - (1+u)^(-1/(D-2))]."""
    b, cert, _ = _argmin_q(X, y, Barrier(1.0 / (depth - 2.0), alpha ** (2 * depth)), False)
    return b, cert


def l2_limit(X, y, depth, alpha):
    return min_norm_interpolant(X, y, np.zeros(X.shape[1]))


@memo
def _l1_vertex(X, y):
    return min_l1_vertex(X, y)


def l1_limit_at_alpha(X, y, depth, alpha):
    b, cert, _ = _l1_vertex(X, y)
    return b, cert


# ---- the flow (cached: mutants re-use the run, only the reference changes) ------------------------

@memo
def _flow(X, y, depth, alpha):
    # LSODA (Fortran, Adams/BDF switching) is ~10x faster than Radau here at the same accuracy; the
    # manifold defect and remaining motion measured on the run carry whatever error it leaves
    return deep_diag_net_gradient_flow(X, y, int(depth), float(alpha), method="LSODA")


def check_flow_limit(inst: dict, stmt: dict) -> Evidence:
    X, y, D, alpha = inst["X"], inst["y"], int(inst["depth"]), float(inst["alpha"])
    t0 = time.perf_counter()
    run = _flow(X, y, D, alpha)
    t1 = time.perf_counter()
    b_ref, cert = stmt["limit"](X, y, D, alpha)
    t2 = time.perf_counter()
    scale = max(float(np.linalg.norm(b_ref)), 1e-300)
    gap = float(np.linalg.norm(run.beta - b_ref)) / scale
    rem = float(np.linalg.norm(remaining_motion(X, y, run, D)))
    # a defect e moves the end point by e and leaves the residual r_T + X e for the rest of the path
    defect = (1.0 + remaining_motion_operator_norm(X, run, D)) * float(np.linalg.norm(manifold_defect_beta(X, run, D, alpha)))
    rounding = 64.0 * EPS * float(np.max(np.maximum(run.w_plus, run.w_minus)) ** D)
    ref_err = float(cert.residuals.get("forward_error_estimate", cert.tolerance))
    budget = {"remaining motion (x2)": 2.0 * rem / scale, "manifold defect x (1 + ||M X^T (X M X^T)^-1 X||)": defect / scale,
              "rounding": rounding / scale}
    tol = sum(budget.values()) + ref_err
    reason = (f"(2 x remaining motion {rem:.1e} + manifold defect x (1 + ||M X^T (X M X^T)^-1 X||) {defect:.1e} + rounding {rounding:.1e}) / ||beta_ref||"
              f" + reference forward error {ref_err:.1e}; {run.info['method']} rtol {run.info['rtol']:.0e}, stop at t = {run.t_end:.2e}")
    hist = np.linalg.norm(run.history_beta - b_ref[None, :], axis=1) / scale
    keep = run.history_t > 0
    fig = Figure(
        name="deep-diag-net-flow-vs-qd",
        title="Depth-D diagonal net: gradient flow vs argmin Q_D",
        xlabel="time t",
        ylabel="||beta(t) - beta_ref|| / ||beta_ref||",
        series=(Series(f"D={D}, alpha={alpha:.3g}", run.history_t[keep].tolist(),
                       np.maximum(hist[keep], 1e-17).tolist()),
                Series("tolerance", [float(run.history_t[keep][0]), float(run.t_end)], [tol, tol])),
        xscale="log", yscale="log",
    )
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=[cert],
        converged=run.reached_event,
        convergence_note=f"relative residual {run.relative_residual:.1e} at t = {run.t_end:.2e} ({run.info['message']})",
        timings={"dynamics": t1 - t0, "reference": t2 - t1},
        figures=[fig],
        details={"miss": gap, "depth": D, "alpha": alpha, "t_end": run.t_end, "nfev": run.nfev,
                 "remaining_motion": rem, "manifold_defect": defect, "m": X.shape[0], "d": X.shape[1]},
        reference={"beta": b_ref}, run_budget=budget,
    )


# ---- the alpha -> 0 limit --------------------------------------------------------------------------

DEPTHS = (2, 3, 4, 5)
ALPHA_GRID = {2: 10.0 ** -np.linspace(1.0, 40.0, 40), **{D: np.logspace(-0.3, -3.5, 17) for D in (3, 4, 5)}}
FIT_POINTS = 5
CERTIFIABLE_FRACTION = 0.01  # the reference's forward error must be <= 1% of the distance measured
ORDER_MARGIN = 0.02
L1_RESOLUTION = 0.2  # declared: an order (interval) off by 0.2


def predicted_order(depth, off_support):
    """Predicted order of ||beta_alpha - beta_l1|| as alpha -> 0, as an interval (lo, hi).

    D >= 3: alpha^D. D = 2: beta = 2 alpha^2 sinh(X^T nu) with nu ~ log(1/alpha^2) lambda (lambda the
    l1 dual certificate), so an off-support coordinate j decays like alpha^(2 (1 - |x_j^T lambda|)) and
    the support corrects linearly: the distance is a combination of these powers, and its log-log
    slope lies between the smallest and largest of them (``off_support`` = |x_j^T lambda|, j off S)."""
    if depth >= 3:
        return float(depth), float(depth)
    s = np.asarray(off_support, float)
    return 2.0 * (1.0 - float(s.max())), 2.0 * (1.0 - float(s.min()))


def order_minus_one(depth, off_support):
    lo, hi = predicted_order(depth, off_support)
    return lo - 1.0, hi - 1.0


def order_plus_one(depth, off_support):
    lo, hi = predicted_order(depth, off_support)
    return lo + 1.0, hi + 1.0


def order_d_everywhere(depth, off_support):
    """Mutant: alpha^D also at D = 2 (the depth-2 approach is instance dependent and slower)."""
    return float(depth), float(depth)


def l1_reference(X, y):
    b, cert, _ = _l1_vertex(X, y)
    return b, cert


def l2_reference(X, y):
    return min_norm_interpolant(X, y, np.zeros(X.shape[1]))


@memo
def _sequence(X, y, depth):
    """(alphas, beta_alpha, forward_error, certified) along the grid, warm-started (continuation)."""
    nu, out = None, []
    for a in ALPHA_GRID[depth]:
        b, cert, res = argmin_q(X, y, depth_barrier(depth, float(a)), nu0=nu, cross_check=False, cert_tol=1e-8)
        nu = res.nu
        out.append((float(a), b, res.forward_error, cert))
    return out


def check_l1_limit(inst: dict, stmt: dict) -> Evidence:
    X, y = inst["X"], inst["y"]
    t0 = time.perf_counter()
    b_ref, cert_ref = stmt["reference"](X, y)
    b_l1, cert_l1, vertex = _l1_vertex(X, y)  # the dual margin (predicted D = 2 order) is the theorem's
    off = np.setdiff1d(np.arange(X.shape[1]), vertex.support)
    off_corr = np.abs(X[:, off].T @ vertex.dual) if off.size else np.zeros(1)
    scale = max(float(np.linalg.norm(b_ref)), 1e-300)
    certs = [cert_ref] if cert_ref is cert_l1 else [cert_ref, cert_l1]
    worst = None
    per_depth, series, notes, unresolved = {}, [], [], []
    converged = True
    for D in DEPTHS:
        seq = _sequence(X, y, D)
        alphas = np.array([s[0] for s in seq])
        dist = np.array([float(np.linalg.norm(s[1] - b_ref)) / scale for s in seq])
        ferr = np.array([s[2] / scale for s in seq])
        ok = np.array([s[3].valid for s in seq]) & (ferr <= CERTIFIABLE_FRACTION * dist) & (dist > 0)
        idx = np.flatnonzero(ok)
        # stop at the first alpha float64 cannot certify: the sequence is truncated there
        stop = idx[: np.argmax(np.diff(np.r_[idx, -10]) != 1) + 1] if idx.size else idx
        series.append(Series(f"D={D}", alphas.tolist(), np.maximum(dist, 1e-17).tolist(), "scatter"))
        if stop.size < 3:
            converged = False
            notes.append(f"D={D}: only {stop.size} certifiable alphas")
            continue
        win = stop[-FIT_POINTS:]
        la, ld = np.log(alphas[win]), np.log(dist[win])
        fit = loglog_slope(la, ld, logged=True)
        slope, icpt, se = fit.slope, fit.intercept, fit.se
        local = np.diff(ld) / np.diff(la)
        drift = float(abs(local[-1] - local[0])) if local.size >= 2 else 0.0
        budget = {"3 x SE of the slope": 3.0 * se, "local-slope drift": drift}
        tol = sum(budget.values()) + ORDER_MARGIN
        lo, hi = stmt["order"](D, off_corr)
        pred = 0.5 * (lo + hi)
        test = order_interval_test(lo, hi, fit, la, ld, tol)  # fitted and end-point order against [lo, hi]
        gap = test.miss
        per_depth[D] = {"fitted_order": slope, "endpoint_order": test.endpoint_slope, "predicted_order": pred,
                        "predicted_interval": [lo, hi], "se": se, "local_slope_drift": drift,
                        "tolerance": tol, "alpha_fit": [float(alphas[win[0]]), float(alphas[win[-1]])],
                        "smallest_certified_alpha": float(alphas[stop[-1]]), "distance_at_smallest": float(dist[stop[-1]]),
                        "first_uncertified_alpha": float(alphas[stop[-1] + 1]) if stop[-1] + 1 < len(alphas) else None}
        xs = np.exp(la)
        pred_s = f"{lo:.2f}" if hi - lo < 5e-3 else f"{lo:.2f}..{hi:.2f}"
        series.append(Series(f"D={D} fit: order {slope:.2f} (pred {pred_s})", xs.tolist(),
                             np.exp(icpt + slope * la).tolist(), "line"))
        if sum(budget.values()) > L1_RESOLUTION or not test.resolvable:
            unresolved.append(f"D={D} (budget {sum(budget.values()):.2f}, smallest predicted order {lo:.2f})")
            per_depth[D]["judged"] = False
            continue
        per_depth[D]["judged"] = True
        r = gap / tol
        if worst is None or r > worst[0]:
            worst = (r, D, gap, tol, budget)
    t1 = time.perf_counter()
    fig = Figure(
        name="deep-diag-net-distance-to-l1",
        title="Depth-D diagonal net: distance of argmin Q_D to the min-l1 interpolant",
        xlabel="alpha", ylabel="||beta_alpha - beta_l1|| / ||beta_l1||",
        series=tuple(series), xscale="log", yscale="log",
    )
    if worst is None:
        return Evidence(gap=np.nan, tolerance=np.nan, tolerance_reason="no depth had a certifiable, resolved sequence",
                        certificates=certs, converged=False,
                        convergence_note="; ".join(notes + [f"unresolved: {', '.join(unresolved)}"]), figures=[fig],
                        details={"per_depth": per_depth})
    _, D, gap, tol, budget = worst
    reason = (f"worst depth D={D}: 3 SE of the log-log slope + local-slope drift over the fit window + {ORDER_MARGIN}; "
              f"fit on the {FIT_POINTS} smallest alphas where the reference's forward error <= 1% of the distance"
              + (f"; not judged (window cannot resolve {L1_RESOLUTION}): {', '.join(unresolved)}" if unresolved else ""))
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=certs, converged=converged,
        convergence_note="; ".join(notes), timings={"references": t1 - t0}, figures=[fig],
        details={"per_depth": per_depth, "l1_dual_off_support_max": vertex.off_support_max,
                 "unresolved_depths": unresolved, "m": X.shape[0], "d": X.shape[1]},
        reference={"beta": b_ref, "dual": vertex.dual}, run_budget=budget,
    )


# ---- assumptions ------------------------------------------------------------------------------------

def _shapes(inst):
    X, y = inst["X"], inst["y"]
    if X.ndim != 2 or y.shape != (X.shape[0],):
        return f"X {X.shape}, y {y.shape}"
    if X.shape[0] >= X.shape[1]:
        return f"X is {X.shape[0]}x{X.shape[1]}, need m < d"
    return None


def _full_rank(inst):
    s = np.linalg.svd(inst["X"], compute_uv=False)
    return None if s[-1] > 1e-8 * s[0] else f"sigma_min/sigma_max = {s[-1] / s[0]:.1e}"


def _depth(allowed):
    def test(inst):
        return None if int(inst["depth"]) in allowed else f"depth {inst['depth']} not in {allowed}"
    return test


def _alpha(inst):
    a = float(inst["alpha"])
    return None if 0.0 < a <= 10.0 else f"alpha = {a}"


def _l1_nondegenerate(inst):
    b, cert, v = _l1_vertex(inst["X"], inst["y"])
    if not cert.valid:
        return f"min-l1 vertex not certified ({cert.worst:.1e})"
    return None if v.off_support_max <= 0.95 else f"dual margin too small (max off-support |x_j^T lambda| = {v.off_support_max:.3f})"


A_SHAPES = Assumption("X is m x d with m < d, y has m entries", _shapes)
A_RANK = Assumption("X has full row rank", _full_rank)
A_ALPHA = Assumption("alpha > 0", _alpha)
A_L1 = Assumption("the min-l1 interpolant is a unique non-degenerate vertex (dual margin >= 0.05)", _l1_nondegenerate)
F_X = Field("X", 2, "design matrix, m x d with m < d")
F_Y = Field("y", 1, "targets, length m")
F_DEPTH = Field("depth", 0, "depth D >= 2 of beta = w+^D - w-^D", integer=True)
F_ALPHA = Field("alpha", 0, "initialization scale: w+(0) = w-(0) = alpha 1")

QD_STATEMENT = ("gradient flow on ||X(w+^D - w-^D) - y||^2 from w+ = w- = alpha 1 converges to "
                "argmin sum_j q_D(beta_j/alpha^D) s.t. X beta = y, i.e. beta = alpha^D h_D(X^T nu), "
                "h_D(u) = (1-u)^(-D/(D-2)) - (1+u)^(-D/(D-2)) (D >= 3), h_2 = 2 sinh")
NOTES_STATEMENT = ("(notes 004) beta(inf) = alpha^D h_D(X^T s) with h_D(z) = alpha^D[(1 + alpha^(D-2) D(D-2) z)^(-1/(D-2)) "
                   "- (1 - alpha^(D-2) D(D-2) z)^(-1/(D-2))]")
def shifted_order(stmt, r):
    """Resolution mutant: the predicted order (interval) off by r at every depth."""
    f = stmt["order"]
    return {"order": lambda depth, off: tuple(v + r for v in f(depth, off))}


RES_LIMIT = Resolution(1e-8, "relative perturbation of the predicted limit beta* in a fixed random direction",
                       perturb_limit("limit", index=0))
RES_ORDER = Resolution(L1_RESOLUTION, "predicted order of approach (interval) off by r", shifted_order)

ERRATUM = ("h_D(u) = (1-u)^(-D/(D-2)) - (1+u)^(-D/(D-2)) (exponent -D/(D-2), the exponent of w^D; -1/(D-2) is "
           "the exponent of w) and beta(inf) = alpha^D h_D(X^T nu) with no further alpha^D factor")

register(
    Claim(
        id="deep-diag-net-q-d",
        title="Depth-D diagonal net: the gradient-flow limit is argmin Q_D",
        statement=QD_STATEMENT,
        source=SOURCE,
        assumptions=(A_SHAPES, A_RANK, A_ALPHA, Assumption("depth in {2, 3, 4, 5}", _depth((2, 3, 4, 5)))),
        fields=(F_X, F_Y, F_DEPTH, F_ALPHA),
        strategy=lambda: deep_diag_instances(),
        check=check_flow_limit,
        params={"limit": qd_limit},
        mutants=(
            Mutant("exponent-of-w", "h with exponent -1/(D-2) (the exponent of w, not w^D)", {"limit": w_exponent_limit}),
            Mutant("wrong-constant", "beta = 2 alpha^D h_D(X^T nu) (constant 2)", {"limit": wrong_constant_limit}),
            Mutant("stray-alpha-d", "beta = alpha^(2D) h_D(X^T nu) (the notes' extra alpha^D)", {"limit": stray_alpha_limit}),
            Mutant("l2-limit", "limit argmin ||beta||_2 s.t. X beta = y", {"limit": l2_limit}),
            Mutant("l1-limit", "limit argmin ||beta||_1 already at finite alpha", {"limit": l1_limit_at_alpha}),
        ),
        expected="holds", kind="limit", family=FAMILY,
        examples={"quick": 8, "thorough": 30}, mutant_instances=4,
        resolution=RES_LIMIT, verify=q_depth_interpolant,
    ),
    Claim(
        id="deep-diag-net-l1-limit",
        title="Depth-D diagonal net: alpha -> 0 gives the min-l1 interpolant, at order alpha^D (D >= 3)",
        statement=("for every D >= 2, argmin Q_D (= the flow limit) -> argmin ||beta||_1 s.t. X beta = y as alpha -> 0; "
                   "||beta_alpha - beta_1|| = Theta(alpha^D) for D >= 3; for D = 2 a combination of alpha^(2(1 - |x_j^T lambda|)), "
                   "j not in S (lambda the l1 dual certificate), so its log-log slope lies between the smallest and largest "
                   "of these exponents"),
        source=SOURCE,
        assumptions=(A_SHAPES, A_RANK, A_L1),
        fields=(F_X, F_Y),
        strategy=lambda: l1_vertex_instances(),
        check=check_l1_limit,
        params={"reference": l1_reference, "order": predicted_order},
        mutants=(
            Mutant("l2-in-place-of-l1", "alpha -> 0 limit is argmin ||beta||_2", {"reference": l2_reference}),
            Mutant("order-d-minus-1", "order of approach D - 1 (D >= 3), the depth-2 interval shifted by -1", {"order": order_minus_one}),
            Mutant("order-d-plus-1", "order of approach D + 1", {"order": order_plus_one}),
            Mutant("order-d-at-depth-2", "order alpha^D also at D = 2", {"order": order_d_everywhere}),
        ),
        expected="holds", kind="asymptotic", family=FAMILY,
        examples={"quick": 4, "thorough": 25}, mutant_instances=3,
        resolution=RES_ORDER, verify=min_l1_interpolant,
    ),
    Claim(
        id="deep-diag-net-notes-h-d",
        title="Notes 004's h_D (exponent -1/(D-2), extra alpha^D) does not give the flow limit",
        statement=NOTES_STATEMENT,
        source="note 004 'Deep Diagonal Linear Net' (Srebro, kernel vs rich regimes); catalogue entry 6",
        assumptions=(A_SHAPES, A_RANK, A_ALPHA, Assumption("depth in {3, 4, 5}", _depth((3, 4, 5)))),
        fields=(F_X, F_Y, F_DEPTH, F_ALPHA),
        # alpha >= 0.5: the notes' map needs 1 - |u| ~ alpha^(2D(D-2)), beyond float64 at small alpha
        strategy=lambda: deep_diag_instances(depths=(3, 4, 5), e_max={3: 0.3, 4: 0.3, 5: 0.3}),
        check=check_flow_limit,
        params={"limit": notes_h_limit},
        mutants=(
            Mutant("derived-h-d-control", "the corrected h_D (exponent -D/(D-2), beta = alpha^D h_D): must be confirmed",
                   {"limit": qd_limit}, must=Verdict.CONFIRMED),
        ),
        expected="fails", kind="limit", family=FAMILY, erratum=ERRATUM,
        examples={"quick": 4, "thorough": 20}, mutant_instances=3,
        resolution=RES_LIMIT, verify=q_depth_interpolant,
    ),
)
