"""Bregman projections onto {w : Xw = y}, and the non-negative min-l1 interpolant, certified.

bregman_projection: w* = argmin D_phi(w, w0) s.t. Xw = y (Gunasekar et al. 2018a, Thm 2; note 002).
KKT: Xw* = y and grad phi(w*) - grad phi(w0) = X^T lam in row(X). Route 1, Newton on the dual

    min_lam  g(lam) = phi^*(theta0 + X^T lam) - y^T lam,   theta0 = grad phi(w0),
    grad g = X grad phi^*(theta) - y,  hess g = X hess phi^*(theta) X^T,  w* = grad phi^*(theta),

with a backtracking (Armijo) line search. Route 2, independent, cvxpy + Clarabel: the primal
D_phi(w, w0) for the negative entropy (rel_entr, exponential cone) and 1/2||w||_p^2 (pnorm, power
cones; p rational), the dual above for the hyperbolic entropy (b sum cosh, exponential cone).
Certificate: the primal residual, the null-space part of grad phi(w*) - grad phi(w0) (recomputed
from w*, not from the dual iterate) and the disagreement of the two routes. A disagreement above
the cvxpy route's accuracy makes the certificate invalid (and a claim using it inconclusive).

swapped_bregman_projection: argmin D_phi(w0, w) s.t. Xw = y (the arguments the wrong way round; a
mutant). grad_w D_phi(w0, w) = hess phi(w) (w - w0); certified by the reduced gradient.

nonneg_basis_pursuit: argmin ||u||_1 s.t. Xu = y, u >= 0, an LP solved by HiGHS; certified by the
duality gap, primal residual, dual feasibility (reduced costs s = 1 - X^T nu >= 0) and
complementarity; returns the reduced costs too (they set the alpha -> 0 order of the square
reparametrization's approach to it).
"""
from __future__ import annotations

import warnings
from typing import Any, Callable, Protocol

import numpy as np
import scipy.linalg
import scipy.optimize

from .certificate import Certificate
from .newton import newton_direction
from .min_norm import row_space_basis

EPS = np.finfo(float).eps
CLARABEL_TOL = 1e-10


class Potential(Protocol):
    """What the solvers need of a mirror potential (``models.mirror_descent.Potential`` has it; the
    solvers do not import the models): phi and phi^* values, grad phi and its inverse grad phi^*,
    Hessian-vector products of phi and phi^*, the domain ('positive' or 'real'), a name and the
    parameters (p, b) the cvxpy route needs."""

    name: str
    value: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    grad_inv: Callable[[np.ndarray], np.ndarray]
    conj_value: Callable[[np.ndarray], float]
    conj_hess_mv: Callable[[np.ndarray, np.ndarray], np.ndarray]
    hess_mv: Callable[[np.ndarray, np.ndarray], np.ndarray]
    domain: str
    params: dict[str, Any]

    def bregman(self, w: np.ndarray, w0: np.ndarray) -> float: ...


def _in_domain(potential: Potential, w: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(w)) and (potential.domain != "positive" or np.all(w > 0)))


def _null_part(X: np.ndarray, v: np.ndarray) -> float:
    _, Vn, _ = row_space_basis(X)
    return float(np.linalg.norm(Vn.T @ v))


def bregman_dual_newton(X, y, w0, potential: Potential, max_iter: int = 200) -> tuple[np.ndarray, np.ndarray, int]:
    """(w*, lam, iterations) by damped Newton on the dual (see module docstring)."""
    theta0 = potential.grad(np.asarray(w0, float))
    m = X.shape[0]
    lam = np.zeros(m)

    def g(l):
        return potential.conj_value(theta0 + X.T @ l) - float(y @ l)

    # an ill-conditioned dual Hessian (tiny w_j near the boundary of the domain) only makes a Newton
    # step less accurate: the line search judges every step and the KKT certificate the result
    with np.errstate(over="ignore", under="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", scipy.linalg.LinAlgWarning)
        return _newton(X, y, theta0, potential, g, lam, max_iter)


def _newton(X, y, theta0, potential: Potential, g, lam, max_iter):
    """The damped Newton loop of :func:`bregman_dual_newton` (an overflowing trial step, exp or cosh
    of a large dual variable, has g = inf or nan and is rejected by the line search)."""
    gl = g(lam)
    xnorm, ynorm = float(np.linalg.norm(X, 2)), float(np.linalg.norm(y))
    polish = 0
    best, since_best = np.inf, 0
    it = 0
    for it in range(max_iter):
        theta = theta0 + X.T @ lam
        w = potential.grad_inv(theta)
        if not _in_domain(potential, w):
            break  # exp(theta) underflowed to 0: y is not reachable inside the domain (no projection)
        grad = X @ w - y
        gn = float(np.linalg.norm(grad))
        best, since_best = (gn, 0) if gn < 0.5 * best else (best, since_best + 1)
        if since_best > 8:  # no progress for 8 steps: at the round-off floor
            break
        H = X @ potential.conj_hess_mv(theta, X.T)
        H = 0.5 * (H + H.T)
        step = newton_direction(H, grad)
        if not (np.all(np.isfinite(step)) and float(-grad @ step) > 0):
            # no Newton step where the dual curvature vanishes (phi^* = 1/2||theta||_q^2, q > 2, has a
            # zero Hessian at theta = 0, e.g. the p-norm projection of w0 = 0): steepest descent
            step = -grad
        if float(np.linalg.norm(grad)) <= 1e3 * EPS * (xnorm * float(np.linalg.norm(w)) + ynorm):
            polish += 1  # near round-off: two full Newton steps to polish, then stop
            if polish > 2:
                break
            lam = lam + step
            gl = g(lam)
            continue
        dec = float(-grad @ step)  # Newton decrement^2
        # round-off of evaluating g: its two terms phi^*(theta) and y^T lam can be far larger than
        # their difference (the thorough profile drew a KL projection whose full Newton step from
        # |grad| = 8e-11 was rejected by a slack of 10 u |g|, stalling there: a KKT residual 2e-11)
        slack = 10 * EPS * (abs(potential.conj_value(theta)) + abs(float(y @ lam)) + abs(gl))
        s = 1.0
        while True:  # Armijo, with a round-off slack so full steps are taken near the solution
            cand = lam + s * step
            gc = g(cand)
            if np.isfinite(gc) and gc <= gl - 0.25 * s * dec + slack:
                break
            s *= 0.5
            if s < 1e-12:
                break
        if s < 1e-12:
            break
        lam, gl = cand, gc
    w = potential.grad_inv(theta0 + X.T @ lam)
    return w, lam, it + 1


def bregman_cvxpy(X, y, w0, potential: Potential) -> tuple[np.ndarray, str]:
    """Independent route with cvxpy + Clarabel (see module docstring): (w, solver status)."""
    import cvxpy as cp

    with warnings.catch_warnings():  # "solution may be inaccurate": the status is reported, and the
        warnings.simplefilter("ignore", UserWarning)  # cross-check certificate judges the solution
        out = None
        for tol in (CLARABEL_TOL, 100 * CLARABEL_TOL):  # Clarabel sometimes stalls at the tight tolerance
            try:
                out = _bregman_cvxpy(cp, X, y, w0, potential, tol)
            except cp.error.SolverError as e:
                out = (np.full(X.shape[1], np.nan), f"solver error: {e}")
            if out[1] == "optimal":
                break
        return out


def _bregman_cvxpy(cp, X, y, w0, potential: Potential, tol: float) -> tuple[np.ndarray, str]:
    m, d = X.shape
    kind = potential.name.split("(")[0]
    settings = dict(tol_gap_abs=tol, tol_gap_rel=tol, tol_feas=tol, max_iter=400)
    if kind == "negative-entropy":
        w = cp.Variable(d)
        obj = cp.sum(cp.rel_entr(w, w0)) - cp.sum(w)  # + sum(w0), a constant
        prob = cp.Problem(cp.Minimize(obj), [X @ w == y])
        prob.solve(solver=cp.CLARABEL, **settings)
        return (np.asarray(w.value, float) if w.value is not None else np.full(d, np.nan)), prob.status
    if kind.startswith("half-squared"):
        p = potential.params["p"]
        w = cp.Variable(d)
        theta0 = potential.grad(w0)
        obj = 0.5 * cp.square(cp.pnorm(w, p)) - theta0 @ w
        prob = cp.Problem(cp.Minimize(obj), [X @ w == y])
        prob.solve(solver=cp.CLARABEL, **settings)
        return (np.asarray(w.value, float) if w.value is not None else np.full(d, np.nan)), prob.status
    if kind == "hyperbolic-entropy":
        b = potential.params["b"]
        lam = cp.Variable(m)
        theta = potential.grad(w0) + X.T @ lam
        obj = 0.5 * b * cp.sum(cp.exp(theta) + cp.exp(-theta)) - y @ lam
        prob = cp.Problem(cp.Minimize(obj))
        prob.solve(solver=cp.CLARABEL, **settings)
        if lam.value is None:
            return np.full(d, np.nan), prob.status
        return potential.grad_inv(potential.grad(w0) + X.T @ np.asarray(lam.value, float)), prob.status
    raise ValueError(f"no cvxpy route for potential {potential.name}")


def bregman_projection(X, y, w0, potential: Potential) -> tuple[np.ndarray, Certificate]:
    """w* = argmin D_phi(w, w0) s.t. Xw = y by dual Newton, with its KKT certificate.

    Tolerance: the Newton route is backward stable in the dual, so the KKT residuals are a few
    hundred ulps times cond(X)."""
    w, lam, iters = bregman_dual_newton(X, y, w0, potential)
    if not _in_domain(potential, w):
        # no projection: y is not reachable inside the domain (e.g. no w > 0 with Xw = y for the
        # entropy), the dual is unbounded and exp(theta) underflows to 0 on some coordinates
        return w, Certificate(f"Bregman KKT ({potential.name}; dual Newton, {iters} it.): the iterate left the "
                              "potential's domain (y not reachable inside it?)", {"outside_domain": np.inf}, 0.0)
    s = np.linalg.svd(X, compute_uv=False)
    kappa = float(s[0] / s[-1])
    scale = max(float(np.linalg.norm(w)), 1e-300)
    resid = float(np.linalg.norm(X @ w - y)) / (float(s[0]) * scale + float(np.linalg.norm(y)))
    dtheta = potential.grad(w) - potential.grad(w0)
    tscale = max(float(np.linalg.norm(potential.grad(w))), float(np.linalg.norm(potential.grad(w0))), 1e-300)
    null = _null_part(X, dtheta) / tscale
    # w = grad phi^*(theta) is evaluated with relative error ~ u |theta| (exp, sinh), so the floor of
    # the residuals grows with max|theta| (e.g. log(1/alpha) for the KL projection of alpha 1)
    theta_scale = max(1.0, float(np.max(np.abs(potential.grad(w))))) if potential.domain == "positive" or "hyperbolic" in potential.name else 1.0
    tol = 100.0 * max(X.shape) * kappa * theta_scale * EPS
    return w, Certificate(f"Bregman KKT ({potential.name}; dual Newton, {iters} it.): Xw=y, grad phi(w)-grad phi(w0) in row X",
                          {"primal_residual": resid, "grad_phi_null_component": null}, tol)


def projection_error_bound(X, y, w0, potential: Potential, w: np.ndarray) -> float:
    """First-order bound on ||w - w*|| for an approximate projection w, from its own KKT residuals:
    2 ||H X^T (X H X^T)^{-1} (Xw - y)|| (feasibility, moved along the mirror manifold) +
    ||H|| ||N^T (grad phi(w) - grad phi(w0))|| (stationarity defect), H = hess phi^* at grad phi(w)."""
    theta = potential.grad(w)
    H = potential.conj_hess_mv(theta, np.eye(X.shape[1]))
    feas = float(np.linalg.norm(H @ X.T @ np.linalg.solve(X @ H @ X.T, X @ w - y)))
    _, N, _ = row_space_basis(X)
    stat = float(np.linalg.norm(H, 2)) * float(np.linalg.norm(N.T @ (theta - potential.grad(w0))))
    return 2.0 * feas + stat


def cvxpy_cross_check(X, y, w0, potential: Potential, w: np.ndarray) -> Certificate:
    """Disagreement of ``w`` (dual Newton) with the independent cvxpy/Clarabel route, held to twice
    the cvxpy solution's own first-order error bound (:func:`projection_error_bound`) plus 1e-12
    relative; a cvxpy solution whose own bound exceeds 1e-4 relative does not count as a check."""
    wc, status = bregman_cvxpy(X, y, w0, potential)
    scale = max(float(np.linalg.norm(w)), 1e-300)
    if not np.all(np.isfinite(wc)) or (potential.domain == "positive" and np.any(wc <= 0)):
        return Certificate(f"cross-check: cvxpy/Clarabel route ({potential.name}, {status})", {"route_disagreement": np.inf}, 0.0)
    own = projection_error_bound(X, y, w0, potential, wc) / scale
    agree = float(np.linalg.norm(wc - w)) / scale
    tol = min(2.0 * own + 1e-12, 1e-4)
    return Certificate(f"cross-check: cvxpy/Clarabel route ({potential.name}, {status}; own error bound {own:.1e}) vs dual Newton",
                       {"route_disagreement": agree}, tol)


def swapped_bregman_projection(X, y, w0, potential: Potential) -> tuple[np.ndarray, Certificate]:
    """argmin_w D_phi(w0, w) s.t. Xw = y (arguments swapped), started at the true projection, by
    BFGS in null-space coordinates (convex for the entropy, a local minimum otherwise). Certified
    by the relative reduced gradient ||N^T hess phi(w)(w - w0)|| and the primal residual."""
    start, _ = bregman_projection(X, y, w0, potential)
    _, N, _ = row_space_basis(X)
    positive = potential.domain == "positive"

    def point(z):
        return start + N @ z

    def f(z):
        w = point(z)
        if positive and np.any(w <= 0):
            return np.inf
        return potential.bregman(w0, w)

    def jac(z):
        w = point(z)
        if positive and np.any(w <= 0):
            return np.zeros_like(z)
        return N.T @ potential.hess_mv(w, w - w0)

    z = np.zeros(N.shape[1])
    for _ in range(3):  # BFGS, restarted to polish
        res = scipy.optimize.minimize(f, z, jac=jac, method="BFGS", options={"gtol": 1e-13, "maxiter": 5000})
        z = res.x
    w = point(z)
    full = potential.hess_mv(w, w - w0)
    red = float(np.linalg.norm(N.T @ full)) / max(float(np.linalg.norm(full)), 1e-300)
    resid = float(np.linalg.norm(X @ w - y)) / (float(np.linalg.norm(X, 2)) * float(np.linalg.norm(w)) + float(np.linalg.norm(y)))
    return w, Certificate(f"swapped Bregman D(w0, w) ({potential.name}; BFGS): reduced gradient",
                          {"reduced_gradient": red, "primal_residual": resid}, 1e-6)


def nonneg_basis_pursuit(X, y) -> tuple[np.ndarray, Certificate, np.ndarray]:
    """(u, certificate, reduced costs s = 1 - X^T nu) for argmin 1^T u s.t. Xu = y, u >= 0 (HiGHS)."""
    u, cert, s, _ = nonneg_basis_pursuit_with_dual(X, y)
    return u, cert, s


def nonneg_basis_pursuit_with_dual(X, y) -> tuple[np.ndarray, Certificate, np.ndarray, np.ndarray]:
    """(u, certificate, reduced costs s, dual nu) of the non-negative basis-pursuit LP (HiGHS)."""
    m, d = X.shape
    res = scipy.optimize.linprog(np.ones(d), A_eq=X, b_eq=y, bounds=(0, None), method="highs")
    if res.status != 0:
        nan = np.full(d, np.nan)
        return (nan, Certificate("non-negative basis pursuit LP (HiGHS): " + res.message, {"status": np.inf}, 1e-9),
                nan, np.full(m, np.nan))
    u = np.asarray(res.x, float)
    nu = np.asarray(res.eqlin.marginals, float)
    s = 1.0 - X.T @ nu
    scale = max(float(np.sum(u)), 1e-300)
    cert = Certificate(
        "non-negative basis pursuit LP (HiGHS): gap, residual, dual feasibility, complementarity",
        {
            "duality_gap": abs(float(res.fun) - float(nu @ y)) / scale,
            "primal_residual": float(np.linalg.norm(X @ u - y)) / (float(np.linalg.norm(X, 2)) * float(np.linalg.norm(u)) + float(np.linalg.norm(y))),
            "dual_infeasibility": float(max(0.0, -float(np.min(s)))),
            "complementarity": float(np.max(np.abs(u * s))) / scale,
            "negativity": float(max(0.0, -float(np.min(u)))) / scale,
        },
        1e-9,
    )
    return u, cert, s, nu


def nonneg_min_l1_interpolant(X, y) -> tuple[np.ndarray, Certificate]:
    u, cert, _ = nonneg_basis_pursuit(X, y)
    return u, cert
