"""Natural gradient flow = mirror flow: the eta -> 0 limit of natural gradient lands on the Bregman projection."""
from __future__ import annotations

import time

import numpy as np

from models.geometry import BatchRun, natural_gradient, natural_gradient_flow
from models.mirror_descent import half_squared_pnorm, potential_by_index
from solvers.bregman import bregman_projection, cvxpy_cross_check
from solvers.certificate import Certificate
from solvers.certify.geometry import bregman_limits
from solvers.min_norm import min_norm_interpolant, row_space_basis

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...registry import register
from ...resolution import perturb_limit
from ...strategies.geometry import flow_instances
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

FLOW_RTOL = 1e-11  # residual at which the flow stops (its noise floor is ~1e-12)


def _flow_potential(inst):
    return potential_by_index(int(inst["potential"]), 1.5, float(inst["b"]))


def bregman_limit(X, y, w0, inst):
    """The theorem: argmin D_psi(w, w0) s.t. Xw = y (dual Newton, with a cvxpy cross-check)."""
    w, cert = bregman(X, y, w0, int(inst["potential"]), 1.5, float(inst["b"]))
    return w, [cert, _cross_check(X, y, w0, int(inst["potential"]), 1.5, float(inst["b"]), w)]


@memo
def _cross_check(X, y, w0, k, p, b, w):
    return cvxpy_cross_check(X, y, w0, potential_by_index(k, p, b), w)


def euclidean_limit(X, y, w0, inst):
    """Mutant: the Euclidean projection w0 + X^+(y - Xw0) (GD's limit)."""
    return min_norm_interpolant(X, y, w0)


def wrong_potential_limit(X, y, w0, inst):
    """Mutant: the Bregman projection of another potential, 1/2||w||_1.5^2."""
    return bregman_projection(X, y, w0, half_squared_pnorm(1.5))


def flow_curvature(X, y, w0, inst) -> tuple[float, float]:
    """(smallest, largest) eigenvalue of X [hess psi(w)]^{-1} X^T over the path's two ends."""
    pot = _flow_potential(inst)
    w_end, _ = bregman(X, y, w0, int(inst["potential"]), 1.5, float(inst["b"]))
    ev = [np.linalg.eigvalsh(X @ pot.conj_hess_mv(pot.grad(w), X.T)) for w in (np.asarray(w0, float), w_end)]
    return min(float(e[0]) for e in ev), max(float(e[-1]) for e in ev)


@memo
def _finite_step_run(inst: dict, frac: float) -> BatchRun:
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    _, lmax = flow_curvature(X, y, w0, inst)
    return natural_gradient(X, y, w0, [frac / lmax], _flow_potential(inst))


def finite_step_limit(X, y, w0, inst):
    """Mutant: the limit of natural gradient with the finite step eta = 0.5 / L (L the largest
    curvature on the path ends) is the flow's limit."""
    run = _finite_step_run(inst, 0.5)
    resid = float(run.relative_residual[0])
    return run.W[0], [Certificate("finite-step natural gradient run reached the residual floor",
                                  {"relative_residual": resid if np.isfinite(resid) else np.inf}, CONVERGED_RTOL)]


@memo
def _flow(inst: dict):
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    lmin, _ = flow_curvature(X, y, w0, inst)
    # residual ~ exp(-lmin t) near the end: 60 / lmin is e^-60 ~ 1e-26 of the start, far past FLOW_RTOL
    return natural_gradient_flow(X, y, w0, _flow_potential(inst), t_end=60.0 / lmin, stop_rtol=FLOW_RTOL)


def check_flow(inst: dict, stmt: dict) -> Evidence:
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    pot = _flow_potential(inst)
    t0 = time.perf_counter()
    w_ref, certs = stmt["limit"](X, y, w0, inst)
    certs = list(certs) if isinstance(certs, (list, tuple)) else [certs]
    t1 = time.perf_counter()
    flow = _flow(inst)
    t2 = time.perf_counter()
    w = flow.w_final
    scale = max(float(np.linalg.norm(w_ref)), 1e-300)
    gap = rel(w, w_ref)
    # w_T - w* ~ H X^T (X H X^T)^{-1} r_T along the mirror manifold (H = [hess psi(w_T)]^{-1}), plus
    # the integrator's drift of grad psi(w_T) out of grad psi(w0) + row(X) (exact flow: none), mapped by H
    H = pot.conj_hess_mv(pot.grad(w), np.eye(X.shape[1]))
    r = X @ w - y
    to_interp = float(np.linalg.norm(H @ X.T @ np.linalg.solve(X @ H @ X.T, r)))
    _, N, _ = row_space_basis(X)
    drift = float(np.linalg.norm(H, 2)) * float(np.linalg.norm(N.T @ (pot.grad(w) - pot.grad(np.asarray(w0, float)))))
    ulps = 10.0 * U * float(np.linalg.norm(w))
    ref_tol = certs[0].tolerance
    tol = (2.0 * to_interp + drift + ulps) / scale + ref_tol
    reason = (f"(2 x distance to the interpolation set along the mirror manifold {to_interp:.1e} + the integrator's drift "
              f"of grad psi(w_T) out of grad psi(w0) + row X {drift:.1e} + 10 ulp) / ||w*|| + reference KKT tolerance "
              f"{ref_tol:.1e}; DOP853 rtol 1e-12, stopped at relative residual {flow.relative_residual:.1e}")
    run = _finite_step_run(inst, 0.5)
    _, lmax = flow_curvature(X, y, w0, inst)
    eta = float(run.etas[0])
    steps = [max(rel(v, w_ref), 1e-17) for v in run.history_W[:, 0]]
    fig = Figure("natural-gradient-flow-vs-finite-step", "Natural gradient: the flow lands on the Bregman projection, a finite step does not",
                 "time t (= eta x steps for the finite step)", "||w(t) - w*|| / ||w*||",
                 (Series(f"natural gradient flow ({pot.name})", list(np.maximum(flow.t, 1e-3 / lmax)),
                         [max(rel(v, w_ref), 1e-17) for v in flow.w]),
                  Series(f"natural gradient, eta = 0.5/L ({pot.name})", [max(eta * t, 1e-3 / lmax) for t in run.history_t], steps)),
                 "log", "log")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=certs,
        converged=flow.success and flow.relative_residual <= 10 * FLOW_RTOL,
        convergence_note=f"flow: {flow.message}; relative residual {flow.relative_residual:.1e} ({flow.nfev} evaluations)",
        timings={"reference": t1 - t0, "dynamics": t2 - t1}, figures=[fig],
        details={"potential": pot.name, "t_final": float(flow.t[-1]), "nfev": flow.nfev, "m": X.shape[0], "d": X.shape[1],
                 "finite_step_miss": rel(run.W[0], w_ref)},
        reference={"w": w_ref},
        run_budget={"distance to the interpolation set (x2)": 2.0 * to_interp / scale, "integrator drift": drift / scale,
                    "ulps": ulps / scale},
    )


def flow_showcase() -> dict:
    inst = showcase_instance(("X", "y", "w0"))
    return {**inst, "potential": 0, "b": 1.0}


register(Claim(
    id="natural-gradient-flow-mirror-flow",
    title="Natural gradient flow is the mirror flow: it lands on the Bregman projection",
    statement="w' = -[hess psi(w)]^{-1} grad L(w) (natural gradient, eta -> 0) satisfies d/dt grad psi(w) = -X^T(Xw - y), "
              "the mirror flow, so L(w(t)) -> 0 implies w(t) -> argmin D_psi(w, w0) s.t. Xw = y, for psi = negative "
              "entropy or hyperbolic entropy (scale b)",
    source=f"{PAPER}, sec. 2.2; note 002 'Reparametrization and change of geometry'",
    assumptions=(
        A_SHAPES,
        A_RANK,
        Assumption("a potential with a locally Lipschitz inverse Hessian (0 negative entropy with w0 > 0, 2 hyperbolic "
                   "entropy with b > 0; for 1/2||w||_p^2 the flow in w is not unique once a coordinate reaches 0)",
                   separable_potential_ok),
        A_REACHABLE,
    ),
    fields=(
        Field("X", 2, "design matrix, m x d with m < d"),
        Field("y", 1, "targets (for the negative entropy: y = Xu with u > 0)"),
        Field("w0", 1, "initialization (positive for the negative entropy)"),
        F_POTENTIAL,
        F_B,
    ),
    strategy=lambda: flow_instances(),
    showcase=flow_showcase,
    check=check_flow,
    params={"limit": bregman_limit},
    mutants=(
        Mutant("euclidean-projection", "limit = w0 + X^+(y - Xw0), GD's limit", {"limit": euclidean_limit}),
        Mutant("finite-step", "limit = the limit of natural gradient with the finite step 0.5 / L", {"limit": finite_step_limit}),
        Mutant("wrong-potential", "limit = the Bregman projection of another potential", {"limit": wrong_potential_limit}),
    ),
    kind="limit", family=FAMILY,
    examples={"quick": 8, "thorough": 60},
    resolution=Resolution(1e-8, "relative perturbation of the predicted limit (the Bregman projection) in a fixed random direction",
                          perturb_limit("limit")),
    verify=bregman_limits,
))
