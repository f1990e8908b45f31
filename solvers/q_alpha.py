"""argmin Q_alpha(beta) s.t. X beta = y: the implicit bias of the depth-2 diagonal net.

Woodworth et al. 2020 (Thm 1; notes 004 "linear diagonal net", 003): gradient flow on
sum_i (<w+^2 - w-^2, x_i> - y_i)^2 from w+ = w- = alpha 1 converges to
    argmin Q_alpha(beta) s.t. X beta = y,  Q_alpha(beta) = alpha^2 sum_j q(beta_j / alpha^2),
    q(b) = 2 - sqrt(4 + b^2) + b asinh(b / 2)    (q'(b) = asinh(b/2), q''(b) = 1/sqrt(4 + b^2)).
General start (w+0, w-0), gamma_j = |w+0_j w-0_j|, c_j = log|w+0_j / w-0_j|: the limit is
    argmin sum_j [gamma_j q(beta_j / gamma_j) - c_j beta_j] s.t. X beta = y,
i.e. beta = 2 gamma o sinh(X^T nu + c) = a o e^{z} - b o e^{-z} with a = w+0^2, b = w-0^2, z = X^T nu.

Two independent routes:
* :func:`q_alpha_dual_newton` -- damped Newton on the dual
      min_nu  sum_j (a_j e^{z_j} + b_j e^{-z_j}) - y^T nu  (= 2 alpha^2 sum cosh(X^T nu) - y^T nu at
  a = b = alpha^2), evaluated in the log domain (exp(z + log a)) so alpha down to 1e-150 neither
  under- nor overflows. Stationarity holds by construction; the certificate is primal feasibility.
* :func:`separable_interpolant_primal` -- trust-region Newton (scipy ``trust-exact``) on the primal
  restricted to the affine set {beta_p + N t}, for any separable convex potential; also used for the
  mutants' (wrong) potentials, for which no dual is coded.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.linalg
import scipy.optimize

from .certificate import Certificate
from .newton import newton_direction

EPS = np.finfo(float).eps


def q(b):
    """q(b) = 2 - sqrt(4 + b^2) + b asinh(b/2) (written to avoid cancellation near 0)."""
    b = np.asarray(b, float)
    return b * np.arcsinh(b / 2.0) - b * b / (2.0 + np.sqrt(4.0 + b * b))


def Q_alpha(beta, alpha: float) -> float:
    return float(alpha**2 * np.sum(q(np.asarray(beta) / alpha**2)))


def Q_general(beta, gamma, c) -> float:
    """sum_j gamma_j q(beta_j / gamma_j) - c_j beta_j."""
    beta = np.asarray(beta, float)
    return float(np.sum(gamma * q(beta / gamma) - c * beta))


def start_to_gamma_c(w_plus0: np.ndarray, w_minus0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """gamma = |w+0 o w-0|, c = log|w+0 / w-0|."""
    return np.abs(w_plus0 * w_minus0), np.log(np.abs(w_plus0)) - np.log(np.abs(w_minus0))


@dataclass
class DualSolution:
    beta: np.ndarray
    nu: np.ndarray
    curvature: np.ndarray  # d beta / d z = a e^z + b e^-z (= sqrt(beta^2 + 4 gamma^2))
    iterations: int


def _beta_and_curv(z, log_a, log_b):
    """a e^z - b e^-z = 2 gamma sinh(u) and a e^z + b e^-z = 2 gamma cosh(u), u = z + c,
    log gamma = (log a + log b)/2, c = (log a - log b)/2; in the log domain, without cancellation."""
    u = z + 0.5 * (log_a - log_b)
    big = np.exp(0.5 * (log_a + log_b) + np.abs(u))  # gamma e^{|u|}
    small = np.exp(-2.0 * np.abs(u))
    return np.sign(u) * big * (-np.expm1(-2.0 * np.abs(u))), big * (1.0 + small)


def q_alpha_dual_newton(X: np.ndarray, y: np.ndarray, log_a: np.ndarray, log_b: np.ndarray,
                        max_iter: int = 500) -> DualSolution:
    """Damped Newton (Armijo backtracking) on the dual; log_a = log w+0^2, log_b = log w-0^2."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    m = X.shape[0]
    nu = np.zeros(m)

    def phi(nu_):
        z = X.T @ nu_
        return float(np.sum(np.exp(np.logaddexp(z + log_a, -z + log_b)))) - float(y @ nu_)

    f = phi(nu)
    it = 0
    gnorm_prev = np.inf
    for it in range(1, max_iter + 1):
        z = X.T @ nu
        beta, curv = _beta_and_curv(z, log_a, log_b)
        g = X @ beta - y
        gnorm = float(np.linalg.norm(g))
        if gnorm >= gnorm_prev and gnorm_prev < 1e-8 * max(float(np.linalg.norm(y)), 1e-300):
            break  # round-off floor reached (the residual stopped decreasing)
        H = (X * curv) @ X.T
        step = newton_direction(H, g)
        dec = float(-g @ step)
        t = 1.0
        zmove = float(np.max(np.abs(X.T @ step)))
        if zmove > 20.0:  # cap the move in z so exp cannot overflow in one step
            t = 20.0 / zmove
        while True:
            f_new = phi(nu + t * step)
            # Armijo on the dual objective; near the optimum f is flat to round-off, so a full
            # Newton step is also accepted when it reduces the gradient norm
            if f_new <= f - 0.25 * t * dec:
                break
            if t == 1.0:
                z1 = X.T @ (nu + step)
                if float(np.linalg.norm(X @ _beta_and_curv(z1, log_a, log_b)[0] - y)) < gnorm:
                    break
            if t < 1e-12:
                break
            t *= 0.5
        nu = nu + t * step
        f = f_new
        gnorm_prev = gnorm if t == 1.0 else np.inf
    z = X.T @ nu
    beta, curv = _beta_and_curv(z, log_a, log_b)
    return DualSolution(beta, nu, curv, it)


def interpolant_sensitivity(X: np.ndarray, curvature: np.ndarray, residual: np.ndarray) -> float:
    """||D r|| with D = H X^T (X H X^T)^{-1}, H = diag(curvature): the first-order change of the
    argmin when y moves by ``residual`` (so ||beta - beta*|| <= this, to first order, for a beta that
    is stationary for its own right-hand side X beta)."""
    K = (X * curvature) @ X.T
    lam = scipy.linalg.solve(K, residual, assume_a="pos")
    return float(np.linalg.norm(curvature * (X.T @ lam)))


def separable_interpolant_primal(X: np.ndarray, y: np.ndarray, value: Callable, grad: Callable,
                                 hess_diag: Callable, gtol: float = 1e-13) -> tuple[np.ndarray, float]:
    """argmin sum_j phi(beta_j) s.t. X beta = y for a separable strictly convex phi, by
    scipy ``trust-exact`` on beta = X^+ y + N t (N an orthonormal null-space basis of X).

    Returns (beta, relative projected-gradient norm ||N^T grad phi|| / ||grad phi||)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    _, s, Vt = np.linalg.svd(X, full_matrices=True)
    r = int(np.sum(s > s[0] * max(X.shape) * EPS))
    N = Vt[r:].T
    beta_p = Vt[:r].T @ ((Vt[:r] @ np.linalg.lstsq(X, y, rcond=None)[0]))

    def fun(t):
        return float(np.sum(value(beta_p + N @ t)))

    def jac(t):
        return N.T @ grad(beta_p + N @ t)

    def hess(t):
        return (N.T * hess_diag(beta_p + N @ t)) @ N

    res = scipy.optimize.minimize(fun, np.zeros(N.shape[1]), jac=jac, hess=hess, method="trust-exact",
                                  options={"gtol": gtol, "maxiter": 2000})
    t = res.x
    # polish with plain Newton steps (trust-exact stops on gtol in absolute terms)
    for _ in range(3):
        g = jac(t)
        t = t - np.linalg.solve(hess(t), g)
    beta = beta_p + N @ t
    gb = grad(beta)
    rel = float(np.linalg.norm(N.T @ gb)) / max(float(np.linalg.norm(gb)), 1e-300)
    return beta, rel


def q_general_potential(gamma: np.ndarray, c: np.ndarray):
    """(value, grad, hess_diag) of beta -> gamma q(beta/gamma) - c beta (elementwise)."""
    return (lambda b: gamma * q(b / gamma) - c * b,
            lambda b: np.arcsinh(b / (2.0 * gamma)) - c,
            lambda b: 1.0 / np.sqrt(4.0 * gamma**2 + b * b))


def argmin_q_general(X: np.ndarray, y: np.ndarray, w_plus0: np.ndarray, w_minus0: np.ndarray,
                     cross_check: bool = True) -> tuple[np.ndarray, list[Certificate], dict]:
    """argmin sum gamma q(beta/gamma) - c beta s.t. X beta = y, from the start (w+0, w-0).

    Returns (beta, certificates, info). Certificates: (1) the dual-Newton KKT certificate
    (relative primal residual; stationarity is exact by construction); (2) if ``cross_check``, the
    agreement of the independent primal route, relative to ||beta||, held to a tolerance from the
    primal route's own conditioning. info['error_bound'] is the first-order bound on ||beta - beta*||
    implied by the dual solution's residual (interpolant sensitivity x residual)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    log_a, log_b = 2.0 * np.log(np.abs(w_plus0)), 2.0 * np.log(np.abs(w_minus0))
    sol = q_alpha_dual_newton(X, y, log_a, log_b)
    res = X @ sol.beta - y
    scale = float(np.linalg.norm(X, 2)) * float(np.linalg.norm(sol.beta)) + float(np.linalg.norm(y))
    rel_res = float(np.linalg.norm(res)) / max(scale, 1e-300)
    bound = 2.0 * interpolant_sensitivity(X, sol.curvature, res) + 8 * EPS * float(np.linalg.norm(sol.beta))
    certs = [Certificate("Q_alpha dual Newton: relative primal residual (stationarity exact)",
                         {"primal_residual": rel_res}, 1e-12)]
    info = {"newton_iterations": sol.iterations, "error_bound": bound, "nu": sol.nu, "curvature": sol.curvature}
    if cross_check:
        gamma, c = start_to_gamma_c(w_plus0, w_minus0)
        beta_p, pg = separable_interpolant_primal(X, y, *q_general_potential(gamma, c))
        dis = float(np.linalg.norm(beta_p - sol.beta)) / max(float(np.linalg.norm(sol.beta)), 1e-300)
        hmin = float(np.min(1.0 / sol.curvature))
        hmax = float(np.max(1.0 / sol.curvature))
        # the primal Hessian restricted to null(X) has condition <= hmax/hmin; its solution carries
        # that times a few hundred ulps
        tol = max(1e-10, 1e3 * EPS * hmax / hmin)
        certs.append(Certificate("Q_alpha primal route (trust-exact on null space) agrees with dual Newton",
                                 {"route_disagreement": dis, "primal_projected_gradient": pg}, tol))
        info["route_disagreement"] = dis
    return sol.beta, certs, info


def argmin_q_alpha(X: np.ndarray, y: np.ndarray, alpha: float, cross_check: bool = True):
    """argmin Q_alpha s.t. X beta = y (the w+0 = w-0 = alpha 1 case)."""
    d = X.shape[1]
    return argmin_q_general(X, y, np.full(d, float(alpha)), np.full(d, float(alpha)), cross_check)
