"""Optimizers whose limit on underdetermined least squares depends on the step size, run in batches.

L(w) = 1/2 ||Xw - y||^2 with X m x d, m < d, rank m. Every function here runs one optimizer from
one start w0 at K step sizes at once (the K runs are the rows of a K x d array, so one step of all
runs is a few batched matrix products), freezes each run once its residual reaches the attainable
floor, and returns a :class:`BatchRun`. Nothing here knows where a method "should" land.

Methods (Gunasekar, Lee, Soudry, Srebro 2018a, "Characterizing implicit bias in terms of
optimization geometry", ICML; sec. 2-3):

* :func:`steepest_descent` w.r.t. ||.||_p: w_{t+1} = w_t + eta v_t,
  v_t = argmin_v <g_t, v> + 1/2 ||v||_p^2 = -||g||_q^{2-q} sign(g) |g|^{q-1} (1/p + 1/q = 1); for
  p = inf, v = -||g||_1 sign(g) (sign descent); for p = 1, v = -||g||_inf sign(g_j) e_j with
  j = argmax |g_j| (greedy coordinate descent with a fixed step; ties go to the first index);
  p = 2 is gradient descent.
* :func:`adagrad`: diagonal AdaGrad, G_t = sum_{s<=t} g_s^2, w_{t+1} = w_t - eta g_t / sqrt(G_t).
* :func:`natural_gradient`: w_{t+1} = w_t - eta [hess psi(w_t)]^{-1} grad L(w_t), for a separable
  potential psi (:class:`SeparablePotential`).
* :func:`mirror_descent_momentum`: mirror descent with primal momentum (the paper's eq. (8)),
  grad psi(w_{t+1}) = grad psi(w_t + beta D_t) - eta grad L(w_t + gamma D_t), D_t = w_t - w_{t-1};
  beta = gamma = 0 is plain mirror descent, run on the dual iterate theta_t = grad psi(w_t), which
  it updates additively (so theta_t - theta_0 stays in row(X) up to round-off).
* :func:`natural_gradient_flow`: the step-size -> 0 limit of natural gradient,
  w' = -[hess psi(w)]^{-1} grad L(w), for any potential of :mod:`models.mirror_descent` (its inverse
  Hessian is the Hessian of psi^* at grad psi(w)), integrated with ``solve_ivp``.

Stopping: a run is frozen at the first check (every ``check_every`` steps) where its relative
residual ||Xw - y|| / ||y|| is <= max(rtol, floor_factor u cond(X) (||X|| ||w|| + ||y||) / ||y||),
the accuracy to which the gradient X^T r can be formed in floating point (u = eps/2); or when it
leaves the potential's domain or diverges (then its residual is reported as nan or large).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from scipy.integrate import solve_ivp

U = np.finfo(float).eps / 2


# ---- separable potentials (vectorized over any array shape) -------------------------------------

@dataclass(frozen=True)
class SeparablePotential:
    """psi(w) = sum_j f(w_j): ``grad`` = f'(w), ``grad_inv`` = (f')^{-1}(theta), ``inv_hess`` =
    1 / f''(w) (the diagonal of [hess psi(w)]^{-1}); ``domain`` 'positive' or 'real'."""

    name: str
    grad: Callable[[np.ndarray], np.ndarray]
    grad_inv: Callable[[np.ndarray], np.ndarray]
    inv_hess: Callable[[np.ndarray], np.ndarray]
    domain: str = "real"

    def inside(self, W: np.ndarray) -> np.ndarray:
        """Per row of W: all entries finite and in the domain."""
        ok = np.all(np.isfinite(W), axis=-1)
        if self.domain == "positive":
            ok &= np.all(W > 0, axis=-1)
        return ok


def entropy_potential() -> SeparablePotential:
    """psi(w) = sum w log w - w on w > 0: grad = log w, inverse Hessian diag(w)."""
    return SeparablePotential("negative-entropy", np.log, np.exp, lambda W: W, "positive")


def hyperbolic_potential(b: float) -> SeparablePotential:
    """psi(w) = sum w asinh(w/b) - sqrt(w^2 + b^2): grad = asinh(w/b), inverse Hessian
    diag(sqrt(w^2 + b^2))."""
    if not b > 0:
        raise ValueError(f"scale b = {b} must be positive")
    return SeparablePotential(f"hyperbolic-entropy(b={b:g})", lambda W: np.arcsinh(W / b),
                              lambda T: b * np.sinh(T), lambda W: np.sqrt(W * W + b * b))


def separable_potential(index: int, b: float = 1.0) -> SeparablePotential:
    """0: negative entropy, 2: hyperbolic entropy with scale b (the indices of
    :func:`models.mirror_descent.potential_by_index`; index 1, the p-norm, is not separable)."""
    if int(index) == 0:
        return entropy_potential()
    if int(index) == 2:
        return hyperbolic_potential(float(b))
    raise ValueError(f"potential index {index} is not separable (use 0 or 2)")


# ---- batched runs -------------------------------------------------------------------------------

@dataclass
class BatchRun:
    """K runs of one method at step sizes ``etas``: final iterates ``W`` (K x d), iterations each
    needed, relative residuals, snapshots ``history_W`` (n x K x d) at iterations ``history_t``
    (common to all runs; a frozen run repeats its final iterate), max_t ||w_t|| per run, and any
    method state worth reporting (e.g. the final dual iterates ``theta`` of mirror descent)."""

    etas: np.ndarray
    W: np.ndarray
    iterations: np.ndarray
    relative_residual: np.ndarray
    history_t: list[int] = field(default_factory=list)
    history_W: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 0)))
    max_norm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    left_domain: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    info: dict = field(default_factory=dict)

    def snapshot_before(self, k: int, t: float) -> np.ndarray:
        """Run k's last snapshot at an iteration <= t (the start if none)."""
        idx = max([i for i, s in enumerate(self.history_t) if s <= t] or [0])
        return self.history_W[idx, k]


def _run_batch(X, y, W, step, rtol, max_iter, check_every, floor_factor, inside=None) -> BatchRun:
    """Drive ``step(W, R, active) -> W_new`` (R = W X^T - y) for every active run; see the module
    docstring for the stopping rule. ``inside(W)`` flags rows still in the potential's domain."""
    K, _ = W.shape
    ynorm = max(float(np.linalg.norm(y)), 1e-300)
    s = np.linalg.svd(X, compute_uv=False)
    cond, smax = float(s[0] / s[-1]), float(s[0])
    active = np.ones(K, bool)
    left = np.zeros(K, bool)
    iters = np.zeros(K, int)
    max_norm = np.linalg.norm(W, axis=1)
    hist_t, hist_W, nxt, t = [], [], 0, 0
    for t in range(max_iter + 1):
        R = W @ X.T - y
        if t >= nxt:
            hist_t.append(t)
            hist_W.append(W.copy())
            nxt = max(t + 1, int(t * 1.15))
        if t % check_every == 0:
            rel = np.linalg.norm(R, axis=1) / ynorm
            need = np.maximum(rtol, floor_factor * U * cond * (smax * np.linalg.norm(W, axis=1) + ynorm) / ynorm)
            done = (rel <= need) | ~np.isfinite(rel) | (rel > 1e8)
            iters[active & done] = t
            active &= ~done
            if not active.any():
                break
        if t == max_iter:
            break
        new = step(W, R, active)
        moved = active.copy()
        if inside is not None:
            out = active & ~inside(new)
            if out.any():  # left the domain: the run stops here, flagged (its residual is nan)
                left |= out
                iters[out] = t + 1
                active &= ~out
                new[out] = np.nan
        W = np.where(moved[:, None], new, W)
        max_norm = np.maximum(max_norm, np.where(np.isfinite(W).all(1), np.linalg.norm(W, axis=1), 0.0))
    iters[active] = t
    if not hist_t or hist_t[-1] != t:
        hist_t.append(t)
        hist_W.append(W.copy())
    rel = np.linalg.norm(W @ X.T - y, axis=1) / ynorm
    return BatchRun(np.zeros(K), W, iters, rel, hist_t, np.array(hist_W), max_norm, left)


def _etas(etas) -> np.ndarray:
    e = np.atleast_1d(np.asarray(etas, float))
    if e.ndim != 1 or not np.all(e > 0):
        raise ValueError("step sizes must be a 1-d array of positive numbers")
    return e


def _start(w0, K) -> np.ndarray:
    return np.tile(np.asarray(w0, float), (K, 1))


def steepest_descent(X, y, w0, etas, p: float = np.inf, rtol: float = 1e-13, max_iter: int = 200_000,
                     check_every: int = 25, floor_factor: float = 10.0) -> BatchRun:
    """Steepest descent w.r.t. ||.||_p, 1 <= p <= inf, at each step size in ``etas`` (see module
    docstring); p = 2 is gradient descent."""
    etas = _etas(etas)
    K = len(etas)
    E = etas[:, None]
    rows = np.arange(K)
    p = float(p)
    if not p >= 1.0:
        raise ValueError(f"p = {p} must be >= 1")
    q = np.inf if p == 1.0 else (1.0 if p == np.inf else p / (p - 1.0))

    def step(W, R, active):
        G = R @ X
        if p == 2.0:
            V = G
        elif p == np.inf:
            V = np.abs(G).sum(axis=1, keepdims=True) * np.sign(G)
        elif p == 1.0:
            j = np.argmax(np.abs(G), axis=1)
            V = np.zeros_like(G)
            V[rows, j] = G[rows, j]  # ||g||_inf sign(g_j) = g_j at the largest entry
        else:
            nq = np.linalg.norm(G, q, axis=1, keepdims=True)
            V = np.where(nq > 0, nq, 1.0) ** (2.0 - q) * np.sign(G) * np.abs(G) ** (q - 1.0)  # 0 where g = 0
        return W - E * V

    run = _run_batch(X, y, _start(w0, K), step, rtol, max_iter, check_every, floor_factor)
    run.etas, run.info = etas, {"method": f"steepest descent (l_{p:g})", "p": p}
    return run


def gradient_descent(X, y, w0, etas, **kw) -> BatchRun:
    """w_{t+1} = w_t - eta X^T(Xw_t - y) at each step size (steepest descent with p = 2)."""
    run = steepest_descent(X, y, w0, etas, 2.0, **kw)
    run.info["method"] = "gradient descent"
    return run


def adagrad(X, y, w0, etas, eps: float = 1e-30, rtol: float = 1e-13, max_iter: int = 200_000,
            check_every: int = 25, floor_factor: float = 10.0) -> BatchRun:
    """Diagonal AdaGrad, G += g^2, w -= eta g / sqrt(G + eps), at each step size (``eps`` only
    guards 0/0 on a coordinate whose gradient has always been exactly zero)."""
    etas = _etas(etas)
    K = len(etas)
    E = etas[:, None]
    G2 = np.zeros((K, np.asarray(w0).shape[0]))

    def step(W, R, active):
        G = R @ X
        G2[active] += G[active] ** 2
        return W - E * G / np.sqrt(G2 + eps)

    run = _run_batch(X, y, _start(w0, K), step, rtol, max_iter, check_every, floor_factor)
    run.etas, run.info = etas, {"method": "AdaGrad (diagonal)", "accumulator": G2.copy()}
    return run


def _inverse_hessian_times(potential, W: np.ndarray, G: np.ndarray) -> np.ndarray:
    """Rows of [hess psi(w)]^{-1} g: elementwise for a :class:`SeparablePotential`; for a
    :class:`models.mirror_descent.Potential`, hess psi^*(grad psi(w)) g, row by row."""
    if isinstance(potential, SeparablePotential):
        return potential.inv_hess(W) * G
    out = np.empty_like(G)
    for k in range(W.shape[0]):
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            out[k] = potential.conj_hess_mv(potential.grad(W[k]), G[k]) if np.all(np.isfinite(W[k])) else np.nan
    return out


def _inside(potential) -> Callable[[np.ndarray], np.ndarray]:
    if isinstance(potential, SeparablePotential):
        return potential.inside

    def inside(W):
        ok = np.all(np.isfinite(W), axis=-1)
        return ok & np.all(W > 0, axis=-1) if potential.domain == "positive" else ok
    return inside


def natural_gradient(X, y, w0, etas, potential, rtol: float = 1e-13,
                     max_iter: int = 200_000, check_every: int = 25, floor_factor: float = 10.0) -> BatchRun:
    """w_{t+1} = w_t - eta [hess psi(w_t)]^{-1} X^T(Xw_t - y) at each step size, for a
    :class:`SeparablePotential` (vectorized) or any :class:`models.mirror_descent.Potential` (its
    inverse Hessian hess psi^*(grad psi(w)), row by row); a run whose next iterate leaves the
    potential's domain stops there (``left_domain``)."""
    etas = _etas(etas)
    K = len(etas)
    E = etas[:, None]

    def step(W, R, active):
        return W - E * _inverse_hessian_times(potential, W, R @ X)

    run = _run_batch(X, y, _start(w0, K), step, rtol, max_iter, check_every, floor_factor, _inside(potential))
    run.etas, run.info = etas, {"method": f"natural gradient ({potential.name})"}
    return run


def mirror_descent_momentum(X, y, w0, etas, potential: SeparablePotential, beta: float = 0.0, gamma: float = 0.0,
                            rtol: float = 1e-13, max_iter: int = 200_000, check_every: int = 25,
                            floor_factor: float = 10.0) -> BatchRun:
    """Mirror descent with primal momentum (see module docstring) at each step size; with
    beta = gamma = 0 it is plain mirror descent on the dual iterate. ``info['theta']`` holds the
    final dual iterates, ``info['theta0']`` = grad psi(w0)."""
    etas = _etas(etas)
    K = len(etas)
    E = etas[:, None]
    W0 = _start(w0, K)
    theta0 = potential.grad(np.asarray(w0, float))
    state = {"theta": potential.grad(W0), "prev": W0.copy()}
    plain = beta == 0.0 and gamma == 0.0

    def step(W, R, active):
        if plain:
            G = R @ X
            base = state["theta"]
        else:
            D = W - state["prev"]
            Wg = W + gamma * D
            G = (Wg @ X.T - y) @ X if gamma != 0.0 else R @ X
            with np.errstate(invalid="ignore", divide="ignore"):
                base = potential.grad(W + beta * D) if beta != 0.0 else state["theta"]
            state["prev"] = np.where(active[:, None], W, state["prev"])
        theta = base - E * G
        state["theta"] = np.where(active[:, None], theta, state["theta"])
        with np.errstate(over="ignore", invalid="ignore"):
            return potential.grad_inv(theta)

    inside = potential.inside if not plain else None
    run = _run_batch(X, y, W0, step, rtol, max_iter, check_every, floor_factor, inside)
    run.etas = etas
    run.info = {"method": "mirror descent" + ("" if plain else f" with primal momentum (beta {beta:g}, gamma {gamma:g})"),
                "theta": state["theta"].copy(), "theta0": theta0, "beta": beta, "gamma": gamma}
    return run


# ---- natural gradient flow ----------------------------------------------------------------------

@dataclass
class FlowRun:
    t: np.ndarray  # snapshot times
    w: np.ndarray  # snapshots, (len(t), d)
    success: bool
    message: str
    nfev: int
    relative_residual: float

    @property
    def w_final(self) -> np.ndarray:
        return self.w[-1]


def natural_gradient_flow(X, y, w0, potential, t_end: float, stop_rtol: float = 1e-11, rtol: float = 1e-12,
                          atol: float = 1e-14, n_eval: int = 60, method: str = "DOP853") -> FlowRun:
    """w' = -[hess psi(w)]^{-1} X^T(Xw - y), integrated in w with ``solve_ivp`` until the relative
    residual reaches ``stop_rtol`` (a terminal event) or t = t_end. ``potential`` is a
    :class:`models.mirror_descent.Potential`: [hess psi(w)]^{-1} = hess psi^*(grad psi(w)), its
    ``conj_hess_mv``. Snapshots on a geometric time grid (for figures)."""
    ynorm = max(float(np.linalg.norm(y)), 1e-300)

    def rhs(t, w):
        return -potential.conj_hess_mv(potential.grad(w), X.T @ (X @ w - y))

    def event(t, w):
        return float(np.linalg.norm(X @ w - y)) / ynorm - stop_rtol
    event.terminal = True

    t_eval = np.r_[0.0, np.geomspace(t_end * 1e-6, t_end, n_eval)]
    sol = solve_ivp(rhs, (0.0, t_end), np.asarray(w0, float), method=method, rtol=rtol, atol=atol,
                    t_eval=t_eval, events=event)
    ts, ws = sol.t, sol.y.T
    if sol.status == 1:  # stopped by the event: append the state there
        ts, ws = np.r_[ts, sol.t_events[0][-1]], np.vstack([ws, sol.y_events[0][-1]])
    rel = float(np.linalg.norm(X @ ws[-1] - y)) / ynorm if len(ws) else np.inf
    return FlowRun(ts, ws, bool(sol.success), str(sol.message), int(sol.nfev), rel)
