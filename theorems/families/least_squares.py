"""Underdetermined least squares: which interpolant an optimizer lands on.

Theorem (Gunasekar et al. 2018a, Thm 1; notes 002 "Theorem 1", 003 "pseudo-inverse"): for a
convex loss with a unique zero, if GD drives L(w_t) -> 0 then w_t -> w* = w0 + X^+ (y - X w0)
= argmin ||w - w0||_2 s.t. Xw = y. The proof only uses that every increment lies in row(X), so the
same limit holds for momentum, SGD, CG/LSQR and BFGS started at w0. Adaptive / non-Euclidean
methods (Adam, AdaGrad, l_inf steepest descent, coordinate descent) leave row(X) and land elsewhere
(notes 001, "Implicit bias in least squares"): encoded as ``expected="fails"``.

The check. Run the optimizer until the relative residual is below 1e-13 (or the budget ends), then
measure gap = ||w_T - w_pred|| / ||w_pred||. Tolerance, derived:
* for a row-space method, P_row(w_T - w*) = X^+ X (w_T - w*) = X^+ (X w_T - y) exactly, and the
  null-space part of w_T - w* is round-off only; so ||w_T - w*|| <= ||X^+ (X w_T - y)|| + drift,
  drift = 8 u sqrt(T + 1) max_t ||w_t|| (a random walk of <= 8 roundings of size u ||w|| per step);
* for a method whose increments leave row(X) the limit is unknown, so the tolerance also gets the
  movement over the last 10% of the run (a linear-rate proxy for ||w_T - w_inf||);
* plus the reference's own forward-error bound (its certificate tolerance).
A run that did not reach relative residual max(1e-11, 100 x the gradient's round-off floor
u cond(X) (||X|| ||w_T|| + ||y||) / ||y||) is ``inconclusive`` (the theorem's hypothesis
L(w_t) -> 0 is not established).
"""
from __future__ import annotations

CATALOGUE_ENTRY = 1  # catalogue entry (the order of families in lists and reports)

import time
from typing import Callable

import numpy as np

from models.least_squares import (
    Run,
    adagrad,
    adam,
    cg_normal_equations,
    coordinate_descent,
    gradient_descent,
    heavy_ball,
    linf_steepest_descent,
    lsqr_from,
    minibatch_sgd,
    nesterov,
    quasi_newton,
)
from models.losses import loss_by_name
from solvers.certify.min_norm import min_distance_interpolant
from solvers.min_norm import min_lp_distance_interpolant, min_norm_interpolant

from ..contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series, Verdict
from ..memo import memo
from ..registry import register
from ..resolution import perturb_limit
from ..strategies.least_squares import least_squares_instances

U = np.finfo(float).eps / 2
SOURCE = "Gunasekar et al. 2018a, Thm 1 (notes 002 Theorem 1; 003 pseudo-inverse)"
CONVERGED_RTOL = 1e-11
LOSS_NAMES = ("squared", "pseudo-huber", "log-cosh")


def _smax(X):
    return float(np.linalg.norm(X, 2))


# ---- optimizers: (runner(instance) -> Run, increments stay in row(X)?) -----------------------

def _gd(inst):
    loss = loss_by_name(LOSS_NAMES[int(inst.get("loss", 0))])
    eta = inst.get("eta_frac", 0.5) * 2.0 / (loss.curvature * _smax(inst["X"]) ** 2)
    return gradient_descent(inst["X"], inst["y"], inst["w0"], eta, loss)


def _hb(inst):
    return heavy_ball(inst["X"], inst["y"], inst["w0"], inst["eta_frac"] * 2.0 / _smax(inst["X"]) ** 2, inst["beta"])


def _nesterov(inst):
    # Nesterov on a quadratic is stable for eta <= 1/L (not 2/L) with beta < 1
    return nesterov(inst["X"], inst["y"], inst["w0"], inst["eta_frac"] * 1.0 / _smax(inst["X"]) ** 2, inst["beta"])


def _sgd(inst):
    X, b = inst["X"], int(inst["batch"])
    # conservative: eta < 1 / max_i ||x_i||^2 / b keeps every minibatch step a contraction
    L = b * max(float(np.sum(X[i] ** 2)) for i in range(X.shape[0]))
    return minibatch_sgd(X, inst["y"], inst["w0"], inst["eta_frac"] / L, b, int(inst["seed"]))


def _adam(inst, **kw):
    eps = 1e-2
    return adam(inst["X"], inst["y"], inst["w0"], inst["eta_frac"] * eps / _smax(inst["X"]) ** 2, eps=eps, **kw)


def _adagrad(inst, **kw):
    return adagrad(inst["X"], inst["y"], inst["w0"], 0.1 * inst["eta_frac"], **kw)


OPTIMIZERS: dict[str, tuple[Callable[[dict], Run], bool]] = {
    "gd": (_gd, True),
    "heavy-ball": (_hb, True),
    "nesterov": (_nesterov, True),
    "minibatch-sgd": (_sgd, True),
    "cg": (lambda i: cg_normal_equations(i["X"], i["y"], i["w0"]), True),
    "lsqr": (lambda i: lsqr_from(i["X"], i["y"], i["w0"]), True),
    "bfgs": (lambda i: quasi_newton(i["X"], i["y"], i["w0"], "BFGS"), True),
    "l-bfgs": (lambda i: quasi_newton(i["X"], i["y"], i["w0"], "L-BFGS-B"), True),
    "adam": (_adam, False),
    "adagrad": (_adagrad, False),
    "linf-steepest-descent": (lambda i, **kw: linf_steepest_descent(i["X"], i["y"], i["w0"], **kw), False),
    "cyclic-coordinate-descent": (lambda i, **kw: coordinate_descent(i["X"], i["y"], i["w0"], "cyclic", **kw), False),
    "greedy-coordinate-descent": (lambda i, **kw: coordinate_descent(i["X"], i["y"], i["w0"], "greedy", **kw), False),
}


# ---- predicted limits (the statement and its mutants) ------------------------------------------

def min_norm_limit(X, y, w0):
    """The theorem: argmin ||w - w0||_2 s.t. Xw = y."""
    return _reference(min_norm_interpolant, X, y, w0)


def pinv_from_origin(X, y, w0):
    """Mutant: forget the start, X^+ y = argmin ||w||_2 s.t. Xw = y."""
    return _reference(min_norm_interpolant, X, y, np.zeros_like(w0))


def min_l1_distance(X, y, w0):
    """Mutant (wrong norm): argmin ||w - w0||_1 s.t. Xw = y."""
    return _reference(min_lp_distance_interpolant, X, y, w0, 1)


def min_linf_distance(X, y, w0):
    """Mutant (wrong norm): argmin ||w - w0||_inf s.t. Xw = y."""
    return _reference(min_lp_distance_interpolant, X, y, w0, np.inf)


SETTLE_ROUNDS = 3  # a method off row(X) runs on past the residual criterion, 4x longer each round


@memo
def _run(optimizer: str, inst: dict) -> Run:
    """The optimizer's run. For a method whose increments leave row(X) the limit is not on a known
    affine set, so the run must also have stopped moving: while its movement over the last 10% of
    the run exceeds 1e-3 x the resolution (relative), it is repeated with 4x the updates past the
    residual criterion (at most SETTLE_ROUNDS times; what is left is the run's budget term)."""
    runner, row_space = OPTIMIZERS[optimizer]
    run = runner(inst)
    if row_space:
        return run
    for _ in range(SETTLE_ROUNDS):
        scale = max(float(np.linalg.norm(run.w)), 1e-300)
        if _tail_movement(run) / scale <= 1e-3 * RESOLUTION.declared:
            break
        run = runner(inst, min_iter=4 * max(run.iterations, 1))
    return run


def _tail_movement(run: Run) -> float:
    """||w_T - w_t|| for the last snapshot t <= 0.9 T (inf when there is none)."""
    T = run.history_t[-1]
    earlier = [k for k, t in enumerate(run.history_t) if t <= 0.9 * T]
    return float(np.linalg.norm(run.w - run.history_w[earlier[-1]])) if earlier else float("inf")


@memo
def _reference(solver, *args):
    return solver(*args)


def check(inst: dict, stmt: dict) -> Evidence:
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    row_space = OPTIMIZERS[stmt["optimizer"]][1]
    t0 = time.perf_counter()
    run = _run(stmt["optimizer"], inst)
    t1 = time.perf_counter()
    w_pred, cert = stmt["limit"](X, y, w0)
    t2 = time.perf_counter()
    w = run.w
    scale = max(float(np.linalg.norm(w_pred)), 1e-300)
    gap = float(np.linalg.norm(w - w_pred)) / scale
    resid = X @ w - y
    rel_resid = float(np.linalg.norm(resid)) / max(float(np.linalg.norm(y)), 1e-300)
    to_interp = float(np.linalg.norm(np.linalg.lstsq(X, resid, rcond=None)[0]))
    drift = 8.0 * U * np.sqrt(run.iterations + 1.0) * max(run.max_norm, float(np.linalg.norm(w)))
    tail = 0.0
    parts = f"||X^+(Xw_T - y)|| = {to_interp:.1e} + round-off drift 8u sqrt(T+1) max||w_t|| = {drift:.1e}"
    if not row_space:
        tail = _tail_movement(run)
        parts += f" + movement over the last 10% of the run {tail:.1e} (increments leave row X: limit unknown)"
    tol = (to_interp + drift + tail) / scale + cert.tolerance
    reason = f"({parts}) / ||w_pred|| + reference error bound {cert.tolerance:.1e}; T = {run.iterations}"
    # L(w_t) -> 0 can only be established down to the attainable accuracy: every method here
    # works with the gradient X^T r, computed with error ~ u sigma_max (sigma_max ||w|| + ||y||), and
    # ||r|| <= ||X^T r|| / sigma_min; so the floor is ~ u cond(X) (sigma_max ||w_T|| + ||y||) / ||y||
    cond = float(np.linalg.cond(X))
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    floor = U * cond * (float(np.linalg.norm(X, 2)) * float(np.linalg.norm(w)) + ynorm) / ynorm
    need = max(CONVERGED_RTOL, 100.0 * floor)
    dist = [float(np.linalg.norm(v - w_pred)) / scale for v in run.history_w]
    label = stmt["optimizer"] + (f" ({LOSS_NAMES[int(inst['loss'])]} loss)" if "loss" in inst else "")
    fig = Figure(
        name="least-squares-distance-to-min-norm",
        title="Least squares: relative distance to w* = w0 + X^+(y - X w0)",
        xlabel="iteration t (+1)",
        ylabel="||w_t - w*|| / ||w*||",
        series=(Series(label, [t + 1 for t in run.history_t], [max(v, 1e-17) for v in dist]),),
        xscale="log",
        yscale="log",
    )
    return Evidence(
        gap=gap,
        tolerance=tol,
        tolerance_reason=reason,
        certificates=[cert],
        converged=rel_resid <= need,
        convergence_note=f"relative residual {rel_resid:.1e} after {run.iterations} iterations "
                         f"(need <= max(1e-11, 100 u cond(X) (||X|| ||w_T|| + ||y||)/||y||) = {need:.1e})",
        timings={"dynamics": t1 - t0, "reference": t2 - t1},
        figures=[fig],
        details={"iterations": run.iterations, "relative_residual": rel_resid, "m": X.shape[0], "d": X.shape[1],
                 "cond_X": cond, "tail_movement": tail, **run.info},
        reference={"w": w_pred},
        run_budget={"distance to the interpolation set": to_interp / scale, "round-off drift": drift / scale,
                    "movement over the last 10%": tail / scale},
    )


# ---- assumptions -------------------------------------------------------------------------------

def _underdetermined(inst):
    m, d = inst["X"].shape
    return None if m < d else f"X is {m}x{d}, need m < d"


def _full_row_rank(inst):
    X = inst["X"]
    if X.shape[0] > X.shape[1]:
        return "more rows than columns"
    s = np.linalg.svd(X, compute_uv=False)
    bound = max(X.shape) * np.finfo(float).eps * 1e4
    return None if s[-1] > s[0] * bound else f"rank-deficient X (sigma_min/sigma_max = {s[-1] / s[0]:.1e})"


def _shapes(inst):
    m, d = inst["X"].shape
    if inst["y"].shape != (m,):
        return f"y has shape {inst['y'].shape}, need ({m},)"
    if inst["w0"].shape != (d,):
        return f"w0 has shape {inst['w0'].shape}, need ({d},)"
    return None


def _in_open_unit(name):
    def test(inst):
        v = float(inst[name])
        return None if 0.0 < v < 1.0 else f"{name} = {v} not in (0, 1)"
    return test


BASE_ASSUMPTIONS = (
    Assumption("shapes: X is m x d, y has m entries, w0 has d", _shapes),
    Assumption("underdetermined: m < d", _underdetermined),
    Assumption("X has full row rank (the interpolation set is non-empty and y reachable)", _full_row_rank),
)
BASE_FIELDS = (
    Field("X", 2, "design matrix, m x d with m < d"),
    Field("y", 1, "targets, length m"),
    Field("w0", 1, "initialization, length d"),
)
F_ETA = Field("eta_frac", 0, "step size as a fraction of its stability bound (see the optimizer)", default=0.5)
F_BETA = Field("beta", 0, "momentum parameter in [0, 1)", default=0.0)
F_BATCH = Field("batch", 0, "minibatch size (1 <= batch <= m)", integer=True, default=1)
F_SEED = Field("seed", 0, "RNG seed of the minibatch order", integer=True, default=0)
F_LOSS = Field("loss", 0, "loss index: 0 squared, 1 pseudo-Huber (delta 1), 2 log-cosh", integer=True, default=0)

A_ETA = Assumption("admissible step: 0 < eta_frac < 1 (eta below the stability bound)", _in_open_unit("eta_frac"))
A_BETA = Assumption("momentum 0 <= beta < 1", lambda i: None if 0.0 <= float(i["beta"]) < 1.0 else f"beta = {i['beta']}")
A_BATCH = Assumption("1 <= batch <= m", lambda i: None if 1 <= int(i["batch"]) <= i["X"].shape[0] else f"batch = {i['batch']}")
A_LOSS = Assumption("loss index in {0, 1, 2}", lambda i: None if int(i["loss"]) in (0, 1, 2) else f"loss = {i['loss']}")

LIMIT_MUTANTS = (
    Mutant("forgets-w0", "limit X^+ y, the min-norm interpolant from the origin (ignores w0)", {"limit": pinv_from_origin}),
    Mutant("l1-distance", "limit argmin ||w - w0||_1 s.t. Xw = y (wrong norm)", {"limit": min_l1_distance}),
    Mutant("linf-distance", "limit argmin ||w - w0||_inf s.t. Xw = y (wrong norm)", {"limit": min_linf_distance}),
)
STATEMENT = "w_t -> w* = w0 + X^+(y - X w0) = argmin ||w - w0||_2 s.t. Xw = y"
# an exact limit: the run lands on w* to round-off, so a 1e-8 relative error of the statement is
# far above every tolerance here (<= 1e-11 for cond(X) <= 1e4); for an expected-fails claim the
# perturbation is applied to its control (plain GD), so the same check is shown to be that fine
RESOLUTION = Resolution(1e-8, "relative perturbation of the predicted limit w* in a fixed random direction",
                        perturb_limit("limit"))


def showcase_instance(names: tuple[str, ...]) -> dict:
    """The family's figure instance: m = 20, d = 60, cond(X) = 10, Gaussian w0 (seeded)."""
    from ..strategies.matrices import conditioned_matrix

    rng = np.random.default_rng(2018)
    X = conditioned_matrix(rng, 20, 60, 10.0, 1.0)
    inst = {"X": X, "y": rng.standard_normal(20), "w0": rng.standard_normal(60),
            "eta_frac": 0.5, "beta": 0.5, "batch": 4, "seed": 0, "loss": 1}
    return {k: inst[k] for k in names}


def _claim(cid, title, optimizer, extra_fields=(), extra_assumptions=(), strategy_kw=None, expected="holds",
           statement=None, source=SOURCE, examples=None, **kw):
    fields = BASE_FIELDS + tuple(extra_fields)
    names = tuple(f.name for f in fields)
    skw = dict(strategy_kw or {})
    if expected == "holds":
        mutants = LIMIT_MUTANTS
    else:
        mutants = (Mutant("gd-control", "the same check with plain GD (eta_frac 0.5) in place of "
                          f"{optimizer}: must be confirmed, so the refutation is about {optimizer}",
                          {"optimizer": "gd"}, must=Verdict.CONFIRMED),)
    return Claim(
        id=cid,
        title=title,
        statement=statement or f"{optimizer} on 1/2||Xw - y||^2 from w0: {STATEMENT}",
        source=source,
        assumptions=BASE_ASSUMPTIONS + tuple(extra_assumptions),
        fields=fields,
        strategy=lambda: least_squares_instances(names, **skw),
        showcase=lambda: showcase_instance(names),
        check=check,
        params={"optimizer": optimizer, "limit": min_norm_limit},
        mutants=mutants,
        expected=expected,
        kind="limit",
        family="least-squares",
        examples=examples or {"quick": 25, "thorough": 200},
        resolution=RESOLUTION,
        verify=min_distance_interpolant,
        **kw,
    )


NEG_SOURCE = "notes 001 'Implicit bias in least squares' (Srebro); Gunasekar et al. 2018a, sec. 2-3"

register(
    _claim("gd-least-squares-min-norm", "GD on least squares lands on the pseudo-inverse solution", "gd",
           (F_ETA,), (A_ETA,),
           statement="GD w_{t+1} = w_t - eta X^T(Xw_t - y), 0 < eta < 2/sigma_max(X)^2, from any w0: " + STATEMENT),
    _claim("gd-convex-loss-min-norm", "GD on any convex loss with a unique zero lands on the same point", "gd",
           (F_ETA, F_LOSS), (A_ETA, A_LOSS), {"losses": True},
           statement="GD on sum_i l(<w,x_i> - y_i), l in {squared, pseudo-Huber, log-cosh}, eta < 2/(beta_l sigma_max^2): " + STATEMENT),
    _claim("heavy-ball-least-squares-min-norm", "Heavy-ball momentum lands on the pseudo-inverse solution", "heavy-ball",
           (F_ETA, F_BETA), (A_ETA, A_BETA), {"momentum": True}),
    _claim("nesterov-least-squares-min-norm", "Nesterov momentum lands on the pseudo-inverse solution", "nesterov",
           (F_ETA, F_BETA), (A_ETA, A_BETA), {"momentum": True}),
    _claim("sgd-least-squares-min-norm", "Minibatch SGD lands on the pseudo-inverse solution", "minibatch-sgd",
           (F_ETA, F_BATCH, F_SEED), (A_ETA, A_BATCH), {"sgd": True}),
    _claim("cg-least-squares-min-norm", "CG on the normal equations from w0 lands on the pseudo-inverse solution", "cg",
           strategy_kw={"kappa_max": 1e4}),
    _claim("lsqr-least-squares-min-norm", "LSQR from w0 lands on the pseudo-inverse solution", "lsqr",
           strategy_kw={"kappa_max": 1e4}),
    _claim("bfgs-least-squares-min-norm", "BFGS from w0 (H0 = I) lands on the pseudo-inverse solution", "bfgs",
           strategy_kw={"kappa_max": 1e3}),
    _claim("lbfgs-least-squares-min-norm", "L-BFGS from w0 lands on the pseudo-inverse solution", "l-bfgs",
           strategy_kw={"kappa_max": 1e3}),
    _claim("adam-least-squares-not-min-norm", "Adam does not land on the pseudo-inverse solution", "adam",
           (F_ETA,), (A_ETA,), expected="fails", source=NEG_SOURCE,
           statement="(negative control) Adam (eps = 1e-2, step eta_frac eps/sigma_max^2) from w0: " + STATEMENT),
    _claim("adagrad-least-squares-not-min-norm", "AdaGrad does not land on the pseudo-inverse solution", "adagrad",
           (F_ETA,), (A_ETA,), expected="fails", source=NEG_SOURCE,
           statement="(negative control) diagonal AdaGrad from w0: " + STATEMENT),
    _claim("sign-descent-least-squares-not-min-norm", "Steepest descent in l_inf (sign descent) does not land on the pseudo-inverse solution",
           "linf-steepest-descent", expected="fails", source=NEG_SOURCE,
           statement="(negative control) steepest descent w.r.t. ||.||_inf, w -= eta ||g||_1 sign(g): " + STATEMENT),
    _claim("coordinate-descent-least-squares-not-min-norm", "Cyclic coordinate descent does not land on the pseudo-inverse solution",
           "cyclic-coordinate-descent", expected="fails", source=NEG_SOURCE,
           statement="(negative control) exact cyclic coordinate minimization: " + STATEMENT),
    _claim("greedy-coordinate-descent-least-squares-not-min-norm", "Greedy coordinate descent does not land on the pseudo-inverse solution",
           "greedy-coordinate-descent", expected="fails", source=NEG_SOURCE,
           statement="(negative control) Gauss-Southwell coordinate descent (steepest descent w.r.t. l1): " + STATEMENT),
)
