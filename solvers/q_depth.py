"""The depth-D implicit regularizer Q_D and its constrained minimizer, with certificates.

Derivation (Woodworth et al. 2020, sec. 5; note 004 "Deep Diagonal Linear Net"; see
models/deep_diag_net.py): for the flow of ||X(w+^D - w-^D) - y||^2 from w+ = w- = alpha 1, D >= 3,
integrating d(w^(2-D))/dt = +-D(D-2) g gives
    beta(t) = alpha^D h_D(X^T nu(t)),   h_D(u) = (1 - u)^(-p) - (1 + u)^(-p),  p = D/(D-2),
    nu(t) = -2 D (D-2) alpha^(D-2) int_0^t r,  r = X beta - y,  |X^T nu| < 1 (else w blows up);
for D = 2, h_2(u) = 2 sinh(u) (u unbounded), nu = -8 int_0^t r. At t = inf, X beta = y, which with
beta = alpha^D h_D(X^T nu) is the KKT system of
    min Q_D(beta) = sum_j q_D(beta_j / alpha^D)  s.t.  X beta = y,   q_D' = h_D^(-1).
q_D is the convex conjugate of H_D = int h_D (H_D(0) = 0):
    H_D(u) = (D-2)/2 [(1-u)^(-2/(D-2)) + (1+u)^(-2/(D-2)) - 2]     (D >= 3),
    H_2(u) = 2 cosh(u) - 2,
    q_D(b) = b h_D^(-1)(b) - H_D(h_D^(-1)(b))  (Legendre; q_D' = h_D^(-1) by the envelope theorem),
and q_2(b) = 2 - sqrt(4 + b^2) + b asinh(b/2), the depth-2 q of note 004.

The map is written for a general odd barrier h(u) = (1-u)^(-p) - (1+u)^(-p) with any exponent p > 0
and a scale s (beta = s h(X^T nu)), so the notes' version (p = 1/(D-2), s = alpha^(2D)) and mutants
(wrong constant, wrong exponent) are solved by the same code.

Solver: Newton on the dual F(nu) = s sum_j H(x_j^T nu) - y^T nu (strictly convex, grad F = X beta - y),
Armijo backtracking that keeps |X^T nu| < 1. Certificates: primal residual of X beta = y (relative);
stationarity from the primal side, h^(-1)(beta / s) in row(X) (inverting the barrier is well
conditioned even where h is steep); an estimate of the forward error (Gauss-Newton correction plus
the float64 floor p eps |u| / (1 - |u|) of evaluating h near the barrier); and, where feasible, an
independent primal route (scipy trust-region Newton on Q in a null-space basis, from the min-l2 point).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize

from .certificate import Certificate
from .newton import newton_direction

EPS = np.finfo(float).eps
PRIMAL_COND_MAX = 1e6  # beyond this the primal trust-region route cannot reach 1e-10 in float64


@dataclass(frozen=True)
class Barrier:
    """beta = scale * h(u), h(u) = (1-u)^(-p) - (1+u)^(-p) on |u| < 1 (p > 0), or 2 sinh(u) if p is None.
    ``scale`` is a positive scalar or a per-coordinate vector."""

    p: float | None
    scale: float | np.ndarray

    @property
    def bounded(self) -> bool:
        return self.p is not None


def depth_barrier(depth: int, alpha: float) -> Barrier:
    """The theorem's map for depth D: beta = alpha^D h_D(u)."""
    if depth == 2:
        return Barrier(None, alpha**2)
    return Barrier(depth / (depth - 2.0), alpha**depth)


def h(u, p: float | None):
    u = np.asarray(u, float)
    if p is None:
        return 2.0 * np.sinh(u)
    return (1.0 - u) ** (-p) - (1.0 + u) ** (-p)


def h_prime(u, p: float | None):
    u = np.asarray(u, float)
    if p is None:
        return 2.0 * np.cosh(u)
    return p * ((1.0 - u) ** (-p - 1.0) + (1.0 + u) ** (-p - 1.0))


def H(u, p: float | None):
    """Antiderivative of h with H(0) = 0 (convex, even)."""
    u = np.asarray(u, float)
    if p is None:
        return 2.0 * np.cosh(u) - 2.0
    if p == 1.0:
        return -np.log1p(-u) - np.log1p(u)
    k = 1.0 - p
    return ((1.0 - u) ** k + (1.0 + u) ** k - 2.0) / (p - 1.0)


def h_inverse(b, p: float | None, iters: int = 200):
    """u with h(u) = b. Newton on e = 1 - |u| in log scale (keeps relative accuracy of 1 - |u|)."""
    b = np.asarray(b, float)
    if p is None:
        return np.arcsinh(b / 2.0)
    s, ab = np.sign(b), np.abs(b)
    # h(1-e) = e^(-p) - (2-e)^(-p) is decreasing in e on (0, 1]; solve g(e) = |b| by bisection
    # in log e (robust), then polish by Newton in log e.
    lo = np.full_like(ab, -700.0 / max(p, 1.0))  # log e (e tiny: h huge)
    hi = np.zeros_like(ab)  # e = 1: h = 0
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        e = np.exp(mid)
        val = e ** (-p) - (2.0 - e) ** (-p)
        big = val > ab
        lo = np.where(big, mid, lo)
        hi = np.where(big, hi, mid)
    le = 0.5 * (lo + hi)
    for _ in range(3):
        e = np.exp(le)
        val = e ** (-p) - (2.0 - e) ** (-p)
        dval = (-p * e ** (-p) - p * e * (2.0 - e) ** (-p - 1.0))  # d val / d log e
        le = le - np.where(dval != 0, (val - ab) / dval, 0.0)
        le = np.minimum(le, 0.0)
    return s * (1.0 - np.exp(le))


def q_depth(b, depth: int):
    """q_D(b) in closed form via the Legendre transform (module docstring); q_D(0) = 0, q_D' = h_D^(-1)."""
    b = np.asarray(b, float)
    if depth == 2:
        return 2.0 - np.sqrt(4.0 + b**2) + b * np.arcsinh(b / 2.0)
    p = depth / (depth - 2.0)
    u = h_inverse(b, p)
    return b * u - H(u, p)


def q_depth_prime(b, depth: int):
    return h_inverse(b, None if depth == 2 else depth / (depth - 2.0))


@dataclass
class QDualResult:
    beta: np.ndarray
    nu: np.ndarray
    iterations: int
    forward_error: float  # estimate of ||beta - beta_exact||
    floor: float  # float64 floor of that estimate


def dual_newton(X: np.ndarray, y: np.ndarray, barrier: Barrier, nu0=None, max_iter: int = 500) -> QDualResult:
    """Minimize F(nu) = s sum_j H(x_j^T nu) - y^T nu by damped Newton keeping |X^T nu| < 1."""
    m, d = X.shape
    p, s = barrier.p, np.broadcast_to(np.asarray(barrier.scale, float), (d,))
    nu = np.zeros(m) if nu0 is None else np.array(nu0, float)

    def F(v):
        u = X.T @ v
        if barrier.bounded and np.max(np.abs(u)) >= 1.0:
            return np.inf
        return float(np.sum(s * H(u, p))) - float(y @ v)

    f = F(nu)
    if not np.isfinite(f):
        nu, f = np.zeros(m), F(np.zeros(m))

    def gradient(v):
        return X @ (s * h(X.T @ v, p)) - y

    grad = gradient(nu)
    gnorm = float(np.linalg.norm(grad))
    it = 0
    gstop = 2.0 * EPS * (float(np.linalg.norm(y)) + 1e-300)
    for it in range(1, max_iter + 1):
        if gnorm <= gstop:
            break
        u = X.T @ nu
        Hs = (X * (s * h_prime(u, p))) @ X.T
        step = newton_direction(Hs, grad)
        dec = float(-grad @ step)
        t = 1.0
        if barrier.bounded:  # stay strictly inside |u| < 1
            du = X.T @ step
            with np.errstate(divide="ignore", invalid="ignore"):
                room = np.where(du != 0, (np.sign(du) - u) / du, np.inf)
            pos = room[room > 0]
            t = min(1.0, 0.99 * float(np.min(pos))) if pos.size else 1.0
        accepted = False
        while t > 1e-30:
            trial = nu + t * step
            fn = F(trial)
            if np.isfinite(fn):
                if fn <= f - 1e-4 * t * dec:
                    accepted = True
                    break
                # near the optimum F is flat to rounding: accept if the gradient norm drops
                gn = gradient(trial)
                if float(np.linalg.norm(gn)) < 0.9 * gnorm:
                    accepted = True
                    break
            t *= 0.5
        if not accepted:
            break
        moved = float(np.linalg.norm(trial - nu))
        nu, f = trial, fn
        grad = gradient(nu)
        gnorm = float(np.linalg.norm(grad))
        if moved <= 4.0 * EPS * float(np.linalg.norm(nu)):  # stagnated at float64 resolution
            break
    u = X.T @ nu
    beta = s * h(u, p)
    # forward error: Gauss-Newton correction + float64 floor of h near the barrier
    M = s * h_prime(u, p)
    r = y - X @ beta
    corr = M * (X.T @ np.linalg.lstsq((X * M) @ X.T, r, rcond=None)[0])
    uerr = 4.0 * EPS * (np.abs(X).T @ np.abs(nu) + 1.0)  # rounding in u = X^T nu
    floor = float(np.linalg.norm(M * uerr))
    return QDualResult(beta, nu, it, float(np.linalg.norm(corr)) + floor, floor)


def _primal_route(X, y, barrier: Barrier, beta_ref: np.ndarray) -> np.ndarray:
    """Independent route: trust-region Newton on Q(beta0 + N z) (N a null-space basis of X),
    Q(beta) = sum_j s q(beta_j / s) with q' = h^(-1), from the min-l2 interpolant."""
    p, s = barrier.p, np.broadcast_to(np.asarray(barrier.scale, float), (X.shape[1],))
    beta0 = np.linalg.lstsq(X, y, rcond=None)[0]
    N = scipy.linalg.null_space(X)

    def qfun(b):
        u = h_inverse(b / s, p)
        return float(np.sum(s * ((b / s) * u - H(u, p))))

    def grad(z):
        return N.T @ h_inverse((beta0 + N @ z) / s, p)

    def hess(z):
        u = h_inverse((beta0 + N @ z) / s, p)
        return (N.T / (s * h_prime(u, p))) @ N

    res = scipy.optimize.minimize(lambda z: qfun(beta0 + N @ z), np.zeros(N.shape[1]), jac=grad, hess=hess,
                                  method="trust-exact", options={"gtol": 1e-13, "maxiter": 500})
    z = res.x
    for _ in range(6):  # polish: pure Newton steps (quadratic convergence near the optimum)
        try:
            z = z - np.linalg.solve(hess(z), grad(z))
        except np.linalg.LinAlgError:
            break
    return beta0 + N @ z


def argmin_q(X: np.ndarray, y: np.ndarray, barrier: Barrier, nu0=None, cross_check: bool = True,
             cert_tol: float = 1e-10) -> tuple[np.ndarray, Certificate, QDualResult]:
    """argmin sum_j s q(beta_j / s) s.t. X beta = y (q' = h^(-1)) with its certificate.

    Residuals (relative to ||beta||): primal residual ||X beta - y|| / (||X|| ||beta|| + ||y||);
    stationarity = null-space component of h^(-1)(beta / s) relative to ||h^(-1)||; forward-error
    estimate; primal-route disagreement (if cross_check). Valid when all <= cert_tol.
    """
    res = dual_newton(X, y, barrier, nu0)
    beta = res.beta
    scale = max(float(np.linalg.norm(beta)), 1e-300)
    resid = float(np.linalg.norm(X @ beta - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    u_back = h_inverse(beta / barrier.scale, barrier.p)
    N = scipy.linalg.null_space(X)
    stat = float(np.linalg.norm(N.T @ u_back)) / max(float(np.linalg.norm(u_back)), 1e-300)
    residuals = {"primal_residual": resid, "stationarity_null_component": stat,
                 "forward_error_estimate": res.forward_error / scale}
    # the primal route is feasible when its Hessian diag(1 / (s h'(u))) is not too ill-conditioned
    curv = barrier.scale * h_prime(X.T @ res.nu, barrier.p)
    primal_cond = float(curv.max() / curv.min())
    cross_check = cross_check and primal_cond <= PRIMAL_COND_MAX
    if cross_check:
        beta_p = _primal_route(X, y, barrier, beta)
        residuals["primal_route_disagreement"] = float(np.linalg.norm(beta_p - beta)) / scale
    name = ("argmin Q s.t. X beta = y: dual Newton; primal residual, h^-1(beta/s) in row X, forward error"
            + (", primal trust-region route" if cross_check else ""))
    return beta, Certificate(name, residuals, cert_tol), res


@dataclass
class L1Vertex:
    beta: np.ndarray
    support: np.ndarray
    dual: np.ndarray  # lambda with X^T lambda = sign(beta) on the support
    off_support_max: float  # max_{j not in S} |x_j^T lambda| (< 1: unique, non-degenerate)


def min_l1_vertex(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, Certificate, L1Vertex]:
    """argmin ||beta||_1 s.t. X beta = y, polished to full float64 accuracy.

    The HiGHS LP (solvers.min_norm.min_lp_distance_interpolant, feasibility ~1e-9) gives the support S;
    for a non-degenerate vertex |S| = m and beta_S = X_S^(-1) y exactly, with dual lambda = X_S^(-T) sign(beta_S).
    Certificate: LP certificate, primal residual of the polished vertex, sign consistency, and the dual
    feasibility excess max(0, max_j |x_j^T lambda| - 1) (zero iff the vertex is l1-optimal).
    """
    from .min_norm import min_lp_distance_interpolant

    m, d = X.shape
    b_lp, cert_lp = min_lp_distance_interpolant(X, y, np.zeros(d), 1)
    order = np.argsort(-np.abs(b_lp))
    S = np.sort(order[:m])
    XS = X[:, S]
    bS = np.linalg.solve(XS, y)
    beta = np.zeros(d)
    beta[S] = bS
    lam = np.linalg.solve(XS.T, np.sign(bS))
    corr = np.abs(X.T @ lam)
    off = np.setdiff1d(np.arange(d), S)
    off_max = float(corr[off].max()) if off.size else 0.0
    scale = max(float(np.linalg.norm(beta)), 1e-300)
    resid = float(np.linalg.norm(X @ beta - y)) / (float(np.linalg.norm(X, 2)) * scale + float(np.linalg.norm(y)))
    residuals = dict(cert_lp.residuals)
    residuals.update({
        "vertex_primal_residual": resid,
        "lp_vs_vertex": float(np.linalg.norm(beta - b_lp)) / scale,
        "dual_feasibility_excess": max(0.0, float(corr.max()) - 1.0),
        "sign_mismatch": float(np.sum(np.sign(bS) != np.sign(b_lp[S]))),
    })
    kappa = float(np.linalg.cond(XS))
    cert = Certificate("min l1: HiGHS LP support, polished vertex X_S^-1 y, dual lambda = X_S^-T sign",
                       residuals, max(1e-7, 100.0 * m * kappa * EPS))
    return beta, cert, L1Vertex(beta, S, lam, off_max)
