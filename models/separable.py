"""Training dynamics on linearly separable data (exponential and logistic loss).

Notation: Z = diag(y) X (rows y_i x_i), margins z = Z w, L(w) = sum_i l(z_i) with
l(z) = exp(-z) or log(1 + exp(-z)). -grad L(w) = Z^T (-l'(z)).

* :func:`gd_separable_batched`: GD and heavy-ball momentum, w_{t+1} = w_t + v_{t+1},
  v_{t+1} = beta v_t - eta grad L(w_t), vectorized over a batch of instances (one matmul pair per
  step for the whole batch). Soudry et al. 2018 (Thm 3): w_t = w_hat log t + rho(t), rho bounded.
* :func:`gradient_flow`: the gradient flow dw/dt = -grad L(w) in its own time (exp or logistic loss),
  the eta -> 0 limit of GD and heavy ball, written independently of the GD loop.
* :func:`gradient_flow_log_time`: the same flow continued from a late state in the clock s = log t,
  where its right-hand side stays O(1) (GD's late phase, many decades of t, at ODE cost).
* :func:`exp_loss_flow_log_domain`: the gradient flow dw/dt = -grad L(w) reparametrized by its own
  loss level s = log(1/L(w)). Since d/dt log(1/L) = ||grad L||^2 / L,
      dw/ds = -grad L / (||grad L||^2 / L) = q / ||q||^2,   q = -grad L / L = Z^T softmax(-Z w),
  which only involves a softmax (log-sum-exp stable): the path is the flow's path (the clock is
  irrelevant for the direction), followed to L = 10^-10000 and beyond with |w| ~ 1e4 and no
  overflow or underflow. s(w) = -logsumexp(-Z w) is recomputed from the state as a consistency check.
* :func:`steepest_descent_log_domain`: steepest descent w.r.t. ||.||_p (p = 1: greedy coordinate
  descent; p = inf: sign descent; p = 2: GD) on the exponential loss,
  w_{t+1} = w_t - eta_t ||g||_* d_t with d_t = argmax_{||d||_p <= 1} <d, -g> and the step
  eta_t = c / (B^2 L(w_t)) allowed by Gunasekar et al. 2018a, Thm 5 (notes 001).

Weights: every dynamic takes optional positive ``weights`` c_i, for the loss sum_i c_i l(z_i)
(a data set with a signed point repeated k times is the same loss with that point once and
c_i = k; for the exponential loss c_i exp(-z_i) = exp(-(z_i - log c_i)) enters the softmax as an
offset log c_i). ``None`` means every c_i = 1.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.integrate
from scipy.special import expit, logsumexp, softmax


@dataclass
class SeparableRun:
    """Iterates at checkpoints: ``t`` (steps, or loss level s for the log-domain runs), ``w``
    (len(t), B, d) or (len(t), d), ``loss`` (as log(1/L) when ``log_loss``)."""

    t: np.ndarray
    w: np.ndarray
    loss: np.ndarray
    log_loss: bool = False
    seconds: float = 0.0
    info: dict = field(default_factory=dict)


def loss_value(z: np.ndarray, loss: str, weights=None) -> np.ndarray:
    """sum_i c_i l(z_i) over the last axis, overflow-free (c_i = 1 without weights)."""
    c = 1.0 if weights is None else np.asarray(weights, float)
    if loss == "exp":
        return np.sum(c * np.exp(-np.clip(z, -700.0, None)), axis=-1)
    if loss == "logistic":
        return np.sum(c * np.logaddexp(0.0, -z), axis=-1)
    raise ValueError(f"unknown loss {loss!r}")


def _log_weights(weights, m: int) -> np.ndarray:
    """log c_i (zeros without weights); the weights must be positive."""
    if weights is None:
        return np.zeros(m)
    c = np.asarray(weights, float)
    if c.shape != (m,) or not np.all(c > 0):
        raise ValueError(f"weights must be {m} positive numbers")
    return np.log(c)


def log_checkpoints(T: int, n: int) -> np.ndarray:
    """About n distinct integer steps log-spaced in [1, T] (always including T)."""
    return np.unique(np.r_[np.geomspace(1, T, n).astype(np.int64), T])


def gd_separable_batched(Z, w0, eta, T: int, losses=("exp",), beta=0.0, n_checkpoints: int = 150,
                         weights=None, checkpoints=None) -> SeparableRun:
    """Batched GD / heavy ball on B instances for T steps.

    Z: (m, d) shared by the batch or (B, m, d); w0: (B, d); eta, beta: scalars or (B,);
    losses: one name per batch row (or one for all); weights: None or (m,) positive multiplicities
    of the rows of Z (shared by the batch). Returns w at log-spaced checkpoints, shape (n, B, d),
    and the loss values sum_i c_i l(z_i), shape (n, B). ``checkpoints``: explicit steps instead (those
    in [1, T], and T).
    """
    w = np.array(w0, float, copy=True)
    B, d = w.shape
    Z = np.asarray(Z, float)
    shared = Z.ndim == 2
    m = Z.shape[-2]
    eta = np.broadcast_to(np.asarray(eta, float), (B,))[:, None]
    beta = np.broadcast_to(np.asarray(beta, float), (B,))[:, None]
    losses = tuple(losses) * (B if len(losses) == 1 else 1)
    is_exp = np.array([l == "exp" for l in losses])
    logistic_mask = (~is_exp).astype(float)[:, None]
    any_logistic = bool(np.any(~is_exp))
    momentum = bool(np.any(beta != 0))
    c = None if weights is None else np.asarray(weights, float)
    cw = None if c is None else (c if shared else c[:, None])
    v = np.zeros_like(w)
    ZT = Z.T if shared else np.swapaxes(Z, 1, 2)
    if checkpoints is None:
        cps = log_checkpoints(T, n_checkpoints)
    else:
        cps = np.asarray(checkpoints, np.int64)
        cps = np.unique(np.r_[cps[(cps >= 1) & (cps <= T)], T])
    W = np.empty((len(cps), B, d))
    # preallocated buffers: the loop is two (batched) matrix products and a few elementwise ops
    z = np.empty((B, m)) if shared else np.empty((B, m, 1))
    g = np.empty((B, d)) if shared else np.empty((B, d, 1))
    w3 = w[:, :, None]  # a view of w for the batched product
    k = 0
    t0 = time.perf_counter()
    for t in range(1, T + 1):
        if shared:
            np.matmul(w, ZT, out=z)
        else:
            np.matmul(Z, w3, out=z)
        np.negative(z, out=z)
        np.minimum(z, 700.0, out=z)
        np.exp(z, out=z)  # exp(-z) = -l'(z) for the exponential loss
        if any_logistic:  # sigmoid(-z) = e / (1 + e) on the logistic rows
            z /= 1.0 + z * (logistic_mask if shared else logistic_mask[:, :, None])
        if cw is not None:
            z *= cw
        if shared:
            np.matmul(z, Z, out=g)  # = -grad L, (B, d)
            step = g
        else:
            np.matmul(ZT, z, out=g)
            step = g[:, :, 0]
        if momentum:
            v *= beta
            v += eta * step
            w += v
        else:
            w += eta * step
        if t == cps[k]:
            W[k] = w
            k += 1
    secs = time.perf_counter() - t0
    zs = np.einsum("md,nbd->nbm", Z, W) if shared else np.einsum("bmd,nbd->nbm", Z, W)
    L = np.where(is_exp[None, :], loss_value(zs, "exp", c), loss_value(zs, "logistic", c))
    return SeparableRun(cps.astype(float), W, L, seconds=secs,
                        info={"steps": T, "batch": B, "seconds_per_step": secs / T})


def gradient_flow(Z, w0, t_eval, loss: str = "exp", weights=None, rtol: float = 1e-11, atol: float = 1e-12,
                  method: str = "LSODA") -> SeparableRun:
    """The gradient flow dw/dt = -grad L(w) = Z^T (c * phi(Z w)) in its own time t, phi(z) = exp(-z)
    (exp loss) or sigmoid(-z) (logistic loss), from w0, at the times ``t_eval`` (any order, >= 0).

    The continuous-time limit of :func:`gd_separable_batched`: GD after t steps of size eta is a
    first-order (O(eta)) approximation of the flow at time eta t, heavy ball with momentum beta of
    the flow at eta t / (1 - beta). Written independently of the GD loop (its own right-hand side,
    scipy's solver with the analytic Jacobian: the flow is stiff while the loss is large), so that a
    bug in one is not shared by the other. Returns w at the sorted unique times and the loss."""
    Z = np.asarray(Z, float)
    w0 = np.asarray(w0, float)
    c = np.exp(_log_weights(weights, Z.shape[0]))
    if loss not in ("exp", "logistic"):
        raise ValueError(f"unknown loss {loss!r}")
    t_eval = np.unique(np.asarray(t_eval, float))
    if t_eval.size == 0 or t_eval[0] < 0:
        raise ValueError("t_eval must be non-empty and >= 0")

    def phi(z):
        return np.exp(-np.clip(z, -700.0, None)) if loss == "exp" else expit(-z)

    def rhs(t, w):
        return Z.T @ (c * phi(Z @ w))

    def jac(t, w):
        p = phi(Z @ w)
        dphi = -p if loss == "exp" else -p * (1.0 - p)
        return (Z.T * (c * dphi)) @ Z

    t0 = time.perf_counter()
    if t_eval[-1] > 0:
        sol = scipy.integrate.solve_ivp(rhs, (0.0, float(t_eval[-1])), w0, method=method, t_eval=t_eval, rtol=rtol,
                                        atol=atol, jac=jac)
        W, ok, msg = sol.y.T, bool(sol.success), sol.message
    else:
        W, ok, msg = w0[None, :].copy(), True, "t_eval = 0"
    return SeparableRun(t_eval, W, loss_value(W @ Z.T, loss, None if weights is None else c),
                        seconds=time.perf_counter() - t0, info={"success": ok and len(W) == len(t_eval), "message": msg})


def gradient_flow_log_time(Z, w_start, tau_start: float, tau_eval, loss: str = "exp", weights=None, time_scale: float = 1.0,
                           rtol: float = 1e-10, atol: float = 1e-10, method: str = "LSODA") -> SeparableRun:
    """The gradient flow dw/dtau = Z^T (c * phi(Z w)) / time_scale followed from w(tau_start) = w_start
    in the clock s = log tau, to the times ``tau_eval`` (> tau_start; phi as in :func:`gradient_flow`).

    dw/ds = tau Z^T (c phi(Z w)) / time_scale, and tau phi(z) = exp(s - z) (exp loss) or
    exp(s - logaddexp(0, z)) (logistic loss) is formed without overflow: on separable data the margins
    grow like s, so the right-hand side stays O(1) while tau runs over many decades (the late phase of
    GD / heavy ball, whose steps shrink like 1/t, in a few hundred solver steps instead of ~tau steps).
    ``time_scale`` converts the caller's clock to the flow's own time (tau / time_scale). Returns w
    at the sorted unique ``tau_eval`` (t), the loss there, info['success']."""
    Z = np.asarray(Z, float)
    c = np.exp(_log_weights(weights, Z.shape[0]))
    if loss not in ("exp", "logistic"):
        raise ValueError(f"unknown loss {loss!r}")
    tau_eval = np.unique(np.asarray(tau_eval, float))
    if tau_eval.size == 0 or not tau_eval[0] > tau_start > 0:
        raise ValueError("tau_eval must be non-empty and after tau_start > 0")
    tau_eval = tau_eval[np.r_[True, np.diff(np.log(tau_eval)) > 0]]  # times that coincide in s = log tau: once
    k = math.log(time_scale)

    def tphi(s, w):  # tau phi(Z w) / time_scale and its derivative in z
        z = Z @ w
        if loss == "exp":
            p = np.exp(np.minimum(s - k - z, 700.0))
            return p, -p
        p = np.exp(np.minimum(s - k - np.logaddexp(0.0, z), 700.0))
        return p, -p * expit(z)  # d/dz sigmoid(-z) = -sigmoid(-z) sigmoid(z)

    def rhs(s, w):
        return Z.T @ (c * tphi(s, w)[0])

    def jac(s, w):
        return (Z.T * (c * tphi(s, w)[1])) @ Z

    t0 = time.perf_counter()
    sol = scipy.integrate.solve_ivp(rhs, (math.log(tau_start), math.log(tau_eval[-1])), np.asarray(w_start, float),
                                    method=method, t_eval=np.log(tau_eval), rtol=rtol, atol=atol, jac=jac)
    W = sol.y.T
    return SeparableRun(tau_eval[: len(W)], W, loss_value(W @ Z.T, loss, None if weights is None else c),
                        seconds=time.perf_counter() - t0,
                        info={"success": bool(sol.success) and len(W) == len(tau_eval), "message": sol.message})


def log_inverse_loss(Z: np.ndarray, w: np.ndarray, weights=None) -> np.ndarray:
    """log(1/L(w)) = -logsumexp(-Z w + log c) for the exponential loss (exact at any scale)."""
    return -logsumexp(-(w @ Z.T) + _log_weights(weights, Z.shape[0]), axis=-1)


def exp_loss_flow_log_domain(Z, w0, s_end: float, n_out: int = 200, rtol: float = 1e-10, atol: float = 1e-10,
                             method: str = "LSODA", weights=None) -> SeparableRun:
    """Gradient flow on the exponential loss, followed in s = log(1/L) up to s_end (see module doc)."""
    Z = np.asarray(Z, float)
    w0 = np.asarray(w0, float)
    lc = _log_weights(weights, Z.shape[0])
    s0 = float(log_inverse_loss(Z, w0, weights))

    def rhs(s, w):
        q = Z.T @ softmax(lc - Z @ w)
        return q / (q @ q)

    def jac(s, w):  # the flow is stiff (fast relaxation among support vectors, slow drift)
        p = softmax(lc - Z @ w)
        q = Z.T @ p
        H = (Z.T * p) @ Z - np.outer(q, q)  # dq/dw = -H
        n2 = q @ q
        return -(np.eye(len(w)) / n2 - 2.0 * np.outer(q, q) / n2**2) @ H

    s_eval = s0 + np.geomspace(1e-2, s_end - s0, n_out)
    s_eval[-1] = s_end
    t0 = time.perf_counter()
    sol = scipy.integrate.solve_ivp(rhs, (s0, s_end), w0, method=method, t_eval=s_eval, rtol=rtol, atol=atol,
                                    **({"jac": jac} if method in ("Radau", "BDF", "LSODA") else {}))
    secs = time.perf_counter() - t0
    W = sol.y.T
    s_state = log_inverse_loss(Z, W, weights)  # the loss level recomputed from the state
    return SeparableRun(sol.t, W, s_state, log_loss=True, seconds=secs,
                        info={"nfev": int(sol.nfev), "success": bool(sol.success), "message": sol.message,
                              "clock_drift": float(np.max(np.abs(s_state - sol.t) / np.maximum(1.0, np.abs(sol.t))))})


def exp_loss_flow_comoving(Z, w0, s_end: float, frame, n_out: int = 240, s_switch: float = 10.0,
                           rtol: float = 1e-11, atol: float = 1e-12, method: str = "LSODA",
                           snap: float = 0.0, weights=None) -> SeparableRun:
    """The same time-changed flow as :func:`exp_loss_flow_log_domain`, followed to s = log(1/L) of
    1e10 and beyond in a co-moving frame.

    Up to s_switch it is :func:`exp_loss_flow_log_domain`. Then, for any fixed vector f (the
    ``frame``; the path does not depend on it, only the round-off does) the state is
    r = w - s f and the clock lam = log s:
        dr/dlam = s (q / ||q||^2 - f),   q = Z^T softmax(-Z w),   Z w = Z r + s (Z f).
    With f = w_hat (the direction the flow settles in), r grows only like log s and the
    right-hand side stays O(1), so the tolerances act on r, not on ||w|| ~ s. Two round-off
    sources are removed by extended precision (np.longdouble): the softmax argument is
    -Z r - s (Z f - 1) (shift-invariant), with Z f - 1 formed in long double, and the cancelling
    difference q/||q||^2 - f. ``snap``: see the code. The flow is stiff in lam (the support
    vectors' relaxation rate grows like s), so the implicit solver (LSODA, or Radau for a
    cross-check) gets the analytic Jacobian. A start already past s_switch moves the switch to
    log(1/L(w0)) + 1.

    Returns s at n_out log-spaced points in [s_switch, s_end] (t), w = r + s f (float64: at s ~ 1e10
    w itself carries ~1e-6 absolute round-off; use ``info['r']`` and ``info['frame']``), and the
    loss level s recomputed from the state (``loss``, log_loss=True).
    """
    LD = np.longdouble
    Z = np.asarray(Z, float)
    fl = np.asarray(frame).astype(LD)  # a long-double frame is kept as such (see solvers.svm.refine_long_double)
    f = fl.astype(float)
    lc = _log_weights(weights, Z.shape[0])
    s_switch = max(s_switch, float(log_inverse_loss(Z, np.asarray(w0, float), weights)) + 1.0)
    if not s_end > s_switch:
        raise ValueError(f"s_end = {s_end:g} must exceed the switch point {s_switch:g}")
    head = exp_loss_flow_log_domain(Z, w0, s_switch, n_out=40, rtol=1e-10, atol=1e-10, weights=weights)
    r0 = (head.w[-1].astype(LD) - LD(s_switch) * fl).astype(float)
    Zl = Z.astype(LD)
    g = Zl @ fl - LD(1)
    # margin points of float64 data sit on the margin only up to round-off (|g| ~ 1e-16); their
    # weight exp(-s g) then drifts by s g, visible at s ~ 1e9. ``snap`` > 0 follows the flow of the
    # data with those points exactly on the frame's margin (a perturbation of size |g| of the data)
    on = np.abs(g) <= snap
    snapped = float(np.max(np.abs(g[on]))) if np.any(on) else 0.0
    g[on] = 0

    lcl = lc.astype(LD)

    def probs(lam, r):
        s = np.exp(LD(lam))
        a = lcl - (Zl @ r.astype(LD)) - s * g
        p = np.exp(a - a.max())
        return s, p / p.sum()

    def rhs(lam, r):
        s, p = probs(lam, r)
        q = Zl.T @ p
        return (s * (q / (q @ q) - fl)).astype(float)

    def jac(lam, r):
        s, p = probs(lam, r)
        p = p.astype(float)
        q = Z.T @ p
        H = (Z.T * p) @ Z - np.outer(q, q)
        n2 = q @ q
        return -float(s) * (np.eye(len(q)) / n2 - 2.0 * np.outer(q, q) / n2**2) @ H

    lam0, lam1 = math.log(s_switch), math.log(s_end)
    lam_eval = np.linspace(lam0, lam1, n_out)
    t0 = time.perf_counter()
    sol = scipy.integrate.solve_ivp(rhs, (lam0, lam1), r0, method=method, t_eval=lam_eval, rtol=rtol, atol=atol, jac=jac)
    secs = time.perf_counter() - t0 + head.seconds
    S = np.exp(sol.t)
    R = sol.y.T
    # the loss level recomputed from (r, s): -logsumexp(-Z r - s Z f), in long double
    zl = lcl[None, :] - (R.astype(LD) @ Zl.T) - S.astype(LD)[:, None] * (g + LD(1))[None, :]
    mx = zl.max(axis=1)
    s_state = -(mx + np.log(np.exp(zl - mx[:, None]).sum(axis=1)))
    drift = np.abs(s_state.astype(float) - S) / S
    return SeparableRun(S, R + S[:, None] * f[None, :], s_state.astype(float), log_loss=True, seconds=secs,
                        info={"r": R, "frame": f, "snapped": snapped, "nfev": int(sol.nfev) + head.info["nfev"], "success": bool(sol.success),
                              "message": sol.message, "clock_drift": float(drift.max()),
                              "head_clock_drift": head.info["clock_drift"]})


def steepest_direction(q: np.ndarray, p: float) -> tuple[np.ndarray, float]:
    """(d, ||q||_*) with d = argmax_{||d||_p <= 1} <d, q> (ties: first coordinate)."""
    if p == 1:
        j = int(np.argmax(np.abs(q)))
        d = np.zeros_like(q)
        d[j] = np.sign(q[j])
        return d, float(abs(q[j]))
    if p == np.inf:
        return np.sign(q), float(np.sum(np.abs(q)))
    if p == 2:
        n = float(np.linalg.norm(q))
        return q / n, n
    raise ValueError("p must be 1, 2 or inf")


def steepest_descent_log_domain(Z, w0, p: float, s_end: float, c: float = 0.5, n_checkpoints: int = 150,
                                max_steps: int = 200_000, weights=None) -> SeparableRun:
    """Steepest descent w.r.t. ||.||_p on the exponential loss, run until log(1/L) >= s_end.

    Step size eta_t = c / (B^2 L(w_t)), B = max_i ||z_i||_* (dual norm), 0 < c < 1: the bound of
    Gunasekar et al. 2018a, Thm 5 (eta_t <= 1/(B^2 L(w_t))). The update w <- w - eta_t ||g||_* d_t
    reads, with q = -grad L / L = Z^T softmax(-Zw):  w <- w + (c ||q||_* / B^2) d(q): overflow-free.
    Checkpoints are log-spaced in the loss level s = log(1/L).

    The loop is the sequential algorithm itself (each step's direction depends on the last), kept
    to a handful of numpy calls on preallocated buffers: the margins z = Zw are updated with the
    step (one column of Z for p = 1, one product for p = inf) and the softmax weights
    e_i = c_i exp(s - z_i) are shifted by the current loss level s (<= min_i z_i - log c_i, so no
    overflow), which also gives s itself: s_new = s - log sum_i e_i.
    """
    Z = np.ascontiguousarray(Z, dtype=float)
    ZT = np.ascontiguousarray(Z.T)
    m, d = Z.shape
    w = np.array(w0, float, copy=True)
    lc = _log_weights(weights, m)
    dual_p = {1: np.inf, 2: 2, np.inf: 1}[p]
    B = float(np.max(np.linalg.norm(Z, dual_p, axis=1)))
    h = c / B**2
    z = Z @ w
    s = float(-logsumexp(lc - z))
    e = np.exp(lc + s - z)
    se = float(e.sum())
    marks = np.geomspace(max(s, 1.0) + 1.0, s_end, n_checkpoints)
    k, nxt = 0, float(marks[0])
    out_s, out_w = [], []
    g, ag, buf, dz = np.empty(d), np.empty(d), np.empty(m), np.empty(m)
    cols = [ZT[j].copy() for j in range(d)]
    matmul, absolute, argmax, subtract, exp, log = np.matmul, np.abs, np.argmax, np.subtract, np.exp, math.log
    steps = 0
    t0 = time.perf_counter()
    while s < s_end and steps < max_steps:
        matmul(ZT, e, out=g)  # = q * sum(e)
        if p == 1:
            absolute(g, out=ag)
            j = int(argmax(ag))
            a = h * float(g[j]) / se  # (c ||q||_inf / B^2) sign(q_j)
            w[j] += a
            np.multiply(cols[j], a, out=dz)
        elif p == np.inf:
            a = h * float(absolute(g, out=ag).sum()) / se  # c ||q||_1 / B^2
            np.sign(g, out=ag)
            w += a * ag
            matmul(Z, ag, out=dz)
            dz *= a
        else:
            a = h / se  # c ||q||_2 (q / ||q||_2) / B^2 = c q / B^2
            w += a * g
            matmul(Z, g, out=dz)
            dz *= a
        z += dz
        subtract(s, z, out=buf)
        buf += lc
        exp(buf, out=e)
        se = float(e.sum())
        ls = log(se)
        s -= ls  # e stays c exp(s_old - z): q = Z^T e / se either way
        steps += 1
        if s >= nxt:
            while k < len(marks) and s >= marks[k]:
                out_s.append(s)
                out_w.append(w.copy())
                k += 1
            nxt = float(marks[k]) if k < len(marks) else math.inf
    secs = time.perf_counter() - t0
    return SeparableRun(np.array(out_s), np.array(out_w).reshape(-1, d), np.array(out_s), log_loss=True, seconds=secs,
                        info={"steps": steps, "reached": s, "s_end": s_end, "c": c, "B": B})
