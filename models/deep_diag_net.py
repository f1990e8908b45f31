"""Depth-D diagonal linear network beta = w+^D - w-^D trained by gradient flow (D >= 2).

Model (Woodworth et al. 2020, sec. 5 "deep diagonal nets"; note 004 "Deep Diagonal Linear Net"):
beta = w+^D - w-^D (elementwise, w+, w- > 0), loss L(w) = ||X beta - y||^2 (no 1/2), gradient flow
    dw+/dt = -D w+^(D-1) g,   dw-/dt = +D w-^(D-1) g,   g = dL/dbeta = 2 X^T (X beta - y).
Start w+(0) = w-(0) = a (a > 0 elementwise: a = alpha 1, or a per-coordinate scale vector).

Exact integrals of the flow (used here only for *diagnostics*, never to produce the answer):
for D >= 3, d(w^(2-D))/dt = D (D - 2) g for w+ and -D (D - 2) g for w-, so with G(t) = int_0^t g,
    w+^(2-D) - a^(2-D) = D (D-2) G = -(w-^(2-D) - a^(2-D)),   G in row(X)   (two invariants);
for D = 2 the same with log: log(w+/a) = -2 G = -log(w-/a). The final state is checked against
these manifolds (`manifold_defect_beta`): a point on the manifold that interpolates is the limit,
so the defect bounds how far the ODE's numerical error moved the end point.

Integration: stiff ODE (plateaus of length ~ a^(2-D), then a fast fit), scipy.integrate.solve_ivp
with Radau/BDF and the analytic Jacobian, stopped by a terminal event on the relative residual.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.integrate import solve_ivp


@dataclass
class FlowRun:
    beta: np.ndarray
    w_plus: np.ndarray
    w_minus: np.ndarray
    t_end: float
    relative_residual: float
    reached_event: bool
    nfev: int
    njev: int
    seconds: float
    history_t: np.ndarray
    history_beta: np.ndarray
    info: dict = field(default_factory=dict)


def beta_of(w_plus: np.ndarray, w_minus: np.ndarray, depth: int) -> np.ndarray:
    return w_plus**depth - w_minus**depth


def _rhs_and_jac(X: np.ndarray, y: np.ndarray, depth: int):
    A = 2.0 * X.T @ X
    b = 2.0 * X.T @ y
    d = X.shape[1]
    D = depth

    def rhs(t, w):
        wp, wm = w[:d], w[d:]
        g = A @ (wp**D - wm**D) - b
        return np.concatenate([-D * wp ** (D - 1) * g, D * wm ** (D - 1) * g])

    def jac(t, w):
        wp, wm = w[:d], w[d:]
        g = A @ (wp**D - wm**D) - b
        dp, dm = D * wp ** (D - 1), D * wm ** (D - 1)  # d beta / d w+, -d beta / d w-
        J = np.empty((2 * d, 2 * d))
        J[:d, :d] = -dp[:, None] * A * dp[None, :] - np.diag(D * (D - 1) * wp ** (D - 2) * g)
        J[:d, d:] = dp[:, None] * A * dm[None, :]
        J[d:, :d] = dm[:, None] * A * dp[None, :]
        J[d:, d:] = -dm[:, None] * A * dm[None, :] + np.diag(D * (D - 1) * wm ** (D - 2) * g)
        return J

    return rhs, jac


def deep_diag_net_gradient_flow(
    X: np.ndarray,
    y: np.ndarray,
    depth: int,
    init_scale,
    residual_rtol: float = 1e-12,
    rtol: float = 1e-11,
    atol_factor: float = 1e-14,
    t_max: float = 1e14,
    method: str = "Radau",
    n_history: int = 120,
) -> FlowRun:
    """Gradient flow of ||X(w+^D - w-^D) - y||^2 from w+ = w- = init_scale (scalar or vector).

    Stops when ||X beta - y|| <= residual_rtol ||y|| (terminal event) or at t_max. atol is
    atol_factor * min(init_scale) so the small weights (size ~ alpha) keep relative accuracy.
    History: beta at ~n_history log-spaced times (for figures).
    """
    if depth < 2:
        raise ValueError("depth must be >= 2")
    X = np.asarray(X, float)
    y = np.asarray(y, float)
    d = X.shape[1]
    a = np.broadcast_to(np.asarray(init_scale, float), (d,)).copy()
    rhs, jac = _rhs_and_jac(X, y, depth)
    ynorm = max(float(np.linalg.norm(y)), 1e-300)

    def event(t, w):
        return float(np.linalg.norm(X @ beta_of(w[:d], w[d:], depth) - y)) - residual_rtol * ynorm

    event.terminal = True
    event.direction = -1
    # plateau time scale ~ a^(2-D) / ||g0||: start the log-spaced record well before it
    t_eval_lo = 1e-6
    t_eval = np.logspace(np.log10(t_eval_lo), np.log10(t_max), n_history)
    t0 = time.perf_counter()
    sol = solve_ivp(rhs, (0.0, t_max), np.concatenate([a, a]), method=method, jac=jac, rtol=rtol,
                    atol=atol_factor * float(a.min()), events=event, t_eval=t_eval, dense_output=False)
    secs = time.perf_counter() - t0
    w = sol.y[:, -1] if sol.t_events[0].size == 0 else sol.y_events[0][0]
    t_end = float(sol.t[-1]) if sol.t_events[0].size == 0 else float(sol.t_events[0][0])
    wp, wm = w[:d], w[d:]
    beta = beta_of(wp, wm, depth)
    rel = float(np.linalg.norm(X @ beta - y)) / ynorm
    hist_t = np.r_[sol.t, t_end]
    hist_b = np.vstack([beta_of(sol.y[:d].T, sol.y[d:].T, depth), beta[None, :]]) if sol.t.size else beta[None, :]
    return FlowRun(
        beta=beta, w_plus=wp, w_minus=wm, t_end=t_end, relative_residual=rel,
        reached_event=bool(sol.t_events[0].size), nfev=int(sol.nfev), njev=int(sol.njev), seconds=secs,
        history_t=hist_t, history_beta=hist_b,
        info={"status": int(sol.status), "message": str(sol.message), "method": method, "rtol": rtol},
    )


def manifold_defect_beta(X: np.ndarray, run: FlowRun, depth: int, init_scale) -> np.ndarray:
    """Per-coordinate bound on how far numerical error moved beta off the exact flow manifold.

    Exact flow: z+ = phi(w+) - phi(a) and z- = phi(w-) - phi(a) satisfy z+ = -z- in row(X), with
    phi(w) = w^(2-D) (D >= 3) or log w (D = 2). The defect is the distance of (z+, -z-) from the
    set {(z, z): z in row X}; it moves beta by |d beta / d phi| * defect, d beta/d phi(w) =
    D w^D / phi'(w) w = D/(2-D) w^(2D-2) (D >= 3) or D w^D (D = 2), summed over w+ and w-.
    Any manifold point v = X^T mu gives a bound; mu is the weighted least-squares fit with those
    sensitivities as weights (an unweighted projection would let the huge z of coordinates whose w
    went to 0, where beta is insensitive, leak into the coordinates that carry beta).
    """
    d = X.shape[1]
    a = np.broadcast_to(np.asarray(init_scale, float), (d,))
    wp, wm = run.w_plus, run.w_minus
    if depth == 2:
        zp, zm = np.log(wp / a), np.log(wm / a)
        sens_p, sens_m = depth * wp**depth, depth * wm**depth
    else:
        zp, zm = wp ** (2 - depth) - a ** (2 - depth), wm ** (2 - depth) - a ** (2 - depth)
        c = depth / (depth - 2.0)
        sens_p, sens_m = c * wp ** (2 * depth - 2), c * wm ** (2 * depth - 2)
    A = np.vstack([sens_p[:, None] * X.T, sens_m[:, None] * X.T])
    mu = np.linalg.lstsq(A, np.concatenate([sens_p * zp, -sens_m * zm]), rcond=None)[0]
    proj = X.T @ mu  # the manifold point nearest in the beta-weighted sense
    defect_p = np.abs(zp - proj)
    defect_m = np.abs(-zm - proj)
    return sens_p * defect_p + sens_m * defect_m


def remaining_motion(X: np.ndarray, y: np.ndarray, run: FlowRun, depth: int) -> np.ndarray:
    """First-order estimate of beta(inf) - beta(T) from the residual at the stop.

    Near the end the flow moves beta along the tangent space of the manifold, d beta = M X^T dnu with
    M = diag(dbeta/dnu-direction) = diag(D^2 (w+^(2D-2) + w-^(2D-2))) (the flow's own metric), so the
    rest of the path fixes the residual by the Gauss-Newton step M X^T (X M X^T)^{-1} (y - X beta_T).
    """
    D = depth
    M = D**2 * (run.w_plus ** (2 * D - 2) + run.w_minus ** (2 * D - 2))
    r = y - X @ run.beta
    return M * (X.T @ np.linalg.solve((X * M) @ X.T, r))


def remaining_motion_operator_norm(X: np.ndarray, run: FlowRun, depth: int) -> float:
    """||M X^T (X M X^T)^{-1} X||_2: how much a displacement e of beta off the manifold can move the
    rest of the path (the manifold point beta_T - e has residual r_T + X e, which the flow removes by
    the Gauss-Newton step of :func:`remaining_motion`). A defect e thus costs up to (1 + this) ||e||."""
    D = depth
    M = D**2 * (run.w_plus ** (2 * D - 2) + run.w_minus ** (2 * D - 2))
    P = (M[:, None] * X.T) @ np.linalg.solve((X * M) @ X.T, X)
    return float(np.linalg.norm(P, 2))
