"""argmin Q(beta) s.t. Z beta >= m: the margin-constrained diagonal-net potential, by its bounded dual.

Q(beta) = sum_j [gamma_j q(beta_j / gamma_j) - c_j beta_j] (gamma = sqrt(AB), c = log(A/B)/2;
gamma = alpha^2, c = 0 is Q_alpha of Woodworth et al. 2020), Z = diag(y) X (rows y_n x_n).

Why (derivation, re-done; Moroshko et al. 2020, sec. 3; note 004 "For our model ... with logistic
loss"): gradient flow of sum_n l(<beta(w), z_n>) with beta = w+^2 - w-^2, l(u) = e^{-u} or
log(1 + e^{-u}), has w+' = 2 w+ o Z^T p, w-' = -2 w- o Z^T p with p_n = -l'(m_n) > 0, so
w+- = w+-(0) o exp(+-2 Z^T Lambda), Lambda = int_0^t p >= 0, and
    beta(t) = A e^{z} - B e^{-z},  z = Z^T lambda,  lambda = 4 Lambda >= 0.
These are the KKT conditions of min Q s.t. Z beta >= m(t) (m(t) = Z beta(t), every constraint
active, complementary slackness trivial): at EVERY t, beta(t) = argmin Q s.t. Z beta >= Z beta(t).
Q is strictly convex, so the KKT point is the unique minimizer.

Dual (Fenchel; Q*(z) = sum A e^z + B e^-z - (A + B)):
    min_{lambda >= 0} phi(lambda) = sum_j (A_j e^{z_j} + B_j e^{-z_j}) - m^T lambda,   z = Z^T lambda,
grad phi = Z beta(lambda) - m, Hessian Z diag(A e^z + B e^-z) Z^T. Solved by projected Newton
(Bertsekas 1982): variables at the bound with a positive gradient are held, Newton on the rest,
projected Armijo search; evaluated in the log domain (exp(z + log A)). Certificate: primal
feasibility, dual feasibility, complementarity, and the projected-gradient norm, all relative.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .certificate import Certificate
from .newton import newton_direction

EPS = np.finfo(float).eps


def beta_and_curvature(z, log_a, log_b):
    """(A e^z - B e^-z, A e^z + B e^-z) without overflow in the intermediate terms."""
    u = z + 0.5 * (log_a - log_b)
    big = np.exp(0.5 * (log_a + log_b) + np.abs(u))
    small = np.exp(-2.0 * np.abs(u))
    return np.sign(u) * big * (-np.expm1(-2.0 * np.abs(u))), big * (1.0 + small)


@dataclass
class MarginSolution:
    beta: np.ndarray
    lam: np.ndarray
    iterations: int
    projected_gradient: float  # relative
    active: np.ndarray  # constraints with lambda > 0


def margin_dual_newton(Z: np.ndarray, m: np.ndarray, log_a, log_b, lam0=None, max_iter: int = 500,
                       tol: float = 1e-15) -> MarginSolution:
    """Projected Newton on the bounded dual (module docstring)."""
    Z, m = np.asarray(Z, float), np.asarray(m, float)
    N = Z.shape[0]
    lam = np.zeros(N) if lam0 is None else np.maximum(np.asarray(lam0, float), 0.0)

    def phi(l):
        z = Z.T @ l
        with np.errstate(over="ignore"):
            return float(np.sum(np.exp(np.logaddexp(z + log_a, -z + log_b)))) - float(m @ l)

    scale = float(np.linalg.norm(np.abs(Z) @ np.ones(Z.shape[1]))) + float(np.linalg.norm(m)) + 1e-300
    f = phi(lam)
    it = 0
    pg = np.inf
    for it in range(1, max_iter + 1):
        beta, curv = beta_and_curvature(Z.T @ lam, log_a, log_b)
        g = Z @ beta - m
        proj = np.where(lam > 0, g, np.minimum(g, 0.0))
        pg = float(np.linalg.norm(proj)) / (scale * max(1.0, float(np.max(np.abs(beta)))))
        if pg <= tol:
            break
        held = (lam <= 0) & (g > 0)
        free = ~held
        step = np.zeros(N)
        H = (Z[free] * curv) @ Z[free].T
        step[free] = newton_direction(H + 1e-14 * np.trace(H) / max(H.shape[0], 1) * np.eye(H.shape[0]), g[free])
        zmove = float(np.max(np.abs(Z.T @ step))) if N else 0.0
        t = min(1.0, 20.0 / zmove) if zmove > 0 else 1.0
        accepted = False
        while t > 1e-14:
            trial = np.maximum(lam + t * step, 0.0)
            f_new = phi(trial)
            if f_new <= f - 1e-4 * float(g @ (lam - trial)) or f_new < f:
                accepted = True
                break
            if t == 1.0 and np.isfinite(f_new):  # near the optimum phi is flat to rounding: a full step that
                b1, _ = beta_and_curvature(Z.T @ trial, log_a, log_b)  # shrinks the gradient is accepted
                g1 = Z @ b1 - m
                if float(np.linalg.norm(np.where(trial > 0, g1, np.minimum(g1, 0.0)))) < 0.5 * float(np.linalg.norm(proj)):
                    accepted = True
                    break
            t *= 0.5
        if not accepted:
            break
        if np.array_equal(trial, lam):
            break
        if it > 5 and float(np.linalg.norm(trial - lam)) <= 4 * EPS * float(np.linalg.norm(lam)):
            lam = trial
            break  # stagnated at float64 resolution
        lam, f = trial, f_new
    beta, _ = beta_and_curvature(Z.T @ lam, log_a, log_b)
    return MarginSolution(beta, lam, it, pg, lam > 0)


def argmin_q_margin(X: np.ndarray, y: np.ndarray, m: np.ndarray, log_a, log_b, lam0=None,
                    cert_tol: float = 1e-10) -> tuple[np.ndarray, Certificate, MarginSolution]:
    """argmin Q s.t. y_n <x_n, beta> >= m_n with its own KKT certificate (module docstring).

    log_a, log_b: per-coordinate logs of A, B (log alpha^2 for both at an alpha start)."""
    Z = np.asarray(y, float)[:, None] * np.asarray(X, float)
    d = Z.shape[1]
    log_a = np.broadcast_to(np.asarray(log_a, float), (d,))
    log_b = np.broadcast_to(np.asarray(log_b, float), (d,))
    sol = margin_dual_newton(Z, m, log_a, log_b, lam0)
    marg = Z @ sol.beta
    ms = max(float(np.max(np.abs(m))), 1e-300)
    lam_s = max(float(np.max(sol.lam)), 1e-300)
    res = {
        "primal_infeasibility": float(max(0.0, np.max(m - marg))) / ms,
        "dual_infeasibility": float(max(0.0, -np.min(sol.lam))) / lam_s,
        "complementarity": float(np.max(sol.lam * np.abs(marg - m))) / (lam_s * ms),
        "projected_gradient": sol.projected_gradient,
    }
    return sol.beta, Certificate("argmin Q s.t. Z beta >= m: projected dual Newton KKT", res, cert_tol), sol


def argmin_q_alpha_margin(X, y, m, alpha: float, lam0=None):
    """The alpha-start case: A = B = alpha^2."""
    la = 2.0 * np.log(float(alpha))
    return argmin_q_margin(X, y, m, la, la, lam0)


__all__ = ["MarginSolution", "argmin_q_alpha_margin", "argmin_q_margin", "beta_and_curvature", "margin_dual_newton"]
