"""Depth-2 diagonal linear network: beta(w) = w+^2 - w-^2 (elementwise), f(w, x) = <beta(w), x>.

Loss (notes 004, "linear diagonal net"; Woodworth et al. 2020): L(w) = sum_i (<beta(w), x_i> - y_i)^2
(no 1/2), so with r = X beta - y the gradient is grad_{w+} L = 4 w+ o X^T r, grad_{w-} L = -4 w- o X^T r.

* :func:`diag_net_gradient_flow` integrates dw/dt = -grad L(w) with scipy's LSODA (analytic
  Jacobian) from any start (w+0, w-0), stopped when ||X beta - y|| reaches a target residual
  (:func:`integrate_to_residual`: the stop is placed on a bracket verified on the dense output);
* :func:`diag_net_gradient_flow_reduced` integrates the same flow in its exact m-dimensional form.
  Each coordinate obeys a linear ODE given the residual r(t) = X beta - y, dw+_j/dt = -4 w+_j
  (X^T r)_j, so w+(t) = w+0 o exp(-4 X^T G(t)), w-(t) = w-0 o exp(4 X^T G(t)) with G(t) = int_0^t r,
  and G solves dG/dt = X beta(G) - y (m unknowns instead of 2d; Jacobian -8 X diag(w+^2 + w-^2) X^T).
  The trajectory is the same; the reduction is what makes d = 1000 cheap (the full flow's dense
  2d x 2d LU dominates there). beta is evaluated as 2 gamma sinh(.) in the log domain (no cancellation
  of w+^2 - w-^2 at large alpha);
* :func:`diag_net_gradient_descent` is plain GD with a fixed step eta until the loss is small;
* :func:`tangent_kernel` is K(x, x') = <grad_w f(w, x), grad_w f(w, x')> at w, computed from a
  central finite-difference Jacobian of the forward map (exact up to round-off: f is quadratic).

Pure numpy/scipy; knows nothing about where the dynamics "should" land.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.integrate
import scipy.optimize

EPS = np.finfo(float).eps


@dataclass
class DiagRun:
    """Result of a run: final weights, beta, the residual and snapshots for figures."""

    w_plus: np.ndarray
    w_minus: np.ndarray
    t: float  # final time (flow) or number of steps (GD)
    residual: float  # ||X beta - y||
    converged: bool
    steps: int  # accepted ODE steps or GD iterations
    history_t: list[float] = field(default_factory=list)
    history_beta: list[np.ndarray] = field(default_factory=list)
    history_product: list[np.ndarray] = field(default_factory=list)  # w+ o w- along the run
    history_w: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)  # (w+, w-) along the run
    max_weight_sq: float = 0.0  # max_t max_j (w+_j^2 + w-_j^2), for round-off bounds
    info: dict = field(default_factory=dict)
    # beta when the run computed it more accurately than w+^2 - w-^2 (the reduced flow)
    beta_value: np.ndarray | None = None

    @property
    def beta(self) -> np.ndarray:
        return beta_of(self.w_plus, self.w_minus) if self.beta_value is None else self.beta_value


def beta_of(w_plus: np.ndarray, w_minus: np.ndarray) -> np.ndarray:
    return w_plus**2 - w_minus**2


def loss(X: np.ndarray, y: np.ndarray, w_plus: np.ndarray, w_minus: np.ndarray) -> float:
    r = X @ beta_of(w_plus, w_minus) - y
    return float(r @ r)


def _split(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    d = w.size // 2
    return w[:d], w[d:]


def flow_rhs(X: np.ndarray, y: np.ndarray):
    """(rhs, jacobian) of dw/dt = -grad L for the stacked state w = [w+, w-]."""
    G = X.T @ X

    def rhs(_t, w):
        wp, wm = _split(w)
        g = X.T @ (X @ (wp * wp - wm * wm) - y)
        return np.concatenate([-4.0 * wp * g, 4.0 * wm * g])

    def jac(_t, w):
        wp, wm = _split(w)
        g = X.T @ (X @ (wp * wp - wm * wm) - y)
        d = wp.size
        J = np.empty((2 * d, 2 * d))
        J[:d, :d] = -8.0 * (wp[:, None] * G * wp[None, :])
        J[:d, d:] = 8.0 * (wp[:, None] * G * wm[None, :])
        J[d:, :d] = 8.0 * (wm[:, None] * G * wp[None, :])
        J[d:, d:] = -8.0 * (wm[:, None] * G * wm[None, :])
        J[np.arange(d), np.arange(d)] -= 4.0 * g
        J[d + np.arange(d), d + np.arange(d)] += 4.0 * g
        return J

    return rhs, jac


@dataclass
class ResidualStop:
    """An integration stopped by :func:`integrate_to_residual` (the fields of ``solve_ivp`` it uses)."""

    t: np.ndarray  # accepted step times, the stop last
    y: np.ndarray  # states at those times, one column each
    status: int  # 1: target reached, 0: t_max reached, -1: the integrator failed
    message: str
    nfev: int
    njev: int
    nlu: int
    located: str = ""  # how the stop was placed in the last step (see integrate_to_residual)


def integrate_to_residual(rhs, jac, x0: np.ndarray, residual, target: float, rtol: float, atol,
                          t_max: float, method: str = "LSODA") -> ResidualStop:
    """Integrate dx/dt = rhs(t, x) from x0 until residual(x) <= target (or t_max).

    The stepping is done here, not by ``solve_ivp``'s terminal event. ``solve_ivp`` places an event
    by ``brentq`` on the last step's dense output over [t_old, t], taking for granted that the
    interpolant at t_old has the sign the accepted state y_old had. It need not: LSODA's interpolant
    reproduces y_old only to ~1 ulp, and near its floor the residual ||X beta - y|| is itself only
    known to a few ulps of beta (w+^2 - w-^2 cancels). When the previous step ended within that noise
    of the target, the bracket has one sign and ``brentq`` raises "f(a) and f(b) must have different
    signs" (e.g. alpha = 4, target 1.5082e-12: residual 1.508517e-12 at y_old, 1.507120e-12 on the
    interpolant at t_old, 1 ulp away in w).

    Here the first accepted step whose state meets the target ends the run (the loss decreases along
    gradient flow, so no earlier crossing is skipped); the crossing inside that step is then placed on
    the dense output s -> residual(sol(s)) - target, by ``brentq`` only when the interpolant itself
    changes sign over [t_old, t] (evaluated, not assumed: the root exists by continuity). Otherwise
    the interpolant already meets the target at t_old (the crossing is within its 1-ulp disagreement
    with y_old; the stop is sol(t_old)), or it misses it at t (the stop is the accepted state, whose
    residual was computed directly). ``located`` records which."""
    solver_class = getattr(scipy.integrate, method) if isinstance(method, str) else method
    x0 = np.asarray(x0, float)
    ts, xs = [0.0], [x0.copy()]
    if residual(x0) <= target:
        return ResidualStop(np.array(ts), np.column_stack(xs), 1, "target met at the start", 0, 0, 0, "start")
    solver = solver_class(rhs, 0.0, x0, t_max, rtol=rtol, atol=atol, jac=jac)
    status, located = None, ""
    while status is None:
        message = solver.step()
        if solver.status == "failed":
            status = -1
            break
        t, x = solver.t, solver.y
        if residual(x) <= target:
            status = 1
            sol = solver.dense_output()
            t_old = solver.t_old
            g_old, g_new = residual(sol(t_old)) - target, residual(sol(t)) - target
            if g_old > 0.0 >= g_new:
                t = scipy.optimize.brentq(lambda s: residual(sol(s)) - target, t_old, t, xtol=4 * EPS, rtol=4 * EPS)
                x, located = sol(t), "dense output root"
            elif g_old <= 0.0:  # replaces the accepted state at t_old (1 ulp away) as the stop
                ts.pop(), xs.pop()
                t, x, located = t_old, sol(t_old), "dense output meets the target at the step start"
            else:
                located = "accepted step end"
        elif solver.status == "finished":
            status = 0
        ts.append(float(t))
        xs.append(np.array(x, float))
    msg = {1: "The residual target was reached.", 0: "The solver successfully reached the end of the integration interval.",
           -1: str(message)}[status]
    return ResidualStop(np.array(ts), np.column_stack(xs), status, msg, int(solver.nfev), int(solver.njev),
                        int(solver.nlu), located)



def diag_net_gradient_flow(
    X: np.ndarray,
    y: np.ndarray,
    w_plus0: np.ndarray,
    w_minus0: np.ndarray,
    residual_target: float = 1e-12,
    rtol: float = 1e-12,
    atol: float | None = None,
    t_max: float = 1e12,
    method: str = "LSODA",
) -> DiagRun:
    """Gradient flow on L from (w+0, w-0), stopped when ||X beta - y|| <= residual_target.

    Default integrator: LSODA (switches to BDF when the problem turns stiff, which it does near the
    end where the flow contracts on very different time scales), with the analytic Jacobian.
    ``converged`` requires the target to have been reached and the final residual to be <= 2 x target
    (the stop is placed on the dense output by :func:`integrate_to_residual`, the residual recomputed
    from the state).

    ``atol`` defaults to rtol times the smallest initial |weight| (weights decay geometrically
    towards 0 off the support; their *relative* accuracy is what beta needs).
    """
    X, y = np.asarray(X, float), np.asarray(y, float)
    rhs, jac = flow_rhs(X, y)
    w0 = np.concatenate([w_plus0, w_minus0]).astype(float)
    if atol is None:
        atol = rtol * max(float(np.min(np.abs(w0))), 1e-300) * 1e-3

    def residual(w):
        wp, wm = _split(w)
        return float(np.linalg.norm(X @ (wp * wp - wm * wm) - y))

    sol = integrate_to_residual(rhs, jac, w0, residual, residual_target, rtol, atol, t_max, method)
    wT, tT = sol.y[:, -1], float(sol.t[-1])
    wp, wm = _split(wT)
    res = float(np.linalg.norm(X @ beta_of(wp, wm) - y))
    keep = _geometric_indices(sol.t)
    run = DiagRun(
        w_plus=wp.copy(), w_minus=wm.copy(), t=tT, residual=res,
        converged=bool(sol.status == 1 and res <= 2.0 * residual_target),
        steps=int(sol.t.size - 1),
        history_t=[float(sol.t[k]) for k in keep] + [tT],
        history_beta=[beta_of(*_split(sol.y[:, k])) for k in keep] + [beta_of(wp, wm)],
        history_product=[np.prod(np.vstack(_split(sol.y[:, k])), axis=0) for k in keep] + [wp * wm],
        history_w=[_split(sol.y[:, k].copy()) for k in keep] + [(wp.copy(), wm.copy())],
        max_weight_sq=float(np.max(sol.y**2) * 2.0),
        info={"nfev": int(sol.nfev), "njev": int(sol.njev), "nlu": int(sol.nlu), "status": int(sol.status),
              "message": str(sol.message), "rtol": rtol, "atol": atol, "stop": sol.located},
    )
    return run


def _log_start(w_plus0: np.ndarray, w_minus0: np.ndarray):
    """(log w+0^2, log w-0^2) -- the start enters the reduced flow only through these."""
    return 2.0 * np.log(np.abs(np.asarray(w_plus0, float))), 2.0 * np.log(np.abs(np.asarray(w_minus0, float)))


def _beta_curvature(z: np.ndarray, log_a: np.ndarray, log_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """beta = a e^z - b e^-z and d beta/dz = a e^z + b e^-z (a = w+0^2, b = w-0^2), written as
    2 g sinh(v), 2 g cosh(v) with g = sqrt(ab), v = z + log(a/b)/2, in the log domain."""
    v = z + 0.5 * (log_a - log_b)
    big = np.exp(0.5 * (log_a + log_b) + np.abs(v))
    small = np.exp(-2.0 * np.abs(v))
    return np.sign(v) * big * (1.0 - small), big * (1.0 + small)


def diag_net_gradient_flow_reduced(
    X: np.ndarray,
    y: np.ndarray,
    w_plus0: np.ndarray,
    w_minus0: np.ndarray,
    residual_target: float = 1e-12,
    rtol: float = 1e-12,
    t_max: float = 1e12,
    method: str = "LSODA",
) -> DiagRun:
    """The gradient flow of L from (w+0, w-0) in its exact reduction to G(t) = int_0^t r (module
    docstring), stopped when ||X beta - y|| <= residual_target. Same result fields as
    :func:`diag_net_gradient_flow` (``steps`` are the reduced ODE's steps)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    w_plus0, w_minus0 = np.asarray(w_plus0, float), np.asarray(w_minus0, float)
    log_a, log_b = _log_start(w_plus0, w_minus0)

    def beta_curv(G):
        return _beta_curvature(-8.0 * (X.T @ G), log_a, log_b)

    def rhs(_t, G):
        return X @ beta_curv(G)[0] - y

    def jac(_t, G):
        return -8.0 * (X * beta_curv(G)[1]) @ X.T

    m = X.shape[0]
    # atol: G is a time integral of the residual; its scale is set by ||y|| t at first, so an
    # absolute floor far below rtol ||G|| keeps the relative control in charge
    sol = integrate_to_residual(rhs, jac, np.zeros(m), lambda G: float(np.linalg.norm(rhs(0.0, G))), residual_target,
                                rtol, rtol * 1e-6, t_max, method)
    fired = sol.status == 1
    GT, tT = sol.y[:, -1], float(sol.t[-1])

    def weights(G):
        z = -4.0 * (X.T @ G)
        return w_plus0 * np.exp(z), w_minus0 * np.exp(-z)

    wp, wm = weights(GT)
    beta = beta_curv(GT)[0]
    res = float(np.linalg.norm(X @ beta - y))
    keep = _geometric_indices(sol.t)
    hist = [weights(sol.y[:, k]) for k in keep] + [(wp, wm)]
    run = DiagRun(
        w_plus=wp, w_minus=wm, t=tT, residual=res, converged=bool(fired and res <= 2.0 * residual_target),
        steps=int(sol.t.size - 1),
        history_t=[float(sol.t[k]) for k in keep] + [tT],
        history_beta=[beta_curv(sol.y[:, k])[0] for k in keep] + [beta],
        history_product=[a * b for a, b in hist], history_w=hist,
        max_weight_sq=float(max(np.max(a * a + b * b) for a, b in hist)),
        info={"nfev": int(sol.nfev), "njev": int(sol.njev), "nlu": int(sol.nlu), "status": int(sol.status),
              "message": str(sol.message), "rtol": rtol, "reduced": True, "stop": sol.located},
        beta_value=beta,
    )
    return run


def manifold_defect_beta(X: np.ndarray, run: DiagRun, w_plus0: np.ndarray, w_minus0: np.ndarray) -> np.ndarray:
    """Per-coordinate bound on how far numerical error moved beta off the exact flow's manifold.

    Exact flow: z+ = log(w+/w+0) and z- = log(w-/w-0) satisfy z+ = -z- = -4 X^T G in row(X). The
    defect is the distance of (z+, -z-) from {(v, v): v in row X}, mapped to beta by
    d beta/d z+ = 2 w+^2 and d beta/d z- = -2 w-^2 (a point on the manifold that interpolates is
    the limit, so this bounds the integrator's effect on the end point, to first order). Any
    manifold point v = X^T mu gives a bound; mu is the least-squares fit weighted by those
    sensitivities (coordinates where beta is insensitive must not steer the fit)."""
    zp = np.log(np.abs(run.w_plus)) - np.log(np.abs(np.asarray(w_plus0, float)))
    zm = np.log(np.abs(run.w_minus)) - np.log(np.abs(np.asarray(w_minus0, float)))
    sp, sm = 2.0 * run.w_plus**2, 2.0 * run.w_minus**2
    A = np.vstack([sp[:, None] * X.T, sm[:, None] * X.T])
    proj = X.T @ np.linalg.lstsq(A, np.concatenate([sp * zp, -sm * zm]), rcond=None)[0]
    return sp * np.abs(zp - proj) + sm * np.abs(-zm - proj)


def _geometric_indices(t: np.ndarray, n: int = 150) -> list[int]:
    if t.size <= n:
        return list(range(t.size))
    return sorted(set(np.linspace(0, t.size - 1, n).astype(int).tolist()))


def diag_net_gradient_descent(
    X: np.ndarray,
    y: np.ndarray,
    w_plus0: np.ndarray,
    w_minus0: np.ndarray,
    eta: float,
    loss_target: float = 1e-24,
    max_steps: int = 2_000_000,
    log_every: int = 0,
) -> DiagRun:
    """Plain GD w <- w - eta grad L(w) until L(w) <= loss_target (or max_steps)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    wp, wm = np.array(w_plus0, float), np.array(w_minus0, float)
    hist_t, hist_b, hist_p = [], [], []
    next_log, k, L = 0, 0, np.inf
    wmax = float(np.max(wp**2 + wm**2))
    for k in range(max_steps + 1):
        r = X @ (wp * wp - wm * wm) - y
        L = float(r @ r)
        if k >= next_log:
            hist_t.append(float(k)), hist_b.append(wp * wp - wm * wm), hist_p.append(wp * wm)
            next_log = max(k + 1, int(k * 1.2)) if not log_every else k + log_every
        if L <= loss_target or not np.isfinite(L):
            break
        g = 4.0 * eta * (X.T @ r)
        wp, wm = wp - g * wp, wm + g * wm
        wmax = max(wmax, float(np.max(wp**2 + wm**2)))
    hist_t.append(float(k)), hist_b.append(wp * wp - wm * wm), hist_p.append(wp * wm)
    return DiagRun(w_plus=wp, w_minus=wm, t=float(k), residual=float(np.sqrt(L)), converged=bool(L <= loss_target),
                   steps=k, history_t=hist_t, history_beta=hist_b, history_product=hist_p, max_weight_sq=wmax,
                   info={"eta": eta, "loss": L})


def gd_step_bound(X: np.ndarray, w_plus0: np.ndarray, w_minus0: np.ndarray) -> float:
    """1 / (smoothness of L at the start): the Gauss-Newton part of the Hessian is
    8 J^T J with ||J||^2 <= 4 max_j (w+_j^2 + w-_j^2) ||X||_2^2 (GD with eta below this is stable near w0)."""
    return 1.0 / (8.0 * 4.0 * float(np.max(w_plus0**2 + w_minus0**2)) * float(np.linalg.norm(X, 2)) ** 2)


def tangent_kernel(X1: np.ndarray, X2: np.ndarray, w_plus: np.ndarray, w_minus: np.ndarray,
                   h: float = 1e-3) -> np.ndarray:
    """K[i, k] = <grad_w f(w, X1[i]), grad_w f(w, X2[k])>, the Jacobians by central differences.

    f is quadratic in w, so the central difference is exact up to round-off (error ~ u |f| / h).
    """
    w = np.concatenate([w_plus, w_minus]).astype(float)

    def jac(Xs):
        J = np.empty((Xs.shape[0], w.size))
        for j in range(w.size):
            e = np.zeros_like(w)
            e[j] = h
            fp = Xs @ beta_of(*_split(w + e))
            fm = Xs @ beta_of(*_split(w - e))
            J[:, j] = (fp - fm) / (2.0 * h)
        return J

    return jac(np.atleast_2d(X1)) @ jac(np.atleast_2d(X2)).T
