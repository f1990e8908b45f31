"""A single neuron u = sigma(<w, x>) trained on L(w) = 1/2 ||sigma(X w) - y||^2 by GD or by its
gradient flow (explicit Runge-Kutta), as in note 003 ("Single neurons", after Vardi & Shamir 2021).

grad L(w) = X^T (sigma'(X w) * (sigma(X w) - y)) lies in row(X), so every GD step, and every
stage of an explicit Runge-Kutta method, moves w within w0 + row(X) (exactly, up to round-off).

Activations (:data:`ACTIVATIONS`): leaky ReLU max(z, alpha z) (0 < alpha < 1, strictly
increasing), tanh, the logistic sigmoid (strictly increasing, bounded ranges) and ReLU (monotone
but not strictly: sigma' = 0 on z < 0, so inactive points never move w).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.integrate

ACTIVATIONS = ("leaky-relu", "tanh", "sigmoid", "relu")


def activation(name: str, alpha: float = 0.1):
    """(sigma, sigma') for an activation name."""
    if name == "leaky-relu":
        return (lambda z: np.where(z > 0, z, alpha * z)), (lambda z: np.where(z > 0, 1.0, alpha))
    if name == "relu":
        return (lambda z: np.maximum(z, 0.0)), (lambda z: (z > 0).astype(float))
    if name == "tanh":
        return np.tanh, (lambda z: 1.0 - np.tanh(z) ** 2)
    if name == "sigmoid":
        s = lambda z: 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic
        return s, (lambda z: s(z) * (1.0 - s(z)))
    raise ValueError(f"unknown activation {name!r} (choose from {ACTIVATIONS})")


@dataclass
class NeuronRun:
    w: np.ndarray
    iterations: int
    max_norm: float
    residual: float  # ||sigma(X w) - y||
    history_t: list[int] = field(default_factory=list)
    history_w: list[np.ndarray] = field(default_factory=list)


def neuron_gd(X, y, w0, eta: float, name: str, alpha: float = 0.1, tol: float = 1e-13, max_steps: int = 200_000,
              record_every: int = 100) -> NeuronRun:
    """GD from w0 until ||sigma(Xw) - y|| <= tol ||y|| (or max_steps)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    s, ds = activation(name, alpha)
    w = np.array(w0, dtype=float)
    target = tol * max(float(np.linalg.norm(y)), 1e-300)
    run = NeuronRun(w, 0, float(np.linalg.norm(w)), np.inf)
    for step in range(max_steps + 1):
        z = X @ w
        r = s(z) - y
        rn = float(np.linalg.norm(r))
        if step % record_every == 0:
            run.history_t.append(step)
            run.history_w.append(w.copy())
        if rn <= target or step == max_steps or not np.isfinite(rn):
            break
        w = w - eta * (X.T @ (ds(z) * r))
        run.max_norm = max(run.max_norm, float(np.linalg.norm(w)))
    run.w, run.iterations, run.residual = w, step, rn
    run.history_t.append(step)
    run.history_w.append(w.copy())
    return run


def neuron_flow(X, y, w0, T: float, name: str, alpha: float = 0.1, rtol: float = 1e-12, atol: float = 1e-14) -> NeuronRun:
    """The gradient flow dw/dt = -grad L on [0, T] by DOP853 (explicit: stays in w0 + row(X))."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    s, ds = activation(name, alpha)

    def rhs(_, w):
        z = X @ w
        return -(X.T @ (ds(z) * (s(z) - y)))

    sol = scipy.integrate.solve_ivp(rhs, (0.0, T), np.asarray(w0, dtype=float), method="DOP853", rtol=rtol, atol=atol,
                                    t_eval=np.linspace(0.0, T, 21))
    if not sol.success:
        raise RuntimeError(f"gradient flow integration failed: {sol.message}")
    w = sol.y[:, -1]
    return NeuronRun(w, int(sol.nfev), float(np.max(np.linalg.norm(sol.y, axis=0))), float(np.linalg.norm(s(X @ w) - y)),
                     [float(t) for t in sol.t], [sol.y[:, i].copy() for i in range(sol.y.shape[1])])


__all__ = ["ACTIVATIONS", "NeuronRun", "activation", "neuron_flow", "neuron_gd"]
