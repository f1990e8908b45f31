"""The lazy net of :mod:`models.lazy_net` under the exponential loss, run beside its tangent (linearized) model.

Model (Chizat, Oyallon & Bach 2019, sec. 2, with the square loss of :mod:`models.lazy_net` replaced by the exp loss,
scaled the same way): labels s_n in {-1, +1}, predictor f = alpha h(theta; .) with h(theta0) = 0 (antisymmetric
start), objective F_alpha(theta) = (1 / alpha^2) sum_n exp(-s_n alpha h(theta; x_n)), gradient flow
    theta' = -(1/alpha) J(theta)^T grad_f L,   grad_f L = -s o exp(-s o f).
In the scaled displacement u = alpha (theta - theta0) (as in :func:`models.lazy_net.lazy_net_flow`):
    u' = J(theta0 + u/alpha)^T (s o exp(-s o f)),   f = alpha h(theta0 + u/alpha; X),
so f' = J J^T (s o e^{-s o f}) starts from the alpha-free kernel K0 = J0 J0^T.

Tangent model: f_lin = alpha (h(theta0) + J0 (theta - theta0)) = J0 u_lin with the same flow on the same loss,
    u_lin' = J0^T (s o exp(-s o J0 u_lin)).
It does not depend on alpha at all; u_lin stays in the row space of J0, u_lin = J0^T c with c' = s o exp(-s o K0 c)
(an n-dimensional flow), and its predictor at any point z is J0(z) J0^T c. On separable data (K0 nonsingular makes any
labelling separable for it) the margins grow like log t, so ||u_lin(t)|| ~ log t without bound: the net's parameter
motion ||theta - theta0|| = ||u|| / alpha ~ log(t) / alpha eventually leaves every neighbourhood of theta0, and the
kernel behaviour holds only up to a finite time (Chizat et al. sec. 2: their finite-horizon bound; note 004
"Squared Loss vs Logistic/Exp Loss": for every t, lim_{alpha -> inf} sup_{tau < t} of the gap is 0, not uniformly in t).

Integration: both flows in one solve_ivp in the log time sigma = log(1 + t), d/dsigma = (1 + t) d/dt, where the
weights become (1 + t) e^{-m_n} = exp(sigma - m_n) (m = s o f the margins): computed in that form, they neither
overflow nor underflow while the margins grow like sigma (log-sum-exp stable; the loss is reported as its log,
logsumexp(-m)). :func:`lazy_exp_flow` stops at the first sigma where the relative distance
    D = ||f_net(Z) - f_lin(Z)|| / ||f_lin(Z)||
on the caller's points Z reaches ``threshold`` (a terminal event), or at ``sigma_max``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.integrate
import scipy.special

from .lazy_net import forward, jacobian


@dataclass
class LazyExpRun:
    alpha: float
    sigma: float  # log(1 + t) where the run stopped
    crossed: bool  # D reached the threshold (else sigma_max)
    distance: float  # D at the stop
    log_loss_net: float  # log sum_n exp(-m_n) of the net at the stop
    log_loss_lin: float
    lin_motion: float  # ||u_lin|| at the stop (alpha times the tangent model's parameter motion)
    param_motion: float  # ||theta - theta0|| = ||u|| / alpha of the net at the stop
    steps: int
    info: dict = field(default_factory=dict)

    @property
    def t(self) -> float:
        return float(np.expm1(self.sigma))


def relative_distance(f_net, f_lin) -> float:
    return float(np.linalg.norm(f_net - f_lin)) / max(float(np.linalg.norm(f_lin)), 1e-300)


def lazy_exp_flow(X, s, a0, W0, alpha: float, Z, activation: str = "tanh", threshold: float = 0.1,
                  sigma_max: float = 60.0, rtol: float = 1e-9, dense: bool = False,
                  method: str = "LSODA") -> LazyExpRun:
    """Exp-loss gradient flow of the net alpha h and of its tangent model from theta0 = (a0, W0) on labels s (module
    docstring), jointly in sigma = log(1 + t), until D(Z) >= threshold or sigma = sigma_max. With ``dense`` the
    solution is kept (info['sol'], state [u; c]) for a later look at D(sigma)."""
    X, s, Z = np.asarray(X, float), np.asarray(s, float), np.asarray(Z, float)
    a0, W0 = np.asarray(a0, float), np.asarray(W0, float)
    if not np.all(np.abs(s) == 1.0):
        raise ValueError("labels must be +-1")
    M, d = W0.shape
    P, n = M + M * d, X.shape[0]
    alpha = float(alpha)
    th0 = np.concatenate([a0, W0.ravel()])
    J0 = jacobian(X, a0, W0, activation)
    K0 = J0 @ J0.T
    KZ = jacobian(Z, a0, W0, activation) @ J0.T  # the tangent model's predictor on Z is KZ c

    def unpack(u):
        th = th0 + u / alpha
        return th[:M], th[M:].reshape(M, d)

    def rhs(sig, y):
        u, c = y[:P], y[P:]
        a, W = unpack(u)
        w_net = s * np.exp(sig - s * (alpha * forward(X, a, W, activation)))
        w_lin = s * np.exp(sig - s * (K0 @ c))
        return np.concatenate([jacobian(X, a, W, activation).T @ w_net, w_lin])

    def jac(sig, y):
        # Gauss-Newton part (the second-order part of the net's block is O(|w| / alpha)); block diagonal
        u, c = y[:P], y[P:]
        a, W = unpack(u)
        J = jacobian(X, a, W, activation)
        e_net = np.exp(sig - s * (alpha * forward(X, a, W, activation)))
        e_lin = np.exp(sig - s * (K0 @ c))
        out = np.zeros((P + n, P + n))
        out[:P, :P] = -(J.T * e_net) @ J
        out[P:, P:] = -e_lin[:, None] * K0
        return out

    def dist(y):
        a, W = unpack(y[:P])
        return relative_distance(alpha * forward(Z, a, W, activation), KZ @ y[P:])

    def hit(_sig, y):
        return dist(y) - threshold

    hit.terminal, hit.direction = True, 1
    sol = scipy.integrate.solve_ivp(rhs, (0.0, float(sigma_max)), np.zeros(P + n), method=method, rtol=rtol, jac=jac,
                                    atol=rtol * 1e-3, events=hit, dense_output=dense)
    crossed = sol.status == 1 and sol.t_events[0].size > 0
    y = sol.y_events[0][-1] if crossed else sol.y[:, -1]
    sig = float(sol.t_events[0][-1]) if crossed else float(sol.t[-1])
    a, W = unpack(y[:P])
    m_net = s * (alpha * forward(X, a, W, activation))
    m_lin = s * (K0 @ y[P:])
    info = {"nfev": int(sol.nfev), "message": str(sol.message), "P": P, "rtol": rtol,
            "min_margin_net": float(m_net.min()), "min_margin_lin": float(m_lin.min())}
    if dense:
        info["sol"] = sol
    return LazyExpRun(alpha, sig, bool(crossed), dist(y), float(scipy.special.logsumexp(-m_net)),
                      float(scipy.special.logsumexp(-m_lin)), float(np.linalg.norm(J0.T @ y[P:])),
                      float(np.linalg.norm(y[:P])) / alpha, int(sol.t.size - 1), info)


__all__ = ["LazyExpRun", "lazy_exp_flow", "relative_distance"]
