"""Claim: mirror descent lands on the Bregman projection of its start (Gunasekar et al. 2018a, Thm 2).

grad phi(w_{t+1}) = grad phi(w_t) - eta X^T(X w_t - y) from w0 with L(w_t) -> 0 converges to
w* = argmin D_phi(w, w0) s.t. Xw = y, for phi the negative entropy, 1/2||w||_p^2 (1 < p < 2) or the
hyperbolic entropy with scale b. The reference is dual Newton (solvers.bregman) with a cvxpy/Clarabel
cross-check; the engine certifies it independently (solvers.certify.bregman.mirror_descent_limit).

Gap: ||w_T - w*|| / ||w*||. Tolerance = the run's own error budget (capped at the declared resolution
1e-8): 2 x the distance of w_T to the interpolation set along the mirror manifold,
||H X^T (X H X^T)^{-1} r_T|| (H = Hessian of phi^* at theta_T), + the drift of theta_T out of
theta_0 + row(X) (round-off) mapped by ||H||, + 10 ulp; plus the reference's KKT tolerance.
"""
from __future__ import annotations

import time

import numpy as np

from solvers.certify.bregman import mirror_descent_limit
from solvers.min_norm import row_space_basis

from ...contract import Assumption, Claim, Evidence, Field, Figure, Mutant, Resolution, Series
from ...memo import memo
from ...resolution import perturb_limit
from ...strategies.mirror import mirror_descent_instances
from .common import (FAMILY, MD_RTOL, SRC_MD, U, as_certs, bregman_reference, cvxpy_check, full_row_rank,
                     min_norm_reference, mirror_run, positively_reachable, potential, rel, spec_of,
                     swapped_reference)


def bregman_limit(X, y, w0, spec):
    """The theorem: argmin D_phi(w, w0) s.t. Xw = y (dual Newton + cvxpy cross-check)."""
    w, cert = bregman_reference(X, y, w0, spec)
    return w, [cert, cvxpy_check(X, y, w0, spec, w)]


def euclidean_limit(X, y, w0, spec):
    """Mutant: the Euclidean projection w0 + X^+(y - Xw0) (GD's limit)."""
    return min_norm_reference(X, y, w0)


def swapped_limit(X, y, w0, spec):
    """Mutant: argmin D_phi(w0, w) s.t. Xw = y (arguments swapped)."""
    return swapped_reference(X, y, w0, spec)


def wrong_potential_limit(X, y, w0, spec):
    """Mutant: the Bregman projection for another potential (entropy/hyperbolic -> 1/2||w||_1.5^2,
    p-norm -> hyperbolic entropy with b = 1)."""
    other = (2, 1.5, 1.0) if spec[0] == 1 else (1, 1.5, 1.0)
    return bregman_reference(X, y, w0, other)


def dual_curvature(X, spec, thetas) -> float:
    """The largest curvature of the dual objective, max over ``thetas`` of lambda_max(X hess phi^*(theta) X^T)."""
    pot = potential(*spec)
    return max(float(np.linalg.eigvalsh(X @ pot.conj_hess_mv(th, X.T))[-1]) for th in thetas)


@memo(maxsize=64)
def companion_series(X, y, w0, k) -> Series:
    """For the figure only: mirror descent with potential k (p = 1.5, b = 1, eta = 0.5/L) on the same X.
    For the entropy companion of another potential's instance, (y, w0) are replaced by data valid
    for it: w0 -> |w0| + 0.1 and y -> X(|w0 reversed| + 0.1), reachable by a positive w by
    construction (the instance's own y need not be, even when its w0 happens to be positive)."""
    spec = (k, 1.5, 1.0)
    yy, ww = (X @ (np.abs(w0[::-1]) + 0.1), np.abs(w0) + 0.1) if k == 0 else (y, w0)
    ref, _ = bregman_reference(X, yy, ww, spec)
    pot = potential(*spec)
    L = dual_curvature(X, spec, (pot.grad(ww), pot.grad(ref)))
    r = mirror_run(X, yy, ww, spec, 0.5 / L, max_iter=50_000)
    return Series(pot.name.split("(")[0] + " (same X)", [t + 1 for t in r.history_t],
                  [max(rel(v, ref), 1e-17) for v in r.history_w])


def check_mirror_descent(inst, stmt) -> Evidence:
    X, y, w0 = inst["X"], inst["y"], inst["w0"]
    spec = spec_of(inst)
    pot = potential(*spec)
    t0 = time.perf_counter()
    w_ref, certs = stmt["limit"](X, y, w0, spec)
    certs = as_certs(certs)
    t1 = time.perf_counter()
    # step size: eta_frac / L, L = largest curvature of the dual objective X hess phi^*(theta) X^T
    # at the start and at the (certified) limit, the two ends of the path
    w_true, _ = bregman_reference(X, y, w0, spec)
    eta = float(inst["eta_frac"]) / dual_curvature(X, spec, (pot.grad(w0), pot.grad(w_true)))
    run = mirror_run(X, y, w0, spec, eta)
    t2 = time.perf_counter()
    w = run.w
    scale = max(float(np.linalg.norm(w_ref)), 1e-300)
    gap = rel(w, w_ref)
    # distance of w_T to the projection: along the mirror manifold, w_T - w* ~ H X^T (X H X^T)^{-1} r_T
    # (H = hess phi^* at theta_T), plus the drift of theta_T out of theta_0 + row(X) (round-off) mapped by H
    H = pot.conj_hess_mv(run.theta, np.eye(X.shape[1]))
    r = X @ w - y
    to_interp = float(np.linalg.norm(H @ X.T @ np.linalg.solve(X @ H @ X.T, r)))
    _, N, _ = row_space_basis(X)
    drift = float(np.linalg.norm(H, 2)) * float(np.linalg.norm(N.T @ (run.theta - pot.grad(w0))))
    budget = {"distance to the interpolation set along the mirror manifold (x2)": 2.0 * to_interp / scale,
              "drift of theta_T out of theta_0 + row X": drift / scale,
              "10 ulp": 10.0 * U * float(np.linalg.norm(w)) / scale}
    tol = sum(budget.values()) + certs[0].tolerance
    reason = (f"(2 x distance to the interpolation set along the mirror manifold {to_interp:.1e} + drift of "
              f"theta_T out of theta_0 + row X {drift:.1e} + 10 ulp) / ||w*|| + reference KKT tolerance "
              f"{certs[0].tolerance:.1e}; eta = {inst['eta_frac']:.2f}/L, T = {run.iterations}")
    dist = [max(rel(v, w_ref), 1e-17) for v in run.history_w]
    series = [Series(pot.name.split("(")[0], [t + 1 for t in run.history_t], dist)]
    series += [companion_series(X, y, w0, k) for k in range(3) if k != spec[0]]
    fig = Figure("mirror-descent-distance-to-bregman", "Mirror descent: distance to the Bregman projection (one X, three potentials)",
                 "iteration t (+1)", "||w_t - w*|| / ||w*||", tuple(series), "log", "log")
    return Evidence(
        gap=gap, tolerance=tol, tolerance_reason=reason, certificates=certs,
        converged=run.relative_residual <= 10 * MD_RTOL,
        convergence_note=f"relative residual {run.relative_residual:.1e} after {run.iterations} iterations",
        timings={"reference": t1 - t0, "dynamics": t2 - t1}, figures=[fig],
        details={"potential": pot.name, "eta": eta, "iterations": run.iterations, "m": X.shape[0], "d": X.shape[1]},
        reference={"w": w_ref}, run_budget=budget,
    )


def _md_shapes(inst):
    m, d = inst["X"].shape
    if not m < d:
        return f"X is {m}x{d}, need m < d"
    if inst["y"].shape != (m,) or inst["w0"].shape != (d,):
        return "y must have m entries and w0 d entries"
    return None


def _md_potential_ok(inst):
    k = int(inst["potential"])
    if k not in (0, 1, 2):
        return f"potential index {k} not in {{0, 1, 2}}"
    if k == 1 and not 1.0 < float(inst["p"]) < 2.0:
        return f"p = {inst['p']} not in (1, 2)"
    if k == 2 and not float(inst["b"]) > 0:
        return f"b = {inst['b']} not positive"
    if k == 0 and np.any(inst["w0"] <= 0):
        return "negative entropy needs w0 > 0"
    return None


def _entropy_reachable(inst):
    """y reachable by a positive w (needed for the entropy potential)."""
    if int(inst["potential"]) != 0:
        return None
    return None if positively_reachable(inst["X"], inst["y"]) else "y is not reachable by a strictly positive w"


MD_FIELDS = (
    Field("X", 2, "design matrix, m x d, m < d"),
    Field("y", 1, "targets (for the entropy potential: y = X u with u > 0)"),
    Field("w0", 1, "initialization (positive for the entropy potential)"),
    Field("potential", 0, "0 negative entropy, 1 half squared p-norm, 2 hyperbolic entropy", integer=True),
    Field("p", 0, "p of the p-norm potential, in (1, 2) (used by potential 1)", default=1.5),
    Field("b", 0, "scale of the hyperbolic entropy (used by potential 2)", default=1.0),
    Field("eta_frac", 0, "step size as a fraction of 1/L, L the largest dual curvature on the path ends", default=0.5),
)

# an exact limit against a certified reference: the run lands on w* to ~1e-13, so a 1e-8 relative
# error of the statement is far outside every tolerance the family's instances produce
CLAIMS = (Claim(
    id="mirror-descent-bregman-projection",
    title="Mirror descent lands on the Bregman projection of w0",
    statement="grad phi(w_{t+1}) = grad phi(w_t) - eta X^T(Xw_t - y), L(w_t) -> 0  =>  "
              "w_t -> argmin D_phi(w, w0) s.t. Xw = y, for phi = negative entropy, 1/2||w||_p^2 (1<p<2), "
              "hyperbolic entropy (scale b); the limit does not depend on eta",
    source=SRC_MD,
    assumptions=(
        Assumption("shapes, m < d", _md_shapes),
        Assumption("X has full row rank", full_row_rank),
        Assumption("potential well defined (w0 in its domain)", _md_potential_ok),
        Assumption("y reachable in the potential's domain", _entropy_reachable),
        Assumption("0 < eta_frac < 1", lambda i: None if 0 < float(i["eta_frac"]) < 1 else "eta_frac not in (0, 1)"),
    ),
    fields=MD_FIELDS,
    strategy=lambda: mirror_descent_instances(),
    check=check_mirror_descent,
    params={"limit": bregman_limit},
    mutants=(
        Mutant("euclidean-projection", "limit = Euclidean projection w0 + X^+(y - Xw0)", {"limit": euclidean_limit}),
        Mutant("swapped-arguments", "limit = argmin D_phi(w0, w) s.t. Xw = y", {"limit": swapped_limit}),
        Mutant("wrong-potential", "limit = Bregman projection of another potential", {"limit": wrong_potential_limit}),
    ),
    kind="limit",
    family=FAMILY,
    examples={"quick": 12, "thorough": 60},
    mutant_instances=6,
    resolution=Resolution(1e-8, "relative perturbation of the predicted limit w* in a fixed random direction",
                          perturb_limit("limit")),
    verify=mirror_descent_limit,
),)
