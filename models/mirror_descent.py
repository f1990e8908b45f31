"""Mirror descent with pluggable potentials, and the square reparametrization u = w∘w.

Mirror descent (Gunasekar et al. 2018a, Thm 2; note 002 "Mirror descent"): for a strictly convex
potential phi with mirror map grad phi and inverse grad phi^{-1} = grad phi^*,

    grad phi(w_{t+1}) = grad phi(w_t) - eta grad L(w_t),   L(w) = 1/2 ||Xw - y||^2.

The dual iterate theta_t = grad phi(w_t) is what is stored and updated (additively, so it stays in
theta_0 + row(X) up to round-off); the primal iterate is w_t = grad phi^*(theta_t).

Potentials (value, grad phi, its inverse grad phi^*, and the Hessian of phi^* for curvature bounds):
* negative entropy  phi(w) = sum w log w - w on w > 0 (exponentiated gradient): grad phi = log w;
* half squared p-norm  phi(w) = 1/2 ||w||_p^2, 1 < p < 2: phi^* = 1/2 ||theta||_q^2, 1/p + 1/q = 1;
* hyperbolic entropy  phi(w) = sum w asinh(w/b) - sqrt(w^2 + b^2): grad phi = asinh(w/b),
  grad phi^* = b sinh(theta).

Square reparametrization (notes 002 "Reparametrization and change of geometry", 003 "diagonal
linear networks"): with L(w) = 1/2 ||X(w∘w) - y||^2, gradient flow w' = -grad L = -2 w∘X^T r
(r = X u - y) gives u' = 2 w∘w' = -4 u∘X^T r, i.e. the mirror flow d/dt log u = -4 grad_u L(u) of
the entropy potential with constant 4 (note 002 writes 2).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp


# ---- potentials ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Potential:
    """A mirror potential: ``value`` phi(w), ``grad`` grad phi(w), ``grad_inv`` grad phi^*(theta),
    ``conj_hess_mv(theta, V)`` = Hessian of phi^* at theta times the columns of V,
    ``hess_mv(w, v)`` = Hessian of phi at w times v; ``domain`` 'positive' or 'real'."""

    name: str
    value: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    grad_inv: Callable[[np.ndarray], np.ndarray]
    conj_value: Callable[[np.ndarray], float]
    conj_hess_mv: Callable[[np.ndarray, np.ndarray], np.ndarray]
    hess_mv: Callable[[np.ndarray, np.ndarray], np.ndarray]
    domain: str = "real"
    params: dict = field(default_factory=dict)

    def bregman(self, w: np.ndarray, w0: np.ndarray) -> float:
        """D_phi(w, w0) = phi(w) - phi(w0) - <grad phi(w0), w - w0>."""
        return float(self.value(w) - self.value(w0) - self.grad(w0) @ (w - w0))


def negative_entropy() -> Potential:
    """phi(w) = sum_j w_j log w_j - w_j on the positive orthant; phi^*(theta) = sum exp(theta)."""
    def hmv(w, v):
        return v / w
    return Potential(
        "negative-entropy",
        value=lambda w: float(np.sum(w * np.log(w) - w)),
        grad=np.log,
        grad_inv=np.exp,
        conj_value=lambda th: float(np.sum(np.exp(th))),
        conj_hess_mv=lambda th, V: np.exp(th).reshape(-1, *([1] * (V.ndim - 1))) * V,
        hess_mv=hmv,
        domain="positive",
    )


def _dual_pnorm_grad(v: np.ndarray, r: float) -> np.ndarray:
    """grad of 1/2 ||v||_r^2 = ||v||_r^{2-r} sign(v) |v|^{r-1}."""
    n = np.linalg.norm(v, r)
    if n == 0.0:
        return np.zeros_like(v)
    return n ** (2.0 - r) * np.sign(v) * np.abs(v) ** (r - 1.0)


def _pnorm_hess_mv(v: np.ndarray, r: float, V: np.ndarray) -> np.ndarray:
    """Hessian of 1/2 ||v||_r^2 at v times V: (r-1)||v||^{2-r} diag|v|^{r-2} + (2-r)||v||^{2-2r} g g^T,
    g = sign(v)|v|^{r-1}."""
    n = np.linalg.norm(v, r)
    if n == 0.0:  # at the origin the Hessian is 0 for r > 2 (phi^*, q > 2) and unbounded for r < 2
        return np.zeros(np.shape(V)) if r > 2.0 else np.full(np.shape(V), np.inf)
    g = np.sign(v) * np.abs(v) ** (r - 1.0)
    with np.errstate(divide="ignore"):
        diag = (r - 1.0) * n ** (2.0 - r) * np.abs(v) ** (r - 2.0)
    shape = (-1,) + (1,) * (V.ndim - 1)
    return diag.reshape(shape) * V + (2.0 - r) * n ** (2.0 - 2.0 * r) * np.multiply.outer(g, g @ V)


def half_squared_pnorm(p: float) -> Potential:
    """phi(w) = 1/2 ||w||_p^2, 1 < p < 2 (strongly convex w.r.t. ||.||_p with modulus p - 1);
    phi^*(theta) = 1/2 ||theta||_q^2 with q = p / (p - 1) > 2, grad phi^* = (grad phi)^{-1}."""
    if not 1.0 < p < 2.0:
        raise ValueError(f"p = {p} not in (1, 2)")
    q = p / (p - 1.0)
    return Potential(
        f"half-squared-{p:g}-norm",
        value=lambda w: 0.5 * float(np.linalg.norm(w, p)) ** 2,
        grad=lambda w: _dual_pnorm_grad(w, p),
        grad_inv=lambda th: _dual_pnorm_grad(th, q),
        conj_value=lambda th: 0.5 * float(np.linalg.norm(th, q)) ** 2,
        conj_hess_mv=lambda th, V: _pnorm_hess_mv(th, q, V),
        hess_mv=lambda w, v: _pnorm_hess_mv(w, p, v),
        params={"p": p},
    )


def hyperbolic_entropy(b: float) -> Potential:
    """phi(w) = sum_j w_j asinh(w_j / b) - sqrt(w_j^2 + b^2) (Ghai et al. 2020; the potential of the
    unbiased diagonal net); grad phi = asinh(w/b), phi^*(theta) = b sum cosh(theta)."""
    if not b > 0:
        raise ValueError(f"scale b = {b} must be positive")
    return Potential(
        f"hyperbolic-entropy(b={b:g})",
        value=lambda w: float(np.sum(w * np.arcsinh(w / b) - np.sqrt(w * w + b * b))),
        grad=lambda w: np.arcsinh(w / b),
        grad_inv=lambda th: b * np.sinh(th),
        conj_value=lambda th: b * float(np.sum(np.cosh(th))),
        conj_hess_mv=lambda th, V: (b * np.cosh(th)).reshape(-1, *([1] * (V.ndim - 1))) * V,
        hess_mv=lambda w, v: v / np.sqrt(w * w + b * b),
        params={"b": b},
    )


POTENTIALS = ("negative-entropy", "half-squared-p-norm", "hyperbolic-entropy")


def potential_by_index(k: int, p: float = 1.5, b: float = 1.0) -> Potential:
    """0: negative entropy, 1: 1/2 ||w||_p^2, 2: hyperbolic entropy with scale b."""
    return [negative_entropy, lambda: half_squared_pnorm(p), lambda: hyperbolic_entropy(b)][int(k)]()


# ---- mirror descent ----------------------------------------------------------------------------

@dataclass
class MirrorRun:
    w: np.ndarray
    theta: np.ndarray
    iterations: int
    history_t: list[int] = field(default_factory=list)
    history_w: list[np.ndarray] = field(default_factory=list)
    max_theta_norm: float = 0.0
    relative_residual: float = np.inf


def mirror_descent(X, y, w0, potential: Potential, eta: float, rtol: float = 1e-13,
                   max_iter: int = 200_000, check_every: int = 25) -> MirrorRun:
    """theta_{t+1} = theta_t - eta X^T (X w_t - y), w_t = grad phi^*(theta_t), theta_0 = grad phi(w0).
    Stops when ||X w_t - y|| <= rtol ||y||. Snapshots on a geometric grid (ratio 1.15)."""
    theta = potential.grad(np.asarray(w0, float))
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    run = MirrorRun(w0.copy(), theta.copy(), 0)
    nxt, t = 0, 0
    for t in range(max_iter + 1):
        w = potential.grad_inv(theta)
        r = X @ w - y
        run.max_theta_norm = max(run.max_theta_norm, float(np.linalg.norm(theta)))
        if t >= nxt:
            run.history_t.append(t)
            run.history_w.append(w.copy())
            nxt = max(t + 1, int(t * 1.15))
        if t % check_every == 0:
            rel = float(np.linalg.norm(r)) / ynorm
            if rel <= rtol or not np.isfinite(rel):
                break
        if t == max_iter:
            break
        theta = theta - eta * (X.T @ r)
    if run.history_t[-1] != t:
        run.history_t.append(t)
        run.history_w.append(w.copy())
    run.w, run.theta, run.iterations = w, theta, t
    run.relative_residual = float(np.linalg.norm(X @ w - y)) / ynorm
    return run


# ---- square reparametrization u = w∘w ----------------------------------------------------------

@dataclass
class FlowRun:
    t: np.ndarray  # times of the snapshots
    u: np.ndarray  # snapshots of u(t), shape (len(t), d)
    success: bool
    message: str
    nfev: int = 0
    relative_residual: float = np.inf
    # with dense_output=True: u(t) at any t in [0, t_end] (solve_ivp's interpolant of each step)
    dense: Callable[[np.ndarray], np.ndarray] | None = None
    steps: int = 0  # accepted integration steps

    @property
    def u_final(self) -> np.ndarray:
        return self.u[-1]


def _residual_event(X, y, rtol, to_u):
    ynorm = max(float(np.linalg.norm(y)), 1e-300)

    def ev(t, z):
        return float(np.linalg.norm(X @ to_u(z) - y)) / ynorm - rtol
    ev.terminal = True
    return ev


def _flow(rhs, z0, to_u, X, y, t_end, t_eval, rtol, atol, stop_rtol, method, dense_output=False):
    events = _residual_event(X, y, stop_rtol, to_u) if stop_rtol else None
    sol = solve_ivp(rhs, (0.0, t_end), z0, method=method, rtol=rtol, atol=atol, t_eval=t_eval,
                    events=events, dense_output=dense_output)
    ts, zs = sol.t, sol.y.T
    if stop_rtol and sol.status == 1:  # stopped by the event: append the final state
        zf = sol.y_events[0][-1]
        ts, zs = np.r_[ts, sol.t_events[0][-1]], np.vstack([zs, zf])
    us = np.array([to_u(z) for z in zs]) if len(zs) else np.zeros((0, len(z0)))
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    rel = float(np.linalg.norm(X @ us[-1] - y)) / ynorm if len(us) else np.inf
    dense = None
    if dense_output and sol.sol is not None:
        interp = sol.sol

        def dense(t):
            z = interp(np.atleast_1d(np.asarray(t, float)))  # (len(z0), len(t))
            return np.array([to_u(col) for col in z.T])
    steps = len(sol.t) if t_eval is None else 0
    if dense_output and sol.sol is not None:
        steps = len(sol.sol.ts) - 1
    return FlowRun(ts, us, bool(sol.success), str(sol.message), int(sol.nfev), rel, dense, steps)


def square_reparam_flow(X, y, w0, t_end: float, t_eval=None, rtol=1e-12, atol=1e-14,
                        stop_rtol: float | None = None, method: str = "DOP853",
                        dense_output: bool = False) -> FlowRun:
    """Gradient flow w' = -grad_w 1/2||X(w∘w) - y||^2 = -2 w∘X^T(X(w∘w) - y), integrated in w
    (the actual parametrization) with solve_ivp; returns snapshots of u = w∘w. Optionally stops at
    relative residual ``stop_rtol`` (an event)."""
    def rhs(t, w):
        return -2.0 * w * (X.T @ (X @ (w * w) - y))
    return _flow(rhs, np.asarray(w0, float), lambda w: w * w, X, y, t_end, t_eval, rtol, atol, stop_rtol, method,
                 dense_output)


def entropic_mirror_flow(X, y, u0, constant: float, t_end: float, t_eval=None, rtol=1e-12, atol=1e-14,
                         method: str = "DOP853", dense_output: bool = False) -> FlowRun:
    """Mirror flow of phi(u) = sum u log u - u: d/dt log u = -c X^T (X u - y), integrated in
    s = log u (so u = exp(s) stays positive). The flow is autonomous, so the flow with constant c at
    time t is the flow with constant 1 at time c t (``dense_output`` gives u at any time)."""
    def rhs(t, s):
        return -constant * (X.T @ (X @ np.exp(s) - y))
    return _flow(rhs, np.log(np.asarray(u0, float)), np.exp, X, y, t_end, t_eval, rtol, atol, None, method,
                 dense_output)


def unbiased_square_flow(X, y, alpha: float, t_end: float, t_eval=None, rtol=1e-12, atol=1e-14,
                         stop_rtol: float | None = None, method: str = "DOP853") -> FlowRun:
    """The unbiased (+/-) model beta = w+∘w+ - w-∘w-, w+ = w- = sqrt(alpha) 1 at start (output 0
    at init), gradient flow on 1/2 ||X beta - y||^2; returns snapshots of beta."""
    d = X.shape[1]

    def rhs(t, z):
        wp, wm = z[:d], z[d:]
        g = X.T @ (X @ (wp * wp - wm * wm) - y)
        return np.r_[-2.0 * wp * g, 2.0 * wm * g]
    z0 = np.full(2 * d, np.sqrt(alpha))
    return _flow(rhs, z0, lambda z: z[:d] ** 2 - z[d:] ** 2, X, y, t_end, t_eval, rtol, atol, stop_rtol, method)


@dataclass
class GDBatchRun:
    u: np.ndarray  # (K, d) final u = w∘w per step size
    iterations: np.ndarray  # (K,) iterations each needed
    relative_residual: np.ndarray  # (K,)


def square_reparam_gd(X, y, w0, etas, rtol: float = 1e-13, max_iter: int = 400_000,
                      check_every: int = 50, stall_checks: int | None = None) -> GDBatchRun:
    """Discrete GD on w for 1/2 ||X(w∘w) - y||^2, one run per step size in ``etas``, vectorized
    over the batch: W_{k+1} = W_k - eta_k 2 W_k∘(R_k X), R_k = (W_k∘W_k) X^T - y. A run is frozen
    once its relative residual is <= rtol, or (with ``stall_checks``) once its residual has set no
    new minimum for that many consecutive checks: it is at its round-off floor, where more steps only
    shuffle the last bits (GD converges linearly, so a run still converging sets a new minimum at
    every check)."""
    etas = np.asarray(etas, float)[:, None]
    W = np.tile(np.asarray(w0, float), (len(etas), 1))
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    active = np.ones(len(etas), bool)
    iters = np.zeros(len(etas), int)
    best = np.full(len(etas), np.inf)
    since = np.zeros(len(etas), int)
    step = etas.copy()
    t = 0
    for t in range(max_iter):
        R = (W * W) @ X.T - y
        if t % check_every == 0:
            rel = np.linalg.norm(R, axis=1) / ynorm
            done = (rel <= rtol) | ~np.isfinite(rel)
            if stall_checks:
                improved = rel < best
                best = np.where(improved, rel, best)
                since = np.where(improved, 0, since + 1)
                done |= since >= stall_checks
            iters[active & done] = t
            active &= ~done
            if not active.any():
                break
            step = np.where(active[:, None], etas, 0.0)
        W = W - step * 2.0 * W * (R @ X)
    else:
        t = max_iter
    iters[active] = t
    U = W * W
    return GDBatchRun(U, iters, np.linalg.norm(U @ X.T - y, axis=1) / ynorm)
