"""A two-layer net in the lazy (kernel) regime: h(theta; x) = M^{-1/2} sum_j a_j sigma(<w_j, x>),
sigma = tanh or ReLU, with an antisymmetric start (so h(theta0) = 0) and a scale alpha.

Chizat, Oyallon & Bach 2019 (sec. 2; note 004 "Kernel Regime and Scale of Init"): train the scaled model
alpha h by gradient flow on F_alpha(theta) = (1 / (2 alpha^2)) sum_n (alpha h(theta; x_n) - y_n)^2,
    theta' = -(1/alpha) J(theta)^T (alpha h(theta; X) - y),   J = dh/dtheta (n x P),
so the predictor f = alpha h obeys f' = -J J^T (f - y): at theta0 its kernel J0 J0^T does not depend on
alpha, and as alpha -> inf the run follows its linearization (the tangent-kernel regression).

Antisymmetric start: M = 2 M0 units; units M0 + j copy unit j's w and negate its a, so h(theta0) = 0
for every x while the tangent kernel is that of all M units.

:func:`lazy_net_flow` integrates the flow in the scaled displacement u = alpha (theta - theta0) (LSODA,
the Gauss-Newton part -J^T J of the right-hand side's Jacobian) until ||alpha h(X) - y|| <= target. :func:`tangent_kernel_at_init` is the model's own J0 J0^T (autodiff by
hand); the solvers compute the same kernel from closed-form features independently.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.integrate


@dataclass
class LazyRun:
    a: np.ndarray
    W: np.ndarray
    alpha: float
    t: float
    residual: float
    converged: bool
    steps: int
    activation: str
    info: dict = field(default_factory=dict)

    def predict(self, Xs) -> np.ndarray:
        """alpha h(theta; Xs)."""
        return self.alpha * forward(Xs, self.a, self.W, self.activation)


def _sigma(z, activation):
    if activation == "tanh":
        t = np.tanh(z)
        return t, 1.0 - t * t
    if activation == "relu":
        return np.maximum(z, 0.0), (z > 0).astype(float)
    raise ValueError(f"unknown activation {activation!r}")


def antisymmetric_start(rng: np.random.Generator, M0: int, d: int) -> tuple[np.ndarray, np.ndarray]:
    """(a, W) with 2 M0 units: a_j = +-U(0.5, 1.5), w_j ~ N(0, I), then the mirrored copies (-a_j, w_j)."""
    a0 = rng.choice([-1.0, 1.0], M0) * rng.uniform(0.5, 1.5, M0)
    W0 = rng.standard_normal((M0, d))
    return np.concatenate([a0, -a0]), np.vstack([W0, W0])


def forward(Xs, a, W, activation: str = "tanh") -> np.ndarray:
    s, _ = _sigma(np.atleast_2d(Xs) @ W.T, activation)
    return s @ a / np.sqrt(a.size)


def jacobian(Xs, a, W, activation: str = "tanh") -> np.ndarray:
    """dh/d(a, W) (n x (M + M d)), by the chain rule."""
    Xs = np.atleast_2d(Xs)
    s, ds = _sigma(Xs @ W.T, activation)
    JW = (a[None, :] * ds)[:, :, None] * Xs[:, None, :]
    return np.hstack([s, JW.reshape(Xs.shape[0], -1)]) / np.sqrt(a.size)


def tangent_kernel_at_init(X1, X2, a, W, activation: str = "tanh") -> np.ndarray:
    return jacobian(X1, a, W, activation) @ jacobian(X2, a, W, activation).T


def lazy_net_flow(X, y, a0, W0, alpha: float, activation: str = "tanh", residual_rtol: float = 1e-10,
                  rtol: float = 1e-10, t_max: float = 1e9, method: str = "LSODA") -> LazyRun:
    """Gradient flow of (1/(2 alpha^2)) ||alpha h(theta; X) - y||^2 from theta0 = (a0, W0).

    Integrated in the scaled displacement u = alpha (theta - theta0), whose size does not depend on alpha
    (u' = alpha theta' = -J(theta)^T (alpha h(theta; X) - y), theta = theta0 + u / alpha): the solver's
    relative tolerance then applies to the motion itself, not to |theta0| ~ 1 (in theta the motion is
    O(1/alpha) and an rtol on theta would cost a factor alpha of accuracy in the predictor). Jacobian of
    the right-hand side: its Gauss-Newton part -J^T J (the second-order part is O(residual / alpha))."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    a0, W0 = np.asarray(a0, float), np.asarray(W0, float)
    M, d = W0.shape
    P = M + M * d
    alpha = float(alpha)
    target = residual_rtol * max(float(np.linalg.norm(y)), 1e-300)
    th0 = np.concatenate([a0, W0.ravel()])

    def unpack(u):
        th = th0 + u / alpha
        return th[:M], th[M:].reshape(M, d)

    def rhs(_t, u):
        a, W = unpack(u)
        J = jacobian(X, a, W, activation)
        return -(J.T @ (alpha * forward(X, a, W, activation) - y))

    def jac(_t, u):
        a, W = unpack(u)
        J = jacobian(X, a, W, activation)
        return -(J.T @ J)

    def hit(_t, u):
        a, W = unpack(u)
        return float(np.linalg.norm(alpha * forward(X, a, W, activation) - y)) - target

    hit.terminal, hit.direction = True, -1
    sol = scipy.integrate.solve_ivp(rhs, (0.0, t_max), np.zeros(P), method=method, jac=jac, rtol=rtol,
                                    atol=rtol * 1e-3, events=hit)
    fired = sol.status == 1 and sol.t_events[0].size > 0
    u = sol.y_events[0][-1] if fired else sol.y[:, -1]
    a, W = unpack(u)
    res = float(np.linalg.norm(alpha * forward(X, a, W, activation) - y))
    return LazyRun(a.copy(), W.copy(), alpha, float(sol.t_events[0][-1]) if fired else float(sol.t[-1]), res,
                   bool(fired and res <= 2.0 * target), int(sol.t.size - 1), activation,
                   {"nfev": int(sol.nfev), "message": str(sol.message), "param_move": float(np.linalg.norm(u)) / alpha,
                    "scaled_move": float(np.linalg.norm(u)), "max_scaled_move": float(np.max(np.linalg.norm(sol.y, axis=0))),
                    "P": P, "rtol": rtol})


__all__ = ["LazyRun", "antisymmetric_start", "forward", "jacobian", "lazy_net_flow", "tangent_kernel_at_init"]
