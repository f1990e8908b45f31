"""The step-size claims of the optimizer-geometry family (see the package docstring for the check)."""
from __future__ import annotations

import time

import numpy as np

from models.geometry import (
    BatchRun,
    adagrad,
    gradient_descent,
    mirror_descent_momentum,
    natural_gradient,
    separable_potential,
    steepest_descent,
)
from solvers.certify.geometry import bregman_limits, euclidean_limits
from solvers.min_norm import row_space_basis

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, Verdict
from ...memo import memo
from ...registry import register
from ...resolution import direction
from ...strategies.geometry import step_dependence_instances
from .common import (
    A_RANK,
    A_REACHABLE,
    A_SHAPES,
    CONVERGED_RTOL,
    F_B,
    F_POTENTIAL,
    FAMILY,
    PAPER,
    U,
    bregman,
    rel,
    separable_potential_ok,
    showcase_instance,
)

NORMS = {0: np.inf, 1: 1.0, 2: 4.0 / 3.0}
NORM_NAMES = {0: "l_inf", 1: "l_1", 2: "l_4/3"}
FIGURE = "optimizer-geometry-limit-vs-step"
SWEEP = 5  # instances with at least this many step sizes also draw the control's sweep (the figure)


# ---- step scales -------------------------------------------------------------------------------

def _smax2(X) -> float:
    return float(np.linalg.norm(X, 2)) ** 2


def norm_smoothness(X, p: float) -> float:
    """An upper bound on L_p = max_{||v||_p <= 1} v^T X^T X v, the smoothness of L w.r.t. ||.||_p
    (steepest descent decreases L for eta < 2 / L_p): exactly max_j (X^T X)_jj for p = 1 (a convex
    function is maximal at a vertex of the l1 ball); otherwise the smaller of sum_ij |X^T X|_ij
    (|v_i| <= 1) and sigma_max^2 max(1, d^(1 - 2/p)) (||v||_2^2 <= max(1, d^(1 - 2/p)) ||v||_p^2)."""
    A = X.T @ X
    if p == 1.0:
        return float(np.max(np.diag(A)))
    d = X.shape[1]
    expo = 1.0 if p == np.inf else 1.0 - 2.0 / p
    return min(float(np.abs(A).sum()), _smax2(X) * max(1.0, d ** expo))


def mirror_curvature(X, y, w0, k, b) -> float:
    """L = max over the two ends of the path (w0 and the certified Bregman projection) of
    lambda_max(X [hess psi(w)]^{-1} X^T), the curvature of the dual objective; steps are fractions
    of 1 / L (as for mirror descent in the mirror-descent family)."""
    pot = separable_potential(k, b)
    w_end, _ = bregman(X, y, w0, k, 1.5, b)
    return max(float(np.linalg.eigvalsh((X * pot.inv_hess(w)) @ X.T)[-1]) for w in (np.asarray(w0, float), w_end))


def step_sizes(method: str, inst: dict) -> np.ndarray:
    """eta_k = eta_frac_k x the method's step scale (documented per method in the claims)."""
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    fr = np.asarray(inst["eta_fracs"], float)
    if method == "gd":
        return fr * 2.0 / _smax2(X)
    if method == "steepest-descent":
        return fr * 2.0 / norm_smoothness(X, NORMS[int(inst["norm"])])
    if method == "adagrad":
        return fr * float(np.max(np.abs(np.linalg.lstsq(X, y - X @ w0, rcond=None)[0])))
    L = mirror_curvature(X, y, w0, int(inst["potential"]), float(inst["b"]))
    if method == "md-momentum":
        return fr * (1.0 - float(inst["beta"])) / L
    return fr / L  # mirror descent, natural gradient


@memo
def _runs(method: str, inst: dict) -> BatchRun:
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    etas = step_sizes(method, inst)
    if method == "gd":
        return gradient_descent(X, y, w0, etas)
    if method == "steepest-descent":
        return steepest_descent(X, y, w0, etas, NORMS[int(inst["norm"])])
    if method == "adagrad":
        return adagrad(X, y, w0, etas)
    pot = separable_potential(int(inst["potential"]), float(inst["b"]))
    if method == "natural-gradient":
        return natural_gradient(X, y, w0, etas, pot)
    if method == "md":
        return mirror_descent_momentum(X, y, w0, etas, pot)
    if method == "md-momentum":
        return mirror_descent_momentum(X, y, w0, etas, pot, float(inst["beta"]), float(inst["gamma"]))
    raise ValueError(f"unknown method {method!r}")


def method_label(method: str, inst: dict) -> str:
    if method == "steepest-descent":
        return f"{NORM_NAMES[int(inst['norm'])]} steepest descent"
    pot = "" if method in ("gd", "adagrad") else separable_potential(int(inst["potential"]), float(inst["b"])).name
    return {"gd": "GD", "adagrad": "AdaGrad", "natural-gradient": f"natural gradient ({pot})",
            "md": f"mirror descent ({pot})",
            "md-momentum": f"mirror descent + momentum ({pot}; beta {inst.get('beta', 0):g}, gamma {inst.get('gamma', 0):g})"}[method]


# ---- per-run error bounds ----------------------------------------------------------------------

def run_errors(method: str, inst: dict, run: BatchRun) -> dict[str, np.ndarray]:
    """Per run k, the terms of the bound e_k on ||w_k - w_inf(eta_k)|| (module docstring)."""
    X, y = inst["X"], inst["y"]
    K = len(run.etas)
    to_interp, tail, roundoff = np.zeros(K), np.zeros(K), np.zeros(K)
    N = row_space_basis(X)[1] if method == "md" else None
    for k in range(K):
        w = run.W[k]
        r = X @ w - y
        if method == "md":
            pot = separable_potential(int(inst["potential"]), float(inst["b"]))
            h = pot.inv_hess(w)
            to_interp[k] = 2.0 * float(np.linalg.norm((h[:, None] * X.T) @ np.linalg.solve((X * h) @ X.T, r)))
            roundoff[k] = float(np.max(h)) * float(np.linalg.norm(N.T @ (run.info["theta"][k] - run.info["theta0"]))) \
                + 10.0 * U * float(np.linalg.norm(w))
            continue
        to_interp[k] = float(np.linalg.norm(np.linalg.lstsq(X, r, rcond=None)[0]))
        roundoff[k] = 8.0 * U * np.sqrt(run.iterations[k] + 1.0) * max(float(run.max_norm[k]), float(np.linalg.norm(w)))
        if method != "gd":
            tail[k] = float(np.linalg.norm(w - run.snapshot_before(k, 0.9 * run.iterations[k])))
    return {"distance to the interpolation set": to_interp, "movement over the last 10%": tail, "round-off drift": roundoff}


def convergence_need(X, y, w) -> float:
    """max(1e-11, 100 u cond(X) (||X|| ||w|| + ||y||) / ||y||): the residual L(w_t) -> 0 can be
    established to (the gradient X^T r is formed with error ~ u ||X|| (||X|| ||w|| + ||y||))."""
    s = np.linalg.svd(X, compute_uv=False)
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    return max(CONVERGED_RTOL, 100.0 * U * float(s[0] / s[-1]) * (float(s[0]) * float(np.linalg.norm(w)) + ynorm) / ynorm)


# ---- the step-size check -----------------------------------------------------------------------

def predicted_limits(w_ref: np.ndarray, K: int, shift: float) -> np.ndarray:
    """The statement's limits at eta_2..eta_K: w_1 (+ shift ||w_1|| u_k, u_k a fixed unit vector)."""
    d = w_ref.shape[0]
    return np.array([w_ref + shift * float(np.linalg.norm(w_ref)) * direction((d,), f"step-{k}") for k in range(1, K)])


def _sweep_series(method: str, inst: dict, run: BatchRun, control: bool = False) -> Series:
    fr = np.asarray(inst["eta_fracs"], float)
    spread = [rel(w, run.W[0]) for w in run.W]
    if not control:
        return Series(method_label(method, inst), list(fr), spread)
    # the controls are flat at 0 and would hide each other: GD as points, mirror descent dashed
    return Series(method_label(method, inst) + " (control)", list(fr), spread, "scatter" if method == "gd" else "dashed")


def check_step_dependence(inst: dict, stmt: dict) -> Evidence:
    X, y = inst["X"], inst["y"]
    method = stmt["method"]
    t0 = time.perf_counter()
    run = _runs(method, inst)
    t1 = time.perf_counter()
    K = len(run.etas)
    W = run.W
    w_ref = W[0]
    scale = max(float(np.linalg.norm(w_ref)), 1e-300)
    pred = predicted_limits(w_ref, K, float(stmt["shift"]))
    errs = run_errors(method, inst, run)
    e = sum(errs.values())
    gaps = np.array([float(np.linalg.norm(W[k] - pred[k - 1])) for k in range(1, K)])
    tols = np.array([e[0] + e[k] for k in range(1, K)])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(tols > 0, gaps / tols, np.inf)
    ratio = np.nan_to_num(ratio, nan=np.inf)
    j = int(np.argmax(ratio))
    gap, tol = gaps[j] / scale, tols[j] / scale
    need = [convergence_need(X, y, w) if np.all(np.isfinite(w)) else 0.0 for w in W]
    bad = [k for k in range(K) if run.left_domain[k] or not run.relative_residual[k] <= need[k]]
    note = "; ".join(f"eta_{k + 1}: relative residual {run.relative_residual[k]:.1e} after {run.iterations[k]} steps"
                     f"{' (left the domain)' if run.left_domain[k] else ''} (need <= {need[k]:.1e})" for k in range(K))
    fr = np.asarray(inst["eta_fracs"], float)
    series = [_sweep_series(method, inst, run)]
    control = stmt.get("control")
    if stmt.get("draw_control") and control != method and K >= SWEEP:
        series.append(_sweep_series(control, inst, _runs(control, inst), control=True))
    fig = Figure(FIGURE, "Least squares: the limit against the step size (GD and mirror descent flat)",
                 "step size eta / the method's step scale (eta_frac)", "||w_inf(eta) - w_inf(eta_1)|| / ||w_inf(eta_1)||",
                 tuple(series))
    pair = f"eta_1 = {run.etas[0]:.3g} and eta_{j + 2} = {run.etas[j + 1]:.3g}"
    reason = (f"e_1 + e_k for the worst pair ({pair}): distance to the interpolation set + "
              + ("round-off drift of theta out of theta_0 + row X + 10 ulp" if method == "md" else
                 "round-off drift 8u sqrt(T+1) max||w_t||" + ("" if method == "gd" else " + movement over the last 10% of each run"))
              + ", over ||w_inf(eta_1)||")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason,
        converged=not bad,
        convergence_note=note if bad else "",
        timings={"dynamics": t1 - t0, "comparison": time.perf_counter() - t1},
        figures=[fig],
        details={"method": method_label(method, inst), "eta_fracs": fr, "etas": run.etas, "iterations": run.iterations,
                 "limits": [w for w in W], "spread": [rel(w, w_ref) for w in W], "m": X.shape[0], "d": X.shape[1]},
        reference={"limits": W.copy()},
        run_budget={name: float(max(v[0] + v[k] for k in range(1, K))) / scale for name, v in errs.items()},
    )


# ---- assumptions -------------------------------------------------------------------------------

def _not_interpolating(inst):
    r = float(np.linalg.norm(inst["X"] @ inst["w0"] - inst["y"]))
    return None if r > 1e-8 * max(float(np.linalg.norm(inst["y"])), 1e-300) else "w0 already interpolates (nothing to learn)"


def _eta_fracs(inst):
    fr = np.asarray(inst["eta_fracs"], float)
    if fr.ndim != 1 or fr.size < 2:
        return f"eta_fracs must hold at least two step fractions, got {fr.size}"
    if not np.all((fr > 0) & (fr < 1)):
        return f"eta_fracs {fr.tolist()} not all in (0, 1)"
    if not np.all(np.diff(fr) > 0):
        return f"eta_fracs {fr.tolist()} not strictly increasing"
    return None


def _norm_ok(inst):
    return None if int(inst["norm"]) in NORMS else f"norm index {inst['norm']} not in {{0, 1, 2}}"


def _momentum(inst):
    b, g = float(inst["beta"]), float(inst["gamma"])
    if not (0.0 <= b < 1.0 and 0.0 <= g < 1.0):
        return f"beta = {b}, gamma = {g}: need 0 <= beta, gamma < 1"
    return None if b > 0 or g > 0 else "beta = gamma = 0 is plain mirror descent (no momentum)"


BASE_ASSUMPTIONS = (
    A_SHAPES,
    A_RANK,
    Assumption("w0 is not already a global minimum", _not_interpolating),
    Assumption("at least two step fractions, strictly increasing, in (0, 1)", _eta_fracs),
)
A_NORM = Assumption("norm index in {0: l_inf, 1: l_1, 2: l_4/3}", _norm_ok)
A_POTENTIAL = Assumption("a separable potential (0 negative entropy with w0 > 0, 2 hyperbolic entropy with b > 0)",
                         separable_potential_ok)
A_MOMENTUM = Assumption("momentum 0 <= beta, gamma < 1, not both 0", _momentum)

BASE_FIELDS = (
    Field("X", 2, "design matrix, m x d with m < d"),
    Field("y", 1, "targets, length m"),
    Field("w0", 1, "initialization, length d (positive for the negative entropy)"),
    Field("eta_fracs", 1, "step sizes as fractions of the method's step scale, ascending, in (0, 1)",
          default=(0.2, 0.5, 0.8)),
)
F_NORM = Field("norm", 0, "steepest-descent norm: 0 l_inf (sign descent), 1 l_1 (greedy coordinate, fixed step), 2 l_4/3",
               integer=True, default=0)
F_BETA = Field("beta", 0, "primal momentum on the mirror step (grad psi(w_t + beta D_t))", default=0.5)
F_GAMMA = Field("gamma", 0, "momentum on the gradient point (grad L(w_t + gamma D_t)); 0 heavy ball, beta Nesterov",
                default=0.0)

STATEMENT = "the limit w_inf(eta) does not depend on the step size eta (w_inf(eta_k) = w_inf(eta_1) for every k)"
# the statement is an identity between limits, which the control (GD / mirror descent) meets to
# round-off (e_1 + e_k ~ 1e-14 relative): a wrong statement of relative size 1e-8 is far above
RESOLUTION = Resolution(1e-8, "relative difference between the limits at two step sizes (the control's limits "
                        "moved apart by r ||w_inf(eta_1)|| in a fixed random direction)", lambda stmt, r: {"shift": r})


def _step_claim(cid, title, method, control, extra_fields, extra_assumptions, erratum, statement, verify,
                potentials=(0, 2), source=None, draw_control=False):
    fields = BASE_FIELDS + tuple(extra_fields)
    names = tuple(f.name for f in fields)
    clabel = "GD" if control == "gd" else "mirror descent without momentum (same potential)"
    strategy = lambda: step_dependence_instances(names, potentials=potentials)  # noqa: E731
    return Claim(
        id=cid, title=title,
        statement=statement + ": " + STATEMENT,
        source=source or f"{PAPER}, sec. 2-3; notes 001 'Implicit bias in least squares', 'Different asymptotics'",
        assumptions=BASE_ASSUMPTIONS + tuple(extra_assumptions),
        fields=fields,
        strategy=strategy,
        showcase=lambda: showcase_instance(names),
        check=check_step_dependence,
        params={"method": method, "control": control, "shift": 0.0, "draw_control": draw_control},
        mutants=(Mutant(f"{control}-control", f"the same check with {clabel} in place of {method_label(method, showcase_instance(names))}: "
                        "its limit is the same at every step size, so it must be confirmed (on instances of its own: the "
                        "search stops at the first refutation)",
                        {"method": control}, must=Verdict.CONFIRMED, strategy=strategy),),
        expected="fails", kind="limit", family=FAMILY, erratum=erratum,
        examples={"quick": 6, "thorough": 40},
        mutant_instances=8,
        resolution=RESOLUTION,
        verify=verify,
    )


register(
    _step_claim(
        "steepest-descent-least-squares-step-dependence",
        "Steepest descent w.r.t. l_inf / l_1 / l_4/3 on least squares: the limit depends on the step size",
        "steepest-descent", "gd", (F_NORM,), (A_NORM,),
        erratum="only for the Euclidean norm (GD) is the limit eta-independent (w0 + X^+(y - Xw0)); steepest descent "
                "w.r.t. l_inf, l_1 or l_4/3 with a fixed step eta < 2/L_p lands on an eta-dependent interpolant "
                "(except with a single observation, m = 1, where every step moves along one fixed direction)",
        statement="steepest descent w_{t+1} = w_t - eta argmin_v <grad L(w_t), v> + 1/2||v||_p^2, eta = eta_frac 2/L_p",
        verify=euclidean_limits, draw_control=True),
    _step_claim(
        "adagrad-least-squares-step-dependence",
        "AdaGrad on least squares: the limit depends on the step size",
        "adagrad", "gd", (), (),
        erratum="AdaGrad's limit moves with eta (its preconditioner 1/sqrt(G_t) depends on the path); GD's does not "
                "(except with a single observation, m = 1, where g_t = x r_t keeps one direction)",
        statement="diagonal AdaGrad w_{t+1} = w_t - eta g_t / sqrt(sum_s g_s^2), eta = eta_frac max_j |(X^+(y - Xw0))_j|",
        verify=euclidean_limits),
    _step_claim(
        "natural-gradient-step-dependence",
        "Natural gradient with finite steps: the limit depends on the step size",
        "natural-gradient", "md", (F_POTENTIAL, F_B), (A_POTENTIAL, A_REACHABLE),
        erratum="only the eta -> 0 limit of natural gradient is the mirror flow (Bregman projection); with finite "
                "steps its limit moves by O(eta), while mirror descent's stays on the Bregman projection",
        statement="natural gradient w_{t+1} = w_t - eta [hess psi(w_t)]^{-1} grad L(w_t), eta = eta_frac / L",
        verify=bregman_limits, draw_control=True,
        source=f"{PAPER}, sec. 2.2 (natural gradient; Fig. 1b); note 002 'Reparametrization and change of geometry'"),
    _step_claim(
        "mirror-descent-momentum-step-dependence",
        "Mirror descent with primal momentum: the limit depends on the step size",
        "md-momentum", "md", (F_POTENTIAL, F_B, F_BETA, F_GAMMA), (A_POTENTIAL, A_REACHABLE, A_MOMENTUM),
        erratum="mirror descent lands on the Bregman projection for every eta only without momentum; primal momentum "
                "grad psi(w_t + beta D_t) takes grad psi(w) out of grad psi(w0) + row(X) and the limit moves with eta "
                "(and beta, gamma)",
        statement="mirror descent with primal momentum grad psi(w_{t+1}) = grad psi(w_t + beta D_t) - eta grad L(w_t + gamma D_t), "
                  "D_t = w_t - w_{t-1}, eta = eta_frac (1 - beta) / L",
        verify=bregman_limits, source=f"{PAPER}, sec. 2.1 (mirror descent with primal momentum, Fig. 1a; our reading of its eq. (8)); notes 001"),
)
